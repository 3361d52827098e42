// Package s3driver owns trovemem's backend for S3-compatible object stores
// (AWS S3, MinIO, Ceph RGW, Cloudflare R2, versitygw), on aws-sdk-go-v2. It
// registers the "s3" scheme, so a DSN such as
// "s3://ACCESS_KEY:SECRET@us-east-1/bucket?endpoint=http://127.0.0.1:7070&path_style=true"
// mounts a real bucket beside memory and file backends.
//
// The driver holds only what is particular to S3: turning the driver
// contract's operations into S3 requests and S3's answers back into the
// contract's values and sentinel errors. Name, range and cursor checks,
// closed-state tracking and error context are the portable layer's
// (driver.Wrap).
package s3driver

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/logging"

	"github.com/trovemem/trovemem/driver"
)

// Scheme is the DSN scheme the driver registers, as in "s3://".
const Scheme = "s3"

// Defaults of Config, chosen for interactive use and CI against servers on
// the same network as much as for AWS across the internet.
const (
	// DefaultPartSize is both the multipart threshold and the part size:
	// an object up to this size is one PUT with its length, a larger one is
	// uploaded in parts of this size, read one at a time, so a put holds at
	// most one part in memory. 8 MiB is what the AWS CLI uses; with S3's
	// limit of 10,000 parts it allows objects up to 80 GiB.
	DefaultPartSize = 8 << 20

	// MinPartSize is S3's smallest part size for all but the last part.
	MinPartSize = 5 << 20

	// DefaultTimeout bounds how long the driver waits for a server that
	// has gone silent: connecting, and then every read of a response (its
	// headers and each chunk of its body). It is an inactivity limit, not a
	// limit on a whole transfer, so a large object that keeps flowing is
	// never cut off, while a hanging server fails the attempt.
	DefaultTimeout = 15 * time.Second

	// DefaultMaxAttempts is how many times a request is tried: throttling,
	// 5xx answers, resets and timeouts are retried with jittered
	// exponential backoff of at most maxBackoff; client errors (4xx) are
	// not. So a hanging server costs at most about 3 x DefaultTimeout plus
	// 2 x maxBackoff before its error is reported.
	DefaultMaxAttempts = 3

	maxBackoff = 2 * time.Second
)

// MetaLastModified is the user-metadata key (sent as
// x-amz-meta-trovemem-last-modified) in which the driver keeps an object's
// LastModified: S3 stamps objects with its own clock and offers no way to
// set the time, yet the contract wants the driver's clock or the time
// driver.WithLastModified gives (undo and dumps restore objects exactly).
// Head and Get report it and leave it out of Metadata; objects written by
// other clients, which lack it, report the server's time. The key is
// reserved: a caller's metadata under it is replaced.
const MetaLastModified = "trovemem-last-modified"

func init() {
	driver.Register(Scheme, func(ctx context.Context, dsn *driver.DSN, opts ...driver.Option) (driver.Driver, error) {
		d, err := Open(ctx, dsn, opts...)
		if err != nil {
			return nil, err
		}
		return d, nil
	})
}

// Config says which S3 service a Driver talks to, as whom, and how
// patiently. The DSN parser (Open) fills one in; programs can use New
// directly.
type Config struct {
	// AccessKey and SecretKey (and SessionToken, for temporary
	// credentials) sign requests. With no AccessKey the standard AWS
	// sources are used instead; see the package README section.
	AccessKey, SecretKey, SessionToken string
	// Profile names the shared-config profile the standard sources read
	// when AWS_PROFILE is not set.
	Profile string
	// Region signs requests; "" means AWS_REGION, AWS_DEFAULT_REGION, the
	// profile's region, then us-east-1.
	Region string
	// Endpoint is the service's base URL, such as http://127.0.0.1:9000;
	// "" means AWS's own endpoints for Region.
	Endpoint string
	// PathStyle addresses buckets as ENDPOINT/BUCKET rather than
	// BUCKET.ENDPOINT, as MinIO, versitygw and most self-hosted servers
	// need.
	PathStyle bool
	// Bucket, when set, is the backend's default bucket: Open checks that
	// it is reachable, Ping probes it, and ListBuckets falls back to it
	// when the credentials may not list buckets (bucket-scoped tokens, as
	// R2 issues).
	Bucket string
	// PartSize is the multipart threshold and part size; 0 means
	// DefaultPartSize, and it may not be below MinPartSize.
	PartSize int64
	// Timeout is the inactivity limit; 0 means DefaultTimeout.
	Timeout time.Duration
	// MaxAttempts is how often a request is tried; 0 means
	// DefaultMaxAttempts, 1 disables retries.
	MaxAttempts int
}

var _ driver.Driver = (*Driver)(nil)

// Driver is a driver.Driver over one S3 service. It is safe for concurrent
// use; each call is one or a few independent requests.
type Driver struct {
	client *s3.Client
	http   aws.HTTPClient // this driver's own, so Close can drop its connections
	cfg    Config
	now    func() time.Time
}

// New returns a Driver for cfg with opts applied (driver.WithClock sets the
// clock objects are stamped with). It checks that the service answers, as
// Ping does, so a wrong endpoint, wrong credentials or a missing default
// bucket fail here, once, rather than at every later operation.
func New(ctx context.Context, cfg Config, opts ...driver.Option) (*Driver, error) {
	d, err := newDriver(cfg, opts...)
	if err != nil {
		return nil, err
	}
	if err := d.Ping(ctx); err != nil {
		d.closeIdle()
		return nil, err
	}
	return d, nil
}

// newDriver builds the client without contacting the service.
func newDriver(cfg Config, opts ...driver.Option) (*Driver, error) {
	if cfg.PartSize == 0 {
		cfg.PartSize = DefaultPartSize
	}
	if cfg.PartSize < MinPartSize {
		return nil, fmt.Errorf("s3: part size %d is below S3's minimum of %d bytes", cfg.PartSize, MinPartSize)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	creds, region, err := resolveCredentials(cfg)
	if err != nil {
		return nil, err
	}
	cfg.Region = region

	// One HTTP client per driver: its connections are this backend's, and
	// Close can drop them. The idle pool is sized for the concurrency a
	// store sees (Go's default of 2 idle connections per host would make
	// parallel requests reconnect every time). Freeze keeps the SDK from
	// replacing these timeouts with its defaults-mode values.
	httpClient := awshttp.NewBuildableClient().
		WithDialerOptions(func(nd *net.Dialer) { nd.Timeout = cfg.Timeout }).
		WithTransportOptions(func(t *http.Transport) {
			t.TLSHandshakeTimeout = cfg.Timeout
			t.MaxIdleConnsPerHost = 64
		}).
		WithReadTimeout(cfg.Timeout).
		Freeze()

	o := s3.Options{
		Region:       cfg.Region,
		Credentials:  creds,
		UsePathStyle: cfg.PathStyle,
		HTTPClient:   httpClient,
		Retryer: retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = cfg.MaxAttempts
			so.MaxBackoff = maxBackoff
		}),
		// The SDK's 2025 defaults (WhenSupported) add a CRC32 checksum to
		// every upload, over TLS as an aws-chunked trailer with an
		// unsigned payload, and ask for checksums on every download. Not
		// every S3-compatible server accepts that encoding, and the
		// driver does not need it: every single PUT and every part is a
		// seekable buffer, so with WhenRequired the SDK signs each request
		// with the SHA-256 of its payload (over TLS too), which the server
		// checks before storing anything. Downloads of objects stored
		// without a checksum have none to validate either way.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		// A library never prints; the SDK would otherwise log warnings
		// (such as skipped response checksums) to stderr.
		Logger: logging.Nop{},
	}
	if cfg.Endpoint != "" {
		o.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	d := &Driver{client: s3.New(o), http: httpClient, cfg: cfg, now: time.Now}
	if dopts := driver.ApplyOptions(opts); dopts.Clock != nil {
		d.now = dopts.Clock
	}
	return d, nil
}

// Name returns "s3".
func (d *Driver) Name() string { return Scheme }

// Client returns the aws-sdk-go-v2 client the driver uses, for programs
// that need an S3 operation the driver contract does not have.
func (d *Driver) Client() *s3.Client { return d.client }

// DefaultBucket returns the bucket the DSN named, or "".
func (d *Driver) DefaultBucket() string { return d.cfg.Bucket }

// Close drops the driver's idle connections. Requests still running finish
// on their own connections.
func (d *Driver) Close(ctx context.Context) error {
	d.closeIdle()
	return nil
}

func (d *Driver) closeIdle() {
	if c, ok := d.http.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// Ping checks that the service answers these credentials: HeadBucket on the
// default bucket when there is one (a missing one is
// driver.ErrBucketNotFound), ListBuckets otherwise.
func (d *Driver) Ping(ctx context.Context) error {
	if d.cfg.Bucket != "" {
		_, err := d.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(d.cfg.Bucket)})
		if err != nil {
			if isStatus(err, http.StatusNotFound) {
				return fmt.Errorf("default bucket %s: %w", driver.QuoteName(d.cfg.Bucket), driver.ErrBucketNotFound)
			}
			return fmt.Errorf("default bucket %s: %w", driver.QuoteName(d.cfg.Bucket), translate("HeadBucket", err))
		}
		return nil
	}
	_, err := d.client.ListBuckets(ctx, &s3.ListBucketsInput{})
	return translate("ListBuckets", err)
}
