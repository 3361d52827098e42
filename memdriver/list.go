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
	lo := driver.ApplyListOptions(opts)
	after, err := driver.DecodeCursor(lo.Cursor)
	if err != nil {
		return nil, err
	}

	d.mu.RLock()
	b, err := d.bucketLocked(bkt)
	if err != nil {
		d.mu.RUnlock()
		return nil, err
	}
	w := pageWalk{prefix: lo.Prefix, delim: lo.Delimiter, after: after, limit: lo.MaxKeys}
	w.walk(b)
	d.mu.RUnlock()

	next := ""
	if w.more {
		next = driver.EncodeCursor(w.entries[len(w.entries)-1].Key)
	}
	return driver.NewObjectIterator(w.entries, next), nil
}

// pageWalk gathers one page of a listing: up to limit entries whose entry
// key is past after, and whether any entry remains beyond them.
type pageWalk struct {
	prefix, delim, after string
	limit                int

	entries []*driver.ObjectInfo
	more    bool
	chunk   []infoCell // backing store for the next entries
}

// walk fills the page from b; the caller holds the read lock.
//
// Every entry with a given common prefix P sorts in one contiguous run of
// keys starting with P, and every key at or past PrefixEnd(P) has an entry
// key greater than P. So after emitting (or skipping) P the walk restarts
// at PrefixEnd(P); each restart is one O(log n) seek.
func (w *pageWalk) walk(b *bucket) {
	w.entries = make([]*driver.ObjectInfo, 0, min(w.limit, b.tree.Len(), 16))
	start := max(w.prefix, w.after)
	for {
		restart := false
		b.tree.AscendGreaterOrEqual(&object{key: start}, func(e *object) bool {
			if !strings.HasPrefix(e.key, w.prefix) {
				return false
			}
			name, isPrefix := driver.ListEntryKey(e.key, w.prefix, w.delim)
			if name > w.after {
				if len(w.entries) == w.limit {
					w.more = true
					return false
				}
				c := w.newCell()
				if isPrefix {
					c.info.Key, c.info.IsPrefix = name, true
				} else {
					e.fill(&c.info, name, &c.etag)
				}
				w.entries = append(w.entries, &c.info)
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
		if !restart || w.more || start == "" {
			return
		}
	}
}

// newCell returns a zeroed cell for the next entry. Cells (an ObjectInfo
// and the room for its ETag) are carved from chunks that grow with the
// page, so a page costs a few allocations rather than one per entry, a
// small page allocates exactly what it needs, and a large one never copies
// infos as a growing slice would. No info aliases stored state.
func (w *pageWalk) newCell() *infoCell {
	if len(w.chunk) == cap(w.chunk) {
		n := len(w.entries)
		w.chunk = make([]infoCell, 0, min(w.limit-n, max(16, n), 1024))
	}
	w.chunk = w.chunk[:len(w.chunk)+1]
	return &w.chunk[len(w.chunk)-1]
}
