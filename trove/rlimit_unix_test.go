//go:build linux || darwin

package trove_test

import (
	"syscall"
	"testing"
)

var savedLimit syscall.Rlimit

// limitOpenFiles lets the process open only about spare more files than
// it has open now (new descriptors take the lowest free numbers), until restoreOpenFiles or the end of the test.
func limitOpenFiles(t *testing.T, spare int) {
	t.Helper()
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &savedLimit); err != nil {
		t.Skip(err)
	}
	open := 0
	for fd := 0; fd < 4096; fd++ {
		var st syscall.Stat_t
		if syscall.Fstat(fd, &st) == nil {
			open++
		}
	}
	low := savedLimit
	low.Cur = uint64(open + spare)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { restoreOpenFiles(t) })
}

func restoreOpenFiles(t *testing.T) {
	t.Helper()
	if savedLimit.Cur == 0 {
		return
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &savedLimit); err != nil {
		t.Fatal(err)
	}
}
