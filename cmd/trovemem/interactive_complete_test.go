package main

import (
	"strings"
	"testing"
)

// Ctrl-C while Tab's candidate list is shown must abandon the line, as it
// does at any other moment: readline alone only closed the list, so the
// next line typed was appended to the old one and ran as ls photos --echo.
func TestInteractiveCtrlCDuringCompletion(t *testing.T) {
	for _, tabs := range []string{"\t", "\t\t"} {
		name := map[string]string{"\t": "list shown", "\t\t": "candidate selected"}[tabs]
		t.Run(name, func(t *testing.T) {
			term := startTerminal(t, []string{"HOME=" + t.TempDir(), "XDG_STATE_HOME="}, "--history", "/dev/null")
			term.expect("trovemem> ")
			term.send("mkbucket photos\r")
			term.expect("trovemem> ")
			term.send("ls photos --" + tabs)
			term.expect("--delimiter") // the candidates are on screen
			term.send("\x03")
			term.expect("trovemem> ")
			term.send(`echo "after""ctrl-c"` + "\r")
			got := term.expect("afterctrl-c")
			if strings.Contains(got, "error:") {
				t.Errorf("the abandoned line ran with the next one; the terminal shows:\n%q", got)
			}
			term.expect("trovemem> ")
			term.send("exit\r")
			if code := term.wait(); code != 0 {
				t.Errorf("exit status: got %d, want 0", code)
			}
		})
	}
}
