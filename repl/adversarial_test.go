package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/trovemem/trovemem/localdriver"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

// stuck is a memory backend whose deletes report success and remove
// nothing, as a backend that cannot remove a key but does not say so.
type stuck struct{ *memdriver.MemDriver }

func (stuck) Delete(context.Context, string, string) error { return nil }

// TestAdversarialRmbucketForceStopsOnAnUndeletableKey: rmbucket --force
// listed, deleted and listed the same key again for ever when a backend
// could not delete it (issue 9 item 12). It must fail, promptly, naming
// the key, and leave the store as it was.
func TestAdversarialRmbucketForceStopsOnAnUndeletableKey(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	raw := stuck{memdriver.New()}
	st, err := trove.Open(memdriver.New(), trove.WithBackend("stuck", raw))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	s := NewSession(st)
	for _, words := range [][]string{{"mkbucket", "abc"}, {"put", "abc", "fine", "v"}} {
		if _, err := s.Exec(ctx, words); err != nil {
			t.Fatalf("%v: %v", words, err)
		}
	}
	if _, err := raw.Put(ctx, "abc", "kept", strings.NewReader("cannot go")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.Exec(ctx, []string{"rmbucket", "--force", "abc"})
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("rmbucket --force still running after 10s: it loops on the undeletable key")
	}
	if !errors.Is(err, errStillListed) || !strings.Contains(err.Error(), "kept") {
		t.Fatalf("rmbucket --force: got %v, want an error wrapping %q that names kept", err, errStillListed)
	}
	if _, err := st.Head(ctx, "abc", "fine"); err != nil {
		t.Errorf("abc/fine after the failed rmbucket: got %v, want it back", err)
	}
	if _, err := raw.Head(ctx, "abc", "kept"); err != nil {
		t.Errorf("abc/kept on the stuck backend after the failed rmbucket: got %v, want it there", err)
	}
}

// TestAdversarialRmbucketForceOnDiskRollsBackEverything: a forced rmbucket
// over a disk backend that fails at its last key (after deleting every
// other object) leaves every object as it was: the undo record saved each
// one without holding a file (issue 9 item 2).
func TestAdversarialRmbucketForceOnDiskRollsBackEverything(t *testing.T) {
	const objects = 60
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	disk, err := localdriver.NewAt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	raw := stuck{memdriver.New()}
	st, err := trove.Open(disk, trove.WithBackend("stuck", raw))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	s := NewSession(st)
	if _, err := s.Exec(ctx, []string{"mkbucket", "abc"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for i := range objects {
		key := fmt.Sprintf("k%03d", i)
		want[key] = "body " + key
		if _, err := s.Exec(ctx, []string{"put", "abc", key, want[key], "--meta", "n=" + key}); err != nil {
			t.Fatal(err)
		}
	}
	// The last key in the listing lives on a backend that cannot delete it.
	if _, err := raw.Put(ctx, "abc", "zzz", strings.NewReader("cannot go")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(ctx, []string{"rmbucket", "--force", "abc"}); !errors.Is(err, errStillListed) {
		t.Fatalf("rmbucket --force: got %v, want %v", err, errStillListed)
	}
	for key, body := range want {
		rd, err := st.Get(ctx, "abc", key)
		if err != nil {
			t.Errorf("abc/%s after the failed rmbucket: got %v, want it back", key, err)
			continue
		}
		got, _ := io.ReadAll(rd)
		rd.Close()
		if string(got) != body || rd.Info.Metadata["n"] != key {
			t.Errorf("abc/%s after the failed rmbucket: got %q %v, want %q with n=%s", key, got, rd.Info.Metadata, body, key)
		}
	}
}
