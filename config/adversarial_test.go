package config_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trovemem/trovemem/config"
)

// TestHostileNesting feeds the shapes that made go-yaml's decoder take
// minutes and gigabytes (80 KB and 200 KB of nested lists). They must be
// refused as too deep, before decoding.
func TestHostileNesting(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{"flow 80KB", "buckets: " + strings.Repeat("[", 40_000) + strings.Repeat("]", 40_000)},
		{"flow 200KB", "buckets: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)},
		{"maps 80KB", "buckets: " + strings.Repeat("{a: ", 20_000) + "x" + strings.Repeat("}", 20_000)},
		{"block", "buckets:\n" + blockNest(1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("hostile.yaml", []byte(tt.text))
			if !errors.Is(err, config.ErrTooDeep) && !errors.Is(err, config.ErrSyntax) {
				t.Fatalf("got %v, want ErrTooDeep (or a syntax error)", err)
			}
		})
	}
}

// TestBuildFailureDoesNotPanic: a backend or bucket that cannot be opened
// used to close a nil store and panic, so every command run in a folder
// with such a trovemem.yaml crashed. Build must return the error instead.
func TestBuildFailureDoesNotPanic(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "not-a-folder")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		text string
	}{
		{"backend on a file", "backends:\n  - name: disk\n    storage_driver: \"file://" + filepath.ToSlash(file) + "\"\n"},
		{"default driver on a file", "storage_driver: \"file://" + filepath.ToSlash(file) + "\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse("c.yaml", []byte(tt.text))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			stores, err := config.Build(context.Background(), cfg, nil)
			if err == nil {
				t.Fatalf("Build: got stores %v, want an error for a backend over a file", stores)
			}
		})
	}
}

// FuzzParse checks that no config text panics the loader, and that every
// refusal is a *config.Error naming the file, as the CLI prints it.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		issueExample,
		"name: a\nbackends: [{name: b, storage_driver: \"mem://\"}]\nroutes: [{pattern: \"*.log\", backend: b}]\n",
		"buckets: [[[[]]]]",
		"name: a\n---\nname: b\n",
		"stores: [\n",
		"a: &x [*x]\n",
		"'it''s': \"\\\"[\"\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cfg, err := config.Parse("fuzz.yaml", []byte(text))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if len(cfg.Stores) == 0 {
			t.Fatalf("parsed a config with no stores from %q", text)
		}
	})
}
