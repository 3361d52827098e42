package localdriver

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/trovemem/trovemem/driver"
)

var _ driver.Snapshotter = (*LocalDriver)(nil)

// errReleased is what a snapshot restored after Release returns.
var errReleased = errors.New("snapshot already released")

// Snapshot saves bucket/key for undo without holding a file open: the
// object's data file is hard-linked into the driver's trash folder (a
// temporary folder at the top of the root, so the link never crosses a file
// system and no listing sees it) and its sidecar is kept in memory. An
// overwrite or delete of the key then only unlinks the data file's name in
// objects/; the content lives on under the trash name until Restore renames
// it back or Release removes it. A file system without hard links gets a
// copy instead.
func (d *LocalDriver) Snapshot(ctx context.Context, bucket, key string) (_ driver.Snapshot, err error) {
	defer d.scrub(&err)
	if err := checkPathKey(key); err != nil {
		return nil, err
	}
	// Writers hold d.mu exclusively, so the sidecar and the data file it
	// names stay together while they are saved.
	d.mu.RLock()
	defer d.mu.RUnlock()
	root, s, err := d.statKeyLocked(bucket, key)
	if errors.Is(err, driver.ErrObjectNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	name := keyName(key)
	trash, err := d.trashLocked(root)
	if err != nil {
		return nil, err
	}
	saved := filepath.Join(trash, newGen())
	err = linkOrCopy(ctx, root, dataPath(bucket, name, s.Gen), saved)
	if errors.Is(err, fs.ErrNotExist) {
		// Another process's open removed the trash folder as stale (it was
		// idle for over staleAfter): make a new one and try again.
		d.forgetTrash(trash)
		if trash, err = d.trashLocked(root); err == nil {
			saved = filepath.Join(trash, newGen())
			err = linkOrCopy(ctx, root, dataPath(bucket, name, s.Gen), saved)
		}
	}
	if err != nil {
		return nil, err
	}
	return &snapshot{d: d, bucket: bucket, saved: saved, sc: *s}, nil
}

// trashLocked returns the driver's trash folder, making it on first use;
// d.mu must be held (shared is enough).
func (d *LocalDriver) trashLocked(root *os.Root) (string, error) {
	d.trashMu.Lock()
	defer d.trashMu.Unlock()
	if d.trash != "" {
		return d.trash, nil
	}
	name := tempPrefix + "trash-" + newGen()
	if err := root.Mkdir(name, 0o777); err != nil {
		return "", err
	}
	d.trash = name
	return name, nil
}

// forgetTrash drops the remembered trash folder if it is still name, so
// the next snapshot makes a new one.
func (d *LocalDriver) forgetTrash(name string) {
	d.trashMu.Lock()
	defer d.trashMu.Unlock()
	if d.trash == name {
		d.trash = ""
	}
}

// removeTrashLocked removes the trash folder and whatever snapshots are
// still in it, at Close; d.mu must be held exclusively.
func (d *LocalDriver) removeTrashLocked() {
	d.trashMu.Lock()
	defer d.trashMu.Unlock()
	if d.trash != "" {
		_ = d.root.RemoveAll(d.trash)
		d.trash = ""
	}
}

// linkOrCopy makes dst name the content of src: a hard link, or a copy
// where the file system has none.
func linkOrCopy(ctx context.Context, root *os.Root, src, dst string) error {
	err := root.Link(src, dst)
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		return err
	}
	in, err := root.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := root.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, ctxReader{ctx, in})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = root.Remove(dst)
	}
	return err
}

// snapshot is a saved object: its sidecar, and the trash name of its data.
type snapshot struct {
	d      *LocalDriver
	bucket string
	saved  string // "" once restored or released
	sc     sidecar
}

// Restore commits the saved data file as the key's content again, with the
// saved sidecar (and so the saved last-modified time), exactly as a Put
// commits a streamed file.
func (s *snapshot) Restore(ctx context.Context) (err error) {
	d := s.d
	defer d.scrub(&err)
	d.mu.Lock()
	defer d.mu.Unlock()
	if s.saved == "" {
		return errReleased
	}
	root, err := d.rootLocked()
	if err != nil {
		return err
	}
	sc := s.sc
	// commitLocked removes what it was given if it fails; give it a fresh
	// link so the saved content survives for another try.
	tmp := filepath.Join(s.bucket, objectsDir, tempPrefix+newGen())
	if err := linkOrCopy(ctx, root, s.saved, tmp); err != nil {
		return err
	}
	if err := d.commitLocked(ctx, root, s.bucket, tmp, &sc); err != nil {
		_ = root.Remove(tmp)
		return err
	}
	_ = root.Remove(s.saved)
	s.saved = ""
	return nil
}

// Release removes the saved data file's trash name.
func (s *snapshot) Release() error {
	d := s.d
	d.mu.RLock()
	defer d.mu.RUnlock()
	if s.saved == "" || d.closed {
		// Close removed the trash folder with everything in it.
		s.saved = ""
		return nil
	}
	err := d.root.Remove(s.saved)
	s.saved = ""
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
