package startstores

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestOpen(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string // "" for success
	}{
		{"default store", Options{NoConfig: true}, ""},
		{"mount and route", Options{NoConfig: true, Mounts: []string{"fast=mem://"}, Routes: []string{"hot/**=fast"}}, ""},
		{"bad mount", Options{NoConfig: true, Mounts: []string{"fast"}}, "want NAME=DSN"},
		{"bad route", Options{NoConfig: true, Routes: []string{"hot/**="}}, "want PATTERN=BACKEND"},
		{"route to nothing", Options{NoConfig: true, Routes: []string{"hot/**=nope"}}, `--route "hot/**=nope"`},
		{"missing config", Options{ConfigFile: "no/such/trovemem.yaml"}, "--config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Now = time.Now
			stores, current, err := Open(context.Background(), tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			st, ok := stores[current]
			if !ok || current != "main" {
				t.Fatalf("got current %q in %v, want main", current, stores)
			}
			defer st.Close(context.Background())
			if got, want := len(st.Backends()), 1+len(tt.opts.Mounts); got != want {
				t.Errorf("got %d backends, want %d", got, want)
			}
		})
	}
}
