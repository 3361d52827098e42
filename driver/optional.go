package driver

import (
	"context"
	"errors"
)

// The optional interfaces below are ones a driver may implement on top of
// Driver. The portable layer passes each through (the wrapped driver has the
// method whether or not the raw one does) and says so with
// errors.ErrUnsupported or an empty answer, so callers ask the wrapped
// driver and need not unwrap it.

// StorageIdentifier is implemented by a driver that can name the storage it
// serves. Two drivers with the same non-empty StorageID read and write the
// same objects, however differently their DSNs are spelled (a trailing
// slash, a symlink, a relative path); a router must never mount both, since
// removing "the other copy" of a key through one deletes it through both.
type StorageIdentifier interface {
	// StorageID returns an identifier of the storage, stable while the
	// driver is open, or "" when the driver cannot tell. It is compared,
	// never parsed or shown, and needs no I/O.
	StorageID() string
}

// StorageID returns d's StorageID, or "" when d does not implement
// StorageIdentifier. Each driver's StorageID is prefixed with its scheme,
// so drivers of two schemes never compare equal.
func StorageID(d Driver) string {
	if si, ok := d.(StorageIdentifier); ok {
		if id := si.StorageID(); id != "" {
			return d.Name() + ":" + id
		}
	}
	return ""
}

// Snapshotter is implemented by a driver that can save an object's current
// state for undo without holding a resource per object: no open file, no
// connection, no copy of the content. The memory driver keeps a reference
// to the immutable object; the disk driver hard-links the content into a
// trash folder inside its root.
type Snapshotter interface {
	// Snapshot saves bucket/key as it is now. A missing key returns a nil
	// Snapshot and a nil error (undo records of puts meet missing keys on
	// most backends, and an error value per backend would cost more than
	// the snapshot); a missing bucket is ErrBucketNotFound.
	Snapshot(ctx context.Context, bucket, key string) (Snapshot, error)
}

// Snapshot is one saved object.
type Snapshot interface {
	// Restore puts the object back under its bucket and key exactly as it
	// was saved (content, content type, metadata, last-modified time),
	// replacing whatever is there now. The bucket must exist.
	Restore(ctx context.Context) error
	// Release frees what the snapshot keeps once the change it guarded is
	// kept. Restore after Release is an error; Release twice is not.
	Release() error
}

// TakeSnapshot saves bucket/key through d's Snapshotter (nil, nil for a
// missing key), or reports errors.ErrUnsupported when d has none.
func TakeSnapshot(ctx context.Context, d Driver, bucket, key string) (Snapshot, error) {
	if s, ok := d.(Snapshotter); ok {
		return s.Snapshot(ctx, bucket, key)
	}
	return nil, errors.ErrUnsupported
}

// StorageID passes the raw driver's StorageID through.
func (p *portable) StorageID() string {
	if si, ok := p.d.(StorageIdentifier); ok {
		return si.StorageID()
	}
	return ""
}

// Snapshot checks the names and state as for Head and passes the call to
// the raw driver; errors.ErrUnsupported if it has no Snapshotter.
func (p *portable) Snapshot(ctx context.Context, bucket, key string) (Snapshot, error) {
	const op = "snapshot"
	s, ok := p.d.(Snapshotter)
	if !ok {
		return nil, errors.ErrUnsupported
	}
	if err := p.beginObject(ctx, op, bucket, key); err != nil {
		return nil, err
	}
	snap, err := s.Snapshot(ctx, bucket, key)
	if err != nil || snap == nil {
		return nil, E(op, bucket, key, err)
	}
	return &portableSnapshot{p: p, s: snap, bucket: bucket, key: key}, nil
}

// portableSnapshot names the object in a failed Restore's error.
type portableSnapshot struct {
	p           *portable
	s           Snapshot
	bucket, key string
}

func (ps *portableSnapshot) Restore(ctx context.Context) error {
	if ps.p.closed.Load() {
		return E("restore", ps.bucket, ps.key, ErrClosed)
	}
	return E("restore", ps.bucket, ps.key, ps.s.Restore(ctx))
}

func (ps *portableSnapshot) Release() error {
	return E("release", ps.bucket, ps.key, ps.s.Release())
}

// Exclusive is implemented by a driver whose storage nothing else writes:
// its objects change only through its own methods, as the memory driver's
// do (a disk or S3 backend can be changed by other processes, and does not
// implement it). A router may then rely on what it knows of the objects it
// placed there, rather than asking the driver about every key.
//
// A driver that implements Exclusive must be mounted in one router only.
type Exclusive interface {
	// HoldsObjects reports whether the driver holds any object, in O(1)
	// and without I/O.
	HoldsObjects() bool
}

// ExclusiveEmpty reports whether d implements Exclusive and holds no
// object: only then may a router conclude that d holds no copy of a key
// it has not written there since.
func ExclusiveEmpty(d Driver) bool {
	if p, ok := d.(*portable); ok {
		d = p.d
	}
	e, ok := d.(Exclusive)
	return ok && !e.HoldsObjects()
}
