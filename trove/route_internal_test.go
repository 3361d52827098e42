package trove

import (
	"testing"

	"github.com/bmatcuk/doublestar/v4"
)

// matchPattern rejects keys by the pattern's literal head before calling
// the matcher; that shortcut must never turn a match into a miss.
func TestMatchPatternAgreesWithMatcher(t *testing.T) {
	patterns := []string{"logs/**", "a/**/b", "a/b/**", "a//**", "tmp/*.log", "**", "*", "x",
		"a/{b,c}/d", "a\\*b", "[ab]/c", "data/?", "logs", "a/b", "", "/**", "**/x.txt"}
	keys := []string{"logs", "logs/", "logs/k", "logsx", "log", "a", "a/", "a/b", "a/x/b", "a/b/c",
		"a//", "tmp/x.log", "tmp/x/y.log", "x", "a/c/d", "a*b", "b/c", "data/1", "", "/", "/x", "y/x.txt"}
	for _, p := range patterns {
		for _, k := range keys {
			want, err := doublestar.Match(p, k)
			want = want && err == nil
			if got := matchPattern(p, k); got != want {
				t.Errorf("matchPattern(%q, %q) = %v, want %v (doublestar)", p, k, got, want)
			}
		}
	}
}
