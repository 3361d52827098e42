package repl

import (
	"bytes"
	"context"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/trove"
)

// objectState is everything a dump must preserve about one object.
type objectState struct {
	Bucket, Key, ContentType, Backend string
	Data                              []byte
	Metadata                          map[string]string
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
				objects = append(objects, objectState{b, info.Key, rd.Info.ContentType, be.Name, data, rd.Info.Metadata})
			}
		}
	}
	sort.Slice(objects, func(i, j int) bool {
		a, b := objects[i], objects[j]
		return a.Bucket+"\x00"+a.Key < b.Bucket+"\x00"+b.Key
	})
	return buckets, backends, st.Routes(), objects
}

func mustExec(t *testing.T, s *Session, words ...string) {
	t.Helper()
	if _, err := s.Exec(context.Background(), words); err != nil {
		t.Fatalf("%s: %v", quoteWords(words), err)
	}
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
	for _, o := range objects {
		if _, err := src.Store().Put(ctx, "data", o.key, strings.NewReader(o.value),
			driver.WithContentType("x/"+strings.Map(func(r rune) rune {
				if r < 'a' || r > 'z' {
					return -1
				}
				return r
			}, o.key)+"; charset=odd"),
			driver.WithMetadata(map[string]string{"k": o.value, "spaced key": "v w", "empty": ""})); err != nil {
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
	if err := DumpStore(ctx, src.Store(), &dump); err != nil {
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
	if err := DumpStore(ctx, dst.Store(), &again); err != nil {
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
	if !strings.Contains(out.String(), "mkbucket demo\n") || !strings.Contains(out.String(), "put demo k v --content-type application/octet-stream\n") {
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
