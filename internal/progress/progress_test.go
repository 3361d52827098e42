package progress

import (
	"bytes"
	"testing"
	"time"
)

func TestDelayedProgress(t *testing.T) {
	tests := []struct {
		name  string
		delay time.Duration
		want  bool
	}{
		{"a quick operation leaves no trace", time.Hour, false},
		{"a slow one shows a bar", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := New(&buf, tt.delay)("replay", 1000)
			for range 1000 {
				p.Add(1)
			}
			p.Done()
			if got := buf.Len() > 0; got != tt.want {
				t.Errorf("got output %q, want some: %v", buf.String(), tt.want)
			}
		})
	}
}
