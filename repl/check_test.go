package repl

import (
	"fmt"
	"slices"
	"testing"
)

// checkWords are command lines for TestCheckAgreesWithPrepare and
// TestResolveIndexAgreesWithScan: right and wrong, with and without
// flags, group commands and aliases.
var checkWords = [][]string{
	{"ls", "b"}, {"ls", "b", "--max", "2"}, {"ls", "b", "--nope"}, {"ls", "a", "b"},
	{"ls", "--help"}, {"echo", "--max"}, {"put", "b", "k", "v"}, {"put", "b"},
	{"get", "b", "k"}, {"get", "b", "k", "-o", "f"}, {"nosuch"}, {"route"}, {"route", "add", "a/**", "x"},
	{"route", "nosuch"}, {"route", "add"}, {"exit"}, {"exit", "1", "2", "3"}, {"mkbucket", "b"},
}

// Check is the parser's allocation-free Prepare: it must accept exactly
// what Prepare accepts and fail with Prepare's error.
func TestCheckAgreesWithPrepare(t *testing.T) {
	for _, words := range checkWords {
		t.Run(fmt.Sprint(words), func(t *testing.T) {
			_, _, want := Commands().Prepare(words)
			got := Commands().Check(words)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("got %v, want %v (Prepare's)", got, want)
			}
		})
	}
}

// The package table resolves names through an index; any other table
// (here a copy) scans. Both must find the same command for every name and
// alias and every line above.
func TestResolveIndexAgreesWithScan(t *testing.T) {
	scanned := slices.Clone(Commands())
	lines := slices.Clone(checkWords)
	for _, c := range Commands() {
		for _, name := range append([]string{c.Name}, c.Aliases...) {
			lines = append(lines, []string{name}, []string{name, "x"})
		}
	}
	for _, words := range lines {
		gotC, gotN, gotErr := Commands().Resolve(words)
		wantC, wantN, wantErr := scanned.Resolve(words)
		if gotC != wantC || gotN != wantN || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Errorf("Resolve(%q): got %v %d %v, want %v %d %v", words, gotC, gotN, gotErr, wantC, wantN, wantErr)
		}
	}
}
