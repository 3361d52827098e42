package script

import (
	"context"
	"fmt"
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
// to a buffer, in a fresh store each time. The target is 200,000 commands
// per second or more, that is at most 5000 ns/command.
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
		res := (&Runner{Session: sess}).Run(context.Background(), sc)

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
