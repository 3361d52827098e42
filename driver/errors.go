package driver

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentinel errors. Drivers wrap them (usually in an *Error) so callers can
// tell failures apart with errors.Is.
var (
	ErrBucketNotFound = errors.New("bucket not found")
	ErrObjectNotFound = errors.New("object not found")
	ErrBucketExists   = errors.New("bucket already exists")
	ErrBucketNotEmpty = errors.New("bucket not empty")
	ErrClosed         = errors.New("driver closed")
	ErrInvalidRange   = errors.New("invalid range")
	ErrInvalidName    = errors.New("invalid name")
	ErrInvalidCursor  = errors.New("invalid cursor")
	ErrUnknownScheme  = errors.New("unknown driver scheme")
	// ErrInvalidMetadata refuses a Put whose content type or user metadata
	// an S3 header could not carry as it is (see ValidatePutOptions).
	ErrInvalidMetadata = errors.New("invalid metadata")
)

// Error records the operation, bucket and key of a failure. Its message
// names all three, so a user reading one line knows what went wrong where.
type Error struct {
	Op     string // "put", "get", "list", …
	Bucket string
	Key    string
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.Bucket != "" || e.Key != "" {
		b.WriteByte(' ')
		b.WriteString(QuoteName(e.Bucket))
		if e.Key != "" {
			b.WriteByte('/')
			b.WriteString(QuoteName(e.Key))
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// E wraps err with op, bucket and key, unless err is nil or already an
// *Error (so the innermost, most precise location wins).
func E(op, bucket, key string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*Error); ok {
		// The common case, without errors.As's reflection.
		return err
	}
	var de *Error
	if errors.As(err, &de) {
		return err
	}
	return &Error{Op: op, Bucket: bucket, Key: key, Err: err}
}

// QuoteName returns s as it is when it is plain printable text without
// spaces or quotes, and Go-quoted otherwise, so names with blanks, quotes,
// control characters or invalid UTF-8 print unambiguously.
func QuoteName(s string) string {
	if s == "" {
		return `""`
	}
	if !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if r == '"' || r == '\'' || r == '\\' || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}

// IsNotFound reports whether err means a missing bucket or object.
func IsNotFound(err error) bool {
	return errors.Is(err, ErrBucketNotFound) || errors.Is(err, ErrObjectNotFound)
}
