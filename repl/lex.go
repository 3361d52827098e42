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

// FragKind says what a fragment of a word is.
type FragKind uint8

// The kinds of fragments.
const (
	FragLiteral FragKind = iota // unquoted text, backslash escapes resolved
	FragQuoted                  // the inside of '...' or "...", escapes resolved
	FragRef                     // ${NAME} (only with LexOptions.Refs); Text is NAME
)

// Fragment is a piece of a word: a run of unquoted text, of quoted text or
// a variable reference. Off and End are its bytes in the line.
type Fragment struct {
	// Text comes first and the one-byte fields last, so a Fragment packs
	// into 40 bytes: a replayed script makes several per line.
	Text     string
	Off, End int
	Kind     FragKind
	Quote    byte // '\'' or '"' for a FragQuoted
}

// Word is one word of a line, as the fragments it is made of. Off is the
// byte where it starts and Col that byte's 1-based column, in characters.
type Word struct {
	Frags    []Fragment
	Off, Col int
}

// Text is the word's text, with each reference written as ${NAME}.
func (w Word) Text() string {
	if len(w.Frags) == 1 && w.Frags[0].Kind != FragRef {
		return w.Frags[0].Text
	}
	var b strings.Builder
	for _, f := range w.Frags {
		if f.Kind == FragRef {
			b.WriteString("${" + f.Text + "}")
		} else {
			b.WriteString(f.Text)
		}
	}
	return b.String()
}

// HasRef reports whether the word holds a variable reference.
func (w Word) HasRef() bool {
	for _, f := range w.Frags {
		if f.Kind == FragRef {
			return true
		}
	}
	return false
}

// LexOptions choose how Lex reads a line.
type LexOptions struct {
	// Refs reads ${NAME} outside single quotes (and not after a
	// backslash) as a FragRef, as scripts do; otherwise it is text.
	Refs bool
	// Lenient reads a half-typed line, as completion sees it: an
	// unterminated quote runs to the end of the line, and an escape the
	// line ends in the middle of is dropped, where Split would fail. A
	// bad escape in double quotes keeps the escaped character.
	Lenient bool
}

// Lexed is a line read by Lex.
type Lexed struct {
	// Cmds are the line's commands; empty ones (a blank line, ";;") are
	// dropped.
	Cmds [][]Word
	// Last is the command the line ends in: nil when the line ends after
	// a ";" (or is blank), else the last of Cmds.
	Last []Word
	// InWord says the line ends inside Last's last word (no blank after
	// it); Quote is the quote it ends inside, if any.
	InWord bool
	Quote  byte
	// Comment says the line ends in a comment; Backslash that it ends in
	// a backslash outside quotes and comments (the line continues).
	Comment, Backslash bool
}

// Lex reads one logical line as commands of words, each word the
// fragments it is made of. It is the one scanner of the line syntax:
// Split, the script parser and completion all read lines through it.
//
//   - words are separated by spaces, tabs and newlines;
//   - 'single quotes' keep everything up to the next ' literally;
//   - "double quotes" understand the escapes \n \t \r \" \\ \xHH \uHHHH and
//     \UHHHHHHHH, and reject any other backslash sequence;
//   - outside quotes a backslash keeps the next character literally, and a
//     backslash before a newline joins the two lines;
//   - # at the start of a word starts a comment that runs to the end;
//   - ; outside quotes ends a command.
func Lex(line string, opts LexOptions) (Lexed, error) {
	return lex(line, opts)
}

// A Lexer is Lex for a caller that is done with each result before it
// reads the next line, as the script parser is once it has copied the
// words out: the usual line's words and fragments are kept in the Lexer
// rather than allocated. The zero value is ready to use; a Lexer is not
// safe for concurrent use.
type Lexer struct{ buf lexerLexed }

// Lex is Lex, with a result valid until the next call.
func (l *Lexer) Lex(line string, opts LexOptions) (Lexed, error) {
	l.buf = lexerLexed{} // nothing of the last line stays reachable
	if wordBound(line) > lexerLine {
		return lex(line, opts)
	}
	lx := lexer{line: line, opts: opts}
	lx.words, lx.frags, lx.cmds = l.buf.words[:0], l.buf.frags[:0], l.buf.cmds[:0]
	return lx.result()
}

func lex(line string, opts LexOptions) (Lexed, error) {
	// Most lines are a few plain words: sized from a count of the words,
	// the slices are allocated once, which keeps a replayed script fast.
	n := wordBound(line)
	lx := lexer{line: line, opts: opts}
	if n <= smallLine {
		// The usual line: its words, their fragments and its one command
		// in a single allocation.
		b := new(smallLexed)
		lx.words, lx.frags, lx.cmds = b.words[:0], b.frags[:0], b.cmds[:0]
	} else {
		lx.words, lx.frags = make([]Word, 0, n), make([]Fragment, 0, n)
	}
	return lx.result()
}

func (lx *lexer) result() (Lexed, error) {
	if err := lx.run(); err != nil {
		return Lexed{}, err
	}
	return lx.out, nil
}

// smallLine is the most words a line can have for Lex to allocate its
// pieces together, in a smallLexed; slices grow past it as usual.
const smallLine = 4

type smallLexed struct {
	words [smallLine]Word
	frags [smallLine]Fragment
	cmds  [1][]Word
}

// lexerLine is the most words a line can have for a Lexer to lex it in
// its own storage: a dump's put line has eight, and a few --meta more.
const lexerLine = 16

type lexerLexed struct {
	words [lexerLine]Word
	frags [lexerLine]Fragment
	cmds  [1][]Word
}

// wordBound returns a bound on the words in line good for sizing: one
// more than its blanks, counted with the vectorised strings.Count rather
// than a byte at a time. A line with runs of blanks gets room to spare;
// one with ';' between words may need more, which append then finds.
func wordBound(line string) int {
	n := strings.Count(line, " ") + 1
	for _, c := range []byte{'\t', '\n', '\r'} {
		if strings.IndexByte(line, c) >= 0 { // vectorised too, unlike IndexAny
			n += strings.Count(line, string(c))
		}
	}
	return n
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

type lexer struct {
	line  string
	opts  LexOptions
	out   Lexed
	words []Word
	cmds  [][]Word // room for out.Cmds, when Lex has some
	word  Word
	frags []Fragment
	in    bool // a word has started, even if it is still empty ('')
	col   int  // column of the rune being read, 1-based
}

func (lx *lexer) add(kind FragKind, quote byte, text string, off, end int) {
	lx.frags = append(lx.frags, Fragment{Kind: kind, Text: text, Quote: quote, Off: off, End: end})
}

// start begins a word at byte off unless one is under way.
func (lx *lexer) start(off int) {
	if !lx.in {
		lx.in = true
		lx.word = Word{Off: off, Col: lx.col}
		lx.frags = lx.frags[len(lx.frags):]
	}
}

func (lx *lexer) endWord() {
	if lx.in {
		lx.word.Frags = lx.frags[:len(lx.frags):len(lx.frags)]
		if len(lx.word.Frags) == 0 {
			lx.word.Frags = []Fragment{{Kind: FragLiteral, Off: lx.word.Off, End: lx.word.Off}}
		}
		lx.words = append(lx.words, lx.word)
		lx.in = false
	}
}

func (lx *lexer) endCmd() {
	lx.endWord()
	if len(lx.words) > 0 {
		if lx.out.Cmds == nil {
			lx.out.Cmds = lx.cmds
			if lx.out.Cmds == nil {
				lx.out.Cmds = make([][]Word, 0, 1)
			}
		}
		lx.out.Cmds = append(lx.out.Cmds, lx.words[:len(lx.words):len(lx.words)])
	}
	lx.words = lx.words[len(lx.words):]
}

func (lx *lexer) run() error {
	if plainLine(lx.line, lx.opts.Refs) {
		lx.runPlain()
		return nil
	}
	return lx.runAny()
}

// plainLine reports whether line is plain ASCII words between spaces: no
// tab or line end, no ';', quote, backslash or '#' (nor '$' when
// references are read), nothing outside ASCII. Such a line, as every line
// of a dump but the odd quoted key, needs no scanner: its words are its
// runs of non-spaces, one column a byte. Each test is a vectorised scan,
// several times faster than reading a long value a byte at a time.
func plainLine(line string, refs bool) bool {
	for i := 0; i < len(plainSpecials); i++ {
		if strings.IndexByte(line, plainSpecials[i]) >= 0 {
			return false
		}
	}
	if refs && strings.IndexByte(line, '$') >= 0 {
		return false
	}
	return isASCII(line)
}

// plainSpecials are the bytes besides ' ' (and '$') that make a line need
// the scanner.
const plainSpecials = "\t\n\r;\\'\"#"

// isASCII reports whether s holds only ASCII bytes, eight at a time.
func isASCII(s string) bool {
	i := 0
	for ; i+16 <= len(s); i += 16 {
		if (load64(s, i)|load64(s, i+8))&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// load64 reads the eight bytes of s at i as one little-endian word (the
// compiler makes it one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// runPlain is run for a line plainLine accepts, giving what runAny would
// (FuzzPlainLine holds it to that):
// each run of non-spaces is a word of one literal fragment, and the line
// is one command.
func (lx *lexer) runPlain() {
	line := lx.line
	for i := 0; i < len(line); {
		if line[i] == ' ' {
			i++
			continue
		}
		j := strings.IndexByte(line[i:], ' ')
		if j < 0 {
			j = len(line)
		} else {
			j += i
		}
		lx.col = i + 1
		lx.start(i)
		lx.add(FragLiteral, 0, line[i:j], i, j)
		if j < len(line) {
			lx.endWord()
		}
		i = j
	}
	lx.col = len(line)
	lx.out.InWord = lx.in
	lx.endCmd()
	if n := len(lx.out.Cmds); n > 0 {
		lx.out.Last = lx.out.Cmds[n-1]
	}
}

// runAny reads any line, a character at a time.
func (lx *lexer) runAny() error {
	line := lx.line
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRuneInString(line[i:])
		lx.col++
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			lx.endWord()
			i += size
		case r == ';':
			lx.endCmd()
			i += size
		case r == '#' && !lx.in:
			// A comment runs to the end of the logical line.
			lx.out.Comment = true
			i = len(line)
		case r == '\\':
			if i+size >= len(line) {
				if lx.opts.Lenient {
					lx.start(i)
					lx.out.Backslash = true
					i += size
					continue
				}
				return &SyntaxError{Col: lx.col, Msg: "backslash at the end of the line (a line source joins it with the next line)"}
			}
			next, nsize := utf8.DecodeRuneInString(line[i+size:])
			if next == '\n' {
				// A joined continuation line: the backslash and the newline vanish.
				lx.col++
				i += size + nsize
				continue
			}
			lx.start(i)
			lx.col++
			lx.add(FragLiteral, 0, line[i+size:i+size+nsize], i, i+size+nsize)
			i += size + nsize
		case r == '$' && lx.opts.Refs && strings.HasPrefix(line[i:], "${"):
			end, err := lx.ref(i)
			if err != nil {
				return err
			}
			i = end
		case r == '\'':
			start, startCol := i, lx.col
			lx.start(i)
			i += size
			end := strings.IndexByte(line[i:], '\'')
			if end < 0 {
				if !lx.opts.Lenient {
					return &SyntaxError{Col: startCol, Msg: "unterminated single quote"}
				}
				lx.add(FragQuoted, '\'', line[i:], start, len(line))
				lx.out.Quote = '\''
				i = len(line)
				continue
			}
			lx.add(FragQuoted, '\'', line[i:i+end], start, i+end+1)
			lx.col += utf8.RuneCountInString(line[i:i+end]) + 1
			i += end + 1
		case r == '"':
			startCol := lx.col
			lx.start(i)
			end, err := lx.double(i + size)
			if err != nil {
				if err.Col == 0 {
					err.Col = startCol
				}
				return err
			}
			i = end
		default:
			lx.start(i)
			// A run of plain characters is one fragment, a substring of
			// the line.
			stop := &stopsPlain
			if lx.opts.Refs {
				stop = &stopsRefs
			}
			j := i + size
			for j < len(line) {
				// ASCII, the common case, a table lookup a byte: one
				// byte, one column, counted once the run ends.
				k := j
				for k < len(line) && !stop[line[k]] {
					k++
				}
				lx.col += k - j
				j = k
				if j == len(line) || line[j] < utf8.RuneSelf {
					break // at a special character, or the end
				}
				_, n := utf8.DecodeRuneInString(line[j:])
				j += n
				lx.col++
			}
			lx.add(FragLiteral, 0, line[i:j], i, j)
			i = j
		}
	}
	lx.out.InWord = lx.in
	if !lx.in {
		lx.out.Quote = 0
	}
	lx.endCmd()
	if n := len(lx.out.Cmds); n > 0 && lx.endsInCommand() {
		lx.out.Last = lx.out.Cmds[n-1]
	}
	return nil
}

// endsInCommand reports whether the line's last command runs to its end:
// nothing but blanks, comments and joined lines after its last word.
func (lx *lexer) endsInCommand() bool {
	cmds := lx.out.Cmds
	last := cmds[len(cmds)-1]
	w := last[len(last)-1]
	from := w.Frags[len(w.Frags)-1].End
	return !strings.ContainsRune(stripComment(lx.line[from:]), ';')
}

// stripComment cuts a tail of the line (after a word, outside quotes) at
// a comment.
func stripComment(tail string) string {
	for i := 0; i < len(tail); i++ {
		switch tail[i] {
		case '#':
			return tail[:i]
		case '\\':
			i++
		}
	}
	return tail
}

// stopsPlain and stopsRefs mark the bytes that end the lexer's fast run
// of plain ASCII: the special characters (with and without references)
// and every byte of a multi-byte character, which is decoded for its
// column.
var stopsPlain, stopsRefs = stopTable(false), stopTable(true)

func stopTable(refs bool) (t [256]bool) {
	for c := range 256 {
		t[c] = c >= utf8.RuneSelf || special(byte(c), refs)
	}
	return t
}

// special reports whether c ends a run of plain characters.
func special(c byte, refs bool) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ';', '\\', '\'', '"':
		return true
	case '$':
		return refs
	}
	return false
}

// ref reads ${NAME} at byte i and returns the byte after it.
func (lx *lexer) ref(i int) (int, error) {
	line := lx.line
	end := strings.IndexByte(line[i:], '}')
	if end < 0 {
		return 0, &SyntaxError{Col: lx.col, Msg: "unterminated ${ (want ${NAME})"}
	}
	name := line[i+2 : i+end]
	if !ValidVarName(name) {
		return 0, &SyntaxError{Col: lx.col, Msg: fmt.Sprintf("bad variable name %s in ${...} (letters, digits and _)", Quote(name))}
	}
	lx.start(i)
	lx.add(FragRef, 0, name, i, i+end+1)
	lx.col += utf8.RuneCountInString(line[i+1 : i+end+1])
	return i + end + 1, nil
}

// ValidVarName reports whether s is a variable name: letters, digits and
// _, not starting with a digit.
func ValidVarName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') || i > 0 && '0' <= r && r <= '9' {
			continue
		}
		return false
	}
	return true
}

// double reads the inside of a double-quoted string starting at byte i
// (just after the opening quote) and returns the byte index just after the
// closing quote. A SyntaxError with Col 0 means the quote was never
// closed.
func (lx *lexer) double(i int) (int, *SyntaxError) {
	line := lx.line
	run := i // start of the text not yet added as a fragment
	flush := func(j int) {
		if j > run {
			lx.add(FragQuoted, '"', line[run:j], run, j)
		}
	}
	open := i - 1
	n0 := len(lx.frags)
	for i < len(line) {
		r, size := utf8.DecodeRuneInString(line[i:])
		lx.col++
		switch {
		case r == '"':
			flush(i)
			if len(lx.frags) == n0 {
				// An empty "" is still a fragment.
				lx.add(FragQuoted, '"', "", open, i+size)
			}
			return i + size, nil
		case r == '$' && lx.opts.Refs && strings.HasPrefix(line[i:], "${"):
			flush(i)
			end, err := lx.ref(i)
			if err != nil {
				return 0, err.(*SyntaxError)
			}
			i, run = end, end
			continue
		case r == '\\':
			flush(i)
			escCol := lx.col
			text, n, err := lx.escape(line[i+1:], escCol)
			if err != nil {
				return 0, err
			}
			if n < 0 { // lenient: the line ends in the escape
				i, run = len(line), len(line)
				continue
			}
			lx.add(FragQuoted, '"', text, i, i+1+n)
			lx.col += utf8.RuneCountInString(line[i+1 : i+1+n])
			i += 1 + n
			run = i
			continue
		}
		i += size
	}
	if !lx.opts.Lenient {
		return 0, &SyntaxError{Msg: "unterminated double quote"}
	}
	flush(len(line))
	if len(lx.frags) == n0 {
		lx.add(FragQuoted, '"', "", open, len(line))
	}
	lx.out.Quote = '"'
	return len(line), nil
}

// escape reads the escape after a backslash in double quotes, from rest,
// and returns the text it stands for and the bytes it took (-1 when a
// lenient line ends in it).
func (lx *lexer) escape(rest string, escCol int) (string, int, *SyntaxError) {
	if rest == "" {
		if lx.opts.Lenient {
			return "", -1, nil
		}
		return "", 0, &SyntaxError{Msg: "unterminated double quote"}
	}
	c := rest[0]
	switch c {
	case 'n':
		return "\n", 1, nil
	case 't':
		return "\t", 1, nil
	case 'r':
		return "\r", 1, nil
	case '"', '\\':
		return rest[:1], 1, nil
	case 'x', 'u', 'U':
		n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
		if 1+n > len(rest) {
			if lx.opts.Lenient {
				return "", -1, nil
			}
			return "", 0, &SyntaxError{Col: escCol, Msg: fmt.Sprintf(`\%c needs %d hex digits`, c, n)}
		}
		v, err := strconv.ParseUint(rest[1:1+n], 16, 32)
		if err != nil {
			if lx.opts.Lenient {
				return rest[:1], 1, nil
			}
			return "", 0, &SyntaxError{Col: escCol, Msg: fmt.Sprintf(`\%c needs %d hex digits`, c, n)}
		}
		if c == 'x' {
			return string([]byte{byte(v)}), 1 + n, nil
		}
		if !utf8.ValidRune(rune(v)) {
			if lx.opts.Lenient {
				return rest[:1], 1, nil
			}
			return "", 0, &SyntaxError{Col: escCol, Msg: fmt.Sprintf(`\%c%s is not a valid character`, c, rest[1:1+n])}
		}
		return string(rune(v)), 1 + n, nil
	}
	e, size := utf8.DecodeRuneInString(rest)
	if lx.opts.Lenient {
		return rest[:size], size, nil
	}
	return "", 0, &SyntaxError{Col: escCol, Msg: fmt.Sprintf(`unknown escape \%c in double quotes (use \\ for a backslash, or single quotes)`, e)}
}

// Split splits one logical line into commands, each a list of words, the
// way a shell would (see Lex for the rules). Empty commands (a blank line,
// ";;") are dropped, so a line that holds only a comment gives no commands
// and no error.
func Split(line string) ([][]string, error) {
	lx, err := Lex(line, LexOptions{})
	if err != nil {
		return nil, err
	}
	if len(lx.Cmds) == 0 {
		return nil, nil
	}
	cmds := make([][]string, len(lx.Cmds))
	for i, c := range lx.Cmds {
		words := make([]string, len(c))
		for j, w := range c {
			words[j] = w.Text()
		}
		cmds[i] = words
	}
	return cmds, nil
}

// Continues reports whether a physical line ends with a backslash that is
// outside quotes and not itself escaped, meaning the command goes on on the
// next line. A line source then joins the two with JoinContinued.
func Continues(line string) bool {
	if !strings.HasSuffix(line, `\`) {
		return false
	}
	lx, err := Lex(line, LexOptions{Lenient: true})
	return err == nil && lx.Backslash && !lx.Comment
}

// Continuation follows a logical line being joined from physical lines
// that end in continuing backslashes, reading each physical line alone, so
// joining n lines costs O(total length) rather than re-reading the joined
// line after every one (100k continued lines took minutes). It can: a
// continuing backslash is outside quotes and comments, so the next line
// starts outside them too; all it inherits is whether it starts inside a
// word, which decides whether a leading '#' begins a comment.
type Continuation struct{ midWord bool }

// Continue starts following the logical line whose first physical line is
// first, and reports whether first continues (Continues(first)).
func (c *Continuation) Continue(first string) bool {
	*c = Continuation{}
	return c.Next(first)
}

// Next reports whether the logical line goes on after line, the next
// physical line of a logical line that continued so far: the answer
// Continues gives for the whole joined line.
func (c *Continuation) Next(line string) bool {
	probe := line
	if c.midWord {
		probe = "x" + line // line goes on with the last word: a '#' is text
	}
	if !strings.HasSuffix(probe, `\`) {
		return false
	}
	lx, err := Lex(probe, LexOptions{Lenient: true})
	if err != nil || !lx.Backslash || lx.Comment {
		return false
	}
	// The next line starts inside a word when the last word runs right up
	// to the backslash and was not begun by it.
	end := len(probe) - 1
	c.midWord = false
	if n := len(lx.Cmds); n > 0 {
		cmd := lx.Cmds[n-1]
		w := cmd[len(cmd)-1]
		c.midWord = w.Off < end && w.Frags[len(w.Frags)-1].End == end
	}
	return true
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
