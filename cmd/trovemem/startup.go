package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/trovemem/trovemem/config"
	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/internal/atomicfile"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/repl"
	"github.com/trovemem/trovemem/script"
	"github.com/trovemem/trovemem/trove"
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
	if a.now != "" {
		t, err := time.Parse(time.RFC3339Nano, a.now)
		if err != nil {
			return asUsage(fmt.Errorf("--now %q: want RFC 3339 time such as 2026-01-01T00:00:00Z", a.now))
		}
		a.Now = func() time.Time { return t }
	}
	mounts, routes, err := layoutFlags(a.mounts, a.routes)
	if err != nil {
		return err
	}

	// Open the stores: the config's, or the one in-memory store.
	stores, current, fromConfig, err := a.openStores(ctx)
	if err != nil {
		return err
	}
	for _, st := range stores {
		a.stores = append(a.stores, st)
	}
	a.Store = stores[current]

	// Mounts and routes apply to the current store.
	for _, m := range mounts {
		if err := a.Store.Mount(ctx, m.name, m.dsn, driver.WithClock(a.Now)); err != nil {
			return asUsage(fmt.Errorf("--mount %q: %w", m.name+"="+driver.RedactDSN(m.dsn), err))
		}
	}
	for _, r := range routes {
		if err := a.Store.AddRoute(r.pattern, r.backend); err != nil {
			return asUsage(fmt.Errorf("--route %q: %w", r.pattern+"="+r.backend, err))
		}
	}

	// The session.
	a.Session, err = repl.NewSessionWithStores(stores, current, repl.WithFormat(format), repl.WithClock(a.Now))
	if err != nil {
		return err
	}
	if fromConfig {
		for name, st := range stores {
			reportStranded(ctx, a, name, st)
		}
	}

	// --load.
	return a.loadScript(ctx)
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

// mountFlag and routeFlag are --mount NAME=DSN and --route PATTERN=BACKEND.
type (
	mountFlag struct{ name, dsn string }
	routeFlag struct{ pattern, backend string }
)

// layoutFlags checks the syntax of --mount and --route before anything
// is opened.
func layoutFlags(mounts, routes []string) ([]mountFlag, []routeFlag, error) {
	var (
		ms []mountFlag
		rs []routeFlag
	)
	for _, m := range mounts {
		name, dsn, ok := strings.Cut(m, "=")
		if !ok || name == "" || dsn == "" {
			return nil, nil, asUsage(fmt.Errorf("--mount %q: want NAME=DSN, as in fast=mem://", driver.RedactDSN(m)))
		}
		ms = append(ms, mountFlag{name, dsn})
	}
	for _, r := range routes {
		// Backend names never hold '=', patterns might: split at the last.
		i := strings.LastIndex(r, "=")
		if i <= 0 || i == len(r)-1 {
			return nil, nil, asUsage(fmt.Errorf("--route %q: want PATTERN=BACKEND, as in 'hot/**=fast'", r))
		}
		rs = append(rs, routeFlag{r[:i], r[i+1:]})
	}
	return ms, rs, nil
}

// openStores opens the stores of the config file (--config FILE, or
// ./trovemem.yaml when it exists, unless --no-config), or else one
// in-memory store named main. It returns them by name with the current
// one's name.
func (a *app) openStores(ctx context.Context) (stores map[string]*trove.Store, current string, fromConfig bool, err error) {
	path := a.configFile
	if path == "" && !a.noConfig {
		if _, err := os.Stat(config.DefaultFile); !errors.Is(err, fs.ErrNotExist) {
			path = config.DefaultFile
		}
	}
	if a.noConfig || path == "" {
		st, err := trove.Open(memdriver.New(driver.WithClock(a.Now)))
		if err != nil {
			return nil, "", false, err
		}
		return map[string]*trove.Store{repl.DefaultStoreName: st}, repl.DefaultStoreName, false, nil
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, "", false, asUsage(configError(path, err))
	}
	stores, err = config.Build(ctx, cfg, a.Now)
	if err != nil {
		return nil, "", false, asUsage(configError(path, err))
	}
	return stores, cfg.Default, true, nil
}

// configError makes sure a config error names its file, which config's
// own errors do already.
func configError(path string, err error) error {
	var ce *config.Error
	if errors.As(err, &ce) {
		return err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("--config: %w", err)
	}
	return fmt.Errorf("config %s: %w", path, err)
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
	ctx = withProgress(ctx, a)
	// A script's assertions are written against plain output, so it runs in
	// plain mode whatever the user's mode; the session keeps the user's for
	// what comes after.
	format := a.Session.Format()
	a.Session.SetFormat(repl.FormatPlain)
	defer a.Session.SetFormat(format)
	r := &script.Runner{Session: a.Session}
	if failed := reportFailures(a.stderr, r.Run(ctx, sc[0])); failed {
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

// maxStrandedNamed bounds the keys named in the start-up note.
const maxStrandedNamed = 3

// reportStranded says on stderr, at start-up, which objects the config's
// layout strands on persistent backends, so a later get that misses them is
// no surprise.
func reportStranded(ctx context.Context, a *app, name string, st *trove.Store) {
	objs, err := st.Stranded(ctx)
	if err != nil || len(objs) == 0 {
		return
	}
	var keys []string
	for i, o := range objs {
		if i == maxStrandedNamed {
			keys = append(keys, "…")
			break
		}
		keys = append(keys, o.Bucket+"/"+repl.Quote(o.Key))
	}
	noun := "objects"
	if len(objs) == 1 {
		noun = "object"
	}
	fmt.Fprintf(a.stderr, "note: store %s: %d %s stranded by the config's routes (%s); rebalance moves them\n",
		name, len(objs), noun, strings.Join(keys, ", "))
}
