package trove

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/trovemem/trovemem/driver"
)

// Undo records how to reverse the changes made through one context, so a
// command that fails halfway (or panics) can leave the store as it was.
// Begin returns it with the context to pass to the store's methods; the
// store records, before each change made with that context, what it takes
// to reverse it: the object a put or delete replaces, the buckets a create
// or mount adds. An object is saved through the backend's
// driver.Snapshotter, which holds no resource per object (the memory
// driver keeps its record, which refers to the immutable content; the disk
// driver a hard link in a trash folder), so a command may change more
// objects than the process may open files and still be undone. Only a
// backend without a Snapshotter has its replaced objects held open until
// Commit or Rollback. The layout (backends and routes) is restored from the
// snapshot taken at Begin, and a backend unmounted meanwhile is closed only
// at Commit, so a rollback can bring it back with its objects.
//
// An Undo is meant for one writer at a time, as in the REPL: changes made by
// other goroutines without its context are not recorded, and a rollback
// restores the layout it began with over any they made.
type Undo struct {
	store *Store
	begin *config

	mu     sync.Mutex
	steps  []undoStep // reversed on Rollback
	commit []func()   // on Commit only
	done   bool
	// changed says a change may have been made since Begin: a bucket was
	// created or deleted, or a key was saved for a write about to happen.
	// Without one, Rollback has nothing to reverse, and does nothing.
	changed bool
}

// undoStep reverses one change. It is a plain value rather than a closure
// because a replayed script records one for nearly every command, and the
// slice of them is reused from command to command.
type undoStep struct {
	kind   stepKind
	drv    driver.Driver
	bucket string
	key    string
	rd     *driver.ObjectReader // restorePut: the replaced object, held open
	snap   driver.Snapshot      // restoreSnap: the replaced object, saved
}

type stepKind int

const (
	restorePut   stepKind = iota // put rd back under bucket/key
	restoreSnap                  // restore snap
	removeKey                    // delete bucket/key, which did not exist
	removeBucket                 // delete bucket, which did not exist
	recreate                     // create bucket, which was deleted
)

func (st undoStep) run(ctx context.Context) error {
	switch st.kind {
	case restorePut:
		info := st.rd.Info
		_, err := st.drv.Put(ctx, st.bucket, st.key, st.rd,
			driver.WithContentType(info.ContentType),
			driver.WithMetadata(info.Metadata),
			driver.WithLastModified(info.LastModified))
		return err
	case restoreSnap:
		return st.snap.Restore(ctx)
	case removeKey:
		return st.drv.Delete(ctx, st.bucket, st.key)
	case removeBucket:
		err := st.drv.DeleteBucket(ctx, st.bucket)
		if errors.Is(err, ErrBucketNotFound) || errors.Is(err, ErrClosed) {
			return nil
		}
		return err
	default:
		return st.drv.CreateBucket(ctx, st.bucket)
	}
}

type undoKey struct{}

// Begin starts recording the changes made through the returned context.
// Every Begin must end with Commit or Rollback, which release what the
// record holds.
func (s *Store) Begin(ctx context.Context) (context.Context, *Undo) {
	u := &Undo{store: s, begin: s.cfg.Load()}
	return context.WithValue(ctx, undoKey{}, u), u
}

// undo returns the Undo recording ctx's changes to this store, if any.
func (s *Store) undo(ctx context.Context) *Undo {
	u, _ := ctx.Value(undoKey{}).(*Undo)
	if u == nil || u.store != s {
		return nil
	}
	return u
}

func (u *Undo) add(st undoStep) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.steps = append(u.steps, st)
}

// touch records that a change is about to be made, or was.
func (u *Undo) touch() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.changed = true
}

// saveKey records how to put bucket/key back as it is now on the backends
// of cfg that may hold it (may, from cfg.mayHold) and on target. A backend
// without the key needs a step only if it is target, the backend about to
// receive the key; the others are only ever deleted from. A backend that
// cannot hold the key at all (a disk backend refusing its name) or lacks
// the bucket has nothing to restore.
//
// It returns the backends that hold the key, as a set of indices into
// cfg.order (all of them when there are more than 64): a caller holding the
// key's lock may remove the key's other copies from those alone, since no
// other write through the store can place one meanwhile.
func (u *Undo) saveKey(ctx context.Context, cfg *config, bucket, key, target string, may backendSet) (holders backendSet, err error) {
	if len(cfg.order) > 64 {
		holders = allBackends
	}
	for i, name := range cfg.order {
		if !may.has(i) && name != target {
			continue
		}
		drv := cfg.drivers[name]
		snap, err := driver.TakeSnapshot(ctx, drv, bucket, key)
		switch {
		case errors.Is(err, errors.ErrUnsupported):
			err = u.holdOpen(ctx, drv, bucket, key)
		case err == nil && snap != nil:
			u.add(undoStep{kind: restoreSnap, drv: drv, bucket: bucket, key: key, snap: snap})
		case err == nil:
			err = ErrObjectNotFound
		}
		switch {
		case err == nil:
			holders.add(i)
		case errors.Is(err, ErrObjectNotFound):
			if name == target {
				u.add(undoStep{kind: removeKey, drv: drv, bucket: bucket, key: key})
			}
		case errors.Is(err, ErrBucketNotFound), errors.Is(err, ErrInvalidName):
		default:
			return allBackends, fmt.Errorf("record %s/%s on backend %q for undo: %w", bucket, key, name, err)
		}
	}
	// The caller writes the key next; until now nothing of it changed.
	u.touch()
	return holders, nil
}

// backendSet is a set of indices into a config's order; allBackends holds
// every index.
type backendSet uint64

const allBackends = ^backendSet(0)

func (s *backendSet) add(i int) {
	if i < 64 {
		*s |= 1 << i
	}
}

func (s backendSet) has(i int) bool { return i >= 64 || s&(1<<i) != 0 }

// deleteFrom removes bucket/key from the backends of holders but keep:
// those that may hold a copy (cfg.mayHold), or the copies saveKey found,
// under the key's lock. A backend that is closed was unmounted after this
// operation loaded the layout; its objects went with it, so there is
// nothing left to remove there. A backend that refuses the key's name (a
// disk backend refusing "..") cannot hold it either.
func (cfg *config) deleteFrom(ctx context.Context, bucket, key, keep string, holders backendSet) error {
	for i, other := range cfg.order {
		if other == keep || !holders.has(i) {
			continue
		}
		err := cfg.drivers[other].Delete(ctx, bucket, key)
		if err != nil && !errors.Is(err, ErrBucketNotFound) && !errors.Is(err, ErrClosed) && !errors.Is(err, ErrInvalidName) {
			return fmt.Errorf("remove old copy on backend %q: %w", other, err)
		}
	}
	return nil
}

// holdOpen saves bucket/key on a backend without a Snapshotter by keeping
// it open: the driver contract promises the reader the content as it was.
func (u *Undo) holdOpen(ctx context.Context, drv driver.Driver, bucket, key string) error {
	rd, err := drv.Get(ctx, bucket, key)
	if err == nil {
		u.add(undoStep{kind: restorePut, drv: drv, bucket: bucket, key: key, rd: rd})
	}
	return err
}

// createdBucket records that bucket was created on drv.
func (u *Undo) createdBucket(drv driver.Driver, bucket string) {
	u.add(undoStep{kind: removeBucket, drv: drv, bucket: bucket})
	u.touch()
}

// deletedBucket records that bucket was deleted from drv.
func (u *Undo) deletedBucket(drv driver.Driver, bucket string) {
	u.add(undoStep{kind: recreate, drv: drv, bucket: bucket})
	u.touch()
}

// unmounted defers closing an unmounted backend's driver to Commit.
func (u *Undo) unmounted(drv driver.Driver) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.commit = append(u.commit, func() { _ = drv.Close(context.Background()) })
}

// Empty reports whether nothing was recorded as changed since Begin: no
// object or bucket was written or deleted, and the layout is the one
// Begin saw. A session's undo skips such commands (an ls) to reach the
// last one that changed the store.
func (u *Undo) Empty() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return !u.changed && u.store.cfg.Load() == u.begin
}

// Commit keeps the changes and releases what the record held, closing the
// backends unmounted since Begin.
func (u *Undo) Commit() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return
	}
	u.done = true
	for _, f := range u.commit {
		f()
	}
	u.releaseLocked()
}

// Rollback reverses the recorded changes, newest first, and restores the
// layout taken at Begin: backends mounted since are closed and dropped,
// backends unmounted since come back. It carries on past a step that fails
// and reports every failure. When no object or bucket changed (a command
// failed before its first write), the saved objects are not written back,
// so a rollback of nothing cannot fail.
func (u *Undo) Rollback(ctx context.Context) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return nil
	}
	u.done = true
	defer u.releaseLocked()
	var errs []error
	if u.changed {
		for _, step := range slices.Backward(u.steps) {
			if err := step.run(ctx); err != nil {
				errs = append(errs, err)
			}
		}
	}
	s := u.store
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.cfg.Load()
	if cur != u.begin && !s.closed.Load() {
		for name, drv := range cur.drivers {
			if u.begin.drivers[name] != drv {
				if err := drv.Close(ctx); err != nil {
					errs = append(errs, fmt.Errorf("close backend %q: %w", name, err))
				}
			}
		}
		// The layout comes back without its clean set: writes under the
		// layouts since may have left keys that it routes elsewhere.
		s.cfg.Store(u.begin.clone())
	}
	return errors.Join(errs...)
}

// releaseLocked closes the readers and releases the snapshots the record
// holds and empties it, keeping the steps' storage for Restart.
func (u *Undo) releaseLocked() {
	for i, st := range u.steps {
		if st.rd != nil {
			st.rd.Close()
		}
		if st.snap != nil {
			_ = st.snap.Release()
		}
		u.steps[i] = undoStep{}
	}
	u.steps, u.commit = u.steps[:0], nil
}

// Restart begins a new record on the same context after Commit or
// Rollback, so a loop running one command after another (a replayed
// script) need not allocate a context and a record per command.
func (u *Undo) Restart() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.done {
		panic("trove: Undo.Restart before Commit or Rollback")
	}
	u.begin, u.done, u.changed = u.store.cfg.Load(), false, false
}
