package script

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/trovemem/trovemem/repl"
)

// FuzzScriptParse checks that the script parser never panics, reports
// every problem as a *ParseError with a line inside the file.
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
	})
}

// FuzzSplitWords checks splitWords against Split itself: expanding every
// ${NAME} to filler gives exactly the words Split finds in the line with
// each reference replaced by that same filler, whatever the quoting, and
// no other character (a private-use one, an escape) is ever taken for a
// variable.
func FuzzSplitWords(f *testing.F) {
	for _, s := range []string{
		`echo ${a} "x ${b}/${c} y" '${d}' \${e} ${f}#g`, `put b k"${x}"'q'${y}; echo ${z} # ${w}`,
		"echo \uE0000\uE001 ${a}", `echo "\ue0000\ue001${a}"`, "a \\\n${b}", `x "${a}\"${b}"`, `${a}${b} ${c}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cmds, err := splitWords(line)
		if err != nil {
			return
		}
		// The filler is as wide as the reference, which is how splitWords
		// itself finds quoting errors; any value would do as well.
		fill := func(name string) (string, bool) { return strings.Repeat("_", len(name)+3), true }
		refs := refRanges(line)
		filled := []byte(line)
		for _, r := range refs {
			for i := r[0]; i < r[1]; i++ {
				filled[i] = '_'
			}
		}
		want, err := repl.Split(string(filled))
		if err != nil {
			t.Fatalf("splitWords(%q) passed, repl.Split of the filled line %q fails: %v", line, filled, err)
		}
		got := make([][]string, len(cmds))
		for i, c := range cmds {
			got[i] = make([]string, len(c.words))
			for j, w := range c.words {
				got[i][j] = w
				if c.tmpl != nil && c.tmpl[j] != nil {
					got[i][j], _ = c.tmpl[j].expand(fill)
				}
			}
		}
		if !slices.EqualFunc(got, want, slices.Equal[[]string]) {
			t.Errorf("splitWords(%q) expanded = %q, repl.Split(%q) = %q", line, got, filled, want)
		}
	})
}

// refRanges returns the byte range of every variable reference in line.
func refRanges(line string) [][2]int {
	lx, err := repl.Lex(line, repl.LexOptions{Refs: true})
	if err != nil {
		return nil
	}
	var refs [][2]int
	for _, c := range lx.Cmds {
		for _, w := range c {
			for _, f := range w.Frags {
				if f.Kind == repl.FragRef {
					refs = append(refs, [2]int{f.Off, f.End})
				}
			}
		}
	}
	return refs
}
