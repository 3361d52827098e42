package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestOneSuggestionEngine checks that a mistyped command gets the same
// suggestion from the binary's own commands as from the REPL's table:
// one engine, which counts a transposition as one edit.
func TestOneSuggestionEngine(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"store command", []string{"--no-config", "sl"}, "did you mean ls?"},
		{"one-shot line", []string{"--no-config", "-c", "sl"}, "did you mean ls?"},
		{"help", []string{"--no-config", "help", "sl"}, "did you mean ls?"},
		{"binary command", []string{"--no-config", "tset"}, "did you mean test?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := runWith(context.Background(), tt.args, strings.NewReader(""), &out, &errOut)
			if code != 2 || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("trovemem %s: got status %d and stderr %q, want 2 and %q", strings.Join(tt.args, " "), code, errOut.String(), tt.want)
			}
		})
	}
}
