package trove

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/trovemem/trovemem/driver"
)

// config is an immutable snapshot of the store's layout. Operations load it
// once and route against it without locks; changes copy it, edit the copy
// and swap it in, so a layout change never blocks or tears an operation
// that is under way.
type config struct {
	drivers map[string]driver.Driver // every backend, DefaultBackend included
	dsns    map[string]string
	order   []string // DefaultBackend first, then in mount order
	routes  []Route
	funcs   []RouteFuncInfo

	// clean and dirtied are backendSets of this layout (see publish):
	// the backends known to hold no key routed elsewhere are clean's
	// members that are not dirtied's.
	clean, dirtied atomic.Uint64
	// matchers are routes made ready for routing (see route), set by
	// publish.
	matchers []routeMatcher
}

func (c *config) clone() *config {
	n := &config{
		drivers: make(map[string]driver.Driver, len(c.drivers)),
		dsns:    make(map[string]string, len(c.dsns)),
		order:   slices.Clone(c.order),
		routes:  slices.Clone(c.routes),
		funcs:   slices.Clone(c.funcs),
		// Shared: publish makes new ones for a changed layout.
		matchers: c.matchers,
	}
	for k, v := range c.drivers {
		n.drivers[k] = v
	}
	for k, v := range c.dsns {
		n.dsns[k] = v
	}
	return n
}

// Store routes every object operation to one of its backends. Each backend
// is kept behind the portable layer (driver.Wrap), which checks names,
// cursors and ranges, refuses a closed backend and names the operation,
// bucket and key in every error it returns; so the store passes names on
// unchecked and adds context only to errors of its own.
//
// Concurrency: a Store is safe for concurrent use, and every write of a key
// (Put, PutOn, Delete, the destination of Copy and both ends of Move, and
// each object Rebalance moves) is linearizable with the other writes of that
// key, across backends and layout changes: a write resolves the key's
// backend, writes there and removes the key from the other backends as one
// step under the key's lock. So when concurrent writers of a key have
// returned, the key lives on exactly one backend and holds the value of
// the write that took effect last, and a write that returned nil is never
// undone by another. Bucket creation and deletion wait for the object
// writes in flight and hold new ones off, so DeleteBucket never removes a
// bucket that a concurrent Put is filling. Reads (Get, Head, List) take no
// locks: they see the layout snapshot they started with.
type Store struct {
	cfg atomic.Pointer[config]
	// mu serialises layout changes and bucket create/delete, which must see
	// and change every backend together.
	mu sync.Mutex
	// buckets is held shared by every object write and exclusively by
	// bucket create/delete; keys serialises the writes of one key.
	buckets       sync.RWMutex
	keys          *keyLocks
	closed        atomic.Bool
	defaultBucket string
}

// lockKeys takes the locks an object write needs for the given
// bucket/key pairs and returns their release.
func (s *Store) lockKeys(pairs ...[2]string) heldKeys {
	s.buckets.RLock()
	return heldKeys{s: s, stripes: s.keys.lock(pairs...)}
}

// heldKeys is what lockKeys took; unlock releases it. A value with a
// method, not a closure, so a put or delete allocates nothing to lock.
type heldKeys struct {
	s       *Store
	stripes heldStripes
}

func (h heldKeys) unlock() {
	h.stripes.unlock()
	h.s.buckets.RUnlock()
}

// Open returns a store whose default backend is drv. Routes are checked at
// once: a route to a backend that is not mounted, or an invalid pattern, is
// an error rather than a silent fall-back to the default. A driver may be
// given raw (memdriver.New()) or wrapped (driver.OpenDSN); the store puts
// the portable layer in front of it either way.
func Open(drv driver.Driver, opts ...Option) (*Store, error) {
	if drv == nil {
		return nil, errors.New("trove: Open needs a default driver")
	}
	drv = driver.Wrap(drv)
	var oc openConfig
	for _, o := range opts {
		o(&oc)
	}
	s := &Store{defaultBucket: oc.defaultBucket, keys: newKeyLocks()}
	s.publish(&config{
		drivers: map[string]driver.Driver{DefaultBackend: drv},
		dsns:    map[string]string{DefaultBackend: drv.Name() + "://"},
		order:   []string{DefaultBackend},
	})
	ctx := context.Background()
	for _, b := range oc.backends {
		if err := s.AddBackend(ctx, b.name, b.drv); err != nil {
			return nil, err
		}
	}
	for _, r := range oc.routes {
		if err := s.AddRoute(r.Pattern, r.Backend); err != nil {
			return nil, err
		}
	}
	for _, f := range oc.funcs {
		s.AddRouteFunc(f.Name, f.Func)
	}
	if oc.defaultBucket != "" {
		if err := s.CreateBucket(ctx, oc.defaultBucket); err != nil && !errors.Is(err, ErrBucketExists) {
			return nil, err
		}
	}
	return s, nil
}

// Close closes every backend. Operations after Close return ErrClosed.
func (s *Store) Close(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Swap(true) {
		return nil
	}
	var errs []error
	cfg := s.cfg.Load()
	for _, name := range cfg.order {
		if err := cfg.drivers[name].Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("close backend %q: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// Ping pings every backend.
func (s *Store) Ping(ctx context.Context) error {
	cfg, err := s.live("ping", "", "")
	if err != nil {
		return err
	}
	for _, name := range cfg.order {
		if err := cfg.drivers[name].Ping(ctx); err != nil {
			return fmt.Errorf("ping backend %q: %w", name, err)
		}
	}
	return nil
}

// live returns the current layout, or ErrClosed.
func (s *Store) live(op, bucket, key string) (*config, error) {
	if s.closed.Load() {
		return nil, driver.E(op, bucket, key, ErrClosed)
	}
	return s.cfg.Load(), nil
}

func (s *Store) bucketName(b string) string {
	if b == "" {
		return s.defaultBucket
	}
	return b
}

// object resolves the backend for bucket/key. It does not check the names:
// the backend's layer does, on the call that uses them.
func (s *Store) object(op, bucket, key string) (*config, string, error) {
	cfg, err := s.live(op, bucket, key)
	if err != nil {
		return nil, "", err
	}
	name, _ := cfg.explain(bucket, key, false)
	return cfg, name, nil
}

// Resolve returns the backend that bucket/key routes to.
func (s *Store) Resolve(bucket, key string) string {
	name, _ := s.cfg.Load().explain(s.bucketName(bucket), key, false)
	return name
}

// Explain returns the backend bucket/key routes to and every rule's verdict,
// in the order the rules are consulted.
func (s *Store) Explain(bucket, key string) *Explanation {
	_, ex := s.cfg.Load().explain(s.bucketName(bucket), key, true)
	return ex
}

// Put stores r under bucket/key on the backend the key routes to. A copy of
// the key left on another backend (by an earlier layout) is removed
// afterwards, because the new object replaces it: a key lives in one place.
func (s *Store) Put(ctx context.Context, bucket, key string, r io.Reader, opts ...driver.PutOption) (*ObjectInfo, error) {
	bucket = s.bucketName(bucket)
	defer s.lockKeys([2]string{bucket, key}).unlock()
	cfg, name, err := s.object("put", bucket, key)
	if err != nil {
		return nil, err
	}
	return s.put(ctx, cfg, name, cfg.mayHold(name), bucket, key, r, opts)
}

// PutOn is Put on the named backend, whatever the routes say. A dump uses
// it to bring every object back on the backend that held it, even one a
// route change left behind. The key is removed from every other backend,
// as with Put.
func (s *Store) PutOn(ctx context.Context, backend, bucket, key string, r io.Reader, opts ...driver.PutOption) (*ObjectInfo, error) {
	bucket = s.bucketName(bucket)
	defer s.lockKeys([2]string{bucket, key}).unlock()
	cfg, routed, err := s.object("put", bucket, key)
	if err != nil {
		return nil, err
	}
	if _, ok := cfg.drivers[backend]; !ok {
		return nil, driver.E("put", bucket, key, fmt.Errorf("%w %q (mounted: %s)", ErrUnknownBackend, backend, strings.Join(cfg.order, ", ")))
	}
	holders := cfg.mayHold(routed)
	if backend != routed {
		// The key will live where it does not route.
		cfg.dirty(backend)
		holders.add(cfg.index(backend))
	}
	return s.put(ctx, cfg, backend, holders, bucket, key, r, opts)
}

// put writes bucket/key on backend name and removes its other copies,
// from the backends of holders (those that may hold one) alone.
func (s *Store) put(ctx context.Context, cfg *config, name string, holders backendSet, bucket, key string, r io.Reader, opts []driver.PutOption) (*ObjectInfo, error) {
	if u := s.undo(ctx); u != nil {
		var err error
		if holders, err = u.saveKey(ctx, cfg, bucket, key, name, holders); err != nil {
			return nil, driver.E("put", bucket, key, err)
		}
	}
	info, err := cfg.drivers[name].Put(ctx, bucket, key, r, opts...)
	if err != nil {
		return nil, onBackend(name, err)
	}
	info.Backend = name
	if err := cfg.deleteFrom(ctx, bucket, key, name, holders); err != nil {
		return info, driver.E("put", bucket, key, err)
	}
	return info, nil
}

// Get opens bucket/key on the backend it routes to.
func (s *Store) Get(ctx context.Context, bucket, key string, opts ...driver.GetOption) (*ObjectReader, error) {
	bucket = s.bucketName(bucket)
	cfg, name, err := s.object("get", bucket, key)
	if err != nil {
		return nil, err
	}
	rd, err := cfg.drivers[name].Get(ctx, bucket, key, opts...)
	if err != nil {
		return nil, onBackend(name, err)
	}
	rd.Info.Backend = name
	return rd, nil
}

// Head returns bucket/key's info from the backend it routes to.
func (s *Store) Head(ctx context.Context, bucket, key string) (*ObjectInfo, error) {
	bucket = s.bucketName(bucket)
	cfg, name, err := s.object("head", bucket, key)
	if err != nil {
		return nil, err
	}
	info, err := cfg.drivers[name].Head(ctx, bucket, key)
	if err != nil {
		return nil, onBackend(name, err)
	}
	info.Backend = name
	return info, nil
}

// Delete removes bucket/key from every backend, so a copy stranded by a
// layout change goes too. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, bucket, key string) error {
	bucket = s.bucketName(bucket)
	defer s.lockKeys([2]string{bucket, key}).unlock()
	return s.delete(ctx, bucket, key)
}

// delete is Delete for callers that hold the key's lock.
func (s *Store) delete(ctx context.Context, bucket, key string) error {
	cfg, name, err := s.object("delete", bucket, key)
	if err != nil {
		return err
	}
	holders := cfg.mayHold(name)
	if u := s.undo(ctx); u != nil {
		if holders, err = u.saveKey(ctx, cfg, bucket, key, "", holders); err != nil {
			return driver.E("delete", bucket, key, err)
		}
	}
	if err := cfg.drivers[name].Delete(ctx, bucket, key); err != nil {
		return onBackend(name, err)
	}
	return driver.E("delete", bucket, key, cfg.deleteFrom(ctx, bucket, key, name, holders))
}

// Copy copies srcBucket/srcKey to dstBucket/dstKey. The destination is
// written where dstKey routes; when that is another backend than the
// source's, the content streams across.
func (s *Store) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string) (*ObjectInfo, error) {
	srcBucket, dstBucket = s.bucketName(srcBucket), s.bucketName(dstBucket)
	defer s.lockKeys([2]string{dstBucket, dstKey}).unlock()
	return s.copy(ctx, srcBucket, srcKey, dstBucket, dstKey)
}

// copy is Copy for callers that hold the destination key's lock. Both
// ends are resolved in one layout snapshot: resolving them in two let a
// backend mounted or unmounted in between name a driver the first
// snapshot lacked.
func (s *Store) copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string) (*ObjectInfo, error) {
	cfg, src, err := s.object("copy", srcBucket, srcKey)
	if err != nil {
		return nil, err
	}
	dst, _ := cfg.explain(dstBucket, dstKey, false)
	holders := cfg.mayHold(dst)
	if u := s.undo(ctx); u != nil {
		if holders, err = u.saveKey(ctx, cfg, dstBucket, dstKey, dst, holders); err != nil {
			return nil, driver.E("copy", dstBucket, dstKey, err)
		}
	}
	var info *ObjectInfo
	if src == dst {
		info, err = cfg.drivers[src].Copy(ctx, srcBucket, srcKey, dstBucket, dstKey)
		if err != nil {
			return nil, err
		}
	} else {
		rd, err := cfg.drivers[src].Get(ctx, srcBucket, srcKey)
		if err != nil {
			return nil, refusedAs("copy", err)
		}
		defer rd.Close()
		info, err = cfg.drivers[dst].Put(ctx, dstBucket, dstKey, rd,
			driver.WithContentType(rd.Info.ContentType), driver.WithMetadata(rd.Info.Metadata))
		if err != nil {
			return nil, refusedAs("copy", err)
		}
	}
	info.Backend = dst
	if err := cfg.deleteFrom(ctx, dstBucket, dstKey, dst, holders); err != nil {
		return info, driver.E("copy", dstBucket, dstKey, err)
	}
	return info, nil
}

// Move copies then deletes the source. Moving an object onto itself is a
// no-op that returns its info.
func (s *Store) Move(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string) (*ObjectInfo, error) {
	srcBucket, dstBucket = s.bucketName(srcBucket), s.bucketName(dstBucket)
	if srcBucket == dstBucket && srcKey == dstKey {
		return s.Head(ctx, srcBucket, srcKey)
	}
	defer s.lockKeys([2]string{srcBucket, srcKey}, [2]string{dstBucket, dstKey}).unlock()
	info, err := s.copy(ctx, srcBucket, srcKey, dstBucket, dstKey)
	if err != nil {
		return nil, err
	}
	if err := s.delete(ctx, srcBucket, srcKey); err != nil {
		return info, err
	}
	return info, nil
}

// refusedAs reports a backend's refusal of a name (ErrInvalidName) as the
// store operation op when the backend call was only a step of it, such as
// the Get of a copy across backends: the user asked for op, and the name is
// what is wrong, whichever step met it first. Other errors keep the step
// that failed.
func refusedAs(op string, err error) error {
	var de *driver.Error
	if !errors.Is(err, ErrInvalidName) || !errors.As(err, &de) || de.Op == op {
		return err
	}
	return &driver.Error{Op: op, Bucket: de.Bucket, Key: de.Key, Err: de.Err}
}

// onBackend names the backend in an error that is the backend's own (a
// server answering 503, refused credentials, a full disk), so its one-line
// message says which backend failed: "put b/k: backend "s3": S3 PutObject:
// 503 SlowDown". The contract's sentinels (a missing key, a bad name, a
// closed store, a cancelled context) are about the request, and keep the
// messages every backend gives them.
func onBackend(name string, err error) error {
	for _, sentinel := range []error{
		ErrBucketNotFound, ErrObjectNotFound, ErrBucketExists, ErrBucketNotEmpty, ErrClosed,
		ErrInvalidRange, ErrInvalidName, driver.ErrInvalidCursor, context.Canceled, context.DeadlineExceeded,
	} {
		if errors.Is(err, sentinel) {
			return err
		}
	}
	if de, ok := err.(*driver.Error); ok {
		c := *de
		c.Err = fmt.Errorf("backend %q: %w", name, de.Err)
		return &c
	}
	return fmt.Errorf("backend %q: %w", name, err)
}
