package driver

import (
	"bytes"
	"crypto/md5"
	"time"
)

// Options configure how a driver is opened (an Opener, or a driver's own
// constructor such as memdriver.New).
type Options struct {
	// Clock returns the time stamped on new objects and buckets. Nil means
	// time.Now; trovemem's --now flag sets a fixed clock so outputs are
	// reproducible.
	Clock func() time.Time
}

// Option configures how a driver is opened.
type Option func(*Options)

// WithClock sets the clock a driver stamps objects and buckets with.
func WithClock(now func() time.Time) Option { return func(o *Options) { o.Clock = now } }

// ApplyOptions folds opts into an Options value.
func ApplyOptions(opts []Option) Options {
	var o Options
	for _, f := range opts {
		f(&o)
	}
	return o
}

// PutOptions are the settings a Put carries.
type PutOptions struct {
	ContentType string
	Metadata    map[string]string
	// LastModified, when not zero, is stamped on the object instead of the
	// driver's clock, so an object can be restored exactly as it was.
	LastModified time.Time
	// ContentMD5, when not nil, is the MD5 of exactly the content put,
	// which the caller has already computed (see WithContentMD5).
	ContentMD5 []byte
}

// PutOption configures Put.
type PutOption func(*PutOptions)

// WithContentType sets the stored object's content type.
func WithContentType(ct string) PutOption { return func(o *PutOptions) { o.ContentType = ct } }

// WithMetadata sets the stored object's user metadata. The map is copied.
func WithMetadata(m map[string]string) PutOption {
	m = CloneMetadata(m)
	return func(o *PutOptions) { o.Metadata = m }
}

// WithLastModified stamps the stored object with t instead of the driver's
// clock. Undoing a change and replaying a dump use it to put an object back
// exactly as it was.
func WithLastModified(t time.Time) PutOption { return func(o *PutOptions) { o.LastModified = t } }

// WithContentMD5 hands over the MD5 of exactly the content being put, when
// the caller computed it anyway (serve does, beside the checksums it
// verifies while an upload arrives). A driver whose ETag is the content's
// MD5 may take it instead of hashing the content again; others ignore it.
// It is trusted, not checked: a wrong sum gives a wrong ETag. A sum that
// is not 16 bytes is ignored.
func WithContentMD5(sum []byte) PutOption {
	if len(sum) != md5.Size {
		return func(*PutOptions) {}
	}
	sum = bytes.Clone(sum)
	return func(o *PutOptions) { o.ContentMD5 = sum }
}

// ApplyPutOptions folds opts into a PutOptions value, filling in the default
// content type and copying the metadata map.
func ApplyPutOptions(opts []PutOption) PutOptions {
	if len(opts) == 0 {
		// Without options nothing escapes to an option function, so the
		// common plain put allocates nothing here.
		return PutOptions{ContentType: DefaultContentType}
	}
	return applyPutOptions(opts)
}

func applyPutOptions(opts []PutOption) PutOptions {
	var o PutOptions
	for _, f := range opts {
		f(&o)
	}
	if o.ContentType == "" {
		o.ContentType = DefaultContentType
	}
	o.Metadata = CloneMetadata(o.Metadata)
	return o
}

// GetOptions are the settings a Get carries.
type GetOptions struct {
	// Range is an HTTP Range header value such as "bytes=0-1023"; empty
	// means the whole object.
	Range string
}

// GetOption configures Get.
type GetOption func(*GetOptions)

// WithRange reads only the bytes named by spec, in HTTP Range syntax:
// "bytes=0-1023", "bytes=100-" or "bytes=-500".
func WithRange(spec string) GetOption { return func(o *GetOptions) { o.Range = spec } }

// ApplyGetOptions folds opts into a GetOptions value.
func ApplyGetOptions(opts []GetOption) GetOptions {
	if len(opts) == 0 {
		return GetOptions{} // nothing escapes, so nothing is allocated
	}
	return applyGetOptions(opts)
}

func applyGetOptions(opts []GetOption) GetOptions {
	var o GetOptions
	for _, f := range opts {
		f(&o)
	}
	return o
}

// ListOptions are the settings a List carries.
type ListOptions struct {
	Prefix    string
	Delimiter string
	MaxKeys   int
	Cursor    string
}

// ListOption configures List.
type ListOption func(*ListOptions)

// WithPrefix lists only keys that start with p.
func WithPrefix(p string) ListOption { return func(o *ListOptions) { o.Prefix = p } }

// WithDelimiter groups keys by the part after the prefix up to and
// including d, as S3's common prefixes do.
func WithDelimiter(d string) ListOption { return func(o *ListOptions) { o.Delimiter = d } }

// WithMaxKeys caps a page at n entries; n <= 0 means DefaultMaxKeys.
func WithMaxKeys(n int) ListOption { return func(o *ListOptions) { o.MaxKeys = n } }

// WithCursor resumes a listing after the page that returned token.
func WithCursor(token string) ListOption { return func(o *ListOptions) { o.Cursor = token } }

// ApplyListOptions folds opts into a ListOptions value with MaxKeys
// defaulted.
func ApplyListOptions(opts []ListOption) ListOptions {
	var o ListOptions
	ApplyListOptionsTo(&o, opts)
	return o
}

// ApplyListOptionsTo is ApplyListOptions into *o, which it overwrites. The
// option functions make what they are given escape to the heap, so a
// driver that allocates a page struct anyway folds the options into a
// field of it rather than paying for a ListOptions of their own.
func ApplyListOptionsTo(o *ListOptions, opts []ListOption) {
	*o = ListOptions{}
	for _, f := range opts {
		f(o)
	}
	if o.MaxKeys <= 0 {
		o.MaxKeys = DefaultMaxKeys
	}
}
