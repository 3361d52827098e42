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
	// The walk, its options, its decoded cursor, a small page's entry
	// pointers, the next page's token and the iterator handed back share
	// one allocation; the entries' infos take one more, of their size.
	// Bytes count as much as allocations: a page's garbage is what the
	// collector is paid for.
	w := new(pageWalk)
	driver.ApplyListOptionsTo(&w.opts, opts)
	w.prefix, w.delim, w.limit = w.opts.Prefix, w.opts.Delimiter, w.opts.MaxKeys
	after, err := driver.DecodeCursorInto(w.opts.Cursor, w.cursor[:])
	if err != nil {
		return nil, err
	}
	w.after = after

	d.mu.RLock()
	b, err := d.bucketLocked(bkt)
	if err != nil {
		d.mu.RUnlock()
		return nil, err
	}
	w.walk(b)
	d.mu.RUnlock()

	next := ""
	if w.more {
		// The decoded cursor is done with, and no entry refers to its
		// room (entries name stored keys), so the token takes it over.
		w.after = ""
		next = driver.EncodeCursorInto(w.entries[len(w.entries)-1].Key, w.cursor[:])
	}
	w.it.Reset(w.entries, next)
	return &w.it, nil
}

// pageWalk gathers one page of a listing: up to limit entries whose entry
// key is past after, and whether any entry remains beyond them.
type pageWalk struct {
	opts                 driver.ListOptions
	prefix, delim, after string
	limit                int

	entries []*driver.ObjectInfo
	more    bool
	chunk   []infoCell // backing store for the next entries
	pivot   object     // the seek key, kept here so a seek allocates nothing

	it    driver.ObjectIterator
	small [smallPage]*driver.ObjectInfo // entries of a page this small
	// cursor holds the decoded cursor during the walk, then the next
	// page's token: a 128-byte key's, as base64 takes 4/3 of it.
	cursor [172]byte
}

// smallPage is the page size up to which the entry pointers live in the
// walk's own allocation: an interactive `ls --max 10` page.
const smallPage = 16

// walk fills the page from b; the caller holds the read lock.
//
// Every entry with a given common prefix P sorts in one contiguous run of
// keys starting with P, and every key at or past PrefixEnd(P) has an entry
// key greater than P. So after emitting (or skipping) P the walk restarts
// at PrefixEnd(P); each restart is one O(log n) seek.
func (w *pageWalk) walk(b *bucket) {
	if n := min(w.limit, b.tree.Len()); n <= smallPage {
		w.entries = w.small[:0:n]
	} else {
		w.entries = make([]*driver.ObjectInfo, 0, min(n, 64))
	}
	start := max(w.prefix, w.after)
	for {
		restart := false
		w.pivot.key = start
		b.tree.AscendGreaterOrEqual(&w.pivot, func(e *object) bool {
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
