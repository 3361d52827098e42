// Package progress draws the progress bars the binary shows on a terminal
// for long dumps, loads and replays (repl.ProgressFunc), hidden until an
// operation has run for a while.
package progress

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/trovemem/trovemem/repl"
)

// New returns a ProgressFunc whose bars appear only once an
// operation has run for delay, so quick ones leave no trace.
func New(w io.Writer, delay time.Duration) repl.ProgressFunc {
	return func(label string, total int) repl.Progress {
		return &delayedBar{w: w, label: label, total: total, delay: delay, start: time.Now()}
	}
}

// delayedBar is a progress bar that stays hidden for its first delay.
type delayedBar struct {
	w      io.Writer
	label  string
	total  int
	delay  time.Duration
	start  time.Time
	done   int
	checks int
	bar    *progressbar.ProgressBar
}

func (d *delayedBar) Add(n int) {
	d.done += n
	if d.bar == nil {
		// Reading the clock on every command would cost more than the
		// command; every 256th is often enough for a person.
		if d.checks++; d.checks&255 != 0 || time.Since(d.start) < d.delay {
			return
		}
		total := d.total
		if total <= 0 {
			total = -1
		}
		d.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(d.w),
			progressbar.OptionSetDescription(d.label),
			progressbar.OptionShowCount(),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	_ = d.bar.Set(d.done)
}

func (d *delayedBar) Done() {
	if d.bar != nil {
		_ = d.bar.Finish()
	}
}
