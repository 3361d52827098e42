package memdriver

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"strings"

	"github.com/trovemem/trovemem/driver"
)

// Put reads all of r, hashes it and only then takes the write lock, so a
// slow reader never blocks other callers. A read error stores nothing.
func (d *MemDriver) Put(ctx context.Context, bkt, key string, r io.Reader, opts ...driver.PutOption) (*driver.ObjectInfo, error) {
	// Fail fast on a missing bucket before reading what may be a large body.
	if err := d.checkBucket(bkt); err != nil {
		return nil, err
	}
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	po := driver.ApplyPutOptions(opts)
	sum := md5.Sum(data)
	obj := &object{
		data:        data,
		etag:        hex.EncodeToString(sum[:]),
		contentType: po.ContentType,
		meta:        po.Metadata, // ApplyPutOptions already copied it.
	}

	d.mu.Lock()
	b, err := d.bucketLocked(bkt)
	if err != nil {
		d.mu.Unlock()
		return nil, err
	}
	obj.modified = po.LastModified
	if obj.modified.IsZero() {
		obj.modified = d.now()
	}
	d.storeLocked(b, key, obj)
	d.mu.Unlock()
	return obj.info(key), nil
}

// storeLocked puts obj under key in b and keeps the Stats totals right;
// d.mu must be held for writing.
func (d *MemDriver) storeLocked(b *bucket, key string, obj *object) {
	old, replaced := b.tree.ReplaceOrInsert(entry{key: key, obj: obj})
	if replaced {
		d.bytes -= int64(len(old.obj.data))
	} else {
		d.objects++
	}
	d.bytes += int64(len(obj.data))
}

// Get returns a reader over the stored content without copying it: stored
// slices are never written again, so the reader is isolated from later
// writes to the key by construction.
func (d *MemDriver) Get(ctx context.Context, bkt, key string, opts ...driver.GetOption) (*driver.ObjectReader, error) {
	obj, err := d.lookup(bkt, key)
	if err != nil {
		return nil, err
	}
	g := driver.ApplyGetOptions(opts)
	off, n, err := driver.ParseRange(g.Range, int64(len(obj.data)))
	if err != nil {
		return nil, err
	}
	return &driver.ObjectReader{
		ReadCloser: io.NopCloser(bytes.NewReader(obj.data[off : off+n])),
		Info:       obj.info(key),
	}, nil
}

// Head returns the object's info.
func (d *MemDriver) Head(ctx context.Context, bkt, key string) (*driver.ObjectInfo, error) {
	obj, err := d.lookup(bkt, key)
	if err != nil {
		return nil, err
	}
	return obj.info(key), nil
}

// Delete removes the object; a missing key is not an error.
func (d *MemDriver) Delete(ctx context.Context, bkt, key string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, err := d.bucketLocked(bkt)
	if err != nil {
		return err
	}
	if old, ok := b.tree.Delete(entry{key: key}); ok {
		d.objects--
		d.bytes -= int64(len(old.obj.data))
	}
	return nil
}

// Copy stores a new object at dst that shares the source's content and
// metadata (both immutable) and carries a fresh LastModified.
func (d *MemDriver) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string) (*driver.ObjectInfo, error) {
	d.mu.Lock()
	src, err := d.lookupLocked(srcBucket, srcKey)
	if err != nil {
		d.mu.Unlock()
		return nil, err
	}
	dst, err := d.bucketLocked(dstBucket)
	if err != nil {
		d.mu.Unlock()
		return nil, driver.AtDestination(err)
	}
	obj := &object{
		data:        src.data,
		etag:        src.etag,
		contentType: src.contentType,
		meta:        src.meta,
		modified:    d.now(),
	}
	d.storeLocked(dst, dstKey, obj)
	d.mu.Unlock()
	return obj.info(dstKey), nil
}

// lookup returns the object under bkt/key. The object is immutable, so it
// is safe to use after the read lock is released.
func (d *MemDriver) lookup(bkt, key string) (*object, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.lookupLocked(bkt, key)
}

// lookupLocked is lookup for callers that hold d.mu.
func (d *MemDriver) lookupLocked(bkt, key string) (*object, error) {
	b, err := d.bucketLocked(bkt)
	if err != nil {
		return nil, err
	}
	e, ok := b.tree.Get(entry{key: key})
	if !ok {
		return nil, driver.ErrObjectNotFound
	}
	return e.obj, nil
}

// checkBucket reports whether bkt exists, under the read lock.
func (d *MemDriver) checkBucket(bkt string) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	_, err := d.bucketLocked(bkt)
	return err
}

// readAll reads r to the end into a slice that will be stored for the
// object's lifetime, so it avoids leaving spare capacity behind: in-memory
// readers are read into an exactly sized slice, and anything else is
// trimmed when io.ReadAll's growth left much unused.
func readAll(r io.Reader) ([]byte, error) {
	switch src := r.(type) {
	case *bytes.Reader:
		return readExactly(src, src.Len())
	case *strings.Reader:
		return readExactly(src, src.Len())
	case *bytes.Buffer:
		return readExactly(src, src.Len())
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if spare := cap(data) - len(data); spare > 64 && spare > len(data)/16 {
		data = bytes.Clone(data)
	}
	return data, nil
}

// readExactly reads the n bytes an in-memory reader reports it has left.
func readExactly(r io.Reader, n int) ([]byte, error) {
	if n == 0 {
		return nil, nil
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, err
	}
	return data, nil
}
