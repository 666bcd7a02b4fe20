package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/mod/sumdb/note"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
)

// maxBatch bounds how many audit entries one group commit writes.
const maxBatch = 4096

// auditLog appends to the audit log. Appends that arrive while a commit is
// in flight are written together by the next one (group commit): callers
// still wait until their own entries are durable, but many share one fsync.
type auditLog struct {
	db *DB

	// mu guards app and is held from writing a batch until its commit
	// returns, so app always matches what is committed. Lock order: a write
	// connection (transaction) first, then mu.
	mu  sync.Mutex
	app *auditlog.Appender // nil: reload from storage before the next append

	reqs     chan *appendReq
	start    sync.Once
	stop     chan struct{}
	stopped  chan struct{}
	stopOnce sync.Once

	tiles *auditlog.TileCache // for proofs; full tiles never change
	seen  atomic.Uint64       // the largest size of the log read so far
}

type appendReq struct {
	ctx     context.Context
	entries []accord.AuditEntry
	leaves  leafBatch // the entries' leaves, encoded by the caller
	done    chan error
}

// leafBatch is the encoded leaves of entries and their leaf hashes.
type leafBatch struct {
	leaves, hashes [][]byte
}

// encode encodes entries' leaves and hashes them, appending to lb. A
// leaf does not depend on the entry's index, so callers encode their own
// entries, in parallel, before the committer (which is serial) takes them.
func (lb *leafBatch) encode(entries []accord.AuditEntry) error {
	for i := range entries {
		leaf, err := auditlog.EncodeLeaf(&entries[i])
		if err != nil {
			return err
		}
		lb.leaves = append(lb.leaves, leaf)
		lb.hashes = append(lb.hashes, auditlog.LeafHash(leaf))
	}
	return nil
}

func newAuditLog(db *DB) *auditLog {
	a := &auditLog{db: db, reqs: make(chan *appendReq, maxBatch), stop: make(chan struct{}), stopped: make(chan struct{})}
	a.tiles = auditlog.NewTileCache(pooledTiles{db}, 4096)
	return a
}

// AppendAudit appends entries to the audit log and returns once they are
// durable. Entries of one call are contiguous in the log.
func (db *DB) AppendAudit(ctx context.Context, entries ...accord.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	a := db.audit
	a.start.Do(func() { go a.run() })
	now := db.now().UTC()
	req := accord.RequestFrom(ctx)
	for i := range entries {
		if entries[i].Time.IsZero() {
			entries[i].Time = now
		}
		stampRequest(&entries[i], req)
	}
	r := &appendReq{ctx: ctx, entries: entries, done: make(chan error, 1)}
	if err := r.leaves.encode(entries); err != nil {
		return err
	}
	select {
	case a.reqs <- r:
	case <-a.stop:
		return accord.Errorf(accord.EUNAVAILABLE, "the server is shutting down")
	case <-ctx.Done():
		return ctx.Err()
	}
	// Wait for the outcome even if ctx ends: the entry may already be in a
	// transaction, and a caller must never release data on an unknown outcome.
	return <-r.done
}

func (a *auditLog) run() {
	defer close(a.stopped)
	for {
		var first *appendReq
		select {
		case first = <-a.reqs:
		case <-a.stop:
			a.drain(errors.New("audit log closed"))
			return
		}
		batch := []*appendReq{first}
		n := len(first.entries)
	collect:
		for n < maxBatch {
			select {
			case r := <-a.reqs:
				batch = append(batch, r)
				n += len(r.entries)
			default:
				break collect
			}
		}
		// Drop requests whose caller gave up before anything was written.
		live := batch[:0]
		for _, r := range batch {
			if r.ctx.Err() != nil {
				r.done <- r.ctx.Err()
				continue
			}
			live = append(live, r)
		}
		if len(live) == 0 {
			continue
		}
		entries := make([]accord.AuditEntry, 0, n)
		lb := leafBatch{leaves: make([][]byte, 0, n), hashes: make([][]byte, 0, n)}
		for _, r := range live {
			entries = append(entries, r.entries...)
			lb.leaves = append(lb.leaves, r.leaves.leaves...)
			lb.hashes = append(lb.hashes, r.leaves.hashes...)
		}
		err := a.commitBatch(entries, lb)
		if err != nil {
			a.db.logger.Error("audit append failed", "entries", len(entries), "err", err)
		}
		for _, r := range live {
			r.done <- err
		}
	}
}

func (a *auditLog) drain(err error) {
	for {
		select {
		case r := <-a.reqs:
			r.done <- err
		default:
			return
		}
	}
}

func (a *auditLog) close() {
	a.stopOnce.Do(func() {
		close(a.stop)
		a.start.Do(func() { close(a.stopped) }) // never started
		<-a.stopped
	})
}

// commitBatch writes entries in a transaction of their own. The context is
// not the callers': once started, a batch finishes.
func (a *auditLog) commitBatch(entries []accord.AuditEntry, lb leafBatch) error {
	ctx := context.Background()
	stx, err := a.db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer stx.Rollback()
	return a.commitWith(ctx, &Tx{Tx: stx, db: a.db}, entries, lb)
}

// commitWith appends entries inside tx and commits tx. Change transactions
// use it too, so that a change and its audit entry commit together. lb
// holds the entries' leaves when the caller encoded them; when it is empty
// they are encoded here.
func (a *auditLog) commitWith(ctx context.Context, tx *Tx, entries []accord.AuditEntry, lb leafBatch) error {
	if len(lb.leaves) != len(entries) {
		lb = leafBatch{}
		if err := lb.encode(entries); err != nil {
			return err
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	next, err := a.appendLocked(ctx, tx, entries, lb)
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		a.app = nil // unknown outcome: reload from storage
		return err
	}
	a.app = next
	return nil
}

// invalidate makes the next append reload the tree from storage.
func (a *auditLog) invalidate() {
	a.mu.Lock()
	a.app = nil
	a.mu.Unlock()
}

func (a *auditLog) appendLocked(ctx context.Context, tx *Tx, entries []accord.AuditEntry, lb leafBatch) (*auditlog.Appender, error) {
	lock := hqAuditHead
	if a.db.engine == Postgres {
		// Other servers append too: take turns on the head row.
		lock += ` FOR UPDATE`
	}
	var size uint64
	if err := tx.QueryRowContext(ctx, lock).Scan(&size); err != nil {
		return nil, fmt.Errorf("locking audit head: %w", err)
	}
	app := a.app
	if app == nil || app.Size() != size {
		var err error
		if app, err = auditlog.NewAppender(ctx, size, tileReader{tx}); err != nil {
			return nil, err
		}
	}
	app = app.Clone()
	for i := range entries {
		entries[i].Index = int64(size) + int64(i)
	}
	tiles, err := app.Append(lb.hashes)
	if err != nil {
		return nil, err
	}
	if err := a.insertEntries(ctx, tx, entries, lb.leaves); err != nil {
		return nil, err
	}
	for _, t := range tiles {
		if _, err := tx.ExecContext(ctx, hqAudit0, int64(t.ID.Level), int64(t.ID.Index), t.Hashes); err != nil {
			return nil, fmt.Errorf("storing audit tile: %w", err)
		}
		if t.ID.Level == 0 && len(t.Hashes) == auditlog.TileWidth*auditlog.HashSize && a.db.proofParts {
			if err := storeProofParts(ctx, tx, t.ID.Index, t.Hashes); err != nil {
				return nil, err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, hqAudit1, int64(app.Size())); err != nil {
		return nil, err
	}
	return app, nil
}

// insertEntries inserts the entry rows. The engines differ here: SQLite,
// in-process, is fastest with one prepared statement run per row (a
// statement with hundreds of numbered parameters costs more to bind than to
// run), while PostgreSQL, across a socket, wants few round trips: rows go
// in 100 at a time.
func (a *auditLog) insertEntries(ctx context.Context, tx *Tx, entries []accord.AuditEntry, leaves [][]byte) error {
	if a.db.engine == SQLite {
		args := make([]any, 0, 6*auditRowsPerInsert)
		for start := 0; start < len(entries); {
			q, n := hqAuditRow, 1
			if len(entries)-start >= auditRowsPerInsert {
				q, n = hqAuditRows, auditRowsPerInsert
			}
			args = args[:0]
			for i := start; i < start+n; i++ {
				e := &entries[i]
				args = append(args, e.Index, us(e.Time), string(e.Kind), e.ActorID, e.ClientID, leaves[i])
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("inserting audit entry: %w", err)
			}
			start += n
		}
		return nil
	}
	const perInsert = 100
	for start := 0; start < len(entries); start += perInsert {
		end := min(start+perInsert, len(entries))
		var q strings.Builder
		q.WriteString(`INSERT INTO audit_entries (idx, time, kind, actor_id, client_id, leaf) VALUES `)
		args := make([]any, 0, 6*(end-start))
		for i := start; i < end; i++ {
			if i > start {
				q.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6)
			e := &entries[i]
			args = append(args, e.Index, us(e.Time), string(e.Kind), e.ActorID, e.ClientID, leaves[i])
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("inserting audit entries: %w", err)
		}
	}
	return nil
}

// storeProofParts stores the proof parts of the full level-0 tile index.
func storeProofParts(ctx context.Context, q querier, index uint64, hashes []byte) error {
	parts, err := auditlog.ProofParts(hashes)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO audit_proof_parts (id, nodes) VALUES `)
	args := make([]any, 0, 2*len(parts))
	for i, p := range parts {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "($%d, $%d)", 2*i+1, 2*i+2)
		args = append(args, int64(index)*auditlog.ProofPartsPerTile+int64(i), p)
	}
	b.WriteString(` ON CONFLICT (id) DO UPDATE SET nodes = excluded.nodes`)
	if _, err := q.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("storing audit proof parts: %w", err)
	}
	return nil
}

// fillProofParts stores the proof parts of every full level-0 tile, for a
// log written before they were kept (migration 15).
func fillProofParts(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, `SELECT idx FROM audit_tiles WHERE level = 0 AND length(hashes) = $1 ORDER BY idx`, auditlog.TileWidth*auditlog.HashSize)
	if err != nil {
		return err
	}
	var full []int64
	for rows.Next() {
		var i int64
		if err := rows.Scan(&i); err != nil {
			rows.Close()
			return err
		}
		full = append(full, i)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, i := range full {
		var hashes []byte
		if err := q.QueryRowContext(ctx, `SELECT hashes FROM audit_tiles WHERE level = 0 AND idx = $1`, i).Scan(&hashes); err != nil {
			return err
		}
		if err := storeProofParts(ctx, q, uint64(i), hashes); err != nil {
			return err
		}
	}
	return nil
}

// tileReader reads tiles through any querier (a transaction or a pool).
type tileReader struct{ q querier }

// pooledTiles reads tiles from the read pool one prepared point query at a
// time: proofs miss the cache for one or two tiles, and a prepared point
// query is cheaper than parsing a query for the batch.
type pooledTiles struct{ db *DB }

func (r pooledTiles) ReadTiles(ctx context.Context, ids []auditlog.TileID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	for i, id := range ids {
		err := r.db.queryRow(ctx, `SELECT hashes FROM audit_tiles WHERE level = $1 AND idx = $2`, int64(id.Level), int64(id.Index)).Scan(&out[i])
		if errors.Is(err, sql.ErrNoRows) {
			return nil, accord.Errorf(accord.ENOTFOUND, "audit %s is missing", id.String())
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ReadProofPart reads a proof part with one prepared point query.
func (r pooledTiles) ReadProofPart(ctx context.Context, tile uint64, part int) ([]byte, error) {
	if !r.db.proofParts {
		return nil, auditlog.ErrNoProofPart // the schema predates them
	}
	var nodes []byte
	err := r.db.queryRow(ctx, `SELECT nodes FROM audit_proof_parts WHERE id = $1`, int64(tile)*auditlog.ProofPartsPerTile+int64(part)).Scan(&nodes)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("proof part %d of tile %d: %w", part, tile, auditlog.ErrNoProofPart)
	}
	return nodes, err
}

func (r tileReader) ReadTiles(ctx context.Context, ids []auditlog.TileID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var q strings.Builder
	q.WriteString(`SELECT level, idx, hashes FROM audit_tiles WHERE `)
	args := make([]any, 0, 2*len(ids))
	pos := make(map[auditlog.TileID]int, len(ids))
	for i, id := range ids {
		if i > 0 {
			q.WriteString(" OR ")
		}
		fmt.Fprintf(&q, "(level = $%d AND idx = $%d)", 2*i+1, 2*i+2)
		args = append(args, int64(id.Level), int64(id.Index))
		pos[id] = i
	}
	rows, err := r.q.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var level, idx int64
		var hashes []byte
		if err := rows.Scan(&level, &idx, &hashes); err != nil {
			return nil, err
		}
		if i, ok := pos[auditlog.TileID{Level: uint(level), Index: uint64(idx)}]; ok {
			out[i] = hashes
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, t := range out {
		if t == nil {
			return nil, accord.Errorf(accord.ENOTFOUND, "audit %s is missing", ids[i].String())
		}
	}
	return out, nil
}

// auditSizeAtLeast returns the size of the log, or a size it has reached
// that is at least size, without a query when the log was seen that large
// before: the log only grows.
func (db *DB) auditSizeAtLeast(ctx context.Context, size uint64) (uint64, error) {
	if seen := db.audit.seen.Load(); size <= seen {
		return seen, nil
	}
	cur, err := db.AuditSize(ctx)
	if err != nil {
		return 0, err
	}
	for {
		seen := db.audit.seen.Load()
		if cur <= seen || db.audit.seen.CompareAndSwap(seen, cur) {
			return cur, nil
		}
	}
}

// AuditSize returns the number of entries in the audit log.
func (db *DB) AuditSize(ctx context.Context) (uint64, error) {
	var size int64
	err := db.queryRow(ctx, `SELECT size FROM audit_head WHERE id = 1`).Scan(&size)
	return uint64(size), err
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	ClientID string
	ActorID  string
	// After returns entries with index > After; -1 for the start.
	After int64
	// Before returns entries with index < Before when > 0 (newest first pages).
	Before int64
	Limit  int
	// Newest returns the latest entries first.
	Newest bool
}

// AuditEntries returns entries decoded from their stored leaves, so that
// what is shown is exactly what was hashed.
func (db *DB) AuditEntries(ctx context.Context, f AuditFilter) ([]accord.AuditEntry, error) {
	where := []string{"idx > $1"}
	args := []any{f.After}
	if f.Before > 0 {
		args = append(args, f.Before)
		where = append(where, fmt.Sprintf("idx < $%d", len(args)))
	}
	if f.ClientID != "" {
		args = append(args, f.ClientID)
		where = append(where, fmt.Sprintf("client_id = $%d", len(args)))
	}
	if f.ActorID != "" {
		args = append(args, f.ActorID)
		where = append(where, fmt.Sprintf("actor_id = $%d", len(args)))
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	order := "ASC"
	if f.Newest {
		order = "DESC"
	}
	args = append(args, f.Limit)
	rows, err := db.read.QueryContext(ctx, fmt.Sprintf(`SELECT idx, leaf FROM audit_entries WHERE %s ORDER BY idx %s LIMIT $%d`,
		strings.Join(where, " AND "), order, len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []accord.AuditEntry
	for rows.Next() {
		var idx int64
		var leaf []byte
		if err := rows.Scan(&idx, &leaf); err != nil {
			return nil, err
		}
		e, err := auditlog.DecodeLeaf(leaf)
		if err != nil {
			return nil, fmt.Errorf("audit entry %d: %w", idx, err)
		}
		e.Index = idx
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditLeaf returns the stored leaf bytes of one entry, or ENOTFOUND.
func (db *DB) AuditLeaf(ctx context.Context, index int64) ([]byte, error) {
	var leaf []byte
	err := db.read.QueryRowContext(ctx, `SELECT leaf FROM audit_entries WHERE idx = $1`, index).Scan(&leaf)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, accord.Errorf(accord.ENOTFOUND, "no audit entry %d", index)
	}
	return leaf, err
}

// InclusionProof returns the proof that entry index is in the tree of size
// entries.
func (db *DB) InclusionProof(ctx context.Context, index, size uint64) ([][]byte, error) {
	cur, err := db.auditSizeAtLeast(ctx, size)
	if err != nil {
		return nil, err
	}
	if size == 0 || size > cur || index >= size {
		return nil, accord.Errorf(accord.EINVALID, "need index < size <= %d", cur)
	}
	return auditlog.InclusionProof(ctx, db.audit.tiles, index, size)
}

// ConsistencyProof returns the proof that the tree of size m is a prefix of
// the tree of size n.
func (db *DB) ConsistencyProof(ctx context.Context, m, n uint64) ([][]byte, error) {
	cur, err := db.auditSizeAtLeast(ctx, n)
	if err != nil {
		return nil, err
	}
	if m == 0 || m > n || n > cur {
		return nil, accord.Errorf(accord.EINVALID, "need 0 < old <= new <= %d", cur)
	}
	return auditlog.ConsistencyProof(ctx, db.audit.tiles, m, n)
}

// RootAt returns the tree root at size.
func (db *DB) RootAt(ctx context.Context, size uint64) ([]byte, error) {
	return auditlog.RootAt(ctx, db.audit.tiles, size)
}

// SignCheckpoint signs and stores a checkpoint of the current tree, unless
// the latest stored one already covers it, and returns the latest signed
// note.
func (db *DB) SignCheckpoint(ctx context.Context, origin string, signer note.Signer) (_ []byte, err error) {
	defer accord.Wrap(&err, "SignCheckpoint")
	// Read size and root in one read transaction: one consistent tree.
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: db.snapshotIsolation()})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var size int64
	if err := tx.QueryRowContext(ctx, `SELECT size FROM audit_head WHERE id = 1`).Scan(&size); err != nil {
		return nil, err
	}
	latest, latestSize, err := db.latestCheckpoint(ctx, tx)
	if err != nil {
		return nil, err
	}
	if latest != nil && latestSize >= size {
		return latest, nil
	}
	root, err := auditlog.RootAt(ctx, tileReader{tx}, uint64(size))
	if err != nil {
		return nil, err
	}
	signed, err := auditlog.Sign(auditlog.Checkpoint{Origin: origin, Size: uint64(size), Hash: root}, signer)
	if err != nil {
		return nil, err
	}
	tx.Rollback()
	if _, err := db.write.ExecContext(ctx, `INSERT INTO audit_checkpoints (size, note, created_at) VALUES ($1, $2, $3) ON CONFLICT (size) DO NOTHING`,
		size, string(signed), us(db.now())); err != nil {
		return nil, err
	}
	return signed, nil
}

func (db *DB) snapshotIsolation() sql.IsolationLevel {
	if db.engine == Postgres {
		return sql.LevelRepeatableRead
	}
	return sql.LevelDefault // SQLite read transactions are snapshots in WAL mode
}

// LatestCheckpoint returns the latest stored signed checkpoint, or ENOTFOUND.
func (db *DB) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	note, _, err := db.latestCheckpoint(ctx, db.read)
	if err == nil && note == nil {
		err = accord.Errorf(accord.ENOTFOUND, "no checkpoint has been signed yet")
	}
	return note, err
}

func (db *DB) latestCheckpoint(ctx context.Context, q querier) ([]byte, int64, error) {
	var size int64
	var text string
	err := q.QueryRowContext(ctx, `SELECT size, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&size, &text)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	}
	return []byte(text), size, err
}

// Checkpoints returns stored signed checkpoints, newest first, at most limit.
func (db *DB) Checkpoints(ctx context.Context, limit int) ([][]byte, error) {
	return checkpoints(ctx, db.read, limit)
}

func checkpoints(ctx context.Context, q querier, limit int) ([][]byte, error) {
	rows, err := q.QueryContext(ctx, `SELECT note FROM audit_checkpoints ORDER BY size DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var text string
		if err := rows.Scan(&text); err != nil {
			return nil, err
		}
		out = append(out, []byte(text))
	}
	return out, rows.Err()
}

var hqAudit0 = hot(`INSERT INTO audit_tiles (level, idx, hashes) VALUES ($1, $2, $3)
			ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes`)

var hqAudit1 = hot(`UPDATE audit_head SET size = $1 WHERE id = 1`)

var hqAuditRow = hot(`INSERT INTO audit_entries (idx, time, kind, actor_id, client_id, leaf) VALUES (?, ?, ?, ?, ?, ?)`)

// auditRowsPerInsert is how many entries one SQLite insert takes when a
// batch has that many left: one statement run instead of sixteen saves
// database/sql's and the virtual machine's cost per call.
const auditRowsPerInsert = 16

var hqAuditRows = hot(`INSERT INTO audit_entries (idx, time, kind, actor_id, client_id, leaf) VALUES ` +
	strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?, ?, ?), `, auditRowsPerInsert), ", "))

var hqAuditHead = hot(`SELECT size FROM audit_head WHERE id = 1`)
