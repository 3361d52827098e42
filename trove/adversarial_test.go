package trove_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/trovemem/trovemem/localdriver"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

// The adversarial suite: inputs and layouts chosen to lose data, each a
// regression test for a finding of issue 9. Every test is bounded in count
// and time.

// TestAdversarialOneStorageMountedTwice mounts one directory under a second
// name, spelled in every way that reaches it: the mount must be refused,
// because the second backend would see every object of the first as a
// stranded copy to delete.
func TestAdversarialOneStorageMountedTwice(t *testing.T) {
	for _, tt := range []struct {
		name string
		dsn  func(t *testing.T, dir, same string) string
	}{
		{"same DSN", func(_ *testing.T, _, same string) string { return "file://" + same }},
		{"trailing slash", func(_ *testing.T, _, same string) string { return "file://" + same + "/" }},
		{"dot segment", func(t *testing.T, dir, _ string) string { return "file://" + dir + "/./same" }},
		{"through a symlink", func(t *testing.T, dir, same string) string {
			link := filepath.Join(dir, "link")
			if err := os.Symlink(same, link); err != nil {
				t.Fatal(err)
			}
			return "file://" + link
		}},
		{"relative path", func(t *testing.T, dir, _ string) string {
			t.Chdir(dir)
			return "file://./same"
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			same := filepath.Join(dir, "same")
			dsn := tt.dsn(t, dir, same)
			s, err := trove.Open(memdriver.New())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close(ctx)
			if err := s.Mount(ctx, "a", "file://"+same); err != nil {
				t.Fatalf("first mount: %v", err)
			}
			err = s.Mount(ctx, "b", dsn)
			if !errors.Is(err, trove.ErrSameStorage) {
				t.Fatalf("second mount of %s: got %v, want %v", dsn, err, trove.ErrSameStorage)
			}
			if _, ok := s.Backend("b"); ok {
				t.Errorf("backend b is mounted after the refusal, want it absent")
			}
			// The repro of issue 9: put through a route to a, read back.
			if err := s.AddRoute("**", "a"); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateBucket(ctx, "abc"); err != nil {
				t.Fatal(err)
			}
			put(t, s, "abc", "k", "data")
			if got, err := read(t, s, "abc", "k"); err != nil || got != "data" {
				t.Errorf("get abc/k: got %q, %v, want \"data\"", got, err)
			}
			if _, err := s.Rebalance(ctx, false, nil); err != nil {
				t.Fatalf("rebalance: %v", err)
			}
			if got, err := read(t, s, "abc", "k"); err != nil || got != "data" {
				t.Errorf("get abc/k after rebalance: got %q, %v, want \"data\"", got, err)
			}
		})
	}
	t.Run("as the default backend", func(t *testing.T) {
		same := t.TempDir()
		def, err := localdriver.NewAt(same)
		if err != nil {
			t.Fatal(err)
		}
		s, err := trove.Open(def)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close(ctx)
		if err := s.Mount(ctx, "b", "file://"+same+"/"); !errors.Is(err, trove.ErrSameStorage) {
			t.Fatalf("mount of the default's directory: got %v, want %v", err, trove.ErrSameStorage)
		}
	})
	t.Run("two memory drivers are two storages", func(t *testing.T) {
		s, err := trove.Open(memdriver.New(), trove.WithBackend("m1", memdriver.New()))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer s.Close(ctx)
		if err := s.Mount(ctx, "m2", "mem://"); err != nil {
			t.Errorf("mount mem://: got %v, want nil", err)
		}
	})
}

// shifty is a memory driver whose storage identity the test sets, so a
// layout can come to share one storage after it was mounted.
type shifty struct {
	*memdriver.MemDriver
	id *atomic.Value
}

func (d shifty) StorageID() string { return d.id.Load().(string) }

// TestAdversarialRebalanceNeverDropsTheObjectItself: a stranded "copy" on
// a backend that is the same storage as its target is the object; deleting
// it as a duplicate deletes the only copy.
func TestAdversarialRebalanceNeverDropsTheObjectItself(t *testing.T) {
	shared := memdriver.New()
	var idA, idB atomic.Value
	idA.Store("a")
	idB.Store("b")
	s, err := trove.Open(memdriver.New(),
		trove.WithBackend("a", shifty{shared, &idA}), trove.WithBackend("b", shifty{shared, &idB}),
		trove.WithRoute("**", "b"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if err := s.CreateBucket(ctx, "abc"); err != nil {
		t.Fatal(err)
	}
	if _, err := shared.Put(ctx, "abc", "k", strings.NewReader("only copy")); err != nil {
		t.Fatal(err)
	}
	idB.Store("a") // both backends now say they are one storage
	if _, err := s.Rebalance(ctx, false, nil); !errors.Is(err, trove.ErrSameStorage) {
		t.Errorf("rebalance: got %v, want %v", err, trove.ErrSameStorage)
	}
	if got, err := read(t, shared, "abc", "k"); err != nil || got != "only copy" {
		t.Errorf("after rebalance: got %q, %v, want \"only copy\"", got, err)
	}
}

// TestAdversarialRollbackHoldsNoFilePerObject deletes more objects of a
// disk backend, under one undo record, than the process may open files,
// then rolls back: every delete must succeed, and the rollback must bring
// back every object exactly (issue 9 item 2: 19,988 objects were lost).
func TestAdversarialRollbackHoldsNoFilePerObject(t *testing.T) {
	const objects = 120
	drv, err := localdriver.NewAt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := trove.Open(memdriver.New(), trove.WithBackend("disk", drv), trove.WithRoute("**", "disk"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if err := s.CreateBucket(ctx, "abc"); err != nil {
		t.Fatal(err)
	}
	for i := range objects {
		if _, err := s.Put(ctx, "abc", fmt.Sprintf("k%04d", i), strings.NewReader(fmt.Sprint("body ", i)),
			trove.WithMetadata(map[string]string{"n": fmt.Sprint(i)})); err != nil {
			t.Fatal(err)
		}
	}
	before := snapshot(t, s)

	limitOpenFiles(t, objects/3)
	uctx, u := s.Begin(ctx)
	for i := range objects {
		if err := s.Delete(uctx, "abc", fmt.Sprintf("k%04d", i)); err != nil {
			u.Rollback(ctx)
			t.Fatalf("delete %d of %d under undo: %v", i, objects, err)
		}
	}
	if err := s.DeleteBucket(uctx, "abc"); err != nil {
		t.Fatalf("delete the emptied bucket: %v", err)
	}
	if err := u.Rollback(ctx); err != nil {
		t.Fatalf("rollback: %v", err)
	}
	restoreOpenFiles(t)
	if got := snapshot(t, s); !equalStates(got, before) {
		t.Errorf("after rollback the store differs:\ngot  %v\nwant %v", got, before)
	}
}

// TestAdversarialCommitReleasesTheTrash: what the record saved goes once
// the change is kept, on the disk (the trash folder empties) as in memory.
func TestAdversarialCommitReleasesTheTrash(t *testing.T) {
	root := t.TempDir()
	drv, err := localdriver.NewAt(root)
	if err != nil {
		t.Fatal(err)
	}
	s, err := trove.Open(drv)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if err := s.CreateBucket(ctx, "abc"); err != nil {
		t.Fatal(err)
	}
	put(t, s, "abc", "k", "v1")
	uctx, u := s.Begin(ctx)
	put(t, s, "abc", "k", "v1") // outside the record
	if _, err := s.Put(uctx, "abc", "k", strings.NewReader("v2")); err != nil {
		t.Fatal(err)
	}
	if n := trashFiles(t, root); n != 1 {
		t.Errorf("saved files while the record is open: got %d, want 1", n)
	}
	u.Commit()
	if n := trashFiles(t, root); n != 0 {
		t.Errorf("saved files after Commit: got %d, want 0", n)
	}
	if got, _ := read(t, s, "abc", "k"); got != "v2" {
		t.Errorf("after Commit: got %q, want \"v2\"", got)
	}
}

// trashFiles counts the files in the trash folders at the top of root.
func trashFiles(t *testing.T, root string) int {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(root, ".tmp-trash-*", "*"))
	return len(dirs)
}

func equalStates(a, b storeState) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

// TestAdversarialBackendNames: a backend name is typed, shown and written
// back, so one that would read back as something else (issue 9 item 21:
// names took spaces and newlines) is refused with a one-line error, and
// nothing is mounted or opened.
func TestAdversarialBackendNames(t *testing.T) {
	for _, name := range []string{"", "two words", "new\nline", "tab\there", "bell\a", "nul\x00", "bad\xffutf8",
		"a=b", "a,b", "\u00a0nbsp", "zero\u200bwidth", strings.Repeat("x", 65)} {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			s, err := trove.Open(memdriver.New())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close(ctx)
			dir := filepath.Join(t.TempDir(), "never")
			err = s.Mount(ctx, name, "file://"+dir)
			if !errors.Is(err, trove.ErrInvalidName) {
				t.Fatalf("mount %q: got %v, want %v", name, err, trove.ErrInvalidName)
			}
			if strings.ContainsAny(err.Error(), "\n\r\t\x00\a") {
				t.Errorf("mount %q: error %q is not one plain line", name, err)
			}
			if got := len(s.Backends()); got != 1 {
				t.Errorf("backends after the refusal: got %d, want 1", got)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the refused mount made its folder: %v", err)
			}
			if err := s.AddBackend(ctx, name, memdriver.New()); !errors.Is(err, trove.ErrInvalidName) {
				t.Errorf("AddBackend %q: got %v, want %v", name, err, trove.ErrInvalidName)
			}
		})
	}
	for _, name := range []string{"cold", "hot-1", "tier_2.b", "日本", strings.Repeat("x", 64)} {
		if err := trove.ValidateBackendName(name); err != nil {
			t.Errorf("ValidateBackendName(%q): got %v, want nil", name, err)
		}
	}
}
