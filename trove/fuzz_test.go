package trove_test

import (
	"path"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

// FuzzExplain checks that routing and its explanation agree with each other
// and with the pattern semantics, for any pattern and key: Explain picks the
// backend Resolve picks, a matched pattern step is exactly a doublestar
// match, and nothing panics.
func FuzzExplain(f *testing.F) {
	for _, seed := range [][2]string{
		{"*.log", "a/b.log"}, {"**/*.log", "a/b.log"}, {"tmp/**", "tmp/x"},
		{"[a-", "a"}, {"{a,b}/*", "b/c"}, {`\*`, "*"}, {"a?c", "abc"}, {"**", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, key string) {
		s, err := trove.Open(memdriver.New(), trove.WithBackend("b", memdriver.New()))
		if err != nil {
			t.Fatal(err)
		}
		addErr := s.AddRoute(pattern, "b")
		if (addErr == nil) != (pattern != "" && doublestar.ValidatePattern(pattern)) {
			t.Fatalf("AddRoute(%q) = %v, disagrees with ValidatePattern", pattern, addErr)
		}
		ex := s.Explain("bucket", key)
		if got := s.Resolve("bucket", key); got != ex.Backend {
			t.Fatalf("Resolve = %q, Explain = %q", got, ex.Backend)
		}
		if ex.Winner < 0 || ex.Winner >= len(ex.Steps) || ex.Steps[ex.Winner].Backend != ex.Backend {
			t.Fatalf("winner %d does not name backend %q: %+v", ex.Winner, ex.Backend, ex.Steps)
		}
		if addErr == nil {
			want, _ := doublestar.Match(pattern, key)
			if ex.Steps[0].Matched != want {
				t.Fatalf("pattern %q key %q: step matched=%v, doublestar says %v", pattern, key, ex.Steps[0].Matched, want)
			}
			if ex.Steps[0].Reason == "" {
				t.Fatalf("pattern %q key %q: empty reason", pattern, key)
			}
			// Without '**' and braces, the promise is path.Match's semantics
			// (for keys the store accepts, which are valid UTF-8).
			if utf8.ValidString(key) && utf8.ValidString(pattern) && !strings.Contains(pattern, "**") && !strings.ContainsAny(pattern, "{}") {
				if pm, err := path.Match(pattern, key); err == nil && pm != ex.Steps[0].Matched {
					t.Fatalf("pattern %q key %q: routing matched=%v, path.Match says %v", pattern, key, ex.Steps[0].Matched, pm)
				}
			}
		}
	})
}
