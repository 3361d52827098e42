package repl

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// Command is one entry of the command table. Everything a user reads about
// a command (usage lines, help, usage errors, completion) comes from here,
// so it cannot drift from what the command does.
type Command struct {
	// Name is what users type; a group command has two words ("route add").
	Name    string
	Aliases []string
	// Args is the argument part of the usage line, e.g. "BUCKET KEY VALUE".
	Args    string
	Summary string // one line, no final period
	Detail  string // paragraphs shown by help CMD
	Example string // lines shown by help CMD

	// MinArgs and MaxArgs bound the positional arguments; MaxArgs -1 means
	// any number.
	MinArgs, MaxArgs int

	// Flags returns a fresh options value with the command's flags declared
	// on fs and bound to its fields (bindFlags builds one); Run reads the
	// value as inv.Options (see optionsOf), so a flag is read through a
	// field the compiler checks, never by its name. With a nil fs it
	// returns the value alone, holding every flag's default: words without
	// a flag need no FlagSet, whose construction costs more than a put on
	// the memory driver. Nil means the command has no flags.
	Flags func(fs *pflag.FlagSet) any

	// RawArgs passes every word after the name to Run as an argument,
	// without flag parsing, for commands such as echo whose words are data.
	RawArgs bool

	// ArgKinds says what each positional argument names, for completion;
	// the last kind repeats for commands that take any number of arguments.
	ArgKinds []ArgKind

	// Run does the work and returns a value for the renderers, or nil when
	// there is nothing to show.
	Run func(ctx context.Context, s *Session, inv *Invocation) (Result, error)
}

// Invocation is one call of a command: the name as typed (an alias, say),
// the positional arguments and the parsed flags.
type Invocation struct {
	Name string
	Args []string
	// Options is the value the command's Flags function bound, filled in
	// by parsing; nil for a command without flags.
	Options any
	// Given names the flags the words set, in the order given.
	Given []string
	// Help says the words asked for the command's help (-h, --help)
	// instead of running it.
	Help bool
	// owned says each word is a string of its own that the store may keep
	// (Session.ExecOwned).
	owned bool
}

// bindFlags makes a Command.Flags function for options of type O: bind
// declares the flags on fs, bound to o's fields. Every default must be the
// field's zero value, since words without flags get a zero O without
// calling bind (a test checks each command).
func bindFlags[O any](bind func(fs *pflag.FlagSet, o *O)) func(*pflag.FlagSet) any {
	return func(fs *pflag.FlagSet) any {
		o := new(O)
		if fs != nil {
			bind(fs, o)
		}
		return o
	}
}

// repeated is a flag that collects every value it is given, as pflag's
// StringArray does, without StringArray's cost: that one writes its
// default as CSV each time a flag set is built, which is every command a
// dump replays.
type repeated []string

func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }
func (r *repeated) Type() string       { return "stringArray" }
func (r *repeated) String() string {
	if len(*r) == 0 {
		return "[]"
	}
	return "[" + strings.Join(*r, ",") + "]"
}

// optionsOf returns a command's options value, bound by its Flags
// function; a mismatched type panics in the first test that runs the
// command.
func optionsOf[O any](inv *Invocation) *O { return inv.Options.(*O) }

// ArgKind names what a positional argument refers to, so completion can
// offer the right candidates.
type ArgKind uint8

// The kinds of positional arguments completion knows about.
const (
	ArgOther   ArgKind = iota // free text: nothing to complete
	ArgBucket                 // an existing bucket
	ArgKey                    // a key in the bucket given by the nearest ArgBucket before it
	ArgBackend                // a mounted backend
	ArgDSN                    // a DSN: the registered schemes
	ArgCommand                // a command name
	ArgFormat                 // an output mode
	ArgFile                   // a file on this machine
)

// Usage is the command's usage line: name, arguments and flags.
func (c *Command) Usage() string {
	var b strings.Builder
	b.WriteString(c.Name)
	if c.Args != "" {
		b.WriteString(" ")
		b.WriteString(c.Args)
	}
	fs, _ := c.flagSet()
	fs.VisitAll(func(f *pflag.Flag) {
		b.WriteString(" [--")
		b.WriteString(f.Name)
		if v := flagValueName(f); v != "" {
			b.WriteString(" ")
			b.WriteString(v)
		}
		b.WriteString("]")
		if strings.HasSuffix(f.Value.Type(), "Array") || strings.HasSuffix(f.Value.Type(), "Slice") {
			b.WriteString("...")
		}
	})
	return b.String()
}

// flagSet returns a fresh FlagSet holding the command's flags (none for a
// command without Flags) and the options value they are bound to. Output
// is discarded: errors reach users as UsageErrors.
func (c *Command) flagSet() (*pflag.FlagSet, any) {
	fs := pflag.NewFlagSet(c.Name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(discard{})
	fs.Usage = func() {}
	var opts any
	if c.Flags != nil {
		opts = c.Flags(fs)
	}
	return fs, opts
}

// flagValueName is the placeholder shown for a flag's value: the back-quoted
// word of its usage text (pflag's convention), or nothing for booleans.
func flagValueName(f *pflag.Flag) string {
	name, _ := pflag.UnquoteUsage(f)
	return name
}

// FlagHelp lists the command's flags, one per line, for help CMD.
func (c *Command) FlagHelp() []string {
	fs, _ := c.flagSet()
	var lines []string
	fs.VisitAll(func(f *pflag.Flag) {
		name, usage := pflag.UnquoteUsage(f)
		head := "--" + f.Name
		if f.Shorthand != "" {
			head = "-" + f.Shorthand + ", " + head
		}
		if name != "" {
			head += " " + name
		}
		lines = append(lines, fmt.Sprintf("%-24s %s", head, usage))
	})
	return lines
}

// existOKOptions and forceOptions are the flags of the commands whose only
// flag is --exist-ok or --force; rebalanceOptions are rebalance's.
type (
	existOKOptions   struct{ existOK bool }
	forceOptions     struct{ force bool }
	rebalanceOptions struct{ dryRun bool }
)

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
