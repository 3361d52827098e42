package s3driver

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/memdriver"
)

// oracleKeys is the key set the listing oracle stores: files at three
// depths under directories whose names sort around the delimiters ('-' and
// '.' below '/', '0' above it) and span one- to three-byte UTF-8. No key is
// a directory of another, so servers that keep keys as paths hold them all.
func oracleKeys() []string {
	dirs := []string{"a", "a-", "a.b", "a0", "é", "日本"}
	files := []string{"f", "f-1", "f.1", "f0", "ÿ"}
	var keys []string
	for _, f := range files {
		keys = append(keys, f)
		for _, d1 := range dirs {
			keys = append(keys, d1+"/"+f)
			for _, d2 := range dirs {
				keys = append(keys, d1+"/"+d2+"/"+f)
			}
		}
	}
	return keys
}

// listing is one List call: the options and what it returned.
type listing struct {
	Entries []listed
	Next    string
}

type listed struct {
	Key      string
	IsPrefix bool
	Size     int64
	ETag     string
}

func listOnce(ctx context.Context, d driver.Driver, bucket string, opts ...driver.ListOption) (listing, error) {
	it, err := d.List(ctx, bucket, opts...)
	if err != nil {
		return listing{}, err
	}
	all, err := it.All(ctx)
	if err != nil {
		return listing{}, err
	}
	l := listing{Next: it.NextToken()}
	for _, e := range all {
		l.Entries = append(l.Entries, listed{Key: e.Key, IsPrefix: e.IsPrefix, Size: e.Size, ETag: e.ETag})
	}
	return l, nil
}

// TestListingOracle lists the same keys held by memdriver and by a real S3
// server and requires every page to be identical: entries, sizes, ETags and
// next cursors, for many prefixes, delimiters, page sizes and starting
// cursors (after common prefixes among them). Against versitygw by default;
// TROVEMEM_S3_ORACLE_DSN names another server (MinIO, run by hand), on
// which the test makes and removes its own bucket.
func TestListingOracle(t *testing.T) {
	ctx := context.Background()
	var s3d driver.Driver
	if dsn := os.Getenv("TROVEMEM_S3_ORACLE_DSN"); dsn != "" {
		d, err := driver.OpenDSN(ctx, dsn)
		if err != nil {
			t.Fatalf("OpenDSN(%s): %v", driver.RedactDSN(dsn), err)
		}
		t.Cleanup(func() { d.Close(ctx) })
		s3d = d
	} else {
		s3d, _ = newVersityDriver(t)
	}
	mem := driver.Wrap(memdriver.New())
	const bucket = "trovemem-oracle"
	keys := oracleKeys()
	for _, d := range []driver.Driver{mem, s3d} {
		if err := d.CreateBucket(ctx, bucket); err != nil {
			t.Fatalf("CreateBucket on %s: %v", d.Name(), err)
		}
		for _, k := range keys {
			if _, err := d.Put(ctx, bucket, k, strings.NewReader("content of "+k)); err != nil {
				t.Fatalf("Put(%q) on %s: %v", k, d.Name(), err)
			}
		}
	}
	t.Cleanup(func() {
		for _, k := range keys {
			s3d.Delete(ctx, bucket, k)
		}
		s3d.DeleteBucket(ctx, bucket)
	})

	calls, diffs := 0, 0
	compare := func(what string, opts ...driver.ListOption) (listing, bool) {
		calls++
		want, werr := listOnce(ctx, mem, bucket, opts...)
		got, gerr := listOnce(ctx, s3d, bucket, opts...)
		if werr != nil || gerr != nil {
			diffs++
			t.Errorf("%s: got error %v, want %v", what, gerr, werr)
			return listing{}, false
		}
		if diff := cmp.Diff(want, got); diff != "" {
			diffs++
			if diffs <= 5 {
				t.Errorf("%s: S3 page differs from memdriver's (-mem +s3):\n%s", what, diff)
			}
			return want, false
		}
		return want, true
	}
	// paginate follows next cursors from the start (or from cursor) for at
	// most maxPages pages, comparing each.
	paginate := func(prefix, delim string, n int, cursor string, maxPages int) {
		for page := 1; page <= maxPages; page++ {
			what := fmt.Sprintf("List(prefix %q, delimiter %q, max %d) page %d after %q", prefix, delim, n, page, cursor)
			opts := []driver.ListOption{driver.WithPrefix(prefix), driver.WithDelimiter(delim), driver.WithMaxKeys(n)}
			if cursor != "" {
				opts = append(opts, driver.WithCursor(cursor))
			}
			l, ok := compare(what, opts...)
			if !ok || l.Next == "" {
				return
			}
			cursor = l.Next
		}
	}

	prefixes := []string{"", "a", "a/", "a-", "a/a", "a/a.b/", "é", "日", "f", "nothing"}
	delims := []string{"", "/", "-", "."}
	for _, prefix := range prefixes {
		for _, delim := range delims {
			// Whole listings with the sizes where off-by-ones live; the
			// tiny sizes only for their first pages, which is where a
			// server's page-of-1 answers go wrong.
			for _, n := range []int{3, 7, 1000} {
				paginate(prefix, delim, n, "", 1000)
			}
			for _, n := range []int{1, 2} {
				paginate(prefix, delim, n, "", 4)
			}
		}
	}
	// Cursors after each common prefix of the delimited listings, and
	// after keys that are not stored.
	for _, prefix := range []string{"", "a/", "é/"} {
		root, _ := listOnce(ctx, mem, bucket, driver.WithPrefix(prefix), driver.WithDelimiter("/"))
		for _, e := range root.Entries {
			for _, n := range []int{1, 2, 7} {
				paginate(prefix, "/", n, driver.EncodeCursor(e.Key), 3)
				paginate(prefix, "", n, driver.EncodeCursor(e.Key), 2)
			}
		}
	}
	for _, after := range []string{"a/a", "a/zz", "a0/", "é", "\U0010ffff"} {
		for _, n := range []int{1, 2, 7} {
			paginate("", "/", n, driver.EncodeCursor(after), 3)
		}
	}
	if calls < 300 {
		t.Errorf("oracle made %d List calls, want hundreds", calls)
	}
	t.Logf("%d keys, %d List calls, %d differences", len(keys), calls, diffs)
}
