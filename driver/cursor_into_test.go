package driver_test

import (
	"strings"
	"testing"

	"github.com/trovemem/trovemem/driver"
)

// The Into variants write into the caller's buffer when the token or
// entry fits and fall back to allocating when not; either way they must
// give what EncodeCursor and DecodeCursor give.
func TestCursorIntoAgreesWithCursor(t *testing.T) {
	for _, entry := range []string{"", "a", "obj/00000001", "ünï/çødé", strings.Repeat("k", 96), strings.Repeat("k", 97), strings.Repeat("x", 1024)} {
		var tokBuf [128]byte
		tok := driver.EncodeCursorInto(entry, tokBuf[:])
		if want := driver.EncodeCursor(entry); tok != want {
			t.Errorf("EncodeCursorInto(%d bytes) = %q, want %q", len(entry), tok, want)
		}
		var entBuf [64]byte
		got, err := driver.DecodeCursorInto(tok, entBuf[:])
		if err != nil || got != entry {
			t.Errorf("DecodeCursorInto(EncodeCursorInto(%d bytes)) = %q, %v; want the entry back", len(entry), got, err)
		}
	}
}
