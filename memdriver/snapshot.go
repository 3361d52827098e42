package memdriver

import (
	"context"
	"errors"

	"github.com/trovemem/trovemem/driver"
)

var _ driver.Snapshotter = (*MemDriver)(nil)

// errReleased is what a snapshot restored after Release returns.
var errReleased = errors.New("snapshot already released")

// Snapshot saves bucket/key by keeping a copy of its compact record, which
// refers to the content rather than holding it: content slices (and the
// attributes) are never modified, so the record is the whole saved state,
// with no copy of the content and no lookup beyond the one here.
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

// snapshot is a saved object: the driver, the name and the record.
type snapshot struct {
	d           *MemDriver
	bucket, key string
	obj         object
	released    bool
}

// Restore stores the saved record under its key again, exactly as it was:
// the same content, ETag, metadata and last-modified time, shared rather
// than copied.
func (s *snapshot) Restore(ctx context.Context) error {
	if s.released {
		return errReleased
	}
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	b, err := s.d.bucketLocked(s.bucket)
	if err != nil {
		return err
	}
	obj := s.obj
	s.d.storeLocked(b, s.key, &obj)
	return nil
}

// Release drops the record, so the content's memory can be reclaimed once
// nothing else refers to it.
func (s *snapshot) Release() error {
	s.obj, s.released = object{}, true
	return nil
}
