package trove

import (
	"cmp"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/trovemem/trovemem/driver"
)

// ErrCopyMismatch means a copy made by Rebalance does not match its source
// by what the two backends' ETags can promise (see verifyCopy); the copy is
// removed and the source kept.
var ErrCopyMismatch = errors.New("copy's ETag differs from the source's")

// RouteStatus is what RouteReport finds about one pattern route.
type RouteStatus struct {
	Route
	// Index is the route's position among the pattern routes, from 0.
	Index int `json:"index"`
	// Dangling is set when the route's backend is not mounted, so the route
	// is skipped until it is.
	Dangling bool `json:"dangling,omitempty"`
	// ShadowedBy is the pattern of an earlier route that matches every key
	// this one could match, so this one never fires; empty when none does.
	ShadowedBy string `json:"shadowed_by,omitempty"`
	// ShadowedByIndex is the Index of that route, or -1.
	ShadowedByIndex int `json:"shadowed_by_index"`
}

// Shadowed reports whether an earlier route covers this one.
func (r RouteStatus) Shadowed() bool { return r.ShadowedByIndex >= 0 }

// RouteReport checks every pattern route, in order, for the two mistakes
// that make a rule do nothing: an earlier route covering every key it could
// match (see PatternCovers, which never reports a cover that does not
// hold), and a backend that is not mounted. A dangling route shadows
// nothing, since the router skips it. Route functions are consulted first
// but are opaque, so they are not taken into account.
func (s *Store) RouteReport() []RouteStatus {
	cfg := s.cfg.Load()
	out := make([]RouteStatus, len(cfg.routes))
	for i, r := range cfg.routes {
		_, mounted := cfg.drivers[r.Backend]
		st := RouteStatus{Route: r, Index: i, Dangling: !mounted, ShadowedByIndex: -1}
		for j, earlier := range cfg.routes[:i] {
			if _, ok := cfg.drivers[earlier.Backend]; !ok {
				continue
			}
			if PatternCovers(earlier.Pattern, r.Pattern) {
				st.ShadowedBy, st.ShadowedByIndex = earlier.Pattern, j
				break
			}
		}
		out[i] = st
	}
	return out
}

// StrandedObject is an object held by a backend other than the one its key
// routes to now, so Get (which asks only that one) misses it.
type StrandedObject struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Holder string `json:"holder"`
	Target string `json:"target"`
	Size   int64  `json:"size"`
	ETag   string `json:"etag,omitempty"`
	// Duplicate is set when Target also holds the key: the store serves
	// that copy, and this one is a leftover from an earlier layout.
	Duplicate bool `json:"duplicate,omitempty"`
}

// Stranded lists the objects whose holding backend differs from the one
// the rules now send them to, sorted by bucket, key and backend order. It
// walks every backend's listing once, which is cheap for the stores people
// build in a REPL and proportional to the object count in general.
func (s *Store) Stranded(ctx context.Context) ([]StrandedObject, error) {
	cfg, err := s.live("stranded", "", "")
	if err != nil {
		return nil, err
	}
	return cfg.stranded(ctx)
}

// LayoutChange names what a layout change can have re-routed: the keys
// that match Patterns (the pattern of a route added or removed, or of the
// routes to a backend mounted or unmounted) and every object on Backends
// (a backend just mounted, which may hold data already).
type LayoutChange struct {
	Patterns []string
	Backends []string
}

// StrandedBy is Stranded restricted to the objects change can have
// re-routed; the others are stranded or not as they were before it. It
// reads only the keys under each pattern's literal prefix, a range scan
// per bucket and backend, and the backends named, so a layout change in a
// large store costs what it touches rather than the whole store.
func (s *Store) StrandedBy(ctx context.Context, change LayoutChange) ([]StrandedObject, error) {
	cfg, err := s.live("stranded", "", "")
	if err != nil {
		return nil, err
	}
	prefixes := scanPrefixes(change.Patterns)
	whole := make(map[string]bool, len(change.Backends))
	for _, b := range change.Backends {
		whole[b] = true
	}
	return cfg.strandedIn(ctx, func(backend string) []string {
		if whole[backend] {
			return []string{""}
		}
		return prefixes
	})
}

// scanPrefixes returns the literal prefixes of patterns with none that
// another one extends, so overlapping patterns never scan a key twice.
func scanPrefixes(patterns []string) []string {
	var ps []string
	for _, p := range patterns {
		ps = append(ps, literalPrefix(p))
	}
	slices.Sort(ps)
	out := ps[:0]
	for _, p := range ps {
		if len(out) > 0 && strings.HasPrefix(p, out[len(out)-1]) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// covered reports whether key lies under one of prefixes.
func covered(prefixes []string, key string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

func (cfg *config) stranded(ctx context.Context) ([]StrandedObject, error) {
	return cfg.strandedIn(ctx, func(string) []string { return []string{""} })
}

// strandedIn finds the stranded objects among the keys under the prefixes
// scan gives for each backend ("" is the whole backend; none skips it).
func (cfg *config) strandedIn(ctx context.Context, scan func(backend string) []string) ([]StrandedObject, error) {
	type place struct{ bucket, key, backend string }
	held := make(map[place]bool)
	var out []StrandedObject
	for _, name := range cfg.order {
		prefixes := scan(name)
		if len(prefixes) == 0 {
			continue
		}
		drv := cfg.drivers[name]
		buckets, err := drv.ListBuckets(ctx)
		if err != nil {
			return nil, fmt.Errorf("stranded: backend %q: %w", name, err)
		}
		for _, b := range buckets {
			for _, prefix := range prefixes {
				err := walkPrefix(ctx, drv, b.Name, prefix, func(o *ObjectInfo) bool {
					held[place{b.Name, o.Key, name}] = true
					if target, _ := cfg.explain(b.Name, o.Key, false); target != name {
						out = append(out, StrandedObject{Bucket: b.Name, Key: o.Key, Holder: name, Target: target, Size: o.Size, ETag: o.ETag})
					}
					return true
				})
				if err != nil {
					return nil, fmt.Errorf("stranded: backend %q: %w", name, err)
				}
			}
		}
	}
	rank := make(map[string]int, len(cfg.order))
	for i, n := range cfg.order {
		rank[n] = i
	}
	for i := range out {
		o := &out[i]
		if covered(scan(o.Target), o.Key) {
			o.Duplicate = held[place{o.Bucket, o.Key, o.Target}]
			continue
		}
		// The target's scan did not reach this key: ask it.
		_, err := cfg.drivers[o.Target].Head(ctx, o.Bucket, o.Key)
		if err != nil && !errors.Is(err, ErrObjectNotFound) && !errors.Is(err, ErrBucketNotFound) {
			return nil, fmt.Errorf("stranded: backend %q: %w", o.Target, err)
		}
		o.Duplicate = err == nil
	}
	slices.SortFunc(out, func(a, b StrandedObject) int {
		return cmp.Or(cmp.Compare(a.Bucket, b.Bucket), cmp.Compare(a.Key, b.Key), cmp.Compare(rank[a.Holder], rank[b.Holder]))
	})
	return out, nil
}

// MoveAction says what Rebalance did (or, in a dry run, would do) with one
// stranded object.
type MoveAction string

const (
	// MoveCopy copies the object to its target, checks the copy's ETag,
	// then deletes the stranded one.
	MoveCopy MoveAction = "move"
	// MoveDropDuplicate deletes a stranded object whose target already holds
	// an identical copy (same ETag), which is the one the store serves.
	MoveDropDuplicate MoveAction = "drop-duplicate"
	// MoveConflict leaves a stranded object alone because its target holds
	// a different object under the key: the store serves that one, and
	// which is wanted is for a person to decide.
	MoveConflict MoveAction = "conflict"
)

// Move is one step of a rebalance.
type Move struct {
	StrandedObject
	Action MoveAction `json:"action"`
	// DryRun marks a planned step that was not carried out.
	DryRun bool `json:"dry_run,omitempty"`
}

// Rebalance moves every stranded object to the backend its key routes to
// now, calling report (if not nil) after each step, and returns the steps.
// A move copies the object (content, content type and metadata) straight
// to the target driver, checks the copy against what each backend's ETag
// promises (a content MD5 must equal the MD5 of the bytes copied; an S3
// multipart ETag, which is not one, is taken on the sizes agreeing), and
// only then deletes the source; so whenever it stops (ctx cancelled, a
// backend failing) every object still exists in at least one place, and
// running Rebalance again finishes the job. With dryRun nothing changes
// and the steps say what would happen.
//
// Rebalance plans against the layout as it is when called, and moves each
// object under its key's lock, checking first that the key is still where
// the plan found it: a key written meanwhile was placed by that write and
// is left alone, so a move never overwrites a newer Put.
func (s *Store) Rebalance(ctx context.Context, dryRun bool, report func(Move)) ([]Move, error) {
	cfg, err := s.live("rebalance", "", "")
	if err != nil {
		return nil, err
	}
	stranded, err := cfg.stranded(ctx)
	if err != nil {
		return nil, err
	}
	var moves []Move
	for _, so := range stranded {
		if err := ctx.Err(); err != nil {
			return moves, fmt.Errorf("rebalance: %w", err)
		}
		m := Move{StrandedObject: so, Action: MoveCopy, DryRun: dryRun}
		if so.Duplicate {
			same, err := cfg.sameObject(ctx, so)
			if err != nil {
				return moves, driver.E("rebalance", so.Bucket, so.Key, err)
			}
			if same {
				m.Action = MoveDropDuplicate
			} else {
				m.Action = MoveConflict
			}
		}
		if !dryRun {
			if err := s.applyLocked(ctx, cfg, m); err != nil {
				return moves, driver.E("rebalance", so.Bucket, so.Key, err)
			}
		}
		moves = append(moves, m)
		if report != nil {
			report(m)
		}
	}
	return moves, nil
}

// applyLocked carries out m under its key's lock, unless a write since the
// plan changed the stranded copy (another ETag, or gone), in which case
// that write decided where the key lives.
func (s *Store) applyLocked(ctx context.Context, cfg *config, m Move) error {
	defer s.lockKeys([2]string{m.Bucket, m.Key}).unlock()
	if cur := s.cfg.Load(); cur != cfg {
		// Planned under an earlier layout, the move may put the key where
		// the current one does not route it.
		cur.dirty(m.Target)
	}
	info, err := cfg.drivers[m.Holder].Head(ctx, m.Bucket, m.Key)
	if errors.Is(err, ErrObjectNotFound) || (err == nil && info.ETag != m.ETag) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("backend %q: %w", m.Holder, err)
	}
	return cfg.apply(ctx, m)
}

// sameObject reports whether the stranded copy and the target's copy hold
// the same content: by ETag when both are content MD5s, and otherwise (an
// S3 multipart ETag is not one) by size and then by hashing both.
func (cfg *config) sameObject(ctx context.Context, so StrandedObject) (bool, error) {
	src, err := cfg.drivers[so.Holder].Head(ctx, so.Bucket, so.Key)
	if err != nil {
		return false, fmt.Errorf("backend %q: %w", so.Holder, err)
	}
	dst, err := cfg.drivers[so.Target].Head(ctx, so.Bucket, so.Key)
	if err != nil {
		return false, fmt.Errorf("backend %q: %w", so.Target, err)
	}
	if isContentMD5(src.ETag) && isContentMD5(dst.ETag) || src.ETag == dst.ETag || src.Size != dst.Size {
		return src.ETag == dst.ETag && src.Size == dst.Size, nil
	}
	a, err := hashContent(ctx, cfg.drivers[so.Holder], so.Bucket, so.Key)
	if err != nil {
		return false, fmt.Errorf("backend %q: %w", so.Holder, err)
	}
	b, err := hashContent(ctx, cfg.drivers[so.Target], so.Bucket, so.Key)
	if err != nil {
		return false, fmt.Errorf("backend %q: %w", so.Target, err)
	}
	return a == b, nil
}

// What an ETag promises about content differs by backend. The memory and
// file backends, and S3 for an object stored by one PUT, give the hex MD5
// of the content (32 hex digits). S3 gives an object uploaded in parts
// "MD5-of-the-parts'-MD5s-N", which names the object on that server but
// is no digest of its content. Any other form is not understood, so it
// promises nothing.

// isContentMD5 reports whether etag is a content MD5 (32 lowercase hex
// digits).
func isContentMD5(etag string) bool {
	if len(etag) != 32 {
		return false
	}
	for i := 0; i < len(etag); i++ {
		if c := etag[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isMultipartETag reports whether etag has S3's multipart form, "MD5-N".
func isMultipartETag(etag string) bool {
	md5, parts, ok := strings.Cut(etag, "-")
	return ok && isContentMD5(md5) && parts != "" && strings.Trim(parts, "0123456789") == ""
}

// verifyCopy checks a copy against what each side's ETag promises: the
// MD5 of the bytes streamed must equal each ETag that is a content MD5,
// and a multipart ETag is taken on the sizes agreeing; an ETag of any
// other form fails, so the source is never deleted on a promise not
// understood.
func verifyCopy(src, dst *ObjectInfo, streamed copied) error {
	for _, side := range []struct {
		what string
		info *ObjectInfo
	}{{"source", src}, {"copy", dst}} {
		switch etag := side.info.ETag; {
		case isContentMD5(etag) && etag != streamed.md5:
			return fmt.Errorf("%w (%s's %s, want the MD5 of the %d bytes copied, %s)", ErrCopyMismatch, side.what, etag, streamed.n, streamed.md5)
		case isContentMD5(etag), isMultipartETag(etag):
		default:
			return fmt.Errorf("%w (%s's ETag %q is neither a content MD5 nor a multipart ETag)", ErrCopyMismatch, side.what, etag)
		}
	}
	if src.Size != streamed.n || dst.Size != streamed.n {
		return fmt.Errorf("%w (sizes: source %d, copy %d, bytes copied %d)", ErrCopyMismatch, src.Size, dst.Size, streamed.n)
	}
	return nil
}

// copied is what passed through a copy: its length and hex MD5.
type copied struct {
	n   int64
	md5 string
}

// hashContent reads bucket/key whole and returns its hex MD5.
func hashContent(ctx context.Context, drv driver.Driver, bucket, key string) (string, error) {
	rd, err := drv.Get(ctx, bucket, key)
	if err != nil {
		return "", err
	}
	defer rd.Close()
	h := md5.New()
	if _, err := io.Copy(h, rd); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (cfg *config) apply(ctx context.Context, m Move) error {
	src, dst := cfg.drivers[m.Holder], cfg.drivers[m.Target]
	switch m.Action {
	case MoveConflict:
		return nil
	}
	if id := driver.StorageID(src); id != "" && id == driver.StorageID(dst) {
		// Mount refuses this layout; a storage that came to be shared
		// later (a directory swapped for a link) must still not lose the
		// object it holds by deleting "the other copy".
		return fmt.Errorf("%w: backends %q and %q serve one storage, so the stranded copy is the object itself", ErrSameStorage, m.Holder, m.Target)
	}
	switch m.Action {
	case MoveDropDuplicate:
		return deleteFrom(ctx, src, m.Holder, m.Bucket, m.Key)
	}
	info, srcInfo, streamed, err := copyAcross(ctx, src, dst, m.Bucket, m.Key)
	if errors.Is(err, ErrBucketNotFound) {
		// The target lacks the bucket (mounted while it was missing, or
		// changed behind the store's back): create it and try once more.
		if cerr := dst.CreateBucket(ctx, m.Bucket); cerr != nil && !errors.Is(cerr, ErrBucketExists) {
			return fmt.Errorf("backend %q: %w", m.Target, cerr)
		}
		info, srcInfo, streamed, err = copyAcross(ctx, src, dst, m.Bucket, m.Key)
	}
	if err != nil {
		return fmt.Errorf("copy from backend %q to %q: %w", m.Holder, m.Target, err)
	}
	if err := verifyCopy(srcInfo, info, streamed); err != nil {
		// The bad copy goes; the source stays, so nothing is lost.
		_ = dst.Delete(context.WithoutCancel(ctx), m.Bucket, m.Key)
		return fmt.Errorf("backend %q: %w", m.Target, err)
	}
	return deleteFrom(ctx, src, m.Holder, m.Bucket, m.Key)
}

// copyAcross streams bucket/key from src to dst with its content type and
// metadata, and returns the copy's info, the source's, and the length and
// MD5 of the bytes that went across.
func copyAcross(ctx context.Context, src, dst driver.Driver, bucket, key string) (*ObjectInfo, *ObjectInfo, copied, error) {
	rd, err := src.Get(ctx, bucket, key)
	if err != nil {
		return nil, nil, copied{}, err
	}
	defer rd.Close()
	h := md5.New()
	body := &countingReader{r: io.TeeReader(rd, h)}
	info, err := dst.Put(ctx, bucket, key, body,
		driver.WithContentType(rd.Info.ContentType), driver.WithMetadata(rd.Info.Metadata))
	if err != nil {
		return nil, nil, copied{}, err
	}
	return info, rd.Info, copied{n: body.n, md5: hex.EncodeToString(h.Sum(nil))}, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func deleteFrom(ctx context.Context, drv driver.Driver, name, bucket, key string) error {
	if err := drv.Delete(ctx, bucket, key); err != nil {
		return fmt.Errorf("delete the stranded copy on backend %q: %w", name, err)
	}
	return nil
}
