package localdriver_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/trovemem/trovemem/driver"
)

// Every Put syncs its data file, its sidecar and both directories, so its
// cost is mostly the disk's; these benchmarks show what that costs and
// that reads and listings stay cheap next to it.

func BenchmarkPut1KiB(b *testing.B) {
	d := openAt(b, b.TempDir())
	ctx := context.Background()
	if err := d.CreateBucket(ctx, "bkt"); err != nil {
		b.Fatal(err)
	}
	data := strings.Repeat("x", 1<<10)
	b.SetBytes(int64(len(data)))
	for i := 0; b.Loop(); i++ {
		if _, err := d.Put(ctx, "bkt", fmt.Sprintf("k%d", i%100), strings.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet1KiB(b *testing.B) {
	d := openAt(b, b.TempDir())
	ctx := context.Background()
	if err := d.CreateBucket(ctx, "bkt"); err != nil {
		b.Fatal(err)
	}
	data := strings.Repeat("x", 1<<10)
	if _, err := d.Put(ctx, "bkt", "k", strings.NewReader(data)); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := d.Get(ctx, "bkt", "k")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}

// BenchmarkListPage reads one 100-entry page from the middle of a
// 1000-object bucket: the whole meta directory is read and sorted, and 100
// sidecars are opened.
func BenchmarkListPage(b *testing.B) {
	d := openAt(b, b.TempDir())
	ctx := context.Background()
	if err := d.CreateBucket(ctx, "bkt"); err != nil {
		b.Fatal(err)
	}
	for i := range 1000 {
		if _, err := d.Put(ctx, "bkt", fmt.Sprintf("dir%d/key%04d", i%10, i), strings.NewReader("v")); err != nil {
			b.Fatal(err)
		}
	}
	cursor := driver.EncodeCursor("dir5/")
	for b.Loop() {
		it, err := d.List(ctx, "bkt", driver.WithMaxKeys(100), driver.WithCursor(cursor))
		if err != nil {
			b.Fatal(err)
		}
		if page, _ := it.All(ctx); len(page) != 100 {
			b.Fatalf("page: got %d entries, want 100", len(page))
		}
	}
}
