package localdriver

import (
	"path/filepath"

	"github.com/trovemem/trovemem/driver"
)

var _ driver.StorageIdentifier = (*LocalDriver)(nil)

// pathID names a directory by its absolute path with symlinks resolved:
// the fallback identity where device and inode numbers are not available.
func pathID(abs string) string {
	if p, err := filepath.EvalSymlinks(abs); err == nil {
		abs = p
	}
	return "path=" + filepath.Clean(abs)
}
