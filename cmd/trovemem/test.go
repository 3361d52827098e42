package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/trovemem/trovemem/internal/atomicfile"
	"github.com/trovemem/trovemem/internal/startstores"
	"github.com/trovemem/trovemem/repl"
	"github.com/trovemem/trovemem/script"
)

// This file adds `trovemem test`, which runs .trove scripts as tests, each
// in a fresh store, for CI.

// defaultScriptNow is the clock of scripts (run and test) when --now is
// not given: scripts compare output, so they must replay the same way
// every time and under both commands.
const defaultScriptNow = "2026-01-01T00:00:00Z"

// testOptions are test's own flags.
type testOptions struct {
	run       string
	junit     string
	update    bool
	record    bool
	verbose   bool
	timeout   time.Duration
	keepGoing bool
	keepWork  bool
	short     bool
	jobs      int
}

// defaultTestTimeout bounds each script of a test run unless --timeout
// says otherwise: long enough for any honest script, short enough that a
// hang in CI is reported within minutes rather than when the job is
// killed without a report.
const defaultTestTimeout = time.Minute

func newTestCmd(a *app) *cobra.Command {
	var o testOptions
	cmd := &cobra.Command{
		Use:   "test [PATH...]",
		Short: "Run .trove scripts as tests, each in a fresh store",
		Long: `test runs each script (directories are searched for *.trove, skipping
testdata, lib, directories starting with . or _ and files starting with _)
in a fresh store, and prints
one line per script (ok or FAIL, commands run, time), the failures with
FILE:LINE, the expected and actual output, and a closing line
"N passed, N failed, N skipped". A script that does not parse is reported as FAIL with
each problem at FILE:LINE:COL, and the others still run. test exits with
status 1 if any script failed, and 2 if any script does not parse (a broken
script is a usage error, as for run), or if no script was found under the
paths. When -run matches no script, test prints a warning on stderr and
exits 0, as go test -run does.

Scripts always run in plain output mode, whatever -o or TROVEMEM_OUTPUT say,
so their assertions mean the same everywhere.

--junit writes a JUnit XML report for GitLab, Jenkins and the like. When
GITHUB_ACTIONS=true, failures are also printed as ::error annotations.
The clock is fixed at ` + defaultScriptNow + ` unless --now says otherwise, so
timestamps in outputs are the same on every run.

--update rewrites "| " output blocks in place with the actual output (never
regexp assertions); a script that stops on any other failure is not
rewritten. A file sourced by several scripts is rewritten only when they
all agree on its output; otherwise each caller fails with a conflict that
names both, and the file stays as it was. --record adds a "| " block after
each command that succeeded, printed something and has none (the last
command of its line), so a session typed by hand becomes a golden test;
it changes no existing block (add --update for that). See trovemem run --help for the script syntax.

Each script runs in its own work folder, ${WORK} in the script, removed
afterwards unless --keep-work; relative file:// DSNs (mount data
file://./data) resolve against it, so scripts never see each other's files.
--timeout bounds each script (default 1m, 0 for none): a script that runs
out of time fails at the step it was on, and the report, the JUnit file and
the closing line are written all the same, as they are on Ctrl-C.
-j N runs N scripts at once (default: the number of CPUs); each script's
report is printed whole, in path order. A skip "reason" step ends a script
as skipped; [short] steps run only with --short, [env:NAME] ones only when
NAME is set. Files meant only to be sourced go in a lib/ folder, or get a
name starting with _, which test never runs on their own.`,
		Example: `  trovemem test
  trovemem test scripts/ -run 'quick|errors'
  trovemem test --junit report.xml scripts/
  trovemem test --update scripts/quickstart.trove
  trovemem test --record lesson.trove
  trovemem test -j 4 --timeout 30s --keep-going scripts/`,
		// Flags are parsed here rather than by cobra, so that Go's -run
		// spelling works next to --run (pflag reads -run as -r -u -n).
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			paths, help, err := parseTestFlags(cmd, args)
			if err != nil || help {
				return err
			}
			return a.runTests(cmd.Context(), o, paths)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.run, "run", "", "run only scripts whose name (file name without .trove) matches `REGEXP` (also -run)")
	fs.StringVar(&o.junit, "junit", "", "write a JUnit XML report to `FILE`")
	fs.BoolVar(&o.update, "update", false, "rewrite | blocks with the actual output")
	fs.BoolVar(&o.record, "record", false, "add | blocks with the actual output to commands that print something and have none")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "echo each command as it runs, and keep passing scripts' logs in the JUnit report")
	fs.DurationVar(&o.timeout, "timeout", defaultTestTimeout, "fail a script that runs longer than `D` (0: no limit)")
	fs.BoolVar(&o.keepGoing, "keep-going", false, "run each script on after its first failure")
	fs.BoolVar(&o.keepWork, "keep-work", false, "keep each script's work folder (${WORK}) and say where")
	fs.BoolVar(&o.short, "short", false, "make [short] conditions hold")
	fs.IntVarP(&o.jobs, "jobs", "j", runtime.NumCPU(), "run `N` scripts at once")
	return cmd
}

// parseTestFlags parses test's flags and the global ones, accepting the
// single-dash -run that Go's test tools use.
func parseTestFlags(cmd *cobra.Command, args []string) (paths []string, help bool, err error) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.SetOutput(cmd.ErrOrStderr())
	fs.Usage = func() {}
	fs.AddFlagSet(cmd.LocalNonPersistentFlags())
	fs.AddFlagSet(cmd.InheritedFlags())
	fixed := make([]string, len(args))
	for i, arg := range args {
		if arg == "--" {
			copy(fixed[i:], args[i:])
			break
		}
		if arg == "-run" || strings.HasPrefix(arg, "-run=") {
			arg = "-" + arg
		}
		fixed[i] = arg
	}
	if err := fs.Parse(fixed); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, true, cmd.Help()
		}
		return nil, false, asUsage(fmt.Errorf("%w (see %s --help)", err, cmd.CommandPath()))
	}
	// Cobra defines -h/--help on the command, so pflag parses it as a flag
	// like any other instead of returning ErrHelp.
	if h := fs.Lookup("help"); h != nil && h.Value.String() == "true" {
		return nil, true, cmd.Help()
	}
	paths = fs.Args()
	if len(paths) == 0 {
		paths = []string{"."}
	}
	return paths, false, nil
}

func (a *app) runTests(ctx context.Context, o testOptions, paths []string) error {
	if o.jobs < 1 {
		return asUsage(fmt.Errorf("-j %d: want 1 or more scripts at once", o.jobs))
	}
	if o.timeout < 0 {
		return asUsage(fmt.Errorf("--timeout %s: want 0 (no limit) or more", o.timeout))
	}
	suite := &script.Suite{
		Out:       a.stdout,
		Update:    o.update,
		Record:    o.record,
		Verbose:   o.verbose,
		GitHub:    os.Getenv("GITHUB_ACTIONS") == "true",
		Timeout:   o.timeout,
		KeepGoing: o.keepGoing,
		KeepWork:  o.keepWork,
		Short:     o.short,
		Jobs:      o.jobs,
	}
	if o.run != "" {
		re, err := regexp.Compile(o.run)
		if err != nil {
			return asUsage(fmt.Errorf("-run: %w", err))
		}
		suite.Filter = re
	}
	files, err := script.FindScripts(paths)
	if err != nil {
		return asUsage(err)
	}
	if o.junit != "" {
		// A report that cannot be written is found out now, not after a
		// long run whose results would then be lost.
		if err := checkWritable(o.junit, true); err != nil {
			return asUsage(fmt.Errorf("--junit: %w", err))
		}
	}
	scriptOutput(a)
	a.noSave = true
	fixScriptClock(a)
	fresh, err := a.scriptSessions(ctx)
	if err != nil {
		return a.finish(ctx, err)
	}
	suite.NewSession = fresh
	results, err := suite.Run(withProgress(ctx, a), files)
	if err != nil {
		return a.finish(ctx, err)
	}
	if suite.Filter != nil && len(results) == 0 && ctx.Err() == nil {
		fmt.Fprintf(a.stderr, "warning: -run %s matches none of the %d scripts found\n", repl.Quote(o.run), len(files))
	}
	if o.junit != "" {
		werr := atomicfile.Write(o.junit, func(w io.Writer) error {
			return script.WriteJUnit(w, "trovemem", results)
		})
		if werr != nil {
			return a.finish(ctx, asUsage(fmt.Errorf("--junit: %w", werr)))
		}
	}
	if ctx.Err() != nil {
		return a.finish(ctx, errInterrupted)
	}
	failed, broken := false, false
	for _, r := range results {
		failed = failed || !r.Passed()
		broken = broken || r.Err != nil
	}
	switch {
	case broken:
		return a.finish(ctx, asUsage(errReported))
	case failed:
		return a.finish(ctx, errReported)
	}
	return a.finish(ctx, nil)
}

// checkWritable makes sure a file can be written at path, by creating and
// removing a file next to it, without touching path itself. With mkdir
// it first creates the missing folders, as CI jobs expect of a report
// path; a --save dump does not, since a mistyped folder there is more
// likely a slip than a wish.
func checkWritable(path string, mkdir bool) error {
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	dir := filepath.Dir(path)
	if mkdir {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	probe, err := os.CreateTemp(dir, "."+filepath.Base(path)+".probe*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			// The probe's name means nothing to the user; the folder does.
			return &fs.PathError{Op: "create a file in", Path: dir, Err: pe.Err}
		}
		return err
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// scriptSessions returns a function that builds a new store and session
// from the global flags for every call: each test script starts from the
// same state (the mounts, routes and --load the command line asked for),
// none sees another's objects, and scripts running at once (-j) share
// nothing but the streams notes go to. The session resolves relative
// file:// DSNs against the script's work folder.
func (a *app) scriptSessions(ctx context.Context) (func(work string) (*repl.Session, func(), error), error) {
	if err := a.parseNow(); err != nil {
		return nil, err
	}
	var load *script.Script
	if a.load != "" {
		sc, err := parseScripts(a, []string{a.load})
		if err != nil {
			return nil, err
		}
		load = sc[0]
	}
	notes := &lockedWriter{mu: new(sync.Mutex), w: a.stderr}
	now := a.Now
	return func(work string) (*repl.Session, func(), error) {
		stores, current, err := startstores.Open(ctx, startstores.Options{
			ConfigFile: a.configFile, NoConfig: a.noConfig,
			Mounts: a.mounts, Routes: a.routes,
			Now: now, Notes: notes,
		})
		if err != nil {
			return nil, nil, asUsage(err)
		}
		closeAll := func() {
			for _, st := range stores {
				_ = st.Close(context.WithoutCancel(ctx))
			}
		}
		sess, err := repl.NewSessionWithStores(stores, current, repl.WithFormat(repl.FormatPlain),
			repl.WithClock(now), repl.WithWorkDir(work))
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		if load != nil {
			if err := a.loadInto(ctx, sess, load, notes); err != nil {
				closeAll()
				return nil, nil, err
			}
		}
		return sess, closeAll, nil
	}, nil
}

// loadInto replays the parsed --load script into a script's session, in
// plain mode, reporting failures on w.
func (a *app) loadInto(ctx context.Context, sess *repl.Session, sc *script.Script, w io.Writer) error {
	format := sess.Format()
	sess.SetFormat(repl.FormatPlain)
	defer sess.SetFormat(format)
	r := &script.Runner{Session: sess}
	if failed := reportFailures(w, r.Run(ctx, sc)); failed {
		return fmt.Errorf("--load %s: %w", a.load, errReported)
	}
	return nil
}

// fixScriptClock fixes the clock at defaultScriptNow unless --now (or
// TROVEMEM_NOW) chose one, so timestamps are the same every run.
func fixScriptClock(a *app) {
	if a.now == "" {
		a.now = defaultScriptNow
	}
}
