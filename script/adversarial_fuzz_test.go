package script

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trovemem/trovemem/repl"
)

// FuzzLoadDump feeds the dump loader (what trovemem --load does: check the
// whole file, then replay it a chunk at a time into a fresh store) any
// bytes. It must never panic or report an internal error; and a store it
// loads must make the round trip itself: its dump loads into another
// fresh store with the same buckets, backends, routes and objects. Seeds
// are dumps of random stores (see TestAdversarialDumpLoadProperty) and
// hand-written near misses. Inputs that could reach the file system
// (file:// backends, --out, --file, dump FILE, variables that could spell
// them) are skipped.
func FuzzLoadDump(f *testing.F) {
	for seed := 1; seed <= 6; seed++ {
		src := newScriptSession(f)
		g := &storeGen{r: rand.New(rand.NewPCG(uint64(seed), 0xf022)), s: src, backends: []string{"default"}}
		g.build()
		var dump bytes.Buffer
		if err := repl.DumpStore(context.Background(), src.Store(), &dump); err != nil {
			f.Fatal(err)
		}
		f.Add(dump.Bytes())
	}
	for _, s := range []string{
		"mkbucket abc --exist-ok\nput abc k v --content-type text/plain --modified 2026-01-01T00:00:00Z\n",
		"mount m mem://m --exist-ok\nmkbucket abc --exist-ok\nroute add '**' m --exist-ok\nput abc k --base64 AAE= --backend m\n",
		"mkbucket abc\nput abc k v --modified 9999-12-31T23:59:59-14:00\n",
		"mkbucket abc\nput abc k --base64 ''\nput abc j --base64 '!!'\n",
		"use nope\n", "mkbucket abc\nput abc \\\n k v\n", "put abc k 'unterminated\n", "\xff\xfe\r\n;;\n",
		"mkbucket abc\nput abc k v --meta =x --meta k=\n", "mount m mem://u:p/w@h\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 || reachesFiles(string(data)) {
			t.Skip()
		}
		s := newScriptSession(t)
		res, ok := loadDump(t, s, data)
		if !ok || !res.Passed() {
			return
		}
		var dump bytes.Buffer
		if err := repl.DumpStore(context.Background(), s.Store(), &dump); err != nil {
			if errors.Is(err, repl.ErrUndumpableTime) {
				t.Fatalf("a loaded store cannot be dumped: %v", err)
			}
			t.Fatalf("dump of a loaded store: %v", err)
		}
		again := newScriptSession(t)
		res, ok = loadDump(t, again, dump.Bytes())
		if !ok || !res.Passed() {
			msg := "it does not parse"
			if ok {
				msg = res.Failures[0].Report()
			}
			t.Fatalf("the dump of a loaded store does not load: %s\ninput:\n%s\ndump:\n%s", msg, data, dump.String())
		}
		wb, wbe, wr, wo := storeState(t, s.Store())
		gb, gbe, gr, gobj := storeState(t, again.Store())
		if diff := cmp.Diff([]any{wb, wbe, wr, wo}, []any{gb, gbe, gr, gobj}, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("the store differs after dump and load (-first +second):\n%s\ninput:\n%s\ndump:\n%s", diff, data, dump.String())
		}
	})
}

// loadDump checks and replays data as --load does. ok is false when it
// does not parse; an internal error (a panic inside a command) fails t.
func loadDump(t *testing.T, s *repl.Session, data []byte) (res *ScriptResult, ok bool) {
	t.Helper()
	p := NewScriptParser()
	p.ReadFile = func(string) ([]byte, error) { return nil, errors.New("no files here") }
	if err := p.CheckReader("dump.trove", bytes.NewReader(data)); err != nil {
		var pe *ParseErrors
		if !errors.As(err, &pe) {
			t.Fatalf("CheckReader: got %v, want *ParseErrors", err)
		}
		return nil, false
	}
	r := &Runner{Session: s, KeepGoing: true, LookupEnv: func(string) (string, bool) { return "", false }}
	res, err := r.RunReader(context.Background(), p, "dump.trove", bytes.NewReader(data))
	if err != nil {
		t.Fatalf("RunReader after CheckReader passed: %v", err)
	}
	for _, f := range res.Failures {
		if strings.Contains(f.Msg, "internal error") {
			t.Fatalf("%s\ninput:\n%s", f.Report(), data)
		}
	}
	return res, true
}

// reachesFiles reports whether a script could touch the file system: a
// file:// backend, a command that reads or writes a file (put --file, get
// --out, dump FILE), or variables, which could spell any of them. It errs
// on the side of yes: continued lines are joined and every ';' splits.
func reachesFiles(src string) bool {
	l := strings.ToLower(src)
	for _, w := range []string{"file", "--out", "$"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	l = strings.NewReplacer("\\\r\n", "", "\\\n", "").Replace(l)
	for _, line := range strings.Split(l, "\n") {
		for _, part := range strings.Split(line, ";") {
			fields := strings.Fields(strings.TrimLeft(strings.TrimSpace(part), "!? \t"))
			if len(fields) > 0 && strings.Contains(fields[0], "dump") {
				return true
			}
		}
	}
	return false
}
