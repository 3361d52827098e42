package trove

import (
	"testing"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/trovemem/trovemem/driver"
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

// route is the put path's shortcut through the pattern routes; it must
// pick the backend a full explanation names for every key, including
// routes to a backend that is not mounted and keys that are not UTF-8.
func TestRouteAgreesWithExplain(t *testing.T) {
	patterns := []string{"logs/**", "a/**/b", "tmp/*.log", "a\\*b", "logs", "x/\xff/**", "gone/**", "a/{b,c}/d", "**/x.txt"}
	keys := []string{"logs", "logs/k", "logsx", "a/x/b", "tmp/x.log", "a*b", "x/\xff/y", "x/\xfe/y", "gone/k", "a/c/d", "y/x.txt", "", "other", "logs/\xff"}
	backends := []string{"hot", "warm", "cold"}
	cfg := &config{drivers: map[string]driver.Driver{DefaultBackend: nil}, order: []string{DefaultBackend}}
	for _, b := range backends {
		cfg.drivers[b] = nil
		cfg.order = append(cfg.order, b)
	}
	for i, p := range patterns {
		b := backends[i%len(backends)]
		if p == "gone/**" {
			b = "unmounted"
		}
		cfg.routes = append(cfg.routes, Route{Pattern: p, Backend: b})
	}
	cfg.matchers = make([]routeMatcher, len(cfg.routes))
	for i, r := range cfg.routes {
		_, mounted := cfg.drivers[r.Backend]
		cfg.matchers[i] = newRouteMatcher(r, mounted)
	}
	for _, k := range keys {
		_, ex := cfg.explain("data", k, true)
		if got := cfg.route(k); got != ex.Backend {
			t.Errorf("route(%q) = %q, want %q (explain)", k, got, ex.Backend)
		}
	}
}
