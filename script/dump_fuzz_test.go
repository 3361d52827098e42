package script

import (
	"slices"
	"testing"

	"github.com/trovemem/trovemem/repl"
)

// FuzzDumpQuote checks that any key and value a dump writes parse back as
// the same words, through the whole script parser (variables included), so
// a dump never changes or breaks on what it saves.
func FuzzDumpQuote(f *testing.F) {
	for _, s := range [][2]string{
		{"k", "hello"}, {"a b", "it's"}, {"${x}", "$HOME ${y}"}, {"-k", "-v"}, {"#c", "| x"},
		{"it's ${x}", "a\nb\tc"}, {"\xff\x00", "\uE0000\uE001"}, {"!", "?"}, {"--", "stdout"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, key, value string) {
		line := repl.DumpLine([]string{"put", "b", key, value}, []string{"--content-type", "text/plain"})
		sc, err := (&ScriptParser{}).Parse("dump.trove", []byte(line+"\n"))
		if err != nil {
			t.Fatalf("dump line %s does not parse: %v", line, err)
		}
		if len(sc.Steps) != 1 || sc.Steps[0].Kind != StepCommand {
			t.Fatalf("dump line %s: got %d steps, want one command", line, len(sc.Steps))
		}
		st := sc.Steps[0]
		if st.wordT != nil {
			t.Errorf("dump line %s: got variables in %q, want none", line, st.Words)
		}
		pos, flags := splitDashDash(st.Words)
		if !slices.Equal(pos, []string{"put", "b", key, value}) || !slices.Equal(flags, []string{"--content-type", "text/plain"}) {
			t.Errorf("dump line %s: got words %q, want put b %q %q --content-type text/plain", line, st.Words, key, value)
		}
	})
}

// splitDashDash separates positional words from the flags putWords placed,
// undoing either of its two layouts.
func splitDashDash(words []string) (pos, flags []string) {
	if i := slices.Index(words, "--"); i >= 0 && len(words)-i-1 == 3 {
		return append([]string{words[0]}, words[i+1:]...), words[1:i]
	}
	return words[:4], words[4:]
}
