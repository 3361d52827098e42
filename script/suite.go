package script

import (
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
	"time"

	"github.com/trovemem/trovemem/repl"
)

// ErrNoScripts is returned when the paths given to a test run hold no
// .trove scripts, so a mistyped directory in CI never passes silently.
var ErrNoScripts = errors.New("no .trove scripts")

// FindScripts expands paths into script files: a file is taken as it is,
// and a directory is searched recursively for *.trove files, skipping
// directories named testdata or starting with "." or "_" (which hold
// fixtures, such as dumps a script sources). The result is sorted and
// without repeats.
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
				if p != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(p, ".trove") {
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

// Suite runs scripts as tests, each in a fresh session, and reports one
// line per script and a closing count.
type Suite struct {
	// NewSession makes the fresh session each script runs in.
	NewSession func() (*repl.Session, error)
	// Out receives the report.
	Out io.Writer
	// Filter, when set, runs only scripts whose name (file name without
	// .trove) it matches.
	Filter *regexp.Regexp
	// Update rewrites "| " blocks with the actual output.
	Update bool
	// Verbose echoes every command as it runs.
	Verbose bool
	// GitHub adds ::error annotations that GitHub Actions shows on the
	// failing lines.
	GitHub bool
	// Parser parses the scripts; nil means NewScriptParser().
	Parser *ScriptParser
	// LookupEnv resolves ${NAME} from the environment; nil means
	// os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// Run parses every script first, so that a parse error anywhere is
// reported before any script runs; then it runs each script that parsed
// and reports. A script that does not parse (or cannot be read) is a
// result of its own, with Err set, reported as FAIL with every problem at
// file:line:col; the others still run. It returns the results in path
// order; the run failed if any result did not pass.
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

	passed := 0
	for i, sc := range scripts {
		if sc == nil {
			s.report(results[i])
			continue
		}
		if ctx.Err() != nil {
			results[i] = &ScriptResult{Path: sc.Path, Err: ctx.Err()}
			continue
		}
		sess, err := s.NewSession()
		if err != nil {
			return compact(results), err
		}
		r := &Runner{Session: sess, Update: s.Update, Log: true, LookupEnv: s.LookupEnv}
		if s.Verbose {
			r.Echo = s.Out
		}
		res := r.Run(ctx, sc)
		results[i] = res
		if res.Passed() {
			passed++
		}
		s.report(res)
	}
	results = compact(results)
	if ctx.Err() != nil {
		// Scripts an interrupt kept from running are not results.
		kept := results[:0]
		for _, r := range results {
			if !errors.Is(r.Err, ctx.Err()) {
				kept = append(kept, r)
			}
		}
		results = kept
	}
	fmt.Fprintf(s.Out, "%d passed, %d failed\n", passed, len(results)-passed)
	return results, nil
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

func (s *Suite) report(res *ScriptResult) {
	if res.Err != nil {
		fmt.Fprintf(s.Out, "FAIL %s (does not parse)\n", res.Path)
		var pe *ParseErrors
		if !errors.As(res.Err, &pe) {
			fmt.Fprintf(s.Out, "    %s\n", escapeControl(res.Err.Error()))
			if s.GitHub {
				fmt.Fprintf(s.Out, "::error file=%s::%s\n", ghEscapeProperty(res.Path), ghEscapeData(escapeControl(res.Err.Error())))
			}
			return
		}
		for _, e := range pe.Errs {
			fmt.Fprintf(s.Out, "    %s\n", escapeControl(e.Error()))
		}
		if s.GitHub {
			for _, e := range pe.Errs {
				fmt.Fprintf(s.Out, "::error file=%s,line=%d,col=%d::%s\n",
					ghEscapeProperty(e.File), e.Line, e.Col, ghEscapeData(escapeControl(e.Msg+chainString(e.From))))
			}
		}
		return
	}
	status := "ok  "
	if !res.Passed() {
		status = "FAIL"
	}
	commands := "1 command"
	if res.Commands != 1 {
		commands = fmt.Sprintf("%d commands", res.Commands)
	}
	extra := ""
	if len(res.Updated) > 0 {
		extra = ", updated " + strings.Join(res.Updated, ", ")
	}
	fmt.Fprintf(s.Out, "%s %s (%s, %s%s)\n", status, res.Path, commands, res.Duration.Round(time.Microsecond), extra)
	for _, f := range res.Failures {
		fmt.Fprintln(s.Out, indent(f.Report(), "    "))
	}
	if s.Update && !res.Passed() && res.Stopped {
		fmt.Fprintf(s.Out, "    %s not updated: it stopped on a failure that --update cannot fix\n", res.Path)
	}
	if s.GitHub {
		for _, f := range res.Failures {
			msg := f.Command + ": " + f.Msg + chainString(f.Loc.From)
			if f.Detail != "" {
				msg += "\n" + f.Detail
			}
			fmt.Fprintf(s.Out, "::error file=%s,line=%d::%s\n",
				ghEscapeProperty(f.Loc.File), f.Loc.Line, ghEscapeData(escapeControl(msg)))
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
