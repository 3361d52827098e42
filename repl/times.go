package repl

import (
	"errors"
	"fmt"
	"time"
)

// ErrUndumpableTime is returned for a LastModified time that a dump could
// not carry: one outside years 1 to 9999 in UTC (RFC 3339 has four digits
// for the year, and dumps write times in UTC), or the zero time, which the
// store reads as "no time given" and replaces with its clock.
var ErrUndumpableTime = errors.New("time out of range")

// Earliest and latest LastModified times an object can carry through a
// dump.
var (
	earliestStamp = time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)
	latestStamp   = time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC)
)

// CheckStamp reports whether t can stamp an object: put --modified, the
// --now clock and dump call it, so that no object gets a time its dump
// cannot load. The error wraps ErrUndumpableTime.
func CheckStamp(t time.Time) error {
	switch {
	case t.IsZero():
		return fmt.Errorf("%w: %s is the zero time, which the store takes for no time at all (the earliest it keeps is %s)",
			ErrUndumpableTime, t.UTC().Format(time.RFC3339Nano), earliestStamp.Format(time.RFC3339Nano))
	case t.Before(earliestStamp) || t.After(latestStamp):
		return fmt.Errorf("%w: %s in UTC is outside years 1 to 9999, which a dump cannot write back (RFC 3339 years have four digits)",
			ErrUndumpableTime, t.UTC().Format(time.RFC3339Nano))
	}
	return nil
}
