package serve_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/serve"
	"github.com/trovemem/trovemem/trove"
)

const (
	testAccess = "AKTROVEMEMTEST"
	testSecret = "trovemem-test-secret"
)

// testServer is a served store with a second backend, "logs", that keys
// under logs/ route to.
type testServer struct {
	store *trove.Store
	url   string
	addr  string
}

func startServer(t *testing.T, opts serve.Options) *testServer {
	t.Helper()
	store, err := trove.Open(memdriver.New(), trove.WithBackend("logs", memdriver.New()), trove.WithRoute("logs/**", "logs"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := serve.New(store, opts).HTTPServer("")
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return &testServer{store: store, url: "http://" + ln.Addr().String(), addr: ln.Addr().String()}
}

// newClient is a default-configured SDK client: only the endpoint, region
// and credentials are set, so checksums, payload signing and retries are
// whatever the SDK does by default.
func newClient(ts *testServer, secret string, optFns ...func(*s3.Options)) *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(testAccess, secret, ""),
		BaseEndpoint: aws.String(ts.url),
		UsePathStyle: true,
	}, optFns...)
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestSDKClient(t *testing.T) {
	ts := startServer(t, serve.Options{AccessKey: testAccess, SecretKey: testSecret})
	c := newClient(ts, testSecret)
	ctx := context.Background()
	bucket := "sdk-bucket"

	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	big := make([]byte, 20<<20)
	_, _ = rand.Read(big)

	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"put with metadata", func(t *testing.T) {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String(bucket), Key: aws.String("docs/readme.txt"), Body: strings.NewReader("hello world"),
				ContentType: aws.String("text/plain"), Metadata: map[string]string{"Owner": "Ada", "x-Team": "core"},
			})
			if err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("docs/readme.txt")})
			if err != nil {
				t.Fatalf("HeadObject: %v", err)
			}
			if got, want := fmt.Sprint(h.Metadata), "map[owner:Ada x-team:core]"; got != want {
				t.Errorf("metadata: got %s, want %s", got, want)
			}
			if got := aws.ToString(h.ContentType); got != "text/plain" {
				t.Errorf("content type: got %q, want text/plain", got)
			}
		}},
		{"routed put lands on its backend", func(t *testing.T) {
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("logs/a.log"), Body: strings.NewReader("line")}); err != nil {
				t.Fatalf("PutObject: %v", err)
			}
			logs, _ := ts.store.Backend("logs")
			if _, err := logs.Head(ctx, bucket, "logs/a.log"); err != nil {
				t.Errorf("logs/a.log on backend logs: got %v, want it there", err)
			}
			def, _ := ts.store.Backend(trove.DefaultBackend)
			if _, err := def.Head(ctx, bucket, "logs/a.log"); err == nil {
				t.Errorf("logs/a.log on the default backend: got it, want it only on logs")
			}
		}},
		{"delimiter listing across pages", func(t *testing.T) {
			for _, k := range []string{"list/a/1", "list/a/2", "list/b/1", "list/c", "list/d", "list/e/1"} {
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
					t.Fatalf("PutObject %s: %v", k, err)
				}
			}
			var got []string
			pages := 0
			p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{
				Bucket: aws.String(bucket), Prefix: aws.String("list/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2),
			})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatalf("ListObjectsV2: %v", err)
				}
				pages++
				for _, cp := range page.CommonPrefixes {
					got = append(got, aws.ToString(cp.Prefix))
				}
				for _, o := range page.Contents {
					got = append(got, aws.ToString(o.Key))
				}
			}
			if want := "list/a/ list/b/ list/c list/d list/e/"; strings.Join(got, " ") != want {
				t.Errorf("entries: got %q, want %q", strings.Join(got, " "), want)
			}
			if pages != 3 {
				t.Errorf("pages: got %d, want 3", pages)
			}
		}},
		{"ranged get", func(t *testing.T) {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("docs/readme.txt"), Range: aws.String("bytes=6-10")})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			b, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if string(b) != "world" || aws.ToString(out.ContentRange) != "bytes 6-10/11" {
				t.Errorf("got %q (%s), want \"world\" (bytes 6-10/11)", b, aws.ToString(out.ContentRange))
			}
		}},
		{"multipart upload of 20 MiB", func(t *testing.T) {
			key := aws.String("big/blob.bin")
			mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: key})
			if err != nil {
				t.Fatalf("CreateMultipartUpload: %v", err)
			}
			var parts []types.CompletedPart
			for i, off := 0, 0; off < len(big); i++ {
				end := min(off+8<<20, len(big))
				up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: key, UploadId: mp.UploadId,
					PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(big[off:end])})
				if err != nil {
					t.Fatalf("UploadPart %d: %v", i+1, err)
				}
				parts = append(parts, types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(int32(i + 1)), ChecksumCRC32: up.ChecksumCRC32})
				off = end
			}
			done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: key,
				UploadId: mp.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
			if err != nil {
				t.Fatalf("CompleteMultipartUpload: %v", err)
			}
			if !strings.HasSuffix(aws.ToString(done.ETag), `-3"`) {
				t.Errorf("ETag: got %s, want one ending in -3", aws.ToString(done.ETag))
			}
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: key})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			b, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if !bytes.Equal(b, big) {
				t.Errorf("content: got %d bytes differing from the 20 MiB uploaded", len(b))
			}
			if aws.ToString(out.ETag) != aws.ToString(done.ETag) {
				t.Errorf("GetObject ETag: got %s, want %s", aws.ToString(out.ETag), aws.ToString(done.ETag))
			}
		}},
		{"copy", func(t *testing.T) {
			if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("logs/copy.log"),
				CopySource: aws.String(bucket + "/docs/readme.txt")}); err != nil {
				t.Fatalf("CopyObject: %v", err)
			}
			if got := ts.store.Resolve(bucket, "logs/copy.log"); got != "logs" {
				t.Errorf("copy routed to %q, want logs", got)
			}
			h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("logs/copy.log")})
			if err != nil {
				t.Fatalf("HeadObject: %v", err)
			}
			if h.Metadata["owner"] != "Ada" || aws.ToInt64(h.ContentLength) != 11 {
				t.Errorf("copy: got metadata %v and %d bytes, want owner=Ada and 11", h.Metadata, aws.ToInt64(h.ContentLength))
			}
		}},
		{"delete", func(t *testing.T) {
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("logs/copy.log")}); err != nil {
				t.Fatalf("DeleteObject: %v", err)
			}
			_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("logs/copy.log")})
			if code := apiCode(err); code != "NotFound" {
				t.Errorf("HeadObject after delete: got %v, want NotFound", err)
			}
			out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{
				Objects: []types.ObjectIdentifier{{Key: aws.String("list/c")}, {Key: aws.String("list/d")}}}})
			if err != nil || len(out.Deleted) != 2 {
				t.Fatalf("DeleteObjects: got %v (%d deleted), want 2 deleted", err, len(out.Deleted))
			}
		}},
		{"presigned get", func(t *testing.T) {
			req, err := s3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("docs/readme.txt")})
			if err != nil {
				t.Fatalf("PresignGetObject: %v", err)
			}
			resp, err := http.Get(req.URL)
			if err != nil {
				t.Fatalf("GET: %v", err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(b) != "hello world" {
				t.Errorf("got %d %q, want 200 \"hello world\"", resp.StatusCode, b)
			}
		}},
		{"virtual-host addressing", func(t *testing.T) {
			dialer := &net.Dialer{}
			hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return dialer.DialContext(ctx, network, ts.addr)
			}}}
			_, port, _ := net.SplitHostPort(ts.addr)
			vc := s3.New(s3.Options{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(testAccess, testSecret, ""),
				BaseEndpoint: aws.String("http://localhost:" + port), HTTPClient: hc})
			out, err := vc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("docs/readme.txt")})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			b, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if string(b) != "hello world" {
				t.Errorf("got %q, want \"hello world\"", b)
			}
		}},
		{"wrong secret is SignatureDoesNotMatch", func(t *testing.T) {
			_, err := newClient(ts, "not-the-secret").ListBuckets(ctx, &s3.ListBucketsInput{})
			if code := apiCode(err); code != "SignatureDoesNotMatch" {
				t.Errorf("got %v, want SignatureDoesNotMatch", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

// TestPutETagIsContentMD5 checks the ETag and checksum of single PUTs from
// empty to just over 1 MiB (one read of the body or many), and that a body
// handed to the store is not disturbed by the next put.
func TestPutETagIsContentMD5(t *testing.T) {
	ts := startServer(t, serve.Options{AccessKey: testAccess, SecretKey: testSecret})
	c := newClient(ts, testSecret)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("etags")}); err != nil {
		t.Fatal(err)
	}
	sizes := []int{0, 1000, 16 << 10, 64 << 10, 1 << 20, 1<<20 + 1}
	bodies := make(map[string][]byte)
	for _, n := range sizes {
		key := fmt.Sprintf("obj-%d", n)
		t.Run(key, func(t *testing.T) {
			data := bytes.Repeat([]byte{byte(n), 'x', 'y', byte(n >> 8)}, n/4+1)[:n]
			bodies[key] = data
			out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("etags"), Key: aws.String(key), Body: bytes.NewReader(data)})
			if err != nil {
				t.Fatal(err)
			}
			sum := md5.Sum(data)
			if got, want := aws.ToString(out.ETag), `"`+hex.EncodeToString(sum[:])+`"`; got != want {
				t.Errorf("ETag: got %s, want %s", got, want)
			}
			if out.ChecksumCRC64NVME == nil && out.ChecksumCRC32 == nil {
				t.Errorf("no checksum in the answer, want the stored one")
			}
		})
	}
	for key, want := range bodies {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("etags"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: got %d bytes (err %v), want the %d put", key, len(got), err, len(want))
		}
	}
}

// TestCompleteMultipartCopiesOnce checks that completing a multipart
// upload into a memory backend allocates the object's size once, for the
// joined parts the store then keeps, rather than once more for a copy the
// store makes of them: a 16 MiB upload costs 16 MiB, not 32.
func TestCompleteMultipartCopiesOnce(t *testing.T) {
	ts := startServer(t, serve.Options{AccessKey: testAccess, SecretKey: testSecret})
	c := newClient(ts, testSecret)
	ctx := context.Background()
	bucket, key := aws.String("once-bucket"), aws.String("joined.bin")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	const partSize, nParts = 8 << 20, 2
	part := bytes.Repeat([]byte("p"), partSize)
	var parts []types.CompletedPart
	for i := 1; i <= nParts; i++ {
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: mp.UploadId,
			PartNumber: aws.Int32(int32(i)), Body: bytes.NewReader(part)})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i, err)
		}
		parts = append(parts, types.CompletedPart{ETag: up.ETag, PartNumber: aws.Int32(int32(i)), ChecksumCRC32: up.ChecksumCRC32})
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key,
		UploadId: mp.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	runtime.ReadMemStats(&after)
	size := uint64(partSize * nParts)
	if got := after.TotalAlloc - before.TotalAlloc; got > size+size/2 {
		t.Errorf("completing a %d MiB upload allocated %d MiB, want about %d MiB (one copy of the object)", size>>20, got>>20, size>>20)
	}
	info, err := ts.store.Head(ctx, *bucket, *key)
	if err != nil || info.Size != int64(size) {
		t.Fatalf("Head after Complete: got %v, %v; want size %d", info, err, size)
	}
}
