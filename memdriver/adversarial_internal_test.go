package memdriver

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/trovemem/trovemem/driver"
)

// TestAdversarialSnapshotKeepsAReferenceNotACopy: undo saves an object by
// reference and restores the very same immutable object, so saving costs
// no copy of the content however large it is, and the restored object is
// exactly the saved one (ETag, metadata, last-modified time).
func TestAdversarialSnapshotKeepsAReferenceNotACopy(t *testing.T) {
	ctx := context.Background()
	d := New()
	if err := d.CreateBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	payload := bytes.Repeat([]byte("x"), 1<<20)
	modified := time.Date(2020, 1, 2, 3, 4, 5, 6, time.UTC)
	if _, err := d.Put(ctx, "bkt", "k", bytes.NewReader(payload), driver.WithLastModified(modified),
		driver.WithMetadata(map[string]string{"m": "1"})); err != nil {
		t.Fatal(err)
	}
	saved, _ := d.lookup("bkt", "k")

	var snap driver.Snapshot
	allocs := testing.AllocsPerRun(1, func() {
		var err error
		if snap, err = d.Snapshot(ctx, "bkt", "k"); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 2 {
		t.Errorf("Snapshot of a 1 MiB object: got %v allocations, want at most 2 (no copy)", allocs)
	}
	if _, err := d.Put(ctx, "bkt", "k", bytes.NewReader([]byte("new"))); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, "bkt", "k"); err != nil {
		t.Fatal(err)
	}
	if err := snap.Restore(ctx); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	got, err := d.lookup("bkt", "k")
	if err != nil {
		t.Fatal(err)
	}
	if &got.data[0] != &saved.data[0] || got.etag != saved.etag || got.attrs != saved.attrs || got.modified != saved.modified {
		t.Errorf("Restore stored another record, want the saved one: content, ETag, attributes and time shared")
	}
	if _, n, b := d.Stats(); n != 1 || b != int64(len(payload)) {
		t.Errorf("Stats after Restore: got %d objects, %d bytes, want 1, %d", n, b, len(payload))
	}
	if err := snap.Release(); err != nil {
		t.Fatal(err)
	}
	if err := snap.Restore(ctx); err == nil {
		t.Errorf("Restore after Release: got nil, want an error")
	}
	if s, err := d.Snapshot(ctx, "bkt", "missing"); s != nil || err != nil {
		t.Errorf("Snapshot of a missing key: got %v, %v, want nil, nil", s, err)
	}
	if _, err := d.Snapshot(ctx, "nope", "k"); err != driver.ErrBucketNotFound {
		t.Errorf("Snapshot in a missing bucket: got %v, want %v", err, driver.ErrBucketNotFound)
	}
}
