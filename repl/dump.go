package repl

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/trove"
)

// A dump is a .trove script that rebuilds a store: replaying it into a
// fresh trovemem gives the same backends, routes and buckets, and every
// object with the same bytes, content type and metadata on the same backend.
//
// Objects are written before the routes, grouped by the backend that holds
// them: with no routes in place every put lands on the default backend, and
// for each other backend a temporary catch-all route ("**", which matches
// every key) sends its objects there. So an object that sits on a backend
// other than the one its key routes to now (left there by a layout change)
// comes back exactly where it was.

// Progress hears about the advance of a long operation.
type Progress interface {
	// Add reports n more units done.
	Add(n int)
	// Done reports the end of the operation, whether it succeeded or not.
	Done()
}

// ProgressFunc starts reporting an operation of total units (-1 when the
// total is unknown) described by label.
type ProgressFunc func(label string, total int) Progress

type progressKey struct{}

// WithProgress returns a context under which long operations (dump, load,
// replay) report their progress to f. The CLI installs one only when a
// person is watching a terminal; without one nothing is reported.
func WithProgress(ctx context.Context, f ProgressFunc) context.Context {
	return context.WithValue(ctx, progressKey{}, f)
}

// startProgress begins reporting under ctx's ProgressFunc, or returns a
// Progress that ignores everything.
func startProgress(ctx context.Context, label string, total int) Progress {
	if f, ok := ctx.Value(progressKey{}).(ProgressFunc); ok && f != nil {
		return f(label, total)
	}
	return noProgress{}
}

type noProgress struct{}

func (noProgress) Add(int) {}
func (noProgress) Done()   {}

// catchAll is the route pattern that matches every key, used while a dump
// replays the objects of one backend.
const catchAll = "**"

// DumpStore writes st as a script that rebuilds it.
func DumpStore(ctx context.Context, st *trove.Store, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	d := &dumper{w: bw}
	if err := d.dump(ctx, st); err != nil {
		return err
	}
	return bw.Flush()
}

type dumper struct {
	w *bufio.Writer
}

// emit writes one command with each word quoted so that the script parser
// gives it back unchanged.
func (d *dumper) emit(words ...string) {
	for i, w := range words {
		if i > 0 {
			d.w.WriteByte(' ')
		}
		d.w.WriteString(dumpQuote(w))
	}
	d.w.WriteByte('\n')
}

func (d *dumper) comment(format string, args ...any) {
	fmt.Fprintf(d.w, "# "+format+"\n", args...)
}

func (d *dumper) dump(ctx context.Context, st *trove.Store) error {
	backends := st.Backends()
	buckets, err := st.ListBuckets(ctx)
	if err != nil {
		return err
	}
	total := 0
	if usage, err := st.Usage(ctx); err == nil {
		for _, u := range usage {
			total += u.Objects
		}
	}
	prog := startProgress(ctx, "dump", total)
	defer prog.Done()

	d.comment("trovemem dump: replay with `trovemem --load FILE` or `trovemem run FILE`.")
	d.comment("%d backends, %d buckets, %d objects.", len(backends), len(buckets), total)
	if len(backends) > 1 {
		d.w.WriteString("\n")
		d.comment("Backends (the default backend is always there).")
		for _, b := range backends[1:] {
			d.emit("mount", b.Name, b.DSN)
		}
	}
	if len(buckets) > 0 {
		d.w.WriteString("\n")
		d.comment("Buckets.")
		for _, b := range buckets {
			d.emit("mkbucket", b.Name)
		}
	}
	for i, b := range backends {
		first := true
		for _, bucket := range buckets {
			err := d.objects(ctx, st, b, bucket.Name, func() {
				if !first {
					return
				}
				first = false
				d.w.WriteString("\n")
				d.comment("Objects on backend %s.", b.Name)
				if i > 0 {
					d.emit("route", "add", catchAll, b.Name)
				}
			}, prog)
			if err != nil {
				return err
			}
		}
		if !first && i > 0 {
			d.emit("route", "rm", catchAll)
		}
	}
	routes := st.Routes()
	if len(routes) > 0 {
		d.w.WriteString("\n")
		d.comment("Routes, in the order they apply.")
		for _, r := range routes {
			d.emit("route", "add", r.Pattern, r.Backend)
		}
	}
	for _, f := range st.RouteFuncs() {
		d.comment("Route function %s is Go code and cannot be dumped.", f.Name)
	}
	return nil
}

// objects writes a put for every object of bucket that backend b serves,
// calling header before the first.
func (d *dumper) objects(ctx context.Context, st *trove.Store, b trove.BackendInfo, bucket string, header func(), prog Progress) error {
	cursor := ""
	for {
		it, err := b.Driver.List(ctx, bucket, driver.WithCursor(cursor))
		if err != nil {
			if driver.IsNotFound(err) {
				return nil
			}
			return fmt.Errorf("dump: %w", err)
		}
		page, err := it.All(ctx)
		if err != nil {
			return fmt.Errorf("dump: %w", err)
		}
		for _, info := range page {
			if info.IsPrefix || !owns(ctx, st, b.Name, bucket, info.Key) {
				continue
			}
			header()
			if err := d.object(ctx, b.Driver, bucket, info.Key); err != nil {
				return err
			}
			prog.Add(1)
		}
		if cursor = it.NextToken(); cursor == "" {
			return nil
		}
	}
}

// owns reports whether backend is the one that serves bucket/key. A key
// stranded on two backends by a layout change is served from the one it
// routes to, or else from the first that has it; only that copy is dumped,
// since a put replaces a key everywhere.
func owns(ctx context.Context, st *trove.Store, backend, bucket, key string) bool {
	want := st.Resolve(bucket, key)
	if want == backend {
		return true
	}
	holders := 0
	first := ""
	for _, b := range st.Backends() {
		if _, err := b.Driver.Head(ctx, bucket, key); err == nil {
			holders++
			if b.Name == want {
				return false
			}
			if first == "" {
				first = b.Name
			}
		}
	}
	return holders <= 1 || first == backend
}

func (d *dumper) object(ctx context.Context, drv driver.Driver, bucket, key string) error {
	rd, err := drv.Get(ctx, bucket, key)
	if err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	data, err := io.ReadAll(rd)
	rd.Close()
	if err != nil {
		return fmt.Errorf("dump: %w", driver.E("get", bucket, key, err))
	}
	words := []string{"put", bucket, key}
	var flags []string
	if isText(data) {
		words = append(words, string(data))
	} else {
		flags = append(flags, "--base64", base64.StdEncoding.EncodeToString(data))
	}
	flags = append(flags, "--content-type", rd.Info.ContentType)
	keys := make([]string, 0, len(rd.Info.Metadata))
	for k := range rd.Info.Metadata {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		flags = append(flags, "--meta", k+"="+rd.Info.Metadata[k])
	}
	d.emit(putWords(words, flags)...)
	return nil
}

// putWords orders a command's positional words and flags. Flags usually go
// last, which reads best; when a positional word starts with "-" the flags
// go first and "--" ends them, so the word is never taken for a flag.
func putWords(positional, flags []string) []string {
	for _, w := range positional[1:] {
		if strings.HasPrefix(w, "-") {
			out := append([]string{positional[0]}, flags...)
			out = append(out, "--")
			return append(out, positional[1:]...)
		}
	}
	return append(positional, flags...)
}

// isText reports whether data reads well inline in a script: valid UTF-8
// without control characters other than newlines and tabs. Anything else is
// written as base64, which is shorter than escaping it byte by byte.
func isText(data []byte) bool {
	if !utf8.Valid(data) {
		return false
	}
	for _, c := range data {
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// dumpQuote quotes a word for a dump: as Quote does, and with "$" escaped
// inside double quotes, where a script would otherwise expand ${NAME}.
// (Quote puts a word with "$" in single quotes unless it also holds a
// single quote or a control character.)
func dumpQuote(w string) string {
	q := Quote(w)
	if strings.HasPrefix(q, `"`) && strings.Contains(q, "$") {
		q = strings.ReplaceAll(q, "$", `\x24`)
	}
	return q
}

// WriteFileAtomic writes a file through a temporary file in the same
// directory and a rename, so a crash never leaves half a file behind.
func WriteFileAtomic(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

var cmdDump = &Command{
	Name:    "dump",
	Args:    "[FILE]",
	Summary: "write the whole store as a script that rebuilds it",
	Detail: "The script mounts the backends, creates the buckets, puts every object with its content type and " +
		"metadata on the backend that holds it (content that is not text as --base64), and adds the routes. " +
		"Replay it into a fresh trovemem (trovemem --load FILE, or source FILE in a script) to get the same " +
		"store back. FILE is written through a temporary file and a rename, so it is never left half written; " +
		"without FILE the script is printed.",
	Example: "dump backup.trove\ndump",
	MinArgs: 0,
	MaxArgs: 1,
	Run: func(ctx context.Context, s *Session, inv *Invocation) (any, error) {
		if len(inv.Args) == 0 {
			var b strings.Builder
			if err := DumpStore(ctx, s.Store(), &b); err != nil {
				return nil, err
			}
			return &Message{Text: strings.TrimSuffix(b.String(), "\n")}, nil
		}
		path := inv.Args[0]
		if err := WriteFileAtomic(path, func(w io.Writer) error { return DumpStore(ctx, s.Store(), w) }); err != nil {
			return nil, fmt.Errorf("dump %s: %w", path, err)
		}
		return &Message{Text: "dumped to " + path}, nil
	},
}
