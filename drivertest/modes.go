package drivertest

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/trovemem/trovemem/driver"
)

// SuiteOption changes how RunDriverSuite runs.
type SuiteOption func(*settings)

// settings are the suite's options. They travel to the checks in the
// context each check receives, so a check's signature stays the one the
// suite's own tests call it with.
type settings struct {
	pathNamespace bool
	xmlSafeKeys   bool
}

type settingsKey struct{}

func withSettings(ctx context.Context, s settings) context.Context {
	return context.WithValue(ctx, settingsKey{}, s)
}

func settingsOf(ctx context.Context) settings {
	s, _ := ctx.Value(settingsKey{}).(settings)
	return s
}

// PathNamespace runs the suite in path-namespace mode, for servers that
// keep each key as a file path (versitygw's posix backend, MinIO). Such a
// server cannot hold a key and a key under it ("a" and "a/b": a file and a
// directory of one name), nor data under a key ending in "/" (that is a
// directory), it folds empty and "." segments ("a//b", "./b") into others,
// and it refuses segments longer than a file name may be (255 bytes). In
// this mode the suite stores only keys such a server can hold: the
// listing keys without those that are a directory of another, and the
// unusual keys with their 1024-byte keys cut into 255-byte segments.
// Every check still runs, and checks the same behaviour.
func PathNamespace() SuiteOption {
	return func(s *settings) { s.pathNamespace = true }
}

// XMLSafeKeys makes the suite store only keys that XML 1.0 text can carry,
// for servers that ignore S3's encoding-type=url and send keys in listings
// as plain XML (versitygw 1.8): XML has no way to write U+FFFE, U+FFFF or
// control characters other than tab, newline and carriage return, so such
// a server cannot list those keys back (it sends U+FFFD instead). Every
// check still runs.
func XMLSafeKeys() SuiteOption {
	return func(s *settings) { s.xmlSafeKeys = true }
}

// xmlChar reports whether XML 1.0 text can carry r.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0xd7ff) || (r >= 0xe000 && r <= 0xfffd) || (r >= 0x10000 && r <= 0x10ffff)
}

// xmlSafe returns the keys XML text can carry.
func xmlSafe(keys []string) []string {
	var out []string
	for _, k := range keys {
		if strings.IndexFunc(k, func(r rune) bool { return !xmlChar(r) }) < 0 {
			out = append(out, k)
		}
	}
	return out
}

// maxSegment is the longest file name Linux and macOS allow, in bytes.
const maxSegment = 255

// pathHoldable reports whether a server that stores keys as file paths
// can hold key on its own: no leading or trailing '/', no empty, "." or
// ".." segment, and no segment longer than a file name.
func pathHoldable(key string) bool {
	if strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") {
		return false
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." || len(seg) > maxSegment {
			return false
		}
	}
	return true
}

// pathSafe returns the keys such a server can hold together: each
// holdable, and none a directory of another.
func pathSafe(keys []string) []string {
	var out []string
	for _, k := range keys {
		if !pathHoldable(k) {
			continue
		}
		dir := false
		for _, other := range keys {
			if strings.HasPrefix(other, k+"/") {
				dir = true
				break
			}
		}
		if !dir {
			out = append(out, k)
		}
	}
	return out
}

// segmentedKey returns a key as near driver.MaxKeyLen bytes as segments
// allow, made of the rune r repeated and cut by '/' into segments of at
// most maxSegment bytes.
func segmentedKey(r rune) string {
	unit := utf8.RuneLen(r)
	var segs []string
	total := 0
	for {
		sep := 0
		if len(segs) > 0 {
			sep = 1
		}
		left := driver.MaxKeyLen - total - sep
		if left < unit {
			return strings.Join(segs, "/")
		}
		n := min(maxSegment/unit, left/unit)
		segs = append(segs, strings.Repeat(string(r), n))
		total += sep + n*unit
	}
}

// listingKeysFor returns the listing keys the mode allows.
func listingKeysFor(ctx context.Context) []string {
	keys := listingKeys
	if settingsOf(ctx).pathNamespace {
		keys = pathSafe(keys)
	}
	if settingsOf(ctx).xmlSafeKeys {
		keys = xmlSafe(keys)
	}
	return keys
}

// unusualKeysFor returns the unusual keys the mode allows.
func unusualKeysFor(ctx context.Context) []string {
	keys := unusualKeys
	if settingsOf(ctx).pathNamespace {
		keys = []string{segmentedKey('k'), segmentedKey('é')}
		for _, k := range unusualKeys {
			if len(k) < driver.MaxKeyLen/2 && pathHoldable(k) {
				keys = append(keys, k)
			}
		}
	}
	if settingsOf(ctx).xmlSafeKeys {
		keys = xmlSafe(keys)
	}
	return keys
}
