package driver_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/trovemem/trovemem/driver"
)

// TestAdversarialRedactDSNSeparators holds RedactDSN to masking a password
// whole when it holds an unencoded '/', '?', '#' or '@', which net/url
// reads as the end of the authority, and to leaving DSNs without a
// password as they are.
func TestAdversarialRedactDSNSeparators(t *testing.T) {
	tests := []struct{ name, dsn, want string }{
		{"slash", "s3://ann:se/cret@host:9000/bucket", "s3://ann:***@host:9000/bucket"},
		{"hash", "s3://ann:se#cret@host/bucket", "s3://ann:***@host/bucket"},
		{"question mark", "s3://ann:se?cret@host/bucket?region=eu", "s3://ann:***@host/bucket?region=eu"},
		{"all of them", "s3://ann:a/b?c#d@e@host/k", "s3://ann:***@host/k"},
		{"digits then a slash", "mem://u:1234/secret@h/p", "mem://u:***@h/p"},
		{"@ in the path after the user info", "s3://ann:pw@host/key@x", "s3://ann:***@host/key@x"},
		{"@ in the query after the user info", "smtp://u:pw@h?from=me@x.org", "smtp://u:***@h?from=me@x.org"},
		{"host and port", "s3://host:9000/bucket", "s3://host:9000/bucket"},
		{"IPv6 host", "s3://[::1]:9000/b/a@x", "s3://[::1]:9000/b/a@x"},
		{"file path with colon and @", "file:///tmp/a:b@c", "file:///tmp/a:b@c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := driver.RedactDSN(tt.dsn); got != tt.want {
				t.Errorf("RedactDSN(%q): got %q, want %q", tt.dsn, got, tt.want)
			}
		})
	}
}

// TestAdversarialParseDSNSecrets checks that ParseDSN refuses a DSN whose
// user info net/url would read differently from RedactDSN (a piece of the
// password would become the host or the path), and that no error it
// returns repeats the password or a piece of it.
func TestAdversarialParseDSNSecrets(t *testing.T) {
	tests := []struct {
		name, dsn string
		bad       bool
	}{
		{"slash", "mem://u:SE/CRET@h/p", true},
		{"hash", "mem://u:SE#CRET@h/p", true},
		{"question mark", "mem://u:SE?CRET@h/p", true},
		{"digits then a slash (a valid port to net/url)", "mem://u:1234/SECRET@h/p", true},
		{"bad escape", "mem://u:SE%zzCRET@h/p", true},
		{"encoded", "mem://u:SE%2FCRET@h/p", false},
		{"@ in the path", "mem://u:SECRET@h/p@x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := driver.ParseDSN(tt.dsn)
			if tt.bad != (err != nil) {
				t.Fatalf("ParseDSN(%q): got %+v, %v; want an error: %v", tt.dsn, d, err, tt.bad)
			}
			if err != nil {
				for _, piece := range []string{"SE", "CRET"} {
					if strings.Contains(err.Error(), piece) {
						t.Errorf("got %q, want no piece of the password (%q) in it", err, piece)
					}
				}
				return
			}
			if strings.Contains(d.Host+d.Path, "SE") {
				t.Errorf("got host %q path %q, want the password in neither", d.Host, d.Path)
			}
		})
	}
}

// errQuoting is an opener's error that quotes the DSN it was given.
var errQuoting = errors.New("cannot reach")

// TestAdversarialOpenDSNRedactsOpenerErrors registers an opener whose
// errors quote the DSN and the password; OpenDSN must mask both and keep
// the error's identity.
func TestAdversarialOpenDSNRedactsOpenerErrors(t *testing.T) {
	driver.Register("test-quoting", func(_ context.Context, d *driver.DSN, _ ...driver.Option) (driver.Driver, error) {
		return nil, fmt.Errorf("%w %q (password %s, decoded %s)", errQuoting, d.Raw, "s%40cret", d.Password)
	})
	_, err := driver.OpenDSN(context.Background(), "test-quoting://ann:s%40cret@h/x")
	if !errors.Is(err, errQuoting) {
		t.Fatalf("got %v, want errQuoting kept", err)
	}
	for _, secret := range []string{"s%40cret", "s@cret"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("got %q, want %q masked", err, secret)
		}
	}
	if !strings.Contains(err.Error(), `"test-quoting://ann:***@h/x"`) {
		t.Errorf("got %q, want the DSN shown masked", err)
	}
	if err := driver.RedactError(nil, "mem://u:p@h"); err != nil {
		t.Errorf("RedactError(nil): got %v, want nil", err)
	}
}
