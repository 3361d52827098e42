package repl

import (
	"strings"
	"sync"

	"github.com/spf13/pflag"
)

// pristineFlags holds, per command, a FlagSet that was never parsed: every
// flag at its default. Building a FlagSet costs more than running a put on
// the memory driver, and most commands, in scripts above all, carry no
// flags at all, so Session.Exec shares these instead of building one per
// call. Commands only read their flags, so sharing is safe; a command that
// set a flag would break it.
var pristineFlags sync.Map // *Command -> *pflag.FlagSet

// defaultFlags returns the command's shared default FlagSet when args hold
// no flag (nothing that starts with "-" but "-" itself), and nil when the
// arguments must be parsed.
func defaultFlags(c *Command, args []string) *pflag.FlagSet {
	for _, a := range args {
		if len(a) > 1 && strings.HasPrefix(a, "-") {
			return nil
		}
	}
	if fs, ok := pristineFlags.Load(c); ok {
		return fs.(*pflag.FlagSet)
	}
	fs := c.flagSet()
	if fs == nil {
		fs = pflag.NewFlagSet(c.Name, pflag.ContinueOnError)
		fs.SetOutput(discard{})
		fs.Usage = func() {}
	}
	shared, _ := pristineFlags.LoadOrStore(c, fs)
	return shared.(*pflag.FlagSet)
}
