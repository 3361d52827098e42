package script

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/repl"
	"github.com/trovemem/trovemem/trove"
	// The file scheme, for the work folder tests.
	_ "github.com/trovemem/trovemem/localdriver"
)

// hangCmd blocks until it is released, ignoring its context, as a read of
// a FIFO nobody writes to does.
func hangCmd(release <-chan struct{}) *repl.Command {
	return &repl.Command{Name: "hang", Summary: "block", MinArgs: 0, MaxArgs: 0,
		Run: func(ctx context.Context, s *repl.Session, inv *repl.Invocation) (repl.Result, error) {
			<-release
			return nil, nil
		}}
}

// suiteSessions makes fresh in-memory sessions with the full command
// table, plus extra commands, in the work folder given.
func suiteSessions(t *testing.T, extra ...*repl.Command) func(string) (*repl.Session, func(), error) {
	cmds := append(repl.Table{}, repl.Commands()...)
	cmds = append(cmds, extra...)
	return func(work string) (*repl.Session, func(), error) {
		clock := func() time.Time { return fixedNow }
		st, err := trove.Open(memdriver.New(driver.WithClock(clock)))
		if err != nil {
			return nil, nil, err
		}
		s := repl.NewSession(st, repl.WithClock(clock), repl.WithWorkDir(work), repl.WithCommands(cmds))
		return s, func() { st.Close(context.Background()) }, nil
	}
}

// writeScripts writes name → source into dir and returns the paths, sorted.
func writeScripts(t *testing.T, dir string, files map[string]string) []string {
	t.Helper()
	var paths []string
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	found, err := FindScripts([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func TestSuiteTimeoutReportsTheStep(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	dir := t.TempDir()
	paths := writeScripts(t, dir, map[string]string{
		"a.trove": "mkbucket demo\nhang\necho never\n",
		"b.trove": "echo after\n| after\n",
	})
	var out bytes.Buffer
	s := &Suite{NewSession: suiteSessions(t, hangCmd(release)), Out: &out, Timeout: 100 * time.Millisecond,
		Parser: &ScriptParser{}, LookupEnv: noEnv}
	start := time.Now()
	results, err := s.Run(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("got a run of %v, want the hung script abandoned soon after its timeout", d)
	}
	if len(results) != 2 || results[0].Passed() || !results[1].Passed() {
		t.Fatalf("got results %+v, want a failing (timed out) and a passing one", results)
	}
	f := results[0].Failures[0]
	if f.Kind != FailTimeout || f.Loc.Line != 2 || f.Command != "hang" || !strings.Contains(f.Msg, "timed out after 100ms") {
		t.Errorf("got failure %q, want a timeout at line 2 on hang", f.Error())
	}
	if !strings.HasSuffix(out.String(), "1 passed, 1 failed, 0 skipped\n") {
		t.Errorf("got report\n%s\nwant the closing line", out.String())
	}
}

func TestSuiteInterruptStillReports(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	dir := t.TempDir()
	paths := writeScripts(t, dir, map[string]string{
		"a.trove": "echo first\n",
		"b.trove": "mkbucket demo\nhang\n",
		"c.trove": "echo never\n",
	})
	ctx, cancel := context.WithCancel(context.Background())
	hang := hangCmd(release)
	run := hang.Run
	hang.Run = func(c context.Context, s *repl.Session, inv *repl.Invocation) (repl.Result, error) {
		cancel() // Ctrl-C while the command blocks
		return run(c, s, inv)
	}
	var out bytes.Buffer
	s := &Suite{NewSession: suiteSessions(t, hang), Out: &out, Parser: &ScriptParser{}, LookupEnv: noEnv}
	results, err := s.Run(ctx, paths)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 {
		t.Fatalf("got %d results, want the finished script and the interrupted one", len(results))
	}
	if f := results[1].Failures[0]; f.Kind != FailTimeout || f.Msg != "interrupted" || f.Loc.Line != 2 {
		t.Errorf("got failure %q, want interrupted at line 2", f.Error())
	}
	var junit bytes.Buffer
	if err := WriteJUnit(&junit, "t", results); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(junit.String(), `tests="2"`) || !strings.HasSuffix(out.String(), "1 passed, 1 failed, 0 skipped\n") {
		t.Errorf("got report\n%s\nand JUnit\n%s\nwant both written for what ran", out.String(), junit.String())
	}
}

func TestSuiteParallelKeepsReportsGrouped(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	var want []string
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		// Each script writes several lines with -v, which must stay together.
		b := n + n + n
		files[n+".trove"] = "mkbucket " + b + "\nput " + b + " k v\nget " + b + " k\n| v\nstdout nomatch-" + n + "\n"
		want = append(want, "FAIL "+filepath.Join(dir, n+".trove"))
	}
	paths := writeScripts(t, dir, files)
	for _, jobs := range []int{1, 3} {
		var out bytes.Buffer
		s := &Suite{NewSession: suiteSessions(t), Out: &out, Jobs: jobs, Verbose: true, LookupEnv: noEnv}
		results, err := s.Run(context.Background(), paths)
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != 6 {
			t.Fatalf("-j %d: got %d results, want 6", jobs, len(results))
		}
		// Every script's echo lines come right before its own report.
		var got []string
		lines := strings.Split(out.String(), "\n")
		for i, l := range lines {
			if strings.HasPrefix(l, "FAIL ") {
				n := strings.TrimSuffix(filepath.Base(strings.Fields(l)[1]), ".trove")
				b := n + n + n
				if i < 3 || lines[i-3] != "+ mkbucket "+b || lines[i-1] != "+ get "+b+" k" {
					t.Errorf("-j %d: got lines before %q: %q, want that script's own echo", jobs, l, lines[max(0, i-3):i])
				}
				got = append(got, strings.Join(strings.Fields(l)[:2], " "))
			}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("-j %d: got reports in order\n%s\nwant\n%s", jobs, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func TestSuiteWorkFolders(t *testing.T) {
	dir := t.TempDir()
	// Both scripts mount file://./data and must not see each other's
	// objects: the second one lists an empty bucket.
	src := "mount data file://./data\nmkbucket demo\nls demo\n! stdout .\nput demo k v --backend data\necho ${WORK}\n"
	paths := writeScripts(t, dir, map[string]string{"a.trove": src, "b.trove": src})
	for _, keep := range []bool{false, true} {
		var (
			out  bytes.Buffer
			mu   sync.Mutex
			seen []string
		)
		sessions := suiteSessions(t)
		s := &Suite{Out: &out, KeepWork: keep, LookupEnv: noEnv, Jobs: 2, WorkRoot: t.TempDir(),
			NewSession: func(work string) (*repl.Session, func(), error) {
				mu.Lock()
				seen = append(seen, work)
				mu.Unlock()
				return sessions(work)
			}}
		results, err := s.Run(context.Background(), paths)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if !r.Passed() {
				t.Fatalf("keep=%v: %s failed:\n%s", keep, r.Path, out.String())
			}
		}
		if len(seen) != 2 || seen[0] == seen[1] {
			t.Fatalf("keep=%v: got work folders %q, want two different ones", keep, seen)
		}
		for _, w := range seen {
			_, err := os.Stat(filepath.Join(w, "data"))
			if keep != (err == nil) {
				t.Errorf("keep=%v: got stat %s/data: %v, want it kept only with KeepWork", keep, w, err)
			}
		}
		if keep && !strings.Contains(out.String(), "work kept in "+seen[0]) && !strings.Contains(out.String(), "work kept in "+seen[1]) {
			t.Errorf("got report\n%s\nwant it to name the kept folders", out.String())
		}
	}
}

func TestSuiteSkipConditionsAndCounts(t *testing.T) {
	dir := t.TempDir()
	paths := writeScripts(t, dir, map[string]string{
		"skipped.trove":    "echo before\nskip \"needs a cloud\"\necho never\n| nope\n",
		"condskip.trove":   "[!env:TROVE_CLOUD] skip \"set TROVE_CLOUD to run\"\necho never\n| nope\n",
		"short.trove":      "[short] echo short\n[!short] echo long\nstdout -count=1 '^long$'\n",
		"count.trove":      "echo \"a\\na\\nb\"\nstdout -count=2 '^a$'\nstdout -count=0 '^c$'\n",
		"countfail.trove":  "echo \"a\\na\"\nstdout -count=3 '^a$'\n",
		"envcond.trove":    "[env:HOME_X] echo home\nstdout home\n",
		"lib/helper.trove": "echo helper\n",
		"_helper.trove":    "echo helper\n",
	})
	if len(paths) != 6 {
		t.Fatalf("got scripts %q, want lib/ and _ files left out", paths)
	}
	var out bytes.Buffer
	env := map[string]string{"HOME_X": "yes"}
	s := &Suite{NewSession: suiteSessions(t), Out: &out,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	results, err := s.Run(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range results {
		switch {
		case !r.Passed():
			got[TestName(r.Path)] = "fail: " + r.Failures[0].Error()
		case r.Skipped:
			got[TestName(r.Path)] = "skip: " + r.SkipReason
		default:
			got[TestName(r.Path)] = "ok"
		}
	}
	want := map[string]string{
		"skipped":   "skip: needs a cloud",
		"condskip":  "skip: set TROVE_CLOUD to run",
		"short":     "ok",
		"count":     "ok",
		"countfail": "fail: " + filepath.Join(dir, "countfail.trove") + `:2: stdout -count=3 '^a$': 2 matches in the stdout of echo "a\na", want 3`,
		"envcond":   "ok",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
	if !strings.HasSuffix(out.String(), "3 passed, 1 failed, 2 skipped\n") || !strings.Contains(out.String(), "SKIP "+filepath.Join(dir, "skipped.trove")) {
		t.Errorf("got report\n%s\nwant SKIP lines and the count", out.String())
	}
	var junit bytes.Buffer
	if err := WriteJUnit(&junit, "t", results); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(junit.String(), `<skipped message="needs a cloud"></skipped>`) || !strings.Contains(junit.String(), `skipped="2"`) {
		t.Errorf("got JUnit\n%s\nwant <skipped> with the reason", junit.String())
	}
}

func TestRegexpFailureShowsTwentyLines(t *testing.T) {
	var src strings.Builder
	src.WriteString("echo \"")
	for i := 1; i <= 25; i++ {
		if i > 1 {
			src.WriteString("\\n")
		}
		src.WriteString("line")
	}
	src.WriteString("\"\nstdout nomatch\n")
	res := runScript(t, Runner{LookupEnv: noEnv}, filepath.Join(t.TempDir(), "s.trove"), src.String())
	d := res.Failures[0].Detail
	if n := strings.Count(d, "line\n"); n != 20 || !strings.Contains(d, "… and 5 more lines (25 in all)") {
		t.Errorf("got detail\n%s\nwant 20 lines and how many more", d)
	}
}

func noEnv(string) (string, bool) { return "", false }
