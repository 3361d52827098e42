package trove_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

// TestBackendNamedInErrors: a backend's own failure says which backend it
// was; a missing key reads the same whatever backend holds the bucket.
func TestBackendNamedInErrors(t *testing.T) {
	ctx := context.Background()
	cold := newFlaky()
	s, err := trove.Open(memdriver.New(), trove.WithBackend("cold", cold), trove.WithRoute("x/**", "cold"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	cold.failPuts = 0
	_, err = s.Put(ctx, bucket, "x/1", strings.NewReader("v"))
	if !errors.Is(err, errInjected) || !strings.Contains(err.Error(), `put uploads/x/1: backend "cold": injected failure`) {
		t.Errorf("Put on a failing backend: got %v, want it wrapping errInjected and naming backend \"cold\"", err)
	}
	_, err = s.Head(ctx, bucket, "x/2")
	if !errors.Is(err, trove.ErrObjectNotFound) || strings.Contains(err.Error(), "cold") {
		t.Errorf("Head of a missing key: got %v, want ErrObjectNotFound without a backend name", err)
	}
}
