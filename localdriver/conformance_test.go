package localdriver_test

import (
	"context"
	"testing"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/drivertest"
	"github.com/trovemem/trovemem/localdriver"
)

// TestConformance holds the local driver to the contract every driver
// meets, on a fresh root directory per check.
func TestConformance(t *testing.T) {
	drivertest.RunDriverSuite(t, func(t *testing.T) driver.Driver {
		d, err := localdriver.NewAt(t.TempDir())
		if err != nil {
			t.Fatalf("NewAt: %v", err)
		}
		t.Cleanup(func() { d.Close(context.Background()) })
		return d
	})
}
