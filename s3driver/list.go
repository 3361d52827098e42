package s3driver

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/trovemem/trovemem/driver"
)

// maxServerKeys is the most entries S3 returns in one ListObjectsV2 page.
const maxServerKeys = 1000

// maxListRequests bounds the requests of one List call, so a server that
// keeps answering "truncated" with nothing new fails instead of looping.
const maxListRequests = 1000

// List returns one page of bucket's listing with ListObjectsV2.
//
// The cursor stays the project's own (the last entry returned) and is sent
// as StartAfter; S3's continuation tokens are used only between the
// requests of one List call, never handed out, so a cursor means the same
// on every backend and survives a server restart. A delimited listing
// resumes by StartAfter even between its own requests, past the whole
// common prefix it stopped at (see resumeAfter). S3 may repeat, after
// StartAfter, the common prefix the cursor names, so entries at or before
// the last one kept are dropped.
//
// To know whether a page is the last without a second call, List asks for
// one entry more than the page holds, and never for fewer than 2: MinIO
// answers a delimited page of 1 after StartAfter with an empty,
// untruncated page. Keys are asked for URL-encoded (encoding-type=url), so
// keys that XML 1.0 cannot carry list too, and decoded when the server says
// it encoded them (versitygw does not encode).
func (d *Driver) List(ctx context.Context, bucket string, opts ...driver.ListOption) (*driver.ObjectIterator, error) {
	lo := driver.ApplyListOptions(opts)
	after, err := driver.DecodeCursor(lo.Cursor)
	if err != nil {
		return nil, err
	}
	want := lo.MaxKeys + 1
	entries := make([]*driver.ObjectInfo, 0, min(want, maxServerKeys+1))
	last := after
	var token *string
	for req := 0; ; req++ {
		if req == maxListRequests {
			return nil, fmt.Errorf("S3 ListObjectsV2: still truncated after %d requests without filling a page", req)
		}
		in := &s3.ListObjectsV2Input{
			Bucket:       aws.String(bucket),
			MaxKeys:      aws.Int32(int32(min(max(want-len(entries), 2), maxServerKeys))),
			EncodingType: types.EncodingTypeUrl,
		}
		if lo.Prefix != "" {
			in.Prefix = aws.String(lo.Prefix)
		}
		if lo.Delimiter != "" {
			in.Delimiter = aws.String(lo.Delimiter)
		}
		if token != nil {
			in.ContinuationToken = token
		} else if start := resumeAfter(last, lo.Prefix, lo.Delimiter); start != "" {
			in.StartAfter = aws.String(start)
		}
		out, err := d.client.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, translate("ListObjectsV2", err)
		}
		page, err := pageEntries(out)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if e.Key <= last || !strings.HasPrefix(e.Key, lo.Prefix) {
				continue
			}
			entries = append(entries, e)
			last = e.Key
		}
		truncated := aws.ToBool(out.IsTruncated)
		switch {
		case len(entries) > lo.MaxKeys:
			entries = entries[:lo.MaxKeys]
			return driver.NewObjectIterator(entries, driver.EncodeCursor(entries[len(entries)-1].Key)), nil
		case !truncated:
			return driver.NewObjectIterator(entries, ""), nil
		case len(entries) == lo.MaxKeys:
			// A full page the server says is not the end: asking for the
			// one more entry would cost a request per page of 1000.
			return driver.NewObjectIterator(entries, driver.EncodeCursor(last)), nil
		}
		token = out.NextContinuationToken
		if aws.ToString(token) == "" || lo.Delimiter != "" {
			// Resume by StartAfter instead. A delimited listing always
			// does: MinIO's token after a page ending in a common prefix
			// is that prefix, which walks the keys under it again.
			token = nil
		}
	}
}

// afterAll is greater than any character of a UTF-8 key: a prefix followed
// by it sorts after nearly every key starting with the prefix.
const afterAll = "\U0010FFFF"

// resumeAfter is the StartAfter that continues a listing past last. When
// last lies in a common prefix (it is one, or a cursor inside one), every
// key under that prefix is at or before last in the listing's order, so
// the request starts after the whole prefix: sent as StartAfter=prefix, a
// server that compares StartAfter with raw keys (MinIO, for any delimiter
// but '/') walks the prefix's keys again, and one holding more keys than
// a page never lets the listing move on. The rare key under the prefix
// that sorts after prefix+U+10FFFF is still dropped as repeated.
func resumeAfter(last, prefix, delimiter string) string {
	if delimiter == "" || !strings.HasPrefix(last, prefix) {
		return last
	}
	if e, isPrefix := driver.ListEntryKey(last, prefix, delimiter); isPrefix {
		return e + afterAll
	}
	return last
}

// pageEntries merges a response's objects and common prefixes, each sorted
// by S3, into one list in key order, decoding URL-encoded keys.
func pageEntries(out *s3.ListObjectsV2Output) ([]*driver.ObjectInfo, error) {
	decode := func(s string) (string, error) { return s, nil }
	if out.EncodingType == types.EncodingTypeUrl {
		decode = func(s string) (string, error) {
			k, err := url.QueryUnescape(s)
			if err != nil {
				return "", fmt.Errorf("S3 ListObjectsV2: key %q is not URL-encoded as the server says: %v", s, err)
			}
			return k, nil
		}
	}
	entries := make([]*driver.ObjectInfo, 0, len(out.Contents)+len(out.CommonPrefixes))
	for _, o := range out.Contents {
		k, err := decode(aws.ToString(o.Key))
		if err != nil {
			return nil, err
		}
		e := &driver.ObjectInfo{Key: k, Size: aws.ToInt64(o.Size), ETag: unquote(aws.ToString(o.ETag))}
		if o.LastModified != nil {
			e.LastModified = o.LastModified.UTC()
		}
		entries = append(entries, e)
	}
	for _, p := range out.CommonPrefixes {
		k, err := decode(aws.ToString(p.Prefix))
		if err != nil {
			return nil, err
		}
		entries = append(entries, &driver.ObjectInfo{Key: k, IsPrefix: true})
	}
	if len(out.CommonPrefixes) > 0 && len(out.Contents) > 0 {
		slices.SortStableFunc(entries, func(a, b *driver.ObjectInfo) int { return strings.Compare(a.Key, b.Key) })
	}
	return entries, nil
}

// CreateBucket creates name. HeadBucket comes first, since AWS's
// us-east-1 answers 200 to re-creating a bucket one owns, and the
// contract wants ErrBucketExists. Outside us-east-1, AWS wants the region
// as the location constraint; other servers are not sent one.
func (d *Driver) CreateBucket(ctx context.Context, name string) error {
	exists, err := d.bucketExists(ctx, name)
	if err != nil {
		return err
	}
	if exists {
		return driver.ErrBucketExists
	}
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if d.cfg.Endpoint == "" && d.cfg.Region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(d.cfg.Region),
		}
	}
	_, err = d.client.CreateBucket(ctx, in)
	return translate("CreateBucket", err)
}

// DeleteBucket removes an empty bucket.
func (d *Driver) DeleteBucket(ctx context.Context, name string) error {
	_, err := d.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)})
	return translate("DeleteBucket", err)
}

// ListBuckets returns the account's buckets sorted by name. Credentials
// scoped to the DSN's bucket usually may not list buckets; then the default
// bucket, which Open checked, is the list.
func (d *Driver) ListBuckets(ctx context.Context) ([]driver.BucketInfo, error) {
	var out []driver.BucketInfo
	var token *string
	for {
		resp, err := d.client.ListBuckets(ctx, &s3.ListBucketsInput{ContinuationToken: token})
		if err != nil {
			terr := translate("ListBuckets", err)
			if d.cfg.Bucket != "" && errors.Is(terr, ErrAccessDenied) {
				return []driver.BucketInfo{{Name: d.cfg.Bucket}}, nil
			}
			return nil, terr
		}
		for _, b := range resp.Buckets {
			bi := driver.BucketInfo{Name: aws.ToString(b.Name)}
			if b.CreationDate != nil {
				bi.CreatedAt = b.CreationDate.UTC()
			}
			out = append(out, bi)
		}
		if aws.ToString(resp.ContinuationToken) == "" {
			break
		}
		token = resp.ContinuationToken
	}
	slices.SortFunc(out, func(a, b driver.BucketInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
