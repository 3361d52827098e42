package script

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// replayScript generates a script of n commands: n/2 puts of 100-byte
// values, then a get of each.
func replayScript(n int) []byte {
	var b strings.Builder
	b.WriteString("mkbucket bench\n")
	value := strings.Repeat("0123456789", 10)
	for i := 0; i < n/2; i++ {
		fmt.Fprintf(&b, "put bench key-%06d %s\n", i, value)
	}
	for i := 0; i < n/2; i++ {
		fmt.Fprintf(&b, "get bench key-%06d\n", i)
	}
	return []byte(b.String())
}

// BenchmarkReplay replays a 100,000-command script (50,000 puts and 50,000
// gets of 100-byte values): parse, run and render every command's output
// (to io.Discard, as run writes it to stdout, so none is skipped), in a
// fresh store each time. The target is 400,000 commands per second or
// more, that is at most 2,500 ns/command.
func BenchmarkReplay(b *testing.B) {
	const commands = 100_000
	src := replayScript(commands)
	var (
		elapsed time.Duration
		allocs  uint64
		ms      runtime.MemStats
	)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		sess := newScriptSession(b)
		runtime.ReadMemStats(&ms)
		before := ms.Mallocs
		start := time.Now()
		b.StartTimer()

		sc, err := NewScriptParser().Parse("bench.trove", src)
		if err != nil {
			b.Fatal(err)
		}
		res := (&Runner{Session: sess, Stdout: io.Discard}).Run(context.Background(), sc)

		b.StopTimer()
		elapsed += time.Since(start)
		runtime.ReadMemStats(&ms)
		allocs += ms.Mallocs - before
		if !res.Passed() || res.Commands != commands+1 {
			b.Fatalf("replay: %d commands, failures %v", res.Commands, res.Failures)
		}
		b.StartTimer()
	}
	n := float64(b.N) * (commands + 1)
	b.ReportMetric(float64(elapsed.Nanoseconds())/n, "ns/command")
	b.ReportMetric(float64(allocs)/n, "allocs/command")
	b.ReportMetric(n/elapsed.Seconds(), "commands/s")
}

// BenchmarkReplayStreamed is BenchmarkReplay the way trovemem run now
// replays a file: checked a chunk at a time in parallel, then read again
// and run a chunk at a time while the next chunk is parsed.
func BenchmarkReplayStreamed(b *testing.B) {
	const commands = 100_000
	src := string(replayScript(commands))
	var elapsed time.Duration
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		sess := newScriptSession(b)
		start := time.Now()
		b.StartTimer()

		p := NewScriptParser()
		if err := p.CheckReader("bench.trove", strings.NewReader(src)); err != nil {
			b.Fatal(err)
		}
		res, err := (&Runner{Session: sess, Stdout: io.Discard}).RunReader(context.Background(), p, "bench.trove", strings.NewReader(src))

		b.StopTimer()
		elapsed += time.Since(start)
		if err != nil || !res.Passed() || res.Commands != commands+1 {
			b.Fatalf("replay: %v, %d commands, failures %v", err, res.Commands, res.Failures)
		}
		b.StartTimer()
	}
	n := float64(b.N) * (commands + 1)
	b.ReportMetric(float64(elapsed.Nanoseconds())/n, "ns/command")
	b.ReportMetric(n/elapsed.Seconds(), "commands/s")
}

// dumpLines is a dump of n objects of 1 KiB, lines as dump writes them
// (a value, --content-type and --modified).
func dumpLines(n int) string {
	var src strings.Builder
	src.WriteString("mkbucket bench --exist-ok\n")
	value := strings.Repeat("abcdefghijklmnopqrstuvwxyzABCDEF", 32)
	for i := range n {
		fmt.Fprintf(&src, "put bench obj/%07d %s --content-type text/plain --modified 2026-12-07T14:08:17.584433508Z\n", i, value)
	}
	return src.String()
}

// BenchmarkCheckLine is the per-line cost of --load's first pass over a
// dump, which refuses a broken file before any of it runs: read, lex and
// check each line, keeping nothing.
func BenchmarkCheckLine(b *testing.B) {
	const lines = 20_000
	text := dumpLines(lines)
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if err := NewScriptParser().CheckReader("load.trove", strings.NewReader(text)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*(lines+1)), "ns/line")
}

// BenchmarkLoadLine is the per-line cost of a --load of a dump: lines as
// dump writes them (a 1 KiB value, --content-type and --modified), checked
// and then run from a reader, as --load streams its file, into a fresh
// store each time. B/line is what a line allocates beyond its stored
// value, which is garbage for the collector: the load's memory peak rises
// with it.
func BenchmarkLoadLine(b *testing.B) {
	const lines = 20_000
	text := dumpLines(lines)
	var (
		elapsed       time.Duration
		allocs, bytes uint64
		ms            runtime.MemStats
	)
	for b.Loop() {
		b.StopTimer()
		sess := newScriptSession(b)
		runtime.ReadMemStats(&ms)
		beforeN, beforeB := ms.Mallocs, ms.TotalAlloc
		start := time.Now()
		b.StartTimer()

		p := NewScriptParser()
		if err := p.CheckReader("load.trove", strings.NewReader(text)); err != nil {
			b.Fatal(err)
		}
		res, err := (&Runner{Session: sess}).RunReader(context.Background(), p, "load.trove", strings.NewReader(text))

		b.StopTimer()
		elapsed += time.Since(start)
		runtime.ReadMemStats(&ms)
		allocs += ms.Mallocs - beforeN
		bytes += ms.TotalAlloc - beforeB
		if err != nil || !res.Passed() || res.Commands != lines+1 {
			b.Fatalf("load: %v, %d commands, failures %v", err, res.Commands, res.Failures)
		}
		b.StartTimer()
	}
	n := float64(b.N) * (lines + 1)
	b.ReportMetric(float64(elapsed.Nanoseconds())/n, "ns/line")
	b.ReportMetric(float64(allocs)/n, "allocs/line")
	b.ReportMetric(float64(bytes)/n-1024, "B/line")
}
