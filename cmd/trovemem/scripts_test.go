package main

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/*.txtar from the actual output")

// mainWithScripts installs trovemem as a command for the scripts.
func mainWithScripts(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"trovemem": func() { os.Exit(run()) },
	})
}

// TestScripts runs testdata/*.txtar against the real binary: every command,
// output mode, error case and exit status. go test -run TestScripts -update
// rewrites expected output blocks from what the binary printed.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){"exits": cmdExits, "junitcheck": cmdJUnitCheck,
			"s3": cmdS3, "freeport": cmdFreePort},
		Setup: func(env *testscript.Env) error {
			// No test reads or writes the user's history or environment.
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("XDG_STATE_HOME", "")
			// Without the race detector's one-second pause at exit.
			env.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
			for _, kv := range os.Environ() {
				if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "TROVEMEM_") {
					env.Setenv(name, "") // empty counts as unset
				}
			}
			return nil
		},
	})
}

// cmdExits is the script command "exits N CMD ARGS...": it runs CMD like
// exec and checks that its exit status is exactly N, which exec's success
// or failure cannot tell apart (1 from 2, say).
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits STATUS CMD [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad status %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit status: got %d, want %d", got, want)
	}
}
