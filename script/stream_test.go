package script

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/trovemem/trovemem/repl"
)

// streamScript writes a script of about n lines that straddles chunk
// boundaries every way it can: commands with "| " blocks, lines continued
// with backslashes, variables set in one chunk and used in a later one.
func streamScript(n int) string { return streamScriptPadded(n, "") }

// streamScriptPadded is streamScript with pad added to every put's value,
// so that long lines make the chunks end on their size rather than their
// count of lines.
func streamScriptPadded(n int, pad string) string {
	var b strings.Builder
	b.WriteString("mkbucket sss\nset V value\n")
	for i := 0; b.Len() < n*(12+len(pad)/4); i++ {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "put sss k%06d v%d%s\n", i, i, pad)
		case 1:
			fmt.Fprintf(&b, "get sss k%06d\n| v%d%s\n", i-1, i-1, pad)
		case 2:
			fmt.Fprintf(&b, "put sss c%06d \\\n  ${V}\n", i)
		case 3:
			fmt.Fprintf(&b, "head sss c%06d\nstdout 'size'\n", i-1)
		}
	}
	return b.String()
}

// TestRunReaderMatchesRun checks that a script replayed a chunk at a time
// does exactly what the whole file does: the same commands, no failures,
// and the same store, dumped.
// The lines of a chunk are read into a buffer the next chunk reuses, so
// a word kept from an earlier chunk (a variable, a stored key or value)
// that were not a copy would come out wrong in the dump.
func TestRunReaderMatchesRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
	}{
		{"chunks of many short lines", streamScript(3 * streamChunkLines)},
		{"chunks of a few long lines", streamScriptPadded(3*streamChunkBytes/200, strings.Repeat("-", 1000))},
	} {
		t.Run(tc.name, func(t *testing.T) { testRunReaderMatchesRun(t, tc.src) })
	}
}

func testRunReaderMatchesRun(t *testing.T, src string) {
	if size := len(src); size < 2*streamChunkBytes && strings.Count(src, "\n") < 2*streamChunkLines {
		t.Fatalf("script has %d bytes, %d lines, want more than two chunks", size, strings.Count(src, "\n"))
	}
	whole := newScriptSession(t)
	sc, err := NewScriptParser().Parse("s.trove", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := (&Runner{Session: whole}).Run(context.Background(), sc)

	streamed := newScriptSession(t)
	got, err := (&Runner{Session: streamed}).RunReader(context.Background(), NewScriptParser(), "s.trove", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if !want.Passed() || !got.Passed() {
		t.Fatalf("failures: whole %v, streamed %v", want.Failures, got.Failures)
	}
	if got.Commands != want.Commands {
		t.Errorf("got %d commands streamed, want %d", got.Commands, want.Commands)
	}
	var wd, gd bytes.Buffer
	if err := repl.DumpSession(context.Background(), whole, &wd); err != nil {
		t.Fatal(err)
	}
	if err := repl.DumpSession(context.Background(), streamed, &gd); err != nil {
		t.Fatal(err)
	}
	if wd.String() != gd.String() {
		t.Errorf("the streamed replay built another store (%d vs %d dump bytes)", gd.Len(), wd.Len())
	}
}

// TestCheckReaderFindsLateErrors: a broken line far past the first chunk
// is reported with its real line number, so --load can refuse the file
// before running any of it.
func TestCheckReaderFindsLateErrors(t *testing.T) {
	src := streamScript(2*streamChunkLines) + "put sss 'unterminated\n"
	line := strings.Count(src, "\n")
	err := NewScriptParser().CheckReader("s.trove", strings.NewReader(src))
	var pe *ParseErrors
	if !errors.As(err, &pe) || len(pe.Errs) != 1 {
		t.Fatalf("got %v, want one parse error", err)
	}
	if pe.Errs[0].Line != line {
		t.Errorf("got the error at line %d, want %d", pe.Errs[0].Line, line)
	}
}

// TestCheckReaderMatchesParse: the chunks are checked in parallel, yet the
// problems come out as Parse finds them in the whole file: the same
// messages at the same lines, in the file's order.
func TestCheckReaderMatchesParse(t *testing.T) {
	var b strings.Builder
	for i := range 6 * streamChunkLines {
		switch {
		case i%997 == 5:
			fmt.Fprintf(&b, "put sss 'k%d\n", i) // unterminated quote
		case i%1409 == 7:
			fmt.Fprintf(&b, "frobnicate %d\n", i) // unknown command
		default:
			fmt.Fprintf(&b, "put sss k%d v\n", i)
		}
	}
	src := b.String()
	_, err := NewScriptParser().Parse("s.trove", []byte(src))
	var want *ParseErrors
	if !errors.As(err, &want) || len(want.Errs) < 10 {
		t.Fatalf("Parse: got %v, want many parse errors", err)
	}
	err = NewScriptParser().CheckReader("s.trove", strings.NewReader(src))
	var got *ParseErrors
	if !errors.As(err, &got) {
		t.Fatalf("CheckReader: got %v, want *ParseErrors", err)
	}
	if got.Error() != want.Error() {
		t.Errorf("CheckReader's errors differ from Parse's:\ngot\n%s\nwant\n%s", got, want)
	}
}
