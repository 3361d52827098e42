package repl_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/trovemem/trovemem/driver"
	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/repl"
	"github.com/trovemem/trovemem/trove"
)

// errFault is what faultyDriver's failing methods return.
var errFault = errors.New("injected fault")

// faultyDriver is a driver whose Get or Put fail on demand. It holds the
// memory driver behind the Driver interface, so only Driver's methods show.
type faultyDriver struct {
	driver.Driver
	failGet, failPut bool
}

func (d *faultyDriver) Get(ctx context.Context, bucket, key string, opts ...driver.GetOption) (*driver.ObjectReader, error) {
	if d.failGet {
		return nil, errFault
	}
	return d.Driver.Get(ctx, bucket, key, opts...)
}

func (d *faultyDriver) Put(ctx context.Context, bucket, key string, r io.Reader, opts ...driver.PutOption) (*driver.ObjectInfo, error) {
	if d.failPut {
		return nil, errFault
	}
	return d.Driver.Put(ctx, bucket, key, r, opts...)
}

// TestAdversarialNoUndoFailureWithoutChanges makes a put fail before it
// writes anything (its undo record cannot read the key on a second
// backend) on a store whose default backend then refuses writes. Nothing
// changed, so the error must be the put's alone: no "undoing its partial
// changes failed too", which re-putting the saved object used to add.
func TestAdversarialNoUndoFailureWithoutChanges(t *testing.T) {
	ctx := context.Background()
	def := &faultyDriver{Driver: memdriver.New()}
	other := &faultyDriver{Driver: memdriver.New()}
	st, err := trove.Open(def, trove.WithBackend("other", other))
	if err != nil {
		t.Fatal(err)
	}
	s := repl.NewSession(st)
	for _, words := range [][]string{{"mkbucket", "bkt"}, {"put", "bkt", "k", "old"}} {
		if _, err := s.Exec(ctx, words); err != nil {
			t.Fatalf("%s: %v", repl.QuoteWords(words), err)
		}
	}
	other.failGet, def.failPut = true, true
	_, err = s.Exec(ctx, []string{"put", "bkt", "k", "new"})
	if !errors.Is(err, errFault) {
		t.Fatalf("got %v, want the injected fault", err)
	}
	if strings.Contains(err.Error(), "undoing") {
		t.Errorf("got %q, want no word of undoing: nothing had changed", err)
	}
	def.failPut, other.failGet = false, false
	rd, err := st.Get(ctx, "bkt", "k")
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	if got, _ := io.ReadAll(rd); string(got) != "old" {
		t.Errorf("got %q, want the old object untouched", got)
	}
}
