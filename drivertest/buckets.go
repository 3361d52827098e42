package drivertest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
)

func checkPing(ctx context.Context, d driver.Driver) error {
	if err := d.Ping(ctx); err != nil {
		return fmt.Errorf("Ping on an open driver: got %q, want nil", err)
	}
	return nil
}

func checkCreateBucket(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	ok, err := hasBucket(ctx, d, "bucket-a")
	if err != nil {
		return err
	}
	if !ok {
		return errors.New(`ListBuckets after CreateBucket("bucket-a"): got no "bucket-a", want it listed`)
	}
	// A new bucket must be usable at once and start empty.
	entries, err := listEntries(ctx, d, "bucket-a")
	if err != nil {
		return err
	}
	if len(entries) != 0 {
		return fmt.Errorf("List of a new bucket: got %d entries, want 0", len(entries))
	}
	if _, err := put(ctx, d, "bucket-a", "k", "v"); err != nil {
		return err
	}
	return nil
}

func checkCreateBucketDuplicate(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	if _, err := put(ctx, d, "bucket-a", "k", "kept"); err != nil {
		return err
	}
	err := d.CreateBucket(ctx, "bucket-a")
	if err := wantIs(`second CreateBucket("bucket-a")`, err, driver.ErrBucketExists); err != nil {
		return err
	}
	// The failed create must not have replaced the bucket.
	return wantContent(ctx, d, "bucket-a", "k", "kept")
}

func checkDeleteBucket(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a", "bucket-b"); err != nil {
		return err
	}
	if err := d.DeleteBucket(ctx, "bucket-a"); err != nil {
		return fmt.Errorf(`DeleteBucket("bucket-a") of an empty bucket: got %q, want nil`, err)
	}
	names, err := bucketNames(ctx, d)
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range names {
		if n == "bucket-a" {
			errs = append(errs, errors.New(`ListBuckets after DeleteBucket("bucket-a"): got "bucket-a" still listed, want it gone`))
		}
	}
	if ok, err := hasBucket(ctx, d, "bucket-b"); err != nil || !ok {
		errs = append(errs, fmt.Errorf(`ListBuckets after DeleteBucket("bucket-a"): got "bucket-b" listed=%v (err %v), want it kept`, ok, err))
	}
	_, err = d.Put(ctx, "bucket-a", "k", strings.NewReader("v"))
	errs = append(errs, wantIs(`Put into deleted bucket "bucket-a"`, err, driver.ErrBucketNotFound))
	// The name is free again.
	if err := d.CreateBucket(ctx, "bucket-a"); err != nil {
		errs = append(errs, fmt.Errorf(`CreateBucket("bucket-a") after deleting it: got %q, want nil`, err))
	}
	return errors.Join(errs...)
}

func checkDeleteBucketNotEmpty(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	if _, err := put(ctx, d, "bucket-a", "k", "v"); err != nil {
		return err
	}
	err := d.DeleteBucket(ctx, "bucket-a")
	if err := wantIs(`DeleteBucket("bucket-a") holding one object`, err, driver.ErrBucketNotEmpty); err != nil {
		return err
	}
	if err := wantContent(ctx, d, "bucket-a", "k", "v"); err != nil {
		return fmt.Errorf("after a refused DeleteBucket: %w", err)
	}
	if err := d.Delete(ctx, "bucket-a", "k"); err != nil {
		return fmt.Errorf(`Delete("bucket-a", "k"): %w`, err)
	}
	if err := d.DeleteBucket(ctx, "bucket-a"); err != nil {
		return fmt.Errorf(`DeleteBucket("bucket-a") once emptied: got %q, want nil`, err)
	}
	return nil
}

func checkDeleteBucketMissing(ctx context.Context, d driver.Driver) error {
	err := d.DeleteBucket(ctx, "bucket-missing")
	return wantIs(`DeleteBucket("bucket-missing")`, err, driver.ErrBucketNotFound)
}

func checkListBucketsSorted(ctx context.Context, d driver.Driver) error {
	before, err := bucketNames(ctx, d)
	if err != nil {
		return err
	}
	// Created out of order; '-' (0x2d) < '.' (0x2e) < '0' (0x30) makes the
	// byte order differ from a naive "natural" order.
	created := []string{"bucket-c", "bucket-a", "bucket0", "bucket.a", "a-bucket", "bucket-b", "bucket-a1"}
	if err := createBuckets(ctx, d, created...); err != nil {
		return err
	}
	got, err := bucketNames(ctx, d)
	if err != nil {
		return err
	}
	want := append(append([]string(nil), before...), created...)
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		return fmt.Errorf("ListBuckets: got names %q, want %q sorted by name (-want +got):\n%s", got, want, diff)
	}
	return nil
}

// invalidBuckets break one S3 naming rule each.
var invalidBuckets = []string{"A", "ab", "UPPER", strings.Repeat("a", 64), "-ab", "ab-", "under_score", "has space", ""}

// invalidKeys break one key rule each.
var invalidKeys = []string{"", "\xff", "a\xc0b", strings.Repeat("k", driver.MaxKeyLen+1), strings.Repeat("é", driver.MaxKeyLen/2) + "a"}

// nameOps calls every Driver method that takes a bucket or key, so that
// name checks cover them all.
func nameOps(ctx context.Context, d driver.Driver, bucket, key string) map[string]error {
	errs := map[string]error{}
	_, errs["Put"] = d.Put(ctx, bucket, key, strings.NewReader("v"))
	if r, err := d.Get(ctx, bucket, key); err == nil {
		r.Close()
	} else {
		errs["Get"] = err
	}
	_, errs["Head"] = d.Head(ctx, bucket, key)
	errs["Delete"] = d.Delete(ctx, bucket, key)
	return errs
}

func checkInvalidBucketNames(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	if _, err := put(ctx, d, "bucket-a", "k", "v"); err != nil {
		return err
	}
	var errs []error
	for _, name := range invalidBuckets {
		errs = append(errs, wantIs(fmt.Sprintf("CreateBucket(%s)", show(name)), d.CreateBucket(ctx, name), driver.ErrInvalidName))
		errs = append(errs, wantIs(fmt.Sprintf("DeleteBucket(%s)", show(name)), d.DeleteBucket(ctx, name), driver.ErrInvalidName))
		for op, err := range nameOps(ctx, d, name, "k") {
			errs = append(errs, wantIs(fmt.Sprintf("%s(%s, \"k\")", op, show(name)), err, driver.ErrInvalidName))
		}
		_, err := d.List(ctx, name)
		errs = append(errs, wantIs(fmt.Sprintf("List(%s)", show(name)), err, driver.ErrInvalidName))
		_, err = d.Copy(ctx, name, "k", "bucket-a", "dst")
		errs = append(errs, wantIs(fmt.Sprintf("Copy from bucket %s", show(name)), err, driver.ErrInvalidName))
		_, err = d.Copy(ctx, "bucket-a", "k", name, "dst")
		errs = append(errs, wantIs(fmt.Sprintf("Copy to bucket %s", show(name)), err, driver.ErrInvalidName))
	}
	names, err := bucketNames(ctx, d)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, n := range names {
		for _, bad := range invalidBuckets {
			if n == bad {
				errs = append(errs, fmt.Errorf("ListBuckets: got invalid name %s listed, want it never created", show(n)))
			}
		}
	}
	// The longest and shortest valid names sit right next to the invalid
	// ones and must work.
	for _, name := range []string{"abc", strings.Repeat("a", 63), "a.b-c9"} {
		if err := d.CreateBucket(ctx, name); err != nil {
			errs = append(errs, fmt.Errorf("CreateBucket(%s) of a valid name: got %q, want nil", show(name), err))
		}
	}
	return errors.Join(errs...)
}

func checkInvalidKeys(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	if _, err := put(ctx, d, "bucket-a", "src", "v"); err != nil {
		return err
	}
	var errs []error
	for _, key := range invalidKeys {
		for op, err := range nameOps(ctx, d, "bucket-a", key) {
			errs = append(errs, wantIs(fmt.Sprintf("%s(\"bucket-a\", %s)", op, show(key)), err, driver.ErrInvalidName))
		}
		_, err := d.Copy(ctx, "bucket-a", key, "bucket-a", "dst")
		errs = append(errs, wantIs(fmt.Sprintf("Copy from %s", show(key)), err, driver.ErrInvalidName))
		_, err = d.Copy(ctx, "bucket-a", "src", "bucket-a", key)
		errs = append(errs, wantIs(fmt.Sprintf("Copy to %s", show(key)), err, driver.ErrInvalidName))
	}
	got, err := listEntries(ctx, d, "bucket-a")
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	if diff := cmp.Diff([]entry{{Key: "src"}}, got); diff != "" {
		errs = append(errs, fmt.Errorf("List after rejected Puts and Copies: got %s, want only \"src\" (-want +got):\n%s", showEntries(got), diff))
	}
	return errors.Join(errs...)
}

// unusualKeys are valid keys that trip naive escaping, splitting or length
// handling. Keys with a ".." component or a leading "/" are left out: the
// contract lets drivers whose keys become file paths refuse them.
var unusualKeys = []string{
	strings.Repeat("k", driver.MaxKeyLen),
	strings.Repeat("é", driver.MaxKeyLen/2),
	"with space",
	" leading and trailing ",
	`double"quote`,
	"single'quote",
	`back\slash`,
	"unicode-日本語-ümlaut-🙂",
	"tab\tand\nnewline",
	"trailing/",
	"a//double",
	"./dot",
	"%2F-percent",
	"*?[glob]",
}

func checkUnusualValidKeys(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	var errs []error
	var stored []string
	for _, key := range unusualKeysFor(ctx) {
		content := "content of " + key
		if _, err := put(ctx, d, "bucket-a", key, content); err != nil {
			errs = append(errs, err)
			continue
		}
		stored = append(stored, key)
		if err := wantContent(ctx, d, "bucket-a", key, content); err != nil {
			errs = append(errs, err)
		}
		if info, err := head(ctx, d, "bucket-a", key); err != nil {
			errs = append(errs, err)
		} else if info.Key != key {
			errs = append(errs, fmt.Errorf("Head(%s): got Key %s, want it unchanged", show(key), show(info.Key)))
		}
	}
	sort.Strings(stored)
	got, err := listEntries(ctx, d, "bucket-a")
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	if diff := cmp.Diff(keyEntries(stored), got); diff != "" {
		errs = append(errs, fmt.Errorf("List of unusual keys: got %d entries, want %d in byte order (-want +got):\n%s", len(got), len(stored), diff))
	}
	for _, key := range stored {
		if err := d.Delete(ctx, "bucket-a", key); err != nil {
			errs = append(errs, fmt.Errorf("Delete(%s): %w", show(key), err))
		} else if err := wantMissing(ctx, d, "bucket-a", key); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
