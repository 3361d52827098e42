package localdriver

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// errNotRegular reports an entry that is not a regular file where the
// layout expects one: a FIFO, a device, a socket, a directory or a
// symlink someone planted in the root. Such an entry is no object, and
// opening it must never block (a FIFO without a writer does) or read
// without end (a device).
var errNotRegular = errors.New("not a regular file")

// openRegular opens name for reading only if it is a regular file. The
// open itself is non-blocking and does not follow a final symlink, so a
// FIFO cannot hang it; the type is then checked on the open file, so the
// entry cannot be swapped between the check and the read.
func openRegular(root *os.Root, name string) (*os.File, error) {
	f, err := root.OpenFile(name, os.O_RDONLY|openNoBlock, 0)
	if err != nil {
		// A symlink (refused by O_NOFOLLOW, or by os.Root when it leads
		// out of the root) is foreign, not a failure of the storage.
		if fi, lerr := root.Lstat(name); lerr == nil && !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: %w", name, errNotRegular)
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, errNotRegular)
	}
	return f, nil
}

// readRegular reads the regular file name whole, refusing one larger than
// limit bytes: the files it reads (sidecars, bucket.json) are small, and a
// huge one is debris or hostile, never worth holding in memory.
func readRegular(root *os.Root, name string, limit int64) ([]byte, error) {
	f, err := openRegular(root, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: %w: larger than %d bytes", name, errNotRegular, limit)
	}
	return b, nil
}
