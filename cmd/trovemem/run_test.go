package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// These tests run trovemem run and trovemem test in-process, through the
// same runWith that main uses; testdata/script_*.txtar covers the same
// ground through the testscript suite.

// trovemem runs the binary's code with args and stdin in dir, and returns
// its exit status and output.
func trovemem(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = runWith(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// inDir makes a directory with the given files and changes into it.
func inDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "TROVEMEM_") || name == "GITHUB_ACTIONS" {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
	return dir
}

const okScript = "mkbucket demo\nput demo a.txt hello\nget demo a.txt\n| hello\nstdout '^hello$'\n"

func TestRunCommand(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string
		args       []string
		stdin      string
		wantCode   int
		wantStdout string // substring; "-" means must be empty
		wantStderr []string
	}{
		{"passes", map[string]string{"a.trove": okScript}, []string{"run", "a.trove"}, "", 0,
			"a.txt\t5\t5d41402abc4b2a76b9719d911017c592\tdefault\nhello", nil},
		{"unexpected failure", map[string]string{"a.trove": "mkbucket demo\n\nget demo nope\necho never\n"}, []string{"run", "a.trove"}, "", 1,
			"-", []string{"a.trove:3: get demo nope: unexpected failure: get demo/nope: object not found\n"}},
		{"unexpected success", map[string]string{"a.trove": "mkbucket demo\n! buckets\n"}, []string{"run", "a.trove"}, "", 1,
			"", []string{"a.trove:2: buckets: succeeded, but it must fail", "    stdout:\n      demo\t2026-01-01T00:00:00Z"}},
		{"assertion with expected and actual", map[string]string{"a.trove": "echo hi\nstdout bye\n"}, []string{"run", "a.trove"}, "", 1,
			"", []string{"a.trove:2: stdout 'bye': no match in the stdout of echo hi\n    stdout:\n      hi\n"}},
		{"block diff", map[string]string{"a.trove": "echo hi\n| bye\n"}, []string{"run", "a.trove"}, "", 1,
			"", []string{"a.trove:2: echo hi: output differs from the | block (command at line 1)\n    --- expected\n    +++ actual\n    @@ -1 +1 @@\n    -bye\n    +hi\n"}},
		{"parse errors stop everything", map[string]string{"a.trove": "mkbucket demo\nput demo 'k v\nbogus\n", "b.trove": "echo 'x\n"},
			[]string{"run", "a.trove", "b.trove"}, "", 2, "-",
			[]string{"a.trove:2:10: unterminated single quote\n", "a.trove:3:1: unknown command bogus", "b.trove:1:6: unterminated single quote\n"}},
		{"unreadable file", map[string]string{}, []string{"run", "missing.trove"}, "", 2, "-", []string{"error: open missing.trove: no such file"}},
		{"keep going", map[string]string{"a.trove": "mkbucket demo\nget demo x\nget demo y\necho end\n"},
			[]string{"run", "--keep-going", "a.trove"}, "", 1, "end\n",
			[]string{"a.trove:2: get demo x: unexpected failure", "a.trove:3: get demo y: unexpected failure"}},
		{"stops at the first failing file", map[string]string{"a.trove": "get xxx y\n", "b.trove": "echo b\n"},
			[]string{"run", "a.trove", "b.trove"}, "", 1, "-", []string{"a.trove:1: get xxx y"}},
		{"one store across files", map[string]string{"a.trove": "mkbucket demo\n", "b.trove": "buckets\n| demo\t2026-01-01T00:00:00Z\n"},
			[]string{"--now", "2026-01-01T00:00:00Z", "run", "a.trove", "b.trove"}, "", 0, "demo", nil},
		{"verbose echoes to stderr", map[string]string{"a.trove": "echo 'a b'\n"}, []string{"run", "-v", "a.trove"}, "", 0,
			"a b\n", []string{"+ echo 'a b'\n"}},
		{"stdin", nil, []string{"run", "-"}, "echo from-stdin\nstdout stdin\n! get xxx y\nstderr 'bucket not found'\n", 0, "from-stdin\n", nil},
		{"stdin failure names stdin", nil, []string{"run", "-"}, "echo a\nget xxx y\n", 1, "", []string{"<stdin>:2: get xxx y:"}},
		{"source chain", map[string]string{"a.trove": "echo a\nsource lib/b.trove\n", "lib/b.trove": "mkbucket demo\n\n\n! buckets\n"},
			[]string{"run", "a.trove"}, "", 1, "", []string{"lib/b.trove:4 (from a.trove:2): buckets: succeeded, but it must fail"}},
		{"source cycle", map[string]string{"a.trove": "echo a\nsource b.trove\n", "b.trove": "source a.trove\n"},
			[]string{"run", "a.trove"}, "", 2, "-", []string{"b.trove:1:1: source a.trove: source cycle: a.trove -> b.trove -> a.trove (from a.trove:2)\n"}},
		{"exit ends successfully", map[string]string{"a.trove": "echo a\nexit\nget xxx y\n", "b.trove": "echo b\n"},
			[]string{"run", "a.trove", "b.trove"}, "", 0, "a\n", nil},
		{"undefined variable", map[string]string{"a.trove": "echo ${NOPE_NOT_SET}\n"}, []string{"run", "a.trove"}, "", 1,
			"-", []string{"a.trove:1: echo ${NOPE_NOT_SET}: undefined variable ${NOPE_NOT_SET}"}},
		{"bad --now", map[string]string{"a.trove": "echo a\n"}, []string{"--now", "yesterday", "run", "a.trove"}, "", 2, "-", []string{"--now \"yesterday\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inDir(t, tt.files)
			args := tt.args
			if args[0] == "run" {
				args = append([]string{"--now", "2026-01-01T00:00:00Z"}, args...)
			}
			code, stdout, stderr := trovemem(t, tt.stdin, args...)
			if code != tt.wantCode {
				t.Errorf("got exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			if tt.wantStdout == "-" && stdout != "" {
				t.Errorf("got stdout %q, want none", stdout)
			} else if tt.wantStdout != "-" && !strings.Contains(stdout, tt.wantStdout) {
				t.Errorf("got stdout %q, want it to contain %q", stdout, tt.wantStdout)
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("got stderr %q, want it to contain %q", stderr, w)
				}
			}
		})
	}
}

func TestNowFromEnvironment(t *testing.T) {
	inDir(t, map[string]string{"a.trove": "mkbucket demo\nbuckets\n| demo\t2030-05-06T07:08:09Z\n"})
	t.Setenv("TROVEMEM_NOW", "2030-05-06T07:08:09Z")
	if code, _, stderr := trovemem(t, "", "run", "a.trove"); code != 0 {
		t.Errorf("got exit status %d (%s), want 0 with the clock from TROVEMEM_NOW", code, stderr)
	}
}

func TestTestCommand(t *testing.T) {
	files := map[string]string{
		"t/ok.trove":            okScript,
		"t/sub/fail.trove":      "mkbucket demo\necho hi\n| bye\n",
		"t/testdata/skip.trove": "bogus\n",
		"t/notes.txt":           "not a script",
	}
	t.Run("report and exit status", func(t *testing.T) {
		inDir(t, files)
		code, stdout, _ := trovemem(t, "", "test", "t")
		if code != 1 {
			t.Errorf("got exit status %d, want 1", code)
		}
		lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
		if !strings.HasPrefix(lines[0], "ok   t/ok.trove (3 commands, ") {
			t.Errorf("got first line %q, want ok for t/ok.trove with 3 commands", lines[0])
		}
		if !strings.HasPrefix(lines[1], "FAIL t/sub/fail.trove (2 commands, ") {
			t.Errorf("got second line %q, want FAIL for t/sub/fail.trove", lines[1])
		}
		if !strings.Contains(stdout, "    t/sub/fail.trove:3: echo hi: output differs from the | block (command at line 2)\n") {
			t.Errorf("got report\n%s\nwant the failure with file:line", stdout)
		}
		if last := lines[len(lines)-1]; last != "1 passed, 1 failed, 0 skipped" {
			t.Errorf("got closing line %q, want %q", last, "1 passed, 1 failed, 0 skipped")
		}
	})
	t.Run("-run filters by name", func(t *testing.T) {
		inDir(t, files)
		code, stdout, _ := trovemem(t, "", "test", "-run", "^ok$", "t")
		if code != 0 || !strings.HasSuffix(stdout, "1 passed, 0 failed, 0 skipped\n") || strings.Contains(stdout, "fail.trove") {
			t.Errorf("got exit status %d and\n%s\nwant only ok.trove, passing", code, stdout)
		}
		code, stdout, _ = trovemem(t, "", "test", "--run=fail", "t")
		if code != 1 || !strings.HasSuffix(stdout, "0 passed, 1 failed, 0 skipped\n") {
			t.Errorf("--run=fail: got exit status %d and\n%s\nwant only fail.trove", code, stdout)
		}
	})
	t.Run("default path is the current directory", func(t *testing.T) {
		inDir(t, map[string]string{"x/ok.trove": okScript})
		if code, stdout, _ := trovemem(t, "", "test"); code != 0 || !strings.Contains(stdout, "ok   x/ok.trove") {
			t.Errorf("got exit status %d and\n%s\nwant x/ok.trove found and passing", code, stdout)
		}
	})
	t.Run("no scripts is a usage error", func(t *testing.T) {
		inDir(t, map[string]string{"empty/notes.txt": "x"})
		if code, _, stderr := trovemem(t, "", "test", "empty"); code != 2 || !strings.Contains(stderr, "no .trove scripts under empty") {
			t.Errorf("got exit status %d and %q, want 2 and a message", code, stderr)
		}
	})
	t.Run("a script that does not parse fails, the others run, exit 2", func(t *testing.T) {
		inDir(t, map[string]string{"a.trove": okScript, "b.trove": "echo 'x\n", "c.trove": okScript})
		code, stdout, _ := trovemem(t, "", "test", ".")
		for _, want := range []string{"ok   a.trove", "FAIL b.trove (does not parse)\n    b.trove:1:6: unterminated single quote\n", "ok   c.trove", "2 passed, 1 failed, 0 skipped\n"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("got stdout\n%s\nwant it to contain %q", stdout, want)
			}
		}
		if code != 2 {
			t.Errorf("got exit status %d, want 2 (a script that does not parse is a usage error)", code)
		}
	})
	t.Run("--help shows the help and runs nothing", func(t *testing.T) {
		inDir(t, map[string]string{"a.trove": okScript})
		for _, flag := range []string{"--help", "-h"} {
			code, stdout, _ := trovemem(t, "", "test", flag)
			if code != 0 || !strings.Contains(stdout, "Usage:") || strings.Contains(stdout, "a.trove") {
				t.Errorf("test %s: got exit status %d and\n%s\nwant the help, no script run", flag, code, stdout)
			}
		}
	})
	t.Run("-run that matches nothing warns and passes", func(t *testing.T) {
		inDir(t, map[string]string{"a.trove": okScript})
		code, stdout, stderr := trovemem(t, "", "test", "-run", "nomatch")
		if code != 0 || stderr != "warning: -run nomatch matches none of the 1 scripts found\n" || !strings.HasSuffix(stdout, "0 passed, 0 failed, 0 skipped\n") {
			t.Errorf("got exit status %d, stdout %q, stderr %q; want 0, no script run, a warning", code, stdout, stderr)
		}
	})
	t.Run("each script has a fresh store", func(t *testing.T) {
		inDir(t, map[string]string{"a.trove": "mkbucket demo\n", "b.trove": "mkbucket demo\n"})
		if code, stdout, _ := trovemem(t, "", "test"); code != 0 {
			t.Errorf("got exit status %d and\n%s\nwant both scripts to create demo", code, stdout)
		}
	})
	t.Run("github annotations", func(t *testing.T) {
		inDir(t, files)
		t.Setenv("GITHUB_ACTIONS", "true")
		_, stdout, _ := trovemem(t, "", "test", "t")
		if !strings.Contains(stdout, "::error file=t/sub/fail.trove,line=3,endLine=3::echo hi: output differs from the | block (command at line 2)%0A--- expected") {
			t.Errorf("got\n%s\nwant an ::error annotation with file and line", stdout)
		}
	})
	t.Run("junit", func(t *testing.T) {
		inDir(t, files)
		// The report's folder is created: CI jobs write reports under
		// folders that do not exist yet.
		if code, _, _ := trovemem(t, "", "test", "--junit", "out/report.xml", "t"); code != 1 {
			t.Fatalf("got exit status %d, want 1", code)
		}
		data, err := os.ReadFile("out/report.xml")
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Suites []struct {
				Cases []struct {
					Classname string `xml:"classname,attr"`
					File      string `xml:"file,attr"`
					Time      string `xml:"time,attr"`
					Failure   *struct {
						Message string `xml:"message,attr"`
						Text    string `xml:",chardata"`
					} `xml:"failure"`
					SystemOut string `xml:"system-out"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("report does not parse: %v\n%s", err, data)
		}
		cs := doc.Suites[0].Cases
		if len(cs) != 2 || cs[0].Classname != "t/ok.trove" || cs[0].Failure != nil || cs[1].File != "t/sub/fail.trove" || cs[1].Failure == nil {
			t.Fatalf("got testcases %+v, want ok.trove passing and fail.trove failing", cs)
		}
		if f := cs[1].Failure; !strings.HasPrefix(f.Message, "t/sub/fail.trove:3: echo hi") || !strings.Contains(f.Text, "-bye\n") {
			t.Errorf("got failure %+v, want file:line of the differing line and the diff", f)
		}
		// A passing script's log is noise in a CI report, unless -v.
		if cs[0].SystemOut != "" || !strings.Contains(cs[1].SystemOut, "> echo hi\nhi\n") {
			t.Errorf("got system-out %q and %q, want none for the passing script, the log for the failing one", cs[0].SystemOut, cs[1].SystemOut)
		}
		if code, _, _ := trovemem(t, "", "test", "-v", "--junit", "out/report.xml", "t"); code != 1 {
			t.Fatalf("-v: got exit status %d, want 1", code)
		}
		data, err = os.ReadFile("out/report.xml")
		if err != nil {
			t.Fatal(err)
		}
		doc.Suites = nil
		if err := xml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("report does not parse: %v\n%s", err, data)
		}
		if out := doc.Suites[0].Cases[0].SystemOut; !strings.Contains(out, "> get demo a.txt\nhello\n") {
			t.Errorf("-v: got system-out %q, want the command log", out)
		}
	})
	t.Run("update rewrites blocks, then passes", func(t *testing.T) {
		inDir(t, map[string]string{"u.trove": "# keep me\necho \"one\\ntwo\"\n| old\nstdout one\nls\n| stale\n", "stop.trove": "echo a\n| b\nget xxx y\n"})
		code, stdout, _ := trovemem(t, "", "test", "--update")
		if code != 1 || !strings.Contains(stdout, "ok   u.trove") || !strings.Contains(stdout, "updated u.trove") {
			t.Errorf("got exit status %d and\n%s\nwant u.trove updated and stop.trove failing", code, stdout)
		}
		got, _ := os.ReadFile("u.trove")
		// ls printed nothing, so its block goes: no block matches no output.
		if want := "# keep me\necho \"one\\ntwo\"\n| one\n| two\nstdout one\nls\n"; string(got) != want {
			t.Errorf("got rewritten script %q, want %q", got, want)
		}
		if got, _ := os.ReadFile("stop.trove"); string(got) != "echo a\n| b\nget xxx y\n" {
			t.Errorf("got %q, want stop.trove untouched since it stopped on an unexpected failure", got)
		}
		if code, stdout, _ := trovemem(t, "", "test", "u.trove"); code != 0 {
			t.Errorf("rerun: got exit status %d and\n%s\nwant a pass", code, stdout)
		}
	})
}

func TestSaveAndLoad(t *testing.T) {
	inDir(t, map[string]string{"setup.trove": `mount cold mem://
mkbucket shop
put shop logo.png --base64 iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg== --meta alt='the logo'
route add '*.log' cold
put shop app.log 'started' --content-type text/x-log --meta level=info
`})
	if code, _, stderr := trovemem(t, "", "--save", "saved.trove", "run", "setup.trove"); code != 0 {
		t.Fatalf("run --save: exit status %d: %s", code, stderr)
	}
	code, stdout, stderr := trovemem(t, "", "--load", "saved.trove", "-o", "plain", "-c", "head shop logo.png; head shop app.log; routes; backends")
	if code != 0 {
		t.Fatalf("--load: exit status %d: %s", code, stderr)
	}
	for _, want := range []string{
		"etag\tf829b914fc47cfc9c0747c119c27cf1b\n", "meta.alt\tthe logo\n", "content type\timage/png\n",
		"content type\ttext/x-log\n", "meta.level\tinfo\n", "backend\tcold\n", "*.log\tpattern\tcold\n", "cold\tmem://\t1\t7\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("got\n%s\nwant it to contain %q", stdout, want)
		}
	}

	t.Run("a failed load keeps the saved file", func(t *testing.T) {
		os.WriteFile("bad.trove", []byte("mkbucket shop\nget shop nope\n"), 0o644)
		before, _ := os.ReadFile("saved.trove")
		code, _, stderr := trovemem(t, "", "--load", "bad.trove", "--save", "bad.trove", "-c", "buckets")
		if code != 1 || !strings.Contains(stderr, "bad.trove:2: get shop nope") {
			t.Errorf("got exit status %d and %q, want 1 and the failing line", code, stderr)
		}
		if got, _ := os.ReadFile("bad.trove"); string(got) != "mkbucket shop\nget shop nope\n" {
			t.Errorf("got bad.trove overwritten with %q, want it untouched", got)
		}
		if after, _ := os.ReadFile("saved.trove"); !bytes.Equal(before, after) {
			t.Errorf("saved.trove changed")
		}
	})
	t.Run("save on exit from stdin replay", func(t *testing.T) {
		code, _, stderr := trovemem(t, "mkbucket piped\nput piped k v\n", "--save", "piped.trove")
		if code != 0 {
			t.Fatalf("exit status %d: %s", code, stderr)
		}
		data, _ := os.ReadFile("piped.trove")
		if !strings.Contains(string(data), "put piped k v --content-type application/octet-stream --modified ") {
			t.Errorf("got dump\n%s\nwant the piped object", data)
		}
	})
}

func TestProgressOnlyForPeople(t *testing.T) {
	// Output to buffers is never a terminal, so no progress is installed
	// whatever the output mode.
	for _, mode := range []string{"", "table", "plain", "json"} {
		a := &app{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, output: mode}
		if ctx := withProgress(context.Background(), a); ctx != context.Background() {
			t.Errorf("-o %q to a buffer: got a progress context, want none", mode)
		}
	}
}
