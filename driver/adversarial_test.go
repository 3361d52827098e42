package driver_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/localdriver"
	"github.com/trovemem/trovemem/memdriver"
)

// TestAdversarialMetadataEveryBackendStoresAlike: content types and
// metadata that a backend would store differently (invalid UTF-8, which
// the disk backend's JSON turns into U+FFFD) or that an S3 header cannot
// carry (control characters) are refused at put by the portable layer,
// for every backend alike, and nothing is stored (issue 9 item 18). What
// is accepted reads back the same from every backend.
func TestAdversarialMetadataEveryBackendStoresAlike(t *testing.T) {
	ctx := context.Background()
	local, err := localdriver.NewAt(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	backends := map[string]driver.Driver{"mem": driver.Wrap(memdriver.New()), "file": driver.Wrap(local)}
	defer func() {
		for _, d := range backends {
			d.Close(ctx)
		}
	}()
	refused := []struct {
		name string
		opts []driver.PutOption
	}{
		{"content type not UTF-8", []driver.PutOption{driver.WithContentType("text/plain; charset=\xff")}},
		{"content type with a newline", []driver.PutOption{driver.WithContentType("text/plain\r\nX-Evil: 1")}},
		{"metadata value not UTF-8", []driver.PutOption{driver.WithMetadata(map[string]string{"k": "a\xffb"})}},
		{"metadata value with NUL", []driver.PutOption{driver.WithMetadata(map[string]string{"k": "a\x00b"})}},
		{"metadata value with ESC", []driver.PutOption{driver.WithMetadata(map[string]string{"k": "\x1b[31mred"})}},
		{"metadata value with C1 control", []driver.PutOption{driver.WithMetadata(map[string]string{"k": "a\u0085b"})}},
		{"metadata key not UTF-8", []driver.PutOption{driver.WithMetadata(map[string]string{"\xfe": "v"})}},
		{"metadata key with a newline", []driver.PutOption{driver.WithMetadata(map[string]string{"a\nb": "v"})}},
		{"metadata key empty", []driver.PutOption{driver.WithMetadata(map[string]string{"": "v"})}},
	}
	for name, d := range backends {
		if err := d.CreateBucket(ctx, "bkt"); err != nil {
			t.Fatal(err)
		}
		for _, tt := range refused {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				_, err := d.Put(ctx, "bkt", "k", strings.NewReader("x"), tt.opts...)
				if !errors.Is(err, driver.ErrInvalidMetadata) {
					t.Fatalf("put: got %v, want %v", err, driver.ErrInvalidMetadata)
				}
				if strings.ContainsAny(err.Error(), "\n\r\x00\x1b") {
					t.Errorf("error %q holds a control character, want it escaped", err)
				}
				if _, err := d.Head(ctx, "bkt", "k"); !errors.Is(err, driver.ErrObjectNotFound) {
					t.Errorf("head after the refused put: got %v, want %v", err, driver.ErrObjectNotFound)
				}
			})
		}
	}
	t.Run("accepted text reads back alike", func(t *testing.T) {
		meta := map[string]string{"purpose": "für Grüße 日本 😀", "spaced key": "v w", "empty": ""}
		var infos []*driver.ObjectInfo
		for _, name := range []string{"mem", "file"} {
			d := backends[name]
			if _, err := d.Put(ctx, "bkt", "ok", strings.NewReader("x"),
				driver.WithContentType("text/plain; name=\"é\""), driver.WithMetadata(meta)); err != nil {
				t.Fatalf("%s: put: %v", name, err)
			}
			info, err := d.Head(ctx, "bkt", "ok")
			if err != nil {
				t.Fatal(err)
			}
			infos = append(infos, info)
		}
		if d := cmp.Diff(infos[0].Metadata, infos[1].Metadata); d != "" || infos[0].ContentType != infos[1].ContentType {
			t.Errorf("mem and file differ: content types %q, %q; metadata (-mem +file):\n%s", infos[0].ContentType, infos[1].ContentType, d)
		}
	})
}
