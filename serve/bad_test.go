package serve_test

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trovemem/trovemem/serve"
)

// rawRequest sends one request and returns the status and body.
func rawRequest(t *testing.T, ts *testServer, method, path string, hdr map[string]string, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func md5b64(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func TestBadRequests(t *testing.T) {
	ts := startServer(t, serve.Options{})
	if code, body := rawRequest(t, ts, "PUT", "/bad", nil, ""); code != 200 {
		t.Fatalf("create bucket: got %d %s", code, body)
	}
	if code, body := rawRequest(t, ts, "PUT", "/bad/obj", nil, "0123456789"); code != 200 {
		t.Fatalf("put: got %d %s", code, body)
	}
	tests := []struct {
		name     string
		method   string
		path     string
		hdr      map[string]string
		body     string
		wantCode int
		wantErr  string // S3 error code in the document, "" for success
	}{
		{"malformed DeleteObjects XML", "POST", "/bad?delete", nil, "<Delete><Object><Key>obj", 400, "MalformedXML"},
		{"DeleteObjects with no XML at all", "POST", "/bad?delete", nil, "}{", 400, "MalformedXML"},
		{"malformed tagging XML", "PUT", "/bad/obj?tagging", nil, "<Tagging><TagSet>", 400, "MalformedXML"},
		{"wrong Content-MD5", "PUT", "/bad/md5", map[string]string{"Content-MD5": md5b64("other")}, "payload", 400, "BadDigest"},
		{"Content-MD5 not base64", "PUT", "/bad/md5", map[string]string{"Content-MD5": "%%%"}, "payload", 400, "InvalidDigest"},
		{"wrong x-amz-content-sha256", "PUT", "/bad/sha", map[string]string{"X-Amz-Content-Sha256": strings.Repeat("0", 64)}, "payload", 400, "XAmzContentSHA256Mismatch"},
		{"garbage x-amz-content-sha256", "PUT", "/bad/sha", map[string]string{"X-Amz-Content-Sha256": "nonsense"}, "payload", 400, "InvalidRequest"},
		{"wrong CRC32", "PUT", "/bad/crc", map[string]string{"X-Amz-Checksum-Crc32": "AAAAAA=="}, "payload", 400, "BadDigest"},
		{"broken aws-chunked framing", "PUT", "/bad/chunk", map[string]string{"X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
			"X-Amz-Decoded-Content-Length": "7"}, "zz\r\npayload\r\n", 400, "IncompleteBody"},
		{"range past the end", "GET", "/bad/obj", map[string]string{"Range": "bytes=10-"}, "", 416, "InvalidRange"},
		{"empty suffix range", "GET", "/bad/obj", map[string]string{"Range": "bytes=-0"}, "", 416, "InvalidRange"},
		{"huge range start", "GET", "/bad/obj", map[string]string{"Range": "bytes=9223372036854775806-"}, "", 416, "InvalidRange"},
		{"range overflowing int64 is ignored", "GET", "/bad/obj", map[string]string{"Range": "bytes=99999999999999999999-"}, "", 200, ""},
		{"inverted range is ignored", "GET", "/bad/obj", map[string]string{"Range": "bytes=5-2"}, "", 200, ""},
		{"negative range start is ignored", "GET", "/bad/obj", map[string]string{"Range": "bytes=-5-3"}, "", 200, ""},
		{"huge suffix is the whole object", "GET", "/bad/obj", map[string]string{"Range": "bytes=-99999999"}, "", 206, ""},
		{"key climbing out of its bucket", "PUT", "/bad/a/../..", nil, "x", 400, "400"},
		{"bad part number", "GET", "/bad/obj?partNumber=0", nil, "", 400, "InvalidArgument"},
		{"unknown upload", "PUT", "/bad/obj?partNumber=1&uploadId=nope", nil, "x", 404, "NoSuchUpload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := rawRequest(t, ts, tt.method, tt.path, tt.hdr, tt.body)
			if code != tt.wantCode {
				t.Errorf("status: got %d, want %d (%s)", code, tt.wantCode, body)
			}
			if tt.wantErr != "" && !strings.Contains(body, "<Code>"+tt.wantErr+"</Code>") {
				t.Errorf("body: got %s, want an error document with code %s", body, tt.wantErr)
			}
		})
	}
	// Nothing a failed write sent was stored, and the server still serves.
	ctx := context.Background()
	for _, k := range []string{"md5", "sha", "crc", "chunk"} {
		if _, err := ts.store.Head(ctx, "bad", k); err == nil {
			t.Errorf("bad/%s: got an object, want none stored by a failed write", k)
		}
	}
	if code, body := rawRequest(t, ts, "GET", "/bad/obj", nil, ""); code != 200 || body != "0123456789" {
		t.Errorf("get after bad requests: got %d %q, want 200 \"0123456789\"", code, body)
	}
	code, body := rawRequest(t, ts, "POST", "/bad/mp?uploads", nil, "")
	start := strings.Index(body, "<UploadId>")
	end := strings.Index(body, "</UploadId>")
	if code != 200 || start < 0 || end < start {
		t.Fatalf("create upload: got %d %s", code, body)
	}
	id := body[start+len("<UploadId>") : end]
	if code, body := rawRequest(t, ts, "POST", "/bad/mp?uploadId="+id, nil, "<CompleteMultipartUpload><Part>"); code != 400 || !strings.Contains(body, "MalformedXML") {
		t.Errorf("complete with malformed XML: got %d %s, want 400 MalformedXML", code, body)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// sendRaw writes raw bytes on a new connection and returns it.
func sendRaw(t *testing.T, addr, data string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, data); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestAnnouncedBodyNeverSent: a 5 GiB Content-Length with no body is
// refused before anything is allocated, and a smaller body that stalls is
// cut after BodyIdleTimeout; neither is stored and memory stays flat.
func TestAnnouncedBodyNeverSent(t *testing.T) {
	ts := startServer(t, serve.Options{BodyIdleTimeout: 300 * time.Millisecond})
	rawRequest(t, ts, "PUT", "/big", nil, "")
	before := heapInUse()

	c := sendRaw(t, ts.addr, "PUT /big/huge HTTP/1.1\r\nHost: x\r\nContent-Length: 5368709120\r\n\r\nonly this")
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("5 GiB announced: got %v, want an answer", err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 503 || !strings.Contains(string(b), "SlowDown") {
		t.Errorf("5 GiB announced: got %d %s, want 503 SlowDown", resp.StatusCode, b)
	}

	c2 := sendRaw(t, ts.addr, "PUT /big/stall HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\nten bytes.")
	defer c2.Close()
	_ = c2.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	resp2, err := http.ReadResponse(bufio.NewReader(c2), nil)
	if err == nil {
		b, _ := io.ReadAll(resp2.Body)
		if resp2.StatusCode != 400 || !strings.Contains(string(b), "IncompleteBody") {
			t.Errorf("stalled body: got %d %s, want 400 IncompleteBody or a closed connection", resp2.StatusCode, b)
		}
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("stalled body: cut after %v, want within ~300ms", d)
	}
	ctx := context.Background()
	for _, k := range []string{"huge", "stall"} {
		if _, err := ts.store.Head(ctx, "big", k); err == nil {
			t.Errorf("big/%s: stored, want nothing", k)
		}
	}
	if after := heapInUse(); after > before+64<<20 {
		t.Errorf("heap: grew from %d to %d bytes, want under 64 MiB growth", before, after)
	}
	if code, _ := rawRequest(t, ts, "GET", "/", nil, ""); code != 200 {
		t.Errorf("server after stalled bodies: got %d, want 200", code)
	}
}

// TestSlowHeaders: a client that sends headers slowly is cut after
// HeaderTimeout, and others are served meanwhile.
func TestSlowHeaders(t *testing.T) {
	ts := startServer(t, serve.Options{HeaderTimeout: 300 * time.Millisecond})
	c := sendRaw(t, ts.addr, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
	defer c.Close()
	if code, _ := rawRequest(t, ts, "GET", "/", nil, ""); code != 200 {
		t.Errorf("concurrent request: got %d, want 200", code)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	_, _ = io.ReadAll(c) // the server answers 408 or just closes
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("slow headers: connection held %v, want it cut after ~300ms", d)
	}
}

// TestManyConnections opens many idle half-sent connections at once (2,000
// by default; TROVEMEM_STRESS_CONNS raises it, to 10,000 say): the server
// keeps serving, memory stays bounded, and they are all cut by the header
// timeout.
func TestManyConnections(t *testing.T) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("TROVEMEM_STRESS_CONNS")); err == nil && v > 0 {
		n = v
	}
	ts := startServer(t, serve.Options{HeaderTimeout: time.Second})
	before := heapInUse()
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; i < n && time.Now().Before(deadline); i++ {
		c, err := net.DialTimeout("tcp", ts.addr, 2*time.Second)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n")
		conns = append(conns, c)
	}
	if code, _ := rawRequest(t, ts, "GET", "/", nil, ""); code != 200 {
		t.Errorf("with %d idle connections: got %d, want 200", len(conns), code)
	}
	grown := int64(heapInUse()) - int64(before)
	if perConn := grown / int64(len(conns)); perConn > 64<<10 {
		t.Errorf("heap: %d bytes per idle connection, want under 64 KiB", perConn)
	}
	t.Logf("%d connections: heap grew %d KiB", len(conns), grown>>10)
	// All are cut by the header timeout.
	cut := 0
	buf := make([]byte, 512)
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		for {
			if _, err := c.Read(buf); err != nil {
				break
			}
		}
		cut++
	}
	if cut != len(conns) {
		t.Errorf("cut: got %d, want %d", cut, len(conns))
	}
}
