package repl

import (
	"strings"
)

// Reference returns the command reference as a Markdown table, one row per
// command of the table: usage, aliases and summary. The README's reference
// is this text (a test keeps the two equal), so it cannot drift from the
// commands.
func Reference() string {
	var b strings.Builder
	b.WriteString("| usage | aliases | what it does |\n| --- | --- | --- |\n")
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	for _, c := range table {
		aliases := ""
		if len(c.Aliases) > 0 {
			aliases = "`" + strings.Join(c.Aliases, "`, `") + "`"
		}
		b.WriteString("| `" + cell(c.Usage()) + "` | " + aliases + " | " + cell(c.Summary) + " |\n")
	}
	return b.String()
}

// HelpRequested reports whether args, the words after the command's name,
// ask for its help with -h or --help, read as Session.Exec reads them: a
// flag's value or a word after -- is not a request, and a command whose
// words are data (echo) never has one. The binary asks this before
// building a store, so trovemem CMD --help costs nothing.
func (c *Command) HelpRequested(args []string) bool {
	_, inv, _ := Table{c}.Prepare(append([]string{c.Name}, args...))
	return inv != nil && inv.Help
}
