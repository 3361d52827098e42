package script

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trovemem/trovemem/repl"
)

// ErrNoScripts is returned when the paths given to a test run hold no
// .trove scripts, so a mistyped directory in CI never passes silently.
var ErrNoScripts = errors.New("no .trove scripts")

// FindScripts expands paths into script files: a file is taken as it is,
// and a directory is searched recursively for *.trove files, skipping
// directories named testdata or lib or starting with "." or "_", and
// files starting with "_" (fixtures and helpers meant only to be sourced,
// such as dumps or a shared setup). The result is sorted and without
// repeats.
func FindScripts(paths []string) ([]string, error) {
	seen := make(map[string]bool)
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			add(root)
			continue
		}
		found := false
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				name := d.Name()
				if p != root && (name == "testdata" || name == "lib" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(p, ".trove") && !strings.HasPrefix(d.Name(), "_") {
				found = true
				add(p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, fmt.Errorf("%w under %s", ErrNoScripts, root)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Suite runs scripts as tests, each in a fresh session and work folder,
// and reports one group of lines per script and a closing count.
type Suite struct {
	// NewSession makes the fresh session a script runs in. work is the
	// script's own work folder (${WORK}), against which the session should
	// resolve relative paths (repl.WithWorkDir); done, when not nil, is
	// called once the script has finished with the session. A script
	// abandoned on a timeout never calls it: its command may still be
	// using the session.
	NewSession func(work string) (sess *repl.Session, done func(), err error)
	// Out receives the report.
	Out io.Writer
	// Filter, when set, runs only scripts whose name (file name without
	// .trove) it matches.
	Filter *regexp.Regexp
	// Update rewrites "| " blocks with the actual output.
	Update bool
	// Record adds "| " blocks to commands that printed output and have
	// none (Runner.Record).
	Record bool
	// Verbose echoes every command as it runs, and keeps the command log
	// of passing scripts too (JUnit's system-out).
	Verbose bool
	// GitHub adds ::error annotations that GitHub Actions shows on the
	// failing lines.
	GitHub bool
	// Parser parses the scripts; nil means NewScriptParser().
	Parser *ScriptParser
	// LookupEnv resolves ${NAME} from the environment; nil means
	// os.LookupEnv.
	LookupEnv func(string) (string, bool)

	// Timeout bounds each script's run; 0 means no bound. A script that
	// runs out of time fails with the step it was on.
	Timeout time.Duration
	// KeepGoing runs each script on after its first failure.
	KeepGoing bool
	// Short makes [short] conditions hold.
	Short bool
	// Jobs is how many scripts run at once; 0 or 1 runs them one by one.
	// A script's report is printed whole, in path order, whatever the
	// order they finish in.
	Jobs int
	// WorkRoot is where work folders are made; "" means os.TempDir().
	WorkRoot string
	// KeepWork keeps each script's work folder, named in its report,
	// instead of removing it.
	KeepWork bool
}

// abandonGrace is how long a script that ran out of time gets to notice
// and stop on its own before the suite reports it and moves on.
const abandonGrace = 200 * time.Millisecond

// Run parses every script first, so that a parse error anywhere is
// reported before any script runs; then it runs each script that parsed
// and reports. A script that does not parse (or cannot be read) is a
// result of its own, with Err set, reported as FAIL with every problem at
// file:line:col; the others still run. It returns the results in path
// order; the run failed if any result did not pass. When ctx is cancelled
// (an interrupt), the script running is reported as interrupted at the
// step it was on, the scripts not started are left out, and the closing
// count is printed all the same.
func (s *Suite) Run(ctx context.Context, paths []string) ([]*ScriptResult, error) {
	parser := s.Parser
	if parser == nil {
		parser = NewScriptParser()
	}
	results := make([]*ScriptResult, 0, len(paths))
	scripts := make([]*Script, 0, len(paths))
	for _, p := range paths {
		if s.Filter != nil && !s.Filter.MatchString(TestName(p)) {
			continue
		}
		sc, err := parser.ParseFile(p)
		if err != nil {
			results = append(results, &ScriptResult{Path: p, Err: err})
			scripts = append(scripts, nil)
			continue
		}
		results = append(results, nil)
		scripts = append(scripts, sc)
	}

	// Each script's report is written to its own buffer and printed once
	// every script before it has been, so parallel runs read like serial
	// ones.
	reports := make([]*bytes.Buffer, len(scripts))
	finished := make([]chan struct{}, len(scripts))
	for i := range finished {
		finished[i] = make(chan struct{})
	}
	var (
		mu      sync.Mutex
		openErr error
	)
	// Under --update the files are rewritten once every script has run,
	// so that a helper sourced by several is rewritten only if they all
	// agree; the reports wait for that.
	var updates *updateSet
	if s.Update || s.Record {
		updates = new(updateSet)
	}
	jobs := max(s.Jobs, 1)
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i, sc := range scripts {
		reports[i] = new(bytes.Buffer)
		if sc == nil {
			s.report(reports[i], results[i])
			close(finished[i])
			continue
		}
		sem <- struct{}{}
		mu.Lock()
		stop := openErr != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			<-sem
			close(finished[i])
			continue
		}
		wg.Add(1)
		go func(i int, sc *Script) {
			defer wg.Done()
			defer func() { <-sem }()
			defer close(finished[i])
			res, err := s.runOne(ctx, sc, reports[i], updates)
			if err != nil {
				mu.Lock()
				if openErr == nil {
					openErr = err
				}
				mu.Unlock()
				return
			}
			results[i] = res
			if updates == nil {
				s.report(reports[i], res)
			}
		}(i, sc)
		if jobs == 1 && updates == nil {
			// One at a time: print as we go.
			<-finished[i]
		}
	}
	if updates != nil {
		wg.Wait()
		updates.apply()
		for i, sc := range scripts {
			if sc != nil && results[i] != nil {
				s.report(reports[i], results[i])
			}
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for i := range scripts {
		<-finished[i]
		s.Out.Write(reports[i].Bytes())
	}
	<-done
	results = compact(results)
	if openErr != nil {
		return results, openErr
	}
	passed, failed, skipped := 0, 0, 0
	for _, r := range results {
		switch {
		case !r.Passed():
			failed++
		case r.Skipped:
			skipped++
		default:
			passed++
		}
	}
	fmt.Fprintf(s.Out, "%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	return results, nil
}

// runOne runs one script in its own session and work folder, within the
// suite's timeout. A script still running when its time is up, or when ctx
// is cancelled, gets abandonGrace to stop; then it is reported at the step
// it was on and left to finish in the background.
func (s *Suite) runOne(parent context.Context, sc *Script, echo io.Writer, updates *updateSet) (*ScriptResult, error) {
	work, err := os.MkdirTemp(s.WorkRoot, "trove-"+safeName(TestName(sc.Path))+"-")
	if err != nil {
		return nil, fmt.Errorf("work folder for %s: %w", sc.Path, err)
	}
	sess, closeSess, err := s.NewSession(work)
	if err != nil {
		os.RemoveAll(work)
		return nil, err
	}
	if sess.Vars == nil {
		sess.Vars = make(map[string]string)
	}
	sess.Vars["WORK"] = work
	ctx, cancel := parent, context.CancelFunc(func() {})
	if s.Timeout > 0 {
		ctx, cancel = context.WithTimeout(parent, s.Timeout)
	}
	defer cancel()
	r := &Runner{Session: sess, Update: s.Update, Record: s.Record, Log: true, LookupEnv: s.LookupEnv,
		KeepGoing: s.KeepGoing, Short: s.Short, cur: new(atomic.Pointer[curStep]), updates: updates}
	if s.Verbose {
		r.Echo = echo
	}
	ch := make(chan *ScriptResult, 1)
	start := time.Now()
	go func() { ch <- r.Run(ctx, sc) }()
	var res *ScriptResult
	select {
	case res = <-ch:
	case <-ctx.Done():
		select {
		case res = <-ch:
		case <-time.After(abandonGrace):
		}
	}
	if ctx.Err() != nil {
		// Out of time or interrupted: report where, whether or not the
		// command noticed in time.
		f := s.stuck(r, sc, ctx, parent)
		if res == nil {
			res = &ScriptResult{Path: sc.Path, Duration: time.Since(start), Stopped: true}
			res.Failures = []*Failure{f}
			res.Log = "(the script was abandoned: its log is not available)\n"
			return res, nil // the session is still in use: neither close it nor remove its folder
		}
		res.Failures = append(dropInterrupted(res.Failures), f)
	}
	if closeSess != nil {
		closeSess()
	}
	if res.Passed() && !s.Verbose {
		res.Log = ""
	}
	if s.KeepWork {
		res.Work = work
	} else {
		os.RemoveAll(work)
	}
	return res, nil
}

// stuck is the failure of a script stopped by its timeout or an
// interrupt, at the step it was on.
func (s *Suite) stuck(r *Runner, sc *Script, ctx, parent context.Context) *Failure {
	loc, cmd, ok := r.current()
	if !ok {
		loc, cmd = Location{File: sc.Path, Line: 1}, "(before the first step)"
	}
	msg := "interrupted"
	if parent.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		msg = "timed out after " + s.Timeout.String() + " (test --timeout)"
	}
	return &Failure{Kind: FailTimeout, Loc: loc, Command: cmd, Msg: msg}
}

// dropInterrupted removes the runner's own note of a cancelled context,
// which the suite's timeout or interrupt failure replaces.
func dropInterrupted(fs []*Failure) []*Failure {
	out := fs[:0]
	for _, f := range fs {
		if f.Kind == FailCommand && f.Command == "interrupted" {
			continue
		}
		out = append(out, f)
	}
	return out
}

// safeName keeps a script's name usable in a folder name.
func safeName(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == os.PathSeparator || r < ' ' {
			return '_'
		}
		return r
	}, name)
}

// compact drops the results of scripts that never ran.
func compact(results []*ScriptResult) []*ScriptResult {
	out := results[:0]
	for _, r := range results {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

func (s *Suite) report(out io.Writer, res *ScriptResult) {
	if res.Err != nil {
		fmt.Fprintf(out, "FAIL %s (does not parse)\n", res.Path)
		var pe *ParseErrors
		if !errors.As(res.Err, &pe) {
			fmt.Fprintf(out, "    %s\n", escapeControl(res.Err.Error()))
			if s.GitHub {
				fmt.Fprintf(out, "::error file=%s::%s\n", ghEscapeProperty(res.Path), ghEscapeData(escapeControl(res.Err.Error())))
			}
			return
		}
		for _, e := range pe.Errs {
			fmt.Fprintf(out, "    %s\n", escapeControl(e.Error()))
		}
		if s.GitHub {
			for _, e := range pe.Errs {
				fmt.Fprintf(out, "::error file=%s,line=%d,col=%d::%s\n",
					ghEscapeProperty(e.File), e.Line, e.Col, ghEscapeData(escapeControl(e.Msg+chainString(e.From))))
			}
		}
		return
	}
	status := "ok  "
	switch {
	case !res.Passed():
		status = "FAIL"
	case res.Skipped:
		status = "SKIP"
	}
	commands := "1 command"
	if res.Commands != 1 {
		commands = fmt.Sprintf("%d commands", res.Commands)
	}
	extra := ""
	if len(res.Updated) > 0 {
		extra = ", updated " + strings.Join(res.Updated, ", ")
	}
	if res.Skipped && res.Passed() {
		extra += ", skipped at " + res.SkipLoc.String()
		if res.SkipReason != "" {
			extra += ": " + escapeControl(res.SkipReason)
		}
	}
	if res.Work != "" {
		extra += ", work kept in " + res.Work
	}
	fmt.Fprintf(out, "%s %s (%s, %s%s)\n", status, res.Path, commands, res.Duration.Round(time.Microsecond), extra)
	for _, f := range res.Failures {
		fmt.Fprintln(out, indent(f.Report(), "    "))
	}
	if (s.Update || s.Record) && !res.Passed() && res.Stopped {
		fmt.Fprintf(out, "    %s not updated: it stopped on a failure that --update and --record cannot fix\n", res.Path)
	}
	if s.GitHub {
		for _, f := range res.Failures {
			msg := f.Command + ": " + f.Msg + chainString(f.Loc.From)
			if f.Detail != "" {
				msg += "\n" + f.Detail
			}
			end := f.EndLine
			if end < f.Loc.Line {
				end = f.Loc.Line
			}
			fmt.Fprintf(out, "::error file=%s,line=%d,endLine=%d::%s\n",
				ghEscapeProperty(f.Loc.File), f.Loc.Line, end, ghEscapeData(escapeControl(msg)))
		}
	}
}

// ghEscapeData escapes a GitHub Actions workflow command's message.
func ghEscapeData(s string) string {
	s = strings.TrimRight(s, "\n")
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghEscapeProperty escapes a workflow command's property value.
func ghEscapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
