package trove_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

// TestLayoutChangesWhileOperationsRun changes backends and routes while
// other goroutines read and write. Run under -race; the checks at the end
// make sure objects on the backends that stayed are intact.
func TestLayoutChangesWhileOperationsRun(t *testing.T) {
	s, _ := newStore(t, []string{"stable"}, "keep/**", "stable")
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				key := fmt.Sprintf("keep/w%d/%d", w, i%20)
				if _, err := s.Put(ctx, "data", key, strings.NewReader(key)); err != nil {
					t.Errorf("Put %s: %v", key, err)
					return
				}
				if body, err := read(t, s, "data", key); err != nil || body != key {
					t.Errorf("Get %s: got %q, %v", key, body, err)
					return
				}
				// Objects on the churned backend may vanish with it; any
				// error must still be a proper one.
				if _, err := s.Put(ctx, "data", fmt.Sprintf("churn/%d.tmp", i%5), strings.NewReader("x")); err != nil && !errors.Is(err, trove.ErrClosed) && !errors.Is(err, trove.ErrBucketNotFound) {
					t.Errorf("Put churn: %v", err)
					return
				}
				if _, err := s.List(ctx, "data", trove.WithMaxKeys(7)); err != nil && !errors.Is(err, trove.ErrClosed) {
					t.Errorf("List: %v", err)
					return
				}
			}
		}(w)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for churning := true; churning; {
		select {
		case <-done:
			churning = false
		default:
		}
		if err := s.AddBackend(ctx, "churn", memdriver.New()); err != nil {
			t.Fatalf("AddBackend: %v", err)
		}
		if err := s.AddRoute("churn/**", "churn"); err != nil {
			t.Fatalf("AddRoute: %v", err)
		}
		_ = s.Routes()
		_ = s.Explain("data", "churn/1.tmp")
		if err := s.RemoveRoute("churn/**"); err != nil {
			t.Fatalf("RemoveRoute: %v", err)
		}
		if err := s.RemoveBackend(ctx, "churn", true); err != nil {
			t.Fatalf("RemoveBackend: %v", err)
		}
	}
	for w := 0; w < 4; w++ {
		key := fmt.Sprintf("keep/w%d/0", w)
		if info, err := s.Head(ctx, "data", key); err != nil || info.Backend != "stable" {
			t.Errorf("Head %s: got %+v, %v, want it on stable", key, info, err)
		}
	}
}
