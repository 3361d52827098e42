package serve_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/trovemem/trovemem/internal/s3test"
	"github.com/trovemem/trovemem/serve"
)

// benchTarget is an S3 endpoint under benchmark.
type benchTarget struct {
	name   string
	client *s3.Client
}

func benchTargets(b *testing.B) []benchTarget {
	ts := startServer(&testing.T{}, serve.Options{AccessKey: testAccess, SecretKey: testSecret})
	targets := []benchTarget{{"serve", newClient(ts, testSecret)}}
	if _, err := s3test.VersityBinary(); err == nil {
		// versitygw's posix backend on whatever TMPDIR is: run with
		// TMPDIR=/dev/shm for tmpfs, as the README's figures are.
		v := s3test.StartVersity(b)
		targets = append(targets, benchTarget{"versitygw", processClient(v)})
	} else {
		b.Logf("versitygw not found, benchmarking serve alone: %s", s3test.BuildHint)
	}
	return targets
}

// seedBucket creates bucket on tg and fills it with seed/000 to seed/099,
// each holding data: what the get and list benchmarks read.
func seedBucket(ctx context.Context, b *testing.B, tg benchTarget, bucket string, data []byte) {
	b.Helper()
	if _, err := tg.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		b.Fatalf("%s: CreateBucket: %v", tg.name, err)
	}
	for i := 0; i < 100; i++ {
		if _, err := tg.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket),
			Key: aws.String(fmt.Sprintf("seed/%03d", i)), Body: bytes.NewReader(data)}); err != nil {
			b.Fatalf("%s: seed: %v", tg.name, err)
		}
	}
}

// processClient is a default-configured SDK client of a server started
// by s3test.
func processClient(v *s3test.Server) *s3.Client {
	return s3.New(s3.Options{
		Region:       v.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(v.AccessKey, v.SecretKey, ""),
		BaseEndpoint: aws.String(v.Endpoint),
		UsePathStyle: true,
	})
}

// builtBinaries holds the commands the benchmarks build, once per test
// process, in a folder TestMain removes.
var builtBinaries struct {
	mu    sync.Mutex
	dir   string
	paths map[string]string
}

// builtBinary builds the command pkg (a package path) once per test process
// and returns the binary's path.
func builtBinary(b *testing.B, pkg string) string {
	builtBinaries.mu.Lock()
	defer builtBinaries.mu.Unlock()
	if p, ok := builtBinaries.paths[pkg]; ok {
		return p
	}
	if builtBinaries.dir == "" {
		dir, err := os.MkdirTemp("", "serve-bench-")
		if err != nil {
			b.Fatal(err)
		}
		builtBinaries.dir, builtBinaries.paths = dir, map[string]string{}
	}
	p := filepath.Join(builtBinaries.dir, filepath.Base(pkg))
	if out, err := exec.Command("go", "build", "-o", p, pkg).CombinedOutput(); err != nil {
		b.Fatalf("go build %s: %v: %s", pkg, err, out)
	}
	builtBinaries.paths[pkg] = p
	return p
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBinaries.dir != "" {
		os.RemoveAll(builtBinaries.dir)
	}
	os.Exit(code)
}

// latencies records per-operation times and reports p50 and p99.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	b.ReportMetric(float64(l[len(l)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(l[len(l)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkS3 compares serve (memory backend) with versitygw posix through
// the same default-configured SDK client, one request at a time, with
// 64 KiB objects: put, get, and a list page of 100 keys.
func BenchmarkS3(b *testing.B) {
	ctx := context.Background()
	data := make([]byte, 64<<10)
	_, _ = rand.Read(data)
	for _, tg := range benchTargets(b) {
		bucket := "bench"
		seedBucket(ctx, b, tg, bucket, data)
		b.Run(tg.name+"/put-64KiB", func(b *testing.B) {
			lat := make(latencies, 0, b.N)
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if _, err := tg.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket),
					Key: aws.String(fmt.Sprintf("put/%d", i%1000)), Body: bytes.NewReader(data)}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			lat.report(b)
		})
		b.Run(tg.name+"/get-64KiB", func(b *testing.B) {
			lat := make(latencies, 0, b.N)
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				out, err := tg.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("seed/%03d", i%100))})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, out.Body); err != nil {
					b.Fatal(err)
				}
				out.Body.Close()
				lat = append(lat, time.Since(t0))
			}
			lat.report(b)
		})
		b.Run(tg.name+"/list-100", func(b *testing.B) {
			lat := make(latencies, 0, b.N)
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				out, err := tg.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("seed/")})
				if err != nil || len(out.Contents) != 100 {
					b.Fatalf("list: %v (%d keys)", err, len(out.Contents))
				}
				lat = append(lat, time.Since(t0))
			}
			lat.report(b)
		})
	}
}

// BenchmarkS3Paired runs each operation on serve and on versitygw in turn,
// in one loop, alternating which goes first, so both see the same load on
// a shared machine; separate runs there move by 30% while the ratio of a
// pair stays steady. It reports each side's mean, p50 and p99 and
// serve-x, versitygw's mean over serve's: serve's throughput in multiples
// of versitygw's, one request at a time.
//
// versitygw always runs as a process of its own. serve runs two ways:
// "process" starts the trovemem binary (built from this module), as users
// run it, so the benchmark's process holds only the client; "inproc" runs
// serve's handler in the benchmark's process, beside the client, which
// spares serve the wake-ups of a second process that versitygw pays, so
// it flatters serve and is kept for comparison with earlier rounds.
// "floor" puts serve/testdata/floorserver in serve's place, a process that
// only reads and MD5s bodies and answers gets from memory: its ratio is
// the most any server could reach against versitygw with this client on
// this machine.
func BenchmarkS3Paired(b *testing.B) {
	if _, err := s3test.VersityBinary(); err != nil {
		b.Skipf("needs versitygw: %s", s3test.BuildHint)
	}
	versity := processClient(s3test.StartVersity(b))
	b.Run("process", func(b *testing.B) {
		bin := builtBinary(b, "github.com/trovemem/trovemem/cmd/trovemem")
		pairedOps(b, "serve", processClient(s3test.StartTrovemem(b, bin)), versity, "process")
	})
	b.Run("inproc", func(b *testing.B) {
		ts := startServer(&testing.T{}, serve.Options{AccessKey: testAccess, SecretKey: testSecret})
		pairedOps(b, "serve", newClient(ts, testSecret), versity, "inproc")
	})
	b.Run("floor", func(b *testing.B) {
		bin := builtBinary(b, "github.com/trovemem/trovemem/serve/testdata/floorserver")
		pairedOps(b, "floor", processClient(s3test.StartFloor(b, bin)), versity, "floor")
	})
}

// pairedOps runs BenchmarkS3Paired's operations on the client of the
// server named name and on the versitygw client, each in a bucket of its
// own named after setup.
func pairedOps(b *testing.B, name string, client, versity *s3.Client, setup string) {
	ctx := context.Background()
	bucket := "paired-" + setup
	targets := []benchTarget{{name, client}, {"versitygw", versity}}
	data := make([]byte, 64<<10)
	_, _ = rand.Read(data)
	for _, tg := range targets {
		seedBucket(ctx, b, tg, bucket, data)
	}
	ops := []struct {
		name string
		do   func(c *s3.Client, i int) error
	}{
		{"put-64KiB", func(c *s3.Client, i int) error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket),
				Key: aws.String(fmt.Sprintf("put/%d", i%1000)), Body: bytes.NewReader(data)})
			return err
		}},
		{"get-64KiB", func(c *s3.Client, i int) error {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("seed/%03d", i%100))})
			if err != nil {
				return err
			}
			defer out.Body.Close()
			_, err = io.Copy(io.Discard, out.Body)
			return err
		}},
	}
	for _, op := range ops {
		b.Run(op.name, func(b *testing.B) {
			lat := [2]latencies{make(latencies, 0, b.N), make(latencies, 0, b.N)}
			var total [2]time.Duration
			b.SetBytes(int64(2 * len(data)))
			for i := 0; i < b.N; i++ {
				for j := 0; j < 2; j++ {
					k := (i + j) % 2
					t0 := time.Now()
					if err := op.do(targets[k].client, i); err != nil {
						b.Fatalf("%s: %v", targets[k].name, err)
					}
					d := time.Since(t0)
					lat[k] = append(lat[k], d)
					total[k] += d
				}
			}
			for k, tg := range targets[:2] {
				l := lat[k]
				sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
				b.ReportMetric(float64(total[k].Microseconds())/float64(b.N), tg.name+"-µs/op")
				b.ReportMetric(float64(l[len(l)/2].Microseconds()), tg.name+"-p50-µs")
				b.ReportMetric(float64(l[len(l)*99/100].Microseconds()), tg.name+"-p99-µs")
			}
			b.ReportMetric(float64(total[1])/float64(total[0]), name+"-x")
		})
	}
}
