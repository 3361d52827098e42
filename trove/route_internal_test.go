package trove

import (
	"testing"

	"github.com/bmatcuk/doublestar/v4"
)

// matchPattern rejects keys by the pattern's literal head before calling
// the matcher; that shortcut must never turn a match into a miss.
func TestMatchPatternAgreesWithMatcher(t *testing.T) {
	patterns := []string{"logs/**", "a/**/b", "a/b/**", "a//**", "a/b//**", "logs/x/**", "tmp/*.log", "**", "*", "x",
		"a/{b,c}/d", "a\\*b", "[ab]/c", "data/?", "logs", "a/b", "", "/**", "**/x.txt"}
	keys := []string{"logs", "logs/", "logs/k", "logsx", "log", "a", "a/", "a/b", "a/x/b", "a/b/c",
		"a//", "a//x", "a/b//", "a/b/", "logs//x", "logs/x", "logs/x/", "logs/x//y", "logs/xy", "logs/a/b/c", "logs/\xff", "logs/a\xffb/c", "logs/\x00", "tmp/x.log", "tmp/x/y.log", "x", "a/c/d", "a*b", "b/c", "data/1", "", "/", "/x", "y/x.txt"}
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

// FuzzMatchPattern holds the shortcuts to the matcher on any pattern and
// key: go test -fuzz FuzzMatchPattern ./trove.
func FuzzMatchPattern(f *testing.F) {
	for _, seed := range [][2]string{{"logs/**", "logs/k"}, {"a//**", "a"}, {"tmp/*.log", "tmp/x.log"}, {"a/{b,c}/**", "a/b/c"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, key string) {
		want, err := doublestar.Match(pattern, key)
		want = want && err == nil
		if got := matchPattern(pattern, key); got != want {
			t.Errorf("matchPattern(%q, %q) = %v, want %v (doublestar)", pattern, key, got, want)
		}
	})
}
