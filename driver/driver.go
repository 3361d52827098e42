package driver

import (
	"context"
	"io"
	"time"
)

// Driver is a storage backend. Implementations must be safe for concurrent
// use by multiple goroutines.
//
// A Driver is written for the portable layer that Wrap puts in front of it,
// and holds only what is specific to its storage. The layer has already
// checked, before any method below is called, that the driver is not
// closed, that ctx is not done, that bucket names pass ValidateBucketName
// and keys ValidateKey, that a WithCursor token decodes with DecodeCursor
// and that a WithRange spec is well formed (the driver still resolves it
// against the object's size with ParseRange). The layer calls Close at most
// once and starts no call after it; calls already running when Close is
// called may still be in progress, and the driver must keep them safe. A
// driver returns bare sentinels (ErrBucketNotFound, ErrObjectNotFound, ...)
// or its own errors wrapping them; the layer wraps every error in an *Error
// naming the operation, bucket and key. A driver whose storage refuses
// further names (see ValidateKey) returns its own ErrInvalidName errors.
//
// Callers use a Driver through Wrap (OpenDSN and the trove store do so):
// the contracts below are what they see.
type Driver interface {
	// Name returns the driver's registry scheme, such as "mem".
	Name() string

	// Close releases the driver's resources. Closing twice is not an error.
	Close(ctx context.Context) error

	// Ping reports whether the backend is reachable; ErrClosed after Close.
	Ping(ctx context.Context) error

	// Put stores the whole of r under bucket/key, replacing any object that
	// was there. It returns the stored object's info. If the bucket does not
	// exist Put must return an error wrapping ErrBucketNotFound and store
	// nothing. The ContentType defaults to "application/octet-stream" and the
	// ETag is the hex MD5 of the content, with one exception: an S3 backend
	// gives an object it uploads in parts S3's multipart ETag ("MD5-N"),
	// which is not a digest of the content, so ETags compare reliably only
	// within one backend (see s3driver.Put). The metadata map is copied: a
	// caller mutating it afterwards never changes the stored object.
	// LastModified is the driver's clock, or WithLastModified's time.
	Put(ctx context.Context, bucket, key string, r io.Reader, opts ...PutOption) (*ObjectInfo, error)

	// Get opens the object for reading. A missing bucket is
	// ErrBucketNotFound, a missing key ErrObjectNotFound, an unsatisfiable
	// WithRange ErrInvalidRange. The reader sees the object as it was when
	// Get returned, whatever is written to the key afterwards.
	Get(ctx context.Context, bucket, key string, opts ...GetOption) (*ObjectReader, error)

	// Delete removes the object. Deleting a key that does not exist is not an
	// error; a missing bucket is ErrBucketNotFound.
	Delete(ctx context.Context, bucket, key string) error

	// Head returns the object's info without its content, with the same
	// errors as Get.
	Head(ctx context.Context, bucket, key string) (*ObjectInfo, error)

	// List returns one page of the bucket's objects in lexicographic byte
	// order of their keys. With WithDelimiter, keys that share the prefix up
	// to and including the first delimiter after WithPrefix collapse into one
	// entry with IsPrefix set; such an entry is never split across pages or
	// repeated. The page holds at most WithMaxKeys entries (default
	// DefaultMaxKeys); the iterator's NextToken, passed back with WithCursor,
	// resumes strictly after the page's last entry and is empty on the last
	// page. Cursors are made with EncodeCursor.
	List(ctx context.Context, bucket string, opts ...ListOption) (*ObjectIterator, error)

	// Copy copies srcBucket/srcKey to dstBucket/dstKey on this driver,
	// content type and metadata included, and returns the new object's info.
	// Errors are as for Get on the source and Put on the destination; a
	// driver marks an error about the destination with AtDestination, so
	// the layer names the destination in it.
	Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string) (*ObjectInfo, error)

	// CreateBucket creates an empty bucket; ErrBucketExists if it exists.
	CreateBucket(ctx context.Context, name string) error

	// DeleteBucket removes an empty bucket: ErrBucketNotFound if it is
	// missing, ErrBucketNotEmpty if it holds objects.
	DeleteBucket(ctx context.Context, name string) error

	// ListBuckets returns every bucket sorted by name.
	ListBuckets(ctx context.Context) ([]BucketInfo, error)
}

// ObjectInfo describes a stored object, or a common prefix in a delimited
// listing.
type ObjectInfo struct {
	Key          string            `json:"key"`
	Size         int64             `json:"size"`
	ContentType  string            `json:"content_type,omitempty"`
	ETag         string            `json:"etag,omitempty"`
	LastModified time.Time         `json:"last_modified"`
	Metadata     map[string]string `json:"metadata,omitempty"`

	// IsPrefix marks a common prefix produced by WithDelimiter; only Key is
	// set on such an entry.
	IsPrefix bool `json:"is_prefix,omitempty"`

	// Backend names the backend that holds the object. Drivers leave it
	// empty; the portable store fills it in.
	Backend string `json:"backend,omitempty"`
}

// Clone returns a deep copy of info, so callers can never alias a driver's
// stored metadata map.
func (info *ObjectInfo) Clone() *ObjectInfo {
	if info == nil {
		return nil
	}
	c := *info
	c.Metadata = CloneMetadata(info.Metadata)
	return &c
}

// CloneMetadata copies a metadata map; nil and empty maps both become nil.
func CloneMetadata(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// BucketInfo describes a bucket.
type BucketInfo struct {
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// ObjectReader is an open object: its content and its info.
type ObjectReader struct {
	io.ReadCloser
	Info *ObjectInfo
}

// DefaultMaxKeys is the page size of List when WithMaxKeys is not given.
const DefaultMaxKeys = 1000

// DefaultContentType is stored when a Put names no content type.
const DefaultContentType = "application/octet-stream"
