package script

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/trovemem/trovemem/repl"
)

// TestExampleScripts runs scripts/ (the examples the README shows) the way
// `trovemem test scripts` does, so an example that drifts from what
// trovemem prints fails go test.
func TestExampleScripts(t *testing.T) {
	paths, err := FindScripts([]string{"../scripts"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"quickstart", "pagination", "routing", "errors", "dump-roundtrip"} {
		found := false
		for _, p := range paths {
			found = found || TestName(p) == want
		}
		if !found {
			t.Errorf("got scripts %q, want one named %s", paths, want)
		}
	}
	var out bytes.Buffer
	suite := &Suite{
		NewSession: func(string) (*repl.Session, func(), error) { return newScriptSession(t), nil, nil },
		Out:        &out,
		LookupEnv:  func(string) (string, bool) { return "", false },
	}
	results, err := suite.Run(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if !r.Passed() {
			t.Errorf("%s failed:\n%s", r.Path, out.String())
		}
	}
	if want := fmt.Sprintf("%d passed, 0 failed, 0 skipped\n", len(paths)); !strings.HasSuffix(out.String(), want) {
		t.Errorf("got report ending %q, want %q", out.String(), want)
	}
}
