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
