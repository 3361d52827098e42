package serve_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/serve"
	"github.com/trovemem/trovemem/trove"
)

// discardWriter is a ResponseWriter that keeps the status and drops the
// body, so a benchmark of the handler measures the handler alone.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }

// signedRequest builds a request signed as the SDK signs it over plain
// HTTP: the payload's SHA-256 in x-amz-content-sha256 and the SDK's usual
// headers.
func signedRequest(tb testing.TB, method, path string, body []byte) *http.Request {
	tb.Helper()
	return signedRequestWith(tb, method, path, body, nil)
}

// signedRequestWith is signedRequest with extra headers set by before,
// ahead of signing.
func signedRequestWith(tb testing.TB, method, path string, body []byte, before func(*http.Request)) *http.Request {
	tb.Helper()
	req, err := http.NewRequest(method, "http://127.0.0.1:9000"+path, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	sum := sha256.Sum256(body)
	payload := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", payload)
	req.Header.Set("User-Agent", "aws-sdk-go-v2/1.39.0 ua/2.1 os/linux lang/go#1.26.8 md/GOOS#linux md/GOARCH#amd64 api/s3#1.88.0")
	req.Header.Set("Amz-Sdk-Invocation-Id", "8a5d7d1c-4a3f-4c4e-9a0f-2f0e5b8b6d11")
	req.Header.Set("Amz-Sdk-Request", "attempt=1; max=3")
	req.Header.Set("Accept-Encoding", "identity")
	if body != nil {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	if before != nil {
		before(req)
	}
	creds := aws.Credentials{AccessKeyID: testAccess, SecretAccessKey: testSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payload, "s3", "us-east-1", time.Now()); err != nil {
		tb.Fatal(err)
	}
	return req
}

// benchServer is a server with keys over a memory store holding the
// bucket "bench".
func benchServer(tb testing.TB) *serve.Server {
	tb.Helper()
	store, err := trove.Open(memdriver.New())
	if err != nil {
		tb.Fatal(err)
	}
	if err := store.CreateBucket(context.Background(), "bench"); err != nil {
		tb.Fatal(err)
	}
	return serve.New(store, serve.Options{AccessKey: testAccess, SecretKey: testSecret})
}

// TestSignatureChecked changes a signed request after signing, as an
// attacker or a broken proxy would: each change is refused with 403, and
// nothing is stored.
func TestSignatureChecked(t *testing.T) {
	tests := []struct {
		name   string
		change func(r *http.Request)
		want   int
	}{
		{"unchanged", func(r *http.Request) {}, http.StatusOK},
		{"a signed header changed", func(r *http.Request) { r.Header.Set("Amz-Sdk-Request", "attempt=2; max=3") }, http.StatusForbidden},
		{"a signed header's spacing changed", func(r *http.Request) { r.Header.Set("Amz-Sdk-Request", "attempt=1;  max=3 ") }, http.StatusOK},
		{"an unsigned x-amz header added", func(r *http.Request) { r.Header.Set("X-Amz-Meta-Evil", "1") }, http.StatusForbidden},
		{"the signature in upper case", func(r *http.Request) { setSignature(r, strings.ToUpper(signature(r))) }, http.StatusForbidden},
		{"the signature cut short", func(r *http.Request) { setSignature(r, signature(r)[:10]) }, http.StatusForbidden},
		{"the signature made longer", func(r *http.Request) { setSignature(r, signature(r)+"00") }, http.StatusForbidden},
		{"the path changed", func(r *http.Request) { r.URL.Path = "/bench/obj/key-2"; r.RequestURI = r.URL.Path }, http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := benchServer(t)
			body := []byte("payload")
			r := signedRequest(t, http.MethodPut, "/bench/obj/key-1", body)
			r.RequestURI = r.URL.Path
			r.Body = io.NopCloser(bytes.NewReader(body))
			tc.change(r)
			w := &discardWriter{h: http.Header{}}
			srv.ServeHTTP(w, r)
			if w.status != tc.want {
				t.Errorf("got status %d, want %d", w.status, tc.want)
			}
		})
	}
}

// TestSignatureLongHeaders checks requests whose canonical form outgrows
// the pooled signing buffer, between ordinary ones on the same server, so
// a buffer kept or dropped never carries one request's bytes into
// another's signature.
func TestSignatureLongHeaders(t *testing.T) {
	srv := benchServer(t)
	for i, size := range []int{0, 20 << 10, 0, 900, 20 << 10, 0} {
		r := signedRequestWith(t, http.MethodPut, "/bench/obj/long", []byte("payload"), func(r *http.Request) {
			if size > 0 {
				r.Header.Set("X-Amz-Meta-Long", strings.Repeat("v", size))
			}
		})
		r.RequestURI = r.URL.Path
		w := &discardWriter{h: http.Header{}}
		srv.ServeHTTP(w, r)
		want := http.StatusOK
		if size > 2<<10 {
			want = http.StatusBadRequest // over S3's 2 KiB of user metadata, once signed
		}
		if w.status != want {
			t.Errorf("request %d (header of %d bytes): got status %d, want %d", i, size, w.status, want)
		}
	}
}

// TestSignatureConcurrent checks signatures from several goroutines at
// once, which share the pooled buffers and keyed HMACs (run it with -race).
func TestSignatureConcurrent(t *testing.T) {
	srv := benchServer(t)
	reqs := make([][]*http.Request, 8)
	for g := range reqs {
		for i := range 50 {
			body := []byte(fmt.Sprintf("body %d of %d", i, g))
			r := signedRequest(t, http.MethodPut, fmt.Sprintf("/bench/c/%d/%d", g, i), body)
			r.RequestURI = r.URL.Path
			reqs[g] = append(reqs[g], r)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*50)
	for g, rs := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, r := range rs {
				w := &discardWriter{h: http.Header{}}
				srv.ServeHTTP(w, r)
				if w.status != http.StatusOK {
					errs <- fmt.Sprintf("goroutine %d, put %d: got status %d, want 200", g, i, w.status)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func signature(r *http.Request) string {
	az := r.Header.Get("Authorization")
	return az[strings.Index(az, "Signature=")+len("Signature="):]
}

func setSignature(r *http.Request, sig string) {
	az := r.Header.Get("Authorization")
	r.Header.Set("Authorization", az[:strings.Index(az, "Signature=")+len("Signature=")]+sig)
}

// BenchmarkHandler is serve's own work per request, with no network and
// no client: a signed request handed straight to the handler. Puts carry
// 64 bytes, so what is timed is the request's handling (signature,
// routing, metadata, store, response headers) rather than its hashing;
// BenchmarkS3Paired times the whole round trip.
func BenchmarkHandler(b *testing.B) {
	srv := benchServer(b)
	body := []byte(strings.Repeat("0123456789abcdef", 4))
	cases := []struct {
		name   string
		method string
		body   []byte
		want   int
	}{
		{"put-64B", http.MethodPut, body, http.StatusOK},
		{"head", http.MethodHead, nil, http.StatusOK},
		{"get-64B", http.MethodGet, nil, http.StatusOK},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			req := signedRequest(b, tc.method, "/bench/obj/key-1", tc.body)
			req.RequestURI = req.URL.Path
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				r := req.Clone(context.Background())
				r.Body = io.NopCloser(bytes.NewReader(tc.body))
				clear(w.h)
				w.status = 0
				srv.ServeHTTP(w, r)
				if w.status != tc.want {
					b.Fatalf("%s: got status %d, want %d", tc.name, w.status, tc.want)
				}
			}
		})
	}
}
