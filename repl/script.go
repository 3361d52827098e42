package repl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A .trove script is the REPL's line syntax plus a few script-only forms:
//
//	! CMD                  CMD must fail
//	? CMD                  CMD may fail or succeed
//	stdout 'RE'            the last command's output matches RE
//	! stdout 'RE'          ... does not match RE
//	stderr 'RE'            the last command's error message matches RE
//	| text                 exact expected output of the command above
//	set NAME VALUE         defines ${NAME}
//	let NAME = stdout 'RE' defines ${NAME} from RE's first group
//	source FILE            runs FILE (relative to this file) in the same store
//
// The whole file, and every file it sources, is parsed before anything
// runs, so a typo on the last line costs nothing.

// StepKind says what a script step does.
type StepKind uint8

// The kinds of script steps.
const (
	StepCommand StepKind = iota // a REPL command
	StepAssert                  // stdout/stderr 'RE'
	StepSet                     // set NAME VALUE
	StepLet                     // let NAME = stdout 'RE'
	StepSource                  // source FILE
)

// Expect is what a command's outcome must be.
type Expect uint8

// The outcomes a command can be required to have.
const (
	ExpectSuccess Expect = iota // plain CMD
	ExpectFailure               // ! CMD
	ExpectEither                // ? CMD
)

// Step is one parsed unit of a script: a command, an assertion, a variable
// definition or an include. Words may hold variable placeholders; the runner
// expands them just before the step runs.
type Step struct {
	Kind   StepKind
	Line   int // 1-based line where the step starts
	Expect Expect

	// Words is the command (StepCommand) without its ! or ? prefix.
	Words []string
	// vars names the variables whose placeholders appear in Words, Pattern
	// or Value, in placeholder order; nil when the step has none, which lets
	// the runner skip expansion entirely.
	vars []string

	// Stream is "stdout" or "stderr" for StepAssert and StepLet.
	Stream string
	// Negate marks "! stdout 'RE'".
	Negate bool
	// Pattern is the regular expression of StepAssert and StepLet; re is it
	// compiled, when it needs no expansion.
	Pattern string
	re      *regexp.Regexp

	// Block is the expected output of a command: its "| " lines without the
	// marker. HasBlock tells an absent block from an empty one.
	Block    []string
	HasBlock bool
	// BlockFrom and BlockTo are the 1-based physical lines the block spans
	// (BlockTo exclusive), which --update replaces.
	BlockFrom, BlockTo int

	// Name and Value are the variable of StepSet and StepLet.
	Name, Value string

	// Sub is the parsed script of StepSource.
	Sub *Script
}

// Script is a parsed .trove file.
type Script struct {
	// Path names the file in messages, as given or as resolved relative to
	// the script that sourced it; "<stdin>" for standard input.
	Path  string
	Steps []*Step
	// lines holds the file's physical lines, so --update can rewrite blocks
	// and keep everything else byte for byte.
	lines []string
	// crlf remembers that the file used CRLF line ends.
	crlf bool
}

// ParseError is one problem found while parsing a script.
type ParseError struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// ParseErrors is every problem found in a script and the scripts it
// sources. The CLI exits with status 2 for it, as for any usage error.
type ParseErrors struct {
	Errs []*ParseError
}

func (e *ParseErrors) Error() string {
	msgs := make([]string, len(e.Errs))
	for i, pe := range e.Errs {
		msgs[i] = pe.Error()
	}
	return strings.Join(msgs, "\n")
}

// ErrSourceCycle marks a script that sources itself, directly or not.
var ErrSourceCycle = errors.New("source cycle")

// StdinName is the name standard input goes by in messages.
const StdinName = "<stdin>"

// ScriptParser parses scripts. The zero value accepts any command;
// NewScriptParser checks commands against the command table.
type ScriptParser struct {
	// Check vets a command's words (with any variables still unexpanded)
	// at parse time: an unknown command is an error before anything runs.
	// Nil accepts every command.
	Check func(words []string) error
	// ReadFile reads a sourced file; nil means os.ReadFile.
	ReadFile func(path string) ([]byte, error)

	stack []string // absolute paths of the scripts being parsed, outermost first
	errs  []*ParseError
}

// ParseFile reads and parses the script at path. A file that cannot be
// read is returned as the read error, not as *ParseErrors.
func (p *ScriptParser) ParseFile(path string) (*Script, error) {
	src, err := p.readFile(path)
	if err != nil {
		return nil, err
	}
	return p.Parse(path, src)
}

// Parse parses src, naming it name in messages. Sourced files are resolved
// relative to name's directory (the working directory for stdin). Every
// problem in the file and in the files it sources is returned together as
// *ParseErrors.
func (p *ScriptParser) Parse(name string, src []byte) (*Script, error) {
	p.errs = nil
	p.stack = nil
	sc := p.parse(name, src)
	if len(p.errs) > 0 {
		return nil, &ParseErrors{Errs: p.errs}
	}
	return sc, nil
}

func (p *ScriptParser) readFile(path string) ([]byte, error) {
	if p.ReadFile != nil {
		return p.ReadFile(path)
	}
	return os.ReadFile(path)
}

func (p *ScriptParser) errorf(file string, line, col int, format string, args ...any) {
	p.errs = append(p.errs, &ParseError{File: file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

// splitLines splits src into physical lines without their line ends.
func splitLines(src []byte) (lines []string, crlf bool) {
	s := string(src)
	s = strings.TrimSuffix(s, "\n")
	if s == "" && len(src) <= 1 {
		return nil, false
	}
	lines = strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasSuffix(l, "\r") {
			lines[i] = l[:len(l)-1]
			crlf = true
		}
	}
	return lines, crlf
}

func (p *ScriptParser) parse(name string, src []byte) *Script {
	abs := name
	if name != StdinName {
		if a, err := filepath.Abs(name); err == nil {
			abs = a
		}
	}
	p.stack = append(p.stack, abs)
	defer func() { p.stack = p.stack[:len(p.stack)-1] }()

	lines, crlf := splitLines(src)
	sc := &Script{Path: name, lines: lines, crlf: crlf}
	// last is the command that a following "| " line belongs to; any other
	// line in between ends its chance to have a block.
	var last *Step
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		text := lines[i]
		if strings.HasPrefix(text, "|") {
			if len(text) > 1 && text[1] != ' ' {
				p.errorf(name, lineNo, 2, "an output line is \"| \" followed by the text (\"|\" alone for an empty line)")
				continue
			}
			if last == nil {
				p.errorf(name, lineNo, 1, "an output block must follow a command directly")
				continue
			}
			if !last.HasBlock {
				last.HasBlock, last.BlockFrom = true, lineNo
				last.Block = []string{}
			}
			content := ""
			if len(text) > 1 {
				content = text[2:]
			}
			last.Block = append(last.Block, content)
			last.BlockTo = lineNo + 1
			continue
		}
		last = nil
		logical := text
		for Continues(logical) && i+1 < len(lines) {
			i++
			logical = JoinContinued(logical, lines[i])
		}
		if words, ok := splitPlain(logical); ok {
			// The common case, a line without quotes, escapes, comments,
			// semicolons or variables, needs neither markVars nor Split.
			if words == nil {
				continue
			}
			st := p.step(sc, name, lineNo, logical, words, nil)
			if st != nil {
				sc.Steps = append(sc.Steps, st)
			}
			if st != nil && st.Kind == StepCommand {
				last = st
			}
			continue
		}
		marked, names, err := markVars(logical)
		if err != nil {
			var se *SyntaxError
			if errors.As(err, &se) {
				p.errorf(name, lineNo, se.Col, "%s", se.Msg)
			}
			continue
		}
		cmds, err := Split(marked)
		if err != nil {
			var se *SyntaxError
			if errors.As(err, &se) {
				p.errorf(name, lineNo, se.Col, "%s", se.Msg)
			} else {
				p.errorf(name, lineNo, 1, "%v", err)
			}
			continue
		}
		for _, words := range cmds {
			st := p.step(sc, name, lineNo, logical, words, names)
			if st == nil {
				last = nil
				continue
			}
			sc.Steps = append(sc.Steps, st)
			if st.Kind == StepCommand {
				last = st
			} else {
				last = nil
			}
		}
	}
	return sc
}

// step parses one command's words into a step, or records an error and
// returns nil.
func (p *ScriptParser) step(sc *Script, file string, line int, text string, words []string, names []string) *Step {
	st := &Step{Line: line}
	col := func(w string) int { return wordCol(text, w) }
	switch words[0] {
	case "!":
		st.Expect = ExpectFailure
		words = words[1:]
	case "?":
		st.Expect = ExpectEither
		words = words[1:]
	}
	if len(words) == 0 {
		p.errorf(file, line, 1, "%q needs a command after it", map[Expect]string{ExpectFailure: "!", ExpectEither: "?"}[st.Expect])
		return nil
	}
	st.vars = usedVars(words, names)
	prefixed := st.Expect != ExpectSuccess
	name := words[0]
	switch name {
	case "stdout", "stderr":
		if st.Expect == ExpectEither {
			p.errorf(file, line, 1, "\"?\" does not apply to an assertion; use \"!\" to negate it")
			return nil
		}
		if len(words) != 2 {
			p.errorf(file, line, col(name), "usage: [!] %s 'REGEXP'", name)
			return nil
		}
		st.Kind, st.Stream, st.Pattern = StepAssert, name, words[1]
		st.Negate, st.Expect = st.Expect == ExpectFailure, ExpectSuccess
		if !p.compile(st, file, line, col(name)) {
			return nil
		}
		return st
	case "set":
		if prefixed {
			p.errorf(file, line, 1, "set cannot fail; drop the %q", words[0])
			return nil
		}
		if len(words) != 3 || !validVarName(words[1]) {
			p.errorf(file, line, col(name), "usage: set NAME VALUE (NAME is letters, digits and _)")
			return nil
		}
		st.Kind, st.Name, st.Value = StepSet, words[1], words[2]
		return st
	case "let":
		if prefixed {
			p.errorf(file, line, 1, "let cannot be prefixed with ! or ?")
			return nil
		}
		if len(words) != 5 || !validVarName(words[1]) || words[2] != "=" || (words[3] != "stdout" && words[3] != "stderr") {
			p.errorf(file, line, col(name), "usage: let NAME = stdout 'REGEXP(GROUP)'")
			return nil
		}
		st.Kind, st.Name, st.Stream, st.Pattern = StepLet, words[1], words[3], words[4]
		if !p.compile(st, file, line, col(name)) {
			return nil
		}
		return st
	case "source":
		if prefixed {
			p.errorf(file, line, 1, "source cannot be prefixed with ! or ?")
			return nil
		}
		if len(words) != 2 {
			p.errorf(file, line, col(name), "usage: source FILE")
			return nil
		}
		if st.vars != nil {
			p.errorf(file, line, col(name), "source takes a literal file name, not a variable")
			return nil
		}
		st.Kind = StepSource
		st.Sub = p.source(file, line, col(name), words[1])
		if st.Sub == nil {
			return nil
		}
		return st
	}
	st.Kind = StepCommand
	st.Words = words
	if !hasPlaceholder(name) && p.Check != nil {
		if err := p.Check(words); err != nil {
			p.errorf(file, line, col(name), "%v", err)
			return nil
		}
	}
	return st
}

// compile compiles an assertion's pattern now when it has no variables, so
// a bad regexp is a parse error rather than a failure halfway through.
func (p *ScriptParser) compile(st *Step, file string, line, col int) bool {
	if st.vars != nil {
		return true
	}
	re, err := compilePattern(st.Pattern)
	if err != nil {
		p.errorf(file, line, col, "%v", err)
		return false
	}
	st.re = re
	return true
}

// compilePattern compiles an assertion in multi-line mode, so ^ and $ match
// at line boundaries of the output.
func compilePattern(pattern string) (*regexp.Regexp, error) {
	if _, err := regexp.Compile(pattern); err != nil {
		// Checked without the (?m) prefix, so the message quotes only what
		// the script says.
		return nil, fmt.Errorf("bad regexp %s: %w", quotePattern(pattern, nil), err)
	}
	return regexp.Compile("(?m)" + pattern)
}

// source parses the file a "source" line names, relative to the including
// file, refusing cycles.
func (p *ScriptParser) source(file string, line, col int, target string) *Script {
	path := target
	if !filepath.IsAbs(path) && file != StdinName {
		path = filepath.Join(filepath.Dir(file), target)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	for i, s := range p.stack {
		if s == abs {
			chain := make([]string, 0, len(p.stack)-i+1)
			for _, f := range p.stack[i:] {
				chain = append(chain, filepath.Base(f))
			}
			chain = append(chain, filepath.Base(abs))
			p.errorf(file, line, col, "source %s: %v: %s", Quote(target), ErrSourceCycle, strings.Join(chain, " -> "))
			return nil
		}
	}
	src, err := p.readFile(path)
	if err != nil {
		p.errorf(file, line, col, "source %s: %v", Quote(target), err)
		return nil
	}
	return p.parse(path, src)
}

// wordCol guesses the 1-based column of word in the line, for messages
// about a word after Split has dropped positions: the first place the text
// appears, or the first non-blank column.
func wordCol(line, word string) int {
	if i := strings.Index(line, word); i >= 0 && word != "" && !hasPlaceholder(word) {
		return utf8.RuneCountInString(line[:i]) + 1
	}
	return len(line) - len(strings.TrimLeft(line, " \t")) + 1
}

func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

// Variables are expanded after Split, so a value with blanks or quotes stays
// one word and can never inject syntax. Before Split, markVars replaces each
// ${NAME} outside single quotes with a placeholder that Split passes through
// untouched (private-use runes around the reference's index); the runner
// swaps placeholders for values. Single quotes and a backslash keep ${...}
// literal, as in a shell.
const (
	phOpen  = '\uE000'
	phClose = '\uE001'
)

func hasPlaceholder(s string) bool { return strings.ContainsRune(s, phOpen) }

// markVars returns line with every variable reference replaced by a
// placeholder, and the names referenced, in order. A malformed reference is
// a *SyntaxError.
func markVars(line string) (string, []string, error) {
	if !strings.Contains(line, "${") {
		return line, nil, nil
	}
	var (
		b      strings.Builder
		names  []string
		quote  byte
		inWord bool
		col    int
	)
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRuneInString(line[i:])
		col++
		switch {
		case quote == '\'':
			if r == '\'' {
				quote = 0
			}
		case r == '\\':
			// The escaped character is copied as it is, so \${x} stays literal.
			b.WriteString(line[i : i+size])
			i += size
			if i < len(line) {
				_, n := utf8.DecodeRuneInString(line[i:])
				b.WriteString(line[i : i+n])
				i += n
				col++
			}
			inWord = true
			continue
		case quote == '"':
			if r == '"' {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = byte(r)
			inWord = true
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == ';':
			inWord = false
		case r == '#' && !inWord:
			// The rest is a comment; leave it to Split.
			b.WriteString(line[i:])
			return b.String(), names, nil
		default:
			inWord = true
		}
		if quote != '\'' && r == '$' && strings.HasPrefix(line[i:], "${") {
			end := strings.IndexByte(line[i:], '}')
			if end < 0 {
				return "", nil, &SyntaxError{Col: col, Msg: "unterminated ${ (want ${NAME})"}
			}
			name := line[i+2 : i+end]
			if !validVarName(name) {
				return "", nil, &SyntaxError{Col: col, Msg: fmt.Sprintf("bad variable name %s in ${...} (letters, digits and _)", Quote(name))}
			}
			b.WriteRune(phOpen)
			b.WriteString(strconv.Itoa(len(names)))
			b.WriteRune(phClose)
			names = append(names, name)
			col += utf8.RuneCountInString(line[i+1 : i+end+1])
			i += end + 1
			inWord = true
			continue
		}
		b.WriteString(line[i : i+size])
		i += size
	}
	return b.String(), names, nil
}

// usedVars returns names if any word holds a placeholder, and nil
// otherwise, so steps without variables carry nothing to expand.
func usedVars(words, names []string) []string {
	if names == nil {
		return nil
	}
	for _, w := range words {
		if hasPlaceholder(w) {
			return names
		}
	}
	return nil
}

// UndefinedVarError is a ${NAME} with no script variable or environment
// variable of that name.
type UndefinedVarError struct{ Name string }

func (e *UndefinedVarError) Error() string {
	return fmt.Sprintf("undefined variable ${%s} (define it with set or let, or in the environment)", e.Name)
}

// expand replaces the placeholders in s with the values of the names they
// index, as lookup resolves them.
func expand(s string, names []string, lookup func(string) (string, bool)) (string, error) {
	if !hasPlaceholder(s) {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.IndexRune(s, phOpen)
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		rest := s[i+utf8.RuneLen(phOpen):]
		j := strings.IndexRune(rest, phClose)
		idx, err := strconv.Atoi(rest[:max(j, 0)])
		if j < 0 || err != nil || idx < 0 || idx >= len(names) {
			// Not one of ours (a literal private-use character): keep it.
			b.WriteRune(phOpen)
			s = rest
			continue
		}
		v, ok := lookup(names[idx])
		if !ok {
			return "", &UndefinedVarError{Name: names[idx]}
		}
		b.WriteString(v)
		s = rest[j+utf8.RuneLen(phClose):]
	}
}

// splitPlain splits a line that holds none of the characters that make
// Split do more than cut at blanks (quotes, backslash, #, ;, $), giving the
// same words as Split without copying them: each word is a substring of
// line. ok is false for any other line. A blank line gives nil words.
func splitPlain(line string) (words []string, ok bool) {
	n := 0
	for i := 0; i < len(line); i++ {
		switch c := line[i]; c {
		case '\'', '"', '\\', '#', ';', '$':
			return nil, false
		case ' ', '\t', '\n', '\r':
		default:
			if i == 0 || isBlank(line[i-1]) {
				n++
			}
		}
	}
	if n == 0 {
		return nil, true
	}
	words = make([]string, 0, n)
	start := -1
	for i := 0; i < len(line); i++ {
		if isBlank(line[i]) {
			if start >= 0 {
				words = append(words, line[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		words = append(words, line[start:])
	}
	return words, true
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
