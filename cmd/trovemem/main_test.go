package main

import (
	"os"
	"testing"
)

// binaryEnv makes the test binary run as trovemem itself, so tests can
// start the real program (on a pseudo-terminal, say) without building it.
const binaryEnv = "TROVEMEM_TEST_RUN_AS_BINARY"

func TestMain(m *testing.M) {
	if os.Getenv(binaryEnv) == "1" {
		os.Exit(run())
	}
	mainWithScripts(m)
}
