package sqlstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
)

// VerifyOptions configure VerifyAudit.
type VerifyOptions struct {
	Origin    string
	Verifiers note.Verifiers
	// External is an earlier signed checkpoint the caller kept (optional).
	External []byte
	// Progress is called now and then with the entries checked so far, and the total.
	Progress func(done, total uint64)
}

// VerifyAudit recomputes the audit log's Merkle tree from the stored
// entries and checks it against the stored tiles, every stored signed
// checkpoint and opts.External, and checks that each entry's query columns
// (time, kind, actor, client) are those of its leaf — an entry re-labelled
// to hide it from a client's access report is caught too. The result names
// the first entry that does not match.
//
// It checks one consistent log: the size, the checkpoints and the entries
// as they were when it began, however the log grows meanwhile. The entries
// are read by verifyReaders connections in turns of verifyChunk entries,
// each reader hashing its entries and checking their columns, and the
// hashes are fed to the tree in index order.
func (db *DB) VerifyAudit(ctx context.Context, opts VerifyOptions) (_ *auditlog.VerifyResult, err error) {
	defer accord.Wrap(&err, "VerifyAudit")
	// The readers stop when rctx ends; the verifier goes on with ctx.
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	readers := make([]*logReader, verifyReaders)
	defer func() {
		for _, r := range readers {
			if r != nil {
				r.tx.Rollback()
			}
		}
	}()
	// The first reader's snapshot is the log that is checked.
	var size uint64
	var cps [][]byte
	for i := range readers {
		r, err := db.beginLogRead(rctx, readers[0])
		if err != nil {
			return nil, err
		}
		readers[i] = r
		if i == 0 {
			if size, err = r.size(ctx); err != nil {
				return nil, err
			}
			if cps, err = checkpoints(ctx, r.tx, 1<<30); err != nil {
				return nil, err
			}
		}
	}
	v, err := auditlog.NewVerifier(ctx, auditlog.VerifyOptions{
		Origin: opts.Origin, Verifiers: opts.Verifiers, Size: size, Tiles: tileReader{db.read},
		Checkpoints: cps, External: opts.External,
		Progress: func(done uint64) {
			if opts.Progress != nil {
				opts.Progress(done, size)
			}
		},
	})
	if err != nil {
		return nil, err
	}

	// The chunks [lo, lo+verifyChunk) up to the size, then everything
	// stored beyond it (nothing, unless inserted by hand), read in the
	// first reader's snapshot, where the size is the size.
	var chunks []logChunk
	for lo := uint64(0); lo < size; lo += verifyChunk {
		chunks = append(chunks, logChunk{lo: lo, hi: min(lo+verifyChunk, size), reader: len(chunks) % len(readers)})
	}
	chunks = append(chunks, logChunk{lo: size, reader: 0})
	var wg sync.WaitGroup
	for i, r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.run(rctx, db, chunks, i)
		}()
	}

	relabelled, problem := int64(-1), ""
	var rerr error
feed:
	for _, c := range chunks {
		r := readers[c.reader]
		var got *logChunk
		select {
		case got = <-r.out:
		case <-rctx.Done():
			break feed
		}
		if got.err != nil {
			rerr = got.err
			break
		}
		for i, idx := range got.idx {
			if relabelled < 0 && idx == got.bad {
				relabelled, problem = idx, fmt.Sprintf("entry %d: %s", idx, got.problem)
			}
			if !v.AddHash(uint64(idx), &got.hashes[i]) {
				break feed
			}
		}
		r.free <- got
	}
	cancel() // stops the readers, if they are not done
	wg.Wait()
	res, err := v.Finish()
	if err != nil {
		if rerr != nil {
			return nil, rerr
		}
		return nil, err
	}
	if rerr != nil {
		return nil, rerr
	}
	if relabelled >= 0 && (res.FirstBad < 0 || relabelled < res.FirstBad) {
		res.OK = false
		res.FirstBad, res.FirstBadEnd = relabelled, relabelled+1
		if res.Problem != "" {
			problem += "; " + res.Problem
		}
		res.Problem = problem
	}
	return res, nil
}

const (
	// verifyReaders is how many connections read the entries.
	verifyReaders = 2
	// verifyChunk is how many entries a reader reads in one query before
	// the next reader's turn.
	verifyChunk = 8192
	// chunksAhead is how many chunks a reader may have read and not yet
	// fed to the tree.
	chunksAhead = 3
)

// logReader reads chunks of the log in a read transaction of its own.
type logReader struct {
	tx   *sql.Tx
	out  chan *logChunk
	free chan *logChunk
}

// logChunk is a range of entries: which, and once read, their hashes.
type logChunk struct {
	lo, hi uint64 // hi == 0: every entry from lo on
	reader int    // which reader reads it

	idx     []int64
	hashes  [][auditlog.HashSize]byte
	bad     int64 // the first entry whose columns do not match its leaf, or -1
	problem string
	err     error
}

// beginLogRead starts a read transaction on a connection of its own. On
// PostgreSQL, every reader after the first imports the first reader's
// snapshot, so that all of them see the same log; on SQLite a snapshot
// cannot be shared between connections, but they need not be: entries
// below the first reader's size never change in a later one (the log is
// append-only, and a log altered meanwhile is not one VerifyAudit can
// vouch for either way), and what lies beyond it is read by the first.
func (db *DB) beginLogRead(ctx context.Context, first *logReader) (*logReader, error) {
	r := &logReader{out: make(chan *logChunk, chunksAhead), free: make(chan *logChunk, chunksAhead)}
	for range chunksAhead {
		r.free <- &logChunk{}
	}
	var err error
	if db.engine == Postgres {
		r.tx, err = db.read.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return nil, err
		}
		if first == nil {
			return r, nil
		}
		var snapshot string
		if err := first.tx.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
			r.tx.Rollback()
			return nil, err
		}
		if _, err := r.tx.ExecContext(ctx, `SET TRANSACTION SNAPSHOT '`+strings.ReplaceAll(snapshot, "'", "''")+`'`); err != nil {
			r.tx.Rollback()
			return nil, err
		}
		return r, nil
	}
	if r.tx, err = db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}); err != nil {
		return nil, err
	}
	return r, nil
}

// size reads the tree size in the reader's transaction (on SQLite, the
// first read, which fixes the snapshot).
func (r *logReader) size(ctx context.Context) (uint64, error) {
	var size int64
	err := r.tx.QueryRowContext(ctx, `SELECT size FROM audit_head WHERE id = 1`).Scan(&size)
	return uint64(size), err
}

// run reads the chunks this reader owns, in order, until they are read or
// ctx is done.
func (r *logReader) run(ctx context.Context, db *DB, chunks []logChunk, me int) {
	leaf := make([]byte, 0, 1024) // 0x00 ‖ the leaf, hashed in one call
	for i := range chunks {
		if chunks[i].reader != me {
			continue
		}
		var c *logChunk
		select {
		case c = <-r.free:
		case <-ctx.Done():
			return
		}
		c.lo, c.hi, c.reader = chunks[i].lo, chunks[i].hi, me
		c.idx, c.hashes, c.bad, c.problem, c.err = c.idx[:0], c.hashes[:0], -1, "", nil
		// Rows come in idx order: a range of the INTEGER PRIMARY KEY on
		// SQLite, ORDER BY on PostgreSQL. (Were they not, the verifier
		// would report entries out of order, not miss any.)
		rest, args := `FROM audit_entries WHERE idx >= $1`, []any{int64(c.lo)}
		if c.hi > 0 {
			rest, args = `FROM audit_entries WHERE idx >= $1 AND idx < $2`, []any{int64(c.lo), int64(c.hi)}
		}
		if db.engine == Postgres {
			rest += ` ORDER BY idx`
		}
		c.err = db.visitScan(ctx, r.tx, []string{"idx", "time", "kind", "actor_id", "client_id", "leaf"}, rest, args, func(cols []driver.Value) error {
			idx, _ := colInt(cols[0])
			us, _ := colInt(cols[1])
			b := colBytes(cols[5])
			if c.bad < 0 {
				if p := checkColumns(b, us, colStr(cols[2]), colStr(cols[3]), colStr(cols[4])); p != "" {
					c.bad, c.problem = idx, p
				}
			}
			leaf = append(append(leaf[:0], 0), b...)
			c.idx = append(c.idx, idx)
			c.hashes = append(c.hashes, sha256.Sum256(leaf))
			return nil
		})
		select {
		case r.out <- c:
		case <-ctx.Done():
			return
		}
		if c.err != nil {
			return
		}
	}
}

// checkColumns compares an entry's query columns with its leaf, cheaply:
// the leaf is canonical JSON, so each field is found by its key, and the
// keys come in the order of accord.AuditEntry's fields (time, kind, actor,
// actor_org, client, …), so each is looked for after the one before it
// first.
func checkColumns(leaf []byte, us int64, kind, actor, client string) string {
	tv, at := leafValue(leaf, keyTime, 0)
	kv, at := leafValue(leaf, keyKind, at)
	if string(kv) != kind {
		return "its kind column does not match its leaf"
	}
	av, at := leafValue(leaf, keyActor, at)
	if string(av) != actor {
		return "its actor column does not match its leaf"
	}
	if cv, _ := leafValue(leaf, keyClient, at); string(cv) != client {
		return "its client column does not match its leaf"
	}
	t, err := time.Parse(time.RFC3339Nano, string(tv))
	if err != nil || t.UnixMicro() != us {
		return "its time column does not match its leaf"
	}
	return ""
}

var (
	keyTime   = []byte(`"time":"`)
	keyKind   = []byte(`"kind":"`)
	keyActor  = []byte(`"actor":"`)
	keyClient = []byte(`"client":"`)
)

// leafValue returns the string value of the first top-level key (given as
// `"key":"`) in a canonical leaf, or nil when absent, and where the value
// ends. Leaf values of these keys are ids, codes and times, which JSON
// writes without escapes. It looks from offset from first: the key cannot
// occur before the keys that precede it in a canonical leaf, and the
// needle matches only where a key is, as a quote inside a JSON string is
// escaped. Where it is not found from there, it looks from the start.
func leafValue(leaf, key []byte, from int) ([]byte, int) {
	i := bytes.Index(leaf[from:], key)
	if i >= 0 {
		i += from
	} else if from > 0 {
		i = bytes.Index(leaf, key)
	}
	if i < 0 {
		return nil, from
	}
	start := i + len(key)
	j := bytes.IndexByte(leaf[start:], '"')
	if j < 0 {
		return nil, from
	}
	return leaf[start : start+j], start + j
}
