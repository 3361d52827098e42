package repl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Prompts of the interactive REPL.
const (
	Prompt             = "trovemem> "
	ContinuationPrompt = "       ... "
)

// StdinName is the name standard input goes by in messages
// (<stdin>:LINE: ...).
const StdinName = "<stdin>"

// LineSource feeds lines to Session.Loop: a terminal through readline, or
// a pipe or file through a reader. Next returns io.EOF when the source is
// done and ErrLineAbandoned when the user dropped the line being typed.
type LineSource interface {
	Next() (string, error)
	Interactive() bool
}

// ErrLineAbandoned is returned by an interactive source's Next when the
// user pressed Ctrl-C: the line, and any lines it continued, are dropped.
var ErrLineAbandoned = errors.New("line abandoned")

// ErrUnfinishedLine is returned when a source ends after a line that asked
// to be continued with a trailing backslash.
var ErrUnfinishedLine = errors.New("the last line ends with \\ but no line follows")

// continuer is implemented by sources that show a different prompt while a
// line is being continued.
type continuer interface {
	SetContinuation(on bool)
}

// HistorySaver is implemented by sources that keep a history (the
// terminal's). Loop hands it each logical line once it has been read
// whole, continued lines joined into one entry, before running it; a line
// abandoned with Ctrl-C never reaches it. The saver decides what it keeps
// (KeptOutOfHistory).
type HistorySaver interface {
	SaveHistory(line string)
}

// ReaderSource reads lines from a reader, without prompts or history.
type ReaderSource struct {
	r *bufio.Reader
}

// NewReaderSource returns a source reading lines from r.
func NewReaderSource(r io.Reader) *ReaderSource { return &ReaderSource{r: bufio.NewReader(r)} }

// Next returns the next line without its line ending.
func (rs *ReaderSource) Next() (string, error) {
	line, err := rs.r.ReadString('\n')
	if err == io.EOF && line != "" {
		err = nil
	}
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\n")
	return strings.TrimSuffix(line, "\r"), nil
}

// Interactive reports false: errors stop a reader source.
func (*ReaderSource) Interactive() bool { return false }

// Loop runs every line of src. Interactively, an error is printed as one
// line, "error: MESSAGE", and the session goes on. Otherwise the first
// error stops the loop and is returned as a *LineError naming name, the
// line and the command; the caller prints it. exit, and the end of the
// source, end the loop with a nil error.
func (s *Session) Loop(ctx context.Context, src LineSource, name string, stdout, stderr io.Writer) error {
	interactive := src.Interactive()
	var out *trackingWriter
	if interactive {
		s.prompting = true
		defer func() { s.prompting = false }()
		out = &trackingWriter{w: stdout, atLineStart: true}
		stdout = out
	}
	lineNo := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if out != nil && !out.atLineStart {
			// Content without a final newline (get prints bytes as stored)
			// must not leave the prompt dangling after it.
			io.WriteString(out, "\n")
		}
		line, err := src.Next()
		if errors.Is(err, ErrLineAbandoned) {
			continue
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		lineNo++
		start := lineNo
		var entry string
		line, entry, lineNo, err = s.continued(src, line, lineNo)
		if errors.Is(err, ErrLineAbandoned) {
			continue
		}
		if h, ok := src.(HistorySaver); ok && err == nil {
			h.SaveHistory(entry)
		}
		if err != nil && !interactive {
			return &LineError{File: name, Line: start, Err: err}
		}
		if err == nil {
			err = s.runLineCancellable(ctx, line, stdout)
		}
		if errors.Is(err, ErrExit) {
			return nil
		}
		if err == nil {
			continue
		}
		if interactive {
			if s.reportError != nil {
				s.reportError(stderr, err)
			} else {
				fmt.Fprintf(stderr, "error: %v\n", err)
			}
			continue
		}
		le := &LineError{File: name, Line: start, Err: err}
		var ce *CommandError
		if errors.As(err, &ce) {
			le.Cmd, le.Err = ce.Line(), ce.Err
		}
		return le
	}
}

// runLineCancellable runs a line under its own context when the session
// has a command context, and reports a line it cancelled as
// ErrInterrupted.
func (s *Session) runLineCancellable(ctx context.Context, line string, stdout io.Writer) error {
	if s.commandContext == nil {
		return s.RunLine(ctx, line, stdout)
	}
	lineCtx, cancel := s.commandContext(ctx)
	defer cancel()
	err := s.RunLine(lineCtx, line, stdout)
	if err != nil && lineCtx.Err() != nil && ctx.Err() == nil {
		return ErrInterrupted
	}
	return err
}

// continued reads the lines that line continues with trailing backslashes
// and returns them joined, the same command as one physical line for the
// history (each continuing backslash and its line break dropped, which is
// what Split does with them), and the number of the last line read.
func (s *Session) continued(src LineSource, line string, lineNo int) (string, string, int, error) {
	if !Continues(line) {
		return line, line, lineNo, nil
	}
	c, _ := src.(continuer)
	if c != nil {
		c.SetContinuation(true)
		defer c.SetContinuation(false)
	}
	var b, one strings.Builder
	b.WriteString(line)
	one.WriteString(strings.TrimSuffix(line, `\`))
	var cont Continuation
	cont.Continue(line)
	for more := true; more; {
		next, err := src.Next()
		if err == io.EOF {
			return "", "", lineNo, ErrUnfinishedLine
		}
		if err != nil {
			return "", "", lineNo, err
		}
		lineNo++
		more = cont.Next(next)
		b.WriteString(JoinContinued("", next))
		if more {
			next = strings.TrimSuffix(next, `\`)
		}
		one.WriteString(next)
	}
	return b.String(), one.String(), lineNo, nil
}

// KeptOutOfHistory reports whether line must not be written to the REPL's
// history file, which outlives the session and is read by whoever can read
// the file: a line holding a mount command, or a word that is a DSN with a
// password (whatever the command: echo s3://k:secret@... too). A line that
// does not split is judged by its text: kept out when it mentions mount or
// holds "://".
func KeptOutOfHistory(line string) bool {
	cmds, err := Split(line)
	if err != nil {
		return strings.Contains(line, "mount") || strings.Contains(line, "://")
	}
	for _, words := range cmds {
		if len(words) > 0 && words[0] == "mount" {
			return true
		}
		for _, w := range words {
			if ShowWord(w) != w {
				return true
			}
		}
	}
	return false
}

// trackingWriter remembers whether the last byte written ended a line.
type trackingWriter struct {
	w           io.Writer
	atLineStart bool
}

// Unwrap returns the writer underneath, so IsTerminal sees the terminal.
func (t *trackingWriter) Unwrap() io.Writer { return t.w }

func (t *trackingWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	if n > 0 {
		t.atLineStart = p[n-1] == '\n'
	}
	return n, err
}
