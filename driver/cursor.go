package driver

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"
)

// EncodeCursor turns the last entry of a page (a key or a common prefix)
// into an opaque token. Tokens are URL-safe base64 so a user can paste one
// into a shell or a script without quoting.
func EncodeCursor(lastEntry string) string {
	if lastEntry == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(lastEntry))
}

// DecodeCursor returns the entry a token resumes after; "" for no token.
func DecodeCursor(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	// Every entry is a valid UTF-8 key or prefix, so a token that decodes
	// to anything else was mistyped rather than made by EncodeCursor.
	if err != nil || len(b) == 0 || !utf8.Valid(b) {
		return "", fmt.Errorf("%w %q: not a token from a previous listing", ErrInvalidCursor, token)
	}
	return string(b), nil
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
