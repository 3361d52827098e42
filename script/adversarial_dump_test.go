package script

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trovemem/trovemem/repl"
)

// TestAdversarialDumpLoadProperty builds random stores through the REPL's
// own commands (random backends, buckets, routes, keys, content types,
// metadata, LastModified times in any zone, binary content, objects left
// stranded by route changes) and checks the property dump promises: every
// store that put accepted loads back from its dump exactly, and dumping
// the copy gives the same script. A failing seed is printed; rerun it with
// -run 'TestAdversarialDumpLoadProperty/seed=N$'.
func TestAdversarialDumpLoadProperty(t *testing.T) {
	seeds := 150
	if testing.Short() {
		seeds = 30
	}
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(seed), 0x7e57))
			src := newScriptSession(t)
			g := &storeGen{r: r, s: src, backends: []string{"default"}}
			g.build()

			ctx := context.Background()
			var dump bytes.Buffer
			if err := repl.DumpStore(ctx, src.Store(), &dump); err != nil {
				t.Fatalf("dump: %v\ncommands:\n%s", err, g.log.String())
			}
			dst := newScriptSession(t)
			if res := replay(t, dst, dump.String()); !res.Passed() {
				t.Fatalf("loading the dump failed: %v\ncommands:\n%s\ndump:\n%s", res.Failures[0].Report(), g.log.String(), dump.String())
			}
			wb, wbe, wr, wo := storeState(t, src.Store())
			gb, gbe, gr, gobj := storeState(t, dst.Store())
			for _, d := range []struct {
				what       string
				want, have any
			}{{"buckets", wb, gb}, {"backends", wbe, gbe}, {"routes", wr, gr}, {"objects", wo, gobj}} {
				if diff := cmp.Diff(d.want, d.have, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s differ after dump and load (-want +got):\n%s\ncommands:\n%s\ndump:\n%s", d.what, diff, g.log.String(), dump.String())
				}
			}
			var again bytes.Buffer
			if err := repl.DumpStore(ctx, dst.Store(), &again); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(dump.String(), again.String()); diff != "" {
				t.Errorf("the dump of the loaded store differs (-first +second):\n%s", diff)
			}
		})
	}
}

// storeGen fills a session with random content through its commands.
type storeGen struct {
	r        *rand.Rand
	s        *repl.Session
	backends []string
	buckets  []string
	log      strings.Builder
}

// exec runs a command and logs it; a command the REPL refuses is skipped,
// since the property is about what it accepts.
func (g *storeGen) exec(words ...string) bool {
	_, err := g.s.Exec(context.Background(), words)
	fmt.Fprintf(&g.log, "%s", repl.QuoteWords(words))
	if err != nil {
		fmt.Fprintf(&g.log, "   # refused: %v", err)
	}
	g.log.WriteByte('\n')
	return err == nil
}

func (g *storeGen) build() {
	for i := g.r.IntN(3); i > 0; i-- {
		name := g.name()
		if g.exec("mount", name, "mem://"+name) {
			g.backends = append(g.backends, name)
		}
	}
	for i := 1 + g.r.IntN(3); i > 0; i-- {
		b := g.bucket()
		if g.exec("mkbucket", b) {
			g.buckets = append(g.buckets, b)
		}
	}
	if len(g.buckets) == 0 && g.exec("mkbucket", "bkt") {
		g.buckets = append(g.buckets, "bkt")
	}
	patterns := []string{"**", "a/**", "*.txt", "**/*.bin", "{x,y}/*", "z*"}
	for n := 20 + g.r.IntN(40); n > 0; n-- {
		switch p := g.r.IntN(20); {
		case p == 0 && len(g.backends) > 1:
			g.exec("route", "add", pick(g.r, patterns), pick(g.r, g.backends))
		case p == 1:
			g.exec("route", "rm", pick(g.r, patterns))
		default:
			g.put()
		}
	}
}

func (g *storeGen) put() {
	// Flags first, then --, so a key or value may start with '-'.
	words := []string{"put"}
	if g.r.IntN(2) == 0 {
		words = append(words, "--content-type", g.text(12))
	}
	for i := g.r.IntN(3); i > 0; i-- {
		words = append(words, "--meta", g.metaKey()+"="+g.text(10))
	}
	if g.r.IntN(4) != 0 {
		words = append(words, "--modified", g.time().Format(time.RFC3339Nano))
	}
	if len(g.backends) > 1 && g.r.IntN(2) == 0 {
		words = append(words, "--backend", pick(g.r, g.backends))
	}
	data := g.content()
	base64Data := g.r.IntN(3) == 0 || !isPrintable(data)
	if base64Data {
		words = append(words, "--base64", base64.StdEncoding.EncodeToString(data))
	}
	words = append(words, "--", pick(g.r, g.buckets), g.key())
	if !base64Data {
		words = append(words, string(data))
	}
	g.exec(words...)
}

// name is a backend name.
func (g *storeGen) name() string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789-"
	b := []byte{byte('a' + g.r.IntN(26))}
	for i := g.r.IntN(8); i > 0; i-- {
		b = append(b, letters[g.r.IntN(len(letters))])
	}
	return string(b)
}

// bucket is a name that is usually, not always, a valid bucket name.
func (g *storeGen) bucket() string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789.-"
	b := []byte{byte('a' + g.r.IntN(26))}
	for i := 2 + g.r.IntN(10); i > 0; i-- {
		b = append(b, letters[g.r.IntN(len(letters))])
	}
	return string(b) + "z"
}

// hostile are the characters and words most likely to break quoting,
// variables, flags, comments and blocks.
var hostile = []string{
	" ", "'", `"`, "\\", "$", "${HOME}", "${x", "#", "|", ";", "!", "?", "-", "--", "=", "/", "\n", "\t", "\r",
	"\x00", "\x1b[31m", "é", "日本", "😀", "\u00a0", "\u2028", "\ufeff", "\uE000", "a", "b", "z", "0", "%", "*", "{x,y}",
}

func (g *storeGen) text(max int) string {
	var b strings.Builder
	for i := g.r.IntN(max + 1); i > 0; i-- {
		b.WriteString(pick(g.r, hostile))
	}
	return b.String()
}

// key is a random non-empty key, sometimes one the patterns route.
func (g *storeGen) key() string {
	prefix := pick(g.r, []string{"", "a/", "x/", "y/", "z", "-", "!", "#"})
	k := prefix + g.text(6) + pick(g.r, []string{"", ".txt", ".bin", "/"})
	if k == "" {
		k = "k"
	}
	return k
}

// metaKey is a metadata key: put's --meta k=v splits at the first '=', so
// a key holding '=' cannot be given, and an empty one is refused.
func (g *storeGen) metaKey() string {
	k := strings.ReplaceAll(g.text(4), "=", "")
	if k == "" {
		k = "k"
	}
	return k
}

func (g *storeGen) content() []byte {
	switch g.r.IntN(4) {
	case 0:
		return nil
	case 1:
		b := make([]byte, g.r.IntN(64))
		for i := range b {
			b[i] = byte(g.r.IntN(256))
		}
		return b
	default:
		return []byte(g.text(8))
	}
}

func isPrintable(b []byte) bool {
	return !bytes.ContainsAny(b, "\x00\x1b") && strings.ToValidUTF8(string(b), "") == string(b)
}

// time is an instant in a random zone with a random fraction of a
// second: usually one of years 1 to 9999 in UTC, sometimes the edges of
// that range or up to a day beyond them (which put must refuse, or the
// dump carry), sometimes the zero time.
func (g *storeGen) time() time.Time {
	first := time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)
	last := time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.UTC)
	day := time.Duration(g.r.Int64N(int64(24 * time.Hour)))
	var t time.Time
	switch g.r.IntN(10) {
	case 0:
		t = first
	case 1:
		t = last
	case 2:
		t = first.Add(-day)
	case 3:
		t = last.Add(day)
	case 4:
		t = time.Time{}
	default:
		span := last.Unix() - first.Unix()
		t = time.Unix(first.Unix()+g.r.Int64N(span), int64(g.r.IntN(1_000_000_000))).UTC()
	}
	zone := time.FixedZone("", (g.r.IntN(28*4+1)-14*4)*15*60)
	return t.In(zone)
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }
