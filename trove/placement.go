package trove

import "github.com/trovemem/trovemem/driver"

// What the store knows of where keys live, so a write need not ask every
// backend about its key.
//
// A layout's clean set names the backends that hold no key routed
// elsewhere. For a backend in it, a key that routes to another backend is
// known to be absent there: a write of the key neither snapshots it there
// for undo nor removes a copy from it. Only a driver.Exclusive backend can
// join the set (nothing but this store writes it), and only one that was
// empty once the layout took effect and every write made under an earlier
// layout had finished; since then every write of a key through the store
// went to the backend the key routes to, except PutOn and a rebalance
// planned under an earlier layout, which take their target out of the set
// (dirtied) before writing. A backend never rejoins the set under the same
// layout: the set is conservative, and the next layout change works it out
// afresh.

// publish makes next the store's layout and then works out its clean set.
// The caller holds s.mu. Waiting for the object writes in flight (each
// holds s.buckets shared) is what lets the set trust an empty backend: a
// write that loaded the old layout could otherwise still place a key that
// the new one routes elsewhere.
func (s *Store) publish(next *config) {
	next.matchers = make([]routeMatcher, len(next.routes))
	for i, r := range next.routes {
		_, mounted := next.drivers[r.Backend]
		next.matchers[i] = newRouteMatcher(r, mounted)
	}
	s.cfg.Store(next)
	s.buckets.Lock()
	s.buckets.Unlock() //nolint:staticcheck // an empty critical section: it waits for the writes in flight
	var clean backendSet
	for i, name := range next.order {
		if i < 64 && driver.ExclusiveEmpty(next.drivers[name]) {
			clean.add(i)
		}
	}
	next.clean.Store(uint64(clean))
}

// mayHold returns the backends that may hold a copy of a key that routes
// to routed: every backend but the clean ones, and routed itself.
func (cfg *config) mayHold(routed string) backendSet {
	known := backendSet(cfg.clean.Load() &^ cfg.dirtied.Load())
	set := allBackends &^ known
	if i := cfg.index(routed); i >= 0 {
		set.add(i)
	}
	return set
}

// dirty takes the named backend out of the clean set before a write that
// may leave a key there that routes elsewhere.
func (cfg *config) dirty(name string) {
	if i := cfg.index(name); i >= 0 && i < 64 {
		cfg.dirtied.Or(1 << i)
	}
}

func (cfg *config) index(name string) int {
	for i, n := range cfg.order {
		if n == name {
			return i
		}
	}
	return -1
}
