package s3driver

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trovemem/trovemem/driver"
)

// dsnParams are the query parameters an s3:// DSN may carry.
var dsnParams = []string{"endpoint", "max_attempts", "part_size", "path_style", "profile", "timeout"}

// Open is the driver's opener (registered for the s3 scheme): it reads a DSN of the
// form
//
//	s3://ACCESS_KEY:SECRET@REGION[/BUCKET]?endpoint=URL&path_style=true
//
// (the shape of xraph/trove's s3driver, so its configurations carry over)
// and returns a Driver that has answered a Ping. Every part is optional:
// without ACCESS_KEY:SECRET the standard AWS sources supply credentials,
// without REGION the standard ones name it. Further parameters:
// timeout=DURATION (the inactivity limit, default 15s), max_attempts=N
// (default 3), part_size=BYTES (the multipart threshold and part size,
// default 8388608) and profile=NAME (the shared-config profile). A secret
// holding '/' must spell it %2F, as URLs require.
func Open(ctx context.Context, dsn *driver.DSN, opts ...driver.Option) (*Driver, error) {
	cfg, err := ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return New(ctx, cfg, opts...)
}

// ParseConfig turns a parsed s3:// DSN into a Config without contacting
// anything. Its errors never repeat the secret.
func ParseConfig(dsn *driver.DSN) (Config, error) {
	var cfg Config
	bad := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("s3 dsn: "+format, args...)
	}
	if dsn.Scheme != Scheme {
		return bad("scheme %q, want %s://", dsn.Scheme, Scheme)
	}
	cfg.AccessKey, cfg.SecretKey = dsn.User, dsn.Password
	if cfg.AccessKey != "" && cfg.SecretKey == "" {
		return bad("access key %q has no secret: write ACCESS_KEY:SECRET@REGION, or leave both out to use the AWS environment", cfg.AccessKey)
	}
	if strings.ContainsAny(dsn.Host, ":[]") {
		return bad("%q is not a region: the host part of an s3:// DSN names the region (such as us-east-1); give the server's address as ?endpoint=URL", dsn.Host)
	}
	cfg.Region = dsn.Host
	if p := strings.Trim(dsn.Path, "/"); p != "" {
		if strings.Contains(p, "/") {
			return bad("path %q: want at most one bucket name, as s3://KEY:SECRET@REGION/BUCKET", dsn.Path)
		}
		if err := driver.ValidateBucketName(p); err != nil {
			return bad("default bucket: %v", err)
		}
		cfg.Bucket = p
	}
	for name, values := range dsn.Params {
		if !slices.Contains(dsnParams, name) {
			return bad("unknown parameter %q (known: %s)", name, strings.Join(dsnParams, ", "))
		}
		if len(values) != 1 {
			return bad("parameter %q given %d times, want once", name, len(values))
		}
		v := values[0]
		switch name {
		case "endpoint":
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return bad("endpoint %q: want a URL such as http://127.0.0.1:9000 or https://ACCOUNT.r2.cloudflarestorage.com", v)
			}
			cfg.Endpoint = strings.TrimSuffix(v, "/")
		case "path_style":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return bad("path_style %q: want true or false", v)
			}
			cfg.PathStyle = b
		case "timeout":
			t, err := time.ParseDuration(v)
			if err != nil || t <= 0 {
				return bad("timeout %q: want a positive duration such as 15s", v)
			}
			cfg.Timeout = t
		case "max_attempts":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 10 {
				return bad("max_attempts %q: want a number from 1 to 10", v)
			}
			cfg.MaxAttempts = n
		case "part_size":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < MinPartSize || n > 5<<30 {
				return bad("part_size %q: want bytes from %d (5 MiB) to %d (5 GiB)", v, MinPartSize, int64(5<<30))
			}
			cfg.PartSize = n
		case "profile":
			cfg.Profile = v
		}
	}
	return cfg, nil
}
