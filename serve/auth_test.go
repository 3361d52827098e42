package serve

import (
	"errors"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
)

// TestKnownHeaderKeys holds the table of header keys to what textproto
// makes of each name, so a misspelt entry cannot hide a signed header.
func TestKnownHeaderKeys(t *testing.T) {
	for lower, key := range knownHeaderKeys {
		if want := textproto.CanonicalMIMEHeaderKey(lower); key != want {
			t.Errorf("knownHeaderKeys[%q]: got %q, want %q", lower, key, want)
		}
	}
}

// foldValue is SigV4's rule for a canonical header value, written the
// plain way: trim it and fold each run of white space to one space.
func foldValue(v string) string { return strings.Join(strings.Fields(v), " ") }

func TestAppendHeaderValue(t *testing.T) {
	tests := []struct{ name, in string }{
		{"plain", "application/octet-stream"},
		{"empty", ""},
		{"single spaces", "attempt=1; max=3"},
		{"leading and trailing", "  a b  "},
		{"double space", "a  b"},
		{"tab", "a\tb"},
		{"only spaces", "   "},
		{"non-ASCII space", "a\u00a0b"},
		{"next line", "a\u0085b"},
		{"UTF-8 word", "café"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := string(appendHeaderValue([]byte("x:"), tc.in)), "x:"+foldValue(tc.in); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

// FuzzAppendHeaderValue holds the fast path to the plain rule.
func FuzzAppendHeaderValue(f *testing.F) {
	for _, s := range []string{"a b", " a", "a ", "a  b", "a\tb", "\u00a0", "x\u2028y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got, want := string(appendHeaderValue(nil, v)), foldValue(v); got != want {
			t.Errorf("appendHeaderValue(%q): got %q, want %q", v, got, want)
		}
	})
}

func TestUnsignedAmzHeaders(t *testing.T) {
	long := []string{"host", "x-amz-date", "x-amz-content-sha256"}
	for i := 0; i < 20; i++ {
		long = append(long, "x-amz-meta-k"+strings.Repeat("x", i))
	}
	tests := []struct {
		name    string
		signed  []string
		headers []string
		missing string // "" when every x-amz-* header is signed
	}{
		{"all signed", []string{"host", "x-amz-date", "x-amz-content-sha256"}, []string{"X-Amz-Date", "X-Amz-Content-Sha256", "User-Agent"}, ""},
		{"one unsigned", []string{"host", "x-amz-date"}, []string{"X-Amz-Date", "X-Amz-Meta-Color"}, "x-amz-meta-color"},
		{"two unsigned, sorted", []string{"host"}, []string{"X-Amz-Tagging", "X-Amz-Acl"}, "x-amz-acl, x-amz-tagging"},
		{"a signed name in upper case covers nothing", []string{"X-Amz-Date"}, []string{"X-Amz-Date"}, "x-amz-date"},
		{"a long list, all signed", long, []string{"X-Amz-Date", "X-Amz-Meta-Kxxx"}, ""},
		{"a long list, one unsigned", long, []string{"X-Amz-Date", "X-Amz-Acl"}, "x-amz-acl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &request{Request: &http.Request{Header: http.Header{}}}
			for _, h := range tc.headers {
				r.Header.Set(h, "v")
			}
			err := unsignedAmzHeaders(r, tc.signed)
			if tc.missing == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.Code != "AccessDenied" {
				t.Fatalf("got %v, want AccessDenied", err)
			}
			if len(ae.Fields) != 1 || ae.Fields[0].Value != tc.missing {
				t.Errorf("got fields %v, want HeadersNotSigned %q", ae.Fields, tc.missing)
			}
		})
	}
}
