package repl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// ErrExit is returned by the exit command. Loops stop without reporting it,
// and cmd/trovemem treats it as success.
var ErrExit = errors.New("exit requested")

// ErrInterrupted is what an interactive session reports when Ctrl-C
// stopped a running command; the command's changes were undone.
var ErrInterrupted = errors.New("interrupted")

// ErrNoListing is returned by next when there is no earlier ls to continue.
var ErrNoListing = errors.New("no listing to continue")

// ErrBinaryContent is returned when get would write bytes that are not text
// to a terminal.
var ErrBinaryContent = errors.New("binary content")

// UsageError is a command used wrongly: an unknown name, a bad flag or the
// wrong number of arguments. cmd/trovemem exits 2 on it.
type UsageError struct {
	// Command is the command that was misused; nil for an unknown name.
	Command *Command
	Msg     string
	// Suggestions are the nearest command names, for an unknown name.
	Suggestions []string
	// aboutName says the error is about a command's name (unknown): no
	// command's usage line belongs to it, not even help's, when help CMD
	// passes it on.
	aboutName bool
}

func (e *UsageError) Error() string {
	var b strings.Builder
	b.WriteString(e.Msg)
	if len(e.Suggestions) > 0 {
		b.WriteString("; did you mean ")
		b.WriteString(orList(e.Suggestions))
		b.WriteString("?")
	}
	if e.Command != nil {
		b.WriteString(" (usage: ")
		b.WriteString(e.Command.Usage())
		b.WriteString(")")
	}
	return b.String()
}

func usageErrorf(c *Command, format string, args ...any) *UsageError {
	return &UsageError{Command: c, Msg: fmt.Sprintf(format, args...)}
}

// InternalError is a panic inside a command, recovered so that one bad
// command does not end a session. Stack holds the goroutine's stack for
// people reporting the bug.
type InternalError struct {
	Command string
	Value   any
	Stack   []byte
}

func (e *InternalError) Error() string {
	return fmt.Sprintf("internal error in %s: %v (this is a bug in trovemem; please report it)", e.Command, e.Value)
}

// CommandError is a failure of one command of a line, carrying the
// command's words so that script and pipe reports can name it. Its message
// is the underlying error's, so interactive reports stay short.
type CommandError struct {
	Words []string
	Err   error
}

func (e *CommandError) Error() string { return e.Err.Error() }
func (e *CommandError) Unwrap() error { return e.Err }

// Line returns the command as it could be typed again, but with DSN
// passwords masked (ShowWords): it is for reports people read.
func (e *CommandError) Line() string { return ShowWords(e.Words) }

// LineError is a failure while running a source of lines non-interactively
// (a pipe, a file): it names the source and the 1-based line, and the
// command when there is one, as FILE:LINE: CMD: message.
type LineError struct {
	File string
	Line int
	Cmd  string // the failing command as typed, "" for a syntax error
	Err  error
}

func (e *LineError) Error() string {
	if e.Cmd == "" {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d: %s: %v", e.File, e.Line, e.Cmd, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// hintError adds a hint for people to an error without hiding it from
// errors.Is and errors.As.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() + " (" + e.hint + ")" }
func (e *hintError) Unwrap() error { return e.err }

// orList joins names as "a", "a or b", "a, b or c".
func orList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// flagError turns pflag's parse error into a usage error a person can act
// on: an unknown flag says how to pass a word that starts with '-', and a
// bad value names the flag and what it wants instead of Go's parse error.
func flagError(c *Command, err error) *UsageError {
	var notExist *pflag.NotExistError
	var invalid *pflag.InvalidValueError
	switch {
	case errors.As(err, &notExist):
		return usageErrorf(c, "%s: %v (to pass a word that starts with '-', put -- before it)", c.Name, err)
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		want := "a valid " + f.Value.Type()
		switch f.Value.Type() {
		case "int", "int64", "uint", "uint64":
			want = "a whole number"
		case "bool":
			want = "true or false"
		}
		return usageErrorf(c, "%s: --%s wants %s, got %q", c.Name, f.Name, want, invalid.GetValue())
	default:
		return usageErrorf(c, "%s: %v", c.Name, err)
	}
}
