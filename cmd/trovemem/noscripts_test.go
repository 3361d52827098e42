//go:build !testscript

package main

import (
	"os"
	"testing"
)

// mainWithScripts runs the tests without the testscript suite. The suite
// needs go.sum entries for golang.org/x/tools (a dependency of
// go-internal/txtar) that this module does not record yet; build with
// -tags testscript once it does, and then delete this file and the tag.
func mainWithScripts(m *testing.M) { os.Exit(m.Run()) }
