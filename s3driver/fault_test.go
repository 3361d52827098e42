package s3driver

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/internal/s3test"
	"github.com/trovemem/trovemem/memdriver"
)

// TestBadCredentials opens the driver against versitygw with what a user
// gets wrong: each fails at open, quickly, with an error to test with
// errors.Is and a message that never holds the secret.
func TestBadCredentials(t *testing.T) {
	srv := s3test.StartVersity(t)
	tests := []struct {
		name string
		edit func(*Config)
		want error
	}{
		{"wrong secret", func(c *Config) { c.SecretKey = "not-the-secret" }, ErrAccessDenied},
		{"unknown access key", func(c *Config) { c.AccessKey, c.SecretKey = "nobody", "not-the-secret" }, ErrAccessDenied},
		{"missing default bucket", func(c *Config) { c.Bucket = "no-such-bucket" }, driver.ErrBucketNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := versityConfig(srv)
			tt.edit(&cfg)
			start := time.Now()
			_, err := New(context.Background(), cfg)
			if !errors.Is(err, tt.want) {
				t.Fatalf("New: got %v, want an error wrapping %q", err, tt.want)
			}
			if strings.Contains(err.Error(), cfg.SecretKey) {
				t.Errorf("New: got %q, want the secret left out", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("New took %v, want a prompt answer", d)
			}
		})
	}
}

// TestFaultyServers holds the driver to bounded, one-line failures against
// loopback servers that refuse connections, answer 5xx, or hang.
func TestFaultyServers(t *testing.T) {
	unavailable := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `<Error><Code>ServiceUnavailable</Code><Message>down for maintenance</Message></Error>`)
	}))
	t.Cleanup(unavailable.Close)
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	t.Cleanup(func() { hanging.CloseClientConnections(); hanging.Close() })
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	const timeout, attempts = 300 * time.Millisecond, 2
	tests := []struct {
		name     string
		endpoint string
		wantMsg  string
		within   time.Duration
	}{
		{"connection refused", closed.URL, "S3 ListBuckets: dial tcp", time.Second + 2*maxBackoff},
		{"503", unavailable.URL, "S3 ListBuckets: 503 ServiceUnavailable: down for maintenance (after 2 attempts)", time.Second + 2*maxBackoff},
		{"hangs", hanging.URL, "S3 ListBuckets: no answer within 300ms (after 2 attempts)", attempts*timeout + 2*maxBackoff + time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{AccessKey: "k", SecretKey: "s3cr3t", Region: "us-east-1", Endpoint: tt.endpoint, PathStyle: true,
				Timeout: timeout, MaxAttempts: attempts}
			start := time.Now()
			_, err := New(context.Background(), cfg)
			elapsed := time.Since(start)
			var re *RequestError
			if !errors.Is(err, ErrUnavailable) || !errors.As(err, &re) {
				t.Fatalf("New: got %v, want a *RequestError wrapping ErrUnavailable", err)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.wantMsg) || strings.Contains(msg, "\n") || strings.Contains(msg, "s3cr3t") {
				t.Errorf("message: got %q, want one line containing %q", msg, tt.wantMsg)
			}
			if elapsed > tt.within {
				t.Errorf("New took %v, want at most %v", elapsed, tt.within)
			}
		})
	}
	t.Run("cancelled while the server hangs", func(t *testing.T) {
		d, err := newDriver(Config{AccessKey: "k", SecretKey: "s", Region: "us-east-1", Endpoint: hanging.URL, PathStyle: true})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = d.Head(ctx, "bkt", "k")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Head: got %v, want context.DeadlineExceeded", err)
		}
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("Head took %v after its context expired, want it to stop at once", elapsed)
		}
	})
}

// quirks are ways real servers answer ListObjectsV2 that the driver must
// absorb; fakeLister has each on demand.
type quirks struct {
	minioPageOf1 bool // a delimited page of 1 after StartAfter comes back empty and untruncated (MinIO)
	repeatPrefix bool // after StartAfter inside a common prefix, that prefix comes again
	shortPages   int  // never more than this many entries per answer, truncated (S3 may stop early)
	urlEncode    bool // honour encoding-type=url, spaces as '+' (AWS, MinIO)
	// minioRollup is how MinIO lists with a delimiter other than '/': it
	// walks keys recursively, skips those at or before StartAfter (or the
	// continuation token) as raw keys, counts every key walked towards
	// max-keys even when it folds into a common prefix already in the page,
	// and hands out the last entry's name, a common prefix, as the next
	// token. Resuming after a common prefix therefore walks the keys under it
	// again, and a prefix holding more keys than max-keys never ends.
	minioRollup bool
	ignoreRange bool // answer a ranged GET with the whole object, 200
}

// fakeLister is a tiny S3 server: ListObjectsV2 over a fixed key set, and
// GET of any key, whose content is the key.
func fakeLister(keys []string, q quirks) http.Handler {
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	type content struct {
		Key  string
		Size int64
		ETag string
	}
	type prefix struct{ Prefix string }
	type result struct {
		XMLName               xml.Name `xml:"ListBucketResult"`
		EncodingType          string   `xml:",omitempty"`
		IsTruncated           bool
		NextContinuationToken string `xml:",omitempty"`
		Contents              []content
		CommonPrefixes        []prefix
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if key != "" {
			if rg := r.Header.Get("Range"); rg != "" && !q.ignoreRange {
				off, n, err := driver.ParseRange(rg, int64(len(key)))
				if err != nil {
					w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
					io.WriteString(w, `<Error><Code>InvalidRange</Code></Error>`)
					return
				}
				w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", off, off+n-1, len(key)))
				w.WriteHeader(http.StatusPartialContent)
				io.WriteString(w, key[off:off+n])
				return
			}
			io.WriteString(w, key)
			return
		}
		if bucket == "" || r.URL.Query().Get("list-type") != "2" {
			io.WriteString(w, `<ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>`)
			return
		}
		qs := r.URL.Query()
		pfx, delim := qs.Get("prefix"), qs.Get("delimiter")
		maxKeys, _ := strconv.Atoi(qs.Get("max-keys"))
		after := qs.Get("start-after")
		if tok := qs.Get("continuation-token"); tok != "" {
			after = tok
		}
		res := result{}
		if qs.Get("encoding-type") == "url" && q.urlEncode {
			res.EncodingType = "url"
		}
		enc := func(s string) string {
			if res.EncodingType == "url" {
				return url.QueryEscape(s)
			}
			return s
		}
		if q.minioPageOf1 && maxKeys == 1 && delim != "" && qs.Get("start-after") != "" {
			writeXML(w, res)
			return
		}
		limit := maxKeys
		if q.shortPages > 0 && q.shortPages < limit {
			limit = q.shortPages
		}
		if q.minioRollup && delim != "" && delim != "/" {
			var last string
			walked := 0
			for _, k := range sorted {
				if !strings.HasPrefix(k, pfx) || k <= after {
					continue
				}
				if walked == limit {
					res.IsTruncated = true
					res.NextContinuationToken = last
					break
				}
				walked++
				e, isPrefix := driver.ListEntryKey(k, pfx, delim)
				if e == last {
					continue
				}
				last = e
				if isPrefix {
					res.CommonPrefixes = append(res.CommonPrefixes, prefix{enc(e)})
				} else {
					res.Contents = append(res.Contents, content{enc(k), int64(len(k)), `"etag"`})
				}
			}
			writeXML(w, res)
			return
		}
		var last string
		n := 0
		for _, k := range sorted {
			if !strings.HasPrefix(k, pfx) {
				continue
			}
			e, isPrefix := driver.ListEntryKey(k, pfx, delim)
			if e == last {
				continue
			}
			if e <= after && !(q.repeatPrefix && isPrefix && e == after) {
				continue
			}
			if n == limit {
				res.IsTruncated = true
				res.NextContinuationToken = last
				break
			}
			last = e
			n++
			if isPrefix {
				res.CommonPrefixes = append(res.CommonPrefixes, prefix{enc(e)})
			} else {
				res.Contents = append(res.Contents, content{enc(k), int64(len(k)), `"etag"`})
			}
		}
		writeXML(w, res)
	})
}

func writeXML(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/xml")
	b, _ := xml.Marshal(v)
	w.Write(b)
}

// TestListQuirks lists through each quirk and requires the pages memdriver
// gives for the same keys.
func TestListQuirks(t *testing.T) {
	keys := []string{"a/1", "a/2", "a/3", "a b/1", "a+b", "b", "c/d/e", "c/d/f", "c/e", "d 1", "d+2", "é/x", "z",
		"v-1", "v-2", "v-3", "v-4", "v-5.x", "v.1", "v.2", "v.3", "v.4-x", "v0"}
	mem := driver.Wrap(memdriver.New())
	ctx := context.Background()
	mem.CreateBucket(ctx, "bkt")
	for _, k := range keys {
		mem.Put(ctx, "bkt", k, strings.NewReader(k))
	}
	for _, tt := range []struct {
		name string
		q    quirks
	}{
		{"plain", quirks{}},
		{"MinIO's page of 1", quirks{minioPageOf1: true}},
		{"prefix repeated after StartAfter", quirks{repeatPrefix: true}},
		{"short pages", quirks{shortPages: 1}},
		{"URL-encoded keys", quirks{urlEncode: true}},
		{"MinIO's walk under other delimiters", quirks{minioRollup: true}},
		{"all at once", quirks{minioPageOf1: true, repeatPrefix: true, shortPages: 2, urlEncode: true}},
		{"MinIO, all at once", quirks{minioPageOf1: true, minioRollup: true, urlEncode: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(fakeLister(keys, tt.q))
			t.Cleanup(srv.Close)
			raw, err := New(ctx, Config{AccessKey: "k", SecretKey: "s", Region: "us-east-1", Endpoint: srv.URL, PathStyle: true})
			if err != nil {
				t.Fatal(err)
			}
			d := driver.Wrap(raw)
			for _, delim := range []string{"", "/", "+", "-", "."} {
				for _, n := range []int{1, 2, 3, 1000} {
					for _, after := range []string{"", "a/", "a/2", "c/", "c/d/", "v-", "v-2", "v.", "v.1"} {
						opts := []driver.ListOption{driver.WithDelimiter(delim), driver.WithMaxKeys(n)}
						if after != "" {
							opts = append(opts, driver.WithCursor(driver.EncodeCursor(after)))
						}
						want, werr := listOnce(ctx, mem, "bkt", opts...)
						got, gerr := listOnce(ctx, d, "bkt", opts...)
						if werr != nil || gerr != nil {
							t.Fatalf("delimiter %q max %d after %q: got error %v, want %v", delim, n, after, gerr, werr)
						}
						if diff := cmp.Diff(keysOf(want), keysOf(got)); diff != "" || want.Next != got.Next {
							t.Errorf("delimiter %q max %d after %q: got next %q, want %q; entries (-mem +s3):\n%s", delim, n, after, got.Next, want.Next, diff)
						}
					}
				}
			}
		})
	}
}

func keysOf(l listing) []string {
	var out []string
	for _, e := range l.Entries {
		out = append(out, fmt.Sprint(e.Key, e.IsPrefix))
	}
	return out
}

// TestRangeIgnored: a server that answers a ranged GET with the whole
// object (200) still gives the caller only the range, and a range past the
// end is ErrInvalidRange, as from a server that answers 416.
func TestRangeIgnored(t *testing.T) {
	ctx := context.Background()
	for _, ignore := range []bool{false, true} {
		t.Run(fmt.Sprintf("server ignores Range: %v", ignore), func(t *testing.T) {
			srv := httptest.NewServer(fakeLister(nil, quirks{ignoreRange: ignore}))
			t.Cleanup(srv.Close)
			raw, err := New(ctx, Config{AccessKey: "k", SecretKey: "s", Region: "us-east-1", Endpoint: srv.URL, PathStyle: true})
			if err != nil {
				t.Fatal(err)
			}
			d := driver.Wrap(raw)
			for _, tc := range []struct{ spec, want string }{{"bytes=2-4", "234"}, {"bytes=-3", "789"}, {"bytes=7-", "789"}} {
				r, err := d.Get(ctx, "bkt", "0123456789", driver.WithRange(tc.spec))
				if err != nil {
					t.Fatalf("Get %s: %v", tc.spec, err)
				}
				b, _ := io.ReadAll(r)
				r.Close()
				if string(b) != tc.want || r.Info.Size != 10 {
					t.Errorf("Get %s: got %q (Size %d), want %q (Size 10)", tc.spec, b, r.Info.Size, tc.want)
				}
			}
			if _, err := d.Get(ctx, "bkt", "0123456789", driver.WithRange("bytes=10-")); !errors.Is(err, driver.ErrInvalidRange) {
				t.Errorf("Get past the end: got %v, want ErrInvalidRange", err)
			}
		})
	}
}

// TestCopyIfMatch: CopyObject carries If-Match on the ETag Copy's Head saw;
// a source overwritten in between (412) makes Copy start over, and a
// source that keeps changing fails after copyAttempts tries.
func TestCopyIfMatch(t *testing.T) {
	for _, tt := range []struct {
		name      string
		failures  int // 412 answers before CopyObject succeeds
		wantCalls int
		wantErr   bool
	}{
		{"unchanged source", 0, 1, false},
		{"changed once", 1, 2, false},
		{"keeps changing", 10, copyAttempts, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Method == http.MethodGet && r.URL.Path == "/":
					io.WriteString(w, `<ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>`)
				case r.Method == http.MethodHead:
					w.Header().Set("ETag", fmt.Sprintf(`"%032d"`, calls))
					w.Header().Set("Content-Length", "5")
				case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "":
					calls++
					if got, want := r.Header.Get("X-Amz-Copy-Source-If-Match"), fmt.Sprintf(`"%032d"`, calls-1); got != want {
						t.Errorf("CopyObject %d: got If-Match %q, want the ETag its Head saw, %q", calls, got, want)
					}
					if calls <= tt.failures {
						w.WriteHeader(http.StatusPreconditionFailed)
						io.WriteString(w, `<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>`)
						return
					}
					io.WriteString(w, `<CopyObjectResult><ETag>"copied"</ETag></CopyObjectResult>`)
				default:
					w.WriteHeader(http.StatusNotImplemented)
				}
			}))
			t.Cleanup(srv.Close)
			d, err := New(context.Background(), Config{AccessKey: "k", SecretKey: "s", Region: "us-east-1", Endpoint: srv.URL, PathStyle: true})
			if err != nil {
				t.Fatal(err)
			}
			info, err := driver.Wrap(d).Copy(context.Background(), "src", "a b", "dst", "k")
			if (err != nil) != tt.wantErr || calls != tt.wantCalls {
				t.Fatalf("Copy: got %v after %d CopyObject calls, want error %v after %d", err, calls, tt.wantErr, tt.wantCalls)
			}
			if err == nil && (info.ETag != "copied" || info.Size != 5) {
				t.Errorf("Copy: got info %+v, want the copy's ETag and the source's size", info)
			}
		})
	}
}

// TestNoCredentials: with no keys anywhere, New fails before any request,
// saying where it looked.
func TestNoCredentials(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"} {
		t.Setenv(k, "")
	}
	dir := t.TempDir()
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	_, err := New(context.Background(), Config{Endpoint: closed.URL, PathStyle: true})
	if !errors.Is(err, ErrNoCredentials) || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") {
		t.Errorf("New: got %v, want ErrNoCredentials saying where it looked", err)
	}
}
