package driver

import (
	"context"
	"io"
)

// ObjectIterator walks one page of a List result. It is a concrete type, as
// in trove, so that every driver's listing behaves the same to callers.
type ObjectIterator struct {
	entries []*ObjectInfo
	pos     int
	next    string
}

// NewObjectIterator returns an iterator over a page of entries; nextToken is
// the cursor that resumes after the page, empty when no entries remain.
func NewObjectIterator(entries []*ObjectInfo, nextToken string) *ObjectIterator {
	return &ObjectIterator{entries: entries, next: nextToken}
}

// Reset makes it an iterator over entries with the given next token, as
// NewObjectIterator does. A driver that builds its page in a struct of its
// own can embed an ObjectIterator there and Reset it, so a page costs one
// allocation fewer.
func (it *ObjectIterator) Reset(entries []*ObjectInfo, nextToken string) {
	*it = ObjectIterator{entries: entries, next: nextToken}
}

// Next returns the next entry of the page, or io.EOF after the last one.
func (it *ObjectIterator) Next(ctx context.Context) (*ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if it.pos >= len(it.entries) {
		return nil, io.EOF
	}
	e := it.entries[it.pos]
	it.pos++
	return e, nil
}

// NextToken returns the cursor for the page after this one, or "" when this
// is the last page.
func (it *ObjectIterator) NextToken() string { return it.next }

// All returns the entries Next has not yet returned.
func (it *ObjectIterator) All(ctx context.Context) ([]*ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rest := it.entries[it.pos:]
	it.pos = len(it.entries)
	return rest, nil
}
