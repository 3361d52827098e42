package repl

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestComplete(t *testing.T) {
	// A fixed table, so commands added later do not change the candidates.
	s := newCoreSession(t, WithCommands([]*Command{cmdCp, cmdEcho, cmdGet, cmdHelp, cmdLs, cmdMkbucket, cmdMount, cmdPut,
		cmdRmbucket, cmdRouteAdd, cmdRouteExplain, cmdRouteRm, cmdRoutes, cmdUnmount}))
	runOK(t, s,
		"mkbucket photos; mkbucket pets; mkbucket logs",
		"put photos cat.png x; put photos car.jpg x; put photos 2024/a x; put photos 2024/b x; put photos 'my file' x; put photos '#tag' x",
		"mount fast mem://")
	tests := []struct {
		name   string
		before string
		want   []string
		typed  int
	}{
		{"command names", "mk", []string{"bucket "}, 2},
		{"command names several", "r", []string{"b ", "mbucket ", "oute ", "outes "}, 1},
		{"subcommand", "route e", []string{"xplain "}, 1},
		{"subcommand list", "route ", []string{"add ", "explain ", "rm "}, 0},
		{"bucket", "get p", []string{"ets ", "hotos "}, 1},
		{"key by prefix", "get photos ca", []string{"r.jpg ", "t.png "}, 2},
		{"key levels stop at /", "get photos 20", []string{"24/"}, 2},
		{"key inside a level", "get photos 2024/", []string{"a ", "b "}, 5},
		{"key with a space is escaped", "get photos my", []string{`\ file `}, 2},
		{"key in single quotes", "get photos 'my", []string{" file' "}, 3},
		{"key starting with #", "get photos \\#", []string{"tag "}, 2},
		{"second bucket of cp", "cp photos cat.png l", []string{"ogs "}, 1},
		{"flags", "ls photos --p", []string{"refix "}, 3},
		{"no completion of a flag value", "ls photos --prefix ", nil, 0},
		{"argument after a flag with a value", "ls --max 3 ph", []string{"otos "}, 2},
		{"backend", "unmount f", []string{"ast "}, 1},
		{"dsn scheme", "mount x me", []string{"m://"}, 2},
		{"help takes command names", "help mkb", []string{"ucket "}, 3},
		{"after a semicolon", "echo a; get photos ca", []string{"r.jpg ", "t.png "}, 2},
		{"nothing past max args", "get photos cat.png ", nil, 0},
		{"nothing in a comment", "echo # mk", nil, 0},
		{"unknown command", "frob ", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, typed := s.Complete(context.Background(), tt.before)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Complete(%q) mismatch (-want +got):\n%s", tt.before, diff)
			}
			if typed != tt.typed {
				t.Errorf("Complete(%q) typed: got %d, want %d", tt.before, typed, tt.typed)
			}
		})
	}
}

// FuzzPartialCommand checks that completion reads the words before the
// cursor as Split reads them once the line is finished: for any line whose
// open quote, if any, is closed, the command the line ends in has the
// words partialCommand found, the one being typed included ("\x41 is A in
// both).
func FuzzPartialCommand(f *testing.F) {
	for _, s := range []string{
		`get b "\x41`, `put b 'a b`, `ls; get b k`, `echo a\ b`, `ls b # c`, `mkbucket x;`,
		`put b "it's \"q\"" v`, "put b \\\nk", `echo ''`, `echo "é\u00e9`, `a'b c'"d`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		p := partialCommand(line)
		if p.comment || (len(p.words) == 0 && p.raw == "") {
			return
		}
		closed := line
		if p.quote != 0 {
			closed += string(p.quote)
		}
		cmds, err := Split(closed)
		if err != nil {
			return // a half-typed escape or a trailing backslash: Split has no reading
		}
		got := slices.Clone(p.words)
		if p.raw != "" {
			got = append(got, p.word)
		}
		if len(cmds) == 0 {
			t.Fatalf("line %q: completion read %q, Split(%q) gives no command", line, got, closed)
		}
		if want := cmds[len(cmds)-1]; !slices.Equal(got, want) {
			t.Errorf("line %q: got %q from completion, want %q as Split(%q) reads it", line, got, want, closed)
		}
	})
}

// TestCompleteSessionCommands completes source's file, folder by folder,
// and set output's modes.
func TestCompleteSessionCommands(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"setup.trove", "lib/more.trove"} {
		path := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	s := newCoreSession(t, WithCommands([]*Command{cmdSetOutput, cmdSource}))
	tests := []struct {
		name, before string
		want         []string
	}{
		{"file", "source se", []string{"tup.trove "}},
		{"folder stops at /", "source l", []string{"ib/"}},
		{"inside a folder", "source lib/", []string{"more.trove "}},
		{"output modes", "set output j", []string{"son ", "sonl "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := s.Complete(context.Background(), tt.before)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Complete(%q) mismatch (-want +got):\n%s", tt.before, diff)
			}
		})
	}
}
