package trove

import "github.com/trovemem/trovemem/driver"

// Option configures Open.
type Option func(*openConfig)

type openConfig struct {
	backends      []namedDriver
	routes        []Route
	funcs         []RouteFuncInfo
	defaultBucket string
}

type namedDriver struct {
	name string
	drv  driver.Driver
}

// WithBackend mounts drv under name next to the default driver.
func WithBackend(name string, drv driver.Driver) Option {
	return func(c *openConfig) { c.backends = append(c.backends, namedDriver{name, drv}) }
}

// WithRoute sends keys matching pattern to backend. Patterns use path.Match
// syntax, where '*' does not cross '/', plus '**', which does.
func WithRoute(pattern, backend string) Option {
	return func(c *openConfig) { c.routes = append(c.routes, Route{Pattern: pattern, Backend: backend}) }
}

// WithRouteFunc adds a route function, consulted before pattern routes. It
// returns the backend for a bucket and key, or "" to let later rules
// decide. Explain shows it as "func#N"; use WithNamedRouteFunc to give it a
// name people will recognise.
func WithRouteFunc(fn RouteFunc) Option { return WithNamedRouteFunc("", fn) }

// WithNamedRouteFunc is WithRouteFunc with a name for Explain and Routes.
func WithNamedRouteFunc(name string, fn RouteFunc) Option {
	return func(c *openConfig) { c.funcs = append(c.funcs, RouteFuncInfo{Name: name, Func: fn}) }
}

// WithDefaultBucket names the bucket used when an operation's bucket is
// empty. Open creates it if it does not exist yet.
func WithDefaultBucket(name string) Option {
	return func(c *openConfig) { c.defaultBucket = name }
}

// Re-exported driver options, so callers of the store need import only
// this package, as with trove.
var (
	WithContentType = driver.WithContentType
	WithMetadata    = driver.WithMetadata
	WithRange       = driver.WithRange
	WithPrefix      = driver.WithPrefix
	WithDelimiter   = driver.WithDelimiter
	WithMaxKeys     = driver.WithMaxKeys
	WithCursor      = driver.WithCursor
)

// Re-exported types, so trove.ObjectInfo reads as it does in trove.
type (
	ObjectInfo     = driver.ObjectInfo
	BucketInfo     = driver.BucketInfo
	ObjectReader   = driver.ObjectReader
	ObjectIterator = driver.ObjectIterator
)
