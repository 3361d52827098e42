package serve_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/trovemem/trovemem/serve"
)

func testHMAC(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// signedChunkedPut builds a PUT whose body is aws-chunked with chunk
// signatures (and, with trailer, a CRC32 trailer and its signature): the
// seed signature comes from aws-sdk-go-v2's signer, the chunk signatures
// from the formulas of the S3 documentation. tamper edits the encoded
// body after signing.
func signedChunkedPut(t *testing.T, url string, chunks [][]byte, trailer bool, tamper func([]byte) []byte) *http.Request {
	t.Helper()
	now := time.Now().UTC()
	mode := "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	if trailer {
		mode += "-TRAILER"
	}
	var decoded int
	for _, c := range chunks {
		decoded += len(c)
	}
	req, err := http.NewRequest("PUT", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Content-Sha256", mode)
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(decoded))
	req.Header.Set("Content-Encoding", "aws-chunked")
	if trailer {
		req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	}
	// The encoded length is signed too, so the body is framed first with
	// placeholder signatures of the right size.
	sigLen := 64
	encLen := 0
	for _, c := range append(chunks, nil) {
		encLen += len(strconv.FormatInt(int64(len(c)), 16)) + len(";chunk-signature=") + sigLen + 2 + len(c)
		if len(c) > 0 {
			encLen += 2
		}
	}
	var crc [4]byte
	all := bytes.Join(chunks, nil)
	binary.BigEndian.PutUint32(crc[:], crc32.ChecksumIEEE(all))
	trailerLine := "x-amz-checksum-crc32:" + base64.StdEncoding.EncodeToString(crc[:])
	if trailer {
		encLen += len(trailerLine) + 2 + len("x-amz-trailer-signature:") + sigLen + 2 + 2
	} else {
		encLen += 2
	}
	req.ContentLength = int64(encLen)
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: testAccess, SecretAccessKey: testSecret}
	if err := signer.SignHTTP(context.Background(), creds, req, mode, "s3", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	auth := req.Header.Get("Authorization")
	prev := auth[strings.Index(auth, "Signature=")+len("Signature="):]
	date := now.Format("20060102")
	scope := date + "/us-east-1/s3/aws4_request"
	key := testHMAC(testHMAC(testHMAC(testHMAC([]byte("AWS4"+testSecret), date), "us-east-1"), "s3"), "aws4_request")
	amzDate := now.Format("20060102T150405Z")
	var body bytes.Buffer
	for _, c := range append(chunks, nil) {
		sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + prev + "\n" + hexSHA256(nil) + "\n" + hexSHA256(c)
		prev = hex.EncodeToString(testHMAC(key, sts))
		fmt.Fprintf(&body, "%x;chunk-signature=%s\r\n", len(c), prev)
		body.Write(c)
		if len(c) > 0 {
			body.WriteString("\r\n")
		}
	}
	if trailer {
		sts := "AWS4-HMAC-SHA256-TRAILER\n" + amzDate + "\n" + scope + "\n" + prev + "\n" + hexSHA256([]byte(trailerLine+"\n"))
		body.WriteString(trailerLine + "\r\n")
		body.WriteString("x-amz-trailer-signature:" + hex.EncodeToString(testHMAC(key, sts)) + "\r\n\r\n")
	} else {
		body.WriteString("\r\n")
	}
	if body.Len() != encLen {
		t.Fatalf("framing: built %d bytes, announced %d", body.Len(), encLen)
	}
	b := body.Bytes()
	if tamper != nil {
		b = tamper(bytes.Clone(b))
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	return req
}

func TestSignedChunkedPayloads(t *testing.T) {
	ts := startServer(t, serve.Options{AccessKey: testAccess, SecretKey: testSecret})
	c := newClient(ts, testSecret)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("chunked")}); err != nil {
		t.Fatal(err)
	}
	chunks := [][]byte{bytes.Repeat([]byte("a"), 64<<10), []byte("the last 20 bytes...")}
	flipData := func(b []byte) []byte { b[200] ^= 1; return b }
	flipTrailer := func(b []byte) []byte {
		i := bytes.Index(b, []byte("x-amz-checksum-crc32:"))
		b[i+len("x-amz-checksum-crc32:")] ^= 1
		return b
	}
	tests := []struct {
		name    string
		key     string
		trailer bool
		tamper  func([]byte) []byte
		want    int
		wantErr string
	}{
		{"signed chunks", "signed", false, nil, 200, ""},
		{"signed chunks and trailer", "signed-trailer", true, nil, 200, ""},
		{"a chunk changed after signing", "tampered", false, flipData, 403, "SignatureDoesNotMatch"},
		{"the trailer changed after signing", "tampered-trailer", true, flipTrailer, 403, "SignatureDoesNotMatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := signedChunkedPut(t, ts.url+"/chunked/"+tt.key, chunks, tt.trailer, tt.tamper)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want || !strings.Contains(string(body), tt.wantErr) {
				t.Fatalf("got %d %s, want %d %s", resp.StatusCode, body, tt.want, tt.wantErr)
			}
			rd, err := ts.store.Get(ctx, "chunked", tt.key)
			if tt.want != 200 {
				if err == nil {
					rd.Close()
					t.Errorf("stored an object from a tampered payload, want nothing")
				}
				return
			}
			if err != nil {
				t.Fatalf("stored object: %v", err)
			}
			got, _ := io.ReadAll(rd)
			rd.Close()
			if !bytes.Equal(got, bytes.Join(chunks, nil)) {
				t.Errorf("content: got %d bytes, want the %d decoded bytes", len(got), len(bytes.Join(chunks, nil)))
			}
		})
	}
}
