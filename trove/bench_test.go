package trove_test

import (
	"context"
	"strings"
	"testing"

	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

// The cost of undo on the hot path (issue 14 item 5): a routed put over 4
// memory backends and 3 routes, recorded for undo as a REPL command is,
// next to the same put straight into one memory driver. Run:
//
//	go test ./trove -run '^$' -bench 'Put(Direct|Routed|RoutedUndo)$' -benchtime 200000x

const benchBody = "a small object of about sixty bytes, as a REPL user types"

func BenchmarkPutDirect(b *testing.B) {
	d := memdriver.New()
	if err := d.CreateBucket(context.Background(), "data"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Put(context.Background(), "data", "logs/k", strings.NewReader(benchBody)); err != nil {
			b.Fatal(err)
		}
	}
}

func routedStore(b *testing.B) *trove.Store {
	b.Helper()
	s, err := trove.Open(memdriver.New(),
		trove.WithBackend("hot", memdriver.New()),
		trove.WithBackend("warm", memdriver.New()),
		trove.WithBackend("cold", memdriver.New()),
		trove.WithRoute("tmp/**", "hot"),
		trove.WithRoute("logs/**", "warm"),
		trove.WithRoute("archive/**", "cold"))
	if err != nil {
		b.Fatal(err)
	}
	if err := s.CreateBucket(context.Background(), "data"); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkPutRouted is the routed put without undo, for scale.
func BenchmarkPutRouted(b *testing.B) {
	s := routedStore(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Put(context.Background(), "data", "logs/k", strings.NewReader(benchBody)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPutRoutedUndo(b *testing.B) {
	s := routedStore(b)
	uctx, u := s.Begin(context.Background())
	u.Commit()
	b.ReportAllocs()
	for b.Loop() {
		u.Restart()
		if _, err := s.Put(uctx, "data", "logs/k", strings.NewReader(benchBody)); err != nil {
			b.Fatal(err)
		}
		u.Commit()
	}
}
