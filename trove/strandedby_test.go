package trove_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

// TestStrandedByMatchesFullScan checks StrandedBy against Stranded over
// random layout changes: every object a change newly strands is reported,
// and what is reported is exactly the full scan's answer for the keys the
// change can touch.
func TestStrandedByMatchesFullScan(t *testing.T) {
	patterns := []string{"*.log", "logs/**", "logs/*.gz", "img/**", "**", "a*", "img/{x,y}/*", "tmp/?"}
	keys := []string{"a.log", "b.txt", "logs/x.log", "logs/old.gz", "logs/deep/y.gz", "img/x/1.jpg", "img/z/2.jpg", "tmp/1", "tmp/12", "abc"}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		s, _ := newStore(t, []string{"cold", "warm"})
		for _, k := range keys {
			backend := []string{trove.DefaultBackend, "cold", "warm"}[rng.IntN(3)]
			if _, err := s.PutOn(ctx, backend, "data", k, strings.NewReader(k)); err != nil {
				t.Fatal(err)
			}
		}
		var routes []string
		for range 3 {
			p := patterns[rng.IntN(len(patterns))]
			if slices.Contains(routes, p) {
				continue
			}
			if err := s.AddRoute(p, []string{"cold", "warm"}[rng.IntN(2)]); err != nil {
				t.Fatal(err)
			}
			routes = append(routes, p)
		}
		before := strandedSet(t, s.Stranded)
		var change trove.LayoutChange
		switch rng.IntN(3) {
		case 0: // route add
			p := patterns[rng.IntN(len(patterns))]
			if slices.Contains(routes, p) {
				continue
			}
			if err := s.AddRoute(p, []string{"cold", "warm"}[rng.IntN(2)]); err != nil {
				t.Fatal(err)
			}
			change.Patterns = []string{p}
		case 1: // route rm
			if len(routes) == 0 {
				continue
			}
			p := routes[rng.IntN(len(routes))]
			if err := s.RemoveRoute(p); err != nil {
				t.Fatal(err)
			}
			change.Patterns = []string{p}
		case 2: // mount a backend holding data, with a dangling route to it
			drv := memdriver.New()
			if err := drv.CreateBucket(ctx, "data"); err != nil {
				t.Fatal(err)
			}
			k := keys[rng.IntN(len(keys))]
			if _, err := drv.Put(ctx, "data", k, strings.NewReader("new")); err != nil {
				t.Fatal(err)
			}
			if err := s.AddBackend(ctx, "new", drv); err != nil {
				t.Fatal(err)
			}
			change.Backends = []string{"new"}
		}
		after := strandedSet(t, s.Stranded)
		got := strandedSet(t, func(c context.Context) ([]trove.StrandedObject, error) { return s.StrandedBy(c, change) })
		touched := func(o trove.StrandedObject) bool {
			if slices.Contains(change.Backends, o.Holder) {
				return true
			}
			for _, p := range change.Patterns {
				if ok, _ := doublestar.Match(p, o.Key); ok {
					return true
				}
			}
			return false
		}
		for k, o := range after {
			if _, was := before[k]; !was {
				if _, ok := got[k]; !ok {
					t.Fatalf("round %d (%+v): newly stranded %s missing from StrandedBy", round, change, k)
				}
			}
			if g, ok := got[k]; ok && g != o {
				t.Fatalf("round %d: StrandedBy says %+v, full scan %+v", round, g, o)
			}
		}
		for k, o := range got {
			if _, ok := after[k]; !ok {
				t.Fatalf("round %d (%+v): StrandedBy reports %s, which the full scan does not", round, change, k)
			}
			_ = o
		}
		for k, o := range after {
			if touched(o) {
				if _, ok := got[k]; !ok {
					t.Fatalf("round %d (%+v): %s matches the change but StrandedBy misses it", round, change, k)
				}
			}
		}
	}
}

func strandedSet(t *testing.T, f func(context.Context) ([]trove.StrandedObject, error)) map[string]trove.StrandedObject {
	t.Helper()
	list, err := f(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]trove.StrandedObject{}
	for _, o := range list {
		m[fmt.Sprintf("%s/%s@%s", o.Bucket, o.Key, o.Holder)] = o
	}
	return m
}

// BenchmarkLayoutChange times what a route add costs to report in a store
// of 300k objects of which none match the new rule: a full Stranded scan
// against StrandedBy's range scan. The target is StrandedBy ≤ 5 ms.
func BenchmarkLayoutChange(b *testing.B) {
	const n = 300_000
	def := memdriver.New()
	s, err := trove.Open(def, trove.WithBackend("archive", memdriver.New()))
	if err != nil {
		b.Fatal(err)
	}
	if err := s.CreateBucket(ctx, "data"); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if _, err := def.Put(ctx, "data", fmt.Sprintf("obj/%08d", i), strings.NewReader("v")); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.AddRoute("logs/**", "archive"); err != nil {
		b.Fatal(err)
	}
	change := trove.LayoutChange{Patterns: []string{"logs/**"}}
	b.Run("StrandedBy", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if st, err := s.StrandedBy(ctx, change); err != nil || len(st) != 0 {
				b.Fatalf("got %d stranded, %v", len(st), err)
			}
		}
	})
	b.Run("Stranded", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if st, err := s.Stranded(ctx); err != nil || len(st) != 0 {
				b.Fatalf("got %d stranded, %v", len(st), err)
			}
		}
	})
	_ = driver.DefaultMaxKeys
}
