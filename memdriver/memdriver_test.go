package memdriver_test

import (
	"testing"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/drivertest"
	"github.com/trovemem/trovemem/memdriver"
)

// TestConformance holds the memory driver to the contract every driver
// shares; the other tests in this package cover what is particular to it.
func TestConformance(t *testing.T) {
	drivertest.RunDriverSuite(t, func(t *testing.T) driver.Driver { return memdriver.New() })
}
