//go:build !unix

package localdriver

import "os"

// storageID names the directory by its path with symlinks resolved, where
// the platform offers no device and inode numbers.
func storageID(root *os.Root, abs string) string { return pathID(abs) }
