// Package script is the .trove script language: the parser (a script is
// REPL lines plus assertions, variables and source), the runner that
// replays a script into a repl.Session and checks what its commands did,
// the results and failure reports, the suite that runs many scripts as
// tests, and JUnit output.
//
// It uses only repl's exported surface (the lexer, the command table's
// Prepare, Session.Exec and Render), as Go keeps cmd/internal/script apart
// from its callers; repl never imports it.
package script
