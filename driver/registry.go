package driver

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// Opener opens the driver a DSN of its scheme names, with opts applied,
// and returns it ready for use: there is no unopened driver. It returns the
// raw driver; OpenDSN puts the portable layer (Wrap) in front of it. The
// DSN's scheme is the one the opener was registered for.
type Opener func(ctx context.Context, dsn *DSN, opts ...Option) (Driver, error)

var registry struct {
	sync.RWMutex
	m map[string]Opener
}

// Register makes a driver available under scheme, so DSNs "scheme://…"
// resolve to it. Drivers call it from init; registering a scheme twice
// panics, since that is a programming error caught at start-up.
func Register(scheme string, open Opener) {
	registry.Lock()
	defer registry.Unlock()
	if registry.m == nil {
		registry.m = make(map[string]Opener)
	}
	if _, dup := registry.m[scheme]; dup {
		panic("driver: Register called twice for scheme " + scheme)
	}
	registry.m[scheme] = open
}

// Lookup returns the opener registered for scheme.
func Lookup(scheme string) (Opener, bool) {
	registry.RLock()
	defer registry.RUnlock()
	open, ok := registry.m[scheme]
	return open, ok
}

// Drivers returns the registered schemes, sorted.
func Drivers() []string {
	registry.RLock()
	defer registry.RUnlock()
	s := make([]string, 0, len(registry.m))
	for k := range registry.m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// DSN is a parsed data source name: scheme://user:pass@host/path?params.
type DSN struct {
	Scheme   string
	User     string
	Password string
	Host     string
	Path     string
	Params   url.Values
	Raw      string
}

// ParseDSN splits a DSN into its parts. Only the scheme is required.
func ParseDSN(dsn string) (*DSN, error) {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok || scheme == "" {
		return nil, fmt.Errorf("dsn %q: want scheme://[user[:pass]@]host[/path][?params]", RedactDSN(dsn))
	}
	u, err := url.Parse(scheme + "://" + rest)
	if err != nil {
		// url.Error repeats the whole DSN, password included; keep only
		// what went wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("dsn %q: %v", RedactDSN(dsn), err)
	}
	d := &DSN{Scheme: u.Scheme, Host: u.Host, Path: u.Path, Params: u.Query(), Raw: dsn}
	if u.User != nil {
		d.User = u.User.Username()
		d.Password, _ = u.User.Password()
	}
	return d, nil
}

// OpenDSN looks up the DSN's scheme and opens a driver with its opener,
// behind the portable layer (Wrap). An unregistered scheme wraps
// ErrUnknownScheme and lists the known ones; the opener's errors are
// wrapped as the operation "open".
func OpenDSN(ctx context.Context, dsn string, opts ...Option) (Driver, error) {
	d, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	open, ok := Lookup(d.Scheme)
	if !ok {
		known := Drivers()
		for i, s := range known {
			known[i] = s + "://"
		}
		return nil, fmt.Errorf("%w %q in dsn %q (known: %s)", ErrUnknownScheme, d.Scheme, RedactDSN(dsn), strings.Join(known, ", "))
	}
	if err := ctx.Err(); err != nil {
		return nil, E("open", "", "", err)
	}
	drv, err := open(ctx, d, opts...)
	if err != nil {
		return nil, E("open", "", "", err)
	}
	return Wrap(drv), nil
}

// RedactDSN returns dsn with the password of its user info, if it has one,
// replaced by ***, for showing a DSN to people: a terminal, a CI log or a
// JSON report must not carry credentials. Everything else is kept exactly
// as written (net/url's Redacted would re-encode the rest and turn mem://
// into mem:). The authority ends at the first '/', '?' or '#' after
// "://", and the user info at its last '@', as net/url reads them.
func RedactDSN(dsn string) string {
	_, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return dsn
	}
	start := len(dsn) - len(rest)
	authority := rest
	if end := strings.IndexAny(rest, "/?#"); end >= 0 {
		authority = rest[:end]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return dsn
	}
	colon := strings.IndexByte(authority[:at], ':')
	if colon < 0 {
		return dsn
	}
	return dsn[:start+colon+1] + "***" + dsn[start+at:]
}
