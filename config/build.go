package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/localdriver"
	"github.com/trovemem/trovemem/trove"
)

// ResolveDSN makes a relative file:// DSN absolute against dir (the config
// file's folder, or the working folder for --mount), so the layout does not
// move when the process changes folder and a written-back layout names the
// same directory. Other DSNs come back unchanged.
func ResolveDSN(dsn, dir string) (string, error) {
	d, err := driver.ParseDSN(dsn)
	if err != nil || d.Scheme != localdriver.Scheme {
		return dsn, err
	}
	p, err := localdriver.ResolvePath(dsn)
	if err != nil {
		// Its errors quote the DSN, which people then see.
		return "", driver.RedactError(err, dsn)
	}
	if !filepath.IsAbs(p) {
		if dir == "" {
			if dir, err = filepath.Abs("."); err != nil {
				return "", err
			}
		}
		p = filepath.Join(dir, p)
	}
	return localdriver.Scheme + "://" + filepath.ToSlash(p), nil
}

// Build opens every store the config describes: its default driver, its
// backends, routes and buckets. Buckets that already exist (on a persistent
// backend, say) are fine. clock stamps new objects and buckets; nil means
// the wall clock. It returns the stores by name; cfg.Default names the one
// to start in. On error the stores opened so far are closed, and the error
// points at the part of the file it is about.
func Build(ctx context.Context, cfg *Config, clock func() time.Time) (map[string]*trove.Store, error) {
	var opts []driver.Option
	if clock != nil {
		opts = append(opts, driver.WithClock(clock))
	}
	stores := make(map[string]*trove.Store, len(cfg.Stores))
	for i := range cfg.Stores {
		s, err := cfg.buildStore(ctx, i, opts)
		if err != nil {
			for _, open := range stores {
				_ = open.Close(ctx)
			}
			return nil, err
		}
		stores[cfg.Stores[i].Name] = s
	}
	return stores, nil
}

func (cfg *Config) buildStore(ctx context.Context, i int, opts []driver.Option) (s *trove.Store, err error) {
	st := cfg.Stores[i]
	at := cfg.src.storePath(i)
	fail := func(path string, err error) error {
		e := cfg.src.errAt(path, fmt.Errorf("store %q: %w", st.Name, err))
		if e.File == "" {
			return e.Err
		}
		return e
	}
	dsn, err := ResolveDSN(st.StorageDriver, cfg.Dir)
	if err != nil {
		return nil, fail(at+".storage_driver", err)
	}
	drv, err := driver.OpenDSN(ctx, dsn, opts...)
	if err != nil {
		return nil, fail(at+".storage_driver", err)
	}
	var topts []trove.Option
	if st.DefaultBucket != "" {
		topts = append(topts, trove.WithDefaultBucket(st.DefaultBucket))
	}
	s, err = trove.Open(drv, topts...)
	if err != nil {
		_ = drv.Close(ctx)
		return nil, fail(at+".default_bucket", err)
	}
	// The store is passed in, not read from the named result: every failing
	// return below sets that result to nil before this runs.
	defer func(opened *trove.Store) {
		if err != nil {
			_ = opened.Close(ctx)
		}
	}(s)
	if err := s.SetBackendDSN(trove.DefaultBackend, dsn); err != nil {
		return nil, fail(at, err)
	}
	for j, b := range st.Backends {
		p := fmt.Sprintf("%s.backends[%d].storage_driver", at, j)
		bdsn, err := ResolveDSN(b.StorageDriver, cfg.Dir)
		if err != nil {
			return nil, fail(p, err)
		}
		if err := s.Mount(ctx, b.Name, bdsn, opts...); err != nil {
			return nil, fail(p, err)
		}
	}
	for j, r := range st.Routes {
		if err := s.AddRoute(r.Pattern, r.Backend); err != nil {
			return nil, fail(fmt.Sprintf("%s.routes[%d].pattern", at, j), err)
		}
	}
	for j, b := range st.Buckets {
		if err := s.CreateBucket(ctx, b); err != nil && !errors.Is(err, trove.ErrBucketExists) {
			return nil, fail(fmt.Sprintf("%s.buckets[%d]", at, j), err)
		}
	}
	return s, nil
}

// FromStores describes live stores as a config: order lists the store
// names in the order to write them, and current becomes the default. Parts
// a file cannot express (route functions, routes to a backend that is no
// longer mounted) are left out and said in Notes.
func FromStores(ctx context.Context, stores map[string]*trove.Store, order []string, current string) (*Config, error) {
	cfg := &Config{Default: current}
	for _, name := range order {
		s, ok := stores[name]
		if !ok {
			return nil, fmt.Errorf("%w %q", ErrUnknownStore, name)
		}
		st := StoreConfig{Name: name, DefaultBucket: s.DefaultBucket()}
		mounted := map[string]bool{}
		for _, b := range s.Backends() {
			mounted[b.Name] = true
			if b.Name == trove.DefaultBackend {
				st.StorageDriver = b.DSN
				continue
			}
			st.Backends = append(st.Backends, BackendConfig{Name: b.Name, StorageDriver: b.DSN})
		}
		buckets, err := s.ListBuckets(ctx)
		if err != nil {
			return nil, fmt.Errorf("store %q: %w", name, err)
		}
		for _, b := range buckets {
			st.Buckets = append(st.Buckets, b.Name)
		}
		for _, r := range s.Routes() {
			if !mounted[r.Backend] {
				cfg.Notes = append(cfg.Notes, fmt.Sprintf("store %s: route %q to backend %q left out: the backend is not mounted", name, r.Pattern, r.Backend))
				continue
			}
			st.Routes = append(st.Routes, RouteConfig{Pattern: r.Pattern, Backend: r.Backend})
		}
		for i, f := range s.RouteFuncs() {
			fname := f.Name
			if fname == "" {
				fname = fmt.Sprintf("func#%d", i+1)
			}
			cfg.Notes = append(cfg.Notes, fmt.Sprintf("store %s: route function %s applies before the routes below; a file cannot hold it", name, fname))
		}
		cfg.Stores = append(cfg.Stores, st)
	}
	return cfg, nil
}

// Marshal writes cfg as YAML that Parse reads back to the same layout,
// always in the multi-store shape, with Notes as leading comments.
func Marshal(cfg *Config) ([]byte, error) {
	body, err := yaml.MarshalWithOptions(cfg, yaml.IndentSequence(true))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, n := range cfg.Notes {
		b.WriteString("# ")
		b.WriteString(strings.ReplaceAll(n, "\n", " "))
		b.WriteByte('\n')
	}
	b.Write(body)
	return b.Bytes(), nil
}
