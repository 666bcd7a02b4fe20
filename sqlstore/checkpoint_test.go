package sqlstore_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/accord-project/accord/sqlstore"
)

// TestWALStaysSmallUnderSustainedWrites: SQLite's write-ahead log holds
// every page written since it last started over; if it never starts over
// it grows as large as everything ever written (reads slow down, the disk
// fills). It starts over only when a write begins with all of it copied
// into the database file, which under sustained writes means the writer
// must checkpoint (a background checkpointer alone let it grow to the size
// of the database). Eight writers append 80,000 entries (about 70 MB)
// without pause; the log must stay well under a third of what they wrote
// (it reaches about 10 MB).
func TestWALStaysSmallUnderSustainedWrites(t *testing.T) {
	const per = 10_000
	path := filepath.Join(t.TempDir(), "accord.db")
	db, err := sqlstore.Open(context.Background(), path, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	size := func(p string) int64 {
		fi, err := os.Stat(p)
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	var largest int64
	stop := make(chan struct{})
	var watch sync.WaitGroup
	watch.Add(1)
	go func() {
		defer watch.Done()
		for {
			largest = max(largest, size(path+"-wal"))
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	var writers sync.WaitGroup
	for w := range 8 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			if err := tryAppendEntries(db, w*per, (w+1)*per); err != nil {
				t.Error(err)
			}
		}()
	}
	writers.Wait()
	close(stop)
	watch.Wait()
	if err := db.Close(); err != nil { // copies what is left into the file
		t.Fatal(err)
	}
	if written := size(path); largest > written/3 {
		t.Errorf("the write-ahead log reached %d MB while %d MB were written: it does not start over", largest>>20, written>>20)
	} else {
		t.Logf("the write-ahead log reached %d MB while %d MB were written", largest>>20, written>>20)
	}
}
