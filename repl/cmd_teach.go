package repl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/trove"
)

// This file holds the session tools a class uses: reset, undo,
// routes --tree and explain ls.

// ErrNothingToUndo is undo's error when no command since the last undo (or
// since the session began) changed the store.
var ErrNothingToUndo = errors.New("nothing to undo")

// keptUndo is the undo record of the last command that changed the store,
// left open after the command succeeded so that undo can roll it back. It
// is committed when a later command changes the store, since undo goes
// back one command only. Commands that change nothing (ls, which) leave it
// as it is, so "put; ls; undo" reverses the put.
type keptUndo struct {
	rec   *trove.Undo
	words []string
}

// keepForUndo ends the record of a command that succeeded: a command that
// changed nothing commits it at once; one that changed the store replaces
// the kept record, committing the older one.
func (s *Session) keepForUndo(rec *trove.Undo, words []string) {
	if rec.Empty() {
		rec.Commit()
		return
	}
	if s.kept.rec != nil {
		s.kept.rec.Commit()
	}
	// Not a copy: Exec's callers leave words alone, and a replay would pay
	// an allocation per command for it.
	s.kept = keptUndo{rec: rec, words: words}
}

var cmdUndo = &Command{
	Name:    "undo",
	Summary: "reverse the last command that changed the store",
	Detail: "Puts back the objects, buckets, backends and routes the last command that changed the store " +
		"had changed; commands that changed nothing since (ls, which) do not count. undo goes back one command " +
		"only, and cannot itself be undone. It does not bring back the session's own settings (use, output " +
		"mode, script variables), and it overwrites what an S3 client (serve) changed meanwhile in the same " +
		"objects.",
	Example: "put photos cat.jpg meow\nundo",
	MinArgs: 0,
	MaxArgs: 0,
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		kept := s.kept
		s.kept = keptUndo{}
		if kept.rec == nil {
			return nil, fmt.Errorf("%w: no command has changed the store since the session began or the last undo", ErrNothingToUndo)
		}
		if err := kept.rec.Rollback(context.WithoutCancel(ctx)); err != nil {
			return nil, fmt.Errorf("undo %s: %w", ShowWords(kept.words), err)
		}
		return &Message{Text: "undid: " + ShowWords(kept.words)}, nil
	},
}

// resetOptions are reset's flags.
type resetOptions struct{ layout bool }

// Reset is what reset removed.
type Reset struct {
	Buckets  int  `json:"buckets"`
	Objects  int  `json:"objects"`
	Layout   bool `json:"layout"` // --layout: backends and routes removed too
	Backends int  `json:"backends"`
	Routes   int  `json:"routes"`
}

func (v *Reset) layout(bool) layout {
	var b strings.Builder
	fmt.Fprintf(&b, "reset: removed %s and %s", count(v.Buckets, "bucket"), count(v.Objects, "object"))
	if v.Layout {
		fmt.Fprintf(&b, ", unmounted %s, removed %s\n", count(v.Backends, "backend"), count(v.Routes, "route"))
	} else {
		fmt.Fprintf(&b, "; kept %s and %s (reset --layout removes them)\n", count(v.Backends, "backend"), count(v.Routes, "route"))
	}
	return layout{text: b.String()}
}

var cmdReset = &Command{
	Name:    "reset",
	Summary: "empty the current store, keeping its backends and routes",
	Detail: "Deletes every bucket and object of the current store, on every backend, and keeps the layout: " +
		"the mounted backends and the routes, so an exercise can start again from the same setup. With --layout " +
		"the backends other than default are unmounted and the routes removed too, as in a store just started " +
		"without a config. undo brings everything back.",
	Example: "reset\nreset --layout",
	MinArgs: 0,
	MaxArgs: 0,
	Flags: bindFlags(func(fs *pflag.FlagSet, o *resetOptions) {
		fs.BoolVar(&o.layout, "layout", false, "also unmount every backend but default and remove every route")
	}),
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		st := s.Store()
		buckets, err := st.ListBuckets(ctx)
		if err != nil {
			return nil, err
		}
		r := &Reset{Layout: optionsOf[resetOptions](inv).layout}
		for _, b := range buckets {
			n, err := deleteAll(ctx, st, b.Name)
			r.Objects += n
			if err != nil {
				return nil, err
			}
			if err := st.DeleteBucket(ctx, b.Name); err != nil {
				return nil, renameOp("delete-bucket", err)
			}
			r.Buckets++
		}
		r.Routes = len(st.Routes())
		r.Backends = len(st.Backends()) - 1
		if !r.Layout {
			return r, nil
		}
		for len(st.Routes()) > 0 {
			if _, err := st.RemoveRouteAt(0); err != nil {
				return nil, err
			}
		}
		for _, b := range st.Backends() {
			if b.Name == trove.DefaultBackend {
				continue
			}
			if err := st.RemoveBackend(ctx, b.Name, true); err != nil {
				return nil, err
			}
		}
		return r, nil
	},
}

// backendObjects counts the objects on one backend, for unmount --force
// to say what it dropped.
func backendObjects(ctx context.Context, st *trove.Store, name string) (int, error) {
	usage, err := st.Usage(ctx)
	if err != nil {
		return 0, err
	}
	for _, u := range usage {
		if u.Name == name {
			return u.Objects, nil
		}
	}
	return 0, nil
}

// Unmounted is what unmount did: the backend, and the objects a forced
// unmount dropped with it.
type Unmounted struct {
	Op      string `json:"op"` // always "unmount"
	Backend string `json:"backend"`
	Dropped int    `json:"dropped"`
	Forced  bool   `json:"forced,omitempty"`
}

func (v *Unmounted) layout(bool) layout {
	if !v.Forced {
		return layout{}
	}
	them := "them"
	if v.Dropped == 1 {
		them = "it"
	}
	return layout{text: fmt.Sprintf("unmounted %s: dropped %s (undo brings %s back)\n", Quote(v.Backend), count(v.Dropped, "object"), them)}
}

// RouteTree is routes --tree: the pattern routes as a tree of their path
// segments, each leaf naming its backend and rule number.
type RouteTree struct {
	Funcs []RouteTreeRule  `json:"funcs,omitempty"`
	Root  []*RouteTreeNode `json:"tree"`
	// Default is the implicit last rule.
	Default RouteTreeRule `json:"default"`
}

// RouteTreeNode is one path segment of the patterns: "incoming/" with the
// rest of the patterns under it, or a last segment ("*.bak") with the
// rules that end there.
type RouteTreeNode struct {
	Segment  string           `json:"segment"`
	Rules    []RouteTreeRule  `json:"rules,omitempty"`
	Children []*RouteTreeNode `json:"children,omitempty"`
}

// RouteTreeRule is one rule in the tree.
type RouteTreeRule struct {
	Number  int    `json:"number"` // as routes numbers it
	Pattern string `json:"pattern"`
	Backend string `json:"backend"`
	Note    string `json:"note,omitempty"`
}

// routeTree builds routes --tree's result from the store's rules.
func routeTree(st *trove.Store) *RouteTree {
	t := &RouteTree{}
	n := 0
	for i, f := range st.RouteFuncs() {
		n++
		name := f.Name
		if name == "" {
			name = "func#" + strconv.Itoa(i+1)
		}
		t.Funcs = append(t.Funcs, RouteTreeRule{Number: n, Pattern: name, Backend: "(decided by the function)", Note: "consulted first"})
	}
	funcs := n
	for _, r := range st.RouteReport() {
		n++
		rule := RouteTreeRule{Number: n, Pattern: r.Pattern, Backend: r.Backend}
		switch {
		case r.Dangling:
			rule.Note = "skipped: backend " + Quote(r.Backend) + " is not mounted"
		case r.Shadowed():
			rule.Note = fmt.Sprintf("never matches: rule %d (%s) covers it", funcs+r.ShadowedByIndex+1, r.ShadowedBy)
		}
		segs := strings.Split(r.Pattern, "/")
		level := &t.Root
		for j, seg := range segs {
			label := seg
			if j < len(segs)-1 {
				label += "/"
			}
			var node *RouteTreeNode
			for _, c := range *level {
				if c.Segment == label {
					node = c
				}
			}
			if node == nil {
				node = &RouteTreeNode{Segment: label}
				*level = append(*level, node)
			}
			if j == len(segs)-1 {
				node.Rules = append(node.Rules, rule)
			}
			level = &node.Children
		}
	}
	n++
	t.Default = RouteTreeRule{Number: n, Pattern: "(any other key)", Backend: trove.DefaultBackend}
	if i, ok := coversEveryKey(st); ok {
		t.Default.Note = fmt.Sprintf("never reached: rule %d matches every key", funcs+i+1)
	}
	return t
}

func (v *RouteTree) layout(human bool) layout {
	branch, last, pipe, space := "|-- ", "`-- ", "|   ", "    "
	if human {
		branch, last, pipe, space = "├── ", "└── ", "│   ", "    "
	}
	type line struct {
		label string
		rule  *RouteTreeRule
	}
	var lines []line
	for i := range v.Funcs {
		lines = append(lines, line{"func " + v.Funcs[i].Pattern, &v.Funcs[i]})
	}
	var walk func(nodes []*RouteTreeNode, indent string, top bool)
	walk = func(nodes []*RouteTreeNode, indent string, top bool) {
		for i, nd := range nodes {
			lead, next := branch, pipe
			if i == len(nodes)-1 && !top {
				lead, next = last, space
			}
			if len(nd.Rules) == 0 {
				lines = append(lines, line{label: indent + lead + nd.Segment})
			}
			for j := range nd.Rules {
				lines = append(lines, line{indent + lead + nd.Segment, &nd.Rules[j]})
			}
			walk(nd.Children, indent+next, false)
		}
	}
	walk(v.Root, "", true)
	lines = append(lines, line{last + v.Default.Pattern, &v.Default})
	width := 0
	for _, l := range lines {
		width = max(width, utf8.RuneCountInString(l.label))
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.label)
		if l.rule != nil {
			b.WriteString(strings.Repeat(" ", width-utf8.RuneCountInString(l.label)))
			fmt.Fprintf(&b, "  -> %s (rule %d", l.rule.Backend, l.rule.Number)
			if l.rule.Note != "" {
				b.WriteString(": " + l.rule.Note)
			}
			b.WriteString(")")
		}
		b.WriteString("\n")
	}
	return layout{text: b.String()}
}

// explainLsOptions are explain ls's flags.
type explainLsOptions struct{ prefix string }

// ExplainList is explain ls: for each listed object, where it is and the
// rule that sends its key where it should be.
type ExplainList struct {
	Bucket string           `json:"bucket"`
	Prefix string           `json:"prefix,omitempty"`
	Keys   []ExplainListRow `json:"keys"`
}

// ExplainListRow is one object of explain ls.
type ExplainListRow struct {
	Key string `json:"key"`
	// Backend holds the object.
	Backend string `json:"backend"`
	// Rule is the rule that decides the key, as "PATTERN (rule N)".
	Rule string `json:"rule"`
	// Target is where that rule sends the key.
	Target string `json:"target"`
	// Stranded says the object is not where its rule sends it.
	Stranded bool `json:"stranded,omitempty"`
}

func (v *ExplainList) layout(human bool) layout {
	q := quoter(human)
	g := &grid{Header: []string{"key", "on", "rule", "rule sends it to"}}
	stranded := 0
	for _, r := range v.Keys {
		g.Rows = append(g.Rows, []string{q(r.Key), q(r.Backend), r.Rule, q(r.Target)})
		if r.Stranded {
			stranded++
		}
	}
	if stranded > 0 {
		g.After = append(g.After, fmt.Sprintf("%s not on the backend its rule sends it to (stranded): `rebalance` moves %s",
			count(stranded, "object"), map[bool]string{true: "it", false: "them"}[stranded == 1]))
	}
	return layout{grid: g}
}

var cmdExplainLs = &Command{
	Name:    "explain ls",
	Args:    "BUCKET",
	Summary: "list a bucket with the rule that sent each object where it is",
	Detail: "For every object (under --prefix, when given): the backend that holds it, the rule that decides its " +
		"key (as numbered by routes), and the backend that rule sends it to. An object whose backend differs " +
		"was stored before the rules changed, or with put --backend: it is stranded, and rebalance moves it.",
	Example:  "explain ls media\nexplain ls media --prefix 2019/",
	MinArgs:  1,
	MaxArgs:  1,
	ArgKinds: []ArgKind{ArgBucket},
	Flags: bindFlags(func(fs *pflag.FlagSet, o *explainLsOptions) {
		fs.StringVar(&o.prefix, "prefix", "", "only keys starting with `P`")
	}),
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		st := s.Store()
		bucket, prefix := inv.Args[0], optionsOf[explainLsOptions](inv).prefix
		v := &ExplainList{Bucket: bucket, Prefix: prefix, Keys: []ExplainListRow{}}
		cursor := ""
		for {
			it, err := st.List(ctx, bucket, driver.WithPrefix(prefix), driver.WithCursor(cursor))
			if err != nil {
				return nil, renameOp("explain ls", err)
			}
			page, err := it.All(ctx)
			if err != nil {
				return nil, err
			}
			for _, o := range page {
				if o.IsPrefix {
					continue
				}
				ex := st.Explain(bucket, o.Key)
				rule := "default"
				if ex.Winner >= 0 {
					rule = ex.Steps[ex.Winner].Rule
				}
				v.Keys = append(v.Keys, ExplainListRow{Key: o.Key, Backend: o.Backend,
					Rule: fmt.Sprintf("%s (rule %d)", rule, ex.Winner+1), Target: ex.Backend, Stranded: o.Backend != ex.Backend})
			}
			if cursor = it.NextToken(); cursor == "" || len(page) == 0 {
				return v, nil
			}
		}
	},
}

// transcript is the file transcript FILE is writing, while it is.
type transcript struct {
	f        *os.File
	path     string
	commands int
}

// ErrNoTranscript is transcript's error when asked to stop with none
// being written.
var ErrNoTranscript = errors.New("no transcript is being written")

var cmdTranscript = &Command{
	Name:    "transcript",
	Args:    "[FILE]",
	Summary: "write the commands typed, with their output, to FILE as a runnable test",
	Detail: "transcript FILE starts writing every command that follows, with its output in plain mode as a \"| \" " +
		"block, to FILE (replaced if it exists); transcript alone stops. A command that failed is written with ! " +
		"before it, a line that is not a command (a typo) as a comment. trovemem test FILE replays the session " +
		"and checks every output. Timestamps replay the same only with a fixed clock: start trovemem with --now " +
		"2026-01-01T00:00:00Z, the clock test uses.",
	Example: "transcript lesson1.trove\nmkbucket demo\nput demo a.txt hello\nls demo\ntranscript",
	MinArgs: 0,
	MaxArgs: 1,
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		if len(inv.Args) == 0 {
			t := s.transcript
			if t == nil {
				return nil, fmt.Errorf("transcript: %w (transcript FILE starts one)", ErrNoTranscript)
			}
			s.transcript = nil
			if err := t.f.Close(); err != nil {
				return nil, fmt.Errorf("transcript %s: %w", t.path, err)
			}
			return &Message{Text: fmt.Sprintf("transcript: wrote %s to %s (trovemem test %s replays it)",
				count(t.commands, "command"), t.path, Quote(t.path))}, nil
		}
		if s.transcript != nil {
			return nil, usageErrorf(nil, "transcript: already writing %s; transcript alone stops it", s.transcript.path)
		}
		path := inv.Args[0]
		if s.WorkDir != "" && !filepath.IsAbs(path) {
			path = filepath.Join(s.WorkDir, path)
		}
		f, err := os.Create(path)
		if err != nil {
			return nil, fmt.Errorf("transcript: %w", err)
		}
		if _, err := io.WriteString(f, "# A trovemem session, written by transcript: trovemem test replays it.\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("transcript: %w", err)
		}
		s.transcript = &transcript{f: f, path: inv.Args[0]}
		return &Message{Text: "transcript: writing to " + inv.Args[0] + "; transcript alone stops"}, nil
	},
}

// transcribe writes one command that ran, with its outcome, to the
// transcript being written, if any. A write that fails stops the
// transcript with a note, rather than failing the command that ran.
func (s *Session) transcribe(words []string, v Result, err error) {
	t := s.transcript
	if t == nil || len(words) == 0 {
		return
	}
	c, _, rerr := s.commands.Resolve(words)
	if rerr == nil && c == cmdTranscript {
		return
	}
	var b strings.Builder
	switch {
	case errors.Is(err, ErrExit):
		return
	case !prepares(s.commands, words):
		// A test refuses a script holding a line that is not a command.
		b.WriteString("# not run: " + oneLine(QuoteWords(words)) + " (" + oneLine(err.Error()) + ")\n")
	case c == cmdSetOutput:
		// In a script, set defines a variable; and a test compares plain
		// output whatever the mode, so the line is kept only as a note.
		b.WriteString("# " + oneLine(QuoteWords(words)) + " (a test compares plain output)\n")
	case err != nil && c == cmdSource:
		// A script cannot expect source to fail (! source does not parse).
		b.WriteString("# failed: " + oneLine(QuoteWords(words)) + " (" + oneLine(err.Error()) + ")\n")
	case err != nil:
		b.WriteString("! " + QuoteWords(words) + "\n")
	default:
		b.WriteString(QuoteWords(words) + "\n")
		var out bytes.Buffer
		if c, ok := v.(*Content); ok && c.Body != nil {
			// get streams the object as it renders: read the start of it
			// here, and hand the renderer the same bytes followed by the rest.
			head, rerr := io.ReadAll(io.LimitReader(c.Body, maxTranscribed+1))
			c.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(head), c.Body), c.Body}
			if rerr != nil || len(head) > maxTranscribed {
				b.WriteString("# (output longer than " + HumanSize(maxTranscribed) + " not written)\n")
				break
			}
			out.Write(head)
		} else if v != nil && (PlainRenderer{}).Render(&out, v) != nil {
			out.Reset()
		}
		if out.Len() > 0 {
			text := strings.TrimSuffix(out.String(), "\n")
			for _, l := range strings.Split(text, "\n") {
				if l == "" {
					b.WriteString("|\n")
				} else {
					b.WriteString("| " + l + "\n")
				}
			}
		}
	}
	t.commands++
	if _, werr := io.WriteString(t.f, b.String()); werr != nil {
		s.transcript = nil
		t.f.Close()
	}
}

// maxTranscribed bounds the content of one get a transcript writes as a
// block: a lesson's objects are small, and a large one would make the
// test unreadable.
const maxTranscribed = 64 << 10

// oneLine keeps a comment on one line.
func oneLine(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }

// prepares reports whether words are a command a script may hold: known,
// with flags and arguments that parse.
func prepares(t Table, words []string) bool {
	_, _, err := t.Prepare(words)
	return err == nil
}
