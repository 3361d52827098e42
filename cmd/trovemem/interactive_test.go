package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"
)

// terminal drives one trovemem process through a pseudo-terminal, as a
// person at a keyboard would.
type terminal struct {
	t    *testing.T
	cmd  *exec.Cmd
	ptmx *os.File

	mu   sync.Mutex
	out  bytes.Buffer // everything the program wrote
	mark int          // where the next expect starts, in cleaned output
	done chan struct{}
}

// startTerminal runs the test binary as trovemem on a new pseudo-terminal,
// with childEnv and env added to it.
func startTerminal(t *testing.T, env []string, args ...string) *terminal {
	t.Helper()
	return startTerminalEnv(t, childEnv(append([]string{"TERM=xterm"}, env...)...), args...)
}

// startTerminalEnv is startTerminal with the whole environment given.
func startTerminalEnv(t *testing.T, env []string, args ...string) *terminal {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = env
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 160})
	if err != nil {
		t.Fatalf("start on a pty: %v", err)
	}
	term := &terminal{t: t, cmd: cmd, ptmx: ptmx, done: make(chan struct{})}
	go func() {
		defer close(term.done)
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = ptmx.Close()
	})
	return term
}

// text returns everything the program wrote so far.
func (term *terminal) text() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.out.String()
}

// send types keys.
func (term *terminal) send(keys string) {
	term.t.Helper()
	if _, err := io.WriteString(term.ptmx, keys); err != nil {
		term.t.Fatalf("type %q: %v", keys, err)
	}
}

// ansi matches the terminal control sequences readline draws with.
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// expect waits until the output since the last expect, with control
// sequences removed, contains want, moves the mark past it and returns the
// output up to it. The mark counts cleaned output: a sequence still being
// written can only be at the end, after the mark.
func (term *terminal) expect(want string) string {
	term.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		clean := ansi.ReplaceAllString(term.text(), "")[term.mark:]
		if i := strings.Index(clean, want); i >= 0 {
			term.mark += i + len(want)
			return clean[:i+len(want)]
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("waited 10s for %q; the terminal shows:\n%q", want, clean)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// wait waits for the process to exit and returns its status.
func (term *terminal) wait() int {
	term.t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- term.cmd.Wait() }()
	select {
	case err := <-errc:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			term.t.Fatalf("wait: %v", err)
		}
		return 0
	case <-time.After(10 * time.Second):
		term.t.Fatalf("trovemem did not exit; the terminal shows:\n%q", term.text())
		return -1
	}
}

func TestInteractiveREPL(t *testing.T) {
	state := t.TempDir()
	env := []string{"XDG_STATE_HOME=" + state, "HOME=" + t.TempDir()}

	// First session: completion, Ctrl-C, an error that does not end the
	// session, binary content refused on a terminal, Ctrl-D.
	term := startTerminal(t, env)
	term.expect("trovemem> ")
	term.send("mkbucket photos; put photos cat.txt meow; put photos bin \"\\x00\\x01\"\r")
	term.expect("trovemem> ")

	term.send("mkb\t") // a command
	term.expect("mkbucket ")
	term.send("pets\r")
	term.expect("trovemem> ")

	term.send("get pho\t") // a bucket
	term.expect("get photos ")
	term.send("ca\t") // a key
	term.expect("get photos cat.txt ")
	term.send("\r")
	term.expect("meow")
	term.expect("trovemem> ")

	term.send("echo abandoned") // Ctrl-C drops the line
	term.expect("echo abandoned")
	term.send("\x03")
	term.expect("trovemem> ")
	term.send("get photos nope\r")
	term.expect("error: get photos/nope: object not found")
	term.send("get photos bin\r")
	// The REPL cannot pipe: the way out it suggests is a file.
	term.expect("binary content (2 bytes of application/octet-stream) not written to a terminal; use get photos bin --out FILE to save it\r\n")
	term.expect("trovemem> ")
	term.send("buckets\r")
	term.expect("pets") // made by the completed mkbucket
	term.expect("trovemem> ")
	term.send("echo kept\r")
	term.expect("kept")
	term.expect("trovemem> ")
	term.send("\x04") // Ctrl-D leaves
	if code := term.wait(); code != 0 {
		t.Errorf("exit status after Ctrl-D: got %d, want 0", code)
	}
	all := ansi.ReplaceAllString(term.text(), "")
	if regexp.MustCompile(`(?m)^abandoned\r?$`).MatchString(all) {
		t.Errorf("the line abandoned with Ctrl-C ran:\n%q", all)
	}

	history, err := os.ReadFile(filepath.Join(state, "trovemem", "history"))
	if err != nil {
		t.Fatalf("history file: %v", err)
	}
	if !strings.Contains(string(history), "echo kept") || strings.Contains(string(history), "abandoned") {
		t.Errorf("history file: got %q, want echo kept and not the abandoned line", history)
	}

	// Second session: the history of the first is recalled with Up.
	term = startTerminal(t, env)
	term.expect("trovemem> ")
	term.send("\x1b[A") // Up
	term.expect("echo kept")
	term.send("\r")
	term.expect("kept")
	term.expect("trovemem> ")
	term.send("exit\r")
	if code := term.wait(); code != 0 {
		t.Errorf("exit status after exit: got %d, want 0", code)
	}
}

func TestInteractiveHistoryDisabled(t *testing.T) {
	home := t.TempDir()
	term := startTerminal(t, []string{"HOME=" + home, "XDG_STATE_HOME="}, "--history", os.DevNull)
	term.expect("trovemem> ")
	term.send("echo hi\r")
	term.expect("hi")
	term.send("quit\r")
	if code := term.wait(); code != 0 {
		t.Errorf("exit status: got %d, want 0", code)
	}
	if _, err := os.Stat(filepath.Join(home, ".trovemem_history")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("--history /dev/null: history file exists (stat error %v)", err)
	}
}

// TestInteractiveCtrlCCancelsCommand presses Ctrl-C while a command runs
// on a slow backend: the command stops, the prompt returns, the session
// goes on, and a half-done rm --recursive leaves every object in place.
func TestInteractiveCtrlCCancelsCommand(t *testing.T) {
	term := startTerminal(t, []string{"HOME=" + t.TempDir(), "XDG_STATE_HOME="},
		"--history", os.DevNull, "--mount", "s=slow://", "--route", "slow=s")
	term.expect("trovemem> ")
	term.send("mkbucket abc; put abc a 1; put abc slow 2; put abc z 3\r")
	term.expect("trovemem> ")

	// A listing that would take a minute: the slow backend holds a key.
	term.send("ls abc\r")
	time.Sleep(300 * time.Millisecond)
	term.send("\x03")
	term.expect("interrupted\r\n")
	term.expect("trovemem> ")

	// rm --recursive deletes a, then blocks on slow: Ctrl-C undoes it all.
	term.send("rm abc '' --recursive\r")
	time.Sleep(300 * time.Millisecond)
	term.send("\x03")
	term.expect("interrupted\r\n")
	term.expect("trovemem> ")
	term.send("head abc a\r")
	term.expect("etag")
	term.expect("trovemem> ")
	term.send("exit\r")
	if code := term.wait(); code != 0 {
		t.Errorf("exit status: got %d, want 0", code)
	}
}

// TestOneShotCtrlCExits130 interrupts trovemem CMD during a slow listing:
// it exits at once with 130.
func TestOneShotCtrlCExits130(t *testing.T) {
	term := startTerminal(t, nil, "--mount", "s=slow://", "--route", "**=s", "-c", "mkbucket abc; ls abc")
	time.Sleep(500 * time.Millisecond)
	term.send("\x03")
	if code := term.wait(); code != 130 {
		t.Errorf("exit status: got %d, want 130", code)
	}
}

// TestTableFitsTerminalWidth lists a 300-character key on an 80-column
// terminal: every line of the table fits, the key is cut with …, and plain
// output keeps it whole.
func TestTableFitsTerminalWidth(t *testing.T) {
	long := strings.Repeat("k", 300)
	cmd := exec.Command(os.Args[0], "-c", "mkbucket abc; put abc "+long+" v; ls abc")
	cmd.Env = childEnv("TROVEMEM_NOW=2024-05-01T12:00:00Z")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	out, _ := io.ReadAll(ptmx)
	_ = cmd.Wait()
	lines := strings.Split(strings.TrimRight(string(out), "\r\n"), "\r\n")
	var sawCut bool
	for _, l := range lines {
		if w := utf8.RuneCountInString(l); w > 80 {
			t.Errorf("line of %d columns, want at most 80: %q", w, l)
		}
		sawCut = sawCut || strings.Contains(l, "kkk…")
	}
	if !sawCut {
		t.Errorf("no key cut with …:\n%s", out)
	}
	plain := exec.Command(os.Args[0], "-c", "mkbucket abc; put abc "+long+" v; ls abc")
	plain.Env = childEnv()
	pout, err := plain.Output()
	if err != nil || !strings.Contains(string(pout), long+"\t") {
		t.Errorf("plain output: got %q, %v; want the whole key", pout, err)
	}
}
