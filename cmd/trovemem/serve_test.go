package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serveProc is a `trovemem serve` child process.
type serveProc struct {
	cmd   *exec.Cmd
	lines chan string // stderr, line by line
	done  chan error
	addr  string
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe starts trovemem with args and waits for its "serving on" line.
func startServe(t *testing.T, args ...string) *serveProc {
	t.Helper()
	p := &serveProc{lines: make(chan string, 100), done: make(chan error, 1)}
	p.cmd = exec.Command(os.Args[0], args...)
	p.cmd.Env = childEnv("TROVEMEM_ACCESS_KEY=", "TROVEMEM_SECRET_KEY=")
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	p.expect(t, "serving on http://")
	return p
}

// expect waits for a stderr line starting with prefix.
func (p *serveProc) expect(t *testing.T, prefix string) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("stderr ended before a line starting %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-timeout:
			t.Fatalf("no stderr line starting %q within 10s", prefix)
		}
	}
}

// exit waits for the process and returns its exit status.
func (p *serveProc) exit(t *testing.T) int {
	t.Helper()
	go func() {
		for range p.lines {
		}
	}()
	select {
	case err := <-p.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(10 * time.Second):
		t.Fatal("trovemem serve did not exit within 10s")
		return -1
	}
}

func httpDo(t *testing.T, method, url, body string) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestServeStops(t *testing.T) {
	tests := []struct {
		name       string
		signals    []syscall.Signal
		inFlight   bool // hold a request open while stopping
		wantStatus int
	}{
		{"SIGTERM drains and saves", []syscall.Signal{syscall.SIGTERM}, false, 0},
		{"Ctrl-C drains and saves", []syscall.Signal{syscall.SIGINT}, false, 0},
		{"a second Ctrl-C stops at once", []syscall.Signal{syscall.SIGINT, syscall.SIGINT}, true, 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dump := filepath.Join(t.TempDir(), "state.trove")
			addr := freeAddr(t)
			p := startServe(t, "--no-config", "--mount", "logs=mem://", "--route", "logs/**=logs", "--save", dump, "serve", "--addr", addr)
			base := "http://" + addr
			if got := httpDo(t, "PUT", base+"/app", ""); got != 200 {
				t.Fatalf("create bucket: got %d, want 200", got)
			}
			if got := httpDo(t, "PUT", base+"/app/logs/a.log", "line"); got != 200 {
				t.Fatalf("put: got %d, want 200", got)
			}
			if tt.inFlight {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				_, _ = io.WriteString(c, "PUT /app/slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nten bytes.")
				time.Sleep(100 * time.Millisecond)
			}
			for i, s := range tt.signals {
				if err := p.cmd.Process.Signal(s); err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					p.expect(t, s.String()+": draining")
				}
			}
			if got := p.exit(t); got != tt.wantStatus {
				t.Errorf("exit status: got %d, want %d", got, tt.wantStatus)
			}
			b, err := os.ReadFile(dump)
			if err != nil {
				t.Fatalf("--save: %v", err)
			}
			if !strings.Contains(string(b), "put app logs/a.log line") {
				t.Errorf("--save dump: got\n%s\nwant it to hold app/logs/a.log", b)
			}
		})
	}
}

func TestServeRefusesOpenBindWithoutKeys(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"all interfaces", []string{"serve", "--addr", ":9000"}, "refusing to serve on :9000 without --access-key"},
		{"a public address", []string{"serve", "--addr", "192.0.2.1:9000"}, "refusing to serve on 192.0.2.1:9000"},
		{"half the keys", []string{"serve", "--access-key", "k"}, "--access-key and --secret-key go together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], append([]string{"--no-config"}, tt.args...)...)
			cmd.Env = childEnv("TROVEMEM_ACCESS_KEY=", "TROVEMEM_SECRET_KEY=")
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 {
				t.Fatalf("got %v (%s), want exit status 2", err, out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Errorf("stderr: got %q, want it to contain %q", out, tt.want)
			}
		})
	}
}

// TestServeWithoutKeysSaysSo: without keys serve says at start-up that it
// accepts any credentials, and a request signed with made-up ones is
// served.
func TestServeWithoutKeysSaysSo(t *testing.T) {
	addr := freeAddr(t)
	p := startServe(t, "--no-config", "serve", "--addr", addr)
	p.expect(t, "no --access-key/--secret-key: any credentials are accepted")
	req, _ := http.NewRequest("PUT", "http://"+addr+"/anybucket", nil)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=MADEUP/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("PUT with made-up credentials: got %d, want 200", resp.StatusCode)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if got := p.exit(t); got != 0 {
		t.Errorf("exit status: got %d, want 0", got)
	}
}
