package repl_test

import (
	"testing"

	"github.com/trovemem/trovemem/repl"
)

// TestAdversarialShowWords checks that a command shown to people has every
// DSN's password masked, however the DSN is quoted or whichever word
// holds it, and that other words are quoted as QuoteWords quotes them.
func TestAdversarialShowWords(t *testing.T) {
	tests := []struct {
		name  string
		words []string
		want  string
	}{
		{"mount", []string{"mount", "x", "mem://u:pw@h"}, "mount x mem://u:***@h"},
		{"a quoted password", []string{"mount", "x", "mem://u:p w@h"}, "mount x mem://u:***@h"},
		{"separators", []string{"mount", "x", "s3://u:a/b#c?d@h/b"}, "mount x s3://u:***@h/b"},
		{"a flag value", []string{"x", "--mount=c=mem://u:pw@h"}, "x --mount=c=mem://u:***@h"},
		{"no DSN", []string{"put", "b", "it's"}, `put b "it's"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := repl.ShowWords(tt.words); got != tt.want {
				t.Errorf("ShowWords(%q): got %q, want %q", tt.words, got, tt.want)
			}
		})
	}
}
