package serve

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/trovemem/trovemem/driver"
)

// bodyLength is the payload's announced decoded length, or -1.
func bodyLength(r *request) int64 {
	if r.chunked != nil {
		if n, err := strconv.ParseInt(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 64); err == nil {
			return n
		}
		return -1
	}
	return r.ContentLength
}

// readPayload reads and verifies the whole payload (at most max bytes).
// Bodies are read in full before anything is stored: a payload whose
// checksum fails stores nothing, and the checksum is known when the object
// is written.
func (s *Server) readPayload(r *request, p *payloadReader, max int64) ([]byte, error) {
	n := bodyLength(r)
	if n > max {
		return nil, ErrEntityTooLarge
	}
	reserve := n
	if reserve < 0 {
		reserve = 1 << 20
	}
	limit := 2 * s.opts.MaxUploadBytes
	if s.inflight.Add(reserve) > limit && reserve > 0 {
		s.inflight.Add(-reserve)
		return nil, ErrSlowDown
	}
	defer s.inflight.Add(-reserve)
	// A known length gets a buffer with MinRead spare bytes: the read that
	// finds EOF (and runs the payload's checks) needs that much room, and
	// without it ReadFrom would double the buffer and copy the whole body
	// just to learn that nothing follows. The buffer is not recycled: a
	// put hands it to the store (driver.Handoff), where a memory backend
	// keeps it as the object's content.
	initial := n + bytes.MinRead
	if n < 0 || n > 8<<20 {
		initial = 8 << 20
	}
	buf := bytes.NewBuffer(make([]byte, 0, initial))
	got, err := buf.ReadFrom(io.LimitReader(p, max+1))
	if err == nil && got > max {
		err = ErrEntityTooLarge
	}
	if err == nil && n >= 0 && got != n {
		err = ErrLengthMismatch
	}
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func validKey(key string) error {
	if len(key) > driver.MaxKeyLen {
		return ErrKeyTooLong
	}
	if driver.ValidateKey(key) != nil || climbs(key) {
		return ErrBadRequest
	}
	return nil
}

// climbs says whether key, read as a path, names nothing or leaves its
// bucket ("..", "a/../..", "./"). Such keys are refused, as the disk
// backend could not hold them and S3 gateways on file systems refuse them.
func climbs(key string) bool {
	depth := 0
	for _, c := range strings.Split(key, "/") {
		switch c {
		case "", ".":
		case "..":
			depth--
			if depth < 0 {
				return true
			}
		default:
			depth++
		}
	}
	return depth == 0
}

func (s *Server) bucketState(name string) *bucketState {
	if v, ok := s.buckets.Load(name); ok {
		return v.(*bucketState)
	}
	return &bucketState{ownership: "BucketOwnerEnforced"}
}

// checkLockHeaders validates the object-lock headers of a write.
func (s *Server) checkLockHeaders(r *request) error {
	mode := r.Header.Get("X-Amz-Object-Lock-Mode")
	until := r.Header.Get("X-Amz-Object-Lock-Retain-Until-Date")
	hold := r.Header.Get("X-Amz-Object-Lock-Legal-Hold")
	if mode == "" && until == "" && hold == "" {
		return nil
	}
	if hold != "" && hold != "ON" && hold != "OFF" {
		return errArg("x-amz-object-lock-legal-hold", hold, "Legal Hold must be either of 'ON' or 'OFF'")
	}
	if (mode == "") != (until == "") {
		return errInvalidArg("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied.")
	}
	if until != "" {
		t, err := time.Parse(time.RFC3339, until)
		if err != nil {
			return errArg("x-amz-object-lock-retain-until-date", until, "The retain until date must be provided in ISO 8601 format")
		}
		if t.Before(time.Now()) {
			return errArg("x-amz-object-lock-retain-until-date", until, "The retain until date must be in the future!")
		}
	}
	if mode != "" && mode != "GOVERNANCE" && mode != "COMPLIANCE" {
		return errArg("x-amz-object-lock-mode", mode, "Unknown wormMode directive.")
	}
	if !s.bucketState(r.bucket).lockEnabled {
		return apiErr(http.StatusBadRequest, "InvalidRequest", "Bucket is missing ObjectLockConfiguration")
	}
	return nil
}

func (s *Server) checkACLHeaders(r *request) error {
	if r.Header.Get("X-Amz-Acl") != "" || r.Header.Get("X-Amz-Grant-Full-Control") != "" ||
		r.Header.Get("X-Amz-Grant-Read") != "" || r.Header.Get("X-Amz-Grant-Read-Acp") != "" ||
		r.Header.Get("X-Amz-Grant-Write-Acp") != "" {
		return ErrAclNotSupported
	}
	return nil
}

// writeMetadata builds the stored metadata of a new object from the
// request's headers.
func (s *Server) writeMetadata(r *request) (map[string]string, error) {
	meta, err := userMetadata(r.Header)
	if err != nil {
		return nil, err
	}
	if err := contentMetadata(r.Header, meta); err != nil {
		return nil, err
	}
	if t := r.Header.Get("X-Amz-Tagging"); t != "" {
		tags, err := parseTagging(t)
		if err != nil {
			return nil, err
		}
		if len(tags) > 0 {
			meta[metaTagging] = encodeTagging(tags)
		}
	}
	lockMetadata(r.Header, meta)
	return meta, nil
}

func (s *Server) checkBucket(ctx context.Context, bucket string) error {
	if driver.ValidateBucketName(bucket) != nil {
		if _, err := s.store.List(ctx, bucket, driver.WithMaxKeys(1)); err == nil {
			return nil
		}
		return ErrNoSuchBucket
	}
	_, err := s.store.List(ctx, bucket, driver.WithMaxKeys(1))
	if err != nil {
		return storeError(err)
	}
	return nil
}

// checkWriteTarget checks the key and bucket a new object is written to
// (PutObject, CreateMultipartUpload).
func (s *Server) checkWriteTarget(ctx context.Context, r *request) error {
	if err := validKey(r.key); err != nil {
		return err
	}
	return s.checkBucket(ctx, r.bucket)
}

// newObjectMetadata checks the ACL and object-lock headers of a new
// object's write and builds its stored metadata from the headers.
func (s *Server) newObjectMetadata(r *request) (map[string]string, error) {
	if err := s.checkACLHeaders(r); err != nil {
		return nil, err
	}
	if err := s.checkLockHeaders(r); err != nil {
		return nil, err
	}
	return s.writeMetadata(r)
}

func (s *Server) putObject(r *request) error {
	ctx := r.Context()
	if err := s.checkWriteTarget(ctx, r); err != nil {
		return err
	}
	spec, err := parseChecksum(r.Header)
	if err != nil {
		return err
	}
	meta, err := s.newObjectMetadata(r)
	if err != nil {
		return err
	}
	// The MD5 (the ETag) is computed here, in the same pass over the body
	// as the SHA-256 and the checksum, and handed to the store, which then
	// need not read the body again.
	p, err := newPayloadReader(r, spec, "CRC64NVME", true)
	if err != nil {
		return err
	}
	data, err := s.readPayload(r, p, s.opts.MaxObjectSize)
	if err != nil {
		return err
	}
	meta[metaChecksum] = p.spec.algo + ":" + p.checksum
	meta[metaChecksumType] = "FULL_OBJECT"
	unlock := s.lockKey(r.bucket, r.key)
	defer unlock()
	if err := s.checkWriteConditions(ctx, r); err != nil {
		return err
	}
	// data is handed over: a memory backend keeps it as the object's
	// content rather than copying it, and nothing here reads it again.
	info, err := s.store.Put(ctx, r.bucket, r.key, driver.NewHandoff(data),
		driver.WithContentType(contentType(r.Header)), driver.WithMetadata(meta),
		driver.WithContentMD5(p.md5.Sum(nil)))
	if err != nil {
		return storeError(err)
	}
	r.backend = info.Backend
	h := r.w.Header()
	h.Set("ETag", quoteETag(info.ETag))
	h[checksumHeader(p.spec.algo)] = []string{p.checksum}
	h.Set("X-Amz-Checksum-Type", "FULL_OBJECT")
	h.Set("X-Amz-Object-Size", strconv.FormatInt(info.Size, 10))
	r.w.WriteHeader(http.StatusOK)
	return nil
}

// defaultContentType is what S3 stores when a write names no type.
const defaultContentType = "binary/octet-stream"

func contentType(h http.Header) string {
	if ct := h.Get("Content-Type"); ct != "" {
		return ct
	}
	return defaultContentType
}

// checkWriteConditions applies If-Match and If-None-Match to a write.
func (s *Server) checkWriteConditions(ctx context.Context, r *request) error {
	im, hasIM := r.Header["If-Match"]
	inm, hasINM := r.Header["If-None-Match"]
	if !hasIM && !hasINM {
		return nil
	}
	if hasIM && hasINM {
		return ErrNotImplemented
	}
	if hasINM && strings.TrimSpace(inm[0]) != "*" {
		return ErrNotImplemented
	}
	info, err := s.store.Head(ctx, r.bucket, r.key)
	exists := err == nil
	if err != nil && !errors.Is(err, driver.ErrObjectNotFound) {
		return storeError(err)
	}
	if hasINM {
		if exists {
			return ErrPreconditionFailed
		}
		return nil
	}
	if !exists {
		return ErrNoSuchKey
	}
	if trimETag(im[0]) != objectETag(info) && strings.TrimSpace(im[0]) != "*" {
		return ErrPreconditionFailed
	}
	return nil
}

// readConditions applies the conditional headers of a read (RFC 9110
// precedence: If-Match before If-Unmodified-Since, If-None-Match before
// If-Modified-Since).
func readConditions(h http.Header, prefix string, info *driver.ObjectInfo) error {
	etag := objectETag(info)
	mod := info.LastModified.Truncate(time.Second)
	im := h.Get(prefix + "If-Match")
	inm := h.Get(prefix + "If-None-Match")
	if im != "" {
		if !etagListMatches(im, etag) {
			return ErrPreconditionFailed
		}
	} else if v := h.Get(prefix + "If-Unmodified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && mod.After(t) {
			return ErrPreconditionFailed
		}
	}
	if inm != "" {
		if etagListMatches(inm, etag) {
			return ErrNotModified
		}
	} else if v := h.Get(prefix + "If-Modified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && !mod.After(t) {
			return ErrNotModified
		}
	}
	return nil
}

func etagListMatches(list, etag string) bool {
	for _, e := range strings.Split(list, ",") {
		e = trimETag(e)
		if e == "*" || e == etag {
			return true
		}
	}
	return false
}

// parseRange resolves a Range header against size. ok is false for a
// header S3 ignores (not bytes=A-B, A-, -N); a range starting past the end
// is InvalidRange.
func parseRange(spec string, size int64) (off, n int64, ok bool, err error) {
	rest, found := strings.CutPrefix(strings.TrimSpace(spec), "bytes=")
	if !found || strings.Contains(rest, ",") {
		return 0, 0, false, nil
	}
	a, b, found := strings.Cut(rest, "-")
	if !found {
		return 0, 0, false, nil
	}
	if a == "" {
		suffix, perr := strconv.ParseInt(b, 10, 64)
		if perr != nil || suffix < 0 {
			return 0, 0, false, nil
		}
		if suffix == 0 {
			return 0, 0, false, ErrInvalidRange
		}
		if size == 0 {
			return 0, 0, false, nil
		}
		if suffix > size {
			suffix = size
		}
		return size - suffix, suffix, true, nil
	}
	start, perr := strconv.ParseInt(a, 10, 64)
	if perr != nil || start < 0 {
		return 0, 0, false, nil
	}
	end := size - 1
	if b != "" {
		e, perr := strconv.ParseInt(b, 10, 64)
		if perr != nil || e < start {
			return 0, 0, false, nil
		}
		if e < end {
			end = e
		}
	}
	if start >= size {
		return 0, 0, false, ErrInvalidRange
	}
	return start, end - start + 1, true, nil
}

func (s *Server) getObject(r *request, head bool) error {
	ctx := r.Context()
	if err := validKey(r.key); err != nil {
		return err
	}
	partStr := r.q("partNumber")
	pn := 0
	if partStr != "" {
		n, perr := strconv.Atoi(partStr)
		if perr != nil || n < 1 || n > 10000 {
			return errArg("partNumber", partStr, "Part number must be an integer between 1 and 10000, inclusive.")
		}
		pn = n
	}
	info, err := s.store.Head(ctx, r.bucket, r.key)
	if err != nil {
		if errors.Is(err, driver.ErrObjectNotFound) {
			if cerr := s.checkBucket(ctx, r.bucket); cerr != nil {
				return cerr
			}
		}
		return storeError(err)
	}
	r.backend = info.Backend
	if err := readConditions(r.Header, "", info); err != nil {
		if errors.Is(err, ErrNotModified) {
			h := r.w.Header()
			h.Set("ETag", quoteETag(objectETag(info)))
			h.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
		}
		return err
	}
	rangeHdr := r.Header.Get("Range")
	if rangeHdr != "" && partStr != "" {
		return ErrRangeAndPartNumber
	}
	off, n, ranged := int64(0), info.Size, false
	parts := partSizes(info)
	if partStr != "" {
		switch {
		case len(parts) == 0 && pn == 1:
			ranged = info.Size > 0
		case pn > len(parts):
			return ErrInvalidPartNumRange
		default:
			for i := 0; i < pn-1; i++ {
				off += parts[i]
			}
			n = parts[pn-1]
			ranged = true
		}
	} else if rangeHdr != "" {
		o, l, ok, rerr := parseRange(rangeHdr, info.Size)
		if rerr != nil {
			r.w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(info.Size, 10))
			return rerr
		}
		if ok {
			off, n, ranged = o, l, true
		}
	}
	h := r.w.Header()
	setObjectHeaders(h, info)
	if strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") && (!ranged || partStr != "") {
		if algo, v, typ := objectChecksum(info); algo != "" && (partStr == "" || len(parts) == 0) {
			h[checksumHeader(algo)] = []string{v}
			h.Set("X-Amz-Checksum-Type", typ)
		}
	}
	for q, name := range map[string]string{"response-content-type": "Content-Type", "response-content-language": "Content-Language",
		"response-expires": "Expires", "response-cache-control": "Cache-Control",
		"response-content-disposition": "Content-Disposition", "response-content-encoding": "Content-Encoding"} {
		if v := r.q(q); v != "" {
			h.Set(name, v)
		}
	}
	h.Set("Content-Length", strconv.FormatInt(n, 10))
	status := http.StatusOK
	if ranged {
		if rangeHdr != "" || partStr != "" {
			h.Set("Content-Range", "bytes "+strconv.FormatInt(off, 10)+"-"+strconv.FormatInt(off+n-1, 10)+"/"+strconv.FormatInt(info.Size, 10))
			status = http.StatusPartialContent
		}
	}
	if head {
		r.w.WriteHeader(status)
		return nil
	}
	var opts []driver.GetOption
	if ranged && n > 0 {
		opts = append(opts, driver.WithRange("bytes="+strconv.FormatInt(off, 10)+"-"+strconv.FormatInt(off+n-1, 10)))
	}
	rd, err := s.store.Get(ctx, r.bucket, r.key, opts...)
	if err != nil {
		for k := range h {
			if k != "X-Amz-Request-Id" && k != "Server" {
				delete(h, k)
			}
		}
		return storeError(err)
	}
	defer rd.Close()
	r.w.WriteHeader(status)
	if n > 0 {
		writeBody(r.w, rd.ReadCloser, n)
	}
	return nil
}

// writeBody writes the n bytes of an object's reader. A reader that holds
// exactly those bytes in memory (the memory backend's) writes them in one
// call, so the connection gets the whole body at once rather than through
// a 32 KiB copy buffer.
func writeBody(w io.Writer, src io.Reader, n int64) {
	if mem, ok := src.(interface {
		io.WriterTo
		Len() int
	}); ok && int64(mem.Len()) == n {
		_, _ = mem.WriteTo(w)
		return
	}
	_, _ = io.CopyN(w, src, n)
}

func (s *Server) deleteObject(r *request) error {
	ctx := r.Context()
	if err := validKey(r.key); err != nil {
		return err
	}
	if err := s.checkBucket(ctx, r.bucket); err != nil {
		return err
	}
	unlock := s.lockKey(r.bucket, r.key)
	defer unlock()
	if err := s.checkDeleteConditions(ctx, r); err != nil {
		return err
	}
	if err := s.store.Delete(ctx, r.bucket, r.key); err != nil {
		return storeError(err)
	}
	r.w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkDeleteConditions applies If-Match, x-amz-if-match-last-modified-time
// and x-amz-if-match-size to a delete.
func (s *Server) checkDeleteConditions(ctx context.Context, r *request) error {
	im := r.Header.Get("If-Match")
	mt := r.Header.Get("X-Amz-If-Match-Last-Modified-Time")
	sz := r.Header.Get("X-Amz-If-Match-Size")
	if im == "" && mt == "" && sz == "" {
		return nil
	}
	info, err := s.store.Head(ctx, r.bucket, r.key)
	if errors.Is(err, driver.ErrObjectNotFound) {
		return nil
	}
	if err != nil {
		return storeError(err)
	}
	if im != "" && !etagListMatches(im, objectETag(info)) {
		return ErrPreconditionFailed
	}
	if mt != "" {
		t, err := http.ParseTime(mt)
		if err != nil {
			t, err = time.Parse(time.RFC3339, mt)
		}
		if err != nil || !t.Equal(info.LastModified.Truncate(time.Second)) {
			return ErrPreconditionFailed
		}
	}
	if sz != "" {
		n, err := strconv.ParseInt(sz, 10, 64)
		if err != nil || n != info.Size {
			return ErrPreconditionFailed
		}
	}
	return nil
}
