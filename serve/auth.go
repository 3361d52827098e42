package serve

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

const (
	sigAlgorithm       = "AWS4-HMAC-SHA256"
	amzDateFormat      = "20060102T150405Z"
	unsignedPayload    = "UNSIGNED-PAYLOAD"
	streamingSigned    = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTr  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsigned  = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	emptySHA256        = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	maxClockSkew       = 15 * time.Minute
	maxPresignedExpiry = 7 * 24 * time.Hour
)

// authInfo is what a verified (or, without keys, merely parsed) signature
// tells the rest of the request: the signing key and seed signature that
// aws-chunked payloads chain from.
type authInfo struct {
	verify  bool
	amzDate string
	scope   string
	key     *cachedKey
	seed    string
}

// parseQuery splits a raw query into decoded names and values, keeping
// names without a value ("?uploads") and never failing on ';'.
func parseQuery(raw string) (map[string][]string, error) {
	q := make(map[string][]string)
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		v, err = url.QueryUnescape(v)
		if err != nil {
			return nil, err
		}
		q[k] = append(q[k], v)
	}
	return q, nil
}

// uriEncode encodes s as SigV4 wants: every byte but A-Z a-z 0-9 - _ . ~
// as %XX in upper case, and '/' too unless keepSlash.
func uriEncode(s string, keepSlash bool) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && keepSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
		}
	}
	return b.String()
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func signingKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

// keyCache keeps the last signing key derived: the key depends only on the
// secret and the credential scope (day, region, service), so every request
// of a day reuses it instead of running four HMACs.
type keyCache struct {
	last atomic.Pointer[cachedKey]
}

// cachedKey is a signing key and a pool of HMACs keyed with it: a keyed
// HMAC is reset to its keyed state instead of being built for every
// request.
type cachedKey struct {
	date, region, service string
	key                   []byte
	macs                  sync.Pool
}

func (c *keyCache) get(secret, date, region, service string) *cachedKey {
	if k := c.last.Load(); k != nil && k.date == date && k.region == region && k.service == service {
		return k
	}
	k := &cachedKey{date: date, region: region, service: service, key: signingKey(secret, date, region, service)}
	c.last.Store(k)
	return k
}

// signBufs holds the buffers signatures are checked in. A buffer that
// grew for a large request is dropped rather than kept.
var signBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxSignBuf is the largest signing buffer kept for reuse: a request with
// many or long signed headers gets one of its own.
const maxSignBuf = 8 << 10

// signs says whether sig is the hex HMAC-SHA256 of the string to sign sts
// under the signing key, comparing in constant time.
func (k *cachedKey) signs(sts []byte, sig string) bool {
	m, _ := k.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, k.key)
	}
	m.Reset()
	m.Write(sts)
	var sum [sha256.Size]byte
	m.Sum(sum[:0])
	k.macs.Put(m)
	var want [2 * sha256.Size]byte
	hex.Encode(want[:], sum[:])
	return hmac.Equal(want[:], []byte(sig))
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

type sigParams struct {
	credential    string
	signedHeaders []string
	signature     string
	amzDate       string
	payloadHash   string
	presigned     bool
	expires       time.Duration
}

// authenticate checks the request's signature (when the server has keys)
// and sets up r.body to decode and verify the payload the request
// announced in x-amz-content-sha256.
func (s *Server) authenticate(r *request) error {
	p, err := s.sigParams(r)
	if err != nil {
		return err
	}
	verify := s.Authenticating()
	if p == nil {
		if verify {
			return ErrAccessDenied
		}
		return s.setupBody(r, &authInfo{}, r.Header.Get("X-Amz-Content-Sha256"))
	}
	info := &authInfo{verify: verify, amzDate: p.amzDate, seed: p.signature}
	parts := strings.Split(p.credential, "/")
	if err := s.checkScope(parts, p); err != nil {
		if verify {
			return err
		}
		return s.setupBody(r, &authInfo{}, p.payloadHash)
	}
	info.scope = strings.Join(parts[1:], "/")
	if !verify {
		return s.setupBody(r, info, p.payloadHash)
	}
	if parts[0] != s.opts.AccessKey {
		e := *ErrInvalidAccessKeyID
		e.Fields = []Field{{"AWSAccessKeyId", parts[0]}}
		return &e
	}
	if err := unsignedAmzHeaders(r, p.signedHeaders); err != nil {
		return err
	}
	t, err := time.Parse(amzDateFormat, p.amzDate)
	if err != nil {
		return ErrMissingDate
	}
	now := s.opts.Now()
	if p.presigned {
		if now.After(t.Add(p.expires)) {
			e := *ErrExpiredPresign
			e.Fields = []Field{{"X-Amz-Expires", r.q("X-Amz-Expires")}, {"Expires", t.Add(p.expires).UTC().Format(time.RFC3339)},
				{"ServerTime", now.UTC().Format(time.RFC3339)}}
			return &e
		}
		if t.After(now.Add(maxClockSkew)) {
			return ErrRequestTimeTooSkewed
		}
	} else if d := now.Sub(t); d > maxClockSkew || d < -maxClockSkew {
		return ErrRequestTimeTooSkewed
	}
	if parts[1] != p.amzDate[:8] {
		return ErrSignatureDoesNotMatch
	}
	if p.presigned {
		if err := s.checkPresignedHeaders(r); err != nil {
			return err
		}
	}
	info.key = s.keys.get(s.opts.SecretKey, parts[1], parts[2], parts[3])
	// The canonical request and the string to sign are built in one
	// pooled buffer, since every request pays for them.
	buf := signBufs.Get().(*[]byte)
	defer signBufs.Put(buf)
	ok := false
	for _, uri := range canonicalURIs(r) {
		b := appendCanonicalRequest((*buf)[:0], r, p, uri)
		creq := sha256.Sum256(b)
		b = append(b[:0], sigAlgorithm+"\n"...)
		b = append(b, p.amzDate...)
		b = append(b, '\n')
		b = append(b, info.scope...)
		b = append(b, '\n')
		b = hex.AppendEncode(b, creq[:])
		if cap(b) <= maxSignBuf {
			*buf = b
		}
		if info.key.signs(b, p.signature) {
			ok = true
			break
		}
	}
	if !ok {
		return ErrSignatureDoesNotMatch
	}
	return s.setupBody(r, info, p.payloadHash)
}

func errMalformedAuth(format string, args ...any) *APIError {
	return apiErr(http.StatusBadRequest, "AuthorizationHeaderMalformed", "The authorization header is malformed; "+fmt.Sprintf(format, args...))
}

func errQueryAuth(format string, args ...any) *APIError {
	return apiErr(http.StatusBadRequest, "AuthorizationQueryParametersError", fmt.Sprintf(format, args...))
}

// checkScope checks the credential scope AKID/DATE/REGION/s3/aws4_request,
// with the messages S3 gives for a header or a presigned query.
func (s *Server) checkScope(parts []string, p *sigParams) error {
	bad := func(format string, args ...any) error {
		if p.presigned {
			return errQueryAuth("Error parsing the X-Amz-Credential parameter; "+format, args...)
		}
		return errMalformedAuth(format, args...)
	}
	if len(parts) != 5 {
		return bad(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`)
	}
	if parts[3] != "s3" {
		return bad(`incorrect service %q. This endpoint belongs to "s3".`, parts[3])
	}
	if parts[4] != "aws4_request" {
		return bad(`incorrect terminal %q. This endpoint uses "aws4_request".`, parts[4])
	}
	if _, err := time.Parse("20060102", parts[1]); err != nil {
		return bad(`incorrect date format %q. This date in the credential must be in the format "yyyyMMdd".`, parts[1])
	}
	if parts[2] != s.opts.Region {
		e := bad("the region %q is wrong; expecting %q", parts[2], s.opts.Region).(*APIError)
		if !p.presigned {
			e.Fields = []Field{{"Region", s.opts.Region}}
		}
		return e
	}
	if len(p.amzDate) >= 8 && parts[1] != p.amzDate[:8] {
		if p.presigned {
			return errQueryAuth("Invalid credential date %q. This date is not the same as X-Amz-Date: %q.", parts[1], p.amzDate[:8])
		}
		return errMalformedAuth("The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.")
	}
	return nil
}

// checkPresignedQuery checks the presigned query's own parameters before
// its credential scope.
func (s *Server) checkPresignedQuery(r *request, p *sigParams) error {
	for _, name := range []string{"X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"} {
		if r.q(name) == "" {
			return errQueryAuth("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
		}
	}
	if _, err := time.Parse(amzDateFormat, p.amzDate); err != nil {
		return errQueryAuth(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`)
	}
	secs, err := strconv.ParseInt(r.q("X-Amz-Expires"), 10, 64)
	switch {
	case err != nil:
		return errQueryAuth("X-Amz-Expires should be a number")
	case secs < 0:
		return errQueryAuth("X-Amz-Expires must be non-negative")
	case secs > int64(maxPresignedExpiry/time.Second):
		return errQueryAuth("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")
	}
	return nil
}

// sigParams extracts the signature's parts from the Authorization header or
// the presigned query; nil means the request is anonymous.
func (s *Server) sigParams(r *request) (*sigParams, error) {
	if az := r.Header.Get("Authorization"); az != "" {
		rest, ok := strings.CutPrefix(az, sigAlgorithm+" ")
		if !ok {
			if s.Authenticating() {
				return nil, ErrUnsupportedAuth
			}
			return nil, nil
		}
		p := &sigParams{}
		fields := strings.Split(rest, ",")
		var perr error
		if len(fields) != 3 {
			perr = errMalformedAuth("the authorization header requires three components: Credential, SignedHeaders, and Signature.")
		}
		for _, f := range fields {
			k, v, ok := strings.Cut(strings.TrimSpace(f), "=")
			switch {
			case !ok && perr == nil:
				perr = errMalformedAuth("the authorization component %q is malformed.", strings.TrimSpace(f))
			case k == "Credential":
				p.credential = v
			case k == "SignedHeaders":
				p.signedHeaders = strings.Split(v, ";")
			case k == "Signature":
				p.signature = v
			}
		}
		switch {
		case perr != nil:
		case p.credential == "":
			perr = errMalformedAuth("missing Credential.")
		case p.signature == "":
			perr = errMalformedAuth("missing Signature.")
		case len(p.signedHeaders) == 0:
			perr = errMalformedAuth("missing SignedHeaders.")
		}
		if perr != nil {
			if s.Authenticating() {
				return nil, perr
			}
			return nil, nil
		}
		p.amzDate = r.Header.Get("X-Amz-Date")
		if p.amzDate == "" {
			if d, err := http.ParseTime(r.Header.Get("Date")); err == nil {
				p.amzDate = d.UTC().Format(amzDateFormat)
			}
		}
		if len(p.amzDate) < 8 {
			if s.Authenticating() {
				return nil, ErrMissingDate
			}
			p.amzDate = "00000000T000000Z"
		}
		p.payloadHash = r.Header.Get("X-Amz-Content-Sha256")
		if p.payloadHash == "" {
			if s.Authenticating() {
				return nil, apiErr(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
			}
		}
		return p, nil
	}
	if r.q("X-Amz-Algorithm") == "" {
		if r.q("AWSAccessKeyId") != "" && s.Authenticating() {
			return nil, ErrUnsupportedAuth
		}
		return nil, nil
	}
	switch alg := r.q("X-Amz-Algorithm"); {
	case alg == "AWS4-ECDSA-P256-SHA256":
		return nil, errQueryAuth(`X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`)
	case alg != sigAlgorithm:
		return nil, errQueryAuth(`X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"`)
	}
	p := &sigParams{
		presigned:     true,
		credential:    r.q("X-Amz-Credential"),
		signedHeaders: strings.Split(r.q("X-Amz-SignedHeaders"), ";"),
		signature:     r.q("X-Amz-Signature"),
		amzDate:       r.q("X-Amz-Date"),
		payloadHash:   unsignedPayload,
	}
	if v := r.q("X-Amz-Content-Sha256"); v != "" {
		p.payloadHash = v
	}
	if secs, err := strconv.Atoi(r.q("X-Amz-Expires")); err == nil {
		p.expires = time.Duration(secs) * time.Second
	}
	if s.Authenticating() {
		if err := s.checkPresignedQuery(r, p); err != nil {
			return nil, err
		}
	}
	if len(p.amzDate) < 8 {
		p.amzDate = "00000000T000000Z"
	}
	return p, nil
}

// canonicalURIs returns the path as the client sent it, and the path
// re-encoded from its decoded form for clients that sign that instead.
func canonicalURIs(r *request) []string {
	raw := r.RequestURI
	if i := strings.IndexByte(raw, '?'); i >= 0 {
		raw = raw[:i]
	}
	if strings.HasPrefix(raw, "http://") || strings.HasPrefix(raw, "https://") {
		if u, err := url.Parse(raw); err == nil {
			raw = u.EscapedPath()
		}
	}
	if raw == "" {
		raw = "/"
	}
	enc := uriEncode(r.URL.Path, true)
	if enc == "" {
		enc = "/"
	}
	if enc == raw {
		return []string{raw}
	}
	return []string{raw, enc}
}

func canonicalQuery(raw string, presigned bool) string {
	type kv struct{ k, v string }
	var pairs []kv
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err := url.QueryUnescape(k)
		if err == nil {
			k = dk
		}
		dv, err := url.QueryUnescape(v)
		if err == nil {
			v = dv
		}
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, kv{uriEncode(k, false), uriEncode(v, false)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// appendCanonicalRequest appends SigV4's canonical request for uri.
func appendCanonicalRequest(b []byte, r *request, p *sigParams, uri string) []byte {
	b = append(b, r.Method...)
	b = append(b, '\n')
	b = append(b, uri...)
	b = append(b, '\n')
	b = append(b, canonicalQuery(r.URL.RawQuery, p.presigned)...)
	b = append(b, '\n')
	b = appendCanonicalHeaders(b, r, p.signedHeaders)
	b = append(b, '\n')
	for i, n := range p.signedHeaders {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, n...)
	}
	b = append(b, '\n')
	return append(b, p.payloadHash...)
}

// appendCanonicalHeaders appends each signed header as "name:values\n",
// values joined by commas with their runs of spaces folded.
func appendCanonicalHeaders(b []byte, r *request, names []string) []byte {
	for _, n := range names {
		b = append(b, n...)
		b = append(b, ':')
		var vals []string
		switch n {
		case "host":
			b = appendHeaderValue(b, r.Host)
		case "content-length":
			vals = r.Header["Content-Length"]
			if len(vals) == 0 && r.ContentLength >= 0 {
				b = strconv.AppendInt(b, r.ContentLength, 10)
			}
		case "transfer-encoding":
			vals = r.TransferEncoding
		default:
			vals = r.Header[headerKey(n)]
		}
		for i, v := range vals {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendHeaderValue(b, v)
		}
		b = append(b, '\n')
	}
	return b
}

// appendHeaderValue appends v trimmed, with each run of white space inside
// it folded to one space. A value with nothing to fold (printable ASCII,
// single spaces between words), as SDKs send, is appended as it is.
func appendHeaderValue(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c > ' ' && c < utf8.RuneSelf || c == ' ' && i > 0 && i < len(v)-1 && v[i-1] != ' ' {
			continue
		}
		return append(b, strings.Join(strings.Fields(v), " ")...)
	}
	return append(b, v...)
}

// knownHeaderKeys maps the lower-case names SDKs sign to the canonical
// keys of http.Header, which textproto would otherwise build anew for
// every lookup.
var knownHeaderKeys = func() map[string]string {
	m := make(map[string]string)
	for _, k := range []string{
		"Amz-Sdk-Invocation-Id", "Amz-Sdk-Request", "Content-Encoding", "Content-Md5", "Content-Type",
		"X-Amz-Content-Sha256", "X-Amz-Date", "X-Amz-Decoded-Content-Length", "X-Amz-Trailer",
		"X-Amz-Sdk-Checksum-Algorithm", "X-Amz-Checksum-Crc32", "X-Amz-Checksum-Crc32c",
		"X-Amz-Checksum-Crc64nvme", "X-Amz-Checksum-Sha1", "X-Amz-Checksum-Sha256",
		"X-Amz-User-Agent", "X-Amz-Security-Token", "X-Amz-Copy-Source", "X-Amz-Metadata-Directive",
		"X-Amz-Acl", "X-Amz-Storage-Class", "X-Amz-Tagging", "X-Amz-Expected-Bucket-Owner",
		"X-Amz-Checksum-Type", "X-Amz-Checksum-Mode", "X-Amz-Request-Payer", "X-Amz-Copy-Source-Range",
		"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "Range", "Expect",
	} {
		m[strings.ToLower(k)] = k
	}
	return m
}()

// headerKey returns the http.Header key of a lower-case header name.
func headerKey(name string) string {
	if k, ok := knownHeaderKeys[name]; ok {
		return k
	}
	return textproto.CanonicalMIMEHeaderKey(name)
}

// setupBody wraps r.body in the decoder and verifier the payload mode asks
// for.
func (s *Server) setupBody(r *request, info *authInfo, mode string) error {
	r.auth = info
	switch {
	case mode == "" || mode == unsignedPayload:
	case mode == streamingSigned || mode == streamingSignedTr || mode == streamingUnsigned:
		cr := newChunkedReader(r.body, info, mode)
		r.body = cr
		r.chunked = cr
	case len(mode) == 64 && isHex(mode):
		r.body = &hashCheckReader{r: r.body, h: sha256.New(), want: mode}
	default:
		return ErrInvalidSHA256Payload
	}
	return nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// hashCheckReader fails the read that reaches EOF when the payload's
// SHA-256 is not the announced one.
type hashCheckReader struct {
	r    io.Reader
	h    hash.Hash
	want string
}

func (h *hashCheckReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	if err == io.EOF && !h.matches() {
		return n, ErrContentSHA256Mismatch
	}
	return n, err
}

// matches says whether what was hashed is the announced payload.
func (h *hashCheckReader) matches() bool { return hex.EncodeToString(h.h.Sum(nil)) == h.want }

// checkPresignedHeaders refuses a presigned request carrying credentials
// of another kind (a session token with permanent keys).
func (s *Server) checkPresignedHeaders(r *request) error {
	if r.q("X-Amz-Security-Token") != "" {
		return apiErr(http.StatusBadRequest, "InvalidToken", "The provided token is malformed or otherwise invalid.")
	}
	return nil
}

// unsignedAmzHeaders refuses a request carrying x-amz-* headers its
// signature does not cover: they change what the request does, so S3
// requires them signed.
func unsignedAmzHeaders(r *request, signed []string) error {
	isSigned := func(name string) bool {
		for _, s := range signed {
			if lowerOf(s, name) {
				return true
			}
		}
		return false
	}
	// A short list (an SDK signs a handful of headers) is scanned, which
	// allocates nothing; a long one, which only a hostile request sends,
	// gets a set, so the check stays linear in the headers.
	if len(signed) > 16 {
		in := make(map[string]bool, len(signed))
		for _, h := range signed {
			in[h] = true
		}
		isSigned = func(name string) bool { return in[strings.ToLower(name)] }
	}
	var missing []string
	for name := range r.Header {
		if len(name) < len("x-amz-") || !strings.EqualFold(name[:len("x-amz-")], "x-amz-") || isSigned(name) {
			continue
		}
		missing = append(missing, strings.ToLower(name))
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	e := apiErr(http.StatusForbidden, "AccessDenied", "There were headers present in the request which were not signed")
	e.Fields = []Field{{"HeadersNotSigned", strings.Join(missing, ", ")}}
	return e
}

// lowerOf says whether lower is name in ASCII lower case, as header names
// are ASCII tokens.
func lowerOf(lower, name string) bool {
	if len(lower) != len(name) {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
