package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPromptNamesStore checks, on a real terminal, that the prompt names the
// current store once a config declares more than one, and follows use.
func TestPromptNamesStore(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "two.yaml")
	if err := os.WriteFile(cfg, []byte("stores:\n  - name: main\n  - name: scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	term := startTerminal(t, []string{"HOME=" + dir, "XDG_STATE_HOME=" + dir}, "--config", cfg)
	term.expect("trovemem[main]> ")
	term.send("use scratch\r")
	term.expect("trovemem[scratch]> ")
	term.send("\x04")
	if code := term.wait(); code != 0 {
		t.Errorf("exit status: got %d, want 0", code)
	}
}
