package driver_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
)

func TestParseRange(t *testing.T) {
	tests := []struct {
		spec    string
		size    int64
		off, n  int64
		invalid bool
	}{
		{"", 10, 0, 10, false},
		{"bytes=0-3", 10, 0, 4, false},
		{"bytes=2-", 10, 2, 8, false},
		{"bytes=-2", 10, 8, 2, false},
		{"bytes=-20", 10, 0, 10, false},  // a suffix longer than the object is all of it
		{"bytes=5-100", 10, 5, 5, false}, // the end is clamped
		{"bytes=9-9", 10, 9, 1, false},
		{"bytes=10-", 10, 0, 0, true}, // starts past the end
		{"bytes=0-0", 0, 0, 0, true},  // nothing to read in an empty object
		{"bytes=-0", 10, 0, 0, true},
		{"bytes=-5", 0, 0, 0, true}, // a suffix of an empty object is empty too
		{"bytes=0-", 0, 0, 0, true},
		{"bytes=4-2", 10, 0, 0, true},
		{"bytes=a-b", 10, 0, 0, true},
		{"bytes=1-2,4-5", 10, 0, 0, true},
		{"bytes=+1-2", 10, 0, 0, true},
		{"items=0-1", 10, 0, 0, true},
		{"0-1", 10, 0, 0, true},
		{"bytes=-", 10, 0, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			off, n, err := driver.ParseRange(tc.spec, tc.size)
			if tc.invalid {
				if !errors.Is(err, driver.ErrInvalidRange) {
					t.Errorf("got %d,%d,%v, want ErrInvalidRange", off, n, err)
				}
				return
			}
			if err != nil || off != tc.off || n != tc.n {
				t.Errorf("got %d,%d,%v, want %d,%d,nil", off, n, err, tc.off, tc.n)
			}
		})
	}
}

// FuzzParseRange checks that any accepted range lies inside the object.
func FuzzParseRange(f *testing.F) {
	f.Add("bytes=0-3", int64(10))
	f.Add("bytes=-5", int64(3))
	f.Add("bytes=7-", int64(8))
	f.Add("bytes=-5", int64(0))
	f.Fuzz(func(t *testing.T, spec string, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 { // math.MinInt64
			return
		}
		off, n, err := driver.ParseRange(spec, size)
		if err != nil {
			if !errors.Is(err, driver.ErrInvalidRange) {
				t.Fatalf("error %v does not wrap ErrInvalidRange", err)
			}
			return
		}
		if off < 0 || n < 0 || off+n > size || (spec != "" && n == 0) {
			t.Fatalf("ParseRange(%q, %d) = %d,%d: outside the object", spec, size, off, n)
		}
	})
}

func TestValidateBucketName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"abc", true},
		{"my-bucket.v2", true},
		{strings.Repeat("a", 63), true},
		{"ab", false},
		{strings.Repeat("a", 64), false},
		{"Upper", false},
		{"-ab", false},
		{"ab-", false},
		{"a_b", false},
		{"a b", false},
		{"ümlaut", false},
		{"a..b", false},
		{"192.168.1.1", false},
		{"1.2.3", true}, // not an address
		{"xn--abc", false},
		{"sthree-x", false},
		{"data-s3alias", false},
		{"x--ol-s3", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := driver.ValidateBucketName(tc.name)
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, driver.ErrInvalidName)) {
				t.Errorf("got %v, want ok=%v (ErrInvalidName otherwise)", err, tc.ok)
			}
		})
	}
}

func TestValidateKey(t *testing.T) {
	tests := []struct {
		name string
		key  string
		ok   bool
	}{
		{"plain", "a/b.txt", true},
		{"unicode and spaces", "日本 語 'q' \"x\"", true},
		{"at the limit", strings.Repeat("k", driver.MaxKeyLen), true},
		{"empty", "", false},
		{"too long", strings.Repeat("k", driver.MaxKeyLen+1), false},
		{"invalid utf-8", "a\xffb", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := driver.ValidateKey(tc.key)
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, driver.ErrInvalidName)) {
				t.Errorf("got %v, want ok=%v (ErrInvalidName otherwise)", err, tc.ok)
			}
		})
	}
}

func TestErrorMessageNamesBucketAndKey(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{driver.E("get", "demo", "k", driver.ErrObjectNotFound), "get demo/k: object not found"},
		{driver.E("get", "demo", "a b", driver.ErrObjectNotFound), `get demo/"a b": object not found`},
		{driver.E("list", "demo", "", driver.ErrBucketNotFound), "list demo: bucket not found"},
		{driver.E("ping", "", "", driver.ErrClosed), "ping: driver closed"},
		{driver.E("put", "demo", "a\xffb", driver.ErrInvalidName), `put demo/"a\xffb": invalid name`},
		// The innermost location wins.
		{driver.E("copy", "x", "y", driver.E("get", "demo", "k", driver.ErrObjectNotFound)), "get demo/k: object not found"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if driver.E("get", "b", "k", nil) != nil {
		t.Error("E(nil) is not nil")
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, entry := range []string{"a", "dir/", "日本", "with space", "x\x00y"} {
		tok := driver.EncodeCursor(entry)
		if strings.ContainsAny(tok, " /+=") {
			t.Errorf("token %q for %q needs quoting or escaping", tok, entry)
		}
		got, err := driver.DecodeCursor(tok)
		if err != nil || got != entry {
			t.Errorf("DecodeCursor(EncodeCursor(%q)) = %q, %v", entry, got, err)
		}
	}
	for _, tok := range []string{"%%%", "zzz"} { // zzz decodes, but not to UTF-8
		if _, err := driver.DecodeCursor(tok); !errors.Is(err, driver.ErrInvalidCursor) {
			t.Errorf("bad token %q: got %v, want ErrInvalidCursor", tok, err)
		}
	}
	_, err := driver.ParseDSN("mem://ann:secret@h/%zz")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("ParseDSN of a bad DSN with a password: got %v, want an error that masks it", err)
	}
	// An unescaped '/' in a password makes net/url read "ann:sec" as a
	// host with a bad port, and quote the "port".
	_, err = driver.ParseDSN("s3://ann:sec/ret@us-east-1")
	if err == nil || strings.Contains(err.Error(), "sec") || !strings.Contains(err.Error(), "%2F") {
		t.Errorf("ParseDSN with a '/' in the password: got %v, want an error that masks it and says to write %%2F", err)
	}
}

func TestListEntryKey(t *testing.T) {
	tests := []struct {
		key, prefix, delim string
		want               string
		isPrefix           bool
	}{
		{"a/b/c", "", "", "a/b/c", false},
		{"a/b/c", "", "/", "a/", true},
		{"a/b/c", "a/", "/", "a/b/", true},
		{"a/b", "a/", "/", "a/b", false},
		{"logs-2024-01", "logs-", "-", "logs-2024-", true},
	}
	for _, tc := range tests {
		got, isPrefix := driver.ListEntryKey(tc.key, tc.prefix, tc.delim)
		if got != tc.want || isPrefix != tc.isPrefix {
			t.Errorf("ListEntryKey(%q, %q, %q) = %q,%v, want %q,%v", tc.key, tc.prefix, tc.delim, got, isPrefix, tc.want, tc.isPrefix)
		}
	}
	for _, tc := range []struct{ in, want string }{{"a/", "a0"}, {"a\xff", "b"}, {"\xff\xff", ""}} {
		if got := driver.PrefixEnd(tc.in); got != tc.want {
			t.Errorf("PrefixEnd(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseDSN(t *testing.T) {
	tests := []struct {
		dsn  string
		want *driver.DSN
		bad  bool
	}{
		{dsn: "mem://", want: &driver.DSN{Scheme: "mem", Params: url.Values{}, Raw: "mem://"}},
		{dsn: "s3://ann:pw@host:9000/bucket/x?region=eu", want: &driver.DSN{
			Scheme: "s3", User: "ann", Password: "pw", Host: "host:9000", Path: "/bucket/x",
			Params: url.Values{"region": {"eu"}}, Raw: "s3://ann:pw@host:9000/bucket/x?region=eu",
		}},
		{dsn: "file://./data", want: &driver.DSN{Scheme: "file", Host: ".", Path: "/data", Params: url.Values{}, Raw: "file://./data"}},
		{dsn: "nocolon", bad: true},
		{dsn: "://x", bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.dsn, func(t *testing.T) {
			got, err := driver.ParseDSN(tc.dsn)
			if tc.bad {
				if err == nil {
					t.Errorf("got %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestOpenDSNUnknownScheme(t *testing.T) {
	driver.Register("test-registry", func(context.Context, *driver.DSN, ...driver.Option) (driver.Driver, error) { return nil, nil })
	if got := driver.Drivers(); !slices.Contains(got, "test-registry") {
		t.Errorf("Drivers() = %v, want it to list test-registry", got)
	}
	_, err := driver.OpenDSN(context.Background(), "nosuch://ann:secret@x")
	if !errors.Is(err, driver.ErrUnknownScheme) || !strings.Contains(err.Error(), "test-registry://") {
		t.Errorf("got %v, want ErrUnknownScheme listing the known schemes", err)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("got %q, want the password masked", err)
	}
}

func TestRedactDSN(t *testing.T) {
	tests := []struct{ name, dsn, want string }{
		{"password", "mem://u:p@h/p?x=1", "mem://u:***@h/p?x=1"},
		{"password with @", "mem://u:p@ss@h", "mem://u:***@h"},
		{"empty password", "mem://u:@h", "mem://u:***@h"},
		{"escaped password", "pg://a:b%40c@h:5/db", "pg://a:***@h:5/db"},
		{"user only", "mem://u@h", "mem://u@h"},
		{"no user info", "mem://", "mem://"},
		{"@ in the path", "mem://h/a:b@c", "mem://h/a:b@c"},
		{"@ in the query", "mem://h?to=a:b@c", "mem://h?to=a:b@c"},
		{"file path", "file:///tmp/x", "file:///tmp/x"},
		{"not a DSN", "u:p@h", "u:p@h"},
		{"unescaped / in the password", "s3://AKIA:ab/cd+ef@us-east-1/bucket?endpoint=x", "s3://AKIA:***@us-east-1/bucket?endpoint=x"},
		{"unescaped # in the password", "s3://AKIA:ab#cd@us-east-1", "s3://AKIA:***@us-east-1"},
		// A DSN with @ in its path after host:port is masked more than it needs
		// to be, never less: "5432/a" could as well be a password holding a /.
		{"a port, then @ in the path", "pg://h:5432/a@b", "pg://h:***@b"},
		{"IPv6 host, then @ in the path", "pg://[::1]:5/a@b", "pg://[::1]:5/a@b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := driver.RedactDSN(tt.dsn); got != tt.want {
				t.Errorf("RedactDSN(%q): got %q, want %q", tt.dsn, got, tt.want)
			}
		})
	}
}
