package drivertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
)

// copyAndCompare copies src to dst and checks the copy's content, content
// type and metadata against the source, and Copy's result against Head.
func copyAndCompare(ctx context.Context, d driver.Driver, srcBucket, srcKey, dstBucket, dstKey string) error {
	const content = "content to copy"
	md := map[string]string{"origin": "source", "n": "1"}
	src, err := put(ctx, d, srcBucket, srcKey, content, driver.WithContentType("text/x-copy"), driver.WithMetadata(md))
	if err != nil {
		return err
	}
	what := fmt.Sprintf("Copy(%s/%s to %s/%s)", srcBucket, srcKey, dstBucket, dstKey)
	info, err := d.Copy(ctx, srcBucket, srcKey, dstBucket, dstKey)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if info == nil {
		return fmt.Errorf("%s: got nil info and nil error", what)
	}
	var errs []error
	if err := wantContent(ctx, d, dstBucket, dstKey, content); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", what, err))
	}
	h, err := head(ctx, d, dstBucket, dstKey)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	want := &driver.ObjectInfo{
		Key: dstKey, Size: src.Size, ContentType: "text/x-copy", ETag: src.ETag,
		Metadata: md, LastModified: h.LastModified,
	}
	if diff := cmp.Diff(want, h, infoCmp); diff != "" {
		errs = append(errs, fmt.Errorf("Head of the copy: got %+v, want %+v (-want +got):\n%s", h, want, diff))
	}
	if diff := cmp.Diff(h, info, infoCmp); diff != "" {
		errs = append(errs, fmt.Errorf("%s: got info %+v, want Head's %+v (-want +got):\n%s", what, info, h, diff))
	}
	// The copy is independent of its source: overwriting the source, then
	// deleting it, leaves the copy alone.
	if _, err := put(ctx, d, srcBucket, srcKey, "changed source"); err != nil {
		return errors.Join(append(errs, err)...)
	}
	if err := wantContent(ctx, d, dstBucket, dstKey, content); err != nil {
		errs = append(errs, fmt.Errorf("copy after overwriting its source: %w", err))
	}
	if err := d.Delete(ctx, srcBucket, srcKey); err != nil {
		return errors.Join(append(errs, fmt.Errorf("Delete of the source: %w", err))...)
	}
	if err := wantContent(ctx, d, dstBucket, dstKey, content); err != nil {
		errs = append(errs, fmt.Errorf("copy after deleting its source: %w", err))
	}
	return errors.Join(errs...)
}

func checkCopySameBucket(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	var errs []error
	errs = append(errs, copyAndCompare(ctx, d, "bucket-a", "src", "bucket-a", "dst"))
	// Copying onto an existing key replaces it.
	if _, err := put(ctx, d, "bucket-a", "taken", "old", driver.WithMetadata(map[string]string{"stale": "yes"})); err != nil {
		return err
	}
	errs = append(errs, copyAndCompare(ctx, d, "bucket-a", "src2", "bucket-a", "taken"))
	return errors.Join(errs...)
}

func checkCopyAcrossBuckets(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a", "bucket-b"); err != nil {
		return err
	}
	if err := copyAndCompare(ctx, d, "bucket-a", "dir/src", "bucket-b", "other/dst"); err != nil {
		return err
	}
	// The copy landed only in the destination bucket.
	got, err := listEntries(ctx, d, "bucket-a")
	if err != nil {
		return err
	}
	if len(got) != 0 {
		return fmt.Errorf("List of the source bucket after copying out and deleting the source: got %s, want nothing", showEntries(got))
	}
	return nil
}

func checkCopyMissingSource(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a", "bucket-b"); err != nil {
		return err
	}
	var errs []error
	_, err := d.Copy(ctx, "bucket-a", "missing", "bucket-b", "dst")
	errs = append(errs, wantIs(`Copy of missing key "missing"`, err, driver.ErrObjectNotFound))
	_, err = d.Copy(ctx, "bucket-missing", "k", "bucket-b", "dst")
	errs = append(errs, wantIs(`Copy from missing bucket "bucket-missing"`, err, driver.ErrBucketNotFound))
	if err := wantMissing(ctx, d, "bucket-b", "dst"); err != nil {
		errs = append(errs, fmt.Errorf("after failed Copies: %w", err))
	}
	return errors.Join(errs...)
}

func checkCopyMissingDestinationBucket(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	if _, err := put(ctx, d, "bucket-a", "src", "v"); err != nil {
		return err
	}
	_, err := d.Copy(ctx, "bucket-a", "src", "bucket-missing", "dst")
	if err := wantIs(`Copy into missing bucket "bucket-missing"`, err, driver.ErrBucketNotFound); err != nil {
		return err
	}
	if ok, err := hasBucket(ctx, d, "bucket-missing"); err != nil || ok {
		return fmt.Errorf(`ListBuckets after a Copy into "bucket-missing": got it listed=%v (err %v), want it absent`, ok, err)
	}
	return wantContent(ctx, d, "bucket-a", "src", "v")
}

func checkConcurrent(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	const workers, perWorker = 4, 12
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	shared := make([]string, workers)
	for w := range workers {
		shared[w] = strings.Repeat(fmt.Sprintf("writer %d;", w), 50)
	}
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				key := fmt.Sprintf("w%d/k%02d", w, i)
				content := fmt.Sprintf("worker %d item %d", w, i)
				if _, err := put(ctx, d, "bucket-a", key, content); err != nil {
					fail(err)
					return
				}
				if err := wantContent(ctx, d, "bucket-a", key, content); err != nil {
					fail(err)
				}
				// Every worker rewrites one shared key; readers must see one
				// whole version, never a mix.
				if _, err := put(ctx, d, "bucket-a", "shared", shared[w]); err != nil {
					fail(err)
				}
				if got, _, err := get(ctx, d, "bucket-a", "shared"); err != nil {
					fail(err)
				} else if !slices.Contains(shared, string(got)) {
					fail(fmt.Errorf(`concurrent Get("shared"): got %s, want one writer's whole content`, show(string(got))))
				}
				if i%2 == 1 {
					if err := d.Delete(ctx, "bucket-a", key); err != nil {
						fail(fmt.Errorf("Delete(%q): %w", key, err))
					}
				}
				if it, err := d.List(ctx, "bucket-a", driver.WithPrefix(fmt.Sprintf("w%d/", w)), driver.WithMaxKeys(5)); err != nil {
					fail(fmt.Errorf("concurrent List: %w", err))
				} else if _, err := it.All(ctx); err != nil {
					fail(fmt.Errorf("concurrent List: %w", err))
				}
				if _, err := d.ListBuckets(ctx); err != nil {
					fail(fmt.Errorf("concurrent ListBuckets: %w", err))
				}
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	// Final state: the even keys of every worker, and one whole shared value.
	var wantKeys []string
	for w := range workers {
		for i := 0; i < perWorker; i += 2 {
			wantKeys = append(wantKeys, fmt.Sprintf("w%d/k%02d", w, i))
		}
	}
	got, err := listEntries(ctx, d, "bucket-a", driver.WithPrefix("w"))
	if err != nil {
		return err
	}
	if diff := cmp.Diff(keyEntries(wantKeys), got); diff != "" {
		errs = append(errs, fmt.Errorf("List after concurrent writes: got %d keys, want %d (-want +got):\n%s", len(got), len(wantKeys), diff))
	}
	for _, key := range wantKeys {
		var w, i int
		fmt.Sscanf(key, "w%d/k%d", &w, &i)
		if err := wantContent(ctx, d, "bucket-a", key, fmt.Sprintf("worker %d item %d", w, i)); err != nil {
			errs = append(errs, err)
		}
	}
	content, _, err := get(ctx, d, "bucket-a", "shared")
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	h, err := head(ctx, d, "bucket-a", "shared")
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	if !slices.Contains(shared, string(content)) || h.ETag != md5Hex(content) || h.Size != int64(len(content)) {
		errs = append(errs, fmt.Errorf(`"shared" after concurrent writes: got content %s with Size %d ETag %q, want one writer's whole content with its own size and ETag`, show(string(content)), h.Size, h.ETag))
	}
	return errors.Join(errs...)
}

// closedOps calls every Driver method except Name and Close, with names
// that are valid and objects that existed before the close, so the only
// reason left to fail is the close itself.
func closedOps(ctx context.Context, d driver.Driver) map[string]error {
	errs := map[string]error{}
	errs["Ping"] = d.Ping(ctx)
	_, errs["Put"] = d.Put(ctx, "bucket-a", "k2", strings.NewReader("v"))
	if r, err := d.Get(ctx, "bucket-a", "k"); err == nil {
		io.Copy(io.Discard, r)
		r.Close()
	} else {
		errs["Get"] = err
	}
	_, errs["Head"] = d.Head(ctx, "bucket-a", "k")
	errs["Delete"] = d.Delete(ctx, "bucket-a", "k")
	_, errs["List"] = d.List(ctx, "bucket-a")
	_, errs["Copy"] = d.Copy(ctx, "bucket-a", "k", "bucket-a", "k3")
	errs["CreateBucket"] = d.CreateBucket(ctx, "bucket-new")
	errs["DeleteBucket"] = d.DeleteBucket(ctx, "bucket-b")
	_, errs["ListBuckets"] = d.ListBuckets(ctx)
	return errs
}

func checkClosed(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a", "bucket-b"); err != nil {
		return err
	}
	if _, err := put(ctx, d, "bucket-a", "k", "v"); err != nil {
		return err
	}
	if err := d.Close(ctx); err != nil {
		return fmt.Errorf("Close: got %q, want nil", err)
	}
	var errs []error
	ops := closedOps(ctx, d)
	for _, op := range []string{"Ping", "Put", "Get", "Head", "Delete", "List", "Copy", "CreateBucket", "DeleteBucket", "ListBuckets"} {
		errs = append(errs, wantIs(op+" after Close", ops[op], driver.ErrClosed))
	}
	return errors.Join(errs...)
}

func checkCloseTwice(ctx context.Context, d driver.Driver) error {
	if err := d.Close(ctx); err != nil {
		return fmt.Errorf("first Close: got %q, want nil", err)
	}
	if err := d.Close(ctx); err != nil {
		return fmt.Errorf("second Close: got %q, want nil", err)
	}
	return nil
}
