package script

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/repl"
	"github.com/trovemem/trovemem/trove"
)

// objectState is everything a dump must preserve about one object.
type objectState struct {
	Bucket, Key, ContentType, Backend string
	Data                              []byte
	Metadata                          map[string]string
	LastModified                      time.Time
}

// storeState reads every object of every bucket from every backend,
// directly, so it sees where each object really is.
func storeState(t *testing.T, st *trove.Store) (buckets []string, backends []string, routes []trove.Route, objects []objectState) {
	t.Helper()
	ctx := context.Background()
	bs, err := st.ListBuckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		buckets = append(buckets, b.Name)
	}
	for _, be := range st.Backends() {
		backends = append(backends, be.Name+"="+be.DSN)
		for _, b := range buckets {
			it, err := be.Driver.List(ctx, b, driver.WithMaxKeys(10000))
			if err != nil {
				t.Fatal(err)
			}
			page, _ := it.All(ctx)
			for _, info := range page {
				rd, err := be.Driver.Get(ctx, b, info.Key)
				if err != nil {
					t.Fatal(err)
				}
				data, _ := io.ReadAll(rd)
				rd.Close()
				objects = append(objects, objectState{b, info.Key, rd.Info.ContentType, be.Name, data, rd.Info.Metadata, rd.Info.LastModified})
			}
		}
	}
	sort.Slice(objects, func(i, j int) bool {
		a, b := objects[i], objects[j]
		return a.Bucket+"\x00"+a.Key < b.Bucket+"\x00"+b.Key
	})
	return buckets, backends, st.Routes(), objects
}

func mustExec(t *testing.T, s *repl.Session, words ...string) {
	t.Helper()
	if _, err := s.Exec(context.Background(), words); err != nil {
		t.Fatalf("%s: %v", repl.QuoteWords(words), err)
	}
}

// metaValue is v as a metadata value: v itself when a put accepts it, and
// Go-quoted when it holds what metadata cannot (invalid UTF-8 or control
// characters, refused at put since issue 9 item 18), so the dump still
// carries quotes, dollars and non-ASCII text in metadata.
func metaValue(v string) string {
	if driver.ValidatePutOptions(&driver.PutOptions{Metadata: map[string]string{"k": v}}) != nil {
		return strconv.Quote(v)
	}
	return v
}

func TestDumpRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := newScriptSession(t)
	mustExec(t, src, "mount", "cold", "mem://")
	mustExec(t, src, "mkbucket", "data")
	mustExec(t, src, "mkbucket", "empty-bucket")
	binary := []byte{0, 1, 2, 0xff, 0xfe, '\n', 0x1b, '[', '3', '1', 'm'}
	objects := []struct{ key, value string }{
		{"plain.txt", "hello"},
		{"bin.dat", string(binary)},
		{"invalid-utf8", "a\xffb"},
		{"empty", ""},
		{"multi\nline key", "line 1\nline 2\n\ttabbed"},
		{"it's ${HOME} $x", "'single' \"double\" \\back ${HOME}"},
		{"-dash-key", "-dash-value"},
		{"#hash", "| not a block"},
		{"unicode/clé 日本 😀", "\u00a0non-breaking\u2028separator"},
		{"cold/a.log", "on the cold backend"},
	}
	for i, o := range objects {
		// Each object gets its own time, so the round trip is seen to keep
		// LastModified rather than restamp every object with the clock.
		modified := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 90 * time.Minute)
		if _, err := src.Store().Put(ctx, "data", o.key, strings.NewReader(o.value),
			driver.WithLastModified(modified),
			driver.WithContentType("x/"+strings.Map(func(r rune) rune {
				if r < 'a' || r > 'z' {
					return -1
				}
				return r
			}, o.key)+"; charset=odd"),
			driver.WithMetadata(map[string]string{"k": metaValue(o.value), "spaced key": "v w", "empty": ""})); err != nil {
			t.Fatal(err)
		}
	}
	// Route cold/** to cold only now: cold/a.log, written before, is
	// stranded on default; cold/b.log lands on cold; then another route
	// change strands c.log on cold.
	mustExec(t, src, "route", "add", "cold/**", "cold")
	mustExec(t, src, "put", "data", "cold/b.log", "on cold")
	mustExec(t, src, "route", "add", "*.log", "cold")
	mustExec(t, src, "put", "data", "c.log", "routed by the second rule")
	mustExec(t, src, "route", "rm", "*.log")

	var dump bytes.Buffer
	if err := repl.DumpStore(ctx, src.Store(), &dump); err != nil {
		t.Fatal(err)
	}
	sc, err := NewScriptParser().Parse("dump.trove", dump.Bytes())
	if err != nil {
		t.Fatalf("dump does not parse: %v\n%s", err, dump.String())
	}
	dst := newScriptSession(t)
	res := (&Runner{Session: dst, LookupEnv: func(string) (string, bool) { return "", false }}).Run(ctx, sc)
	if !res.Passed() {
		t.Fatalf("replaying the dump failed: %v\n%s", res.Failures[0].Report(), dump.String())
	}

	wb, wbe, wr, wo := storeState(t, src.Store())
	gb, gbe, gr, gobj := storeState(t, dst.Store())
	if diff := cmp.Diff(wb, gb); diff != "" {
		t.Errorf("buckets differ (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wbe, gbe); diff != "" {
		t.Errorf("backends differ (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wr, gr); diff != "" {
		t.Errorf("routes differ (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wo, gobj); diff != "" {
		t.Errorf("objects differ (-want +got):\n%s\ndump:\n%s", diff, dump.String())
	}
	// The stranded copies really are stranded, so the test checks what it
	// claims to.
	for _, o := range gobj {
		if o.Key == "cold/a.log" && o.Backend != "default" || o.Key == "c.log" && o.Backend != "cold" {
			t.Errorf("got %s on %s, want it stranded where it was written", o.Key, o.Backend)
		}
	}
	if !strings.Contains(dump.String(), "--base64") {
		t.Errorf("got no --base64 in the dump, want binary content written so:\n%s", dump.String())
	}

	// Dumping the copy gives the same script.
	var again bytes.Buffer
	if err := repl.DumpStore(ctx, dst.Store(), &again); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(dump.String(), again.String()); diff != "" {
		t.Errorf("dump of the replayed store differs (-first +second):\n%s", diff)
	}
}

func TestDumpCommand(t *testing.T) {
	dir := t.TempDir()
	s := newScriptSession(t)
	mustExec(t, s, "mkbucket", "demo")
	mustExec(t, s, "put", "demo", "k", "v")
	v, err := s.Exec(context.Background(), []string{"dump"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := s.Render(&out, v); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "mkbucket demo --exist-ok\n") || !strings.Contains(out.String(), "put demo k v --content-type application/octet-stream --modified 2026-01-01T00:00:00Z\n") {
		t.Errorf("got dump output\n%s\nwant the bucket and the object", out.String())
	}
	path := dir + "/saved.trove"
	if _, err := s.Exec(context.Background(), []string{"dump", path}); err != nil {
		t.Fatal(err)
	}
	sc, err := NewScriptParser().ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fresh := newScriptSession(t)
	if res := (&Runner{Session: fresh}).Run(context.Background(), sc); !res.Passed() {
		t.Fatalf("replaying %s failed: %v", path, res.Failures[0])
	}
	if _, err := fresh.Store().Head(context.Background(), "demo", "k"); err != nil {
		t.Errorf("got %v after loading the dump, want demo/k", err)
	}
}

// errRedacted marks a TestExistOK case whose error must not show passwords.
var errRedacted = errors.New("redacted")

func TestExistOK(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	abs := "file://" + filepath.ToSlash(filepath.Join(dir, "disk"))
	tests := []struct {
		name string
		cmds [][]string
		// want is the error the last command must give, nil for success.
		want error
	}{
		{"mkbucket twice fails", [][]string{{"mkbucket", "bk1"}, {"mkbucket", "bk1"}}, driver.ErrBucketExists},
		{"mkbucket --exist-ok accepts an existing bucket", [][]string{{"mkbucket", "bk1"}, {"mkbucket", "bk1", "--exist-ok"}}, nil},
		{"mkbucket --exist-ok still checks the name", [][]string{{"mkbucket", "B!", "--exist-ok"}}, driver.ErrInvalidName},
		{"mount twice fails", [][]string{{"mount", "m", "mem://"}, {"mount", "m", "mem://"}}, trove.ErrBackendExists},
		{"mount --exist-ok accepts the same DSN", [][]string{{"mount", "m", "mem://"}, {"mount", "m", "mem://", "--exist-ok"}}, nil},
		{"mount --exist-ok refuses another DSN", [][]string{{"mount", "m", "mem://"}, {"mount", "m", "mem://other", "--exist-ok"}}, trove.ErrBackendExists},
		{"mount --exist-ok keeps passwords out of its error", [][]string{{"mount", "m", "mem://u:secret@h"}, {"mount", "m", "mem://u:other@h", "--exist-ok"}}, errRedacted},
		{"mount --exist-ok mounts what is not there", [][]string{{"mount", "m", "mem://", "--exist-ok"}, {"route", "add", "x/**", "m"}}, nil},
		{"a relative file DSN is the same directory as the absolute one", [][]string{{"mount", "d", "file://./disk"}, {"mount", "d", abs, "--exist-ok"}}, nil},
		{"route add twice fails", [][]string{{"mount", "m", "mem://"}, {"route", "add", "x/**", "m"}, {"route", "add", "x/**", "m"}}, trove.ErrRouteExists},
		{"route add --exist-ok accepts the same route", [][]string{{"mount", "m", "mem://"}, {"route", "add", "x/**", "m"}, {"route", "add", "x/**", "m", "--exist-ok"}}, nil},
		{"route add --exist-ok refuses another backend", [][]string{{"mount", "m", "mem://"}, {"route", "add", "x/**", "m"}, {"route", "add", "x/**", "default", "--exist-ok"}}, trove.ErrRouteExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScriptSession(t)
			for _, c := range tt.cmds[:len(tt.cmds)-1] {
				mustExec(t, s, c...)
			}
			last := tt.cmds[len(tt.cmds)-1]
			_, err := s.Exec(context.Background(), last)
			if tt.want == errRedacted {
				if err == nil || strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "other") || !strings.Contains(err.Error(), "***") {
					t.Errorf("%s: got %v, want an error with the passwords as ***", repl.QuoteWords(last), err)
				}
				return
			}
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("%s: got %v, want %v", repl.QuoteWords(last), err, tt.want)
			}
		})
	}
}

func TestPutBackend(t *testing.T) {
	ctx := context.Background()
	s := newScriptSession(t)
	mustExec(t, s, "mount", "cold", "mem://")
	mustExec(t, s, "mkbucket", "bkt")
	mustExec(t, s, "put", "bkt", "k", "old")
	mustExec(t, s, "route", "add", "**", "default")
	// The route sends k to default; --backend puts it on cold all the
	// same, and the old copy on default goes, since a key lives in one
	// place.
	v, err := s.Exec(ctx, []string{"put", "bkt", "k", "new", "--backend", "cold"})
	if err != nil {
		t.Fatal(err)
	}
	if got := v.(*repl.PutResult).Backend; got != "cold" {
		t.Errorf("put --backend cold: got backend %q in the result, want cold", got)
	}
	_, _, _, objs := storeState(t, s.Store())
	if len(objs) != 1 || objs[0].Backend != "cold" || string(objs[0].Data) != "new" {
		t.Errorf("got objects %+v, want only k=new on cold", objs)
	}
	if _, err := s.Exec(ctx, []string{"put", "bkt", "k", "v", "--backend", "nope"}); !errors.Is(err, trove.ErrUnknownBackend) {
		t.Errorf("put --backend nope: got %v, want ErrUnknownBackend", err)
	}
	if _, err := s.Exec(ctx, []string{"put", "nobucket", "k", "v", "--backend", "cold"}); !errors.Is(err, driver.ErrBucketNotFound) {
		t.Errorf("put into a missing bucket: got %v, want ErrBucketNotFound", err)
	}
}

// replay parses a dump and runs it in s, failing the test on a failure.
func replay(t *testing.T, s *repl.Session, dump string) *ScriptResult {
	t.Helper()
	sc, err := NewScriptParser().Parse("dump.trove", []byte(dump))
	if err != nil {
		t.Fatalf("dump does not parse: %v\n%s", err, dump)
	}
	return (&Runner{Session: s, LookupEnv: func(string) (string, bool) { return "", false }}).Run(context.Background(), sc)
}

func TestDumpIntoExistingLayout(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t.Chdir(dir)
	// The layout of a program embedding the store: a disk backend, a
	// memory one, routes and a route function, which the REPL cannot add
	// and which is consulted before every pattern route.
	layout := func(t *testing.T) *repl.Session {
		s := newScriptSession(t)
		mustExec(t, s, "mount", "disk", "file://./disk")
		mustExec(t, s, "mount", "archive", "mem://")
		mustExec(t, s, "route", "add", "*.log", "archive")
		s.Store().AddRouteFunc("tmp", func(bucket, key string) string {
			if strings.HasPrefix(key, "tmp/") {
				return "disk"
			}
			return ""
		})
		return s
	}
	src := layout(t)
	mustExec(t, src, "mkbucket", "bkt")
	mustExec(t, src, "put", "bkt", "a.log", "log")
	mustExec(t, src, "put", "bkt", "tmp/x", "scratch")
	mustExec(t, src, "put", "bkt", "plain", "data", "--meta", "k=v")
	// A layout change strands a.log on archive: it must come back there.
	mustExec(t, src, "route", "rm", "*.log")
	mustExec(t, src, "put", "bkt", "b.log", "after")
	mustExec(t, src, "route", "add", "*.log", "archive")
	var dump bytes.Buffer
	if err := repl.DumpStore(ctx, src.Store(), &dump); err != nil {
		t.Fatal(err)
	}
	_, _, _, want := storeState(t, src.Store())
	if err := src.Store().Close(ctx); err != nil {
		t.Fatal(err)
	}

	// The same layout again, with the disk backend's files still there:
	// every mount, bucket and route is there already.
	dst := layout(t)
	if res := replay(t, dst, dump.String()); !res.Passed() {
		t.Fatalf("replaying into the existing layout failed: %v\n%s", res.Failures[0].Report(), dump.String())
	}
	_, _, gotRoutes, got := storeState(t, dst.Store())
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("objects differ (-want +got):\n%s\ndump:\n%s", diff, dump.String())
	}
	if want := []trove.Route{{Pattern: "*.log", Backend: "archive"}}; !cmp.Equal(want, gotRoutes) {
		t.Errorf("got routes %v, want %v", gotRoutes, want)
	}
	// Replaying twice changes nothing either.
	if res := replay(t, dst, dump.String()); !res.Passed() {
		t.Fatalf("replaying a second time failed: %v", res.Failures[0].Report())
	}
	if _, _, _, again := storeState(t, dst.Store()); !cmp.Equal(want, again) {
		t.Errorf("a second replay changed the objects: %s", cmp.Diff(want, again))
	}
	if !strings.Contains(dump.String(), "mount disk file://"+filepath.ToSlash(filepath.Join(dir, "disk"))+" --exist-ok\n") {
		t.Errorf("got dump\n%s\nwant the disk backend mounted by its absolute directory", dump.String())
	}
	if !strings.Contains(dump.String(), "# Route function tmp is Go code") {
		t.Errorf("got dump\n%s\nwant a note on the route function", dump.String())
	}
}

func TestDumpDanglingRoute(t *testing.T) {
	s := newScriptSession(t)
	mustExec(t, s, "mount", "cold", "mem://")
	mustExec(t, s, "route", "add", "x/**", "cold")
	mustExec(t, s, "route", "add", "y/**", "default")
	mustExec(t, s, "unmount", "cold")
	var dump bytes.Buffer
	if err := repl.DumpStore(context.Background(), s.Store(), &dump); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dump.String(), "# route add x/** cold\nroute add y/** default --exist-ok\n") {
		t.Errorf("got dump\n%s\nwant the dangling route as a comment, the other as a command", dump.String())
	}
	fresh := newScriptSession(t)
	if res := replay(t, fresh, dump.String()); !res.Passed() {
		t.Fatalf("replaying failed: %v\n%s", res.Failures[0].Report(), dump.String())
	}
	if got, want := fresh.Store().Routes(), []trove.Route{{Pattern: "y/**", Backend: "default"}}; !cmp.Equal(got, want) {
		t.Errorf("got routes %v, want %v", got, want)
	}
}

func TestDumpSessionStores(t *testing.T) {
	ctx := context.Background()
	clock := func() time.Time { return fixedNow }
	stores := func(t *testing.T) map[string]*trove.Store {
		m := map[string]*trove.Store{}
		for _, name := range []string{"main", "scratch"} {
			st, err := trove.Open(memdriver.New(driver.WithClock(clock)))
			if err != nil {
				t.Fatal(err)
			}
			m[name] = st
		}
		return m
	}
	src, err := repl.NewSessionWithStores(stores(t), "main", repl.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, src, "mkbucket", "in-main")
	mustExec(t, src, "use", "scratch")
	mustExec(t, src, "mkbucket", "in-scratch")
	mustExec(t, src, "put", "in-scratch", "k", "v")
	var dump bytes.Buffer
	if err := repl.DumpSession(ctx, src, &dump); err != nil {
		t.Fatal(err)
	}

	dst, err := repl.NewSessionWithStores(stores(t), "main", repl.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if res := replay(t, dst, dump.String()); !res.Passed() {
		t.Fatalf("replaying failed: %v\n%s", res.Failures[0].Report(), dump.String())
	}
	if dst.StoreName() != "scratch" {
		t.Errorf("got current store %q after the replay, want scratch, current when dumped", dst.StoreName())
	}
	for _, name := range []string{"main", "scratch"} {
		want, _ := src.StoreNamed(name)
		got, _ := dst.StoreNamed(name)
		wb, _, _, wo := storeState(t, want)
		gb, _, _, gobj := storeState(t, got)
		if !cmp.Equal(wb, gb) || !cmp.Equal(wo, gobj) {
			t.Errorf("store %s: got buckets %v objects %v, want %v %v", name, gb, gobj, wb, wo)
		}
	}

	// Where the stores do not exist, the replay fails at use rather than
	// pouring every store into one.
	lone := newScriptSession(t)
	res := replay(t, lone, dump.String())
	if res.Passed() || !strings.Contains(res.Failures[0].Msg, "unknown store scratch") {
		t.Errorf("got %v, want the replay to fail on an unknown store", res.Failures)
	}
}

func TestDumpEmptyFileName(t *testing.T) {
	s := newScriptSession(t)
	_, err := s.Exec(context.Background(), []string{"dump", ""})
	var ue *repl.UsageError
	if !errors.As(err, &ue) {
		t.Errorf("dump \"\": got %v, want a usage error", err)
	}
}
