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

// ParseDSN splits a DSN into its parts. Only the scheme is required. A
// DSN whose user info RedactDSN and net/url would read differently (a
// password holding an unencoded '/', '?' or '#') is refused, so that no
// part of a password can end up in a host or a path, and error messages
// show the DSN only as RedactDSN masks it.
func ParseDSN(dsn string) (*DSN, error) {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok || scheme == "" {
		return nil, fmt.Errorf("dsn %q: want scheme://[user[:pass]@]host[/path][?params]", RedactDSN(dsn))
	}
	_, at, hasPassword := passwordSpan(rest)
	if hasPassword && strings.ContainsAny(rest[:at], "/?#") {
		return nil, fmt.Errorf("dsn %q: a '/', '?' or '#' comes before the '@' that ends the user info: "+
			"percent-encode it in a password (%%2F, %%3F, %%23), and a '@' in the path as %%40", RedactDSN(dsn))
	}
	u, err := url.Parse(scheme + "://" + rest)
	if err != nil {
		if hasPassword {
			// net/url quotes the part it stumbled on, which may be a piece
			// of the password.
			return nil, fmt.Errorf("dsn %q: not a valid URL (percent-encode '%%', '/', '?', '#' and '@' in a password)", RedactDSN(dsn))
		}
		// url.Error repeats the whole DSN; keep only what went wrong.
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
		// An opener may quote the DSN it was given; people see it masked.
		return nil, E("open", "", "", RedactError(err, dsn))
	}
	return Wrap(drv), nil
}

// RedactDSN returns dsn with the password of its user info, if it has one,
// replaced by ***, for showing a DSN to people: a terminal, a CI log or a
// JSON report must not carry credentials. It is the one function that
// decides what of a DSN is secret; RedactError and repl's ShowWords use it.
// Everything else is kept exactly as written (net/url's Redacted would
// re-encode the rest and turn mem:// into mem:).
//
// It reads the user info more widely than net/url, so that a password
// holding an unencoded '/', '?', '#' or '@' is masked whole: the user is
// what comes before the first ':' (when it holds none of "/?#@["), and the
// password runs to the last '@' before the end of the host that follows
// the first '@'. A DSN with '@' in its path after a host:port is masked
// more than it needs to be, never less.
func RedactDSN(dsn string) string {
	_, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return dsn
	}
	colon, at, has := passwordSpan(rest)
	if !has {
		return dsn
	}
	start := len(dsn) - len(rest)
	return dsn[:start+colon+1] + "***" + dsn[start+at:]
}

// passwordSpan finds the password in rest, a DSN after its "://", as
// RedactDSN reads it: rest[colon+1:at] is the password, and has says
// there is one. colon is the first ':' (or -1) even when there is no
// password.
func passwordSpan(rest string) (colon, at int, has bool) {
	colon = strings.IndexByte(rest, ':')
	if colon < 0 || strings.ContainsAny(rest[:colon], "/?#@[") {
		return -1, 0, false
	}
	first := strings.IndexByte(rest[colon:], '@')
	if first < 0 {
		return colon, 0, false
	}
	first += colon
	hostEnd := len(rest)
	if i := strings.IndexAny(rest[first+1:], "/?#"); i >= 0 {
		hostEnd = first + 1 + i
	}
	return colon, strings.LastIndexByte(rest[:hostEnd], '@'), true
}

// RedactError returns err with dsn masked in its message, as RedactDSN
// masks it, and the password itself as *** wherever the message repeats it
// (raw or percent-decoded); errors.Is and errors.As see err unchanged. It
// is for errors from code that may quote a DSN it was given, such as a
// driver's opener. A nil err, or a DSN without a password, returns err.
func RedactError(err error, dsn string) error {
	if err == nil {
		return nil
	}
	red := RedactDSN(dsn)
	if red == dsn {
		return err
	}
	_, rest, _ := strings.Cut(dsn, "://")
	colon, at, _ := passwordSpan(rest)
	secrets := []string{dsn}
	if pw := rest[colon+1 : at]; len(pw) >= minSecret {
		secrets = append(secrets, pw)
		if dec, derr := url.PathUnescape(pw); derr == nil && dec != pw && len(dec) >= minSecret {
			secrets = append(secrets, dec)
		}
	}
	return &redactedError{err: err, dsn: red, secrets: secrets}
}

// minSecret is the shortest password RedactError looks for on its own in a
// message: masking every "a" of a message would garble it, while the DSN
// that holds a short password is masked whole anyway.
const minSecret = 3

type redactedError struct {
	err     error
	dsn     string
	secrets []string
}

func (e *redactedError) Error() string {
	msg := strings.ReplaceAll(e.err.Error(), e.secrets[0], e.dsn)
	for _, s := range e.secrets[1:] {
		msg = strings.ReplaceAll(msg, s, "***")
	}
	return msg
}

func (e *redactedError) Unwrap() error { return e.err }
