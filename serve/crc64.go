package serve

import (
	"encoding/binary"
	"hash"
	"hash/crc64"
	"sync"
)

// crc64NVME is CRC-64/NVME with slicing-by-8 tables built once. The
// standard library rebuilds its 8 tables on every large Write for any
// polynomial but ECMA and ISO, which made a 64 KiB put spend more time
// building tables than hashing.
type crc64NVME struct{ crc uint64 }

var (
	nvmeOnce   sync.Once
	nvmeTables [8][256]uint64
)

func nvmeInit() {
	t := crc64.MakeTable(0x9a6c9329ac4bc9b5)
	nvmeTables[0] = *t
	for i := 0; i < 256; i++ {
		c := t[i]
		for j := 1; j < 8; j++ {
			c = t[c&0xff] ^ (c >> 8)
			nvmeTables[j][i] = c
		}
	}
}

func newCRC64NVME() hash.Hash64 {
	nvmeOnce.Do(nvmeInit)
	return &crc64NVME{}
}

func (c *crc64NVME) Write(p []byte) (int, error) {
	n := len(p)
	crc := ^c.crc
	t := &nvmeTables
	for len(p) >= 8 {
		crc ^= binary.LittleEndian.Uint64(p)
		crc = t[7][crc&0xff] ^ t[6][crc>>8&0xff] ^ t[5][crc>>16&0xff] ^ t[4][crc>>24&0xff] ^
			t[3][crc>>32&0xff] ^ t[2][crc>>40&0xff] ^ t[1][crc>>48&0xff] ^ t[0][crc>>56]
		p = p[8:]
	}
	for _, b := range p {
		crc = t[0][byte(crc)^b] ^ (crc >> 8)
	}
	c.crc = ^crc
	return n, nil
}

func (c *crc64NVME) Sum64() uint64 { return c.crc }
func (c *crc64NVME) Sum(b []byte) []byte {
	return binary.BigEndian.AppendUint64(b, c.crc)
}
func (c *crc64NVME) Reset()         { c.crc = 0 }
func (c *crc64NVME) Size() int      { return 8 }
func (c *crc64NVME) BlockSize() int { return 1 }
