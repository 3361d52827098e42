// Package driver owns the contract between trovemem's portable store and its
// storage backends: the Driver interface, the value types that cross it
// (ObjectInfo, BucketInfo, ObjectReader, ObjectIterator), the functional
// options, the sentinel errors callers test with errors.Is, and the scheme
// registry that turns a DSN such as "mem://" into a Driver.
//
// The interface is deliberately small. Behaviour every backend would
// otherwise repeat (name checks, range parsing, cursor encoding, error
// wrapping) lives in helpers here so that each driver gets it right the same
// way, and the conformance suite in package drivertest holds drivers to the
// contracts written on each method below.
package driver
