package trove

import (
	"hash/maphash"
	"sync"
)

// keyStripes is how many mutexes the store's key locks are spread over.
// Two keys share a stripe with probability 1/keyStripes, and then only wait
// for each other, so a slow upload holds up a thousandth of the key space
// rather than the store; 1,024 mutexes cost 8 KiB per store.
const keyStripes = 1024

// keyLocks serialises writes to one key across backends: a put or delete
// resolves its backend, writes there and removes copies elsewhere as one
// step, so two writers of a key can never each delete the other's copy.
type keyLocks struct {
	seed    maphash.Seed
	stripes [keyStripes]sync.Mutex
}

func newKeyLocks() *keyLocks { return &keyLocks{seed: maphash.MakeSeed()} }

func (l *keyLocks) stripe(bucket, key string) int {
	var h maphash.Hash
	h.SetSeed(l.seed)
	h.WriteString(bucket)
	h.WriteByte('/') // bucket names hold no '/', so the pair is unambiguous
	h.WriteString(key)
	return int(h.Sum64() % keyStripes)
}

// lock locks the stripes of the given bucket/key pairs (one or two) in
// stripe order, so two callers locking the same pair in opposite order
// (a move each way) cannot deadlock, and returns the stripes to unlock:
// a plain value rather than a closure, so a write allocates nothing here.
func (l *keyLocks) lock(pairs ...[2]string) heldStripes {
	a := l.stripe(pairs[0][0], pairs[0][1])
	b := a
	if len(pairs) > 1 {
		b = l.stripe(pairs[1][0], pairs[1][1])
	}
	if a > b {
		a, b = b, a
	}
	l.stripes[a].Lock()
	if b != a {
		l.stripes[b].Lock()
	}
	return heldStripes{l: l, a: a, b: b}
}

// heldStripes are the stripes one lock call holds (a == b for one).
type heldStripes struct {
	l    *keyLocks
	a, b int
}

func (h heldStripes) unlock() {
	if h.b != h.a {
		h.l.stripes[h.b].Unlock()
	}
	h.l.stripes[h.a].Unlock()
}
