package localdriver

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// scrub rewrites the paths in the file system errors of *err (the first
// *fs.PathError and *os.LinkError in its chain) as the driver's users know
// them: relative to the root, and with a temporary file's random name
// replaced by "(temporary file)". So no error shows the root's absolute
// path (a temp folder in tests, a home folder in use) or a name that never
// meant anything to anyone; what the error wraps (fs.ErrNotExist, ...) is
// unchanged. The errors are the operation's own, fresh from the os
// package, so editing them in place is safe.
func (d *LocalDriver) scrub(err *error) {
	if *err == nil {
		return
	}
	var pe *fs.PathError
	if errors.As(*err, &pe) {
		pe.Path = d.shown(pe.Path)
	}
	var le *os.LinkError
	if errors.As(*err, &le) {
		le.Old, le.New = d.shown(le.Old), d.shown(le.New)
	}
}

// shown is path as scrub shows it.
func (d *LocalDriver) shown(path string) string {
	if rel, err := filepath.Rel(d.dir, path); err == nil && filepath.IsAbs(path) && !strings.HasPrefix(rel, "..") {
		path = rel
	}
	parts := strings.Split(filepath.ToSlash(path), "/")
	for i, p := range parts {
		if strings.HasPrefix(p, tempPrefix) {
			parts = append(parts[:i], "(temporary file)")
			break
		}
	}
	return strings.Join(parts, "/")
}
