package repl

import (
	"context"
	"errors"
	"strings"
)

// This file holds the commands that act on the session itself rather than
// on a store: source (psql's \i) and set output.

// ErrNoSource is returned by source in a session that cannot run scripts
// (one made without WithSource, as repl's own tests make).
var ErrNoSource = errors.New("source: scripts cannot be run here")

var cmdSource = &Command{
	Name:    "source",
	Aliases: []string{`\i`},
	Args:    "FILE",
	Summary: "run a .trove script in this session, as trovemem run does",
	Detail: `The script's commands run in this session's stores, in plain output, and its
assertions are checked, as trovemem run checks them; it stops at the first
failure, and the commands before it keep their effect. A relative FILE is read
from the working directory. \i FILE, as in psql, is the same.`,
	Example:  "source setup.trove\n\\i setup.trove",
	MinArgs:  1,
	MaxArgs:  1,
	ArgKinds: []ArgKind{ArgFile},
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		if s.source == nil {
			return nil, ErrNoSource
		}
		return nil, s.source(ctx, s, inv.Args[0])
	},
}

// WithSource lets the source command run a script file in the session:
// run does it, and renders what it prints itself. cmd/trovemem passes
// the script package's runner, which repl cannot import.
func WithSource(run func(ctx context.Context, s *Session, path string) error) SessionOption {
	return func(s *Session) { s.source = run }
}

// psqlInclude rewrites a line that starts with psql's \i into one naming
// the source command's \i alias: the line syntax reads a backslash outside
// quotes as keeping the next character, which would turn \i into i.
func psqlInclude(line string) string {
	rest := strings.TrimLeft(line, " \t")
	if after, ok := strings.CutPrefix(rest, `\i`); ok && (after == "" || after[0] == ' ' || after[0] == '\t') {
		return `'\i'` + after
	}
	return line
}

var cmdSetOutput = &Command{
	Name:    "set output",
	Args:    "[MODE]",
	Summary: "switch the output mode of this session: table, plain, json or jsonl",
	Detail: `The mode holds for the commands that follow, as -o does for a whole run;
without MODE, prints the current one. Errors are JSON in the json modes.`,
	Example:  "set output json\nset output",
	MinArgs:  0,
	MaxArgs:  1,
	ArgKinds: []ArgKind{ArgFormat},
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		if len(inv.Args) == 0 {
			return &Message{Text: string(s.format)}, nil
		}
		f, err := ParseFormat(inv.Args[0])
		if err != nil {
			return nil, usageErrorf(nil, "%v", err)
		}
		s.format = f
		return nil, nil
	},
}
