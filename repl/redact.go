package repl

import (
	"strings"

	"github.com/trovemem/trovemem/driver"
)

// ShowWords is a command line as people may see it: the words quoted as
// QuoteWords quotes them, with the password of every word that is a DSN
// masked by driver.RedactDSN. Everything that echoes a command or names it
// in an error (a pipe's "<stdin>:LINE: CMD: ...", run -v, script failures,
// JUnit logs, CI annotations) goes through it, so a password typed in a
// mount reaches no terminal, log or report.
func ShowWords(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = Quote(ShowWord(w))
	}
	return strings.Join(q, " ")
}

// ShowWord is one word as ShowWords shows it, unquoted.
func ShowWord(w string) string {
	if !strings.Contains(w, "://") {
		return w
	}
	return driver.RedactDSN(w)
}
