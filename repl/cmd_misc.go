package repl

import (
	"context"
	"fmt"
	"strings"

	"github.com/trovemem/trovemem/internal/topics"
)

var cmdEcho = &Command{
	Name:    "echo",
	Args:    "WORDS...",
	Summary: "print the words, separated by spaces",
	Detail:  "Words are printed as given after quote processing; flags are not interpreted.",
	Example: `echo "tab\there" 'and $this'`,
	MinArgs: 0,
	MaxArgs: -1,
	RawArgs: true,
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		return &Message{Text: strings.Join(inv.Args, " ")}, nil
	},
}

var cmdExit = &Command{
	Name:    "exit",
	Aliases: []string{"quit"},
	Summary: "leave trovemem",
	Detail:  "Ctrl-D on an empty line does the same. In a pipe or with -c, exit stops reading commands and trovemem exits with status 0.",
	Example: "exit",
	MinArgs: 0,
	MaxArgs: 0,
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		return nil, ErrExit
	},
}

var cmdHelp = &Command{
	Name:     "help",
	Args:     "[CMD]",
	Summary:  "list the commands, or show one in full",
	Detail:   "help CMD shows the command's usage, aliases, flags and an example. CMD --help does the same. help topics lists the manual's topics (syntax, scripts, routing, config, exit-codes); help topics NAME (or help NAME, where NAME is no command) shows one.",
	Example:  "help\nhelp put\nhelp route add\nhelp topics syntax",
	MinArgs:  0,
	MaxArgs:  2,
	ArgKinds: []ArgKind{ArgCommand},
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		return s.commands.Help(inv.Args)
	},
}

// Help is what help WORDS... shows: the list of commands, one command in
// full, a group's commands, or a topic of the manual. trovemem help uses
// it too, so every way of asking prints the same.
func (t Table) Help(words []string) (*HelpText, error) {
	if len(words) == 0 {
		return &HelpText{Commands: t}, nil
	}
	if words[0] == "topics" {
		switch {
		case len(words) == 1:
			return &HelpText{TopicList: true}, nil
		case len(words) > 2:
			return nil, usageErrorf(nil, "help topics takes one topic")
		}
		if _, ok := topics.Text(words[1]); !ok {
			return nil, &UsageError{Msg: "unknown topic " + Quote(words[1]) + " (help topics lists them)",
				Suggestions: Suggest(words[1], topics.Names), aboutName: true}
		}
		return &HelpText{Topic: words[1]}, nil
	}
	c, n, err := t.Resolve(words)
	if err != nil {
		// "help route" lists the group rather than complaining.
		var group []*Command
		for _, c := range t {
			if strings.HasPrefix(c.Name, words[0]+" ") {
				group = append(group, c)
			}
		}
		if len(group) > 0 && len(words) == 1 {
			return &HelpText{Commands: group}, nil
		}
		// "help exit-codes" is what people type for a topic: a word that
		// names no command shows the topic it names.
		if _, ok := topics.Text(words[0]); ok && len(words) == 1 {
			return &HelpText{Topic: words[0]}, nil
		}
		return nil, err
	}
	if n != len(words) {
		return nil, usageErrorf(nil, "help: %s takes no subcommand", c.Name)
	}
	return &HelpText{Command: c}, nil
}

// lineSyntax is the summary of the line syntax that help prints.
const lineSyntax = `Words split like a shell: 'single' quotes are literal, "double" quotes take
\n \t \r \" \\ \xHH \uHHHH escapes, a backslash outside quotes keeps the next
character, # at the start of a word begins a comment, ; separates commands and
a trailing \ continues the line.`

func (h *HelpText) text() string {
	var b strings.Builder
	if h.Topic != "" {
		t, _ := topics.Text(h.Topic)
		return t
	}
	if h.TopicList {
		b.WriteString("topics (help topics NAME shows one):\n")
		for _, name := range topics.Names {
			fmt.Fprintf(&b, "  %-12s %s\n", name, topics.Summary(name))
		}
		return b.String()
	}
	if c := h.Command; c != nil {
		fmt.Fprintf(&b, "usage: %s%s\n", h.Program, c.Usage())
		if len(c.Aliases) > 0 {
			fmt.Fprintf(&b, "aliases: %s\n", strings.Join(c.Aliases, ", "))
		}
		fmt.Fprintf(&b, "\n%s.\n", upperFirst(c.Summary))
		if c.Detail != "" {
			b.WriteString("\n")
			b.WriteString(wrap(c.Detail, 78))
		}
		if flags := c.FlagHelp(); len(flags) > 0 {
			b.WriteString("\nflags:\n")
			for _, f := range flags {
				b.WriteString("  " + f + "\n")
			}
		}
		if c.Example != "" {
			b.WriteString("\nexample:\n")
			for _, l := range strings.Split(c.Example, "\n") {
				b.WriteString("  " + l + "\n")
			}
		}
		return b.String()
	}
	fmt.Fprintf(&b, "commands (%shelp CMD shows one in full):\n", h.Program)
	for _, c := range h.Commands {
		name := c.Name
		if len(c.Aliases) > 0 {
			name += " (" + strings.Join(c.Aliases, ", ") + ")"
		}
		fmt.Fprintf(&b, "  %-24s %s\n", name, c.Summary)
	}
	b.WriteString("\n")
	b.WriteString(lineSyntax)
	b.WriteString("\n\nhelp topics lists the manual: " + strings.Join(topics.Names, ", ") + ".\n")
	return b.String()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// wrap fills text into lines of at most width columns.
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(text) {
		if n > 0 && n+1+len(w) > width {
			b.WriteString("\n")
			n = 0
		} else if n > 0 {
			b.WriteString(" ")
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	b.WriteString("\n")
	return b.String()
}
