package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestAdversarialInterruptedLoadExits130 sends SIGINT to trovemem while it
// loads a large --load script, through each way --load starts: a pipe on
// stdin, a one-shot command and run. It must exit with 130 and
// "interrupted", as README promises for every interrupted run, not 1 with
// "context canceled", and must not write --save from the half-loaded
// store. The signal goes once trovemem has the script open (so its
// handler is in place), which the test sees in /proc; each run is bounded
// by a 20-second deadline.
func TestAdversarialInterruptedLoadExits130(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skipf("no /proc to see open files in: %v", err)
	}
	dir := t.TempDir()
	big := filepath.Join(dir, "big.trove")
	var b bytes.Buffer
	b.WriteString("mkbucket big\n")
	for i := range 200_000 {
		fmt.Fprintf(&b, "put big k%d v\n", i%1000)
	}
	if err := os.WriteFile(big, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "after.trove"), []byte("echo after\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
	}{
		{"pipe", nil},
		{"one-shot", []string{"buckets"}},
		{"run", []string{"run", "after.trove"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			save := filepath.Join(t.TempDir(), "saved.trove")
			args := append([]string{"--load", big, "--save", save}, tt.args...)
			cmd := exec.Command(os.Args[0], args...)
			cmd.Dir = dir
			cmd.Env = childEnv()
			cmd.Stdin = bytes.NewReader(nil)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			t.Cleanup(func() { _ = cmd.Process.Kill() })

			deadline := time.Now().Add(20 * time.Second)
			for !hasOpen(cmd.Process.Pid, big) {
				select {
				case err := <-done:
					t.Fatalf("trovemem exited before it was seen loading: %v\n%s", err, &stderr)
				default:
				}
				if time.Now().After(deadline) {
					t.Fatal("trovemem did not open --load within 20s")
				}
				time.Sleep(time.Millisecond)
			}
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("trovemem did not exit within 20s of SIGINT")
			}
			if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
				t.Errorf("exit status: got %d (%v), want %d; stderr:\n%s", code, err, exitInterrupted, &stderr)
			}
			if got := stderr.String(); got != "interrupted\n" {
				t.Errorf("stderr: got %q, want %q", got, "interrupted\n")
			}
			if _, err := os.Stat(save); !os.IsNotExist(err) {
				t.Errorf("--save after an interrupted --load: got %v, want no file", err)
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout: got %q, want nothing run after the interrupted load", &stdout)
			}
		})
	}
}

// hasOpen reports whether process pid has path open.
func hasOpen(pid int, path string) bool {
	fds := fmt.Sprintf("/proc/%d/fd", pid)
	entries, err := os.ReadDir(fds)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if dest, err := os.Readlink(filepath.Join(fds, e.Name())); err == nil && dest == path {
			return true
		}
	}
	return false
}
