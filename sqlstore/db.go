// Package sqlstore stores Accord's data in SQLite (embedded, the default) or
// PostgreSQL, behind one set of hand-written SQL queries.
//
// Both engines take the same query text: "$1" placeholders, ON CONFLICT
// upserts and RETURNING work in both, times are INTEGER microseconds and
// lists are JSON text. The dialect seam is the migrations (one numbered set
// per engine, embedded) and the few places PostgreSQL needs a row lock that
// SQLite's single writer makes unnecessary.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sealing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

//go:embed migrations
var migrations embed.FS

// Engine names the database engine behind a DB.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Options configure Open.
type Options struct {
	// Keyring holds the key-encryption key that wraps organisation data keys.
	Keyring *sealing.Keyring
	// Logger receives operational logs; never personal data.
	Logger *slog.Logger
	// Now is the clock; tests and the demo set it.
	Now func() time.Time
	// NoMigrate skips applying migrations (accord audit verify on a copy, say).
	NoMigrate bool
	// Email says an SMTP server is configured: notifications are then also
	// queued as e-mails to staff who have an address.
	Email bool
}

// DB is an open Accord database.
type DB struct {
	engine Engine
	// write takes every write. On SQLite it is a single connection: SQLite
	// has one writer at a time anyway, and one connection makes that a
	// queue in Go instead of SQLITE_BUSY retries.
	write *sql.DB
	// read serves reads; on SQLite WAL lets these run beside the writer.
	read *sql.DB
	// ckpt checkpoints SQLite's write-ahead log in the background (nil on
	// PostgreSQL).
	ckpt *walCheckpointer

	keyring *sealing.Keyring
	logger  *slog.Logger
	now     func() time.Time
	email   bool

	keys  keyCache
	audit *auditLog
	// factRefresh serialises refreshes of the stored indicator facts.
	factRefresh factRefresh
	stmts       stmtCache
	hot         map[string]*sql.Stmt // read-only after Open

	// proofParts: the schema has audit_proof_parts (migration 15). A
	// database opened with NoMigrate may predate it; proofs then read the
	// tiles.
	proofParts bool
	// storedFacts: the schema keeps indicator facts (migration 16); a
	// database opened with NoMigrate may predate it, and facts are then
	// computed from the tables.
	storedFacts bool

	closeOnce sync.Once
}

// Open opens (creating if needed) the database named by dsn: a postgres://
// or postgresql:// URL, or else a SQLite file path (optionally "file:" URI).
// It applies pending migrations unless opts.NoMigrate.
func Open(ctx context.Context, dsn string, opts Options) (_ *DB, err error) {
	defer accord.Wrap(&err, "sqlstore.Open")
	db := &DB{keyring: opts.Keyring, logger: opts.Logger, now: opts.Now, email: opts.Email}
	if db.logger == nil {
		db.logger = slog.New(slog.DiscardHandler)
	}
	if db.now == nil {
		db.now = time.Now
	}
	if IsPostgresDSN(dsn) {
		db.engine = Postgres
		if db.write, err = sql.Open("pgx", dsn); err != nil {
			return nil, err
		}
		db.write.SetMaxOpenConns(max(8, 4*runtime.GOMAXPROCS(0)))
		db.write.SetMaxIdleConns(max(8, 4*runtime.GOMAXPROCS(0)))
		db.write.SetConnMaxIdleTime(5 * time.Minute)
		db.read = db.write
	} else {
		db.engine = SQLite
		var ckpt *sql.DB
		if db.write, db.read, ckpt, err = openSQLite(dsn); err != nil {
			return nil, err
		}
		db.ckpt = startCheckpointer(ckpt, db.logger)
	}
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to %s: %w", db.engine, err)
	}
	if !opts.NoMigrate {
		if err := db.migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := db.prepareHot(ctx); err != nil {
		db.Close()
		return nil, err
	}
	for _, t := range []struct {
		table string
		has   *bool
	}{{"audit_proof_parts", &db.proofParts}, {"indicator_facts_state", &db.storedFacts}} {
		q := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1`
		if db.engine == Postgres {
			q = `SELECT count(*) FROM pg_class WHERE oid = to_regclass($1)`
		}
		var n int
		if err := db.read.QueryRowContext(ctx, q, t.table).Scan(&n); err != nil {
			db.Close()
			return nil, err
		}
		*t.has = n > 0
	}
	db.audit = newAuditLog(db)
	return db, nil
}

// IsPostgresDSN reports whether dsn names a PostgreSQL database.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// SQLite pragmas, set on every connection. Each is deliberate:
var sqlitePragmas = []string{
	// WAL: readers never block the writer and the writer never blocks readers.
	"journal_mode(WAL)",
	// FULL: a commit is fsynced before it returns, so an acknowledged write
	// (and audit entry) survives power loss, not only a killed process.
	// Group commit of audit entries keeps the fsync rate low.
	"synchronous(FULL)",
	// Wait up to 10 s for another process's lock (a second `accord serve`,
	// `accord audit verify`) instead of failing with SQLITE_BUSY.
	"busy_timeout(10000)",
	"foreign_keys(ON)",
	// Overwrite deleted content, so erased clients do not linger in free pages.
	"secure_delete(ON)",
	// Keep the WAL from growing without bound under constant writes.
	"journal_size_limit(67108864)",
}

func openSQLite(dsn string) (write, read, ckpt *sql.DB, err error) {
	file := strings.TrimPrefix(dsn, "file:")
	if i := strings.IndexByte(file, '?'); i >= 0 {
		file = file[:i]
	}
	if file == "" {
		return nil, nil, nil, accord.Errorf(accord.EINVALID, "the database path is empty")
	}
	q := url.Values{}
	for _, p := range sqlitePragmas {
		q.Add("_pragma", p)
	}
	// BEGIN IMMEDIATE: take the write lock when a write transaction starts,
	// not at its first write, so two processes never deadlock upgrading.
	wq := url.Values{"_txlock": {"immediate"}}
	for k, v := range q {
		wq[k] = v
	}
	if write, err = sql.Open("sqlite", "file:"+file+"?"+wq.Encode()); err != nil {
		return nil, nil, nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)

	rq := url.Values{}
	for k, v := range q {
		rq[k] = v
	}
	rq.Add("_pragma", "query_only(1)")
	// Readers copy pages through read(2) rather than map the file: a
	// mapping is remapped and faulted in again whenever the file grows,
	// which made every audited read a quarter slower. The one full scan
	// that gains from a mapping (accord audit verify) maps it on
	// connections of its own.
	rq.Add("_pragma", "mmap_size(0)")
	if read, err = sql.Open("sqlite", "file:"+file+"?"+rq.Encode()); err != nil {
		write.Close()
		return nil, nil, nil, err
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	if ckpt, err = sql.Open("sqlite", "file:"+file+"?"+q.Encode()); err != nil {
		write.Close()
		read.Close()
		return nil, nil, nil, err
	}
	ckpt.SetMaxOpenConns(1)
	ckpt.SetMaxIdleConns(1)
	ckpt.SetConnMaxLifetime(0)
	return write, read, ckpt, nil
}

// stmtCache holds prepared statements for the queries on the hot path of
// every request (authentication, finding a client, syncing the decision
// point). SQLite otherwise parses each query afresh, which costs more than
// running it.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// query runs a hot read query through a prepared statement on the read pool.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := db.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow is query for one row.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := db.prepared(ctx, query)
	if err != nil {
		// Let the error surface from Scan, as QueryRowContext would.
		return db.read.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	if st, ok := db.stmts.m[query]; ok {
		return st, nil
	}
	st, err := db.read.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if db.stmts.m == nil {
		db.stmts.m = map[string]*sql.Stmt{}
	}
	db.stmts.m[query] = st
	return st, nil
}

// Engine reports which engine the DB runs on.
func (db *DB) Engine() Engine { return db.engine }

// Close stops the audit committer and closes the connections.
func (db *DB) Close() error {
	var err error
	db.closeOnce.Do(func() {
		if db.audit != nil {
			db.audit.close()
		}
		db.stmts.mu.Lock()
		for _, st := range db.stmts.m {
			st.Close()
		}
		db.stmts.mu.Unlock()
		for _, st := range db.hot {
			st.Close()
		}
		if db.ckpt != nil {
			err = db.ckpt.close()
		}
		err = errors.Join(err, db.write.Close())
		if db.read != db.write {
			err = errors.Join(err, db.read.Close())
		}
	})
	return err
}

// Ping checks the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

func (db *DB) migrate(ctx context.Context) error {
	dir := "migrations/" + string(db.engine)
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)

	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if db.engine == Postgres {
		// Several servers may start at once: one migrates, the others wait.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7254021)`); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return err
	}
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", name)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, v).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		body, err := fs.ReadFile(migrations, path.Join(dir, name))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
		if v == 15 {
			// The proof parts of the log so far are computed, not SQL.
			if err := fillProofParts(ctx, tx); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, v, name, us(db.now())); err != nil {
			return err
		}
		db.logger.Info("migration applied", "engine", db.engine, "migration", name)
	}
	return tx.Commit()
}

// Tx is a write transaction with the time it started.
type Tx struct {
	*sql.Tx
	db  *DB
	now time.Time
	req accord.RequestInfo
	// audit collects the entries to append in this transaction.
	audit []accord.AuditEntry
	// prepared, when not nil, holds every statement the transaction ran,
	// prepared on first use: an import runs the same few thousands of
	// times, and SQLite parses slower than it inserts (hot.go).
	prepared map[string]*sql.Stmt
}

// begin starts a write transaction.
func (db *DB) begin(ctx context.Context) (*Tx, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &Tx{Tx: tx, db: db, now: db.now().UTC(), req: accord.RequestFrom(ctx)}, nil
}

// commit appends the transaction's audit entries to the log, inside the
// transaction, and commits: a change and its audit entry land together or
// not at all.
func (tx *Tx) commit(ctx context.Context) error {
	if len(tx.audit) > 0 {
		return tx.db.audit.commitWith(ctx, tx, tx.audit, leafBatch{})
	}
	return tx.Tx.Commit()
}

// record queues an audit entry to be written with the transaction.
func (tx *Tx) record(e accord.AuditEntry) {
	if e.Time.IsZero() {
		e.Time = tx.now
	}
	stampRequest(&e, tx.req)
	tx.audit = append(tx.audit, e)
}

// policyChanged notes that an object the decision point reads has changed,
// so that every server process reloads it. On PostgreSQL the table lock
// makes sequence numbers commit in order, so a reader that has seen seq N
// has seen everything before it.
func (tx *Tx) policyChanged(ctx context.Context, kind, id string) error {
	if tx.db.engine == Postgres {
		if _, err := tx.ExecContext(ctx, `LOCK TABLE policy_changes IN EXCLUSIVE MODE`); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO policy_changes (kind, object_id) VALUES ($1, $2)`, kind, id)
	return err
}

// stampRequest records on e the request it belongs to and the purpose the
// caller stated, unless e already says.
func stampRequest(e *accord.AuditEntry, req accord.RequestInfo) {
	if e.RequestID == "" {
		e.RequestID = req.ID
	}
	if e.Purpose == "" {
		e.Purpose = req.Purpose
	}
}

func us(t time.Time) int64 { return t.UnixMicro() }

func fromUS(v int64) time.Time { return time.UnixMicro(v).UTC() }

func fromNullUS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromUS(v.Int64)
	return &t
}

func nullUS(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: us(*t), Valid: true}
}
