package repl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/config"
	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

func TestLayoutCommands(t *testing.T) {
	tests := []struct {
		name  string
		setup []string
		line  string
		want  string
	}{
		{"route test", []string{"mount cold mem://; route add '*.log' cold"}, "route test logs a.log b.txt dir/c.log",
			"a.log\tcold\t*.log\nb.txt\tdefault\tdefault\ndir/c.log\tdefault\tdefault\n"},
		{"route add reports stranded objects", []string{"mkbucket logs; put logs a.log 1; put logs b.log 2; put logs c.txt 3; mount cold mem://"},
			"route add '*.log' cold",
			"2 objects stranded: held by another backend than the rules now send them to (get misses them; rebalance moves them)\n" +
				"  logs/a.log: on default, routes to cold\n  logs/b.log: on default, routes to cold\n"},
		{"route add that strands nothing is silent", []string{"mkbucket logs; put logs c.txt 3; mount cold mem://"},
			"route add '*.log' cold", ""},
		{"route rm reports stranded objects", []string{"mkbucket logs; mount cold mem://; route add '*.log' cold; put logs a.log 1"},
			"route rm '*.log'",
			"1 object stranded: held by another backend than the rules now send them to (get misses them; rebalance moves them)\n" +
				"  logs/a.log: on cold, routes to default\n"},
		{"ls marks stranded objects", []string{"mkbucket logs; put logs a.log 1; put logs c.txt 3; mount cold mem://; route add '*.log' cold"},
			"ls logs",
			"a.log\t1\t2024-05-01T12:00:00Z\tdefault (stranded: routes to cold)\nc.txt\t1\t2024-05-01T12:00:00Z\tdefault\n"},
		{"rebalance dry run changes nothing", []string{"mkbucket logs; put logs a.log 1; mount cold mem://; route add '*.log' cold"},
			"rebalance --dry-run; ls logs",
			"logs/a.log\tdefault\tcold\twould move\ndry run: 1 object would move, nothing changed\n" +
				"a.log\t1\t2024-05-01T12:00:00Z\tdefault (stranded: routes to cold)\n"},
		{"rebalance moves and get finds the object", []string{"mkbucket logs; put logs a.log 1; mount cold mem://; route add '*.log' cold"},
			"rebalance; get logs a.log; rebalance",
			"logs/a.log\tdefault\tcold\tmove\n1 object moved\n1nothing is stranded\n"},
		{"routes flags shadowed and dangling rules", []string{"mount cold mem://; mount gone mem://; route add '*.log' cold; route add a.log gone; route add 'tmp/**' gone; unmount gone"},
			"routes",
			"1\t*.log\tpattern\tcold\n2\ta.log\tpattern\tgone\n3\ttmp/**\tpattern\tgone\n4\tdefault\tdefault\tdefault\n" +
				"warning: rule 2 (a.log) never matches: rule 1 (*.log) matches every key it could\n" +
				"warning: rule 2 (a.log) is skipped: backend gone is not mounted\n" +
				"warning: rule 3 (tmp/**) is skipped: backend gone is not mounted\n"},
		{"stats shares", []string{"mkbucket logs; mount cold mem://; route add '*.log' cold; put logs a.log 123; put logs b 4"},
			"stats",
			"main\tdefault\t1\t1\t1\t25%\nmain\tcold\t1\t1\t3\t75%\ntotal: 1 bucket, 2 objects, 4 bytes\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newCoreSession(t)
			runOK(t, s, tt.setup...)
			if got := runOK(t, s, tt.line); got != tt.want {
				t.Errorf("%s:\ngot  %q\nwant %q", tt.line, got, tt.want)
			}
		})
	}
}

func TestStatsBarInTableMode(t *testing.T) {
	s := newCoreSession(t, WithFormat(FormatTable))
	runOK(t, s, "mkbucket logs; mount cold mem://; route add '*.log' cold; put logs a.log 123; put logs b 1")
	out := runOK(t, s, "stats")
	for _, want := range []string{"75%", "###############.....", "25%", "#####..............."} {
		if !strings.Contains(out, want) {
			t.Errorf("stats table lacks %q:\n%s", want, out)
		}
	}
}

// newStores is a session over two stores, as a config file makes them.
func newStores(t *testing.T) *Session {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Parse("test.yaml", []byte(`default: main
stores:
  - name: main
    default_bucket: uploads
    backends: [{name: archive}]
    routes: [{pattern: "*.log", backend: archive}]
  - name: scratch
`))
	if err != nil {
		t.Fatal(err)
	}
	stores, err := config.Build(ctx, cfg, coreClock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, st := range stores {
			_ = st.Close(ctx)
		}
	})
	s, err := NewSessionWithStores(stores, cfg.Default, WithClock(coreClock), WithTerminalCheck(func(io.Writer) bool { return false }))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoresAndUse(t *testing.T) {
	s := newStores(t)
	if got, want := s.Prompt(), "trovemem[main]> "; got != want {
		t.Errorf("prompt: got %q, want %q", got, want)
	}
	if got, want := runOK(t, s, "stores"), "main\t*\tmem://\t2\t1\nscratch\t\tmem://\t1\t0\n"; got != want {
		t.Errorf("stores: got %q, want %q", got, want)
	}
	runOK(t, s, "use scratch; mkbucket only-here")
	if got, want := s.Prompt(), "trovemem[scratch]> "; got != want {
		t.Errorf("prompt after use: got %q, want %q", got, want)
	}
	if got := runOK(t, s, "ls"); !strings.Contains(got, "only-here") {
		t.Errorf("ls in scratch: got %q, want the bucket made there", got)
	}
	runOK(t, s, "use main")
	if got := runOK(t, s, "ls"); strings.Contains(got, "only-here") {
		t.Errorf("ls in main: got %q, want no bucket of scratch", got)
	}
	var out bytes.Buffer
	err := s.RunLine(context.Background(), "use nope", &out)
	if !errors.Is(err, ErrUnknownStore) {
		t.Errorf("use nope: got %v, want ErrUnknownStore", err)
	}
	single := newCoreSession(t)
	if got, want := single.Prompt(), "trovemem> "; got != want {
		t.Errorf("prompt with one store: got %q, want %q", got, want)
	}
}

func TestConfigShowRoundTrips(t *testing.T) {
	s := newStores(t)
	runOK(t, s, "mount disk mem://; route add 'tmp/**' disk; use scratch")
	shown := runOK(t, s, "config show")
	cfg, err := config.Parse("shown.yaml", []byte(shown))
	if err != nil {
		t.Fatalf("config show output does not load: %v\n%s", err, shown)
	}
	stores, err := config.Build(context.Background(), cfg, coreClock)
	if err != nil {
		t.Fatal(err)
	}
	again, err := NewSessionWithStores(stores, cfg.Default)
	if err != nil {
		t.Fatal(err)
	}
	if got := runOK(t, again, "config show"); got != shown {
		t.Errorf("config show after reloading differs:\n got:\n%s\nwant:\n%s", got, shown)
	}
	if cfg.Default != "scratch" {
		t.Errorf("default: got %q, want the current store, scratch", cfg.Default)
	}
	s.SetFormat(FormatJSON)
	var doc struct {
		Default string `json:"default"`
		Stores  []struct {
			Name string `json:"name"`
		} `json:"stores"`
	}
	if err := json.Unmarshal([]byte(runOK(t, s, "config show")), &doc); err != nil || doc.Default != "scratch" || len(doc.Stores) != 2 {
		t.Errorf("config show in JSON: got %+v, %v; want default scratch and 2 stores", doc, err)
	}
}

func TestLayoutChangeJSON(t *testing.T) {
	s := newCoreSession(t, WithFormat(FormatJSON))
	runOK(t, s, "mkbucket logs; put logs a.log 1; mount cold mem://")
	var doc struct {
		Op       string                 `json:"op"`
		Pattern  string                 `json:"pattern"`
		Stranded []trove.StrandedObject `json:"stranded"`
	}
	if err := json.Unmarshal([]byte(runOK(t, s, "route add '*.log' cold")), &doc); err != nil {
		t.Fatal(err)
	}
	want := []trove.StrandedObject{{Bucket: "logs", Key: "a.log", Holder: "default", Target: "cold", Size: 1, ETag: "c4ca4238a0b923820dcc509a6f75849b"}}
	if doc.Op != "route add" || doc.Pattern != "*.log" {
		t.Errorf("got op %q pattern %q, want route add *.log", doc.Op, doc.Pattern)
	}
	if diff := cmp.Diff(want, doc.Stranded); diff != "" {
		t.Errorf("stranded mismatch (-want +got):\n%s", diff)
	}
}

// TestEmbedded is what a program embedding trovemem does: it opens a
// session over its own store, whose route function has a name, and the
// REPL explains routing by that name.
func TestEmbedded(t *testing.T) {
	ctx := context.Background()
	byTenant := func(bucket, key string) string {
		if strings.HasPrefix(key, "tenant-a/") {
			return "hot"
		}
		return ""
	}
	st, err := trove.Open(memdriver.New(driver.WithClock(coreClock)),
		trove.WithBackend("hot", memdriver.New(driver.WithClock(coreClock))),
		trove.WithNamedRouteFunc("by-tenant", byTenant),
		trove.WithDefaultBucket("uploads"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	s := NewSession(st, WithClock(coreClock))
	out := runOK(t, s, "route explain uploads tenant-a/x; route test uploads tenant-a/y other")
	want := "bucket uploads, key tenant-a/x -> hot\n" +
		"1\tby-tenant\thot\tmatched (wins)\treturned backend \"hot\"\n" +
		"2\tdefault\tdefault\tshadowed\twould match (it takes every key), shadowed by rule 1 (by-tenant)\n" +
		"no object is stored under this key\n" +
		"tenant-a/y\thot\tby-tenant\nother\tdefault\tdefault\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if got := runOK(t, s, "routes"); !strings.HasPrefix(got, "1\tby-tenant\tfunc\t") {
		t.Errorf("routes: got %q, want the function first, by name", got)
	}
}
