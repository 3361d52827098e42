package repl

import (
	"errors"
	"slices"
	"testing"
)

// FuzzScriptParse checks that the script parser never panics, reports
// every problem as a *ParseError with a line inside the file, and that its
// fast path for plain lines splits exactly as Split does.
func FuzzScriptParse(f *testing.F) {
	for _, s := range []string{
		"mkbucket demo\nput demo k v\n| out\n|\nstdout 'x'\n",
		"! get a b # c\n? ls\nset X 1\nlet Y = stdout '(.)'\necho ${X}${Y}\n",
		"put a \\\n b c\n", "| orphan\n", "echo 'open\n", "source x.trove\n", "\xff\r\n\t; ;\n", "a\vb c\u00a0d\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p := &ScriptParser{ReadFile: func(string) ([]byte, error) { return nil, errors.New("no files here") }}
		_, err := p.Parse("f.trove", []byte(src))
		var pe *ParseErrors
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("Parse(%q): error %v is not *ParseErrors", src, err)
		}
		if pe != nil {
			lines, _ := splitLines([]byte(src))
			for _, e := range pe.Errs {
				if e.Line < 1 || e.Line > len(lines) || e.Col < 1 {
					t.Errorf("Parse(%q): error %q at line %d col %d, outside the file's %d lines", src, e, e.Line, e.Col, len(lines))
				}
			}
		}
		if words, ok := splitPlain(src); ok {
			cmds, err := Split(src)
			if err != nil {
				t.Fatalf("splitPlain took %q, which Split rejects: %v", src, err)
			}
			var want []string
			if len(cmds) > 0 {
				want = cmds[0]
			}
			if len(cmds) > 1 || !slices.Equal(words, want) {
				t.Errorf("splitPlain(%q) = %q, Split gives %q", src, words, cmds)
			}
		}
	})
}
