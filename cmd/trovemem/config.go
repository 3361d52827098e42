package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/trovemem/trovemem/repl"
	"github.com/trovemem/trovemem/trove"
)

// maxStrandedNamed bounds the keys named in the start-up note.
const maxStrandedNamed = 3

// reportStranded says on stderr, at start-up, which objects the config's
// layout strands on persistent backends, so a later get that misses them is
// no surprise.
func reportStranded(ctx context.Context, a *app, name string, st *trove.Store) {
	objs, err := st.Stranded(ctx)
	if err != nil || len(objs) == 0 {
		return
	}
	var keys []string
	for i, o := range objs {
		if i == maxStrandedNamed {
			keys = append(keys, "…")
			break
		}
		keys = append(keys, o.Bucket+"/"+repl.Quote(o.Key))
	}
	noun := "objects"
	if len(objs) == 1 {
		noun = "object"
	}
	fmt.Fprintf(a.stderr, "note: store %s: %d %s stranded by the config's routes (%s); rebalance moves them\n",
		name, len(objs), noun, strings.Join(keys, ", "))
}
