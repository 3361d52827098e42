package main

import (
	"bufio"
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
// store. The script comes through a named pipe, so the test knows when
// trovemem has opened it (and so has its SIGINT handler in place); each
// run is bounded by a 20-second deadline.
func TestAdversarialInterruptedLoadExits130(t *testing.T) {
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
			dir := t.TempDir()
			fifo := filepath.Join(dir, "big.trove")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skipf("no named pipes here: %v", err)
			}
			if err := os.WriteFile(filepath.Join(dir, "after.trove"), []byte("echo after\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			save := filepath.Join(dir, "saved.trove")
			args := append([]string{"--load", fifo, "--save", save}, tt.args...)
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

			// Opening the pipe for writing waits for trovemem to open it.
			opened := make(chan *os.File, 1)
			go func() {
				f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
				if err != nil {
					t.Error(err)
					f = nil
				}
				opened <- f
			}()
			var f *os.File
			select {
			case f = <-opened:
			case err := <-done:
				t.Fatalf("trovemem exited before opening --load: %v\n%s", err, &stderr)
			case <-time.After(20 * time.Second):
				t.Fatal("trovemem did not open --load within 20s")
			}
			if f == nil {
				return
			}
			w := bufio.NewWriter(f)
			fmt.Fprintln(w, "mkbucket big")
			for i := range 50_000 {
				fmt.Fprintf(w, "put big k%d v\n", i%1000)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			f.Close()
			time.Sleep(20 * time.Millisecond)
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
