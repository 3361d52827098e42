// Package trove owns the store users open: a router over one default driver
// and any number of named backends. It validates names, wraps errors with
// the operation, bucket and key, and decides for every key which backend
// holds it (route functions first, then pattern routes in the order added,
// then the default driver), and it can explain that decision rule by rule.
//
// It keeps trove's public shape (Open, WithBackend, WithRoute, …) so that
// code written against trove works after an import-path change, and it
// fixes trove's weak spots: a bucket is one namespace across all backends,
// List merges every backend under one cursor, Copy writes where the
// destination routes, and a route to an unknown backend is an error at once.
package trove
