package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/trovemem/trovemem/internal/atomicfile"
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
	a.Session, err = repl.NewSessionWithStores(stores, current, repl.WithFormat(format), repl.WithClock(a.Now))
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
// the store it builds, not its output.
func (a *app) loadScript(ctx context.Context) error {
	if a.load == "" {
		return nil
	}
	sc, err := parseScripts(a, []string{a.load})
	if err != nil {
		a.noSave = true
		return err
	}
	return a.loadInto(withProgress(ctx, a), a.Session, sc[0], a.stderr)
}

// loadInto replays the parsed --load script into sess, reporting
// failures on w.
func (a *app) loadInto(ctx context.Context, sess *repl.Session, sc *script.Script, w io.Writer) error {
	// A script's assertions are written against plain output, so it runs in
	// plain mode whatever the user's mode; the session keeps the user's for
	// what comes after.
	format := sess.Format()
	sess.SetFormat(repl.FormatPlain)
	defer sess.SetFormat(format)
	r := &script.Runner{Session: sess}
	if failed := reportFailures(w, r.Run(ctx, sc)); failed {
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
