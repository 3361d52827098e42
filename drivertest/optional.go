package drivertest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
)

// The checks of the optional interfaces (see driver/optional.go): a driver
// that does not implement one passes its check, since the layer answers for
// it (errors.ErrUnsupported, an empty StorageID).

// checkSnapshot: a snapshot survives an overwrite and a delete of its key,
// restores the object exactly (content, content type, metadata, time), can
// be restored into a bucket deleted and created again, and is released
// cleanly; a missing key snapshots as nil, a missing bucket is an error.
func checkSnapshot(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	modified := time.Date(2019, 4, 5, 6, 7, 8, 0, time.UTC)
	want, err := put(ctx, d, "bucket-a", "k", "saved", driver.WithContentType("text/x-saved"),
		driver.WithMetadata(map[string]string{"m": "1"}), driver.WithLastModified(modified))
	if err != nil {
		return err
	}
	snap, err := driver.TakeSnapshot(ctx, d, "bucket-a", "k")
	if errors.Is(err, errors.ErrUnsupported) {
		return nil
	}
	if err != nil || snap == nil {
		return fmt.Errorf("Snapshot(bucket-a, k): got %v, %v, want a snapshot", snap, err)
	}
	if _, err := put(ctx, d, "bucket-a", "k", "overwritten"); err != nil {
		return err
	}
	if err := d.Delete(ctx, "bucket-a", "k"); err != nil {
		return fmt.Errorf("Delete(bucket-a, k): %w", err)
	}
	if err := d.DeleteBucket(ctx, "bucket-a"); err != nil {
		return fmt.Errorf("DeleteBucket(bucket-a): %w", err)
	}
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	if err := snap.Restore(ctx); err != nil {
		return fmt.Errorf("Restore: got %v, want nil", err)
	}
	if err := wantContent(ctx, d, "bucket-a", "k", "saved"); err != nil {
		return fmt.Errorf("after Restore: %w", err)
	}
	got, err := head(ctx, d, "bucket-a", "k")
	if err != nil {
		return err
	}
	if diff := cmp.Diff(want, got, infoCmp); diff != "" {
		return fmt.Errorf("after Restore: Head differs from the saved object (-want +got):\n%s", diff)
	}
	if err := snap.Release(); err != nil {
		return fmt.Errorf("Release after Restore: got %v, want nil", err)
	}
	if err := snap.Release(); err != nil {
		return fmt.Errorf("second Release: got %v, want nil", err)
	}
	if s, err := driver.TakeSnapshot(ctx, d, "bucket-a", "missing"); s != nil || err != nil {
		return fmt.Errorf("Snapshot of a missing key: got %v, %v, want nil, nil", s, err)
	}
	_, err = driver.TakeSnapshot(ctx, d, "no-such-bucket", "k")
	return wantIs("Snapshot(no-such-bucket, k)", err, driver.ErrBucketNotFound)
}
