package main

import (
	"bufio"
	"io"
	"os"
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
	bw := bufio.NewWriterSize(stdout, 64<<10)
	flush = func() { _ = bw.Flush() }
	return &flushingReader{r: stdin, flush: flush}, bw, &flushingWriter{w: stderr, flush: flush}, flush
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
