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
// to catch goroutines still racing, and would add a second to each run),
// and no pager, so a test on a pseudo-terminal whose output outgrows the
// screen is not left waiting in less; the pager's tests set their own.
func childEnv(extra ...string) []string {
	env := append(os.Environ(), binaryEnv+"=1", "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"),
		pagerEnv+"=")
	return append(env, extra...)
}

func TestMain(m *testing.M) {
	if os.Getenv(binaryEnv) == "1" {
		os.Exit(run())
	}
	mainWithScripts(m)
}
