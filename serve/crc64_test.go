package serve

import (
	"bytes"
	"hash/crc64"
	"testing"
)

func TestCRC64NVMEMatchesStdlib(t *testing.T) {
	tab := crc64.MakeTable(0x9a6c9329ac4bc9b5)
	for _, n := range []int{0, 1, 7, 8, 9, 63, 64, 2047, 2048, 70000} {
		data := bytes.Repeat([]byte("trovemem-"), n/9+1)[:n]
		h := newCRC64NVME()
		// Written in two pieces, to cover carrying state across writes.
		h.Write(data[:n/3])
		h.Write(data[n/3:])
		if got, want := h.Sum64(), crc64.Checksum(data, tab); got != want {
			t.Errorf("len %d: got %x, want %x", n, got, want)
		}
	}
	// The check value of CRC-64/NVME over "123456789".
	h := newCRC64NVME()
	h.Write([]byte("123456789"))
	if got, want := h.Sum64(), uint64(0xae8b14860a799888); got != want {
		t.Errorf("check value: got %x, want %x", got, want)
	}
}
