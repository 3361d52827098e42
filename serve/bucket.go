package serve

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/trovemem/trovemem/driver"
)

const s3NS = "http://s3.amazonaws.com/doc/2006-03-01/"

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName,omitempty"`
}

func (s *Server) owner() owner {
	id := s.opts.AccessKey
	if id == "" {
		id = "trovemem"
	}
	return owner{ID: id, DisplayName: id}
}

type listBucketsResult struct {
	XMLName           xml.Name      `xml:"ListAllMyBucketsResult"`
	NS                string        `xml:"xmlns,attr"`
	Owner             owner         `xml:"Owner"`
	Buckets           []bucketEntry `xml:"Buckets>Bucket"`
	ContinuationToken string        `xml:"ContinuationToken,omitempty"`
	Prefix            string        `xml:"Prefix,omitempty"`
}

type bucketEntry struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion,omitempty"`
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (s *Server) listBuckets(r *request) error {
	all, err := s.store.ListBuckets(r.Context())
	if err != nil {
		return storeError(err)
	}
	max := 10000
	if v, ok := r.query["max-buckets"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > 10000 {
			return errInvalidArg("Argument max-buckets must be an integer between 1 and 10000.")
		}
		max = n
	}
	prefix := r.q("prefix")
	after := r.q("continuation-token")
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	res := listBucketsResult{NS: s3NS, Owner: s.owner(), Prefix: prefix}
	for _, b := range all {
		if !strings.HasPrefix(b.Name, prefix) || (after != "" && b.Name <= after) {
			continue
		}
		if len(res.Buckets) == max {
			res.ContinuationToken = res.Buckets[len(res.Buckets)-1].Name
			break
		}
		res.Buckets = append(res.Buckets, bucketEntry{Name: b.Name, CreationDate: isoTime(b.CreatedAt), BucketRegion: s.opts.Region})
	}
	return writeXML(r, res)
}

type createBucketConfig struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
	Tags               []tag    `xml:"Tags>Tag"`
}

var cannedBucketACLs = map[string]bool{"private": true, "public-read": true, "public-read-write": true, "authenticated-read": true}

func (s *Server) createBucket(r *request) error {
	if err := driver.ValidateBucketName(r.bucket); err != nil {
		return ErrInvalidBucketName
	}
	st := &bucketState{ownership: "BucketOwnerEnforced"}
	if o := r.Header.Get("X-Amz-Object-Ownership"); o != "" {
		switch o {
		case "BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter":
			st.ownership = o
		default:
			return errInvalidArg("Invalid x-amz-object-ownership header: " + o)
		}
	}
	if acl := r.Header.Get("X-Amz-Acl"); acl != "" {
		if r.Header.Get("X-Amz-Object-Ownership") == "" {
			// A bucket created with an ACL keeps ACLs working.
			st.ownership = "BucketOwnerPreferred"
		}
		if !cannedBucketACLs[acl] {
			return errInvalidArg("")
		}
		if st.ownership == "BucketOwnerEnforced" && acl != "private" {
			return apiErr(http.StatusBadRequest, "InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
		}
	}
	st.lockEnabled = strings.EqualFold(r.Header.Get("X-Amz-Bucket-Object-Lock-Enabled"), "true")
	body, err := io.ReadAll(io.LimitReader(r.body, 64<<10))
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		var cfg createBucketConfig
		if err := xml.Unmarshal(body, &cfg); err != nil {
			return ErrMalformedXML
		}
		if lc := cfg.LocationConstraint; lc != "" && (lc != s.opts.Region || lc == "us-east-1") {
			return ErrInvalidLocation
		}
		if len(cfg.Tags) > 50 {
			return ErrBucketTagsLimited
		}
		if err := validateTags(cfg.Tags, true); err != nil {
			return err
		}
	}
	if err := s.store.CreateBucket(r.Context(), r.bucket); err != nil {
		if errors.Is(err, driver.ErrBucketExists) {
			return ErrBucketAlreadyOwned
		}
		return storeError(err)
	}
	s.buckets.Store(r.bucket, st)
	r.w.Header().Set("Location", "/"+r.bucket)
	r.w.Header().Set("X-Amz-Bucket-Arn", "arn:aws:s3:::"+r.bucket)
	r.w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) headBucket(r *request) error {
	if err := s.checkBucket(r.Context(), r.bucket); err != nil {
		return err
	}
	r.w.Header().Set("X-Amz-Bucket-Region", s.opts.Region)
	r.w.Header().Set("X-Amz-Bucket-Arn", "arn:aws:s3:::"+r.bucket)
	r.w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) deleteBucket(r *request) error {
	ctx := r.Context()
	if err := s.checkBucket(ctx, r.bucket); err != nil {
		return err
	}
	if err := s.store.DeleteBucket(ctx, r.bucket); err != nil {
		return storeError(err)
	}
	// Pending uploads die with their bucket.
	s.uploads.dropBucket(r.bucket)
	s.buckets.Delete(r.bucket)
	r.w.WriteHeader(http.StatusNoContent)
	return nil
}

type locationResult struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	NS      string   `xml:"xmlns,attr"`
	Region  string   `xml:",chardata"`
}

func (s *Server) bucketLocation(r *request) error {
	if err := s.checkBucket(r.Context(), r.bucket); err != nil {
		return err
	}
	region := s.opts.Region
	if region == "us-east-1" {
		region = ""
	}
	return writeXML(r, locationResult{NS: s3NS, Region: region})
}
