package main

import (
	"os"
	"strings"
	"testing"
)

// binaryEnv makes the test binary run as trovemem itself, so tests can
// start the real program (on a pseudo-terminal, say) without building it.
const binaryEnv = "TROVEMEM_TEST_RUN_AS_BINARY"

// childEnv is the environment of a trovemem started by a test: the test's,
// with the race detector's one-second pause at exit turned off (it exists
// to catch goroutines still racing, and would add a second to each run).
func childEnv(extra ...string) []string {
	env := append(os.Environ(), binaryEnv+"=1", "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	return append(env, extra...)
}

func TestMain(m *testing.M) {
	if os.Getenv(binaryEnv) == "1" {
		os.Exit(run())
	}
	mainWithScripts(m)
}
