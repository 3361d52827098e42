package repl

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trovemem/trovemem/config"
	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/internal/atomicfile"
	"github.com/trovemem/trovemem/trove"
)

// A dump is a .trove script that rebuilds a store: replaying it gives the
// same backends, routes and buckets, and every object with the same bytes,
// content type and metadata on the same backend.
//
// A dump is written to replay cleanly into a store that already has its
// layout, as well as into a fresh one: a trovemem.yaml that is loaded
// again, a file:// backend whose directory still holds the data, a program
// that embeds the store with its own backends. So mount, mkbucket and route
// add carry --exist-ok, which accepts what is already there when it is the
// same (the same DSN, the same route target) and fails clearly when it is
// not; file:// DSNs are written absolute, so a dump means the same
// directory from any working directory. When the store has more than one
// backend, each put carries --backend, which places the object on the
// backend that held it whatever the routes say, so an object a layout
// change left stranded comes back exactly where it was.
//
// A route to a backend that is not mounted (dangling) is written as a
// comment: route add refuses it, and the router skips it anyway, so the
// rebuilt store routes every key the same way. A session with several
// stores (a config's stores) is dumped store by store, each section
// starting with "use STORE"; loading it needs those stores to exist (the
// same config), and fails at the use line, naming the store, if one does
// not.

// DumpStore writes st as a script that rebuilds it.
func DumpStore(ctx context.Context, st *trove.Store, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	total, err := countObjects(ctx, st)
	if err != nil {
		return err
	}
	prog := StartProgress(ctx, "dump", total)
	defer prog.Done()
	d := &dumper{w: bw, prog: prog}
	if err := d.dump(ctx, st, total, true); err != nil {
		return err
	}
	return bw.Flush()
}

// DumpSession writes every store of the session as one script. With one
// store it is DumpStore's script; with several, each store's part starts
// with "use STORE", and the last line makes the current store current
// again.
func DumpSession(ctx context.Context, s *Session, w io.Writer) error {
	names := s.StoreNames()
	if len(names) == 1 {
		return DumpStore(ctx, s.Store(), w)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	counts := make([]int, len(names))
	total := 0
	for i, name := range names {
		st, _ := s.StoreNamed(name)
		n, err := countObjects(ctx, st)
		if err != nil {
			return err
		}
		counts[i] = n
		total += n
	}
	prog := StartProgress(ctx, "dump", total)
	defer prog.Done()
	d := &dumper{w: bw, prog: prog}
	d.comment("trovemem dump of %d stores (%s): replay with `trovemem --load FILE` or `trovemem run FILE`.",
		len(names), strings.Join(names, ", "))
	d.comment("Each store's part starts with use STORE, so load it where those stores exist (the config")
	d.comment("that declares them); use fails, naming the store, where one does not.")
	for i, name := range names {
		st, _ := s.StoreNamed(name)
		d.w.WriteString("\n")
		d.comment("Store %s.", name)
		d.emit("use", name)
		if err := d.dump(ctx, st, counts[i], false); err != nil {
			return err
		}
	}
	d.w.WriteString("\n")
	d.comment("The store that was current.")
	d.emit("use", s.StoreName())
	return bw.Flush()
}

// countObjects counts the objects of every backend of st, for progress
// and the dump's header.
func countObjects(ctx context.Context, st *trove.Store) (int, error) {
	usage, err := st.Usage(ctx)
	if err != nil {
		return 0, fmt.Errorf("dump: %w", err)
	}
	total := 0
	for _, u := range usage {
		total += u.Objects
	}
	return total, nil
}

type dumper struct {
	w    *bufio.Writer
	prog Progress
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

// comment writes a comment line. Its text comes from names in the store
// (backends, patterns, stores), so it is kept on one line.
func (d *dumper) comment(format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	text = strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(text)
	d.w.WriteString("# " + text + "\n")
}

// dump writes st's layout and objects; header adds the lines that open a
// dump of one store.
func (d *dumper) dump(ctx context.Context, st *trove.Store, total int, header bool) error {
	backends := st.Backends()
	buckets, err := st.ListBuckets(ctx)
	if err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	if header {
		d.comment("trovemem dump: replay with `trovemem --load FILE` or `trovemem run FILE`.")
	}
	d.comment("%s, %s, %s.", count(len(backends), "backend"), count(len(buckets), "bucket"), count(total, "object"))
	if header {
		d.comment("It replays into a store that already has this layout too: --exist-ok accepts a backend,")
		d.comment("bucket or route that is already there and the same.")
	}
	if len(backends) > 1 {
		d.w.WriteString("\n")
		d.comment("Backends (the default backend is always there).")
		for _, b := range backends[1:] {
			d.emit("mount", b.Name, dumpDSN(b), "--exist-ok")
		}
	}
	if len(buckets) > 0 {
		d.w.WriteString("\n")
		d.comment("Buckets.")
		for _, b := range buckets {
			d.emit("mkbucket", b.Name, "--exist-ok")
		}
	}
	if routes := st.Routes(); len(routes) > 0 {
		d.w.WriteString("\n")
		d.comment("Routes, in the order they apply.")
		for _, r := range routes {
			if _, ok := st.Backend(r.Backend); !ok {
				d.comment("Dangling: backend %s is not mounted, so this route is skipped, and route add would refuse it:", r.Backend)
				d.comment("route add %s %s", dumpQuote(r.Pattern), dumpQuote(r.Backend))
				continue
			}
			d.emit("route", "add", r.Pattern, r.Backend, "--exist-ok")
		}
	}
	for _, f := range st.RouteFuncs() {
		name := f.Name
		if name == "" {
			name = "(unnamed)"
		}
		d.comment("Route function %s is Go code and cannot be dumped.", name)
	}
	// With one backend every put lands on it; with more, --backend pins
	// each object to the one that holds it.
	pin := len(backends) > 1
	for _, b := range backends {
		first := true
		for _, bucket := range buckets {
			err := d.objects(ctx, st, b, bucket.Name, pin, func() {
				if first {
					first = false
					d.w.WriteString("\n")
					d.comment("Objects on backend %s.", b.Name)
				}
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// dumpDSN is the DSN a dump mounts a backend with: the one it was mounted
// with, except that a file:// backend is named by its absolute directory,
// so the dump means the same directory whatever the working directory of
// the process that loads it.
func dumpDSN(b trove.BackendInfo) string {
	if dd, ok := driver.Unwrap(b.Driver).(interface{ Dir() string }); ok && dd.Dir() != "" && strings.HasPrefix(b.DSN, "file:") {
		return "file://" + filepath.ToSlash(dd.Dir())
	}
	if abs, err := config.ResolveDSN(b.DSN, ""); err == nil {
		return abs
	}
	return b.DSN
}

// sameMount reports whether backend name is mounted from dsn, for mount
// --exist-ok: false when name is not mounted at all, true when it is
// mounted from the same DSN (file:// DSNs compared as absolute
// directories), and an error wrapping trove.ErrBackendExists that names
// both DSNs when it is mounted from another.
func sameMount(st *trove.Store, name, dsn string) (bool, error) {
	for _, b := range st.Backends() {
		if b.Name != name {
			continue
		}
		have := dumpDSN(b)
		want, err := config.ResolveDSN(dsn, "")
		if err != nil {
			want = dsn
		}
		if have == want || b.DSN == dsn {
			return true, nil
		}
		// Errors reach terminals and CI logs, which must not collect
		// passwords.
		return false, fmt.Errorf("mount %s: %w from %s, not %s (--exist-ok accepts only the same DSN)",
			name, trove.ErrBackendExists, Quote(driver.RedactDSN(have)), Quote(driver.RedactDSN(dsn)))
	}
	return false, nil
}

// sameRoute reports whether pattern is already routed to backend, for
// route add --exist-ok: false when the pattern has no route, true when it
// goes to backend (wherever it sits in the order), and an error wrapping
// trove.ErrRouteExists that names the other backend when it goes there.
func sameRoute(st *trove.Store, pattern, backend string) (bool, error) {
	for _, r := range st.Routes() {
		if r.Pattern != pattern {
			continue
		}
		if r.Backend == backend {
			return true, nil
		}
		return false, fmt.Errorf("route add %s: %w to %s, not %s (--exist-ok accepts only the same backend)",
			Quote(pattern), trove.ErrRouteExists, Quote(r.Backend), Quote(backend))
	}
	return false, nil
}

// doneUnlessErr is what an --exist-ok command returns when what it was
// asked to create is already there: done, or the error saying how what is
// there differs.
func doneUnlessErr(done *Done, err error) (Result, error) {
	if err != nil {
		return nil, err
	}
	return done, nil
}

// objects writes a put for every object of bucket that backend b serves,
// calling header before the first; pin adds --backend to each.
func (d *dumper) objects(ctx context.Context, st *trove.Store, b trove.BackendInfo, bucket string, pin bool, header func()) error {
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
			if err := d.object(ctx, b, bucket, info.Key, pin); err != nil {
				return err
			}
			d.prog.Add(1)
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

func (d *dumper) object(ctx context.Context, b trove.BackendInfo, bucket, key string, pin bool) error {
	rd, err := b.Driver.Get(ctx, bucket, key)
	if err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	data, err := io.ReadAll(rd)
	rd.Close()
	if err != nil {
		return fmt.Errorf("dump: %w", driver.E("get", bucket, key, err))
	}
	if err := CheckStamp(rd.Info.LastModified); err != nil {
		// A program can stamp any time; a dump that could not be loaded
		// back must not be written.
		return fmt.Errorf("dump: %w", driver.E("get", bucket, key, err))
	}
	words := []string{"put", bucket, key}
	var flags []string
	if isText(data) {
		words = append(words, string(data))
	} else {
		flags = append(flags, "--base64", base64.StdEncoding.EncodeToString(data))
	}
	flags = append(flags, "--content-type", rd.Info.ContentType,
		"--modified", rd.Info.LastModified.UTC().Format(time.RFC3339Nano))
	keys := make([]string, 0, len(rd.Info.Metadata))
	for k := range rd.Info.Metadata {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		flags = append(flags, "--meta", k+"="+rd.Info.Metadata[k])
	}
	if pin {
		flags = append(flags, "--backend", b.Name)
	}
	d.w.WriteString(DumpLine(words, flags) + "\n")
	return nil
}

// DumpLine is the line a dump writes for a put of positional words and
// flags: each word quoted by dumpQuote, in putWords' order.
func DumpLine(positional, flags []string) string {
	words := putWords(positional, flags)
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = dumpQuote(w)
	}
	return strings.Join(quoted, " ")
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

var cmdDump = &Command{
	Name:    "dump",
	Args:    "[FILE]",
	Summary: "write the whole store as a script that rebuilds it",
	Detail: "The script mounts the backends, creates the buckets, adds the routes and puts every object with its " +
		"content type and metadata on the backend that holds it (content that is not text as --base64). Replay " +
		"it (trovemem --load FILE, or source FILE in a script) to get the same store back, into a fresh trovemem " +
		"or one that already has the layout: mount, mkbucket and route add carry --exist-ok. With several stores " +
		"every store is dumped, each part starting with use STORE. FILE is written through a temporary file and " +
		"a rename, so it is never left half written; without FILE the script is printed.",
	Example: "dump backup.trove\ndump",
	MinArgs: 0,
	MaxArgs: 1,
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		if len(inv.Args) == 0 {
			var b strings.Builder
			if err := DumpSession(ctx, s, &b); err != nil {
				return nil, err
			}
			return &Message{Text: strings.TrimSuffix(b.String(), "\n")}, nil
		}
		path := inv.Args[0]
		if path == "" {
			return nil, usageErrorf(nil, "dump: FILE is empty; name a file, or give none to print the dump")
		}
		if err := atomicfile.Write(path, func(w io.Writer) error { return DumpSession(ctx, s, w) }); err != nil {
			return nil, fmt.Errorf("dump %s: %w", path, err)
		}
		return &Message{Text: "dumped to " + path}, nil
	},
}
