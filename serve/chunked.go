package serve

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"strings"
)

const (
	maxChunkSize   = 16 << 20
	maxChunkLine   = 4 << 10
	maxTrailerSize = 16 << 10
)

// chunkedReader decodes an aws-chunked payload: chunks of
// "SIZE[;chunk-signature=SIG]\r\nDATA\r\n", a final empty chunk and, for the
// -TRAILER modes, trailing headers (a checksum, and for signed payloads a
// trailer signature). Signed chunks are verified before any of their bytes
// are handed on, so nothing unverified reaches the store; that costs one
// chunk of buffer, capped at 16 MiB.
type chunkedReader struct {
	br       *bufio.Reader
	info     *authInfo
	signed   bool
	trailer  bool
	prevSig  string
	buf      []byte
	off      int
	done     bool
	err      error
	trailers map[string]string
	decoded  int64
}

func newChunkedReader(r io.Reader, info *authInfo, mode string) *chunkedReader {
	return &chunkedReader{
		br:      bufio.NewReaderSize(r, 64<<10),
		info:    info,
		signed:  mode != streamingUnsigned,
		trailer: mode != streamingSigned,
		prevSig: info.seed,
	}
}

// Trailer returns a trailing header's value (lower-case name), once the
// payload has been read to its end.
func (c *chunkedReader) Trailer(name string) (string, bool) {
	v, ok := c.trailers[name]
	return v, ok
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	for c.off >= len(c.buf) {
		if c.err != nil {
			return 0, c.err
		}
		if c.done {
			return 0, io.EOF
		}
		if err := c.nextChunk(); err != nil {
			c.err = err
			return 0, err
		}
	}
	n := copy(p, c.buf[c.off:])
	c.off += n
	return n, nil
}

func (c *chunkedReader) readLine() (string, error) {
	var line []byte
	for {
		frag, err := c.br.ReadSlice('\n')
		line = append(line, frag...)
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) && len(line) < maxChunkLine {
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(line) == 0 {
				return "", io.EOF
			}
			return strings.TrimRight(string(line), "\r\n"), nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			return "", ErrIncompleteBody
		}
		return "", err
	}
	if len(line) > maxChunkLine {
		return "", ErrIncompleteBody
	}
	return strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r"), nil
}

func (c *chunkedReader) nextChunk() error {
	line, err := c.readLine()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return ErrIncompleteBody
		}
		return err
	}
	sizeStr, ext, _ := strings.Cut(line, ";")
	size, err := strconv.ParseInt(strings.TrimSpace(sizeStr), 16, 64)
	if err != nil || size < 0 {
		return ErrIncompleteBody
	}
	if size > maxChunkSize {
		return ErrEntityTooLarge
	}
	var sig string
	if c.signed {
		v, ok := strings.CutPrefix(ext, "chunk-signature=")
		if !ok && c.info.verify {
			return ErrSignatureDoesNotMatch
		}
		sig = v
	}
	if cap(c.buf) < int(size) {
		c.buf = make([]byte, size)
	}
	c.buf = c.buf[:size]
	c.off = 0
	if _, err := io.ReadFull(c.br, c.buf); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return ErrIncompleteBody
		}
		return err
	}
	if c.signed && c.info.verify {
		sum := sha256.Sum256(c.buf)
		sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + c.info.amzDate + "\n" + c.info.scope + "\n" + c.prevSig + "\n" +
			emptySHA256 + "\n" + hex.EncodeToString(sum[:])
		if !c.info.key.signs([]byte(sts), sig) {
			return ErrSignatureDoesNotMatch
		}
		c.prevSig = sig
	}
	c.decoded += size
	if size > 0 {
		// The data is followed by CRLF.
		crlf, err := c.readLine()
		if err != nil || crlf != "" {
			return ErrIncompleteBody
		}
		return nil
	}
	c.done = true
	if !c.trailer {
		// A final CRLF; some clients omit it.
		_, _ = c.readLine()
		return nil
	}
	return c.readTrailers()
}

func (c *chunkedReader) readTrailers() error {
	c.trailers = make(map[string]string)
	var lines []string
	total := 0
	var trailerSig string
	for {
		line, err := c.readLine()
		if errors.Is(err, io.EOF) || (err == nil && line == "") {
			break
		}
		if err != nil {
			return err
		}
		total += len(line)
		if total > maxTrailerSize {
			return ErrMalformedTrailer
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return ErrMalformedTrailer
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		if k == "x-amz-trailer-signature" {
			trailerSig = v
			continue
		}
		c.trailers[k] = v
		lines = append(lines, k+":"+v+"\n")
	}
	if c.signed && c.info.verify {
		sts := "AWS4-HMAC-SHA256-TRAILER\n" + c.info.amzDate + "\n" + c.info.scope + "\n" + c.prevSig + "\n" +
			sha256Hex(strings.Join(lines, ""))
		if !c.info.key.signs([]byte(sts), trailerSig) {
			return ErrSignatureDoesNotMatch
		}
	}
	return nil
}
