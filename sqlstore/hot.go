package sqlstore

import (
	"context"
	"database/sql"
)

// Hot statements are prepared once, when the database opens, and reused by
// every transaction. SQLite spends more time parsing a small statement than
// running it; for the statements on the paths that run thousands of times
// a second (firing timers, writing their effects, appending to the audit
// log) that parsing dominated.
var hotQueries []string

// hot registers a query as hot and returns it.
func hot(q string) string {
	hotQueries = append(hotQueries, q)
	return q
}

func (db *DB) prepareHot(ctx context.Context) error {
	if db.engine != SQLite {
		return nil // pgx caches prepared statements per connection itself
	}
	db.hot = make(map[string]*sql.Stmt, len(hotQueries))
	for _, q := range hotQueries {
		st, err := db.write.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		db.hot[q] = st
	}
	return nil
}

// ExecContext runs a statement in the transaction, through its prepared
// form when it is hot or the transaction prepares what it runs.
func (tx *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := tx.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, q, args...)
}

// QueryContext runs a query in the transaction, prepared as ExecContext.
func (tx *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := tx.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, q, args...)
}

// QueryRowContext runs a one-row query in the transaction, prepared as
// ExecContext.
func (tx *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := tx.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, q, args...)
}

// stmt returns the prepared form of q for this transaction, or nil to run
// it unprepared.
func (tx *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if st, ok := tx.db.hot[q]; ok {
		return tx.Tx.StmtContext(ctx, st)
	}
	if tx.prepared == nil {
		return nil
	}
	if st, ok := tx.prepared[q]; ok {
		return st
	}
	st, err := tx.Tx.PrepareContext(ctx, q)
	if err != nil {
		return nil // run unprepared: the error, if any, surfaces there
	}
	tx.prepared[q] = st
	return st
}
