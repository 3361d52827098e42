package s3driver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/trovemem/trovemem/driver"
)

// maxCopyObject is the largest source CopyObject accepts; larger objects
// are copied by streaming them through the driver.
const maxCopyObject = 5 << 30

// copyAttempts bounds how often Copy starts over when its source changes
// between the Head and the CopyObject (If-Match fails).
const copyAttempts = 3

// Put stores r under bucket/key. Content up to the part size is read into
// memory and sent as one PUT with its length; larger content is a multipart
// upload of parts of that size, read and sent one at a time, so memory per
// Put stays bounded whatever the object's size. Every request body is
// seekable, so it is signed with its SHA-256 and retried safely.
//
// The ETag of a single PUT is the hex MD5 of the content, as the contract
// says; that of a multipart upload is S3's "MD5-of-part-MD5s-N", which is
// not (see README, "ETags across backends"). A failed multipart upload is
// aborted, so no parts are left behind to be billed.
func (d *Driver) Put(ctx context.Context, bucket, key string, r io.Reader, opts ...driver.PutOption) (*driver.ObjectInfo, error) {
	po := driver.ApplyPutOptions(opts)
	stamp := po.LastModified
	if stamp.IsZero() {
		stamp = d.now()
	}
	stamp = stamp.UTC()
	headers, md, err := encodeMetadata(po.Metadata, stamp)
	if err != nil {
		return nil, err
	}
	info := &driver.ObjectInfo{Key: key, ContentType: po.ContentType, LastModified: stamp, Metadata: md}

	// A reader that knows its remaining length and can seek (strings and
	// bytes readers) is sent as it is, without a copy.
	if sr, ok := r.(interface {
		io.ReadSeeker
		Len() int
	}); ok && int64(sr.Len()) <= d.cfg.PartSize {
		info.Size = int64(sr.Len())
		err := d.putOnce(ctx, bucket, key, sr, info, headers)
		return info, err
	}

	buf := getBuffer()
	defer putBuffer(buf)
	if _, err := buf.ReadFrom(io.LimitReader(r, d.cfg.PartSize)); err != nil {
		return nil, fmt.Errorf("reading the content: %w", err)
	}
	if int64(buf.Len()) < d.cfg.PartSize {
		info.Size = int64(buf.Len())
		return info, d.putOnce(ctx, bucket, key, bytes.NewReader(buf.Bytes()), info, headers)
	}
	// Exactly one part's worth so far: one more byte decides.
	var one [1]byte
	n, err := io.ReadFull(r, one[:])
	if n == 0 {
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("reading the content: %w", err)
		}
		info.Size = int64(buf.Len())
		return info, d.putOnce(ctx, bucket, key, bytes.NewReader(buf.Bytes()), info, headers)
	}
	rest := io.MultiReader(bytes.NewReader(one[:]), r)
	return info, d.putMultipart(ctx, bucket, key, buf, rest, info, headers)
}

func (d *Driver) putOnce(ctx context.Context, bucket, key string, body io.ReadSeeker, info *driver.ObjectInfo, headers map[string]string) error {
	out, err := d.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(key),
		Body:          body,
		ContentLength: aws.Int64(info.Size),
		ContentType:   aws.String(info.ContentType),
		Metadata:      headers,
	})
	if err != nil {
		return translate("PutObject", err)
	}
	info.ETag = unquote(aws.ToString(out.ETag))
	return nil
}

// putMultipart uploads first (one full part) and then rest, part by part.
func (d *Driver) putMultipart(ctx context.Context, bucket, key string, first *bytes.Buffer, rest io.Reader, info *driver.ObjectInfo, headers map[string]string) error {
	created, err := d.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:      aws.String(bucket),
		Key:         aws.String(key),
		ContentType: aws.String(info.ContentType),
		Metadata:    headers,
	})
	if err != nil {
		return translate("CreateMultipartUpload", err)
	}
	uploadID := created.UploadId
	abort := func(cause error) error {
		// The caller's context may be what failed; the abort still runs,
		// bounded, so the server can drop the parts.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.Timeout)
		defer cancel()
		_, _ = d.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{
			Bucket: aws.String(bucket), Key: aws.String(key), UploadId: uploadID,
		})
		return cause
	}
	var parts []types.CompletedPart
	size := int64(0)
	part := first
	for num := int32(1); ; num++ {
		if num > 10000 {
			return abort(fmt.Errorf("object is larger than 10,000 parts of %d bytes, S3's limit; mount with a larger part_size", d.cfg.PartSize))
		}
		out, err := d.client.UploadPart(ctx, &s3.UploadPartInput{
			Bucket:        aws.String(bucket),
			Key:           aws.String(key),
			UploadId:      uploadID,
			PartNumber:    aws.Int32(num),
			Body:          bytes.NewReader(part.Bytes()),
			ContentLength: aws.Int64(int64(part.Len())),
		})
		if err != nil {
			return abort(translate("UploadPart", err))
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(num)})
		size += int64(part.Len())
		part.Reset()
		if _, err := part.ReadFrom(io.LimitReader(rest, d.cfg.PartSize)); err != nil {
			return abort(fmt.Errorf("reading the content: %w", err))
		}
		if part.Len() == 0 {
			break
		}
	}
	out, err := d.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(bucket),
		Key:             aws.String(key),
		UploadId:        uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		return abort(translate("CompleteMultipartUpload", err))
	}
	info.Size = size
	info.ETag = unquote(aws.ToString(out.ETag))
	return nil
}

// Get opens bucket/key. A range reaches the driver checked (by the portable
// layer), since servers ignore a Range header they cannot parse and send
// the whole object; a server answering a valid range with the whole object
// anyway (200, not 206) is cut to the range here, against the object's
// size. 416 is driver.ErrInvalidRange.
func (d *Driver) Get(ctx context.Context, bucket, key string, opts ...driver.GetOption) (*driver.ObjectReader, error) {
	// The portable layer has refused malformed specs already, so every
	// spec sent here is one a server can parse.
	spec := driver.ApplyGetOptions(opts).Range
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if spec != "" {
		in.Range = aws.String(spec)
	}
	out, err := d.client.GetObject(ctx, in)
	if err != nil {
		return nil, d.objectError(ctx, "GetObject", bucket, err)
	}
	size := aws.ToInt64(out.ContentLength)
	ranged := out.ContentRange != nil
	if ranged {
		if total, ok := rangeTotal(*out.ContentRange); ok {
			size = total
		}
	}
	md, stamp := decodeMetadata(out.Metadata)
	info := &driver.ObjectInfo{
		Key:          key,
		Size:         size,
		ContentType:  aws.ToString(out.ContentType),
		ETag:         unquote(aws.ToString(out.ETag)),
		LastModified: pick(stamp, out.LastModified),
		Metadata:     md,
	}
	body := out.Body
	if spec != "" && !ranged {
		off, n, err := driver.ParseRange(spec, size)
		if err != nil {
			body.Close()
			return nil, err
		}
		if _, err := io.CopyN(io.Discard, body, off); err != nil {
			body.Close()
			return nil, translate("GetObject", err)
		}
		body = readCloser{io.LimitReader(body, n), body}
	}
	return &driver.ObjectReader{ReadCloser: body, Info: info}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// rangeTotal reads the object size from a Content-Range such as
// "bytes 0-3/10".
func rangeTotal(cr string) (int64, bool) {
	_, total, ok := strings.Cut(cr, "/")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(total, 10, 64)
	return n, err == nil
}

// Head returns bucket/key's info. A HEAD answer has no body, so a 404 does
// not say whether the bucket or the key is missing: HeadBucket tells.
func (d *Driver) Head(ctx context.Context, bucket, key string) (*driver.ObjectInfo, error) {
	out, err := d.headObject(ctx, bucket, key, "")
	if err != nil {
		return nil, err
	}
	return headInfo(key, out), nil
}

func (d *Driver) headObject(ctx context.Context, bucket, key, ifMatch string) (*s3.HeadObjectOutput, error) {
	in := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if ifMatch != "" {
		in.IfMatch = aws.String(quote(ifMatch))
	}
	out, err := d.client.HeadObject(ctx, in)
	if err != nil {
		return nil, d.objectError(ctx, "HeadObject", bucket, err)
	}
	return out, nil
}

func headInfo(key string, out *s3.HeadObjectOutput) *driver.ObjectInfo {
	md, stamp := decodeMetadata(out.Metadata)
	return &driver.ObjectInfo{
		Key:          key,
		Size:         aws.ToInt64(out.ContentLength),
		ContentType:  aws.ToString(out.ContentType),
		ETag:         unquote(aws.ToString(out.ETag)),
		LastModified: pick(stamp, out.LastModified),
		Metadata:     md,
	}
}

// objectError translates an error of a request on one object; a bare 404
// (HEAD has no body to name the error) becomes ErrBucketNotFound or
// ErrObjectNotFound after asking whether the bucket exists.
func (d *Driver) objectError(ctx context.Context, op, bucket string, err error) error {
	terr := translate(op, err)
	if errors.Is(terr, driver.ErrBucketNotFound) || errors.Is(terr, driver.ErrObjectNotFound) {
		return terr
	}
	if !isStatus(err, http.StatusNotFound) {
		return terr
	}
	exists, herr := d.bucketExists(ctx, bucket)
	if herr != nil {
		return herr
	}
	if !exists {
		return driver.ErrBucketNotFound
	}
	return driver.ErrObjectNotFound
}

func (d *Driver) bucketExists(ctx context.Context, bucket string) (bool, error) {
	_, err := d.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	switch {
	case err == nil:
		return true, nil
	case isStatus(err, http.StatusNotFound):
		return false, nil
	case isStatus(err, http.StatusForbidden):
		// Someone else's bucket: it exists, but not for us.
		return true, nil
	}
	return false, translate("HeadBucket", err)
}

// Delete removes bucket/key; S3 answers 204 for a missing key as well.
func (d *Driver) Delete(ctx context.Context, bucket, key string) error {
	_, err := d.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	return translate("DeleteObject", err)
}

// Copy is a server-side CopyObject: the content never passes through the
// driver. The source is read with Head first, for its content type,
// metadata and ETag, and CopyObject is guarded with If-Match on that ETag,
// so the copy and the info Copy returns are of the same version of the
// source even if it is overwritten meanwhile (Copy then starts over). The
// copy is a new object stamped with the driver's clock, as Put would
// stamp it. Sources over 5 GiB, which CopyObject refuses, are streamed
// through Get and Put instead.
func (d *Driver) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string) (*driver.ObjectInfo, error) {
	for attempt := 1; ; attempt++ {
		src, err := d.headObject(ctx, srcBucket, srcKey, "")
		if err != nil {
			return nil, err
		}
		srcInfo := headInfo(srcKey, src)
		if srcInfo.Size > maxCopyObject {
			return d.copyStreaming(ctx, srcBucket, srcKey, dstBucket, dstKey, srcInfo)
		}
		stamp := d.now().UTC()
		headers, md, err := encodeMetadata(srcInfo.Metadata, stamp)
		if err != nil {
			return nil, err
		}
		out, err := d.client.CopyObject(ctx, &s3.CopyObjectInput{
			Bucket:             aws.String(dstBucket),
			Key:                aws.String(dstKey),
			CopySource:         aws.String(copySource(srcBucket, srcKey)),
			CopySourceIfMatch:  aws.String(quote(srcInfo.ETag)),
			MetadataDirective:  types.MetadataDirectiveReplace,
			ContentType:        aws.String(srcInfo.ContentType),
			Metadata:           headers,
			CacheControl:       src.CacheControl,
			ContentDisposition: src.ContentDisposition,
			ContentEncoding:    src.ContentEncoding,
			ContentLanguage:    src.ContentLanguage,
		})
		if err != nil {
			terr := translate("CopyObject", err)
			if errors.Is(terr, errPreconditionFailed) && attempt < copyAttempts {
				continue
			}
			if errors.Is(terr, driver.ErrBucketNotFound) {
				// The source's bucket answered the Head just now, so the
				// missing one is the destination's.
				return nil, driver.AtDestination(terr)
			}
			return nil, terr
		}
		etag := srcInfo.ETag
		if out.CopyObjectResult != nil && out.CopyObjectResult.ETag != nil {
			etag = unquote(*out.CopyObjectResult.ETag)
		}
		return &driver.ObjectInfo{
			Key: dstKey, Size: srcInfo.Size, ContentType: srcInfo.ContentType,
			ETag: etag, LastModified: stamp, Metadata: md,
		}, nil
	}
}

// copyStreaming copies a source too large for CopyObject through the
// driver, reading the version the Head saw (If-Match).
func (d *Driver) copyStreaming(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, src *driver.ObjectInfo) (*driver.ObjectInfo, error) {
	out, err := d.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(srcBucket), Key: aws.String(srcKey), IfMatch: aws.String(quote(src.ETag)),
	})
	if err != nil {
		return nil, d.objectError(ctx, "GetObject", srcBucket, err)
	}
	defer out.Body.Close()
	info, err := d.Put(ctx, dstBucket, dstKey, out.Body,
		driver.WithContentType(src.ContentType), driver.WithMetadata(src.Metadata))
	if err != nil {
		return nil, driver.AtDestination(err)
	}
	return info, nil
}

// copySource is CopyObject's x-amz-copy-source: bucket/key, URL-encoded.
// Everything but unreserved characters and '/' is escaped, '+' included,
// since servers differ in whether they read '+' as a space.
func copySource(bucket, key string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.WriteString(bucket)
	b.WriteByte('/')
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// pick returns the driver's stamp when the object has one, and the
// server's Last-Modified otherwise.
func pick(stamp time.Time, server *time.Time) time.Time {
	if !stamp.IsZero() {
		return stamp
	}
	if server != nil {
		return server.UTC()
	}
	return time.Time{}
}

func unquote(etag string) string { return strings.Trim(etag, `"`) }

func quote(etag string) string { return `"` + etag + `"` }

// Buffers for puts are pooled: a put of a small object should not cost a
// fresh allocation that grows by doubling each time.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return buffers.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	// A full part's buffer is not kept: a burst of large puts would
	// otherwise pin part-size buffers in every pool slot.
	if b.Cap() > 1<<20 {
		return
	}
	b.Reset()
	buffers.Put(b)
}
