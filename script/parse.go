package script

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/trovemem/trovemem/repl"
)

// A .trove script is the REPL's line syntax plus a few script-only forms:
//
//	! CMD                  CMD must fail
//	? CMD                  CMD may fail or succeed
//	stdout 'RE'            the last command's output matches RE
//	stdout -count=N 'RE'   ... has exactly N matches of RE
//	! stdout 'RE'          ... does not match RE
//	stderr 'RE'            the last command's error message matches RE
//	| text                 exact expected output of the command above
//	set NAME VALUE         defines ${NAME}
//	let NAME = stdout 'RE' defines ${NAME} from RE's first group
//	source FILE            runs FILE (relative to this file) in the same store
//	skip "reason"          ends the script here, reported as skipped
//	[COND] STEP            runs STEP only when COND holds: short (test
//	                       --short), env:NAME (NAME is set and not empty),
//	                       or either negated with !, as in [!short]
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
	StepSkip                    // skip "reason"
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

	// Words is the command (StepCommand) without its ! or ? prefix. A word
	// that refers to variables is shown here as written, ${NAME} and all.
	Words []string
	// wordT holds, per word, the template of a word that refers to
	// variables (nil for a literal word); wordT itself is nil when no word
	// does, which lets the runner skip expansion entirely.
	wordT []template

	// Stream is "stdout" or "stderr" for StepAssert and StepLet.
	Stream string
	// Negate marks "! stdout 'RE'".
	Negate bool
	// Count, when not negative, is the number of matches "stdout
	// -count=N 'RE'" asks for; -1 asks only for one or more.
	Count int
	// Pattern is the regular expression of StepAssert and StepLet; re is it
	// compiled, when it needs no expansion, and patT its template when it
	// does.
	Pattern string
	re      *regexp.Regexp
	patT    template

	// Block is the expected output of a command: its "| " lines without the
	// marker. HasBlock tells an absent block from an empty one.
	Block    []string
	HasBlock bool
	// BlockFrom and BlockTo are the 1-based physical lines the block spans
	// (BlockTo exclusive), which --update replaces.
	BlockFrom, BlockTo int
	// endLine is the last physical line of the command's logical line, after
	// which --record inserts a block; canBlock says the command is the last
	// of its line, the one a block there would belong to.
	endLine  int
	canBlock bool

	// Name and Value are the variable of StepSet and StepLet; valT is
	// Value's template when it refers to variables.
	Name, Value string
	valT        template

	// Sub is the parsed script of StepSource.
	Sub *Script

	// Conds are the [COND] prefixes that must all hold for the step to
	// run; a step whose conditions fail is passed over, its block too.
	Conds []Cond
}

// Cond is one [COND] prefix: a condition name (short, env) with its
// argument (env's variable name), negated by a leading !.
type Cond struct {
	Negate bool
	Name   string
	Arg    string
}

// String is the condition as written, [!env:NAME] say.
func (c Cond) String() string {
	s := "["
	if c.Negate {
		s += "!"
	}
	s += c.Name
	if c.Arg != "" {
		s += ":" + c.Arg
	}
	return s + "]"
}

// parseCond reads a word written [COND] as a condition; ok is false for
// any other word.
func parseCond(w string) (c Cond, ok bool, err error) {
	if len(w) < 2 || w[0] != '[' || w[len(w)-1] != ']' {
		return Cond{}, false, nil
	}
	body := w[1 : len(w)-1]
	if strings.HasPrefix(body, "!") {
		c.Negate, body = true, body[1:]
	}
	name, arg, _ := strings.Cut(body, ":")
	switch name {
	case "short":
		if arg != "" {
			return c, true, fmt.Errorf("condition %s takes no argument", w)
		}
	case "env":
		if !repl.ValidVarName(arg) {
			return c, true, fmt.Errorf("condition %s: want [env:NAME], NAME letters, digits and _", w)
		}
	default:
		return c, true, fmt.Errorf("unknown condition %s (want [short], [env:NAME], or either negated as [!short])", w)
	}
	c.Name, c.Arg = name, arg
	return c, true, nil
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
	// commands and expanded count the commands and the steps the script
	// runs, sourced scripts included: sums over a cached parse, so a file
	// sourced many times is counted, not walked, each time.
	commands, expanded int
}

// MaxExpandedSteps caps the steps a script may expand to through source.
// Sourcing is the one way a short file can ask for unbounded work (30
// files each sourcing the next twice is a billion steps), so a script that
// would run more is refused before anything runs. A dump of 10 million
// objects stays well below it.
const MaxExpandedSteps = 50_000_000

// ErrTooManySteps is the parse error of a script past MaxExpandedSteps.
var ErrTooManySteps = errors.New("script expands to too many steps")

// ParseError is one problem found while parsing a script. From is the
// chain of source lines that led to File, innermost first, so an error in
// a sourced file says which script pulled it in.
type ParseError struct {
	File      string
	Line, Col int
	Msg       string
	From      []Location
}

// Error is "FILE:LINE:COL: message (from …)", control characters escaped
// as in failure reports, since it is printed to terminals.
func (e *ParseError) Error() string {
	return escapeControl(fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg) + chainString(e.From))
}

// Top is where the error sits in the script that was asked for: the error
// itself, or the outermost source line that led to it. Reports that name
// one line per script (JUnit) use it.
func (e *ParseError) Top() Location {
	if n := len(e.From); n > 0 {
		return e.From[n-1]
	}
	return Location{File: e.File, Line: e.Line}
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
const StdinName = repl.StdinName

// ScriptParser parses scripts. The zero value accepts any command;
// NewScriptParser checks commands against the command table.
type ScriptParser struct {
	// Check vets a command's words at parse time: an unknown command is an
	// error before anything runs. When literal is false some words refer to
	// variables, whose values are not known until the step runs, and appear
	// as written (${NAME}); only the command's name can be checked then.
	// Nil accepts every command.
	Check func(words []string, literal bool) error
	// ReadFile reads a sourced file; nil means os.ReadFile.
	ReadFile func(path string) ([]byte, error)

	stack []string   // absolute paths of the scripts being parsed, outermost first
	from  []Location // the source lines that led to the script being parsed, outermost first
	errs  []*ParseError
	// cache holds each sourced file parsed once, by absolute path: a file
	// sourced from many places is read and parsed once, its steps shared.
	cache map[string]*Script
	// lexer reads each line; the words are copied out before the next.
	lexer repl.Lexer
	// own copies every string a step keeps out of the lines it is parsed
	// from, each word on its own: RunReader's lines are views of a buffer
	// the next chunk reuses, and a word that is its own allocation can be
	// handed to the store as it is (Session.ExecOwned).
	own bool
	// slab, when slabbed is set, is where step takes the steps of the
	// chunk being parsed, from a buffer the caller recycles once the chunk
	// is done with (CheckReader's workers, RunReader), so a streamed
	// script allocates no step per line. A sourced file's steps, which
	// the cache keeps, never come from it.
	slab    []Step
	slabbed bool
	// cmdBuf is room for a line's commands, reused from line to line.
	cmdBuf []splitCmd
	// checked is what the last CheckReader passed.
	checked checked
}

// newStep returns a zero Step, from the slab when there is one.
func (p *ScriptParser) newStep() *Step {
	if !p.slabbed {
		return new(Step)
	}
	if len(p.slab) == cap(p.slab) {
		// Steps already handed out keep the full slab alive.
		p.slab = make([]Step, 0, max(256, 2*cap(p.slab)))
	}
	p.slab = p.slab[:len(p.slab)+1]
	st := &p.slab[len(p.slab)-1]
	*st = Step{}
	return st
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
	p.from = nil
	p.cache = nil
	sc := p.parse(name, src)
	if sc.expanded > MaxExpandedSteps {
		p.errorf(name, 1, 1, "%v: more than %d (sourced files repeat each other's steps)", ErrTooManySteps, MaxExpandedSteps)
	}
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
	var from []Location
	for i := len(p.from) - 1; i >= 0; i-- {
		from = append(from, p.from[i])
	}
	p.errs = append(p.errs, &ParseError{File: file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...), From: from})
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
	lines, crlf := splitLines(src)
	return p.parseLines(name, lines, crlf, 0)
}

// parseLines parses the physical lines of a script, the first of which is
// line offset+1 of the file: a whole file (offset 0), or one chunk of a
// file read a chunk at a time.
func (p *ScriptParser) parseLines(name string, lines []string, crlf bool, offset int) *Script {
	abs := name
	if name != StdinName {
		if a, err := filepath.Abs(name); err == nil {
			abs = a
		}
	}
	p.stack = append(p.stack, abs)
	defer func() { p.stack = p.stack[:len(p.stack)-1] }()

	sc := &Script{Path: name, lines: lines, crlf: crlf}
	// last is the command that a following "| " line belongs to; any other
	// line in between ends its chance to have a block.
	var last *Step
	var cont repl.Continuation
	for i := 0; i < len(lines); i++ {
		lineNo := offset + i + 1
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
				content = p.keep(text[2:])
			}
			last.Block = append(last.Block, content)
			last.BlockTo = lineNo + 1
			continue
		}
		last = nil
		logical := text
		if cont.Continue(text) && i+1 < len(lines) {
			// Joined in one builder, each line checked alone: linear in
			// the length of the logical line.
			var b strings.Builder
			b.WriteString(text)
			for more := true; more && i+1 < len(lines); {
				i++
				more = cont.Next(lines[i])
				b.WriteString(repl.JoinContinued("", lines[i]))
			}
			logical = b.String()
		}
		// The buffer is taken while its commands are read, since a source
		// line parses another file with this parser.
		cmds, err := splitWordsWith(&p.lexer, logical, p.own, p.cmdBuf)
		p.cmdBuf = nil
		if err != nil {
			var se *repl.SyntaxError
			if errors.As(err, &se) {
				p.errorf(name, lineNo, se.Col, "%s", se.Msg)
			} else {
				p.errorf(name, lineNo, 1, "%v", err)
			}
			continue
		}
		for ci, cmd := range cmds {
			st := p.step(name, lineNo, logical, cmd.words, cmd.tmpl)
			if st == nil {
				last = nil
				continue
			}
			st.endLine, st.canBlock = offset+i+1, ci == len(cmds)-1
			sc.Steps = append(sc.Steps, st)
			sc.expanded++
			switch st.Kind {
			case StepCommand:
				sc.commands++
			case StepSource:
				// Saturating sums: a fan-out can overflow an int.
				sc.commands = min(sc.commands+st.Sub.commands, MaxExpandedSteps+1)
				sc.expanded = min(sc.expanded+st.Sub.expanded, MaxExpandedSteps+1)
			}
			if st.Kind == StepCommand {
				last = st
			} else {
				last = nil
			}
		}
		clear(cmds)
		p.cmdBuf = cmds[:0]
	}
	return sc
}

// step parses one command's words into a step, or records an error and
// returns nil. tmpl, when not nil, holds the template of each word that
// refers to variables; such a word is shown in words as written.
func (p *ScriptParser) step(file string, line int, text string, words []string, tmpl []template) *Step {
	st := p.newStep()
	st.Line, st.Count = line, -1
	for len(words) > 0 && (tmpl == nil || tmpl[0] == nil) {
		c, ok, err := parseCond(words[0])
		if !ok {
			break
		}
		if err != nil {
			p.errorf(file, line, wordCol(text, words[0]), "%v", err)
			return nil
		}
		st.Conds = append(st.Conds, c)
		words = words[1:]
		if tmpl != nil {
			tmpl = tmpl[1:]
		}
	}
	if len(words) == 0 {
		p.errorf(file, line, 1, "a condition needs a step after it")
		return nil
	}
	col := func(i int) int {
		if tmpl != nil && tmpl[i] != nil {
			return wordCol(text, "")
		}
		return wordCol(text, words[i])
	}
	if tmpl == nil || tmpl[0] == nil {
		switch words[0] {
		case "!":
			st.Expect = ExpectFailure
		case "?":
			st.Expect = ExpectEither
		}
	}
	if st.Expect != ExpectSuccess {
		words = words[1:]
		if tmpl != nil {
			tmpl = tmpl[1:]
		}
	}
	if len(words) == 0 {
		p.errorf(file, line, 1, "%q needs a command after it", map[Expect]string{ExpectFailure: "!", ExpectEither: "?"}[st.Expect])
		return nil
	}
	if !hasTemplate(tmpl) {
		tmpl = nil
	}
	// lit is the word at i when it is literal, and "" when it refers to
	// variables, so no keyword test ever matches a variable.
	lit := func(i int) string {
		if tmpl != nil && tmpl[i] != nil {
			return ""
		}
		return words[i]
	}
	at := func(i int) template {
		if tmpl == nil {
			return nil
		}
		return tmpl[i]
	}
	prefixed := st.Expect != ExpectSuccess
	name := lit(0)
	switch name {
	case "stdout", "stderr":
		if st.Expect == ExpectEither {
			p.errorf(file, line, 1, "\"?\" does not apply to an assertion; use \"!\" to negate it")
			return nil
		}
		if len(words) == 3 && strings.HasPrefix(lit(1), "-count=") {
			n, err := strconv.Atoi(strings.TrimPrefix(lit(1), "-count="))
			if err != nil || n < 0 {
				p.errorf(file, line, col(1), "%s: -count wants a number of matches, 0 or more", name)
				return nil
			}
			if st.Expect == ExpectFailure {
				p.errorf(file, line, 1, "\"!\" does not apply to %s -count=N; -count=0 says there is no match", name)
				return nil
			}
			st.Count = n
			words, tmpl = append([]string{words[0]}, words[2:]...), dropWord(tmpl, 1)
		}
		if len(words) != 2 {
			p.errorf(file, line, col(0), "usage: [!] %s [-count=N] 'REGEXP'", name)
			return nil
		}
		st.Kind, st.Stream, st.Pattern, st.patT = StepAssert, name, words[1], at(1)
		st.Negate, st.Expect = st.Expect == ExpectFailure, ExpectSuccess
		if !p.compile(st, file, line, col(0)) {
			return nil
		}
		return st
	case "set":
		if prefixed {
			p.errorf(file, line, 1, "set cannot fail; drop the %q", map[Expect]string{ExpectFailure: "!", ExpectEither: "?"}[st.Expect])
			return nil
		}
		if len(words) != 3 || !repl.ValidVarName(lit(1)) {
			p.errorf(file, line, col(0), "usage: set NAME VALUE (NAME is letters, digits and _)")
			return nil
		}
		st.Kind, st.Name, st.Value, st.valT = StepSet, words[1], words[2], at(2)
		return st
	case "let":
		if prefixed {
			p.errorf(file, line, 1, "let cannot be prefixed with ! or ?")
			return nil
		}
		if len(words) != 5 || !repl.ValidVarName(lit(1)) || lit(2) != "=" || (lit(3) != "stdout" && lit(3) != "stderr") {
			p.errorf(file, line, col(0), "usage: let NAME = stdout 'REGEXP(GROUP)'")
			return nil
		}
		st.Kind, st.Name, st.Stream, st.Pattern, st.patT = StepLet, words[1], words[3], words[4], at(4)
		if !p.compile(st, file, line, col(0)) {
			return nil
		}
		return st
	case "skip":
		if prefixed {
			p.errorf(file, line, 1, "skip cannot be prefixed with ! or ?")
			return nil
		}
		if len(words) > 2 {
			p.errorf(file, line, col(0), "usage: skip [\"REASON\"] (quote a reason of several words)")
			return nil
		}
		st.Kind = StepSkip
		if len(words) == 2 {
			st.Value, st.valT = words[1], at(1)
		}
		return st
	case "source":
		if prefixed {
			p.errorf(file, line, 1, "source cannot be prefixed with ! or ?")
			return nil
		}
		if len(words) != 2 {
			p.errorf(file, line, col(0), "usage: source FILE")
			return nil
		}
		if tmpl != nil {
			p.errorf(file, line, col(0), "source takes a literal file name, not a variable")
			return nil
		}
		st.Kind = StepSource
		st.Sub = p.source(file, line, col(0), words[1])
		if st.Sub == nil {
			return nil
		}
		return st
	}
	st.Kind = StepCommand
	st.Words = words
	st.wordT = tmpl
	if name != "" && p.Check != nil {
		if err := p.Check(words, tmpl == nil); err != nil {
			p.errorf(file, line, col(0), "%v", err)
			return nil
		}
	}
	return st
}

// compile compiles an assertion's pattern now when it has no variables, so
// a bad regexp is a parse error rather than a failure halfway through.
func (p *ScriptParser) compile(st *Step, file string, line, col int) bool {
	if st.patT != nil {
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
				chain = append(chain, displayPath(f))
			}
			chain = append(chain, displayPath(abs))
			p.errorf(file, line, col, "source %s: %v: %s", repl.Quote(target), ErrSourceCycle, strings.Join(chain, " -> "))
			return nil
		}
	}
	if sc, ok := p.cache[abs]; ok {
		return sc
	}
	src, err := p.readFile(path)
	if err != nil {
		p.errorf(file, line, col, "source %s: %v", repl.Quote(target), err)
		return nil
	}
	p.from = append(p.from, Location{File: file, Line: line})
	slabbed := p.slabbed
	p.slabbed = false // the cache keeps these steps
	defer func() { p.from, p.slabbed = p.from[:len(p.from)-1], slabbed }()
	sc := p.parse(path, src)
	if p.cache == nil {
		p.cache = make(map[string]*Script)
	}
	p.cache[abs] = sc
	return sc
}

// displayPath shows an absolute script path relative to the working
// directory, so that two files of the same name in different folders are
// told apart in a cycle's chain without the noise of absolute paths.
func displayPath(abs string) string {
	wd, err := os.Getwd()
	if err != nil {
		return abs
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil {
		return abs
	}
	return rel
}

// wordCol guesses the 1-based column of word in the line, for messages
// about a word after Split has dropped positions: the first place the text
// appears, or the first non-blank column.
func wordCol(line, word string) int {
	if i := strings.Index(line, word); i >= 0 && word != "" {
		return utf8.RuneCountInString(line[:i]) + 1
	}
	return len(line) - len(strings.TrimLeft(line, " \t")) + 1
}

// Variables are expanded after splitting, so a value with blanks or quotes
// stays one word and can never inject syntax. A word that refers to
// variables is kept as a template: its literal parts, already unquoted,
// and the names between them, which the runner looks up just before the
// step runs. Single quotes and a backslash keep ${...} literal, as in a
// shell. Nothing is marked inside the text itself, so no character a
// script may hold (a private-use one, say) is ever taken for a variable.

// template is a word that refers to variables: its parts in order.
type template []tpart

// tpart is literal text, or the name of a variable when ref is set.
type tpart struct {
	text string
	ref  bool
}

// String shows the template as a script would write it: the literal text
// with ${NAME} for each variable.
func (t template) String() string {
	var b strings.Builder
	for _, p := range t {
		if p.ref {
			b.WriteString("${" + p.text + "}")
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String()
}

// UndefinedVarError is a ${NAME} with no script variable or environment
// variable of that name.
type UndefinedVarError struct{ Name string }

func (e *UndefinedVarError) Error() string {
	return fmt.Sprintf("undefined variable ${%s} (define it with set or let, or in the environment)", e.Name)
}

// expand builds the word, with each variable's value as lookup resolves
// it.
func (t template) expand(lookup func(string) (string, bool)) (string, error) {
	if len(t) == 1 && t[0].ref {
		v, ok := lookup(t[0].text)
		if !ok {
			return "", &UndefinedVarError{Name: t[0].text}
		}
		return v, nil
	}
	var b strings.Builder
	for _, p := range t {
		if !p.ref {
			b.WriteString(p.text)
			continue
		}
		v, ok := lookup(p.text)
		if !ok {
			return "", &UndefinedVarError{Name: p.text}
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// dropWord removes the template of word i, keeping ts nil when it is.
func dropWord(ts []template, i int) []template {
	if ts == nil {
		return nil
	}
	return append(ts[:i:i], ts[i+1:]...)
}

func hasTemplate(ts []template) bool {
	for _, t := range ts {
		if t != nil {
			return true
		}
	}
	return false
}

// splitCmd is one command of a line split by splitWords: its words, and
// per word the template of one that refers to variables (tmpl is nil when
// none does).
type splitCmd struct {
	words []string
	tmpl  []template
}

// splitWords splits a logical line with repl's lexer, keeping each
// ${NAME} outside single quotes as a variable reference. Quoting errors
// and malformed references are *repl.SyntaxErrors at their columns.
func splitWords(line string) ([]splitCmd, error) {
	return splitWordsWith(new(repl.Lexer), line, false, nil)
}

// keep is s, copied when the parser owns what it keeps.
func (p *ScriptParser) keep(s string) string {
	if p.own {
		return strings.Clone(s)
	}
	return s
}

// splitWordsWith is splitWords reading the line with lexer, which it is
// done with when it returns: the words are the line's substrings or new
// strings, never the lexer's storage; with own, each word and template
// part is a copy of its own. The commands are appended to buf[:0].
func splitWordsWith(lexer *repl.Lexer, line string, own bool, buf []splitCmd) ([]splitCmd, error) {
	lx, err := lexer.Lex(line, repl.LexOptions{Refs: true})
	if err != nil {
		return nil, err
	}
	// The words of every command share one slice, which the steps keep;
	// the commands are a slice of their own, since a step keeps only its
	// words and a parsed script holds a step per line.
	n := 0
	for _, words := range lx.Cmds {
		n += len(words)
	}
	cmds, all := slices.Grow(buf[:0], len(lx.Cmds))[:len(lx.Cmds)], make([]string, n)
	for i, words := range lx.Cmds {
		c := &cmds[i]
		*c = splitCmd{}
		c.words, all = all[:len(words):len(words)], all[len(words):]
		for j, w := range words {
			c.words[j] = w.Text()
			if own {
				c.words[j] = strings.Clone(c.words[j])
			}
			if !w.HasRef() {
				continue
			}
			if c.tmpl == nil {
				c.tmpl = make([]template, len(words))
			}
			c.tmpl[j] = newTemplate(w, own)
		}
	}
	return cmds, nil
}

// newTemplate makes the template of a word that refers to variables:
// literal text (quoted or not) merged between the references.
func newTemplate(w repl.Word, own bool) template {
	var t template
	for _, f := range w.Frags {
		text := f.Text
		if own {
			text = strings.Clone(text)
		}
		switch {
		case f.Kind == repl.FragRef:
			t = append(t, tpart{text: text, ref: true})
		case len(t) > 0 && !t[len(t)-1].ref:
			t[len(t)-1].text += text
		default:
			t = append(t, tpart{text: text})
		}
	}
	return t
}
