package trove_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/localdriver"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

// newStore opens a store over a default memdriver and the named extra
// memdrivers, with the given routes and a bucket "data".
func newStore(t *testing.T, backends []string, routes ...string) (*trove.Store, map[string]driver.Driver) {
	t.Helper()
	drivers := map[string]driver.Driver{trove.DefaultBackend: memdriver.New()}
	opts := []trove.Option{}
	for _, b := range backends {
		drivers[b] = memdriver.New()
		opts = append(opts, trove.WithBackend(b, drivers[b]))
	}
	for i := 0; i+1 < len(routes); i += 2 {
		opts = append(opts, trove.WithRoute(routes[i], routes[i+1]))
	}
	s, err := trove.Open(drivers[trove.DefaultBackend], opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	if err := s.CreateBucket(ctx, "data"); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	return s, drivers
}

func put(t *testing.T, s *trove.Store, bucket, key, body string) *trove.ObjectInfo {
	t.Helper()
	info, err := s.Put(ctx, bucket, key, strings.NewReader(body))
	if err != nil {
		t.Fatalf("Put %s/%s: %v", bucket, key, err)
	}
	return info
}

func read(t *testing.T, d interface {
	Get(context.Context, string, string, ...driver.GetOption) (*driver.ObjectReader, error)
}, bucket, key string) (string, error) {
	t.Helper()
	rd, err := d.Get(ctx, bucket, key)
	if err != nil {
		return "", err
	}
	defer rd.Close()
	b, err := io.ReadAll(rd)
	return string(b), err
}

func TestRoutingLandsOnBackend(t *testing.T) {
	s, drivers := newStore(t, []string{"archive", "tmp"},
		"*.log", "archive",
		"tmp/**", "tmp",
		"**/*.log", "tmp",
	)
	tests := []struct {
		key  string
		want string
	}{
		{"app.log", "archive"},
		{"a/app.log", "tmp"}, // '*' does not cross '/', so the first rule misses
		{"tmp/x/y.bin", "tmp"},
		{"tmp.log", "archive"}, // earlier rule wins
		{"readme.txt", trove.DefaultBackend},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			info := put(t, s, "data", tc.key, "x")
			if info.Backend != tc.want {
				t.Errorf("Put reported backend %q, want %q", info.Backend, tc.want)
			}
			for name, d := range drivers {
				_, err := d.Head(ctx, "data", tc.key)
				if has := err == nil; has != (name == tc.want) {
					t.Errorf("backend %q holds %q: got %v, want %v", name, tc.key, has, name == tc.want)
				}
			}
		})
	}
}

func TestRouteOrder(t *testing.T) {
	s, _ := newStore(t, []string{"a", "b"}, "*.log", "a")
	s.AddRouteFunc("big-logs", func(bucket, key string) string {
		if strings.HasPrefix(key, "big") {
			return "b"
		}
		return ""
	})
	tests := []struct{ key, want string }{
		{"big.log", "b"}, // functions come before patterns
		{"small.log", "a"},
		{"other", trove.DefaultBackend},
	}
	for _, tc := range tests {
		if got := s.Resolve("data", tc.key); got != tc.want {
			t.Errorf("Resolve(%q) = %q, want %q", tc.key, got, tc.want)
		}
	}
}

func TestLayoutErrors(t *testing.T) {
	tests := []struct {
		name string
		opts []trove.Option
		want error
	}{
		{"route to unknown backend", []trove.Option{trove.WithRoute("*.log", "nope")}, trove.ErrUnknownBackend},
		{"invalid pattern", []trove.Option{trove.WithBackend("a", memdriver.New()), trove.WithRoute("[a-", "a")}, trove.ErrInvalidPattern},
		{"duplicate backend", []trove.Option{trove.WithBackend("a", memdriver.New()), trove.WithBackend("a", memdriver.New())}, trove.ErrBackendExists},
		{"backend named default", []trove.Option{trove.WithBackend("default", memdriver.New())}, trove.ErrBackendExists},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := trove.Open(memdriver.New(), tc.opts...)
			if !errors.Is(err, tc.want) {
				t.Errorf("Open: got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestBucketIsOneNamespace(t *testing.T) {
	s, drivers := newStore(t, []string{"archive"}, "*.log", "archive")
	late := memdriver.New()
	if err := s.AddBackend(ctx, "late", late); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRoute("late/**", "late"); err != nil {
		t.Fatal(err)
	}
	// The user never created "data" on either backend, yet routed puts work.
	put(t, s, "data", "x.log", "1")
	put(t, s, "data", "late/y", "2")
	for name, d := range map[string]driver.Driver{"archive": drivers["archive"], "late": late} {
		bs, err := d.ListBuckets(ctx)
		if err != nil || len(bs) != 1 || bs[0].Name != "data" {
			t.Errorf("backend %s buckets: got %v, %v, want [data]", name, bs, err)
		}
	}
	if err := s.CreateBucket(ctx, "data"); !errors.Is(err, trove.ErrBucketExists) {
		t.Errorf("CreateBucket again: got %v, want ErrBucketExists", err)
	}
	// Non-empty on one backend only: nothing is deleted anywhere.
	err := s.DeleteBucket(ctx, "data")
	if !errors.Is(err, trove.ErrBucketNotEmpty) {
		t.Fatalf("DeleteBucket non-empty: got %v, want ErrBucketNotEmpty", err)
	}
	if bs, _ := drivers[trove.DefaultBackend].ListBuckets(ctx); len(bs) != 1 {
		t.Errorf("default lost its bucket after a refused delete: %v", bs)
	}
	for _, k := range []string{"x.log", "late/y"} {
		if err := s.Delete(ctx, "data", k); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteBucket(ctx, "data"); err != nil {
		t.Fatalf("DeleteBucket empty: %v", err)
	}
	for name, d := range map[string]driver.Driver{"archive": drivers["archive"], "late": late} {
		if bs, _ := d.ListBuckets(ctx); len(bs) != 0 {
			t.Errorf("backend %s still has buckets %v", name, bs)
		}
	}
}

func TestListMergesBackends(t *testing.T) {
	s, _ := newStore(t, []string{"logs", "img"}, "**/*.log", "logs", "*.png", "img")
	want := map[string]string{}
	for i := 0; i < 40; i++ {
		var key string
		switch i % 4 {
		case 0:
			key = fmt.Sprintf("k%02d.log", i)
		case 1:
			key = fmt.Sprintf("k%02d.png", i)
		case 2:
			key = fmt.Sprintf("dir/k%02d.log", i)
		default:
			key = fmt.Sprintf("k%02d", i)
		}
		want[key] = put(t, s, "data", key, "v").Backend
	}
	for _, size := range []int{1, 3, 7, 10, 39, 40, 41, 1000} {
		t.Run(fmt.Sprintf("page=%d", size), func(t *testing.T) {
			got := map[string]string{}
			prev, cursor := "", ""
			for pages := 0; ; pages++ {
				if pages > 100 {
					t.Fatal("pagination does not end")
				}
				it, err := s.List(ctx, "data", trove.WithMaxKeys(size), trove.WithCursor(cursor))
				if err != nil {
					t.Fatal(err)
				}
				page, _ := it.All(ctx)
				for _, o := range page {
					if o.Key <= prev {
						t.Fatalf("key %q after %q: not in order or repeated", o.Key, prev)
					}
					prev = o.Key
					got[o.Key] = o.Backend
				}
				if cursor = it.NextToken(); cursor == "" {
					break
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("listed key -> backend differs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListDelimiterAcrossBackends(t *testing.T) {
	s, _ := newStore(t, []string{"logs"}, "**/*.log", "logs")
	for _, k := range []string{"a/1.log", "a/2", "b/1.log", "c", "d/x/1.log"} {
		put(t, s, "data", k, "v")
	}
	var got []string
	cursor := ""
	for {
		it, err := s.List(ctx, "data", trove.WithDelimiter("/"), trove.WithMaxKeys(1), trove.WithCursor(cursor))
		if err != nil {
			t.Fatal(err)
		}
		page, _ := it.All(ctx)
		for _, o := range page {
			got = append(got, fmt.Sprintf("%s prefix=%v", o.Key, o.IsPrefix))
		}
		if cursor = it.NextToken(); cursor == "" {
			break
		}
	}
	want := []string{"a/ prefix=true", "b/ prefix=true", "c prefix=false", "d/ prefix=true"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delimited listing (-want +got):\n%s", diff)
	}
}

func TestCopyAndMoveFollowDestinationRoute(t *testing.T) {
	s, drivers := newStore(t, []string{"archive"}, "*.log", "archive")
	if _, err := s.Put(ctx, "data", "today.txt", strings.NewReader("hello"),
		trove.WithContentType("text/plain"), trove.WithMetadata(map[string]string{"owner": "ann"})); err != nil {
		t.Fatal(err)
	}
	info, err := s.Copy(ctx, "data", "today.txt", "data", "today.log")
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	if info.Backend != "archive" {
		t.Errorf("copy landed on %q, want archive", info.Backend)
	}
	got, err := drivers["archive"].Head(ctx, "data", "today.log")
	if err != nil {
		t.Fatalf("archive has no copy: %v", err)
	}
	if got.ContentType != "text/plain" || got.Metadata["owner"] != "ann" || got.Size != 5 {
		t.Errorf("copy lost attributes: got %+v", got)
	}
	if _, err := s.Move(ctx, "data", "today.log", "data", "moved.txt"); err != nil {
		t.Fatalf("Move: %v", err)
	}
	if body, err := read(t, drivers[trove.DefaultBackend], "data", "moved.txt"); err != nil || body != "hello" {
		t.Errorf("moved object: got %q, %v, want hello", body, err)
	}
	if _, err := s.Head(ctx, "data", "today.log"); !errors.Is(err, trove.ErrObjectNotFound) {
		t.Errorf("source after move: got %v, want ErrObjectNotFound", err)
	}
	if _, err := s.Copy(ctx, "data", "missing", "data", "x.log"); !errors.Is(err, trove.ErrObjectNotFound) {
		t.Errorf("copy of missing: got %v, want ErrObjectNotFound", err)
	}
}

func TestOverwriteAfterRouteChangeKeepsOneCopy(t *testing.T) {
	s, drivers := newStore(t, []string{"archive"})
	put(t, s, "data", "x.log", "old")
	if err := s.AddRoute("*.log", "archive"); err != nil {
		t.Fatal(err)
	}
	// The old copy is now stranded: routing says archive, so Get misses it.
	if _, err := s.Get(ctx, "data", "x.log"); !errors.Is(err, trove.ErrObjectNotFound) {
		t.Errorf("Get of stranded object: got %v, want ErrObjectNotFound", err)
	}
	put(t, s, "data", "x.log", "new")
	if _, err := drivers[trove.DefaultBackend].Head(ctx, "data", "x.log"); !errors.Is(err, trove.ErrObjectNotFound) {
		t.Errorf("old copy on default after overwrite: got %v, want ErrObjectNotFound", err)
	}
	if body, err := read(t, s, "data", "x.log"); body != "new" || err != nil {
		t.Errorf("Get: got %q, %v, want new", body, err)
	}
}

func TestRemoveBackend(t *testing.T) {
	s, _ := newStore(t, []string{"archive"}, "*.log", "archive")
	put(t, s, "data", "x.log", "v")
	if err := s.RemoveBackend(ctx, "archive", false); !errors.Is(err, trove.ErrBackendNotEmpty) {
		t.Errorf("unmount with objects: got %v, want ErrBackendNotEmpty", err)
	}
	if err := s.RemoveBackend(ctx, trove.DefaultBackend, true); !errors.Is(err, trove.ErrDefaultBackend) {
		t.Errorf("unmount default: got %v, want ErrDefaultBackend", err)
	}
	if err := s.RemoveBackend(ctx, "nope", true); !errors.Is(err, trove.ErrUnknownBackend) {
		t.Errorf("unmount unknown: got %v, want ErrUnknownBackend", err)
	}
	if err := s.RemoveBackend(ctx, "archive", true); err != nil {
		t.Fatalf("forced unmount: %v", err)
	}
	// The route stays but is skipped, and Explain says why.
	ex := s.Explain("data", "y.log")
	if ex.Backend != trove.DefaultBackend || !strings.Contains(ex.Steps[0].Reason, "not mounted") {
		t.Errorf("after unmount: got backend %q, reason %q", ex.Backend, ex.Steps[0].Reason)
	}
}

func TestExplain(t *testing.T) {
	s, _ := newStore(t, []string{"archive", "tmp"}, "*.log", "archive", "tmp/**", "tmp")
	s.AddRouteFunc("never", func(string, string) string { return "" })
	tests := []struct {
		key     string
		backend string
		winner  int
		reasons []string
	}{
		{"a/b.log", "default", 3, []string{
			"returned no backend",
			"`*` does not match `/` (use `**` to match across `/`)",
			`key does not start with "tmp/"`,
			"no earlier rule matched",
		}},
		{"x.log", "archive", 1, []string{
			"returned no backend",
			"matches",
			"not consulted: rule 2 (*.log) decided",
			"would match (it takes every key), shadowed by rule 2 (*.log)",
		}},
		{"tmp/q", "tmp", 2, []string{
			"returned no backend",
			`key does not end with ".log"`,
			"matches",
			"would match (it takes every key), shadowed by rule 3 (tmp/**)",
		}},
		{"tmp/q.log", "tmp", 2, []string{
			"returned no backend",
			"`*` does not match `/` (use `**` to match across `/`)",
			"matches",
			"would match (it takes every key), shadowed by rule 3 (tmp/**)",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			ex := s.Explain("data", tc.key)
			if ex.Backend != tc.backend || ex.Winner != tc.winner {
				t.Errorf("got backend %q winner %d, want %q winner %d", ex.Backend, ex.Winner, tc.backend, tc.winner)
			}
			var reasons []string
			for _, st := range ex.Steps {
				reasons = append(reasons, st.Reason)
			}
			if diff := cmp.Diff(tc.reasons, reasons); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
			if ex.Steps[0].Rule != "never" {
				t.Errorf("function rule named %q, want never", ex.Steps[0].Rule)
			}
		})
	}
}

func TestClosedStore(t *testing.T) {
	s, _ := newStore(t, nil)
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := s.Put(ctx, "data", "k", strings.NewReader("v"))
	if !errors.Is(err, trove.ErrClosed) {
		t.Errorf("Put after Close: got %v, want ErrClosed", err)
	}
	if _, err := s.List(ctx, "data"); !errors.Is(err, trove.ErrClosed) {
		t.Errorf("List after Close: got %v, want ErrClosed", err)
	}
	if err := s.Close(ctx); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
}

func TestErrorsNameBucketAndKey(t *testing.T) {
	s, _ := newStore(t, nil)
	_, err := s.Get(ctx, "data", "no such key")
	want := `get data/"no such key": object not found`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	_, err = s.Get(ctx, "Bad_Bucket", "k")
	if !errors.Is(err, trove.ErrInvalidName) {
		t.Errorf("bad bucket name: got %v, want ErrInvalidName", err)
	}
}

// TestKeyADiskBackendRefuses checks that a key a disk backend cannot hold
// ("a/../b") still works on the backend it routes to: the disk backend's
// refusal only means it has no old copy to remove.
func TestKeyADiskBackendRefuses(t *testing.T) {
	disk, err := localdriver.NewAt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := trove.Open(memdriver.New(), trove.WithBackend("disk", disk), trove.WithRoute("tmp/**", "disk"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if err := s.CreateBucket(ctx, "data"); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"a/../b", "/abs"} {
		if _, err := s.Put(ctx, "data", key, strings.NewReader("v")); err != nil {
			t.Errorf("Put %q: %v", key, err)
		}
		if _, err := s.Copy(ctx, "data", key, "data", key+".copy"); err != nil {
			t.Errorf("Copy %q: %v", key, err)
		}
		if err := s.Delete(ctx, "data", key); err != nil {
			t.Errorf("Delete %q: %v", key, err)
		}
	}
	if _, err := s.Put(ctx, "data", "tmp/../x", strings.NewReader("v")); !errors.Is(err, trove.ErrInvalidName) {
		t.Errorf("Put of a refused key routed to disk: got %v, want ErrInvalidName", err)
	}
}

func TestPutOn(t *testing.T) {
	s, drivers := newStore(t, []string{"archive"}, "*.log", "archive")
	put(t, s, "data", "x.log", "routed")
	info, err := s.PutOn(ctx, trove.DefaultBackend, "data", "x.log", strings.NewReader("pinned"))
	if err != nil {
		t.Fatalf("PutOn: %v", err)
	}
	if info.Backend != trove.DefaultBackend {
		t.Errorf("PutOn reported backend %q, want default", info.Backend)
	}
	if body, err := read(t, drivers[trove.DefaultBackend], "data", "x.log"); body != "pinned" || err != nil {
		t.Errorf("default backend: got %q, %v, want pinned", body, err)
	}
	if _, err := drivers["archive"].Head(ctx, "data", "x.log"); !errors.Is(err, trove.ErrObjectNotFound) {
		t.Errorf("archive still holds the old copy: got %v, want ErrObjectNotFound", err)
	}
	if _, err := s.PutOn(ctx, "nope", "data", "k", strings.NewReader("v")); !errors.Is(err, trove.ErrUnknownBackend) {
		t.Errorf("PutOn unknown backend: got %v, want ErrUnknownBackend", err)
	}
}

// TestPutRemovesACopyPutOnPlaced checks that a key PutOn placed where it
// does not route is found by the next Put, with and without undo, although
// the memory backends are known empty of keys routed elsewhere until then.
func TestPutRemovesACopyPutOnPlaced(t *testing.T) {
	for _, undo := range []bool{false, true} {
		t.Run(fmt.Sprintf("undo=%v", undo), func(t *testing.T) {
			s, drivers := newStore(t, []string{"archive"}, "*.log", "archive")
			if _, err := s.PutOn(ctx, trove.DefaultBackend, "data", "x.log", strings.NewReader("pinned")); err != nil {
				t.Fatalf("PutOn: %v", err)
			}
			uctx, u := context.Context(ctx), (*trove.Undo)(nil)
			if undo {
				uctx, u = s.Begin(ctx)
			}
			if _, err := s.Put(uctx, "data", "x.log", strings.NewReader("routed")); err != nil {
				t.Fatalf("Put: %v", err)
			}
			if _, err := drivers[trove.DefaultBackend].Head(ctx, "data", "x.log"); !errors.Is(err, trove.ErrObjectNotFound) {
				t.Errorf("default still holds the pinned copy: got %v, want ErrObjectNotFound", err)
			}
			if !undo {
				return
			}
			if err := u.Rollback(ctx); err != nil {
				t.Fatalf("Rollback: %v", err)
			}
			if body, err := read(t, drivers[trove.DefaultBackend], "data", "x.log"); body != "pinned" || err != nil {
				t.Errorf("default after rollback: got %q, %v, want pinned", body, err)
			}
			if _, err := drivers["archive"].Head(ctx, "data", "x.log"); !errors.Is(err, trove.ErrObjectNotFound) {
				t.Errorf("archive after rollback: got %v, want ErrObjectNotFound", err)
			}
		})
	}
}

// TestInvalidNamesNameTheStoreOperation checks that a name the backends'
// layer refuses is reported as the store operation the caller asked for,
// also where that operation reaches the backend through another call (a
// copy across backends is a Get and a Put; a bucket delete lists first),
// and whether the backends were given raw or wrapped.
func TestInvalidNamesNameTheStoreOperation(t *testing.T) {
	for _, wrapped := range []bool{false, true} {
		t.Run(fmt.Sprintf("wrapped=%v", wrapped), func(t *testing.T) {
			mk := func() driver.Driver {
				if wrapped {
					return driver.Wrap(memdriver.New())
				}
				return memdriver.New()
			}
			s, err := trove.Open(mk(), trove.WithBackend("cold", mk()), trove.WithRoute("cold/**", "cold"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close(ctx)
			if err := s.CreateBucket(ctx, "data"); err != nil {
				t.Fatal(err)
			}
			put(t, s, "data", "k", "v")
			put(t, s, "data", "cold/k", "v")
			// Run every operation under an undo record, as trovemem does.
			uctx, undo := s.Begin(ctx)
			defer undo.Rollback(ctx)
			tests := []struct {
				name string
				err  error
				want string
			}{
				{"put", func() error { _, err := s.Put(uctx, "Bad", "k", strings.NewReader("v")); return err }(), "put Bad/k: invalid name"},
				{"get", func() error { _, err := s.Get(uctx, "data", "\xff"); return err }(), `get data/"\xff": invalid name`},
				{"head", func() error { _, err := s.Head(uctx, "Bad", "k"); return err }(), "head Bad/k: invalid name"},
				{"delete", s.Delete(uctx, "Bad", "k"), "delete Bad/k: invalid name"},
				{"list", func() error { _, err := s.List(uctx, "Bad"); return err }(), "list Bad: invalid name"},
				{"list cursor", func() error { _, err := s.List(uctx, "data", driver.WithCursor("!!")); return err }(), "list data: invalid cursor"},
				{"copy bad source", func() error { _, err := s.Copy(uctx, "Bad", "k", "data", "k2"); return err }(), "copy Bad/k: invalid name"},
				{"copy bad destination", func() error { _, err := s.Copy(uctx, "data", "k", "Bad", "k2"); return err }(), "copy Bad/k2: invalid name"},
				{"copy across, bad source", func() error { _, err := s.Copy(uctx, "data", "\xff", "data", "cold/x"); return err }(), `copy data/"\xff": invalid name`},
				{"copy across, bad destination", func() error { _, err := s.Copy(uctx, "data", "cold/k", "Bad", "k2"); return err }(), "copy Bad/k2: invalid name"},
				{"create bucket", s.CreateBucket(uctx, "Bad"), "create-bucket Bad: invalid name"},
				{"delete bucket", s.DeleteBucket(uctx, "Bad"), "delete-bucket Bad: invalid name"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					if !errors.Is(tt.err, trove.ErrInvalidName) && !errors.Is(tt.err, driver.ErrInvalidCursor) {
						t.Fatalf("got %v, want an invalid name or cursor", tt.err)
					}
					if got := tt.err.Error(); !strings.HasPrefix(got, tt.want) {
						t.Errorf("got %q, want it to start with %q", got, tt.want)
					}
				})
			}
		})
	}
}

// TestBackendsUnwrapToTheMountedDriver checks that the store keeps every
// backend behind the portable layer, and that driver.Unwrap reaches the
// driver that was mounted, which is how a dump asks a disk backend for its
// directory.
func TestBackendsUnwrapToTheMountedDriver(t *testing.T) {
	dir := t.TempDir()
	def := memdriver.New()
	s, err := trove.Open(def)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	if err := s.Mount(ctx, "disk", "file://"+dir); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Backend(trove.DefaultBackend)
	if driver.Wrap(got) != got {
		t.Errorf("default backend is a %T, want it behind the layer", got)
	}
	if driver.Unwrap(got) != driver.Driver(def) {
		t.Errorf("Unwrap(default backend) = %T, want the driver given to Open", driver.Unwrap(got))
	}
	disk, _ := s.Backend("disk")
	ld, ok := driver.Unwrap(disk).(*localdriver.LocalDriver)
	if !ok {
		t.Fatalf("Unwrap(disk backend) = %T, want *localdriver.LocalDriver", driver.Unwrap(disk))
	}
	if want, _ := filepath.EvalSymlinks(dir); func() string { d, _ := filepath.EvalSymlinks(ld.Dir()); return d }() != want {
		t.Errorf("disk backend's Dir() = %q, want %q", ld.Dir(), dir)
	}
}

// TestExplainResultsAgreeWithReasons checks that a rule's result word and
// its reason never disagree: a rule that matches after the winner is
// "shadowed" (would match), one whose backend is not mounted "skipped".
func TestExplainResultsAgreeWithReasons(t *testing.T) {
	s, _ := newStore(t, []string{"fast", "cold"}, "**", "fast", "*.log", "cold", "*.txt", "cold")
	tests := []struct {
		key  string
		want []trove.StepResult
		why  []string
	}{
		{"a.log", []trove.StepResult{trove.ResultWins, trove.ResultShadowed, trove.ResultNotConsulted, trove.ResultShadowed},
			[]string{"matches", "would match, shadowed by rule 1 (**)", "not consulted: rule 1 (**) decided", "would match (it takes every key), shadowed by rule 1 (**)"}},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			ex := s.Explain("data", tc.key)
			var got []trove.StepResult
			var why []string
			for _, st := range ex.Steps {
				got = append(got, st.Result)
				why = append(why, st.Reason)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.why, why); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
		})
	}
	// An unmounted backend's rule that matches is "skipped", never "not
	// matched" beside a reason that says it matches.
	s2, _ := newStore(t, []string{"fast"}, "*.txt", "fast")
	if err := s2.RemoveBackend(context.Background(), "fast", true); err != nil {
		t.Fatal(err)
	}
	if st := s2.Explain("data", "a.txt").Steps[0]; st.Result != trove.ResultSkipped || st.Matched {
		t.Errorf("got result %q (matched %v), reason %q; want skipped", st.Result, st.Matched, st.Reason)
	}
}

func TestRoutePositions(t *testing.T) {
	patterns := func(s *trove.Store) string {
		var ps []string
		for _, r := range s.Routes() {
			ps = append(ps, r.Pattern)
		}
		return strings.Join(ps, " ")
	}
	tests := []struct {
		name    string
		op      func(s *trove.Store) error
		want    string
		wantErr error
	}{
		{"insert first", func(s *trove.Store) error { return s.InsertRoute(0, "x/**", "fast") }, "x/** a b c", nil},
		{"insert middle", func(s *trove.Store) error { return s.InsertRoute(2, "x/**", "fast") }, "a b x/** c", nil},
		{"insert past the end", func(s *trove.Store) error { return s.InsertRoute(4, "x/**", "fast") }, "a b c", trove.ErrRouteNotFound},
		{"remove at", func(s *trove.Store) error { _, err := s.RemoveRouteAt(1); return err }, "a c", nil},
		{"remove at nothing", func(s *trove.Store) error { _, err := s.RemoveRouteAt(3); return err }, "a b c", trove.ErrRouteNotFound},
		{"move last first", func(s *trove.Store) error { return s.MoveRoute(2, 0) }, "c a b", nil},
		{"move first last", func(s *trove.Store) error { return s.MoveRoute(0, 2) }, "b c a", nil},
		{"move out of range", func(s *trove.Store) error { return s.MoveRoute(0, 3) }, "a b c", trove.ErrRouteNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newStore(t, []string{"fast"}, "a", "fast", "b", "fast", "c", "fast")
			err := tt.op(s)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if got := patterns(s); got != tt.want {
				t.Errorf("got routes %q, want %q", got, tt.want)
			}
		})
	}
}
