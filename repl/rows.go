package repl

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/trovemem/trovemem/trove"
)

// Result is a command's value, as the renderers draw it. Every result type
// lays itself out in its own method, so a type the table and plain
// renderers could not draw does not compile as a command's result; JSON
// encodes the value itself.
type Result interface {
	// layout lays the result out for table (human is true: sizes such as
	// 1.5 KiB) or plain output (sizes in bytes). Every cell that shows a
	// key, prefix or other user-chosen name is passed through Quote, so
	// blanks, quotes and control characters can never make two entries look
	// alike.
	layout(human bool) layout
}

// layout is a result laid out: a grid for the table and plain renderers,
// or prose (text), or bytes written as they are (get's content).
type layout struct {
	grid *grid
	text string
	raw  []byte
}

// quoter returns how a cell holding a name is written: for tables, in the
// line syntax (Quote), so what is seen can be pasted back and blanks never
// make two names look alike; for plain output, the raw name with only
// backslash, tab and newline escaped (EscapeField), so cut -f1 and
// while read give the name itself.
func quoter(human bool) func(string) string {
	if human {
		return tableQuote
	}
	return EscapeField
}

// tableQuote is Quote, except that a name holding combining marks is
// written in double quotes with each mark escaped ("e\u0301cole"), so the
// decomposed (NFD) spelling of école never looks like the composed (NFC)
// one it is not equal to; the result still pastes back as the same name.
func tableQuote(word string) string {
	if !strings.ContainsFunc(word, isMark) {
		return Quote(word)
	}
	q := Quote(word)
	if strings.HasPrefix(q, "'") {
		// Quote chose single quotes (blanks only): redo in double quotes.
		q = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(q[1:len(q)-1]) + `"`
	} else if !strings.HasPrefix(q, `"`) {
		q = `"` + q + `"`
	}
	var b strings.Builder
	for _, r := range q {
		if isMark(r) {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isMark reports whether r is a combining mark (Unicode category Mn).
func isMark(r rune) bool { return unicode.Is(unicode.Mn, r) }

// EscapeField writes a field of plain output: the text as it is, except
// that a backslash is written \\, a tab \t and a newline \n, so fields
// and lines stay apart and printf '%b' undoes the escaping.
func EscapeField(s string) string {
	if !strings.ContainsAny(s, "\\\t\n") {
		return s
	}
	r := strings.NewReplacer("\\", "\\\\", "\t", "\\t", "\n", "\\n")
	return r.Replace(s)
}

// sizeFunc formats sizes for table (human) or plain output.
func sizeFunc(human bool) func(int64) string {
	if human {
		return HumanSize
	}
	return func(n int64) string { return strconv.FormatInt(n, 10) }
}

// Explanation is route explain's result: trove's explanation of where a
// key goes, drawn rule by rule, with where an object of that key is
// stored and hints about rules that look like slips.
type Explanation struct {
	*trove.Explanation
	// Object says where the key is stored now; nil when nobody asked.
	Object *ObjectWhere `json:"object,omitempty"`
	// Hints are "did you mean" notes about rules that did not match.
	Hints []string `json:"hints,omitempty"`
}

func (v *Content) layout(bool) layout {
	if v.Body != nil {
		// Session.Render streams a body; a renderer called on its own
		// reads it.
		data, _ := io.ReadAll(v.Body)
		v.Body.Close()
		v.Body, v.Data = nil, data
	}
	return layout{raw: v.Data}
}

func (v *BucketList) layout(human bool) layout {
	q := quoter(human)
	g := &grid{Header: []string{"bucket", "created"}}
	for _, b := range v.Buckets {
		g.Rows = append(g.Rows, []string{q(b.Name), stamp(b.CreatedAt)})
	}
	return layout{grid: g}
}

func (v *ObjectPage) layout(human bool) layout {
	q := quoter(human)
	size := sizeFunc(human)
	g := &grid{Header: []string{"key", "size", "last modified", "backend"}}
	objs, prefixes := v.Objects, v.Prefixes
	// Objects and prefixes are each sorted; merge them into listing order.
	for len(objs) > 0 || len(prefixes) > 0 {
		if len(prefixes) == 0 || (len(objs) > 0 && objs[0].Key < prefixes[0]) {
			o := objs[0]
			objs = objs[1:]
			g.Rows = append(g.Rows, []string{q(o.Key), size(o.Size), stamp(o.LastModified), backendCell(v, o, q)})
			continue
		}
		g.Rows = append(g.Rows, []string{q(prefixes[0]), "-", "-", "-"})
		prefixes = prefixes[1:]
	}
	if v.NextCursor != "" {
		g.After = []string{"next cursor: " + v.NextCursor}
		if human {
			// A person reading a table (at the end of a pager, say) is told
			// how to go on.
			g.After[0] += " (next, or ls again with --cursor " + v.NextCursor + ", lists the next page)"
		}
	}
	return layout{grid: g}
}

func (v *PutResult) layout(human bool) layout {
	q := quoter(human)
	size := sizeFunc(human)
	// One allocation for the grid and its one row: every put of a
	// replayed script is drawn.
	pg := &struct {
		grid
		header [4]string
		rows   [1][]string
		row    [4]string
	}{
		header: [4]string{"key", "size", "etag", "backend"},
		row:    [4]string{q(v.Key), size(v.Size), v.ETag, q(v.Backend)},
	}
	pg.rows[0] = pg.row[:]
	g := &pg.grid
	g.Header, g.Rows = pg.header[:], pg.rows[:]
	if v.Warning != "" {
		g.After = []string{"warning: " + v.Warning}
	}
	return layout{grid: g}
}

func (v *ObjectDetail) layout(human bool) layout {
	q := quoter(human)
	size := sizeFunc(human)
	g := &grid{Header: []string{"field", "value"}}
	add := func(k, val string) { g.Rows = append(g.Rows, []string{k, val}) }
	add("bucket", v.Bucket)
	add("key", q(v.Key))
	add("size", size(v.Size))
	add("content type", q(v.ContentType))
	add("etag", v.ETag)
	add("last modified", stamp(v.LastModified))
	keys := make([]string, 0, len(v.Metadata))
	for k := range v.Metadata {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		add(q("meta."+k), q(v.Metadata[k]))
	}
	add("backend", q(v.Backend))
	return layout{grid: g}
}

func (v *BackendTable) layout(human bool) layout {
	q := quoter(human)
	size := sizeFunc(human)
	g := &grid{Header: []string{"backend", "dsn", "objects", "bytes"}}
	for _, b := range v.Backends {
		g.Rows = append(g.Rows, []string{q(b.Name), q(b.DSN), strconv.Itoa(b.Objects), size(b.Bytes)})
	}
	return layout{grid: g}
}

func (v *RouteTable) layout(human bool) layout {
	q := quoter(human)
	g := &grid{Header: []string{"#", "rule", "kind", "backend"}}
	n := 0
	for _, f := range v.Funcs {
		n++
		g.Rows = append(g.Rows, []string{strconv.Itoa(n), q(f), "func", "(decided by the function)"})
	}
	for _, r := range v.Routes {
		n++
		g.Rows = append(g.Rows, []string{strconv.Itoa(n), q(r.Pattern), "pattern", q(r.Backend)})
	}
	n++
	g.Rows = append(g.Rows, []string{strconv.Itoa(n), trove.DefaultBackend, "default", trove.DefaultBackend})
	g.After = routeNotes(v)
	return layout{grid: g}
}

func (v *Explanation) layout(human bool) layout {
	q := quoter(human)
	g := &grid{
		Before: []string{fmt.Sprintf("bucket %s, key %s -> %s", q(v.Bucket), q(v.Key), q(v.Backend))},
		Header: []string{"#", "rule", "backend", "result", "why"},
	}
	for i, st := range v.Steps {
		g.Rows = append(g.Rows, []string{strconv.Itoa(i + 1), q(st.Rule), q(st.Backend), string(st.Result), st.Reason})
	}
	g.After = v.notes()
	return layout{grid: g}
}

func (v *StoreList) layout(human bool) layout {
	q := quoter(human)
	g := &grid{Header: []string{"store", "current", "storage driver", "backends", "routes"}}
	for _, r := range v.Stores {
		cur := ""
		if r.Current {
			cur = "*"
		}
		g.Rows = append(g.Rows, []string{q(r.Name), cur, q(r.DSN), strconv.Itoa(r.Backends), strconv.Itoa(r.Routes)})
	}
	return layout{grid: g}
}

func (v *RouteTest) layout(human bool) layout {
	q := quoter(human)
	g := &grid{Header: []string{"key", "backend", "rule"}}
	for _, r := range v.Keys {
		g.Rows = append(g.Rows, []string{q(r.Key), q(r.Backend), q(r.Rule)})
	}
	return layout{grid: g}
}

func (v *Rebalanced) layout(human bool) layout {
	q := quoter(human)
	g := &grid{Header: []string{"key", "from", "to", "action"}}
	moved := 0
	for _, m := range v.Moves {
		action := string(m.Action)
		if v.DryRun {
			action = "would " + action
		}
		if m.Action != trove.MoveConflict {
			moved++
		}
		g.Rows = append(g.Rows, []string{m.Bucket + "/" + q(m.Key), q(m.Holder), q(m.Target), action})
	}
	switch {
	case len(v.Moves) == 0:
		g.After = []string{"nothing is stranded"}
	case v.DryRun:
		g.After = []string{fmt.Sprintf("dry run: %s would move, nothing changed", count(moved, "object"))}
	default:
		g.After = []string{fmt.Sprintf("%s moved", count(moved, "object"))}
	}
	return layout{grid: g}
}

func (v *StatsTable) layout(human bool) layout {
	q := quoter(human)
	size := sizeFunc(human)
	g := &grid{Header: []string{"store", "backend", "buckets", "objects", "bytes", "share"}}
	if human {
		g.Header = append(g.Header, "")
	}
	for _, st := range v.Stores {
		for _, b := range st.Backends {
			row := []string{q(st.Store), q(b.Name), strconv.Itoa(b.Buckets), strconv.Itoa(b.Objects), size(b.Bytes), percent(b.Share, v.Bytes)}
			if human {
				row = append(row, bar(b.Share))
			}
			g.Rows = append(g.Rows, row)
		}
	}
	g.After = []string{"total: " + count(v.Buckets, "bucket") + ", " + count(v.Objects, "object") + ", " + bytesPhrase(v.Bytes, human)}
	return layout{grid: g}
}

func (v *Removed) layout(human bool) layout {
	q := quoter(human)
	g := &grid{Header: []string{"key"}}
	for _, k := range v.Keys {
		g.Rows = append(g.Rows, []string{q(k)})
	}
	if v.DryRun {
		g.After = []string{fmt.Sprintf("dry run: %s would be deleted, nothing changed", count(len(v.Keys), "object"))}
	} else {
		g.After = []string{fmt.Sprintf("%s deleted", count(len(v.Keys), "object"))}
	}
	return layout{grid: g}
}

func (v *Switched) layout(bool) layout   { return layout{text: ""} }
func (v *ConfigText) layout(bool) layout { return layout{text: string(v.YAML)} }
func (v *Changed) layout(bool) layout    { return layout{text: v.text()} }
func (v *Message) layout(bool) layout    { return layout{text: v.Text + "\n"} }
func (v *HelpText) layout(bool) layout   { return layout{text: v.text()} }
func (v *Saved) layout(bool) layout {
	return layout{text: fmt.Sprintf("wrote %d bytes of %s/%s to %s\n", v.Bytes, v.Bucket, Quote(v.Key), v.Path)}
}
func (v *Done) layout(bool) layout { return layout{text: ""} }
