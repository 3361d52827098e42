package repl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/trovemem/trovemem/driver"
)

// This file holds what lets objects stream through trovemem without being
// held twice: put --file PATH and --file - hand the store a reader (of
// known size for a file), and get writes the store's reader to its
// destination as it reads it.

// DefaultMaxPutSize is the largest object put reads from a file or from
// standard input unless --max-size says otherwise: S3's limit for a single
// PUT, so nothing trovemem accepts is refused by a real store for its size.
const DefaultMaxPutSize = 5 << 30

// ErrTooLarge is returned when put's content is over --max-size.
var ErrTooLarge = errors.New("content is over the size cap")

// ErrNotRegular is returned by put --file for a path that is not a regular
// file (a FIFO, a device, a directory): reading one may never end.
var ErrNotRegular = errors.New("not a regular file")

// ErrNoStdin is returned by put --file - when standard input is where the
// commands come from (the REPL, or commands piped to trovemem).
var ErrNoStdin = errors.New("standard input carries the commands here")

// parseSize reads a byte count: digits with an optional unit (B, K, KB,
// KiB, M, MiB, G, GiB, T, TiB; K and KB mean KiB, as for dd and mc).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil || i == 0 {
		return 0, fmt.Errorf("want a byte count such as 1048576, 512MiB or 5G, got %s", Quote(s))
	}
	shift := 0
	switch strings.ToLower(strings.TrimSpace(t[i:])) {
	case "", "b":
	case "k", "kb", "kib":
		shift = 10
	case "m", "mb", "mib":
		shift = 20
	case "g", "gb", "gib":
		shift = 30
	case "t", "tb", "tib":
		shift = 40
	default:
		return 0, fmt.Errorf("want a byte count such as 1048576, 512MiB or 5G, got %s", Quote(s))
	}
	if n > (1<<62)>>shift {
		return 0, fmt.Errorf("%s is too large", Quote(s))
	}
	return n << shift, nil
}

// sizedReader is a file's reader that knows how many bytes it holds, so the
// memory driver reads it into one exactly sized slice.
type sizedReader struct {
	f    *os.File
	left int
}

func (r *sizedReader) Len() int { return r.left }

func (r *sizedReader) Read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	r.left = max(r.left-n, 0)
	return n, err
}

// openPutFile opens path for put --file: regular files only, since a FIFO
// or a device (/dev/zero) may never end, and at most limit bytes. It opens
// without blocking, so a FIFO with no writer cannot hang the command
// before it is refused.
func openPutFile(path string, limit int64) (*os.File, io.Reader, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w (%s; to read a pipe or device, use --file - and redirect it to standard input)",
			path, ErrNotRegular, fileKind(fi.Mode()))
	}
	if fi.Size() > limit {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w: %s is over --max-size %s", path, ErrTooLarge, HumanSize(fi.Size()), HumanSize(limit))
	}
	return f, &sizedReader{f: f, left: int(fi.Size())}, nil
}

func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "mode " + m.String()
}

// cappedReader fails with ErrTooLarge once more than limit bytes came
// through, so put --file - from an endless source stops with an error
// instead of exhausting memory.
type cappedReader struct {
	r     io.Reader
	limit int64
	n     int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if int64(len(p)) > c.limit-c.n+1 {
		p = p[:c.limit-c.n+1]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.limit {
		return 0, fmt.Errorf("standard input: %w: more than --max-size %s", ErrTooLarge, HumanSize(c.limit))
	}
	return n, err
}

// streamContent writes an object's reader to w as it reads it. To a
// terminal, each chunk is checked before it is written, so binary content
// (an escape sequence, say) stops the copy with ErrBinaryContent instead
// of reaching the screen; a UTF-8 sequence cut by a chunk's end is carried
// to the next.
func (s *Session) streamContent(w io.Writer, c *Content) error {
	defer c.Body.Close()
	if !s.isTerminal(w) {
		if _, err := io.Copy(w, c.Body); err != nil {
			return driver.E("get", c.Bucket, c.Key, err)
		}
		return nil
	}
	buf := make([]byte, 32<<10)
	carry := 0
	for {
		n, err := c.Body.Read(buf[carry:])
		n += carry
		end := n
		if err == nil {
			// Hold back an incomplete rune at the end for the next read.
			for i := max(0, n-utf8.UTFMax+1); i < n; i++ {
				if utf8.RuneStart(buf[i]) && !utf8.FullRune(buf[i:n]) {
					end = i
					break
				}
			}
		}
		if isBinary(buf[:end]) {
			return s.binaryRefused(c)
		}
		if _, werr := w.Write(buf[:end]); werr != nil {
			return driver.E("get", c.Bucket, c.Key, werr)
		}
		carry = copy(buf, buf[end:n])
		if err == io.EOF {
			if carry > 0 {
				return s.binaryRefused(c)
			}
			return nil
		}
		if err != nil {
			return driver.E("get", c.Bucket, c.Key, err)
		}
	}
}

// binaryRefused is the error for binary content not written to a terminal,
// with what to do instead: at the REPL's prompt, where no pipe can follow
// a command, save it to a file; from a shell (-c, trovemem get), that or
// a pipe to a hex dump.
func (s *Session) binaryRefused(c *Content) error {
	instead := "use get " + Quote(c.Bucket) + " " + Quote(c.Key) + " --out FILE to save it"
	if !s.prompting {
		instead = "use --out FILE to save it, or --out - | xxd to see it"
	}
	return driver.E("get", c.Bucket, c.Key, fmt.Errorf(
		"%w (%d bytes of %s) not written to a terminal; %s", ErrBinaryContent, c.Size, c.ContentType, instead))
}
