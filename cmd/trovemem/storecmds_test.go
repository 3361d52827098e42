package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/trovemem/trovemem/repl"
)

// Every command of repl's table, but those that act on a session, is a
// subcommand whose help is the table's, so cobra cannot drift from the
// REPL when a command is added.
func TestEveryTableCommandIsASubcommand(t *testing.T) {
	var rootHelp bytes.Buffer
	if code := runWith(context.Background(), []string{"--help"}, strings.NewReader(""), &rootHelp, &rootHelp); code != 0 {
		t.Fatalf("trovemem --help: got status %d, want 0:\n%s", code, rootHelp.String())
	}
	for _, c := range repl.Commands() {
		if sessionOnly[c.Name] {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			first, _, _ := strings.Cut(c.Name, " ")
			if !strings.Contains(rootHelp.String(), "\n  "+first+" ") {
				t.Errorf("trovemem --help does not list %s:\n%s", first, rootHelp.String())
			}
			calls := [][]string{append([]string{"help"}, strings.Fields(c.Name)...)}
			if !c.RawArgs { // echo --help prints --help, as in the REPL
				calls = append(calls, append(strings.Fields(c.Name), "--help"))
			}
			for _, args := range calls {
				var out, errOut bytes.Buffer
				code := runWith(context.Background(), args, strings.NewReader(""), &out, &errOut)
				want := "usage: trovemem " + c.Usage() + "\n"
				if code != 0 || !strings.HasPrefix(out.String(), want) {
					t.Errorf("trovemem %s: got status %d and\n%s%s\nwant status 0 and output starting %q",
						strings.Join(args, " "), code, out.String(), errOut.String(), want)
				}
			}
		})
	}
}
