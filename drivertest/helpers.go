package drivertest

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trovemem/trovemem/driver"
)

// infoCmp compares ObjectInfo values the way the contract does: Backend is
// the portable store's business, and nil and empty metadata maps mean the
// same thing (driver.CloneMetadata turns one into the other).
var infoCmp = cmp.Options{
	cmpopts.IgnoreFields(driver.ObjectInfo{}, "Backend"),
	cmpopts.EquateEmpty(),
}

// md5Hex is the ETag the contract requires for content.
func md5Hex(content []byte) string {
	sum := md5.Sum(content)
	return hex.EncodeToString(sum[:])
}

// show quotes a name for a failure message, cutting long ones (such as the
// 1024-byte key) so a message stays one readable line.
func show(s string) string {
	const max = 40
	if len(s) <= max {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%s…(%d bytes)", strconv.Quote(s[:max]), len(s))
}

// wantIs returns nil when err wraps want and a "got X, want Y" error naming
// the operation otherwise.
func wantIs(op string, err, want error) error {
	if errors.Is(err, want) {
		return nil
	}
	if err == nil {
		return fmt.Errorf("%s: got nil error, want one wrapping %q", op, want)
	}
	return fmt.Errorf("%s: got error %q, want one wrapping %q", op, err, want)
}

// createBuckets creates each bucket, failing the check's setup otherwise.
func createBuckets(ctx context.Context, d driver.Driver, names ...string) error {
	for _, n := range names {
		if err := d.CreateBucket(ctx, n); err != nil {
			return fmt.Errorf("setup: CreateBucket(%s): %w", show(n), err)
		}
	}
	return nil
}

// put stores content and insists on a non-nil info.
func put(ctx context.Context, d driver.Driver, bucket, key, content string, opts ...driver.PutOption) (*driver.ObjectInfo, error) {
	info, err := d.Put(ctx, bucket, key, strings.NewReader(content), opts...)
	if err != nil {
		return nil, fmt.Errorf("Put(%s, %s): %w", show(bucket), show(key), err)
	}
	if info == nil {
		return nil, fmt.Errorf("Put(%s, %s): got nil info and nil error, want the stored object's info", show(bucket), show(key))
	}
	return info, nil
}

// get reads an object whole and returns its content and the reader's info.
func get(ctx context.Context, d driver.Driver, bucket, key string, opts ...driver.GetOption) ([]byte, *driver.ObjectInfo, error) {
	op := fmt.Sprintf("Get(%s, %s)", show(bucket), show(key))
	r, err := d.Get(ctx, bucket, key, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", op, err)
	}
	if r == nil || r.ReadCloser == nil {
		return nil, nil, fmt.Errorf("%s: got a nil reader and nil error", op)
	}
	b, err := io.ReadAll(r)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: reading: %w", op, err)
	}
	if r.Info == nil {
		return nil, nil, fmt.Errorf("%s: got nil Info on the reader, want the object's info", op)
	}
	return b, r.Info, nil
}

// head is Head with a non-nil info insisted on.
func head(ctx context.Context, d driver.Driver, bucket, key string) (*driver.ObjectInfo, error) {
	info, err := d.Head(ctx, bucket, key)
	if err != nil {
		return nil, fmt.Errorf("Head(%s, %s): %w", show(bucket), show(key), err)
	}
	if info == nil {
		return nil, fmt.Errorf("Head(%s, %s): got nil info and nil error", show(bucket), show(key))
	}
	return info, nil
}

// wantContent reads bucket/key and compares it with want.
func wantContent(ctx context.Context, d driver.Driver, bucket, key, want string) error {
	got, _, err := get(ctx, d, bucket, key)
	if err != nil {
		return err
	}
	if string(got) != want {
		return fmt.Errorf("Get(%s, %s): got content %s, want %s", show(bucket), show(key), show(string(got)), show(want))
	}
	return nil
}

// wantMissing checks that Head reports the object gone.
func wantMissing(ctx context.Context, d driver.Driver, bucket, key string) error {
	_, err := d.Head(ctx, bucket, key)
	return wantIs(fmt.Sprintf("Head(%s, %s)", show(bucket), show(key)), err, driver.ErrObjectNotFound)
}

// bucketNames returns ListBuckets' names in the order the driver gave them.
func bucketNames(ctx context.Context, d driver.Driver) ([]string, error) {
	bs, err := d.ListBuckets(ctx)
	if err != nil {
		return nil, fmt.Errorf("ListBuckets: %w", err)
	}
	names := make([]string, len(bs))
	for i, b := range bs {
		names[i] = b.Name
	}
	return names, nil
}

// hasBucket reports whether ListBuckets names bucket.
func hasBucket(ctx context.Context, d driver.Driver, bucket string) (bool, error) {
	names, err := bucketNames(ctx, d)
	if err != nil {
		return false, err
	}
	for _, n := range names {
		if n == bucket {
			return true, nil
		}
	}
	return false, nil
}
