package driver

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseRange resolves an HTTP Range spec against an object of size bytes and
// returns the offset and length to read. An empty spec is the whole object.
// Forms: "bytes=A-B" (inclusive, B clamped to the end), "bytes=A-" and
// "bytes=-N" (the last N bytes). Anything else, or a range that starts past
// the end, wraps ErrInvalidRange.
func ParseRange(spec string, size int64) (off, n int64, err error) {
	if spec == "" {
		return 0, size, nil
	}
	bad := func(why string) (int64, int64, error) {
		return 0, 0, fmt.Errorf("%w %q: %s", ErrInvalidRange, spec, why)
	}
	rest, ok := strings.CutPrefix(spec, "bytes=")
	if !ok {
		return bad(`want "bytes=START-END", "bytes=START-" or "bytes=-N"`)
	}
	first, last, ok := strings.Cut(rest, "-")
	if !ok || strings.Contains(last, "-") || strings.Contains(rest, ",") {
		return bad(`want "bytes=START-END", "bytes=START-" or "bytes=-N"`)
	}
	num := func(s string) (int64, bool) {
		if s == "" || strings.TrimLeft(s, "0123456789") != "" {
			return 0, false
		}
		v, err := strconv.ParseInt(s, 10, 64)
		return v, err == nil
	}
	if size == 0 {
		return bad("the object is empty, so no byte range exists in it")
	}
	switch {
	case first == "":
		suffix, ok := num(last)
		if !ok || suffix == 0 {
			return bad("suffix length must be a positive number")
		}
		if suffix > size {
			suffix = size
		}
		return size - suffix, suffix, nil
	default:
		start, ok := num(first)
		if !ok {
			return bad("start is not a number")
		}
		if start >= size {
			return bad(fmt.Sprintf("start %d is past the end of a %d-byte object", start, size))
		}
		end := size - 1
		if last != "" {
			e, ok := num(last)
			if !ok {
				return bad("end is not a number")
			}
			if e < start {
				return bad("end is before start")
			}
			if e < end {
				end = e
			}
		}
		return start, end - start + 1, nil
	}
}
