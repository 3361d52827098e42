package trove

import (
	"context"

	"github.com/trovemem/trovemem/driver"
)

// List returns one page of bucket's objects merged from every backend in key
// order under one cursor; each entry's Backend says which backend holds it.
// Because every backend resumes strictly after the same cursor, the first
// MaxKeys entries of the merge are exactly the first MaxKeys of the union,
// and paging yields each key once. A key found on two backends (left behind
// by a layout change and never overwritten) is listed once, from the backend
// it routes to now.
func (s *Store) List(ctx context.Context, bucket string, opts ...driver.ListOption) (*ObjectIterator, error) {
	bucket = s.bucketName(bucket)
	cfg, err := s.live("list", bucket, "")
	if err != nil {
		return nil, err
	}
	if len(cfg.order) == 1 {
		it, err := cfg.drivers[DefaultBackend].List(ctx, bucket, opts...)
		if err != nil {
			return nil, err
		}
		page, _ := it.All(ctx)
		for _, o := range page {
			if !o.IsPrefix {
				o.Backend = DefaultBackend
			}
		}
		// The driver's iterator, rewound, is the page: no copy of it.
		it.Reset(page, it.NextToken())
		return it, nil
	}
	lo := driver.ApplyListOptions(opts)

	type source struct {
		name    string
		page    []*ObjectInfo
		hasMore bool
	}
	srcs := make([]source, 0, len(cfg.order))
	for _, name := range cfg.order {
		it, err := cfg.drivers[name].List(ctx, bucket, opts...)
		if err != nil {
			if name != DefaultBackend && driver.IsNotFound(err) {
				continue
			}
			return nil, err
		}
		page, err := it.All(ctx)
		if err != nil {
			return nil, driver.E("list", bucket, "", err)
		}
		srcs = append(srcs, source{name: name, page: page, hasMore: it.NextToken() != ""})
	}

	// Size the page by what the backends returned, never by the page size
	// asked for: a user may ask for 2^63-1 entries.
	have := 0
	for _, src := range srcs {
		have += len(src.page)
	}
	out := make([]*ObjectInfo, 0, min(lo.MaxKeys, have))
	for len(out) < lo.MaxKeys {
		// Few backends: a linear scan for the smallest head beats a heap.
		min := -1
		for i := range srcs {
			if len(srcs[i].page) > 0 && (min < 0 || srcs[i].page[0].Key < srcs[min].page[0].Key) {
				min = i
			}
		}
		if min < 0 {
			break
		}
		key := srcs[min].page[0].Key
		var pick *ObjectInfo
		owner := ""
		for i := range srcs {
			if len(srcs[i].page) == 0 || srcs[i].page[0].Key != key {
				continue
			}
			e := srcs[i].page[0]
			srcs[i].page = srcs[i].page[1:]
			if pick == nil {
				pick, owner = e, srcs[i].name
				continue
			}
			// The same key on two backends: keep the copy the key routes to.
			if !e.IsPrefix && srcs[i].name == s.resolveIn(cfg, bucket, key) {
				pick, owner = e, srcs[i].name
			}
		}
		if !pick.IsPrefix {
			pick.Backend = owner
		}
		out = append(out, pick)
	}
	next := ""
	if len(out) > 0 {
		for _, src := range srcs {
			if len(src.page) > 0 || src.hasMore {
				next = driver.EncodeCursor(out[len(out)-1].Key)
				break
			}
		}
	}
	return driver.NewObjectIterator(out, next), nil
}

func (s *Store) resolveIn(cfg *config, bucket, key string) string {
	name, _ := cfg.explain(bucket, key, false)
	return name
}
