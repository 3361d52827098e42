package repl

import (
	"strings"
	"testing"
)

// BenchmarkLex reads the line a replayed put is: four plain words, the
// last one a value of 100 bytes or 1 KiB, as scripts and dumps hold them.
func BenchmarkLex(b *testing.B) {
	for _, size := range []int{100, 1024} {
		line := "put bench key-000001 " + strings.Repeat("0123456789abcdef", size/16+1)[:size]
		b.Run(map[int]string{100: "100B", 1024: "1KiB"}[size], func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(line)))
			for b.Loop() {
				lx, err := Lex(line, LexOptions{Refs: true})
				if err != nil || len(lx.Cmds) != 1 || len(lx.Cmds[0]) != 4 {
					b.Fatalf("got %v, %v; want one command of 4 words", lx.Cmds, err)
				}
			}
		})
	}
}
