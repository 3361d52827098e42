package repl

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

// FuzzRunLine types arbitrary lines at a session holding a bucket, objects,
// a second backend and a route, in every output mode. Whatever a user
// types, trovemem must answer with a result or an error, never a panic
// (which Exec would report as an *InternalError).
func FuzzRunLine(f *testing.F) {
	for _, seed := range []string{
		"ls demo --max 1", "get demo a --range 0-", "get demo a --range -0",
		"put demo 'a b' \"x\\ty\" --meta k=v --content-type text/plain",
		"route add '**' extra; routes; which demo a", "route test demo a b/c",
		"cp demo a demo b; mv demo b demo c; rm demo c", "rmbucket demo --force",
		"unmount extra --force; ls demo", "next", "stats; backends; stores",
		"ls demo --cursor YQ", "ls demo --delimiter '' --prefix ''", "help route",
		"put demo k --base64 '!!'", "rebalance --dry-run", "config show", "echo ${x}",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		// Commands and flags that read or write files are left out: a
		// fuzzer must not write wherever a random path points. Words are
		// compared whole, so route, unmount and the rest still run.
		cmds, _ := Split(line)
		for _, words := range cmds {
			for _, w := range words {
				if fileWord(w) {
					t.Skip()
				}
			}
		}
		for _, mode := range []Format{FormatTable, FormatPlain, FormatJSON} {
			s := newScriptSession(t)
			ctx := context.Background()
			setup := "mkbucket demo; put demo a 1; put demo b/c 2; mount extra mem://; route add '*.log' extra; put demo x.log 3; ls demo --max 1"
			if err := s.RunLine(ctx, setup, io.Discard); err != nil {
				t.Fatalf("setup: %v", err)
			}
			s.SetFormat(mode)
			err := s.RunLine(ctx, line, io.Discard)
			var ie *InternalError
			if errors.As(err, &ie) {
				t.Fatalf("%s output, line %q: panic: %v\n%s", mode, line, ie.Value, ie.Stack)
			}
		}
	})
}

// fileWord reports whether w names a command or flag that touches files
// (mount could create a file:// root).
func fileWord(w string) bool {
	switch w {
	case "dump", "mount", "source":
		return true
	}
	return strings.HasPrefix(w, "--out") || strings.HasPrefix(w, "--file") || strings.HasPrefix(w, "--save")
}

// newScriptSession returns a session on a fresh memory store whose clock
// is fixed, as the script package's tests make them.
func newScriptSession(t testing.TB) *Session {
	t.Helper()
	clock := func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	st, err := trove.Open(memdriver.New(driver.WithClock(clock)))
	if err != nil {
		t.Fatal(err)
	}
	return NewSession(st, WithClock(clock))
}
