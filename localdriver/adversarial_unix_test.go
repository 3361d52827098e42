//go:build unix

package localdriver_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trovemem/trovemem/driver"
)

// within runs f and fails the test if it has not returned after d: a
// hostile file must never hang an operation.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s still running after %v: a hostile file hangs it", what, d)
	}
}

// dataFile returns the path of the one data file of key k in bucket bkt.
func dataFile(t *testing.T, root, key string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(root, "bkt", "objects", key+".*"))
	if err != nil || len(m) != 1 {
		t.Fatalf("data files of %s: got %v, %v, want one", key, m, err)
	}
	return m[0]
}

// TestAdversarialHostileFilesInARoot plants FIFOs, folders and symlinks
// where the driver expects its own regular files. Every operation must
// return promptly (a FIFO without a writer used to block open for ever),
// treat the entry as no object rather than fail (issue 9 items 10, 11),
// report it through Foreign, and let the bucket be deleted.
func TestAdversarialHostileFilesInARoot(t *testing.T) {
	type plant func(t *testing.T, root string)
	mkfifo := func(t *testing.T, p string) {
		t.Helper()
		if err := syscall.Mkfifo(p, 0o666); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	tests := []struct {
		name    string
		plant   plant
		foreign []string // what Foreign reports
	}{
		{"FIFO as a data file", func(t *testing.T, root string) {
			p := dataFile(t, root, "hostile")
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			mkfifo(t, p)
		}, nil},
		{"FIFO at a sidecar name", func(t *testing.T, root string) {
			p := filepath.Join(root, "bkt", "meta", "hostile")
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			mkfifo(t, p)
		}, []string{"bkt/meta/hostile"}},
		{"folder at a sidecar name", func(t *testing.T, root string) {
			p := filepath.Join(root, "bkt", "meta", "hostile")
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(p, "inner"), 0o777); err != nil {
				t.Fatal(err)
			}
		}, []string{"bkt/meta/hostile"}},
		{"symlink out of the root at a sidecar name", func(t *testing.T, root string) {
			p := filepath.Join(root, "bkt", "meta", "hostile")
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("/dev/zero", p); err != nil {
				t.Fatal(err)
			}
		}, []string{"bkt/meta/hostile"}},
		{"symlink inside the root at a sidecar name", func(t *testing.T, root string) {
			p := filepath.Join(root, "bkt", "meta", "hostile")
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("plain", p); err != nil {
				t.Fatal(err)
			}
		}, []string{"bkt/meta/hostile"}},
		{"sidecar of a key that reads like a path", func(t *testing.T, root string) {
			// The sidecar of "/x", which Put refuses and Delete cannot
			// remove: rmbucket --force looped on it (issue 9 item 12).
			meta := filepath.Join(root, "bkt", "meta")
			b, err := os.ReadFile(filepath.Join(meta, "hostile"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), `"key":"hostile"`) {
				t.Fatalf("sidecar %s: want it to hold the key", b)
			}
			b = []byte(strings.Replace(string(b), `"key":"hostile"`, `"key":"/hostile"`, 1))
			if err := os.WriteFile(filepath.Join(meta, "%2Fhostile"), b, 0o666); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(filepath.Join(meta, "hostile")); err != nil {
				t.Fatal(err)
			}
		}, []string{"bkt/meta/%2Fhostile"}},
		{"stray file with a foreign name", func(t *testing.T, root string) {
			meta := filepath.Join(root, "bkt", "meta")
			if err := os.Rename(filepath.Join(meta, "hostile"), filepath.Join(meta, "README")); err != nil {
				t.Fatal(err)
			}
		}, []string{"bkt/meta/README"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			root := t.TempDir()
			raw := openAt(t, root)
			d := driver.Wrap(raw)
			mustCreateBucket(t, d, "bkt")
			mustPut(t, d, "bkt", "plain", "still here")
			mustPut(t, d, "bkt", "hostile", "to be replaced")
			tt.plant(t, root)

			within(t, 5*time.Second, "get", func() {
				if _, err := d.Get(ctx, "bkt", "hostile"); !errors.Is(err, driver.ErrObjectNotFound) {
					t.Errorf("get hostile: got %v, want %v", err, driver.ErrObjectNotFound)
				}
			})
			within(t, 5*time.Second, "head", func() {
				if _, err := d.Head(ctx, "bkt", "hostile"); !errors.Is(err, driver.ErrObjectNotFound) {
					t.Errorf("head hostile: got %v, want %v", err, driver.ErrObjectNotFound)
				}
			})
			within(t, 5*time.Second, "list", func() {
				it, err := d.List(ctx, "bkt")
				if err != nil {
					t.Fatalf("list: got %v, want the other objects", err)
				}
				page, _ := it.All(ctx)
				var keys []string
				for _, o := range page {
					keys = append(keys, o.Key)
				}
				if want := []string{"plain"}; !slices.Equal(keys, want) {
					t.Errorf("list: got %v, want %v", keys, want)
				}
			})
			if got := content(t, d, "bkt", "plain"); got != "still here" {
				t.Errorf("plain: got %q, want %q", got, "still here")
			}
			within(t, 5*time.Second, "foreign", func() {
				got, err := raw.Foreign(ctx, "bkt")
				if err != nil || !slices.Equal(got, tt.foreign) {
					t.Errorf("Foreign: got %v, %v, want %v", got, err, tt.foreign)
				}
			})
			within(t, 5*time.Second, "rm and rmbucket", func() {
				for _, k := range []string{"hostile", "plain"} {
					if err := d.Delete(ctx, "bkt", k); err != nil {
						t.Fatalf("delete %s: %v", k, err)
					}
				}
				if err := d.DeleteBucket(ctx, "bkt"); err != nil {
					t.Fatalf("delete the bucket: got %v, want it gone with the foreign entry", err)
				}
			})
			if _, err := os.Stat("/dev/zero"); err != nil {
				t.Errorf("the symlink's target is gone: %v", err)
			}
		})
	}
}

// TestAdversarialErrorsNameNoTemporaryPaths makes writes fail for want of
// file descriptors and reads fail on a vanished file: the errors must name
// what the user knows (bucket, key, paths inside the root), never a
// temporary file's random name or the root's absolute path (issue 9 item
// 21).
func TestAdversarialErrorsNameNoTemporaryPaths(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	d := driver.Wrap(openAt(t, root))
	mustCreateBucket(t, d, "bkt")
	mustPut(t, d, "bkt", "k", "v")

	var saved syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &saved); err != nil {
		t.Skip(err)
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip(err)
	}
	low := saved
	low.Cur = uint64(len(ents) - 1) // ReadDir's own descriptor is closed again
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skip(err)
	}
	// Descriptors below the limit that are free (holes left by files the
	// process closed) would still open: take them all first.
	var fill []*os.File
	for {
		f, err := os.Open(os.DevNull)
		if err != nil {
			break
		}
		fill = append(fill, f)
	}
	defer func() {
		for _, f := range fill {
			f.Close()
		}
	}()
	_, putErr := d.Put(ctx, "bkt", "new", strings.NewReader("x"))
	createErr := d.CreateBucket(ctx, "other")
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &saved); err != nil {
		t.Fatal(err)
	}
	for what, err := range map[string]error{"put": putErr, "create-bucket": createErr} {
		if err == nil {
			t.Errorf("%s with no file descriptor left: got nil, want an error", what)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, ".tmp-") || strings.Contains(msg, root) {
			t.Errorf("%s: error %q names a temporary file or the root's absolute path", what, msg)
		}
		if !errors.Is(err, syscall.EMFILE) {
			t.Errorf("%s: got %v, want it to wrap EMFILE still", what, err)
		}
	}
}

// TestAdversarialStaleTemporariesAreCleanedAtOpen: a crashed bucket create
// leaves a .tmp-* folder at the top of the root; opening the root removes
// it once it is old enough that no live process can be using it, and
// leaves younger ones (another process's create in flight) alone.
func TestAdversarialStaleTemporariesAreCleanedAtOpen(t *testing.T) {
	root := t.TempDir()
	d := openAt(t, root)
	mustCreateBucket(t, driver.Wrap(d), "bkt")
	d.Close(context.Background())
	old := filepath.Join(root, ".tmp-0123456789abcdef")
	fresh := filepath.Join(root, ".tmp-fedcba9876543210")
	trash := filepath.Join(root, ".tmp-trash-00112233aabbccdd")
	for _, p := range []string{filepath.Join(old, "objects"), filepath.Join(fresh, "meta"), filepath.Join(trash, "x")} {
		if err := os.MkdirAll(p, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-2 * time.Hour)
	for _, p := range []string{old, trash} {
		if err := os.Chtimes(p, long, long); err != nil {
			t.Fatal(err)
		}
	}
	d2 := driver.Wrap(openAt(t, root))
	for _, tc := range []struct {
		path string
		keep bool
	}{{old, false}, {trash, false}, {fresh, true}, {filepath.Join(root, "bkt"), true}} {
		_, err := os.Stat(tc.path)
		if got := err == nil; got != tc.keep {
			t.Errorf("%s after open: present %v, want %v", filepath.Base(tc.path), got, tc.keep)
		}
	}
	if bs, err := d2.ListBuckets(context.Background()); err != nil || len(bs) != 1 {
		t.Errorf("buckets after open: got %v, %v, want [bkt]", bs, err)
	}
}
