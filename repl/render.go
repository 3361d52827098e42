package repl

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/olekukonko/tablewriter"
)

// Renderer draws command results in one output mode.
type Renderer interface {
	Render(w io.Writer, v Result) error
}

// RendererFor returns the renderer of an output mode (table for unknown
// modes, which ParseFormat never returns).
func RendererFor(f Format) Renderer {
	switch f {
	case FormatJSON:
		return JSONRenderer{}
	case FormatJSONL:
		return JSONLRenderer{}
	case FormatPlain:
		return PlainRenderer{}
	default:
		return TableRenderer{}
	}
}

// grid is a result laid out for the table and plain renderers: lines
// before, a header and rows, and lines after (such as "next cursor: C").
type grid struct {
	Before []string
	Header []string
	Rows   [][]string
	After  []string
}

// count writes n and noun, plural unless n is 1.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func bytesPhrase(n int64, human bool) string {
	if human {
		return HumanSize(n)
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// stamp formats a time for tables and plain output: RFC 3339 in UTC, to
// the second, so outputs do not depend on the machine's time zone.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// HumanSize formats a byte count with binary units: "512 B", "1.5 KiB".
func HumanSize(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	f := float64(n) / 1024
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if f < 10 {
		return strconv.FormatFloat(f, 'f', 1, 64) + " " + units[i]
	}
	return strconv.FormatFloat(f, 'f', 0, 64) + " " + units[i]
}

// isBinary reports whether data would not display as text: invalid UTF-8,
// or control characters other than tab, newline and carriage return (an
// escape sequence in an object must not reprogram the user's terminal).
func isBinary(data []byte) bool {
	s := string(data)
	for i, r := range s {
		switch {
		case r == '\uFFFD' && !strings.HasPrefix(s[i:], "\uFFFD"):
			return true
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return true
		}
	}
	return false
}

// writeDirect writes the results that table and plain output show the same
// way: get's content as stored, and prose. It returns the grid of the
// others.
func writeDirect(w io.Writer, v Result, human bool) (*grid, error) {
	l := v.layout(human)
	switch {
	case l.raw != nil:
		_, err := w.Write(l.raw)
		return nil, err
	case l.grid == nil:
		_, err := io.WriteString(w, l.text)
		return nil, err
	}
	return l.grid, nil
}

// TableRenderer draws results as tablewriter tables with human-readable
// sizes; prose results are written as text and get's content as is.
type TableRenderer struct {
	// Width, when positive, is the terminal's: the widest cells are cut
	// with … until every border line fits, so a 300-character key does
	// not wrap the whole table.
	Width int
}

// Render implements Renderer.
func (t TableRenderer) Render(w io.Writer, v Result) error {
	g, err := writeDirect(w, v, true)
	if g == nil || err != nil {
		return err
	}
	if err := writeLines(w, g.Before); err != nil {
		return err
	}
	rows := g.Rows
	if t.Width > 0 {
		rows = fitWidth(g.Header, g.Rows, t.Width)
	}
	tbl := tablewriter.NewTable(w)
	tbl.Header(g.Header)
	if err := tbl.Bulk(rows); err != nil {
		return err
	}
	if err := tbl.Render(); err != nil {
		return err
	}
	return writeLines(w, g.After)
}

// minColumn is the narrowest a column is cut to.
const minColumn = 6

// fitWidth returns rows with the widest cells cut, ending in …, so that a
// table of them is at most width columns wide: tablewriter draws each
// column as wide as its widest cell plus three columns of border and
// padding, and one more closes the line. Headers are never cut; a table
// whose headers alone are too wide stays too wide.
func fitWidth(header []string, rows [][]string, width int) [][]string {
	n := len(header)
	widths := make([]int, n)
	floor := make([]int, n)
	for i, h := range header {
		floor[i] = max(runewidth.StringWidth(h), minColumn)
		widths[i] = runewidth.StringWidth(h)
	}
	for _, r := range rows {
		for i, c := range r {
			if i < n {
				widths[i] = max(widths[i], runewidth.StringWidth(c))
			}
		}
	}
	total := 1
	for _, wd := range widths {
		total += wd + 3
	}
	if total <= width {
		return rows
	}
	// Take from the widest column first, one cell at a time.
	for total > width {
		widest := -1
		for i, wd := range widths {
			if wd > floor[i] && (widest < 0 || wd > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break
		}
		widths[widest]--
		total--
	}
	out := make([][]string, len(rows))
	for j, r := range rows {
		cut := make([]string, len(r))
		for i, c := range r {
			if i < n && runewidth.StringWidth(c) > widths[i] {
				c = runewidth.Truncate(c, widths[i], "…")
			}
			cut[i] = c
		}
		out[j] = cut
	}
	return out
}

// PlainRenderer writes one entry per line, fields separated by tabs, key
// first, sizes in bytes and no header: output for grep, cut and awk.
// Fields are raw text with only backslash, tab and newline escaped
// (EscapeField).
type PlainRenderer struct {
	// Notes, when set, gets the lines that are hints rather than data
	// (next cursor: C, warnings, totals), so ls | wc -l counts entries;
	// nil writes them after the data, as scripts' assertions see them.
	Notes io.Writer
}

// Render implements Renderer.
func (p PlainRenderer) Render(w io.Writer, v Result) error {
	g, err := writeDirect(w, v, false)
	if g == nil || err != nil {
		return err
	}
	// The lines are put together in a reused buffer and written at once:
	// a replayed script draws a grid per command.
	bp := plainBufs.Get().(*[]byte)
	defer plainBufs.Put(bp)
	b := (*bp)[:0]
	for _, l := range g.Before {
		b = append(append(b, l...), '\n')
	}
	for _, r := range g.Rows {
		for i, cell := range r {
			if i > 0 {
				b = append(b, '\t')
			}
			b = append(b, cell...)
		}
		b = append(b, '\n')
	}
	if p.Notes == nil {
		for _, l := range g.After {
			b = append(append(b, l...), '\n')
		}
	}
	if cap(b) <= 64<<10 {
		*bp = b
	} // a long listing's buffer is let go rather than kept
	if len(b) > 0 {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	if p.Notes != nil {
		return writeLines(p.Notes, g.After)
	}
	return nil
}

// plainBufs holds PlainRenderer's buffers, *[]byte.
var plainBufs = sync.Pool{New: func() any { return new([]byte) }}

// JSONRenderer writes each result as one indented JSON document.
type JSONRenderer struct{}

// Render implements Renderer.
func (JSONRenderer) Render(w io.Writer, v Result) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// JSONLRenderer writes JSON Lines, for jq and other stream readers: a
// listing is one object per entry (an object's details, or
// {"prefix":"P"} for a common prefix, in key order), buckets one per
// bucket, and any other result one document on one line. A listing's next
// cursor is a hint, written to Notes (or after the entries when nil) as
// "next cursor: C".
type JSONLRenderer struct{ Notes io.Writer }

// Render implements Renderer.
func (r JSONLRenderer) Render(w io.Writer, v Result) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	switch v := v.(type) {
	case *ObjectPage:
		objs, prefixes := v.Objects, v.Prefixes
		for len(objs) > 0 || len(prefixes) > 0 {
			var err error
			if len(prefixes) == 0 || (len(objs) > 0 && objs[0].Key < prefixes[0]) {
				err = enc.Encode(objs[0])
				objs = objs[1:]
			} else {
				err = enc.Encode(struct {
					Prefix string `json:"prefix"`
				}{prefixes[0]})
				prefixes = prefixes[1:]
			}
			if err != nil {
				return err
			}
		}
		if v.NextCursor != "" {
			notes := r.Notes
			if notes == nil {
				notes = w
			}
			_, err := io.WriteString(notes, "next cursor: "+v.NextCursor+"\n")
			return err
		}
		return nil
	case *BucketList:
		for _, b := range v.Buckets {
			if err := enc.Encode(b); err != nil {
				return err
			}
		}
		return nil
	}
	return enc.Encode(v)
}

func writeLines(w io.Writer, lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n")+"\n")
	return err
}
