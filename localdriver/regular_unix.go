//go:build unix

package localdriver

import "syscall"

// openNoBlock keeps opening a FIFO from waiting for a writer, and
// O_NOFOLLOW refuses a final symlink; neither changes reads of a regular
// file.
const openNoBlock = syscall.O_NONBLOCK | syscall.O_NOFOLLOW
