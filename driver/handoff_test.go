package driver_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/trovemem/trovemem/driver"
)

// TestHandoffReadsLikeBytesReader drives a Handoff and a bytes.Reader over
// the same bytes through the same steps: whatever a driver does with a
// Handoff it has not taken, it sees what a bytes.Reader would give it.
func TestHandoffReadsLikeBytesReader(t *testing.T) {
	const content = "0123456789abcdef"
	type step func(r io.ReadSeeker) string
	read := func(n int) step {
		return func(r io.ReadSeeker) string {
			p := make([]byte, n)
			got, err := r.Read(p)
			return string(p[:got]) + "|" + errString(err)
		}
	}
	seek := func(off int64, whence int) step {
		return func(r io.ReadSeeker) string {
			pos, err := r.Seek(off, whence)
			return fmt.Sprint(pos, "|", errString(err))
		}
	}
	writeTo := func(r io.ReadSeeker) string {
		var buf bytes.Buffer
		n, err := r.(io.WriterTo).WriteTo(&buf)
		return fmt.Sprint(buf.String(), "|", n, "|", errString(err))
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"read all", []step{read(100), read(1)}},
		{"read in pieces", []step{read(5), read(5), read(10), read(1)}},
		{"seek from start", []step{seek(4, io.SeekStart), read(3)}},
		{"seek from current", []step{read(2), seek(3, io.SeekCurrent), read(3)}},
		{"seek from end", []step{seek(-2, io.SeekEnd), read(5)}},
		{"seek past end", []step{seek(40, io.SeekStart), read(5)}},
		{"seek past end and back", []step{seek(40, io.SeekStart), seek(-30, io.SeekCurrent), read(3)}},
		{"seek before start", []step{seek(-1, io.SeekStart), read(2)}},
		{"write to", []step{read(3), writeTo, read(1)}},
		{"write to at end", []step{read(100), writeTo}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, b := driver.NewHandoff([]byte(content)), bytes.NewReader([]byte(content))
			for i, s := range tc.steps {
				if got, want := s(h), s(b); got != want {
					t.Fatalf("step %d: got %q, want %q (bytes.Reader's)", i, got, want)
				}
				if h.Len() != b.Len() {
					t.Fatalf("step %d: got Len %d, want %d", i, h.Len(), b.Len())
				}
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	if err == io.EOF {
		return "EOF"
	}
	return "error"
}

// TestHandoffTake checks that Take hands over exactly the unread bytes,
// without a copy, and leaves nothing to read.
func TestHandoffTake(t *testing.T) {
	b := []byte("header:body")
	h := driver.NewHandoff(b)
	if _, err := h.Seek(int64(len("header:")), io.SeekStart); err != nil {
		t.Fatal(err)
	}
	got := h.Take()
	if string(got) != "body" {
		t.Fatalf("Take: got %q, want %q", got, "body")
	}
	if &got[0] != &b[len("header:")] {
		t.Error("Take copied the bytes, want the caller's slice")
	}
	if n, err := h.Read(make([]byte, 4)); n != 0 || err != io.EOF {
		t.Errorf("Read after Take: got %d, %v; want 0, EOF", n, err)
	}
	if rest := h.Take(); len(rest) != 0 {
		t.Errorf("second Take: got %q, want nothing", rest)
	}
}
