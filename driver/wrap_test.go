package driver_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/memdriver"
)

// counting is a memory driver that counts the calls that reach it, so a
// test can tell what the layer refused before the driver saw it.
type counting struct {
	*memdriver.MemDriver
	calls, closes atomic.Int32
}

func newCounting(t *testing.T) (*counting, driver.Driver) {
	t.Helper()
	c := &counting{MemDriver: memdriver.New()}
	ctx := context.Background()
	if err := c.MemDriver.CreateBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MemDriver.Put(ctx, "bkt", "k", strings.NewReader("hello")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MemDriver.Put(ctx, "bkt", "empty", strings.NewReader("")); err != nil {
		t.Fatal(err)
	}
	return c, driver.Wrap(c)
}

func (c *counting) Close(ctx context.Context) error {
	c.closes.Add(1)
	return c.MemDriver.Close(ctx)
}

func (c *counting) Put(ctx context.Context, b, k string, r io.Reader, opts ...driver.PutOption) (*driver.ObjectInfo, error) {
	c.calls.Add(1)
	return c.MemDriver.Put(ctx, b, k, r, opts...)
}

func (c *counting) Get(ctx context.Context, b, k string, opts ...driver.GetOption) (*driver.ObjectReader, error) {
	c.calls.Add(1)
	return c.MemDriver.Get(ctx, b, k, opts...)
}

func (c *counting) List(ctx context.Context, b string, opts ...driver.ListOption) (*driver.ObjectIterator, error) {
	c.calls.Add(1)
	return c.MemDriver.List(ctx, b, opts...)
}

func (c *counting) Copy(ctx context.Context, sb, sk, db, dk string) (*driver.ObjectInfo, error) {
	c.calls.Add(1)
	return c.MemDriver.Copy(ctx, sb, sk, db, dk)
}

func (c *counting) CreateBucket(ctx context.Context, name string) error {
	c.calls.Add(1)
	return c.MemDriver.CreateBucket(ctx, name)
}

func TestWrapIsIdempotent(t *testing.T) {
	raw := memdriver.New()
	w := driver.Wrap(raw)
	if got := driver.Wrap(w); got != w {
		t.Errorf("Wrap(Wrap(d)) = %p, want Wrap(d) = %p", got, w)
	}
	if got := driver.Unwrap(w); got != driver.Driver(raw) {
		t.Errorf("Unwrap(Wrap(d)) = %T, want d", got)
	}
	if got := driver.Unwrap(raw); got != driver.Driver(raw) {
		t.Errorf("Unwrap of a raw driver = %T, want it unchanged", got)
	}
	if got := w.Name(); got != "mem" {
		t.Errorf("Name() = %q, want %q", got, "mem")
	}
	if driver.Wrap(nil) != nil {
		t.Error("Wrap(nil) is not nil")
	}
}

// TestWrapRefusesBeforeTheDriver checks each refusal the layer makes:
// the error, its *Error's operation, bucket and key, and that the driver
// was never called.
func TestWrapRefusesBeforeTheDriver(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name        string
		call        func(driver.Driver) error
		want        error
		op, b, k    string
		reachDriver bool
	}{
		{"put bad bucket", func(d driver.Driver) error {
			_, err := d.Put(ctx, "Bad_Name", "k", strings.NewReader("x"))
			return err
		}, driver.ErrInvalidName, "put", "Bad_Name", "k", false},
		{"put bad key", func(d driver.Driver) error {
			_, err := d.Put(ctx, "bkt", "", strings.NewReader("x"))
			return err
		}, driver.ErrInvalidName, "put", "bkt", "", false},
		{"list bad cursor", func(d driver.Driver) error {
			_, err := d.List(ctx, "bkt", driver.WithCursor("!!"))
			return err
		}, driver.ErrInvalidCursor, "list", "bkt", "", false},
		{"create bad bucket", func(d driver.Driver) error { return d.CreateBucket(ctx, "ab") }, driver.ErrInvalidName, "create-bucket", "ab", "", false},
		{"copy bad source", func(d driver.Driver) error {
			_, err := d.Copy(ctx, "bkt", "\xff", "bkt", "dst")
			return err
		}, driver.ErrInvalidName, "copy", "bkt", "\xff", false},
		{"copy bad destination", func(d driver.Driver) error {
			_, err := d.Copy(ctx, "bkt", "k", "Bad", "dst")
			return err
		}, driver.ErrInvalidName, "copy", "Bad", "dst", false},
		{"copy to a missing bucket names the destination", func(d driver.Driver) error {
			_, err := d.Copy(ctx, "bkt", "k", "no-bucket", "dst")
			return err
		}, driver.ErrBucketNotFound, "copy", "no-bucket", "dst", true},
		{"copy of a missing source names the source", func(d driver.Driver) error {
			_, err := d.Copy(ctx, "bkt", "gone", "bkt", "dst")
			return err
		}, driver.ErrObjectNotFound, "copy", "bkt", "gone", true},
		{"malformed range on a missing object is not found", func(d driver.Driver) error {
			_, err := d.Get(ctx, "bkt", "gone", driver.WithRange("lines=1-2"))
			return err
		}, driver.ErrObjectNotFound, "get", "bkt", "gone", false},
		{"malformed range", func(d driver.Driver) error {
			_, err := d.Get(ctx, "bkt", "k", driver.WithRange("lines=1-2"))
			return err
		}, driver.ErrInvalidRange, "get", "bkt", "k", false},
		{"range past the end is the driver's", func(d driver.Driver) error {
			_, err := d.Get(ctx, "bkt", "k", driver.WithRange("bytes=10-"))
			return err
		}, driver.ErrInvalidRange, "get", "bkt", "k", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, d := newCounting(t)
			err := tt.call(d)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want an error wrapping %v", err, tt.want)
			}
			var de *driver.Error
			if !errors.As(err, &de) {
				t.Fatalf("got %T, want a *driver.Error", err)
			}
			if de.Op != tt.op || de.Bucket != tt.b || de.Key != tt.k {
				t.Errorf("got op %q bucket %q key %q, want %q %q %q", de.Op, de.Bucket, de.Key, tt.op, tt.b, tt.k)
			}
			if got := c.calls.Load() > 0; got != tt.reachDriver {
				t.Errorf("driver called: got %v, want %v", got, tt.reachDriver)
			}
		})
	}
}

// TestWrapMalformedRangeMessage checks that a malformed range reads as
// ParseRange would put it for the object's real size, so the layer's
// early check changes no message.
func TestWrapMalformedRangeMessage(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ key, spec string }{
		{"k", "bytes=-0"},
		{"k", "bytes=x-"},
		{"empty", "bytes=x-"},
		{"empty", "lines=1-2"},
	} {
		t.Run(tc.key+" "+tc.spec, func(t *testing.T) {
			raw := memdriver.New()
			if err := raw.CreateBucket(ctx, "bkt"); err != nil {
				t.Fatal(err)
			}
			content := map[string]string{"k": "hello", "empty": ""}[tc.key]
			if _, err := raw.Put(ctx, "bkt", tc.key, strings.NewReader(content)); err != nil {
				t.Fatal(err)
			}
			_, want := raw.Get(ctx, "bkt", tc.key, driver.WithRange(tc.spec))
			_, got := driver.Wrap(raw).Get(ctx, "bkt", tc.key, driver.WithRange(tc.spec))
			if want == nil || got == nil || got.Error() != driver.E("get", "bkt", tc.key, want).Error() {
				t.Errorf("got %v, want get bkt/%s: %v", got, tc.key, want)
			}
		})
	}
}

func TestWrapClose(t *testing.T) {
	ctx := context.Background()
	c, d := newCounting(t)
	for i := range 2 {
		if err := d.Close(ctx); err != nil {
			t.Fatalf("Close #%d: got %v, want nil", i+1, err)
		}
	}
	if got := c.closes.Load(); got != 1 {
		t.Errorf("driver's Close called %d times, want once", got)
	}
	c.calls.Store(0)
	ops := map[string]error{}
	ops["Ping"] = d.Ping(ctx)
	_, ops["Put"] = d.Put(ctx, "bkt", "k", strings.NewReader("x"))
	_, ops["Get"] = d.Get(ctx, "bkt", "k")
	_, ops["List"] = d.List(ctx, "bkt")
	_, ops["Copy"] = d.Copy(ctx, "bkt", "k", "bkt", "k2")
	ops["CreateBucket"] = d.CreateBucket(ctx, "new-bucket")
	_, ops["ListBuckets"] = d.ListBuckets(ctx)
	for op, err := range ops {
		if !errors.Is(err, driver.ErrClosed) {
			t.Errorf("%s after Close: got %v, want ErrClosed", op, err)
		}
	}
	if got := c.calls.Load(); got != 0 {
		t.Errorf("driver called %d times after Close, want never", got)
	}
}

func TestWrapDoneContext(t *testing.T) {
	c, d := newCounting(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := d.Put(ctx, "bkt", "k", strings.NewReader("x"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context: got %v, want context.Canceled", err)
	}
	if got := c.calls.Load(); got != 0 {
		t.Errorf("driver called %d times, want never", got)
	}
}

func TestOpenDSNWraps(t *testing.T) {
	d, err := driver.OpenDSN(context.Background(), "mem://")
	if err != nil {
		t.Fatal(err)
	}
	if driver.Wrap(d) != d {
		t.Errorf("OpenDSN gave a %T that is not behind the layer", d)
	}
	if _, ok := driver.Unwrap(d).(*memdriver.MemDriver); !ok {
		t.Errorf("Unwrap(OpenDSN(mem://)) = %T, want *memdriver.MemDriver", driver.Unwrap(d))
	}
}
