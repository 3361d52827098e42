package serve

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/zeebo/xxh3"
)

// The checksum algorithms S3 accepts, in the order S3 lists them.
var checksumAlgos = []string{"CRC32", "CRC32C", "CRC64NVME", "MD5", "SHA1", "SHA256", "SHA512", "XXHASH128", "XXHASH3", "XXHASH64"}

func validAlgo(a string) bool {
	for _, x := range checksumAlgos {
		if x == a {
			return true
		}
	}
	return false
}

func newHash(algo string) hash.Hash {
	switch algo {
	case "CRC32":
		return crc32.NewIEEE()
	case "CRC32C":
		// Made here, not at start-up: building the Castagnoli tables took a
		// third of a millisecond of every trovemem run, serve or not.
		// MakeTable builds them once and returns them after.
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case "CRC64NVME":
		return newCRC64NVME()
	case "MD5":
		return md5.New()
	case "SHA1":
		return sha1.New()
	case "SHA256":
		return sha256.New()
	case "SHA512":
		return sha512.New()
	case "XXHASH64":
		return xxhash.New()
	case "XXHASH3":
		return xxh3.New()
	case "XXHASH128":
		return xxh3.New128()
	}
	return nil
}

func digestSize(algo string) int {
	if h := newHash(algo); h != nil {
		return h.Size()
	}
	return 0
}

// isCRC says whether algo's checksums can be combined into a full-object
// checksum of a multipart upload.
func isCRC(algo string) bool { return algo == "CRC32" || algo == "CRC32C" || algo == "CRC64NVME" }

// checksumHeader is the response header of algo's checksum. Requests are
// read through checksumKeys, http.Header's canonical form of the same names.
func checksumHeader(algo string) string { return "X-Amz-Checksum-" + strings.ToLower(algo) }

// checksumKeys maps each algorithm to the canonical header key a request's
// checksum arrives under, built once rather than on every request.
var checksumKeys = func() map[string]string {
	m := make(map[string]string, len(checksumAlgos))
	for _, a := range checksumAlgos {
		m[a] = http.CanonicalHeaderKey(checksumHeader(a))
	}
	return m
}()

// checksumSpec is what a request says about its payload's checksum.
type checksumSpec struct {
	algo    string // "" when the request names none
	value   string // the expected base64 value, "" when it comes in a trailer
	trailer bool
}

// parseChecksum reads x-amz-checksum-*, x-amz-sdk-checksum-algorithm and
// x-amz-trailer.
func parseChecksum(h http.Header) (checksumSpec, error) {
	var spec checksumSpec
	found := 0
	for _, a := range checksumAlgos {
		vals, ok := h[checksumKeys[a]]
		if !ok {
			continue
		}
		found++
		spec.algo = a
		spec.value = vals[0]
	}
	if found > 1 {
		return spec, ErrMultipleChecksums
	}
	if tr := h.Get("X-Amz-Trailer"); tr != "" {
		name, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(tr)), "x-amz-checksum-")
		a := strings.ToUpper(name)
		if !ok || !validAlgo(a) {
			return spec, ErrTrailerNotSupported
		}
		if found > 0 {
			return spec, ErrMultipleChecksums
		}
		spec.algo, spec.trailer = a, true
	}
	if sdk := h.Get("X-Amz-Sdk-Checksum-Algorithm"); sdk != "" {
		sdk = strings.ToUpper(sdk)
		if !validAlgo(sdk) {
			return spec, ErrInvalidChecksumAlgo
		}
		if spec.algo == "" {
			return spec, ErrChecksumSDKAlgo
		}
		if spec.algo != sdk {
			return spec, errInvalidHeader("x-amz-sdk-checksum-algorithm")
		}
	}
	if spec.algo != "" && !spec.trailer {
		if !validChecksumValue(spec.algo, spec.value) {
			return spec, errInvalidHeader(strings.ToLower(checksumHeader(spec.algo)))
		}
	}
	return spec, nil
}

func validChecksumValue(algo, v string) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(b) == digestSize(algo)
}

// payloadReader hashes a payload as it is read and, at its end, checks the
// Content-MD5 and the announced checksum; the read that reaches EOF fails
// when either differs, so the store never keeps a corrupt object.
type payloadReader struct {
	r        io.Reader
	md5      hash.Hash
	wantMD5  []byte
	spec     checksumSpec
	sum      hash.Hash
	sha      *hashCheckReader // the payload's signed SHA-256, checked here
	hashes   []hash.Hash      // every hash the payload feeds
	chunked  *chunkedReader
	n        int64
	checksum string // the computed base64 checksum, after EOF
}

// newPayloadReader wraps r's body; needMD5 asks for the payload's MD5 (a
// part's ETag) even without Content-MD5, since the store computes its own.
func newPayloadReader(r *request, spec checksumSpec, defaultAlgo string, needMD5 bool) (*payloadReader, error) {
	p := &payloadReader{r: r.body, spec: spec, chunked: r.chunked}
	if needMD5 {
		p.md5 = md5.New()
	}
	if v := r.Header.Values("Content-Md5"); len(v) > 0 {
		p.md5 = md5.New()
		b, err := base64.StdEncoding.DecodeString(v[0])
		if err != nil || len(b) != md5.Size {
			e := *ErrInvalidDigest
			e.Fields = []Field{{"Content-MD5", v[0]}}
			return nil, &e
		}
		p.wantMD5 = b
	}
	if spec.trailer && r.chunked == nil {
		return nil, ErrTrailerNotSupported
	}
	algo := spec.algo
	if algo == "" {
		algo = defaultAlgo
	}
	if algo != "" {
		p.spec.algo = algo
		p.sum = newHash(algo)
	}
	// A payload signed with its SHA-256 is hashed here rather than in a
	// reader of its own, so that one loop feeds all its hashes.
	if hc, ok := r.body.(*hashCheckReader); ok {
		p.r, p.sha = hc.r, hc
	}
	for _, h := range []hash.Hash{p.md5, shaHash(p.sha), p.sum} {
		if h != nil {
			p.hashes = append(p.hashes, h)
		}
	}
	return p, nil
}

func shaHash(hc *hashCheckReader) hash.Hash {
	if hc == nil {
		return nil
	}
	return hc.h
}

// hashAll feeds b to every hash, one after the other on the reading
// goroutine. Handing the MD5 to a goroutine of its own for each read was
// tried and measured slower on a 2-core VM, where waking the other core
// costs more than the SHA-256 and checksum it would overlap
// (BenchmarkPayloadHashes).
func hashAll(hs []hash.Hash, b []byte) {
	for _, h := range hs {
		h.Write(b)
	}
}

func (p *payloadReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		hashAll(p.hashes, b[:n])
		p.n += int64(n)
	}
	if err == io.EOF {
		if p.sha != nil && !p.sha.matches() {
			return n, ErrContentSHA256Mismatch
		}
		if verr := p.verify(); verr != nil {
			return n, verr
		}
	}
	return n, err
}

func (p *payloadReader) verify() error {
	if p.wantMD5 != nil && string(p.md5.Sum(nil)) != string(p.wantMD5) {
		got := p.md5.Sum(nil)
		e := *ErrBadDigest
		e.Fields = []Field{{"CalculatedDigest", base64.StdEncoding.EncodeToString(got)},
			{"ExpectedDigest", hex.EncodeToString(p.wantMD5)}}
		return &e
	}
	if p.sum == nil {
		return nil
	}
	p.checksum = base64.StdEncoding.EncodeToString(p.sum.Sum(nil))
	want := p.spec.value
	if p.spec.trailer {
		v, ok := p.chunked.Trailer(strings.ToLower(checksumHeader(p.spec.algo)))
		if !ok {
			return ErrMalformedTrailer
		}
		if !validChecksumValue(p.spec.algo, v) {
			return apiErr(http.StatusBadRequest, "InvalidRequest", "Value for "+strings.ToLower(checksumHeader(p.spec.algo))+" trailing header is invalid.")
		}
		want = v
	}
	if want != "" && want != p.checksum {
		return errChecksumMismatch(p.spec.algo)
	}
	return nil
}

// etag is the payload's hex MD5.
func (p *payloadReader) etag() string { return hex.EncodeToString(p.md5.Sum(nil)) }
