package topics

import (
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestTopicsAreTheManual holds the embedded files, the list help topics
// shows and README's links together: every file is a listed topic with a
// "# NAME: summary" title, and README links every one, so README points
// at the very text the binary prints.
func TestTopicsAreTheManual(t *testing.T) {
	entries, err := fs.Glob(files, "*.md")
	if err != nil {
		t.Fatal(err)
	}
	var embedded []string
	for _, e := range entries {
		embedded = append(embedded, strings.TrimSuffix(e, ".md"))
	}
	listed := slices.Clone(Names)
	slices.Sort(embedded)
	slices.Sort(listed)
	if !slices.Equal(embedded, listed) {
		t.Errorf("embedded topics: got %v, want the listed ones, %v", embedded, listed)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range Names {
		text, ok := Text(name)
		if !ok || !strings.HasPrefix(text, "# "+name+": ") || Summary(name) == "" {
			t.Errorf("topic %s: got title %q, want \"# %s: SUMMARY\"", name, strings.SplitN(text, "\n", 2)[0], name)
		}
		if link := "(internal/topics/" + name + ".md)"; !strings.Contains(string(readme), link) {
			t.Errorf("README does not link topic %s: want %s", name, link)
		}
	}
}
