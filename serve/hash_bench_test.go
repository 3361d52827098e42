package serve

import (
	"crypto/md5"
	"crypto/sha256"
	"hash"
	"testing"
	"time"
)

// handoffHashAll is the design hashAll replaced: for each large read, the
// MD5 on a goroutine of its own beside the other hashes. It is kept here so
// the choice can be measured again on other machines.
func handoffHashAll(hs []hash.Hash, b []byte) {
	done := make(chan struct{})
	go func() {
		hs[0].Write(b)
		close(done)
	}()
	for _, h := range hs[1:] {
		h.Write(b)
	}
	<-done
}

// BenchmarkPayloadHashes feeds a put's hashes (MD5 for the ETag, the
// signed SHA-256, the default CRC-64/NVME checksum) as payloadReader does,
// a read at a time, with the old hand-off design beside the serial loop.
// "64KiB-after-idle" is one 64 KiB put arriving at an idle server, as in
// BenchmarkS3Paired; "1MiB" is sixteen 64 KiB reads back to back.
func BenchmarkPayloadHashes(b *testing.B) {
	read := make([]byte, 64<<10)
	for i := range read {
		read[i] = byte(i * 7)
	}
	designs := []struct {
		name string
		feed func([]hash.Hash, []byte)
	}{
		{"serial", hashAll},
		{"handoff", handoffHashAll},
	}
	cases := []struct {
		name  string
		reads int
		idle  bool
	}{
		{"64KiB-after-idle", 1, true},
		{"1MiB", 16, false},
	}
	for _, c := range cases {
		for _, d := range designs {
			b.Run(c.name+"/"+d.name, func(b *testing.B) {
				b.SetBytes(int64(c.reads * len(read)))
				for b.Loop() {
					if c.idle {
						b.StopTimer()
						time.Sleep(200 * time.Microsecond)
						b.StartTimer()
					}
					hs := []hash.Hash{md5.New(), sha256.New(), newCRC64NVME()}
					for range c.reads {
						d.feed(hs, read)
					}
				}
			})
		}
	}
}
