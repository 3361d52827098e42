package repl_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/repl"
	"github.com/trovemem/trovemem/trove"
)

// TestAdversarialPutStampsADumpCanCarry checks that put --modified refuses
// the times a dump cannot write back (year 10000 in UTC, a year before 1)
// and the zero time, which the store would silently replace with its
// clock, with one usage error each; and takes the edges of the range.
func TestAdversarialPutStampsADumpCanCarry(t *testing.T) {
	tests := []struct {
		modified string
		want     string // the LastModified stored, in UTC; "" for a refusal
	}{
		{"9999-12-31T23:59:59-14:00", ""},
		{"9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59.999999999Z"},
		{"0001-01-01T00:00:00Z", ""},
		{"0001-01-01T00:00:00+00:00", ""},
		{"0000-12-31T23:00:00-01:00", ""},
		{"0000-01-01T00:00:00Z", ""},
		{"0001-01-01T00:00:00.000000001Z", "0001-01-01T00:00:00.000000001Z"},
		{"0001-01-01T05:00:00+04:00", "0001-01-01T01:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.modified, func(t *testing.T) {
			s := newPutSession(t)
			_, err := s.Exec(context.Background(), []string{"put", "bkt", "k", "v", "--modified", tt.modified})
			if tt.want == "" {
				var ue *repl.UsageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--modified") {
					t.Fatalf("got %v, want a usage error about --modified", err)
				}
				if _, herr := s.Store().Head(context.Background(), "bkt", "k"); !errors.Is(herr, driver.ErrObjectNotFound) {
					t.Errorf("after the refusal: got %v, want no object", herr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			info, err := s.Store().Head(context.Background(), "bkt", "k")
			if err != nil {
				t.Fatal(err)
			}
			if got := info.LastModified.UTC().Format(time.RFC3339Nano); got != tt.want {
				t.Errorf("got LastModified %s, want %s", got, tt.want)
			}
		})
	}
}

// TestAdversarialDumpRefusesUndumpableTimes checks that dump refuses an
// object a program stamped with a time the dump could not load back,
// rather than writing a file that --load then refuses.
func TestAdversarialDumpRefusesUndumpableTimes(t *testing.T) {
	s := newPutSession(t)
	late := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.Store().Put(context.Background(), "bkt", "late", strings.NewReader("x"), driver.WithLastModified(late)); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	err := repl.DumpStore(context.Background(), s.Store(), &b)
	if !errors.Is(err, repl.ErrUndumpableTime) || !strings.Contains(err.Error(), "late") {
		t.Errorf("got %v, want ErrUndumpableTime naming the object", err)
	}
}

// TestAdversarialPutEmptyBase64 checks that --base64 "" stores an empty
// object, and counts as given: with a VALUE it is the same misuse as any
// other --base64 with a VALUE, never the VALUE stored silently.
func TestAdversarialPutEmptyBase64(t *testing.T) {
	s := newPutSession(t)
	ctx := context.Background()
	var ue *repl.UsageError
	if _, err := s.Exec(ctx, []string{"put", "bkt", "k", "literal", "--base64", ""}); !errors.As(err, &ue) {
		t.Errorf("put VALUE --base64 '': got %v, want a usage error", err)
	}
	if _, err := s.Store().Head(ctx, "bkt", "k"); !errors.Is(err, driver.ErrObjectNotFound) {
		t.Errorf("put VALUE --base64 '': got %v from head, want nothing stored", err)
	}
	if _, err := s.Exec(ctx, []string{"put", "bkt", "k", "--base64", ""}); err != nil {
		t.Fatalf("put --base64 '': %v", err)
	}
	if info, err := s.Store().Head(ctx, "bkt", "k"); err != nil || info.Size != 0 {
		t.Errorf("put --base64 '': got %+v, %v; want an empty object", info, err)
	}
}

func newPutSession(t *testing.T) *repl.Session {
	t.Helper()
	st, err := trove.Open(memdriver.New())
	if err != nil {
		t.Fatal(err)
	}
	s := repl.NewSession(st)
	if _, err := s.Exec(context.Background(), []string{"mkbucket", "bkt"}); err != nil {
		t.Fatal(err)
	}
	return s
}
