package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"

	"github.com/trovemem/trovemem/repl"
)

// This file turns repl's command table into cobra subcommands, so that the
// table is the one source of the store commands for cobra as well:
// trovemem CMD ARGS... runs CMD once over the embedded store, exactly as
// trovemem -c 'CMD ARGS...' would, and trovemem --help, trovemem help CMD
// and trovemem CMD --help show what the table says, drawn by the renderer
// the REPL's help uses.

// Command groups of trovemem --help.
const (
	groupStore = "store"
	groupOther = "other"
)

// sessionOnly are table commands that have no one-shot form: they act on
// the REPL session itself (exit, next, set output), or cobra has its own (help).
var sessionOnly = map[string]bool{"exit": true, "next": true, "help": true, "set output": true}

// addStoreCommands adds a subcommand to root for every command of repl's
// table that makes sense once, skipping names root already has (run,
// test, completion). A two-word command (route add) becomes a subcommand
// of a group command (route); a one-word alias of one (which, for route
// explain) becomes a hidden subcommand of root.
func addStoreCommands(a *app, root *cobra.Command) {
	taken := map[string]bool{"help": true, "completion": true}
	for _, c := range root.Commands() {
		taken[c.Name()] = true
		for _, al := range c.Aliases {
			taken[al] = true
		}
	}
	free := func(names []string) []string {
		var out []string
		for _, n := range names {
			if !taken[n] {
				out = append(out, n)
			}
		}
		return out
	}
	groups := map[string]*cobra.Command{}
	for _, c := range repl.Commands() {
		if sessionOnly[c.Name] {
			continue
		}
		group, sub, nested := strings.Cut(c.Name, " ")
		if !nested {
			if taken[c.Name] {
				continue
			}
			cmd := newStoreCmd(a, c, c.Name, nil)
			cmd.Aliases = free(c.Aliases)
			cmd.GroupID = groupStore
			root.AddCommand(cmd)
			taken[c.Name] = true
			for _, al := range cmd.Aliases {
				taken[al] = true
			}
			continue
		}
		g := groups[group]
		if g == nil {
			if taken[group] {
				continue
			}
			g = newGroupCmd(a, group)
			root.AddCommand(g)
			groups[group] = g
			taken[group] = true
		}
		g.AddCommand(newStoreCmd(a, c, sub, []string{group}))
		for _, al := range free(c.Aliases) {
			if strings.Contains(al, " ") {
				continue
			}
			hidden := newStoreCmd(a, c, al, nil)
			hidden.Hidden = true
			root.AddCommand(hidden)
			taken[al] = true
		}
	}
	for _, g := range groups {
		var subs []string
		for _, c := range g.Commands() {
			subs = append(subs, c.Name())
		}
		g.Short = g.Name() + " commands: " + strings.Join(subs, ", ")
	}
}

// newStoreCmd makes the cobra command for c, called name under the group
// words before it. Its words reach repl unparsed, as they would from -c:
// the table's flag set parses them, and global flags go before the name.
func newStoreCmd(a *app, c *repl.Command, name string, before []string) *cobra.Command {
	use := name
	if c.Args != "" {
		use += " " + c.Args
	}
	cmd := &cobra.Command{
		Use:                use,
		Short:              c.Summary,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if c.HelpRequested(args) {
				return cmd.Help()
			}
			words := append(append(append([]string(nil), before...), cmd.CalledAs()), args...)
			return a.runOnce(cmd.Context(), words)
		},
	}
	cmd.SetHelpFunc(func(cmd *cobra.Command, _ []string) {
		writeHelp(cmd.OutOrStdout(), &repl.HelpText{Command: c})
	})
	return cmd
}

// newGroupCmd makes the command that holds a group's two-word commands.
// Run without a known subcommand, it reports what repl would.
func newGroupCmd(a *app, group string) *cobra.Command {
	cmd := &cobra.Command{
		Use:                group + " SUBCOMMAND",
		GroupID:            groupStore,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
				return cmd.Help()
			}
			return a.runOnce(cmd.Context(), append([]string{group}, args...))
		},
	}
	cmd.SetHelpFunc(func(cmd *cobra.Command, _ []string) {
		var list []*repl.Command
		for _, c := range repl.Commands() {
			if strings.HasPrefix(c.Name, group+" ") {
				list = append(list, c)
			}
		}
		writeHelp(cmd.OutOrStdout(), &repl.HelpText{Commands: list})
	})
	return cmd
}

// writeHelp draws help as the REPL's help command does, in plain text
// whatever -o says (help is prose): the same text, so that what a command
// says about itself does not depend on where it is asked.
func writeHelp(w io.Writer, h *repl.HelpText) {
	_ = repl.PlainRenderer{}.Render(w, h)
}

// runOnce runs one store command over the embedded store built from the
// global flags, as -c does with a line of one command: same setup and
// --save and closing, same errors and exit statuses, and SIGINT stops it.
func (a *app) runOnce(ctx context.Context, words []string) error {
	if a.command != "" {
		return asUsage(fmt.Errorf("-c and a command (%s) cannot be combined", words[0]))
	}
	words, err := a.outputAfter(words)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	a.stdinFree = true
	if err := a.setup(ctx); err != nil {
		return a.finish(ctx, err)
	}
	return a.finish(ctx, a.interruptible(ctx, func(ctx context.Context) error {
		v, err := a.Session.Exec(ctx, words)
		if err == nil {
			err = a.Session.RenderSplit(a.stdout, a.stderr, v)
		}
		if err != nil && !errors.Is(err, repl.ErrExit) {
			return &repl.CommandError{Words: words, Err: err}
		}
		return nil
	}))
}

// outputAfter takes -o MODE (--output MODE, --output=MODE, -oMODE) out
// of a one-shot's words after the command's name and sets the output mode
// from it, as aws reads global options anywhere: trovemem ls photos -o
// json. No table command has a flag of that name; words after -- and the
// words of a command whose words are data (echo) are left alone.
func (a *app) outputAfter(words []string) ([]string, error) {
	c, n, err := repl.Commands().Resolve(words)
	if err != nil || c.RawArgs {
		return words, nil
	}
	out := append([]string(nil), words[:n]...)
	for i := n; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "--":
			return append(out, words[i:]...), nil
		case w == "-o" || w == "--output":
			if i+1 == len(words) {
				return nil, asUsage(fmt.Errorf("%s needs a MODE: table, plain, json or jsonl", w))
			}
			i++
			a.output = words[i]
		case strings.HasPrefix(w, "--output="):
			a.output = strings.TrimPrefix(w, "--output=")
		case strings.HasPrefix(w, "-o") && !strings.HasPrefix(w, "--"):
			a.output = strings.TrimPrefix(w, "-o")
		default:
			out = append(out, w)
		}
	}
	return out, nil
}

// newHelpCmd replaces cobra's help command, which answers an unknown topic
// with status 0: here it is a usage error, like any unknown command.
func newHelpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:     "help [COMMAND]",
		Short:   "Help about any command",
		GroupID: groupOther,
		ValidArgsFunction: func(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			cmd, _, err := root.Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []cobra.Completion
			for _, c := range cmd.Commands() {
				if c.IsAvailableCommand() && strings.HasPrefix(c.Name(), toComplete) {
					names = append(names, c.Name())
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(help *cobra.Command, args []string) error {
			if len(args) == 0 {
				return root.Help()
			}
			// The table's text, as help CMD prints it in a session: a
			// command (exit and next too), a group, a topic.
			h, herr := repl.Commands().Help(args)
			if herr == nil {
				writeHelp(help.OutOrStdout(), h)
				return nil
			}
			cmd, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				if args[0] == "topics" {
					return herr
				}
				word := strings.Join(args, " ")
				if len(rest) > 0 {
					word = rest[0]
				}
				if cmd == nil {
					cmd = root
				}
				if cmd != root {
					// help route ad: the group's own words, as route ad says.
					return &repl.UsageError{Msg: cmd.Name() + ": unknown subcommand " + repl.Quote(word),
						Suggestions: repl.Suggest(word, commandNames(cmd))}
				}
				return unknownCommand(root, args)
			}
			return cmd.Help()
		},
	}
}
