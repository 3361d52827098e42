package repl

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"

	"github.com/trovemem/trovemem/trove"
)

// Renderer draws command results in one output mode.
type Renderer interface {
	Render(w io.Writer, v any) error
}

// RendererFor returns the renderer of an output mode (table for unknown
// modes, which ParseFormat never returns).
func RendererFor(f Format) Renderer {
	switch f {
	case FormatJSON:
		return JSONRenderer{}
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

// rows lays out a result. human chooses human-readable sizes (for tables)
// over exact byte counts (for plain). Every cell that shows a key, prefix
// or other user-chosen name is passed through Quote, so blanks, quotes and
// control characters can never make two entries look alike. ok is false for
// values that are not tabular.
func rows(v any, human bool) (g *grid, ok bool) {
	size := func(n int64) string {
		if human {
			return HumanSize(n)
		}
		return strconv.FormatInt(n, 10)
	}
	switch v := v.(type) {
	case *BucketList:
		g = &grid{Header: []string{"bucket", "created"}}
		for _, b := range v.Buckets {
			g.Rows = append(g.Rows, []string{Quote(b.Name), stamp(b.CreatedAt)})
		}
	case *ObjectPage:
		g = &grid{Header: []string{"key", "size", "last modified", "backend"}}
		objs, prefixes := v.Objects, v.Prefixes
		// Objects and prefixes are each sorted; merge them into listing order.
		for len(objs) > 0 || len(prefixes) > 0 {
			if len(prefixes) == 0 || (len(objs) > 0 && objs[0].Key < prefixes[0]) {
				o := objs[0]
				objs = objs[1:]
				g.Rows = append(g.Rows, []string{Quote(o.Key), size(o.Size), stamp(o.LastModified), backendCell(v, o)})
				continue
			}
			g.Rows = append(g.Rows, []string{Quote(prefixes[0]), "-", "-", "-"})
			prefixes = prefixes[1:]
		}
		if v.NextCursor != "" {
			g.After = []string{"next cursor: " + v.NextCursor}
		}
	case *PutResult:
		g = &grid{
			Header: []string{"key", "size", "etag", "backend"},
			Rows:   [][]string{{Quote(v.Key), size(v.Size), v.ETag, Quote(v.Backend)}},
		}
	case *ObjectDetail:
		g = &grid{Header: []string{"field", "value"}}
		add := func(k, val string) { g.Rows = append(g.Rows, []string{k, val}) }
		add("bucket", v.Bucket)
		add("key", Quote(v.Key))
		add("size", size(v.Size))
		add("content type", Quote(v.ContentType))
		add("etag", v.ETag)
		add("last modified", stamp(v.LastModified))
		keys := make([]string, 0, len(v.Metadata))
		for k := range v.Metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			add(Quote("meta."+k), Quote(v.Metadata[k]))
		}
		add("backend", Quote(v.Backend))
	case *BackendTable:
		g = &grid{Header: []string{"backend", "dsn", "objects", "bytes"}}
		for _, b := range v.Backends {
			g.Rows = append(g.Rows, []string{Quote(b.Name), Quote(b.DSN), strconv.Itoa(b.Objects), size(b.Bytes)})
		}
	case *RouteTable:
		g = &grid{Header: []string{"#", "rule", "kind", "backend"}}
		n := 0
		for _, f := range v.Funcs {
			n++
			g.Rows = append(g.Rows, []string{strconv.Itoa(n), Quote(f), "func", "(decided by the function)"})
		}
		for _, r := range v.Routes {
			n++
			g.Rows = append(g.Rows, []string{strconv.Itoa(n), Quote(r.Pattern), "pattern", Quote(r.Backend)})
		}
		n++
		g.Rows = append(g.Rows, []string{strconv.Itoa(n), trove.DefaultBackend, "default", trove.DefaultBackend})
		g.After = routeNotes(v)
	case *trove.Explanation:
		g = &grid{
			Before: []string{fmt.Sprintf("%s/%s -> %s", v.Bucket, Quote(v.Key), Quote(v.Backend))},
			Header: []string{"#", "rule", "backend", "result", "why"},
		}
		for i, st := range v.Steps {
			res := "not matched"
			switch {
			case i == v.Winner:
				res = "matched (wins)"
			case st.Matched:
				res = "matched"
			}
			g.Rows = append(g.Rows, []string{strconv.Itoa(i + 1), Quote(st.Rule), Quote(st.Backend), res, st.Reason})
		}
	default:
		return layoutRows(v, human)
	}
	return g, true
}

// text returns the plain-text form of results that are prose rather than
// tables; ok is false for the others.
func text(v any) (string, bool) {
	switch v := v.(type) {
	case *Message:
		return v.Text + "\n", true
	case *HelpText:
		return v.text(), true
	case *Saved:
		return fmt.Sprintf("wrote %d bytes of %s/%s to %s\n", v.Bytes, v.Bucket, Quote(v.Key), v.Path), true
	case *Done:
		return "", true
	}
	return layoutText(v)
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
// way: get's content as stored, and prose. It reports whether v was one.
func writeDirect(w io.Writer, v any) (bool, error) {
	if c, ok := v.(*Content); ok {
		_, err := w.Write(c.Data)
		return true, err
	}
	if t, ok := text(v); ok {
		_, err := io.WriteString(w, t)
		return true, err
	}
	return false, nil
}

// TableRenderer draws results as tablewriter tables with human-readable
// sizes; prose results are written as text and get's content as is.
type TableRenderer struct{}

// Render implements Renderer.
func (TableRenderer) Render(w io.Writer, v any) error {
	if ok, err := writeDirect(w, v); ok {
		return err
	}
	g, ok := rows(v, true)
	if !ok {
		return fmt.Errorf("render: no table form for %T", v)
	}
	if err := writeLines(w, g.Before); err != nil {
		return err
	}
	tbl := tablewriter.NewTable(w)
	tbl.Header(g.Header)
	if err := tbl.Bulk(g.Rows); err != nil {
		return err
	}
	if err := tbl.Render(); err != nil {
		return err
	}
	return writeLines(w, g.After)
}

// PlainRenderer writes one entry per line, fields separated by tabs, key
// first, sizes in bytes and no header: output for grep, cut and awk.
type PlainRenderer struct{}

// Render implements Renderer.
func (PlainRenderer) Render(w io.Writer, v any) error {
	if ok, err := writeDirect(w, v); ok {
		return err
	}
	g, ok := rows(v, false)
	if !ok {
		return fmt.Errorf("render: no plain form for %T", v)
	}
	lines := append([]string(nil), g.Before...)
	for _, r := range g.Rows {
		lines = append(lines, strings.Join(r, "\t"))
	}
	lines = append(lines, g.After...)
	return writeLines(w, lines)
}

// JSONRenderer writes each result as one indented JSON document.
type JSONRenderer struct{}

// Render implements Renderer.
func (JSONRenderer) Render(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeLines(w io.Writer, lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n")+"\n")
	return err
}
