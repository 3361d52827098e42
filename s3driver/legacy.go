package s3driver

// This file fits the driver to the driver contract main has until the
// portable layer (driver.Wrap, issue 8) lands: that contract wants an Open
// method and drivers that check names, track Close and wrap errors
// themselves. It goes away when the layer is merged.

import (
	"context"
	"io"
	"math"
	"sync/atomic"

	"github.com/trovemem/trovemem/driver"
)

func init() {
	driver.Register(Scheme, func() driver.Driver { return &legacy{} })
}

// atDestination marks a Copy error as the destination's; the old contract
// has no way to say so.
func atDestination(err error) error { return err }

// wrap puts the checks the old contract asks of every driver in front of d.
func wrap(d *Driver) driver.Driver { return &legacy{d: d} }

type legacy struct {
	d      *Driver
	closed atomic.Bool
}

func (l *legacy) Name() string { return Scheme }

func (l *legacy) Open(ctx context.Context, dsn string, opts ...driver.Option) error {
	if l.closed.Load() {
		return driver.E("open", "", "", driver.ErrClosed)
	}
	p, err := driver.ParseDSN(dsn)
	if err != nil {
		return driver.E("open", "", "", err)
	}
	d, err := Open(ctx, p, opts...)
	if err != nil {
		return driver.E("open", "", "", err)
	}
	l.d = d
	return nil
}

func (l *legacy) begin(ctx context.Context) error {
	if l.closed.Load() || l.d == nil {
		return driver.ErrClosed
	}
	return ctx.Err()
}

func (l *legacy) object(ctx context.Context, bucket, key string) error {
	if err := l.begin(ctx); err != nil {
		return err
	}
	if err := driver.ValidateBucketName(bucket); err != nil {
		return err
	}
	return driver.ValidateKey(key)
}

func (l *legacy) Close(ctx context.Context) error {
	if l.closed.Swap(true) || l.d == nil {
		return nil
	}
	return l.d.Close(ctx)
}

func (l *legacy) Ping(ctx context.Context) error {
	if err := l.begin(ctx); err != nil {
		return driver.E("ping", "", "", err)
	}
	return driver.E("ping", "", "", l.d.Ping(ctx))
}

func (l *legacy) Put(ctx context.Context, bucket, key string, r io.Reader, opts ...driver.PutOption) (*driver.ObjectInfo, error) {
	if err := l.object(ctx, bucket, key); err != nil {
		return nil, driver.E("put", bucket, key, err)
	}
	info, err := l.d.Put(ctx, bucket, key, r, opts...)
	return info, driver.E("put", bucket, key, err)
}

func (l *legacy) Get(ctx context.Context, bucket, key string, opts ...driver.GetOption) (*driver.ObjectReader, error) {
	if err := l.object(ctx, bucket, key); err != nil {
		return nil, driver.E("get", bucket, key, err)
	}
	if spec := driver.ApplyGetOptions(opts).Range; spec != "" {
		if _, _, err := driver.ParseRange(spec, math.MaxInt64); err != nil {
			// The object's absence comes first, as in other drivers.
			if _, herr := l.d.Head(ctx, bucket, key); herr != nil {
				return nil, driver.E("get", bucket, key, herr)
			}
			return nil, driver.E("get", bucket, key, err)
		}
	}
	r, err := l.d.Get(ctx, bucket, key, opts...)
	return r, driver.E("get", bucket, key, err)
}

func (l *legacy) Delete(ctx context.Context, bucket, key string) error {
	if err := l.object(ctx, bucket, key); err != nil {
		return driver.E("delete", bucket, key, err)
	}
	return driver.E("delete", bucket, key, l.d.Delete(ctx, bucket, key))
}

func (l *legacy) Head(ctx context.Context, bucket, key string) (*driver.ObjectInfo, error) {
	if err := l.object(ctx, bucket, key); err != nil {
		return nil, driver.E("head", bucket, key, err)
	}
	info, err := l.d.Head(ctx, bucket, key)
	return info, driver.E("head", bucket, key, err)
}

func (l *legacy) List(ctx context.Context, bucket string, opts ...driver.ListOption) (*driver.ObjectIterator, error) {
	if err := l.begin(ctx); err != nil {
		return nil, driver.E("list", bucket, "", err)
	}
	if err := driver.ValidateBucketName(bucket); err != nil {
		return nil, driver.E("list", bucket, "", err)
	}
	it, err := l.d.List(ctx, bucket, opts...)
	return it, driver.E("list", bucket, "", err)
}

func (l *legacy) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string) (*driver.ObjectInfo, error) {
	if err := l.object(ctx, srcBucket, srcKey); err != nil {
		return nil, driver.E("copy", srcBucket, srcKey, err)
	}
	if err := l.object(ctx, dstBucket, dstKey); err != nil {
		return nil, driver.E("copy", dstBucket, dstKey, err)
	}
	info, err := l.d.Copy(ctx, srcBucket, srcKey, dstBucket, dstKey)
	return info, driver.E("copy", srcBucket, srcKey, err)
}

func (l *legacy) CreateBucket(ctx context.Context, name string) error {
	if err := l.begin(ctx); err != nil {
		return driver.E("create-bucket", name, "", err)
	}
	if err := driver.ValidateBucketName(name); err != nil {
		return driver.E("create-bucket", name, "", err)
	}
	return driver.E("create-bucket", name, "", l.d.CreateBucket(ctx, name))
}

func (l *legacy) DeleteBucket(ctx context.Context, name string) error {
	if err := l.begin(ctx); err != nil {
		return driver.E("delete-bucket", name, "", err)
	}
	if err := driver.ValidateBucketName(name); err != nil {
		return driver.E("delete-bucket", name, "", err)
	}
	return driver.E("delete-bucket", name, "", l.d.DeleteBucket(ctx, name))
}

func (l *legacy) ListBuckets(ctx context.Context) ([]driver.BucketInfo, error) {
	if err := l.begin(ctx); err != nil {
		return nil, driver.E("list-buckets", "", "", err)
	}
	bs, err := l.d.ListBuckets(ctx)
	return bs, driver.E("list-buckets", "", "", err)
}
