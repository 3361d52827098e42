package repl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/trovemem/trovemem/config"
	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/trove"
)

// DefaultStoreName is the name of the store a session starts with.
const DefaultStoreName = "main"

// Format is an output mode: how results are drawn.
type Format string

// The output modes.
const (
	FormatTable Format = "table" // bordered tables, human-readable sizes
	FormatPlain Format = "plain" // tab-separated lines, sizes in bytes
	FormatJSON  Format = "json"  // one JSON document per command
	FormatJSONL Format = "jsonl" // one JSON object per line: per entry of a listing, per command otherwise
)

// isJSON reports whether f writes JSON documents.
func (f Format) isJSON() bool { return f == FormatJSON || f == FormatJSONL }

// IsJSON reports whether f writes JSON (json or jsonl), where errors are
// JSON too.
func (f Format) IsJSON() bool { return f.isJSON() }

// Formats lists the output modes, for flag help and completion.
var Formats = []Format{FormatTable, FormatPlain, FormatJSON, FormatJSONL}

// ErrUnknownFormat is returned by ParseFormat for a mode it does not know.
var ErrUnknownFormat = errors.New("unknown output format")

// ParseFormat turns "table", "plain" or "json" into a Format.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w %q (want table, plain, json or jsonl)", ErrUnknownFormat, s)
}

// Session runs commands against a set of named stores, one of them
// current, and remembers what commands share between calls: the output
// mode, the clock, the last listing (for next) and script variables.
// A Session is used by one goroutine at a time.
type Session struct {
	stores  map[string]*trove.Store
	current string
	format  Format

	// Now is the clock handed to drivers that mount creates, so that a fixed
	// clock makes every timestamp reproducible.
	Now func() time.Time

	// Vars holds script variables; the script runner owns its contents.
	Vars map[string]string

	// WorkDir, when set, is the folder relative file:// DSNs resolve
	// against (a test script's ${WORK}), instead of the working directory.
	WorkDir string

	isTerminal func(io.Writer) bool
	commands   Table
	// stdin is what put --file - reads; nil where standard input carries
	// the commands.
	stdin io.Reader
	// width, when set, says how many columns the terminal has (0 when
	// unknown), and tables are fitted to it.
	width func() int
	// commandContext, when set, gives each line Loop runs its own context,
	// so Ctrl-C can cancel one command without ending the session.
	commandContext func(context.Context) (context.Context, context.CancelFunc)
	// reportError prints an error of an interactive session; nil prints
	// "error: MESSAGE".
	reportError func(w io.Writer, err error)
	// notes gets plain output's hints (next cursor: C, warnings) when
	// RunLine renders; nil keeps them with the data.
	notes io.Writer
	last  *listState
	undo  undoCache
	// kept is the record of the last command that changed the store, left
	// open for the undo command (see cmd_teach.go).
	kept keptUndo
	// transcript, when not nil, is the file transcript FILE writes to.
	transcript *transcript
	// prompting is set while Loop reads an interactive source: commands
	// come from a prompt, after which no pipe can follow.
	prompting bool
	// pager, when set, is handed what a command rendered, to write to w
	// itself or through a pager.
	pager func(w io.Writer, out []byte) error
	// source runs a script file for the source command; nil where
	// scripts cannot run.
	source func(ctx context.Context, s *Session, path string) error
}

// undoCache keeps two undo records and their contexts, reused while the
// caller passes the same context and the same store is current: a
// replayed script then records each command's changes without a fresh
// context and record per command. Two, because the last command's record
// stays open for undo while the next command records its own.
type undoCache struct {
	parent context.Context
	store  *trove.Store
	ctx    [2]context.Context
	rec    [2]*trove.Undo
}

// beginUndo returns a context recording the changes made to the current store
// through it, and the record.
func (s *Session) beginUndo(ctx context.Context) (context.Context, *trove.Undo) {
	c := &s.undo
	if st := s.Store(); c.parent != ctx || c.store != st {
		*c = undoCache{parent: ctx, store: st}
	}
	for i, rec := range c.rec {
		switch {
		case rec == nil:
			c.ctx[i], c.rec[i] = c.store.Begin(ctx)
			return c.ctx[i], c.rec[i]
		case rec != s.kept.rec:
			// Committed or rolled back when its command ended.
			rec.Restart()
			return c.ctx[i], rec
		}
	}
	panic("repl: both undo records in use") // at most one is kept
}

// listState is what next needs to fetch the page after the last ls.
type listState struct {
	store             string
	bucket            string
	prefix, delimiter string
	max               int
	cursor            string
}

// SessionOption configures NewSession.
type SessionOption func(*Session)

// WithFormat sets the output mode; the default is FormatPlain.
func WithFormat(f Format) SessionOption { return func(s *Session) { s.format = f } }

// WithClock sets the clock passed to drivers opened by mount.
func WithClock(now func() time.Time) SessionOption { return func(s *Session) { s.Now = now } }

// WithWorkDir makes relative file:// DSNs that mount is given resolve
// against dir rather than the process's working directory, so test
// scripts that each mount file://./data never share it.
func WithWorkDir(dir string) SessionOption { return func(s *Session) { s.WorkDir = dir } }

// WithTerminalCheck replaces the test that decides whether a writer is a
// terminal (get refuses to write binary content to one). The default asks
// the operating system about *os.File writers.
func WithTerminalCheck(isTerminal func(io.Writer) bool) SessionOption {
	return func(s *Session) { s.isTerminal = isTerminal }
}

// WithStdin gives put --file - a reader: the process's standard input
// when commands come from -c or trovemem CMD rather than from it.
func WithStdin(r io.Reader) SessionOption { return func(s *Session) { s.stdin = r } }

// WithNotes sends the hints of plain output (next cursor: C, warnings,
// totals) to w, standard error, when RunLine and Loop render, so that
// standard output holds data only. Render, which scripts use, keeps them
// with the data.
func WithNotes(w io.Writer) SessionOption { return func(s *Session) { s.notes = w } }

// WithCommandContext makes Loop run each line under the context
// newCtx derives from the session's: cmd/trovemem cancels it on Ctrl-C, so
// a slow command stops, its changes are undone, and the prompt returns.
func WithCommandContext(newCtx func(context.Context) (context.Context, context.CancelFunc)) SessionOption {
	return func(s *Session) { s.commandContext = newCtx }
}

// WithWidth makes tables fit the terminal: width returns its columns, 0
// when output is not a terminal or its size is unknown.
func WithWidth(width func() int) SessionOption { return func(s *Session) { s.width = width } }

// WithPager makes RenderSplit render each result but content into memory
// and hand it to page, which writes it to w: cmd/trovemem pages output
// longer than the terminal through $PAGER. Content (get) streams as ever.
func WithPager(page func(w io.Writer, out []byte) error) SessionOption {
	return func(s *Session) { s.pager = page }
}

// SetCommandContext is WithCommandContext on a session already made.
func (s *Session) SetCommandContext(newCtx func(context.Context) (context.Context, context.CancelFunc)) {
	s.commandContext = newCtx
}

// WithErrorReporter sets how Loop prints an interactive session's errors
// (cmd/trovemem prints JSON in the json modes); the default is one line,
// "error: MESSAGE".
func WithErrorReporter(report func(w io.Writer, err error)) SessionOption {
	return func(s *Session) { s.reportError = report }
}

// WithCommands replaces the command table, for tests of the executor.
func WithCommands(cmds []*Command) SessionOption { return func(s *Session) { s.commands = cmds } }

// NewSession returns a session whose only store, named "main", is store.
func NewSession(store *trove.Store, opts ...SessionOption) *Session {
	s := &Session{
		stores:     map[string]*trove.Store{DefaultStoreName: store},
		current:    DefaultStoreName,
		format:     FormatPlain,
		Now:        time.Now,
		isTerminal: IsTerminal,
		commands:   table,
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// IsTerminal reports whether w is an *os.File open on a terminal, looking
// through writers that wrap another (an Unwrap() io.Writer method).
func IsTerminal(w io.Writer) bool {
	for {
		u, ok := w.(interface{ Unwrap() io.Writer })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Store returns the current store.
func (s *Session) Store() *trove.Store { return s.stores[s.current] }

// StoreName returns the current store's name.
func (s *Session) StoreName() string { return s.current }

// StoreNames returns the names of the session's stores, sorted.
func (s *Session) StoreNames() []string {
	names := make([]string, 0, len(s.stores))
	for n := range s.stores {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// StoreNamed returns the store called name.
func (s *Session) StoreNamed(name string) (*trove.Store, bool) {
	st, ok := s.stores[name]
	return st, ok
}

// ErrStoreExists is returned by AddStore for a name already taken.
var ErrStoreExists = errors.New("store already exists")

// ErrUnknownStore is returned by Use (and NewSessionWithStores) for a name
// that is no store: the same sentinel a config file's unknown default
// store gives, so errors.Is matches both.
var ErrUnknownStore = config.ErrUnknownStore

// AddStore adds a named store; it does not become current.
func (s *Session) AddStore(name string, st *trove.Store) error {
	if _, ok := s.stores[name]; ok {
		return fmt.Errorf("%w: %s", ErrStoreExists, Quote(name))
	}
	s.stores[name] = st
	return nil
}

// Use makes the store called name current.
func (s *Session) Use(name string) error {
	if _, ok := s.stores[name]; !ok {
		return fmt.Errorf("%w %s (stores: %s)", ErrUnknownStore, Quote(name), strings.Join(s.StoreNames(), ", "))
	}
	s.current = name
	return nil
}

// Format returns the output mode.
func (s *Session) Format() Format { return s.format }

// SetFormat changes the output mode.
func (s *Session) SetFormat(f Format) { s.format = f }

// Exec runs one command, given as its words, and returns its result value
// without rendering it. Misuse (unknown command, bad flag, wrong number of
// arguments) is a *UsageError; a panic in the command is recovered as an
// *InternalError. Either way, a command that fails leaves the store as it
// was: its partial changes are rolled back. "CMD --help" returns the
// command's help. The session may keep words, to name the command undo
// would reverse: callers must not change them afterwards.
func (s *Session) Exec(ctx context.Context, words []string) (result Result, err error) {
	return s.exec(ctx, words, false)
}

// ExecOwned is Exec for words the caller gives up, each a string of its
// own rather than a piece of a longer line (strings.Clone makes one): the
// session and the store may keep them as they are. A put's VALUE is then
// stored without a copy, so a streamed replay (--load) allocates each
// value once. A word that shares its bytes with a longer string would pin
// all of it in the store, for as long as the object lives.
func (s *Session) ExecOwned(ctx context.Context, words []string) (Result, error) {
	return s.exec(ctx, words, true)
}

func (s *Session) exec(ctx context.Context, words []string, owned bool) (result Result, err error) {
	if len(words) == 0 {
		return nil, nil
	}
	c, inv, err := s.commands.Prepare(words)
	if err != nil {
		return nil, err
	}
	inv.owned = owned
	if inv.Help {
		return &HelpText{Command: c}, nil
	}
	// A command that fails or panics must leave the store as it was, even
	// when it changed several things before failing: record how to undo
	// its changes, and roll them back unless it succeeds.
	if c == cmdUndo {
		// undo ends the kept record itself, and records nothing.
		return c.Run(ctx, s, inv)
	}
	ctx, undo := s.beginUndo(ctx)
	defer func() {
		if p := recover(); p != nil {
			result, err = nil, &InternalError{Command: c.Name, Value: p, Stack: debug.Stack()}
		}
		if err == nil {
			s.keepForUndo(undo, words)
			return
		}
		if rerr := undo.Rollback(context.WithoutCancel(ctx)); rerr != nil {
			err = fmt.Errorf("%w (undoing its partial changes failed too: %v)", err, rerr)
		}
	}()
	result, err = c.Run(ctx, s, inv)
	if err != nil {
		// Declared here, since errors.As moves it to the heap: a command
		// that succeeds allocates nothing for it.
		var ue *UsageError
		if errors.As(err, &ue) && ue.Command == nil && !ue.aboutName {
			// Commands report misuse without naming themselves; the usage
			// line comes from the table entry that ran.
			ue.Command = c
		}
		return result, s.hint(ctx, err)
	}
	return result, nil
}

func wantArgs(c *Command) string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", n)
	}
	switch {
	case c.MaxArgs < 0:
		return "wants at least " + plural(c.MinArgs)
	case c.MinArgs == c.MaxArgs:
		return "wants " + plural(c.MinArgs)
	default:
		return fmt.Sprintf("wants %d to %d arguments", c.MinArgs, c.MaxArgs)
	}
}

// hint adds what a person needs next to some errors: a missing bucket
// lists the buckets that do exist.
func (s *Session) hint(ctx context.Context, err error) error {
	var h *hintError
	if errors.As(err, &h) || !errors.Is(err, driver.ErrBucketNotFound) {
		return err
	}
	buckets, lerr := s.Store().ListBuckets(ctx)
	if lerr != nil {
		return err
	}
	if len(buckets) == 0 {
		return &hintError{err, "there are no buckets; mkbucket creates one"}
	}
	names := make([]string, len(buckets))
	for i, b := range buckets {
		names[i] = b.Name
	}
	return &hintError{err, "buckets: " + strings.Join(names, ", ")}
}

// Render draws a command's result in the session's output mode. Content
// (what get returns) is written as the stored bytes, except that binary
// content is refused when w is a terminal.
func (s *Session) Render(w io.Writer, v Result) error {
	return s.RenderSplit(w, nil, v)
}

// RenderSplit is Render with plain output's hints written to notes
// instead of w (nil keeps them in w).
func (s *Session) RenderSplit(w, notes io.Writer, v Result) error {
	if v == nil {
		return nil
	}
	if c, ok := v.(*Content); ok {
		if c.Body != nil {
			return s.streamContent(w, c)
		}
		if !s.format.isJSON() && s.isTerminal(w) && isBinary(c.Data) {
			return s.binaryRefused(c)
		}
	} else if s.pager != nil {
		var buf bytes.Buffer
		if err := s.render(&buf, notes, v); err != nil {
			return err
		}
		return s.pager(w, buf.Bytes())
	}
	return s.render(w, notes, v)
}

// render draws v in the session's output mode.
func (s *Session) render(w, notes io.Writer, v Result) error {
	switch s.format {
	case FormatPlain:
		return PlainRenderer{Notes: notes}.Render(w, v)
	case FormatJSONL:
		return JSONLRenderer{Notes: notes}.Render(w, v)
	case FormatTable:
		if s.width != nil {
			return TableRenderer{Width: s.width()}.Render(w, v)
		}
	}
	return RendererFor(s.format).Render(w, v)
}

// RunLine splits line into commands and runs and renders each in turn,
// stopping at the first failure. A command's failure is returned as a
// *CommandError naming it; a line that does not parse as a *SyntaxError;
// the exit command as ErrExit. The caller reports the error.
func (s *Session) RunLine(ctx context.Context, line string, stdout io.Writer) error {
	cmds, err := Split(psqlInclude(line))
	if err != nil {
		return err
	}
	for _, words := range cmds {
		if err := ctx.Err(); err != nil {
			return err
		}
		v, err := s.Exec(ctx, words)
		s.transcribe(words, v, err)
		if err == nil {
			err = s.RenderSplit(stdout, s.notes, v)
		}
		if errors.Is(err, ErrExit) {
			return ErrExit
		}
		if err != nil {
			return &CommandError{Words: words, Err: err}
		}
	}
	return nil
}
