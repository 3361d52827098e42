package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"golang.org/x/term"

	"github.com/trovemem/trovemem/internal/atomicfile"
	"github.com/trovemem/trovemem/internal/memtune"
	"github.com/trovemem/trovemem/internal/startstores"
	"github.com/trovemem/trovemem/repl"
	"github.com/trovemem/trovemem/script"
)

// setup builds the stores and the session from the global flags, in the
// order a run needs them: the output mode and clock, the stores (a
// config's, or one in-memory store), --mount and --route on the current
// store, the session, then --load. It is idempotent, so subcommands can
// call it freely; finish undoes it.
func (a *app) setup(ctx context.Context) error {
	if a.Session != nil {
		return nil
	}
	if a.save != "" && !a.noSave {
		// A dump that cannot be written is found out now, as --junit's
		// report is, not when the session's work is done and would be lost.
		if err := checkWritable(a.save, false); err != nil {
			a.noSave = true
			return asUsage(fmt.Errorf("--save: %w", err))
		}
	}
	format := repl.FormatPlain
	if isTerminal(a.stdout) {
		format = repl.FormatTable
	}
	if a.output != "" {
		f, err := repl.ParseFormat(a.output)
		if err != nil {
			return asUsage(fmt.Errorf("--output: %w", err))
		}
		format = f
	}
	if err := a.parseNow(); err != nil {
		return err
	}
	// Open the stores (the config's, or one in-memory store) with --mount
	// and --route applied to the current one. Every error there is the
	// user's: a bad flag or config.
	stores, current, err := startstores.Open(ctx, startstores.Options{
		ConfigFile: a.configFile, NoConfig: a.noConfig,
		Mounts: a.mounts, Routes: a.routes,
		Now: a.Now, Notes: a.stderr,
	})
	if err != nil {
		return asUsage(err)
	}
	for _, st := range stores {
		a.stores = append(a.stores, st)
	}
	a.Store = stores[current]

	// The session.
	opts := []repl.SessionOption{repl.WithFormat(format), repl.WithClock(a.Now), repl.WithNotes(a.stderr), repl.WithSource(a.sourceScript),
		repl.WithErrorReporter(func(w io.Writer, err error) { report(w, err, a.Session.Format().IsJSON()) })}
	if f, ok := a.stdout.(*os.File); ok && isTerminal(f) {
		opts = append(opts, repl.WithWidth(func() int {
			w, _, err := term.GetSize(int(f.Fd()))
			if err != nil {
				return 0
			}
			return w
		}))
		if cmd := a.pagerCommand(); cmd != "" {
			p := &pager{cmd: cmd, tty: f, stderr: a.stderr, running: &a.paging}
			opts = append(opts, repl.WithPager(p.page))
		}
	}
	if a.stdinFree {
		// put --file - reads standard input only where commands do not.
		opts = append(opts, repl.WithStdin(a.stdin))
	}
	a.Session, err = repl.NewSessionWithStores(stores, current, opts...)
	if err != nil {
		return err
	}

	// --load.
	return a.loadScript(ctx)
}

// parseNow sets the clock from --now, when given.
func (a *app) parseNow() error {
	if a.now == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, a.now)
	if err != nil {
		return asUsage(fmt.Errorf("--now %q: want RFC 3339 time such as 2026-01-01T00:00:00Z", a.now))
	}
	if err := repl.CheckStamp(t); err != nil {
		// Every object would get a time its dump cannot load.
		return asUsage(fmt.Errorf("--now %q: %w", a.now, err))
	}
	a.Now = func() time.Time { return t }
	return nil
}

// finish writes --save and closes every store setup opened; it returns
// runErr, or the first error of its own when runErr is nil.
func (a *app) finish(ctx context.Context, runErr error) error {
	if err := a.saveDump(ctx); err != nil && runErr == nil {
		runErr = err
	}
	if err := a.closeStores(ctx); err != nil && runErr == nil {
		runErr = err
	}
	return runErr
}

// closeStores closes the stores setup opened. It leaves a.Store and
// a.Session as they are: a command abandoned on an interrupt may still be
// reading them.
func (a *app) closeStores(ctx context.Context) error {
	var errs []error
	for _, st := range a.stores {
		errs = append(errs, st.Close(context.WithoutCancel(ctx)))
	}
	a.stores = nil
	return errors.Join(errs...)
}

// loadScript replays --load into the new session, silently: the point is
// the store it builds, not its output. SIGINT stops it, whichever command
// it starts (the REPL, run and test install no handler of their own this
// early): the load ends with errInterrupted, exit status 130, and --save
// is not written from the half-loaded store.
func (a *app) loadScript(ctx context.Context) error {
	if a.load == "" {
		return nil
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	defer memtune.Bound()()
	if fi, err := os.Stat(a.load); a.load == "-" || err != nil || !fi.Mode().IsRegular() {
		// Standard input, a pipe (--load <(gen)) or a device can be read
		// only once, so it is parsed whole; a path that cannot be statted
		// gets ParseFile's message.
		sc, err := parseScripts(a, []string{a.load})
		if err != nil {
			a.noSave = true
			return err
		}
		return a.replayLoad(ctx, func(r *script.Runner) (*script.ScriptResult, error) { return r.Run(ctx, sc[0]), nil })
	}
	// A regular file is read twice, a chunk at a time: once to refuse a
	// broken file before any of it runs, once to run it. A dump of a million
	// objects then costs the memory of the objects, not of the file too.
	p := script.NewScriptParser()
	if err := streamFile(a.load, func(f io.Reader) error { return p.CheckReader(a.load, f) }); err != nil {
		a.noSave = true
		var pe *script.ParseErrors
		if errors.As(err, &pe) {
			printParseErrors(a.stderr, pe.Errs)
			return asUsage(errReported)
		}
		return asUsage(err)
	}
	return a.replayLoad(ctx, func(r *script.Runner) (res *script.ScriptResult, err error) {
		err = streamFile(a.load, func(f io.Reader) error {
			res, err = r.RunReader(ctx, p, a.load, f)
			return err
		})
		return res, err
	})
}

// sourceScript is the source command (psql's \i): it parses FILE whole,
// then replays it into the session as run does, in plain output with its
// assertions checked, printing each failure as run prints it. Parse errors
// are a usage error; a failure in the script fails the command, leaving
// what the commands before it did.
func (a *app) sourceScript(ctx context.Context, s *repl.Session, path string) error {
	sc, err := script.NewScriptParser().ParseFile(path)
	var pe *script.ParseErrors
	if errors.As(err, &pe) {
		printParseErrors(a.stderr, pe.Errs)
		return asUsage(errReported)
	}
	if err != nil {
		return err
	}
	format := s.Format()
	s.SetFormat(repl.FormatPlain)
	defer s.SetFormat(format)
	r := &script.Runner{Session: s, Stdout: a.stdout,
		OnFailure: func(f *script.Failure) { fmt.Fprintln(a.stderr, f.Report()) }}
	res := r.Run(ctx, sc)
	r.EndLine()
	if err := ctx.Err(); err != nil {
		return err
	}
	if !res.Passed() {
		return errReported
	}
	return nil
}

// streamFile opens path and hands it to read.
func streamFile(path string, read func(io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return read(f)
}

// replayLoad runs --load through replay in plain mode, and reports its
// failures.
func (a *app) replayLoad(ctx context.Context, replay func(*script.Runner) (*script.ScriptResult, error)) error {
	ctx = withProgress(ctx, a)
	// A script's assertions are written against plain output, so it runs in
	// plain mode whatever the user's mode; the session keeps the user's for
	// what comes after.
	format := a.Session.Format()
	a.Session.SetFormat(repl.FormatPlain)
	defer a.Session.SetFormat(format)
	res, err := replay(&script.Runner{Session: a.Session})
	if ctx.Err() != nil {
		a.noSave = true
		return errInterrupted
	}
	if err != nil {
		a.noSave = true
		return fmt.Errorf("--load %s: %w", a.load, err)
	}
	if failed := reportFailures(a.stderr, res); failed {
		a.noSave = true
		return fmt.Errorf("--load %s: %w", a.load, errReported)
	}
	return nil
}

// saveDump writes --save when trovemem is done, whatever the outcome, so
// the work of a session that ended on a failed command is kept too.
func (a *app) saveDump(ctx context.Context) error {
	if a.save == "" || a.noSave || a.Session == nil {
		return nil
	}
	ctx = withProgress(context.WithoutCancel(ctx), a)
	err := atomicfile.Write(a.save, func(w io.Writer) error {
		return repl.DumpSession(ctx, a.Session, w)
	})
	if err != nil {
		return fmt.Errorf("--save %s: %w", a.save, err)
	}
	return nil
}
