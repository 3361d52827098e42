// Package topics holds the manual's topics that `trovemem help topics`
// prints: markdown files embedded in the binary, which README links to,
// so that what the binary says and what README points at are one text.
package topics

import (
	"embed"
	"strings"
)

//go:embed *.md
var files embed.FS

// Names lists the topics in the order help topics shows them.
var Names = []string{"syntax", "scripts", "routing", "config", "exit-codes"}

// Text returns a topic's markdown.
func Text(name string) (string, bool) {
	b, err := files.ReadFile(name + ".md")
	if err != nil {
		return "", false
	}
	return string(b), true
}

// Summary returns what a topic is about: its title after the name.
func Summary(name string) string {
	t, _ := Text(name)
	title, _, _ := strings.Cut(t, "\n")
	_, s, _ := strings.Cut(title, ": ")
	return s
}
