package localdriver_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/localdriver"
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

// TestAdversarialFileDSNs reads file:// DSNs as RFC 8089 does (issue 9 item
// 19): "localhost" is this machine, not a folder; any other host, a
// fragment and an unexpanded "~" are errors, never a folder by that name.
func TestAdversarialFileDSNs(t *testing.T) {
	for _, tc := range []struct {
		name, dsn, want string
	}{
		{"localhost is this machine", "file://localhost/srv/trove", "/srv/trove"},
		{"LOCALHOST too", "file://LOCALHOST/srv/trove", "/srv/trove"},
		{"empty host", "file:///srv/trove", "/srv/trove"},
		{"dot is the working directory", "file://./data", "data"},
		{"dot dot is its parent", "file://../up", "../up"},
		{"escaped hash is a folder name", "file:///srv/a%23b", "/srv/a#b"},
		{"another host", "file://example.com/srv/trove", ""},
		{"a bare word is a host", "file://data", ""},
		{"fragment", "file:///srv/trove#frag", ""},
		{"empty fragment", "file:///srv/trove#", ""},
		{"tilde", "file://~/x", ""},
		{"tilde user", "file://~ann/x", ""},
		{"localhost without a path", "file://localhost", ""},
		{"password is not shown", "file://ann:s3cret@localhost/x", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := localdriver.ResolvePath(tc.dsn)
			if tc.want == "" {
				if !errors.Is(err, localdriver.ErrInvalidDSN) {
					t.Fatalf("ResolvePath(%q): got %q, %v, want an error wrapping %v", tc.dsn, got, err, localdriver.ErrInvalidDSN)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("ResolvePath(%q): error %q shows the password", tc.dsn, err)
				}
				return
			}
			if err != nil || got != filepath.FromSlash(tc.want) {
				t.Errorf("ResolvePath(%q): got %q, %v, want %q", tc.dsn, got, err, tc.want)
			}
		})
	}
	t.Run("open makes no folder for a refused DSN", func(t *testing.T) {
		wd := t.TempDir()
		t.Chdir(wd)
		for _, dsn := range []string{"file://localhost-not/x", "file://~/x", "file://./y#frag"} {
			if d, err := driver.OpenDSN(context.Background(), dsn); err == nil {
				d.Close(context.Background())
				t.Errorf("OpenDSN(%q): got nil, want an error", dsn)
			}
		}
		if ents, _ := os.ReadDir(wd); len(ents) != 0 {
			t.Errorf("working directory after refused opens: got %v, want it empty", ents)
		}
	})
}

// TestAdversarialTrashRemovedUnderneath: another process's open may remove
// an idle trash folder as stale; the next snapshot makes a new one rather
// than failing the command it guards.
func TestAdversarialTrashRemovedUnderneath(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	d := driver.Wrap(openAt(t, root))
	mustCreateBucket(t, d, "bkt")
	mustPut(t, d, "bkt", "k", "v")
	s, err := driver.TakeSnapshot(ctx, d, "bkt", "k")
	if err != nil {
		t.Fatal(err)
	}
	s.Release()
	dirs, _ := filepath.Glob(filepath.Join(root, ".tmp-trash-*"))
	for _, dir := range dirs {
		os.RemoveAll(dir)
	}
	s, err = driver.TakeSnapshot(ctx, d, "bkt", "k")
	if err != nil || s == nil {
		t.Fatalf("Snapshot after the trash folder went: got %v, %v, want a snapshot", s, err)
	}
	if err := d.Delete(ctx, "bkt", "k"); err != nil {
		t.Fatal(err)
	}
	if err := s.Restore(ctx); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if got := content(t, d, "bkt", "k"); got != "v" {
		t.Errorf("after Restore: got %q, want %q", got, "v")
	}
}
