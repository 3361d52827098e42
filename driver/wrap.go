package driver

import (
	"context"
	"errors"
	"io"
	"math"
	"sync"
	"sync/atomic"
)

// Wrap returns d behind the portable layer: the one place that does what
// every driver would otherwise repeat. Before calling d it refuses, with an
// *Error naming the operation, bucket and key, a closed driver
// (ErrClosed), a done context, invalid bucket names and keys
// (ErrInvalidName), a cursor DecodeCursor rejects (ErrInvalidCursor), a
// malformed WithRange spec (ErrInvalidRange) and a content type or
// metadata ValidatePutOptions refuses (ErrInvalidMetadata); it wraps every error d
// returns the same way, and makes Close idempotent. So a driver holds only
// what is specific to its storage (see Driver).
//
// Wrap is idempotent: wrapping a wrapped driver returns it unchanged, so
// callers can wrap whatever driver they are given. Unwrap returns the
// driver underneath.
func Wrap(d Driver) Driver {
	if d == nil {
		return nil
	}
	if p, ok := d.(*portable); ok {
		return p
	}
	return &portable{d: d}
}

// Unwrap returns the driver Wrap put the layer in front of, or d itself
// when d is not wrapped. Callers use it to reach a driver's own methods,
// such as memdriver's Stats or localdriver's Dir.
func Unwrap(d Driver) Driver {
	if p, ok := d.(*portable); ok {
		return p.d
	}
	return d
}

// AtDestination marks err, returned by a driver's Copy, as being about the
// destination, so the layer names dstBucket/dstKey in it rather than the
// source. The error's message and what it wraps are unchanged.
func AtDestination(err error) error {
	if err == nil {
		return nil
	}
	return &destinationError{err}
}

type destinationError struct{ err error }

func (e *destinationError) Error() string { return e.err.Error() }
func (e *destinationError) Unwrap() error { return e.err }

// portable is the layer Wrap returns.
type portable struct {
	d Driver
	// closed is set once by Close. It is not a lock: a call that passed the
	// check may still run while Close does, as Driver allows.
	closed atomic.Bool
}

var _ Driver = (*portable)(nil)

// begin is the check every operation starts with: a closed driver, then a
// done context, ends it before the driver sees it.
func (p *portable) begin(ctx context.Context, op, bucket, key string) error {
	if p.closed.Load() {
		return E(op, bucket, key, ErrClosed)
	}
	return E(op, bucket, key, ctx.Err())
}

// beginObject is begin plus the checks of one object's bucket and key.
func (p *portable) beginObject(ctx context.Context, op, bucket, key string) error {
	if err := p.begin(ctx, op, bucket, key); err != nil {
		return err
	}
	return E(op, bucket, key, checkObject(bucket, key))
}

func checkObject(bucket, key string) error {
	if err := ValidateBucketName(bucket); err != nil {
		return err
	}
	return ValidateKey(key)
}

func (p *portable) Name() string { return p.d.Name() }

func (p *portable) Close(ctx context.Context) error {
	if p.closed.Swap(true) {
		return nil
	}
	return E("close", "", "", p.d.Close(ctx))
}

func (p *portable) Ping(ctx context.Context) error {
	if err := p.begin(ctx, "ping", "", ""); err != nil {
		return err
	}
	return E("ping", "", "", p.d.Ping(ctx))
}

func (p *portable) Put(ctx context.Context, bucket, key string, r io.Reader, opts ...PutOption) (*ObjectInfo, error) {
	const op = "put"
	if err := p.beginObject(ctx, op, bucket, key); err != nil {
		return nil, err
	}
	if len(opts) > 0 {
		// Folded without ApplyPutOptions' copy of the map: only read here.
		var o PutOptions
		for _, f := range opts {
			f(&o)
		}
		if err := ValidatePutOptions(&o); err != nil {
			return nil, E(op, bucket, key, err)
		}
	}
	info, err := p.d.Put(ctx, bucket, key, r, opts...)
	if err != nil {
		return nil, E(op, bucket, key, err)
	}
	return info, nil
}

func (p *portable) Get(ctx context.Context, bucket, key string, opts ...GetOption) (*ObjectReader, error) {
	const op = "get"
	if err := p.beginObject(ctx, op, bucket, key); err != nil {
		return nil, err
	}
	if spec := rangeSpec(opts); spec != "" && !wellFormedRange(spec) {
		if err := p.badRange(ctx, bucket, key, spec); err != nil {
			return nil, E(op, bucket, key, err)
		}
	}
	rd, err := p.d.Get(ctx, bucket, key, opts...)
	if err != nil {
		return nil, E(op, bucket, key, err)
	}
	return rd, nil
}

// rangeSpec returns the WithRange spec among opts. Applying options costs
// an allocation (the options value escapes to the option functions), so a
// plain Get, the common case, skips it.
func rangeSpec(opts []GetOption) string {
	if len(opts) == 0 {
		return ""
	}
	return ApplyGetOptions(opts).Range
}

// wellFormedRange reports whether spec can name bytes of some object: it
// fails only for the forms ParseRange rejects whatever the size.
func wellFormedRange(spec string) bool {
	_, _, err := ParseRange(spec, math.MaxInt64)
	return err == nil
}

// badRange returns the error a Get of bucket/key with the malformed range
// spec gets: the object's own absence comes first, as it would in a driver
// that looked the object up before parsing the range, and otherwise
// ParseRange's reason for the object's size. It costs a Head, on a path
// that fails anyway, so drivers never see a spec they cannot read.
func (p *portable) badRange(ctx context.Context, bucket, key, spec string) error {
	info, err := p.d.Head(ctx, bucket, key)
	if err != nil {
		return err
	}
	_, _, err = ParseRange(spec, info.Size)
	return err
}

func (p *portable) Delete(ctx context.Context, bucket, key string) error {
	const op = "delete"
	if err := p.beginObject(ctx, op, bucket, key); err != nil {
		return err
	}
	return E(op, bucket, key, p.d.Delete(ctx, bucket, key))
}

func (p *portable) Head(ctx context.Context, bucket, key string) (*ObjectInfo, error) {
	const op = "head"
	if err := p.beginObject(ctx, op, bucket, key); err != nil {
		return nil, err
	}
	info, err := p.d.Head(ctx, bucket, key)
	if err != nil {
		return nil, E(op, bucket, key, err)
	}
	return info, nil
}

func (p *portable) List(ctx context.Context, bucket string, opts ...ListOption) (*ObjectIterator, error) {
	const op = "list"
	if err := p.begin(ctx, op, bucket, ""); err != nil {
		return nil, err
	}
	if err := ValidateBucketName(bucket); err != nil {
		return nil, E(op, bucket, "", err)
	}
	if len(opts) > 0 {
		if err := checkListCursor(opts); err != nil {
			return nil, E(op, bucket, "", err)
		}
	}
	it, err := p.d.List(ctx, bucket, opts...)
	if err != nil {
		return nil, E(op, bucket, "", err)
	}
	return it, nil
}

// listOptionsPool holds the ListOptions checkListCursor folds options
// into: option functions make their argument escape, so a fresh value
// would cost an allocation on every page.
var listOptionsPool = sync.Pool{New: func() any { return new(ListOptions) }}

// checkListCursor reports whether the WithCursor token among opts decodes.
func checkListCursor(opts []ListOption) error {
	o := listOptionsPool.Get().(*ListOptions)
	ApplyListOptionsTo(o, opts)
	err := checkCursor(o.Cursor)
	*o = ListOptions{}
	listOptionsPool.Put(o)
	return err
}

func (p *portable) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string) (*ObjectInfo, error) {
	const op = "copy"
	if err := p.beginObject(ctx, op, srcBucket, srcKey); err != nil {
		return nil, err
	}
	if err := checkObject(dstBucket, dstKey); err != nil {
		return nil, E(op, dstBucket, dstKey, err)
	}
	info, err := p.d.Copy(ctx, srcBucket, srcKey, dstBucket, dstKey)
	if err != nil {
		var de *destinationError
		if errors.As(err, &de) {
			return nil, E(op, dstBucket, dstKey, err)
		}
		return nil, E(op, srcBucket, srcKey, err)
	}
	return info, nil
}

func (p *portable) CreateBucket(ctx context.Context, name string) error {
	const op = "create-bucket"
	if err := p.begin(ctx, op, name, ""); err != nil {
		return err
	}
	if err := ValidateBucketName(name); err != nil {
		return E(op, name, "", err)
	}
	return E(op, name, "", p.d.CreateBucket(ctx, name))
}

func (p *portable) DeleteBucket(ctx context.Context, name string) error {
	const op = "delete-bucket"
	if err := p.begin(ctx, op, name, ""); err != nil {
		return err
	}
	if err := ValidateBucketName(name); err != nil {
		return E(op, name, "", err)
	}
	return E(op, name, "", p.d.DeleteBucket(ctx, name))
}

func (p *portable) ListBuckets(ctx context.Context) ([]BucketInfo, error) {
	const op = "list-buckets"
	if err := p.begin(ctx, op, "", ""); err != nil {
		return nil, err
	}
	bs, err := p.d.ListBuckets(ctx)
	if err != nil {
		return nil, E(op, "", "", err)
	}
	return bs, nil
}
