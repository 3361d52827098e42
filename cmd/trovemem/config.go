package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/trovemem/trovemem/config"
	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/repl"
	"github.com/trovemem/trovemem/trove"
)

// This file wires config files into the binary: --config FILE (default
// ./trovemem.yaml when present) and --no-config. A config's stores replace
// the single in-memory store; --mount and --route then apply to its default
// store.

// configFlags are the config flags of one run.
type configFlags struct {
	file   string
	none   bool
	others []*trove.Store // the config's stores other than the session's first
}

// configOf holds each run's config flags; app belongs to root.go, and a
// map keeps this file's state out of it. Tests may run apps in parallel.
var configOf = struct {
	sync.Mutex
	m map[*app]*configFlags
}{m: map[*app]*configFlags{}}

func configFor(a *app) *configFlags {
	configOf.Lock()
	defer configOf.Unlock()
	return configOf.m[a]
}

func init() {
	flagHooks = append(flagHooks, addConfigFlags)
	sessionHooks = append(sessionHooks, loadConfig)
	finishHooks = append(finishHooks, closeConfigStores)
}

func addConfigFlags(a *app, fs *pflag.FlagSet) {
	c := &configFlags{}
	configOf.Lock()
	configOf.m[a] = c
	configOf.Unlock()
	fs.StringVar(&c.file, "config", "", "load stores, backends and routes from the YAML `FILE` (default ./"+config.DefaultFile+" when present)")
	fs.BoolVar(&c.none, "no-config", false, "ignore ./"+config.DefaultFile)
}

// loadConfig replaces the session setup built with the config's stores,
// when there is a config: the store setup made is closed, and --mount and
// --route are applied again to the config's default store.
func loadConfig(ctx context.Context, a *app) error {
	c := configFor(a)
	if c == nil || c.none {
		return nil
	}
	path := c.file
	if path == "" {
		if _, err := os.Stat(config.DefaultFile); errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		path = config.DefaultFile
	}
	cfg, err := config.Load(path)
	if err != nil {
		return asUsage(configError(path, err))
	}
	stores, err := config.Build(ctx, cfg, a.Now)
	if err != nil {
		return asUsage(configError(path, err))
	}
	current := stores[cfg.Default]
	closeAll := func() {
		for _, st := range stores {
			_ = st.Close(context.WithoutCancel(ctx))
		}
	}
	if err := applyLayoutFlags(ctx, a, current); err != nil {
		closeAll()
		return err
	}
	opts := append([]repl.SessionOption{repl.WithFormat(a.Session.Format()), repl.WithClock(a.Now)}, a.SessionOptions...)
	s, err := repl.NewSessionWithStores(stores, cfg.Default, opts...)
	if err != nil {
		closeAll()
		return err
	}
	_ = a.Store.Close(context.WithoutCancel(ctx))
	a.Store, a.Session = current, s
	for name, st := range stores {
		if st != current {
			c.others = append(c.others, st)
		}
		reportStranded(ctx, a, name, st)
	}
	return nil
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

// applyLayoutFlags applies --mount and --route to st, as setup does to the
// store it builds; setup has already checked their syntax.
func applyLayoutFlags(ctx context.Context, a *app, st *trove.Store) error {
	for _, m := range a.mounts {
		name, dsn, _ := strings.Cut(m, "=")
		if err := st.Mount(ctx, name, dsn, driver.WithClock(a.Now)); err != nil {
			return asUsage(fmt.Errorf("--mount %q: %w", m, err))
		}
	}
	for _, r := range a.routes {
		i := strings.LastIndex(r, "=")
		if err := st.AddRoute(r[:i], r[i+1:]); err != nil {
			return asUsage(fmt.Errorf("--route %q: %w", r, err))
		}
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

func closeConfigStores(ctx context.Context, a *app, runErr error) error {
	c := configFor(a)
	if c == nil {
		return nil
	}
	configOf.Lock()
	delete(configOf.m, a)
	configOf.Unlock()
	var errs []error
	for _, st := range c.others {
		errs = append(errs, st.Close(context.WithoutCancel(ctx)))
	}
	return errors.Join(errs...)
}
