// Package repl owns trovemem's command language: the line syntax (one
// lexer, Lex, under Split, Quote and completion), the one command table
// that the interactive REPL, stdin replay, -c one-shots, scripts and help
// all use (Prepare reads a command's words for all of them), the Session
// that runs commands against named *trove.Store values and returns their
// results as Result values, and the renderers that draw those as tables,
// plain lines or JSON. The .trove script language built on it is package
// script.
//
// Nothing here prints to os.Stdout or exits: every command writes through
// the writers it is given, and errors are typed (UsageError, InternalError,
// SyntaxError) so that cmd/trovemem decides exit codes in one place.
package repl
