// Package tty is the terminal's line source for the REPL: a thin adapter
// over chzyer/readline that adds the session's prompt, history and
// completion. Only the binary uses it; everything else a line goes
// through is repl.Session.Loop's.
package tty

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"

	"github.com/chzyer/readline"
	"github.com/trovemem/trovemem/repl"
)

// Config configures the terminal line source.
type Config struct {
	// HistoryFile keeps history across sessions; "" keeps none.
	HistoryFile string
	Stdin       io.ReadCloser
	Stdout      io.Writer
	Stderr      io.Writer
}

// Source is the terminal's LineSource: a thin adapter over
// chzyer/readline that adds the prompt, history and completion from the
// session. Everything else (running lines, errors) is Session.Loop's.
type Source struct {
	rl   *readline.Instance
	s    *repl.Session // its Prompt names the current store
	cont bool
}

// NewSource opens readline on the configured terminal. A history file
// is created readable by its owner only, and tightened to that if it
// exists looser; when that fails the session keeps no history, with a
// warning on Stderr.
func NewSource(s *repl.Session, cfg Config) (*Source, error) {
	if cfg.HistoryFile != "" {
		if err := privateFile(cfg.HistoryFile); err != nil {
			fmt.Fprintf(cfg.Stderr, "warning: no history: %v\n", err)
			cfg.HistoryFile = ""
		}
	}
	// readline's own loop calls the filter, so the operation it inspects is
	// only touched from that goroutine; the pointer is stored after NewEx
	// returns, hence atomic.
	var op atomic.Pointer[readline.Operation]
	rl, err := readline.NewEx(&readline.Config{
		Prompt:            s.Prompt(),
		HistoryFile:       cfg.HistoryFile,
		HistorySearchFold: true,
		// Loop saves each logical line through SaveHistory once it is
		// whole: a command continued over lines is one entry, a line
		// abandoned with Ctrl-C none, and secrets are left out.
		DisableAutoSaveHistory: true,
		AutoComplete:           completer{s},
		InterruptPrompt:        "^C",
		EOFPrompt:              "exit",
		Stdin:                  cfg.Stdin,
		Stdout:                 cfg.Stdout,
		Stderr:                 cfg.Stderr,
		FuncFilterInputRune: func(r rune) (rune, bool) {
			abandonCompletion(op.Load(), r)
			return r, true
		},
	})
	if err != nil {
		return nil, err
	}
	op.Store(rl.Operation)
	if cfg.HistoryFile != "" {
		// readline rewrites a history longer than its limit through a new
		// file it creates 0666 (less the umask) and renames over ours.
		if err := privateFile(cfg.HistoryFile); err != nil {
			rl.Close()
			return nil, err
		}
	}
	return &Source{rl: rl, s: s}, nil
}

// privateFile creates path with mode 0600, or takes away every permission
// of group and others from the file already there.
func privateFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return f.Chmod(fi.Mode().Perm() &^ 0o077)
	}
	return nil
}

// SaveHistory adds a logical line to the history, unless
// repl.KeptOutOfHistory says it holds a secret (a mount, a DSN with a
// password): the file outlives the session. Blank lines are not saved.
func (r *Source) SaveHistory(line string) {
	if strings.TrimSpace(line) == "" || repl.KeptOutOfHistory(line) {
		// Saving nothing still tells readline the line is over: it drops
		// the text it keeps for the entry being edited, which a recalled
		// entry would otherwise hold.
		_ = r.rl.SaveHistory("")
		return
	}
	_ = r.rl.SaveHistory(line)
}

// Next reads a line. Ctrl-C gives ErrLineAbandoned, Ctrl-D on an empty line
// io.EOF.
func (r *Source) Next() (string, error) {
	if !r.cont {
		r.rl.SetPrompt(r.s.Prompt()) // use may have switched stores
	}
	line, err := r.rl.Readline()
	if errors.Is(err, readline.ErrInterrupt) {
		return "", repl.ErrLineAbandoned
	}
	return line, err
}

// Interactive reports true: errors are shown and the session goes on.
func (r *Source) Interactive() bool { return true }

// SetContinuation switches to the prompt of a continued line and back.
func (r *Source) SetContinuation(on bool) {
	r.cont = on
	if on {
		// readline ties the lines typed next to the entry the first line
		// was recalled from, if it was, and would save the last physical
		// line in its place; an empty save returns it to a new entry, so
		// the whole command is saved as one.
		_ = r.rl.SaveHistory("")
		r.rl.SetPrompt(repl.ContinuationPrompt)
	} else {
		r.rl.SetPrompt(r.s.Prompt())
	}
}

// Close restores the terminal and saves nothing more to the history.
func (r *Source) Close() error { return r.rl.Close() }

// abandonCompletion makes Ctrl-C abandon the line while completion
// candidates are shown. readline on its own only closes the candidate list
// and keeps the line, so what the user typed next was appended to it and
// ran (ls photos --echo X). Leaving completion mode before readline sees
// the key sends Ctrl-C down its ordinary path, which drops the line.
func abandonCompletion(op *readline.Operation, r rune) {
	if r == readline.CharInterrupt && op != nil && op.IsInCompleteMode() {
		op.ExitCompleteMode(true)
	}
}

// completer adapts Session.Complete to readline's AutoCompleter.
type completer struct{ s *repl.Session }

func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	cands, typed := c.s.Complete(context.Background(), string(line[:pos]))
	out := make([][]rune, len(cands))
	for i, cand := range cands {
		out[i] = []rune(cand)
	}
	return out, typed
}
