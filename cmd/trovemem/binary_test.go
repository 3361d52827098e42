package main

import (
	"os"
	"testing"
)

// TestBinaryRefusedFromShell runs get at a terminal from the shell (-c):
// the binary object is not written, and the way out suggested is a file or
// a pipe to xxd, which a shell can do (the REPL's own suggestion, a file
// only, is checked in TestInteractiveREPL).
func TestBinaryRefusedFromShell(t *testing.T) {
	term := startTerminal(t, []string{"HOME=" + t.TempDir()}, "--history", os.DevNull,
		"-c", `mkbucket abc; put abc bin "\x00\x01"; get abc bin`)
	term.expect("error: get abc/bin: binary content (2 bytes of application/octet-stream) not written to a terminal; use --out FILE to save it, or --out - | xxd to see it\r\n")
	if code := term.wait(); code != 1 {
		t.Errorf("exit status: got %d, want 1", code)
	}
}
