package memdriver

import (
	"context"
	"strings"

	"github.com/trovemem/trovemem/driver"
)

// List returns one page of the bucket's listing. It seeks the ordered index
// to the cursor (or prefix) and walks forward, so a page costs O(log n +
// page size) however large the bucket is. A common prefix is emitted once
// and the walk then seeks past its whole group rather than visiting it.
func (d *MemDriver) List(ctx context.Context, bkt string, opts ...driver.ListOption) (*driver.ObjectIterator, error) {
	const op = "list"
	if err := d.begin(ctx); err != nil {
		return nil, driver.E(op, bkt, "", err)
	}
	if err := driver.ValidateBucketName(bkt); err != nil {
		return nil, driver.E(op, bkt, "", err)
	}
	lo := driver.ApplyListOptions(opts)
	after, err := driver.DecodeCursor(lo.Cursor)
	if err != nil {
		return nil, driver.E(op, bkt, "", err)
	}

	d.mu.RLock()
	b, err := d.bucketLocked(bkt)
	if err != nil {
		d.mu.RUnlock()
		return nil, driver.E(op, bkt, "", err)
	}
	page, more := walkPage(b, lo.Prefix, lo.Delimiter, after, lo.MaxKeys)
	d.mu.RUnlock()

	entries := make([]*driver.ObjectInfo, len(page))
	for i := range page {
		entries[i] = &page[i]
	}
	next := ""
	if more {
		next = driver.EncodeCursor(page[len(page)-1].Key)
	}
	return driver.NewObjectIterator(entries, next), nil
}

// walkPage gathers up to limit entries whose entry key is past after, and
// reports whether any entry remains beyond them. The caller holds the read
// lock. The infos share one backing array, so a page costs a couple of
// allocations rather than one per entry; none of them aliases stored state.
//
// Every entry with a given common prefix P sorts in one contiguous run of
// keys starting with P, and every key at or past PrefixEnd(P) has an entry
// key greater than P. So after emitting (or skipping) P the walk restarts
// at PrefixEnd(P); each restart is one O(log n) seek.
func walkPage(b *bucket, prefix, delim, after string, limit int) (page []driver.ObjectInfo, more bool) {
	page = make([]driver.ObjectInfo, 0, min(limit, b.tree.Len(), 1024))
	start := max(prefix, after)
	for {
		restart := false
		b.tree.AscendGreaterOrEqual(entry{key: start}, func(e entry) bool {
			if !strings.HasPrefix(e.key, prefix) {
				return false
			}
			name, isPrefix := driver.ListEntryKey(e.key, prefix, delim)
			if name > after {
				if len(page) == limit {
					more = true
					return false
				}
				page = append(page, driver.ObjectInfo{})
				if info := &page[len(page)-1]; isPrefix {
					info.Key, info.IsPrefix = name, true
				} else {
					e.obj.fill(info, name)
				}
			}
			if isPrefix {
				// Skip the rest of the group, whether it was just emitted
				// or lies at or before the cursor.
				start, restart = driver.PrefixEnd(name), true
				return false
			}
			return true
		})
		// An empty PrefixEnd means the group ran to the end of the key
		// space, so nothing can follow it.
		if !restart || more || start == "" {
			return page, more
		}
	}
}
