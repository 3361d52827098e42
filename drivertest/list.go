package drivertest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
)

// entry is what the listing checks compare: an object key or a common
// prefix.
type entry struct {
	Key      string
	IsPrefix bool
}

// show formats e for a failure message. It is not a String method, which
// would make cmp print entries as strings in its diffs.
func (e entry) show() string {
	if e.IsPrefix {
		return fmt.Sprintf("%q(prefix)", e.Key)
	}
	return fmt.Sprintf("%q", e.Key)
}

// showEntries formats entries for a failure message.
func showEntries(es []entry) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.show()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// keyEntries turns object keys into plain entries.
func keyEntries(keys []string) []entry {
	out := make([]entry, len(keys))
	for i, k := range keys {
		out[i] = entry{Key: k}
	}
	return out
}

// listingKeys is the set the listing checks store. Keys share prefixes at
// several depths; '-' (0x2d), '.' (0x2e) and '0' (0x30) sort around the
// delimiter '/' (0x2f) so a common prefix must be placed by bytes, not by
// segments; and the non-ASCII keys sit at the UTF-8 boundaries (0x7f, the
// first two-, three- and four-byte runes, the last rune) where an ordering
// by runes or by UTF-16 would differ from the required byte order.
var listingKeys = []string{
	"a", "a/", "a/b", "a/b/c", "a/b/d", "a/bc/d", "a/c", "a-b", "a.b", "a0", "aa", "ab/x", "ab/y/z",
	"b/1", "b/10", "b/2", "b/3", "b/4", "b/5", "b/6", "b/7", "b/8", "b/9",
	"c/d/e/f", "c/d/e/g", "c/d/f", "c/e",
	"photos/2024/feb.jpg", "photos/2024/jan.jpg", "photos/2025/mar.jpg", "photos/readme", "photos2",
	" space first", "with space/x", `quote"d/y`, "~tilde", "\x7f", "a\x7f",
	"\u0080", "\u00e9", "\u00e9/x", "\u00ff", "\u0100", "\u07ff", "\u0800",
	"日本/語", "日本語", "\uffee", "\uffff", "\U00010000", "🙂", "🙂/face", "\U0010ffff",
	"z", "zz/", "zz/top", "zz/top/", "zz0", "c/d/", "~tilde/x",
}

// putListingKeys stores the listing keys in a shuffled order, so a driver that
// lists in insertion order fails.
func putListingKeys(ctx context.Context, d driver.Driver, bucket string) error {
	if err := createBuckets(ctx, d, bucket); err != nil {
		return err
	}
	keys := slices.Clone(listingKeysFor(ctx))
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	for _, k := range keys {
		if _, err := put(ctx, d, bucket, k, "content of "+k); err != nil {
			return fmt.Errorf("setup: %w", err)
		}
	}
	return nil
}

// wantEntries computes a listing's expected entries from the keys, without
// any driver helper, so a bug in a shared helper cannot hide here.
func wantEntries(keys []string, prefix, delim string) []entry {
	seen := map[string]bool{}
	var out []entry
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		e := entry{Key: k}
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				e = entry{Key: k[:len(prefix)+i+len(delim)], IsPrefix: true}
			}
		}
		if !seen[e.Key] {
			seen[e.Key] = true
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// page is one List call's result.
type page struct {
	entries []*driver.ObjectInfo
	next    string
}

// listPages follows NextToken from the first page to the last. It gives up
// after maxPages, so a driver whose cursor never ends fails instead of
// hanging.
func listPages(ctx context.Context, d driver.Driver, bucket string, maxPages int, opts ...driver.ListOption) ([]page, error) {
	var pages []page
	cursor := ""
	for {
		callOpts := opts
		if cursor != "" {
			callOpts = append(slices.Clone(opts), driver.WithCursor(cursor))
		}
		it, err := d.List(ctx, bucket, callOpts...)
		if err != nil {
			return pages, fmt.Errorf("List(%s) page %d: %w", show(bucket), len(pages)+1, err)
		}
		if it == nil {
			return pages, fmt.Errorf("List(%s) page %d: got a nil iterator and nil error", show(bucket), len(pages)+1)
		}
		all, err := it.All(ctx)
		if err != nil {
			return pages, fmt.Errorf("List(%s) page %d: iterating: %w", show(bucket), len(pages)+1, err)
		}
		for i, e := range all {
			if e == nil {
				return pages, fmt.Errorf("List(%s) page %d: got a nil entry at %d", show(bucket), len(pages)+1, i)
			}
		}
		pages = append(pages, page{entries: all, next: it.NextToken()})
		cursor = it.NextToken()
		if cursor == "" {
			return pages, nil
		}
		if len(pages) >= maxPages {
			return pages, fmt.Errorf("List(%s): got a NextToken on page %d, want the listing over by then", show(bucket), len(pages))
		}
	}
}

// flatten joins pages' entries.
func flatten(pages []page) []entry {
	var out []entry
	for _, p := range pages {
		for _, e := range p.entries {
			out = append(out, entry{Key: e.Key, IsPrefix: e.IsPrefix})
		}
	}
	return out
}

// listEntries lists a whole bucket with opts and returns its entries.
func listEntries(ctx context.Context, d driver.Driver, bucket string, opts ...driver.ListOption) ([]entry, error) {
	pages, err := listPages(ctx, d, bucket, 100, opts...)
	if err != nil {
		return nil, err
	}
	return flatten(pages), nil
}

// checkPages holds a paginated listing to the contract: at most maxKeys
// entries a page, every wanted entry exactly once and in order, each
// NextToken the cursor of its page's last entry, and an empty NextToken
// exactly on the page that ends the listing. what names the listing in
// failure messages.
func checkPages(what string, pages []page, want []entry, maxKeys int) error {
	var errs []error
	// Only the first page breaking each rule is reported: one broken rule
	// usually breaks every page, and a screenful of copies hides the cause.
	for i, p := range pages {
		if len(p.entries) > maxKeys {
			errs = append(errs, fmt.Errorf("%s: page %d got %d entries, want at most %d", what, i+1, len(p.entries), maxKeys))
			break
		}
	}
	for i, p := range pages {
		if p.next == "" || len(p.entries) == 0 {
			continue
		}
		last := p.entries[len(p.entries)-1].Key
		if wantTok := driver.EncodeCursor(last); p.next != wantTok {
			errs = append(errs, fmt.Errorf("%s: page %d got NextToken %q, want EncodeCursor(%q) = %q", what, i+1, p.next, last, wantTok))
			break
		}
	}
	got := flatten(pages)
	count := map[entry]int{}
	var repeated []entry
	for _, e := range got {
		if count[e]++; count[e] == 2 {
			repeated = append(repeated, e)
		}
	}
	if len(repeated) > 0 {
		var parts []string
		for i, e := range repeated {
			if i == 5 {
				parts = append(parts, fmt.Sprintf("and %d more", len(repeated)-i))
				break
			}
			parts = append(parts, fmt.Sprintf("%s %d times", e.show(), count[e]))
		}
		errs = append(errs, fmt.Errorf("%s: got %s, want each entry exactly once", what, strings.Join(parts, ", ")))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		errs = append(errs, fmt.Errorf("%s: got %d entries, want %d in byte order (-want +got):\n%s", what, len(got), len(want), diff))
	}
	// The page holding the final entry must say so with an empty token; a
	// driver that hands out one more, empty page makes every caller pay an
	// extra round trip.
	if len(want) > 0 {
		lastWant := want[len(want)-1].Key
		for i, p := range pages {
			if len(p.entries) > 0 && p.entries[len(p.entries)-1].Key == lastWant && p.next != "" {
				errs = append(errs, fmt.Errorf("%s: page %d ends with the last entry %q but got NextToken %q, want \"\"", what, i+1, lastWant, p.next))
				break
			}
		}
	} else if len(pages) != 1 || len(pages[0].entries) != 0 {
		errs = append(errs, fmt.Errorf("%s: got %d pages, want one empty page", what, len(pages)))
	}
	return errors.Join(errs...)
}

// pageSizes are the page sizes tried on a listing of n entries: tiny ones,
// and the sizes around n where off-by-one errors live.
func pageSizes(n int) []int {
	sizes := []int{1, 2, 3, 7, 10, n - 1, n, n + 1}
	var out []int
	for _, s := range sizes {
		if s >= 1 && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// paginate lists with every page size in pageSizes and checks each. It
// reports the first failing page size in full and only names the others,
// since one bug usually breaks them all the same way.
func paginate(ctx context.Context, d driver.Driver, bucket, prefix, delim string) error {
	want := wantEntries(listingKeysFor(ctx), prefix, delim)
	var first error
	var alsoFailing []string
	for _, n := range pageSizes(len(want)) {
		what := fmt.Sprintf("List(prefix %q, delimiter %q, max keys %d)", prefix, delim, n)
		opts := []driver.ListOption{driver.WithMaxKeys(n)}
		if prefix != "" {
			opts = append(opts, driver.WithPrefix(prefix))
		}
		if delim != "" {
			opts = append(opts, driver.WithDelimiter(delim))
		}
		pages, err := listPages(ctx, d, bucket, len(want)+2, opts...)
		if err != nil {
			// The pages read before a listing went wrong often show why
			// (a cursor that keeps repeating entries never ends).
			err = fmt.Errorf("%s: %w", what, err)
			if len(pages) > 0 {
				err = errors.Join(err, checkPages(what+" up to the failure", pages, want, n))
			}
		} else {
			err = checkPages(what, pages, want, n)
		}
		switch {
		case err == nil:
		case first == nil:
			first = err
		default:
			alsoFailing = append(alsoFailing, fmt.Sprint(n))
		}
	}
	if len(alsoFailing) > 0 {
		return fmt.Errorf("%w\n(max keys %s fail too)", first, strings.Join(alsoFailing, ", "))
	}
	return first
}

func checkListEmptyBucket(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	var errs []error
	for _, n := range []int{0, 1, 5} {
		pages, err := listPages(ctx, d, "bucket-a", 2, driver.WithMaxKeys(n))
		if err != nil {
			return err
		}
		errs = append(errs, checkPages(fmt.Sprintf("List of an empty bucket, max keys %d", n), pages, nil, max(n, 1)))
	}
	return errors.Join(errs...)
}

func checkListSorted(ctx context.Context, d driver.Driver) error {
	if err := putListingKeys(ctx, d, "bucket-a"); err != nil {
		return err
	}
	// listingKeys is far below DefaultMaxKeys, so it comes back in one page.
	it, err := d.List(ctx, "bucket-a")
	if err != nil {
		return fmt.Errorf("List: %w", err)
	}
	all, err := it.All(ctx)
	if err != nil {
		return fmt.Errorf("List: iterating: %w", err)
	}
	var errs []error
	if it.NextToken() != "" {
		errs = append(errs, fmt.Errorf("List of %d keys with default page size: got NextToken %q, want \"\"", len(listingKeysFor(ctx)), it.NextToken()))
	}
	var got []*driver.ObjectInfo
	var want []*driver.ObjectInfo
	sorted := slices.Clone(listingKeysFor(ctx))
	sort.Strings(sorted)
	for _, k := range sorted {
		content := "content of " + k
		want = append(want, &driver.ObjectInfo{Key: k, Size: int64(len(content)), ETag: md5Hex([]byte(content))})
	}
	for _, e := range all {
		if e == nil {
			return errors.Join(append(errs, errors.New("List: got a nil entry"))...)
		}
		// Only what the contract says a listing carries is compared.
		got = append(got, &driver.ObjectInfo{Key: e.Key, Size: e.Size, ETag: e.ETag, IsPrefix: e.IsPrefix})
	}
	if diff := cmp.Diff(want, got, infoCmp); diff != "" {
		errs = append(errs, fmt.Errorf("List: got %d entries, want %d sorted by key bytes with their sizes and ETags (-want +got):\n%s", len(got), len(want), diff))
	}
	return errors.Join(errs...)
}

func checkListPrefix(ctx context.Context, d driver.Driver) error {
	if err := putListingKeys(ctx, d, "bucket-a"); err != nil {
		return err
	}
	var errs []error
	// "a" is itself a key and a prefix of many; "photos/2024/" ends with the
	// delimiter; "日本" is a multi-byte prefix; "nothing" matches no key.
	for _, prefix := range []string{"a", "a/", "a/b", "b/1", "photos/2024/", "photos", "日本", "\u00e9", "zz/top", "nothing", ""} {
		var opts []driver.ListOption
		if prefix != "" {
			opts = append(opts, driver.WithPrefix(prefix))
		}
		got, err := listEntries(ctx, d, "bucket-a", opts...)
		if err != nil {
			errs = append(errs, fmt.Errorf("prefix %q: %w", prefix, err))
			continue
		}
		want := wantEntries(listingKeysFor(ctx), prefix, "")
		if diff := cmp.Diff(want, got); diff != "" {
			errs = append(errs, fmt.Errorf("List(prefix %q): got %d entries, want %d (-want +got):\n%s", prefix, len(got), len(want), diff))
		}
	}
	// A prefix combines with pagination.
	for _, prefix := range []string{"a", "b/"} {
		errs = append(errs, paginate(ctx, d, "bucket-a", prefix, ""))
	}
	return errors.Join(errs...)
}

func checkListPagination(ctx context.Context, d driver.Driver) error {
	if err := putListingKeys(ctx, d, "bucket-a"); err != nil {
		return err
	}
	return paginate(ctx, d, "bucket-a", "", "")
}

func checkListDelimiter(ctx context.Context, d driver.Driver) error {
	if err := putListingKeys(ctx, d, "bucket-a"); err != nil {
		return err
	}
	var errs []error
	for _, tc := range []struct{ prefix, delim string }{
		{"", "/"},
		{"a/", "/"},         // "a/" is itself a key: an object entry, not a prefix.
		{"a/b", "/"},        // A prefix that stops mid-segment.
		{"photos/", "/"},    // Only common prefixes and one object.
		{"b/", "/"},         // Only objects.
		{"zz/top", "/"},     // "zz/top/" is a key and becomes a prefix entry.
		{"", "\u00e9"},      // A multi-byte delimiter.
		{"c/", "/e/"},       // A multi-byte delimiter in the middle of keys.
		{"nothing", "/"},    // Nothing matches.
		{"", "no-such-sep"}, // The delimiter never occurs: plain keys.
	} {
		opts := []driver.ListOption{driver.WithDelimiter(tc.delim)}
		if tc.prefix != "" {
			opts = append(opts, driver.WithPrefix(tc.prefix))
		}
		what := fmt.Sprintf("List(prefix %q, delimiter %q)", tc.prefix, tc.delim)
		pages, err := listPages(ctx, d, "bucket-a", 100, opts...)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
			continue
		}
		want := wantEntries(listingKeysFor(ctx), tc.prefix, tc.delim)
		if diff := cmp.Diff(want, flatten(pages)); diff != "" {
			errs = append(errs, fmt.Errorf("%s: got %d entries, want %d (-want +got):\n%s", what, len(flatten(pages)), len(want), diff))
		}
		for _, p := range pages {
			for _, e := range p.entries {
				if !e.IsPrefix {
					continue
				}
				only := &driver.ObjectInfo{Key: e.Key, IsPrefix: true}
				if diff := cmp.Diff(only, e, infoCmp); diff != "" {
					errs = append(errs, fmt.Errorf("%s: common prefix %q got %+v, want only Key and IsPrefix set (-want +got):\n%s", what, e.Key, e, diff))
				}
			}
		}
	}
	return errors.Join(errs...)
}

func checkListDelimiterPagination(ctx context.Context, d driver.Driver) error {
	if err := putListingKeys(ctx, d, "bucket-a"); err != nil {
		return err
	}
	var errs []error
	for _, tc := range []struct{ prefix, delim string }{
		{"", "/"},
		{"a", "/"},
		{"c/", "/"},
		{"photos/", "/"},
	} {
		errs = append(errs, paginate(ctx, d, "bucket-a", tc.prefix, tc.delim))
	}
	return errors.Join(errs...)
}

func checkListInvalidCursor(ctx context.Context, d driver.Driver) error {
	if err := createBuckets(ctx, d, "bucket-a"); err != nil {
		return err
	}
	if _, err := put(ctx, d, "bucket-a", "k", "v"); err != nil {
		return err
	}
	var errs []error
	for _, cursor := range []string{"!!! not a cursor !!!", "%%%", "a b"} {
		_, err := d.List(ctx, "bucket-a", driver.WithCursor(cursor))
		errs = append(errs, wantIs(fmt.Sprintf("List with cursor %q", cursor), err, driver.ErrInvalidCursor))
	}
	return errors.Join(errs...)
}

func checkListCursorResume(ctx context.Context, d driver.Driver) error {
	if err := putListingKeys(ctx, d, "bucket-a"); err != nil {
		return err
	}
	var errs []error
	// Cursors are EncodeCursor of an entry, so one made by hand resumes
	// strictly after that entry, whether or not it is stored.
	for _, tc := range []struct{ after, delim string }{
		{"b/5", ""},    // A stored key.
		{"a/bb", ""},   // No such key: resume at the next one, "a/bc/d".
		{"\u00ff", ""}, // Between multi-byte keys.
		{"a/", "/"},    // A common prefix: all of "a/…" is skipped.
		{"photos/2024/", "/"},
		{"a/", ""}, // The same cursor without a delimiter is just the key "a/".
	} {
		opts := []driver.ListOption{driver.WithCursor(driver.EncodeCursor(tc.after))}
		if tc.delim != "" {
			opts = append(opts, driver.WithDelimiter(tc.delim))
		}
		what := fmt.Sprintf("List(delimiter %q) after %q", tc.delim, tc.after)
		got, err := listEntries(ctx, d, "bucket-a", opts...)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
			continue
		}
		var want []entry
		for _, e := range wantEntries(listingKeysFor(ctx), "", tc.delim) {
			if e.Key > tc.after {
				want = append(want, e)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			errs = append(errs, fmt.Errorf("%s: got %d entries, want the %d strictly after it (-want +got):\n%s", what, len(got), len(want), diff))
		}
	}
	return errors.Join(errs...)
}
