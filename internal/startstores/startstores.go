// Package startstores opens the stores trovemem starts with, from its
// global flags: a config file's (--config FILE, or ./trovemem.yaml when it
// exists, unless --no-config), or else one in-memory store, with --mount
// and --route applied to the current one.
package startstores

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
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/repl"
	"github.com/trovemem/trovemem/trove"
)

// Options are the flags Open reads.
type Options struct {
	ConfigFile string   // --config
	NoConfig   bool     // --no-config
	Mounts     []string // --mount NAME=DSN
	Routes     []string // --route PATTERN=BACKEND
	// Now is the clock of the default driver and every mounted one.
	Now func() time.Time
	// Notes receives start-up notes (objects a config's routes strand).
	Notes io.Writer
}

// Open checks the syntax of --mount and --route, opens the stores and
// applies the mounts and routes to the current store. It returns the
// stores by name and the current one's name; on an error it closes what
// it opened. Its errors are all the user's: a bad flag or config file.
func Open(ctx context.Context, o Options) (map[string]*trove.Store, string, error) {
	mounts, routes, err := layoutFlags(o.Mounts, o.Routes)
	if err != nil {
		return nil, "", err
	}
	stores, current, fromConfig, err := openStores(ctx, o)
	if err != nil {
		return nil, "", err
	}
	st := stores[current]
	fail := func(err error) (map[string]*trove.Store, string, error) {
		for _, st := range stores {
			_ = st.Close(context.WithoutCancel(ctx))
		}
		return nil, "", err
	}
	for _, m := range mounts {
		if err := st.Mount(ctx, m.name, m.dsn, driver.WithClock(o.Now)); err != nil {
			return fail(fmt.Errorf("--mount %q: %w", m.name+"="+driver.RedactDSN(m.dsn), err))
		}
	}
	for _, r := range routes {
		if err := st.AddRoute(r.pattern, r.backend); err != nil {
			return fail(fmt.Errorf("--route %q: %w", r.pattern+"="+r.backend, err))
		}
	}
	if fromConfig && o.Notes != nil {
		for name, st := range stores {
			reportStranded(ctx, o.Notes, name, st)
		}
	}
	return stores, current, nil
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
			return nil, nil, fmt.Errorf("--mount %q: want NAME=DSN, as in fast=mem://", driver.RedactDSN(m))
		}
		ms = append(ms, mountFlag{name, dsn})
	}
	for _, r := range routes {
		// Backend names never hold '=', patterns might: split at the last.
		i := strings.LastIndex(r, "=")
		if i <= 0 || i == len(r)-1 {
			return nil, nil, fmt.Errorf("--route %q: want PATTERN=BACKEND, as in 'hot/**=fast'", r)
		}
		rs = append(rs, routeFlag{r[:i], r[i+1:]})
	}
	return ms, rs, nil
}

// openStores opens the stores of the config file (--config FILE, or
// ./trovemem.yaml when it exists, unless --no-config), or else one
// in-memory store named main. It returns them by name with the current
// one's name.
func openStores(ctx context.Context, o Options) (stores map[string]*trove.Store, current string, fromConfig bool, err error) {
	path := o.ConfigFile
	if path == "" && !o.NoConfig {
		if _, err := os.Stat(config.DefaultFile); !errors.Is(err, fs.ErrNotExist) {
			path = config.DefaultFile
		}
	}
	if o.NoConfig || path == "" {
		st, err := trove.Open(memdriver.New(driver.WithClock(o.Now)))
		if err != nil {
			return nil, "", false, err
		}
		return map[string]*trove.Store{repl.DefaultStoreName: st}, repl.DefaultStoreName, false, nil
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, "", false, configError(path, err)
	}
	stores, err = config.Build(ctx, cfg, o.Now)
	if err != nil {
		return nil, "", false, configError(path, err)
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

// maxStrandedNamed bounds the keys named in the start-up note.
const maxStrandedNamed = 3

// reportStranded says on stderr, at start-up, which objects the config's
// layout strands on persistent backends, so a later get that misses them is
// no surprise.
func reportStranded(ctx context.Context, w io.Writer, name string, st *trove.Store) {
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
	fmt.Fprintf(w, "note: store %s: %d %s stranded by the config's routes (%s); rebalance moves them\n",
		name, len(objs), noun, strings.Join(keys, ", "))
}
