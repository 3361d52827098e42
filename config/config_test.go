package config_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trovemem/trovemem/config"
	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/trove"
)

// issueExample is the layout from the issue, with a disk backend.
const issueExample = `default: main            # the store the REPL starts in
stores:
  - name: main
    storage_driver: "mem://"
    default_bucket: uploads
    buckets: [uploads, logs]
    backends:
      - name: archive
        storage_driver: "mem://"
      - name: disk
        storage_driver: "file://./data"
    routes:
      - pattern: "*.log"
        backend: archive
      - pattern: "tmp/**"
        backend: disk
  - name: scratch
    storage_driver: "mem://"
`

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trovemem.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func build(t *testing.T, cfg *config.Config) map[string]*trove.Store {
	t.Helper()
	ctx := context.Background()
	stores, err := config.Build(ctx, cfg, func() time.Time { return time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, s := range stores {
			_ = s.Close(ctx)
		}
	})
	return stores
}

func TestLoadIssueExample(t *testing.T) {
	path := writeConfig(t, issueExample)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	stores := build(t, cfg)
	if cfg.Default != "main" || len(stores) != 2 || stores["scratch"] == nil {
		t.Fatalf("got default %q and %d stores, want main and 2 (main, scratch)", cfg.Default, len(stores))
	}
	main := stores["main"]
	var backends []string
	for _, b := range main.Backends() {
		backends = append(backends, b.Name+"="+b.DSN)
	}
	wantDisk := "file://" + filepath.ToSlash(filepath.Join(filepath.Dir(path), "data"))
	if diff := cmp.Diff([]string{"default=mem://", "archive=mem://", "disk=" + wantDisk}, backends); diff != "" {
		t.Errorf("backends mismatch (-want +got):\n%s", diff)
	}
	if got := main.Resolve("", "tmp/x"); got != "disk" {
		t.Errorf("tmp/x routes to %q, want disk", got)
	}
	bs, err := main.ListBuckets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 || bs[0].Name != "logs" || bs[1].Name != "uploads" {
		t.Errorf("buckets: got %v, want logs and uploads", bs)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), "data")); err != nil {
		t.Errorf("the disk backend's folder beside the config: %v", err)
	}
}

func TestShorthand(t *testing.T) {
	cfg, err := config.Parse("short.yaml", []byte("storage_driver: mem://\nbackends:\n  - name: cold\nroutes:\n  - {pattern: \"*.bak\", backend: cold}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []config.StoreConfig{{
		Name: config.ShorthandStore, StorageDriver: "mem://",
		Backends: []config.BackendConfig{{Name: "cold", StorageDriver: config.DefaultDriver}},
		Routes:   []config.RouteConfig{{Pattern: "*.bak", Backend: "cold"}},
	}}
	if diff := cmp.Diff(want, cfg.Stores); diff != "" {
		t.Errorf("stores mismatch (-want +got):\n%s", diff)
	}
	if cfg.Default != config.ShorthandStore {
		t.Errorf("default: got %q, want %q", cfg.Default, config.ShorthandStore)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		want    string // "LINE:COL"
		wantErr error
	}{
		{"unknown top-level field", "stores:\n  - name: a\ncolour: red\n", "3:1", config.ErrUnknownField},
		{"unknown store field", "stores:\n  - name: a\n    storage: mem://\n", "3:5", config.ErrUnknownField},
		{"unknown backend field", "stores:\n  - name: a\n    backends:\n      - name: b\n        dsn: mem://\n", "5:9", config.ErrUnknownField},
		{"unknown route field", "name: a\nroutes:\n  - pattern: x\n    backend: default\n    weight: 3\n", "5:5", config.ErrUnknownField},
		{"duplicate store", "stores:\n  - name: a\n  - name: b\n  - name: a\n", "4:11", config.ErrDuplicateName},
		{"duplicate backend", "stores:\n  - name: a\n    backends:\n      - name: b\n      - name: b\n", "5:15", config.ErrDuplicateName},
		{"duplicate route pattern", "routes:\n  - {pattern: x, backend: default}\n  - {pattern: x, backend: default}\n", "3:15", config.ErrDuplicateName},
		{"duplicate bucket", "buckets: [logs, logs]\n", "1:17", config.ErrDuplicateName},
		{"route to unknown backend", "stores:\n  - name: a\n    routes:\n      - pattern: \"*.log\"\n        backend: archive\n", "5:18", trove.ErrUnknownBackend},
		{"unknown scheme", "stores:\n  - name: a\n    storage_driver: gs://bucket\n", "3:21", driver.ErrUnknownScheme},
		{"unknown backend scheme", "backends:\n  - name: b\n    storage_driver: \"ftp://x\"\n", "3:21", driver.ErrUnknownScheme},
		{"unknown default store", "default: nope\nstores:\n  - name: a\n", "1:10", config.ErrUnknownStore},
		{"both shapes", "name: a\nstores:\n  - name: b\n", "3:3", config.ErrMixedShape},
		{"store without name", "stores:\n  - storage_driver: mem://\n", "2:5", config.ErrMissingField},
		{"route without backend", "routes:\n  - pattern: x\n", "2:14", config.ErrMissingField},
		{"backend named default", "backends:\n  - name: default\n", "2:11", config.ErrReservedName},
		{"invalid pattern", "routes:\n  - {pattern: \"[ab\", backend: default}\n", "2:15", trove.ErrInvalidPattern},
		{"invalid bucket", "buckets: [Logs]\n", "1:11", driver.ErrInvalidName},
		{"syntax error", "stores: [\n", "1:9", config.ErrSyntax},
		{"duplicate key", "name: a\nname: b\n", "2:1", config.ErrSyntax},
		{"wrong type", "buckets: 3\n", "1:10", config.ErrSyntax},
		{"empty file", "", "", config.ErrNoStores},
		{"second document", "name: a\n---\nname: b\n", "2:1", config.ErrManyDocuments},
		{"flow nesting too deep", "buckets: " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n", "1:26", config.ErrTooDeep},
		{"block nesting too deep", "buckets:\n" + blockNest(40), "17:17", config.ErrTooDeep},
		{"file too large", "# " + strings.Repeat("x", config.MaxFileSize) + "\nname: a\n", "", config.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.text)
			_, err := config.Load(path)
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a *config.Error", err)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("got %v, want it to wrap %v", err, tt.wantErr)
			}
			if got := pos(ce); got != tt.want {
				t.Errorf("got position %q, want %q (error: %v)", got, tt.want, err)
			}
			prefix := path + ":"
			if tt.want != "" {
				prefix += tt.want + ": "
			}
			if !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("message %q does not start with %q", err.Error(), prefix)
			}
		})
	}
}

// blockNest writes n levels of block sequences, each indented one more.
func blockNest(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(strings.Repeat(" ", i+1))
		b.WriteString("-\n")
	}
	return b.String()
}

func pos(e *config.Error) string {
	if e.Line == 0 {
		return ""
	}
	return fmt.Sprintf("%d:%d", e.Line, e.Col)
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	cfg, err := config.Load(writeConfig(t, issueExample))
	if err != nil {
		t.Fatal(err)
	}
	stores := build(t, cfg)
	stores["main"].AddRouteFunc("by-size", func(string, string) string { return "" })
	live, err := config.FromStores(ctx, stores, []string{"main", "scratch"}, "scratch")
	if err != nil {
		t.Fatal(err)
	}
	out, err := config.Marshal(live)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), "# store main: route function by-size") {
		t.Errorf("Marshal output does not start with the route function note:\n%s", out)
	}
	back, err := config.Parse("shown.yaml", out)
	if err != nil {
		t.Fatalf("the shown layout does not load: %v\n%s", err, out)
	}
	again, err := config.FromStores(ctx, build(t, back), []string{"main", "scratch"}, back.Default)
	if err != nil {
		t.Fatal(err)
	}
	ignore := cmpopts.IgnoreFields(config.Config{}, "Notes", "Dir")
	if diff := cmp.Diff(live, again, ignore, cmpopts.IgnoreUnexported(config.Config{})); diff != "" {
		t.Errorf("layout changed by a round trip (-shown +loaded):\n%s\nshown YAML:\n%s", diff, out)
	}
	if again.Default != "scratch" {
		t.Errorf("default after round trip: got %q, want scratch", again.Default)
	}
}

func TestDiskDataOutlivesTheProcess(t *testing.T) {
	ctx := context.Background()
	path := writeConfig(t, "storage_driver: file://./store\nbuckets: [keep]\n")
	for round := range 2 {
		cfg, err := config.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		// The second build meets buckets that already exist on disk.
		stores, err := config.Build(ctx, cfg, nil)
		if err != nil {
			t.Fatalf("build %d: %v", round+1, err)
		}
		s := stores["main"]
		if round == 0 {
			if _, err := s.Put(ctx, "keep", "k", strings.NewReader("v")); err != nil {
				t.Fatal(err)
			}
		} else {
			rd, err := s.Get(ctx, "keep", "k")
			if err != nil {
				t.Fatalf("get after reopening: %v", err)
			}
			body, _ := io.ReadAll(rd)
			rd.Close()
			if string(body) != "v" {
				t.Errorf("got %q, want %q", body, "v")
			}
		}
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func TestResolveDSN(t *testing.T) {
	tests := []struct{ name, dsn, dir, want string }{
		{"relative file path", "file://./data", "/srv/cfg", "file:///srv/cfg/data"},
		{"parent relative path", "file://../x", "/srv/cfg", "file:///srv/x"},
		{"localhost is this machine", "file://localhost/var/trove", "/srv", "file:///var/trove"},
		{"absolute path unchanged", "file:///var/trove", "/srv", "file:///var/trove"},
		{"other schemes unchanged", "mem://", "/srv", "mem://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.ResolveDSN(tt.dsn, tt.dir)
			if err != nil || got != tt.want {
				t.Errorf("ResolveDSN(%q, %q) = %q, %v; want %q", tt.dsn, tt.dir, got, err, tt.want)
			}
		})
	}
	// RFC 8089 (issue 9 item 19): a host other than localhost is another
	// machine, not a relative folder ("file://data/x" once was one).
	for _, dsn := range []string{"file://data/x", "file://~/x", "file:///x#frag"} {
		if got, err := config.ResolveDSN(dsn, "/srv"); err == nil {
			t.Errorf("ResolveDSN(%q) = %q, nil; want an error", dsn, got)
		}
	}
}
