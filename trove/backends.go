package trove

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trovemem/trovemem/driver"
)

// BackendInfo describes a mounted backend.
type BackendInfo struct {
	Name   string        `json:"name"`
	DSN    string        `json:"dsn"`
	Driver driver.Driver `json:"-"`
}

// Backends returns the mounted backends, the default first, then in the
// order they were mounted.
func (s *Store) Backends() []BackendInfo {
	cfg := s.cfg.Load()
	out := make([]BackendInfo, 0, len(cfg.order))
	for _, n := range cfg.order {
		out = append(out, BackendInfo{Name: n, DSN: cfg.dsns[n], Driver: cfg.drivers[n]})
	}
	return out
}

// Backend returns the driver mounted as name, pinned: operations on it
// bypass routing. It is how a test checks where an object landed. The
// driver is behind the portable layer; driver.Unwrap reaches the one that
// was mounted.
func (s *Store) Backend(name string) (driver.Driver, bool) {
	d, ok := s.cfg.Load().drivers[name]
	return d, ok
}

// AddBackend mounts drv as name. The store's buckets are created on it and
// any bucket it already has (a persistent backend, say) is created on the
// others, so the bucket namespace stays one across backends. As with Open,
// drv may be raw or wrapped.
func (s *Store) AddBackend(ctx context.Context, name string, drv driver.Driver) error {
	return s.addBackend(ctx, name, drv.Name()+"://", drv)
}

// Mount opens dsn through the driver registry and mounts it as name.
func (s *Store) Mount(ctx context.Context, name, dsn string, opts ...driver.Option) error {
	if err := s.checkNewBackend(name); err != nil {
		return err
	}
	drv, err := driver.OpenDSN(ctx, dsn, opts...)
	if err != nil {
		return fmt.Errorf("mount %s: %w", name, err)
	}
	if err := s.addBackend(ctx, name, dsn, drv); err != nil {
		_ = drv.Close(ctx)
		return err
	}
	return nil
}

// sameStorage returns the mounted backend that serves the same storage as
// drv (by driver.StorageID), or "". Two backends on one storage would each
// see the other's objects as copies to remove: a Put would delete the
// object it just wrote, and a rebalance every object as a duplicate.
func (cfg *config) sameStorage(drv driver.Driver) string {
	id := driver.StorageID(drv)
	if id == "" {
		return ""
	}
	for _, name := range cfg.order {
		if driver.StorageID(cfg.drivers[name]) == id {
			return name
		}
	}
	return ""
}

// ValidateBackendName checks a name to mount a backend under. Backend
// names are typed in commands and flags (--mount NAME=DSN, the
// comma-separated TROVEMEM_MOUNT), shown in tables and written into
// configs and dumps, so they are non-empty UTF-8 text of at most 64 bytes
// without spaces, control characters, '=' or ','; a name that broke any
// of those would read back as something else. The error wraps
// ErrInvalidName and is one line whatever the name holds.
func ValidateBackendName(name string) error {
	const maxLen = 64
	switch {
	case name == "":
		return fmt.Errorf("%w: backend name is empty", ErrInvalidName)
	case len(name) > maxLen:
		return fmt.Errorf("%w: backend name is %d bytes, the limit is %d", ErrInvalidName, len(name), maxLen)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: backend name %s is not valid UTF-8", ErrInvalidName, driver.QuoteName(name))
	}
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			return fmt.Errorf("%w: backend name %s holds white space (%q); use '-' or '_'", ErrInvalidName, driver.QuoteName(name), r)
		case !unicode.IsPrint(r):
			return fmt.Errorf("%w: backend name %s holds the control character %q", ErrInvalidName, driver.QuoteName(name), r)
		case r == '=' || r == ',':
			return fmt.Errorf("%w: backend name %s holds %q, which --mount NAME=DSN and TROVEMEM_MOUNT read as separators", ErrInvalidName, driver.QuoteName(name), r)
		}
	}
	return nil
}

func (s *Store) checkNewBackend(name string) error {
	if err := ValidateBackendName(name); err != nil {
		return fmt.Errorf("mount: %w", err)
	}
	if _, ok := s.cfg.Load().drivers[name]; ok {
		return fmt.Errorf("mount %s: %w", name, ErrBackendExists)
	}
	return nil
}

func (s *Store) addBackend(ctx context.Context, name, dsn string, drv driver.Driver) error {
	drv = driver.Wrap(drv)
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, err := s.live("mount", "", "")
	if err != nil {
		return err
	}
	if err := s.checkNewBackend(name); err != nil {
		return err
	}
	if other := cfg.sameStorage(drv); other != "" {
		return fmt.Errorf("mount %s: %w: backend %q already serves that storage", name, ErrSameStorage, other)
	}
	have, err := cfg.drivers[DefaultBackend].ListBuckets(ctx)
	if err != nil {
		return fmt.Errorf("mount %s: %w", name, err)
	}
	theirs, err := drv.ListBuckets(ctx)
	if err != nil {
		return fmt.Errorf("mount %s: %w", name, err)
	}
	u := s.undo(ctx)
	ensure := func(d driver.Driver, bucket string) error {
		err := d.CreateBucket(ctx, bucket)
		if err == nil && u != nil {
			u.createdBucket(d, bucket)
		}
		if errors.Is(err, ErrBucketExists) {
			return nil
		}
		return err
	}
	for _, b := range have {
		if err := ensure(drv, b.Name); err != nil {
			return fmt.Errorf("mount %s: %w", name, err)
		}
	}
	for _, b := range theirs {
		for _, other := range cfg.order {
			if err := ensure(cfg.drivers[other], b.Name); err != nil {
				return fmt.Errorf("mount %s: bucket %s: %w", name, b.Name, err)
			}
		}
	}
	next := cfg.clone()
	next.drivers[name] = drv
	next.dsns[name] = dsn
	next.order = append(next.order, name)
	s.publish(next)
	return nil
}

// RemoveBackend unmounts name and closes its driver. It refuses while the
// backend holds objects, unless force is set, in which case they are lost.
// Routes that named the backend stay, and are skipped (Explain says so)
// until it is mounted again.
func (s *Store) RemoveBackend(ctx context.Context, name string, force bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, err := s.live("unmount", "", "")
	if err != nil {
		return err
	}
	if name == DefaultBackend {
		return fmt.Errorf("unmount %s: %w", name, ErrDefaultBackend)
	}
	drv, ok := cfg.drivers[name]
	if !ok {
		return fmt.Errorf("unmount %s: %w", name, ErrUnknownBackend)
	}
	if !force {
		buckets, err := drv.ListBuckets(ctx)
		if err != nil {
			return fmt.Errorf("unmount %s: %w", name, err)
		}
		total := 0
		for _, b := range buckets {
			n, err := countObjects(ctx, drv, b.Name, 0)
			if err != nil {
				return fmt.Errorf("unmount %s: %w", name, err)
			}
			total += n
		}
		if total > 0 {
			noun := "objects"
			if total == 1 {
				noun = "object"
			}
			return fmt.Errorf("unmount %s: %w (%d %s; unmounting by force drops them)", name, ErrBackendNotEmpty, total, noun)
		}
	}
	next := cfg.clone()
	delete(next.drivers, name)
	delete(next.dsns, name)
	next.order = slices.DeleteFunc(next.order, func(n string) bool { return n == name })
	s.publish(next)
	if u := s.undo(ctx); u != nil {
		// Keep the driver, and its objects, until the change is committed.
		u.unmounted(drv)
		return nil
	}
	return drv.Close(ctx)
}

// AddRoute appends a pattern route. The backend must be mounted and the
// pattern valid; a pattern can be routed only once.
func (s *Store) AddRoute(pattern, backend string) error {
	return s.InsertRoute(-1, pattern, backend)
}

// InsertRoute adds a pattern route at position at among the pattern
// routes (0 is first; -1, or the number of routes, appends), as AddRoute
// does otherwise. Order decides which rule wins, so a class can put a
// rule where it belongs rather than only last.
func (s *Store) InsertRoute(at int, pattern, backend string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, err := s.live("route add", "", "")
	if err != nil {
		return err
	}
	if err := ValidatePattern(pattern); err != nil {
		return fmt.Errorf("route add: %w", err)
	}
	if _, ok := cfg.drivers[backend]; !ok {
		return fmt.Errorf("route add %q: %w %q (mounted: %s)", pattern, ErrUnknownBackend, backend, strings.Join(cfg.order, ", "))
	}
	for _, r := range cfg.routes {
		if r.Pattern == pattern {
			return fmt.Errorf("route add %q: %w (to %q)", pattern, ErrRouteExists, r.Backend)
		}
	}
	if at < 0 {
		at = len(cfg.routes)
	}
	if at > len(cfg.routes) {
		return fmt.Errorf("route add %q: %w: position %d of %d routes", pattern, ErrRouteNotFound, at+1, len(cfg.routes))
	}
	next := cfg.clone()
	next.routes = slices.Insert(next.routes, at, Route{Pattern: pattern, Backend: backend})
	s.publish(next)
	return nil
}

// RemoveRouteAt removes the pattern route at index i (from 0) and returns
// it.
func (s *Store) RemoveRouteAt(i int) (Route, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, err := s.live("route rm", "", "")
	if err != nil {
		return Route{}, err
	}
	if i < 0 || i >= len(cfg.routes) {
		return Route{}, fmt.Errorf("route rm: %w: no route at position %d (there are %d)", ErrRouteNotFound, i+1, len(cfg.routes))
	}
	r := cfg.routes[i]
	next := cfg.clone()
	next.routes = slices.Delete(next.routes, i, i+1)
	s.publish(next)
	return r, nil
}

// MoveRoute moves the pattern route at index from to index to (both from
// 0), shifting the ones between.
func (s *Store) MoveRoute(from, to int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, err := s.live("route move", "", "")
	if err != nil {
		return err
	}
	n := len(cfg.routes)
	if from < 0 || from >= n || to < 0 || to >= n {
		return fmt.Errorf("route move: %w: positions %d and %d, with %d routes", ErrRouteNotFound, from+1, to+1, n)
	}
	next := cfg.clone()
	r := next.routes[from]
	next.routes = slices.Insert(slices.Delete(next.routes, from, from+1), to, r)
	s.publish(next)
	return nil
}

// RemoveRoute removes the route with this pattern.
func (s *Store) RemoveRoute(pattern string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, err := s.live("route rm", "", "")
	if err != nil {
		return err
	}
	i := slices.IndexFunc(cfg.routes, func(r Route) bool { return r.Pattern == pattern })
	if i < 0 {
		return fmt.Errorf("route rm %q: %w", pattern, ErrRouteNotFound)
	}
	next := cfg.clone()
	next.routes = slices.Delete(next.routes, i, i+1)
	s.publish(next)
	return nil
}

// AddRouteFunc appends a named route function; it is consulted before every
// pattern route.
func (s *Store) AddRouteFunc(name string, fn RouteFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := s.cfg.Load().clone()
	next.funcs = append(next.funcs, RouteFuncInfo{Name: name, Func: fn})
	s.publish(next)
}

// Routes returns the pattern routes in the order they apply.
func (s *Store) Routes() []Route { return slices.Clone(s.cfg.Load().routes) }

// RouteFuncs returns the route functions in the order they apply.
func (s *Store) RouteFuncs() []RouteFuncInfo { return slices.Clone(s.cfg.Load().funcs) }
