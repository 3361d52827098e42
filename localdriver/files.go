package localdriver

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/trovemem/trovemem/driver"
)

// Names inside a bucket directory.
const (
	bucketFile = "bucket.json" // the bucket's sidecar; its presence makes the directory a bucket
	objectsDir = "objects"     // data files, named KEYNAME.GEN
	metaDir    = "meta"        // object sidecars, named KEYNAME
)

// maxSidecarSize bounds what is read of a sidecar or bucket.json, so a
// huge file planted at a sidecar's name is never read into memory whole.
// A sidecar holds a key of at most 1 KiB and the metadata, far below it.
const maxSidecarSize = 64 << 20

// sidecarVersion is written into every sidecar so a later layout change can
// tell old sidecars apart instead of misreading them.
const sidecarVersion = 1

// sidecar is an object's committed state. Renaming it into place is the one
// step that makes a Put visible: it names the data file (by Gen) that holds
// the content, so the object is always the data and the info of one Put.
type sidecar struct {
	Version      int               `json:"v"`
	Key          string            `json:"key"`
	Gen          string            `json:"gen"`
	Size         int64             `json:"size"`
	ETag         string            `json:"etag"`
	ContentType  string            `json:"content_type"`
	LastModified time.Time         `json:"last_modified"`
	Metadata     map[string]string `json:"metadata,omitempty"`
}

func (s *sidecar) info() *driver.ObjectInfo {
	return &driver.ObjectInfo{
		Key:          s.Key,
		Size:         s.Size,
		ContentType:  s.ContentType,
		ETag:         s.ETag,
		LastModified: s.LastModified,
		Metadata:     driver.CloneMetadata(s.Metadata),
	}
}

// bucketMeta is the content of a bucket's bucket.json.
type bucketMeta struct {
	CreatedAt time.Time `json:"created_at"`
}

// genLen is the length of a data file generation: 8 random bytes in hex.
const genLen = 16

func newGen() string {
	var b [genLen / 2]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return hex.EncodeToString(b[:])
}

func validGen(g string) bool {
	if len(g) != genLen {
		return false
	}
	_, err := hex.DecodeString(g)
	return err == nil
}

func metaPath(bucket, name string) string { return filepath.Join(bucket, metaDir, name) }

func dataPath(bucket, name, gen string) string {
	return filepath.Join(bucket, objectsDir, name+"."+gen)
}

// readSidecar loads the sidecar of the key stored under name. A missing,
// unreadable or inconsistent sidecar is ErrObjectNotFound: a complete
// sidecar is only ever renamed into place, so anything else is debris, not
// an object.
func readSidecar(root *os.Root, bucket, name string) (*sidecar, error) {
	b, err := readRegular(root, metaPath(bucket, name), maxSidecarSize)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNotRegular) {
		// Something other than a sidecar at a sidecar's name is foreign
		// (see Foreign): no object, and no reason to fail a listing.
		return nil, driver.ErrObjectNotFound
	}
	if err != nil {
		return nil, err
	}
	var s sidecar
	if json.Unmarshal(b, &s) != nil || s.Version != sidecarVersion || !validGen(s.Gen) ||
		s.Size < 0 || keyName(s.Key) != name || checkPathKey(s.Key) != nil {
		// A key that reads like a path was never written by this driver
		// (Put refuses it), and could never be deleted through it either.
		return nil, driver.ErrObjectNotFound
	}
	return &s, nil
}

// checkData reports whether the data file a sidecar names is present with
// the size the sidecar records; without it the object is not present.
func checkData(root *os.Root, bucket, name string, s *sidecar) error {
	fi, err := root.Lstat(dataPath(bucket, name, s.Gen))
	if errors.Is(err, fs.ErrNotExist) {
		return driver.ErrObjectNotFound
	}
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() || fi.Size() != s.Size {
		return driver.ErrObjectNotFound
	}
	return nil
}

// openAttempts bounds how often statObject and openObject reread a sidecar
// whose data file vanished: only another process replacing the object at
// that moment causes it, and the reread then finds the new sidecar.
const openAttempts = 3

// statObject returns the committed, complete object stored under name.
func statObject(root *os.Root, bucket, name string) (*sidecar, error) {
	for range openAttempts {
		s, err := readSidecar(root, bucket, name)
		if err != nil {
			return nil, err
		}
		switch err := checkData(root, bucket, name, s); {
		case err == nil:
			return s, nil
		case !errors.Is(err, driver.ErrObjectNotFound):
			return nil, err
		}
	}
	return nil, driver.ErrObjectNotFound
}

// openObject returns the object's sidecar and its data file, open for
// reading. The open file keeps the content readable after the object is
// overwritten or deleted, since those only rename and unlink files.
func openObject(root *os.Root, bucket, name string) (*sidecar, *os.File, error) {
	for range openAttempts {
		s, err := readSidecar(root, bucket, name)
		if err != nil {
			return nil, nil, err
		}
		f, err := openRegular(root, dataPath(bucket, name, s.Gen))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if errors.Is(err, errNotRegular) {
			return nil, nil, driver.ErrObjectNotFound
		}
		if err != nil {
			return nil, nil, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		if fi.Size() != s.Size {
			f.Close()
			return nil, nil, driver.ErrObjectNotFound
		}
		return s, f, nil
	}
	return nil, nil, driver.ErrObjectNotFound
}

// createTemp creates a new temporary file in dir. Temporary files live next
// to their destination so the final rename never crosses a file system.
func createTemp(root *os.Root, dir string) (*os.File, string, error) {
	for {
		name := filepath.Join(dir, tempPrefix+newGen())
		f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, name, err
	}
}

// writeFileAtomic replaces dir/name with data so that a reader, or the disk
// after a crash, holds either the old file or the complete new one: the data
// goes to a temporary file that is synced, renamed over the target, and the
// directory is synced so the rename itself is durable.
func writeFileAtomic(root *os.Root, dir, name string, data []byte) error {
	f, tmp, err := createTemp(root, dir)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		_ = root.Remove(tmp)
		return err
	}
	return syncDir(root, dir)
}

// syncDir flushes a directory's entries, making renames and removals in it
// durable.
func syncDir(root *os.Root, dir string) error {
	f, err := root.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// checkBucket reports whether name is a bucket under root: a real
// directory (not a symlink, wherever it points) holding bucket.json and real
// objects and meta directories. os.Root already refuses any path that leaves
// the root; refusing symlinks here also stops one bucket aliasing another.
func checkBucket(root *os.Root, name string) error {
	fi, err := root.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return driver.ErrBucketNotFound
	}
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%w: bucket directory %s is a symlink, which this driver never follows", driver.ErrInvalidName, name)
	}
	if !fi.IsDir() {
		return driver.ErrBucketNotFound
	}
	// Only a missing or odd marker file means "no bucket": an error such as
	// running out of file descriptors is reported as itself.
	if fi, err := root.Lstat(filepath.Join(name, bucketFile)); errors.Is(err, fs.ErrNotExist) || err == nil && !fi.Mode().IsRegular() {
		return driver.ErrBucketNotFound
	} else if err != nil {
		return err
	}
	for _, sub := range []string{objectsDir, metaDir} {
		fi, err := root.Lstat(filepath.Join(name, sub))
		if err != nil {
			return fmt.Errorf("bucket directory %s is damaged: %w", name, err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("%w: %s inside bucket directory %s is not a plain directory", driver.ErrInvalidName, sub, name)
		}
	}
	return nil
}

// readBucketMeta loads a bucket's creation time.
func readBucketMeta(root *os.Root, name string) (bucketMeta, error) {
	var m bucketMeta
	b, err := readRegular(root, filepath.Join(name, bucketFile), maxSidecarSize)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("bucket %s: %s is damaged: %w", name, bucketFile, err)
	}
	return m, nil
}
