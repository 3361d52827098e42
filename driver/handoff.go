package driver

import (
	"errors"
	"io"
)

// Handoff is a reader over bytes its caller gives up to Put: once the
// caller passes a Handoff to Put it neither writes to those bytes nor reads
// them again, whatever Put returns. A driver that keeps content in memory
// may then store the slice itself (Take) rather than a copy of it; any
// other driver reads a Handoff as it reads any io.Reader. trovemem serve
// uses it for an upload it has buffered to check before storing, so a
// memory backend keeps that buffer instead of copying it.
//
// Drivers only ever read a Handoff's bytes, whether they keep them or
// not, and never write them: so the bytes may be a string's own (as a
// streamed replay hands over each put's value), which nothing may write.
type Handoff struct {
	b []byte
	i int64 // the next unread byte; past the end after a Seek there
}

// NewHandoff returns a Handoff over b; b belongs to the Handoff from now on.
func NewHandoff(b []byte) *Handoff { return &Handoff{b: b} }

// Read reads the bytes not yet read, as bytes.Reader does.
func (h *Handoff) Read(p []byte) (int, error) {
	if h.i >= int64(len(h.b)) {
		return 0, io.EOF
	}
	n := copy(p, h.b[h.i:])
	h.i += int64(n)
	return n, nil
}

// WriteTo writes the bytes not yet read to w in one call, so io.Copy to a
// file makes no intermediate copy.
func (h *Handoff) WriteTo(w io.Writer) (int64, error) {
	if h.i >= int64(len(h.b)) {
		return 0, nil
	}
	n, err := w.Write(h.b[h.i:])
	h.i += int64(n)
	if err == nil && h.i < int64(len(h.b)) {
		err = io.ErrShortWrite
	}
	return int64(n), err
}

// Seek moves the read offset as bytes.Reader does, so an S3 backend can
// sign and resend the body without copying it first.
func (h *Handoff) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = h.i + offset
	case io.SeekEnd:
		abs = int64(len(h.b)) + offset
	default:
		return 0, errors.New("driver.Handoff.Seek: invalid whence")
	}
	if abs < 0 {
		return 0, errors.New("driver.Handoff.Seek: negative position")
	}
	h.i = abs
	return abs, nil
}

// Len returns how many bytes are left to read.
func (h *Handoff) Len() int {
	if h.i >= int64(len(h.b)) {
		return 0
	}
	return len(h.b) - int(h.i)
}

// Take returns the bytes not yet read and marks them read: whoever takes
// them owns them. A second Take returns nothing.
func (h *Handoff) Take() []byte {
	if h.i >= int64(len(h.b)) {
		return nil
	}
	rest := h.b[h.i:]
	h.i = int64(len(h.b))
	return rest
}
