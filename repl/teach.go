package repl

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/trove"
)

// This file holds what routing commands tell a person learning the rules:
// where an object is (not only where it should go), and the slips people
// make writing patterns.

// ObjectWhere is where the objects of one bucket and key are stored.
type ObjectWhere struct {
	// Holders are the backends holding the key, in mount order.
	Holders []string `json:"holders"`
	// Target is where the rules send the key.
	Target string `json:"target"`
	// Stranded says no holder is the target: get misses the object.
	Stranded bool `json:"stranded,omitempty"`
}

// locate finds which backends hold bucket/key. A bucket that does not
// exist is driver.ErrBucketNotFound.
func locate(ctx context.Context, st *trove.Store, bucket, key string) (*ObjectWhere, error) {
	w := &ObjectWhere{Holders: []string{}, Target: st.Resolve(bucket, key)}
	bucketSeen := false
	for _, b := range st.Backends() {
		drv, ok := st.Backend(b.Name)
		if !ok {
			continue
		}
		_, err := drv.Head(ctx, bucket, key)
		switch {
		case err == nil:
			bucketSeen = true
			w.Holders = append(w.Holders, b.Name)
		case errors.Is(err, driver.ErrObjectNotFound):
			bucketSeen = true
		case errors.Is(err, driver.ErrBucketNotFound):
		default:
			return nil, err
		}
	}
	if !bucketSeen {
		return nil, driver.ErrBucketNotFound
	}
	if len(w.Holders) > 0 {
		w.Stranded = true
		for _, h := range w.Holders {
			if h == w.Target {
				w.Stranded = false
			}
		}
	}
	return w, nil
}

// text is the line route explain and a failing get print about where an
// object is.
func (w *ObjectWhere) text() string {
	switch {
	case len(w.Holders) == 0:
		return "no object is stored under this key"
	case w.Stranded:
		return fmt.Sprintf("object is on %s (stranded: rules send it to %s; `rebalance` moves it)",
			strings.Join(quoteAll(w.Holders), ", "), Quote(w.Target))
	case len(w.Holders) > 1:
		var others []string
		for _, h := range w.Holders {
			if h != w.Target {
				others = append(others, Quote(h))
			}
		}
		return fmt.Sprintf("object is on %s; a leftover copy is on %s (`rebalance` removes it)", Quote(w.Target), strings.Join(others, ", "))
	}
	return "object is on " + Quote(w.Target)
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = Quote(n)
	}
	return out
}

// notes are the lines under route explain's table.
func (v *Explanation) notes() []string {
	var lines []string
	if v.Object != nil {
		lines = append(lines, v.Object.text())
	}
	for _, h := range v.Hints {
		lines = append(lines, "hint: "+h)
	}
	return lines
}

// strandedHint adds, to a get that found nothing, where the object is when
// another backend holds it.
func strandedHint(ctx context.Context, st *trove.Store, bucket, key string, err error) error {
	if !errors.Is(err, driver.ErrObjectNotFound) {
		return err
	}
	w, lerr := locate(ctx, st, bucket, key)
	if lerr != nil || !w.Stranded {
		return err
	}
	return &hintError{err, w.text()}
}

// patternSlips returns, for a pattern, the slips it looks like and what
// was probably meant: a bucket name at its start (patterns see keys only),
// a leading '/', or a trailing '/' without '**'.
func patternSlips(pattern string, buckets []string) []string {
	var out []string
	for _, b := range buckets {
		if rest, ok := strings.CutPrefix(pattern, b+"/"); ok && rest != "" {
			out = append(out, fmt.Sprintf("%s starts with the bucket name %s, but patterns match keys only: did you mean %s?",
				Quote(pattern), Quote(b), Quote(rest)))
			return out
		}
	}
	if rest, ok := strings.CutPrefix(pattern, "/"); ok && rest != "" {
		out = append(out, fmt.Sprintf("%s starts with '/', but keys do not: did you mean %s?", Quote(pattern), Quote(rest)))
	}
	if strings.HasSuffix(pattern, "/") && !strings.Contains(pattern, "**") {
		out = append(out, fmt.Sprintf("%s matches only keys that end in '/': did you mean %s?", Quote(pattern), Quote(pattern+"**")))
	}
	return out
}

// keyHints are route explain's "did you mean" notes: for each pattern rule
// that did not match, a slip it looks like, or a match it misses only by
// case.
func keyHints(st *trove.Store, ex *trove.Explanation) []string {
	var buckets []string
	if ex.Bucket != "" {
		buckets = []string{ex.Bucket}
	}
	var out []string
	for i, step := range ex.Steps {
		if step.Kind != trove.RulePattern || step.Result != trove.ResultNoMatch {
			continue
		}
		for _, s := range patternSlips(step.Rule, buckets) {
			out = append(out, fmt.Sprintf("rule %d: %s", i+1, s))
		}
		if lower := strings.ToLower(step.Rule); lower != step.Rule && patternMatches(lower, strings.ToLower(ex.Key)) {
			out = append(out, fmt.Sprintf("rule %d: %s would match %s but for case (patterns are case-sensitive): did you mean %s?",
				i+1, Quote(step.Rule), Quote(ex.Key), Quote(caseLike(step.Rule, ex.Key))))
		} else if lower == step.Rule && patternMatches(lower, strings.ToLower(ex.Key)) && ex.Key != strings.ToLower(ex.Key) {
			out = append(out, fmt.Sprintf("rule %d: %s would match %s but for case (patterns are case-sensitive)",
				i+1, Quote(step.Rule), Quote(ex.Key)))
		}
	}
	return out
}

// patternMatches applies a route pattern to a key the way the store does.
func patternMatches(pattern, key string) bool {
	return trove.Match(pattern, key)
}

// caseLike is pattern in the case of key, when key is all one case.
func caseLike(pattern, key string) string {
	if key == strings.ToUpper(key) {
		return strings.ToUpper(pattern)
	}
	return strings.ToLower(pattern)
}

// addedRouteWarnings are what route add says about the rule it just added:
// an earlier rule that covers it (so it never matches), and slips.
func addedRouteWarnings(ctx context.Context, st *trove.Store, pattern string, funcs int) []string {
	var out []string
	for _, r := range st.RouteReport() {
		if r.Pattern == pattern && r.Shadowed() {
			out = append(out, fmt.Sprintf("rule %d (%s) can never match: rule %d (%s) matches every key it could (route move %d %d puts it before that rule)",
				funcs+r.Index+1, Quote(pattern), funcs+r.ShadowedByIndex+1, Quote(r.ShadowedBy), funcs+r.Index+1, funcs+r.ShadowedByIndex+1))
		}
	}
	if i, ok := coversEveryKey(st); ok && st.Routes()[i].Pattern == pattern {
		out = append(out, fmt.Sprintf("rule %d (%s) matches every key: the default rule after it never gets one",
			funcs+i+1, Quote(pattern)))
	}
	var names []string
	if buckets, err := st.ListBuckets(ctx); err == nil {
		for _, b := range buckets {
			names = append(names, b.Name)
		}
	}
	out = append(out, patternSlips(pattern, names)...)
	return out
}

// Warned is a result with warnings printed after it: a layout change that
// looks like a slip, or a put that strands its object.
type Warned struct {
	Result   Result   `json:"result,omitempty"`
	Warnings []string `json:"warnings"`
}

// withWarnings returns res with warnings after it, or res itself when
// there are none.
func withWarnings(res Result, warnings []string) Result {
	if len(warnings) == 0 {
		return res
	}
	return &Warned{Result: res, Warnings: warnings}
}

func (v *Warned) layout(human bool) layout {
	var l layout
	if v.Result != nil {
		l = v.Result.layout(human)
	}
	lines := make([]string, len(v.Warnings))
	for i, w := range v.Warnings {
		lines[i] = "warning: " + w
	}
	switch {
	case l.grid != nil:
		l.grid.After = append(l.grid.After, lines...)
	default:
		l.text += strings.Join(lines, "\n") + "\n"
	}
	return l
}

// coversEveryKey returns the index of the first mounted pattern route that
// matches every key, which leaves the default rule nothing.
func coversEveryKey(st *trove.Store) (int, bool) {
	for _, r := range st.RouteReport() {
		if !r.Dangling && trove.PatternCovers(r.Pattern, "**") {
			return r.Index, true
		}
	}
	return 0, false
}
