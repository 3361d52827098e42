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
		line, lineNo, err = s.continued(src, line, lineNo)
		if errors.Is(err, ErrLineAbandoned) {
			continue
		}
		if err != nil && !interactive {
			return &LineError{File: name, Line: start, Err: err}
		}
		if err == nil {
			err = s.RunLine(ctx, line, stdout)
		}
		if errors.Is(err, ErrExit) {
			return nil
		}
		if err == nil {
			continue
		}
		if interactive {
			fmt.Fprintf(stderr, "error: %v\n", err)
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

// continued reads the lines that line continues with trailing backslashes
// and returns them joined, with the number of the last line read.
func (s *Session) continued(src LineSource, line string, lineNo int) (string, int, error) {
	if !Continues(line) {
		return line, lineNo, nil
	}
	c, _ := src.(continuer)
	if c != nil {
		c.SetContinuation(true)
		defer c.SetContinuation(false)
	}
	var b strings.Builder
	b.WriteString(line)
	var cont Continuation
	cont.Continue(line)
	for more := true; more; {
		next, err := src.Next()
		if err == io.EOF {
			return "", lineNo, ErrUnfinishedLine
		}
		if err != nil {
			return "", lineNo, err
		}
		lineNo++
		more = cont.Next(next)
		b.WriteString(JoinContinued("", next))
	}
	return b.String(), lineNo, nil
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
