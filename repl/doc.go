// Package repl owns trovemem's command language: the line syntax (Split,
// Quote), the one command table that the interactive REPL, stdin replay, -c
// one-shots, scripts and help all use, the Session that runs commands
// against named trove stores and returns their results as values, and the
// renderers that draw those values as tables, plain lines or JSON.
//
// Nothing here prints to os.Stdout or exits: every command writes through
// the writers it is given, and errors are typed (UsageError, InternalError,
// SyntaxError) so that cmd/trovemem decides exit codes in one place.
package repl
