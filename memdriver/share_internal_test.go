package memdriver

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"
	"weak"

	"github.com/trovemem/trovemem/driver"
)

// TestCopySharesPayload checks that Copy stores no second copy of the
// content: the destination object points at the source's immutable bytes.
func TestCopySharesPayload(t *testing.T) {
	ctx := context.Background()
	d := New()
	for _, b := range []string{"src-bucket", "dst-bucket"} {
		if err := d.CreateBucket(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	payload := bytes.Repeat([]byte("x"), 4096)
	if _, err := d.Put(ctx, "src-bucket", "a", bytes.NewReader(payload), driver.WithContentType("text/plain"),
		driver.WithMetadata(map[string]string{"k": "v"})); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Copy(ctx, "src-bucket", "a", "dst-bucket", "b"); err != nil {
		t.Fatal(err)
	}
	src, err := d.lookup("src-bucket", "a")
	if err != nil {
		t.Fatal(err)
	}
	dst, err := d.lookup("dst-bucket", "b")
	if err != nil {
		t.Fatal(err)
	}
	if &src.data[0] != &dst.data[0] {
		t.Errorf("Copy duplicated the %d-byte payload, want it shared", len(payload))
	}
	if dst.contentType() != "text/plain" || dst.meta()["k"] != "v" || dst.etag != src.etag {
		t.Errorf("copy has content type %q, metadata %v, ETag %q; want %q, map[k:v], %q",
			dst.contentType(), dst.meta(), dst.etag, "text/plain", src.etag)
	}
}

// TestGetDoesNotCopy checks that opening a large object allocates far less
// than its size.
func TestGetDoesNotCopy(t *testing.T) {
	ctx := context.Background()
	d := New()
	if err := d.CreateBucket(ctx, "big-bucket"); err != nil {
		t.Fatal(err)
	}
	const size = 1 << 20
	if _, err := d.Put(ctx, "big-bucket", "k", bytes.NewReader(make([]byte, size))); err != nil {
		t.Fatal(err)
	}
	const gets = 10
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range gets {
		r, err := d.Get(ctx, "big-bucket", "k")
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > size/4 {
		t.Errorf("%d Gets of a %d-byte object allocated %d bytes, want far less than one object", gets, size, got)
	}
}

// TestStoredAttributesDoNotPinTheCallersString checks that a content type
// or metadata cut from a larger string (a replayed dump's 1 KiB line) is
// not stored as that substring: the object would keep the whole line
// alive, doubling a loaded dump's memory.
func TestStoredAttributesDoNotPinTheCallersString(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		opt  func(line string) driver.PutOption
	}{
		{"content type", func(line string) driver.PutOption { return driver.WithContentType(line[:10]) }},
		{"metadata key", func(line string) driver.PutOption { return driver.WithMetadata(map[string]string{line[:6]: "v"}) }},
		{"metadata value", func(line string) driver.PutOption { return driver.WithMetadata(map[string]string{"k": line[:6]}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := New()
			if err := d.CreateBucket(ctx, "bkt"); err != nil {
				t.Fatal(err)
			}
			line := "text/plain" + strings.Repeat("x", 4096)
			line = strings.Clone(line) // an allocation of its own, begun by the attribute
			alive := weak.Make(unsafe.StringData(line))
			if _, err := d.Put(ctx, "bkt", "k", strings.NewReader("body"), tc.opt(line)); err != nil {
				t.Fatal(err)
			}
			line = ""
			runtime.GC()
			if alive.Value() != nil {
				t.Errorf("the stored object keeps the caller's 4 KiB string alive: got reachable, want collected")
			}
			runtime.KeepAlive(d)
		})
	}
}

// TestObjectsShareTheirContentTypesAttrs checks that objects differing
// from the default only in content type share one attrs record, and that
// one given a time out of nanoseconds' range gets its own, leaving the
// others' times as they were.
func TestObjectsShareTheirContentTypesAttrs(t *testing.T) {
	ctx := context.Background()
	d := New()
	if err := d.CreateBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	far := time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	for key, mod := range map[string]time.Time{"a": when, "b": when, "c": far} {
		if _, err := d.Put(ctx, "bkt", key, strings.NewReader(key), driver.WithContentType("text/x-shared"), driver.WithLastModified(mod)); err != nil {
			t.Fatal(err)
		}
	}
	rec := func(key string) *object { return d.buckets["bkt"].index[key] }
	if rec("a").attrs != rec("b").attrs {
		t.Errorf("a and b hold attrs %p and %p, want one shared", rec("a").attrs, rec("b").attrs)
	}
	for key, want := range map[string]time.Time{"a": when, "b": when, "c": far} {
		info, err := d.Head(ctx, "bkt", key)
		if err != nil {
			t.Fatal(err)
		}
		if !info.LastModified.Equal(want) || info.ContentType != "text/x-shared" {
			t.Errorf("%s: got %v %q, want %v text/x-shared", key, info.LastModified, info.ContentType, want)
		}
	}
}

// TestPutKeepsHandedOffBytes checks that a put from a driver.Handoff
// stores the caller's slice rather than a copy, unless the slice's spare
// room would make the store pin much more than the content.
func TestPutKeepsHandedOffBytes(t *testing.T) {
	ctx := context.Background()
	d := New()
	if err := d.CreateBucket(ctx, "bucket-a"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		buf      []byte
		wantKept bool
	}{
		{"exact size", bytes.Repeat([]byte("x"), 64<<10), true},
		{"a read's spare room", append(make([]byte, 0, 64<<10+512), bytes.Repeat([]byte("y"), 64<<10)...), true},
		{"mostly spare room", append(make([]byte, 0, 1<<20), bytes.Repeat([]byte("z"), 4<<10)...), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := d.Put(ctx, "bucket-a", tc.name, driver.NewHandoff(tc.buf)); err != nil {
				t.Fatal(err)
			}
			o, err := d.lookup("bucket-a", tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(o.data, tc.buf) {
				t.Fatalf("stored %d bytes that differ from the %d handed off", len(o.data), len(tc.buf))
			}
			if kept := &o.data[0] == &tc.buf[0]; kept != tc.wantKept {
				t.Errorf("got the caller's slice kept = %v, want %v (cap %d for %d bytes)", kept, tc.wantKept, cap(tc.buf), len(tc.buf))
			}
		})
	}
}
