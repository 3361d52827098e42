package repl

import (
	"context"
	"strconv"

	"github.com/trovemem/trovemem/driver"

	"github.com/spf13/pflag"

	"github.com/trovemem/trovemem/trove"
)

var cmdRouteAdd = &Command{
	Name:    "route add",
	Args:    "PATTERN BACKEND",
	Summary: "send keys matching a pattern to a backend",
	Detail: "Patterns match keys with path.Match syntax, where * and ? do not cross '/', plus ** which does. " +
		"Routes apply in the order they were added; the first that matches wins, and keys no route matches " +
		"go to the default backend. BACKEND must be mounted. --at N puts the rule at position N of routes " +
		"instead of last. route add warns at once about a rule that can never match (an earlier one covers it) " +
		"and about the usual slips: a pattern starting with the bucket name or '/', or ending in '/'.",
	Example:  "route add '*.log' cold\nroute add 'hot/**' fast\nroute add --at 1 'hot/tmp/**' default",
	MinArgs:  2,
	MaxArgs:  2,
	ArgKinds: []ArgKind{ArgOther, ArgBackend},
	Flags: bindFlags(func(fs *pflag.FlagSet, o *routeAddOptions) {
		fs.BoolVar(&o.existOK, "exist-ok", false, "succeed if PATTERN is routed to BACKEND already (dumps use it)")
		fs.IntVar(&o.at, "at", 0, "put the rule at position `N` of routes (1 is first) instead of last")
	}),
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		o := optionsOf[routeAddOptions](inv)
		pattern, backend := inv.Args[0], inv.Args[1]
		if o.existOK {
			if same, err := sameRoute(s.Store(), pattern, backend); same || err != nil {
				return doneUnlessErr(&Done{Op: "route add", Pattern: pattern, Backend: backend}, err)
			}
		}
		st := s.Store()
		funcs := len(st.RouteFuncs())
		at := -1
		if o.at != 0 {
			// Positions are those routes shows, route functions first.
			at = o.at - 1 - funcs
			if at < 0 || at > len(st.Routes()) {
				return nil, usageErrorf(nil, "route add: --at %d: want a position from %d to %d", o.at, funcs+1, funcs+len(st.Routes())+1)
			}
		}
		if err := st.InsertRoute(at, pattern, backend); err != nil {
			return nil, err
		}
		warnings := addedRouteWarnings(ctx, st, pattern, funcs)
		res, err := s.afterLayoutChange(ctx, &Done{Op: "route add", Pattern: pattern, Backend: backend})
		return withWarnings(res, warnings), err
	},
}

// routeAddOptions are route add's flags.
type routeAddOptions struct {
	existOK bool
	at      int
}

var cmdRouteRm = &Command{
	Name:    "route rm",
	Args:    "PATTERN|N",
	Summary: "remove a route, by pattern or by its number in routes",
	Detail: "Objects already stored stay where they are; only where new writes go changes. A number N removes " +
		"rule N as routes numbers it, unless a route has the pattern N itself.",
	Example:  "route rm '*.log'\nroute rm 2",
	MinArgs:  1,
	MaxArgs:  1,
	ArgKinds: []ArgKind{ArgOther},
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		st := s.Store()
		pattern := inv.Args[0]
		if i, ok := routePosition(st, pattern); ok {
			r, err := st.RemoveRouteAt(i)
			if err != nil {
				return nil, err
			}
			pattern = r.Pattern
		} else if err := st.RemoveRoute(pattern); err != nil {
			return nil, err
		}
		return s.afterLayoutChange(ctx, &Done{Op: "route rm", Pattern: pattern})
	},
}

var cmdRouteMove = &Command{
	Name:    "route move",
	Args:    "N M",
	Summary: "move rule N to position M, so it is consulted earlier or later",
	Detail: "N and M are rule numbers as routes shows them. The first rule that matches wins, so moving a " +
		"specific rule before a general one un-shadows it. Objects already stored stay where they are.",
	Example:  "routes\nroute move 3 1",
	MinArgs:  2,
	MaxArgs:  2,
	ArgKinds: []ArgKind{ArgOther, ArgOther},
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		st := s.Store()
		var pos [2]int
		for j, a := range inv.Args {
			i, ok := routePosition(st, a)
			if !ok {
				funcs := len(st.RouteFuncs())
				return nil, usageErrorf(nil, "route move: %s is not the number of a pattern route (want %d to %d; routes lists them)",
					Quote(a), funcs+1, funcs+len(st.Routes()))
			}
			pos[j] = i
		}
		r := st.Routes()[pos[0]]
		if err := st.MoveRoute(pos[0], pos[1]); err != nil {
			return nil, err
		}
		return s.afterLayoutChange(ctx, &Done{Op: "route move", Pattern: r.Pattern, Backend: r.Backend})
	},
}

// routePosition reads arg as a rule number of routes that names a pattern
// route, and returns that route's index; a route whose pattern is arg
// itself wins over the number.
func routePosition(st *trove.Store, arg string) (int, bool) {
	n, err := strconv.Atoi(arg)
	if err != nil {
		return 0, false
	}
	routes := st.Routes()
	for _, r := range routes {
		if r.Pattern == arg {
			return 0, false
		}
	}
	i := n - 1 - len(st.RouteFuncs())
	if i < 0 || i >= len(routes) {
		return 0, false
	}
	return i, true
}

var cmdRouteExplain = &Command{
	Name:    "route explain",
	Aliases: []string{"which"},
	Args:    "BUCKET KEY",
	Summary: "show which backend a key goes to, rule by rule",
	Detail: "Prints the bucket, the key and the winning backend, then every rule in the order it is consulted, " +
		"and what became of it and why (for example: \"`*` does not match `/`\", or \"would match, shadowed by " +
		"rule 1\"). Then where an object with the key IS stored, if anywhere: on another backend than the rules " +
		"send it to, it is stranded and rebalance moves it. The key need not exist; the bucket must. A rule that " +
		"looks like a common slip (the bucket name or '/' in the pattern, a case mismatch) gets a \"did you mean\".",
	Example:  "route explain photos hot/2024/cat.png\nwhich photos a.log",
	MinArgs:  2,
	MaxArgs:  2,
	ArgKinds: []ArgKind{ArgBucket, ArgKey},
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		bucket, key := inv.Args[0], inv.Args[1]
		if err := checkNames("route explain", bucket, key); err != nil {
			return nil, err
		}
		st := s.Store()
		ex := &Explanation{Explanation: st.Explain(bucket, key)}
		where, err := locate(ctx, st, bucket, key)
		if err != nil {
			// A bucket that does not exist is a mistake worth stopping at:
			// no key of it goes anywhere.
			return nil, driver.E("route explain", bucket, key, err)
		}
		ex.Object = where
		ex.Hints = keyHints(st, ex.Explanation)
		return ex, nil
	},
}

// checkNames applies the store's name rules to a bucket and key that a
// command only reasons about (route explain, route test), so a name no
// operation would accept is refused there too, with the same message.
func checkNames(op, bucket, key string) error {
	if err := driver.ValidateBucketName(bucket); err != nil {
		return driver.E(op, bucket, key, err)
	}
	if err := driver.ValidateKey(key); err != nil {
		return driver.E(op, bucket, key, err)
	}
	return nil
}

var cmdRoutes = &Command{
	Name:    "routes",
	Summary: "list the routing rules in the order they apply",
	Detail: "Route functions (set by programs embedding the store) come first, then pattern routes, then the default backend. " +
		"--tree draws the patterns as a tree of their path segments, each ending in its backend and rule number.",
	Example: "routes\nroutes --tree",
	MinArgs: 0,
	MaxArgs: 0,
	Flags: bindFlags(func(fs *pflag.FlagSet, o *routesOptions) {
		fs.BoolVar(&o.tree, "tree", false, "draw the patterns as a tree of path segments")
	}),
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		st := s.Store()
		if optionsOf[routesOptions](inv).tree {
			return routeTree(st), nil
		}
		t := &RouteTable{Routes: st.Routes()}
		if t.Routes == nil {
			t.Routes = []trove.Route{}
		}
		for i, f := range st.RouteFuncs() {
			name := f.Name
			if name == "" {
				name = "func#" + strconv.Itoa(i+1)
			}
			t.Funcs = append(t.Funcs, name)
		}
		t.Problems = routeProblems(st, len(t.Funcs))
		if i, ok := coversEveryKey(st); ok {
			t.DefaultCoveredBy = len(t.Funcs) + i + 1
		}
		return t, nil
	},
}

// routesOptions are routes' flags.
type routesOptions struct{ tree bool }
