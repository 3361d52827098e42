package script

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/trovemem/trovemem/repl"
)

// NewScriptParser returns a parser that checks every command against the
// command table as it parses: an unknown command, a bad flag or a wrong
// number of arguments is a parse error, reported before anything runs.
func NewScriptParser() *ScriptParser {
	return &ScriptParser{Check: checkCommand}
}

// checkCommand vets one command as Session.Exec would read it, without
// running it. Commands whose words hold variables (literal is false) are
// checked by name only, since their flag values are not known until they
// run.
func checkCommand(words []string, literal bool) error {
	if !literal {
		_, _, err := repl.Commands().Resolve(words)
		return err
	}
	return repl.Commands().Check(words)
}

// Runner replays parsed scripts into one session.
type Runner struct {
	Session *repl.Session
	// Stdout receives each command's output as it runs (trovemem run);
	// nil discards it. Output that does not end with a newline (get prints
	// stored bytes as they are) gets one on Stdout before anything else is
	// shown, the next output, an echoed command or a failure, so lines never
	// run together on screen; assertions still see the exact bytes.
	Stdout io.Writer
	// Echo receives each command before it runs, as "+ CMD ARGS" (-v); nil
	// echoes nothing.
	Echo io.Writer
	// OnFailure, when set, hears about each failure as it happens, after
	// any unfinished line on Stdout has been ended, so a caller can report
	// it right under the output it is about.
	OnFailure func(*Failure)
	// KeepGoing runs on after a failure; the result still fails.
	KeepGoing bool
	// Update rewrites "| " blocks that differ from the actual output
	// instead of failing, when the script otherwise passes.
	Update bool
	// Record adds a "| " block with the actual output after each command
	// that succeeded, printed something and has none, so a session typed
	// by hand becomes a golden test. It rewrites no existing block (Update
	// does).
	Record bool
	// Log keeps a command log (commands, output, errors) in the result, for
	// failure reports and JUnit's system-out.
	Log bool
	// LookupEnv resolves ${NAME} when no script variable has the name; nil
	// means os.LookupEnv. [env:NAME] conditions ask it too.
	LookupEnv func(string) (string, bool)
	// Short makes [short] conditions hold (test --short).
	Short bool
	// midLine says the last output written to Stdout did not end a line.
	midLine bool
	// updates, when not nil, collects the blocks to rewrite across runs
	// (the suite's), instead of each run rewriting its own files.
	updates *updateSet
	// cur, when not nil, holds the step being run, where Current can read
	// it from another goroutine: the suite sets it, to say where a script
	// that timed out was stuck.
	cur *atomic.Pointer[curStep]
}

// curStep is a step being run, as Current reports it.
type curStep struct {
	loc Location
	cmd string
}

// current returns the location and text of the step being run, for a
// runner with cur set; ok is false before the first step. It is safe to
// call while Run runs in another goroutine.
func (r *Runner) current() (loc Location, cmd string, ok bool) {
	if r.cur == nil {
		return Location{}, "", false
	}
	c := r.cur.Load()
	if c == nil {
		return Location{}, "", false
	}
	return c.loc, c.cmd, true
}

// EndLine ends an unfinished last line of Stdout, so that whatever the
// caller prints next starts on a line of its own.
func (r *Runner) EndLine() {
	if r.midLine && r.Stdout != nil {
		io.WriteString(r.Stdout, "\n")
	}
	r.midLine = false
}

// blockUpdate is a "| " block to rewrite with the output a command gave.
type blockUpdate struct {
	from, to int // 1-based physical lines, to exclusive
	lines    []string
}

// run is the state of one Runner.Run.
type run struct {
	r       *Runner
	res     *ScriptResult
	ctx     context.Context
	stack   []Location // the source lines that led to the current script
	out     bytes.Buffer
	log     bytes.Buffer
	errText string
	// pending is the last command's result while drawing it is put off:
	// when nothing shows a command's output, it is drawn only if an
	// assertion after it reads it, so a replay that checks nothing (a
	// --load) draws nothing. pendingWords and pendingAt are the command
	// and its step, for a report should drawing it fail.
	pending      repl.Result
	pendingWords []string
	pendingAt    Location
	ran          bool // a command has run, so assertions have something to look at
	// lastWords is the last command that ran, quoted only when a report
	// needs it.
	lastWords []string
	stop      bool
	// seen holds, under Update, every block the run reached with the
	// output it got.
	seen []*seenBlock
	prog repl.Progress
	// owned says the steps' words are copies of their own, which
	// Session.ExecOwned may hand to the store (RunReader's).
	owned bool
}

// Run replays sc and reports what happened. A script stops at its first
// failure unless KeepGoing is set; an exit command ends it successfully.
func (r *Runner) Run(ctx context.Context, sc *Script) *ScriptResult {
	start := time.Now()
	st := &run{r: r, ctx: ctx, res: &ScriptResult{Path: sc.Path}}
	if r.Session.Vars == nil {
		r.Session.Vars = make(map[string]string)
	}
	st.prog = repl.StartProgress(ctx, "replay "+sc.Path, countCommands(sc))
	st.script(sc)
	st.prog.Done()
	st.res.Duration = time.Since(start)
	if r.Log {
		st.res.Log = st.log.String()
	}
	if (r.Update || r.Record) && st.res.Passed() && len(st.seen) > 0 {
		if r.updates != nil {
			r.updates.add(st.seen) // the suite rewrites once every script has run
		} else {
			u := new(updateSet)
			u.add(st.seen)
			u.apply()
		}
	}
	return st.res
}

// countCommands counts the commands sc runs, sourced scripts included,
// as the parser summed them.
func countCommands(sc *Script) int { return sc.commands }

func (st *run) script(sc *Script) {
	for _, step := range sc.Steps {
		if st.stop {
			return
		}
		if err := st.ctx.Err(); err != nil {
			st.fail(&Failure{Kind: FailCommand, Loc: st.loc(sc, step), Command: "interrupted", Msg: err.Error()})
			st.stop = true
			return
		}
		if step.Conds != nil && !st.holds(step.Conds) {
			continue
		}
		if st.r.cur != nil {
			st.r.cur.Store(&curStep{loc: st.loc(sc, step), cmd: step.text()})
		}
		switch step.Kind {
		case StepSkip:
			reason, err := st.expand(step.valT, step.Value)
			if err != nil {
				st.fail(&Failure{Kind: FailExpansion, Loc: st.loc(sc, step), Command: "skip " + step.Value, Msg: err.Error()})
				continue
			}
			st.res.Skipped, st.res.SkipReason, st.res.SkipLoc = true, reason, st.loc(sc, step)
			st.stop = true
			return
		case StepCommand:
			st.command(sc, step)
		case StepAssert:
			st.assert(sc, step)
		case StepSet:
			v, err := st.expand(step.valT, step.Value)
			if err != nil {
				st.fail(&Failure{Kind: FailExpansion, Loc: st.loc(sc, step), Command: "set " + step.Name + " " + step.Value, Msg: err.Error()})
				continue
			}
			st.r.Session.Vars[step.Name] = v
		case StepLet:
			st.let(sc, step)
		case StepSource:
			st.stack = append(st.stack, Location{File: sc.Path, Line: step.Line})
			st.script(step.Sub)
			st.stack = st.stack[:len(st.stack)-1]
		}
	}
}

// holds reports whether every condition holds.
func (st *run) holds(conds []Cond) bool {
	for _, c := range conds {
		var ok bool
		switch c.Name {
		case "short":
			ok = st.r.Short
		case "env":
			v, found := st.lookupEnv(c.Arg)
			ok = found && v != ""
		}
		if ok == c.Negate {
			return false
		}
	}
	return true
}

func (st *run) lookupEnv(name string) (string, bool) {
	if st.r.LookupEnv != nil {
		return st.r.LookupEnv(name)
	}
	return os.LookupEnv(name)
}

// text is the step as a report names it: the command as written, or the
// script form of the other kinds.
func (s *Step) text() string {
	switch s.Kind {
	case StepCommand:
		return s.display()
	case StepAssert:
		return s.Stream + " " + quotePattern(s.Pattern, s.patT)
	case StepSet:
		return "set " + s.Name + " " + s.Value
	case StepLet:
		return "let " + s.Name + " = " + s.Stream + " " + quotePattern(s.Pattern, s.patT)
	case StepSource:
		return "source " + s.Sub.Path
	case StepSkip:
		return "skip"
	}
	return ""
}

// loc is where step is, with the chain of source lines, innermost first.
func (st *run) loc(sc *Script, step *Step) Location {
	l := Location{File: sc.Path, Line: step.Line}
	for i := len(st.stack) - 1; i >= 0; i-- {
		l.From = append(l.From, st.stack[i])
	}
	return l
}

func (st *run) fail(f *Failure) {
	st.res.Failures = append(st.res.Failures, f)
	if st.r.OnFailure != nil {
		st.r.EndLine()
		st.r.OnFailure(f)
	}
	if st.r.Log {
		st.log.WriteString("FAIL: ")
		st.log.WriteString(f.Report())
		st.log.WriteByte('\n')
	}
	if !st.r.KeepGoing {
		st.stop = true
		st.res.Stopped = true
	}
}

func (st *run) lookup(name string) (string, bool) {
	if v, ok := st.r.Session.Vars[name]; ok {
		return v, true
	}
	return st.lookupEnv(name)
}

// expand returns the text of a word, pattern or value: s itself when it
// has no template t, and t built from the variables' values otherwise.
func (st *run) expand(t template, s string) (string, error) {
	if t == nil {
		return s, nil
	}
	return t.expand(st.lookup)
}

func (st *run) command(sc *Script, step *Step) {
	words := step.Words
	if step.wordT != nil {
		words = make([]string, len(step.Words))
		for i, w := range step.Words {
			v, err := st.expand(step.wordT[i], w)
			if err != nil {
				st.fail(&Failure{Kind: FailExpansion, Loc: st.loc(sc, step), Command: step.display(), Msg: err.Error()})
				return
			}
			words[i] = v
		}
	}
	if st.r.Echo != nil || st.r.Log {
		line := repl.ShowWords(words)
		if st.r.Echo != nil {
			st.r.EndLine()
			fmt.Fprintf(st.r.Echo, "+ %s\n", line)
		}
		if st.r.Log {
			st.log.WriteString("> ")
			st.log.WriteString(line)
			st.log.WriteByte('\n')
		}
	}

	st.out.Reset()
	st.errText = ""
	st.pending = nil
	st.ran = true
	st.res.Commands++
	st.prog.Add(1)
	var (
		v   repl.Result
		err error
	)
	if st.owned && step.wordT == nil {
		// Words the parser copied out one by one (RunReader): the store
		// may keep them. A step run twice (a file sourced twice) puts two
		// objects that share bytes nobody writes.
		v, err = st.r.Session.ExecOwned(st.ctx, words)
	} else {
		v, err = st.r.Session.Exec(st.ctx, words)
	}
	if err == nil {
		if st.deferRender(step, v) {
			st.pending, st.pendingWords, st.pendingAt = v, words, st.loc(sc, step)
		} else {
			err = st.r.Session.Render(&st.out, v)
		}
	}
	if page, ok := v.(*repl.ObjectPage); ok && err == nil {
		st.r.Session.Vars["cursor"] = page.NextCursor
	}
	if errors.Is(err, repl.ErrExit) {
		st.stop = true
		st.res.Exited = true
		return
	}
	if err != nil {
		st.errText = "error: " + err.Error() + "\n"
	}
	if st.r.Stdout != nil && st.out.Len() > 0 {
		st.r.EndLine()
		st.r.Stdout.Write(st.out.Bytes())
		st.r.midLine = st.out.Bytes()[st.out.Len()-1] != '\n'
	}
	if st.r.Log {
		st.log.Write(st.out.Bytes())
		if st.out.Len() > 0 && st.out.Bytes()[st.out.Len()-1] != '\n' {
			st.log.WriteByte('\n')
		}
		st.log.WriteString(st.errText)
	}
	if err != nil || step.Expect == ExpectFailure {
		if st.checkOutcome(sc, step, words, err) {
			return
		}
		st.echoExpected(step, err)
	}
	if !step.HasBlock && st.r.Record && step.canBlock && step.Expect == ExpectSuccess && err == nil && st.out.Len() > 0 {
		// An empty range at the line after the command: the block is
		// inserted there.
		loc := st.loc(sc, step)
		loc.Line = step.endLine + 1
		st.seen = append(st.seen, &seenBlock{sc: sc, from: step.endLine + 1, to: step.endLine + 1,
			lines: outputLines(st.out.String()), changed: true, loc: loc, res: st.res})
	}
	if step.HasBlock {
		got := outputLines(st.out.String())
		same := sameLines(step.Block, got)
		if st.r.Update {
			// Blocks that match are recorded too: a helper sourced by
			// another script must not be rewritten under this one.
			loc := st.loc(sc, step)
			loc.Line = step.BlockFrom
			st.seen = append(st.seen, &seenBlock{sc: sc, from: step.BlockFrom, to: step.BlockTo,
				lines: got, changed: !same, loc: loc, res: st.res})
			if !same {
				return
			}
		}
		if !same {
			msg := fmt.Sprintf("output differs from the | block (command at line %d)", step.Line)
			if len(got) == 0 {
				msg += " (the command printed nothing; ! stdout . asserts that)"
			}
			// The report points at the first line that differs, and spans
			// the block, so editors and annotations land on the difference.
			loc := st.loc(sc, step)
			loc.Line = step.BlockFrom + firstDiff(step.Block, got)
			if loc.Line >= step.BlockTo {
				loc.Line = step.BlockTo - 1
			}
			st.fail(&Failure{Kind: FailOutput, Loc: loc, EndLine: step.BlockTo - 1, Command: repl.ShowWords(words),
				Msg: msg, Detail: unifiedDiff(step.Block, got)})
		}
	}
	st.lastWords = words
}

// deferRender reports whether drawing v can wait until an assertion asks
// for it: nothing shows the output as the command runs (Stdout, the log),
// nothing compares it right after (a block, --record, --update, a "!"
// command's report), and v is data already in hand, not content streamed
// from the store, whose reader drawing closes.
func (st *run) deferRender(step *Step, v repl.Result) bool {
	r := st.r
	if v == nil || r.Stdout != nil || r.Log || r.Record || r.Update || step.HasBlock || step.Expect == ExpectFailure {
		return false
	}
	_, content := v.(*repl.Content)
	return !content
}

// drawPending draws a result whose drawing was put off, before an
// assertion reads the output. Drawing into a buffer fails only on a bug;
// should it, the command is reported as failed, as it would have been
// had it been drawn when it ran.
func (st *run) drawPending() bool {
	v := st.pending
	if v == nil {
		return true
	}
	st.pending = nil
	if err := st.r.Session.Render(&st.out, v); err != nil {
		st.out.Reset()
		st.errText = "error: " + err.Error() + "\n"
		st.fail(&Failure{Kind: FailCommand, Loc: st.pendingAt, Command: repl.ShowWords(st.pendingWords), Msg: "unexpected failure: " + err.Error()})
		return false
	}
	return true
}

// checkOutcome fails the step when the command's outcome is not the one
// its prefix asks for, and reports whether it did. It is called only when
// the command failed or had to, so the common case costs nothing.
func (st *run) checkOutcome(sc *Script, step *Step, words []string, err error) bool {
	st.lastWords = nil
	var ie *repl.InternalError
	var ue *repl.UsageError
	switch {
	case errors.As(err, &ie):
		// A panic is a bug in trovemem, never the failure a script expects.
		st.fail(&Failure{Kind: FailCommand, Loc: st.loc(sc, step), Command: repl.ShowWords(words), Msg: err.Error()})
	case err != nil && step.Expect == ExpectSuccess:
		kind := FailCommand
		if errors.As(err, &ue) {
			kind = FailUsage
		}
		st.fail(&Failure{Kind: kind, Loc: st.loc(sc, step), Command: repl.ShowWords(words),
			Msg: "unexpected failure: " + err.Error(), Detail: outputDetail("stdout", st.out.String())})
	case err == nil && step.Expect == ExpectFailure:
		st.fail(&Failure{Kind: FailSucceeded, Loc: st.loc(sc, step), Command: repl.ShowWords(words),
			Msg: "succeeded, but it must fail (it is marked with !)", Detail: outputDetail("stdout", st.out.String())})
	default:
		return false
	}
	return true
}

// echoExpected shows, under the echoed command (-v), the error a ! or ?
// command failed with as it was allowed to: without it a reader of -v sees
// the command but not why it failed, and cannot tell the failure expected
// from another one.
func (st *run) echoExpected(step *Step, err error) {
	if st.r.Echo == nil || err == nil {
		return
	}
	mark := "!"
	if step.Expect == ExpectEither {
		mark = "?"
	}
	fmt.Fprintf(st.r.Echo, "  error (allowed by %s): %s\n", mark, err.Error())
}

// outputDetail shows a stream's content for a failure report, or nothing
// when it is empty.
func outputDetail(name, text string) string {
	if text == "" {
		return name + ": (empty)"
	}
	return name + ":\n" + indent(text, "  ")
}

// maxDetailLines bounds the output a failed regexp assertion shows: enough
// to see what came out, not a whole listing in a CI log.
const maxDetailLines = 20

// shortDetail is outputDetail with at most maxDetailLines lines, saying
// how many more there were.
func shortDetail(name, text string) string {
	lines := outputLines(text)
	if len(lines) <= maxDetailLines {
		return outputDetail(name, text)
	}
	more := len(lines) - maxDetailLines
	return outputDetail(name, strings.Join(lines[:maxDetailLines], "\n")+"\n") +
		fmt.Sprintf("\n  … and %d more %s (%d in all)", more, plural(more, "line"), len(lines))
}

// count is "1 NOUN" or "N NOUNs".
func count(n int, noun string) string { return strconv.Itoa(n) + " " + plural(n, noun) }

// plural is noun for 1, and its plural otherwise.
func plural(n int, noun string) string {
	switch {
	case n == 1:
		return noun
	case strings.HasSuffix(noun, "ch"):
		return noun + "es"
	}
	return noun + "s"
}

// firstDiff is the index of the first line where want and got differ.
func firstDiff(want, got []string) int {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	return i
}

// stream returns the text an assertion on name looks at: the last command's
// rendered output, or its error message.
func (st *run) stream(name string) string {
	if name == "stderr" {
		return st.errText
	}
	return st.out.String()
}

func (st *run) pattern(sc *Script, step *Step, what string) (*regexp.Regexp, bool) {
	if step.re != nil {
		return step.re, true
	}
	p, err := st.expand(step.patT, step.Pattern)
	if err == nil {
		var re *regexp.Regexp
		if re, err = compilePattern(p); err == nil {
			return re, true
		}
	}
	st.fail(&Failure{Kind: FailExpansion, Loc: st.loc(sc, step), Command: what, Msg: err.Error()})
	return nil, false
}

func (st *run) assert(sc *Script, step *Step) {
	what := step.Stream + " " + quotePattern(step.Pattern, step.patT)
	if step.Negate {
		what = "! " + what
	}
	if !st.ran {
		st.fail(&Failure{Kind: FailAssertion, Loc: st.loc(sc, step), Command: what, Msg: "no command has run yet to check"})
		return
	}
	if !st.drawPending() {
		return
	}
	re, ok := st.pattern(sc, step, what)
	if !ok {
		return
	}
	text := st.stream(step.Stream)
	of := ""
	if st.lastWords != nil {
		of = " of " + repl.ShowWords(st.lastWords)
	}
	var msg string
	if step.Count >= 0 {
		n := len(re.FindAllStringIndex(text, -1))
		if n == step.Count {
			return
		}
		what = step.Stream + " -count=" + strconv.Itoa(step.Count) + " " + quotePattern(step.Pattern, step.patT)
		msg = fmt.Sprintf("%s in the %s%s, want %d", count(n, "match"), step.Stream, of, step.Count)
	} else {
		matched := re.FindStringSubmatch(text) != nil
		if matched == !step.Negate {
			return
		}
		msg = fmt.Sprintf("no match in the %s%s", step.Stream, of)
		if step.Negate {
			msg = fmt.Sprintf("the %s%s matches, but must not", step.Stream, of)
		}
	}
	st.fail(&Failure{Kind: FailAssertion, Loc: st.loc(sc, step), Command: what, Msg: msg, Detail: shortDetail(step.Stream, text)})
}

func (st *run) let(sc *Script, step *Step) {
	what := "let " + step.Name + " = " + step.Stream + " " + quotePattern(step.Pattern, step.patT)
	if !st.ran {
		st.fail(&Failure{Kind: FailAssertion, Loc: st.loc(sc, step), Command: what, Msg: "no command has run yet to capture from"})
		return
	}
	if !st.drawPending() {
		return
	}
	re, ok := st.pattern(sc, step, what)
	if !ok {
		return
	}
	text := st.stream(step.Stream)
	m := re.FindStringSubmatch(text)
	if m == nil {
		st.fail(&Failure{Kind: FailAssertion, Loc: st.loc(sc, step), Command: what,
			Msg: "no match in the " + step.Stream, Detail: shortDetail(step.Stream, text)})
		return
	}
	v := m[0]
	if len(m) > 1 {
		v = m[1]
	}
	st.r.Session.Vars[step.Name] = v
}

// rewrite returns the script's text with each updated block replaced by
// the actual output.
func (sc *Script) rewrite(updates []blockUpdate) []byte {
	byFrom := make(map[int]blockUpdate, len(updates))
	for _, u := range updates {
		byFrom[u.from] = u
	}
	eol := "\n"
	if sc.crlf {
		eol = "\r\n"
	}
	var b strings.Builder
	writeBlock := func(u blockUpdate) {
		for _, l := range u.lines {
			if l == "" {
				b.WriteString("|")
			} else {
				b.WriteString("| ")
				b.WriteString(l)
			}
			b.WriteString(eol)
		}
	}
	for i := 0; i < len(sc.lines); {
		if u, ok := byFrom[i+1]; ok {
			writeBlock(u)
			if u.to > u.from {
				i = u.to - 1
				continue
			}
			// A block recorded anew (from == to) goes before line i,
			// which stays.
		}
		b.WriteString(sc.lines[i])
		b.WriteString(eol)
		i++
	}
	if u, ok := byFrom[len(sc.lines)+1]; ok {
		writeBlock(u) // after a command on the last line
	}
	return []byte(b.String())
}

// display is the command as written, variables shown as ${NAME}, for
// reports about a command that could not be expanded.
func (s *Step) display() string {
	q := make([]string, len(s.Words))
	for i, w := range s.Words {
		if s.wordT != nil && s.wordT[i] != nil {
			q[i] = w
		} else {
			q[i] = repl.Quote(repl.ShowWord(w))
		}
	}
	return strings.Join(q, " ")
}

// quotePattern shows an assertion's pattern the way scripts usually write
// it, in single quotes; one with variables as written.
func quotePattern(p string, t template) string {
	if t != nil {
		return p
	}
	if !strings.ContainsAny(p, "'\n\r") {
		return "'" + p + "'"
	}
	return repl.Quote(p)
}
