package serve

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/trovemem/trovemem/driver"
)

// Reserved metadata keys. They hold what S3 keeps beside an object; ':'
// cannot appear in an HTTP header name, so no x-amz-meta- header collides.
const (
	metaPrefix       = "s3:"
	metaETag         = "s3:etag"
	metaChecksum     = "s3:checksum"      // ALGO:base64
	metaChecksumType = "s3:checksum-type" // FULL_OBJECT or COMPOSITE
	metaParts        = "s3:parts"         // comma-separated part sizes of a multipart object
	metaTagging      = "s3:tagging"       // URL-encoded tag set
)

// contentHeaders are the stored content headers, each under s3:NAME.
var contentHeaders = []string{"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires", "X-Amz-Website-Redirect-Location"}

const maxUserMetadata = 2 << 10

// userMetadata collects x-amz-meta-* headers, names in lower case as S3
// keeps them.
func userMetadata(h http.Header) (map[string]string, error) {
	m := make(map[string]string)
	size := 0
	const prefix = "x-amz-meta-"
	for k, v := range h {
		// Only metadata headers are lowered: the others are many and
		// would each cost a copy.
		if len(k) <= len(prefix) || !strings.EqualFold(k[:len(prefix)], prefix) {
			continue
		}
		name := strings.ToLower(k[len(prefix):])
		val := strings.Join(v, ",")
		m[name] = val
		size += len(name) + len(val)
	}
	if size > maxUserMetadata {
		return nil, ErrMetadataTooLarge
	}
	return m, nil
}

// contentMetadata adds the request's content headers to m.
func contentMetadata(h http.Header, m map[string]string) error {
	for _, name := range contentHeaders {
		v := h.Get(name)
		if name == "Content-Encoding" {
			v = withoutAWSChunked(v)
		}
		if v != "" {
			if name == "X-Amz-Website-Redirect-Location" && !validRedirect(v) {
				return ErrInvalidRedirect
			}
			m[metaPrefix+strings.ToLower(name)] = v
		}
	}
	return nil
}

func validRedirect(v string) bool {
	return strings.HasPrefix(v, "/") || strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://")
}

// objectETag is the ETag S3 reports: the multipart one when the object was
// assembled from parts, else the store's MD5.
func objectETag(info *driver.ObjectInfo) string {
	if e := info.Metadata[metaETag]; e != "" {
		return e
	}
	return info.ETag
}

func quoteETag(e string) string { return `"` + e + `"` }

func trimETag(e string) string {
	e = strings.TrimSpace(e)
	e = strings.TrimPrefix(e, "W/")
	return strings.Trim(e, `"`)
}

func objectChecksum(info *driver.ObjectInfo) (algo, value, typ string) {
	a, v, ok := strings.Cut(info.Metadata[metaChecksum], ":")
	if !ok {
		return "", "", ""
	}
	typ = info.Metadata[metaChecksumType]
	if typ == "" {
		typ = "FULL_OBJECT"
	}
	return a, v, typ
}

func partSizes(info *driver.ObjectInfo) []int64 {
	s := info.Metadata[metaParts]
	if s == "" {
		return nil
	}
	var out []int64
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil
		}
		out = append(out, n)
	}
	return out
}

// setObjectHeaders writes an object's headers: ETag, size, type, time,
// user metadata and stored content headers.
func setObjectHeaders(h http.Header, info *driver.ObjectInfo) {
	h.Set("ETag", quoteETag(objectETag(info)))
	h.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	ct := info.ContentType
	if ct == "" {
		ct = driver.DefaultContentType
	}
	h.Set("Content-Type", ct)
	h.Set("Accept-Ranges", "bytes")
	h.Set("X-Amz-Storage-Class", "STANDARD")
	keys := make([]string, 0, len(info.Metadata))
	for k := range info.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := info.Metadata[k]
		if rest, ok := strings.CutPrefix(k, metaPrefix); ok {
			// Reserved keys are S3's own fields, never user metadata.
			for _, name := range contentHeaders {
				if strings.ToLower(name) == rest {
					h.Set(name, v)
				}
			}
			continue
		}
		h["x-amz-meta-"+k] = []string{v}
	}
	if tags := info.Metadata[metaTagging]; tags != "" {
		if t, err := parseTagging(tags); err == nil && len(t) > 0 {
			h.Set("X-Amz-Tagging-Count", strconv.Itoa(len(t)))
		}
	}
	setLockHeaders(h, info)
	if n := len(partSizes(info)); n > 0 {
		h.Set("X-Amz-Mp-Parts-Count", strconv.Itoa(n))
	}
}

// tag is one object tag.
type tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

func validTagChars(s string) bool {
	for _, c := range s {
		switch {
		case c == ' ', c == '+', c == '-', c == '=', c == '.', c == '_', c == ':', c == '/', c == '@':
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c > 127:
		default:
			return false
		}
	}
	return true
}

// parseTagging parses an x-amz-tagging header (URL-encoded key=value pairs).
func parseTagging(s string) ([]tag, error) {
	var out []tag
	seen := map[string]bool{}
	for _, part := range strings.Split(s, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil {
			return nil, errInvalidArg("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			return nil, errInvalidArg("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
		}
		if dk == "" || seen[dk] {
			return nil, errInvalidArg("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
		}
		seen[dk] = true
		out = append(out, tag{Key: dk, Value: dv})
	}
	return out, validateTags(out, false)
}

func validateTags(tags []tag, bucket bool) error {
	if !bucket && len(tags) > 10 {
		return ErrObjectTagsLimited
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || utf8.RuneCountInString(t.Key) > 128 || !validTagChars(t.Key) {
			return ErrInvalidTagKey
		}
		if utf8.RuneCountInString(t.Value) > 256 || !validTagChars(t.Value) {
			return ErrInvalidTagValue
		}
		if seen[t.Key] {
			return ErrDuplicateTagKey
		}
		seen[t.Key] = true
	}
	return nil
}

func encodeTagging(tags []tag) string {
	v := url.Values{}
	for _, t := range tags {
		v.Set(t.Key, t.Value)
	}
	return v.Encode()
}

// withoutAWSChunked drops "aws-chunked" from a Content-Encoding: it
// describes the request's framing, not the object, and S3 does not keep it.
func withoutAWSChunked(v string) string {
	var keep []string
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e != "" && !strings.EqualFold(e, "aws-chunked") {
			keep = append(keep, e)
		}
	}
	return strings.Join(keep, ",")
}
