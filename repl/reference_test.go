package repl

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the README's command reference from the command table")

// The README's command reference sits between these markers.
const (
	refStart = "<!-- command reference: generated from repl's command table; go test ./repl -run README -update-readme -->\n"
	refEnd   = "<!-- end of command reference -->\n"
)

func TestREADMECommandReference(t *testing.T) {
	const path = "../README.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	i, j := strings.Index(readme, refStart), strings.Index(readme, refEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no command reference between %q and %q", path, refStart, refEnd)
	}
	got, want := readme[i+len(refStart):j], Reference()
	if got == want {
		return
	}
	if *updateReadme {
		if err := os.WriteFile(path, []byte(readme[:i+len(refStart)]+want+readme[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the README's command reference is out of date; run go test ./repl -run README -update-readme\ngot:\n%s\nwant:\n%s", got, want)
}

func TestHelpRequested(t *testing.T) {
	tests := []struct {
		name string
		cmd  *Command
		args []string
		want bool
	}{
		{"--help", cmdPut, []string{"--help"}, true},
		{"-h after arguments", cmdPut, []string{"demo", "k", "-h"}, true},
		{"no flags", cmdPut, []string{"demo", "k", "v"}, false},
		{"after --", cmdPut, []string{"demo", "k", "--", "-h"}, false},
		{"a flag's value", cmdLs, []string{"demo", "--prefix", "--help"}, false},
		{"command without flags", cmdBackends, []string{"--help"}, true},
		{"words that are data", cmdEcho, []string{"--help"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cmd.HelpRequested(tt.args); got != tt.want {
				t.Errorf("%s.HelpRequested(%q): got %v, want %v", tt.cmd.Name, tt.args, got, tt.want)
			}
		})
	}
}
