package trove_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/trovemem/trovemem/trove"
)

func TestPatternCovers(t *testing.T) {
	tests := []struct {
		name   string
		p1, p2 string
		want   bool
	}{
		{"identical", "*.log", "*.log", true},
		{"globstar covers everything", "**", "tmp/x/*.txt", true},
		{"globstar covers a literal", "**", "a/b/c", true},
		{"star covers a literal", "*.log", "a.log", true},
		{"star does not cross slash for a literal", "*.log", "dir/a.log", false},
		{"star covers a narrower star", "*.log", "x*.log", true},
		{"star covers a question mark", "*.log", "?.log", true},
		{"narrower does not cover wider", "x*.log", "*.log", false},
		{"prefix globstar covers deeper glob", "prefix/**", "prefix/x/*.txt", true},
		{"prefix globstar covers its own star", "tmp/**", "tmp/*", true},
		{"prefix globstar does not cover other prefix", "tmp/**", "temp/*", false},
		{"star segment does not cover globstar", "tmp/*", "tmp/**", false},
		{"globstar then suffix", "**/*.log", "logs/2024/*.log", true},
		{"globstar suffix does not cover other suffix", "**/*.log", "logs/*.txt", false},
		{"literal not matched", "*.txt", "a.log", false},
		{"literal matched by braces", "{a,b}.log", "b.log", true},
		{"braces in p2 all covered", "*.log", "{a,b}.log", true},
		{"braces in p2 one alternative uncovered", "*.log", "{a.log,b.txt}", false},
		{"braces in p1 cover p2", "{*.log,*.txt}", "x*.txt", true},
		{"class covers literal", "[ab].log", "a.log", true},
		{"class does not cover other literal", "[ab].log", "c.log", false},
		{"question mark covers class", "?.log", "[ab].log", true},
		{"question mark does not cover negated class", "?.log", "[^a].log", false},
		{"star does not cover negated class", "*.log", "[^a].log", false},
		{"same class", "[ab]*", "[ab]x", true},
		{"two stars collapse", "a**b", "a*b", true},
		{"question mark needs a character", "?*.log", "*.log", false},
		{"escape in p2 is left alone", "a*", `a\*`, false},
		{"escaped p1 still matches literal p2", `a\*`, "a*", false},
		{"invalid pattern never covers", "[", "a", false},
		{"segment counts differ", "*/*", "*", false},
		{"globstar zero segments", "a/**/b", "a/b", true},
		{"globstar between", "a/**/b", "a/*/b", true},
		{"question marks", "a?c", "abc", true},
		{"negated class may yield a slash", "*[^a]a/*", "*[^a]a/ab", false},
		{"globstar covers a negated class", "**", "[^a]", true},
		{"star before trailing globstar needs a segment", "a*/**", "a/**", false},
		{"star before trailing globstar takes a character", "20*/**", "2019/**", true},
		{"star before trailing globstar takes part of a wider segment", "2*/**", "20*/**", true},
		{"star before trailing globstar and a concrete segment", "20*/**", "20/x", true},
		{"adjacent globstars are not one", "a/**/**", "a/*", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := trove.PatternCovers(tt.p1, tt.p2); got != tt.want {
				t.Errorf("PatternCovers(%q, %q) = %v, want %v", tt.p1, tt.p2, got, tt.want)
			}
		})
	}
}

// A piece of a generated pattern: its text and a way to draw a string it
// matches. Generating patterns and keys from one structure lets the
// property test below sample keys of p2 without a second pattern parser.
type piece struct {
	text string
	gen  func(r *rand.Rand) string
}

var alphabet = []rune("ab.x")

func randWord(r *rand.Rand, max int) string {
	n := r.IntN(max + 1)
	var b strings.Builder
	for range n {
		b.WriteRune(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func lit(s string) piece { return piece{s, func(*rand.Rand) string { return s }} }

var pieces = []piece{
	lit("a"), lit("b"), lit(".log"), lit("x"),
	{"*", func(r *rand.Rand) string { return randWord(r, 3) }},
	{"?", func(r *rand.Rand) string { return string(alphabet[r.IntN(len(alphabet))]) }},
	{"[ab]", func(r *rand.Rand) string { return []string{"a", "b"}[r.IntN(2)] }},
	{"[^a]", func(r *rand.Rand) string { return []string{"b", "x", "/"}[r.IntN(3)] }},
	{"{a,b}", func(r *rand.Rand) string { return []string{"a", "b"}[r.IntN(2)] }},
	{"{x,a/b}", func(r *rand.Rand) string { return []string{"x", "a/b"}[r.IntN(2)] }},
}

type genPattern struct {
	segs [][]piece // a nil segment is a whole-segment "**"
}

func (g genPattern) String() string {
	parts := make([]string, len(g.segs))
	for i, s := range g.segs {
		if s == nil {
			parts[i] = "**"
			continue
		}
		for _, p := range s {
			parts[i] += p.text
		}
	}
	return strings.Join(parts, "/")
}

func (g genPattern) key(r *rand.Rand) string {
	var parts []string
	for _, s := range g.segs {
		if s == nil {
			for range r.IntN(3) {
				parts = append(parts, randWord(r, 2))
			}
			continue
		}
		w := ""
		for _, p := range s {
			w += p.gen(r)
		}
		parts = append(parts, w)
	}
	return strings.Join(parts, "/")
}

func randPattern(r *rand.Rand) genPattern {
	var g genPattern
	for range 1 + r.IntN(3) {
		if r.IntN(5) == 0 {
			g.segs = append(g.segs, nil)
			continue
		}
		seg := []piece{}
		for range 1 + r.IntN(3) {
			seg = append(seg, pieces[r.IntN(len(pieces))])
		}
		g.segs = append(g.segs, seg)
	}
	return g
}

// checkNoFalseCover draws patterns and keys from seed and fails if
// PatternCovers claims p1 covers p2 while some key of p2 escapes p1.
func checkNoFalseCover(t *testing.T, seed uint64, rounds int) (covers int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for range rounds {
		g1, g2 := randPattern(r), randPattern(r)
		p1, p2 := g1.String(), g2.String()
		if r.IntN(4) == 0 {
			// Derive p1 from p2 by widening one segment, so that true covers
			// are common enough to exercise the positive side.
			w := genPattern{segs: append([][]piece(nil), g2.segs...)}
			i := r.IntN(len(w.segs))
			w.segs[i] = [][]piece{nil, {pieces[4]}}[r.IntN(2)]
			p1 = w.String()
		}
		if !trove.PatternCovers(p1, p2) {
			continue
		}
		covers++
		for range 20 {
			key := g2.key(r)
			if ok, _ := doublestar.Match(p2, key); !ok || key == "" {
				continue // the generator is not exact for every corner
			}
			if ok, _ := doublestar.Match(p1, key); !ok {
				t.Fatalf("PatternCovers(%q, %q) = true, but key %q matches %q and not %q", p1, p2, key, p2, p1)
			}
		}
	}
	return covers
}

func TestPatternCoversHasNoFalsePositives(t *testing.T) {
	covers := checkNoFalseCover(t, 1, 20000)
	// The test means something only if it saw many claimed covers.
	if covers < 1000 {
		t.Errorf("only %d of 20000 random pairs were covers; want at least 1000 for the check to bite", covers)
	}
}

func FuzzPatternCovers(f *testing.F) {
	for _, s := range []uint64{0, 1, 42, 1 << 40} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, seed uint64) { checkNoFalseCover(t, seed, 50) })
}
