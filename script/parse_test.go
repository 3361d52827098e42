package script

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/trovemem/trovemem/repl"
)

// stepView is the part of a Step the parser tests compare.
type stepView struct {
	Kind    StepKind
	Line    int
	Expect  Expect
	Words   []string
	Stream  string
	Negate  bool
	Pattern string
	Block   []string
	Name    string
	Value   string
}

func view(steps []*Step) []stepView {
	out := make([]stepView, len(steps))
	for i, s := range steps {
		out[i] = stepView{s.Kind, s.Line, s.Expect, s.Words, s.Stream, s.Negate, s.Pattern, s.Block, s.Name, s.Value}
	}
	return out
}

// knownNames accepts commands with these names and rejects others the way
// the command table does, with a suggestion for "bukets".
func knownNames(names ...string) func([]string, bool) error {
	return func(words []string, _ bool) error {
		for _, k := range names {
			if k == words[0] {
				return nil
			}
		}
		msg := "unknown command " + repl.Quote(words[0])
		if words[0] == "bukets" {
			msg += `; did you mean "buckets"?`
		}
		return errors.New(msg)
	}
}

func TestParseScript(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []stepView
	}{
		{"commands and comments", "# header\nmkbucket demo\n\nput demo k v # why\n",
			[]stepView{
				{Kind: StepCommand, Line: 2, Words: []string{"mkbucket", "demo"}},
				{Kind: StepCommand, Line: 4, Words: []string{"put", "demo", "k", "v"}},
			}},
		{"prefixes", "! get demo k\n? rmbucket demo",
			[]stepView{
				{Kind: StepCommand, Line: 1, Expect: ExpectFailure, Words: []string{"get", "demo", "k"}},
				{Kind: StepCommand, Line: 2, Expect: ExpectEither, Words: []string{"rmbucket", "demo"}},
			}},
		{"assertions", "get demo k\nstdout '^v$'\n! stdout x\nstderr 'not found'",
			[]stepView{
				{Kind: StepCommand, Line: 1, Words: []string{"get", "demo", "k"}},
				{Kind: StepAssert, Line: 2, Stream: "stdout", Pattern: "^v$"},
				{Kind: StepAssert, Line: 3, Stream: "stdout", Negate: true, Pattern: "x"},
				{Kind: StepAssert, Line: 4, Stream: "stderr", Pattern: "not found"},
			}},
		{"block with empty line", "echo a\n| a\n|\n| b c\nbuckets",
			[]stepView{
				{Kind: StepCommand, Line: 1, Words: []string{"echo", "a"}, Block: []string{"a", "", "b c"}},
				{Kind: StepCommand, Line: 5, Words: []string{"buckets"}},
			}},
		{"block belongs to the last command of a line", "mkbucket d; buckets\n| d",
			[]stepView{
				{Kind: StepCommand, Line: 1, Words: []string{"mkbucket", "d"}},
				{Kind: StepCommand, Line: 1, Words: []string{"buckets"}, Block: []string{"d"}},
			}},
		{"continuation", "put demo \\\n  k v\nbuckets",
			[]stepView{
				{Kind: StepCommand, Line: 1, Words: []string{"put", "demo", "k", "v"}},
				{Kind: StepCommand, Line: 3, Words: []string{"buckets"}},
			}},
		{"set and let", "set B demo\nlet E = stdout 'etag (\\w+)'",
			[]stepView{
				{Kind: StepSet, Line: 1, Name: "B", Value: "demo"},
				{Kind: StepLet, Line: 2, Name: "E", Stream: "stdout", Pattern: `etag (\w+)`},
			}},
		{"crlf line ends", "echo a\r\n| a\r\n",
			[]stepView{{Kind: StepCommand, Line: 1, Words: []string{"echo", "a"}, Block: []string{"a"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &ScriptParser{Check: knownNames("mkbucket", "put", "get", "rmbucket", "echo", "buckets")}
			sc, err := p.Parse("t.trove", []byte(tt.src))
			if err != nil {
				t.Fatalf("Parse error: %v", err)
			}
			if diff := cmp.Diff(tt.want, view(sc.Steps)); diff != "" {
				t.Errorf("steps mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseScriptErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // every error, in order
	}{
		{"unterminated quote", "echo ok\nput demo 'k v\n", []string{"t.trove:2:10: unterminated single quote"}},
		{"unknown command", "mkbucket d\n  bukets\n", []string{`t.trove:2:3: unknown command bukets; did you mean "buckets"?`}},
		{"every error at once", "nope\necho 'x\nstdout '('\n",
			[]string{"t.trove:1:1: unknown command nope", "t.trove:2:6: unterminated single quote", "t.trove:3:1: bad regexp"}},
		{"block without command", "| x\n", []string{"t.trove:1:1: an output block must follow a command"}},
		{"block after comment", "echo a\n# c\n| a\n", []string{"t.trove:3:1: an output block must follow a command"}},
		{"block marker without space", "echo a\n|a\n", []string{`t.trove:2:2: an output line is "| "`}},
		{"bang alone", "!\n", []string{`t.trove:1:1: "!" needs a command`}},
		{"maybe assertion", "echo a\n? stdout a\n", []string{`t.trove:2:1: "?" does not apply`}},
		{"set usage", "set 1x y\n", []string{"t.trove:1:1: usage: set NAME VALUE"}},
		{"let usage", "let X stdout a\n", []string{"t.trove:1:1: usage: let NAME = stdout"}},
		{"bad variable", "echo ${a-b}\n", []string{"t.trove:1:6: bad variable name"}},
		{"unterminated variable", "echo ${a\n", []string{"t.trove:1:6: unterminated ${"}},
		{"missing source", "source nothere.trove\n", []string{"t.trove:1:1: source nothere.trove:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &ScriptParser{
				Check:    knownNames("mkbucket", "put", "echo", "buckets"),
				ReadFile: fstest.MapFS{}.ReadFile,
			}
			_, err := p.Parse("t.trove", []byte(tt.src))
			var pe *ParseErrors
			if !errors.As(err, &pe) {
				t.Fatalf("got error %v, want *ParseErrors", err)
			}
			if len(pe.Errs) != len(tt.want) {
				t.Fatalf("got %d errors:\n%v\nwant %d", len(pe.Errs), err, len(tt.want))
			}
			for i, w := range tt.want {
				if got := pe.Errs[i].Error(); !strings.HasPrefix(got, w) {
					t.Errorf("error %d: got %q, want prefix %q", i, got, w)
				}
			}
		})
	}
}

func TestParseSource(t *testing.T) {
	fsys := fstest.MapFS{
		"dir/a.trove":     {Data: []byte("mkbucket d\nsource lib/b.trove\n")},
		"dir/lib/b.trove": {Data: []byte("echo from-b\nsource c.trove\n")},
		"dir/lib/c.trove": {Data: []byte("echo from-c\n")},
		"cyc/a.trove":     {Data: []byte("echo a\nsource b.trove\n")},
		"cyc/b.trove":     {Data: []byte("echo b\n\nsource a.trove\n")},
		"bad/a.trove":     {Data: []byte("source b.trove\n")},
		"bad/b.trove":     {Data: []byte("echo ok\necho 'oops\n")},
		"same/a.trove":    {Data: []byte("source x/a.trove\n")},
		"same/x/a.trove":  {Data: []byte("source ../a.trove\n")},
		"deep/a.trove":    {Data: []byte("echo a\n\nsource b.trove\n")},
		"deep/b.trove":    {Data: []byte("echo b\nsource c.trove\n")},
		"deep/c.trove":    {Data: []byte("nope\n")},
	}
	read := func(name string) ([]byte, error) { return fs.ReadFile(fsys, filepath.ToSlash(filepath.Clean(name))) }
	p := &ScriptParser{ReadFile: read, Check: knownNames("echo", "mkbucket")}

	t.Run("nested, relative to the including file", func(t *testing.T) {
		sc, err := p.ParseFile("dir/a.trove")
		if err != nil {
			t.Fatal(err)
		}
		b := sc.Steps[1].Sub
		if b == nil || b.Path != "dir/lib/b.trove" {
			t.Fatalf("got sourced script %+v, want path dir/lib/b.trove", b)
		}
		c := b.Steps[1].Sub
		if c == nil || c.Path != "dir/lib/c.trove" || c.Steps[0].Words[1] != "from-c" {
			t.Fatalf("got nested script %+v, want dir/lib/c.trove echoing from-c", c)
		}
	})
	t.Run("cycle", func(t *testing.T) {
		_, err := p.ParseFile("cyc/a.trove")
		want := "cyc/b.trove:3:1: source a.trove: source cycle: cyc/a.trove -> cyc/b.trove -> cyc/a.trove (from cyc/a.trove:2)"
		if err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	})
	t.Run("errors in a sourced file name that file", func(t *testing.T) {
		_, err := p.ParseFile("bad/a.trove")
		want := "bad/b.trove:2:6: unterminated single quote (from bad/a.trove:1)"
		if err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
		var pe *ParseErrors
		if !errors.As(err, &pe) {
			t.Fatalf("got %T, want *ParseErrors", err)
		}
		if got, want := pe.Errs[0].Top(), (Location{File: "bad/a.trove", Line: 1}); !cmp.Equal(got, want) {
			t.Errorf("Top: got %v, want %v", got, want)
		}
	})
	t.Run("a cycle through files of the same name is told apart by folder", func(t *testing.T) {
		_, err := p.ParseFile("same/a.trove")
		want := "same/x/a.trove:1:1: source ../a.trove: source cycle: same/a.trove -> same/x/a.trove -> same/a.trove (from same/a.trove:1)"
		if err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	})
	t.Run("an error two sources deep shows the whole chain", func(t *testing.T) {
		_, err := p.ParseFile("deep/a.trove")
		want := "deep/c.trove:1:1: unknown command nope (from deep/b.trove:2, from deep/a.trove:3)"
		if err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	})
}

func TestVariables(t *testing.T) {
	vars := map[string]string{"b": "my bucket", "k": "a'b", "empty": ""}
	lookup := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
	tests := []struct {
		name string
		line string
		want []string
	}{
		{"bare", "put ${b} x", []string{"put", "my bucket", "x"}},
		{"inside a word", "put b pre${k}post", []string{"put", "b", "pre" + "a'b" + "post"}},
		{"double quotes expand", `echo "${b}/${k}"`, []string{"echo", "my bucket/a'b"}},
		{"single quotes keep it", `echo '${b}'`, []string{"echo", "${b}"}},
		{"backslash keeps it", `echo \${b}`, []string{"echo", "${b}"}},
		{"empty value is still a word", `echo ${empty} x`, []string{"echo", "", "x"}},
		{"comment ignored", `echo a # ${nope`, []string{"echo", "a"}},
		{"a private-use character is text", "echo \uE0000\uE001 ${b}", []string{"echo", "\uE0000\uE001", "my bucket"}},
		{"an escape spelling a private-use character is text", `echo "\ue0000\ue001" ${b}`, []string{"echo", "\uE0000\uE001", "my bucket"}},
		{"private-use characters around a variable", "echo \uE000${k}\uE001", []string{"echo", "\uE000a'b\uE001"}},
		{"a # right after a variable is text", "echo ${k}#x", []string{"echo", "a'b#x"}},
		{"continuation between words", "echo \\\n${k}", []string{"echo", "a'b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := expandLine(t, tt.line, lookup)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("words mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("undefined", func(t *testing.T) {
		cmds, err := splitWords("echo ${missing}")
		if err != nil {
			t.Fatal(err)
		}
		_, err = cmds[0].tmpl[1].expand(lookup)
		var ue *UndefinedVarError
		if !errors.As(err, &ue) || ue.Name != "missing" {
			t.Errorf("got %v, want *UndefinedVarError for missing", err)
		}
	})
}

// expandLine splits a one-command line and expands its variables.
func expandLine(t *testing.T, line string, lookup func(string) (string, bool)) []string {
	t.Helper()
	cmds, err := splitWords(line)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) != 1 {
		t.Fatalf("got %d commands, want 1", len(cmds))
	}
	got := make([]string, len(cmds[0].words))
	for i, w := range cmds[0].words {
		got[i] = w
		if cmds[0].tmpl != nil && cmds[0].tmpl[i] != nil {
			if got[i], err = cmds[0].tmpl[i].expand(lookup); err != nil {
				t.Fatal(err)
			}
		}
	}
	return got
}
