package repl

import (
	"context"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/trovemem/trovemem/driver"
)

var cmdMount = &Command{
	Name:    "mount",
	Args:    "NAME DSN",
	Summary: "mount a backend",
	Detail: "Opens DSN through the driver registry (mem:// is always available) and mounts it as NAME. The store's " +
		"buckets are created on it. Keys reach it through routes (route add).",
	Example:  "mount fast mem://\nroute add 'hot/**' fast",
	MinArgs:  2,
	MaxArgs:  2,
	ArgKinds: []ArgKind{ArgOther, ArgDSN},
	Flags: bindFlags(func(fs *pflag.FlagSet, o *existOKOptions) {
		fs.BoolVar(&o.existOK, "exist-ok", false, "succeed if NAME is mounted already from the same DSN (dumps use it)")
	}),
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		name, dsn := inv.Args[0], inv.Args[1]
		if optionsOf[existOKOptions](inv).existOK {
			if same, err := sameMount(s.Store(), name, dsn); same || err != nil {
				return doneUnlessErr(&Done{Op: "mount", Backend: name, DSN: dsn}, err)
			}
		}
		open := s.resolveDSN(dsn)
		if err := s.Store().Mount(ctx, name, open, driver.WithClock(s.Now)); err != nil {
			return nil, err
		}
		if open != dsn {
			// Backends, config show and dump show the DSN as the script
			// wrote it; the same session resolves it the same way again.
			if err := s.Store().SetBackendDSN(name, dsn); err != nil {
				return nil, err
			}
		}
		return s.afterLayoutChange(ctx, &Done{Op: "mount", Backend: name, DSN: driver.RedactDSN(dsn)})
	},
}

// resolveDSN makes a relative file:// DSN absolute under the session's
// WorkDir; any other DSN, or any DSN without a WorkDir, is returned as it
// is.
func (s *Session) resolveDSN(dsn string) string {
	if s.WorkDir == "" {
		return dsn
	}
	p, err := driver.ParseDSN(dsn)
	if err != nil || p.Scheme != "file" || p.User != "" || len(p.Params) > 0 {
		return dsn
	}
	path := filepath.FromSlash(p.Host + p.Path)
	if path == "" || filepath.IsAbs(path) {
		return dsn
	}
	return "file://" + filepath.ToSlash(filepath.Join(s.WorkDir, path))
}

var cmdUnmount = &Command{
	Name:    "unmount",
	Args:    "NAME",
	Summary: "unmount a backend",
	Detail: "Refuses while the backend holds objects, unless --force is given, in which case they are lost. " +
		"Routes to the backend stay and are skipped until a backend of that name is mounted again. The default " +
		"backend cannot be unmounted.",
	Example:  "unmount fast\nunmount --force fast",
	MinArgs:  1,
	MaxArgs:  1,
	ArgKinds: []ArgKind{ArgBackend},
	Flags: bindFlags(func(fs *pflag.FlagSet, o *forceOptions) {
		fs.BoolVar(&o.force, "force", false, "unmount even though the backend holds objects, losing them (it says how many)")
	}),
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		force := optionsOf[forceOptions](inv).force
		dropped := 0
		if force {
			n, err := backendObjects(ctx, s.Store(), inv.Args[0])
			if err != nil {
				return nil, err
			}
			dropped = n
		}
		if err := s.Store().RemoveBackend(ctx, inv.Args[0], force); err != nil {
			return nil, err
		}
		return &Unmounted{Op: "unmount", Backend: inv.Args[0], Dropped: dropped, Forced: force}, nil
	},
}

var cmdBackends = &Command{
	Name:    "backends",
	Summary: "list the mounted backends with their objects and bytes",
	Detail: "The default backend comes first, then the others in the order they were mounted. A password in a " +
		"DSN is shown as ***; config show and dump write it in full, since their output must rebuild the store.",
	Example: "backends",
	MinArgs: 0,
	MaxArgs: 0,
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		usage, err := s.Store().Usage(ctx)
		if err != nil {
			return nil, err
		}
		t := &BackendTable{Backends: make([]BackendRow, len(usage))}
		for i, u := range usage {
			t.Backends[i] = BackendRow{Name: u.Name, DSN: driver.RedactDSN(u.DSN), Objects: u.Objects, Bytes: u.Bytes}
		}
		return t, nil
	},
}
