package trove_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

// storeState is everything a user could observe about a store: its layout
// and, per backend, every bucket and object with content and attributes.
type storeState struct {
	Routes   []trove.Route
	Backends map[string]map[string]map[string]string // backend -> bucket -> key -> description
}

func snapshot(t *testing.T, s *trove.Store) storeState {
	t.Helper()
	st := storeState{Routes: s.Routes(), Backends: map[string]map[string]map[string]string{}}
	for _, b := range s.Backends() {
		buckets, err := b.Driver.ListBuckets(ctx)
		if err != nil {
			t.Fatalf("backend %s: %v", b.Name, err)
		}
		st.Backends[b.Name] = map[string]map[string]string{}
		for _, bk := range buckets {
			objs := map[string]string{}
			it, err := b.Driver.List(ctx, bk.Name)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := it.All(ctx)
			for _, o := range page {
				rd, err := b.Driver.Get(ctx, bk.Name, o.Key)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(rd)
				rd.Close()
				objs[o.Key] = strings.Join([]string{string(body), o.ContentType, o.LastModified.Format(time.RFC3339Nano), cmp.Diff(map[string]string(nil), o.Metadata)}, "|")
			}
			st.Backends[b.Name][bk.Name] = objs
		}
	}
	return st
}

func TestUndoRollsBackEveryKindOfChange(t *testing.T) {
	tests := []struct {
		name   string
		change func(ctx context.Context, s *trove.Store) error
	}{
		{"put a new key", func(ctx context.Context, s *trove.Store) error {
			_, err := s.Put(ctx, "data", "new", strings.NewReader("x"))
			return err
		}},
		{"overwrite twice", func(ctx context.Context, s *trove.Store) error {
			if _, err := s.Put(ctx, "data", "a.txt", strings.NewReader("v2"), trove.WithMetadata(map[string]string{"m": "2"})); err != nil {
				return err
			}
			_, err := s.Put(ctx, "data", "a.txt", strings.NewReader("v3"))
			return err
		}},
		{"put over a stranded copy", func(ctx context.Context, s *trove.Store) error {
			// old.log sits on default; the route sends it to archive now.
			_, err := s.Put(ctx, "data", "old.log", strings.NewReader("new"))
			return err
		}},
		{"put on a pinned backend", func(ctx context.Context, s *trove.Store) error {
			_, err := s.PutOn(ctx, "archive", "data", "a.txt", strings.NewReader("pinned"))
			return err
		}},
		{"delete", func(ctx context.Context, s *trove.Store) error {
			return s.Delete(ctx, "data", "a.txt")
		}},
		{"copy and move across backends", func(ctx context.Context, s *trove.Store) error {
			if _, err := s.Copy(ctx, "data", "a.txt", "data", "b.log"); err != nil {
				return err
			}
			_, err := s.Move(ctx, "data", "a.txt", "data", "c.log")
			return err
		}},
		{"create and delete buckets", func(ctx context.Context, s *trove.Store) error {
			if err := s.CreateBucket(ctx, "fresh"); err != nil {
				return err
			}
			if err := s.Delete(ctx, "data", "a.txt"); err != nil {
				return err
			}
			for _, k := range []string{"old.log", "z.log"} {
				if err := s.Delete(ctx, "data", k); err != nil {
					return err
				}
			}
			return s.DeleteBucket(ctx, "data")
		}},
		{"mount, route and put", func(ctx context.Context, s *trove.Store) error {
			if err := s.AddBackend(ctx, "extra", memdriver.New()); err != nil {
				return err
			}
			if err := s.AddRoute("x/**", "extra"); err != nil {
				return err
			}
			_, err := s.Put(ctx, "data", "x/1", strings.NewReader("1"))
			return err
		}},
		{"unmount by force and drop a route", func(ctx context.Context, s *trove.Store) error {
			if err := s.RemoveRoute("*.log"); err != nil {
				return err
			}
			return s.RemoveBackend(ctx, "archive", true)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := undoFixture(t)
			before := snapshot(t, s)
			uctx, undo := s.Begin(ctx)
			if err := tc.change(uctx, s); err != nil {
				t.Fatalf("change: %v", err)
			}
			if diff := cmp.Diff(before, snapshot(t, s)); diff == "" {
				t.Fatal("the change changed nothing, so the test proves nothing")
			}
			if err := undo.Rollback(ctx); err != nil {
				t.Fatalf("Rollback: %v", err)
			}
			if diff := cmp.Diff(before, snapshot(t, s)); diff != "" {
				t.Errorf("store after rollback differs (-before +after):\n%s", diff)
			}
		})
	}
}

// undoFixture is a store with two backends, a route, objects on both and
// one object stranded on default by the route.
func undoFixture(t *testing.T) *trove.Store {
	t.Helper()
	clock := func() time.Time { return time.Now().Add(time.Duration(time.Now().Nanosecond()) * time.Hour) }
	s, err := trove.Open(memdriver.New(driver.WithClock(clock)), trove.WithBackend("archive", memdriver.New()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(ctx) })
	if err := s.CreateBucket(ctx, "data"); err != nil {
		t.Fatal(err)
	}
	for _, kv := range [][2]string{{"a.txt", "v1"}, {"old.log", "old"}} {
		if _, err := s.Put(ctx, "data", kv[0], strings.NewReader(kv[1]),
			trove.WithContentType("text/plain"), trove.WithMetadata(map[string]string{"m": "1"})); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddRoute("*.log", "archive"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "data", "z.log", strings.NewReader("z")); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestUndoCommitKeepsChanges(t *testing.T) {
	s := undoFixture(t)
	archive, _ := s.Backend("archive")
	uctx, undo := s.Begin(ctx)
	if _, err := s.Put(uctx, "data", "kept", strings.NewReader("k")); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveBackend(uctx, "archive", true); err != nil {
		t.Fatal(err)
	}
	if err := archive.Ping(ctx); err != nil {
		t.Errorf("unmounted backend closed before commit: %v", err)
	}
	undo.Commit()
	if err := archive.Ping(ctx); !errors.Is(err, trove.ErrClosed) {
		t.Errorf("unmounted backend after commit: got %v, want ErrClosed", err)
	}
	if _, err := s.Head(ctx, "data", "kept"); err != nil {
		t.Errorf("committed put: %v", err)
	}
	if err := undo.Rollback(ctx); err != nil {
		t.Errorf("Rollback after Commit: got %v, want nil (no-op)", err)
	}
	if _, err := s.Head(ctx, "data", "kept"); err != nil {
		t.Errorf("Rollback after Commit undid the put: %v", err)
	}
}
