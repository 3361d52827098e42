package localdriver_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trovemem/trovemem/driver"
)

// The adversarial suite of the disk driver: hostile files inside a root and
// resource exhaustion, each a regression test for a finding of issue 9.
// Every test is bounded in count and time.

// openFiles counts the process's open file descriptors, or -1 where
// /proc/self/fd is missing.
func openFiles(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// TestAdversarialSnapshotHoldsNoFile saves many objects for undo, replaces
// or deletes them, and restores them: no file stays open per snapshot,
// every object comes back exactly, and the trash folder is gone after
// Release and Close.
func TestAdversarialSnapshotHoldsNoFile(t *testing.T) {
	const objects = 40
	ctx := context.Background()
	root := t.TempDir()
	d := driver.Wrap(openAt(t, root))
	mustCreateBucket(t, d, "bkt")
	modified := time.Date(2021, 5, 6, 7, 8, 9, 0, time.UTC)
	want := map[string]*driver.ObjectInfo{}
	for i := range objects {
		key := "k" + string(rune('a'+i%26)) + string(rune('0'+i/26))
		want[key] = mustPut(t, d, "bkt", key, "body of "+key, driver.WithLastModified(modified),
			driver.WithContentType("text/x-"+key), driver.WithMetadata(map[string]string{"key": key}))
	}
	before := openFiles(t)
	var snaps []driver.Snapshot
	i := 0
	for key := range want {
		s, err := driver.TakeSnapshot(ctx, d, "bkt", key)
		if err != nil || s == nil {
			t.Fatalf("Snapshot(%s): got %v, %v, want a snapshot", key, s, err)
		}
		snaps = append(snaps, s)
		if i%2 == 0 {
			mustPut(t, d, "bkt", key, "overwritten")
		} else if err := d.Delete(ctx, "bkt", key); err != nil {
			t.Fatal(err)
		}
		i++
	}
	if after := openFiles(t); before >= 0 && after > before {
		t.Errorf("open files after %d snapshots: got %d, want at most %d", objects, after, before)
	}
	for _, s := range snaps {
		if err := s.Restore(ctx); err != nil {
			t.Fatalf("Restore: %v", err)
		}
	}
	for key, w := range want {
		if got := content(t, d, "bkt", key); got != "body of "+key {
			t.Errorf("%s after Restore: got %q, want %q", key, got, "body of "+key)
		}
		got, err := d.Head(ctx, "bkt", key)
		if err != nil {
			t.Fatal(err)
		}
		if !got.LastModified.Equal(w.LastModified) || got.ETag != w.ETag || got.ContentType != w.ContentType || got.Metadata["key"] != key {
			t.Errorf("%s after Restore: got %+v, want %+v", key, got, w)
		}
	}
	if s, err := driver.TakeSnapshot(ctx, d, "bkt", "missing"); s != nil || err != nil {
		t.Errorf("Snapshot of a missing key: got %v, %v, want nil, nil", s, err)
	}
	s, err := driver.TakeSnapshot(ctx, d, "bkt", "ka0")
	if err != nil {
		t.Fatal(err)
	}
	if n := trashEntries(t, root); n != 1 {
		t.Errorf("trash entries with one snapshot held: got %d, want 1", n)
	}
	if err := s.Release(); err != nil {
		t.Fatal(err)
	}
	if n := trashEntries(t, root); n != 0 {
		t.Errorf("trash entries after Release: got %d, want 0", n)
	}
	if err := d.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if dirs, _ := filepath.Glob(filepath.Join(root, ".tmp-*")); len(dirs) != 0 {
		t.Errorf("after Close: got %v, want no temporary folders", dirs)
	}
}

func trashEntries(t *testing.T, root string) int {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(root, ".tmp-trash-*", "*"))
	return len(m)
}
