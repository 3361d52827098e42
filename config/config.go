// Package config owns trovemem's layout file: a YAML description of one or
// more stores, each a default driver with named backends, buckets and
// routes. It parses and checks a file (every mistake reported with the
// file's line and column), builds the stores it describes, and writes a live
// layout back as YAML that loads to the same layout.
//
// A file either lists stores:
//
//	default: main
//	stores:
//	  - name: main
//	    storage_driver: "mem://"
//	    backends: [{name: archive, storage_driver: "mem://"}]
//	    routes: [{pattern: "*.log", backend: archive}]
//
// or is the single-store shorthand: the fields of one store at the top
// level, with no "stores" key. The shorthand's store is named "main" unless
// it says otherwise.
package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/trovemem/trovemem/driver"
	_ "github.com/trovemem/trovemem/localdriver" // file:// backends
	_ "github.com/trovemem/trovemem/memdriver"   // mem:// backends
	_ "github.com/trovemem/trovemem/s3driver"    // s3:// backends
	"github.com/trovemem/trovemem/trove"
)

// DefaultFile is the config file trovemem reads when none is named.
const DefaultFile = "trovemem.yaml"

// ShorthandStore names the store of a single-store file that gives none.
const ShorthandStore = "main"

// DefaultDriver is the storage driver of a store or backend that names none.
const DefaultDriver = "mem://"

// Errors a config can have. A *Error carries one of them (or a driver or
// trove sentinel, such as driver.ErrUnknownScheme or trove.ErrUnknownBackend)
// together with where in the file it is.
var (
	ErrSyntax        = errors.New("YAML syntax error")
	ErrUnknownField  = errors.New("unknown field")
	ErrDuplicateName = errors.New("duplicate name")
	ErrMissingField  = errors.New("missing field")
	ErrUnknownStore  = errors.New("unknown store")
	ErrMixedShape    = errors.New("both stores and top-level store fields")
	ErrNoStores      = errors.New("no stores")
	ErrReservedName  = errors.New("reserved name")
	ErrTooLarge      = errors.New("config too large")
	ErrTooDeep       = errors.New("config nested too deeply")
	ErrManyDocuments = errors.New("more than one YAML document")
)

// Limits on a config file, checked before its YAML is decoded: go-yaml
// takes minutes and gigabytes on deeply nested input, and a file trovemem
// loads by itself from the working folder must not be able to do that.
// A real layout is a few kilobytes and nests four levels deep.
const (
	MaxFileSize = 1 << 20
	MaxDepth    = 16
)

// Error is a config mistake at a place in a file. Its message starts with
// "FILE:LINE:COL: " so editors and CI can jump to it; Line and Col are
// 1-based and zero when the mistake has no single place.
type Error struct {
	File      string
	Line, Col int
	Err       error
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Col, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Config is a whole layout: its stores, and the one the REPL starts in.
type Config struct {
	Default string        `yaml:"default,omitempty"`
	Stores  []StoreConfig `yaml:"stores"`

	// Dir is the folder relative file:// paths are resolved against: the
	// config file's folder when loaded from a file.
	Dir string `yaml:"-"`
	// Notes are written by Marshal as comments at the top, for the parts of
	// a live layout a file cannot express (route functions, say).
	Notes []string `yaml:"-"`

	src *source // where each value came from, for errors found later
}

// StoreConfig is one store: its default driver, its buckets, its other
// backends and its pattern routes, in the order they apply.
type StoreConfig struct {
	Name          string          `yaml:"name"`
	StorageDriver string          `yaml:"storage_driver"`
	DefaultBucket string          `yaml:"default_bucket,omitempty"`
	Buckets       []string        `yaml:"buckets,omitempty"`
	Backends      []BackendConfig `yaml:"backends,omitempty"`
	Routes        []RouteConfig   `yaml:"routes,omitempty"`
}

// BackendConfig is a backend mounted next to a store's default driver.
type BackendConfig struct {
	Name          string `yaml:"name"`
	StorageDriver string `yaml:"storage_driver"`
}

// RouteConfig sends keys matching Pattern to Backend ("default" is the
// store's default driver).
type RouteConfig struct {
	Pattern string `yaml:"pattern"`
	Backend string `yaml:"backend"`
}

// document is what a file may hold: the multi-store fields and, for the
// shorthand, one store's fields inline.
type document struct {
	Default     string        `yaml:"default"`
	Stores      []StoreConfig `yaml:"stores"`
	StoreConfig `yaml:",inline"`
}

// source remembers a parsed file so that errors found after decoding can
// still point at the value they are about.
type source struct {
	file      string
	ast       *ast.File
	shorthand bool
}

// pos returns the line and column of the value at a YAML path such as
// "$.stores[0].name", or zeros when there is none.
func (s *source) pos(path string) (int, int) {
	if s == nil || s.ast == nil {
		return 0, 0
	}
	p, err := yaml.PathString(path)
	if err != nil {
		return 0, 0
	}
	n, err := p.FilterFile(s.ast)
	if err != nil || n == nil || n.GetToken() == nil {
		return 0, 0
	}
	// A mapping's own token is its first ':'; its first key is where a
	// reader looks for "this entry".
	switch m := n.(type) {
	case *ast.MappingNode:
		if len(m.Values) > 0 {
			n = m.Values[0].Key
		}
	case *ast.MappingValueNode:
		n = m.Key
	}
	tk := n.GetToken()
	return tk.Position.Line, tk.Position.Column
}

func (s *source) errAt(path string, err error) *Error {
	e := &Error{Err: err}
	if s != nil {
		e.File = s.file
		e.Line, e.Col = s.pos(path)
	}
	return e
}

// storePath is the YAML path of store i: the document root in the
// shorthand.
func (s *source) storePath(i int) string {
	if s != nil && s.shorthand {
		return "$"
	}
	return fmt.Sprintf("$.stores[%d]", i)
}

// Load reads and checks the config file at path. Relative file:// paths in
// it are taken relative to the file's folder.
func Load(path string) (*Config, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	cfg, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	cfg.Dir = filepath.Dir(abs)
	return cfg, nil
}

// Parse checks a config held in memory; name is used in error messages.
// Relative file:// paths are taken relative to the working folder unless
// the caller sets Dir.
func Parse(name string, data []byte) (*Config, error) {
	src := &source{file: name}
	if len(data) > MaxFileSize {
		return nil, &Error{File: name, Err: fmt.Errorf("%w: %d bytes, more than the %d a config may hold", ErrTooLarge, len(data), MaxFileSize)}
	}
	if line, col, ok := flowTooDeep(data); ok {
		return nil, &Error{File: name, Line: line, Col: col, Err: fmt.Errorf("%w: more than %d levels of lists and maps", ErrTooDeep, MaxDepth)}
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, src.yamlError(err)
	}
	src.ast = f
	if err := src.checkShape(); err != nil {
		return nil, err
	}
	var doc document
	if body := docBody(f); body != nil {
		if err := yaml.NodeToValue(body, &doc, yaml.DisallowUnknownField()); err != nil {
			return nil, src.yamlError(err)
		}
	}
	cfg := &Config{Default: doc.Default, Stores: doc.Stores, src: src}
	shorthand := !isZeroStore(doc.StoreConfig)
	switch {
	case shorthand && len(doc.Stores) > 0:
		return nil, src.errAt("$.stores", fmt.Errorf("%w: list the store under stores, or write one store's fields at the top level without stores", ErrMixedShape))
	case shorthand:
		src.shorthand = true
		st := doc.StoreConfig
		if st.Name == "" {
			st.Name = ShorthandStore
		}
		cfg.Stores = []StoreConfig{st}
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// readLimited reads a config file, refusing one larger than MaxFileSize
// without reading it whole.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, &Error{File: path, Err: fmt.Errorf("%w: more than the %d bytes a config may hold", ErrTooLarge, MaxFileSize)}
	}
	return data, nil
}

// checkShape refuses what the decoder must never see: a second document
// (it would be ignored silently) and nesting deeper than MaxDepth.
func (s *source) checkShape() error {
	docs := 0
	for _, d := range s.ast.Docs {
		if d.Body != nil {
			docs++
		}
		if docs > 1 {
			e := &Error{File: s.file, Err: fmt.Errorf("%w: a config is one document; merge the documents or split them into files", ErrManyDocuments)}
			tk := d.Start // the "---" that begins the extra document
			if tk == nil {
				tk = d.Body.GetToken()
			}
			if tk != nil {
				e.Line, e.Col = tk.Position.Line, tk.Position.Column
			}
			return e
		}
		if d.Body == nil {
			continue
		}
		w := &depthWalker{}
		ast.Walk(w, d.Body)
		if w.deep != nil {
			e := &Error{File: s.file, Err: fmt.Errorf("%w: more than %d levels of lists and maps", ErrTooDeep, MaxDepth)}
			if tk := w.deep.GetToken(); tk != nil {
				e.Line, e.Col = tk.Position.Line, tk.Position.Column
			}
			return e
		}
	}
	return nil
}

// flowTooDeep scans raw YAML for flow collections ("[" and "{") nested
// deeper than MaxDepth and returns where the first too-deep one opens. The
// parser itself is quadratic in flow nesting (100k brackets take over a
// minute), so this runs before it. It skips quoted scalars and comments; a
// bracket inside a plain scalar may be counted, which can only make the
// count larger, and balanced ones, as in a pattern like "[ab]x", never
// reach the limit.
func flowTooDeep(data []byte) (line, col int, deep bool) {
	depth := 0
	line, col = 1, 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		col++
		switch c {
		case '\n':
			line, col = line+1, 0
		case '#':
			if i == 0 || data[i-1] == ' ' || data[i-1] == '\t' || data[i-1] == '\n' {
				for i+1 < len(data) && data[i+1] != '\n' {
					i++
				}
			}
		case '"', '\'':
			for i+1 < len(data) {
				i++
				col++
				if data[i] == '\n' {
					line, col = line+1, 0
				}
				if c == '"' && data[i] == '\\' && i+1 < len(data) {
					i++
					col++
					continue
				}
				if data[i] == c {
					if c == '\'' && i+1 < len(data) && data[i+1] == '\'' {
						i++
						col++
						continue
					}
					break
				}
			}
		case '[', '{':
			depth++
			if depth > MaxDepth {
				return line, col, true
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return 0, 0, false
}

// depthWalker finds the first collection nested deeper than MaxDepth. Only
// sequences and mappings count as levels; the walk stops below the limit,
// so checking a hostile file costs no more than parsing it did.
type depthWalker struct {
	level int
	deep  ast.Node
	root  *depthWalker
}

func (w *depthWalker) Visit(n ast.Node) ast.Visitor {
	root := w.root
	if root == nil {
		root = w
	}
	if n == nil || root.deep != nil {
		return nil
	}
	switch n.Type() {
	case ast.SequenceType, ast.MappingType:
		if w.level+1 > MaxDepth {
			root.deep = n
			return nil
		}
		return &depthWalker{level: w.level + 1, root: root}
	}
	return w
}

// docBody returns the first document's body, or nil for an empty file.
func docBody(f *ast.File) ast.Node {
	if len(f.Docs) == 0 {
		return nil
	}
	return f.Docs[0].Body
}

func isZeroStore(s StoreConfig) bool {
	return s.Name == "" && s.StorageDriver == "" && s.DefaultBucket == "" &&
		s.Buckets == nil && s.Backends == nil && s.Routes == nil
}

// yamlError turns a go-yaml error into an *Error at the token it names.
func (s *source) yamlError(err error) *Error {
	e := &Error{File: s.file, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
	var ye yaml.Error
	if !errors.As(err, &ye) {
		return e
	}
	msg := ye.GetMessage()
	var unknown *yaml.UnknownFieldError
	switch {
	case errors.As(err, &unknown):
		e.Err = fmt.Errorf("%w: %s", ErrUnknownField, strings.TrimPrefix(msg, "unknown field "))
	default:
		e.Err = fmt.Errorf("%w: %s", ErrSyntax, msg)
	}
	if tk := ye.GetToken(); tk != nil {
		e.Line, e.Col = tk.Position.Line, tk.Position.Column
	}
	return e
}

// check applies the rules a layout must follow, filling in defaults. It
// reports the first mistake, in file order.
func (c *Config) check() error {
	src := c.src
	if len(c.Stores) == 0 {
		return src.errAt("$", fmt.Errorf("%w: the file declares no store (write stores: or one store's fields)", ErrNoStores))
	}
	seen := map[string]int{}
	for i := range c.Stores {
		st := &c.Stores[i]
		at := src.storePath(i)
		if st.Name == "" {
			return src.errAt(at, fmt.Errorf("%w: store %d has no name", ErrMissingField, i+1))
		}
		if j, dup := seen[st.Name]; dup {
			return src.errAt(at+".name", fmt.Errorf("%w: store %q is declared twice (first as store %d)", ErrDuplicateName, st.Name, j+1))
		}
		seen[st.Name] = i
		if err := checkStore(src, at, st); err != nil {
			return err
		}
	}
	if c.Default == "" {
		c.Default = c.Stores[0].Name
	} else if _, ok := seen[c.Default]; !ok {
		return src.errAt("$.default", fmt.Errorf("%w %q: default names no declared store", ErrUnknownStore, c.Default))
	}
	return nil
}

func checkStore(src *source, at string, st *StoreConfig) error {
	if st.StorageDriver == "" {
		st.StorageDriver = DefaultDriver
	} else if err := checkDSN(st.StorageDriver); err != nil {
		return src.errAt(at+".storage_driver", fmt.Errorf("store %q: %w", st.Name, err))
	}
	if st.DefaultBucket != "" {
		if err := driver.ValidateBucketName(st.DefaultBucket); err != nil {
			return src.errAt(at+".default_bucket", fmt.Errorf("store %q: %w", st.Name, err))
		}
	}
	buckets := map[string]bool{}
	for i, b := range st.Buckets {
		p := fmt.Sprintf("%s.buckets[%d]", at, i)
		if err := driver.ValidateBucketName(b); err != nil {
			return src.errAt(p, fmt.Errorf("store %q: %w", st.Name, err))
		}
		if buckets[b] {
			return src.errAt(p, fmt.Errorf("%w: store %q lists bucket %q twice", ErrDuplicateName, st.Name, b))
		}
		buckets[b] = true
	}
	backends := map[string]bool{trove.DefaultBackend: true}
	for i := range st.Backends {
		b := &st.Backends[i]
		p := fmt.Sprintf("%s.backends[%d]", at, i)
		switch {
		case b.Name == "":
			return src.errAt(p, fmt.Errorf("%w: store %q: backend %d has no name", ErrMissingField, st.Name, i+1))
		case b.Name == trove.DefaultBackend:
			return src.errAt(p+".name", fmt.Errorf("%w: store %q: %q is the store's own storage_driver; name the backend otherwise", ErrReservedName, st.Name, b.Name))
		case backends[b.Name]:
			return src.errAt(p+".name", fmt.Errorf("%w: store %q declares backend %q twice", ErrDuplicateName, st.Name, b.Name))
		}
		backends[b.Name] = true
		if b.StorageDriver == "" {
			b.StorageDriver = DefaultDriver
		} else if err := checkDSN(b.StorageDriver); err != nil {
			return src.errAt(p+".storage_driver", fmt.Errorf("store %q backend %q: %w", st.Name, b.Name, err))
		}
	}
	patterns := map[string]bool{}
	for i, r := range st.Routes {
		p := fmt.Sprintf("%s.routes[%d]", at, i)
		switch {
		case r.Pattern == "":
			return src.errAt(p, fmt.Errorf("%w: store %q: route %d has no pattern", ErrMissingField, st.Name, i+1))
		case r.Backend == "":
			return src.errAt(p+".pattern", fmt.Errorf("%w: store %q: route %q has no backend", ErrMissingField, st.Name, r.Pattern))
		case patterns[r.Pattern]:
			return src.errAt(p+".pattern", fmt.Errorf("%w: store %q routes pattern %q twice", ErrDuplicateName, st.Name, r.Pattern))
		}
		patterns[r.Pattern] = true
		if err := trove.ValidatePattern(r.Pattern); err != nil {
			return src.errAt(p+".pattern", fmt.Errorf("store %q: %w", st.Name, err))
		}
		if !backends[r.Backend] {
			return src.errAt(p+".backend", fmt.Errorf("store %q: route %q: %w %q (declared: %s)",
				st.Name, r.Pattern, trove.ErrUnknownBackend, r.Backend, strings.Join(backendNames(st), ", ")))
		}
	}
	return nil
}

func backendNames(st *StoreConfig) []string {
	names := []string{trove.DefaultBackend}
	for _, b := range st.Backends {
		names = append(names, b.Name)
	}
	return names
}

// checkDSN accepts a DSN whose scheme has a registered driver.
func checkDSN(dsn string) error {
	d, err := driver.ParseDSN(dsn)
	if err != nil {
		return err
	}
	if _, ok := driver.Lookup(d.Scheme); !ok {
		known := driver.Drivers()
		for i, s := range known {
			known[i] = s + "://"
		}
		return fmt.Errorf("%w %q in %q (known: %s)", driver.ErrUnknownScheme, d.Scheme, driver.RedactDSN(dsn), strings.Join(known, ", "))
	}
	return nil
}
