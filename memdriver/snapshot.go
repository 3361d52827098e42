package memdriver

import (
	"context"
	"errors"

	"github.com/trovemem/trovemem/driver"
)

var _ driver.Snapshotter = (*MemDriver)(nil)

// errReleased is what a snapshot restored after Release returns.
var errReleased = errors.New("snapshot already released")

// Snapshot saves bucket/key by keeping a reference to its object. Stored
// objects are never modified, so the reference is the whole saved state:
// no copy of the content, no lookup beyond the one here.
func (d *MemDriver) Snapshot(ctx context.Context, bkt, key string) (driver.Snapshot, error) {
	obj, err := d.lookup(bkt, key)
	if err == driver.ErrObjectNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &snapshot{d: d, bucket: bkt, key: key, obj: obj}, nil
}

// snapshot is a saved object: the driver, the name and the object itself.
type snapshot struct {
	d           *MemDriver
	bucket, key string
	obj         *object
}

// Restore stores the saved object under its key again, exactly as it was:
// the same content, ETag, metadata and last-modified time, shared rather
// than copied.
func (s *snapshot) Restore(ctx context.Context) error {
	if s.obj == nil {
		return errReleased
	}
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	b, err := s.d.bucketLocked(s.bucket)
	if err != nil {
		return err
	}
	s.d.storeLocked(b, s.key, s.obj)
	return nil
}

// Release drops the reference, so the object's memory can be reclaimed
// once nothing else holds it.
func (s *snapshot) Release() error {
	s.obj = nil
	return nil
}
