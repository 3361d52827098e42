// Package memtune keeps the heap of a bulk load close to its live data.
//
// With the default GOGC of 100 the collector lets the heap grow to twice
// what survived the last collection: loading a dump of 1.2 GB of objects
// then peaks at 2.4 GB, though nothing but the objects stays. A lower
// GOGC keeps the same proportion of a growing heap as headroom, so a large
// load collects ever more often as it grows (GOGC=15 doubled its time).
// Bound instead caps the headroom in bytes: a memory limit a fixed
// distance above the live heap, raised as the live heap grows, so a load
// collects about once per Headroom bytes of garbage whatever its size.
package memtune

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// Headroom is how far above the live heap Bound holds the memory limit.
const Headroom = 192 << 20

// every is how often Bound reads the live heap and moves the limit up.
const every = 20 * time.Millisecond

// Bound holds the process's memory limit at Headroom above the live heap
// until the returned function is called, which restores the limit there
// was. The limit only ever lowers the collector's goal (GOGC still
// applies below it), and a limit the user set (GOMEMLIMIT) lower than
// the one Bound would set is kept. Calls must not overlap.
func Bound() (restore func()) {
	prev := debug.SetMemoryLimit(-1)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	set := func() {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return
		}
		limit := sample[0].Value.Uint64() + Headroom
		if limit < uint64(prev) {
			debug.SetMemoryLimit(int64(limit))
		}
	}
	set()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				set()
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		debug.SetMemoryLimit(prev)
	}
}
