package s3driver

import (
	"encoding/base64"
	"fmt"
	"mime"
	"strings"
	"time"

	"github.com/trovemem/trovemem/driver"
)

// S3 carries user metadata in x-amz-meta-* HTTP headers, which shapes what
// survives the trip:
//   - names are case-insensitive, and servers return them in lower case, so
//     the driver lower-cases them on the way in and reports them so from
//     Put too, and a name that is not an HTTP token is refused;
//   - values must be printable ASCII, and HTTP drops blanks around them, so
//     any other value (non-ASCII, control characters, leading or trailing
//     blanks, the empty value, which some servers drop, or one that itself
//     looks encoded) is sent as an RFC 2047
//     encoded word, "=?UTF-8?B?...?=", which is also how AWS returns
//     non-ASCII values stored by other clients; encoded words are decoded
//     on the way out.

var wordDecoder mime.WordDecoder

// encodeMetadata returns the header map for md plus the LastModified stamp,
// and md with its names lower-cased, which is what Head will report.
func encodeMetadata(md map[string]string, stamp time.Time) (headers, reported map[string]string, err error) {
	headers = make(map[string]string, len(md)+1)
	if len(md) > 0 {
		reported = make(map[string]string, len(md))
	}
	for k, v := range md {
		lk := strings.ToLower(k)
		if !isToken(lk) {
			return nil, nil, fmt.Errorf("%w: metadata name %s cannot be an HTTP header name (use letters, digits and -_.!#$%%&'*+^`|~)", driver.ErrInvalidName, driver.QuoteName(k))
		}
		if lk == MetaLastModified {
			continue
		}
		if _, dup := reported[lk]; dup {
			return nil, nil, fmt.Errorf("%w: metadata names %s and another differ only in case, which S3 does not keep apart", driver.ErrInvalidName, driver.QuoteName(k))
		}
		reported[lk] = v
		headers[lk] = encodeValue(v)
	}
	headers[MetaLastModified] = stamp.UTC().Format(time.RFC3339Nano)
	return headers, reported, nil
}

// decodeMetadata turns a response's metadata back into the caller's: the
// stamp is taken out and returned (zero when missing or unreadable) and
// encoded words are decoded.
func decodeMetadata(headers map[string]string) (md map[string]string, stamp time.Time) {
	for k, v := range headers {
		lk := strings.ToLower(k)
		if lk == MetaLastModified {
			if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
				stamp = t
			}
			continue
		}
		if md == nil {
			md = make(map[string]string, len(headers))
		}
		md[lk] = decodeValue(v)
	}
	return md, stamp
}

func encodeValue(v string) string {
	plain := v != "" && !strings.HasPrefix(v, "=?") && strings.TrimSpace(v) == v
	for i := 0; plain && i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7e {
			plain = false
		}
	}
	if plain {
		return v
	}
	// mime.BEncoding.Encode leaves printable ASCII alone, blanks and
	// all, so the word is built here.
	return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(v)) + "?="
}

func decodeValue(v string) string {
	if !strings.HasPrefix(v, "=?") {
		return v
	}
	if s, err := wordDecoder.DecodeHeader(v); err == nil {
		return s
	}
	return v
}

// isToken reports whether s is a non-empty HTTP token (RFC 9110).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
