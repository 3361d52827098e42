package serve

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trovemem/trovemem/driver"
)

const minPartSize = 5 << 20

// uploads holds the pending multipart uploads. Their parts live here, not
// in the store, until CompleteMultipartUpload writes the object; used
// counts the bytes they hold, bounded by max.
type uploads struct {
	mu   sync.Mutex
	max  int64
	used int64
	m    map[string]*upload
	// done remembers the last completed uploads, since S3 answers a
	// repeated CompleteMultipartUpload with the same result.
	done      map[string]*completed
	doneOrder []string
}

type completed struct {
	bucket, key string
	res         completeResult
}

const maxRemembered = 1000

func (u *uploads) remember(id string, c *completed) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.done[id] = c
	u.doneOrder = append(u.doneOrder, id)
	if len(u.doneOrder) > maxRemembered {
		delete(u.done, u.doneOrder[0])
		u.doneOrder = u.doneOrder[1:]
	}
}

func (u *uploads) recall(id, bucket, key string) *completed {
	u.mu.Lock()
	defer u.mu.Unlock()
	if c, ok := u.done[id]; ok && c.bucket == bucket && c.key == key {
		return c
	}
	return nil
}

type upload struct {
	id, bucket, key string
	initiated       time.Time
	ctype           string
	meta            map[string]string
	algo, ctype2    string // checksum algorithm and type, "" when none
	parts           map[int]*part
}

type part struct {
	data     []byte
	etag     string
	checksum string
	modified time.Time
}

func (u *uploads) init(max int64) {
	u.max = max
	u.m = make(map[string]*upload)
	u.done = make(map[string]*completed)
}

func (u *uploads) dropBucket(b string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for id, up := range u.m {
		if up.bucket == b {
			for _, p := range up.parts {
				u.used -= int64(len(p.data))
			}
			delete(u.m, id)
		}
	}
}

// get returns the upload id for bucket/key.
func (u *uploads) get(id, bucket, key string) (*upload, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	up, ok := u.m[id]
	if !ok || up.bucket != bucket || up.key != key {
		return nil, ErrNoSuchUpload
	}
	return up, nil
}

func (u *uploads) remove(id string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if up, ok := u.m[id]; ok {
		for _, p := range up.parts {
			u.used -= int64(len(p.data))
		}
		delete(u.m, id)
	}
}

// putPart stores a part, refusing it when the uploads would hold more than
// their bound.
func (u *uploads) putPart(up *upload, n int, p *part) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, ok := u.m[up.id]; !ok {
		return ErrNoSuchUpload
	}
	old := up.parts[n]
	delta := int64(len(p.data))
	if old != nil {
		delta -= int64(len(old.data))
	}
	if u.used+delta > u.max {
		return ErrSlowDown
	}
	u.used += delta
	up.parts[n] = p
	return nil
}

type initiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	NS       string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

// uploadChecksum validates the checksum algorithm and type of a new upload.
func uploadChecksum(h http.Header) (algo, typ string, err error) {
	algo = strings.ToUpper(h.Get("X-Amz-Checksum-Algorithm"))
	typ = strings.ToUpper(h.Get("X-Amz-Checksum-Type"))
	if algo != "" && !validAlgo(algo) {
		return "", "", ErrInvalidChecksumAlgo
	}
	if typ != "" && typ != "COMPOSITE" && typ != "FULL_OBJECT" {
		return "", "", apiErr(http.StatusBadRequest, "InvalidRequest", "Value for x-amz-checksum-type header is invalid.")
	}
	if typ != "" && algo == "" {
		return "", "", ErrChecksumTypeWithAlgo
	}
	if algo == "" {
		return "", "", nil
	}
	if typ == "" {
		typ = "COMPOSITE"
		if algo == "CRC64NVME" {
			typ = "FULL_OBJECT"
		}
	}
	if (typ == "FULL_OBJECT" && !isCRC(algo)) || (typ == "COMPOSITE" && algo == "CRC64NVME") {
		return "", "", apiErr(http.StatusBadRequest, "InvalidRequest",
			fmt.Sprintf("The %v checksum type cannot be used with the %v checksum algorithm.", typ, strings.ToLower(algo)))
	}
	return algo, typ, nil
}

func (s *Server) createUpload(r *request) error {
	ctx := r.Context()
	if err := s.checkWriteTarget(ctx, r); err != nil {
		return err
	}
	algo, typ, err := uploadChecksum(r.Header)
	if err != nil {
		return err
	}
	meta, err := s.newObjectMetadata(r)
	if err != nil {
		return err
	}
	var idb [16]byte
	_, _ = rand.Read(idb[:])
	up := &upload{
		id: hex.EncodeToString(idb[:]), bucket: r.bucket, key: r.key, initiated: time.Now().UTC(),
		ctype: contentType(r.Header), meta: meta, algo: algo, ctype2: typ, parts: map[int]*part{},
	}
	s.uploads.mu.Lock()
	s.uploads.m[up.id] = up
	s.uploads.mu.Unlock()
	if algo != "" {
		r.w.Header().Set("X-Amz-Checksum-Algorithm", algo)
		r.w.Header().Set("X-Amz-Checksum-Type", typ)
	}
	return writeXML(r, initiateResult{NS: s3NS, Bucket: r.bucket, Key: r.key, UploadID: up.id})
}

func partNumber(r *request) (int, error) {
	n, err := strconv.Atoi(r.q("partNumber"))
	if err != nil || n < 1 || n > 10000 {
		return 0, errArg("partNumber", r.q("partNumber"), "Part number must be an integer between 1 and 10000, inclusive.")
	}
	return n, nil
}

func errChecksumTypeMismatch(want, got string) *APIError {
	return apiErr(http.StatusBadRequest, "InvalidRequest",
		fmt.Sprintf("Checksum Type mismatch occurred, expected checksum Type: %v, actual checksum Type: %v", want, got))
}

func (s *Server) lookupUpload(r *request) (*upload, error) {
	if !r.has("uploadId") {
		return nil, errArg("partNumber", r.q("partNumber"), "This operation does not accept partNumber without uploadId")
	}
	if err := s.checkBucket(r.Context(), r.bucket); err != nil {
		return nil, err
	}
	return s.uploads.get(r.q("uploadId"), r.bucket, r.key)
}

func (s *Server) uploadPart(r *request) error {
	up, err := s.lookupUpload(r)
	if err != nil {
		return err
	}
	n, err := partNumber(r)
	if err != nil {
		return err
	}
	spec, err := parseChecksum(r.Header)
	if err != nil {
		return err
	}
	if spec.algo != "" && up.algo != "" && spec.algo != up.algo {
		return errChecksumTypeMismatch(up.algo, spec.algo)
	}
	if spec.algo == "" && up.algo != "" && up.ctype2 == "COMPOSITE" {
		return errChecksumTypeMismatch(up.algo, "null")
	}
	p, err := newPayloadReader(r, spec, up.algo, true)
	if err != nil {
		return err
	}
	data, err := s.readPayload(r, p, s.opts.MaxObjectSize)
	if err != nil {
		return err
	}
	pt := &part{data: data, etag: p.etag(), checksum: p.checksum, modified: time.Now().UTC()}
	if err := s.uploads.putPart(up, n, pt); err != nil {
		return err
	}
	h := r.w.Header()
	h.Set("ETag", quoteETag(pt.etag))
	if up.algo != "" {
		h[checksumHeader(up.algo)] = []string{pt.checksum}
	}
	r.w.WriteHeader(http.StatusOK)
	return nil
}

type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	NS           string   `xml:"xmlns,attr"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
	checksumFields
}

func (s *Server) uploadPartCopy(r *request) error {
	ctx := r.Context()
	if err := s.checkBucket(ctx, r.bucket); err != nil {
		return err
	}
	sb, sk, err := copySource(r.Header)
	if err != nil {
		return err
	}
	n, err := partNumber(r)
	if err != nil {
		return err
	}
	up, err := s.lookupUpload(r)
	if err != nil {
		return err
	}
	info, err := s.store.Head(ctx, sb, sk)
	if err != nil {
		return s.sourceError(ctx, sb, err)
	}
	if err := readConditions(r.Header, "X-Amz-Copy-Source-", info); err != nil {
		return err
	}
	off, length := int64(0), info.Size
	if rg := r.Header.Get("X-Amz-Copy-Source-Range"); rg != "" {
		o, e, ok := parseCopyRange(rg)
		if !ok {
			return errInvalidArg("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
		}
		if e >= info.Size {
			return errInvalidArg(fmt.Sprintf("Range specified is not valid for source object of size: %d", info.Size))
		}
		off, length = o, e-o+1
	}
	var opts []driver.GetOption
	if length > 0 && length != info.Size {
		opts = append(opts, driver.WithRange(fmt.Sprintf("bytes=%d-%d", off, off+length-1)))
	}
	rd, err := s.store.Get(ctx, sb, sk, opts...)
	if err != nil {
		return storeError(err)
	}
	defer rd.Close()
	data, err := io.ReadAll(io.LimitReader(rd, length))
	if err != nil {
		return storeError(err)
	}
	sum := md5.Sum(data)
	pt := &part{data: data, etag: hex.EncodeToString(sum[:]), modified: time.Now().UTC()}
	if up.algo != "" {
		h := newHash(up.algo)
		h.Write(data)
		pt.checksum = base64.StdEncoding.EncodeToString(h.Sum(nil))
	}
	if err := s.uploads.putPart(up, n, pt); err != nil {
		return err
	}
	res := copyPartResult{NS: s3NS, ETag: quoteETag(pt.etag), LastModified: isoTime(pt.modified)}
	res.set(up.algo, pt.checksum)
	return writeXML(r, res)
}

func parseCopyRange(s string) (start, end int64, ok bool) {
	rest, found := strings.CutPrefix(s, "bytes=")
	if !found {
		return 0, 0, false
	}
	a, b, found := strings.Cut(rest, "-")
	if !found {
		return 0, 0, false
	}
	start, err1 := strconv.ParseInt(a, 10, 64)
	end, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || start < 0 || end < start {
		return 0, 0, false
	}
	return start, end, true
}

type completePart struct {
	PartNumber int    `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
	checksumFields
}

type completeRequest struct {
	XMLName xml.Name       `xml:"CompleteMultipartUpload"`
	Parts   []completePart `xml:"Part"`
}

type completeResult struct {
	XMLName      xml.Name `xml:"CompleteMultipartUploadResult"`
	NS           string   `xml:"xmlns,attr"`
	Location     string   `xml:"Location"`
	Bucket       string   `xml:"Bucket"`
	Key          string   `xml:"Key"`
	ETag         string   `xml:"ETag"`
	ChecksumType string   `xml:"ChecksumType,omitempty"`
	checksumFields
}

// parseFinalChecksum reads the x-amz-checksum-* header of a completion,
// whose composite values end in -N.
func parseFinalChecksum(h http.Header) (algo, value string, err error) {
	found := 0
	for _, a := range checksumAlgos {
		if v, ok := h[checksumKeys[a]]; ok {
			found++
			algo, value = a, v[0]
		}
	}
	if found > 1 {
		return "", "", ErrMultipleChecksums
	}
	if found == 0 {
		return "", "", nil
	}
	b64, n, composite := strings.Cut(value, "-")
	if count, err := strconv.Atoi(n); composite && (err != nil || count < 1) || !validChecksumValue(algo, b64) {
		return "", "", errInvalidHeader(strings.ToLower(checksumHeader(algo)))
	}
	return algo, value, nil
}

func (s *Server) completeUpload(r *request) error {
	ctx := r.Context()
	if err := s.checkBucket(ctx, r.bucket); err != nil {
		return err
	}
	up, err := s.uploads.get(r.q("uploadId"), r.bucket, r.key)
	if err != nil {
		if c := s.uploads.recall(r.q("uploadId"), r.bucket, r.key); c != nil {
			return writeXML(r, c.res)
		}
		return err
	}
	body, err := io.ReadAll(io.LimitReader(r.body, 4<<20))
	if err != nil {
		return err
	}
	var req completeRequest
	if err := xml.Unmarshal(body, &req); err != nil || len(req.Parts) == 0 {
		return ErrMalformedXML
	}
	for _, cp := range req.Parts {
		if cp.ETag == "" || cp.PartNumber == 0 && !strings.Contains(string(body), "PartNumber") {
			return ErrMalformedXML
		}
	}
	finalAlgo, finalValue, err := parseFinalChecksum(r.Header)
	if err != nil {
		return err
	}
	if t := r.Header.Get("X-Amz-Checksum-Type"); t != "" {
		t = strings.ToUpper(t)
		if t != "COMPOSITE" && t != "FULL_OBJECT" {
			return errInvalidHeader("x-amz-checksum-type")
		}
		if up.algo != "" && t != up.ctype2 {
			return apiErr(http.StatusBadRequest, "InvalidRequest",
				fmt.Sprintf("The upload was created using the %v checksum mode. The complete request must use the same checksum mode.", up.ctype2))
		}
	}
	s.uploads.mu.Lock()
	parts := make([]*part, 0, len(req.Parts))
	perr := checkCompleteParts(up, req.Parts, func(p *part) { parts = append(parts, p) })
	s.uploads.mu.Unlock()
	if perr != nil {
		return perr
	}
	var total int64
	md5s := md5.New()
	sizes := make([]string, len(parts))
	for i, p := range parts {
		total += int64(len(p.data))
		b, _ := hex.DecodeString(p.etag)
		md5s.Write(b)
		sizes[i] = strconv.Itoa(len(p.data))
	}
	if v := r.Header.Get("X-Amz-Mp-Object-Size"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return apiErr(http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("Value for x-amz-mp-object-size header is invalid: '%s'", v))
		}
		if n < 0 {
			return apiErr(http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("Value for x-amz-mp-object-size header is less than zero: '%v'", v))
		}
		if n != total {
			return apiErr(http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("The provided 'x-amz-mp-object-size' header value %v does not match what was computed: %v", total, n))
		}
	}
	etag := hex.EncodeToString(md5s.Sum(nil)) + "-" + strconv.Itoa(len(parts))
	meta := driver.CloneMetadata(up.meta)
	if meta == nil {
		meta = map[string]string{}
	}
	meta[metaETag] = etag
	meta[metaParts] = strings.Join(sizes, ",")
	algo, typ := up.algo, up.ctype2
	if algo == "" {
		// No checksum was asked for: keep a full-object CRC64NVME, as S3 does.
		algo, typ = "CRC64NVME", "FULL_OBJECT"
	}
	var value string
	h := newHash(algo)
	if typ == "FULL_OBJECT" {
		for _, p := range parts {
			h.Write(p.data)
		}
		value = base64.StdEncoding.EncodeToString(h.Sum(nil))
	} else {
		for _, p := range parts {
			b, _ := base64.StdEncoding.DecodeString(p.checksum)
			h.Write(b)
		}
		value = base64.StdEncoding.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts))
	}
	if finalAlgo != "" && up.algo != "" {
		if finalAlgo != up.algo {
			return errChecksumTypeMismatch(up.algo, finalAlgo)
		}
		if finalValue != value {
			return errChecksumMismatch(up.algo)
		}
	}
	meta[metaChecksum] = algo + ":" + value
	meta[metaChecksumType] = typ
	unlock := s.lockKey(r.bucket, r.key)
	defer unlock()
	if err := s.checkWriteConditions(ctx, r); err != nil {
		return err
	}
	if _, err := s.uploads.get(up.id, r.bucket, r.key); err != nil {
		if c := s.uploads.recall(up.id, r.bucket, r.key); c != nil {
			return writeXML(r, c.res)
		}
		return err
	}
	// One buffer of the known size, handed to the store: a memory backend
	// keeps it as the object's content, so a 20 MiB upload is copied once
	// (from its parts) rather than twice.
	whole := make([]byte, 0, total)
	for _, p := range parts {
		whole = append(whole, p.data...)
	}
	info, err := s.store.Put(ctx, r.bucket, r.key, driver.NewHandoff(whole),
		driver.WithContentType(up.ctype), driver.WithMetadata(meta))
	if err != nil {
		return storeError(err)
	}
	r.backend = info.Backend
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	res := completeResult{NS: s3NS, Location: scheme + "://" + r.Host + "/" + r.bucket + "/" + r.key, Bucket: r.bucket, Key: r.key,
		ETag: quoteETag(etag), ChecksumType: typ}
	res.set(algo, value)
	s.uploads.remember(up.id, &completed{bucket: r.bucket, key: r.key, res: res})
	s.uploads.remove(up.id)
	return writeXML(r, res)
}

// checkCompleteParts checks the parts a completion lists against the
// upload's, in order, passing each accepted part to add; u.mu is held.
func checkCompleteParts(up *upload, list []completePart, add func(*part)) error {
	prev := 0
	for i, cp := range list {
		if cp.PartNumber < 1 || cp.PartNumber > 10000 {
			return errArg("PartNumber", strconv.Itoa(cp.PartNumber), "PartNumber must be >= 1")
		}
		if cp.PartNumber <= prev {
			return ErrInvalidPartOrder
		}
		prev = cp.PartNumber
		sums := cp.byAlgo()
		if len(sums) > 1 {
			var b strings.Builder
			for _, a := range checksumAlgos {
				if v, ok := sums[a]; ok {
					b.WriteString(a + ":" + v + ";")
				}
			}
			return errArg("Checksum", b.String(), "Invalid Base64 or multiple checksums present in request")
		}
		for a, v := range sums {
			if _, err := base64.StdEncoding.DecodeString(v); err != nil {
				return errArg("Checksum", v, "Invalid Base64 or multiple checksums present in request")
			}
			if up.algo != "" && a != up.algo {
				return apiErr(http.StatusBadRequest, "BadDigest",
					fmt.Sprintf("The %s you specified for part %d did not match what we received.", strings.ToLower(a), cp.PartNumber))
			}
		}
		p, ok := up.parts[cp.PartNumber]
		if !ok || trimETag(cp.ETag) != p.etag {
			return ErrInvalidPart
		}
		if up.algo != "" {
			v, ok := sums[up.algo]
			if !ok && up.ctype2 == "COMPOSITE" {
				return apiErr(http.StatusBadRequest, "InvalidRequest", "The upload was created using a "+strings.ToLower(up.algo)+
					" checksum. The complete request must include the checksum for each part. It was missing for part "+
					strconv.Itoa(cp.PartNumber)+" in the request.")
			}
			if ok && v != p.checksum {
				return ErrInvalidPart
			}
		}
		if i < len(list)-1 && len(p.data) < minPartSize {
			return ErrEntityTooSmall
		}
		add(p)
	}
	return nil
}

func (s *Server) abortUpload(r *request) error {
	up, err := s.lookupUpload(r)
	if err != nil {
		return err
	}
	if v := r.Header.Get("X-Amz-If-Match-Initiated-Time"); v != "" {
		t, err := http.ParseTime(v)
		// A date in the future is ignored, as S3 does.
		if err != nil || (!t.Equal(up.initiated.Truncate(time.Second)) && t.Before(time.Now())) {
			return ErrPreconditionFailed
		}
	}
	s.uploads.remove(up.id)
	r.w.WriteHeader(http.StatusNoContent)
	return nil
}

type listPartsResult struct {
	XMLName              xml.Name    `xml:"ListPartsResult"`
	NS                   string      `xml:"xmlns,attr"`
	Bucket               string      `xml:"Bucket"`
	Key                  string      `xml:"Key"`
	UploadID             string      `xml:"UploadId"`
	Initiator            owner       `xml:"Initiator"`
	Owner                owner       `xml:"Owner"`
	StorageClass         string      `xml:"StorageClass"`
	PartNumberMarker     int         `xml:"PartNumberMarker"`
	NextPartNumberMarker int         `xml:"NextPartNumberMarker"`
	MaxParts             int         `xml:"MaxParts"`
	IsTruncated          bool        `xml:"IsTruncated"`
	ChecksumAlgorithm    string      `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType         string      `xml:"ChecksumType,omitempty"`
	Parts                []partEntry `xml:"Part"`
}

type partEntry struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	checksumFields
}

// intParam parses a non-negative integer query parameter, capped at max.
func intParam(r *request, name string, def, max int) (int, error) {
	v, ok := r.query[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil || n > 2147483647 {
		return 0, errArg(name, v[0], "Provided "+v[0]+" not an integer or within integer range")
	}
	if n < 0 {
		return 0, errArg(name, v[0], "Argument "+v[0]+" must be an integer between 0 and 2147483647")
	}
	if n > int64(max) {
		n = int64(max)
	}
	return int(n), nil
}

func (s *Server) listParts(r *request) error {
	up, err := s.lookupUpload(r)
	if err != nil {
		return err
	}
	max, err := intParam(r, "max-parts", 1000, 1000)
	if err != nil {
		return err
	}
	marker, err := intParam(r, "part-number-marker", 0, 10000)
	if err != nil {
		return err
	}
	s.uploads.mu.Lock()
	nums := make([]int, 0, len(up.parts))
	for n := range up.parts {
		if n > marker {
			nums = append(nums, n)
		}
	}
	sort.Ints(nums)
	res := listPartsResult{NS: s3NS, Bucket: r.bucket, Key: r.key, UploadID: up.id, Initiator: s.owner(), Owner: s.owner(),
		StorageClass: "STANDARD", PartNumberMarker: marker, MaxParts: max, ChecksumAlgorithm: up.algo, ChecksumType: up.ctype2,
		Parts: []partEntry{}}
	if up.algo == "" {
		res.ChecksumAlgorithm, res.ChecksumType = "null", "null"
	}
	for i, n := range nums {
		if i == max {
			res.IsTruncated = true
			break
		}
		p := up.parts[n]
		e := partEntry{PartNumber: n, LastModified: isoTime(p.modified), ETag: quoteETag(p.etag), Size: int64(len(p.data))}
		e.set(up.algo, p.checksum)
		res.Parts = append(res.Parts, e)
		res.NextPartNumberMarker = n
	}
	s.uploads.mu.Unlock()
	return writeXML(r, res)
}

type listUploadsResult struct {
	XMLName            xml.Name       `xml:"ListMultipartUploadsResult"`
	NS                 string         `xml:"xmlns,attr"`
	Bucket             string         `xml:"Bucket"`
	KeyMarker          string         `xml:"KeyMarker"`
	UploadIDMarker     string         `xml:"UploadIdMarker"`
	NextKeyMarker      string         `xml:"NextKeyMarker,omitempty"`
	NextUploadIDMarker string         `xml:"NextUploadIdMarker,omitempty"`
	Prefix             string         `xml:"Prefix"`
	Delimiter          string         `xml:"Delimiter,omitempty"`
	MaxUploads         int            `xml:"MaxUploads"`
	IsTruncated        bool           `xml:"IsTruncated"`
	Uploads            []uploadEntry  `xml:"Upload"`
	CommonPrefixes     []commonPrefix `xml:"CommonPrefixes"`
}

type uploadEntry struct {
	Key               string `xml:"Key"`
	UploadID          string `xml:"UploadId"`
	Initiator         owner  `xml:"Initiator"`
	Owner             owner  `xml:"Owner"`
	StorageClass      string `xml:"StorageClass"`
	Initiated         string `xml:"Initiated"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

func (s *Server) listUploads(r *request) error {
	if err := s.checkBucket(r.Context(), r.bucket); err != nil {
		return err
	}
	max, err := intParam(r, "max-uploads", 1000, 1000)
	if err != nil {
		return err
	}
	prefix, delim := r.q("prefix"), r.q("delimiter")
	keyMarker, idMarker := r.q("key-marker"), r.q("upload-id-marker")
	s.uploads.mu.Lock()
	var ups []*upload
	for _, up := range s.uploads.m {
		if up.bucket == r.bucket && strings.HasPrefix(up.key, prefix) {
			ups = append(ups, up)
		}
	}
	s.uploads.mu.Unlock()
	sort.Slice(ups, func(i, j int) bool {
		if ups[i].key != ups[j].key {
			return ups[i].key < ups[j].key
		}
		if !ups[i].initiated.Equal(ups[j].initiated) {
			return ups[i].initiated.Before(ups[j].initiated)
		}
		return ups[i].id < ups[j].id
	})
	res := listUploadsResult{NS: s3NS, Bucket: r.bucket, KeyMarker: keyMarker, UploadIDMarker: idMarker, Prefix: prefix,
		Delimiter: delim, MaxUploads: max, Uploads: []uploadEntry{}}
	if keyMarker == "" {
		res.UploadIDMarker = ""
		idMarker = ""
	}
	// Start after key-marker, or, with upload-id-marker too, after that
	// upload among those of keys from key-marker on.
	start := len(ups)
	for i, up := range ups {
		if up.key > keyMarker || (keyMarker == "" && idMarker == "") {
			start = i
			break
		}
	}
	if idMarker != "" {
		// The marker must be an upload of the first key from key-marker on.
		found := false
		for i := range ups {
			if ups[i].key >= keyMarker {
				for j := i; j < len(ups) && ups[j].key == ups[i].key; j++ {
					if ups[j].id == idMarker {
						start, found = j+1, true
						break
					}
				}
				break
			}
		}
		if !found {
			return errArg("upload-id-marker", idMarker, "Invalid uploadId marker")
		}
	}
	seenPrefix := map[string]bool{}
	count := 0
	var last string
	var lastID string
	for _, up := range ups[start:] {
		if delim != "" {
			if i := strings.Index(up.key[len(prefix):], delim); i >= 0 {
				cp := up.key[:len(prefix)+i+len(delim)]
				if seenPrefix[cp] {
					continue
				}
				if count == max {
					res.IsTruncated = true
					break
				}
				seenPrefix[cp] = true
				res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: cp})
				count++
				last, lastID = cp, up.id
				continue
			}
		}
		if count == max {
			res.IsTruncated = true
			break
		}
		res.Uploads = append(res.Uploads, uploadEntry{Key: up.key, UploadID: up.id, Initiator: s.owner(), Owner: s.owner(),
			StorageClass: "STANDARD", Initiated: isoTime(up.initiated), ChecksumAlgorithm: up.algo, ChecksumType: up.ctype2})
		count++
		last, lastID = up.key, up.id
	}
	if res.IsTruncated {
		res.NextKeyMarker, res.NextUploadIDMarker = last, lastID
	}
	return writeXML(r, res)
}
