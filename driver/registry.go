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
		redacted := RedactDSN(dsn)
		if leaksPassword(dsn, redacted, err.Error()) {
			// A password with an unescaped '/', '?' or '#' reads as a
			// host and port, and net/url quotes the "port".
			return nil, fmt.Errorf("dsn %q: cannot parse it; in a password write '/', '?', '#' and '@' as %%2F, %%3F, %%23 and %%40", redacted)
		}
		return nil, fmt.Errorf("dsn %q: %v", redacted, err)
	}
	d := &DSN{Scheme: u.Scheme, Host: u.Host, Path: u.Path, Params: u.Query(), Raw: dsn}
	if u.User != nil {
		d.User = u.User.Username()
		d.Password, _ = u.User.Password()
	}
	return d, nil
}

// leaksPassword reports whether msg holds the start of the password that
// RedactDSN masked in dsn (up to its first '/', '?' or '#', where net/url
// would have stopped reading it).
func leaksPassword(dsn, redacted, msg string) bool {
	i := strings.Index(redacted, "***")
	if redacted == dsn || i < 0 {
		return false
	}
	masked := dsn[i : len(dsn)-(len(redacted)-i-3)]
	if end := strings.IndexAny(masked, "/?#"); end >= 0 {
		masked = masked[:end]
	}
	return masked != "" && strings.Contains(msg, masked)
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
// "://", and the user info at its last '@', as net/url reads them; a
// password holding an unescaped '/', '?' or '#' is masked too.
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
		// A password with an unescaped '/', '?' or '#' (AWS secrets often
		// hold '/') ends the authority early, so net/url reads "user:pa"
		// as a host with a bad port and its errors would show "pa". When
		// what looks like a port is not one and an '@' follows, that '@'
		// ends the user info.
		colon := strings.IndexByte(authority, ':')
		if colon < 0 || strings.HasPrefix(authority, "[") || strings.Trim(authority[colon+1:], "0123456789") == "" {
			return dsn
		}
		at = strings.LastIndex(rest, "@")
		if at < 0 {
			return dsn
		}
		return dsn[:start+colon+1] + "***" + dsn[start+at:]
	}
	colon := strings.IndexByte(authority[:at], ':')
	if colon < 0 {
		return dsn
	}
	return dsn[:start+colon+1] + "***" + dsn[start+at:]
}
