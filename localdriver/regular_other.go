//go:build !unix

package localdriver

// openNoBlock is empty where the platform has no non-blocking open; the
// type check after the open still refuses what is not a regular file.
const openNoBlock = 0
