package script

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/repl"
	"github.com/trovemem/trovemem/trove"
)

var fixedNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func newScriptSession(t testing.TB) *repl.Session {
	t.Helper()
	clock := func() time.Time { return fixedNow }
	st, err := trove.Open(memdriver.New(driver.WithClock(clock)))
	if err != nil {
		t.Fatal(err)
	}
	return repl.NewSession(st, repl.WithClock(clock))
}

// runScript parses src as dir/name and runs it in a fresh session.
func runScript(t *testing.T, r Runner, path, src string) *ScriptResult {
	t.Helper()
	if src != "" {
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sc, err := NewScriptParser().ParseFile(path)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if r.Session == nil {
		r.Session = newScriptSession(t)
	}
	return r.Run(context.Background(), sc)
}

func TestRunnerOutcomes(t *testing.T) {
	const setup = "mkbucket demo\nput demo a.txt hello\n"
	tests := []struct {
		name string
		src  string
		// want is the one-line form of each failure, in order; none means
		// the script passes.
		want []string
		// detail, when set, must appear in the first failure's detail.
		detail string
	}{
		{"plain commands pass", setup + "get demo a.txt\n", nil, ""},
		{"unexpected failure", setup + "get demo nope\necho after\n",
			[]string{`s.trove:3: get demo nope: unexpected failure: get demo/nope: object not found`}, ""},
		{"expected failure", setup + "! get demo nope\n", nil, ""},
		{"unexpected success", setup + "! get demo a.txt\n",
			[]string{`s.trove:3: get demo a.txt: succeeded, but it must fail (it is marked with !)`}, "hello"},
		{"either outcome", setup + "? get demo nope\n? get demo a.txt\n", nil, ""},
		{"stdout matches", setup + "get demo a.txt\nstdout '^hel+o$'\n", nil, ""},
		{"stdout does not match", setup + "get demo a.txt\nstdout '^bye'\n",
			[]string{`s.trove:4: stdout '^bye': no match in the stdout of get demo a.txt`}, "hello"},
		{"negated stdout passes", setup + "get demo a.txt\n! stdout bye\n", nil, ""},
		{"negated stdout fails", setup + "get demo a.txt\n! stdout hel\n",
			[]string{`s.trove:4: ! stdout 'hel': the stdout of get demo a.txt matches, but must not`}, ""},
		{"stderr matches", setup + "! get demo nope\nstderr 'object not found'\n", nil, ""},
		{"stderr does not match", setup + "! get demo nope\nstderr 'bucket not found'\n",
			[]string{`s.trove:4: stderr 'bucket not found': no match in the stderr of get demo nope`}, "error: get demo/nope"},
		{"block matches", setup + "ls demo\n| a.txt\t5\t2026-01-01T00:00:00Z\tdefault\n", nil, ""},
		{"block differs", setup + "get demo a.txt\n| goodbye\n",
			[]string{`s.trove:4: get demo a.txt: output differs from the | block (command at line 3)`}, "-goodbye\n+hello"},
		{"empty line in a block", setup + "echo \"a\\n\\nb\"\n| a\n|\n| b\n", nil, ""},
		{"set and expand", setup + "set k a.txt\nget demo ${k}\nstdout hello\n", nil, ""},
		{"undefined variable", setup + "get demo ${nope}\n",
			[]string{`s.trove:3: get demo ${nope}: undefined variable ${nope} (define it with set or let, or in the environment)`}, ""},
		{"let captures a group", setup + "put demo b.txt bye\nlet tag = stdout '\\t([0-9a-f]{32})\\t'\nhead demo b.txt\nstdout ${tag}\n", nil, ""},
		{"let without a match", setup + "get demo a.txt\nlet x = stdout '(\\d+)'\n",
			[]string{`s.trove:4: let x = stdout '(\d+)': no match in the stdout`}, ""},
		{"cursor pages", setup + "put demo b.txt b\nls demo --max 1\n| a.txt\t5\t2026-01-01T00:00:00Z\tdefault\n| next cursor: YS50eHQ\n" +
			"ls demo --max 1 --cursor ${cursor}\nstdout '^b.txt'\n! stdout 'next cursor'\necho \"[${cursor}]\"\n| []\n", nil, ""},
		{"exit stops successfully", setup + "exit\nget demo nope\n", nil, ""},
		{"usage error at run time", setup + "set m bad\nput demo k v --meta ${m}\n",
			[]string{`s.trove:4: put demo k v --meta bad: unexpected failure: put: --meta bad: want k=v`}, ""},
		{"assertion before any command", "stdout x\n", []string{`s.trove:1: stdout 'x': no command has run yet to check`}, ""},
		{"stops at the first failure", setup + "get demo x\nget demo y\n", []string{`s.trove:3: get demo x:`}, ""},
		{"| alone is one empty line", "echo ''\n|\n", nil, ""},
		{"| alone does not match no output", "mkbucket demo\n|\n",
			[]string{`s.trove:2: mkbucket demo: output differs from the | block (command at line 1) (the command printed nothing; ! stdout . asserts that)`}, "-\n"},
		{"! stdout . asserts no output", "mkbucket demo\n! stdout .\n", nil, ""},
		{"a private-use character is never a variable", "set b x\necho \"\uE0000\uE001${b}\" \"\\ue0000\\ue001\"\n| \uE0000\uE001x \uE0000\uE001\n", nil, ""},
		{"control characters are escaped in reports", setup + "put demo e.txt \"\\x1b[31mred\\x00\"\nget demo e.txt\n| red\n",
			[]string{`s.trove:5: get demo e.txt: output differs from the | block (command at line 4)`}, `+\x1b[31mred\x00`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.trove")
			res := runScript(t, Runner{}, path, tt.src)
			if len(res.Failures) != len(tt.want) {
				var got []string
				for _, f := range res.Failures {
					got = append(got, f.Report())
				}
				t.Fatalf("got %d failures %q, want %d %q", len(res.Failures), got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				got := res.Failures[i].Error()
				got = strings.ReplaceAll(got, filepath.Dir(path)+string(filepath.Separator), "")
				if !strings.HasPrefix(got, w) {
					t.Errorf("failure %d: got %q, want prefix %q", i, got, w)
				}
			}
			// detail is compared as reports show it, control characters
			// escaped.
			if tt.detail != "" {
				if d := escapeControl(res.Failures[0].Detail); !strings.Contains(d, tt.detail) {
					t.Errorf("got detail %q, want it to contain %q", d, tt.detail)
				}
			}
			for _, f := range res.Failures {
				if r := f.Report(); strings.ContainsAny(r, "\x00\x1b\r") {
					t.Errorf("got report %q, want no raw control characters", r)
				}
			}
		})
	}
}

func TestRunnerKeepGoing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.trove")
	src := "mkbucket ddd\nget ddd x\nget ddd y\necho ok\nstdout nope\n"
	res := runScript(t, Runner{KeepGoing: true}, path, src)
	var lines []int
	for _, f := range res.Failures {
		lines = append(lines, f.Loc.Line)
	}
	if len(lines) != 3 || lines[0] != 2 || lines[1] != 3 || lines[2] != 5 {
		t.Errorf("got failures on lines %v, want 2, 3 and 5", lines)
	}
	if res.Commands != 4 || res.Stopped {
		t.Errorf("got %d commands, stopped=%v; want all 4 run and not stopped", res.Commands, res.Stopped)
	}
}

func TestRunnerSourceChain(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "lib"), 0o755)
	os.WriteFile(filepath.Join(dir, "lib", "b.trove"), []byte("mkbucket ddd\nput ddd k v\n\n! get ddd k\n"), 0o644)
	res := runScript(t, Runner{}, filepath.Join(dir, "a.trove"), "echo start\nsource lib/b.trove\n")
	if len(res.Failures) != 1 {
		t.Fatalf("got %d failures, want 1", len(res.Failures))
	}
	got := strings.ReplaceAll(res.Failures[0].Loc.String(), dir+string(filepath.Separator), "")
	if want := "lib/b.trove:4 (from a.trove:2)"; got != want {
		t.Errorf("got location %q, want %q", got, want)
	}
}

func TestRunnerOutputAndEcho(t *testing.T) {
	var out, echo bytes.Buffer
	path := filepath.Join(t.TempDir(), "o.trove")
	res := runScript(t, Runner{Stdout: &out, Echo: &echo, Log: true}, path, "echo 'a b'\n! get xxx y\necho c\n")
	if !res.Passed() {
		t.Fatalf("got failures %v", res.Failures)
	}
	if got, want := out.String(), "a b\nc\n"; got != want {
		t.Errorf("got stdout %q, want %q", got, want)
	}
	if got, want := echo.String(), "+ echo 'a b'\n+ get xxx y\n  error (allowed by !): get xxx/y: bucket not found (there are no buckets; mkbucket creates one)\n+ echo c\n"; got != want {
		t.Errorf("got echo %q, want %q", got, want)
	}
	if !strings.Contains(res.Log, "> get xxx y\nerror: get xxx/y: bucket not found") {
		t.Errorf("got log %q, want the failed command and its error", res.Log)
	}
}

func TestRunnerEndsUnfinishedLines(t *testing.T) {
	var out bytes.Buffer
	var failures []string
	r := Runner{Stdout: &out, KeepGoing: true, OnFailure: func(f *Failure) {
		// The failure is reported when the output before it ends a line.
		failures = append(failures, fmt.Sprintf("at %d, line ended %v", out.Len(), strings.HasSuffix(out.String(), "\n")))
	}}
	path := filepath.Join(t.TempDir(), "n.trove")
	src := "mkbucket demo\nput demo k hello\nget demo k\nget demo k\nstdout bye\nget demo k\n"
	res := runScript(t, r, path, src)
	if got, want := out.String(), "demo\tk\t5\t5d41402abc4b2a76b9719d911017c592\tdefault\nhello\nhello\nhello"; !strings.HasSuffix(got, "hello\nhello\nhello") {
		t.Errorf("got stdout %q, want %q: a newline between outputs, none added at the end", got, want)
	}
	if len(failures) != 1 || !strings.HasSuffix(failures[0], "line ended true") {
		t.Errorf("got failures reported %q, want one, after a newline", failures)
	}
	if res.Passed() {
		t.Errorf("got a pass, want the stdout assertion to fail")
	}
	// The assertion saw the bytes exactly: no newline was added to them.
	if d := res.Failures[0].Detail; !strings.HasSuffix(d, "  hello") {
		t.Errorf("got detail %q, want the output as printed", d)
	}
}

func TestRunnerUpdate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "u.trove")
	src := "# header stays\nmkbucket ddd\nput ddd k \"two\\n\\nlines\"\nget ddd k\n| old\n| stale\necho same\n| same\nstdout same # regexps stay\n"
	res := runScript(t, Runner{Update: true}, path, src)
	if !res.Passed() || len(res.Updated) != 1 {
		t.Fatalf("got failures %v, updated %v; want a pass that rewrote the file", res.Failures, res.Updated)
	}
	got, _ := os.ReadFile(path)
	want := "# header stays\nmkbucket ddd\nput ddd k \"two\\n\\nlines\"\nget ddd k\n| two\n|\n| lines\necho same\n| same\nstdout same # regexps stay\n"
	if string(got) != want {
		t.Errorf("got rewritten script\n%s\nwant\n%s", got, want)
	}
	if res := runScript(t, Runner{}, path, ""); !res.Passed() {
		t.Errorf("rewritten script fails: %v", res.Failures)
	}

	t.Run("nothing written after an unexpected failure", func(t *testing.T) {
		src := "echo a\n| b\nget x y\n"
		res := runScript(t, Runner{Update: true}, path, src)
		if res.Passed() || len(res.Updated) != 0 {
			t.Fatalf("got passed=%v updated=%v, want a failure and no update", res.Passed(), res.Updated)
		}
		if got, _ := os.ReadFile(path); string(got) != src {
			t.Errorf("got file %q, want it untouched", got)
		}
	})
}

func TestRunnerRecord(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"last line without a newline", "echo a\necho b", "echo a\n| a\necho b\n| b\n"},
		{"empty lines of output", "echo \"x\\n\\ny\"\n", "echo \"x\\n\\ny\"\n| x\n|\n| y\n"},
		{"CRLF kept", "echo a\r\n# end\r\n", "echo a\r\n| a\r\n# end\r\n"},
		{"existing block and assertion left alone", "echo a\n| a\necho b\nstdout b\n", "echo a\n| a\necho b\n| b\nstdout b\n"},
		{"only the last command of a line", "echo a; echo b\n", "echo a; echo b\n| b\n"},
		{"nothing printed, nothing added", "mkbucket ddd\n! get ddd k\n", "mkbucket ddd\n! get ddd k\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "r.trove")
			res := runScript(t, Runner{Record: true}, path, tt.src)
			if !res.Passed() {
				t.Fatalf("got failures %v, want a pass", res.Failures)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tt.want {
				t.Errorf("got recorded script %q, want %q", got, tt.want)
			}
			if res := runScript(t, Runner{}, path, ""); !res.Passed() {
				t.Errorf("recorded script fails: %v", res.Failures)
			}
		})
	}
}
