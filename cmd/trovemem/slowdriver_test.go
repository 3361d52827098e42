package main

import (
	"context"
	"time"

	"github.com/trovemem/trovemem/driver"
)

// slow:// is a backend for the tests of Ctrl-C: an in-memory store whose
// listings, and deletes of the key "slow", take a minute unless the
// context is cancelled. It is registered in the test binary only, which
// the pty tests run as trovemem.
func init() {
	driver.Register("slow", func(ctx context.Context, dsn *driver.DSN, opts ...driver.Option) (driver.Driver, error) {
		d, err := driver.OpenDSN(ctx, "mem://", opts...)
		if err != nil {
			return nil, err
		}
		return slowDriver{d}, nil
	})
}

type slowDriver struct{ driver.Driver }

func wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Minute):
		return nil
	}
}

func (d slowDriver) List(ctx context.Context, bucket string, opts ...driver.ListOption) (*driver.ObjectIterator, error) {
	if err := wait(ctx); err != nil {
		return nil, err
	}
	return d.Driver.List(ctx, bucket, opts...)
}

func (d slowDriver) Delete(ctx context.Context, bucket, key string) error {
	if key == "slow" {
		if err := wait(ctx); err != nil {
			return err
		}
	}
	return d.Driver.Delete(ctx, bucket, key)
}
