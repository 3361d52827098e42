package atomicfile

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteModes(t *testing.T) {
	dir := t.TempDir()
	write := func(path, text string) error {
		return Write(path, func(w io.Writer) error { _, err := io.WriteString(w, text); return err })
	}
	t.Run("a new file gets the mode os.WriteFile gives", func(t *testing.T) {
		ref := filepath.Join(dir, "ref")
		if err := os.WriteFile(ref, nil, 0o666); err != nil {
			t.Fatal(err)
		}
		want := modeOf(t, ref)
		path := filepath.Join(dir, "new.trove")
		if err := write(path, "x"); err != nil {
			t.Fatal(err)
		}
		if got := modeOf(t, path); got != want {
			t.Errorf("got mode %v, want %v (0666 less the umask)", got, want)
		}
	})
	t.Run("an existing file keeps its mode", func(t *testing.T) {
		path := filepath.Join(dir, "kept.trove")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o640); err != nil {
			t.Fatal(err)
		}
		if err := write(path, "new"); err != nil {
			t.Fatal(err)
		}
		if got := modeOf(t, path); got != 0o640 {
			t.Errorf("got mode %v, want -rw-r----- as before", got)
		}
	})
	t.Run("a symbolic link stays, and its target is written", func(t *testing.T) {
		target := filepath.Join(dir, "real", "script.trove")
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(dir, "link.trove")
		if err := os.Symlink(filepath.Join("real", "script.trove"), link); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
		if err := write(link, "new"); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("got %v, %v for the link, want it still a symbolic link", fi, err)
		}
		if got, _ := os.ReadFile(target); string(got) != "new" {
			t.Errorf("got target %q, want %q", got, "new")
		}
	})
	t.Run("no temporary file is left behind", func(t *testing.T) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp") {
				t.Errorf("got %s left in the directory", e.Name())
			}
		}
	})
}

func modeOf(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}
