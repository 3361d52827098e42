package localdriver_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/localdriver"
)

// openAt opens a driver on root and closes it when the test ends.
func openAt(t testing.TB, root string, opts ...driver.Option) *localdriver.LocalDriver {
	t.Helper()
	d, err := localdriver.NewAt(root, opts...)
	if err != nil {
		t.Fatalf("NewAt(%q): %v", root, err)
	}
	t.Cleanup(func() { d.Close(context.Background()) })
	return d
}

func mustCreateBucket(t *testing.T, d driver.Driver, name string) {
	t.Helper()
	if err := d.CreateBucket(context.Background(), name); err != nil {
		t.Fatalf("CreateBucket(%q): %v", name, err)
	}
}

func mustPut(t *testing.T, d driver.Driver, bucket, key, content string, opts ...driver.PutOption) *driver.ObjectInfo {
	t.Helper()
	info, err := d.Put(context.Background(), bucket, key, strings.NewReader(content), opts...)
	if err != nil {
		t.Fatalf("Put(%q, %q): %v", bucket, key, err)
	}
	return info
}

// content reads bucket/key whole, failing the test on any error.
func content(t *testing.T, d driver.Driver, bucket, key string) string {
	t.Helper()
	r, err := d.Get(context.Background(), bucket, key)
	if err != nil {
		t.Fatalf("Get(%q, %q): %v", bucket, key, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading Get(%q, %q): %v", bucket, key, err)
	}
	return string(b)
}

// listKeys returns every key of one List page of up to 1000 entries.
func listKeys(t *testing.T, d driver.Driver, bucket string, opts ...driver.ListOption) []string {
	t.Helper()
	ctx := context.Background()
	it, err := d.List(ctx, bucket, opts...)
	if err != nil {
		t.Fatalf("List(%q): %v", bucket, err)
	}
	all, err := it.All(ctx)
	if err != nil {
		t.Fatalf("List(%q).All: %v", bucket, err)
	}
	keys := []string{}
	for _, e := range all {
		keys = append(keys, e.Key)
	}
	return keys
}

// treeFiles returns every path under dir, relative to it, sorted.
func treeFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", dir, err)
	}
	return out
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestKeysThatReadLikePathsAreRefused(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "root")
	d := openAt(t, root)
	ctx := context.Background()
	mustCreateBucket(t, d, "bkt")
	mustPut(t, d, "bkt", "src", "v")

	for _, tc := range []struct{ name, key string }{
		{"climbs out of the root", "../../etc/passwd"},
		{"is just dot-dot", ".."},
		{"climbs inside", "a/../../b"},
		{"ends climbing", "a/.."},
		{"is absolute", "/etc/passwd"},
		{"holds NUL", "passwd\x00.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := map[string]error{}
			_, errs["Put"] = d.Put(ctx, "bkt", tc.key, strings.NewReader("pwned"))
			_, errs["Get"] = d.Get(ctx, "bkt", tc.key)
			_, errs["Head"] = d.Head(ctx, "bkt", tc.key)
			errs["Delete"] = d.Delete(ctx, "bkt", tc.key)
			_, errs["Copy to"] = d.Copy(ctx, "bkt", "src", "bkt", tc.key)
			_, errs["Copy from"] = d.Copy(ctx, "bkt", tc.key, "bkt", "dst")
			for op, err := range errs {
				if !errors.Is(err, driver.ErrInvalidName) {
					t.Errorf("%s(%q): got %v, want ErrInvalidName", op, tc.key, err)
				}
			}
		})
	}
	if got := treeFiles(t, parent); slices.ContainsFunc(got, func(p string) bool { return p != "root" && !strings.HasPrefix(p, "root/") }) {
		t.Errorf("files next to the root: got %v, want only root/…", got)
	}
	if got := listKeys(t, d, "bkt"); !slices.Equal(got, []string{"src"}) {
		t.Errorf("List after refused writes: got %v, want [src]", got)
	}
}

func TestKeysThatTripEscapingRoundTrip(t *testing.T) {
	root := t.TempDir()
	d := openAt(t, root)
	mustCreateBucket(t, d, "bkt")
	keys := []string{
		".", "..a", "a..", ".hidden", "a/./b", "a//b", "trailing/", "dir/file.txt",
		"UPPER", "upper", "Upper", // one file each, even where case does not count
		"%2F", "%2f", "~tilde", "with space", "tab\tnl\n", "日本語",
		strings.Repeat("k", driver.MaxKeyLen), strings.Repeat("k", driver.MaxKeyLen-1) + "K",
		strings.Repeat("é", driver.MaxKeyLen/2),
	}
	for _, k := range keys {
		mustPut(t, d, "bkt", k, "content of "+k)
	}
	for _, k := range keys {
		if got, want := content(t, d, "bkt", k), "content of "+k; got != want {
			t.Errorf("Get(%.20q): got %.30q, want %.30q", k, got, want)
		}
	}
	want := slices.Clone(keys)
	sort.Strings(want)
	if diff := cmp.Diff(want, listKeys(t, d, "bkt")); diff != "" {
		t.Errorf("List: got keys out of byte order or missing (-want +got):\n%s", diff)
	}
	var data, meta int
	for _, p := range treeFiles(t, root) {
		switch {
		case strings.HasPrefix(p, "bkt/objects/") && strings.Count(p, "/") == 2:
			data++
		case strings.HasPrefix(p, "bkt/meta/") && strings.Count(p, "/") == 2:
			meta++
		case p == "bkt" || p == "bkt/bucket.json" || p == "bkt/objects" || p == "bkt/meta":
		default:
			t.Errorf("unexpected file %q in the root: every key must be one file in objects/ and meta/", p)
		}
	}
	if data != len(keys) || meta != len(keys) {
		t.Errorf("files on disk: got %d data files and %d sidecars, want %d of each", data, meta, len(keys))
	}
}

func TestListOrderIsByteOrderNotFileOrder(t *testing.T) {
	d := openAt(t, t.TempDir())
	mustCreateBucket(t, d, "bkt")
	// Escaping changes the order of these ('%' sorts before letters and
	// digits, '/' escapes to "%2F"), and the long ones are stored by hash.
	long := strings.Repeat("z", 300)
	keys := []string{"a", "a/b", "a-b", "a.b", "aB", "A", "a b", "~", "b", long + "1", long + "/0", "a/c/d"}
	for _, k := range keys {
		mustPut(t, d, "bkt", k, k)
	}
	want := slices.Clone(keys)
	sort.Strings(want)
	if diff := cmp.Diff(want, listKeys(t, d, "bkt")); diff != "" {
		t.Errorf("List: (-want +got):\n%s", diff)
	}

	// Paging two at a time with a delimiter visits each entry once.
	ctx := context.Background()
	var got []string
	token := ""
	for range 20 {
		it, err := d.List(ctx, "bkt", driver.WithDelimiter("/"), driver.WithMaxKeys(2), driver.WithCursor(token))
		if err != nil {
			t.Fatalf("List page: %v", err)
		}
		page, _ := it.All(ctx)
		for _, e := range page {
			got = append(got, e.Key)
		}
		if token = it.NextToken(); token == "" {
			break
		}
	}
	wantEntries := []string{"A", "a", "a b", "a-b", "a.b", "a/", "aB", "b", long + "/", long + "1", "~"}
	if diff := cmp.Diff(wantEntries, got); diff != "" {
		t.Errorf("delimited pages: (-want +got):\n%s", diff)
	}
}

// failingReader yields n bytes and then fails, as a writer's connection or
// disk would mid-upload.
type failingReader struct{ n int }

var errBrokenUpload = errors.New("upload broke off")

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errBrokenUpload
	}
	n := min(len(p), r.n)
	for i := range n {
		p[i] = 'x'
	}
	r.n -= n
	return n, nil
}

func TestFailedPutKeepsPreviousVersion(t *testing.T) {
	root := t.TempDir()
	d := openAt(t, root)
	ctx := context.Background()
	mustCreateBucket(t, d, "bkt")
	old := mustPut(t, d, "bkt", "k", "old version")

	_, err := d.Put(ctx, "bkt", "k", &failingReader{n: 100 << 10})
	if !errors.Is(err, errBrokenUpload) {
		t.Fatalf("Put from a failing reader: got %v, want the reader's error", err)
	}
	_, err = d.Put(ctx, "bkt", "new", &failingReader{n: 10})
	if !errors.Is(err, errBrokenUpload) {
		t.Fatalf("Put of a new key from a failing reader: got %v, want the reader's error", err)
	}
	if got := content(t, d, "bkt", "k"); got != "old version" {
		t.Errorf("Get after a failed overwrite: got %q, want %q", got, "old version")
	}
	if info, err := d.Head(ctx, "bkt", "k"); err != nil || info.ETag != old.ETag || info.Size != old.Size {
		t.Errorf("Head after a failed overwrite: got %+v, %v, want the old object's info %+v", info, err, old)
	}
	if _, err := d.Head(ctx, "bkt", "new"); !errors.Is(err, driver.ErrObjectNotFound) {
		t.Errorf("Head of a never-completed key: got %v, want ErrObjectNotFound", err)
	}
	if got := listKeys(t, d, "bkt"); !slices.Equal(got, []string{"k"}) {
		t.Errorf("List: got %v, want [k]", got)
	}
	// The failed Puts cleaned up after themselves.
	for _, p := range treeFiles(t, root) {
		if strings.Contains(p, ".tmp-") {
			t.Errorf("left behind %s after a failed Put", p)
		}
	}
}

func TestCrashDebrisIsInvisible(t *testing.T) {
	root := t.TempDir()
	d := openAt(t, root)
	ctx := context.Background()
	mustCreateBucket(t, d, "bkt")
	mustPut(t, d, "bkt", "k", "committed")
	mustPut(t, d, "bkt", "lost-data", "its data file goes")
	mustPut(t, d, "bkt", "torn", "its sidecar gets torn")
	if err := d.Close(ctx); err != nil {
		t.Fatal(err)
	}

	bkt := filepath.Join(root, "bkt")
	write := func(rel, s string) {
		if err := os.WriteFile(filepath.Join(bkt, rel), []byte(s), 0o666); err != nil {
			t.Fatal(err)
		}
	}
	// A Put killed while streaming: half a temporary data file.
	write("objects/.tmp-0123456789abcdef", "half of a n")
	// A Put killed after renaming its data file, before the sidecar commit,
	// both for a new key and over an existing one.
	write("objects/ghost.0123456789abcdef", "never committed")
	write("objects/k.0123456789abcdef", "never committed either")
	// A Put killed while writing its sidecar's temporary file.
	write("meta/.tmp-0123456789abcdef", `{"v":1,"key":"gho`)
	// Damage no crash of this driver causes, treated the same way: a
	// sidecar whose data file is gone, and a torn sidecar.
	lost, _ := filepath.Glob(filepath.Join(bkt, "objects", "lost-data.*"))
	if len(lost) != 1 {
		t.Fatalf("data files of lost-data: got %v, want one", lost)
	}
	if err := os.Remove(lost[0]); err != nil {
		t.Fatal(err)
	}
	write("meta/torn", `{"v":1,"key":"to`)

	d2 := openAt(t, root)
	if got := content(t, d2, "bkt", "k"); got != "committed" {
		t.Errorf("Get(k): got %q, want the committed %q", got, "committed")
	}
	for _, key := range []string{"ghost", "lost-data", "torn"} {
		if _, err := d2.Get(ctx, "bkt", key); !errors.Is(err, driver.ErrObjectNotFound) {
			t.Errorf("Get(%q): got %v, want ErrObjectNotFound", key, err)
		}
		if _, err := d2.Head(ctx, "bkt", key); !errors.Is(err, driver.ErrObjectNotFound) {
			t.Errorf("Head(%q): got %v, want ErrObjectNotFound", key, err)
		}
	}
	if got := listKeys(t, d2, "bkt"); !slices.Equal(got, []string{"k"}) {
		t.Errorf("List: got %v, want [k]", got)
	}
	if got := listKeys(t, d2, "bkt", driver.WithDelimiter("-")); !slices.Equal(got, []string{"k"}) {
		t.Errorf("List with delimiter: got %v, want [k] (no prefix group of absent objects)", got)
	}
	// Puts over debris work, and a bucket holding only debris is empty.
	mustPut(t, d2, "bkt", "torn", "whole again")
	if got := content(t, d2, "bkt", "torn"); got != "whole again" {
		t.Errorf("Get(torn) after a new Put: got %q, want %q", got, "whole again")
	}
	for _, k := range []string{"k", "torn"} {
		if err := d2.Delete(ctx, "bkt", k); err != nil {
			t.Fatal(err)
		}
	}
	if err := d2.DeleteBucket(ctx, "bkt"); err != nil {
		t.Errorf("DeleteBucket of a bucket holding only debris: got %v, want nil", err)
	}
	if got := treeFiles(t, root); len(got) != 0 {
		t.Errorf("root after DeleteBucket: got %v, want it empty", got)
	}
}

func TestDataPersistsAcrossDrivers(t *testing.T) {
	root := t.TempDir()
	ctx := context.Background()
	created := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	d1, err := localdriver.NewAt(root, driver.WithClock(func() time.Time { return created }))
	if err != nil {
		t.Fatal(err)
	}
	mustCreateBucket(t, d1, "photos")
	mustCreateBucket(t, d1, "docs")
	put := mustPut(t, d1, "photos", "2026/cat.jpg", "meow",
		driver.WithContentType("image/jpeg"), driver.WithMetadata(map[string]string{"owner": "ann"}))
	mustPut(t, d1, "photos", "gone", "deleted by the second driver")

	// A second driver sees the first one's data while both are open.
	d2 := openAt(t, root, driver.WithClock(func() time.Time { return created.Add(time.Hour) }))
	if got := content(t, d2, "photos", "2026/cat.jpg"); got != "meow" {
		t.Errorf("second driver Get: got %q, want %q", got, "meow")
	}
	if err := d2.Delete(ctx, "photos", "gone"); err != nil {
		t.Fatal(err)
	}
	if err := d1.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d2.Close(ctx); err != nil {
		t.Fatal(err)
	}

	d3 := openAt(t, root)
	buckets, err := d3.ListBuckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantBuckets := []driver.BucketInfo{{Name: "docs", CreatedAt: created}, {Name: "photos", CreatedAt: created}}
	if diff := cmp.Diff(wantBuckets, buckets); diff != "" {
		t.Errorf("ListBuckets after reopening (-want +got):\n%s", diff)
	}
	head, err := d3.Head(ctx, "photos", "2026/cat.jpg")
	if err != nil {
		t.Fatal(err)
	}
	want := &driver.ObjectInfo{
		Key: "2026/cat.jpg", Size: 4, ContentType: "image/jpeg", ETag: md5Hex("meow"),
		LastModified: created, Metadata: map[string]string{"owner": "ann"},
	}
	if diff := cmp.Diff(want, head); diff != "" {
		t.Errorf("Head after reopening (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(put, head); diff != "" {
		t.Errorf("Put's result and a later driver's Head differ (-put +head):\n%s", diff)
	}
	if got := listKeys(t, d3, "photos"); !slices.Equal(got, []string{"2026/cat.jpg"}) {
		t.Errorf("List after reopening: got %v, want [2026/cat.jpg]", got)
	}
}

func TestSymlinksOutOfTheRootAreRefused(t *testing.T) {
	ctx := context.Background()
	outside := t.TempDir()
	// A real bucket elsewhere, which a symlink must not make reachable.
	other := openAt(t, outside)
	mustCreateBucket(t, other, "secret")
	mustPut(t, other, "secret", "key", "classified")
	before := treeFiles(t, outside)

	root := t.TempDir()
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "secret")); err != nil {
		t.Fatal(err)
	}
	d := openAt(t, root)
	mustCreateBucket(t, d, "bkt")
	// A real bucket whose objects directory was swapped for a symlink.
	if err := os.RemoveAll(filepath.Join(root, "bkt", "objects")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret", "objects"), filepath.Join(root, "bkt", "objects")); err != nil {
		t.Fatal(err)
	}

	for _, bucket := range []string{"secret", "bkt"} {
		t.Run(bucket, func(t *testing.T) {
			errs := map[string]error{}
			_, errs["Put"] = d.Put(ctx, bucket, "key", strings.NewReader("overwritten"))
			_, errs["Get"] = d.Get(ctx, bucket, "key")
			_, errs["Head"] = d.Head(ctx, bucket, "key")
			errs["Delete"] = d.Delete(ctx, bucket, "key")
			_, errs["List"] = d.List(ctx, bucket)
			errs["DeleteBucket"] = d.DeleteBucket(ctx, bucket)
			for op, err := range errs {
				if !errors.Is(err, driver.ErrInvalidName) {
					t.Errorf("%s on bucket %q: got %v, want ErrInvalidName", op, bucket, err)
				}
			}
		})
	}
	if err := d.CreateBucket(ctx, "secret"); !errors.Is(err, driver.ErrInvalidName) {
		t.Errorf("CreateBucket over the symlink: got %v, want ErrInvalidName", err)
	}
	buckets, err := d.ListBuckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(buckets) != 0 {
		t.Errorf("ListBuckets: got %v, want no bucket (a symlinked one is not served, nor a damaged one)", buckets)
	}
	if got := treeFiles(t, outside); !slices.Equal(got, before) {
		t.Errorf("files outside the root changed: got %v, want %v", got, before)
	}
	if got := content(t, other, "secret", "key"); got != "classified" {
		t.Errorf("the outside object: got %q, want it untouched", got)
	}
}

func TestOpenByDSN(t *testing.T) {
	ctx := context.Background()
	t.Run("absolute path is created", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "a", "b")
		d, err := driver.OpenDSN(ctx, "file://"+filepath.ToSlash(dir))
		if err != nil {
			t.Fatalf("OpenDSN: %v", err)
		}
		defer d.Close(ctx)
		if got := d.Name(); got != "file" {
			t.Errorf("Name: got %q, want %q", got, "file")
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			t.Errorf("root after Open: got %v, want a new directory", err)
		}
		mustCreateBucket(t, d, "bkt")
		if _, err := os.Stat(filepath.Join(dir, "bkt", "bucket.json")); err != nil {
			t.Errorf("bucket on disk: got %v, want it under the DSN's path", err)
		}
	})
	t.Run("relative path is from the working directory", func(t *testing.T) {
		wd := t.TempDir()
		t.Chdir(wd)
		d, err := driver.OpenDSN(ctx, "file://./data")
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer d.Close(ctx)
		want, _ := filepath.EvalSymlinks(filepath.Join(wd, "data"))
		got, _ := filepath.EvalSymlinks(driver.Unwrap(d).(*localdriver.LocalDriver).Dir())
		if got != want {
			t.Errorf("Dir: got %q, want %q", got, want)
		}
	})
	t.Run("other scheme", func(t *testing.T) {
		_, err := localdriver.Open(ctx, &driver.DSN{Scheme: "mem", Raw: "mem://"})
		if !errors.Is(err, driver.ErrUnknownScheme) {
			t.Errorf("Open(mem://): got %v, want ErrUnknownScheme", err)
		}
	})
}

func TestResolvePath(t *testing.T) {
	for _, tc := range []struct {
		name, dsn, want string
		err             error
	}{
		{"absolute", "file:///srv/trove", "/srv/trove", nil},
		{"relative with dot", "file://./data", "data", nil},
		{"relative nested", "file://./data/store/", "data/store", nil},
		// RFC 8089 (issue 9 item 19): the host is this machine or an error;
		// "data" was once read as a relative path, and "localhost" as a
		// folder named localhost.
		{"relative without dot is a host", "file://data/x", "", localdriver.ErrInvalidDSN},
		{"parent", "file://../up", "../up", nil},
		{"escaped space", "file:///my%20store", "/my store", nil},
		{"no path", "file://", "", localdriver.ErrInvalidDSN},
		{"parameters", "file:///x?sync=0", "", localdriver.ErrInvalidDSN},
		{"user", "file://ann@host/x", "", localdriver.ErrInvalidDSN},
		{"other scheme", "mem://", "", driver.ErrUnknownScheme},
		{"no scheme", "/srv/trove", "", localdriver.ErrInvalidDSN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := localdriver.ResolvePath(tc.dsn)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Errorf("ResolvePath(%q): got %q, %v, want an error wrapping %v", tc.dsn, got, err, tc.err)
				}
				return
			}
			if err != nil || got != filepath.FromSlash(tc.want) {
				t.Errorf("ResolvePath(%q): got %q, %v, want %q", tc.dsn, got, err, tc.want)
			}
		})
	}
}

func TestClosed(t *testing.T) {
	ctx := context.Background()
	t.Run("open reader outlives Close", func(t *testing.T) {
		d := openAt(t, t.TempDir())
		mustCreateBucket(t, d, "bkt")
		mustPut(t, d, "bkt", "k", "still readable")
		r, err := d.Get(ctx, "bkt", "k")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if err := d.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Head(ctx, "bkt", "k"); !errors.Is(err, driver.ErrClosed) {
			t.Errorf("Head after Close: got %v, want ErrClosed", err)
		}
		if b, err := io.ReadAll(r); err != nil || string(b) != "still readable" {
			t.Errorf("reading after Close: got %q, %v, want %q", b, err, "still readable")
		}
	})
	t.Run("Close during a Put", func(t *testing.T) {
		root := t.TempDir()
		d := openAt(t, root)
		mustCreateBucket(t, d, "bkt")
		pr, pw := io.Pipe()
		done := make(chan error)
		go func() {
			_, err := d.Put(ctx, "bkt", "k", pr)
			done <- err
		}()
		if _, err := pw.Write([]byte("first half, ")); err != nil {
			t.Fatal(err)
		}
		// Close must not wait for the upload.
		if err := d.Close(ctx); err != nil {
			t.Fatal(err)
		}
		pw.Write([]byte("second half"))
		pw.Close()
		if err := <-done; !errors.Is(err, driver.ErrClosed) {
			t.Errorf("Put that finished after Close: got %v, want ErrClosed", err)
		}
		d2 := openAt(t, root)
		if _, err := d2.Head(ctx, "bkt", "k"); !errors.Is(err, driver.ErrObjectNotFound) {
			t.Errorf("Head of the interrupted Put: got %v, want ErrObjectNotFound", err)
		}
		for _, p := range treeFiles(t, root) {
			if strings.Contains(p, ".tmp-") {
				t.Errorf("left behind %s after a Put cut off by Close", p)
			}
		}
	})
}
