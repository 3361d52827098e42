package s3driver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/internal/s3test"
)

// The benchmarks put, get and list through the driver (behind the portable
// layer, as trovemem uses it) and through a plain aws-sdk-go-v2 client
// doing the same requests, against one loopback versitygw. Run them with
// the server's folder on tmpfs, so the disk is not what is measured:
//
//	TMPDIR=/dev/shm go test ./s3driver -run '^$' -bench . -benchtime 3s -count 3
//
// Each iteration runs the driver's operation and the raw client's, so both
// see the same load, and reports driver-ns/op, raw-ns/op and overhead-%
// (the driver's time over the raw client's, less one); ns/op is the pair.
//
// The raw client is s3.New with the same endpoint, credentials, path style
// and checksum settings as the driver's (WhenRequired), so the difference
// is the driver's own work: option handling, the metadata stamp, buffering
// and translating answers.

type benchEnv struct {
	drv driver.Driver
	raw *s3.Client
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	if !strings.HasPrefix(os.TempDir(), "/dev/shm") {
		b.Logf("the server's folder is under %s; set TMPDIR=/dev/shm to keep the disk out of the figures", os.TempDir())
	}
	srv := s3test.StartVersity(b)
	d, err := New(context.Background(), versityConfig(srv))
	if err != nil {
		b.Fatal(err)
	}
	raw := s3.New(s3.Options{
		Region:                     srv.Region,
		BaseEndpoint:               aws.String(srv.Endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	env := &benchEnv{drv: driver.Wrap(d), raw: raw}
	if err := env.drv.CreateBucket(context.Background(), "bench"); err != nil {
		b.Fatal(err)
	}
	return env
}

var benchSizes = []struct {
	name string
	size int
}{{"1KiB", 1 << 10}, {"1MiB", 1 << 20}}

// paired runs the driver's op and the raw client's op alternately, one of
// each per iteration (which goes first alternates too), and reports each
// one's time per op and the driver's overhead. Pairing them keeps the
// comparison fair on a machine whose load drifts: both see the same load.
func paired(b *testing.B, bytes int64, drv, raw func(i int) error) {
	b.Helper()
	var tDrv, tRaw time.Duration
	n := 0
	for i := 0; b.Loop(); i++ {
		for j := range 2 {
			start := time.Now()
			var err error
			if (i+j)%2 == 0 {
				err = drv(i)
				tDrv += time.Since(start)
			} else {
				err = raw(i)
				tRaw += time.Since(start)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		n++
	}
	b.ReportMetric(float64(tDrv.Nanoseconds())/float64(n), "driver-ns/op")
	b.ReportMetric(float64(tRaw.Nanoseconds())/float64(n), "raw-ns/op")
	b.ReportMetric(100*(float64(tDrv)/float64(tRaw)-1), "overhead-%")
	if bytes > 0 {
		b.ReportMetric(float64(bytes)*float64(n)/tDrv.Seconds()/1e6, "driver-MB/s")
		b.ReportMetric(float64(bytes)*float64(n)/tRaw.Seconds()/1e6, "raw-MB/s")
	}
}

func BenchmarkPut(b *testing.B) {
	env := newBenchEnv(b)
	ctx := context.Background()
	for _, sz := range benchSizes {
		content := bytes.Repeat([]byte("x"), sz.size)
		b.Run(sz.name, func(b *testing.B) {
			paired(b, int64(sz.size), func(i int) error {
				_, err := env.drv.Put(ctx, "bench", fmt.Sprintf("drv/%d", i%100), bytes.NewReader(content))
				return err
			}, func(i int) error {
				_, err := env.raw.PutObject(ctx, &s3.PutObjectInput{
					Bucket: aws.String("bench"), Key: aws.String(fmt.Sprintf("raw/%d", i%100)),
					Body: bytes.NewReader(content), ContentLength: aws.Int64(int64(sz.size)),
					ContentType: aws.String(driver.DefaultContentType),
				})
				return err
			})
		})
	}
}

func BenchmarkGet(b *testing.B) {
	env := newBenchEnv(b)
	ctx := context.Background()
	for _, sz := range benchSizes {
		key := "get/" + sz.name
		if _, err := env.drv.Put(ctx, "bench", key, bytes.NewReader(bytes.Repeat([]byte("x"), sz.size))); err != nil {
			b.Fatal(err)
		}
		b.Run(sz.name, func(b *testing.B) {
			paired(b, int64(sz.size), func(int) error {
				r, err := env.drv.Get(ctx, "bench", key)
				if err != nil {
					return err
				}
				defer r.Close()
				_, err = io.Copy(io.Discard, r)
				return err
			}, func(int) error {
				out, err := env.raw.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String(key)})
				if err != nil {
					return err
				}
				defer out.Body.Close()
				_, err = io.Copy(io.Discard, out.Body)
				return err
			})
		})
	}
}

// BenchmarkListPage reads one page of 100 entries from the middle of a
// bucket of 1,000 keys, resuming after a cursor as trovemem's ls does.
func BenchmarkListPage(b *testing.B) {
	env := newBenchEnv(b)
	ctx := context.Background()
	for i := range 1000 {
		if _, err := env.drv.Put(ctx, "bench", fmt.Sprintf("list/%04d", i), strings.NewReader("v")); err != nil {
			b.Fatal(err)
		}
	}
	const after = "list/0499"
	cursor := driver.EncodeCursor(after)
	paired(b, 0, func(int) error {
		it, err := env.drv.List(ctx, "bench", driver.WithPrefix("list/"), driver.WithMaxKeys(100), driver.WithCursor(cursor))
		if err != nil {
			return err
		}
		if all, _ := it.All(ctx); len(all) != 100 {
			return fmt.Errorf("got %d entries, want 100", len(all))
		}
		return nil
	}, func(int) error {
		out, err := env.raw.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
			Bucket: aws.String("bench"), Prefix: aws.String("list/"), MaxKeys: aws.Int32(100), StartAfter: aws.String(after),
		})
		if err != nil {
			return err
		}
		if len(out.Contents) != 100 {
			return fmt.Errorf("got %d entries, want 100", len(out.Contents))
		}
		return nil
	})
}
