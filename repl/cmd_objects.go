package repl

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/spf13/pflag"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/trove"
)

var cmdPut = &Command{
	Name:    "put",
	Args:    "BUCKET KEY [VALUE]",
	Summary: "store an object from a value or a file",
	Detail: "The object's content is VALUE, or the file named by --file, streamed to the store; --file - reads " +
		"standard input (trovemem put B K --file - < big.iso, or a pipe), where the commands do not come from it. " +
		"--file takes regular files only (a FIFO or device may never end: redirect it to --file -), and either " +
		"way the content may hold at most --max-size bytes (default 5GiB, S3's limit for one PUT). The content " +
		"type defaults to one guessed from the key's extension (application/octet-stream when unknown). Prints " +
		"the stored key, size, ETag (the hex MD5 of the content) and the backend the key was routed to.",
	Example:  "put photos cat.txt 'a cat'\nput photos cat.png --file ./cat.png --meta owner=ann",
	MinArgs:  2,
	MaxArgs:  3,
	ArgKinds: []ArgKind{ArgBucket, ArgKey, ArgOther},
	Flags: bindFlags(func(fs *pflag.FlagSet, o *putOptions) {
		fs.StringVar(&o.file, "file", "", "read the content from `PATH` instead of VALUE (- for standard input)")
		fs.StringVar(&o.contentType, "content-type", "", "store `TYPE` as the content type")
		fs.Var((*repeated)(&o.meta), "meta", "add user metadata `k=v` (repeatable)")
		fs.StringVar(&o.base64, "base64", "", "decode the content from base64 `DATA` instead of VALUE (dump writes binary content so)")
		fs.StringVar(&o.backend, "backend", "", "store on backend `NAME` whatever the routes say (dumps use it)")
		fs.StringVar(&o.modified, "modified", "", "stamp the object with `TIME` (RFC 3339) instead of the clock (dumps use it)")
		fs.StringVar(&o.maxSize, "max-size", "", "refuse content over `SIZE` bytes (512MiB, 5G; default 5GiB)")
	}),
	Run: runPut,
}

// putOptions are put's flags.
type putOptions struct {
	file, contentType, base64, backend, modified, maxSize string
	meta                                                  []string
}

func runPut(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
	bucket, key := inv.Args[0], inv.Args[1]
	o := optionsOf[putOptions](inv)
	file, b64 := o.file, o.base64
	// --base64 "" is given and means empty content, as it would for any
	// other encoding of nothing: it is not left unset.
	hasB64 := slices.Contains(inv.Given, "base64")
	var content io.Reader
	switch {
	case hasB64 && (len(inv.Args) == 3 || file != ""):
		return nil, usageErrorf(nil, "put: give VALUE, --file or --base64, not two of them")
	case len(inv.Args) == 3 && file != "":
		return nil, usageErrorf(nil, "put: give VALUE or --file, not both")
	case len(inv.Args) == 3:
		content = valueReader(inv.Args[2], inv.owned)
	case hasB64:
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, usageErrorf(nil, "put: --base64: %v", err)
		}
		content = bytes.NewReader(data)
	case file != "":
		limit := int64(DefaultMaxPutSize)
		if o.maxSize != "" {
			n, err := parseSize(o.maxSize)
			if err != nil {
				return nil, usageErrorf(nil, "put: --max-size: %v", err)
			}
			limit = n
		}
		if file == "-" {
			if s.stdin == nil {
				return nil, driver.E("put", bucket, key, fmt.Errorf(
					"--file -: %w (run trovemem put %s %s --file - from the shell)", ErrNoStdin, Quote(bucket), Quote(key)))
			}
			content = &cappedReader{r: s.stdin, limit: limit}
			break
		}
		f, r, err := openPutFile(file, limit)
		if err != nil {
			return nil, driver.E("put", bucket, key, err)
		}
		defer f.Close()
		content = r
	default:
		return nil, usageErrorf(nil, "put: give VALUE or --file PATH")
	}
	var opts []driver.PutOption
	ct := o.contentType
	if ct == "" {
		ct = GuessContentType(key)
	}
	if ct != "" {
		opts = append(opts, driver.WithContentType(ct))
	}
	if mod := o.modified; mod != "" {
		t, err := time.Parse(time.RFC3339Nano, mod)
		if err != nil {
			return nil, usageErrorf(nil, "put: --modified %s: want an RFC 3339 time such as 2026-01-01T00:00:00Z", Quote(mod))
		}
		if err := CheckStamp(t); err != nil {
			return nil, usageErrorf(nil, "put: --modified %s: %v", Quote(mod), err)
		}
		opts = append(opts, driver.WithLastModified(t))
	}
	if o.meta != nil {
		metas := o.meta
		m := make(map[string]string, len(metas))
		for _, kv := range metas {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return nil, usageErrorf(nil, "put: --meta %s: want k=v", Quote(kv))
			}
			m[k] = v
		}
		opts = append(opts, driver.WithMetadata(m))
	}
	var (
		info *driver.ObjectInfo
		err  error
	)
	if backend := o.backend; backend != "" {
		info, err = s.Store().PutOn(ctx, backend, bucket, key, content, opts...)
	} else {
		info, err = s.Store().Put(ctx, bucket, key, content, opts...)
	}
	if err != nil {
		return nil, err
	}
	res := &PutResult{Bucket: bucket, ObjectInfo: *info}
	if o.backend != "" {
		// Written where the rules do not send it, the object is stranded
		// at once: get misses it. Say so, as route add does.
		if target := s.Store().Resolve(bucket, key); target != o.backend {
			res.Warning = fmt.Sprintf("%s/%s is stranded on %s: rules send it to %s, so get misses it (rebalance moves it)",
				bucket, Quote(key), Quote(o.backend), Quote(target))
		}
	}
	return res, nil
}

// valueReader reads put's VALUE word. A word the caller gave up
// (Session.ExecOwned) is handed to the store as a driver.Handoff over the
// string's own bytes, which a memory backend keeps instead of a copy:
// those bytes are never written, by Go's rules for strings and by the
// store's for what it keeps (memdriver never writes a stored slice; any
// other driver only reads a Handoff), so the word reads the same wherever
// it is still held (undo's name for the command, a failure report).
func valueReader(v string, owned bool) io.Reader {
	if owned && v != "" {
		return driver.NewHandoff(unsafe.Slice(unsafe.StringData(v), len(v)))
	}
	return strings.NewReader(v)
}

// getOptions are get's flags.
type getOptions struct{ out, rng string }

var cmdGet = &Command{
	Name:    "get",
	Args:    "BUCKET KEY",
	Summary: "print an object's content, or save it to a file",
	Detail: "The content is written exactly as stored, with nothing added (not even a newline). Content that is " +
		"not text is never written to a terminal: save it with --out FILE, or look at it with get --out - | xxd. " +
		"The content streams to its destination as it is read; --out - is standard output in every output mode. --range reads part of " +
		"the object: START-END (inclusive), START- or -N (the last N bytes). With -o json the content comes back " +
		"in a document, as \"content\" when it is UTF-8 text and \"content_base64\" otherwise.",
	Example:  "get photos cat.txt\nget photos cat.png --out cat.png\nget photos cat.txt --range 0-1",
	MinArgs:  2,
	MaxArgs:  2,
	ArgKinds: []ArgKind{ArgBucket, ArgKey},
	Flags: bindFlags(func(fs *pflag.FlagSet, o *getOptions) {
		fs.StringVar(&o.out, "out", "", "write the content to `PATH` instead (- for standard output, as stored in every output mode)")
		fs.StringVar(&o.rng, "range", "", "read only bytes `START-END`, START- or -N")
	}),
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		bucket, key := inv.Args[0], inv.Args[1]
		var opts []driver.GetOption
		o := optionsOf[getOptions](inv)
		rng := o.rng
		if rng != "" {
			if !strings.HasPrefix(rng, "bytes=") {
				rng = "bytes=" + rng
			}
			opts = append(opts, driver.WithRange(rng))
		}
		rd, err := s.Store().Get(ctx, bucket, key, opts...)
		if err != nil {
			// A get that misses a stranded object says where it is.
			return nil, strandedHint(ctx, s.Store(), bucket, key, err)
		}
		c := &Content{
			Bucket: bucket, Key: key, ContentType: rd.Info.ContentType, ETag: rd.Info.ETag,
			Size: rd.Info.Size, Range: rng,
		}
		switch out := o.out; {
		case out == "-" || (out == "" && !s.format.isJSON()):
			// Streamed by Render: the store's reader is the only copy.
			c.Body = rd
			return c, nil
		case out != "":
			defer rd.Close()
			n, err := saveTo(out, rd)
			if err != nil {
				return nil, driver.E("get", bucket, key, err)
			}
			return &Saved{Bucket: bucket, Key: key, Path: out, Bytes: n}, nil
		}
		defer rd.Close()
		data, err := readContent(rd, rng == "")
		if err != nil {
			return nil, driver.E("get", bucket, key, err)
		}
		c.Data = data
		return c, nil
	},
}

// saveTo writes r to the file path as it reads it, and removes a file it
// could not finish.
func saveTo(path string, r io.Reader) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return n, err
}

// readContent reads an object into memory. A whole object's size is known,
// so its buffer is allocated once at that size instead of grown from
// io.ReadAll's small start, which dominated the allocations of a replayed
// script full of gets.
func readContent(rd *driver.ObjectReader, whole bool) ([]byte, error) {
	if !whole || rd.Info == nil || rd.Info.Size < 0 {
		return io.ReadAll(rd)
	}
	data := make([]byte, rd.Info.Size)
	if _, err := io.ReadFull(rd, data); err != nil {
		return nil, err
	}
	return data, nil
}

var cmdHead = &Command{
	Name:     "head",
	Aliases:  []string{"stat"},
	Args:     "BUCKET KEY",
	Summary:  "show an object's details without its content",
	Detail:   "Shows the key, size, content type, ETag, last-modified time, user metadata and the backend that holds the object.",
	Example:  "head photos cat.txt",
	MinArgs:  2,
	MaxArgs:  2,
	ArgKinds: []ArgKind{ArgBucket, ArgKey},
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		info, err := s.Store().Head(ctx, inv.Args[0], inv.Args[1])
		if err != nil {
			return nil, err
		}
		return &ObjectDetail{Bucket: inv.Args[0], ObjectInfo: *info}, nil
	},
}

var cmdLs = &Command{
	Name:    "ls",
	Args:    "[BUCKET]",
	Summary: "list a bucket's objects, or the buckets",
	Detail: "Objects are listed in key order with their size, last-modified time and backend. With --delimiter, " +
		"keys sharing the part after --prefix up to the delimiter are shown once, as a common prefix. A page holds " +
		"at most --max entries (default 1000); when more remain, the last line is \"next cursor: C\", and " +
		"ls --cursor C (or next) continues exactly there; --all follows the cursors to the end (-r, --recursive, as in mc, " +
		"does the same without a delimiter). Without a bucket, ls lists the buckets.",
	Example:  "ls\nls photos --prefix 2024/ --delimiter /\nls photos --max 2\nnext\nls photos --all",
	MinArgs:  0,
	MaxArgs:  1,
	ArgKinds: []ArgKind{ArgBucket},
	Flags: bindFlags(func(fs *pflag.FlagSet, o *lsOptions) {
		fs.StringVar(&o.prefix, "prefix", "", "list only keys starting with `P`")
		fs.StringVar(&o.delimiter, "delimiter", "", "group keys by the part up to `D` after the prefix")
		fs.IntVar(&o.max, "max", 0, "list at most `N` entries (default 1000)")
		fs.StringVar(&o.cursor, "cursor", "", "continue after the page that printed `C`")
		fs.BoolVar(&o.all, "all", false, "follow the cursors to the last page")
		fs.BoolVarP(&o.recursive, "recursive", "r", false, "every key under --prefix, all pages (no --delimiter)")
	}),
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		if len(inv.Args) == 0 {
			if n := len(inv.Given); n > 0 {
				return nil, usageErrorf(nil, "ls: --%s needs a BUCKET", inv.Given[n-1])
			}
			return listBuckets(ctx, s)
		}
		st := &listState{store: s.current, bucket: inv.Args[0]}
		o := optionsOf[lsOptions](inv)
		st.prefix, st.delimiter, st.max, st.cursor = o.prefix, o.delimiter, o.max, o.cursor
		// 0 is the flag's default, meaning the driver's page size; given
		// explicitly, it would list nothing, so it is misuse like -1.
		if slices.Contains(inv.Given, "max") && st.max < 1 {
			return nil, usageErrorf(nil, "ls: --max %d: want a positive number", st.max)
		}
		if o.recursive && st.delimiter != "" {
			return nil, usageErrorf(nil, "ls: --recursive lists every key under the prefix; it takes no --delimiter (use --all)")
		}
		if o.all || o.recursive {
			return s.listAll(ctx, st)
		}
		return s.listPage(ctx, st)
	},
}

// lsOptions are ls's flags.
type lsOptions struct {
	prefix, delimiter, cursor string
	max                       int
	all, recursive            bool
}

// listAll lists every page from st's cursor on, as one page with no next
// cursor; Ctrl-C (a cancelled ctx) stops it between pages.
func (s *Session) listAll(ctx context.Context, st *listState) (*ObjectPage, error) {
	all := &ObjectPage{Bucket: st.bucket, Objects: []*trove.ObjectInfo{}, Prefixes: []string{}}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		page, err := s.listPage(ctx, st)
		if err != nil {
			return nil, err
		}
		all.Objects = append(all.Objects, page.Objects...)
		all.Prefixes = append(all.Prefixes, page.Prefixes...)
		for k, v := range page.Stranded {
			if all.Stranded == nil {
				all.Stranded = map[string]string{}
			}
			all.Stranded[k] = v
		}
		if page.NextCursor == "" {
			return all, nil
		}
		next := *st
		next.cursor = page.NextCursor
		st = &next
	}
}

// listPage lists the page st describes and remembers where the next one
// starts, for next.
func (s *Session) listPage(ctx context.Context, st *listState) (*ObjectPage, error) {
	store, ok := s.stores[st.store]
	if !ok {
		return nil, fmt.Errorf("%w %s", ErrUnknownStore, Quote(st.store))
	}
	it, err := store.List(ctx, st.bucket, driver.WithPrefix(st.prefix), driver.WithDelimiter(st.delimiter),
		driver.WithMaxKeys(st.max), driver.WithCursor(st.cursor))
	if err != nil {
		return nil, err
	}
	entries, err := it.All(ctx)
	if err != nil {
		return nil, driver.E("list", st.bucket, "", err)
	}
	page := &ObjectPage{Bucket: st.bucket, Objects: []*trove.ObjectInfo{}, Prefixes: []string{}, NextCursor: it.NextToken()}
	for _, e := range entries {
		if e.IsPrefix {
			page.Prefixes = append(page.Prefixes, e.Key)
		} else {
			page.Objects = append(page.Objects, e)
		}
	}
	markStranded(store, page)
	next := *st
	next.cursor = page.NextCursor
	s.last = &next
	return page, nil
}

var cmdNext = &Command{
	Name:    "next",
	Summary: "list the page after the last ls",
	Detail:  "Continues the last ls with the same bucket, prefix, delimiter and page size, from its next cursor.",
	Example: "ls photos --max 10\nnext",
	MinArgs: 0,
	MaxArgs: 0,
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		switch {
		case s.last == nil:
			return nil, fmt.Errorf("next: %w: run ls BUCKET first", ErrNoListing)
		case s.last.cursor == "":
			return nil, fmt.Errorf("next: %w: the last page of %s was already listed", ErrNoListing, s.last.bucket)
		}
		return s.listPage(ctx, s.last)
	},
}

var cmdRm = &Command{
	Name:    "rm",
	Args:    "BUCKET KEY...",
	Summary: "delete objects",
	Detail: "Every key must exist: rm checks them all first and deletes nothing if one is missing, so a typo never " +
		"passes silently. A key given twice is deleted once. With --recursive (-r), the one word after BUCKET is a " +
		"prefix and every key under it is deleted ('' for the whole bucket), as aws s3 rm --recursive does; the " +
		"deleted keys are listed. --dry-run lists what would be deleted and changes nothing. Interrupted or failed " +
		"part way, rm puts back what it deleted.",
	Example:  "rm photos cat.txt dog.txt\nrm photos 2019/ --recursive --dry-run",
	MinArgs:  2,
	MaxArgs:  -1,
	ArgKinds: []ArgKind{ArgBucket, ArgKey},
	Flags: bindFlags(func(fs *pflag.FlagSet, o *rmOptions) {
		fs.BoolVarP(&o.recursive, "recursive", "r", false, "delete every key under the PREFIX given instead of keys")
		fs.BoolVar(&o.dryRun, "dry-run", false, "list what would be deleted, delete nothing")
	}),
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		o := optionsOf[rmOptions](inv)
		bucket := inv.Args[0]
		st := s.Store()
		var keys []string
		if o.recursive {
			if len(inv.Args) != 2 {
				return nil, usageErrorf(nil, "rm: --recursive takes BUCKET PREFIX, one prefix ('' for the whole bucket)")
			}
			page, err := s.listAll(ctx, &listState{store: s.current, bucket: bucket, prefix: inv.Args[1]})
			if err != nil {
				return nil, renameOp("rm", err)
			}
			for _, obj := range page.Objects {
				keys = append(keys, obj.Key)
			}
		} else {
			keys = uniqueKeys(inv.Args[1:])
			for _, k := range keys {
				if _, err := st.Head(ctx, bucket, k); err != nil {
					return nil, renameOp("rm", err)
				}
			}
		}
		if o.dryRun || o.recursive {
			if keys == nil {
				keys = []string{}
			}
			r := &Removed{Bucket: bucket, Keys: keys, DryRun: o.dryRun}
			if o.dryRun {
				return r, nil
			}
			defer func() { s.last = nil }() // a listing's cursor may point at deleted keys
			return r, deleteKeys(ctx, st, bucket, keys)
		}
		if err := deleteKeys(ctx, st, bucket, keys); err != nil {
			return nil, err
		}
		return &Done{Op: "rm", Bucket: bucket, Keys: keys}, nil
	},
}

// rmOptions are rm's flags.
type rmOptions struct{ recursive, dryRun bool }

// deleteKeys deletes keys one by one, stopping at Ctrl-C; the command's
// undo record puts them back if it stops part way.
func deleteKeys(ctx context.Context, st *trove.Store, bucket string, keys []string) error {
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := st.Delete(ctx, bucket, k); err != nil {
			return err
		}
	}
	return nil
}

// uniqueKeys returns keys without repeats, in the order first given, so
// that rm deletes a key named twice once instead of failing on the second
// delete after the first succeeded.
func uniqueKeys(keys []string) []string {
	seen := make(map[string]bool, len(keys))
	out := keys[:0:0]
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

var cmdCp = &Command{
	Name:     "cp",
	Args:     "SRC_BUCKET SRC_KEY DST_BUCKET DST_KEY",
	Summary:  "copy an object",
	Detail:   "Copies content, content type and metadata. The copy is written to the backend DST_KEY routes to.",
	Example:  "cp photos cat.txt backup cat.txt",
	MinArgs:  4,
	MaxArgs:  4,
	ArgKinds: []ArgKind{ArgBucket, ArgKey, ArgBucket, ArgKey},
	Run:      transfer((*trove.Store).Copy),
}

var cmdMv = &Command{
	Name:     "mv",
	Args:     "SRC_BUCKET SRC_KEY DST_BUCKET DST_KEY",
	Summary:  "move an object",
	Detail:   "Copies the object as cp does, then deletes the source. Moving an object onto itself changes nothing.",
	Example:  "mv photos cat.txt photos cats/cat.txt",
	MinArgs:  4,
	MaxArgs:  4,
	ArgKinds: []ArgKind{ArgBucket, ArgKey, ArgBucket, ArgKey},
	Run:      transfer((*trove.Store).Move),
}

// transfer runs cp or mv: op is the store's Copy or Move, and the result is
// the object written at the destination.
func transfer(op func(*trove.Store, context.Context, string, string, string, string) (*driver.ObjectInfo, error)) func(context.Context, *Session, *Invocation) (Result, error) {
	return func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		a := inv.Args
		info, err := op(s.Store(), ctx, a[0], a[1], a[2], a[3])
		if err != nil {
			return nil, err
		}
		return &PutResult{Bucket: a[2], ObjectInfo: *info}, nil
	}
}
