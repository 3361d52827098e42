package serve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trovemem/trovemem/driver"
)

// Store is what the server needs of a store; *trove.Store implements it.
type Store interface {
	ListBuckets(ctx context.Context) ([]driver.BucketInfo, error)
	CreateBucket(ctx context.Context, name string) error
	DeleteBucket(ctx context.Context, name string) error
	Put(ctx context.Context, bucket, key string, r io.Reader, opts ...driver.PutOption) (*driver.ObjectInfo, error)
	Get(ctx context.Context, bucket, key string, opts ...driver.GetOption) (*driver.ObjectReader, error)
	Head(ctx context.Context, bucket, key string) (*driver.ObjectInfo, error)
	Delete(ctx context.Context, bucket, key string) error
	List(ctx context.Context, bucket string, opts ...driver.ListOption) (*driver.ObjectIterator, error)
}

// Options configure a Server. The zero value serves without
// authentication, with S3's size limits.
type Options struct {
	// AccessKey and SecretKey, when both are set, are the only credentials
	// accepted, and every request's signature is verified. When empty, any
	// credentials are accepted (bodies are still decoded).
	AccessKey, SecretKey string
	// Region is the region reported by GetBucketLocation; signatures are
	// checked against the region the client signed for. Default us-east-1.
	Region string
	// Domains are the base host names of virtual-host addressing: a request
	// to BUCKET.DOMAIN[:port] addresses BUCKET. Default: localhost.
	Domains []string
	// MaxObjectSize caps one PutObject or UploadPart body. Default 5 GiB.
	MaxObjectSize int64
	// MaxUploadBytes caps the bytes all pending multipart uploads hold in
	// memory together; a part beyond it is refused with SlowDown. Default 1 GiB.
	MaxUploadBytes int64
	// BodyIdleTimeout cuts a request whose body sends nothing for this long,
	// so a client that announces a body and never sends it cannot hold a
	// connection. Default 30s.
	BodyIdleTimeout time.Duration
	// HeaderTimeout cuts a connection whose request headers take longer
	// than this to arrive (slowloris). Default 10s.
	HeaderTimeout time.Duration
	// Now is the clock for signature time checks. Default time.Now.
	Now func() time.Time
	// OnRequest, if set, is called once per request after it is answered.
	OnRequest func(RequestLog)
}

// RequestLog describes one answered request.
type RequestLog struct {
	Method   string
	Path     string
	Op       string // the S3 operation, such as PutObject
	Bucket   string
	Key      string
	Status   int
	Bytes    int64 // response body bytes written
	Backend  string
	Duration time.Duration
	Err      string // the S3 error code, if any
}

// Server is an http.Handler speaking S3 over a Store.
type Server struct {
	store   Store
	opts    Options
	uploads uploads
	buckets sync.Map // bucket name -> *bucketState
	keyLock [64]sync.Mutex
	// inflight counts the body bytes buffered by requests now running, so
	// that many large uploads at once are refused rather than exhausting
	// memory.
	inflight atomic.Int64
	keys     keyCache
}

type bucketState struct {
	ownership   string
	lockEnabled bool
}

// New returns a server over store.
func New(store Store, opts Options) *Server {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if len(opts.Domains) == 0 {
		opts.Domains = []string{"localhost"}
	}
	if opts.MaxObjectSize <= 0 {
		opts.MaxObjectSize = 5 << 30
	}
	if opts.MaxUploadBytes <= 0 {
		opts.MaxUploadBytes = 1 << 30
	}
	if opts.BodyIdleTimeout <= 0 {
		opts.BodyIdleTimeout = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.HeaderTimeout <= 0 {
		opts.HeaderTimeout = 10 * time.Second
	}
	s := &Server{store: store, opts: opts}
	s.uploads.init(opts.MaxUploadBytes)
	return s
}

// Authenticating reports whether the server checks signatures.
func (s *Server) Authenticating() bool { return s.opts.AccessKey != "" && s.opts.SecretKey != "" }

// HTTPServer returns an http.Server for s with the time and size limits a
// server needs against misbehaving clients: slow headers are cut after
// Options.HeaderTimeout, idle keep-alive connections after 2 minutes, and
// headers are capped at 64 KiB. Body reads are bounded by
// Options.BodyIdleTimeout in the handler itself, since a whole-body
// deadline would cut large uploads.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: s.opts.HeaderTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// request is one S3 request being served.
type request struct {
	*http.Request
	w       *responseWriter
	bucket  string
	key     string
	hasKey  bool
	query   map[string][]string
	body    io.Reader // the decoded, verified payload
	chunked *chunkedReader
	auth    *authInfo
	reqID   string
	op      string
	backend string
}

func (r *request) q(name string) string {
	if v := r.query[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (r *request) has(name string) bool {
	_, ok := r.query[name]
	return ok
}

type responseWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *responseWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ServeHTTP answers one S3 request.
func (s *Server) ServeHTTP(hw http.ResponseWriter, hr *http.Request) {
	start := time.Now()
	w := &responseWriter{ResponseWriter: hw}
	r := &request{Request: hr, w: w}
	var idBytes [8]byte
	_, _ = rand.Read(idBytes[:])
	r.reqID = hex.EncodeToString(idBytes[:])
	w.Header().Set("x-amz-request-id", strings.ToUpper(r.reqID))
	w.Header().Set("Server", "trovemem")

	err := s.serve(r)
	if err != nil {
		s.writeError(r, err)
	}
	if s.opts.OnRequest != nil {
		l := RequestLog{
			Method: hr.Method, Path: hr.URL.Path, Op: r.op, Bucket: r.bucket, Key: r.key,
			Status: w.status, Bytes: w.bytes, Backend: r.backend, Duration: time.Since(start),
		}
		var ae *APIError
		if errors.As(err, &ae) {
			l.Err = ae.Code
		} else if err != nil {
			l.Err = ErrInternal.Code
		}
		s.opts.OnRequest(l)
	}
}

func (s *Server) serve(r *request) error {
	q, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return ErrInvalidURI
	}
	r.query = q
	s.address(r)
	r.body = http.NoBody
	if r.Body != nil {
		r.body = &idleReader{r: r.Body, rc: http.NewResponseController(r.w.ResponseWriter), idle: s.opts.BodyIdleTimeout}
	}
	op, h, routeErr := s.route(r)
	r.op = op
	if err := s.authenticate(r); err != nil {
		return err
	}
	// One owner holds every bucket: a request expecting another fails.
	for _, name := range []string{"X-Amz-Expected-Bucket-Owner", "X-Amz-Source-Expected-Bucket-Owner"} {
		if v := r.Header.Get(name); v != "" && v != s.owner().ID {
			return ErrAccessDenied
		}
	}
	if routeErr != nil {
		return routeErr
	}
	return h(r)
}

// address finds the bucket and key, from the host name for virtual-host
// requests and from the path otherwise.
func (s *Server) address(r *request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	path := r.URL.Path
	for _, d := range s.opts.Domains {
		if strings.HasSuffix(host, "."+d) {
			r.bucket = strings.TrimSuffix(host, "."+d)
			if len(path) > 1 {
				r.key, r.hasKey = path[1:], true
			}
			return
		}
	}
	p := strings.TrimPrefix(path, "/")
	if p == "" {
		return
	}
	b, k, ok := strings.Cut(p, "/")
	r.bucket = b
	if ok && k != "" {
		r.key, r.hasKey = k, true
	}
}

// idleReader cuts a body read that stalls for longer than idle, by moving
// the connection's read deadline forward before every read.
type idleReader struct {
	r    io.Reader
	rc   *http.ResponseController
	idle time.Duration
}

func (ir *idleReader) Read(p []byte) (int, error) {
	_ = ir.rc.SetReadDeadline(time.Now().Add(ir.idle))
	n, err := ir.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return n, ErrIncompleteBody
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return n, ErrEntityTooLarge
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return n, ErrIncompleteBody
		}
	}
	return n, err
}

// handler serves one request once it is authenticated.
type handler func(*request) error

// route picks the S3 operation and its handler from the method, the
// addressing and the subresources, before authentication, so even a
// refused request is logged with the operation it asked for.
func (s *Server) route(r *request) (string, handler, error) {
	m := r.Method
	if r.bucket == "" {
		if m == http.MethodGet {
			return "ListBuckets", s.listBuckets, nil
		}
		return "", nil, ErrMethodNotAllowed
	}
	if !r.hasKey {
		switch m {
		case http.MethodPut:
			if unsupportedBucketSub(r) {
				return "", nil, ErrNotImplemented
			}
			return "CreateBucket", s.createBucket, nil
		case http.MethodHead:
			return "HeadBucket", s.headBucket, nil
		case http.MethodDelete:
			if unsupportedBucketSub(r) {
				return "", nil, ErrNotImplemented
			}
			return "DeleteBucket", s.deleteBucket, nil
		case http.MethodGet:
			switch {
			case r.has("uploads"):
				return "ListMultipartUploads", s.listUploads, nil
			case r.has("location"):
				return "GetBucketLocation", s.bucketLocation, nil
			case r.has("acl"):
				return "GetBucketAcl", s.getBucketACL, nil
			case r.has("ownershipControls"):
				return "GetBucketOwnershipControls", s.getBucketOwnership, nil
			case r.has("object-lock"):
				return "GetObjectLockConfiguration", s.getBucketLockConfig, nil
			case unsupportedBucketSub(r):
				return "", nil, ErrNotImplemented
			case r.q("list-type") == "2":
				return "ListObjectsV2", func(r *request) error { return s.listObjects(r, true) }, nil
			default:
				return "ListObjects", func(r *request) error { return s.listObjects(r, false) }, nil
			}
		case http.MethodPost:
			if r.has("delete") {
				return "DeleteObjects", s.deleteObjects, nil
			}
			return "", nil, ErrNotImplemented
		}
		return "", nil, ErrMethodNotAllowed
	}
	switch m {
	case http.MethodPut:
		switch {
		case r.has("tagging"):
			return "PutObjectTagging", s.putObjectTagging, nil
		case r.has("legal-hold"):
			return "PutObjectLegalHold", func(r *request) error { return s.putObjectLock(r, "legal-hold") }, nil
		case r.has("retention"):
			return "PutObjectRetention", func(r *request) error { return s.putObjectLock(r, "retention") }, nil
		case unsupportedObjectSub(r):
			return "", nil, ErrNotImplemented
		case r.has("uploadId") && r.Header.Get("X-Amz-Copy-Source") != "":
			return "UploadPartCopy", s.uploadPartCopy, nil
		case r.has("uploadId") || r.has("partNumber"):
			return "UploadPart", s.uploadPart, nil
		case r.Header.Get("X-Amz-Copy-Source") != "":
			return "CopyObject", s.copyObject, nil
		default:
			return "PutObject", s.putObject, nil
		}
	case http.MethodGet:
		switch {
		case r.has("uploadId"):
			return "ListParts", s.listParts, nil
		case r.has("tagging"):
			return "GetObjectTagging", s.getObjectTagging, nil
		case r.has("retention"):
			return "GetObjectRetention", func(r *request) error { return s.getObjectLock(r, "retention") }, nil
		case r.has("legal-hold"):
			return "GetObjectLegalHold", func(r *request) error { return s.getObjectLock(r, "legal-hold") }, nil
		case r.has("uploads"):
			return "", nil, ErrGetUploadsWithKey
		case unsupportedObjectSub(r):
			return "", nil, ErrNotImplemented
		}
		return "GetObject", func(r *request) error { return s.getObject(r, false) }, nil
	case http.MethodHead:
		return "HeadObject", func(r *request) error { return s.getObject(r, true) }, nil
	case http.MethodDelete:
		if r.has("uploadId") {
			return "AbortMultipartUpload", s.abortUpload, nil
		}
		if r.has("tagging") {
			return "DeleteObjectTagging", s.deleteObjectTagging, nil
		}
		return "DeleteObject", s.deleteObject, nil
	case http.MethodPost:
		if r.has("uploads") {
			return "CreateMultipartUpload", s.createUpload, nil
		}
		if r.has("uploadId") {
			return "CompleteMultipartUpload", s.completeUpload, nil
		}
		return "", nil, ErrNotImplemented
	}
	return "", nil, ErrMethodNotAllowed
}

var bucketSubresources = []string{"acl", "cors", "policy", "tagging", "versioning", "versions", "lifecycle",
	"website", "encryption", "replication", "logging", "notification", "object-lock", "ownershipControls",
	"accelerate", "requestPayment", "analytics", "inventory", "metrics", "intelligent-tiering", "policyStatus",
	"publicAccessBlock"}

func unsupportedBucketSub(r *request) bool {
	for _, k := range bucketSubresources {
		if r.has(k) {
			return true
		}
	}
	return false
}

func unsupportedObjectSub(r *request) bool {
	for _, k := range []string{"acl", "retention", "legal-hold", "torrent", "restore", "select", "attributes", "versionId"} {
		if r.has(k) {
			if k == "versionId" && (r.q(k) == "" || r.q(k) == "null") {
				continue
			}
			return true
		}
	}
	return false
}

// writeError writes err as an S3 error document (no body for HEAD).
func (s *Server) writeError(r *request, err error) {
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = storeError(err)
	}
	h := r.w.Header()
	for _, k := range []string{"Content-Length", "Content-Range", "Etag", "Last-Modified", "Content-Type", "Accept-Ranges"} {
		h.Del(k)
	}
	if r.Method == http.MethodHead || ae.Status == http.StatusNotModified {
		r.w.WriteHeader(ae.Status)
		return
	}
	doc := errorDocument{Code: ae.Code, Message: ae.Message, RequestID: r.reqID, HostID: "trovemem"}
	for _, f := range ae.Fields {
		doc.Fields = append(doc.Fields, xmlField{XMLName: xml.Name{Local: f.Name}, Value: f.Value})
	}
	if r.bucket != "" {
		doc.Resource = "/" + r.bucket
		if r.hasKey {
			doc.Resource += "/" + r.key
		}
	}
	body, _ := xml.Marshal(doc)
	h.Set("Content-Type", "application/xml")
	r.w.WriteHeader(ae.Status)
	_, _ = r.w.Write([]byte(xml.Header))
	_, _ = r.w.Write(body)
}

// storeError maps a store error to the S3 error it means.
func storeError(err error) *APIError {
	var ae *APIError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, driver.ErrBucketNotFound):
		return ErrNoSuchBucket
	case errors.Is(err, driver.ErrObjectNotFound):
		return ErrNoSuchKey
	case errors.Is(err, driver.ErrBucketExists):
		return ErrBucketAlreadyOwned
	case errors.Is(err, driver.ErrBucketNotEmpty):
		return ErrBucketNotEmpty
	case errors.Is(err, driver.ErrInvalidRange):
		return ErrInvalidRange
	case errors.Is(err, driver.ErrInvalidName):
		return ErrInvalidBucketName
	case errors.Is(err, driver.ErrClosed), errors.Is(err, context.Canceled):
		return ErrSlowDown
	}
	return ErrInternal
}

// writeXML writes v as an XML response with status 200.
func writeXML(r *request, v any) error {
	body, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	r.w.Header().Set("Content-Type", "application/xml")
	r.w.WriteHeader(http.StatusOK)
	_, _ = r.w.Write([]byte(xml.Header))
	_, _ = r.w.Write(body)
	return nil
}

// lockKey serialises the check-then-write of conditional writes and
// multipart completion on one key.
func (s *Server) lockKey(bucket, key string) func() {
	var h uint32 = 2166136261
	for i := 0; i < len(bucket); i++ {
		h = (h ^ uint32(bucket[i])) * 16777619
	}
	h = (h ^ '/') * 16777619
	for i := 0; i < len(key); i++ {
		h = (h ^ uint32(key[i])) * 16777619
	}
	m := &s.keyLock[h%uint32(len(s.keyLock))]
	m.Lock()
	return m.Unlock
}
