package repl

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		line string
		want [][]string
	}{
		{"empty", "", nil},
		{"blank", "  \t ", nil},
		{"one word", "buckets", [][]string{{"buckets"}}},
		{"words", "put demo k hello", [][]string{{"put", "demo", "k", "hello"}}},
		{"extra blanks", "  put\tdemo   k  ", [][]string{{"put", "demo", "k"}}},
		{"single quotes literal", `put demo 'a b' 'x\ny "z"'`, [][]string{{"put", "demo", "a b", `x\ny "z"`}}},
		{"double quote escapes", `echo "a\tb\nc \"q\" \\"`, [][]string{{"echo", "a\tb\nc \"q\" \\"}}},
		{"hex and unicode escapes", `echo "\x41\u00e9\U0001F600"`, [][]string{{"echo", "Aé😀"}}},
		{"empty quoted words", `put demo '' ""`, [][]string{{"put", "demo", "", ""}}},
		{"quotes join into one word", `a'b c'"d"e`, [][]string{{"ab cde"}}},
		{"backslash outside quotes", `put demo a\ b \;x`, [][]string{{"put", "demo", "a b", ";x"}}},
		{"comment", "echo hi # not this", [][]string{{"echo", "hi"}}},
		{"comment-only line", "# just a comment", nil},
		{"hash inside a word", "echo a#b", [][]string{{"echo", "a#b"}}},
		{"hash quoted", `echo '#x' "#y"`, [][]string{{"echo", "#x", "#y"}}},
		{"semicolons", "mkbucket demo; put demo k v ;get demo k", [][]string{{"mkbucket", "demo"}, {"put", "demo", "k", "v"}, {"get", "demo", "k"}}},
		{"empty commands dropped", ";; echo a ;;; ", [][]string{{"echo", "a"}}},
		{"semicolon quoted", `echo 'a;b' "c;d"`, [][]string{{"echo", "a;b", "c;d"}}},
		{"comment after semicolon", "echo a;#b", [][]string{{"echo", "a"}}},
		{"joined continuation", "put demo \\\nk v", [][]string{{"put", "demo", "k", "v"}}},
		{"continuation inside word", "ab\\\ncd", [][]string{{"abcd"}}},
		{"non-ASCII", "put demo clé 日本", [][]string{{"put", "demo", "clé", "日本"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Split(tt.line)
			if err != nil {
				t.Fatalf("Split(%q) error: %v", tt.line, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Split(%q) mismatch (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}

func TestSplitErrors(t *testing.T) {
	tests := []struct {
		name string
		line string
		col  int
	}{
		{"unterminated single", "put demo 'abc", 10},
		{"unterminated double", `echo "abc`, 6},
		{"unterminated double after escape", `echo "abc\`, 6},
		{"unknown escape", `echo "a\qb"`, 8},
		{"short hex escape", `echo "\x4"`, 7},
		{"bad unicode escape", `echo "\uD800"`, 7},
		{"trailing backslash", `echo a\`, 7},
		{"column counts characters", `echo é "\z"`, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Split(tt.line)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Split(%q) error = %v, want a *SyntaxError", tt.line, err)
			}
			if se.Col != tt.col {
				t.Errorf("Split(%q) column: got %d, want %d (%v)", tt.line, se.Col, tt.col, se)
			}
		})
	}
}

func TestContinues(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{`put demo k \`, true},
		{`put demo k`, false},
		{`put demo k \\`, false},
		{`put demo 'k \`, false},
		{`put demo "k \`, false},
		{`put demo 'k' \`, true},
		{`echo a # comment \`, false},
		{`echo a#b \`, true},
		{`echo a\ #b \`, true},
		{"echo a \\\nb \\", true},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			if got := Continues(tt.line); got != tt.want {
				t.Errorf("Continues(%q): got %v, want %v", tt.line, got, tt.want)
			}
		})
	}
}

func TestJoinContinued(t *testing.T) {
	line := JoinContinued(`put demo \`, `k "v w"`)
	got, err := Split(line)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"put", "demo", "k", "v w"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Split(JoinContinued) mismatch (-want +got):\n%s", diff)
	}
}

func TestQuote(t *testing.T) {
	tests := []struct {
		word, want string
	}{
		{"plain", "plain"},
		{"dir/file.txt", "dir/file.txt"},
		{"clé", "clé"},
		{"", "''"},
		{"a b", "'a b'"},
		{"a;b", "'a;b'"},
		{"#x", "'#x'"},
		{"a#x", "a#x"},
		{"$HOME", "'$HOME'"},
		{`back\slash`, `'back\slash'`},
		{`say "hi"`, `'say "hi"'`},
		{"it's", `"it's"`},
		{"tab\there", `"tab\there"`},
		{"new\nline", `"new\nline"`},
		{"bell\a", `"bell\x07"`},
		{"zero\u200bwidth", `"zero\u200bwidth"`},
		{"bad\xffbyte", `"bad\xffbyte"`},
		{"nbsp\u00a0", `"nbsp\u00a0"`},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			got := Quote(tt.word)
			if got != tt.want {
				t.Errorf("Quote(%q): got %s, want %s", tt.word, got, tt.want)
			}
			back, err := Split(got)
			if err != nil {
				t.Fatalf("Split(Quote(%q)) error: %v", tt.word, err)
			}
			if diff := cmp.Diff([][]string{{tt.word}}, back); diff != "" {
				t.Errorf("Split(Quote(%q)) mismatch (-want +got):\n%s", tt.word, diff)
			}
		})
	}
}

// FuzzSplit checks that Split never panics, reports columns inside the line,
// and gives back any word Quote wrote.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		"put demo k v", `echo 'a b' "c\td" # x`, "a;b;;c", `"\x41\u00e9"`, "it's", "a\\\nb", "\xff", "#", `\`, "'", `"\q"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, err := Split(s)
		var se *SyntaxError
		if errors.As(err, &se) {
			if n := utf8.RuneCountInString(s); se.Col < 1 || se.Col > n {
				t.Errorf("Split(%q): error column %d outside 1..%d", s, se.Col, n)
			}
		} else if err != nil {
			t.Errorf("Split(%q): error %v is not a *SyntaxError", s, err)
		}
		q := Quote(s)
		got, err := Split(q)
		if err != nil {
			t.Fatalf("Split(Quote(%q)) = Split(%s) error: %v", s, q, err)
		}
		if len(got) != 1 || len(got[0]) != 1 || got[0][0] != s {
			t.Errorf("Split(Quote(%q)) = Split(%s): got %q, want [[%q]]", s, q, got, s)
		}
	})
}

// FuzzContinuation checks the linear continuation check against the
// definition: for a chain of physical lines, reading each line alone must
// agree with re-reading the whole joined line, at every step.
func FuzzContinuation(f *testing.F) {
	for _, s := range []string{
		"put b k \\\nabc \\\ndef",
		"a\\\n#x \\\ny",
		"a \\\n#x \\\ny",
		"a\\\n\\\n#x \\\ny",
		"put 'a \\\nb' \\\nc",
		"x \\\n\"q \\\nr\" \\\ns",
		"\\\n\\\n\\",
		"a\\\n${x} \\\nb",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		lines := strings.Split(text, "\n")
		var c Continuation
		got := c.Continue(lines[0])
		if want := Continues(lines[0]); got != want {
			t.Fatalf("Continue(%q) = %v, want %v", lines[0], got, want)
		}
		joined := lines[0]
		for i := 1; i < len(lines) && got; i++ {
			got = c.Next(lines[i])
			joined = JoinContinued(joined, lines[i])
			if want := Continues(joined); got != want {
				t.Fatalf("lines %q: Next(%q) = %v, want %v (Continues of the joined line)", lines[:i+1], lines[i], got, want)
			}
		}
	})
}

// FuzzPlainLine holds the lexer's fast path for plain lines to the
// scanner it stands in for: for every line plainLine accepts, runPlain
// gives exactly what runAny gives, words, offsets, columns and all.
func FuzzPlainLine(f *testing.F) {
	for _, s := range []string{
		"put demo k v", "  put  demo k   v  ", "", " ", "x", "put bkt obj/00000001 abcdef --content-type text/plain",
		"a$b c", "ls\x01x", "put b k " + strings.Repeat("v", 1024), "mkbucket bkt1 --exist-ok ",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, line string, refs bool) {
		if !plainLine(line, refs) {
			return
		}
		opts := LexOptions{Refs: refs}
		fast := lexer{line: line, opts: opts}
		fast.runPlain()
		slow := lexer{line: line, opts: opts}
		if err := slow.runAny(); err != nil {
			t.Fatalf("runAny(%q): %v, but plainLine accepts it", line, err)
		}
		if diff := cmp.Diff(slow.out, fast.out); diff != "" {
			t.Errorf("line %q: runPlain differs from runAny (-any +plain):\n%s", line, diff)
		}
	})
}

// TestPlainLine checks which lines take the fast path: only those with
// nothing but plain ASCII between spaces.
func TestPlainLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		refs bool
		want bool
	}{
		{"put demo k v", true, true},
		{"put demo k " + strings.Repeat("0123456789abcdef", 64), true, true},
		{"put demo k ${V}", true, false},
		{"put demo k $V", false, true},
		{"put demo k 'v w'", true, false},
		{`put demo k "v"`, true, false},
		{`put demo k v\ w`, true, false},
		{"put demo k v # note", true, false},
		{"mkbucket a; mkbucket b", true, false},
		{"put demo k\tv", true, false},
		{"put demo k v\r", true, false},
		{"put demo k café", true, false},
		{"put demo k " + strings.Repeat("a", 40) + "é", true, false},
	} {
		if got := plainLine(tc.line, tc.refs); got != tc.want {
			t.Errorf("plainLine(%q, refs %v): got %v, want %v", tc.line, tc.refs, got, tc.want)
		}
	}
}
