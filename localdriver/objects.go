package localdriver

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/trovemem/trovemem/driver"
)

// Put stores r under bucket/key; see the package doc for how the write is
// made atomic.
func (d *LocalDriver) Put(ctx context.Context, bucket, key string, r io.Reader, opts ...driver.PutOption) (_ *driver.ObjectInfo, err error) {
	defer d.scrub(&err)
	if err := checkPathKey(key); err != nil {
		return nil, err
	}
	o := driver.ApplyPutOptions(opts)
	return d.put(ctx, bucket, key, r, o.ContentType, o.Metadata, o.LastModified)
}

// put streams r into a temporary file without holding d.mu, so slow
// uploads block nobody, then commits it under the write lock.
func (d *LocalDriver) put(ctx context.Context, bucket, key string, r io.Reader, contentType string, meta map[string]string, modified time.Time) (*driver.ObjectInfo, error) {
	d.mu.RLock()
	root, err := d.rootLocked()
	if err == nil {
		err = checkBucket(root, bucket)
	}
	var f *os.File
	var tmp string
	if err == nil {
		f, tmp, err = createTemp(root, filepath.Join(bucket, objectsDir))
	}
	if err == nil {
		d.inflight.Add(1)
	}
	d.mu.RUnlock()
	if err != nil {
		return nil, err
	}

	h := md5.New()
	size, err := io.Copy(io.MultiWriter(f, h), ctxReader{ctx, r})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	defer d.releaseLocked(root)
	var s *sidecar
	if err == nil {
		s = &sidecar{
			Version:      sidecarVersion,
			Key:          key,
			Size:         size,
			ETag:         hex.EncodeToString(h.Sum(nil)),
			ContentType:  contentType,
			Metadata:     meta,
			LastModified: modified.UTC(),
		}
		err = d.commitLocked(ctx, root, bucket, tmp, s)
	}
	if err != nil {
		_ = root.Remove(tmp)
		return nil, err
	}
	return s.info(), nil
}

// releaseLocked ends a Put's streaming phase and closes the root if Close
// ran meanwhile and this was the last Put out; d.mu must be held.
func (d *LocalDriver) releaseLocked(root *os.Root) {
	if d.inflight.Add(-1) == 0 && d.closed {
		_ = root.Close()
	}
}

// commitLocked makes the streamed temporary file tmp the content of
// s.Key; d.mu must be held exclusively.
func (d *LocalDriver) commitLocked(ctx context.Context, root *os.Root, bucket, tmp string, s *sidecar) error {
	if d.closed {
		return driver.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The bucket may have been deleted while the content streamed in.
	if err := checkBucket(root, bucket); err != nil {
		return err
	}
	name := keyName(s.Key)
	old, _ := readSidecar(root, bucket, name)
	s.Gen = newGen()
	if s.LastModified.IsZero() {
		s.LastModified = d.stamp()
	}
	data := dataPath(bucket, name, s.Gen)
	if err := root.Rename(tmp, data); err != nil {
		return err
	}
	js, err := json.Marshal(s)
	if err == nil {
		// The data file's name must be durable before a sidecar names it.
		err = syncDir(root, filepath.Join(bucket, objectsDir))
	}
	if err == nil {
		err = writeFileAtomic(root, filepath.Join(bucket, metaDir), name, js)
	}
	if err != nil {
		_ = root.Remove(data)
		return err
	}
	if old != nil {
		// Committed already: a leftover old data file is invisible debris.
		_ = root.Remove(dataPath(bucket, name, old.Gen))
	}
	return nil
}

// ctxReader stops a Put's copy once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Get opens the object; the returned reader holds the data file open, so it
// reads the version Get found whatever happens to the key afterwards.
func (d *LocalDriver) Get(ctx context.Context, bucket, key string, opts ...driver.GetOption) (_ *driver.ObjectReader, err error) {
	defer d.scrub(&err)
	o := driver.ApplyGetOptions(opts)
	s, f, err := d.open(bucket, key)
	if err != nil {
		return nil, err
	}
	off, n, err := driver.ParseRange(o.Range, s.Size)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &driver.ObjectReader{
		ReadCloser: &fileReader{Reader: io.NewSectionReader(f, off, n), f: f, d: d},
		Info:       s.info(),
	}, nil
}

// open checks the key's path rules and opens the object for reading.
func (d *LocalDriver) open(bucket, key string) (*sidecar, *os.File, error) {
	if err := checkPathKey(key); err != nil {
		return nil, nil, err
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	root, err := d.rootLocked()
	if err != nil {
		return nil, nil, err
	}
	if err := checkBucket(root, bucket); err != nil {
		return nil, nil, err
	}
	s, f, err := openObject(root, bucket, keyName(key))
	if err == nil && s.Key != key {
		// Only a hash collision between two long keys gets here.
		f.Close()
		return nil, nil, driver.ErrObjectNotFound
	}
	return s, f, err
}

// fileReader reads a section of an open data file and closes the file.
// Its errors are scrubbed as the driver's are.
type fileReader struct {
	io.Reader
	f *os.File
	d *LocalDriver
}

func (r *fileReader) Read(p []byte) (n int, err error) {
	n, err = r.Reader.Read(p)
	if err != nil && err != io.EOF {
		r.d.scrub(&err)
	}
	return n, err
}

func (r *fileReader) Close() error { return r.f.Close() }

// Head returns the object's info from its sidecar, once its data file is
// confirmed present.
func (d *LocalDriver) Head(ctx context.Context, bucket, key string) (_ *driver.ObjectInfo, err error) {
	defer d.scrub(&err)
	if err := checkPathKey(key); err != nil {
		return nil, err
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	_, s, err := d.statKeyLocked(bucket, key)
	if err != nil {
		return nil, err
	}
	return s.info(), nil
}

// statKeyLocked finds bucket's root and key's sidecar, once its data file
// is confirmed present; a sidecar of another key (a hash collision between
// two long keys) is ErrObjectNotFound. d.mu must be held.
func (d *LocalDriver) statKeyLocked(bucket, key string) (*os.Root, *sidecar, error) {
	root, err := d.bucketRootLocked(bucket)
	if err != nil {
		return nil, nil, err
	}
	s, err := statObject(root, bucket, keyName(key))
	if err != nil {
		return nil, nil, err
	}
	if s.Key != key {
		return nil, nil, driver.ErrObjectNotFound
	}
	return root, s, nil
}

// Delete removes the sidecar, which is the commit, then the data file.
func (d *LocalDriver) Delete(ctx context.Context, bucket, key string) (err error) {
	defer d.scrub(&err)
	if err := checkPathKey(key); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	root, err := d.bucketRootLocked(bucket)
	if err != nil {
		return err
	}
	name := keyName(key)
	s, _ := readSidecar(root, bucket, name)
	// A sidecar that does not parse is removed too: it is no object, and
	// leaving it would only confuse a later reader.
	switch err := root.Remove(metaPath(bucket, name)); {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil && s == nil && isDir(root, metaPath(bucket, name)):
		// A folder someone made at the key's sidecar name is foreign (see
		// Foreign); deleting the key clears it. RemoveAll never follows a
		// symlink, and os.Root keeps it inside the root.
		if err := root.RemoveAll(metaPath(bucket, name)); err != nil {
			return err
		}
	case err != nil:
		return err
	}
	if err := syncDir(root, filepath.Join(bucket, metaDir)); err != nil {
		return err
	}
	if s != nil {
		_ = root.Remove(dataPath(bucket, name, s.Gen))
	}
	return nil
}

// Copy streams the source's data file into a new object, content type and
// metadata included. The source is read from the file Get would return, so
// copying a key onto itself is safe.
func (d *LocalDriver) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string) (_ *driver.ObjectInfo, err error) {
	defer d.scrub(&err)
	if err := checkPathKey(dstKey); err != nil {
		return nil, driver.AtDestination(err)
	}
	s, f, err := d.open(srcBucket, srcKey)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := d.put(ctx, dstBucket, dstKey, f, s.ContentType, driver.CloneMetadata(s.Metadata), time.Time{})
	if err != nil {
		return nil, driver.AtDestination(err)
	}
	return info, nil
}

// listed is a key found in a bucket's meta directory and the file name that
// holds its sidecar.
type listed struct {
	key, name string
}

// List reads the bucket's sidecar names, decodes and sorts them, and builds
// one page from there; only the page's entries have their sidecars read.
func (d *LocalDriver) List(ctx context.Context, bucket string, opts ...driver.ListOption) (_ *driver.ObjectIterator, err error) {
	defer d.scrub(&err)
	o := driver.ApplyListOptions(opts)
	cursor, err := driver.DecodeCursor(o.Cursor)
	if err != nil {
		return nil, err
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	root, err := d.bucketRootLocked(bucket)
	if err != nil {
		return nil, err
	}
	keys, err := listKeys(ctx, root, bucket, o.Prefix)
	if err != nil {
		return nil, err
	}
	// present reports whether keys[i] is a complete object, with its info.
	present := func(i int) (*sidecar, bool, error) {
		s, err := statObject(root, bucket, keys[i].name)
		if errors.Is(err, driver.ErrObjectNotFound) {
			return nil, false, nil
		}
		return s, err == nil, err
	}
	// Every entry of a key at or before the cursor is at or before it too
	// (an entry is a prefix of its key), so the page starts after it.
	i := sort.Search(len(keys), func(i int) bool { return keys[i].key > cursor })
	page := make([]*driver.ObjectInfo, 0, min(o.MaxKeys, len(keys)-i))
	next := ""
	for i < len(keys) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		entry, isPrefix := driver.ListEntryKey(keys[i].key, o.Prefix, o.Delimiter)
		var info *driver.ObjectInfo
		if isPrefix {
			// The group is every key from i up to the first one past the
			// prefix; it is one entry if any of its objects is present.
			end := len(keys)
			if pe := driver.PrefixEnd(entry); pe != "" {
				end = i + sort.Search(len(keys)-i, func(j int) bool { return keys[i+j].key >= pe })
			}
			start := i
			i = end
			if entry <= cursor {
				continue
			}
			for j := start; j < end && info == nil; j++ {
				_, ok, err := present(j)
				if err != nil {
					return nil, err
				}
				if ok {
					info = &driver.ObjectInfo{Key: entry, IsPrefix: true}
				}
			}
		} else {
			s, ok, err := present(i)
			if err != nil {
				return nil, err
			}
			i++
			if ok {
				info = s.info()
			}
		}
		if info == nil {
			continue
		}
		if len(page) == o.MaxKeys {
			// A further entry exists, so this page is not the last.
			next = driver.EncodeCursor(page[len(page)-1].Key)
			break
		}
		page = append(page, info)
	}
	return driver.NewObjectIterator(page, next), nil
}

// listKeys returns the keys in the bucket that start with prefix, sorted.
func listKeys(ctx context.Context, root *os.Root, bucket, prefix string) ([]listed, error) {
	names, err := readNames(root, filepath.Join(bucket, metaDir))
	if err != nil {
		return nil, err
	}
	keys := make([]listed, 0, len(names))
	for i, n := range names {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		key, ok := unescapeName(n)
		if !ok && strings.HasPrefix(n, hashedPrefix) {
			// A hashed name keeps its key only in the sidecar.
			if s, err := readSidecar(root, bucket, n); err == nil {
				key, ok = s.Key, true
			}
		}
		if ok && strings.HasPrefix(key, prefix) {
			keys = append(keys, listed{key: key, name: n})
		}
	}
	slices.SortFunc(keys, func(a, b listed) int { return strings.Compare(a.key, b.key) })
	return keys, nil
}

func isDir(root *os.Root, name string) bool {
	fi, err := root.Lstat(name)
	return err == nil && fi.IsDir()
}
