package drivertest

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/trovemem/trovemem/driver"
)

func TestRefDriver(t *testing.T) {
	RunDriverSuite(t, func(t *testing.T) driver.Driver {
		d := newRefDriver()
		t.Cleanup(func() { d.Close(context.Background()) })
		return d
	})
}

// deleteMissingErrs breaks idempotent Delete: deleting a missing key fails.
type deleteMissingErrs struct{ *refDriver }

func (d deleteMissingErrs) Delete(ctx context.Context, bucket, key string) error {
	if _, err := d.Head(ctx, bucket, key); err != nil {
		return err
	}
	return d.refDriver.Delete(ctx, bucket, key)
}

// repeatingCursor breaks pagination: its NextToken resumes after the
// second-to-last entry of a page, so each page's last entry comes again.
type repeatingCursor struct{ *refDriver }

func (d repeatingCursor) List(ctx context.Context, bucket string, opts ...driver.ListOption) (*driver.ObjectIterator, error) {
	it, err := d.refDriver.List(ctx, bucket, opts...)
	if err != nil || it.NextToken() == "" {
		return it, err
	}
	all, _ := it.All(ctx)
	if len(all) < 2 {
		return driver.NewObjectIterator(all, it.NextToken()), nil
	}
	return driver.NewObjectIterator(all, driver.EncodeCursor(all[len(all)-2].Key)), nil
}

// sharedMetadata breaks metadata isolation: it stores the caller's map.
type sharedMetadata struct{ *refDriver }

func (d sharedMetadata) Put(ctx context.Context, bucket, key string, r io.Reader, opts ...driver.PutOption) (*driver.ObjectInfo, error) {
	info, err := d.refDriver.Put(ctx, bucket, key, r, opts...)
	if err != nil {
		return nil, err
	}
	var o driver.PutOptions
	for _, f := range opts {
		f(&o)
	}
	d.mu.Lock()
	d.buckets[bucket].objects[key].info.Metadata = o.Metadata
	d.mu.Unlock()
	return info, nil
}

// quotedETag breaks the ETag contract the way S3's HTTP header would.
type quotedETag struct{ *refDriver }

func (d quotedETag) Put(ctx context.Context, bucket, key string, r io.Reader, opts ...driver.PutOption) (*driver.ObjectInfo, error) {
	info, err := d.refDriver.Put(ctx, bucket, key, r, opts...)
	if err == nil {
		info.ETag = `"` + info.ETag + `"`
	}
	return info, err
}

// liveSnapshot breaks snapshots: it saves only the name, so a restore
// leaves the key with whatever it holds by then.
type liveSnapshot struct{ *refDriver }

func (d liveSnapshot) Snapshot(ctx context.Context, bucket, key string) (driver.Snapshot, error) {
	if _, err := d.Head(ctx, bucket, key); err != nil {
		return nil, err
	}
	return nopSnapshot{}, nil
}

type nopSnapshot struct{}

func (nopSnapshot) Restore(context.Context) error { return nil }
func (nopSnapshot) Release() error                { return nil }

// TestChecksCatchBrokenDrivers shows the suite can fail: each check passes
// on the reference driver and fails on a driver broken in the one way the
// check is about.
func TestChecksCatchBrokenDrivers(t *testing.T) {
	tests := []struct {
		name   string
		broken func(*refDriver) driver.Driver
		check  func(context.Context, driver.Driver) error
		want   string // a fragment of the failure, so it fails for the right reason
	}{
		{"delete of a missing key errors", func(r *refDriver) driver.Driver { return deleteMissingErrs{r} }, checkDeleteIdempotent, `Delete #2 of "k": got`},
		{"pagination repeats an entry", func(r *refDriver) driver.Driver { return repeatingCursor{r} }, checkListPagination, "want each entry exactly once"},
		{"delimited pagination repeats a prefix", func(r *refDriver) driver.Driver { return repeatingCursor{r} }, checkListDelimiterPagination, "(prefix) 2 times"},
		{"stored metadata aliases the caller's map", func(r *refDriver) driver.Driver { return sharedMetadata{r} }, checkMetadataIsolation, "after mutating the map passed to Put"},
		{"ETag is quoted", func(r *refDriver) driver.Driver { return quotedETag{r} }, checkETag, "want the hex MD5"},
		{"snapshot keeps only the name", func(r *refDriver) driver.Driver { return liveSnapshot{r} }, checkSnapshot, "after Restore"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.check(t.Context(), driver.Wrap(newRefDriver())); err != nil {
				t.Fatalf("on the reference driver: got %v, want nil", err)
			}
			err := tt.check(t.Context(), driver.Wrap(tt.broken(newRefDriver())))
			if err == nil {
				t.Fatalf("on the broken driver: got nil, want a failure mentioning %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("on the broken driver: got failure %q, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestCheckPages(t *testing.T) {
	info := func(keys ...string) []*driver.ObjectInfo {
		var out []*driver.ObjectInfo
		for _, k := range keys {
			out = append(out, &driver.ObjectInfo{Key: k})
		}
		return out
	}
	want := keyEntries([]string{"a", "b", "c"})
	tests := []struct {
		name    string
		pages   []page
		wantErr string // "" for a listing that keeps the contract
	}{
		{"whole", []page{{info("a", "b"), driver.EncodeCursor("b")}, {info("c"), ""}}, ""},
		{"page too big", []page{{info("a", "b", "c"), ""}}, "want at most 2"},
		{"extra empty last page", []page{{info("a", "b"), driver.EncodeCursor("b")}, {info("c"), driver.EncodeCursor("c")}, {nil, ""}}, `want ""`},
		{"missing entry", []page{{info("a", "b"), driver.EncodeCursor("b")}, {nil, ""}}, "want 3 in byte order"},
		{"out of order", []page{{info("b", "a"), driver.EncodeCursor("a")}, {info("c"), ""}}, "want 3 in byte order"},
		{"token not made by EncodeCursor", []page{{info("a", "b"), "b"}, {info("c"), ""}}, `want EncodeCursor("b")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkPages("listing", tt.pages, want, 2)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got %v, want nil", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("got nil, want a failure mentioning %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("got %q, want a failure mentioning %q", err, tt.wantErr)
			}
		})
	}
}
