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
// REPL when a command is added: trovemem help CMD, trovemem CMD --help and
// CMD --help in a session print exactly what help CMD prints there.
func TestEveryTableCommandIsASubcommand(t *testing.T) {
	var rootHelp bytes.Buffer
	if code := runWith(context.Background(), []string{"--help"}, strings.NewReader(""), &rootHelp, &rootHelp); code != 0 {
		t.Fatalf("trovemem --help: got status %d, want 0:\n%s", code, rootHelp.String())
	}
	for _, c := range repl.Commands() {
		t.Run(c.Name, func(t *testing.T) {
			first, _, _ := strings.Cut(c.Name, " ")
			if !sessionOnly[c.Name] && !strings.Contains(rootHelp.String(), "\n  "+first+" ") {
				t.Errorf("trovemem --help does not list %s:\n%s", first, rootHelp.String())
			}
			// help CMD in a session is the text every other form must print.
			var want bytes.Buffer
			if code := runWith(context.Background(), []string{"-c", "help " + c.Name}, strings.NewReader(""), &want, &want); code != 0 {
				t.Fatalf("trovemem -c 'help %s': got status %d:\n%s", c.Name, code, want.String())
			}
			calls := [][]string{append([]string{"help"}, strings.Fields(c.Name)...)}
			if !c.RawArgs && !sessionOnly[c.Name] { // echo --help prints --help, as in the REPL
				calls = append(calls, append(strings.Fields(c.Name), "--help"),
					[]string{"-c", c.Name + " --help"})
			}
			for _, args := range calls {
				var out, errOut bytes.Buffer
				code := runWith(context.Background(), args, strings.NewReader(""), &out, &errOut)
				if code != 0 || out.String() != want.String() {
					t.Errorf("trovemem %s: got status %d and\n%s%s\nwant status 0 and the text of help %s:\n%s",
						strings.Join(args, " "), code, out.String(), errOut.String(), c.Name, want.String())
				}
			}
		})
	}
}
