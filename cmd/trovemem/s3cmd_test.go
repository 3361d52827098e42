package main

import (
	"context"
	"io"
	"net"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/rogpeppe/go-internal/testscript"
)

// cmdS3 is the script command "s3 ENDPOINT OP ARGS...", an app's S3 client
// (aws-sdk-go-v2, default-configured) talking to trovemem serve with the
// keys in $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY:
//
//	s3 URL wait                  wait (up to 10s) until URL accepts connections
//	s3 URL mb BUCKET             create a bucket
//	s3 URL put BUCKET KEY VALUE  put an object
//	s3 URL get BUCKET KEY        print an object
func cmdS3(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: s3 URL wait|mb|put|get ARGS...")
	}
	url, op, args := args[0], args[1], args[2:]
	if op == "wait" {
		host := strings.TrimPrefix(url, "http://")
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if c, err := net.Dial("tcp", host); err == nil {
				c.Close()
				return
			}
			if time.Now().After(deadline) {
				ts.Fatalf("s3 wait: %s not up within 10s", url)
			}
		}
	}
	c := s3.New(s3.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(ts.Getenv("AWS_ACCESS_KEY_ID"), ts.Getenv("AWS_SECRET_ACCESS_KEY"), ""),
		BaseEndpoint: aws.String(url),
		UsePathStyle: true,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	switch {
	case op == "mb" && len(args) == 1:
		_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(args[0])})
	case op == "put" && len(args) == 3:
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(args[0]), Key: aws.String(args[1]), Body: strings.NewReader(args[2])})
	case op == "get" && len(args) == 2:
		var out *s3.GetObjectOutput
		out, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(args[0]), Key: aws.String(args[1])})
		if err == nil {
			var b []byte
			b, err = io.ReadAll(out.Body)
			out.Body.Close()
			ts.Stdout().Write(b)
		}
	default:
		ts.Fatalf("usage: s3 URL wait|mb BUCKET|put BUCKET KEY VALUE|get BUCKET KEY")
	}
	if err != nil && !neg {
		ts.Fatalf("s3 %s: %v", op, err)
	}
	if err == nil && neg {
		ts.Fatalf("s3 %s: unexpected success", op)
	}
}

// cmdFreePort is the script command "freeport NAME": it sets $NAME to a
// port on 127.0.0.1 that was free a moment ago.
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport NAME")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ts.Fatalf("freeport: %v", err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	ts.Setenv(args[0], port)
}
