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
		"go to the default backend. BACKEND must be mounted.",
	Example:  "route add '*.log' cold\nroute add 'hot/**' fast",
	MinArgs:  2,
	MaxArgs:  2,
	ArgKinds: []ArgKind{ArgOther, ArgBackend},
	Flags: bindFlags(func(fs *pflag.FlagSet, o *existOKOptions) {
		fs.BoolVar(&o.existOK, "exist-ok", false, "succeed if PATTERN is routed to BACKEND already (dumps use it)")
	}),
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		if optionsOf[existOKOptions](inv).existOK {
			if same, err := sameRoute(s.Store(), inv.Args[0], inv.Args[1]); same || err != nil {
				return doneUnlessErr(&Done{Op: "route add", Pattern: inv.Args[0], Backend: inv.Args[1]}, err)
			}
		}
		if err := s.Store().AddRoute(inv.Args[0], inv.Args[1]); err != nil {
			return nil, err
		}
		return s.afterLayoutChange(ctx, &Done{Op: "route add", Pattern: inv.Args[0], Backend: inv.Args[1]})
	},
}

var cmdRouteRm = &Command{
	Name:     "route rm",
	Args:     "PATTERN",
	Summary:  "remove a route",
	Detail:   "Objects already stored stay where they are; only where new writes go changes.",
	Example:  "route rm '*.log'",
	MinArgs:  1,
	MaxArgs:  1,
	ArgKinds: []ArgKind{ArgOther},
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		if err := s.Store().RemoveRoute(inv.Args[0]); err != nil {
			return nil, err
		}
		return s.afterLayoutChange(ctx, &Done{Op: "route rm", Pattern: inv.Args[0]})
	},
}

var cmdRouteExplain = &Command{
	Name:    "route explain",
	Aliases: []string{"which"},
	Args:    "BUCKET KEY",
	Summary: "show which backend a key goes to, rule by rule",
	Detail: "Prints the winning backend, then every rule in the order it is consulted, matched or not, and why " +
		"(for example: \"`*` does not match `/`\"). The key need not exist.",
	Example:  "route explain photos hot/2024/cat.png\nwhich photos a.log",
	MinArgs:  2,
	MaxArgs:  2,
	ArgKinds: []ArgKind{ArgBucket, ArgKey},
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		if err := checkNames("route explain", inv.Args[0], inv.Args[1]); err != nil {
			return nil, err
		}
		return &Explanation{s.Store().Explain(inv.Args[0], inv.Args[1])}, nil
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
	Detail:  "Route functions (set by programs embedding the store) come first, then pattern routes, then the default backend.",
	Example: "routes",
	MinArgs: 0,
	MaxArgs: 0,
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		st := s.Store()
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
		return t, nil
	},
}
