package trove_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

const bucket = "uploads"

func TestRouteReport(t *testing.T) {
	ctx := context.Background()
	s, err := trove.Open(memdriver.New(),
		trove.WithBackend("archive", memdriver.New()),
		trove.WithBackend("disk", memdriver.New()),
		trove.WithBackend("gone", memdriver.New()),
		trove.WithRoute("*.log", "archive"),
		trove.WithRoute("a.log", "disk"),
		trove.WithRoute("tmp/**", "disk"),
		trove.WithRoute("tmp/x/*.txt", "archive"),
		trove.WithRoute("cold/*", "gone"),
		trove.WithRoute("cold/a", "archive"),
		trove.WithRoute("b.txt", "archive"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveBackend(ctx, "gone", false); err != nil {
		t.Fatal(err)
	}
	got := s.RouteReport()
	want := []trove.RouteStatus{
		{Route: trove.Route{Pattern: "*.log", Backend: "archive"}, Index: 0, ShadowedByIndex: -1},
		{Route: trove.Route{Pattern: "a.log", Backend: "disk"}, Index: 1, ShadowedBy: "*.log", ShadowedByIndex: 0},
		{Route: trove.Route{Pattern: "tmp/**", Backend: "disk"}, Index: 2, ShadowedByIndex: -1},
		{Route: trove.Route{Pattern: "tmp/x/*.txt", Backend: "archive"}, Index: 3, ShadowedBy: "tmp/**", ShadowedByIndex: 2},
		{Route: trove.Route{Pattern: "cold/*", Backend: "gone"}, Index: 4, Dangling: true, ShadowedByIndex: -1},
		// The router skips a dangling route, so it shadows nothing.
		{Route: trove.Route{Pattern: "cold/a", Backend: "archive"}, Index: 5, ShadowedByIndex: -1},
		{Route: trove.Route{Pattern: "b.txt", Backend: "archive"}, Index: 6, ShadowedByIndex: -1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RouteReport mismatch (-want +got):\n%s", diff)
	}
	for _, st := range got {
		if st.Shadowed() != (st.ShadowedBy != "") {
			t.Errorf("route %q: Shadowed() = %v, want %v", st.Pattern, st.Shadowed(), st.ShadowedBy != "")
		}
	}
}

// flaky wraps a driver to fail chosen calls and to check, after every
// change, that no object has vanished from the whole store.
type flaky struct {
	driver.Driver
	mu          sync.Mutex
	failPuts    int // fail the Put calls after this many succeed; -1 never
	failDeletes int
	badETag     bool
	// multipartETag reports ETags as S3 does for multipart uploads,
	// which are no MD5 of the content.
	multipartETag bool
	afterChange   func()
}

var errInjected = errors.New("injected failure")

func newFlaky() *flaky { return &flaky{Driver: memdriver.New(), failPuts: -1, failDeletes: -1} }

func (f *flaky) Put(ctx context.Context, b, k string, r io.Reader, opts ...driver.PutOption) (*driver.ObjectInfo, error) {
	f.mu.Lock()
	fail := f.failPuts == 0
	if f.failPuts > 0 {
		f.failPuts--
	}
	f.mu.Unlock()
	if fail {
		// Read part of the body first, as a backend dying mid-write would.
		_, _ = io.CopyN(io.Discard, r, 1)
		return nil, errInjected
	}
	info, err := f.Driver.Put(ctx, b, k, r, opts...)
	if err == nil && f.badETag {
		info.ETag = "0000"
	}
	if err == nil && f.multipartETag {
		info.ETag += "-2"
	}
	f.changed()
	return info, err
}

func (f *flaky) Delete(ctx context.Context, b, k string) error {
	f.mu.Lock()
	fail := f.failDeletes == 0
	if f.failDeletes > 0 {
		f.failDeletes--
	}
	f.mu.Unlock()
	if fail {
		return errInjected
	}
	err := f.Driver.Delete(ctx, b, k)
	f.changed()
	return err
}

func (f *flaky) changed() {
	if f.afterChange != nil {
		f.afterChange()
	}
}

type object struct {
	key, body, contentType string
	meta                   map[string]string
}

var objects = []object{
	{"a.log", "alpha", "text/plain", map[string]string{"owner": "ann"}},
	{"b.log", "bravo", "text/x-log", nil},
	{"c.txt", "charlie", "text/plain", nil},
	{"tmp/d.log", "delta", "application/octet-stream", map[string]string{"k": "v"}},
}

// tiered builds a store over three flaky drivers with objects put while no
// route existed, then adds routes that strand every ".log" object.
func tiered(t *testing.T) (*trove.Store, map[string]*flaky) {
	t.Helper()
	ctx := context.Background()
	drvs := map[string]*flaky{"default": newFlaky(), "archive": newFlaky(), "disk": newFlaky()}
	s, err := trove.Open(drvs["default"],
		trove.WithBackend("archive", drvs["archive"]),
		trove.WithBackend("disk", drvs["disk"]),
		trove.WithDefaultBucket(bucket))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })
	for _, o := range objects {
		if _, err := s.Put(ctx, bucket, o.key, strings.NewReader(o.body),
			trove.WithContentType(o.contentType), trove.WithMetadata(o.meta)); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []trove.Route{{Pattern: "tmp/**", Backend: "disk"}, {Pattern: "*.log", Backend: "archive"}} {
		if err := s.AddRoute(r.Pattern, r.Backend); err != nil {
			t.Fatal(err)
		}
	}
	// From here on, every change any backend makes is followed by a check
	// that each object still exists somewhere, with its content.
	check := func() {
		for _, o := range objects {
			found := false
			for name := range drvs {
				rd, err := drvs[name].Driver.Get(ctx, bucket, o.key)
				if err != nil {
					continue
				}
				body, _ := io.ReadAll(rd)
				rd.Close()
				if string(body) == o.body {
					found = true
				}
			}
			if !found {
				t.Errorf("object %q exists on no backend", o.key)
			}
		}
	}
	for _, d := range drvs {
		d.afterChange = check
	}
	return s, drvs
}

func strandedKeys(t *testing.T, s *trove.Store) []string {
	t.Helper()
	st, err := s.Stranded(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range st {
		keys = append(keys, o.Key+"@"+o.Holder+"->"+o.Target)
	}
	return keys
}

// checkServed asserts that every object reads back through the store with
// its content, content type and metadata.
func checkServed(t *testing.T, s *trove.Store) {
	t.Helper()
	for _, o := range objects {
		rd, err := s.Get(context.Background(), bucket, o.key)
		if err != nil {
			t.Errorf("get %q: %v", o.key, err)
			continue
		}
		body, _ := io.ReadAll(rd)
		rd.Close()
		got := object{o.key, string(body), rd.Info.ContentType, rd.Info.Metadata}
		if diff := cmp.Diff(o, got, cmp.AllowUnexported(object{})); diff != "" {
			t.Errorf("get %q mismatch (-want +got):\n%s", o.key, diff)
		}
	}
}

func TestStranded(t *testing.T) {
	s, drvs := tiered(t)
	want := []string{"a.log@default->archive", "b.log@default->archive", "tmp/d.log@default->disk"}
	if diff := cmp.Diff(want, strandedKeys(t, s)); diff != "" {
		t.Errorf("Stranded mismatch (-want +got):\n%s", diff)
	}
	if _, err := s.Get(context.Background(), bucket, "a.log"); !errors.Is(err, trove.ErrObjectNotFound) {
		t.Errorf("get of a stranded object: got %v, want ErrObjectNotFound", err)
	}

	// A leftover copy next to the one the store serves is flagged.
	ctx := context.Background()
	if _, err := drvs["archive"].Driver.Put(ctx, bucket, "c.txt", strings.NewReader("old")); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRoute("c.txt", "archive"); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stranded(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var dup *trove.StrandedObject
	for i := range st {
		if st[i].Key == "c.txt" {
			dup = &st[i]
		}
	}
	if dup == nil || !dup.Duplicate || dup.Holder != "default" || dup.Target != "archive" {
		t.Errorf("c.txt: got %+v, want a duplicate held by default, target archive", dup)
	}
}

func TestRebalance(t *testing.T) {
	ctx := context.Background()
	t.Run("moves every stranded object and keeps its attributes", func(t *testing.T) {
		s, _ := tiered(t)
		var reported []string
		moves, err := s.Rebalance(ctx, false, func(m trove.Move) { reported = append(reported, m.Key+":"+string(m.Action)) })
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"a.log:move", "b.log:move", "tmp/d.log:move"}
		if diff := cmp.Diff(want, reported); diff != "" {
			t.Errorf("reported moves mismatch (-want +got):\n%s", diff)
		}
		if len(moves) != 3 || moves[0].DryRun {
			t.Errorf("got %d moves (dry run %v), want 3 real ones", len(moves), len(moves) > 0 && moves[0].DryRun)
		}
		if got := strandedKeys(t, s); len(got) != 0 {
			t.Errorf("stranded after rebalance: got %v, want none", got)
		}
		checkServed(t, s)
	})
	t.Run("dry run changes nothing", func(t *testing.T) {
		s, _ := tiered(t)
		before := strandedKeys(t, s)
		moves, err := s.Rebalance(ctx, true, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(moves) != len(before) {
			t.Errorf("dry run planned %d moves, want %d", len(moves), len(before))
		}
		for _, m := range moves {
			if !m.DryRun || m.Action != trove.MoveCopy {
				t.Errorf("dry-run move %q: got action %q dry %v, want move, dry", m.Key, m.Action, m.DryRun)
			}
		}
		if diff := cmp.Diff(before, strandedKeys(t, s)); diff != "" {
			t.Errorf("stranded changed by a dry run (-before +after):\n%s", diff)
		}
	})
	type breakage struct {
		name    string
		breakIt func(drvs map[string]*flaky, cancel context.CancelFunc) func(trove.Move)
		wantErr error
	}
	for _, b := range []breakage{
		{"target fails mid-way", func(d map[string]*flaky, _ context.CancelFunc) func(trove.Move) {
			d["archive"].failPuts = 1
			return nil
		}, errInjected},
		{"source delete fails", func(d map[string]*flaky, _ context.CancelFunc) func(trove.Move) {
			d["default"].failDeletes = 1
			return nil
		}, errInjected},
		{"context cancelled", func(_ map[string]*flaky, cancel context.CancelFunc) func(trove.Move) {
			return func(trove.Move) { cancel() }
		}, context.Canceled},
		{"copy reads back with another ETag", func(d map[string]*flaky, _ context.CancelFunc) func(trove.Move) {
			d["archive"].badETag = true
			return nil
		}, trove.ErrCopyMismatch},
	} {
		t.Run("interrupted: "+b.name+" loses nothing", func(t *testing.T) {
			s, drvs := tiered(t)
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			report := b.breakIt(drvs, cancel)
			_, err := s.Rebalance(cctx, false, report)
			if !errors.Is(err, b.wantErr) {
				t.Fatalf("Rebalance: got %v, want %v", err, b.wantErr)
			}
			// The checker wired into every driver ran after each change;
			// now heal the backends and finish the job.
			for _, d := range drvs {
				d.mu.Lock()
				d.failPuts, d.failDeletes, d.badETag = -1, -1, false
				d.mu.Unlock()
			}
			if _, err := s.Rebalance(ctx, false, nil); err != nil {
				t.Fatalf("second Rebalance: %v", err)
			}
			if got := strandedKeys(t, s); len(got) != 0 {
				t.Errorf("stranded after the second rebalance: got %v, want none", got)
			}
			checkServed(t, s)
		})
	}
	t.Run("a target whose ETags are not MD5s (S3 multipart) still gets its moves", func(t *testing.T) {
		s, drvs := tiered(t)
		drvs["archive"].multipartETag = true
		if _, err := s.Rebalance(ctx, false, nil); err != nil {
			t.Fatalf("Rebalance: got %v, want nil", err)
		}
		if got := strandedKeys(t, s); len(got) != 0 {
			t.Errorf("stranded after rebalance: got %v, want none", got)
		}
		checkServed(t, s)
	})
	t.Run("leftover identical copy is dropped, a different one kept", func(t *testing.T) {
		s, drvs := tiered(t)
		// a.log already sits on archive unchanged; b.log sits there changed.
		for key, body := range map[string]string{"a.log": "alpha", "b.log": "newer"} {
			if _, err := drvs["archive"].Driver.Put(ctx, bucket, key, strings.NewReader(body)); err != nil {
				t.Fatal(err)
			}
		}
		moves, err := s.Rebalance(ctx, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]trove.MoveAction{}
		for _, m := range moves {
			got[m.Key] = m.Action
		}
		want := map[string]trove.MoveAction{"a.log": trove.MoveDropDuplicate, "b.log": trove.MoveConflict, "tmp/d.log": trove.MoveCopy}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("actions mismatch (-want +got):\n%s", diff)
		}
		if _, err := drvs["default"].Head(ctx, bucket, "b.log"); err != nil {
			t.Errorf("the conflicting copy of b.log on default: got %v, want it kept", err)
		}
		if _, err := drvs["default"].Head(ctx, bucket, "a.log"); !errors.Is(err, trove.ErrObjectNotFound) {
			t.Errorf("the identical copy of a.log on default: got %v, want it dropped", err)
		}
	})
}

func TestSetBackendDSN(t *testing.T) {
	s, err := trove.Open(memdriver.New(), trove.WithDefaultBucket(bucket))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetBackendDSN(trove.DefaultBackend, "mem://main"); err != nil {
		t.Fatal(err)
	}
	if got := s.Backends()[0].DSN; got != "mem://main" {
		t.Errorf("default backend DSN: got %q, want %q", got, "mem://main")
	}
	if err := s.SetBackendDSN("nope", "mem://"); !errors.Is(err, trove.ErrUnknownBackend) {
		t.Errorf("SetBackendDSN of an unmounted backend: got %v, want ErrUnknownBackend", err)
	}
	if got := s.DefaultBucket(); got != bucket {
		t.Errorf("DefaultBucket: got %q, want %q", got, bucket)
	}
}

// BenchmarkStranded walks a store of 10,000 objects over three backends of
// which a third are stranded, as a REPL does after every layout change.
func BenchmarkStranded(b *testing.B) {
	ctx := context.Background()
	s, err := trove.Open(memdriver.New(), trove.WithBackend("archive", memdriver.New()),
		trove.WithBackend("disk", memdriver.New()), trove.WithDefaultBucket(bucket))
	if err != nil {
		b.Fatal(err)
	}
	for i := range 10000 {
		key := fmt.Sprintf("k%05d.%s", i, []string{"log", "txt", "bin"}[i%3])
		if _, err := s.Put(ctx, bucket, key, strings.NewReader("x")); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.AddRoute("*.log", "archive"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		st, err := s.Stranded(ctx)
		if err != nil || len(st) != 3334 {
			b.Fatalf("got %d stranded, %v; want 3334", len(st), err)
		}
	}
}
