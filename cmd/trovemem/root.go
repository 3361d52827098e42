package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/trovemem/trovemem/config"
	"github.com/trovemem/trovemem/repl"
	"github.com/trovemem/trovemem/trove"
)

// app is one run of the binary: its streams, its global flags and what
// setup builds from them.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	// Global flags.
	mounts     []string
	routes     []string
	output     string
	history    string
	command    string
	version    bool
	configFile string // --config
	noConfig   bool   // --no-config
	now        string // --now
	load       string // --load
	save       string // --save
	noPager    bool   // --no-pager

	// paging is set while a pager has the terminal.
	paging atomic.Bool

	// noSave is set by test, whose per-script stores are not the user's,
	// and when --load failed, so a half-loaded store never overwrites a
	// good dump (--load and --save are often the same file).
	noSave bool
	// stdinFree is set for -c and trovemem CMD, whose commands do not come
	// from standard input, so put --file - may read it.
	stdinFree bool
	// forcedPlain is set when run or test chose plain output for their own
	// determinism; userOutput is then what -o (or TROVEMEM_OUTPUT) said.
	forcedPlain bool
	userOutput  string

	// Now is the clock the default driver, mounted drivers and the session
	// stamp objects with; --now fixes it.
	Now func() time.Time

	// Built by setup, closed by finish: every store opened, the current
	// one and the session over them.
	stores  []*trove.Store
	Store   *trove.Store
	Session *repl.Session
}

// Let subcommands have their own PersistentPreRunE without losing the
// root's (which applies the environment). The setting is global to cobra,
// so it is made once, here.
func init() { cobra.EnableTraverseRunHooks = true }

// runWith runs trovemem with the given arguments and streams and returns
// its exit status.
func runWith(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, Now: time.Now}
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := flagUsage(root.ExecuteContext(ctx))
	report(stderr, err, a.jsonOutput())
	return exitCode(err)
}

// jsonOutput reports whether the user asked for a json output mode (in
// the session, with -o or TROVEMEM_OUTPUT), where errors are JSON too.
func (a *app) jsonOutput() bool {
	if a.Session != nil && !a.forcedPlain {
		return a.Session.Format().IsJSON()
	}
	out := a.output
	if a.forcedPlain {
		out = a.userOutput
	}
	f, err := repl.ParseFormat(out)
	return err == nil && f.IsJSON()
}

// newRootCmd builds the root command, its flags and its subcommands.
func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "trovemem",
		Short: "A REPL over an in-memory object store with buckets, pagination and routing",
		Long: `trovemem opens a REPL over an embedded in-memory object store: buckets, objects,
paginated listings, and backends that keys are routed to by pattern.

With no arguments it starts the REPL when stdin is a terminal; otherwise it
reads commands from stdin, one line at a time, and stops at the first failure.
-c runs one line of commands and exits; trovemem CMD ARGS... runs one store
command and exits (global flags go before CMD; -o also after). The store commands are the
REPL's: trovemem help CMD shows one in full. trovemem help topics lists the
manual's pages (syntax, scripts, routing, config, exit-codes); trovemem man
DIR writes man pages.

The global settings --config, --history, --mount, --no-config, --now, --output
and --route can also come from the environment as TROVEMEM_<FLAG>, upper case
with - as _ (TROVEMEM_OUTPUT=json; repeatable flags take comma-separated
values), as can serve's --access-key and --secret-key (TROVEMEM_ACCESS_KEY,
TROVEMEM_SECRET_KEY); TROVEMEM_PAGER chooses the pager; no other flag is read
from it.

Exit status: 0 ok, 1 a command failed, 2 usage error, 130 interrupted.`,
		Example: `  trovemem
  trovemem -c 'mkbucket demo; put demo k v; get demo k'
  printf 'mkbucket demo\nput demo k hello\nget demo k\n' | trovemem
  trovemem --mount fast=mem:// --route 'hot/**=fast'
  trovemem -o json --mount cold=mem:// backends
  trovemem --load store.trove ls photos --max 10`,
		Args:          noArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		// Global flags before a subcommand are parsed by the root, and the
		// subcommand gets only the words after its name: the store commands
		// take theirs unparsed (their flags are the table's), so
		// trovemem -o json ls demo --max 2 works.
		TraverseChildren:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error { return applyEnv(cmd) },
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runRoot(cmd.Context())
		},
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return asUsage(fmt.Errorf("%w (see %s --help)", err, cmd.CommandPath()))
	})
	pf := root.PersistentFlags()
	pf.StringArrayVar(&a.mounts, "mount", nil, "mount a backend, `NAME=DSN` (repeatable)")
	pf.StringArrayVar(&a.routes, "route", nil, "route keys matching a pattern to a backend, `PATTERN=BACKEND` (repeatable)")
	pf.StringVarP(&a.output, "output", "o", "", "output `MODE`: table, plain, json or jsonl (default table on a terminal, plain otherwise)")
	pf.StringVar(&a.history, "history", "", "REPL history `FILE` (default $XDG_STATE_HOME/trovemem/history or ~/.trovemem_history; /dev/null disables it)")
	root.Flags().StringVarP(&a.command, "command", "c", "", "run `LINE` (commands separated by ;) and exit")
	root.Flags().BoolVar(&a.version, "version", false, "print the version and exit")
	_ = root.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"table", "plain", "json", "jsonl"}, cobra.ShellCompDirectiveNoFileComp
	})
	pf.StringVar(&a.configFile, "config", "", "load stores, backends and routes from the YAML `FILE` (default ./"+config.DefaultFile+" when present)")
	pf.BoolVar(&a.noConfig, "no-config", false, "ignore ./"+config.DefaultFile)
	pf.StringVar(&a.now, "now", "", "fix the clock at `TIME` (RFC 3339, as 2026-01-01T00:00:00Z), so timestamps in outputs are reproducible")
	pf.StringVar(&a.load, "load", "", "start from the store a script or dump `FILE` builds")
	pf.BoolVar(&a.noPager, "no-pager", false, "never send output through the pager ($TROVEMEM_PAGER, $PAGER or less -FRX; TROVEMEM_PAGER= also turns it off)")
	pf.StringVar(&a.save, "save", "", "dump the store to `FILE` on exit (through a temporary file and a rename)")
	// Traverse decides whether a flag before the subcommand takes a value
	// from root.Flags(), which holds the persistent flags only once merged.
	root.LocalFlags()

	root.AddGroup(&cobra.Group{ID: groupStore, Title: "Store commands (the REPL's; trovemem help CMD shows one in full):"},
		&cobra.Group{ID: groupOther, Title: "Other commands:"})
	for _, cmd := range []*cobra.Command{newRunCmd(a), newTestCmd(a), newServeCmd(a), newManCmd(root)} {
		cmd.GroupID = groupOther
		root.AddCommand(cmd)
	}
	root.SetHelpCommand(newHelpCmd(root))
	root.SetCompletionCommandGroupID(groupOther)
	root.InitDefaultCompletionCmd()
	addStoreCommands(a, root)
	usageArgs(root)
	return root
}

// usageArgs makes every argument check of cmd and its subcommands a usage
// error (exit status 2): cobra's validators (NoArgs, MinimumNArgs, ...)
// return plain errors, which would otherwise exit 1.
func usageArgs(cmd *cobra.Command) {
	// Suggestions come from suggest, never from cobra's own engine.
	cmd.DisableSuggestions = true
	if cmd.HasSubCommands() && !cmd.Runnable() {
		// A command that only holds others (completion) would print its
		// help and exit 0 for an unknown subcommand.
		cmd.Args = unknownSubcommand
		cmd.RunE = needsSubcommand
	}
	if check := cmd.Args; check != nil {
		cmd.Args = func(c *cobra.Command, args []string) error {
			err := check(c, args)
			var (
				ue  *usageError
				rue *repl.UsageError
			)
			if err == nil || errors.As(err, &ue) || errors.As(err, &rue) {
				return err
			}
			return asUsage(fmt.Errorf("%w (see %s --help)", err, c.CommandPath()))
		}
	}
	for _, sub := range cmd.Commands() {
		usageArgs(sub)
	}
}

// flagUsage marks a flag error that cobra returns without passing it
// through the flag error function (a bad global flag before a subcommand,
// parsed while cobra looks for the subcommand) as a usage error.
func flagUsage(err error) error {
	var (
		ue       *usageError
		notExist *pflag.NotExistError
		required *pflag.ValueRequiredError
		invalid  *pflag.InvalidValueError
		syntax   *pflag.InvalidSyntaxError
	)
	switch {
	case err == nil, errors.As(err, &ue):
		return err
	case errors.As(err, &notExist), errors.As(err, &required), errors.As(err, &invalid), errors.As(err, &syntax):
		return asUsage(fmt.Errorf("%w (see trovemem --help)", err))
	}
	return err
}

// unknownSubcommand rejects words after a command that only holds
// subcommands, with the nearest subcommands as suggestions.
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %s", args[0], cmd.CommandPath()) + didYouMean(cmd, args[0])
	return asUsage(fmt.Errorf("%s (see %s --help)", msg, cmd.CommandPath()))
}

// needsSubcommand is the run function of a command that only holds
// others, run without one: misuse, as route alone is in the REPL.
func needsSubcommand(cmd *cobra.Command, _ []string) error {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return asUsage(fmt.Errorf("%s needs a subcommand: %s (see %s --help)", cmd.CommandPath(), strings.Join(names, ", "), cmd.CommandPath()))
}

// noArgs rejects words after trovemem that are not a subcommand, with the
// error the REPL and -c give for an unknown command (suggesting the
// nearest subcommands), and says so when the word is a command that
// acts on a session and has no one-shot form.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return unknownCommand(cmd, args)
}

// unknownCommand is the error for words, whose first names no subcommand
// of cmd.
func unknownCommand(cmd *cobra.Command, words []string) error {
	if c, _, err := repl.Commands().Resolve(words); err == nil && sessionOnly[c.Name] {
		return asUsage(fmt.Errorf("%s acts on a session: use it in the REPL, a pipe or -c", c.Name))
	}
	return repl.UnknownCommand(words[0], commandNames(cmd))
}

// didYouMean is "; did you mean X or Y?" for the subcommands of cmd
// nearest to word, by repl.Suggest (the engine the REPL uses), or "".
func didYouMean(cmd *cobra.Command, word string) string {
	if s := repl.Suggest(word, commandNames(cmd)); len(s) > 0 {
		return "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return ""
}

// commandNames are the names and aliases of cmd's subcommands, sorted.
func commandNames(cmd *cobra.Command) []string {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
			names = append(names, c.Aliases...)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// envSettings are the only settings the environment may give, each a
// global flag's default: where the stores come from, how output looks and
// where history goes. No other flag is read from the environment, so an
// exported TROVEMEM_UPDATE cannot make failing tests rewrite themselves
// and pass, nor TROVEMEM_COMMAND take over the REPL. README's table of
// environment variables lists exactly these and TROVEMEM_PAGER (read by the
// pager); a test holds the three together.
var envSettings = []struct{ Var, Flag string }{
	{"TROVEMEM_CONFIG", "config"},
	{"TROVEMEM_HISTORY", "history"},
	{"TROVEMEM_MOUNT", "mount"},
	{"TROVEMEM_NO_CONFIG", "no-config"},
	{"TROVEMEM_NOW", "now"},
	{"TROVEMEM_OUTPUT", "output"},
	{"TROVEMEM_ROUTE", "route"},
	// serve's keys: a secret in the environment stays out of ps listings
	// and shell history, where --secret-key would show it.
	{"TROVEMEM_ACCESS_KEY", "access-key"},
	{"TROVEMEM_SECRET_KEY", "secret-key"},
}

// nonFlagEnv are the environment variables trovemem reads that set no
// flag.
var nonFlagEnv = []string{pagerEnv}

// envName is the environment variable the old rule read for a flag:
// TROVEMEM_ and the name in upper case with - as _.
func envName(flag string) string {
	return "TROVEMEM_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// applyEnv sets each flag of envSettings that the command line left alone
// from its environment variable. Repeatable flags split the value on
// commas.
func applyEnv(cmd *cobra.Command) error {
	for _, e := range envSettings {
		f := cmd.Flags().Lookup(e.Flag)
		if f == nil {
			f = cmd.InheritedFlags().Lookup(e.Flag)
		}
		// An empty variable counts as unset, so VAR= clears a setting.
		val := os.Getenv(e.Var)
		if f == nil || f.Changed || val == "" {
			continue
		}
		vals := []string{val}
		if t := f.Value.Type(); strings.HasSuffix(t, "Array") || strings.HasSuffix(t, "Slice") {
			vals = strings.Split(val, ",")
		}
		for _, v := range vals {
			if err := f.Value.Set(v); err != nil {
				return asUsage(fmt.Errorf("%s=%q: %v", e.Var, val, err))
			}
		}
		f.Changed = true
	}
	return nil
}

// version returns the module version the binary was built from, or "dev".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// runRoot is trovemem without a subcommand: --version, -c, the REPL or
// stdin replay.
func (a *app) runRoot(ctx context.Context) error {
	if a.version {
		fmt.Fprintf(a.stdout, "trovemem %s\n", version())
		return nil
	}
	interactive := a.command == "" && isTerminal(a.stdin)
	a.stdinFree = a.command != ""
	if !interactive {
		// SIGINT cancels the run and exits 130, even while stdin blocks.
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt)
		defer stop()
	}
	if err := a.setup(ctx); err != nil {
		return a.finish(ctx, err)
	}
	var body func(context.Context) error
	switch {
	case a.command != "":
		body = func(ctx context.Context) error {
			return a.Session.RunLine(ctx, a.command, a.stdout)
		}
	case interactive:
		return a.finish(ctx, a.runREPL(ctx))
	default:
		body = func(ctx context.Context) error {
			return a.Session.Loop(ctx, repl.NewReaderSource(a.stdin), repl.StdinName, a.stdout, a.stderr)
		}
	}
	return a.finish(ctx, a.interruptible(ctx, body))
}

// interruptible runs body and returns its error, or errInterrupted as soon
// as ctx is cancelled, without waiting for a body blocked on a read. While
// a pager shows the output, the Ctrl-C is the pager's: body is waited for.
func (a *app) interruptible(ctx context.Context, body func(context.Context) error) error {
	done := make(chan error, 1)
	go func() { done <- body(ctx) }()
	select {
	case err := <-done:
		if err != nil && ctx.Err() != nil {
			return errInterrupted
		}
		return err
	case <-ctx.Done():
		if a.paging.Load() {
			return <-done
		}
		return errInterrupted
	}
}

// isTerminal reports whether r or w is an *os.File on a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
