package repl

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/spf13/pflag"

	"github.com/trovemem/trovemem/config"
	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/trove"
)

// This file holds the commands that teach a layout: which stores there are
// and which is current, the layout as YAML, many keys routed at once,
// stranded objects and rebalancing, and per-backend numbers.

// NewSessionWithStores returns a session over several named stores, with
// current the one commands act on (a config file's default, say).
func NewSessionWithStores(stores map[string]*trove.Store, current string, opts ...SessionOption) (*Session, error) {
	st, ok := stores[current]
	if !ok {
		return nil, fmt.Errorf("%w %s", ErrUnknownStore, Quote(current))
	}
	s := NewSession(st, opts...)
	s.stores = make(map[string]*trove.Store, len(stores))
	for name, store := range stores {
		s.stores[name] = store
	}
	s.current = current
	return s, nil
}

// Prompt is the interactive prompt: it names the current store when there
// is more than one, so that a person always knows which one a command hits.
func (s *Session) Prompt() string {
	if len(s.stores) > 1 {
		return "trovemem[" + s.current + "]> "
	}
	return Prompt
}

// StoreList is the result of stores.
type StoreList struct {
	Current string     `json:"current"`
	Stores  []StoreRow `json:"stores"`
}

// StoreRow describes one store of a session.
type StoreRow struct {
	Name     string `json:"name"`
	Current  bool   `json:"current"`
	DSN      string `json:"storage_driver"`
	Backends int    `json:"backends"`
	Routes   int    `json:"routes"`
}

var cmdStores = &Command{
	Name:    "stores",
	Summary: "list the stores; the current one is marked",
	Detail: "A config file (--config) can declare several stores, each a default driver with its own backends and " +
		"routes. Commands act on the current store; use switches.",
	Example: "stores\nuse scratch",
	MinArgs: 0,
	MaxArgs: 0,
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		l := &StoreList{Current: s.current}
		for _, name := range s.StoreNames() {
			st := s.stores[name]
			bs := st.Backends()
			l.Stores = append(l.Stores, StoreRow{Name: name, Current: name == s.current, DSN: driver.RedactDSN(bs[0].DSN),
				Backends: len(bs), Routes: len(st.Routes()) + len(st.RouteFuncs())})
		}
		return l, nil
	},
}

// Switched is the result of use.
type Switched struct {
	Op    string `json:"op"`
	Store string `json:"store"`
}

var cmdUse = &Command{
	Name:    "use",
	Args:    "STORE",
	Summary: "make another store current",
	Detail:  "Every later command acts on STORE. The prompt names the current store when there is more than one.",
	Example: "use scratch",
	MinArgs: 1,
	MaxArgs: 1,
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		if err := s.Use(inv.Args[0]); err != nil {
			return nil, err
		}
		return &Switched{Op: "use", Store: inv.Args[0]}, nil
	},
}

// ConfigText is the result of config show: the live layout as YAML.
type ConfigText struct {
	YAML []byte
}

// MarshalJSON writes the layout as a JSON document with the file's field
// names, so JSON mode stays one document per command.
func (c *ConfigText) MarshalJSON() ([]byte, error) { return yaml.YAMLToJSON(c.YAML) }

var cmdConfigShow = &Command{
	Name:    "config show",
	Summary: "print the live layout as a config file",
	Detail: "Prints every store (default driver, buckets, backends, routes) as YAML that --config loads back to the " +
		"same layout, with the current store as default. Route functions, which a file cannot hold, are noted in " +
		"comments.",
	Example: "config show\n# save it: trovemem -c 'config show' > trovemem.yaml",
	MinArgs: 0,
	MaxArgs: 0,
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		cfg, err := config.FromStores(ctx, s.stores, s.StoreNames(), s.current)
		if err != nil {
			return nil, err
		}
		out, err := config.Marshal(cfg)
		if err != nil {
			return nil, err
		}
		return &ConfigText{YAML: out}, nil
	},
}

// RouteTest is the result of route test: where each key goes, and by
// which rule.
type RouteTest struct {
	Bucket string         `json:"bucket"`
	Keys   []RouteTestRow `json:"keys"`
}

// RouteTestRow is one key of route test.
type RouteTestRow struct {
	Key     string         `json:"key"`
	Backend string         `json:"backend"`
	Rule    string         `json:"rule"`
	Kind    trove.RuleKind `json:"kind"`
}

var cmdRouteTest = &Command{
	Name:    "route test",
	Args:    "BUCKET KEY...",
	Summary: "show where many keys go, one line each",
	Detail: "For each KEY: the backend it routes to and the rule that decided (a pattern, a route function's name, " +
		"or default). The keys need not exist. route explain shows one key rule by rule.",
	Example:  "route test logs a.log tmp/x.bin 2024/b.txt",
	MinArgs:  2,
	MaxArgs:  -1,
	ArgKinds: []ArgKind{ArgBucket, ArgKey},
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		t := &RouteTest{Bucket: inv.Args[0]}
		for _, key := range inv.Args[1:] {
			if err := checkNames("route test", inv.Args[0], key); err != nil {
				return nil, err
			}
			ex := s.Store().Explain(inv.Args[0], key)
			row := RouteTestRow{Key: key, Backend: ex.Backend}
			if ex.Winner >= 0 {
				row.Rule, row.Kind = ex.Steps[ex.Winner].Rule, ex.Steps[ex.Winner].Kind
			}
			t.Keys = append(t.Keys, row)
		}
		return t, nil
	},
}

// Rebalanced is the result of rebalance.
type Rebalanced struct {
	DryRun bool         `json:"dry_run"`
	Moves  []trove.Move `json:"moves"`
}

var cmdRebalance = &Command{
	Name:    "rebalance",
	Summary: "move stranded objects to where the rules now send them",
	Detail: "An object is stranded when a layout change (route add, route rm, mount, a config file) makes its key " +
		"route to another backend than the one holding it, so get misses it. rebalance copies each to its target, " +
		"checks the copy's ETag, then deletes the original, so an interrupted rebalance loses nothing; run it " +
		"again to finish. A leftover copy identical to the target's is dropped; one that differs is kept and " +
		"reported as a conflict. --dry-run shows the moves without making them.",
	Example: "rebalance --dry-run\nrebalance",
	MinArgs: 0,
	MaxArgs: 0,
	Flags: bindFlags(func(fs *pflag.FlagSet, o *rebalanceOptions) {
		fs.BoolVar(&o.dryRun, "dry-run", false, "show what would move, change nothing")
	}),
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		dry := optionsOf[rebalanceOptions](inv).dryRun
		moves, err := s.Store().Rebalance(ctx, dry, nil)
		if err != nil {
			return nil, fmt.Errorf("rebalance stopped after %s (run it again to finish): %w", count(len(moves), "step"), err)
		}
		if moves == nil {
			moves = []trove.Move{}
		}
		return &Rebalanced{DryRun: dry, Moves: moves}, nil
	},
}

// Changed is what route add, route rm and mount return when the change
// strands objects: the change itself, and the objects now held away from
// where their keys route.
type Changed struct {
	*Done
	Stranded []trove.StrandedObject `json:"stranded"`
}

// maxStrandedShown bounds the keys named after a layout change; the rest
// are counted, and ls and rebalance --dry-run show them all.
const maxStrandedShown = 5

// afterLayoutChange reports the objects a layout change left stranded,
// at once, so a later get that misses them is no surprise. Commands that
// change the layout return its result.
//
// It looks only where the change can have re-routed keys (StrandedBy):
// under the pattern a route add or rm names, and on a backend just mounted
// and under the routes to it. A change it cannot read that way is checked
// against the whole store.
func (s *Session) afterLayoutChange(ctx context.Context, done *Done) (Result, error) {
	var (
		st  []trove.StrandedObject
		err error
	)
	store := s.Store()
	switch {
	case (done.Op == "route add" || done.Op == "route rm") && done.Pattern != "":
		st, err = store.StrandedBy(ctx, trove.LayoutChange{Patterns: []string{done.Pattern}})
	case done.Op == "mount" && done.Backend != "":
		change := trove.LayoutChange{Backends: []string{done.Backend}}
		for _, r := range store.Routes() {
			if r.Backend == done.Backend {
				change.Patterns = append(change.Patterns, r.Pattern)
			}
		}
		st, err = store.StrandedBy(ctx, change)
	default:
		st, err = store.Stranded(ctx)
	}
	if err != nil || len(st) == 0 {
		// The change itself succeeded; failing to look is not its error.
		return done, nil
	}
	return &Changed{Done: done, Stranded: st}, nil
}

func (c *Changed) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s stranded: held by another backend than the rules now send them to (get misses them; rebalance moves them)\n",
		count(len(c.Stranded), "object"))
	for i, o := range c.Stranded {
		if i == maxStrandedShown {
			fmt.Fprintf(&b, "  … and %d more (rebalance --dry-run lists them)\n", len(c.Stranded)-i)
			break
		}
		fmt.Fprintf(&b, "  %s/%s: on %s, routes to %s\n", o.Bucket, Quote(o.Key), Quote(o.Holder), Quote(o.Target))
	}
	return b.String()
}

// markStranded notes, for ls, the listed objects held away from the backend
// their key routes to now.
func markStranded(store *trove.Store, page *ObjectPage) {
	for _, o := range page.Objects {
		if target := store.Resolve(page.Bucket, o.Key); target != o.Backend {
			if page.Stranded == nil {
				page.Stranded = map[string]string{}
			}
			page.Stranded[o.Key] = target
		}
	}
}

// backendCell is ls's backend column: the holder, and for a stranded
// object where its key routes now.
func backendCell(page *ObjectPage, o *trove.ObjectInfo, q func(string) string) string {
	if target, ok := page.Stranded[o.Key]; ok {
		return q(o.Backend) + " (stranded: routes to " + q(target) + ")"
	}
	return q(o.Backend)
}

// RouteProblem is a pattern route that does nothing: covered by an earlier
// route, or pointing at a backend that is not mounted. Rule numbers are
// those routes shows.
type RouteProblem struct {
	Rule           int    `json:"rule"`
	Pattern        string `json:"pattern"`
	Backend        string `json:"backend"`
	Dangling       bool   `json:"dangling,omitempty"`
	ShadowedBy     string `json:"shadowed_by,omitempty"`
	ShadowedByRule int    `json:"shadowed_by_rule,omitempty"`
}

// routeProblems checks the store's pattern routes; funcs is the number of
// route functions, which routes numbers first.
func routeProblems(store *trove.Store, funcs int) []RouteProblem {
	var out []RouteProblem
	for _, r := range store.RouteReport() {
		if !r.Dangling && !r.Shadowed() {
			continue
		}
		p := RouteProblem{Rule: funcs + r.Index + 1, Pattern: r.Pattern, Backend: r.Backend, Dangling: r.Dangling}
		if r.Shadowed() {
			p.ShadowedBy, p.ShadowedByRule = r.ShadowedBy, funcs+r.ShadowedByIndex+1
		}
		out = append(out, p)
	}
	return out
}

// routeNotes are the lines routes prints under its table, one per problem.
func routeNotes(t *RouteTable) []string {
	var lines []string
	for _, p := range t.Problems {
		if p.ShadowedBy != "" {
			lines = append(lines, fmt.Sprintf("warning: rule %d (%s) never matches: rule %d (%s) matches every key it could",
				p.Rule, Quote(p.Pattern), p.ShadowedByRule, Quote(p.ShadowedBy)))
		}
		if p.Dangling {
			lines = append(lines, fmt.Sprintf("warning: rule %d (%s) is skipped: backend %s is not mounted",
				p.Rule, Quote(p.Pattern), Quote(p.Backend)))
		}
	}
	if n := t.DefaultCoveredBy; n > 0 {
		lines = append(lines, fmt.Sprintf("note: rule %d (default) never gets a key: rule %d matches every key",
			len(t.Funcs)+len(t.Routes)+1, n))
	}
	return lines
}

// StatsTable is the result of stats: for every store and backend, what it
// holds and its share of all the bytes, so skew is visible.
type StatsTable struct {
	Stores  []StoreStats `json:"stores"`
	Buckets int          `json:"buckets"`
	Objects int          `json:"objects"`
	Bytes   int64        `json:"bytes"`
}

// StoreStats is one store of stats. Every backend has every bucket, so the
// store's bucket count is not a sum over backends.
type StoreStats struct {
	Store    string         `json:"store"`
	Buckets  int            `json:"buckets"`
	Objects  int            `json:"objects"`
	Bytes    int64          `json:"bytes"`
	Backends []BackendStats `json:"backends"`
}

// BackendStats is one backend of stats.
type BackendStats struct {
	trove.BackendUsage
	// Share is the backend's fraction of the bytes of every store.
	Share float64 `json:"share"`
}

var cmdStats = &Command{
	Name:    "stats",
	Summary: "count buckets, objects and bytes per store and backend",
	Detail: "One line per store and backend: buckets, objects, bytes and the backend's share of all the bytes, " +
		"with a bar in table mode so skew shows at a glance. Every backend has every bucket, so a store's bucket " +
		"count is not a sum.",
	Example: "stats",
	MinArgs: 0,
	MaxArgs: 0,
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		t := &StatsTable{}
		for _, name := range s.StoreNames() {
			st := s.stores[name]
			usage, err := st.Usage(ctx)
			if err != nil {
				return nil, err
			}
			buckets, err := st.ListBuckets(ctx)
			if err != nil {
				return nil, err
			}
			ss := StoreStats{Store: name, Buckets: len(buckets)}
			for _, u := range usage {
				ss.Objects += u.Objects
				ss.Bytes += u.Bytes
				ss.Backends = append(ss.Backends, BackendStats{BackendUsage: u})
			}
			t.Stores = append(t.Stores, ss)
			t.Buckets += ss.Buckets
			t.Objects += ss.Objects
			t.Bytes += ss.Bytes
		}
		for i := range t.Stores {
			for j := range t.Stores[i].Backends {
				if b := &t.Stores[i].Backends[j]; t.Bytes > 0 {
					b.Share = float64(b.Bytes) / float64(t.Bytes)
				}
			}
		}
		return t, nil
	},
}

// barWidth is the length of a full stats bar, in characters.
const barWidth = 20

func bar(share float64) string {
	n := int(math.Round(share * barWidth))
	return strings.Repeat("#", n) + strings.Repeat(".", barWidth-n)
}

func percent(share float64, total int64) string {
	if total == 0 {
		return "-"
	}
	return strconv.FormatFloat(share*100, 'f', 0, 64) + "%"
}
