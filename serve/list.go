package serve

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/trovemem/trovemem/driver"
)

type listEntry struct {
	Key               string `xml:"Key"`
	LastModified      string `xml:"LastModified"`
	ETag              string `xml:"ETag"`
	Size              int64  `xml:"Size"`
	StorageClass      string `xml:"StorageClass"`
	Owner             *owner `xml:"Owner,omitempty"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

type listResult struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	NS                    string         `xml:"xmlns,attr"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix,omitempty"`
	Marker                string         `xml:"Marker,omitempty"`
	NextMarker            string         `xml:"NextMarker,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	KeyCount              *int           `xml:"KeyCount,omitempty"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	Contents              []listEntry    `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

// s3URLEncode encodes a listed name for encoding-type=url as S3 does:
// query-style escaping, with '/' left as is.
func s3URLEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}

func parseMaxKeys(r *request, name string) (int, error) {
	v, ok := r.query[name]
	if !ok {
		return 1000, nil
	}
	n, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil || n < 0 || n > 2147483647 {
		return 0, errArg(name, v[0], "Argument "+v[0]+" must be an integer between 0 and 2147483647")
	}
	if n > 1000 {
		n = 1000
	}
	return int(n), nil
}

// page lists up to max entries of bucket after the cursor.
func (s *Server) page(ctx context.Context, bucket, prefix, delim, cursor string, max int) ([]*driver.ObjectInfo, string, error) {
	opts := []driver.ListOption{driver.WithMaxKeys(max)}
	if prefix != "" {
		opts = append(opts, driver.WithPrefix(prefix))
	}
	if delim != "" {
		opts = append(opts, driver.WithDelimiter(delim))
	}
	if cursor != "" {
		opts = append(opts, driver.WithCursor(cursor))
	}
	it, err := s.store.List(ctx, bucket, opts...)
	if err != nil {
		return nil, "", err
	}
	var out []*driver.ObjectInfo
	for {
		e, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "", err
		}
		out = append(out, e)
	}
	return out, it.NextToken(), nil
}

func (s *Server) listObjects(r *request, v2 bool) error {
	ctx := r.Context()
	max, err := parseMaxKeys(r, "max-keys")
	if err != nil {
		return err
	}
	enc := r.q("encoding-type")
	if enc != "" && enc != "url" {
		return errInvalidArg("Invalid Encoding Method specified in Request")
	}
	prefix, delim := r.q("prefix"), r.q("delimiter")
	res := listResult{NS: s3NS, Name: r.bucket, Prefix: prefix, Delimiter: delim, MaxKeys: max, EncodingType: enc}
	var cursor string
	if v2 {
		res.StartAfter = r.q("start-after")
		res.ContinuationToken = r.q("continuation-token")
		// The token is the last key or prefix of the page before, as
		// versitygw's are; with start-after too, the later of the two wins.
		// The store resumes strictly after it.
		after := res.ContinuationToken
		if res.StartAfter > after {
			after = res.StartAfter
		}
		if after != "" {
			cursor = driver.EncodeCursor(after)
		}
	} else {
		m := r.q("marker")
		res.Marker = m
		if m != "" {
			cursor = driver.EncodeCursor(m)
		}
	}
	var entries []*driver.ObjectInfo
	var next string
	if max > 0 {
		entries, next, err = s.page(ctx, r.bucket, prefix, delim, cursor, max)
	} else {
		err = s.checkBucket(ctx, r.bucket)
	}
	if err != nil {
		return storeError(err)
	}
	encode := func(s string) string { return s }
	if enc == "url" {
		encode = s3URLEncode
	}
	withOwner := !v2 || r.q("fetch-owner") == "true"
	o := s.owner()
	for _, e := range entries {
		if e.IsPrefix {
			res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: encode(e.Key)})
			continue
		}
		le := listEntry{
			Key: encode(e.Key), LastModified: isoTime(e.LastModified), ETag: quoteETag(objectETag(e)),
			Size: e.Size, StorageClass: "STANDARD",
		}
		if withOwner {
			le.Owner = &o
		}
		if algo, _, typ := objectChecksum(e); algo != "" {
			le.ChecksumAlgorithm, le.ChecksumType = algo, typ
		}
		res.Contents = append(res.Contents, le)
	}
	res.IsTruncated = next != ""
	var last string
	if res.IsTruncated && len(entries) > 0 {
		last = entries[len(entries)-1].Key
	}
	if v2 {
		n := len(entries)
		res.KeyCount = &n
		res.NextContinuationToken = last
	} else {
		res.NextMarker = encode(last)
	}
	if enc == "url" {
		res.Prefix = encode(res.Prefix)
		res.Delimiter = encode(res.Delimiter)
		res.StartAfter = encode(res.StartAfter)
		res.Marker = encode(res.Marker)
	}
	return writeXML(r, res)
}
