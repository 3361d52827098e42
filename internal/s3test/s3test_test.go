package s3test

import (
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStartVersity checks that the helper starts a real S3 server: an
// unsigned request must be refused with an S3 error document, which only a
// real gateway (not a closed port or some other listener) answers.
func TestStartVersity(t *testing.T) {
	s := StartVersity(t)
	wantUnsignedRefused(t, s)
}

// TestStartTrovemem checks that the helper starts trovemem serve with the
// keys it was given: an unsigned request is refused with an S3 error
// document, so the keys reached the server and it enforces them.
func TestStartTrovemem(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the trovemem binary")
	}
	bin := filepath.Join(t.TempDir(), "trovemem")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/trovemem/trovemem/cmd/trovemem").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	s := StartTrovemem(t, bin)
	wantUnsignedRefused(t, s)
}

// wantUnsignedRefused checks that s answers an unsigned ListBuckets with
// 403 and an S3 error document, as only a real S3 server holding keys does
// (not a closed port, some other listener, or a server taking any
// credentials).
func wantUnsignedRefused(t *testing.T, s *Server) {
	t.Helper()
	resp, err := http.Get(s.Endpoint + "/")
	if err != nil {
		t.Fatalf("GET %s: %v", s.Endpoint, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("status of an unsigned ListBuckets: got %d, want 403", resp.StatusCode)
	}
	if !strings.Contains(string(body), "<Error>") {
		t.Errorf("body of an unsigned ListBuckets: got %q, want an S3 <Error> document", body)
	}
}
