package trove

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
)

// DefaultBackend is the name under which the driver given to Open is
// mounted.
const DefaultBackend = "default"

// Route sends keys matching Pattern to Backend.
type Route struct {
	Pattern string `json:"pattern"`
	Backend string `json:"backend"`
}

// RouteFunc picks a backend for a bucket and key, or returns "" to leave the
// decision to later rules.
type RouteFunc func(bucket, key string) string

// RouteFuncInfo is a route function with the name Explain shows for it.
type RouteFuncInfo struct {
	Name string
	Func RouteFunc
}

// ValidatePattern reports whether pattern is a usable route pattern. The
// error wraps ErrInvalidPattern.
func ValidatePattern(pattern string) error {
	if pattern == "" {
		return fmt.Errorf("%w: pattern is empty", ErrInvalidPattern)
	}
	if !doublestar.ValidatePattern(pattern) {
		return fmt.Errorf("%w %q: unbalanced brackets or braces, or a trailing backslash", ErrInvalidPattern, pattern)
	}
	return nil
}

// matchPattern applies a validated pattern to a key: path.Match semantics
// on '/'-separated keys, plus '**' across separators.
func matchPattern(pattern, key string) bool {
	if !utf8.ValidString(key) || !utf8.ValidString(pattern) {
		// The matcher reads both as runes, so invalid bytes match each
		// other as U+FFFD: compare bytes only where they are runes.
		ok, err := doublestar.Match(pattern, key)
		return err == nil && ok
	}
	if !strings.HasPrefix(key, matchHead(pattern)) {
		// Every put consults the routes in turn, and most do not match:
		// a differing literal head rejects a key without the matcher.
		return false
	}
	if head, ok := strings.CutSuffix(pattern, "/**"); ok && head != "" && !strings.ContainsAny(head, metaChars) {
		// The commonest rule, a folder and everything under it: the
		// folder itself or anything below it, as the matcher says.
		return strings.HasPrefix(key, head) && (len(key) == len(head) || key[len(head)] == '/')
	}
	ok, err := doublestar.Match(pattern, key)
	return err == nil && ok
}

// routeMatcher is a pattern route made ready for routing puts: what
// matchPattern works out from the pattern alone, done once per layout.
type routeMatcher struct {
	backend string
	head    string // matchHead of the pattern
	folder  string // for "folder/**" without special characters: "folder"
	pattern string
	mounted bool // the backend is mounted, so the rule can decide
	valid   bool // the pattern is valid UTF-8
}

func newRouteMatcher(r Route, mounted bool) routeMatcher {
	m := routeMatcher{backend: r.Backend, pattern: r.Pattern, head: matchHead(r.Pattern), mounted: mounted, valid: utf8.ValidString(r.Pattern)}
	if head, ok := strings.CutSuffix(r.Pattern, "/**"); ok && head != "" && !strings.ContainsAny(head, metaChars) {
		m.folder = head
	}
	return m
}

// route is explain without an explanation or route functions: the backend
// key routes to, by the matchers publish made. It agrees with matchPattern
// rule by rule (TestRouteAgreesWithExplain).
func (cfg *config) route(key string) string {
	valid := utf8.ValidString(key)
	for i := range cfg.matchers {
		m := &cfg.matchers[i]
		if !m.mounted {
			continue
		}
		var ok bool
		switch {
		case !valid || !m.valid:
			ok = matchPattern(m.pattern, key)
		case !strings.HasPrefix(key, m.head):
		case m.folder != "":
			ok = len(key) == len(m.folder) || key[len(m.folder)] == '/'
		default:
			ok = matchPattern(m.pattern, key)
		}
		if ok {
			return m.backend
		}
	}
	return DefaultBackend
}

// matchHead returns what every key pattern matches starts with: the
// pattern's literal text before its first special character, less any
// slashes it ends with, since "a/**" matches "a" itself.
func matchHead(pattern string) string {
	for i := 0; i < len(pattern); i++ {
		if strings.IndexByte(metaChars, pattern[i]) >= 0 {
			return strings.TrimRight(pattern[:i], "/")
		}
	}
	return pattern
}

// RuleKind says what sort of rule a Step describes.
type RuleKind string

// The kinds of routing rules, in the order they are consulted.
const (
	RuleFunc    RuleKind = "func"
	RulePattern RuleKind = "pattern"
	RuleDefault RuleKind = "default"
)

// StepResult is what became of one rule for a key, in a word; Step's
// Reason says why, and never disagrees with it.
type StepResult string

// The results a rule can have for a key.
const (
	ResultWins         StepResult = "matched (wins)" // the rule decided
	ResultNoMatch      StepResult = "not matched"    // consulted, and it does not match
	ResultSkipped      StepResult = "skipped"        // it matches, but its backend is not mounted
	ResultShadowed     StepResult = "shadowed"       // it would match, but an earlier rule decided
	ResultNotConsulted StepResult = "not consulted"  // an earlier rule decided, and it would not match
)

// Step is one rule's verdict on a key.
type Step struct {
	Kind    RuleKind   `json:"kind"`
	Rule    string     `json:"rule"` // the pattern, the function's name, or "default"
	Backend string     `json:"backend"`
	Matched bool       `json:"matched"`
	Result  StepResult `json:"result"`
	Reason  string     `json:"reason"`
}

// Explanation says which backend a key goes to and why.
type Explanation struct {
	Bucket  string `json:"bucket"`
	Key     string `json:"key"`
	Backend string `json:"backend"`
	// Winner indexes the Step that decided.
	Winner int    `json:"winner"`
	Steps  []Step `json:"steps"`
}

// explain walks the rules of cfg in order. With full set it records every
// rule, including those after the winner (marked "not consulted"), which is
// what a person learning the rules wants to see; without, it stops at the
// winner and allocates nothing, which is what routing an operation needs.
func (cfg *config) explain(bucket, key string, full bool) (backend string, ex *Explanation) {
	if !full && len(cfg.funcs) == 0 && len(cfg.matchers) == len(cfg.routes) {
		return cfg.route(key), nil
	}
	if full {
		ex = &Explanation{Bucket: bucket, Key: key, Winner: -1}
	}
	decided := func(b string) bool {
		if backend != "" {
			return false
		}
		backend = b
		if ex != nil {
			ex.Backend = b
			ex.Winner = len(ex.Steps) - 1
		}
		return !full
	}
	for i, f := range cfg.funcs {
		name := f.Name
		if name == "" {
			name = "func#" + strconv.Itoa(i+1)
		}
		if backend != "" {
			// A function is opaque and may have side effects: it is not
			// called once a rule has decided.
			ex.Steps = append(ex.Steps, Step{Kind: RuleFunc, Rule: name, Result: ResultNotConsulted, Reason: ex.decidedBy()})
			continue
		}
		got := f.Func(bucket, key)
		_, mounted := cfg.drivers[got]
		if ex != nil {
			st := Step{Kind: RuleFunc, Rule: name, Backend: got, Result: ResultNoMatch}
			switch {
			case got == "":
				st.Reason = "returned no backend"
			case !mounted:
				st.Result = ResultSkipped
				st.Reason = fmt.Sprintf("returned backend %q, which is not mounted, so the rule is skipped", got)
			default:
				st.Matched, st.Result = true, ResultWins
				st.Reason = fmt.Sprintf("returned backend %q", got)
			}
			ex.Steps = append(ex.Steps, st)
		}
		if got != "" && mounted && decided(got) {
			return backend, nil
		}
	}
	for _, r := range cfg.routes {
		ok := matchPattern(r.Pattern, key)
		_, mounted := cfg.drivers[r.Backend]
		if backend != "" {
			// Consulted or not, a person learning the rules wants to know
			// whether this rule would have matched had it been reached.
			st := Step{Kind: RulePattern, Rule: r.Pattern, Backend: r.Backend, Result: ResultNotConsulted, Reason: ex.decidedBy()}
			if ok && mounted {
				st.Result, st.Reason = ResultShadowed, "would match, shadowed by "+ex.winnerName()
			}
			ex.Steps = append(ex.Steps, st)
			continue
		}
		if ex != nil {
			st := Step{Kind: RulePattern, Rule: r.Pattern, Backend: r.Backend, Matched: ok && mounted, Result: ResultNoMatch}
			switch {
			case ok && !mounted:
				st.Result = ResultSkipped
				st.Reason = fmt.Sprintf("matches, but backend %q is not mounted, so the rule is skipped", r.Backend)
			case ok:
				st.Result, st.Reason = ResultWins, "matches"
			default:
				st.Reason = whyNoMatch(r.Pattern, key)
			}
			ex.Steps = append(ex.Steps, st)
		}
		if ok && mounted && decided(r.Backend) {
			return backend, nil
		}
	}
	if ex != nil {
		st := Step{Kind: RuleDefault, Rule: DefaultBackend, Backend: DefaultBackend}
		if backend == "" {
			st.Matched, st.Result = true, ResultWins
			st.Reason = "no earlier rule matched"
		} else {
			st.Result, st.Reason = ResultShadowed, "would match (it takes every key), shadowed by "+ex.winnerName()
		}
		ex.Steps = append(ex.Steps, st)
	}
	if backend == "" {
		decided(DefaultBackend)
	}
	return backend, ex
}

// winnerName names the rule that decided, as "rule N (PATTERN)", N
// counted from 1 over every rule the explanation lists.
func (ex *Explanation) winnerName() string {
	st := ex.Steps[ex.Winner]
	return fmt.Sprintf("rule %d (%s)", ex.Winner+1, st.Rule)
}

// decidedBy is the reason of a rule not consulted because another decided.
func (ex *Explanation) decidedBy() string {
	return "not consulted: " + ex.winnerName() + " decided"
}

// whyNoMatch gives a person-sized reason for a pattern not matching a key.
// It tries the explanations people most often need, in order: a literal
// start or end that differs, and '*' refusing to cross '/'.
func whyNoMatch(pattern, key string) string {
	if lit := literalPrefix(pattern); lit != "" && !strings.HasPrefix(key, lit) {
		return fmt.Sprintf("key does not start with %q", lit)
	}
	if strings.Contains(key, "/") && !strings.Contains(pattern, "**") {
		// Had '/' been an ordinary character, would the pattern match? If so,
		// the only obstacle is '*' (or '?') stopping at '/'.
		flat := strings.ReplaceAll(key, "/", "\x00")
		flatPattern := strings.ReplaceAll(pattern, "/", "\x00")
		if matchPattern(flatPattern, flat) {
			return "`*` does not match `/` (use `**` to match across `/`)"
		}
	}
	if lit := literalSuffix(pattern); lit != "" && !strings.HasSuffix(key, lit) {
		return fmt.Sprintf("key does not end with %q", lit)
	}
	if strings.Count(pattern, "/") != strings.Count(key, "/") && !strings.Contains(pattern, "**") {
		return fmt.Sprintf("pattern has %d `/` separators, key has %d", strings.Count(pattern, "/"), strings.Count(key, "/"))
	}
	return "key does not match the pattern"
}

const metaChars = `*?[{\`

func literalPrefix(p string) string {
	if i := strings.IndexAny(p, metaChars); i >= 0 {
		return p[:i]
	}
	return p
}

func literalSuffix(p string) string {
	if i := strings.LastIndexAny(p, metaChars+"]}"); i >= 0 {
		return p[i+1:]
	}
	return p
}

// Match reports whether a route pattern matches key, as the router
// applies it; an invalid pattern matches nothing.
func Match(pattern, key string) bool { return matchPattern(pattern, key) }
