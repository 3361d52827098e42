package script

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/trovemem/trovemem/repl"
)

// streamChunkLines is how many lines a streamed script is parsed and run
// in at a time: enough that per-chunk work vanishes, few enough that a
// chunk of dump lines (1 KiB objects) is a few megabytes.
const streamChunkLines = 4096

// chunkReader cuts a script into chunks of whole logical lines, each
// command with its "| " block, so a chunk parses exactly as it would in
// the whole file.
type chunkReader struct {
	r       *bufio.Reader
	next    string // a line read ahead, not yet in a chunk
	hasNext bool
	offset  int // lines handed out so far
	crlf    bool
	err     error
}

func newChunkReader(r io.Reader) *chunkReader {
	return &chunkReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// readLine returns the next physical line without its line end.
func (c *chunkReader) readLine() (string, bool) {
	if c.hasNext {
		c.hasNext = false
		return c.next, true
	}
	if c.err != nil {
		return "", false
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		c.err = err
		if line == "" {
			return "", false
		}
	}
	line = strings.TrimSuffix(line, "\n")
	if strings.HasSuffix(line, "\r") {
		line, c.crlf = line[:len(line)-1], true
	}
	return line, true
}

// chunk returns the next chunk's lines and the line number before its
// first; no lines at the end of the input.
func (c *chunkReader) chunk() (lines []string, offset int) {
	offset = c.offset
	var cont repl.Continuation
	continued := false
	for {
		line, ok := c.readLine()
		if !ok {
			break
		}
		full := len(lines) >= streamChunkLines && !continued && !strings.HasPrefix(line, "|")
		if full {
			c.next, c.hasNext = line, true
			break
		}
		lines = append(lines, line)
		if continued {
			continued = cont.Next(line)
		} else {
			continued = cont.Continue(line)
		}
	}
	c.offset += len(lines)
	return lines, offset
}

func (c *chunkReader) readErr() error {
	if errors.Is(c.err, io.EOF) {
		return nil
	}
	return c.err
}

// CheckReader parses the script read from src a chunk at a time and
// returns its problems as *ParseErrors, as Parse does, without keeping
// the script: it lets a caller refuse a broken file of any size before
// running any of it with RunReader.
func (p *ScriptParser) CheckReader(name string, src io.Reader) error {
	p.errs, p.stack, p.from, p.cache = nil, nil, nil, nil
	c := newChunkReader(src)
	expanded := 0
	for {
		lines, offset := c.chunk()
		if len(lines) == 0 {
			break
		}
		sc := p.parseLines(name, lines, c.crlf, offset)
		expanded = min(expanded+sc.expanded, MaxExpandedSteps+1)
	}
	if err := c.readErr(); err != nil {
		return err
	}
	if expanded > MaxExpandedSteps {
		p.errorf(name, 1, 1, "%v: more than %d (sourced files repeat each other's steps)", ErrTooManySteps, MaxExpandedSteps)
	}
	if len(p.errs) > 0 {
		return &ParseErrors{Errs: p.errs}
	}
	return nil
}

// RunReader replays the script read from src, parsing and running it a
// chunk of lines at a time, so replaying a file costs memory for a chunk
// rather than for the whole file: a dump of a million objects loads in
// about the memory the objects take. It behaves as Parse followed by Run,
// except that a problem Parse would have found is met only when its chunk
// is reached, after the chunks before it ran; it is returned as
// *ParseErrors (use CheckReader first to refuse a broken file before
// anything runs). Runner.Update is not honoured: rewriting blocks needs
// the whole file, which Run has.
func (r *Runner) RunReader(ctx context.Context, p *ScriptParser, name string, src io.Reader) (*ScriptResult, error) {
	start := time.Now()
	st := &run{r: r, ctx: ctx, res: &ScriptResult{Path: name}}
	if r.Session.Vars == nil {
		r.Session.Vars = make(map[string]string)
	}
	st.prog = repl.StartProgress(ctx, "replay "+name, 0)
	defer st.prog.Done()
	p.errs, p.stack, p.from, p.cache = nil, nil, nil, nil
	c := newChunkReader(src)
	for !st.stop {
		lines, offset := c.chunk()
		if len(lines) == 0 {
			break
		}
		sc := p.parseLines(name, lines, c.crlf, offset)
		if len(p.errs) > 0 {
			return nil, &ParseErrors{Errs: p.errs}
		}
		st.script(sc)
	}
	if err := c.readErr(); err != nil {
		return nil, err
	}
	st.res.Duration = time.Since(start)
	if r.Log {
		st.res.Log = st.log.String()
	}
	return st.res, nil
}
