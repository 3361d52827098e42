package trove

import (
	"errors"

	"github.com/trovemem/trovemem/driver"
)

// Errors of the routing layer. Storage errors are the driver package's
// sentinels, re-exported here for convenience.
var (
	ErrUnknownBackend  = errors.New("unknown backend")
	ErrBackendExists   = errors.New("backend already mounted")
	ErrBackendNotEmpty = errors.New("backend holds objects")
	ErrDefaultBackend  = errors.New("the default backend cannot be unmounted")
	ErrInvalidPattern  = errors.New("invalid route pattern")
	ErrRouteExists     = errors.New("route already exists")
	ErrRouteNotFound   = errors.New("route not found")
	// ErrSameStorage refuses a mount whose storage a mounted backend
	// already serves (one directory under two DSN spellings, say).
	ErrSameStorage = errors.New("storage already mounted")

	ErrBucketNotFound = driver.ErrBucketNotFound
	ErrObjectNotFound = driver.ErrObjectNotFound
	ErrBucketExists   = driver.ErrBucketExists
	ErrBucketNotEmpty = driver.ErrBucketNotEmpty
	ErrClosed         = driver.ErrClosed
	ErrInvalidRange   = driver.ErrInvalidRange
	ErrInvalidName    = driver.ErrInvalidName
)
