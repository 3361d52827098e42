package repl

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestPutFileStreams puts a 64 MiB file and checks that it cost about its
// size in allocations, not the double that reading it whole and then
// storing a copy did (512 MiB took 1.07 GB).
func TestPutFileStreams(t *testing.T) {
	const size = 64 << 20
	path := filepath.Join(t.TempDir(), "big.bin")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil { // sparse: no disk cost
		t.Fatal(err)
	}
	f.Close()
	s := newCoreSession(t)
	runOK(t, s, "mkbucket demo")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	runOK(t, s, "put demo big --file "+path)
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > size*5/4 {
		t.Errorf("put --file of %d bytes allocated %d bytes, want at most %d", size, got, size*5/4)
	}
	var out countingWriter
	runtime.ReadMemStats(&before)
	v, err := s.Exec(context.Background(), []string{"get", "demo", "big"})
	if err == nil {
		err = s.Render(&out, v)
	}
	runtime.ReadMemStats(&after)
	if err != nil || out.n != size {
		t.Fatalf("get: got %d bytes, %v; want %d bytes", out.n, err, size)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Errorf("get of %d bytes allocated %d bytes, want at most 1 MiB: it streams", size, got)
	}
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"1048576", 1 << 20, true}, {"512MiB", 512 << 20, true}, {"5G", 5 << 30, true},
		{"2k", 2 << 10, true}, {"7 B", 7, true}, {"", 0, false}, {"lots", 0, false}, {"1PB", 0, false},
		{"-1", 0, false}, {"99999999999T", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseSize(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("parseSize(%q): got %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

// TestStreamToTerminalRefusesBinary streams content to a "terminal" in
// chunks: text split mid-rune passes, and a control byte deep inside stops
// the copy before it is written.
func TestStreamToTerminalRefusesBinary(t *testing.T) {
	text := strings.Repeat("é", 40000) // 80,000 bytes: runes cut by 32 KiB chunks
	tests := []struct {
		name    string
		data    string
		wantErr error
	}{
		{"text cut mid-rune", text, nil},
		{"escape deep inside", text + "\x1b[2J", ErrBinaryContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newCoreSession(t, WithTerminalCheck(func(io.Writer) bool { return true }))
			var out bytes.Buffer
			c := &Content{Bucket: "b", Key: "k", Body: io.NopCloser(strings.NewReader(tt.data))}
			err := s.Render(&out, c)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if strings.Contains(out.String(), "\x1b") {
				t.Errorf("the escape reached the terminal")
			}
			if tt.wantErr == nil && out.String() != tt.data {
				t.Errorf("got %d bytes, want the %d written", out.Len(), len(tt.data))
			}
		})
	}
}
