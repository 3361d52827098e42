package repl

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/spf13/pflag"
)

// checkWords are command lines for TestCheckAgreesWithPrepare and
// TestResolveIndexAgreesWithScan: right and wrong, with and without
// flags, group commands and aliases.
var checkWords = [][]string{
	{"ls", "b"}, {"ls", "b", "--max", "2"}, {"ls", "b", "--nope"}, {"ls", "a", "b"},
	{"ls", "--help"}, {"echo", "--max"}, {"put", "b", "k", "v"}, {"put", "b"},
	{"get", "b", "k"}, {"get", "b", "k", "-o", "f"}, {"nosuch"}, {"route"}, {"route", "add", "a/**", "x"},
	{"route", "nosuch"}, {"route", "add"}, {"exit"}, {"exit", "1", "2", "3"}, {"mkbucket", "b"},
	// Flags as a dump writes them, and every way they can go wrong.
	{"put", "b", "k", "v", "--content-type", "text/plain", "--modified", "2026-01-01T00:00:00Z"},
	{"put", "b", "k", "v", "--content-type=text/plain", "--meta", "a=1", "--meta", "b=2"},
	{"put", "b", "--content-type", "x", "k", "v"}, {"put", "--content-type", "x", "b", "k", "v"},
	{"put", "b", "k", "--content-type", "-v"}, {"put", "b", "k", "v", "--content-type"},
	{"put", "b", "k", "v", "--content-type", "x", "extra"}, {"put", "b", "k", "--modified", "x"},
	{"put", "b", "k", "v", "--nope", "x"}, {"put", "b", "k", "v", "--=x"}, {"put", "b", "k", "v", "--"},
	{"put", "b", "k", "--", "-v"}, {"put", "b", "k", "v", "--help"}, {"put", "b", "k", "v", "-h"},
	{"put", "b", "k", "-"}, {"put", "b", "k", "v", "--base64"}, {"put", "b", "k", "v", "--base64=maybe"},
	{"get", "b", "k", "-o", "f"}, {"get", "b", "k", "--out", "f"}, {"get", "b", "k", "--out"},
	{"ls", "b", "--max", "abc"}, {"ls", "b", "--max=2", "--prefix", "p/"}, {"ls", "b", "--prefix", "p/", "c"},
	{"echo", "--content-type", "x"}, {"mkbucket", "b", "--exist-ok"}, {"mkbucket", "b", "--nope", "x"},
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

// A dump's put line is checked without building a flag set: Check then
// allocates nothing (Prepare allocates a flag set and the options).
func TestCheckDumpLineAllocatesNothing(t *testing.T) {
	words := []string{"put", "bench", "obj/1", "value", "--content-type", "application/octet-stream", "--modified", "2026-12-07T13:22:02.914427872Z"}
	Commands().Check(words) // the flag template is built on first use
	if n := testing.AllocsPerRun(100, func() {
		if err := Commands().Check(words); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("got %v allocations per Check, want 0", n)
	}
}

// Prepare reads the flags of a line plainFlags accepts without a flag set
// of its own; what it reads must be what pflag parses: the same options,
// positional words and flags given, and nothing left over for the next
// line in the options it reuses.
func TestParsePlainAgreesWithFlagSet(t *testing.T) {
	lines := append(slices.Clone(checkWords),
		[]string{"put", "b", "k", "v", "--meta", "a=1", "--content-type", "x", "--meta", "b=2"},
		[]string{"put", "b", "k", "v", "--modified", "2026-01-01T00:00:00Z", "--modified=2027-01-01T00:00:00Z"},
		[]string{"put", "b", "k", "v"})
	fast := 0
	for range 2 { // the second pass reuses the options the first filled
		for _, words := range lines {
			c, n, err := Commands().Resolve(words)
			if err != nil {
				continue
			}
			args, opts, given, ok := c.parsePlain(words[n:])
			if !ok {
				continue
			}
			fast++
			fs, wantOpts := c.flagSet()
			if err := fs.Parse(words[n:]); err != nil {
				t.Errorf("%q: parsePlain accepted what pflag refuses: %v", words, err)
				continue
			}
			var wantGiven []string
			fs.Visit(func(f *pflag.Flag) { wantGiven = append(wantGiven, f.Name) })
			if !reflect.DeepEqual(opts, wantOpts) || !slices.Equal(args, fs.Args()) || !slices.Equal(given, wantGiven) {
				t.Errorf("%q: got %+v %q %q, want %+v %q %q (pflag's)", words, opts, args, given, wantOpts, fs.Args(), wantGiven)
			}
		}
	}
	if fast == 0 {
		t.Fatal("no line took the plain path")
	}
}
