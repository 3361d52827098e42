package localdriver_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/localdriver"
)

// helperEnv, when set to a root directory, turns the test binary into a
// writer that streams half an object into ROOT's bucket "bkt" under key
// "k" and then hangs, waiting to be killed.
const helperEnv = "LOCALDRIVER_TEST_HALF_PUT_ROOT"

// halfSize is how much the helper writes before it hangs.
const halfSize = 64 << 10

func TestMain(m *testing.M) {
	if root := os.Getenv(helperEnv); root != "" {
		halfPut(root)
	}
	os.Exit(m.Run())
}

// halfPut is the helper process's body; it never returns normally.
func halfPut(root string) {
	d, err := localdriver.NewAt(root)
	if err == nil {
		_, err = d.Put(context.Background(), "bkt", "k", io.MultiReader(
			strings.NewReader(strings.Repeat("n", halfSize)), hangingReader{}))
	}
	fmt.Fprintln(os.Stderr, "half put ended:", err)
	os.Exit(2)
}

// hangingReader stalls like an upload whose sender went quiet. It sleeps
// rather than blocking on nothing, which the runtime would report as a
// deadlock, and gives up after a minute so an orphaned helper ends.
type hangingReader struct{}

func (hangingReader) Read([]byte) (int, error) {
	time.Sleep(time.Minute)
	return 0, errors.New("the test never killed the writer")
}

func TestWriterKilledMidPut(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	root := t.TempDir()
	ctx := context.Background()
	d := openAt(t, root)
	mustCreateBucket(t, d, "bkt")
	mustPut(t, d, "bkt", "k", "previous version")

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+root)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill the writer once its temporary file holds the first half.
	deadline := time.Now().Add(20 * time.Second)
	for {
		tmps, _ := filepath.Glob(filepath.Join(root, "bkt", "objects", ".tmp-*"))
		if len(tmps) > 0 {
			if fi, err := os.Stat(tmps[0]); err == nil && fi.Size() >= halfSize {
				break
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("the writer never got halfway; its stderr: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil || stderr.Len() > 0 {
		t.Fatalf("the writer was to die by the kill: got exit %v, stderr %q", err, stderr.String())
	}

	for name, drv := range map[string]*localdriver.LocalDriver{"same driver": d, "new driver": openAt(t, root)} {
		t.Run(name, func(t *testing.T) {
			if got := content(t, drv, "bkt", "k"); got != "previous version" {
				t.Errorf("Get: got %.40q, want %q", got, "previous version")
			}
			info, err := drv.Head(ctx, "bkt", "k")
			if err != nil || info.Size != int64(len("previous version")) {
				t.Errorf("Head: got %+v, %v, want the previous version's info", info, err)
			}
			if got := listKeys(t, drv, "bkt"); !slices.Equal(got, []string{"k"}) {
				t.Errorf("List: got %v, want [k]", got)
			}
		})
	}
	// The next Put of the key wins as usual.
	mustPut(t, d, "bkt", "k", "next version")
	if got := content(t, d, "bkt", "k"); got != "next version" {
		t.Errorf("Get after a new Put: got %q, want %q", got, "next version")
	}
	if _, err := d.Get(ctx, "bkt", "missing"); !errors.Is(err, driver.ErrObjectNotFound) {
		t.Errorf("Get(missing): got %v, want ErrObjectNotFound", err)
	}
}
