package repl

import "context"

// Progress hears about the advance of a long operation.
type Progress interface {
	// Add reports n more units done.
	Add(n int)
	// Done reports the end of the operation, whether it succeeded or not.
	Done()
}

// ProgressFunc starts reporting an operation of total units (-1 when the
// total is unknown) described by label.
type ProgressFunc func(label string, total int) Progress

type progressKey struct{}

// WithProgress returns a context under which long operations (dump, load,
// replay) report their progress to f. The CLI installs one only when a
// person is watching a terminal; without one nothing is reported.
func WithProgress(ctx context.Context, f ProgressFunc) context.Context {
	return context.WithValue(ctx, progressKey{}, f)
}

// StartProgress begins reporting under ctx's ProgressFunc, or returns a
// Progress that ignores everything.
func StartProgress(ctx context.Context, label string, total int) Progress {
	if f, ok := ctx.Value(progressKey{}).(ProgressFunc); ok && f != nil {
		return f(label, total)
	}
	return noProgress{}
}

type noProgress struct{}

func (noProgress) Add(int) {}
func (noProgress) Done()   {}
