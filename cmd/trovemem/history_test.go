package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestInteractiveHistory types at the REPL and reads the history file it
// leaves: a command continued over two lines is one entry that Up brings
// back whole, a line abandoned with Ctrl-C is not there, nor a mount or a
// DSN with a password, and a file that others could read is made private.
func TestInteractiveHistory(t *testing.T) {
	hist := filepath.Join(t.TempDir(), "history")
	if err := os.WriteFile(hist, []byte("echo old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + t.TempDir(), "XDG_STATE_HOME="}
	term := startTerminal(t, env, "--history", hist)
	term.expect("trovemem> ")
	if fi, err := os.Stat(hist); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("history file left readable by others: got %v (%v), want -rw-------", fi.Mode(), err)
	}
	term.send("echo one \\\r")
	term.expect("       ... ")
	term.send("two\r")
	term.expect("one two")
	term.expect("trovemem> ")
	term.send("mount cold mem://\r")
	term.expect("trovemem> ")
	term.send("echo s3://k:s3cr3t@us-east-1/b\r")
	term.expect("trovemem> ")
	term.send("echo abandoned \\\r")
	term.expect("       ... ")
	term.send("half\x03")
	term.expect("trovemem> ")
	term.send("echo last\r")
	term.expect("last")
	term.expect("trovemem> ")
	term.send("\x04")
	if code := term.wait(); code != 0 {
		t.Errorf("exit status after Ctrl-D: got %d, want 0", code)
	}

	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	want := []string{"echo old", "echo one two", "echo last"}
	if !slices.Equal(got, want) {
		t.Errorf("history file: got %q, want %q", got, want)
	}

	// The next session recalls the two-line command as one line.
	term = startTerminal(t, env, "--history", hist)
	term.expect("trovemem> ")
	term.send("\x1b[A\x1b[A")
	term.expect("echo one two")
	term.send("\r")
	term.expect("one two\r\n")
	term.expect("trovemem> ")
	// A recalled line continued over two lines is saved whole, too.
	term.send("\x1b[A")
	term.expect("echo one two")
	term.send(" \\\r")
	term.expect("       ... ")
	term.send("three\r")
	term.expect("one two three\r\n")
	term.expect("trovemem> ")
	term.send("exit\r")
	if code := term.wait(); code != 0 {
		t.Errorf("exit status after exit: got %d, want 0", code)
	}
	data, err = os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	got = strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	want = append(want, "echo one two", "echo one two three", "exit")
	if !slices.Equal(got, want) {
		t.Errorf("history file after the second session: got %q, want %q", got, want)
	}
}

// TestHistoryCreatedPrivate starts the REPL with no history file yet: the
// file it creates is readable by its owner only.
func TestHistoryCreatedPrivate(t *testing.T) {
	state := t.TempDir()
	term := startTerminal(t, []string{"HOME=" + t.TempDir(), "XDG_STATE_HOME=" + state})
	term.expect("trovemem> ")
	term.send("exit\r")
	term.wait()
	fi, err := os.Stat(filepath.Join(state, "trovemem", "history"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("new history file: got %v (%v), want -rw-------", fi.Mode(), err)
	}
}
