package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/trovemem/trovemem/repl"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailed      = 1   // a command failed
	exitUsage       = 2   // unknown command, bad flag, unreadable file, parse error
	exitInterrupted = 130 // 128 + SIGINT, as shells report it
)

// errInterrupted is returned when SIGINT stopped a non-interactive run.
var errInterrupted = repl.ErrInterrupted

// errReported is returned by a subcommand that has already printed its
// failures (run, test): report adds nothing, exitCode gives 1, or 2 when
// it is wrapped by asUsage.
var errReported = errors.New("failures reported")

// usageError marks an error as the user's misuse of trovemem itself (a bad
// global flag, an unreadable file), so that exitCode returns 2. Other files
// wrap their own such errors with asUsage.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// asUsage marks err as a usage error; nil stays nil.
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err}
}

// exitCode is the one place that turns an outcome into an exit status.
func exitCode(err error) int {
	var (
		ue  *usageError
		rue *repl.UsageError
		se  *repl.SyntaxError
	)
	switch {
	case err == nil, errors.Is(err, repl.ErrExit):
		return exitOK
	case errors.Is(err, errInterrupted), errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &ue), errors.As(err, &rue), errors.As(err, &se), errors.Is(err, repl.ErrUnfinishedLine):
		return exitUsage
	default:
		return exitFailed
	}
}

// report prints err as users see it: one line, "error: " and the message,
// except for errors that already name their file and line. In the json
// output modes it is one JSON object instead, {"error":MESSAGE,"code":N}
// with N the exit status, so a program reading JSON never has to parse
// prose.
func report(w io.Writer, err error, jsonMode bool) {
	if err == nil || errors.Is(err, repl.ErrExit) || errors.Is(err, errReported) {
		return
	}
	if jsonMode {
		msg := err.Error()
		if errors.Is(err, errInterrupted) {
			msg = "interrupted"
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(struct {
			Error string `json:"error"`
			Code  int    `json:"code"`
		}{msg, exitCode(err)})
		return
	}
	var le *repl.LineError
	switch {
	case errors.As(err, &le):
		fmt.Fprintln(w, err)
	case errors.Is(err, errInterrupted):
		fmt.Fprintln(w, "interrupted")
	default:
		fmt.Fprintf(w, "error: %v\n", err)
	}
}
