package serve_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/serve"
	"github.com/trovemem/trovemem/trove"
)

// fuzzSeeds are requests of the kinds serve parses: object writes and
// reads with ranges and conditions, listings, XML bodies, multipart, an
// aws-chunked payload, presigned and header signatures.
var fuzzSeeds = []string{
	"PUT /bkt/k HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nX-Amz-Meta-A: 1\r\n\r\nhello",
	"GET /bkt/keep/me HTTP/1.1\r\nHost: x\r\nRange: bytes=2-\r\nIf-None-Match: \"x\"\r\n\r\n",
	"GET /bkt?list-type=2&prefix=k&delimiter=/&max-keys=2&encoding-type=url&start-after=a HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /bkt?prefix=&marker=z&max-keys=-1 HTTP/1.1\r\nHost: x\r\n\r\n",
	"POST /bkt?delete HTTP/1.1\r\nHost: x\r\nContent-Length: 62\r\n\r\n<Delete><Object><Key>keep/me</Key></Object><Quiet>true</Quiet>",
	"POST /bkt/m?uploads HTTP/1.1\r\nHost: x\r\n\r\n",
	"PUT /bkt/m?partNumber=1&uploadId=abc HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
	"POST /bkt/m?uploadId=abc HTTP/1.1\r\nHost: x\r\nContent-Length: 95\r\n\r\n<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"e\"</ETag></Part></CompleteMultipartUpload>",
	"PUT /bkt/c HTTP/1.1\r\nHost: x\r\nX-Amz-Copy-Source: /bkt/keep/me\r\nX-Amz-Copy-Source-Range: bytes=0-1\r\n\r\n",
	"PUT /bkt/s HTTP/1.1\r\nHost: x\r\nContent-Encoding: aws-chunked\r\nX-Amz-Content-Sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\nX-Amz-Decoded-Content-Length: 3\r\nX-Amz-Trailer: x-amz-checksum-crc32\r\nContent-Length: 60\r\n\r\n3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n",
	"GET /bkt/keep/me?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20261207%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261207T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00 HTTP/1.1\r\nHost: x\r\n\r\n",
	"PUT /bkt/k HTTP/1.1\r\nHost: x\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AK/20261207/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab\r\nX-Amz-Date: 20261207T000000Z\r\nX-Amz-Content-Sha256: UNSIGNED-PAYLOAD\r\nContent-Length: 1\r\n\r\nx",
	"DELETE /bkt HTTP/1.1\r\nHost: bkt.localhost\r\n\r\n",
}

// FuzzServe hands raw requests to the handler, with and without keys. No
// request may panic, every answer has a status S3 uses, and a refused
// request leaves the stored object and the buckets as they were.
func FuzzServe(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, opts := range []serve.Options{{}, {AccessKey: "AK", SecretKey: "SECRET"}} {
			req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
			if err != nil {
				return
			}
			store, err := trove.Open(memdriver.New())
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := store.CreateBucket(ctx, "bkt"); err != nil {
				t.Fatal(err)
			}
			if _, err := store.Put(ctx, "bkt", "keep/me", strings.NewReader("kept")); err != nil {
				t.Fatal(err)
			}
			w := httptest.NewRecorder()
			serve.New(store, opts).ServeHTTP(w, req)
			if w.Code < 200 || w.Code > 599 {
				t.Fatalf("got status %d", w.Code)
			}
			if w.Code < 400 {
				continue
			}
			rd, err := store.Get(ctx, "bkt", "keep/me")
			if err != nil {
				t.Fatalf("status %d, and the stored object is gone: %v", w.Code, err)
			}
			body, _ := io.ReadAll(rd)
			rd.Close()
			if string(body) != "kept" {
				t.Fatalf("status %d, and the stored object holds %q, want %q", w.Code, body, "kept")
			}
			if bs, _ := store.ListBuckets(ctx); len(bs) != 1 {
				t.Fatalf("status %d, and there are %d buckets, want 1", w.Code, len(bs))
			}
		}
	})
}
