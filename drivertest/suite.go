// Package drivertest owns the conformance suite every driver.Driver must
// pass. A driver's own test file is only a harness that hands
// RunDriverSuite a constructor; the behaviours checked here are exactly the
// contracts written on driver.Driver's methods, so a driver that passes
// behaves like every other driver to the portable store.
package drivertest

import (
	"context"
	"testing"

	"github.com/trovemem/trovemem/driver"
)

// check is one behaviour of the contract. It reports what it found wrong as
// an error instead of calling testing.T, so that the suite's own tests can
// run a check against a deliberately broken driver and see it fail.
type check struct {
	name string
	run  func(ctx context.Context, d driver.Driver) error
}

// checks lists every behaviour, one subtest each, grouped by area.
var checks = []check{
	{"Ping", checkPing},

	{"CreateBucket", checkCreateBucket},
	{"CreateBucketDuplicate", checkCreateBucketDuplicate},
	{"DeleteBucket", checkDeleteBucket},
	{"DeleteBucketNotEmpty", checkDeleteBucketNotEmpty},
	{"DeleteBucketMissing", checkDeleteBucketMissing},
	{"ListBucketsSorted", checkListBucketsSorted},
	{"InvalidBucketNames", checkInvalidBucketNames},
	{"InvalidKeys", checkInvalidKeys},
	{"UnusualValidKeys", checkUnusualValidKeys},

	{"PutGet", checkPutGet},
	{"PutReadsWholeReader", checkPutReadsWholeReader},
	{"PutOverwrite", checkPutOverwrite},
	{"EmptyObject", checkEmptyObject},
	{"ContentTypeDefault", checkContentTypeDefault},
	{"ContentTypeExplicit", checkContentTypeExplicit},
	{"MetadataRoundTrip", checkMetadataRoundTrip},
	{"MetadataIsolation", checkMetadataIsolation},
	{"ETag", checkETag},
	{"Head", checkHead},
	{"PutLastModified", checkPutLastModified},
	{"ObjectNotFound", checkObjectNotFound},
	{"BucketNotFound", checkBucketNotFound},
	{"DeleteIdempotent", checkDeleteIdempotent},
	{"GetReaderSnapshot", checkGetReaderSnapshot},
	{"RangeRead", checkRangeRead},
	{"LargeObject", checkLargeObject},

	{"ListEmptyBucket", checkListEmptyBucket},
	{"ListSorted", checkListSorted},
	{"ListPrefix", checkListPrefix},
	{"ListPagination", checkListPagination},
	{"ListDelimiter", checkListDelimiter},
	{"ListDelimiterPagination", checkListDelimiterPagination},
	{"ListCursorResume", checkListCursorResume},
	{"ListInvalidCursor", checkListInvalidCursor},

	{"CopySameBucket", checkCopySameBucket},
	{"CopyAcrossBuckets", checkCopyAcrossBuckets},
	{"CopyMissingSource", checkCopyMissingSource},
	{"CopyMissingDestinationBucket", checkCopyMissingDestinationBucket},

	{"Snapshot", checkSnapshot},

	{"Concurrent", checkConcurrent},
	{"Closed", checkClosed},
	{"CloseTwice", checkCloseTwice},
}

// RunDriverSuite runs every conformance check as its own subtest, each on a
// fresh driver from newDriver behind the portable layer (driver.Wrap, which
// a driver that is wrapped already keeps), since that is how every caller
// sees a driver. The driver must be ready for use and hold no buckets the
// checks would collide with;
// newDriver may register t.Cleanup to close it, and closing an already
// closed driver is part of the contract, so checks that close it are fine.
// The suite never looks at ObjectInfo.Backend, so a routing store wrapped
// as a driver can run it too. Options change the keys the suite stores
// (PathNamespace), never what it checks.
func RunDriverSuite(t *testing.T, newDriver func(t *testing.T) driver.Driver, opts ...SuiteOption) {
	t.Helper()
	var s settings
	for _, o := range opts {
		o(&s)
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			raw := newDriver(t)
			if raw == nil {
				t.Fatal("newDriver returned nil")
			}
			d := driver.Wrap(raw)
			if err := c.run(withSettings(t.Context(), s), d); err != nil {
				t.Error(err)
			}
		})
	}
}
