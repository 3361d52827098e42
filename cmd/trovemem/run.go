package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/trovemem/trovemem/internal/progress"
	"github.com/trovemem/trovemem/repl"
	"github.com/trovemem/trovemem/script"
)

// This file adds `trovemem run`.

// scriptOutput makes run and test render plain output, whatever -o,
// TROVEMEM_OUTPUT or the terminal say: a script's assertions and | blocks
// are written against plain output, and must mean the same on every
// machine and in every environment. The user's choice is kept only to
// decide on progress bars.
func scriptOutput(a *app) {
	a.forcedPlain, a.userOutput = true, a.output
	a.output = string(repl.FormatPlain)
}

// parseScripts reads and parses every file ("-" is stdin) before anything
// runs. Parse errors are all printed, and returned as a usage error (exit
// status 2); so is a file that cannot be read.
func parseScripts(a *app, paths []string) ([]*script.Script, error) {
	p := script.NewScriptParser()
	var (
		scripts []*script.Script
		perrs   []*script.ParseError
	)
	for _, path := range paths {
		sc, err := parseWhole(a, p, path, &perrs)
		if err != nil {
			return nil, err
		}
		if sc != nil {
			scripts = append(scripts, sc)
		}
	}
	if len(perrs) > 0 {
		printParseErrors(a.stderr, perrs)
		return nil, asUsage(errReported)
	}
	return scripts, nil
}

// checkedScript is a script run will replay: one parsed whole (standard
// input or a pipe, which can be read only once), or a regular file checked
// by p, to be read again and run a chunk at a time.
type checkedScript struct {
	sc   *script.Script
	path string
	p    *script.ScriptParser
}

// checkScripts checks every script before anything runs, as parseScripts
// does, with the same errors, but keeps no file in memory: each is checked
// a chunk at a time (on every core), and run replays it the same way while
// the next chunk is parsed, so a long script costs neither its parse tree's
// memory nor a core's worth of waiting.
func checkScripts(a *app, paths []string) ([]checkedScript, error) {
	var (
		scripts []checkedScript
		perrs   []*script.ParseError
	)
	for _, path := range paths {
		if fi, err := os.Stat(path); path == "-" || err != nil || !fi.Mode().IsRegular() {
			// Standard input, a pipe (<(gen)) or a device can be read only
			// once: it is parsed whole. So is a file that cannot be
			// statted, for ParseFile's message.
			sc, err := parseWhole(a, script.NewScriptParser(), path, &perrs)
			if err != nil {
				return nil, err
			}
			if sc != nil {
				scripts = append(scripts, checkedScript{sc: sc})
			}
			continue
		}
		p := script.NewScriptParser()
		err := streamFile(path, func(f io.Reader) error { return p.CheckReader(path, f) })
		var pe *script.ParseErrors
		switch {
		case errors.As(err, &pe):
			perrs = append(perrs, pe.Errs...)
		case err != nil:
			return nil, asUsage(err)
		default:
			scripts = append(scripts, checkedScript{path: path, p: p})
		}
	}
	if len(perrs) > 0 {
		printParseErrors(a.stderr, perrs)
		return nil, asUsage(errReported)
	}
	return scripts, nil
}

// parseWhole reads and parses one script whole with p ("-" is stdin). Its
// parse errors are added to perrs, and it returns no script then; any
// other error is a usage error.
func parseWhole(a *app, p *script.ScriptParser, path string, perrs *[]*script.ParseError) (*script.Script, error) {
	var (
		sc  *script.Script
		err error
	)
	if path == "-" {
		data, rerr := io.ReadAll(a.stdin)
		if rerr != nil {
			return nil, asUsage(fmt.Errorf("read stdin: %w", rerr))
		}
		sc, err = p.Parse(script.StdinName, data)
	} else {
		sc, err = p.ParseFile(path)
	}
	var pe *script.ParseErrors
	switch {
	case errors.As(err, &pe):
		*perrs = append(*perrs, pe.Errs...)
		return nil, nil
	case err != nil:
		return nil, asUsage(err)
	}
	return sc, nil
}

func printParseErrors(w io.Writer, errs []*script.ParseError) {
	for _, e := range errs {
		fmt.Fprintln(w, e)
	}
}

// reportFailures prints a result's failures, each as FILE:LINE: CMD:
// what went wrong, and the expected and actual output; it reports whether
// there were any.
func reportFailures(w io.Writer, res *script.ScriptResult) bool {
	for _, f := range res.Failures {
		fmt.Fprintln(w, f.Report())
	}
	return !res.Passed()
}

func newRunCmd(a *app) *cobra.Command {
	var (
		keepGoing bool
		verbose   bool
	)
	cmd := &cobra.Command{
		Use:   "run FILE...",
		Short: "Replay .trove scripts into one store, stopping at the first failure",
		Long: `run replays scripts, in order, into one store. Each command's output is
printed as it runs. A script stops at its first failure: a command that fails
(unless marked ! or ?), a ! command that succeeds, an assertion (stdout, stderr,
| blocks) that does not hold. The failure is printed as FILE:LINE: CMD: what
went wrong, with the expected and actual output, and run exits with status 1.
Every file is parsed before anything runs; parse errors exit with status 2.
Scripts always run in plain output mode, whatever -o or TROVEMEM_OUTPUT say,
and with the clock fixed at ` + defaultScriptNow + ` unless --now says otherwise,
so their assertions mean the same everywhere and under run and test alike.
Output that does not end with a newline (get prints stored bytes as they
are) is followed by one on the screen before the next output or failure;
assertions see the exact bytes.

Script syntax: the REPL's lines, plus
  ! CMD                   CMD must fail        ? CMD     CMD may fail
  stdout 'RE'             the last command's output matches RE (! stdout: does not)
  stderr 'RE'             its error message matches RE
  | TEXT                  exact expected output lines of the command above (| alone: one empty
                          line; a command that prints nothing has no block: ! stdout . says so)
  set NAME VALUE          define ${NAME} (else ${NAME} comes from the environment)
  let NAME = stdout 'RE'  define ${NAME} from RE's first group; ls sets ${cursor}
  source FILE             run FILE, relative to this script, in the same store`,
		Example: `  trovemem run scripts/quickstart.trove
  trovemem --now 2026-01-01T00:00:00Z run -v setup.trove checks.trove
  trovemem --save backup.trove run setup.trove
  cat setup.trove | trovemem run -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			scriptOutput(a)
			fixScriptClock(a)
			scripts, err := checkScripts(a, args)
			if err != nil {
				return err
			}
			if err := a.setup(ctx); err != nil {
				return a.finish(ctx, err)
			}
			return a.finish(ctx, runScripts(withProgress(ctx, a), a, scripts, keepGoing, verbose))
		},
	}
	cmd.Flags().BoolVar(&keepGoing, "keep-going", false, "run on after a failure, and fail at the end")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "echo each command to stderr as it runs (+ CMD), with the error of a ! or ? command that failed")
	return cmd
}

// replayScript runs one script with r: a parsed one whole, a checked file
// a chunk at a time. A file that no longer reads or parses as it did when
// checked is an error.
func replayScript(ctx context.Context, r *script.Runner, cs checkedScript) (res *script.ScriptResult, err error) {
	if cs.sc != nil {
		return r.Run(ctx, cs.sc), nil
	}
	err = streamFile(cs.path, func(f io.Reader) error {
		res, err = r.RunReader(ctx, cs.p, cs.path, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", cs.path, err)
	}
	return res, nil
}

// runScripts replays scripts into the app's session.
func runScripts(ctx context.Context, a *app, scripts []checkedScript, keepGoing, verbose bool) error {
	// Failures are printed as they happen, right under the output they are
	// about, after the runner has ended any unfinished line.
	r := &script.Runner{Session: a.Session, Stdout: a.stdout, KeepGoing: keepGoing,
		OnFailure: func(f *script.Failure) { fmt.Fprintln(a.stderr, f.Report()) }}
	if verbose {
		r.Echo = a.stderr
	}
	failed := false
	for _, cs := range scripts {
		res, err := replayScript(ctx, r, cs)
		if err != nil {
			r.EndLine()
			return err
		}
		if !res.Passed() {
			failed = true
			if !keepGoing {
				break
			}
		}
		if ctx.Err() != nil {
			// The message that follows starts on a line of its own.
			r.EndLine()
			return errInterrupted
		}
		if res.Exited {
			break
		}
	}
	if failed {
		return errReported
	}
	return nil
}

// withProgress installs progress bars for long operations when a person
// is watching: stderr is a terminal and the output mode the user chose (or
// got, by stdout being a terminal) is table. Plain and JSON output are for
// programs, and never get progress.
func withProgress(ctx context.Context, a *app) context.Context {
	chosen := a.output
	if a.forcedPlain {
		chosen = a.userOutput
	}
	if chosen == "" && isTerminal(a.stdout) {
		chosen = string(repl.FormatTable)
	}
	if chosen != string(repl.FormatTable) || !isTerminal(a.stderr) {
		return ctx
	}
	return repl.WithProgress(ctx, progress.New(a.stderr, time.Second))
}
