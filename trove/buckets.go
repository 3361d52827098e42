package trove

import (
	"context"
	"errors"
	"fmt"

	"github.com/trovemem/trovemem/driver"
)

// CreateBucket creates the bucket on every backend, so routed writes never
// meet a missing bucket. The bucket must not exist on the default backend;
// a backend that already has it (a persistent one, say) is fine. If any
// backend fails, the backends created so far are rolled back.
func (s *Store) CreateBucket(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buckets.Lock()
	defer s.buckets.Unlock()
	cfg, err := s.live("create-bucket", name, "")
	if err != nil {
		return err
	}
	var created []string
	u := s.undo(ctx)
	for _, b := range cfg.order {
		err := cfg.drivers[b].CreateBucket(ctx, name)
		if err == nil {
			created = append(created, b)
			if u != nil {
				u.createdBucket(cfg.drivers[b], name)
			}
			continue
		}
		if b != DefaultBackend && errors.Is(err, ErrBucketExists) {
			continue
		}
		for _, c := range created {
			_ = cfg.drivers[c].DeleteBucket(ctx, name)
		}
		if b != DefaultBackend {
			err = fmt.Errorf("on backend %q: %w", b, err)
		}
		return driver.E("create-bucket", name, "", err)
	}
	return nil
}

// DeleteBucket removes an empty bucket from every backend. If any backend
// holds an object in it, nothing is deleted and the error wraps
// ErrBucketNotEmpty and names that backend.
func (s *Store) DeleteBucket(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buckets.Lock()
	defer s.buckets.Unlock()
	cfg, err := s.live("delete-bucket", name, "")
	if err != nil {
		return err
	}
	for _, b := range cfg.order {
		n, err := countObjects(ctx, cfg.drivers[b], name, 1)
		if errors.Is(err, ErrBucketNotFound) && b != DefaultBackend {
			continue
		}
		if err != nil {
			return driver.E("delete-bucket", name, "", refusedAs("delete-bucket", err))
		}
		if n > 0 {
			return driver.E("delete-bucket", name, "", fmt.Errorf("%w (backend %q holds objects)", ErrBucketNotEmpty, b))
		}
	}
	u := s.undo(ctx)
	for _, b := range cfg.order {
		err := cfg.drivers[b].DeleteBucket(ctx, name)
		if err == nil && u != nil {
			u.deletedBucket(cfg.drivers[b], name)
		}
		if err != nil && (b == DefaultBackend || !errors.Is(err, ErrBucketNotFound)) {
			return err
		}
	}
	return nil
}

// ListBuckets returns the buckets, sorted by name. Every backend has the
// same buckets, so the default backend's list is the store's.
func (s *Store) ListBuckets(ctx context.Context) ([]BucketInfo, error) {
	cfg, err := s.live("list-buckets", "", "")
	if err != nil {
		return nil, err
	}
	return cfg.drivers[DefaultBackend].ListBuckets(ctx)
}

// countObjects counts the objects in bucket on drv, stopping at limit
// (limit <= 0 counts all).
func countObjects(ctx context.Context, drv driver.Driver, bucket string, limit int) (int, error) {
	n := 0
	err := walk(ctx, drv, bucket, func(*ObjectInfo) bool {
		n++
		return limit <= 0 || n < limit
	})
	return n, err
}

// walk calls fn for every object of bucket on drv, in key order, until fn
// returns false.
func walk(ctx context.Context, drv driver.Driver, bucket string, fn func(*ObjectInfo) bool) error {
	return walkPrefix(ctx, drv, bucket, "", fn)
}

// walkPrefix is walk over the keys that start with prefix only, a range
// scan of the backend's ordered listing.
func walkPrefix(ctx context.Context, drv driver.Driver, bucket, prefix string, fn func(*ObjectInfo) bool) error {
	cursor := ""
	for {
		it, err := drv.List(ctx, bucket, driver.WithPrefix(prefix), driver.WithCursor(cursor), driver.WithMaxKeys(driver.DefaultMaxKeys))
		if err != nil {
			return err
		}
		page, err := it.All(ctx)
		if err != nil {
			return err
		}
		for _, o := range page {
			if !fn(o) {
				return nil
			}
		}
		if cursor = it.NextToken(); cursor == "" {
			return nil
		}
	}
}
