// Package s3test starts real S3 servers on loopback for the tests of the s3
// driver and of trovemem serve. It owns finding the pinned versitygw binary
// (built from tools/go.mod) and the optional MinIO binary ($TROVEMEM_MINIO,
// built by hand), starting one fresh server per caller on a free 127.0.0.1
// port over a temporary folder, and stopping it when the test ends. Tests
// never talk to anything but these servers.
package s3test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BuildHint says how to get the versitygw binary; skip messages carry it.
const BuildHint = "build it with `cd tools && go build -o bin/versitygw github.com/versity/versitygw/cmd/versitygw` " +
	"(bash .ci/run does this), or point TROVEMEM_VERSITYGW at a versitygw binary"

// Server is a running S3 server on loopback.
type Server struct {
	// Endpoint is the server's base URL, such as http://127.0.0.1:40123.
	Endpoint string
	// AccessKey and SecretKey are the root credentials the server accepts.
	AccessKey, SecretKey string
	// Region is the region the server signs for.
	Region string
	// Dir is the folder the server stores its buckets in.
	Dir string

	cmd    *exec.Cmd
	stderr *bytes.Buffer
	done   chan struct{}
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// VersityBinary returns the path of the versitygw binary: $TROVEMEM_VERSITYGW,
// else tools/bin/versitygw in this repository, else versitygw on $PATH.
func VersityBinary() (string, error) {
	binOnce.Do(func() { binPath, binErr = findVersity() })
	return binPath, binErr
}

func findVersity() (string, error) {
	if p := os.Getenv("TROVEMEM_VERSITYGW"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("TROVEMEM_VERSITYGW=%s: %w", p, err)
		}
		return p, nil
	}
	if root, ok := repoRoot(); ok {
		p := filepath.Join(root, "tools", "bin", "versitygw")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	return "", errors.New("versitygw not found")
}

// repoRoot walks up from the working directory (a test's package folder) to
// the folder holding tools/go.mod.
func repoRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "tools", "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// Require returns the versitygw binary's path, or skips the test with a
// message saying how to build it. Under CI (CI=true) a missing binary fails
// the test instead, since .ci/run builds it and a skip there would hide a
// broken install step.
func Require(tb testing.TB) string {
	tb.Helper()
	p, err := VersityBinary()
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%v: %s", err, BuildHint)
		}
		tb.Skipf("%v: %s", err, BuildHint)
	}
	return p
}

// StartVersity starts a fresh versitygw posix gateway over a new temporary
// folder and stops it when tb ends. It skips (or fails under CI) when the
// binary is missing.
func StartVersity(tb testing.TB) *Server {
	tb.Helper()
	bin := Require(tb)
	return start(tb, "versitygw", func(s *Server, addr string) (*exec.Cmd, func() bool, error) {
		cmd := exec.Command(bin, "--port", addr, "--quiet", "posix", s.Dir)
		cmd.Env = append(os.Environ(),
			"ROOT_ACCESS_KEY="+s.AccessKey,
			"ROOT_SECRET_KEY="+s.SecretKey,
			"VGW_REGION="+s.Region,
		)
		return cmd, dialProbe(addr), nil
	})
}

// StartTrovemem starts `bin serve` (a trovemem binary) over a fresh
// memory store on a free loopback port, with the keys as environment
// variables rather than arguments, and stops it when tb ends: a benchmark
// then meets trovemem's endpoint as it meets versitygw's, in a process of
// its own.
func StartTrovemem(tb testing.TB, bin string) *Server {
	tb.Helper()
	return start(tb, "trovemem serve", func(s *Server, addr string) (*exec.Cmd, func() bool, error) {
		cmd := exec.Command(bin, "--no-config", "serve", "--addr", addr, "--region", s.Region)
		cmd.Env = append(os.Environ(),
			"TROVEMEM_ACCESS_KEY="+s.AccessKey,
			"TROVEMEM_SECRET_KEY="+s.SecretKey,
		)
		return cmd, dialProbe(addr), nil
	})
}

// StartFloor starts bin, a build of serve/testdata/floorserver (an HTTP
// server that only reads and MD5s bodies and answers gets from memory), on
// a free loopback port, and stops it when tb ends. It accepts any
// credentials: BenchmarkS3Paired measures with it what the client and the
// machine cost however little a server does.
func StartFloor(tb testing.TB, bin string) *Server {
	tb.Helper()
	return start(tb, "floorserver", func(s *Server, addr string) (*exec.Cmd, func() bool, error) {
		return exec.Command(bin, "-addr", addr), dialProbe(addr), nil
	})
}

// dialProbe says a server is ready once it accepts a connection on addr.
func dialProbe(addr string) func() bool {
	return func() bool {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	}
}

// MinIOHint says how to get the optional MinIO binary; skip messages carry it.
const MinIOHint = "MinIO is optional and never built by .ci/run: build it with " +
	"`GOBIN=/tmp/minio go install github.com/minio/minio@latest` (about 9 minutes on 2 cores) " +
	"and set TROVEMEM_MINIO=/tmp/minio/minio"

// StartMinIO starts a fresh single-drive MinIO server over a new temporary
// folder and stops it when tb ends. MinIO is the optional second server,
// run by hand: without $TROVEMEM_MINIO the test skips, under CI too.
func StartMinIO(tb testing.TB) *Server {
	tb.Helper()
	bin := os.Getenv("TROVEMEM_MINIO")
	if bin == "" {
		tb.Skip("TROVEMEM_MINIO is not set: " + MinIOHint)
	}
	if _, err := os.Stat(bin); err != nil {
		tb.Fatalf("TROVEMEM_MINIO=%s: %v", bin, err)
	}
	return start(tb, "minio", func(s *Server, addr string) (*exec.Cmd, func() bool, error) {
		console, err := freePort()
		if err != nil {
			return nil, nil, err
		}
		cmd := exec.Command(bin, "server", s.Dir, "--quiet", "--address", addr,
			"--console-address", net.JoinHostPort("127.0.0.1", strconv.Itoa(console)))
		cmd.Env = append(os.Environ(),
			"MINIO_ROOT_USER="+s.AccessKey,
			"MINIO_ROOT_PASSWORD="+s.SecretKey,
			"MINIO_REGION="+s.Region,
			"MINIO_BROWSER=off",
		)
		// MinIO accepts connections before it serves requests: its
		// readiness endpoint says when it does.
		client := &http.Client{Timeout: 500 * time.Millisecond}
		ready := func() bool {
			resp, err := client.Get(s.Endpoint + "/minio/health/ready")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		}
		return cmd, ready, nil
	})
}

// command makes the process of one server over s.Dir listening on addr,
// and the probe that says when it serves.
type command func(s *Server, addr string) (cmd *exec.Cmd, ready func() bool, err error)

// start runs a fresh server made by command over a new temporary folder,
// on a free loopback port, and stops it when tb ends. It tries three
// times, since another process may take the free port first.
func start(tb testing.TB, name string, command command) *Server {
	tb.Helper()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := launch(name, tb.TempDir(), command)
		if err == nil {
			tb.Cleanup(s.Stop)
			return s
		}
		lastErr = err
	}
	tb.Fatalf("start %s: %v", name, lastErr)
	return nil
}

func launch(name, dir string, command command) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	s := &Server{
		Endpoint:  "http://" + addr,
		AccessKey: "trovemem-test-access",
		SecretKey: "trovemem-test-secret-0123456789",
		Region:    "us-east-1",
		Dir:       dir,
		stderr:    new(bytes.Buffer),
		done:      make(chan struct{}),
	}
	cmd, ready, err := command(s, addr)
	if err != nil {
		return nil, err
	}
	s.cmd = cmd
	s.cmd.Stdout = s.stderr
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return nil, fmt.Errorf("%s exited at start: %s", name, bytes.TrimSpace(s.stderr.Bytes()))
		default:
		}
		if ready() {
			return s, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Stop()
	return nil, fmt.Errorf("%s was not ready on %s within 30s", name, addr)
}

// Stop ends the server and waits for it to exit. Stopping twice is harmless.
func (s *Server) Stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
	}
	<-s.done
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before the server binds it; start retries for that case.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
