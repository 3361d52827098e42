package repl

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/trove"
)

var cmdMkbucket = &Command{
	Name:     "mkbucket",
	Aliases:  []string{"mb"},
	Args:     "BUCKET",
	Summary:  "create a bucket",
	Detail:   "Bucket names follow S3's rules: 3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit. The bucket is created on every mounted backend, so routed keys always find it.",
	Example:  "mkbucket photos",
	MinArgs:  1,
	MaxArgs:  1,
	ArgKinds: []ArgKind{ArgOther},
	Flags: bindFlags(func(fs *pflag.FlagSet, o *existOKOptions) {
		fs.BoolVar(&o.existOK, "exist-ok", false, "succeed if the bucket exists already (dumps use it)")
	}),
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		b := inv.Args[0]
		if err := s.Store().CreateBucket(ctx, b); err != nil {
			if !optionsOf[existOKOptions](inv).existOK || !errors.Is(err, driver.ErrBucketExists) {
				return nil, err
			}
		}
		return &Done{Op: "mkbucket", Bucket: b}, nil
	},
}

var cmdRmbucket = &Command{
	Name:     "rmbucket",
	Aliases:  []string{"rb"},
	Args:     "BUCKET",
	Summary:  "delete a bucket",
	Detail:   "A bucket that holds objects is refused unless --force is given, which deletes its objects first.",
	Example:  "rmbucket photos\nrmbucket --force photos",
	MinArgs:  1,
	MaxArgs:  1,
	ArgKinds: []ArgKind{ArgBucket},
	Flags: bindFlags(func(fs *pflag.FlagSet, o *forceOptions) {
		fs.BoolVar(&o.force, "force", false, "delete the bucket's objects first")
	}),
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		b := inv.Args[0]
		force := optionsOf[forceOptions](inv).force
		st := s.Store()
		deleted := 0
		if force {
			n, err := deleteAll(ctx, st, b)
			deleted = n
			if err != nil {
				return nil, err
			}
		}
		if err := st.DeleteBucket(ctx, b); err != nil {
			err = renameOp("delete-bucket", err)
			if errors.Is(err, driver.ErrBucketNotEmpty) {
				return nil, &hintError{err, "rmbucket --force " + b + " deletes its objects first"}
			}
			return nil, err
		}
		return &Done{Op: "rmbucket", Bucket: b, Deleted: deleted}, nil
	},
}

// deleteAll deletes every object of bucket and returns how many it deleted.
// It lists a page, deletes it, and lists again from the start, so it never
// depends on a cursor into a listing it is changing. A key that is listed
// again after its delete succeeded (a backend that cannot remove it while
// the store reports success) ends it with errStillListed, rather than
// listing and deleting the same page for ever.
func deleteAll(ctx context.Context, st *trove.Store, bucket string) (int, error) {
	n := 0
	var deleted map[string]bool // the previous page's keys
	for {
		it, err := st.List(ctx, bucket)
		if err != nil {
			return n, err
		}
		page, err := it.All(ctx)
		if err != nil {
			return n, err
		}
		if len(page) == 0 {
			return n, nil
		}
		for _, o := range page {
			if deleted[o.Key] {
				return n, driver.E("delete", bucket, o.Key, fmt.Errorf("%w (on backend %s)", errStillListed, Quote(o.Backend)))
			}
		}
		deleted = make(map[string]bool, len(page))
		for _, o := range page {
			if err := st.Delete(ctx, bucket, o.Key); err != nil {
				return n, err
			}
			deleted[o.Key] = true
			n++
		}
	}
}

// errStillListed reports a key that a delete reported removed but the
// store lists still.
var errStillListed = errors.New("still listed after it was deleted")

var cmdBuckets = &Command{
	Name:    "buckets",
	Summary: "list the buckets",
	Detail:  "Buckets are listed by name with the time they were created. ls without a bucket does the same.",
	Example: "buckets",
	MinArgs: 0,
	MaxArgs: 0,
	Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		return listBuckets(ctx, s)
	},
}

func listBuckets(ctx context.Context, s *Session) (*BucketList, error) {
	bs, err := s.Store().ListBuckets(ctx)
	if err != nil {
		return nil, err
	}
	if bs == nil {
		bs = []trove.BucketInfo{}
	}
	return &BucketList{Buckets: bs}, nil
}

// renameOp reports a storage error as the operation the user asked for
// rather than the step inside it that failed (the listing behind a delete,
// say), so the message matches the command typed.
func renameOp(op string, err error) error {
	var de *driver.Error
	if errors.As(err, &de) && de.Op != op {
		return &driver.Error{Op: op, Bucket: de.Bucket, Key: de.Key, Err: de.Err}
	}
	return err
}
