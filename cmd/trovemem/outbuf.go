package main

import (
	"bufio"
	"io"
	"os"
	"sync"
)

// bufferedStreams decides once, at start-up, how the process writes: when
// neither stdin nor stdout is a terminal (a script replayed from a file or
// a pipe into a file), stdout is buffered, which saves a write system call
// or two per command. The buffer is flushed before anything is written to
// stderr, so the two streams still interleave in order when they share a
// destination, and before every read of stdin, so a program driving
// trovemem through pipes sees each answer before it sends the next line.
// flush writes out what is left; call it before the process exits.
func bufferedStreams(stdin *os.File, stdout, stderr *os.File) (in io.Reader, out, errw io.Writer, flush func()) {
	if isTerminal(stdin) || isTerminal(stdout) {
		return stdin, stdout, stderr, func() {}
	}
	buf := &lockedBuffer{bw: bufio.NewWriterSize(stdout, 64<<10)}
	return &flushingReader{r: stdin, flush: buf.Flush}, buf, &flushingWriter{w: stderr, flush: buf.Flush}, buf.Flush
}

// lockedBuffer is the buffered stdout. A signal handler or a server's
// request log may write, and so flush, from another goroutine while a
// command writes, so every use of the buffer holds its lock.
type lockedBuffer struct {
	mu sync.Mutex
	bw *bufio.Writer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bw.Write(p)
}

// Flush writes out what the buffer holds.
func (l *lockedBuffer) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.bw.Flush()
}

// flushingWriter flushes the buffered stdout before each write.
type flushingWriter struct {
	w     io.Writer
	flush func()
}

func (f *flushingWriter) Write(p []byte) (int, error) {
	f.flush()
	return f.w.Write(p)
}

// flushingReader flushes the buffered stdout before each read.
type flushingReader struct {
	r     io.Reader
	flush func()
}

func (f *flushingReader) Read(p []byte) (int, error) {
	f.flush()
	return f.r.Read(p)
}
