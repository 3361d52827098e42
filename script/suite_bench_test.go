package script

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/trovemem/trovemem/repl"
)

// BenchmarkSuiteJobs runs one suite of four scripts of 10,000 commands
// each (the replay script of BenchmarkReplay) with -j 1 and -j 2: what
// trovemem test -j buys once the scripts do more work than starting the
// process does. The repo's own scripts take about 8 ms in all, which
// start-up hides (README's performance section).
func BenchmarkSuiteJobs(b *testing.B) {
	dir := b.TempDir()
	var paths []string
	for i := range 4 {
		p := filepath.Join(dir, fmt.Sprintf("s%d.trove", i))
		if err := os.WriteFile(p, replayScript(10_000), 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	for _, jobs := range []int{1, 2} {
		b.Run(fmt.Sprintf("j=%d", jobs), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s := &Suite{
					NewSession: func(string) (*repl.Session, func(), error) { return newScriptSession(b), nil, nil },
					Out:        io.Discard,
					Parser:     NewScriptParser(),
					LookupEnv:  noEnv,
					Jobs:       jobs,
					WorkRoot:   dir,
				}
				results, err := s.Run(context.Background(), paths)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range results {
					if !r.Passed() {
						b.Fatalf("%s failed: %v", r.Path, r.Failures)
					}
				}
			}
		})
	}
}
