package s3test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestStartVersity checks that the helper starts a real S3 server: an
// unsigned request must be refused with an S3 error document, which only a
// real gateway (not a closed port or some other listener) answers.
func TestStartVersity(t *testing.T) {
	s := StartVersity(t)
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
