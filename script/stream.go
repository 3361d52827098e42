package script

import (
	"bufio"
	"context"
	"errors"
	"io"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"github.com/trovemem/trovemem/repl"
)

// streamChunkLines and streamChunkBytes bound the lines a streamed script
// is parsed and run in at a time: enough that per-chunk work vanishes, few
// enough that the buffer the lines are read into, reused from chunk to
// chunk, stays in the cache (a chunk of dump lines of 1 KiB objects is
// about 230 lines).
const (
	streamChunkLines = 4096
	streamChunkBytes = 256 << 10
)

// chunkReader cuts a script into chunks of whole logical lines, each
// command with its "| " block, so a chunk parses exactly as it would in
// the whole file. A chunk's lines are views of one buffer that the next
// chunk reuses: reading a line allocates nothing, and whatever a caller
// keeps of a chunk it copies first (the parser's own mode).
type chunkReader struct {
	r *bufio.Reader
	// cb holds the chunk; a caller that keeps a chunk's lines while the
	// next is read gives the reader another chunkBuf first.
	cb *chunkBuf
	// next is a line read ahead, not yet in a chunk: the first of the
	// next one.
	next    []byte
	hasNext bool
	offset  int // lines handed out so far
	crlf    bool
	err     error
}

// chunkBuf holds a chunk's lines back to back in buf, ends where each
// ends, and lines, their views.
type chunkBuf struct {
	buf   []byte
	ends  []int
	lines []string
}

func newChunkReader(r io.Reader) *chunkReader {
	return &chunkReader{r: bufio.NewReaderSize(r, 64<<10), cb: newChunkBuf()}
}

// newChunkBuf returns a chunkBuf with room for a chunk of streamChunkBytes
// and the line that goes past it, so the usual chunk never grows it.
func newChunkBuf() *chunkBuf {
	return &chunkBuf{buf: make([]byte, 0, streamChunkBytes+16<<10)}
}

// readLine appends the next physical line, without its line end, to dst.
func (c *chunkReader) readLine(dst []byte) ([]byte, bool) {
	if c.hasNext {
		c.hasNext = false
		return append(dst, c.next...), true
	}
	if c.err != nil {
		return dst, false
	}
	start := len(dst)
	for {
		frag, err := c.r.ReadSlice('\n')
		dst = append(dst, frag...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			c.err = err
			if len(dst) == start {
				return dst, false
			}
		}
		break
	}
	line := dst[start:]
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line, c.crlf = line[:n-1], true
	}
	return dst[:start+len(line)], true
}

// chunk returns the next chunk's lines and the line number before its
// first; no lines at the end of the input. The lines are valid until the
// next call.
func (c *chunkReader) chunk() (lines []string, offset int) {
	offset = c.offset
	var cont repl.Continuation
	continued := false
	cb := c.cb
	cb.buf, cb.ends = cb.buf[:0], cb.ends[:0]
	for {
		start := len(cb.buf)
		buf, ok := c.readLine(cb.buf)
		if !ok {
			break
		}
		line := buf[start:]
		full := (len(cb.ends) >= streamChunkLines || start >= streamChunkBytes) && !continued && (len(line) == 0 || line[0] != '|')
		if full {
			c.next, c.hasNext = append(c.next[:0], line...), true
			cb.buf = buf[:start]
			break
		}
		cb.buf = buf
		cb.ends = append(cb.ends, len(buf))
		text := unsafe.String(unsafe.SliceData(line), len(line))
		if continued {
			continued = cont.Next(text)
		} else {
			continued = cont.Continue(text)
		}
	}
	// Views are made once the buffer has stopped growing.
	cb.lines = cb.lines[:0]
	from := 0
	for _, end := range cb.ends {
		cb.lines = append(cb.lines, unsafe.String(unsafe.SliceData(cb.buf[from:end]), end-from))
		from = end
	}
	c.offset += len(cb.lines)
	return cb.lines, offset
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
// running any of it with RunReader. Chunks are parsed in parallel, one
// goroutine per core, each with a parser of its own; their problems are
// reported in the order of the file, as one parser would find them.
func (p *ScriptParser) CheckReader(name string, src io.Reader) error {
	p.errs, p.stack, p.from, p.cache, p.checked = nil, nil, nil, nil, checked{}
	type job struct {
		n      int // the chunk's index
		cb     *chunkBuf
		offset int
	}
	var (
		jobs = make(chan job, 2)
		free = make(chan *chunkBuf, 8) // room for every buffer in flight
		wg   sync.WaitGroup
		mu   sync.Mutex
		// found holds each chunk's problems by index; expanded and
		// commands sum the steps and the commands, saturating.
		found              = make(map[int][]*ParseError)
		expanded, commands = 0, 0
	)
	for range max(1, min(runtime.GOMAXPROCS(0), 4)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The worker's steps are dropped with each chunk: one slab
			// serves them all.
			wp := &ScriptParser{Check: p.Check, ReadFile: p.ReadFile, slabbed: true}
			for j := range jobs {
				wp.slab = wp.slab[:0]
				sc := wp.parseLines(name, j.cb.lines, false, j.offset)
				mu.Lock()
				if len(wp.errs) > 0 {
					found[j.n] = wp.errs
				}
				expanded = min(expanded+sc.expanded, MaxExpandedSteps+1)
				commands = min(commands+sc.commands, MaxExpandedSteps+1)
				mu.Unlock()
				wp.errs = nil
				select {
				case free <- j.cb:
				default:
				}
			}
		}()
	}
	c := newChunkReader(src)
	chunks := 0
	for ; ; chunks++ {
		select {
		case c.cb = <-free:
		default:
			c.cb = newChunkBuf()
		}
		lines, offset := c.chunk()
		if len(lines) == 0 {
			break
		}
		jobs <- job{n: chunks, cb: c.cb, offset: offset}
	}
	close(jobs)
	wg.Wait()
	if err := c.readErr(); err != nil {
		return err
	}
	for n := range chunks {
		p.errs = append(p.errs, found[n]...)
	}
	if expanded > MaxExpandedSteps {
		p.errorf(name, 1, 1, "%v: more than %d (sourced files repeat each other's steps)", ErrTooManySteps, MaxExpandedSteps)
	}
	if len(p.errs) > 0 {
		return &ParseErrors{Errs: p.errs}
	}
	p.checked = checked{name: name, commands: commands}
	return nil
}

// checked is what CheckReader found in the script it passed: its commands,
// which a RunReader of the same name counts down as it runs them.
type checked struct {
	name     string
	commands int
}

// RunReader replays the script read from src, parsing and running it a
// chunk of lines at a time, so replaying a file costs memory for a chunk
// rather than for the whole file: a dump of a million objects loads in
// about the memory the objects take. It behaves as Parse followed by Run,
// except that a problem Parse would have found is met only when its chunk
// is reached, after the chunks before it ran; it is returned as
// *ParseErrors (use CheckReader first to refuse a broken file before
// anything runs). Runner.Update and Runner.Record are not honoured:
// rewriting blocks needs the whole file, which Run has. Each word of a
// command is a string of its own, which the session and the store may
// keep (Session.ExecOwned). After p's CheckReader of the same name, the
// progress shown counts down the commands it found. The chunk after the
// one running is parsed
// meanwhile, in a goroutine of its own, which is done when RunReader
// returns.
func (r *Runner) RunReader(ctx context.Context, p *ScriptParser, name string, src io.Reader) (*ScriptResult, error) {
	start := time.Now()
	st := &run{r: r, ctx: ctx, res: &ScriptResult{Path: name}, owned: true}
	if r.Session.Vars == nil {
		r.Session.Vars = make(map[string]string)
	}
	total := 0
	if p.checked.name == name {
		total = p.checked.commands
	}
	st.prog = repl.StartProgress(ctx, "replay "+name, total)
	defer st.prog.Done()
	p.errs, p.stack, p.from, p.cache = nil, nil, nil, nil
	// The next chunk is parsed while this one runs, on the other core:
	// the steps keep copies of the words, so the lines, views of the
	// chunk reader's buffer, can be read over meanwhile.
	p.own = true
	chunks, done := make(chan parsedChunk, 1), make(chan struct{})
	// slabs brings back the steps of a chunk that has run, for a chunk
	// to come.
	slabs := make(chan []Step, 4)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(chunks)
		p.parseAhead(name, newChunkReader(src), chunks, slabs, done)
	}()
	defer func() {
		close(done)
		wg.Wait()
		p.own = false
	}()
	for pc := range chunks {
		switch {
		case pc.errs != nil:
			return nil, &ParseErrors{Errs: pc.errs}
		case pc.err != nil:
			return nil, pc.err
		}
		st.script(pc.sc)
		if st.stop {
			break
		}
		select {
		case slabs <- pc.slab:
		default:
		}
	}
	st.res.Duration = time.Since(start)
	if r.Log {
		st.res.Log = st.log.String()
	}
	return st.res, nil
}

// parsedChunk is a chunk parsed ahead of the runner: its steps, or the
// parse errors or the read error the script ends in there.
type parsedChunk struct {
	sc   *Script
	slab []Step // where sc's steps are, to recycle once they have run
	errs []*ParseError
	err  error
}

// parseAhead parses c a chunk at a time and sends each chunk to out, until
// the input ends, a chunk does not parse, or done is closed. Each chunk's
// steps are taken from a slab that slabs brings back once it has run.
func (p *ScriptParser) parseAhead(name string, c *chunkReader, out chan<- parsedChunk, slabs <-chan []Step, done <-chan struct{}) {
	p.slabbed = true
	defer func() { p.slab, p.slabbed = nil, false }()
	send := func(pc parsedChunk) bool {
		select {
		case out <- pc:
			return true
		case <-done:
			return false
		}
	}
	for {
		lines, offset := c.chunk()
		if len(lines) == 0 {
			break
		}
		select {
		case p.slab = <-slabs:
			p.slab = p.slab[:0]
		default:
			p.slab = nil
		}
		sc := p.parseLines(name, lines, c.crlf, offset)
		sc.lines = nil // views of a buffer the next chunk reuses
		if len(p.errs) > 0 {
			send(parsedChunk{errs: p.errs})
			return
		}
		if !send(parsedChunk{sc: sc, slab: p.slab}) {
			return
		}
	}
	if err := c.readErr(); err != nil {
		send(parsedChunk{err: err})
	}
}
