package repl

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SyntaxError is a line that cannot be split into words. Col is the 1-based
// column, counted in characters, where the problem starts.
type SyntaxError struct {
	Col int
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("syntax error at column %d: %s", e.Col, e.Msg)
}

// Split splits one logical line into commands, each a list of words, the way
// a shell would:
//
//   - words are separated by spaces, tabs and newlines;
//   - 'single quotes' keep everything up to the next ' literally;
//   - "double quotes" understand the escapes \n \t \r \" \\ \xHH \uHHHH and
//     \UHHHHHHHH, and reject any other backslash sequence;
//   - outside quotes a backslash keeps the next character literally, and a
//     backslash before a newline joins the two lines;
//   - # at the start of a word starts a comment that runs to the end;
//   - ; outside quotes ends a command.
//
// Empty commands (a blank line, ";;") are dropped, so a line that holds only
// a comment gives no commands and no error.
func Split(line string) ([][]string, error) {
	var (
		cmds   [][]string
		words  []string
		word   strings.Builder
		inWord bool // a word has started, even if it is still empty ('')
		col    = 0  // column of the rune at i, 1-based once the loop runs
	)
	endWord := func() {
		if inWord {
			words = append(words, word.String())
			word.Reset()
			inWord = false
		}
	}
	endCmd := func() {
		endWord()
		if len(words) > 0 {
			cmds = append(cmds, words)
			words = nil
		}
	}
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRuneInString(line[i:])
		col++
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			endWord()
			i += size
		case r == ';':
			endCmd()
			i += size
		case r == '#' && !inWord:
			// A comment runs to the end of the logical line.
			i = len(line)
		case r == '\\':
			i += size
			if i >= len(line) {
				return nil, &SyntaxError{Col: col, Msg: "backslash at the end of the line (a line source joins it with the next line)"}
			}
			next, nsize := utf8.DecodeRuneInString(line[i:])
			col++
			i += nsize
			if next == '\n' {
				// A joined continuation line: the backslash and the newline vanish.
				continue
			}
			inWord = true
			word.WriteString(line[i-nsize : i])
		case r == '\'':
			start := col
			inWord = true
			i += size
			end := strings.IndexByte(line[i:], '\'')
			if end < 0 {
				return nil, &SyntaxError{Col: start, Msg: "unterminated single quote"}
			}
			word.WriteString(line[i : i+end])
			col += utf8.RuneCountInString(line[i:i+end]) + 1
			i += end + 1
		case r == '"':
			start := col
			inWord = true
			i += size
			var err *SyntaxError
			i, col, err = lexDouble(line, i, col, &word)
			if err != nil {
				if err.Col == 0 {
					err.Col = start
				}
				return nil, err
			}
		default:
			inWord = true
			word.WriteString(line[i : i+size])
			i += size
		}
	}
	endCmd()
	return cmds, nil
}

// lexDouble reads the inside of a double-quoted string starting at byte i
// (just after the opening quote, whose column is col) and returns the byte
// index and column just after the closing quote. A SyntaxError with Col 0
// means the quote was never closed.
func lexDouble(line string, i, col int, word *strings.Builder) (int, int, *SyntaxError) {
	for i < len(line) {
		r, size := utf8.DecodeRuneInString(line[i:])
		col++
		switch r {
		case '"':
			return i + size, col, nil
		case '\\':
			escCol := col
			i += size
			if i >= len(line) {
				return 0, 0, &SyntaxError{Msg: "unterminated double quote"}
			}
			c := line[i]
			col++
			i++
			switch c {
			case 'n':
				word.WriteByte('\n')
			case 't':
				word.WriteByte('\t')
			case 'r':
				word.WriteByte('\r')
			case '"', '\\':
				word.WriteByte(c)
			case 'x', 'u', 'U':
				n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
				if i+n > len(line) {
					return 0, 0, &SyntaxError{Col: escCol, Msg: fmt.Sprintf(`\%c needs %d hex digits`, c, n)}
				}
				v, err := strconv.ParseUint(line[i:i+n], 16, 32)
				if err != nil {
					return 0, 0, &SyntaxError{Col: escCol, Msg: fmt.Sprintf(`\%c needs %d hex digits`, c, n)}
				}
				if c == 'x' {
					word.WriteByte(byte(v))
				} else {
					if !utf8.ValidRune(rune(v)) {
						return 0, 0, &SyntaxError{Col: escCol, Msg: fmt.Sprintf(`\%c%s is not a valid character`, c, line[i:i+n])}
					}
					word.WriteRune(rune(v))
				}
				i += n
				col += n
			default:
				e, _ := utf8.DecodeRuneInString(line[i-1:])
				return 0, 0, &SyntaxError{Col: escCol, Msg: fmt.Sprintf(`unknown escape \%c in double quotes (use \\ for a backslash, or single quotes)`, e)}
			}
			continue
		}
		word.WriteString(line[i : i+size])
		i += size
	}
	return 0, 0, &SyntaxError{Msg: "unterminated double quote"}
}

// Continues reports whether a physical line ends with a backslash that is
// outside quotes and not itself escaped, meaning the command goes on on the
// next line. A line source then joins the two with JoinContinued.
func Continues(line string) bool {
	if !strings.HasSuffix(line, `\`) {
		return false
	}
	var quote byte
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			}
		case quote == '"':
			if c == '\\' {
				i++
			} else if c == '"' {
				quote = 0
			}
		case c == '\\':
			if i == len(line)-1 {
				return true
			}
			i++
			// An escaped newline joins lines and starts nothing.
			inWord = inWord || line[i] != '\n'
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';':
			inWord = false
		case c == '#' && !inWord:
			return false
		case c == '\'' || c == '"':
			quote = c
			inWord = true
		default:
			inWord = true
		}
	}
	return false
}

// JoinContinued joins a line that Continues with the next physical line.
// The backslash is kept and followed by a newline, which Split drops, so
// column numbers in errors still count from the start of the first line.
func JoinContinued(line, next string) string { return line + "\n" + next }

// Quote returns word written so that Split gives it back as one unchanged
// word. Plain words come back as they are; words with blanks or shell
// characters get single quotes; words with quotes, control characters,
// invalid UTF-8 or invisible characters get double quotes and escapes, so a
// key printed with Quote is never ambiguous on screen.
func Quote(word string) string {
	if word == "" {
		return "''"
	}
	bare, single := true, true
	for i, r := range word {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(word[i:], "\uFFFD"):
			bare, single = false, false
		case r == '\'':
			bare, single = false, false
		case r == '"' || r == '\\' || r == ';' || r == '$' || r == '`' || (r == '#' && i == 0):
			bare = false
		case r == ' ':
			bare = false
		case unicode.IsSpace(r) || !unicode.IsPrint(r):
			bare, single = false, false
		}
	}
	switch {
	case bare:
		return word
	case single:
		return "'" + word + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(word); {
		r, size := utf8.DecodeRuneInString(word[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, word[i])
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == ' ' || unicode.IsPrint(r):
			b.WriteString(word[i : i+size])
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xFFFF:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// QuoteWords quotes each word as Quote does and joins them with spaces: a
// line that Split reads back as words.
func QuoteWords(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = Quote(w)
	}
	return strings.Join(q, " ")
}
