package repl

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/trovemem/trovemem/driver"
)

// maxKeyCandidates bounds the keys one Tab press lists from the store.
const maxKeyCandidates = 200

// Complete returns what may follow the text before the cursor: each
// candidate is the rest of the word being typed, escaped so that it reads
// back as the intended word, and ends with a space when it completes the
// word (a key prefix ending in '/' does not). Commands, subcommands,
// flags, buckets, object keys (by prefix, a '/' level at a time), backends
// and DSN schemes are completed. typed is the length, in characters, of
// the word part already typed.
func (s *Session) Complete(ctx context.Context, before string) (candidates []string, typed int) {
	p := partialCommand(before)
	if p.comment {
		return nil, 0
	}
	typed = len([]rune(p.raw))
	var words []string
	switch {
	case len(p.words) == 0:
		words = topNames(s.commands)
	case len(p.words) == 1 && len(subcommands(s.commands, p.words[0])) > 0:
		if _, ok := lookupIn(s.commands, p.words[0]); !ok {
			words = subcommands(s.commands, p.words[0])
			break
		}
		fallthrough
	default:
		words = s.completeArg(ctx, p)
	}
	for _, w := range words {
		if !strings.HasPrefix(w, p.word) {
			continue
		}
		rest := w[len(p.word):]
		complete := !strings.HasSuffix(w, "/") || !p.keyish
		if c, ok := p.escape(rest, p.word == "", complete); ok {
			candidates = append(candidates, c)
		}
	}
	sort.Strings(candidates)
	return slices.Compact(candidates), typed
}

// completeArg returns the words that may fill the current argument
// position of the command p has started.
func (s *Session) completeArg(ctx context.Context, p *partial) []string {
	c, n, err := s.commands.Resolve(p.words)
	if err != nil {
		return nil
	}
	fs, _ := c.flagSet()
	if strings.HasPrefix(p.word, "-") && !c.RawArgs {
		var flags []string
		fs.VisitAll(func(f *pflag.Flag) { flags = append(flags, "--"+f.Name) })
		return append(flags, "--help")
	}
	// Count the positional arguments before the cursor, skipping flags and
	// the values of flags that take one.
	var args []string
	rest := p.words[n:]
	for i := 0; i < len(rest); i++ {
		w := rest[i]
		if c.RawArgs || !strings.HasPrefix(w, "-") || w == "-" {
			args = append(args, w)
			continue
		}
		if w == "--" {
			args = append(args, rest[i+1:]...)
			break
		}
		if strings.Contains(w, "=") {
			continue
		}
		name := strings.TrimLeft(w, "-")
		var f *pflag.Flag
		if strings.HasPrefix(w, "--") {
			f = fs.Lookup(name)
		} else if len(name) == 1 {
			f = fs.ShorthandLookup(name)
		}
		if f != nil && f.NoOptDefVal == "" {
			if i == len(rest)-1 {
				return nil // the cursor is on the flag's value
			}
			i++
		}
	}
	idx := len(args)
	if len(c.ArgKinds) == 0 || (c.MaxArgs >= 0 && idx >= c.MaxArgs) {
		return nil
	}
	kind := c.ArgKinds[min(idx, len(c.ArgKinds)-1)]
	switch kind {
	case ArgBucket:
		return s.bucketNames(ctx)
	case ArgKey:
		for i := min(idx, len(c.ArgKinds)) - 1; i >= 0; i-- {
			if c.ArgKinds[i] == ArgBucket && i < len(args) {
				p.keyish = true
				return s.keysWithPrefix(ctx, args[i], p.word)
			}
		}
	case ArgBackend:
		var names []string
		for _, b := range s.Store().Backends() {
			names = append(names, b.Name)
		}
		return names
	case ArgDSN:
		p.keyish = true // "mem://" is not a finished word
		var schemes []string
		for _, d := range driver.Drivers() {
			schemes = append(schemes, d+"://")
		}
		return schemes
	case ArgFormat:
		names := make([]string, len(Formats))
		for i, f := range Formats {
			names[i] = string(f)
		}
		return names
	case ArgFile:
		p.keyish = true // a folder is not a finished word
		return files(p.word)
	case ArgCommand:
		if idx == 0 {
			return topNames(s.commands)
		}
		return subcommands(s.commands, args[0])
	}
	return nil
}

func (s *Session) bucketNames(ctx context.Context) []string {
	bs, err := s.Store().ListBuckets(ctx)
	if err != nil {
		return nil
	}
	names := make([]string, len(bs))
	for i, b := range bs {
		names[i] = b.Name
	}
	return names
}

// keysWithPrefix lists keys and '/' common prefixes starting with prefix,
// so completion descends a key hierarchy one level per Tab.
func (s *Session) keysWithPrefix(ctx context.Context, bucket, prefix string) []string {
	it, err := s.Store().List(ctx, bucket, driver.WithPrefix(prefix), driver.WithDelimiter("/"), driver.WithMaxKeys(maxKeyCandidates))
	if err != nil {
		return nil
	}
	entries, err := it.All(ctx)
	if err != nil {
		return nil
	}
	keys := make([]string, len(entries))
	for i, e := range entries {
		keys[i] = e.Key
	}
	return keys
}

// partial is the command being typed before the cursor: the finished
// words, and the word under the cursor both as typed (raw) and as it reads
// (word), with the quote it is inside, if any.
type partial struct {
	words   []string
	word    string
	raw     string
	quote   byte
	keyish  bool // candidates ending in '/' are prefixes, not whole words
	comment bool // the cursor is in a comment
}

// partialCommand reads text leniently (unterminated quotes are expected
// while typing), with the lexer Split uses, and returns the last command's
// words so far.
func partialCommand(text string) *partial {
	lx, err := Lex(text, LexOptions{Lenient: true})
	if err != nil {
		return &partial{}
	}
	if lx.Comment {
		// A comment: nothing after it can be completed.
		return &partial{comment: true}
	}
	p := &partial{}
	for _, w := range lx.Last {
		p.words = append(p.words, w.Text())
	}
	if lx.InWord && len(p.words) > 0 {
		last := lx.Last[len(lx.Last)-1]
		p.words = p.words[:len(p.words)-1]
		p.word, p.raw, p.quote = last.Text(), text[last.Off:], lx.Quote
	}
	return p
}

// escape writes rest, the untyped end of a candidate, so that it continues
// the word as typed: inside the open quote, or with backslashes outside
// quotes. atStart says rest begins the word. ok is false when rest cannot
// be typed in that context (a newline outside quotes, say).
func (p *partial) escape(rest string, atStart, complete bool) (string, bool) {
	var b strings.Builder
	switch p.quote {
	case '\'':
		if strings.Contains(rest, "'") {
			return "", false
		}
		b.WriteString(rest)
		if complete {
			b.WriteString("'")
		}
	case '"':
		for _, r := range rest {
			switch r {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteRune(r)
			case '\n':
				b.WriteString(`\n`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteRune(r)
			}
		}
		if complete {
			b.WriteString(`"`)
		}
	default:
		for i, r := range rest {
			switch {
			case r == '\n' || r == '\r' || (r < 0x20 && r != '\t'):
				return "", false
			case strings.ContainsRune(" \t'\"\\;$`", r), r == '#' && atStart && i == 0:
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
	}
	if complete {
		b.WriteString(" ")
	}
	return b.String(), true
}

// files lists the files and folders (with a final /) in the folder the
// half-typed path word names, each written with that folder as typed, for
// completing a file argument one level at a time.
func files(word string) []string {
	dir, _ := filepath.Split(word)
	read := dir
	if read == "" {
		read = "."
	}
	entries, err := os.ReadDir(read)
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		name := dir + e.Name()
		if e.IsDir() {
			name += "/"
		}
		names = append(names, name)
	}
	return names
}
