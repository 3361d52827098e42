package localdriver

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/trovemem/trovemem/driver"
)

// maxEscapedLen is the longest escaped key used as a file name as it is.
// Longer keys are named by their hash instead, so that even a 1024-byte key
// of escaped bytes stays well under the 255-byte name limit of common file
// systems, with room for the ".GEN" suffix of data files.
const maxEscapedLen = 200

// hashedPrefix starts the name of a key too long to escape. escapeKey never
// emits it, so hashed and escaped names cannot collide.
const hashedPrefix = "~"

// tempPrefix starts every temporary file and directory. Neither escaped keys
// nor bucket names ever start with '.', so no stored name can collide with a
// temporary one and listings skip temporaries by this prefix alone.
const tempPrefix = ".tmp-"

const hexUpper = "0123456789ABCDEF"

// keyName returns the single file name that stores key: the escaped key, or
// hashedPrefix and the hex SHA-256 of the key when the escaped form is too
// long. The name never contains a path separator, never starts with '.' and
// never differs from another key's name only by letter case, so it is safe
// on case-insensitive file systems too.
func keyName(key string) string {
	if esc := escapeKey(key); len(esc) <= maxEscapedLen {
		return esc
	}
	sum := sha256.Sum256([]byte(key))
	return hashedPrefix + hex.EncodeToString(sum[:])
}

// escapeKey keeps lowercase letters, digits, '-' and '_', keeps '.' except
// as the first or last byte (so names are never "." or "..", never hidden,
// and never lose a trailing dot on Windows), and writes every other byte as
// '%' and two uppercase hex digits.
func escapeKey(key string) string {
	var b strings.Builder
	b.Grow(len(key))
	for i := 0; i < len(key); i++ {
		c := key[i]
		if keepByte(c) || (c == '.' && i > 0 && i < len(key)-1) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexUpper[c>>4])
		b.WriteByte(hexUpper[c&0xf])
	}
	return b.String()
}

func keepByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// unescapeName returns the key an escaped name stores. ok is false for
// hashed names (their key is in the sidecar) and for names escapeKey could
// not have produced, such as files someone else left in the directory.
func unescapeName(name string) (key string, ok bool) {
	if name == "" || strings.HasPrefix(name, hashedPrefix) || strings.HasPrefix(name, ".") {
		return "", false
	}
	b := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c != '%' {
			b = append(b, c)
			continue
		}
		if i+2 >= len(name) {
			return "", false
		}
		v, err := hex.DecodeString(name[i+1 : i+3])
		if err != nil {
			return "", false
		}
		b = append(b, v[0])
		i += 2
	}
	key = string(b)
	// Only the canonical spelling counts, so each key has exactly one file.
	if escapeKey(key) != name {
		return "", false
	}
	return key, true
}

// checkPathKey applies the rules that keep a key (already valid for
// driver.ValidateKey, which the portable layer checks) from ever reading
// like a path out of the root: no NUL byte, no leading '/', no ".."
// component. The escaping already makes every key a single file name, so
// these rules are defence in depth and a clear answer to a user who tries
// "../../etc/passwd".
func checkPathKey(key string) error {
	if strings.IndexByte(key, 0) >= 0 {
		return fmt.Errorf("%w: key %s contains a NUL byte", driver.ErrInvalidName, driver.QuoteName(key))
	}
	if strings.HasPrefix(key, "/") {
		return fmt.Errorf("%w: key %s must not start with '/'", driver.ErrInvalidName, driver.QuoteName(key))
	}
	for _, part := range strings.Split(key, "/") {
		if part == ".." {
			return fmt.Errorf("%w: key %s must not contain a \"..\" path component", driver.ErrInvalidName, driver.QuoteName(key))
		}
	}
	return nil
}
