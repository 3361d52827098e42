package script

import (
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"sync"

	"github.com/trovemem/trovemem/internal/atomicfile"
)

// This file holds --update's bookkeeping: every "| " block a run reaches
// is recorded with the output it got, and a file is rewritten only when
// every run that reached a block agrees on its output. A helper sourced by
// several scripts that would be rewritten differently is a conflict,
// reported to each caller, and the file is left alone: the last script to
// finish must never silently decide what the others expect.

// seenBlock is one "| " block as a run reached it.
type seenBlock struct {
	sc       *Script
	from, to int      // 1-based physical lines, to exclusive
	lines    []string // the output the command gave
	changed  bool     // lines differ from the block as written
	loc      Location // the block's first line, with the chain that led to it
	res      *ScriptResult
}

// updateSet gathers the blocks of the runs of one test run (or of one
// Runner.Run), and rewrites the files once they are all in. It is safe for
// scripts running at once.
type updateSet struct {
	mu    sync.Mutex
	files map[string][]*seenBlock // by absolute path, in the order added
	order []string
}

// add records the blocks one passing run reached.
func (u *updateSet) add(seen []*seenBlock) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.files == nil {
		u.files = make(map[string][]*seenBlock)
	}
	for _, b := range seen {
		if b.sc.Path == StdinName {
			continue
		}
		key, err := filepath.Abs(b.sc.Path)
		if err != nil {
			key = b.sc.Path
		}
		if _, ok := u.files[key]; !ok {
			u.order = append(u.order, key)
		}
		u.files[key] = append(u.files[key], b)
	}
}

// apply rewrites every file with a changed block on which all runs agree,
// and adds to each result the files rewritten for it (Updated) or the
// conflicts that kept a file as it was (a failure of each caller).
func (u *updateSet) apply() {
	u.mu.Lock()
	defer u.mu.Unlock()
	sort.Strings(u.order)
	for _, key := range u.order {
		blocks := u.files[key]
		// Scripts finish in any order under -j: reports name callers in
		// the order of their locations, the same on every run.
		sort.SliceStable(blocks, func(i, j int) bool { return blocks[i].loc.String() < blocks[j].loc.String() })
		if at := conflictsIn(blocks); at != "" {
			for _, res := range resultsOf(blocks, true) {
				if !hasUpdateFailure(res) {
					res.Failures = append(res.Failures, &Failure{Kind: FailOutput, Loc: Location{File: blocks[0].sc.Path, Line: 1},
						Command: "--update", Msg: "not rewritten: runs disagree on its block at " + at})
				}
			}
			continue
		}
		var updates []blockUpdate
		done := make(map[int]bool)
		for _, b := range blocks {
			if b.changed && !done[b.from] {
				done[b.from] = true
				updates = append(updates, blockUpdate{from: b.from, to: b.to, lines: b.lines})
			}
		}
		if len(updates) == 0 {
			continue
		}
		sc := blocks[0].sc
		data := sc.rewrite(updates)
		err := atomicfile.Write(sc.Path, func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		})
		for _, res := range resultsOf(blocks, true) {
			if err != nil {
				res.Failures = append(res.Failures, &Failure{Kind: FailOutput, Loc: Location{File: sc.Path, Line: 1},
					Command: "--update", Msg: "cannot rewrite the script: " + err.Error()})
				continue
			}
			res.Updated = append(res.Updated, sc.Path)
		}
	}
}

// conflictsIn reports where runs first disagree on the output of a block
// of one file ("" when they never do), and adds a failure naming both
// places to each run involved.
func conflictsIn(blocks []*seenBlock) string {
	first := make(map[int]*seenBlock)
	conflict := ""
	for _, b := range blocks {
		a, ok := first[b.from]
		if !ok {
			first[b.from] = b
			continue
		}
		if sameLines(a.lines, b.lines) {
			continue
		}
		if conflict == "" {
			conflict = a.loc.String()
		}
		msg := fmt.Sprintf("conflict: this block prints differently at %s and at %s; %s is not rewritten",
			a.loc, b.loc, a.sc.Path)
		for _, r := range []*seenBlock{a, b} {
			if hasConflict(r.res, r.loc) {
				continue
			}
			other := a
			if r == a {
				other = b
			}
			r.res.Failures = append(r.res.Failures, &Failure{Kind: FailOutput, Loc: r.loc, EndLine: r.to - 1,
				Command: "--update", Msg: msg, Detail: unifiedDiff(other.lines, r.lines)})
		}
	}
	return conflict
}

// hasConflict reports whether res already holds a conflict at loc, so a
// block seen by many runs is reported once to each.
func hasConflict(res *ScriptResult, loc Location) bool {
	for _, f := range res.Failures {
		if f.Command == "--update" && f.Loc.String() == loc.String() {
			return true
		}
	}
	return false
}

// hasUpdateFailure reports whether res already holds a failure of
// --update.
func hasUpdateFailure(res *ScriptResult) bool {
	for _, f := range res.Failures {
		if f.Command == "--update" {
			return true
		}
	}
	return false
}

// resultsOf lists, once each, the results of the runs that reached blocks
// (only those that found a block to change, when changed is set).
func resultsOf(blocks []*seenBlock, changed bool) []*ScriptResult {
	var out []*ScriptResult
	seen := make(map[*ScriptResult]bool)
	for _, b := range blocks {
		if (changed && !b.changed) || seen[b.res] {
			continue
		}
		seen[b.res] = true
		out = append(out, b.res)
	}
	return out
}
