// Package localdriver owns trovemem's disk backend: buckets are directories
// under a root, objects are plain files with a JSON sidecar each, and every
// change becomes visible by one atomic rename, so a crash never leaves a
// half-written object. It registers the "file" scheme: "file:///abs/path" or
// "file://./rel/path" (relative to the working directory; see ResolvePath).
//
// # Layout
//
//	ROOT/BUCKET/bucket.json           the bucket's creation time; its presence makes BUCKET a bucket
//	ROOT/BUCKET/meta/NAME             the sidecar of the key named NAME (JSON: key, size, etag,
//	                                  content type, metadata, last modified, data generation GEN)
//	ROOT/BUCKET/objects/NAME.GEN      the object's content, byte for byte
//	.../.tmp-*                        temporary files and directories, never read
//
// NAME is the key escaped into one file name: lowercase letters, digits,
// '-', '_' and inner '.' stay as they are and every other byte becomes %XX
// (uppercase hex), so "docs/Read me.txt" is "docs%2F%52ead%20me.txt". A key
// never becomes a path, cannot name a file outside its bucket, and no two
// keys share a name even on case-insensitive file systems. Keys whose
// escaped form is longer than 200 bytes are named "~" and the hex SHA-256 of
// the key instead; their sidecar holds the key. Directory order is not key
// order, so List decodes and sorts the names it reads. All file access goes
// through an os.Root, which refuses any path leading out of the root, and a
// bucket directory that is a symlink is refused with driver.ErrInvalidName.
//
// # Crash safety
//
// Put streams the content into a temporary file in objects/, syncs it and
// renames it to NAME.GEN with a fresh random GEN, which no reader looks at
// yet. It then writes the sidecar naming GEN to a temporary file in meta/,
// syncs it and renames it over meta/NAME: that rename is the commit. Only
// then is the previous version's data file removed. Readers start from the
// sidecar, so they see the old object or the new one, each complete; an
// object whose sidecar is missing, unreadable or names a data file that is
// absent or of the wrong size is not present for Get, Head, List or
// DeleteBucket. A crash leaves at most temporary files and an unreferenced
// data file behind; they are invisible and DeleteBucket removes them with
// the bucket. Delete removes the sidecar first, then the data file. A Get's
// open file keeps its content readable after an overwrite or delete, since
// those only rename and unlink (Unix semantics).
//
// One LocalDriver serialises its own writers with a read-write mutex;
// several processes may read one root while one of them writes. Generic
// name checks, the closed state seen by callers and error context are the
// portable layer's (driver.Wrap); this package holds only the storage, and
// the rules that keep a key from reading like a path.
package localdriver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trovemem/trovemem/driver"
)

// Scheme is the DSN scheme the driver registers, as in "file:///var/trove".
const Scheme = "file"

func init() {
	driver.Register(Scheme, Open)
}

var _ driver.Driver = (*LocalDriver)(nil)

// ErrInvalidDSN reports a "file://" DSN that names no usable directory.
var ErrInvalidDSN = errors.New("invalid file DSN")

// LocalDriver is a driver.Driver that keeps objects on disk under one root
// directory. Make one with NewAt, or through driver.OpenDSN.
type LocalDriver struct {
	// mu is held shared by reads and exclusively by every change to the
	// tree, so one driver's readers never see another goroutine's half-done
	// commit. Put streams content without it.
	mu   sync.RWMutex
	now  func() time.Time
	root *os.Root
	dir  string
	// closed is set by Close. The root stays open for Puts still streaming
	// (see inflight), and a Put that finds closed set commits nothing.
	closed bool

	// inflight counts Puts streaming content outside mu. Close leaves the
	// root open for them and the last one to finish closes it, so Close
	// never waits on a slow reader and a Put never writes through a closed
	// root.
	inflight atomic.Int32

	// trash is the folder, at the top of the root, where Snapshot keeps
	// saved data files; made on first use, removed at Close.
	trashMu sync.Mutex
	trash   string

	// storageID names the root directory by device and inode, so two
	// drivers on one directory know it however its path was spelled.
	storageID string
}

// NewAt returns a driver serving the directory root, created if missing.
// Only driver.WithClock is meaningful among opts. The driver is the raw
// storage: put driver.Wrap in front of it for name checks and error
// context (trove.Open and driver.OpenDSN do).
func NewAt(root string, opts ...driver.Option) (*LocalDriver, error) {
	d := &LocalDriver{now: time.Now}
	if err := d.openDir(root, opts); err != nil {
		return nil, driver.E("open", "", "", err)
	}
	return d, nil
}

// Open is the driver's driver.Opener: it serves the directory the DSN names
// (see ResolvePath), creating it if missing. A relative path is resolved
// against the working directory now, so a later chdir does not move the
// store.
func Open(ctx context.Context, dsn *driver.DSN, opts ...driver.Option) (driver.Driver, error) {
	dir, err := ResolvePath(dsn.Raw)
	if err != nil {
		return nil, err
	}
	return NewAt(dir, opts...)
}

// ResolvePath returns the directory a "file://" DSN names, following RFC
// 8089: the host is empty or "localhost" (this machine), so
// "file:///srv/trove" and "file://localhost/srv/trove" are "/srv/trove".
// Any other host is an error (a file DSN cannot reach another machine),
// and so are a fragment, user info and parameters. One extension, for
// people typing DSNs: a host of "." or ".." starts a path relative to the
// working directory, so "file://./data" is the relative path "data";
// relative paths are left relative and the caller decides what they are
// relative to. "~" is not expanded (no shell reads a DSN): "file://~/x" is
// an error that says so.
func ResolvePath(dsn string) (string, error) {
	p, err := driver.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidDSN, err)
	}
	shown := driver.RedactDSN(dsn)
	if p.Scheme != Scheme {
		return "", fmt.Errorf("%w %q: the local driver serves only %s:// DSNs, not %q",
			driver.ErrUnknownScheme, p.Scheme, Scheme, shown)
	}
	if p.User != "" || p.Password != "" {
		return "", fmt.Errorf("%w %q: a file DSN takes no user or password", ErrInvalidDSN, shown)
	}
	if len(p.Params) > 0 {
		return "", fmt.Errorf("%w %q: a file DSN takes no parameters", ErrInvalidDSN, shown)
	}
	if strings.Contains(dsn, "#") {
		return "", fmt.Errorf("%w %q: a file DSN takes no fragment (write a '#' in a folder name as %%23)", ErrInvalidDSN, shown)
	}
	var path string
	switch host := p.Host; {
	case host == "" || strings.EqualFold(host, "localhost"):
		path = p.Path
	case host == "." || host == "..":
		path = host + p.Path
	case host == "~" || strings.HasPrefix(host, "~"):
		return "", fmt.Errorf("%w %q: '~' is not expanded in a DSN; write the home folder out, as file:///home/NAME/...", ErrInvalidDSN, shown)
	default:
		return "", fmt.Errorf("%w %q: host %q is not this machine; write file:///abs/path, file://localhost/abs/path or file://./rel/path", ErrInvalidDSN, shown, host)
	}
	if path == "" {
		return "", fmt.Errorf("%w %q: names no directory; write file:///abs/path or file://./rel/path", ErrInvalidDSN, shown)
	}
	return filepath.Clean(filepath.FromSlash(path)), nil
}

// Name returns "file".
func (d *LocalDriver) Name() string { return Scheme }

// StorageID identifies the root directory by its device and inode (see
// driver.StorageIdentifier), so a store refuses to mount one directory
// twice under two spellings of its path.
func (d *LocalDriver) StorageID() string { return d.storageID }

// Dir returns the absolute root directory the driver serves.
func (d *LocalDriver) Dir() string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.dir
}

func (d *LocalDriver) openDir(dir string, opts []driver.Option) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(abs, 0o777); err != nil {
		return err
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return err
	}
	d.root, d.dir = root, abs
	d.storageID = storageID(root, abs)
	removeStale(root, time.Now())
	if o := driver.ApplyOptions(opts); o.Clock != nil {
		d.now = o.Clock
	}
	return nil
}

// Close releases the root directory. Readers returned by Get stay readable.
// Closing twice is not an error.
func (d *LocalDriver) Close(ctx context.Context) (err error) {
	defer d.scrub(&err)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	d.removeTrashLocked()
	if d.inflight.Load() == 0 {
		return d.root.Close()
	}
	return nil
}

// Ping reports whether the root directory is still there.
func (d *LocalDriver) Ping(ctx context.Context) (err error) {
	defer d.scrub(&err)
	d.mu.RLock()
	defer d.mu.RUnlock()
	root, err := d.rootLocked()
	if err == nil {
		_, err = root.Stat(".")
	}
	return err
}

// rootLocked returns the open root; d.mu must be held.
func (d *LocalDriver) rootLocked() (*os.Root, error) {
	if d.closed {
		return nil, driver.ErrClosed
	}
	return d.root, nil
}

// bucketRootLocked returns the open root once it has checked that bucket
// is a bucket in it; d.mu must be held.
func (d *LocalDriver) bucketRootLocked(bucket string) (*os.Root, error) {
	root, err := d.rootLocked()
	if err != nil {
		return nil, err
	}
	if err := checkBucket(root, bucket); err != nil {
		return nil, err
	}
	return root, nil
}

// stamp returns the clock's time in UTC, the form a sidecar round-trips
// exactly, so a Put's result and a later Head agree.
func (d *LocalDriver) stamp() time.Time { return d.now().UTC() }

// CreateBucket builds the bucket in a temporary directory and renames it
// into place, so a bucket is either absent or complete.
func (d *LocalDriver) CreateBucket(ctx context.Context, name string) (err error) {
	defer d.scrub(&err)
	d.mu.Lock()
	defer d.mu.Unlock()
	root, err := d.rootLocked()
	if err != nil {
		return err
	}
	switch err := checkBucket(root, name); {
	case err == nil:
		return driver.ErrBucketExists
	case !errors.Is(err, driver.ErrBucketNotFound):
		return err
	}
	if _, err := root.Lstat(name); err == nil {
		return fmt.Errorf("%w: %s is taken by a file or directory that is not a bucket", driver.ErrBucketExists, filepath.Join(d.dir, name))
	}
	meta, err := json.Marshal(bucketMeta{CreatedAt: d.stamp()})
	if err != nil {
		return err
	}
	tmp := tempPrefix + newGen()
	if err := root.Mkdir(tmp, 0o777); err != nil {
		return err
	}
	err = root.Mkdir(filepath.Join(tmp, objectsDir), 0o777)
	if err == nil {
		err = root.Mkdir(filepath.Join(tmp, metaDir), 0o777)
	}
	if err == nil {
		err = writeFileAtomic(root, tmp, bucketFile, meta)
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		_ = root.RemoveAll(tmp)
		return err
	}
	return syncDir(root, ".")
}

// DeleteBucket renames an empty bucket out of the way, then removes it with
// any crash debris it held.
func (d *LocalDriver) DeleteBucket(ctx context.Context, name string) (err error) {
	defer d.scrub(&err)
	d.mu.Lock()
	defer d.mu.Unlock()
	root, err := d.bucketRootLocked(name)
	if err != nil {
		return err
	}
	names, err := readNames(root, filepath.Join(name, metaDir))
	if err != nil {
		return err
	}
	for i, n := range names {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		switch _, err := statObject(root, name, n); {
		case err == nil:
			return fmt.Errorf("%w: it still holds objects", driver.ErrBucketNotEmpty)
		case !errors.Is(err, driver.ErrObjectNotFound):
			return err
		}
	}
	trash := tempPrefix + newGen()
	if err := root.Rename(name, trash); err != nil {
		return err
	}
	if err := syncDir(root, "."); err != nil {
		return err
	}
	// The bucket is gone once renamed; failing to free its space is not a
	// failure of the delete.
	_ = root.RemoveAll(trash)
	return nil
}

// ListBuckets returns every bucket sorted by name. Directories that are not
// buckets (no bucket.json, an invalid name, a symlink) are skipped.
func (d *LocalDriver) ListBuckets(ctx context.Context) (_ []driver.BucketInfo, err error) {
	defer d.scrub(&err)
	d.mu.RLock()
	defer d.mu.RUnlock()
	root, err := d.rootLocked()
	if err != nil {
		return nil, err
	}
	names, err := readNames(root, ".")
	if err != nil {
		return nil, err
	}
	out := []driver.BucketInfo{}
	for _, n := range names {
		if driver.ValidateBucketName(n) != nil || checkBucket(root, n) != nil {
			continue
		}
		m, err := readBucketMeta(root, n)
		if err != nil {
			return nil, err
		}
		out = append(out, driver.BucketInfo{Name: n, CreatedAt: m.CreatedAt})
	}
	slices.SortFunc(out, func(a, b driver.BucketInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// staleAfter is how old a temporary entry at the top of a root must be
// before an open removes it. A bucket create's temporary folder lives for
// milliseconds and a snapshot's trash folder for one command; an older one
// is what a crash left. The margin keeps an open in one process from
// removing what another process is still using.
const staleAfter = time.Hour

// removeStale removes the temporary entries at the top of root (a crashed
// bucket create's folder, a crashed process's trash) older than
// staleAfter. Failing to remove one is not a failure to open: it stays
// invisible, as all temporaries are.
func removeStale(root *os.Root, now time.Time) {
	f, err := root.Open(".")
	if err != nil {
		return
	}
	names, _ := f.Readdirnames(-1)
	f.Close()
	for _, n := range names {
		if !strings.HasPrefix(n, tempPrefix) {
			continue
		}
		if fi, err := root.Lstat(n); err == nil && now.Sub(fi.ModTime()) > staleAfter {
			_ = root.RemoveAll(n)
		}
	}
}

// readNames returns the names in dir, leaving out temporaries.
func readNames(root *os.Root, dir string) ([]string, error) {
	f, err := root.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil && err != io.EOF {
		return nil, err
	}
	return slices.DeleteFunc(names, func(n string) bool { return n == "" || n[0] == '.' }), nil
}
