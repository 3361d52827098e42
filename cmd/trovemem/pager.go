package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync/atomic"

	"golang.org/x/term"

	"github.com/trovemem/trovemem/repl"
)

// defaultPager is the pager without $PAGER: -F quits at once when the
// text fits the screen, -R passes colours through, -X leaves the text on
// the screen after quitting.
const defaultPager = "less -FRX"

// pagerEnv chooses the pager before $PAGER; set and empty, it turns paging
// off. It sets no flag, so it is one of nonFlagEnv.
const pagerEnv = "TROVEMEM_PAGER"

// pagerCommand is the shell command output longer than the screen goes
// through, or "" for none: --no-pager or TROVEMEM_PAGER= turn it off,
// else TROVEMEM_PAGER, $PAGER or less -FRX.
func (a *app) pagerCommand() string {
	if a.noPager {
		return ""
	}
	if p, ok := os.LookupEnv(pagerEnv); ok {
		return p
	}
	if p := os.Getenv("PAGER"); p != "" {
		return p
	}
	return defaultPager
}

// pager writes what a command rendered to the terminal, through the pager
// when it has more lines than the terminal has rows.
type pager struct {
	cmd    string
	tty    *os.File // the terminal stdout is
	stderr io.Writer
	// running is set while the pager has the terminal: a one-shot that
	// gets SIGINT then waits for it (less takes Ctrl-C for itself) rather
	// than exiting under it.
	running *atomic.Bool
}

// page is the session's pager hook. Output for anything but the terminal
// (a script capturing it, say) is written as it is.
func (p *pager) page(w io.Writer, out []byte) error {
	_, rows, err := term.GetSize(int(p.tty.Fd()))
	if err != nil || !repl.IsTerminal(w) || bytes.Count(out, []byte("\n")) < rows {
		_, err := w.Write(out)
		return err
	}
	c := exec.Command("/bin/sh", "-c", p.cmd)
	c.Stdin = bytes.NewReader(out)
	c.Stdout = p.tty
	c.Stderr = p.stderr
	p.running.Store(true)
	defer p.running.Store(false)
	if err := c.Start(); err != nil {
		fmt.Fprintf(p.stderr, "warning: pager %q: %v\n", p.cmd, err)
		_, err := w.Write(out)
		return err
	}
	// The pager's own status (less quit with Ctrl-C, say) is no failure
	// of the command, whose output it showed.
	_ = c.Wait()
	return nil
}
