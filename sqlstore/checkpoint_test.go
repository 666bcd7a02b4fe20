package sqlstore_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/accord-project/accord/sqlstore"
)

// TestBackgroundCheckpoint: commits no longer copy SQLite's write-ahead
// log into the database file themselves, so something else must, or the
// database file never receives what is written until the server stops
// (and the log grows without bound). Appends must reach the file while
// the database stays open.
func TestBackgroundCheckpoint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "accord.db")
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, path, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	appendEntries(t, db, 0, 5000) // about 3 MB of entries, tiles and indexes
	// The checkpointer runs every 100 ms; a minute is only there so that a
	// checkpointer that never runs fails the test instead of hanging it.
	for deadline := time.Now().Add(time.Minute); size() < before+2<<20; {
		if time.Now().After(deadline) {
			t.Fatalf("the database file is %d bytes a minute after 5,000 appends (%d before): the log is not checkpointed", size(), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
