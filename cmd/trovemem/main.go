// Command trovemem is a REPL and one-shot runner over trovemem's in-memory
// object store. This package is cobra wiring: flags, the start-up that
// builds stores and a session from them (startup.go, in the order it runs),
// the choice between the interactive REPL, stdin replay, -c, run and test,
// and exit codes (exit.go). The commands live in package repl, the script
// language in package script, and what only this binary uses in
// internal/.
package main

import (
	"context"
	"os"
)

func main() { os.Exit(run()) }

// run is the whole program with the process's arguments and streams; it
// returns the exit status, which exitCode decides.
func run() int {
	stdin, stdout, stderr, flush := bufferedStreams(os.Stdin, os.Stdout, os.Stderr)
	defer flush()
	return runWith(context.Background(), os.Args[1:], stdin, stdout, stderr)
}
