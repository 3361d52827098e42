package s3driver

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/drivertest"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/serve"
)

// TestConformanceOverServe runs the whole suite, no mode, through this
// driver against trovemem serve over a memory store: serve keeps a flat
// namespace and answers encoding-type=url, so every key the contract
// allows (a and a/b together, dir/ with data, keys XML 1.0 cannot carry)
// must round-trip through both, signatures checked.
func TestConformanceOverServe(t *testing.T) {
	drivertest.RunDriverSuite(t, func(t *testing.T) driver.Driver {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		hs := serve.New(driver.Wrap(memdriver.New()), serve.Options{AccessKey: "AKSERVE", SecretKey: "serve-secret"}).HTTPServer("")
		go func() { _ = hs.Serve(ln) }()
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = hs.Shutdown(ctx)
		})
		d, err := New(context.Background(), Config{AccessKey: "AKSERVE", SecretKey: "serve-secret", Region: "us-east-1",
			Endpoint: "http://" + ln.Addr().String(), PathStyle: true})
		if err != nil {
			t.Fatal(err)
		}
		w := driver.Wrap(d)
		t.Cleanup(func() { w.Close(context.Background()) })
		return w
	})
}
