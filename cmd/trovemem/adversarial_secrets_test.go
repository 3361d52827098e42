package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The passwords of TestAdversarialPasswordsInEveryChannel, and the pieces
// of each that must appear in no output: a plain one, one holding every
// character that ends a URL's authority unencoded, and a percent-encoded
// one (looked for both ways).
var (
	plainPassword = "PLAINpw7secret"
	sepPassword   = "KIWI7/MANGO8#PAPAYA9?GUAVA"
	encPassword   = "LEMON4%40LIME5"
	secretPieces  = []string{"PLAINpw7", "KIWI7", "MANGO8", "PAPAYA9", "GUAVA", "LEMON4", "LIME5"}
)

// TestAdversarialPasswordsInEveryChannel runs a scripted session with known
// passwords through every way trovemem shows a command or an error (a pipe
// on stdin, -c, a one-shot store command, --mount, --config, --load, run
// -v, test with --junit and GitHub annotations, the REPL on a terminal),
// and greps every output channel and every file the runs wrote for the
// passwords. Only dump and config show write them (to rebuild the store),
// and this session runs neither. The REPL keeps a history file, which the
// grep reads too: mount lines never reach it.
func TestAdversarialPasswordsInEveryChannel(t *testing.T) {
	dir := inDir(t, nil)
	good := "mem://ann:" + plainPassword + "@h/p"
	enc := "mem://ann:" + encPassword + "@h/p"
	sep := "mem://ann:" + sepPassword + "@h/p"
	unknown := "nosuch://ann:" + plainPassword + "@h"
	file := "file://ann:" + plainPassword + "@h" + filepath.ToSlash(dir) + "/data"
	mounts := "mount a " + good + "\nmount b '" + enc + "'\nbackends\nstores\n"
	files := map[string]string{
		"session.trove": mounts + "! mount c '" + sep + "'\nstderr percent-encode\n" +
			"! mount d " + unknown + "\n! mount e " + file + "\nmount f '" + sep + "'\n",
		"assert.trove": mounts + "put bk k v\nmount g " + unknown + "\n",
		"sep.yaml":     "storage_driver: '" + sep + "'\n",
		"unknown.yaml": "storage_driver: '" + unknown + "'\n",
		"file.yaml":    "backends:\n  - {name: f, storage_driver: '" + file + "'}\n",
		"load.trove":   mounts + "mount z " + unknown + "\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	runs := []struct {
		name  string
		stdin string
		env   []string
		args  []string
	}{
		{"pipe, the separator password", mounts + "mount c '" + sep + "'\n", nil, nil},
		{"pipe, an unknown scheme", mounts + "mount d " + unknown + "\n", nil, nil},
		{"pipe, a file DSN with a user", mounts + "mount e " + file + "\n", nil, nil},
		{"pipe, json", mounts + "mount d " + unknown + "\n", nil, []string{"-o", "json"}},
		{"-c", "", nil, []string{"-c", strings.ReplaceAll(mounts, "\n", "; ") + "mount c '" + sep + "'"}},
		{"one-shot", "", nil, []string{"mount", "c", sep}},
		{"one-shot, an unknown scheme", "", nil, []string{"mount", "c", unknown}},
		{"--mount", "", nil, []string{"--mount", "c=" + sep, "backends"}},
		{"--mount, a file DSN", "", nil, []string{"--mount", "c=" + file, "backends"}},
		{"--config, the separator password", "", nil, []string{"--config", "sep.yaml", "backends"}},
		{"--config, an unknown scheme", "", nil, []string{"--config", "unknown.yaml", "backends"}},
		{"--config, a file DSN", "", nil, []string{"--config", "file.yaml", "backends"}},
		{"--load", "", nil, []string{"--load", "load.trove", "backends"}},
		{"run -v", "", nil, []string{"run", "-v", "session.trove"}},
		{"run -v, an assertion", "", nil, []string{"run", "-v", "--keep-going", "assert.trove"}},
		{"test --junit, GitHub", "", []string{"GITHUB_ACTIONS=true"},
			[]string{"test", "--junit", "report.xml", "session.trove", "assert.trove"}},
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], append([]string{"--history", os.DevNull}, r.args...)...)
			cmd.Dir = dir
			cmd.Env = childEnv(append([]string{"HOME=" + dir, "XDG_STATE_HOME=" + dir}, r.env...)...)
			cmd.Stdin = strings.NewReader(r.stdin)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if _, ok := err.(*exec.ExitError); err != nil && !ok {
				t.Fatal(err)
			}
			if cmd.ProcessState.ExitCode() == 0 {
				t.Errorf("exit status 0, want a failure to report; stderr:\n%s", &stderr)
			}
			noSecret(t, "stdout", stdout.String())
			noSecret(t, "stderr", stderr.String())
		})
	}

	t.Run("REPL on a terminal", func(t *testing.T) {
		term := startTerminal(t, []string{"HOME=" + dir, "XDG_STATE_HOME=" + dir})
		// readline redraws its prompt as keys arrive, so only a prompt
		// at the start of a line tells that the previous command is done.
		term.expect("trovemem> ")
		typed := strings.Split(strings.TrimSpace(mounts), "\n")
		for _, line := range typed {
			term.send(line + "\r")
			term.expect("\n\rtrovemem> ")
		}
		bad := []string{"mount c '" + sep + "'", "mount d " + unknown, "mount e " + file}
		typed = append(typed, bad...)
		for _, line := range bad {
			term.send(line + "\r")
			term.expect("error: ")
			term.expect("\n\rtrovemem> ")
		}
		term.send("exit\r")
		if code := term.wait(); code != 0 {
			t.Errorf("exit status: got %d, want 0", code)
		}
		// What was typed is echoed back: by readline after its prompt,
		// and by the terminal on a line of its own should a line arrive
		// between two prompts. Only what trovemem wrote of its own
		// counts, so those lines are left out, and nothing else is.
		echo := map[string]bool{}
		for _, line := range typed {
			echo[line] = true
		}
		var shown strings.Builder
		for _, l := range strings.Split(ansi.ReplaceAllString(term.text(), ""), "\n") {
			if l = strings.TrimRight(l, "\r"); echo[l] {
				continue
			}
			if !strings.Contains(l, "trovemem> ") {
				shown.WriteString(l + "\n")
			}
		}
		noSecret(t, "the terminal", shown.String())
		// The history file is there for the walk below to grep.
		if h, err := os.ReadFile(filepath.Join(dir, "trovemem", "history")); err != nil || !strings.Contains(string(h), "backends\n") {
			t.Errorf("history file: got %q (%v), want the lines typed, backends among them", h, err)
		}
	})

	if _, err := os.Stat(filepath.Join(dir, "report.xml")); err != nil {
		t.Errorf("the JUnit report was not written: %v", err)
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if _, given := files[d.Name()]; given && filepath.Dir(path) == dir {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		noSecret(t, path, string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// noSecret fails the test when text holds a piece of a password.
func noSecret(t *testing.T, where, text string) {
	t.Helper()
	for _, p := range secretPieces {
		if strings.Contains(text, p) {
			t.Errorf("%s holds the password piece %q:\n%s", where, p, text)
		}
	}
}
