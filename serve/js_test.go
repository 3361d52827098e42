package serve_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trovemem/trovemem/serve"
)

// TestJSClient runs testdata/jsclient/client.mjs, the JavaScript SDK's
// round trip, against the server. It needs node and the SDK installed by
// `npm ci` in testdata/jsclient (bash .ci/run does it); without them it
// skips, and under CI=true it fails, since a skip there would hide a
// broken install step.
func TestJSClient(t *testing.T) {
	missing := func(why string) {
		msg := why + ": run `cd serve/testdata/jsclient && npm ci` (bash .ci/run does it)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node not found")
	}
	dir := filepath.Join("testdata", "jsclient")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-s3")); err != nil {
		missing("@aws-sdk/client-s3 not installed")
	}
	ts := startServer(t, serve.Options{AccessKey: testAccess, SecretKey: testSecret})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "client.mjs", ts.url, testAccess, testSecret)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	t.Logf("node client.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("node client.mjs: %v", err)
	}
	logs, _ := ts.store.Backend("logs")
	if _, err := logs.Head(context.Background(), "js-bucket", "logs/a.log"); err != nil {
		t.Errorf("logs/a.log on backend logs: got %v, want it there", err)
	}
	if !strings.Contains(string(out), "ok wrong secret is refused") {
		t.Errorf("output: got %s, want every step ok", out)
	}
}
