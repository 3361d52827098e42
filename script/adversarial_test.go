package script

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestAdversarialSourceFanOut: 30 files each sourcing the next twice ask
// for 2^30 copies of the last file's steps. The parser used to expand
// them all; now each file is read once and the script is refused as too
// large before anything runs.
func TestAdversarialSourceFanOut(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for i := 0; i < 30; i++ {
		files[filepath.Join(dir, fmt.Sprintf("f%02d.trove", i))] = fmt.Sprintf("source f%02d.trove\nsource f%02d.trove\n", i+1, i+1)
	}
	files[filepath.Join(dir, "f30.trove")] = "mkbucket abc\n"
	reads := 0
	p := &ScriptParser{ReadFile: func(path string) ([]byte, error) {
		reads++
		src, ok := files[path]
		if !ok {
			return nil, fmt.Errorf("no file %s", path)
		}
		return []byte(src), nil
	}}
	_, err := p.ParseFile(filepath.Join(dir, "f00.trove"))
	var pe *ParseErrors
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want parse errors", err)
	}
	if !strings.Contains(err.Error(), ErrTooManySteps.Error()) {
		t.Errorf("got %v, want it to say %q", err, ErrTooManySteps)
	}
	if reads != 31 {
		t.Errorf("read %d files, want each of the 31 read once", reads)
	}
}

// TestAdversarialLongContinuation: 100k lines joined by trailing
// backslashes into one command used to take minutes, since every line
// re-read the whole joined line; it is linear now.
func TestAdversarialLongContinuation(t *testing.T) {
	const n = 100_000
	var b strings.Builder
	b.WriteString("put b k \\\n")
	for i := 0; i < n; i++ {
		b.WriteString("w \\\n")
	}
	b.WriteString("end\n")
	sc, err := (&ScriptParser{}).Parse("long.trove", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Steps) != 1 || len(sc.Steps[0].Words) != n+4 {
		t.Fatalf("got %d steps, want 1 of %d words", len(sc.Steps), n+4)
	}
}
