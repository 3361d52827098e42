package trove

import (
	"context"
	"strings"
	"testing"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/memdriver"
)

// BenchmarkPutOverhead times, one by one, the steps a routed put with undo
// adds to a direct memory-driver put (BenchmarkPutDirect), on the layout
// of BenchmarkPutRoutedUndo: their sum is the least the routed put can cost
// over the direct one while it keeps its contracts (names checked, the
// key's writes serialised, the route taken, the replaced object saved for
// rollback). README's performance section adds them up against issue 14's
// 1.25x target.
func BenchmarkPutOverhead(b *testing.B) {
	ctx := context.Background()
	s, err := Open(memdriver.New(),
		WithBackend("hot", memdriver.New()), WithBackend("warm", memdriver.New()), WithBackend("cold", memdriver.New()),
		WithRoute("tmp/**", "hot"), WithRoute("logs/**", "warm"), WithRoute("archive/**", "cold"))
	if err != nil {
		b.Fatal(err)
	}
	if err := s.CreateBucket(ctx, "data"); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Put(ctx, "data", "logs/k", strings.NewReader("x")); err != nil {
		b.Fatal(err)
	}
	cfg := s.cfg.Load()
	warm := cfg.drivers["warm"]
	uctx, u := s.Begin(ctx)
	u.Commit()
	for _, step := range []struct {
		name string
		do   func()
	}{
		{"check-names", func() { _, _ = driver.ValidateBucketName("data"), driver.ValidateKey("logs/k") }},
		{"lock-key", func() { s.lockKeys([2]string{"data", "logs/k"}).unlock() }},
		{"route", func() { cfg.explain("data", "logs/k", false) }},
		{"find-undo", func() { s.undo(uctx) }},
		{"snapshot", func() {
			snap, err := driver.TakeSnapshot(ctx, warm, "data", "logs/k")
			if err != nil || snap == nil {
				b.Fatalf("snapshot: %v, %v", snap, err)
			}
			_ = snap.Release()
		}},
		{"undo-record", func() {
			u.Restart()
			u.add(undoStep{kind: removeKey})
			u.touch()
			u.Commit()
		}},
		{"remove-other-copies", func() { _ = cfg.deleteFrom(ctx, "data", "logs/k", "warm", cfg.mayHold("warm")) }},
	} {
		b.Run(step.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				step.do()
			}
		})
	}
}
