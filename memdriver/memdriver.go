// Package memdriver owns trovemem's in-memory storage backend: buckets of
// immutable objects kept in ordered B-tree indexes behind one read-write
// mutex. It registers the "mem" scheme, so a blank import makes "mem://"
// resolvable through driver.OpenDSN; data lives only as long as the process.
// Names, the closed state and error context are the portable layer's
// (driver.Wrap); this package holds only the storage.
package memdriver

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

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

// bucket is one bucket's ordered index of objects.
type bucket struct {
	created time.Time
	tree    *btree.BTreeG[entry]
}

// entry is what the B-tree stores: the key inline, so comparisons never
// chase a pointer, and the object it currently names.
type entry struct {
	key string
	obj *object
}

func entryLess(a, b entry) bool { return a.key < b.key }

// object is a stored object. It is never modified after it is stored: an
// overwrite replaces the entry's pointer, so readers holding the old object
// (and its data slice) keep seeing the old content, and objects can share
// their data, ETag and metadata map with copies of themselves.
type object struct {
	data        []byte
	etag        string
	contentType string
	modified    time.Time
	meta        map[string]string
}

// info returns a fresh ObjectInfo for the object stored under key; the
// metadata map is copied so callers never alias stored state.
func (o *object) info(key string) *driver.ObjectInfo {
	info := new(driver.ObjectInfo)
	o.fill(info, key)
	return info
}

func (o *object) fill(info *driver.ObjectInfo, key string) {
	*info = driver.ObjectInfo{
		Key:          key,
		Size:         int64(len(o.data)),
		ContentType:  o.contentType,
		ETag:         o.etag,
		LastModified: o.modified,
		Metadata:     driver.CloneMetadata(o.meta),
	}
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
	d.buckets[name] = &bucket{created: d.now(), tree: btree.NewG(treeDegree, entryLess)}
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
	if n := b.tree.Len(); n > 0 {
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
