// Package memdriver owns trovemem's in-memory storage backend: buckets of
// immutable objects kept in ordered B-tree indexes behind one read-write
// mutex. It registers the "mem" scheme, so a blank import makes "mem://"
// resolvable through driver.OpenDSN; data lives only as long as the process.
// Names, the closed state and error context are the portable layer's
// (driver.Wrap); this package holds only the storage.
package memdriver

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unique"
	"unsafe"

	"github.com/google/btree"

	"github.com/trovemem/trovemem/driver"
)

// Scheme is the DSN scheme the driver registers, as in "mem://".
const Scheme = "mem"

// treeDegree is the B-tree's minimum degree. Nodes then hold up to 63 items,
// which keeps the per-object index overhead to a few dozen bytes and a seek
// to a handful of node visits even at millions of keys.
const treeDegree = 32

func init() {
	driver.Register(Scheme, Open)
}

var _ driver.Driver = (*MemDriver)(nil)

// MemDriver is an in-memory driver.Driver. The zero value is not usable; call
// New. It is safe for concurrent use: reads share the lock, writes hold it
// alone, and no I/O or hashing happens while it is held.
type MemDriver struct {
	mu  sync.RWMutex
	now func() time.Time
	// buckets is nil once Close has run, so a call still in flight when
	// Close ran stores nothing.
	buckets map[string]*bucket
	objects int   // objects across all buckets, for Stats
	bytes   int64 // payload bytes across all buckets, for Stats
}

// bucket is one bucket's objects under two indexes over the same records:
// an ordered B-tree that List walks and a hash index for point lookups, so
// Get, Head and an overwriting Put cost one hash probe however many keys the
// bucket holds. Both indexes share each record's key bytes and point at the
// same record, so an overwrite changes the record in place and touches
// neither index.
type bucket struct {
	created time.Time
	tree    *btree.BTreeG[*object]
	index   map[string]*object
}

func newBucket(created time.Time) *bucket {
	return &bucket{created: created, tree: btree.NewG(treeDegree, objectLess), index: make(map[string]*object)}
}

// objectLess orders the B-tree by key. The tree holds record pointers
// rather than (key, pointer) pairs: sequential inserts leave google/btree's
// nodes half full, so every byte of an item counts twice per object.
func objectLess(a, b *object) bool { return a.key < b.key }

// object is a stored object's record, kept compact because there is one
// per key: 80 bytes with the ETag's MD5 inline and the time as nanoseconds.
// Its fields change only under the write lock, all together, when the key
// is overwritten; readers copy the record under the read lock. The content
// slice and the attrs it points at are never written after they are stored,
// so a reader keeps seeing the content it opened, and copies of an object
// share its content and attributes.
type object struct {
	key      string
	data     []byte
	etag     [md5.Size]byte
	modified int64  // Unix nanoseconds, unless attrs.modified is set
	attrs    *attrs // nil for the default content type, no metadata, and a time in range
}

// attrs are the parts of an object most objects do not have: a content
// type other than the default, user metadata, or a modification time
// outside the years 1678 to 2262 that nanoseconds since 1970 can carry.
type attrs struct {
	contentType string
	meta        map[string]string
	modified    *time.Time
}

// newObject makes a record from what a put gives, with etag the MD5 of
// data; meta is owned by it. The strings it keeps are its own: a caller's
// content type or metadata may be cut from a larger string (a replayed
// dump's 1 KiB line), which a stored record would otherwise pin for the
// object's lifetime. Content types, which few objects differ in, are
// interned.
func newObject(data []byte, etag [md5.Size]byte, contentType string, meta map[string]string, modified time.Time) object {
	o := object{data: data, etag: etag}
	if contentType != driver.DefaultContentType || meta != nil {
		if meta != nil {
			owned := make(map[string]string, len(meta))
			for k, v := range meta {
				owned[strings.Clone(k)] = strings.Clone(v)
			}
			meta = owned
		}
		if meta == nil {
			o.attrs = typeAttrs(contentType)
		} else {
			o.attrs = &attrs{meta: meta}
			if contentType != driver.DefaultContentType {
				o.attrs.contentType = unique.Make(contentType).Value()
			}
		}
	}
	return o.withModified(modified)
}

// sharedAttrs holds the attrs of objects that differ from the default
// only in their content type: one per content type, shared by every such
// object (attrs are never written once stored), up to maxSharedAttrs
// content types. A dump of a million text/plain objects then holds one
// attrs rather than a million for the collector to scan.
var sharedAttrs struct {
	sync.RWMutex
	m map[string]*attrs
}

const maxSharedAttrs = 1024

// typeAttrs returns the attrs of an object with content type ct and
// nothing else set.
func typeAttrs(ct string) *attrs {
	sharedAttrs.RLock()
	a, ok := sharedAttrs.m[ct]
	sharedAttrs.RUnlock()
	if ok {
		return a
	}
	a = &attrs{contentType: unique.Make(ct).Value()}
	sharedAttrs.Lock()
	defer sharedAttrs.Unlock()
	if got, ok := sharedAttrs.m[ct]; ok {
		return got
	}
	if len(sharedAttrs.m) < maxSharedAttrs {
		if sharedAttrs.m == nil {
			sharedAttrs.m = make(map[string]*attrs)
		}
		sharedAttrs.m[a.contentType] = a
	}
	return a
}

// withModified returns o stamped with t. Nanoseconds hold t unless it lies
// outside their range (UnixNano overflows silently, so the check
// round-trips t); then the time goes into attrs. Stored attrs are never
// written, so a change makes a new one and an unchanged one stays shared.
func (o object) withModified(t time.Time) object {
	if n := t.UnixNano(); time.Unix(0, n).Equal(t) {
		o.modified = n
		if o.attrs != nil && o.attrs.modified != nil {
			a := *o.attrs
			a.modified = nil
			o.attrs = &a
			if a.contentType == "" && a.meta == nil {
				o.attrs = nil
			}
		}
		return o
	}
	var a attrs
	if o.attrs != nil {
		a = *o.attrs
	}
	// A copy of its own, so t itself stays on the stack on the common path.
	out := t
	a.modified = &out
	o.modified, o.attrs = 0, &a
	return o
}

func (o *object) contentType() string {
	if o.attrs == nil || o.attrs.contentType == "" {
		return driver.DefaultContentType
	}
	return o.attrs.contentType
}

func (o *object) meta() map[string]string {
	if o.attrs == nil {
		return nil
	}
	return o.attrs.meta
}

func (o *object) lastModified() time.Time {
	if o.attrs != nil && o.attrs.modified != nil {
		return *o.attrs.modified
	}
	return time.Unix(0, o.modified).UTC()
}

// hexETag is the room an ObjectInfo's hex ETag is written into. It lives in
// the same allocation as the ObjectInfo, so an info costs one allocation.
type hexETag [2 * md5.Size]byte

// fill sets *info to describe o stored under key, writing the hex ETag into
// buf; the metadata map is copied so callers never alias stored state.
func (o *object) fill(info *driver.ObjectInfo, key string, buf *hexETag) {
	hex.Encode(buf[:], o.etag[:])
	*info = driver.ObjectInfo{
		Key:          key,
		Size:         int64(len(o.data)),
		ContentType:  o.contentType(),
		ETag:         unsafe.String(&buf[0], len(buf)),
		LastModified: o.lastModified(),
		Metadata:     driver.CloneMetadata(o.meta()),
	}
}

// infoCell is an ObjectInfo with the room for its ETag.
type infoCell struct {
	info driver.ObjectInfo
	etag hexETag
}

// info returns a fresh ObjectInfo for o stored under key.
func (o *object) info(key string) *driver.ObjectInfo {
	c := new(infoCell)
	o.fill(&c.info, key, &c.etag)
	return &c.info
}

// New returns a driver that is ready at once. Only driver.WithClock is
// meaningful among opts. The driver is the raw storage: put driver.Wrap in
// front of it for name checks and error context (trove.Open and
// driver.OpenDSN do).
func New(opts ...driver.Option) *MemDriver {
	d := &MemDriver{now: time.Now, buckets: make(map[string]*bucket)}
	if o := driver.ApplyOptions(opts); o.Clock != nil {
		d.now = o.Clock
	}
	return d
}

// Open is the driver's driver.Opener: any "mem://" DSN opens a new, empty
// driver, so each DSN gets a store of its own. A DSN of another scheme
// wraps driver.ErrUnknownScheme, since this driver does not serve it.
func Open(ctx context.Context, dsn *driver.DSN, opts ...driver.Option) (driver.Driver, error) {
	if dsn.Scheme != Scheme {
		return nil, fmt.Errorf("%w %q: the memory driver serves only %s:// DSNs, not %q",
			driver.ErrUnknownScheme, dsn.Scheme, Scheme, dsn.Raw)
	}
	return New(opts...), nil
}

// Name returns "mem".
func (d *MemDriver) Name() string { return Scheme }

// Close drops every bucket and object.
func (d *MemDriver) Close(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.buckets = nil
	d.objects, d.bytes = 0, 0
	return nil
}

// Ping has nothing to reach.
func (d *MemDriver) Ping(ctx context.Context) error { return nil }

// Stats returns how many buckets and objects the driver holds and the total
// size of the objects' content. The totals are kept up to date by every
// write, so Stats costs O(1) however much is stored.
func (d *MemDriver) Stats() (buckets, objects int, bytes int64) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.buckets), d.objects, d.bytes
}

// CreateBucket creates an empty bucket stamped with the driver's clock.
func (d *MemDriver) CreateBucket(ctx context.Context, name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.buckets == nil {
		return driver.ErrClosed
	}
	if _, ok := d.buckets[name]; ok {
		return driver.ErrBucketExists
	}
	// The name is kept for the bucket's lifetime: an owned copy, so it
	// never pins (or shares the bytes of) the larger string it came in.
	d.buckets[strings.Clone(name)] = newBucket(d.now())
	return nil
}

// DeleteBucket removes an empty bucket.
func (d *MemDriver) DeleteBucket(ctx context.Context, name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, err := d.bucketLocked(name)
	if err != nil {
		return err
	}
	if n := len(b.index); n > 0 {
		return fmt.Errorf("%w: holds %d objects", driver.ErrBucketNotEmpty, n)
	}
	delete(d.buckets, name)
	return nil
}

// ListBuckets returns every bucket sorted by name. Buckets are few, so they
// are sorted per call rather than indexed.
func (d *MemDriver) ListBuckets(ctx context.Context) ([]driver.BucketInfo, error) {
	d.mu.RLock()
	out := make([]driver.BucketInfo, 0, len(d.buckets))
	for name, b := range d.buckets {
		out = append(out, driver.BucketInfo{Name: name, CreatedAt: b.created})
	}
	d.mu.RUnlock()
	slices.SortFunc(out, func(a, b driver.BucketInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// bucketLocked returns the named bucket; d.mu must be held.
func (d *MemDriver) bucketLocked(name string) (*bucket, error) {
	if d.buckets == nil {
		return nil, driver.ErrClosed
	}
	b, ok := d.buckets[name]
	if !ok {
		return nil, driver.ErrBucketNotFound
	}
	return b, nil
}

// HoldsObjects reports whether any bucket holds an object. The memory
// driver is driver.Exclusive: its objects change only through its methods.
func (d *MemDriver) HoldsObjects() bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.objects > 0
}
