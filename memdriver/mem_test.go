package memdriver_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/memdriver"
)

const testBucket = "test-bucket"

// newDriver returns a driver holding one empty bucket, testBucket.
func newDriver(t *testing.T, opts ...driver.Option) *memdriver.MemDriver {
	t.Helper()
	d := memdriver.New(opts...)
	if err := d.CreateBucket(context.Background(), testBucket); err != nil {
		t.Fatalf("CreateBucket(%q): %v", testBucket, err)
	}
	return d
}

func put(t *testing.T, d *memdriver.MemDriver, key, content string, opts ...driver.PutOption) *driver.ObjectInfo {
	t.Helper()
	info, err := d.Put(context.Background(), testBucket, key, strings.NewReader(content), opts...)
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	return info
}

func readAll(t *testing.T, r *driver.ObjectReader) string {
	t.Helper()
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading object: %v", err)
	}
	return string(b)
}

func TestOpenDSNResolvesMemScheme(t *testing.T) {
	ctx := context.Background()
	drv, err := driver.OpenDSN(ctx, "mem://")
	if err != nil {
		t.Fatalf(`OpenDSN("mem://"): %v`, err)
	}
	if _, ok := driver.Unwrap(drv).(*memdriver.MemDriver); !ok {
		t.Fatalf(`OpenDSN("mem://") gave a %T, want *memdriver.MemDriver`, drv)
	}
	if got := drv.Name(); got != "mem" {
		t.Errorf("Name() = %q, want %q", got, "mem")
	}
	if got := driver.Drivers(); !slices.Contains(got, "mem") {
		t.Errorf("driver.Drivers() = %q, want it to contain %q", got, "mem")
	}
	// Each DSN gets a driver of its own, not a shared store.
	if err := drv.CreateBucket(ctx, "only-here"); err != nil {
		t.Fatal(err)
	}
	other, err := driver.OpenDSN(ctx, "mem://scratch")
	if err != nil {
		t.Fatalf(`OpenDSN("mem://scratch"): %v`, err)
	}
	if got, err := other.ListBuckets(ctx); err != nil || len(got) != 0 {
		t.Errorf("second driver's buckets = %v, %v; want none", got, err)
	}
}

// open parses dsn and hands it to the driver's opener, as driver.OpenDSN
// would for a "mem" DSN.
func open(ctx context.Context, dsn string) error {
	parsed, err := driver.ParseDSN(dsn)
	if err != nil {
		return err
	}
	_, err = memdriver.Open(ctx, parsed)
	return err
}

func TestOpen(t *testing.T) {
	tests := []struct {
		name    string
		dsn     string
		wantErr bool
		wantIs  error // checked with errors.Is when set
	}{
		{name: "bare scheme", dsn: "mem://"},
		{name: "with host, path and params", dsn: "mem://anything/at/all?x=1"},
		{name: "other scheme", dsn: "file:///tmp/x", wantErr: true, wantIs: driver.ErrUnknownScheme},
		{name: "no scheme", dsn: "mem", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := open(context.Background(), tt.dsn)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Open(%q) = %v, want error: %v", tt.dsn, err, tt.wantErr)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Open(%q) = %v, want it to wrap %v", tt.dsn, err, tt.wantIs)
			}
		})
	}
}

func TestClockOption(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Hour)

	now := t0
	d := newDriver(t, driver.WithClock(func() time.Time { return now }))
	buckets, err := d.ListBuckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := buckets[0].CreatedAt; !got.Equal(t0) {
		t.Errorf("bucket CreatedAt = %v, want %v", got, t0)
	}
	if got := put(t, d, "a", "x").LastModified; !got.Equal(t0) {
		t.Errorf("Put LastModified = %v, want %v", got, t0)
	}

	// Every new object reads the clock when it is stored.
	now = t1
	if got := put(t, d, "b", "x").LastModified; !got.Equal(t1) {
		t.Errorf("Put after the clock moved LastModified = %v, want %v", got, t1)
	}
	info, err := d.Copy(ctx, testBucket, "a", testBucket, "c")
	if err != nil {
		t.Fatal(err)
	}
	if !info.LastModified.Equal(t1) {
		t.Errorf("Copy LastModified = %v, want %v (a copy is a new object)", info.LastModified, t1)
	}
	if head, _ := d.Head(ctx, testBucket, "a"); !head.LastModified.Equal(t0) {
		t.Errorf("source LastModified after Copy = %v, want %v", head.LastModified, t0)
	}
}

func TestDefaultClockIsNow(t *testing.T) {
	before := time.Now()
	info := put(t, newDriver(t), "a", "x")
	after := time.Now()
	if info.LastModified.Before(before) || info.LastModified.After(after) {
		t.Errorf("LastModified = %v, want between %v and %v", info.LastModified, before, after)
	}
}

func TestReaderIsolatedFromLaterWrites(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		write func(d *memdriver.MemDriver) error
	}{
		{"overwrite", func(d *memdriver.MemDriver) error {
			_, err := d.Put(ctx, testBucket, "k", strings.NewReader("new content!"))
			return err
		}},
		{"delete", func(d *memdriver.MemDriver) error { return d.Delete(ctx, testBucket, "k") }},
		{"copy over", func(d *memdriver.MemDriver) error {
			_, err := d.Copy(ctx, testBucket, "other", testBucket, "k")
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDriver(t)
			put(t, d, "k", "old content")
			put(t, d, "other", "other content")
			whole, err := d.Get(ctx, testBucket, "k")
			if err != nil {
				t.Fatal(err)
			}
			part, err := d.Get(ctx, testBucket, "k", driver.WithRange("bytes=4-"))
			if err != nil {
				t.Fatal(err)
			}
			// Read a little before the write so a lazily copying reader
			// would be caught half way.
			var first [2]byte
			if _, err := io.ReadFull(whole, first[:]); err != nil {
				t.Fatal(err)
			}
			if err := tt.write(d); err != nil {
				t.Fatal(err)
			}
			if got := string(first[:]) + readAll(t, whole); got != "old content" {
				t.Errorf("reader opened before the write read %q, want %q", got, "old content")
			}
			if got := readAll(t, part); got != "content" {
				t.Errorf("range reader opened before the write read %q, want %q", got, "content")
			}
		})
	}
}

func TestMetadataIsolation(t *testing.T) {
	ctx := context.Background()
	d := newDriver(t)
	meta := map[string]string{"owner": "ann"}
	want := map[string]string{"owner": "ann"}

	info := put(t, d, "k", "x", driver.WithMetadata(meta))
	meta["owner"] = "changed after WithMetadata"
	info.Metadata["owner"] = "changed in Put's result"

	head, err := d.Head(ctx, testBucket, "k")
	if err != nil {
		t.Fatal(err)
	}
	head.Metadata["owner"] = "changed in Head's result"
	head.Metadata["extra"] = "added"

	r, err := d.Get(ctx, testBucket, "k")
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	r.Info.Metadata["owner"] = "changed in Get's result"

	it, err := d.List(ctx, testBucket)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := it.All(ctx)
	entries[0].Metadata["owner"] = "changed in List's result"

	copied, err := d.Copy(ctx, testBucket, "k", testBucket, "k2")
	if err != nil {
		t.Fatal(err)
	}
	copied.Metadata["owner"] = "changed in Copy's result"

	for _, key := range []string{"k", "k2"} {
		got, err := d.Head(ctx, testBucket, key)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got.Metadata); diff != "" {
			t.Errorf("stored metadata of %q changed through a caller's map (-want +got):\n%s", key, diff)
		}
	}
}

// TestContentMD5IsTheETag checks that a caller's MD5 becomes the ETag
// without the content being hashed again, and that a sum of the wrong
// length is ignored.
func TestContentMD5IsTheETag(t *testing.T) {
	content := "meow"
	real := md5.Sum([]byte(content))
	given := md5.Sum([]byte("what the caller hashed"))
	tests := []struct {
		name string
		sum  []byte
		want [md5.Size]byte
	}{
		{"handed over", given[:], given},
		{"too short: ignored", given[:8], real},
		{"nil: ignored", nil, real},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDriver(t)
			info, err := d.Put(context.Background(), testBucket, "k", strings.NewReader(content), driver.WithContentMD5(tt.sum))
			if err != nil {
				t.Fatal(err)
			}
			if want := hex.EncodeToString(tt.want[:]); info.ETag != want {
				t.Errorf("Put ETag = %q, want %q", info.ETag, want)
			}
		})
	}
}

func TestETagIsHexMD5(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{"empty", ""},
		{"text", "hello, world\n"},
		{"binary", "\x00\xff\x10\x80"},
		{"large", strings.Repeat("0123456789abcdef", 70_000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDriver(t)
			sum := md5.Sum([]byte(tt.content))
			want := hex.EncodeToString(sum[:])
			info := put(t, d, "k", tt.content)
			if info.ETag != want {
				t.Errorf("Put ETag = %q, want %q", info.ETag, want)
			}
			if info.Size != int64(len(tt.content)) {
				t.Errorf("Put Size = %d, want %d", info.Size, len(tt.content))
			}
			head, err := d.Head(context.Background(), testBucket, "k")
			if err != nil {
				t.Fatal(err)
			}
			if head.ETag != want {
				t.Errorf("Head ETag = %q, want %q", head.ETag, want)
			}
		})
	}
}

// onlyReader hides the concrete type of a reader, so Put cannot use its
// size and must read it to the end.
type onlyReader struct{ io.Reader }

func TestPutReaders(t *testing.T) {
	content := strings.Repeat("abcdefgh", 1000)
	tests := []struct {
		name string
		r    io.Reader
	}{
		{"strings.Reader", strings.NewReader(content)},
		{"bytes.Reader", bytes.NewReader([]byte(content))},
		{"bytes.Buffer", bytes.NewBufferString(content)},
		{"plain reader", onlyReader{strings.NewReader(content)}},
		{"one byte at a time", onlyReader{io.LimitReader(&oneByteReader{s: content}, int64(len(content)))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDriver(t)
			if _, err := d.Put(context.Background(), testBucket, "k", tt.r); err != nil {
				t.Fatal(err)
			}
			r, err := d.Get(context.Background(), testBucket, "k")
			if err != nil {
				t.Fatal(err)
			}
			if got := readAll(t, r); got != content {
				t.Errorf("stored %d bytes, want the %d written", len(got), len(content))
			}
		})
	}
}

type oneByteReader struct{ s string }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.s[0]
	r.s = r.s[1:]
	return 1, nil
}

// failingReader yields some bytes and then an error.
type failingReader struct{ sent bool }

var errRead = errors.New("disk on fire")

func (r *failingReader) Read(p []byte) (int, error) {
	if !r.sent {
		r.sent = true
		return copy(p, "partial"), nil
	}
	return 0, errRead
}

func TestPutReadErrorStoresNothing(t *testing.T) {
	ctx := context.Background()
	raw := newDriver(t)
	put(t, raw, "kept", "original")
	d := driver.Wrap(raw)

	for _, key := range []string{"new", "kept"} {
		_, err := d.Put(ctx, testBucket, key, &failingReader{})
		if !errors.Is(err, errRead) {
			t.Fatalf("Put(%q) with a failing reader = %v, want %v", key, err, errRead)
		}
		var de *driver.Error
		if !errors.As(err, &de) || de.Bucket != testBucket || de.Key != key {
			t.Errorf("Put(%q) error = %#v, want a *driver.Error naming %s/%s", key, err, testBucket, key)
		}
	}
	if _, err := d.Head(ctx, testBucket, "new"); !errors.Is(err, driver.ErrObjectNotFound) {
		t.Errorf("Head of a key whose Put failed = %v, want %v", err, driver.ErrObjectNotFound)
	}
	r, err := d.Get(ctx, testBucket, "kept")
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, r); got != "original" {
		t.Errorf("content after a failed overwrite = %q, want %q", got, "original")
	}
	if _, objects, _ := raw.Stats(); objects != 1 {
		t.Errorf("Stats objects = %d, want 1", objects)
	}
}

func TestStats(t *testing.T) {
	ctx := context.Background()
	d := newDriver(t)
	if err := d.CreateBucket(ctx, "second"); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name             string
		do               func() error
		buckets, objects int
		bytes            int64
	}{
		{"put", func() error { _, err := d.Put(ctx, testBucket, "a", strings.NewReader("12345")); return err }, 2, 1, 5},
		{"put other bucket", func() error { _, err := d.Put(ctx, "second", "a", strings.NewReader("123")); return err }, 2, 2, 8},
		{"overwrite", func() error { _, err := d.Put(ctx, testBucket, "a", strings.NewReader("1")); return err }, 2, 2, 4},
		{"copy", func() error { _, err := d.Copy(ctx, "second", "a", testBucket, "b"); return err }, 2, 3, 7},
		{"delete", func() error { return d.Delete(ctx, "second", "a") }, 2, 2, 4},
		{"delete missing", func() error { return d.Delete(ctx, "second", "a") }, 2, 2, 4},
		{"delete bucket", func() error { return d.DeleteBucket(ctx, "second") }, 1, 2, 4},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		b, o, n := d.Stats()
		if b != s.buckets || o != s.objects || n != s.bytes {
			t.Errorf("after %s: Stats() = %d, %d, %d; want %d, %d, %d", s.name, b, o, n, s.buckets, s.objects, s.bytes)
		}
	}
}

func TestClosed(t *testing.T) {
	ctx := context.Background()
	raw := newDriver(t)
	put(t, raw, "k", "x")
	d := driver.Wrap(raw)
	if err := d.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := d.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	ops := map[string]func() error{
		"Ping":         func() error { return d.Ping(ctx) },
		"Put":          func() error { _, err := d.Put(ctx, testBucket, "k", strings.NewReader("y")); return err },
		"Get":          func() error { _, err := d.Get(ctx, testBucket, "k"); return err },
		"Head":         func() error { _, err := d.Head(ctx, testBucket, "k"); return err },
		"Delete":       func() error { return d.Delete(ctx, testBucket, "k") },
		"List":         func() error { _, err := d.List(ctx, testBucket); return err },
		"Copy":         func() error { _, err := d.Copy(ctx, testBucket, "k", testBucket, "k2"); return err },
		"CreateBucket": func() error { return d.CreateBucket(ctx, "new-bucket") },
		"DeleteBucket": func() error { return d.DeleteBucket(ctx, testBucket) },
		"ListBuckets":  func() error { _, err := d.ListBuckets(ctx); return err },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			if err := op(); !errors.Is(err, driver.ErrClosed) {
				t.Errorf("%s after Close = %v, want %v", name, err, driver.ErrClosed)
			}
		})
	}
	if got := d.Name(); got != "mem" {
		t.Errorf("Name() after Close = %q, want %q", got, "mem")
	}
	if b, o, n := raw.Stats(); b != 0 || o != 0 || n != 0 {
		t.Errorf("Stats() after Close = %d, %d, %d; want 0, 0, 0 (Close frees the data)", b, o, n)
	}
}

func TestErrorsNameBucketAndKey(t *testing.T) {
	ctx := context.Background()
	raw := newDriver(t)
	put(t, raw, "k", "x")
	d := driver.Wrap(raw)
	tests := []struct {
		name            string
		err             error
		want            error
		wantOp          string
		bucket, key     string
		msgContainsBoth bool
	}{
		{"get missing key", func() error { _, err := d.Get(ctx, testBucket, "nope"); return err }(), driver.ErrObjectNotFound, "get", testBucket, "nope", true},
		{"put missing bucket", func() error { _, err := d.Put(ctx, "no-bucket", "k", strings.NewReader("")); return err }(), driver.ErrBucketNotFound, "put", "no-bucket", "k", true},
		{"bad range", func() error { _, err := d.Get(ctx, testBucket, "k", driver.WithRange("bytes=5-")); return err }(), driver.ErrInvalidRange, "get", testBucket, "k", true},
		{"copy to missing bucket", func() error { _, err := d.Copy(ctx, testBucket, "k", "no-bucket", "k2"); return err }(), driver.ErrBucketNotFound, "copy", "no-bucket", "k2", true},
		{"copy missing source", func() error { _, err := d.Copy(ctx, testBucket, "gone", testBucket, "k2"); return err }(), driver.ErrObjectNotFound, "copy", testBucket, "gone", true},
		{"bad bucket name", func() error { _, err := d.Head(ctx, "Bad_Name", "k"); return err }(), driver.ErrInvalidName, "head", "Bad_Name", "k", true},
		{"bad key", func() error { _, err := d.Head(ctx, testBucket, "\xff"); return err }(), driver.ErrInvalidName, "head", testBucket, "\xff", false},
		{"bad cursor", func() error { _, err := d.List(ctx, testBucket, driver.WithCursor("!!")); return err }(), driver.ErrInvalidCursor, "list", testBucket, "", false},
		{"bucket exists", d.CreateBucket(ctx, testBucket), driver.ErrBucketExists, "create-bucket", testBucket, "", false},
		{"bucket not empty", d.DeleteBucket(ctx, testBucket), driver.ErrBucketNotEmpty, "delete-bucket", testBucket, "", false},
		{"delete in missing bucket", d.Delete(ctx, "no-bucket", "k"), driver.ErrBucketNotFound, "delete", "no-bucket", "k", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, tt.want) {
				t.Fatalf("got %v, want an error wrapping %v", tt.err, tt.want)
			}
			var de *driver.Error
			if !errors.As(tt.err, &de) {
				t.Fatalf("got %T, want a *driver.Error", tt.err)
			}
			if de.Op != tt.wantOp || de.Bucket != tt.bucket || de.Key != tt.key {
				t.Errorf("got op %q bucket %q key %q, want %q %q %q", de.Op, de.Bucket, de.Key, tt.wantOp, tt.bucket, tt.key)
			}
			if msg := tt.err.Error(); tt.msgContainsBoth && !strings.Contains(msg, tt.bucket+"/"+tt.key) {
				t.Errorf("message %q does not name %s/%s", msg, tt.bucket, tt.key)
			}
		})
	}
}

// refListing computes a whole listing the slow, obvious way: sort every
// key, keep those under prefix, collapse each to its entry and drop
// repeats.
func refListing(keys []string, prefix, delim string) []string {
	sorted := slices.Clone(keys)
	slices.Sort(sorted)
	var out []string
	for _, k := range sorted {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		e, isPrefix := driver.ListEntryKey(k, prefix, delim)
		if isPrefix {
			e += " (prefix)"
		}
		if len(out) == 0 || out[len(out)-1] != e {
			out = append(out, e)
		}
	}
	return out
}

// TestListPagingMatchesReference pages through random key sets with every
// combination of prefix, delimiter and page size and checks the pages join
// up to exactly the reference listing: each entry once, in order, with an
// empty NextToken only on the last page and never on a page with nothing
// after it.
func TestListPagingMatchesReference(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "/", "-", "é", "ab", "//"}
	var keys []string
	for len(keys) < 400 {
		var sb strings.Builder
		for n := 1 + rng.IntN(6); n > 0; n-- {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		keys = append(keys, sb.String())
	}
	d := newDriver(t)
	for _, k := range keys {
		put(t, d, k, "v")
	}
	for _, prefix := range []string{"", "a", "a/", "b-", "é", "zz"} {
		for _, delim := range []string{"", "/", "-", "ab", "//", "é"} {
			want := refListing(keys, prefix, delim)
			for _, pageSize := range []int{1, 2, 3, 7, 50, 1000} {
				name := fmt.Sprintf("prefix=%q/delim=%q/page=%d", prefix, delim, pageSize)
				var got []string
				token := ""
				for pages := 0; ; pages++ {
					if pages > len(keys)+1 {
						t.Fatalf("%s: listing never ends", name)
					}
					it, err := d.List(ctx, testBucket, driver.WithPrefix(prefix), driver.WithDelimiter(delim),
						driver.WithMaxKeys(pageSize), driver.WithCursor(token))
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					entries, _ := it.All(ctx)
					if len(entries) > pageSize {
						t.Fatalf("%s: page of %d entries, want at most %d", name, len(entries), pageSize)
					}
					for _, e := range entries {
						s := e.Key
						if e.IsPrefix {
							s += " (prefix)"
						}
						got = append(got, s)
					}
					token = it.NextToken()
					if token == "" {
						break
					}
					if len(entries) < pageSize {
						t.Fatalf("%s: short page of %d with a NextToken", name, len(entries))
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s: listing differs from reference (-want +got):\n%s", name, diff)
				}
			}
		}
	}
}

func TestListNextTokenEmptyWhenPageEndsExactly(t *testing.T) {
	ctx := context.Background()
	d := newDriver(t)
	for i := range 20 {
		put(t, d, fmt.Sprintf("k%02d", i), "v")
	}
	put(t, d, "dir/a", "v")
	put(t, d, "dir/b", "v")
	tests := []struct {
		name  string
		opts  []driver.ListOption
		pages []int
	}{
		{"two full pages", []driver.ListOption{driver.WithPrefix("k"), driver.WithMaxKeys(10)}, []int{10, 10}},
		{"prefix group ends the listing", []driver.ListOption{driver.WithDelimiter("/"), driver.WithMaxKeys(21)}, []int{21}},
		{"one more than fits", []driver.ListOption{driver.WithMaxKeys(21)}, []int{21, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sizes []int
			token := ""
			for {
				it, err := d.List(ctx, testBucket, append(slices.Clone(tt.opts), driver.WithCursor(token))...)
				if err != nil {
					t.Fatal(err)
				}
				entries, _ := it.All(ctx)
				sizes = append(sizes, len(entries))
				if token = it.NextToken(); token == "" {
					break
				}
			}
			if diff := cmp.Diff(tt.pages, sizes); diff != "" {
				t.Errorf("page sizes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConcurrentUse gives the race detector readers, writers and listers
// working on the same keys at once.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	d := newDriver(t)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				key := fmt.Sprintf("k%03d", i%50)
				content := fmt.Sprintf("writer %d round %d", w, i)
				if _, err := d.Put(ctx, testBucket, key, strings.NewReader(content)); err != nil {
					t.Error(err)
					return
				}
				if i%7 == 0 {
					if err := d.Delete(ctx, testBucket, key); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
		wg.Go(func() {
			for i := range 200 {
				key := fmt.Sprintf("k%03d", i%50)
				if r, err := d.Get(ctx, testBucket, key); err == nil {
					b, _ := io.ReadAll(r)
					if !strings.HasPrefix(string(b), "writer ") {
						t.Errorf("Get(%q) read %q, want a whole written value", key, b)
					}
				} else if !errors.Is(err, driver.ErrObjectNotFound) {
					t.Error(err)
				}
				if _, err := d.List(ctx, testBucket, driver.WithMaxKeys(5)); err != nil {
					t.Error(err)
				}
				d.Stats()
			}
		})
	}
	wg.Wait()
}
