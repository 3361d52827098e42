package drivertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
)

func checkPutGet(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	const content = "hello, world"
	info, err := put(ctx, d, "bucket-a", "greeting", content)
	if err != nil {
		return err
	}
	var errs []error
	if info.Key != "greeting" || info.Size != int64(len(content)) {
		errs = append(errs, fmt.Errorf("Put: got Key %s Size %d, want \"greeting\" %d", show(info.Key), info.Size, len(content)))
	}
	got, rinfo, err := get(ctx, d, "bucket-a", "greeting")
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	if string(got) != content {
		errs = append(errs, fmt.Errorf("Get: got content %q, want %q", got, content))
	}
	if diff := cmp.Diff(info, rinfo, infoCmp); diff != "" {
		errs = append(errs, fmt.Errorf("Get's Info: got %+v, want the info Put returned, %+v (-want +got):\n%s", rinfo, info, diff))
	}
	return errors.Join(errs...)
}

func checkPutReadsWholeReader(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	const content = "read one byte at a time, or with the last bytes and io.EOF together"
	readers := map[string]io.Reader{
		"one-byte":  iotest.OneByteReader(strings.NewReader(content)),
		"half":      iotest.HalfReader(strings.NewReader(content)),
		"data-eof":  iotest.DataErrReader(strings.NewReader(content)),
		"multi":     io.MultiReader(strings.NewReader(content[:10]), strings.NewReader(content[10:])),
		"no-writer": struct{ io.Reader }{strings.NewReader(content)}, // hides WriterTo and Len
		// Bytes given up to the driver, which may keep them, from the
		// start and from part-way in.
		"handoff":        driver.NewHandoff([]byte(content)),
		"handoff-seeked": seekedHandoff("skip me:"+content, len("skip me:")),
	}
	var errs []error
	for key, r := range readers {
		info, err := d.Put(ctx, "bucket-a", key, r)
		if err != nil {
			errs = append(errs, fmt.Errorf("Put(%q) from a %s reader: %w", key, key, err))
			continue
		}
		if info == nil || info.Size != int64(len(content)) {
			errs = append(errs, fmt.Errorf("Put(%q) from a %s reader: got info %+v, want Size %d", key, key, info, len(content)))
		}
		if err := wantContent(ctx, d, "bucket-a", key, content); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// seekedHandoff returns a Handoff over s whose first n bytes were already
// read, as a caller that consumed a header would leave it.
func seekedHandoff(s string, n int) *driver.Handoff {
	h := driver.NewHandoff([]byte(s))
	if _, err := h.Seek(int64(n), io.SeekStart); err != nil {
		panic(err) // a fixed, valid offset
	}
	return h
}

func checkPutOverwrite(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	first, err := put(ctx, d, "bucket-a", "k", "first version",
		driver.WithContentType("text/plain"), driver.WithMetadata(map[string]string{"version": "1"}))
	if err != nil {
		return err
	}
	second, err := put(ctx, d, "bucket-a", "k", "second")
	if err != nil {
		return err
	}
	var errs []error
	if err := wantContent(ctx, d, "bucket-a", "k", "second"); err != nil {
		errs = append(errs, err)
	}
	h, err := head(ctx, d, "bucket-a", "k")
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	// An overwrite replaces the whole object, so nothing of the first Put
	// (content type, metadata) may survive.
	want := &driver.ObjectInfo{Key: "k", Size: 6, ContentType: driver.DefaultContentType, ETag: md5Hex([]byte("second")), LastModified: h.LastModified}
	if diff := cmp.Diff(want, h, infoCmp); diff != "" {
		errs = append(errs, fmt.Errorf("Head after overwrite: got %+v, want %+v (-want +got):\n%s", h, want, diff))
	}
	if diff := cmp.Diff(second, h, infoCmp); diff != "" {
		errs = append(errs, fmt.Errorf("Head after overwrite: got %+v, want the second Put's info %+v (-want +got):\n%s", h, second, diff))
	}
	if first.ETag == second.ETag {
		errs = append(errs, fmt.Errorf("ETag after overwrite with new content: got %q both times, want it changed", first.ETag))
	}
	entries, err := listEntries(ctx, d, "bucket-a")
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	if diff := cmp.Diff([]entry{{Key: "k"}}, entries); diff != "" {
		errs = append(errs, fmt.Errorf("List after overwrite: got %s, want the key once (-want +got):\n%s", showEntries(entries), diff))
	}
	return errors.Join(errs...)
}

func checkEmptyObject(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	info, err := put(ctx, d, "bucket-a", "empty", "")
	if err != nil {
		return err
	}
	var errs []error
	if info.Size != 0 || info.ETag != md5Hex(nil) {
		errs = append(errs, fmt.Errorf("Put of empty content: got Size %d ETag %q, want 0 %q", info.Size, info.ETag, md5Hex(nil)))
	}
	if err := wantContent(ctx, d, "bucket-a", "empty", ""); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// contentTypes collects the content type from every place an object's info
// is reported: Put's result, Head, Get's Info and a List entry.
func contentTypes(ctx context.Context, d driver.Driver, bucket, key, content string, opts ...driver.PutOption) (map[string]string, error) {
	got := map[string]string{}
	info, err := put(ctx, d, bucket, key, content, opts...)
	if err != nil {
		return nil, err
	}
	got["Put"] = info.ContentType
	h, err := head(ctx, d, bucket, key)
	if err != nil {
		return nil, err
	}
	got["Head"] = h.ContentType
	_, ginfo, err := get(ctx, d, bucket, key)
	if err != nil {
		return nil, err
	}
	got["Get"] = ginfo.ContentType
	return got, nil
}

func checkContentTypeDefault(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	got, err := contentTypes(ctx, d, "bucket-a", "k", "<p>not sniffed</p>")
	if err != nil {
		return err
	}
	want := map[string]string{"Put": driver.DefaultContentType, "Head": driver.DefaultContentType, "Get": driver.DefaultContentType}
	if diff := cmp.Diff(want, got); diff != "" {
		return fmt.Errorf("content type with none given: got %v, want %q everywhere (-want +got):\n%s", got, driver.DefaultContentType, diff)
	}
	return nil
}

func checkContentTypeExplicit(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	const ct = "text/plain; charset=utf-8"
	got, err := contentTypes(ctx, d, "bucket-a", "k", "text", driver.WithContentType(ct))
	if err != nil {
		return err
	}
	want := map[string]string{"Put": ct, "Head": ct, "Get": ct}
	if diff := cmp.Diff(want, got); diff != "" {
		return fmt.Errorf("content type %q: got %v, want it kept exactly (-want +got):\n%s", ct, got, diff)
	}
	return nil
}

func checkMetadataRoundTrip(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	md := map[string]string{"owner": "ann", "purpose": "a value with spaces, ünïcode and \"quotes\"", "empty": ""}
	want := map[string]string{"owner": "ann", "purpose": "a value with spaces, ünïcode and \"quotes\"", "empty": ""}
	info, err := put(ctx, d, "bucket-a", "k", "v", driver.WithMetadata(md))
	if err != nil {
		return err
	}
	h, err := head(ctx, d, "bucket-a", "k")
	if err != nil {
		return err
	}
	_, ginfo, err := get(ctx, d, "bucket-a", "k")
	if err != nil {
		return err
	}
	var errs []error
	for op, got := range map[string]map[string]string{"Put": info.Metadata, "Head": h.Metadata, "Get": ginfo.Metadata} {
		if diff := cmp.Diff(want, got); diff != "" {
			errs = append(errs, fmt.Errorf("%s metadata: got %v, want %v (-want +got):\n%s", op, got, want, diff))
		}
	}
	// An object stored without metadata reports none.
	plain, err := put(ctx, d, "bucket-a", "plain", "v")
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	if len(plain.Metadata) != 0 {
		errs = append(errs, fmt.Errorf("Put without metadata: got metadata %v, want none", plain.Metadata))
	}
	return errors.Join(errs...)
}

func checkMetadataIsolation(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	want := map[string]string{"color": "blue"}
	md := map[string]string{"color": "blue"}
	// driver.WithMetadata copies the map itself, which would hide a driver
	// that keeps the caller's map; this option hands the driver the
	// caller's own map so the driver's copy is what is tested.
	callersMap := func(o *driver.PutOptions) { o.Metadata = md }
	info, err := d.Put(ctx, "bucket-a", "k", strings.NewReader("v"), callersMap)
	if err != nil {
		return fmt.Errorf(`Put("k"): %w`, err)
	}
	// Each mutation is checked on its own; the first leak found is
	// reported, since later ones would only repeat it.
	stored := func(after string) error {
		h, err := head(ctx, d, "bucket-a", "k")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(want, h.Metadata); diff != "" {
			return fmt.Errorf("Head after %s: got metadata %v, want %v (-want +got):\n%s", after, h.Metadata, want, diff)
		}
		return nil
	}
	md["color"] = "red"
	md["added"] = "later"
	if err := stored("mutating the map passed to Put"); err != nil {
		return err
	}
	if info != nil && info.Metadata != nil {
		info.Metadata["color"] = "green"
		if err := stored("mutating the map Put returned"); err != nil {
			return err
		}
	}
	if h, err := head(ctx, d, "bucket-a", "k"); err == nil && h.Metadata != nil {
		h.Metadata["color"] = "yellow"
		h.Metadata["added"] = "later"
		if err := stored("mutating the map Head returned"); err != nil {
			return err
		}
	}
	if _, ginfo, err := get(ctx, d, "bucket-a", "k"); err == nil && ginfo.Metadata != nil {
		ginfo.Metadata["color"] = "purple"
		if err := stored("mutating the map on Get's Info"); err != nil {
			return err
		}
	}
	if it, err := d.List(ctx, "bucket-a"); err == nil {
		if all, err := it.All(ctx); err == nil && len(all) == 1 && all[0].Metadata != nil {
			all[0].Metadata["color"] = "orange"
			if err := stored("mutating the map on a List entry"); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkETag(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a", "bucket-b"); err != nil {
		return err
	}
	objs := []struct{ bucket, key, content string }{
		{"bucket-a", "one", "same content"},
		{"bucket-a", "two", "same content"},
		{"bucket-b", "three", "same content"},
		{"bucket-a", "other", "other content"},
		{"bucket-a", "typed", "same content"},
	}
	etags := map[string]string{}
	var errs []error
	for _, o := range objs {
		var opts []driver.PutOption
		if o.key == "typed" {
			// The ETag is of the content alone, not its content type.
			opts = append(opts, driver.WithContentType("text/plain"), driver.WithMetadata(map[string]string{"m": "x"}))
		}
		info, err := put(ctx, d, o.bucket, o.key, o.content, opts...)
		if err != nil {
			return err
		}
		want := md5Hex([]byte(o.content))
		if info.ETag != want {
			errs = append(errs, fmt.Errorf("Put(%s, %s) ETag: got %q, want the hex MD5 %q", o.bucket, o.key, info.ETag, want))
		}
		h, err := head(ctx, d, o.bucket, o.key)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		if h.ETag != want {
			errs = append(errs, fmt.Errorf("Head(%s, %s) ETag: got %q, want the hex MD5 %q", o.bucket, o.key, h.ETag, want))
		}
		etags[o.key] = h.ETag
	}
	if etags["one"] != etags["two"] || etags["one"] != etags["three"] || etags["one"] != etags["typed"] {
		errs = append(errs, fmt.Errorf("ETags of equal content: got %q, %q, %q, %q, want all equal", etags["one"], etags["two"], etags["three"], etags["typed"]))
	}
	if etags["one"] == etags["other"] {
		errs = append(errs, fmt.Errorf("ETags of different content: got %q for both, want them different", etags["one"]))
	}
	return errors.Join(errs...)
}

func checkHead(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	const content = "twenty-one bytes long"
	md := map[string]string{"a": "1", "b": "2"}
	info, err := put(ctx, d, "bucket-a", "dir/k", content, driver.WithContentType("text/x-test"), driver.WithMetadata(md))
	if err != nil {
		return err
	}
	h, err := head(ctx, d, "bucket-a", "dir/k")
	if err != nil {
		return err
	}
	var errs []error
	want := &driver.ObjectInfo{
		Key: "dir/k", Size: int64(len(content)), ContentType: "text/x-test",
		ETag: md5Hex([]byte(content)), Metadata: md, LastModified: h.LastModified,
	}
	if diff := cmp.Diff(want, h, infoCmp); diff != "" {
		errs = append(errs, fmt.Errorf("Head: got %+v, want %+v (-want +got):\n%s", h, want, diff))
	}
	if h.LastModified.IsZero() {
		errs = append(errs, errors.New("Head: got a zero LastModified, want the time of the Put"))
	}
	if h.IsPrefix {
		errs = append(errs, errors.New("Head: got IsPrefix set, want it only on delimited List entries"))
	}
	if diff := cmp.Diff(info, h, infoCmp); diff != "" {
		errs = append(errs, fmt.Errorf("Head: got %+v, want the info Put returned, %+v (-want +got):\n%s", h, info, diff))
	}
	return errors.Join(errs...)
}

func checkObjectNotFound(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	if _, err := put(ctx, d, "bucket-a", "dir/file", "v"); err != nil {
		return err
	}
	var errs []error
	// "dir" and "dir/" are prefixes of a stored key, not objects.
	for _, key := range []string{"missing", "dir", "dir/", "dir/file/"} {
		_, err := d.Head(ctx, "bucket-a", key)
		errs = append(errs, wantIs(fmt.Sprintf("Head(%s)", show(key)), err, driver.ErrObjectNotFound))
		r, err := d.Get(ctx, "bucket-a", key)
		if err == nil {
			r.Close()
		}
		errs = append(errs, wantIs(fmt.Sprintf("Get(%s)", show(key)), err, driver.ErrObjectNotFound))
		r, err = d.Get(ctx, "bucket-a", key, driver.WithRange("bytes=0-0"))
		if err == nil {
			r.Close()
		}
		errs = append(errs, wantIs(fmt.Sprintf("ranged Get(%s)", show(key)), err, driver.ErrObjectNotFound))
	}
	return errors.Join(errs...)
}

func checkBucketNotFound(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	if _, err := put(ctx, d, "bucket-a", "k", "v"); err != nil {
		return err
	}
	const missing = "bucket-missing"
	var errs []error
	for op, err := range nameOps(ctx, d, missing, "k") {
		errs = append(errs, wantIs(fmt.Sprintf("%s(%q, \"k\")", op, missing), err, driver.ErrBucketNotFound))
	}
	_, err := d.List(ctx, missing)
	errs = append(errs, wantIs(fmt.Sprintf("List(%q)", missing), err, driver.ErrBucketNotFound))
	// The failed Put must have stored nothing, not even a bucket.
	if ok, err := hasBucket(ctx, d, missing); err != nil || ok {
		errs = append(errs, fmt.Errorf("ListBuckets after a Put into %q: got it listed=%v (err %v), want it absent", missing, ok, err))
	}
	if err := createBuckets(ctx, d, missing); err != nil {
		return errors.Join(append(errs, err)...)
	}
	entries, err := listEntries(ctx, d, missing)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	if len(entries) != 0 {
		errs = append(errs, fmt.Errorf("List of %q created after a failed Put into it: got %s, want nothing stored", missing, showEntries(entries)))
	}
	return errors.Join(errs...)
}

func checkDeleteIdempotent(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	if _, err := put(ctx, d, "bucket-a", "k", "v"); err != nil {
		return err
	}
	if _, err := put(ctx, d, "bucket-a", "keep", "v"); err != nil {
		return err
	}
	var errs []error
	for i, key := range []string{"k", "k", "never-existed"} {
		if err := d.Delete(ctx, "bucket-a", key); err != nil {
			errs = append(errs, fmt.Errorf("Delete #%d of %q: got %q, want nil", i+1, key, err))
		}
	}
	if err := wantMissing(ctx, d, "bucket-a", "k"); err != nil {
		errs = append(errs, err)
	}
	if err := wantContent(ctx, d, "bucket-a", "keep", "v"); err != nil {
		errs = append(errs, fmt.Errorf("after deleting another key: %w", err))
	}
	return errors.Join(errs...)
}

func checkGetReaderSnapshot(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	const old = "the old content, long enough to read in parts"
	if _, err := put(ctx, d, "bucket-a", "k", old); err != nil {
		return err
	}
	var errs []error
	for _, change := range []string{"overwrite", "delete"} {
		r, err := d.Get(ctx, "bucket-a", "k")
		if err != nil {
			return fmt.Errorf(`Get("k"): %w`, err)
		}
		// Part of the content is read before the change, the rest after.
		start := make([]byte, 4)
		if _, err := io.ReadFull(r, start); err != nil {
			r.Close()
			return fmt.Errorf(`reading Get("k"): %w`, err)
		}
		if change == "overwrite" {
			_, err = put(ctx, d, "bucket-a", "k", "NEW")
		} else {
			err = d.Delete(ctx, "bucket-a", "k")
		}
		if err != nil {
			r.Close()
			return err
		}
		rest, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			return fmt.Errorf(`reading Get("k") after %s: %w`, change, err)
		}
		if got := string(start) + string(rest); got != old {
			errs = append(errs, fmt.Errorf("reader opened before a %s: got %q, want %q", change, got, old))
		}
		if r.Info != nil && r.Info.ETag != md5Hex([]byte(old)) {
			errs = append(errs, fmt.Errorf("reader's Info after a %s: got ETag %q, want the old object's %q", change, r.Info.ETag, md5Hex([]byte(old))))
		}
		if change == "overwrite" {
			if err := wantContent(ctx, d, "bucket-a", "k", "NEW"); err != nil {
				errs = append(errs, err)
			}
			if _, err := put(ctx, d, "bucket-a", "k", old); err != nil {
				return err
			}
		}
	}
	return errors.Join(errs...)
}

func checkRangeRead(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	const content = "0123456789"
	if _, err := put(ctx, d, "bucket-a", "digits", content); err != nil {
		return err
	}
	var errs []error
	for _, tc := range []struct{ spec, want string }{
		{"", content},
		{"bytes=0-3", "0123"},
		{"bytes=2-", "23456789"},
		{"bytes=-2", "89"},
		{"bytes=9-9", "9"},
		{"bytes=0-0", "0"},
		{"bytes=5-100", "56789"},
		{"bytes=-100", content},
	} {
		var opts []driver.GetOption
		if tc.spec != "" {
			opts = append(opts, driver.WithRange(tc.spec))
		}
		got, _, err := get(ctx, d, "bucket-a", "digits", opts...)
		if err != nil {
			errs = append(errs, fmt.Errorf("range %q: %w", tc.spec, err))
			continue
		}
		if string(got) != tc.want {
			errs = append(errs, fmt.Errorf("range %q of %q: got %q, want %q", tc.spec, content, got, tc.want))
		}
	}
	for _, spec := range []string{
		"bytes=10-", "bytes=20-30", "bytes=5-2", "bytes=-0",
		"garbage", "bytes=a-b", "bytes=0-1,3-4", "items=0-1", "bytes=", "bytes=--1",
	} {
		r, err := d.Get(ctx, "bucket-a", "digits", driver.WithRange(spec))
		if err == nil {
			r.Close()
		}
		errs = append(errs, wantIs(fmt.Sprintf("Get with range %q of a 10-byte object", spec), err, driver.ErrInvalidRange))
	}
	return errors.Join(errs...)
}

func checkLargeObject(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	content := make([]byte, 1<<20)
	rand.NewChaCha8([32]byte{1, 2, 3}).Read(content)
	info, err := d.Put(ctx, "bucket-a", "large", bytes.NewReader(content))
	if err != nil {
		return fmt.Errorf(`Put("large") of 1 MiB: %w`, err)
	}
	var errs []error
	if info == nil || info.Size != int64(len(content)) || info.ETag != md5Hex(content) {
		errs = append(errs, fmt.Errorf("Put of 1 MiB: got info %+v, want Size %d ETag %q", info, len(content), md5Hex(content)))
	}
	got, _, err := get(ctx, d, "bucket-a", "large")
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	if !bytes.Equal(got, content) {
		i := 0
		for i < len(got) && i < len(content) && got[i] == content[i] {
			i++
		}
		errs = append(errs, fmt.Errorf("Get of 1 MiB: got %d bytes differing from byte %d on, want the %d bytes put", len(got), i, len(content)))
	}
	part, _, err := get(ctx, d, "bucket-a", "large", driver.WithRange("bytes=500000-500099"))
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	if !bytes.Equal(part, content[500000:500100]) {
		errs = append(errs, fmt.Errorf("range bytes=500000-500099 of 1 MiB: got %d bytes not matching, want bytes 500000-500099", len(part)))
	}
	return errors.Join(errs...)
}

// checkPutLastModified: WithLastModified stamps the object with the given
// time instead of the clock, as restoring an object exactly needs, and a
// later plain Put stamps the clock again.
func checkPutLastModified(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	when := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	info, err := put(ctx, d, "bucket-a", "k", "v", driver.WithLastModified(when))
	if err != nil {
		return err
	}
	var errs []error
	if !info.LastModified.Equal(when) {
		errs = append(errs, fmt.Errorf("Put with WithLastModified(%s): got LastModified %s, want %s", when, info.LastModified, when))
	}
	h, err := head(ctx, d, "bucket-a", "k")
	if err != nil {
		return err
	}
	if !h.LastModified.Equal(when) {
		errs = append(errs, fmt.Errorf("Head after Put with WithLastModified(%s): got LastModified %s, want %s", when, h.LastModified, when))
	}
	again, err := put(ctx, d, "bucket-a", "k", "w")
	if err != nil {
		return err
	}
	if again.LastModified.Equal(when) {
		errs = append(errs, fmt.Errorf("plain Put after WithLastModified: got LastModified %s again, want the clock's time", when))
	}
	return errors.Join(errs...)
}
