package driver

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxKeyLen is the longest key, in bytes, that drivers accept (as S3).
const MaxKeyLen = 1024

// ValidateBucketName applies S3's bucket naming rules: 3 to 63 characters
// of lowercase letters, digits, '.' and '-', starting and ending with a
// letter or digit, no two adjacent periods, not shaped like an IPv4
// address, and none of the prefixes and suffixes S3 reserves. The error
// wraps ErrInvalidName and says which rule broke.
func ValidateBucketName(name string) error {
	if n := len(name); n < 3 || n > 63 {
		return fmt.Errorf("%w: bucket name %s must be 3-63 characters, has %d", ErrInvalidName, QuoteName(name), n)
	}
	punct := false // a '.' or '-' seen
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '.' || c == '-':
			if i == 0 || i == len(name)-1 {
				return fmt.Errorf("%w: bucket name %s must start and end with a letter or digit", ErrInvalidName, QuoteName(name))
			}
			punct = true
		default:
			return fmt.Errorf("%w: bucket name %s may hold only lowercase letters, digits, '.' and '-' (found %q)", ErrInvalidName, QuoteName(name), rune(c))
		}
	}
	if !punct {
		// Every rule below needs a '.' or a '-': two periods, an address's
		// dots, and each reserved affix. Most names have neither, and every
		// operation checks its bucket's name, so they stop here.
		return nil
	}
	if strings.Contains(name, "..") {
		return fmt.Errorf("%w: bucket name %s must not have two periods in a row", ErrInvalidName, name)
	}
	// Only digits and dots can spell an IPv4 address; checking that first
	// keeps the parser (which allocates) off every operation's path.
	if digitsAndDots(name) {
		if addr, err := netip.ParseAddr(name); err == nil && addr.Is4() {
			return fmt.Errorf("%w: bucket name %s must not be an IP address", ErrInvalidName, name)
		}
	}
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(name, p) {
			return fmt.Errorf("%w: bucket name %s must not start with %q, which S3 reserves", ErrInvalidName, name, p)
		}
	}
	for _, sfx := range reservedSuffixes {
		if strings.HasSuffix(name, sfx) {
			return fmt.Errorf("%w: bucket name %s must not end with %q, which S3 reserves", ErrInvalidName, name, sfx)
		}
	}
	return nil
}

// The affixes S3 reserves for its own naming schemes.
var (
	reservedPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// ValidateKey accepts any non-empty valid UTF-8 of at most MaxKeyLen bytes.
// Every driver must accept such keys, with one exception: a driver whose
// keys become file paths may also refuse, with ErrInvalidName, keys with a
// ".." path component, a leading "/" or a NUL byte, so no key can ever
// escape its root.
func ValidateKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: key must not be empty", ErrInvalidName)
	case len(key) > MaxKeyLen:
		return fmt.Errorf("%w: key is %d bytes, the limit is %d", ErrInvalidName, len(key), MaxKeyLen)
	case !utf8.ValidString(key):
		return fmt.Errorf("%w: key %s is not valid UTF-8", ErrInvalidName, QuoteName(key))
	}
	return nil
}

// digitsAndDots reports whether name holds only digits and '.', the only
// names that can spell an IPv4 address. It is strings.Trim's test without
// the set Trim builds on every call.
func digitsAndDots(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c != '.' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// ValidatePutOptions checks what a Put stores besides the content: the
// content type and every metadata key and value must be valid UTF-8 without
// control characters, and keys non-empty. Invalid UTF-8 is kept by the
// memory backend but rewritten to U+FFFD by the disk backend's JSON, and
// control characters (a newline above all) cannot travel in the HTTP
// headers S3 carries metadata in, even encoded as S3 clients encode
// non-ASCII text; so every backend stores the same thing only if the rest
// is refused here. The error wraps ErrInvalidMetadata.
func ValidatePutOptions(o *PutOptions) error {
	if i := unstorable(o.ContentType); i >= 0 {
		return fmt.Errorf("%w: content type %s has %s at byte %d; a content type must be UTF-8 text without control characters",
			ErrInvalidMetadata, QuoteName(o.ContentType), describeByte(o.ContentType, i), i)
	}
	for k, v := range o.Metadata {
		if k == "" {
			return fmt.Errorf("%w: a metadata key is empty", ErrInvalidMetadata)
		}
		if i := unstorable(k); i >= 0 {
			return fmt.Errorf("%w: metadata key %s has %s at byte %d; keys and values must be UTF-8 text without control characters",
				ErrInvalidMetadata, QuoteName(k), describeByte(k, i), i)
		}
		if i := unstorable(v); i >= 0 {
			return fmt.Errorf("%w: value of metadata key %s has %s at byte %d; keys and values must be UTF-8 text without control characters",
				ErrInvalidMetadata, QuoteName(k), describeByte(v, i), i)
		}
	}
	return nil
}

// unstorable returns the index of the first byte of s that starts invalid
// UTF-8 or a control character (C0, DEL or C1), or -1. Printable ASCII,
// the common case, costs one comparison per byte.
func unstorable(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 || unicode.IsControl(r) {
			return i
		}
		i += size
	}
	return -1
}

// describeByte names the byte at i of s for an error message: the
// character when it starts valid UTF-8, its hex value otherwise.
func describeByte(s string, i int) string {
	if r, size := utf8.DecodeRuneInString(s[i:]); r != utf8.RuneError || size > 1 {
		return fmt.Sprintf("%q", r)
	}
	return fmt.Sprintf("byte 0x%02x (not UTF-8)", s[i])
}
