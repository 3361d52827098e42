package driver

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// EncodeCursor turns the last entry of a page (a key or a common prefix)
// into an opaque token. Tokens are URL-safe base64 so a user can paste one
// into a shell or a script without quoting.
func EncodeCursor(lastEntry string) string {
	if lastEntry == "" {
		return ""
	}
	// One allocation: the encoding is written straight into the string's
	// bytes, which nothing else references.
	buf := make([]byte, base64.RawURLEncoding.EncodedLen(len(lastEntry)))
	base64.RawURLEncoding.Encode(buf, unsafe.Slice(unsafe.StringData(lastEntry), len(lastEntry)))
	return unsafe.String(&buf[0], len(buf))
}

// EncodeCursorInto is EncodeCursor for a driver that keeps buf for as long
// as the token may live (in the page it returns): the token is written
// into buf when it fits, and shares its bytes, so encoding allocates
// nothing. buf must not be written again.
func EncodeCursorInto(lastEntry string, buf []byte) string {
	n := base64.RawURLEncoding.EncodedLen(len(lastEntry))
	if lastEntry == "" || n > len(buf) {
		return EncodeCursor(lastEntry)
	}
	base64.RawURLEncoding.Encode(buf[:n], unsafe.Slice(unsafe.StringData(lastEntry), len(lastEntry)))
	return unsafe.String(&buf[0], n)
}

// DecodeCursor returns the entry a token resumes after; "" for no token.
func DecodeCursor(token string) (string, error) {
	b, err := decodeCursor(token, nil)
	if err != nil || b == nil {
		return "", err
	}
	return string(b), nil
}

// DecodeCursorInto is DecodeCursor for a caller that keeps the entry no
// longer than buf: the entry is decoded into buf when it fits, and the
// returned string shares its bytes, so decoding allocates nothing. A
// driver's List keeps buf in its page struct.
func DecodeCursorInto(token string, buf []byte) (string, error) {
	b, err := decodeCursor(token, buf)
	if err != nil || b == nil {
		return "", err
	}
	return unsafe.String(&b[0], len(b)), nil
}

// checkCursor reports whether DecodeCursor accepts token, decoding it into
// a buffer on the stack when it fits, so checking a page's cursor
// allocates nothing.
func checkCursor(token string) error {
	var buf [128]byte
	_, err := decodeCursor(token, buf[:])
	return err
}

func decodeCursor(token string, buf []byte) ([]byte, error) {
	if token == "" {
		return nil, nil
	}
	b := buf[:cap(buf)]
	if n := base64.RawURLEncoding.DecodedLen(len(token)); n > len(b) {
		b = make([]byte, n)
	}
	n, err := base64.RawURLEncoding.Decode(b, unsafe.Slice(unsafe.StringData(token), len(token)))
	b = b[:n]
	// Every entry is a valid UTF-8 key or prefix, so a token that decodes
	// to anything else was mistyped rather than made by EncodeCursor.
	if err != nil || len(b) == 0 || !utf8.Valid(b) {
		return nil, fmt.Errorf("%w %q: not a token from a previous listing", ErrInvalidCursor, token)
	}
	return b, nil
}

// ListEntryKey returns the entry key appears under in a listing with the
// given prefix and delimiter: the key itself, or its common prefix. Drivers
// use it so grouping is identical everywhere; an entry is past a cursor C
// exactly when ListEntryKey(key) > C.
func ListEntryKey(key, prefix, delimiter string) (entry string, isPrefix bool) {
	if delimiter == "" {
		return key, false
	}
	if i := strings.Index(key[len(prefix):], delimiter); i >= 0 {
		return key[:len(prefix)+i+len(delimiter)], true
	}
	return key, false
}

// PrefixEnd returns the smallest string greater than every string with
// prefix p, or "" when there is none (p is all 0xff bytes). Drivers with an
// ordered index seek to it to skip a whole common prefix at once.
func PrefixEnd(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}
