package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/repl"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"success", nil, 0},
		{"exit command", repl.ErrExit, 0},
		{"command failed", &repl.CommandError{Err: driver.ErrObjectNotFound}, 1},
		{"pipe line failed", &repl.LineError{File: "<stdin>", Line: 3, Err: driver.ErrBucketNotFound}, 1},
		{"internal error", &repl.InternalError{Command: "x", Value: "boom"}, 1},
		{"unknown command", &repl.CommandError{Err: &repl.UsageError{Msg: "unknown command"}}, 2},
		{"usage error in a pipe", &repl.LineError{Err: &repl.UsageError{Msg: "bad flag"}}, 2},
		{"syntax error", &repl.LineError{Err: &repl.SyntaxError{Col: 3, Msg: "x"}}, 2},
		{"unfinished line", &repl.LineError{Err: repl.ErrUnfinishedLine}, 2},
		{"bad global flag", asUsage(errors.New("unknown flag")), 2},
		{"wrapped usage", fmt.Errorf("run: %w", asUsage(os.ErrNotExist)), 2},
		{"interrupted", errInterrupted, 130},
		{"cancelled", context.Canceled, 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v): got %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestHistoryFile(t *testing.T) {
	home := t.TempDir()
	state := t.TempDir()
	tests := []struct {
		name, flag, xdg, want string
	}{
		{"flag wins", "/tmp/h", state, "/tmp/h"},
		{"dev null disables", os.DevNull, state, ""},
		{"XDG state home", "", state, filepath.Join(state, "trovemem", "history")},
		{"home fallback", "", "", filepath.Join(home, ".trovemem_history")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HOME", home)
			t.Setenv("XDG_STATE_HOME", tt.xdg)
			a := &app{history: tt.flag, stderr: os.Stderr}
			if got := a.historyFile(); got != tt.want {
				t.Errorf("historyFile(): got %q, want %q", got, tt.want)
			}
		})
	}
}
