package drivertest

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/trovemem/trovemem/driver"
)

// errPathTaken is what pathStore refuses with.
var errPathTaken = errors.New("path namespace: a file and a directory cannot share a name")

// pathStore is the reference driver with a file system's limits, as a
// server that keeps keys as paths has: a key must be holdable as a path,
// and no key may be a directory of another.
type pathStore struct{ *refDriver }

func (d pathStore) Put(ctx context.Context, bucket, key string, r io.Reader, opts ...driver.PutOption) (*driver.ObjectInfo, error) {
	if err := d.check(bucket, key); err != nil {
		return nil, err
	}
	return d.refDriver.Put(ctx, bucket, key, r, opts...)
}

func (d pathStore) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string) (*driver.ObjectInfo, error) {
	if err := d.check(dstBucket, dstKey); err != nil {
		return nil, err
	}
	return d.refDriver.Copy(ctx, srcBucket, srcKey, dstBucket, dstKey)
}

func (d pathStore) check(bucket, key string) error {
	if driver.ValidateKey(key) != nil {
		return nil // the reference driver reports it
	}
	if !pathHoldable(key) {
		return errPathTaken
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	b, ok := d.buckets[bucket]
	if !ok {
		return nil
	}
	for k := range b.objects {
		if strings.HasPrefix(k, key+"/") || strings.HasPrefix(key, k+"/") {
			return errPathTaken
		}
	}
	return nil
}

// TestPathNamespaceMode shows what the mode is for: a driver with a file
// system's limits fails the full suite and passes the path-namespace one,
// and the reference driver passes both.
func TestPathNamespaceMode(t *testing.T) {
	newPathStore := func(t *testing.T) driver.Driver { return pathStore{newRefDriver()} }
	t.Run("reference driver", func(t *testing.T) {
		RunDriverSuite(t, func(t *testing.T) driver.Driver { return newRefDriver() }, PathNamespace())
	})
	t.Run("path store", func(t *testing.T) {
		RunDriverSuite(t, newPathStore, PathNamespace())
	})
	t.Run("path store in full mode", func(t *testing.T) {
		ctx := context.Background()
		for _, c := range []struct {
			name string
			run  func(context.Context, driver.Driver) error
		}{{"ListSorted", checkListSorted}, {"UnusualValidKeys", checkUnusualValidKeys}} {
			if err := c.run(ctx, newPathStore(t)); !errors.Is(err, errPathTaken) {
				t.Errorf("%s in full mode: got %v, want a failure wrapping %q", c.name, err, errPathTaken)
			}
		}
	})
}

func TestPathSafeKeys(t *testing.T) {
	keys := pathSafe(listingKeys)
	for _, k := range keys {
		if !pathHoldable(k) {
			t.Errorf("pathSafe kept %q, which is not holdable as a path", k)
		}
		for _, other := range keys {
			if strings.HasPrefix(other, k+"/") {
				t.Errorf("pathSafe kept %q and %q, a file and a key under it", k, other)
			}
		}
	}
	// The mode keeps the byte-order traps around '/' that make the listing
	// checks worth running.
	for _, want := range []string{"a-b", "a.b", "a0", "a/b/c", "a/bc/d", "\u00ff", "\U0010ffff", "zz0"} {
		if !strings.Contains("\x00"+strings.Join(keys, "\x00")+"\x00", "\x00"+want+"\x00") {
			t.Errorf("pathSafe dropped %q, got %q", want, keys)
		}
	}
	for _, r := range []rune{'k', 'é'} {
		k := segmentedKey(r)
		if !pathHoldable(k) || len(k) > driver.MaxKeyLen || len(k) < driver.MaxKeyLen-4 {
			t.Errorf("segmentedKey(%q): got %d bytes (holdable %v), want a holdable key of nearly %d bytes", r, len(k), pathHoldable(k), driver.MaxKeyLen)
		}
	}
}

func TestXMLSafeKeys(t *testing.T) {
	got := xmlSafe([]string{"plain", "tab\tnewline\n", "\uffff", "a\x01b", "\ufffe", "\U0010ffff", "\u00e9"})
	want := []string{"plain", "tab\tnewline\n", "\U0010ffff", "\u00e9"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("xmlSafe: got %q, want %q", got, want)
	}
}
