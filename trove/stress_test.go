package trove_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

// The stress tests below check the store's concurrency contract: every
// acknowledged put of a key is linearizable with the other puts and deletes
// of that key, across backends and layout changes, so after the writers
// finish the key holds the value of one of the puts that returned nil and
// lives on exactly one backend. Each is bounded in rounds and in time.

const (
	stressRounds = 3000
	stressBudget = 10 * time.Second
)

// where returns the backends holding bucket/key, read straight from the
// drivers, and the content on the first of them.
func where(t *testing.T, s *trove.Store, bucket, key string) (holders []string, body string) {
	t.Helper()
	for _, b := range s.Backends() {
		drv, _ := s.Backend(b.Name)
		rd, err := drv.Get(ctx, bucket, key)
		if err != nil {
			continue
		}
		var sb strings.Builder
		buf := make([]byte, 64)
		for {
			n, err := rd.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				break
			}
		}
		rd.Close()
		if holders == nil {
			body = sb.String()
		}
		holders = append(holders, b.Name)
	}
	return holders, body
}

func TestStressPutOnSameKey(t *testing.T) {
	s, _ := newStore(t, []string{"x", "y"})
	deadline := time.Now().Add(stressBudget)
	for i := 0; i < stressRounds && time.Now().Before(deadline); i++ {
		key := fmt.Sprintf("k%d", i)
		var wg sync.WaitGroup
		acked := make([]string, 2)
		for j, backend := range []string{"x", "y"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.PutOn(ctx, backend, "data", key, strings.NewReader(backend)); err != nil {
					t.Errorf("PutOn %s %s: %v", backend, key, err)
					return
				}
				acked[j] = backend
			}()
		}
		wg.Wait()
		holders, body := where(t, s, "data", key)
		if len(holders) != 1 {
			t.Fatalf("round %d: key %s is on backends %v, want exactly one (both puts returned nil)", i, key, holders)
		}
		if body != holders[0] {
			t.Fatalf("round %d: key %s on %s holds %q, want %q", i, key, holders[0], body, holders[0])
		}
	}
}

func TestStressPutWhileRouteFlips(t *testing.T) {
	s, _ := newStore(t, []string{"cold"})
	stop := make(chan struct{})
	var flipper sync.WaitGroup
	flipper.Add(1)
	go func() {
		defer flipper.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.AddRoute("**", "cold"); err != nil {
				t.Errorf("AddRoute: %v", err)
				return
			}
			if err := s.RemoveRoute("**"); err != nil {
				t.Errorf("RemoveRoute: %v", err)
				return
			}
		}
	}()
	deadline := time.Now().Add(stressBudget)
	var acked []string
	for i := 0; i < stressRounds && time.Now().Before(deadline); i++ {
		key := fmt.Sprintf("k%d", i)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for j := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[j] = s.Put(ctx, "data", key, strings.NewReader(key))
			}()
		}
		wg.Wait()
		if errs[0] == nil || errs[1] == nil {
			acked = append(acked, key)
		}
	}
	close(stop)
	flipper.Wait()
	for _, key := range acked {
		if holders, body := where(t, s, "data", key); len(holders) != 1 || body != key {
			t.Errorf("key %s: on backends %v holding %q, want on one backend holding %q", key, holders, body, key)
		}
	}
}

func TestStressDeleteBucketRacesPut(t *testing.T) {
	s, _ := newStore(t, []string{"cold"}, "cold/**", "cold")
	deadline := time.Now().Add(stressBudget)
	for i := 0; i < stressRounds/10 && time.Now().Before(deadline); i++ {
		bucket := fmt.Sprintf("race-%d", i)
		if err := s.CreateBucket(ctx, bucket); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var putErr, delErr error
		wg.Add(2)
		go func() { defer wg.Done(); _, putErr = s.Put(ctx, bucket, "cold/k", strings.NewReader("v")) }()
		go func() { defer wg.Done(); delErr = s.DeleteBucket(ctx, bucket) }()
		wg.Wait()
		switch {
		case putErr == nil && delErr == nil:
			t.Fatalf("round %d: both the put and the bucket delete succeeded", i)
		case delErr != nil:
			if !errors.Is(delErr, trove.ErrBucketNotEmpty) {
				t.Fatalf("round %d: DeleteBucket: %v", i, delErr)
			}
			// The refused delete must have left the bucket whole: the
			// object readable, and the bucket on every backend.
			if _, err := s.Head(ctx, bucket, "cold/k"); err != nil {
				t.Fatalf("round %d: after a refused DeleteBucket, Head: %v", i, err)
			}
			for _, b := range s.Backends() {
				drv, _ := s.Backend(b.Name)
				if _, err := drv.List(ctx, bucket); err != nil {
					t.Fatalf("round %d: after a refused DeleteBucket, backend %s lost the bucket: %v", i, b.Name, err)
				}
			}
		default:
			if !errors.Is(putErr, trove.ErrBucketNotFound) {
				t.Fatalf("round %d: Put after DeleteBucket: %v", i, putErr)
			}
		}
	}
}

// TestCopyWhileLayoutChanges: Copy and Move used to resolve the source and
// the destination from two layout snapshots and panic when a backend came
// or went in between.
func TestCopyWhileLayoutChanges(t *testing.T) {
	s, _ := newStore(t, nil)
	if _, err := s.Put(ctx, "data", "src", strings.NewReader("v")); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var churn sync.WaitGroup
	churn.Add(1)
	go func() {
		defer churn.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.AddBackend(ctx, "tmp", memdriver.New()); err != nil {
				t.Errorf("AddBackend: %v", err)
				return
			}
			if err := s.AddRoute("dst/**", "tmp"); err != nil {
				t.Errorf("AddRoute: %v", err)
				return
			}
			if err := s.RemoveRoute("dst/**"); err != nil {
				t.Errorf("RemoveRoute: %v", err)
				return
			}
			if err := s.RemoveBackend(ctx, "tmp", true); err != nil {
				t.Errorf("RemoveBackend: %v", err)
				return
			}
		}
	}()
	deadline := time.Now().Add(stressBudget)
	for i := 0; i < stressRounds && time.Now().Before(deadline); i++ {
		_, err := s.Copy(ctx, "data", "src", "data", fmt.Sprintf("dst/%d", i))
		if err != nil && !errors.Is(err, trove.ErrClosed) && !errors.Is(err, trove.ErrBucketNotFound) && !errors.Is(err, trove.ErrUnknownBackend) {
			t.Errorf("Copy: %v", err)
		}
	}
	close(stop)
	churn.Wait()
}

// TestListHugeMaxKeys: a page size is user input (ls --max), and the merge
// over several backends once allocated a slice of that size: 2^63-1 made
// the runtime panic and 10^10 ran out of memory.
func TestListHugeMaxKeys(t *testing.T) {
	s, _ := newStore(t, []string{"cold"}, "cold/**", "cold")
	put(t, s, "data", "a", "1")
	put(t, s, "data", "cold/b", "2")
	for _, n := range []int{1<<63 - 1, 10_000_000_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			it, err := s.List(ctx, "data", trove.WithMaxKeys(n))
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			page, _ := it.All(ctx)
			if len(page) != 2 || it.NextToken() != "" {
				t.Errorf("got %d entries and token %q, want 2 and none", len(page), it.NextToken())
			}
		})
	}
}

// A put racing the first route change of an empty store: the put may land
// under the old layout on a memory backend the new layout routes the key
// away from, and the store, which counts empty memory backends as holding
// no key routed elsewhere, must still find that copy when the key is next
// written under the new layout.
func TestStressPutRacesLayoutOfEmptyStore(t *testing.T) {
	deadline := time.Now().Add(stressBudget)
	for i := 0; i < stressRounds/10 && time.Now().Before(deadline); i++ {
		s, _ := newStore(t, []string{"hot"})
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := s.Put(ctx, "data", "logs/k", strings.NewReader("first")); err != nil {
				t.Errorf("first put: %v", err)
			}
		}()
		go func() {
			defer wg.Done()
			if err := s.AddRoute("logs/**", "hot"); err != nil {
				t.Errorf("route add: %v", err)
			}
		}()
		wg.Wait()
		if _, err := s.Put(ctx, "data", "logs/k", strings.NewReader("second")); err != nil {
			t.Fatalf("second put: %v", err)
		}
		if holders, body := where(t, s, "data", "logs/k"); len(holders) != 1 || body != "second" {
			t.Fatalf("round %d: got the key on %v holding %q, want it on one backend holding %q", i, holders, body, "second")
		}
	}
}
