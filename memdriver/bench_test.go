package memdriver_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/memdriver"
)

// The benchmarks loop with b.Loop, which calls each benchmark function once,
// so the large fixtures below are built once per size, outside the timing.

const benchBucket = "bench"

// benchKey is the i-th fixture key; fixed width keeps lexical order equal to
// numeric order, so a cursor's position in the bucket is easy to choose.
func benchKey(i int) string { return fmt.Sprintf("obj/%08d", i) }

// fill returns a driver whose bench bucket holds n objects with the given
// content, put through the public API.
func fill(b *testing.B, n int, content []byte) *memdriver.MemDriver {
	b.Helper()
	ctx := context.Background()
	d := memdriver.New()
	if err := d.CreateBucket(ctx, benchBucket); err != nil {
		b.Fatal(err)
	}
	r := bytes.NewReader(nil)
	for i := range n {
		r.Reset(content)
		if _, err := d.Put(ctx, benchBucket, benchKey(i), r); err != nil {
			b.Fatal(err)
		}
	}
	return d
}

// listAll pages through the bench bucket and returns how many entries it saw.
func listAll(b *testing.B, d *memdriver.MemDriver, pageSize int) int {
	ctx := context.Background()
	seen, token := 0, ""
	for {
		it, err := d.List(ctx, benchBucket, driver.WithMaxKeys(pageSize), driver.WithCursor(token))
		if err != nil {
			b.Fatal(err)
		}
		page, _ := it.All(ctx)
		seen += len(page)
		if token = it.NextToken(); token == "" {
			return seen
		}
	}
}

// BenchmarkListPage times one 10-entry page from a random cursor in the
// middle half of the bucket. The target: ns/op within 2x from 10k to 1M
// keys, i.e. a page does not pay for the keys it skips.
func BenchmarkListPage(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("keys=%s", countName(n)), func(b *testing.B) {
			d := fill(b, n, []byte("v"))
			rng := rand.New(rand.NewPCG(uint64(n), 7))
			cursors := make([]string, 1024)
			for i := range cursors {
				cursors[i] = driver.EncodeCursor(benchKey(n/4 + rng.IntN(n/2)))
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				it, err := d.List(ctx, benchBucket, driver.WithMaxKeys(10), driver.WithCursor(cursors[i%len(cursors)]))
				if err != nil {
					b.Fatal(err)
				}
				if page, _ := it.All(ctx); len(page) != 10 || it.NextToken() == "" {
					b.Fatalf("got a page of %d with token %q, want 10 and a token", len(page), it.NextToken())
				}
			}
		})
	}
}

// BenchmarkListPageDelimited times one 10-entry page of common prefixes
// from a bucket of 100k keys in 1,000 directories: each prefix is one seek
// past its group, so a page costs about what a page of plain keys does.
func BenchmarkListPageDelimited(b *testing.B) {
	ctx := context.Background()
	d := memdriver.New()
	if err := d.CreateBucket(ctx, benchBucket); err != nil {
		b.Fatal(err)
	}
	r := bytes.NewReader(nil)
	for i := range 100_000 {
		r.Reset([]byte("v"))
		if _, err := d.Put(ctx, benchBucket, fmt.Sprintf("dir%04d/%06d", i%1000, i), r); err != nil {
			b.Fatal(err)
		}
	}
	cursor := driver.EncodeCursor("dir0500/")
	b.ReportAllocs()
	for b.Loop() {
		it, err := d.List(ctx, benchBucket, driver.WithDelimiter("/"), driver.WithMaxKeys(10), driver.WithCursor(cursor))
		if err != nil {
			b.Fatal(err)
		}
		if page, _ := it.All(ctx); len(page) != 10 || !page[0].IsPrefix {
			b.Fatalf("got %d entries, want 10 common prefixes", len(page))
		}
	}
}

// BenchmarkFullPass lists 100k keys once in pages of 10 and once in a
// single page. The target: the paged pass costs at most 3x the unpaged one.
func BenchmarkFullPass(b *testing.B) {
	const n = 100_000
	d := fill(b, n, []byte("v"))
	for _, tc := range []struct {
		name     string
		pageSize int
	}{
		{"paged=10", 10},
		{"unpaged", n},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if seen := listAll(b, d, tc.pageSize); seen != n {
					b.Fatalf("saw %d keys, want %d", seen, n)
				}
			}
		})
	}
}

// BenchmarkGet opens an object and closes it unread. Get hands out the
// stored slice, so the target is 1 MiB within 1.5x of 1 KiB.
func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	for _, size := range []int{1 << 10, 1 << 20} {
		b.Run(sizeName(size), func(b *testing.B) {
			d := fill(b, 1, make([]byte, size))
			key := benchKey(0)
			b.ReportAllocs()
			for b.Loop() {
				r, err := d.Get(ctx, benchBucket, key)
				if err != nil {
					b.Fatal(err)
				}
				r.Close()
			}
		})
	}
}

// BenchmarkGetRead opens a 1 KiB object and reads it to the end.
func BenchmarkGetRead(b *testing.B) {
	ctx := context.Background()
	d := fill(b, 1, make([]byte, 1<<10))
	key := benchKey(0)
	buf := make([]byte, 2<<10)
	b.ReportAllocs()
	b.SetBytes(1 << 10)
	for b.Loop() {
		r, err := d.Get(ctx, benchBucket, key)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(r, buf[:1<<10]); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

// BenchmarkPut stores 1 KiB objects under 10k rotating keys, so it measures
// overwrites of a warm bucket rather than an ever-growing tree.
func BenchmarkPut(b *testing.B) {
	ctx := context.Background()
	const keys = 10_000
	content := make([]byte, 1<<10)
	d := fill(b, keys, content)
	names := make([]string, keys)
	for i := range names {
		names[i] = benchKey(i)
	}
	r := bytes.NewReader(nil)
	b.ReportAllocs()
	b.SetBytes(int64(len(content)))
	for i := 0; b.Loop(); i++ {
		r.Reset(content)
		if _, err := d.Put(ctx, benchBucket, names[i%keys], r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHead reads the info of 1 KiB objects in a 10k-key bucket.
func BenchmarkHead(b *testing.B) {
	ctx := context.Background()
	const keys = 10_000
	d := fill(b, keys, make([]byte, 1<<10))
	names := make([]string, keys)
	for i := range names {
		names[i] = benchKey(i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := d.Head(ctx, benchBucket, names[i%keys]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkList lists the first default-sized page (1,000 entries) of a
// bucket of 10k 1 KiB objects.
func BenchmarkList(b *testing.B) {
	ctx := context.Background()
	d := fill(b, 10_000, make([]byte, 1<<10))
	b.ReportAllocs()
	for b.Loop() {
		it, err := d.List(ctx, benchBucket)
		if err != nil {
			b.Fatal(err)
		}
		if page, _ := it.All(ctx); len(page) != driver.DefaultMaxKeys {
			b.Fatalf("got %d entries, want %d", len(page), driver.DefaultMaxKeys)
		}
	}
}

// at1M is the fixture BenchmarkAt1M shares: one bucket of 1,000,000 objects
// of 1 KiB, built once per process because filling it takes seconds and
// about 1.2 GiB, and -count would otherwise rebuild it for every run.
var at1M struct {
	once sync.Once
	d    *memdriver.MemDriver
	// keys holds every fixture key once, in a random order: the access
	// order. They are made in that order, so the benchmark's own fetch of
	// the next key reads memory in sequence and the cache misses an op
	// shows are the store's, not the harness's.
	keys []string
}

const at1MObjects = 1_000_000

// at1MFixture returns the shared 1M-object driver. Every object is put
// through the public API from one 1 KiB source slice, and Put copies what it
// reads, so each stored object owns its own 1 KiB: the live heap and the GC
// work it causes are those of a real 1M-object store.
func at1MFixture(b *testing.B) *memdriver.MemDriver {
	at1M.once.Do(func() {
		at1M.d = fill(b, at1MObjects, make([]byte, 1<<10))
		at1M.keys = make([]string, at1MObjects)
		for i, k := range rand.New(rand.NewPCG(1, 2)).Perm(at1MObjects) {
			at1M.keys[i] = benchKey(k)
		}
	})
	if at1M.d == nil {
		b.Fatal("the 1M-object fixture failed to build in an earlier benchmark")
	}
	return at1M.d
}

// at1MKey is the i-th key of the random access order; walking the
// permutation touches every key once per million ops, so lookups miss the
// CPU caches the way random traffic to a large store does.
func at1MKey(i int) string { return at1M.keys[i%at1MObjects] }

// BenchmarkAt1M times the four hot operations against one bucket holding
// 1,000,000 objects of 1 KiB, each at a key chosen in random order:
//
//   - Put overwrites an existing key with 1 KiB (the bucket stays at 1M);
//   - Get opens an object, reads its 1 KiB to the end and closes it;
//   - Head reads one object's info;
//   - List lists one default-sized page (1,000 entries) from a random
//     cursor, the call a client paging through the bucket makes each time.
func BenchmarkAt1M(b *testing.B) {
	ctx := context.Background()
	d := at1MFixture(b)
	b.Run("Put", func(b *testing.B) {
		content := make([]byte, 1<<10)
		r := bytes.NewReader(nil)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			r.Reset(content)
			if _, err := d.Put(ctx, benchBucket, at1MKey(i), r); err != nil {
				b.Fatal(err)
			}
		}
		if _, objects, _ := d.Stats(); objects != at1MObjects {
			b.Fatalf("Stats objects = %d after overwrites, want %d", objects, at1MObjects)
		}
	})
	b.Run("Get", func(b *testing.B) {
		buf := make([]byte, 2<<10)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			r, err := d.Get(ctx, benchBucket, at1MKey(i))
			if err != nil {
				b.Fatal(err)
			}
			if n, _ := io.ReadFull(r, buf); n != 1<<10 {
				b.Fatalf("read %d bytes, want %d", n, 1<<10)
			}
			r.Close()
		}
	})
	b.Run("Head", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			info, err := d.Head(ctx, benchBucket, at1MKey(i))
			if err != nil {
				b.Fatal(err)
			}
			if info.Size != 1<<10 {
				b.Fatalf("got size %d, want %d", info.Size, 1<<10)
			}
		}
	})
	b.Run("List", func(b *testing.B) {
		// Cursors start no later than 1,000 keys before the end, so every
		// page is full and the op always does the same amount of work.
		cursors := make([]string, 4096)
		rng := rand.New(rand.NewPCG(3, 4))
		for i := range cursors {
			cursors[i] = driver.EncodeCursor(benchKey(rng.IntN(at1MObjects - driver.DefaultMaxKeys)))
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			it, err := d.List(ctx, benchBucket, driver.WithCursor(cursors[i%len(cursors)]))
			if err != nil {
				b.Fatal(err)
			}
			if page, _ := it.All(ctx); len(page) != driver.DefaultMaxKeys {
				b.Fatalf("got %d entries, want %d", len(page), driver.DefaultMaxKeys)
			}
		}
	})
}

// BenchmarkHeapPerObject reports the live heap each stored 1 KiB object
// costs, content included, at 1M objects (about 1.2 GiB). It fills once and
// ignores b.N; -benchtime=1x keeps the framework from calling it again.
func BenchmarkHeapPerObject(b *testing.B) {
	const n = 1_000_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d := fill(b, n, make([]byte, 1<<10))
	runtime.GC()
	runtime.ReadMemStats(&after)
	if _, objects, _ := d.Stats(); objects != n {
		b.Fatalf("Stats objects = %d, want %d", objects, n)
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heapB/obj")
	runtime.KeepAlive(d)
}

func countName(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1_000 && n%1_000 == 0:
		return fmt.Sprintf("%dk", n/1_000)
	}
	return fmt.Sprint(n)
}

func sizeName(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dKiB", n>>10)
}
