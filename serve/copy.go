package serve

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/trovemem/trovemem/driver"
)

// copySource parses x-amz-copy-source: "[/]bucket/key[?versionId=V]",
// URL-encoded.
func copySource(h http.Header) (bucket, key string, err error) {
	raw := h.Get("X-Amz-Copy-Source")
	src, err := url.PathUnescape(raw)
	if err != nil || !utf8.ValidString(src) {
		return "", "", errArg("x-amz-copy-source", raw, "Invalid copy source encoding")
	}
	if i := strings.Index(src, "?versionId="); i >= 0 {
		v := src[i+len("?versionId="):]
		src = src[:i]
		if v != "" && v != "null" {
			return "", "", errInvalidArg("Invalid version id specified")
		}
	}
	src = strings.TrimPrefix(src, "/")
	b, k, _ := strings.Cut(src, "/")
	if driver.ValidateBucketName(b) != nil {
		return "", "", errArg("x-amz-copy-source", src, "Invalid copy source bucket name")
	}
	if k == "" || climbs(k) {
		return "", "", errArg("x-amz-copy-source", k, "Invalid copy source object key")
	}
	if len(k) > driver.MaxKeyLen {
		return "", "", ErrKeyTooLong
	}
	return b, k, nil
}

// sourceError is the answer to a copy source that could not be read: a
// missing object in a missing bucket is NoSuchBucket.
func (s *Server) sourceError(ctx context.Context, bucket string, err error) error {
	if errors.Is(err, driver.ErrObjectNotFound) {
		if cerr := s.checkBucket(ctx, bucket); cerr != nil {
			return cerr
		}
	}
	return storeError(err)
}

type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	NS           string   `xml:"xmlns,attr"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
	ChecksumType string   `xml:"ChecksumType,omitempty"`
	checksumFields
}

// checksumFields are the Checksum<ALGO> elements of S3's XML documents,
// embedded in every result and part entry that carries a checksum.
type checksumFields struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
	ChecksumSHA512    string `xml:"ChecksumSHA512,omitempty"`
	ChecksumMD5       string `xml:"ChecksumMD5,omitempty"`
	ChecksumXXHASH64  string `xml:"ChecksumXXHASH64,omitempty"`
	ChecksumXXHASH3   string `xml:"ChecksumXXHASH3,omitempty"`
	ChecksumXXHASH128 string `xml:"ChecksumXXHASH128,omitempty"`
}

// field is the field of algo, nil for an algorithm S3 does not know.
func (c *checksumFields) field(algo string) *string {
	switch algo {
	case "CRC32":
		return &c.ChecksumCRC32
	case "CRC32C":
		return &c.ChecksumCRC32C
	case "CRC64NVME":
		return &c.ChecksumCRC64NVME
	case "SHA1":
		return &c.ChecksumSHA1
	case "SHA256":
		return &c.ChecksumSHA256
	case "SHA512":
		return &c.ChecksumSHA512
	case "MD5":
		return &c.ChecksumMD5
	case "XXHASH64":
		return &c.ChecksumXXHASH64
	case "XXHASH3":
		return &c.ChecksumXXHASH3
	case "XXHASH128":
		return &c.ChecksumXXHASH128
	}
	return nil
}

// set sets the field of algo to v; an empty or unknown algo sets nothing.
func (c *checksumFields) set(algo, v string) {
	if f := c.field(algo); f != nil {
		*f = v
	}
}

// byAlgo returns the fields that are set, by algorithm.
func (c *checksumFields) byAlgo() map[string]string {
	m := map[string]string{}
	for _, algo := range checksumAlgos {
		if v := *c.field(algo); v != "" {
			m[algo] = v
		}
	}
	return m
}

func (s *Server) copyObject(r *request) error {
	ctx := r.Context()
	if err := validKey(r.key); err != nil {
		return err
	}
	sb, sk, err := copySource(r.Header)
	if err != nil {
		return err
	}
	if _, err := userMetadata(r.Header); err != nil {
		return err
	}
	mdir := r.Header.Get("X-Amz-Metadata-Directive")
	if mdir != "" && mdir != "COPY" && mdir != "REPLACE" {
		return errInvalidArg("Unknown metadata directive.")
	}
	tdir := r.Header.Get("X-Amz-Tagging-Directive")
	if tdir != "" && tdir != "COPY" && tdir != "REPLACE" {
		return errInvalidArg("Unknown tagging directive.")
	}
	newAlgo := strings.ToUpper(r.Header.Get("X-Amz-Checksum-Algorithm"))
	if newAlgo != "" && !validAlgo(newAlgo) {
		return ErrInvalidChecksumAlgo
	}
	if err := s.checkACLHeaders(r); err != nil {
		return err
	}
	if err := s.checkLockHeaders(r); err != nil {
		return err
	}
	if v := r.Header.Get("X-Amz-Website-Redirect-Location"); v != "" && !validRedirect(v) {
		return ErrInvalidRedirect
	}
	if err := s.checkBucket(ctx, r.bucket); err != nil {
		return err
	}
	rd, err := s.store.Get(ctx, sb, sk)
	if err != nil {
		return s.sourceError(ctx, sb, err)
	}
	defer rd.Close()
	src := rd.Info
	if err := readConditions(r.Header, "X-Amz-Copy-Source-", src); err != nil {
		return err
	}
	self := sb == r.bucket && sk == r.key
	if self && mdir != "REPLACE" && tdir != "REPLACE" && newAlgo == "" &&
		r.Header.Get("X-Amz-Website-Redirect-Location") == "" && r.Header.Get("X-Amz-Storage-Class") == "" {
		return ErrInvalidCopyDest
	}
	meta := make(map[string]string)
	ctype := src.ContentType
	if mdir == "REPLACE" {
		if meta, err = s.writeMetadata(r); err != nil {
			return err
		}
		delete(meta, metaTagging)
		ctype = contentType(r.Header)
	} else {
		for k, v := range src.Metadata {
			if k == metaETag || k == metaParts || k == metaTagging || k == metaChecksum || k == metaChecksumType ||
				k == metaPrefix+"x-amz-website-redirect-location" {
				continue
			}
			meta[k] = v
		}
		if v := r.Header.Get("X-Amz-Website-Redirect-Location"); v != "" {
			meta[metaPrefix+"x-amz-website-redirect-location"] = v
		}
	}
	for _, k := range []string{metaLockMode, metaLockUntil, metaLegalHold} {
		delete(meta, k)
	}
	lockMetadata(r.Header, meta)
	if tdir == "REPLACE" {
		if t := r.Header.Get("X-Amz-Tagging"); t != "" {
			tags, err := parseTagging(t)
			if err != nil {
				return err
			}
			if len(tags) > 0 {
				meta[metaTagging] = encodeTagging(tags)
			}
		}
	} else if t := src.Metadata[metaTagging]; t != "" {
		meta[metaTagging] = t
	}
	data, err := io.ReadAll(rd)
	if err != nil {
		return storeError(err)
	}
	algo, value, typ := objectChecksum(src)
	if newAlgo != "" || algo == "" || typ == "COMPOSITE" {
		if newAlgo != "" {
			algo = newAlgo
		} else if algo == "" || !isCRC(algo) {
			algo = "CRC64NVME"
		}
		h := newHash(algo)
		h.Write(data)
		value = base64.StdEncoding.EncodeToString(h.Sum(nil))
		typ = "FULL_OBJECT"
	}
	meta[metaChecksum] = algo + ":" + value
	meta[metaChecksumType] = typ
	// data was read for this put alone, so the store may keep it.
	info, err := s.store.Put(ctx, r.bucket, r.key, driver.NewHandoff(data),
		driver.WithContentType(ctype), driver.WithMetadata(meta))
	if err != nil {
		return storeError(err)
	}
	r.backend = info.Backend
	res := copyObjectResult{NS: s3NS, ETag: quoteETag(info.ETag), LastModified: isoTime(info.LastModified), ChecksumType: typ}
	res.set(algo, value)
	return writeXML(r, res)
}

type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	Tags    []tag    `xml:"TagSet>Tag"`
}

func (s *Server) getObjectTagging(r *request) error {
	info, err := s.store.Head(r.Context(), r.bucket, r.key)
	if err != nil {
		return storeError(err)
	}
	res := tagging{NS: s3NS, Tags: []tag{}}
	if t := info.Metadata[metaTagging]; t != "" {
		tags, _ := parseTagging(t)
		res.Tags = tags
	}
	return writeXML(r, res)
}

// retag rewrites an object with new tags, keeping everything else.
func (s *Server) retag(r *request, tags []tag) error {
	return s.rewriteMeta(r, func(meta map[string]string) {
		delete(meta, metaTagging)
		if len(tags) > 0 {
			meta[metaTagging] = encodeTagging(tags)
		}
	})
}

// rewriteMeta rewrites an object with edited metadata, keeping its
// content, type and time.
func (s *Server) rewriteMeta(r *request, edit func(map[string]string)) error {
	ctx := r.Context()
	unlock := s.lockKey(r.bucket, r.key)
	defer unlock()
	rd, err := s.store.Get(ctx, r.bucket, r.key)
	if err != nil {
		return storeError(err)
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil {
		return storeError(err)
	}
	meta := driver.CloneMetadata(rd.Info.Metadata)
	if meta == nil {
		meta = map[string]string{}
	}
	edit(meta)
	if _, err := s.store.Put(ctx, r.bucket, r.key, driver.NewHandoff(data), driver.WithContentType(rd.Info.ContentType),
		driver.WithMetadata(meta), driver.WithLastModified(rd.Info.LastModified)); err != nil {
		return storeError(err)
	}
	return nil
}

func (s *Server) putObjectTagging(r *request) error {
	body, err := io.ReadAll(io.LimitReader(r.body, 64<<10))
	if err != nil {
		return err
	}
	var t tagging
	if err := xml.Unmarshal(body, &t); err != nil {
		return ErrMalformedXML
	}
	if err := validateTags(t.Tags, false); err != nil {
		return err
	}
	if err := s.retag(r, t.Tags); err != nil {
		return err
	}
	r.w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) deleteObjectTagging(r *request) error {
	if err := s.retag(r, nil); err != nil {
		return err
	}
	r.w.WriteHeader(http.StatusNoContent)
	return nil
}

type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key string `xml:"Key"`
	} `xml:"Object"`
}

type deleteResult struct {
	XMLName xml.Name        `xml:"DeleteResult"`
	NS      string          `xml:"xmlns,attr"`
	Deleted []deletedObject `xml:"Deleted"`
	Errors  []deleteError   `xml:"Error"`
}

type deletedObject struct {
	Key string `xml:"Key"`
}

type deleteError struct {
	Key     string `xml:"Key"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

func (s *Server) deleteObjects(r *request) error {
	ctx := r.Context()
	body, err := io.ReadAll(io.LimitReader(r.body, 2<<20))
	if err != nil {
		return err
	}
	var req deleteRequest
	if err := xml.Unmarshal(body, &req); err != nil || len(req.Objects) > 1000 {
		return ErrMalformedXML
	}
	if err := s.checkBucket(ctx, r.bucket); err != nil {
		return err
	}
	res := deleteResult{NS: s3NS, Deleted: []deletedObject{}, Errors: []deleteError{}}
	for _, o := range req.Objects {
		if err := validKey(o.Key); err != nil {
			var ae *APIError
			errors.As(err, &ae)
			res.Errors = append(res.Errors, deleteError{Key: o.Key, Code: ae.Code, Message: ae.Message})
			continue
		}
		if err := s.store.Delete(ctx, r.bucket, o.Key); err != nil {
			ae := storeError(err)
			res.Errors = append(res.Errors, deleteError{Key: o.Key, Code: ae.Code, Message: ae.Message})
			continue
		}
		if !req.Quiet {
			res.Deleted = append(res.Deleted, deletedObject{Key: o.Key})
		}
	}
	return writeXML(r, res)
}
