package drivertest

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/trovemem/trovemem/driver"
)

// refDriver is the simplest driver that keeps the contract, written only so
// the suite can be tested without any real driver: maps under one mutex and
// a full sort on every List. It favours being obviously right over speed.
// Like every driver it leaves names, the closed state and error context to
// the portable layer (driver.Wrap).
type refDriver struct {
	mu      sync.Mutex
	buckets map[string]*refBucket
}

type refBucket struct {
	created time.Time
	objects map[string]*refObject
}

type refObject struct {
	data []byte
	info driver.ObjectInfo
}

var _ driver.Driver = (*refDriver)(nil)

func newRefDriver() *refDriver { return &refDriver{buckets: map[string]*refBucket{}} }

func (d *refDriver) Name() string { return "ref" }

func (d *refDriver) Close(ctx context.Context) error { return nil }

func (d *refDriver) Ping(ctx context.Context) error { return nil }

// bucket returns the bucket; d.mu must be held.
func (d *refDriver) bucket(bucket string) (*refBucket, error) {
	b, ok := d.buckets[bucket]
	if !ok {
		return nil, driver.ErrBucketNotFound
	}
	return b, nil
}

func (d *refDriver) object(bucket, key string) (*refObject, error) {
	b, err := d.bucket(bucket)
	if err != nil {
		return nil, err
	}
	o, ok := b.objects[key]
	if !ok {
		return nil, driver.ErrObjectNotFound
	}
	return o, nil
}

func (d *refDriver) Put(ctx context.Context, bucket, key string, r io.Reader, opts ...driver.PutOption) (*driver.ObjectInfo, error) {
	// Reading happens outside the lock; the object is built whole and
	// swapped in, so readers never see a partial one.
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	o := driver.ApplyPutOptions(opts)
	sum := md5.Sum(data)
	obj := &refObject{data: data, info: driver.ObjectInfo{
		Key: key, Size: int64(len(data)), ContentType: o.ContentType,
		ETag: hex.EncodeToString(sum[:]), LastModified: o.LastModified, Metadata: o.Metadata,
	}}
	if obj.info.LastModified.IsZero() {
		obj.info.LastModified = time.Now()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	b, err := d.bucket(bucket)
	if err != nil {
		return nil, err
	}
	b.objects[key] = obj
	return obj.info.Clone(), nil
}

func (d *refDriver) Get(ctx context.Context, bucket, key string, opts ...driver.GetOption) (*driver.ObjectReader, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	o, err := d.object(bucket, key)
	if err != nil {
		return nil, err
	}
	off, n, err := driver.ParseRange(driver.ApplyGetOptions(opts).Range, o.info.Size)
	if err != nil {
		return nil, err
	}
	// Stored data is never modified in place, so sharing the slice gives
	// the reader a snapshot.
	return &driver.ObjectReader{
		ReadCloser: io.NopCloser(bytes.NewReader(o.data[off : off+n])),
		Info:       o.info.Clone(),
	}, nil
}

func (d *refDriver) Delete(ctx context.Context, bucket, key string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, err := d.bucket(bucket)
	if err != nil {
		return err
	}
	delete(b.objects, key)
	return nil
}

func (d *refDriver) Head(ctx context.Context, bucket, key string) (*driver.ObjectInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	o, err := d.object(bucket, key)
	if err != nil {
		return nil, err
	}
	return o.info.Clone(), nil
}

func (d *refDriver) List(ctx context.Context, bucket string, opts ...driver.ListOption) (*driver.ObjectIterator, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, err := d.bucket(bucket)
	if err != nil {
		return nil, err
	}
	o := driver.ApplyListOptions(opts)
	after, err := driver.DecodeCursor(o.Cursor)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(b.objects))
	for k := range b.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var page []*driver.ObjectInfo
	for _, k := range keys {
		if !strings.HasPrefix(k, o.Prefix) {
			continue
		}
		e, isPrefix := driver.ListEntryKey(k, o.Prefix, o.Delimiter)
		if after != "" && e <= after {
			continue
		}
		if len(page) > 0 && page[len(page)-1].Key == e {
			continue // Another key of the same common prefix.
		}
		if len(page) == o.MaxKeys {
			return driver.NewObjectIterator(page, driver.EncodeCursor(page[len(page)-1].Key)), nil
		}
		if isPrefix {
			page = append(page, &driver.ObjectInfo{Key: e, IsPrefix: true})
		} else {
			page = append(page, b.objects[k].info.Clone())
		}
	}
	return driver.NewObjectIterator(page, ""), nil
}

func (d *refDriver) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string) (*driver.ObjectInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	src, err := d.object(srcBucket, srcKey)
	if err != nil {
		return nil, err
	}
	dst, err := d.bucket(dstBucket)
	if err != nil {
		return nil, driver.AtDestination(err)
	}
	obj := &refObject{data: src.data, info: *src.info.Clone()}
	obj.info.Key = dstKey
	obj.info.LastModified = time.Now()
	dst.objects[dstKey] = obj
	return obj.info.Clone(), nil
}

func (d *refDriver) CreateBucket(ctx context.Context, name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, err := d.bucket(name)
	switch {
	case err == nil:
		return driver.ErrBucketExists
	case !errors.Is(err, driver.ErrBucketNotFound):
		return err
	}
	d.buckets[name] = &refBucket{created: time.Now(), objects: map[string]*refObject{}}
	return nil
}

func (d *refDriver) DeleteBucket(ctx context.Context, name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, err := d.bucket(name)
	if err != nil {
		return err
	}
	if len(b.objects) > 0 {
		return driver.ErrBucketNotEmpty
	}
	delete(d.buckets, name)
	return nil
}

func (d *refDriver) ListBuckets(ctx context.Context) ([]driver.BucketInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]driver.BucketInfo, 0, len(d.buckets))
	for name, b := range d.buckets {
		out = append(out, driver.BucketInfo{Name: name, CreatedAt: b.created})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
