package script

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pmezard/go-difflib/difflib"
)

// Location is where a script step sits: its file and line, and the source
// lines that led there, innermost first.
type Location struct {
	File string
	Line int
	From []Location
}

// String formats the location the way editors and CI jump to it, with the
// chain of includes after it: "b.trove:4 (from a.trove:2)".
func (l Location) String() string {
	return l.File + ":" + strconv.Itoa(l.Line) + chainString(l.From)
}

// Top is the outermost location of the chain: the line of the script that
// was run, which led to l (l itself when nothing was sourced).
func (l Location) Top() Location {
	if n := len(l.From); n > 0 {
		return l.From[n-1]
	}
	return Location{File: l.File, Line: l.Line}
}

// chainString formats a chain of source lines, innermost first, as
// " (from b.trove:4, from a.trove:2)", or "" for an empty chain.
func chainString(from []Location) string {
	if len(from) == 0 {
		return ""
	}
	var b strings.Builder
	for i, f := range from {
		if i == 0 {
			b.WriteString(" (from ")
		} else {
			b.WriteString(", from ")
		}
		b.WriteString(f.File)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(f.Line))
	}
	b.WriteByte(')')
	return b.String()
}

// FailureKind says how a script step went wrong.
type FailureKind uint8

// The ways a step can fail.
const (
	FailCommand   FailureKind = iota // a command failed that had to succeed
	FailSucceeded                    // a "!" command succeeded
	FailUsage                        // a usage error, which no prefix excuses
	FailAssertion                    // stdout/stderr/let did not match
	FailOutput                       // a "| " block differs from the output
	FailExpansion                    // an undefined variable, or a bad regexp after expansion
	FailTimeout                      // the script ran out of time (test --timeout) or was interrupted
)

// Failure is one failed step: where it is, the command as written, what
// went wrong, and the expected and actual output when there are any.
type Failure struct {
	Kind FailureKind
	Loc  Location
	// EndLine, when set, is the last line of Loc.File the failure spans (a
	// "| " block's), for annotations that mark a range.
	EndLine int
	Command string
	Msg     string
	// Detail holds the expected and actual output, or a unified diff, one
	// line per line; empty when the message says it all.
	Detail string
}

// Error is the one-line form: "FILE:LINE: CMD ARGS: what went wrong".
// Control characters are escaped, so a key or an output holding ESC or
// NUL can neither garble a terminal nor hide what differs.
func (f *Failure) Error() string {
	return escapeControl(f.Loc.String() + ": " + f.Command + ": " + f.Msg)
}

// Report is Error followed by the indented detail, control characters
// escaped as in Error.
func (f *Failure) Report() string {
	if f.Detail == "" {
		return f.Error()
	}
	return f.Error() + "\n" + indent(escapeControl(f.Detail), "    ")
}

// escapeControl writes the characters of s that a terminal would act on
// or not show (control characters other than newline and tab, and bytes
// that are not UTF-8) as Go escapes, \x1b, \x00, \r, \u0085, the way
// strconv.Quote does; everything else is left as it is.
func escapeControl(s string) string {
	clean := true
	for i, r := range s {
		if r == utf8.RuneError || needsEscape(r) {
			if r == utf8.RuneError && strings.HasPrefix(s[i:], "\uFFFD") {
				continue
			}
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case needsEscape(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(r rune) bool {
	return r != '\n' && r != '\t' && (r < 0x20 || (r >= 0x7f && r < 0xa0))
}

// ScriptResult is the outcome of running one script.
type ScriptResult struct {
	Path     string
	Commands int // commands run, script-only steps excluded
	Duration time.Duration
	Failures []*Failure
	// Stopped says the run ended early on a failure (without --keep-going),
	// or on a failure --update cannot fix.
	Stopped bool
	// Log is the command log: each command as run and its output.
	Log string
	// Exited says the script ran the exit command.
	Exited bool
	// Updated lists the files --update rewrote.
	Updated []string
	// Err is set when the script could not be read or parsed, so nothing
	// of it ran.
	Err error
	// Skipped says the script ran a skip step, SkipReason its reason, at
	// SkipLoc. A skipped script without failures passes, and is counted
	// apart.
	Skipped    bool
	SkipReason string
	SkipLoc    Location
	// Work is the script's work folder (${WORK}) when the suite kept it.
	Work string
}

// Passed reports whether the script ran without a failure.
func (r *ScriptResult) Passed() bool { return len(r.Failures) == 0 && r.Err == nil }

// indent prefixes every non-empty line of s.
func indent(s, prefix string) string {
	s = strings.TrimSuffix(s, "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// outputLines splits command output into lines for comparison with a
// block. A missing newline at the very end is not a difference: get prints
// stored bytes exactly, and "hello" should match "| hello". No output at
// all is no lines, which no block matches: "|" is one empty line, and
// "! stdout ." is how a script says a command prints nothing.
func outputLines(out string) []string {
	if out == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

func sameLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// unifiedDiff returns a unified diff from want to got, one entry per line.
func unifiedDiff(want, got []string) string {
	withEOL := func(ls []string) []string {
		out := make([]string, len(ls))
		for i, l := range ls {
			out[i] = l + "\n"
		}
		return out
	}
	d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: withEOL(want), B: withEOL(got),
		FromFile: "expected", ToFile: "actual", Context: 3,
	})
	if err != nil || d == "" {
		// The writer is a buffer, so this is unreachable; show both whole.
		return "expected:\n" + indent(strings.Join(want, "\n"), "  ") + "\nactual:\n" + indent(strings.Join(got, "\n"), "  ")
	}
	return d
}
