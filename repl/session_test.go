package repl

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

var coreTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func coreClock() time.Time { return coreTime }

// newCoreSession returns a session over a fresh in-memory store with a
// fixed clock, plain output and no terminal.
func newCoreSession(t *testing.T, opts ...SessionOption) *Session {
	t.Helper()
	st, err := trove.Open(memdriver.New(driver.WithClock(coreClock)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(context.Background()) })
	base := []SessionOption{WithClock(coreClock), WithTerminalCheck(func(io.Writer) bool { return false })}
	return NewSession(st, append(base, opts...)...)
}

// runOK runs each line with RunLine and fails the test on an error.
func runOK(t *testing.T, s *Session, lines ...string) string {
	t.Helper()
	var out bytes.Buffer
	for _, l := range lines {
		if err := s.RunLine(context.Background(), l, &out); err != nil {
			t.Fatalf("RunLine(%q): %v", l, err)
		}
	}
	return out.String()
}

func TestRunLinePlain(t *testing.T) {
	tests := []struct {
		name  string
		setup []string
		line  string
		want  string
	}{
		{"get prints bytes as stored", []string{"mkbucket demo; put demo k hello"}, "get demo k", "hello"},
		{"put prints key size etag backend", []string{"mkbucket demo"}, "put demo k hello",
			"k\t5\t5d41402abc4b2a76b9719d911017c592\tdefault\n"},
		{"mkbucket is silent", nil, "mkbucket demo", ""},
		{"buckets", []string{"mkbucket b-two; mkbucket a-one"}, "buckets",
			"a-one\t2024-05-01T12:00:00Z\nb-two\t2024-05-01T12:00:00Z\n"},
		{"ls without bucket lists buckets", []string{"mkbucket demo"}, "ls", "demo\t2024-05-01T12:00:00Z\n"},
		{"ls writes awkward keys raw, escaping only tab, newline and backslash", []string{"mkbucket demo", `put demo 'a b' x; put demo "it's" yy; put demo "t\tab" zzz; put demo clé 1; put demo 'back\slash' 1`}, "ls demo",
			"a b\t1\t2024-05-01T12:00:00Z\tdefault\nback\\\\slash\t1\t2024-05-01T12:00:00Z\tdefault\nclé\t1\t2024-05-01T12:00:00Z\tdefault\nit's\t2\t2024-05-01T12:00:00Z\tdefault\nt\\tab\t3\t2024-05-01T12:00:00Z\tdefault\n"},
		{"ls with delimiter shows prefixes in order", []string{"mkbucket demo; put demo a/1 x; put demo a/2 x; put demo b x; put demo c/1 x"}, "ls demo --delimiter /",
			"a/\t-\t-\t-\nb\t1\t2024-05-01T12:00:00Z\tdefault\nc/\t-\t-\t-\n"},
		{"ls pages end with the next cursor", []string{"mkbucket demo; put demo a x; put demo b x; put demo c x"}, "ls demo --max 2",
			"a\t1\t2024-05-01T12:00:00Z\tdefault\nb\t1\t2024-05-01T12:00:00Z\tdefault\nnext cursor: " + driver.EncodeCursor("b") + "\n"},
		{"ls --cursor continues", []string{"mkbucket demo; put demo a x; put demo b x; put demo c x"}, "ls demo --cursor " + driver.EncodeCursor("b"),
			"c\t1\t2024-05-01T12:00:00Z\tdefault\n"},
		{"next continues the last ls", []string{"mkbucket demo; put demo a x; put demo b x; put demo c x", "ls demo --max 2"}, "next",
			"c\t1\t2024-05-01T12:00:00Z\tdefault\n"},
		{"get --range", []string{"mkbucket demo; put demo k hello"}, "get demo k --range 1-3", "ell"},
		{"get --range suffix", []string{"mkbucket demo; put demo k hello"}, "get demo k --range -2", "lo"},
		{"head", []string{"mkbucket demo; put demo k.txt hi --meta owner=ann --meta 'x y=z'"}, "stat demo k.txt",
			"bucket\tdemo\nkey\tk.txt\nsize\t2\ncontent type\ttext/plain\netag\t49f68a5c8493ec2c0bf489821c21fc3b\nlast modified\t2024-05-01T12:00:00Z\nmeta.owner\tann\nmeta.x y\tz\nbackend\tdefault\n"},
		{"explicit content type", []string{"mkbucket demo; put demo k.txt hi --content-type application/x-thing"}, "head demo k.txt",
			"bucket\tdemo\nkey\tk.txt\nsize\t2\ncontent type\tapplication/x-thing\netag\t49f68a5c8493ec2c0bf489821c21fc3b\nlast modified\t2024-05-01T12:00:00Z\nbackend\tdefault\n"},
		{"cp", []string{"mkbucket demo; mkbucket other; put demo k hello"}, "cp demo k other k2; ls other",
			"k2\t5\t5d41402abc4b2a76b9719d911017c592\tdefault\nk2\t5\t2024-05-01T12:00:00Z\tdefault\n"},
		{"mv removes the source", []string{"mkbucket demo; put demo k hello"}, "mv demo k demo k2; ls demo",
			"k2\t5\t5d41402abc4b2a76b9719d911017c592\tdefault\nk2\t5\t2024-05-01T12:00:00Z\tdefault\n"},
		{"rm several", []string{"mkbucket demo; put demo a x; put demo b x; put demo c x"}, "rm demo a c; ls demo",
			"b\t1\t2024-05-01T12:00:00Z\tdefault\n"},
		{"rmbucket --force", []string{"mkbucket demo; put demo a x"}, "rb --force demo; buckets", ""},
		{"echo", nil, `echo "a\tb" -n --x`, "a\tb -n --x\n"},
		{"mount, route and explain", []string{"mount fast mem://; mkbucket demo; route add 'hot/*' fast"}, "which demo hot/a/b",
			"bucket demo, key hot/a/b -> default\n1\thot/*\tfast\tnot matched\t`*` does not match `/` (use `**` to match across `/`)\n2\tdefault\tdefault\tmatched (wins)\tno earlier rule matched\nno object is stored under this key\n"},
		{"routes", []string{"mount fast mem://; route add 'hot/**' fast"}, "routes",
			"1\thot/**\tpattern\tfast\n2\tdefault\tdefault\tdefault\n"},
		{"backends", []string{"mount fast mem://; mkbucket demo; route add 'hot/**' fast; put demo hot/a 123; put demo b 4567"}, "backends",
			"default\tmem://\t1\t4\nfast\tmem://\t1\t3\n"},
		{"stats", []string{"mount fast mem://; mkbucket demo; route add 'hot/**' fast; put demo hot/a 123"}, "stats",
			"main\tdefault\t1\t0\t0\t0%\nmain\tfast\t1\t1\t3\t100%\ntotal: 1 bucket, 1 object, 3 bytes\n"},
		{"unmount and route rm", []string{"mount fast mem://; route add 'hot/**' fast"}, "route rm 'hot/**'; unmount fast; backends",
			"default\tmem://\t0\t0\n"},
		{"comments and empty commands", nil, "echo a ;; # echo b", "a\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newCoreSession(t)
			runOK(t, s, tt.setup...)
			got := runOK(t, s, tt.line)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("output of %q mismatch (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}

func TestRunLineStopsAtFirstFailure(t *testing.T) {
	s := newCoreSession(t)
	var out bytes.Buffer
	err := s.RunLine(context.Background(), "mkbucket demo; get demo nope; echo after", &out)
	var ce *CommandError
	if !errors.As(err, &ce) {
		t.Fatalf("got error %v, want a *CommandError", err)
	}
	if got, want := ce.Line(), "get demo nope"; got != want {
		t.Errorf("failing command: got %q, want %q", got, want)
	}
	if !errors.Is(err, driver.ErrObjectNotFound) {
		t.Errorf("got error %v, want one wrapping ErrObjectNotFound", err)
	}
	if out.Len() != 0 {
		t.Errorf("got output %q after the failure, want none", out.String())
	}
}

func TestExecErrors(t *testing.T) {
	tests := []struct {
		name    string
		setup   string
		words   []string
		is      error  // errors.Is target, if any
		usage   bool   // a *UsageError is wanted
		contain string // part of the message
	}{
		{"unknown command suggests", "", []string{"lss"}, nil, true, "did you mean ls?"},
		{"unknown command far from all", "", []string{"frobnicate"}, nil, true, `unknown command frobnicate`},
		{"group without subcommand", "", []string{"route"}, nil, true, "needs a subcommand: add, explain, move, rm or test"},
		{"unknown subcommand", "", []string{"route", "ad"}, nil, true, "did you mean add?"},
		{"bad flag shows usage", "", []string{"put", "demo", "k", "v", "--bogus"}, nil, true, "usage: put BUCKET KEY [VALUE] [--file PATH] [--content-type TYPE] [--meta k=v]..."},
		{"too few args", "", []string{"get", "demo"}, nil, true, "get: wants 2 arguments, got 1"},
		{"too many args", "", []string{"mkbucket", "a", "b"}, nil, true, "mkbucket: wants 1 argument, got 2"},
		{"put without value", "", []string{"put", "demo", "k"}, nil, true, "give VALUE or --file PATH"},
		{"put value and file", "", []string{"put", "demo", "k", "v", "--file", "x"}, nil, true, "not both"},
		{"bad meta", "", []string{"put", "demo", "k", "v", "--meta", "novalue"}, nil, true, "want k=v"},
		{"ls flags without bucket", "", []string{"ls", "--max", "2"}, nil, true, "--max needs a BUCKET"},
		{"missing bucket lists buckets", "mkbucket alpha; mkbucket beta", []string{"get", "gamma", "k"}, driver.ErrBucketNotFound, false, "buckets: alpha, beta"},
		{"missing bucket with none", "", []string{"ls", "gamma"}, driver.ErrBucketNotFound, false, "there are no buckets"},
		{"missing key", "mkbucket demo", []string{"get", "demo", "a b"}, driver.ErrObjectNotFound, false, `get demo/"a b": object not found`},
		{"rm checks every key first", "mkbucket demo; put demo a x", []string{"rm", "demo", "a", "zz"}, driver.ErrObjectNotFound, false, "rm demo/zz"},
		{"rmbucket refuses non-empty", "mkbucket demo; put demo a x", []string{"rmbucket", "demo"}, driver.ErrBucketNotEmpty, false, "rmbucket --force demo"},
		{"next without ls", "", []string{"next"}, ErrNoListing, false, "run ls BUCKET first"},
		{"next after last page", "mkbucket demo; ls demo", []string{"next"}, ErrNoListing, false, "already listed"},
		{"bad range", "mkbucket demo; put demo k hi", []string{"get", "demo", "k", "--range", "9-"}, driver.ErrInvalidRange, false, "past the end"},
		{"bad cursor", "mkbucket demo", []string{"ls", "demo", "--cursor", "!!"}, driver.ErrInvalidCursor, false, "not a token"},
		{"unknown backend", "", []string{"unmount", "nope"}, trove.ErrUnknownBackend, false, "unmount nope"},
		{"unknown scheme", "", []string{"mount", "x", "nope://"}, driver.ErrUnknownScheme, false, "known: "},
		{"route to unmounted backend", "", []string{"route", "add", "*.log", "cold"}, trove.ErrUnknownBackend, false, "cold"},
		{"exit", "", []string{"exit"}, ErrExit, false, ""},
		{"quit", "", []string{"quit"}, ErrExit, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newCoreSession(t)
			runOK(t, s, tt.setup)
			_, err := s.Exec(context.Background(), tt.words)
			if err == nil {
				t.Fatalf("Exec(%q): got no error", tt.words)
			}
			var ue *UsageError
			if got := errors.As(err, &ue); got != tt.usage {
				t.Errorf("Exec(%q) error %v: usage error is %v, want %v", tt.words, err, got, tt.usage)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Exec(%q) error %v: want one wrapping %v", tt.words, err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.contain) {
				t.Errorf("Exec(%q) error: got %q, want it to contain %q", tt.words, err, tt.contain)
			}
		})
	}
}

func TestPanicIsRecovered(t *testing.T) {
	boom := &Command{Name: "boom", MaxArgs: -1, Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		if err := s.Store().CreateBucket(ctx, "half-done"); err != nil {
			return nil, err
		}
		var m map[string]int
		m["x"]++ // a nil map write: the kind of bug a command might have
		return nil, nil
	}}
	s := newCoreSession(t, WithCommands([]*Command{boom, cmdBuckets, cmdEcho}))
	_, err := s.Exec(context.Background(), []string{"boom"})
	var ie *InternalError
	if !errors.As(err, &ie) {
		t.Fatalf("got error %v, want an *InternalError", err)
	}
	if !strings.Contains(err.Error(), "internal error in boom") {
		t.Errorf("got message %q, want it to name the command", err)
	}
	// The session goes on working after the panic, and the bucket the
	// command created before it panicked is gone again.
	if got := runOK(t, s, "buckets; echo still here"); got != "still here\n" {
		t.Errorf("after the panic: got %q, want no buckets and %q", got, "still here\n")
	}
}

func TestFailedCommandLeavesStoreAsItWas(t *testing.T) {
	halfway := &Command{Name: "halfway", MaxArgs: -1, Run: func(ctx context.Context, s *Session, inv *Invocation) (Result, error) {
		st := s.Store()
		if _, err := st.Put(ctx, "demo", "k", strings.NewReader("changed")); err != nil {
			return nil, err
		}
		if err := st.Delete(ctx, "demo", "other"); err != nil {
			return nil, err
		}
		if err := st.CreateBucket(ctx, "extra"); err != nil {
			return nil, err
		}
		return nil, errors.New("failed after three changes")
	}}
	s := newCoreSession(t, WithCommands([]*Command{halfway, cmdBuckets, cmdMkbucket, cmdPut, cmdGet}))
	runOK(t, s, "mkbucket demo; put demo k original; put demo other o")
	if _, err := s.Exec(context.Background(), []string{"halfway"}); err == nil {
		t.Fatal("halfway: got no error, want one")
	}
	got := runOK(t, s, "buckets; get demo k; get demo other")
	want := "demo\t2024-05-01T12:00:00Z\noriginalo"
	if got != want {
		t.Errorf("after a failed command: got %q, want %q", got, want)
	}
}

func TestHelpForEveryCommand(t *testing.T) {
	s := newCoreSession(t)
	for _, c := range Commands() {
		t.Run(c.Name, func(t *testing.T) {
			words := append([]string{"help"}, strings.Fields(c.Name)...)
			got := runOK(t, s, QuoteWords(words))
			for _, want := range []string{"usage: " + c.Usage(), "example:", upperFirst(c.Summary)} {
				if !strings.Contains(got, want) {
					t.Errorf("help %s: got\n%s\nwant it to contain %q", c.Name, got, want)
				}
			}
			flagHelp := runOK(t, s, QuoteWords(append(strings.Fields(c.Name), "--help")))
			if c.RawArgs {
				return
			}
			if flagHelp != got {
				t.Errorf("%s --help differs from help %s:\n%s", c.Name, c.Name, flagHelp)
			}
		})
	}
}

func TestHelpList(t *testing.T) {
	s := newCoreSession(t)
	got := runOK(t, s, "help")
	for _, c := range Commands() {
		if !strings.Contains(got, c.Name) || !strings.Contains(got, c.Summary) {
			t.Errorf("help does not list %s with its summary", c.Name)
		}
	}
	group := runOK(t, s, "help route")
	if !strings.Contains(group, "route add") || strings.Contains(group, "mkbucket") {
		t.Errorf("help route: got\n%s\nwant only the route commands", group)
	}
}

func TestCommandTable(t *testing.T) {
	seen := map[string]string{}
	for i, c := range Commands() {
		if i > 0 && Commands()[i-1].Name >= c.Name {
			t.Errorf("table not sorted: %q comes after %q", c.Name, Commands()[i-1].Name)
		}
		if c.Summary == "" || c.Example == "" || c.Run == nil {
			t.Errorf("%s: needs a summary, an example and a Run function", c.Name)
		}
		for _, n := range append([]string{c.Name}, c.Aliases...) {
			if other, dup := seen[n]; dup {
				t.Errorf("name %q used by both %s and %s", n, other, c.Name)
			}
			seen[n] = c.Name
			if got, ok := Lookup(n); !ok || got != c {
				t.Errorf("Lookup(%q): got %v, want %s", n, got, c.Name)
			}
		}
	}
}

func TestBinaryContentRefusedOnTerminal(t *testing.T) {
	tests := []struct {
		name     string
		value    string
		terminal bool
		format   Format
		wantErr  bool
	}{
		{"text on terminal", "hello\n", true, FormatTable, false},
		{"binary on terminal", "\x00\x01\xff", true, FormatTable, true},
		{"escape sequence on terminal", "\x1b[2J", true, FormatPlain, true},
		{"binary to a pipe", "\x00\x01\xff", false, FormatPlain, false},
		{"binary as json on terminal", "\x00\x01\xff", true, FormatJSON, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newCoreSession(t, WithFormat(tt.format), WithTerminalCheck(func(io.Writer) bool { return tt.terminal }))
			runOK(t, s, "mkbucket demo", "put demo k "+Quote(tt.value))
			var out bytes.Buffer
			err := s.RunLine(context.Background(), "get demo k", &out)
			if got := errors.Is(err, ErrBinaryContent); got != tt.wantErr {
				t.Fatalf("got error %v, want binary refusal %v", err, tt.wantErr)
			}
			if tt.wantErr {
				if !strings.Contains(err.Error(), "--out") {
					t.Errorf("got %q, want a hint about --out", err)
				}
				if out.Len() != 0 {
					t.Errorf("got %d bytes written to the terminal, want none", out.Len())
				}
			}
		})
	}
}

func TestGetOut(t *testing.T) {
	s := newCoreSession(t)
	path := t.TempDir() + "/out.bin"
	runOK(t, s, "mkbucket demo", `put demo k "\x00\x01"`)
	got := runOK(t, s, "get demo k --out "+Quote(path))
	if want := "wrote 2 bytes of demo/k to " + path + "\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got = runOK(t, s, "put demo k2 --file "+Quote(path), "get demo k2")
	if !strings.HasSuffix(got, "\x00\x01") {
		t.Errorf("put --file then get: got %q, want the file's bytes", got)
	}
}

func TestJSONOutput(t *testing.T) {
	tests := []struct {
		name  string
		setup string
		line  string
		want  string
	}{
		{"ls", "mkbucket demo; put demo a/1 x; put demo b x", "ls demo --delimiter / --max 1",
			`{"objects":[],"prefixes":["a/"],"next_cursor":"YS8"}`},
		{"ls empty", "mkbucket demo", "ls demo", `{"objects":[],"prefixes":[],"next_cursor":""}`},
		{"buckets empty", "", "buckets", `{"buckets":[]}`},
		{"mkbucket", "", "mkbucket demo", `{"op":"mkbucket","bucket":"demo"}`},
		{"get text", "mkbucket demo; put demo k hi", "get demo k",
			`{"bucket":"demo","key":"k","size":2,"content_type":"application/octet-stream","etag":"49f68a5c8493ec2c0bf489821c21fc3b","content":"hi"}`},
		{"get binary", "mkbucket demo; put demo k \"\\xff\"", "get demo k",
			`{"bucket":"demo","key":"k","size":1,"content_type":"application/octet-stream","etag":"00594fd4f42ba43fc1ca0427a0576295","content_base64":"/w=="}`},
		{"echo", "", "echo a b", `{"message":"a b"}`},
		{"routes", "", "routes", `{"routes":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newCoreSession(t)
			runOK(t, s, tt.setup)
			s.SetFormat(FormatJSON)
			got := runOK(t, s, tt.line)
			var compact bytes.Buffer
			if err := compactJSON(&compact, got); err != nil {
				t.Fatalf("output %q is not JSON: %v", got, err)
			}
			if diff := cmp.Diff(tt.want, compact.String()); diff != "" {
				t.Errorf("JSON of %q mismatch (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}

func TestLoopReaderStopsAtFirstError(t *testing.T) {
	s := newCoreSession(t)
	input := "mkbucket demo\n\n# a comment\nput demo k \\\n  hello\nget demo k\nget demo nope\necho never\n"
	var out bytes.Buffer
	err := s.Loop(context.Background(), NewReaderSource(strings.NewReader(input)), "<stdin>", &out, io.Discard)
	var le *LineError
	if !errors.As(err, &le) {
		t.Fatalf("got %v, want a *LineError", err)
	}
	if got, want := le.Error(), `<stdin>:7: get demo nope: get demo/nope: object not found`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := out.String(), "k\t5\t5d41402abc4b2a76b9719d911017c592\tdefault\nhello"; got != want {
		t.Errorf("output: got %q, want %q", got, want)
	}
}

func TestLoopReaderErrors(t *testing.T) {
	tests := []struct {
		name, input, want string
		is                error
	}{
		{"syntax error names the line", "echo ok\necho 'open\n", `<stdin>:2: syntax error at column 6: unterminated single quote`, nil},
		{"unfinished continuation", "echo a \\\n", `<stdin>:1: the last line ends with \ but no line follows`, ErrUnfinishedLine},
		{"usage error", "lss\n", `<stdin>:1: lss: unknown command lss (help lists the commands); did you mean ls?`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newCoreSession(t)
			err := s.Loop(context.Background(), NewReaderSource(strings.NewReader(tt.input)), "<stdin>", io.Discard, io.Discard)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %s", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("got %v, want it to wrap %v", err, tt.is)
			}
		})
	}
}

func TestLoopExitStops(t *testing.T) {
	s := newCoreSession(t)
	var out bytes.Buffer
	err := s.Loop(context.Background(), NewReaderSource(strings.NewReader("echo a\nexit\necho b\n")), "<stdin>", &out, io.Discard)
	if err != nil || out.String() != "a\n" {
		t.Errorf("got output %q, error %v; want \"a\\n\" and nil", out.String(), err)
	}
}

// fakeTTY is an interactive source that returns fixed lines.
type fakeTTY struct {
	lines []string
	errs  map[int]error
	n     int
	cont  []bool
}

func (s *fakeTTY) Next() (string, error) {
	i := s.n
	s.n++
	if err := s.errs[i]; err != nil {
		return "", err
	}
	if i >= len(s.lines) {
		return "", io.EOF
	}
	return s.lines[i], nil
}
func (s *fakeTTY) Interactive() bool       { return true }
func (s *fakeTTY) SetContinuation(on bool) { s.cont = append(s.cont, on) }

func TestLoopInteractive(t *testing.T) {
	s := newCoreSession(t)
	src := &fakeTTY{
		lines: []string{"mkbucket demo", "get demo nope", "put demo k \\", "", "echo abandoned \\", "echo x", "put demo k hi", "get demo k", "echo done"},
		errs:  map[int]error{3: ErrLineAbandoned},
	}
	var out, errOut bytes.Buffer
	if err := s.Loop(context.Background(), src, "<tty>", &out, &errOut); err != nil {
		t.Fatalf("Loop: %v", err)
	}
	if got, want := errOut.String(), "error: get demo/nope: object not found\n"; got != want {
		t.Errorf("stderr: got %q, want %q", got, want)
	}
	// The abandoned line is dropped; a newline follows get's bare "hi" so
	// the prompt starts on its own line.
	want := "abandoned echo x\nk\t2\t49f68a5c8493ec2c0bf489821c21fc3b\tdefault\nhi\ndone\n"
	if got := out.String(); got != want {
		t.Errorf("stdout: got %q, want %q", got, want)
	}
	if diff := cmp.Diff([]bool{true, false, true, false}, src.cont); diff != "" {
		t.Errorf("continuation prompts (-want +got):\n%s", diff)
	}
}

func TestFlagParsing(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		check string // a line whose output proves the parse
		want  string
	}{
		{"flags before arguments", "put --meta a=1 --content-type text/x demo k v", "head demo k",
			"bucket\tdemo\nkey\tk\nsize\t1\ncontent type\ttext/x\netag\t9e3669d19b675bd57058fd4664205d2a\nlast modified\t2024-05-01T12:00:00Z\nmeta.a\t1\nbackend\tdefault\n"},
		{"-- ends flags", "put demo -- -k --v", "get demo -- -k", "--v"},
		{"--flag=value", "put demo a 1; put demo b 2", "ls demo --max=1 --prefix=", "a\t1\t2024-05-01T12:00:00Z\tdefault\nnext cursor: YQ\n"},
		{"repeated --meta keeps every value, = inside values", "put demo k v --meta x=1 --meta y=a=b", "head demo k",
			"bucket\tdemo\nkey\tk\nsize\t1\ncontent type\tapplication/octet-stream\netag\t9e3669d19b675bd57058fd4664205d2a\nlast modified\t2024-05-01T12:00:00Z\nmeta.x\t1\nmeta.y\ta=b\nbackend\tdefault\n"},
		{"-h is help", "echo setup", "get -h", "usage: get BUCKET KEY [--out PATH] [--range START-END]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newCoreSession(t)
			runOK(t, s, "mkbucket demo", tt.line)
			got := runOK(t, s, tt.check)
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("after %q, %q printed:\n%q\nwant it to start with:\n%q", tt.line, tt.check, got, tt.want)
			}
		})
	}
}

// TestExecOwnedPut: a put whose words the caller gave up stores the value
// as given (its ETag is the value's MD5), is unharmed by puts of other
// keys, and fails as any put does on a missing bucket.
func TestExecOwnedPut(t *testing.T) {
	s := newCoreSession(t)
	ctx := context.Background()
	runOK(t, s, "mkbucket demo")
	owned := func(words ...string) []string {
		for i, w := range words {
			words[i] = strings.Clone(w)
		}
		return words
	}
	for _, tc := range []struct {
		name, key, value string
	}{
		{"a short value", "a", "hello"},
		{"a 1 KiB value", "b", strings.Repeat("abcdefgh", 128)},
		{"an empty value", "c", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.ExecOwned(ctx, owned("put", "demo", tc.key, tc.value, "--content-type", "text/plain")); err != nil {
				t.Fatal(err)
			}
			if got := runOK(t, s, "get demo "+tc.key); got != tc.value {
				t.Errorf("got %q, want %q", got, tc.value)
			}
			want := fmt.Sprintf("etag\t%x\n", md5.Sum([]byte(tc.value)))
			if got := runOK(t, s, "head demo "+tc.key); !strings.Contains(got, want) {
				t.Errorf("got head\n%s\nwant it to contain %q", got, want)
			}
		})
	}
	if _, err := s.ExecOwned(ctx, owned("put", "nobucket", "k", "v")); !errors.Is(err, driver.ErrBucketNotFound) {
		t.Errorf("got %v, want a missing bucket", err)
	}
	if got := runOK(t, s, "get demo a"); got != "hello" {
		t.Errorf("after other puts got %q, want %q", got, "hello")
	}
}
