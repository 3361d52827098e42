package trove

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// PatternCovers reports whether every key that matches pattern p2 also
// matches pattern p1, so that a rule for p2 placed after a rule for p1 can
// never fire. It is sound but not complete: true is always right, while
// false means "covers" could not be shown (it may still hold, as with
// "a/*" and "b/*" together covering "{a,b}/*", which takes two rules). It
// decides the cases people meet: identical patterns, "**", a literal key
// that p1 matches, "*.log" over "a.log" or "x*.log", "prefix/**" over
// "prefix/x/*.txt", and brace alternatives.
func PatternCovers(p1, p2 string) bool {
	if ValidatePattern(p1) != nil || ValidatePattern(p2) != nil {
		return false
	}
	if p1 == p2 || p1 == "**" {
		return true
	}
	// A literal p2 stands for one key: p1 covers it exactly when it matches it.
	if !strings.ContainsAny(p2, metaChars) {
		return matchPattern(p1, p2)
	}
	// Escapes make the token rules below ambiguous, and a class inside a
	// brace group could hide a comma from the expansion; staying silent is
	// sound.
	for _, p := range []string{p1, p2} {
		if strings.Contains(p, `\`) || (strings.Contains(p, "[") && strings.Contains(p, "{")) {
			return false
		}
	}
	alts1, ok1 := expandBraces(p1)
	alts2, ok2 := expandBraces(p2)
	if !ok1 || !ok2 {
		return false
	}
	parsed1 := make([][]segment, 0, len(alts1))
	for _, a := range alts1 {
		segs, ok := parseSegments(a)
		if ok && !adjacentGlobstars(segs) {
			parsed1 = append(parsed1, segs)
		}
	}
	// Every alternative of p2 must be covered by some alternative of p1: a
	// key of p2 matches one of its alternatives, hence that p1 alternative,
	// hence p1.
	for _, a := range alts2 {
		if !strings.ContainsAny(a, metaChars) {
			if !matchPattern(p1, a) {
				return false
			}
			continue
		}
		segs2, ok := parseSegments(a)
		if !ok || mayYieldSlash(segs2) {
			return false
		}
		covered := false
		for _, segs1 := range parsed1 {
			if pathCovers(segs1, segs2) {
				covered = true
				break
			}
		}
		if !covered {
			return false
		}
	}
	return true
}

// maxAlternatives bounds brace expansion, so a pathological pattern costs
// little; past it PatternCovers gives up (returns false, which is sound).
const maxAlternatives = 64

// expandBraces rewrites a pattern with {a,b} groups (nested or holding
// '/') into the brace-free patterns it is the union of.
func expandBraces(p string) ([]string, bool) {
	open := strings.IndexByte(p, '{')
	if open < 0 {
		return []string{p}, true
	}
	depth, close := 0, -1
	var commas []int
	for i := open; i < len(p) && close < 0; i++ {
		switch p[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				close = i
			}
		case ',':
			if depth == 1 {
				commas = append(commas, i)
			}
		}
	}
	if close < 0 {
		return nil, false
	}
	var parts []string
	start := open + 1
	for _, c := range commas {
		parts = append(parts, p[start:c])
		start = c + 1
	}
	parts = append(parts, p[start:close])
	var out []string
	for _, part := range parts {
		alts, ok := expandBraces(p[:open] + part + p[close+1:])
		if !ok || len(out)+len(alts) > maxAlternatives {
			return nil, false
		}
		out = append(out, alts...)
	}
	return out, true
}

// A segment is one '/'-separated part of a brace-free pattern: either the
// whole-segment "**", which spans any number of segments, or a sequence of
// tokens that matches within one segment.
type segment struct {
	globstar bool
	toks     []token
}

type tokenKind uint8

const (
	tokLit   tokenKind = iota // one literal rune
	tokAny                    // '?': one rune other than '/'
	tokStar                   // '*': any run of runes other than '/'
	tokClass                  // '[...]': one rune the class accepts
)

type token struct {
	kind  tokenKind
	lit   rune
	class string // the class with its brackets, for matchPattern
}

func parseSegments(p string) ([]segment, bool) {
	parts := strings.Split(p, "/")
	segs := make([]segment, 0, len(parts))
	for _, part := range parts {
		if part == "**" {
			segs = append(segs, segment{globstar: true})
			continue
		}
		toks, ok := parseTokens(part)
		if !ok {
			return nil, false
		}
		segs = append(segs, segment{toks: toks})
	}
	return segs, true
}

// parseTokens splits one segment into tokens. A "**" that is not the whole
// segment behaves as '*' in the matcher, so runs of stars collapse to one.
func parseTokens(s string) ([]token, bool) {
	var toks []token
	for i := 0; i < len(s); {
		switch s[i] {
		case '*':
			if len(toks) == 0 || toks[len(toks)-1].kind != tokStar {
				toks = append(toks, token{kind: tokStar})
			}
			i++
		case '?':
			toks = append(toks, token{kind: tokAny})
			i++
		case '[':
			end := strings.IndexByte(s[i+1:], ']')
			if end < 0 {
				return nil, false
			}
			toks = append(toks, token{kind: tokClass, class: s[i : i+end+2]})
			i += end + 2
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			toks = append(toks, token{kind: tokLit, lit: r})
			i += n
		}
	}
	return toks, true
}

// mayYieldSlash reports a class such as "[^a]", which the matcher lets
// match '/': a key of such a p2 need not have the segments p2 shows, so the
// segment-wise check would not be sound.
func mayYieldSlash(segs []segment) bool {
	for _, s := range segs {
		for _, t := range s.toks {
			if t.kind == tokClass && classMayMatchSlash(t.class) {
				return true
			}
		}
	}
	return false
}

// adjacentGlobstars reports "**/**", which the matcher does not treat as
// one "**" ("a/**/**" misses "a", which "a/**" matches). Such a p1 is left
// out of the cover check rather than modelled.
func adjacentGlobstars(segs []segment) bool {
	for i := 1; i < len(segs); i++ {
		if segs[i].globstar && segs[i-1].globstar {
			return true
		}
	}
	return false
}

// pathCovers decides, segment by segment, whether every key generated by
// b matches a. A "**" of a absorbs any run of b's segments (its own "**"
// included); a "**" of b can be absorbed only by a "**" of a, since it
// stands for any number of segments of any content.
func pathCovers(a, b []segment) bool {
	n1, n2 := len(a), len(b)
	// dp[i][j]: a[i:] covers b[j:].
	dp := make([][]bool, n1+1)
	for i := range dp {
		dp[i] = make([]bool, n2+1)
	}
	dp[n1][n2] = true
	// The matcher lets a trailing "/**" stand for nothing only when the
	// key ends exactly where the "/**" begins, which fails if the segment
	// before it ends in a '*' that matched nothing ("a*/**" misses "a" but
	// matches "ab"). So when that "**" may take no concrete segment of b,
	// the '*' before it must take at least one character.
	strictTail := n1 >= 2 && a[n1-1].globstar && !a[n1-2].globstar &&
		len(a[n1-2].toks) > 0 && a[n1-2].toks[len(a[n1-2].toks)-1].kind == tokStar
	concreteFrom := func(j int) bool {
		return slices.ContainsFunc(b[j:], func(s segment) bool { return !s.globstar })
	}
	for i := n1 - 1; i >= 0; i-- {
		for j := n2; j >= 0; j-- {
			switch {
			case i == n1-2 && strictTail && j < n2 && !b[j].globstar && !concreteFrom(j+1):
				dp[i][j] = dp[i+1][j+1] && segCoversNonEmptyTail(a[i].toks, b[j].toks)
			case a[i].globstar:
				dp[i][j] = dp[i+1][j] || (j < n2 && dp[i][j+1])
			case j == n2 || b[j].globstar:
				dp[i][j] = false
			default:
				dp[i][j] = dp[i+1][j+1] && segCovers(a[i].toks, b[j].toks)
			}
		}
	}
	return dp[0][0]
}

// segCovers decides whether every string generated by the tokens t2
// matches the tokens t1, by aligning them symbolically: a '*' of t1
// absorbs any run of t2's tokens that can never yield '/', and every other
// token of t1 must accept the single token of t2 it faces, whatever that
// token turns into.
func segCovers(t1, t2 []token) bool {
	n1, n2 := len(t1), len(t2)
	dp := make([][]bool, n1+1)
	for i := range dp {
		dp[i] = make([]bool, n2+1)
	}
	dp[n1][n2] = true
	for i := n1 - 1; i >= 0; i-- {
		for j := n2; j >= 0; j-- {
			switch {
			case t1[i].kind == tokStar:
				dp[i][j] = dp[i+1][j] || (j < n2 && starAbsorbs(t2[j]) && dp[i][j+1])
			case j == n2:
				dp[i][j] = false
			default:
				dp[i][j] = dp[i+1][j+1] && tokenCovers(t1[i], t2[j])
			}
		}
	}
	return dp[0][0]
}

// segCoversNonEmptyTail is segCovers for a t1 ending in '*', with that
// '*' made to take at least one token of t2 that always yields a
// character (anything but another '*').
func segCoversNonEmptyTail(t1, t2 []token) bool {
	head := t1[:len(t1)-1]
	for k := len(t2) - 1; k >= 0; k-- {
		tail := t2[k:]
		if !slices.ContainsFunc(tail, func(t token) bool { return t.kind != tokStar }) {
			continue
		}
		if slices.ContainsFunc(tail, func(t token) bool { return !starAbsorbs(t) }) {
			break // a longer tail holds this token too
		}
		if segCovers(head, t2[:k]) {
			return true
		}
	}
	return false
}

// classMayMatchSlash reports whether a class such as "[^a]" accepts '/':
// the matcher lets a class match it, while '*' and '?' never do.
func classMayMatchSlash(class string) bool { return matchPattern(class, "/") }

func starAbsorbs(t token) bool {
	return t.kind != tokClass || !classMayMatchSlash(t.class)
}

func tokenCovers(a, b token) bool {
	switch a.kind {
	case tokLit:
		return b.kind == tokLit && b.lit == a.lit
	case tokAny:
		return b.kind == tokLit || b.kind == tokAny || (b.kind == tokClass && !classMayMatchSlash(b.class))
	case tokClass:
		switch b.kind {
		case tokLit:
			return matchPattern(a.class, string(b.lit))
		case tokClass:
			return a.class == b.class
		}
	}
	return false
}
