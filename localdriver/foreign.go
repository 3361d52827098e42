package localdriver

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
)

// Foreign lists the entries of bucket's meta folder that this driver never
// writes: symlinks, folders, FIFOs, devices and other non-regular files,
// regular files whose names no key escapes to, and sidecars of keys that
// read like paths (which Put refuses, so only someone else wrote them). They are skipped by
// every read (a listing never fails because of one, and none is an
// object), and this is where they are reported. Deleting the bucket
// removes them; so does deleting the key whose sidecar name a foreign
// folder or symlink takes. Names are relative to the root, with '/'.
func (d *LocalDriver) Foreign(ctx context.Context, bucket string) (_ []string, err error) {
	defer d.scrub(&err)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	root, err := d.bucketRootLocked(bucket)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(bucket, metaDir)
	names, err := readNames(root, dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for i, n := range names {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		fi, err := root.Lstat(filepath.Join(dir, n))
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		key, escaped := unescapeName(n)
		if fi.Mode().IsRegular() && (escaped && checkPathKey(key) == nil || strings.HasPrefix(n, hashedPrefix)) {
			continue
		}
		out = append(out, filepath.ToSlash(filepath.Join(dir, n)))
	}
	return out, nil
}
