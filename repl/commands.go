package repl

import (
	"errors"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/pflag"
)

// Table is a command table, sorted by name.
type Table []*Command

// table is THE command table, sorted by name. Each entry is a package
// variable defined next to its Run function in any file of the package;
// adding a command means defining the variable and adding one line here.
var table = Table{
	cmdBackends,
	cmdBuckets,
	cmdConfigShow,
	cmdCp,
	cmdDump,
	cmdEcho,
	cmdExit,
	cmdExplainLs,
	cmdGet,
	cmdHead,
	cmdHelp,
	cmdLs,
	cmdMkbucket,
	cmdMount,
	cmdMv,
	cmdNext,
	cmdPut,
	cmdRebalance,
	cmdReset,
	cmdRm,
	cmdRmbucket,
	cmdRouteAdd,
	cmdRouteExplain,
	cmdRouteMove,
	cmdRouteRm,
	cmdRouteTest,
	cmdRoutes,
	cmdSetOutput,
	cmdSource,
	cmdStats,
	cmdStores,
	cmdTranscript,
	cmdUndo,
	cmdUnmount,
	cmdUse,
}

// Commands returns the command table, sorted by name.
func Commands() Table { return table }

// Prepare reads words as a call of one of the table's commands, the way
// Session.Exec runs it and the script parser checks it: it resolves the
// name, parses the flags into the command's options and counts the
// arguments. Misuse is a *UsageError. Words asking for the command's help
// give an Invocation with Help set, whatever else they hold.
func (t Table) Prepare(words []string) (*Command, *Invocation, error) {
	c, n, err := t.Resolve(words)
	if err != nil {
		return nil, nil, err
	}
	inv := &Invocation{Name: strings.Join(words[:n], " ")}
	if c.RawArgs || !hasFlag(words[n:]) {
		inv.Args = words[n:]
		if c.Flags != nil && !c.RawArgs {
			inv.Options = c.Flags(nil)
		}
	} else if args, opts, given, ok := c.parsePlain(words[n:]); ok {
		inv.Args, inv.Options, inv.Given = args, opts, given
	} else {
		fs, opts := c.flagSet()
		if err := fs.Parse(words[n:]); err != nil {
			if errors.Is(err, pflag.ErrHelp) {
				inv.Help = true
				return c, inv, nil
			}
			return c, nil, flagError(c, err)
		}
		fs.Visit(func(f *pflag.Flag) { inv.Given = append(inv.Given, f.Name) })
		inv.Args, inv.Options = fs.Args(), opts
	}
	if got := len(inv.Args); got < c.MinArgs || (c.MaxArgs >= 0 && got > c.MaxArgs) {
		return c, nil, usageErrorf(c, "%s: %s, got %d", c.Name, wantArgs(c), got)
	}
	return c, inv, nil
}

// Check reports the error Prepare would return for words, without
// building the Invocation: the script parser checks every line of a
// script before running it, and most lines (no flags, the right number of
// arguments) need nothing but the name resolved and the arguments
// counted. Anything else goes through Prepare itself.
func (t Table) Check(words []string) error {
	c, n, err := t.Resolve(words)
	if err != nil {
		return err
	}
	got, plain := len(words)-n, c.RawArgs || !hasFlag(words[n:])
	if !plain && c.Flags != nil {
		// A dump's lines all carry flags (--content-type, --modified):
		// building a flag set for each is most of checking one.
		got, plain = plainFlags(c.flagTemplate(), words[n:])
	}
	if plain && got >= c.MinArgs && (c.MaxArgs < 0 || got <= c.MaxArgs) {
		return nil
	}
	_, _, err = t.Prepare(words)
	return err
}

// flagTemplates holds a flag set per command for Check to look flags up
// in; nothing is ever parsed into them, so they are shared.
var flagTemplates sync.Map // *Command -> *pflag.FlagSet

func (c *Command) flagTemplate() *pflag.FlagSet {
	if fs, ok := flagTemplates.Load(c); ok {
		return fs.(*pflag.FlagSet)
	}
	fs, _ := c.flagSet()
	got, _ := flagTemplates.LoadOrStore(c, fs)
	return got.(*pflag.FlagSet)
}

// flagScratch is a flag set with the options value it is bound to, kept
// to read lines whose flags plainFlags accepts without building a set per
// line (pflag cannot reset one): the flags' values are set straight into
// the bound options, which are then copied out and zeroed, their
// defaults (bindFlags).
type flagScratch struct {
	fs   *pflag.FlagSet
	opts reflect.Value // a pointer to the options
}

var flagScratches sync.Map // *Command -> *sync.Pool of *flagScratch

// parsePlain is what fs.Parse makes of args when plainFlags accepts them:
// the positional words, the options and the flags given, in the order
// first given. It returns false for anything else, or a value the flag
// refuses, for Prepare to parse and judge.
func (c *Command) parsePlain(args []string) (pos []string, opts any, given []string, ok bool) {
	if c.Flags == nil {
		return nil, nil, nil, false
	}
	positional, ok := plainFlags(c.flagTemplate(), args)
	if !ok {
		return nil, nil, nil, false
	}
	pool, ok := flagScratches.Load(c)
	if !ok {
		pool, _ = flagScratches.LoadOrStore(c, &sync.Pool{})
	}
	sc, _ := pool.(*sync.Pool).Get().(*flagScratch)
	if sc == nil {
		fs, o := c.flagSet()
		sc = &flagScratch{fs: fs, opts: reflect.ValueOf(o)}
	}
	defer pool.(*sync.Pool).Put(sc)
	defer sc.opts.Elem().SetZero()
	pos = make([]string, 0, positional)
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) <= 1 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		name, val, hasValue := strings.Cut(a[2:], "=")
		if !hasValue {
			i++
			val = args[i]
		}
		f := sc.fs.Lookup(name)
		if err := f.Value.Set(val); err != nil {
			return nil, nil, nil, false
		}
		if !slices.Contains(given, f.Name) {
			given = append(given, f.Name)
		}
	}
	out := reflect.New(sc.opts.Type().Elem())
	out.Elem().Set(sc.opts.Elem())
	return pos, out.Interface(), given, true
}

// plainFlags returns how many positional words args holds, and true, when
// every flag among them is a long flag of fs taking a string (or repeated
// string) given its value, as --name=value or --name value: flags pflag
// cannot fail to parse, read the way it reads them (the word after
// --name is its value, whatever it looks like). Anything else (a bool or
// int flag, a shorthand, "--", --help, an unknown or deprecated flag, a
// missing value) returns false, for Prepare to judge.
func plainFlags(fs *pflag.FlagSet, args []string) (positional int, ok bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) <= 1 || a[0] != '-' {
			positional++
			continue
		}
		if len(a) < 3 || a[1] != '-' {
			return 0, false
		}
		name, _, hasValue := strings.Cut(a[2:], "=")
		f := fs.Lookup(name)
		if f == nil || f.Deprecated != "" || f.NoOptDefVal != "" {
			return 0, false
		}
		if t := f.Value.Type(); t != "string" && t != "stringArray" {
			return 0, false
		}
		if !hasValue {
			if i+1 == len(args) {
				return 0, false
			}
			i++
		}
	}
	return positional, true
}

// Lookup returns the command called name, by its name or an alias. Group
// commands are found by their two-word name ("route add").
func Lookup(name string) (*Command, bool) { return lookupIn(table, name) }

// lookup is lookupIn(cmds, name), through an index when cmds is the
// package's table: every command a script replays is resolved (twice,
// once when the script is checked and once when it runs), and a scan of
// the table's names and aliases was a tenth of a replayed put.
func (cmds Table) lookup(name string) (*Command, bool) {
	if cmds.isTable() {
		c, ok := tableIdx.index[name]
		return c, ok
	}
	return lookupIn(cmds, name)
}

// lookupPair is lookup(first + " " + second) without building the string.
func (cmds Table) lookupPair(first, second string) (*Command, bool) {
	var buf [64]byte
	name := append(append(append(buf[:0], first...), ' '), second...)
	if cmds.isTable() {
		c, ok := tableIdx.index[string(name)] // a map index by string(bytes) does not allocate
		return c, ok
	}
	return lookupIn(cmds, string(name))
}

// isTable reports whether cmds is the package's table itself.
func (cmds Table) isTable() bool {
	return len(cmds) > 0 && len(cmds) == tableIdx.n && &cmds[0] == tableIdx.first
}

// tableIdx maps each name and alias of the package's table to the command
// lookupIn finds for it (the first in table order); first is &table[0].
// It is built by init, since the table's commands refer to Resolve.
var tableIdx struct {
	index map[string]*Command
	first **Command
	n     int
}

func init() {
	tableIdx.first, tableIdx.n = &table[0], len(table)
	tableIdx.index = make(map[string]*Command)
	for _, c := range table {
		for _, name := range append([]string{c.Name}, c.Aliases...) {
			if _, ok := tableIdx.index[name]; !ok {
				tableIdx.index[name] = c
			}
		}
	}
}

func lookupIn(cmds []*Command, name string) (*Command, bool) {
	for _, c := range cmds {
		if c.Name == name || slices.Contains(c.Aliases, name) {
			return c, true
		}
	}
	return nil, false
}

// hasFlag reports whether args hold a word that flag parsing would look
// at: anything that starts with "-" but "-" itself.
func hasFlag(args []string) bool {
	for _, a := range args {
		if len(a) > 1 && a[0] == '-' {
			return true
		}
	}
	return false
}

// Resolve finds the command that words start with and returns it with the
// number of words its name took (1, or 2 for a group command). An unknown
// name is a *UsageError that suggests the nearest names.
func (cmds Table) Resolve(words []string) (*Command, int, error) {
	if len(words) >= 2 {
		if c, ok := cmds.lookupPair(words[0], words[1]); ok {
			return c, 2, nil
		}
	}
	if c, ok := cmds.lookup(words[0]); ok {
		return c, 1, nil
	}
	if subs := subcommands(cmds, words[0]); len(subs) > 0 {
		if len(words) == 1 {
			return nil, 0, &UsageError{Msg: words[0] + ": needs a subcommand: " + orList(subs)}
		}
		return nil, 0, &UsageError{
			Msg:         words[0] + ": unknown subcommand " + Quote(words[1]),
			Suggestions: Suggest(words[1], subs),
			aboutName:   true,
		}
	}
	return nil, 0, UnknownCommand(words[0], topNames(cmds))
}

// UnknownCommand is the error for a command name that is none of names,
// with the nearest of them suggested: the one wording of the REPL, -c,
// trovemem CMD and help CMD alike.
func UnknownCommand(word string, names []string) *UsageError {
	return &UsageError{
		Msg:         "unknown command " + Quote(word) + " (help lists the commands)",
		Suggestions: Suggest(word, names),
		aboutName:   true,
	}
}

// subcommands returns the second words of the group commands under group.
func subcommands(cmds []*Command, group string) []string {
	var subs []string
	for _, c := range cmds {
		if rest, ok := strings.CutPrefix(c.Name, group+" "); ok {
			subs = append(subs, rest)
		}
	}
	return subs
}

// topNames returns every word that can start a command: names, aliases and
// group names, sorted and without repeats.
func topNames(cmds []*Command) []string {
	var names []string
	for _, c := range cmds {
		first, _, _ := strings.Cut(c.Name, " ")
		names = append(names, first)
		names = append(names, c.Aliases...)
	}
	sort.Strings(names)
	return slices.Compact(names)
}

// Suggest returns up to three candidates close to word: those it is a
// prefix of, or within an edit distance that grows with its length (a
// transposition counts as one edit). It is trovemem's one "did you
// mean" engine, for the command table and the binary's own commands.
func Suggest(word string, candidates []string) []string {
	type scored struct {
		name string
		d    int
	}
	limit := 1 + len(word)/4
	var found []scored
	for _, c := range candidates {
		d := editDistance(word, c)
		if strings.HasPrefix(c, word) && len(word) > 0 {
			d = min(d, 1)
		}
		if d <= limit {
			found = append(found, scored{c, d})
		}
	}
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].d != found[j].d {
			return found[i].d < found[j].d
		}
		return found[i].name < found[j].name
	})
	// Only the nearest: a close match crowds out the merely possible ones.
	var out []string
	for _, f := range found {
		if len(out) == 3 || f.d > found[0].d {
			break
		}
		out = append(out, f.name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, with a
// transposition of neighbours counting as one edit (typos are often that).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
