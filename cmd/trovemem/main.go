// Command trovemem is a REPL and one-shot runner over trovemem's in-memory
// object store. This package is cobra wiring only: flags, the choice
// between the interactive REPL, stdin replay and -c, and exit codes. The
// commands themselves live in package repl.
package main

import (
	"context"
	"os"
)

func main() { os.Exit(run()) }

// run is the whole program with the process's arguments and streams; it
// returns the exit status, which exitCode decides.
func run() int {
	return runWith(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}
