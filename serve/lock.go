package serve

import (
	"encoding/xml"
	"io"
	"net/http"
	"time"

	"github.com/trovemem/trovemem/driver"
)

// Object-lock settings are recorded and reported, not enforced: serve is a
// test double, and a store whose objects cannot be deleted would outlive
// the tests that made them. README says so.
const (
	metaLockMode  = "s3:lock-mode"
	metaLockUntil = "s3:lock-until"
	metaLegalHold = "s3:legal-hold"
)

// lockMetadata records a write's object-lock headers (already checked).
func lockMetadata(h http.Header, meta map[string]string) {
	if v := h.Get("X-Amz-Object-Lock-Mode"); v != "" {
		meta[metaLockMode] = v
	}
	if v := h.Get("X-Amz-Object-Lock-Retain-Until-Date"); v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			meta[metaLockUntil] = t.UTC().Format(time.RFC3339)
		}
	}
	if v := h.Get("X-Amz-Object-Lock-Legal-Hold"); v != "" {
		meta[metaLegalHold] = v
	}
}

func setLockHeaders(h http.Header, info *driver.ObjectInfo) {
	if v := info.Metadata[metaLockMode]; v != "" {
		h.Set("X-Amz-Object-Lock-Mode", v)
	}
	if v := info.Metadata[metaLockUntil]; v != "" {
		h.Set("X-Amz-Object-Lock-Retain-Until-Date", v)
	}
	if v := info.Metadata[metaLegalHold]; v != "" {
		h.Set("X-Amz-Object-Lock-Legal-Hold", v)
	}
}

type retention struct {
	XMLName         xml.Name `xml:"Retention"`
	NS              string   `xml:"xmlns,attr,omitempty"`
	Mode            string   `xml:"Mode,omitempty"`
	RetainUntilDate string   `xml:"RetainUntilDate,omitempty"`
}

type legalHold struct {
	XMLName xml.Name `xml:"LegalHold"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	Status  string   `xml:"Status"`
}

var errNoLockConfig = apiErr(http.StatusBadRequest, "InvalidRequest", "Bucket is missing Object Lock Configuration")

func (s *Server) getObjectLock(r *request, what string) error {
	if !s.bucketState(r.bucket).lockEnabled {
		return errNoLockConfig
	}
	info, err := s.store.Head(r.Context(), r.bucket, r.key)
	if err != nil {
		return storeError(err)
	}
	if what == "retention" {
		if info.Metadata[metaLockMode] == "" {
			return apiErr(http.StatusNotFound, "NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration.")
		}
		return writeXML(r, retention{NS: s3NS, Mode: info.Metadata[metaLockMode], RetainUntilDate: info.Metadata[metaLockUntil]})
	}
	if info.Metadata[metaLegalHold] == "" {
		return apiErr(http.StatusNotFound, "NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration.")
	}
	return writeXML(r, legalHold{NS: s3NS, Status: info.Metadata[metaLegalHold]})
}

func (s *Server) putObjectLock(r *request, what string) error {
	if !s.bucketState(r.bucket).lockEnabled {
		return errNoLockConfig
	}
	body, err := io.ReadAll(io.LimitReader(r.body, 64<<10))
	if err != nil {
		return err
	}
	set := map[string]string{}
	if what == "retention" {
		var v retention
		if err := xml.Unmarshal(body, &v); err != nil || (v.Mode != "GOVERNANCE" && v.Mode != "COMPLIANCE") {
			return ErrMalformedXML
		}
		t, err := time.Parse(time.RFC3339, v.RetainUntilDate)
		if err != nil {
			return ErrMalformedXML
		}
		set[metaLockMode], set[metaLockUntil] = v.Mode, t.UTC().Format(time.RFC3339)
	} else {
		var v legalHold
		if err := xml.Unmarshal(body, &v); err != nil || (v.Status != "ON" && v.Status != "OFF") {
			return ErrMalformedXML
		}
		set[metaLegalHold] = v.Status
	}
	if err := s.rewriteMeta(r, func(m map[string]string) {
		for k, v := range set {
			m[k] = v
		}
	}); err != nil {
		return err
	}
	r.w.WriteHeader(http.StatusOK)
	return nil
}

type aclResult struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	NS      string   `xml:"xmlns,attr"`
	Owner   owner    `xml:"Owner"`
	Grants  []grant  `xml:"AccessControlList>Grant"`
}

type grant struct {
	Grantee    grantee `xml:"Grantee"`
	Permission string  `xml:"Permission"`
}

type grantee struct {
	XMLNSXSI string `xml:"xmlns:xsi,attr"`
	Type     string `xml:"xsi:type,attr"`
	ID       string `xml:"ID"`
}

// getBucketACL reports the one ACL serve has: the owner's full control.
func (s *Server) getBucketACL(r *request) error {
	if err := s.checkBucket(r.Context(), r.bucket); err != nil {
		return err
	}
	o := s.owner()
	return writeXML(r, aclResult{NS: s3NS, Owner: o, Grants: []grant{{
		Grantee:    grantee{XMLNSXSI: "http://www.w3.org/2001/XMLSchema-instance", Type: "CanonicalUser", ID: o.ID},
		Permission: "FULL_CONTROL",
	}}})
}

type ownershipResult struct {
	XMLName xml.Name `xml:"OwnershipControls"`
	NS      string   `xml:"xmlns,attr"`
	Rule    struct {
		ObjectOwnership string `xml:"ObjectOwnership"`
	} `xml:"Rule"`
}

func (s *Server) getBucketOwnership(r *request) error {
	if err := s.checkBucket(r.Context(), r.bucket); err != nil {
		return err
	}
	res := ownershipResult{NS: s3NS}
	res.Rule.ObjectOwnership = s.bucketState(r.bucket).ownership
	return writeXML(r, res)
}

type lockConfigResult struct {
	XMLName           xml.Name `xml:"ObjectLockConfiguration"`
	NS                string   `xml:"xmlns,attr"`
	ObjectLockEnabled string   `xml:"ObjectLockEnabled"`
}

func (s *Server) getBucketLockConfig(r *request) error {
	if err := s.checkBucket(r.Context(), r.bucket); err != nil {
		return err
	}
	if !s.bucketState(r.bucket).lockEnabled {
		return apiErr(http.StatusNotFound, "ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket.")
	}
	return writeXML(r, lockConfigResult{NS: s3NS, ObjectLockEnabled: "Enabled"})
}
