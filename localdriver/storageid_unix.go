//go:build unix

package localdriver

import (
	"fmt"
	"os"
	"syscall"
)

// storageID names the directory root serves by its device and inode, which
// every spelling of its path (a trailing slash, a symlink, a relative path,
// a bind mount) shares.
func storageID(root *os.Root, abs string) string {
	fi, err := root.Stat(".")
	if err != nil {
		return pathID(abs)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return pathID(abs)
	}
	return fmt.Sprintf("dev=%d,ino=%d", uint64(st.Dev), uint64(st.Ino))
}
