package trove_test

// The two examples from the memory driver's documentation, kept as tests
// with only their import paths changed (and, in TestRouting, one
// CreateBucket line, because a put needs its bucket to exist, as in S3).

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/trovemem/trovemem/memdriver"
	"github.com/trovemem/trovemem/trove"
)

// ctx is the context the documentation's examples assume is in scope.
var ctx = context.Background()

func TestMyService(t *testing.T) {
	drv := memdriver.New()
	store, _ := trove.Open(drv)
	defer store.Close(context.Background())

	store.CreateBucket(context.Background(), "test")

	// Your test logic using store...
}

func TestRouting(t *testing.T) {
	primary := memdriver.New()
	archive := memdriver.New()

	store, _ := trove.Open(primary,
		trove.WithBackend("archive", archive),
		trove.WithRoute("*.log", "archive"),
	)
	store.CreateBucket(ctx, "logs")

	// Put a .log file -- routes to archive
	store.Put(ctx, "logs", "app.log", strings.NewReader("log data"))

	// Verify it landed on the archive driver
	_, err := archive.Get(ctx, "logs", "app.log")
	assert.NoError(t, err)
}
