package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/trovemem/trovemem/internal/s3test"
)

// TestS3Scripts runs testdata/s3/*.txtar: the trovemem binary against a
// real S3 server (a fresh versitygw on loopback, shared by the scripts,
// which use their own buckets) and against two broken ones. Scripts get
//
//	S3_DSN        the versitygw DSN, s3://KEY:SECRET@REGION?endpoint=...&path_style=true
//	S3_ENDPOINT   its base URL, S3_ACCESS_KEY and S3_SECRET_KEY its credentials
//	S3_DEAD_DSN   a DSN whose endpoint refuses connections
//	S3_FAULT_DSN  a server that answers the mount's probes and 503 to the rest
//	S3_READONLY_DSN  the same, but reads find no object and deletes succeed: only writes fail
//	S3_HANG_DSN   a server that answers the probes and never answers the rest
//
// and two commands that look at the versitygw server with a plain
// aws-sdk-go-v2 client, independent of trovemem's driver: "s3ls BUCKET"
// prints each object as KEY SIZE, and "s3cat BUCKET KEY" its content.
// Without the versitygw binary the test skips, saying how to build it.
func TestS3Scripts(t *testing.T) {
	srv := s3test.StartVersity(t)
	dsn := fmt.Sprintf("s3://%s:%s@%s?endpoint=%s&path_style=true", srv.AccessKey, srv.SecretKey, srv.Region, srv.Endpoint)
	fault := httptest.NewServer(faultHandler(false, false))
	t.Cleanup(fault.Close)
	readOnly := httptest.NewServer(faultHandler(false, true))
	t.Cleanup(readOnly.Close)
	hang := httptest.NewServer(faultHandler(true, false))
	t.Cleanup(func() {
		hang.CloseClientConnections()
		hang.Close()
	})
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close() // nothing listens there any more
	fast := "&timeout=1s&max_attempts=2"
	client := rawClient(srv)

	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/s3",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exits": cmdExits,
			"s3ls":  func(ts *testscript.TestScript, neg bool, args []string) { cmdS3ls(ts, neg, args, client) },
			"s3cat": func(ts *testscript.TestScript, neg bool, args []string) { cmdS3cat(ts, neg, args, client) },
		},
		Setup: func(env *testscript.Env) error {
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("XDG_STATE_HOME", "")
			env.Setenv("S3_DSN", dsn)
			env.Setenv("S3_ENDPOINT", srv.Endpoint)
			env.Setenv("S3_ACCESS_KEY", srv.AccessKey)
			env.Setenv("S3_SECRET_KEY", srv.SecretKey)
			env.Setenv("S3_DEAD_DSN", "s3://k:secret-dead@us-east-1?endpoint="+deadURL+"&path_style=true"+fast)
			env.Setenv("S3_FAULT_DSN", "s3://k:secret-fault@us-east-1?endpoint="+fault.URL+"&path_style=true"+fast)
			env.Setenv("S3_READONLY_DSN", "s3://k:secret-ro@us-east-1?endpoint="+readOnly.URL+"&path_style=true"+fast)
			env.Setenv("S3_HANG_DSN", "s3://k:secret-hang@us-east-1?endpoint="+hang.URL+"&path_style=true"+fast)
			return nil
		},
	})
}

// faultHandler is an S3 server broken past its front door: it answers
// ListBuckets (one bucket, "bkt"), HeadBucket and an empty ListObjectsV2, so
// a mount and a listing succeed, and answers every other request with 503
// SlowDown, or, when hang is set, not at all until the client gives up.
// With noObjects, reads of objects find nothing (404), deletes succeed,
// and only writes fail.
func faultHandler(hang, noObjects bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.Trim(r.URL.Path, "/")
		switch {
		case r.Method == http.MethodGet && path == "":
			w.Header().Set("Content-Type", "application/xml")
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Buckets><Bucket><Name>bkt</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>`)
			return
		case r.Method == http.MethodHead && !strings.Contains(path, "/"):
			return // every bucket exists
		case r.Method == http.MethodGet && !strings.Contains(path, "/") && r.URL.Query().Get("list-type") == "2":
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>%s</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>`, path)
			return
		}
		if noObjects && r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if noObjects && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusNotFound)
			if r.Method == http.MethodGet {
				io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`)
			}
			return
		}
		if hang {
			// The body is read first: until it is, the server does not
			// watch the connection, so a client giving up would go unseen.
			io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`)
	})
}

// rawClient is a plain aws-sdk-go-v2 client for srv, sharing no code with
// the driver.
func rawClient(srv *s3test.Server) *s3.Client {
	return s3.New(s3.Options{
		Region:       srv.Region,
		BaseEndpoint: aws.String(srv.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
	})
}

func cmdS3ls(ts *testscript.TestScript, neg bool, args []string, c *s3.Client) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: s3ls BUCKET")
	}
	out := ts.Stdout() // even when nothing is listed, so stdout is this command's
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(args[0])})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		ts.Check(err)
		for _, o := range page.Contents {
			fmt.Fprintf(out, "%s %d\n", aws.ToString(o.Key), aws.ToInt64(o.Size))
		}
	}
}

func cmdS3cat(ts *testscript.TestScript, neg bool, args []string, c *s3.Client) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: s3cat BUCKET KEY")
	}
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(args[0]), Key: aws.String(args[1])})
	ts.Check(err)
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	ts.Check(err)
	ts.Stdout().Write(b)
}
