package memdriver

import (
	"bytes"
	"context"
	"crypto/md5"
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
	var etag [md5.Size]byte
	if po.ContentMD5 != nil {
		copy(etag[:], po.ContentMD5)
	} else {
		etag = md5.Sum(data)
	}

	d.mu.Lock()
	b, err := d.bucketLocked(bkt)
	if err != nil {
		d.mu.Unlock()
		return nil, err
	}
	modified := po.LastModified
	if modified.IsZero() {
		modified = d.now()
	}
	// ApplyPutOptions already copied the metadata map.
	obj := newObject(data, etag, po.ContentType, po.Metadata, modified)
	d.storeLocked(b, key, &obj)
	d.mu.Unlock()
	return obj.info(key), nil
}

// storeLocked stores a copy of *obj under key in b and keeps the Stats
// totals right; d.mu must be held for writing. An overwrite rewrites the
// key's record in place (one hash probe, no tree descent); a new key gets
// a record of its own and an owned copy of the key, shared by both indexes,
// so the store never pins a larger string the key was cut from.
func (d *MemDriver) storeLocked(b *bucket, key string, obj *object) {
	d.bytes += int64(len(obj.data))
	if cur, ok := b.index[key]; ok {
		d.bytes -= int64(len(cur.data))
		obj.key = cur.key
		*cur = *obj
		return
	}
	rec := new(object)
	*rec = *obj
	rec.key = strings.Clone(key)
	b.index[rec.key] = rec
	b.tree.ReplaceOrInsert(rec)
	d.objects++
}

// openObject is what Get hands out, in one allocation: the reader over the
// stored content, the reader's ObjectInfo and the room for its ETag.
type openObject struct {
	rd   driver.ObjectReader
	body objectBody
	cell infoCell
}

// objectBody reads stored content; closing it releases nothing.
type objectBody struct{ bytes.Reader }

func (*objectBody) Close() error { return nil }

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
	o := new(openObject)
	o.body.Reset(obj.data[off : off+n])
	obj.fill(&o.cell.info, key, &o.cell.etag)
	o.rd = driver.ObjectReader{ReadCloser: &o.body, Info: &o.cell.info}
	return &o.rd, nil
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
	if old, ok := b.index[key]; ok {
		delete(b.index, key)
		b.tree.Delete(old)
		d.objects--
		d.bytes -= int64(len(old.data))
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
	// The content and attributes are shared, never copied.
	obj := src.withModified(d.now())
	d.storeLocked(dst, dstKey, &obj)
	d.mu.Unlock()
	return obj.info(dstKey), nil
}

// lookup returns a copy of the record under bkt/key, taken under the read
// lock; its content slice and metadata map are immutable, so the copy is a
// consistent snapshot once the lock is released.
func (d *MemDriver) lookup(bkt, key string) (object, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.lookupLocked(bkt, key)
}

// lookupLocked is lookup for callers that hold d.mu.
func (d *MemDriver) lookupLocked(bkt, key string) (object, error) {
	b, err := d.bucketLocked(bkt)
	if err != nil {
		return object{}, err
	}
	rec, ok := b.index[key]
	if !ok {
		return object{}, driver.ErrObjectNotFound
	}
	return *rec, nil
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
	case *driver.Handoff:
		// The caller gave these bytes up, so they are stored as they are
		// (unless trimSpare must copy them).
		data := src.Take()
		if len(data) == 0 {
			return nil, nil
		}
		return trimSpare(data), nil
	case *bytes.Reader:
		return readExactly(src, src.Len())
	case *strings.Reader:
		return readExactly(src, src.Len())
	case *bytes.Buffer:
		return readExactly(src, src.Len())
	case interface{ Len() int }:
		// A reader that knows how much it holds (a file of known size, as
		// trovemem's put --file hands over) is read into one exactly sized
		// slice, so a 512 MiB file costs 512 MiB, not io.ReadAll's
		// doubling growth.
		return readSized(r, src.Len())
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return trimSpare(data), nil
}

// trimSpare returns data, or a copy of it when the slice has much more
// room than content, which the store would otherwise pin for the object's
// lifetime.
func trimSpare(data []byte) []byte {
	if spare := cap(data) - len(data); spare > 64 && spare > len(data)/16 {
		return bytes.Clone(data)
	}
	return data
}

// readSized reads a reader that announced n bytes: into an exactly sized
// slice, then whatever follows if it held more than it said.
func readSized(r io.Reader, n int) ([]byte, error) {
	data, err := readExactly(r, n)
	if err != nil {
		return nil, err
	}
	rest, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		data = append(data, rest...)
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
