package sqlstore

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"
)

// checkpointEvery is how often the background checkpointer copies the
// write-ahead log's new pages into the database file.
const checkpointEvery = 100 * time.Millisecond

// walCheckpointer copies SQLite's write-ahead log into the database file
// in the background, on a connection of its own.
//
// SQLite checkpoints inside the commit that takes the log past 1,000
// pages: that commit copies the pages into the file and fsyncs it before it
// returns, and every audited read and audit append queued behind it waits.
// A PASSIVE checkpoint on another connection runs beside the writer without
// blocking it, so this one copies the pages as they come, and the commit's
// own checkpoint finds little or nothing left to copy.
//
// The commit's checkpoint stays on (wal_autocheckpoint), because only it
// lets the log start over: SQLite rewinds the log when a write begins with
// every page of it copied, which under sustained writes is only ever true
// right after the writer's own checkpoint. With it off, the log grew as
// large as everything written.
type walCheckpointer struct {
	conn   *sql.DB
	logger *slog.Logger
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
}

func startCheckpointer(conn *sql.DB, logger *slog.Logger) *walCheckpointer {
	c := &walCheckpointer{conn: conn, logger: logger, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

func (c *walCheckpointer) run() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	var logged time.Time
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		// PASSIVE never waits for readers or the writer: it copies what
		// no reader still needs, and the rest next time. With nothing
		// new in the log it only reads the log's header.
		// A failure (a full disk, an I/O error) is said once a minute at
		// most; the writer's own checkpoint still runs.
		if err := c.checkpoint(context.Background()); err != nil && time.Since(logged) > time.Minute {
			logged = time.Now()
			c.logger.Error("checkpointing the write-ahead log", "err", err)
		}
	}
}

func (c *walCheckpointer) checkpoint(ctx context.Context) error {
	_, err := c.conn.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
	return err
}

// close stops the checkpointer and closes its connection. Closing the
// last connection to the database checkpoints what is left.
func (c *walCheckpointer) close() error {
	c.once.Do(func() {
		close(c.stop)
		<-c.done
	})
	return c.conn.Close()
}
