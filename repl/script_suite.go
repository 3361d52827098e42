package repl

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
)

// ErrNoScripts is returned when the paths given to a test run hold no
// .trove scripts, so a mistyped directory in CI never passes silently.
var ErrNoScripts = errors.New("no .trove scripts found")

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
	NewSession func() (*Session, error)
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
// reported (as *ParseErrors, together with every other) before any script
// runs; then it runs each and reports. It returns the results in path
// order; the run failed if any result did not pass.
func (s *Suite) Run(ctx context.Context, paths []string) ([]*ScriptResult, error) {
	parser := s.Parser
	if parser == nil {
		parser = NewScriptParser()
	}
	var (
		scripts []*Script
		perrs   []*ParseError
	)
	for _, p := range paths {
		if s.Filter != nil && !s.Filter.MatchString(TestName(p)) {
			continue
		}
		sc, err := parser.ParseFile(p)
		var pe *ParseErrors
		switch {
		case errors.As(err, &pe):
			perrs = append(perrs, pe.Errs...)
		case err != nil:
			return nil, err
		default:
			scripts = append(scripts, sc)
		}
	}
	if len(perrs) > 0 {
		return nil, &ParseErrors{Errs: perrs}
	}

	results := make([]*ScriptResult, 0, len(scripts))
	passed := 0
	for _, sc := range scripts {
		sess, err := s.NewSession()
		if err != nil {
			return results, err
		}
		r := &Runner{Session: sess, Update: s.Update, Log: true, LookupEnv: s.LookupEnv}
		if s.Verbose {
			r.Echo = s.Out
		}
		res := r.Run(ctx, sc)
		results = append(results, res)
		if res.Passed() {
			passed++
		}
		s.report(res)
		if ctx.Err() != nil {
			break
		}
	}
	fmt.Fprintf(s.Out, "%d passed, %d failed\n", passed, len(results)-passed)
	return results, nil
}

func (s *Suite) report(res *ScriptResult) {
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
			fmt.Fprintf(s.Out, "::error file=%s,line=%d::%s\n",
				ghEscapeProperty(f.Loc.File), f.Loc.Line, ghEscapeData(f.Command+": "+f.Msg+"\n"+f.Detail))
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
