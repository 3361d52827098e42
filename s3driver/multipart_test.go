package s3driver

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/internal/s3test"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

// onlyReader hides every method but Read, so Put cannot know the length.
type onlyReader struct{ io.Reader }

// TestMultipart puts objects around the part size against versitygw: up to
// it one PUT whose ETag is the content MD5, past it a multipart upload
// whose ETag is S3's "MD5-N"; the content comes back whole either way, and
// rebalance moves a multipart object out of S3 and verifies it.
func TestMultipart(t *testing.T) {
	srv := s3test.StartVersity(t)
	ctx := context.Background()
	cfg := versityConfig(srv)
	cfg.PartSize = MinPartSize
	raw, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	d := driver.Wrap(raw)
	if err := d.CreateBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	multipartETag := regexp.MustCompile(`^[0-9a-f]{32}-3$`)
	for _, tc := range []struct {
		name      string
		size      int
		multipart bool
	}{
		{"exactly one part", MinPartSize, false},
		{"one byte more", MinPartSize + 1, true},
		{"two and a half parts", 2*MinPartSize + MinPartSize/2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content := make([]byte, tc.size)
			rand.NewChaCha8([32]byte{byte(tc.size)}).Read(content)
			sum := md5.Sum(content)
			info, err := d.Put(ctx, "bkt", "obj", onlyReader{bytes.NewReader(content)}, driver.WithMetadata(map[string]string{"m": "v"}))
			if err != nil {
				t.Fatal(err)
			}
			if info.Size != int64(tc.size) {
				t.Errorf("Put: got Size %d, want %d", info.Size, tc.size)
			}
			switch {
			case !tc.multipart && info.ETag != hex.EncodeToString(sum[:]):
				t.Errorf("Put of one part: got ETag %q, want the content MD5", info.ETag)
			case tc.multipart && tc.size > 2*MinPartSize && !multipartETag.MatchString(info.ETag):
				t.Errorf("Put of 3 parts: got ETag %q, want MD5-3", info.ETag)
			}
			h, err := d.Head(ctx, "bkt", "obj")
			if err != nil || h.ETag != info.ETag || h.Size != info.Size || h.Metadata["m"] != "v" {
				t.Errorf("Head: got %+v, %v, want Put's info %+v", h, err, info)
			}
			r, err := d.Get(ctx, "bkt", "obj")
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			r.Close()
			if err != nil || !bytes.Equal(got, content) {
				t.Errorf("Get: got %d bytes (err %v), want the %d put", len(got), err, len(content))
			}
		})
	}

	if err := d.Delete(ctx, "bkt", "obj"); err != nil {
		t.Fatal(err)
	}
	t.Run("rebalance out of S3 verifies a multipart object", func(t *testing.T) {
		store, err := trove.Open(memdriver.New(), trove.WithBackend("s3", d))
		if err != nil {
			t.Fatal(err)
		}
		if err := store.AddRoute("big/**", "s3"); err != nil {
			t.Fatal(err)
		}
		content := bytes.Repeat([]byte("0123456789abcdef"), (MinPartSize+4096)/16)
		if _, err := store.Put(ctx, "bkt", "big/one", bytes.NewReader(content)); err != nil {
			t.Fatal(err)
		}
		if err := store.RemoveRoute("big/**"); err != nil {
			t.Fatal(err)
		}
		moves, err := store.Rebalance(ctx, false, nil)
		if err != nil || len(moves) != 1 {
			t.Fatalf("Rebalance: got %d moves, %v, want 1 move and nil", len(moves), err)
		}
		r, err := store.Get(ctx, "bkt", "big/one")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		r.Close()
		if !bytes.Equal(got, content) || r.Info.Backend != trove.DefaultBackend {
			t.Errorf("after rebalance: got %d bytes on %q, want %d on the default backend", len(got), r.Info.Backend, len(content))
		}
	})
}
