package script

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/trovemem/trovemem/repl"
)

// answerRE is a lesson's answer: the lines between its BEGIN ANSWER and
// END ANSWER markers, which a teacher empties for the students.
var answerRE = regexp.MustCompile(`(?s)(# BEGIN ANSWER\n).*?(# END ANSWER\n)`)

// TestLessonsCheckTheAnswer runs each lesson of scripts/lessons with its
// answer removed, and with answers students commonly get wrong: every one
// must fail, so a lesson's checks hold a student to the task. (With the
// model answer, the lessons pass in TestExampleScripts.)
func TestLessonsCheckTheAnswer(t *testing.T) {
	wrong := map[string][]string{
		"01-first-route":            {"route add 'incoming/*' hot\n", "route add '**/incoming/**' hot\n", "route add '**' hot\n"},
		"02-star-and-double-star":   {"route add 'app/**/*.log' cold\nroute add 'old/**' archive\n", "route add 'app/*.log' cold\nroute add 'old/*' archive\n"},
		"03-order-and-shadowing":    {"route add '2019/**' archive\n", "route rm 1\nroute add '2019/**' archive\n"},
		"04-stranded-and-rebalance": {"route rm 1\n", "rebalance --dry-run\n"},
	}
	paths, err := filepath.Glob("../scripts/lessons/*.trove")
	if err != nil || len(paths) < 3 {
		t.Fatalf("got lessons %q (%v), want 3 or more", paths, err)
	}
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		name := TestName(path)
		if !answerRE.Match(src) {
			t.Errorf("%s: no BEGIN ANSWER / END ANSWER markers", path)
			continue
		}
		if _, ok := wrong[name]; !ok {
			t.Errorf("%s: no wrong answers to check it with", name)
		}
		for i, answer := range append([]string{""}, wrong[name]...) {
			t.Run(name+"/"+map[bool]string{true: "empty", false: "wrong"}[answer == ""], func(t *testing.T) {
				src := answerRE.ReplaceAllFunc(src, func(m []byte) []byte {
					sub := answerRE.FindSubmatch(m)
					return []byte(string(sub[1]) + answer + string(sub[2]))
				})
				p := filepath.Join(t.TempDir(), filepath.Base(path))
				if err := os.WriteFile(p, src, 0o644); err != nil {
					t.Fatal(err)
				}
				var out bytes.Buffer
				suite := &Suite{
					NewSession: func(string) (*repl.Session, func(), error) { return newScriptSession(t), nil, nil },
					Out:        &out,
					LookupEnv:  func(string) (string, bool) { return "", false },
				}
				results, err := suite.Run(context.Background(), []string{p})
				if err != nil {
					t.Fatal(err)
				}
				if len(results) != 1 || results[0].Passed() {
					t.Errorf("answer %d %q: got a pass, want the checks to fail:\n%s", i, answer, out.String())
				}
			})
		}
	}
}
