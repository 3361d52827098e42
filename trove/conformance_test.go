package trove_test

import (
	"context"
	"hash/fnv"
	"testing"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/drivertest"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

// storeDriver presents a Store as a driver so the conformance suite can
// hold the routing layer to the same contract as a single backend.
type storeDriver struct{ *trove.Store }

var _ driver.Driver = storeDriver{}

func (storeDriver) Name() string { return "trove" }

// TestConformance runs the driver suite against a store that spreads keys
// over three memdrivers, by a hash route function and a pattern, so every
// listing, copy and overwrite crosses backends.
func TestConformance(t *testing.T) {
	drivertest.RunDriverSuite(t, func(t *testing.T) driver.Driver {
		s, err := trove.Open(memdriver.New(),
			trove.WithBackend("b1", memdriver.New()),
			trove.WithBackend("b2", memdriver.New()),
			trove.WithRoute("**/*.log", "b2"),
			trove.WithNamedRouteFunc("hash", func(_, key string) string {
				h := fnv.New32a()
				h.Write([]byte(key))
				switch h.Sum32() % 3 {
				case 1:
					return "b1"
				case 2:
					return "b2"
				}
				return ""
			}),
		)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close(context.Background()) })
		return storeDriver{s}
	})
}
