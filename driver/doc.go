// Package driver owns the contract between trovemem's portable store and its
// storage backends: the Driver interface, the value types that cross it
// (ObjectInfo, BucketInfo, ObjectReader, ObjectIterator), the functional
// options, the sentinel errors callers test with errors.Is, and the scheme
// registry that turns a DSN such as "mem://" into a Driver.
//
// The interface is deliberately small, and a driver holds only what is
// specific to its storage. What every backend would otherwise repeat (name,
// cursor and range checks, the closed state, naming the operation, bucket
// and key in each error) is done once by Wrap, the portable layer callers
// see a driver through, as gocloud.dev's blob.Bucket does over its
// driver.Bucket; OpenDSN and the trove store wrap every driver they hand
// out. Helpers here (ParseRange, EncodeCursor, ListEntryKey) keep what
// drivers still do themselves the same everywhere, and the conformance
// suite in package drivertest holds drivers, through the layer, to the
// contracts written on each method below.
package driver
