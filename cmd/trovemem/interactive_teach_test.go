package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInteractiveClassTools walks the session tools a class uses at a
// terminal: undo after a mistake (with an ls between), reset and undo,
// routes --tree in table mode, and a transcript that trovemem test then
// replays and passes.
func TestInteractiveClassTools(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lesson.trove")
	env := []string{"XDG_STATE_HOME=" + t.TempDir(), "HOME=" + t.TempDir()}
	term := startTerminal(t, env, "--now", "2026-01-01T00:00:00Z")
	term.expect("trovemem> ")

	term.send("transcript " + path + "\r")
	term.expect("transcript: writing to " + path)
	term.expect("trovemem> ")
	term.send("mount cold mem://; route add '20*/**' cold; mkbucket media\r")
	term.expect("trovemem> ")
	term.send("put media 2019/a.jpg old; put media readme hi\r")
	term.expect("trovemem> ")
	term.send("rm media readme\r")
	term.expect("trovemem> ")
	term.send("ls media\r")
	term.expect("2019/a.jpg")
	term.expect("trovemem> ")
	term.send("undo\r")
	term.expect("undid: rm media readme")
	term.expect("trovemem> ")
	term.send("get media readme\r")
	term.expect("hi")
	term.expect("trovemem> ")
	term.send("get media nope\r") // a failure is written with !
	term.expect("object not found")
	term.expect("trovemem> ")
	term.send("lss media\r") // a typo is written as a comment
	term.expect("unknown command")
	term.expect("trovemem> ")
	term.send("routes --tree\r")
	term.expect("├── 20*/")
	term.expect("│   └── **")
	term.expect("-> cold (rule 1)")
	term.expect("└── (any other key)")
	term.expect("trovemem> ")
	term.send("reset\r")
	term.expect("reset: removed 1 bucket and 2 objects; kept 1 backend and 1 route")
	term.expect("trovemem> ")
	term.send("undo\r")
	term.expect("undid: reset")
	term.expect("trovemem> ")
	term.send("explain ls media\r")
	term.expect("20*/** (rule 1)")
	term.expect("trovemem> ")
	term.send("transcript\r")
	term.expect("transcript: wrote 15 commands to " + path)
	term.expect("trovemem> ")
	term.send("exit\r")
	if code := term.wait(); code != 0 {
		t.Fatalf("exit status: got %d, want 0", code)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"mount cold mem://\nroute add 20*/** cold\nmkbucket media\n",
		"get media readme\n| hi\n",
		"ls media\n| 2019/a.jpg\t3\t2026-01-01T00:00:00Z\tcold\n",
		"undo\n| undid: rm media readme\n",
		"! get media nope\n",
		"# not run: lss media (",
		"routes --tree\n| |-- 20*/\n",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("transcript: got\n%s\nwant it to hold %q", data, want)
		}
	}
	cmd := exec.Command(os.Args[0], "test", path)
	cmd.Env = childEnv()
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "1 passed, 0 failed") {
		t.Errorf("trovemem test on the transcript: got %v\n%s\nwant it to pass; transcript:\n%s", err, out, data)
	}
}
