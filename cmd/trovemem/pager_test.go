package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pagerSetup writes a script that stores 60 objects in bucket abc, and a
// stub pager that keeps what it is given in a file and says it paged.
func pagerSetup(t *testing.T) (load, stub, got string) {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("mkbucket abc\n")
	for i := range 60 {
		fmt.Fprintf(&b, "put abc k%02d v\n", i)
	}
	load = filepath.Join(dir, "setup.trove")
	got = filepath.Join(dir, "paged.txt")
	stub = filepath.Join(dir, "pager.sh")
	if err := os.WriteFile(load, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stub, []byte("#!/bin/sh\ncat > '"+got+"'\necho '[paged]'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return load, stub, got
}

// TestPagerAtTheTerminal lists more lines than a 40-row terminal holds:
// the listing goes through TROVEMEM_PAGER and ends by saying how to get
// the next page; a short listing does not.
func TestPagerAtTheTerminal(t *testing.T) {
	load, stub, got := pagerSetup(t)
	term := startTerminal(t, []string{"HOME=" + t.TempDir(), "TROVEMEM_PAGER=" + stub, "TROVEMEM_NOW=2024-05-01T12:00:00Z"},
		"--history", os.DevNull, "--load", load)
	term.expect("trovemem> ")
	term.send("ls abc --max 50\r")
	term.expect("[paged]")
	term.expect("trovemem> ")
	data, err := os.ReadFile(got)
	if err != nil {
		t.Fatalf("the pager got nothing: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) < 50 || !strings.Contains(string(data), "│ k49 ") {
		t.Errorf("the pager got %d lines, want the 50 entries in a table:\n%s", len(lines), data)
	}
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "next cursor: ") || !strings.HasSuffix(last, "lists the next page)") {
		t.Errorf("last line the pager got: %q, want the next cursor and how to get the next page", last)
	}

	// A listing that fits the screen is written as it is.
	term.send("ls abc --max 3\r")
	term.expect("│ k02 ")
	out := term.expect("trovemem> ")
	if strings.Contains(out, "[paged]") {
		t.Errorf("a short listing went through the pager:\n%s", out)
	}
	term.send("exit\r")
	term.wait()
}

// TestPagerTurnedOff: --no-pager and an empty TROVEMEM_PAGER write long
// output straight to the terminal, and the default pager is less -FRX,
// which stays until q.
func TestPagerTurnedOff(t *testing.T) {
	load, stub, _ := pagerSetup(t)
	for _, tt := range []struct {
		name string
		env  []string
		args []string
	}{
		{"--no-pager", []string{"TROVEMEM_PAGER=" + stub}, []string{"--no-pager"}},
		{"TROVEMEM_PAGER=", []string{"TROVEMEM_PAGER=", "PAGER=" + stub}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"--load", load}, tt.args...), "ls", "abc")
			term := startTerminal(t, append(tt.env, "HOME="+t.TempDir()), args...)
			if code := term.wait(); code != 0 {
				t.Errorf("exit status: got %d, want 0", code)
			}
			if out := term.text(); !strings.Contains(out, "│ k59 ") || strings.Contains(out, "[paged]") {
				t.Errorf("want the listing on the terminal, not paged; got:\n%s", out)
			}
		})
	}
}

// TestPagerLess pages through the real less -FRX, the default: the first
// screen shows; Ctrl-C is less's (trovemem does not exit under it), q
// leaves, and trovemem exits 0.
func TestPagerLess(t *testing.T) {
	if _, err := exec.LookPath("less"); err != nil {
		t.Skip("no less on this machine")
	}
	load, _, _ := pagerSetup(t)
	// The default pager: TROVEMEM_PAGER unset, PAGER empty.
	var env []string
	for _, kv := range childEnv("TERM=xterm", "HOME="+t.TempDir(), "PAGER=", "LESS=", "LESSKEY=/dev/null") {
		if !strings.HasPrefix(kv, pagerEnv+"=") {
			env = append(env, kv)
		}
	}
	term := startTerminalEnv(t, env, "--load", load, "ls", "abc")
	term.expect("│ k30 ")
	time.Sleep(200 * time.Millisecond)
	if strings.Contains(term.text(), "k59") {
		t.Errorf("the whole listing was written at once, not a screen at a time:\n%s", term.text())
	}
	term.send("\x03")
	time.Sleep(200 * time.Millisecond)
	term.send("q")
	if code := term.wait(); code != 0 {
		t.Errorf("exit status after Ctrl-C and q: got %d, want 0", code)
	}
}
