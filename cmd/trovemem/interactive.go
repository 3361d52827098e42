package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sync"

	"github.com/trovemem/trovemem/internal/tty"
)

// runREPL runs the interactive REPL on the terminal.
func (a *app) runREPL(ctx context.Context) error {
	// Ctrl-C at the prompt reaches readline as a key and abandons the line.
	// While a command runs the terminal is not raw, so SIGINT arrives as a
	// signal: it cancels that command (whose changes are undone) and the
	// prompt comes back; it never ends the session.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	var (
		mu     sync.Mutex
		cancel context.CancelFunc
	)
	go func() {
		for range sig {
			mu.Lock()
			if cancel != nil {
				cancel()
			}
			mu.Unlock()
		}
	}()
	a.Session.SetCommandContext(func(parent context.Context) (context.Context, context.CancelFunc) {
		ctx, c := context.WithCancel(parent)
		mu.Lock()
		cancel = c
		mu.Unlock()
		return ctx, func() {
			mu.Lock()
			cancel = nil
			mu.Unlock()
			c()
		}
	})

	stdin, ok := a.stdin.(io.ReadCloser)
	if !ok {
		stdin = io.NopCloser(a.stdin)
	}
	src, err := tty.NewSource(a.Session, tty.Config{
		HistoryFile: a.historyFile(),
		Stdin:       stdin,
		Stdout:      a.stdout,
		Stderr:      a.stderr,
	})
	if err != nil {
		return err
	}
	defer src.Close()
	fmt.Fprintf(a.stdout, "trovemem %s: an in-memory object store. Type help for commands, exit or Ctrl-D to leave.\n", version())
	return a.Session.Loop(ctx, src, "<terminal>", a.stdout, a.stderr)
}

// historyFile is where REPL history persists: --history, else
// $XDG_STATE_HOME/trovemem/history, else ~/.trovemem_history. "" (for
// --history /dev/null, or when no location is usable) keeps none.
func (a *app) historyFile() string {
	switch a.history {
	case os.DevNull:
		return ""
	case "":
	default:
		return a.history
	}
	if dir := os.Getenv("XDG_STATE_HOME"); dir != "" {
		dir = filepath.Join(dir, "trovemem")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			fmt.Fprintf(a.stderr, "warning: no history: %v\n", err)
			return ""
		}
		return filepath.Join(dir, "history")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".trovemem_history")
}
