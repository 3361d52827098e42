// Package atomicfile writes files so that a crash never leaves half of one:
// through a temporary file in the same directory and a rename, keeping the
// file's mode and writing through symbolic links to their target.
package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// Write writes a file through a temporary file in the same
// directory and a rename, so a crash never leaves half a file behind. The
// file keeps the mode it had; a new file gets the mode os.Create would
// give it (0666 less the umask), never the 0600 of a temporary file. When
// path is a symbolic link, the file it points to is written and the link
// stays.
func Write(path string, write func(io.Writer) error) (err error) {
	target, err := followLinks(path)
	if err != nil {
		return err
	}
	perm, keep := os.FileMode(0o666), false
	if info, err := os.Stat(target); err == nil {
		if info.IsDir() {
			return &os.PathError{Op: "write", Path: path, Err: errors.New("is a directory")}
		}
		perm, keep = info.Mode().Perm(), true
	}
	f, err := createTemp(filepath.Dir(target), "."+filepath.Base(target)+".tmp", perm)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if keep {
		// The umask applied when the file was created; the old mode, which
		// it may have narrowed, is put back exactly.
		if err = f.Chmod(perm); err != nil {
			return err
		}
	}
	if err = write(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), target)
}

// maxLinks bounds the symbolic links followLinks follows, as the kernel
// does, so a loop of links is an error rather than a hang.
const maxLinks = 40

// followLinks returns the file path names after following symbolic links,
// even one that points to a file not created yet.
func followLinks(path string) (string, error) {
	for range maxLinks {
		info, err := os.Lstat(path)
		if err != nil || info.Mode()&os.ModeSymlink == 0 {
			return path, nil
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", &os.PathError{Op: "write", Path: path, Err: errors.New("too many levels of symbolic links")}
}

// createTemp creates a new file in dir with a random name that starts
// with prefix, opened with perm (which the umask narrows), unlike
// os.CreateTemp, whose files are always 0600.
func createTemp(dir, prefix string, perm os.FileMode) (*os.File, error) {
	for range 100 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			// The temporary name means nothing to the user; the folder does.
			return nil, &fs.PathError{Op: "create a file in", Path: dir, Err: pe.Err}
		}
		return f, err
	}
	return nil, &os.PathError{Op: "createtemp", Path: filepath.Join(dir, prefix+"*"), Err: fs.ErrExist}
}
