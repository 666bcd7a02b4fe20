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
func (db *DB) VerifyAudit(ctx context.Context, opts VerifyOptions) (*auditlog.VerifyResult, error) {
	return db.verifyAudit(ctx, opts, verifyChunk)
}

// verifyAudit is VerifyAudit reading chunks of chunk entries (tests cross
// chunk and reader edges with smaller ones).
func (db *DB) verifyAudit(ctx context.Context, opts VerifyOptions, chunk uint64) (_ *auditlog.VerifyResult, err error) {
	defer accord.Wrap(&err, "VerifyAudit")
	// The readers stop when rctx ends; the verifier goes on with ctx.
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	readers := make([]*logReader, verifyReaders)
	defer func() {
		for _, r := range readers {
			if r != nil {
				r.close()
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

	// The chunks [lo, lo+chunk) up to the size, then everything
	// stored beyond it (nothing, unless inserted by hand), read in the
	// first reader's snapshot, where the size is the size.
	var chunks []logChunk
	for lo := uint64(0); lo < size; lo += chunk {
		chunks = append(chunks, logChunk{lo: lo, hi: min(lo+chunk, size), reader: len(chunks) % len(readers)})
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
	conn *sql.Conn // SQLite: a connection taken out of the pool, memory-mapping the file
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
	// A full scan runs a fifth faster when SQLite maps the file instead of
	// copying each page through read(2). The pool's connections do not map
	// it: a mapping is remapped, and its pages faulted in again, whenever
	// the file has grown, which costs the short reads of every request
	// more than it saves them. So the readers take connections of their
	// own, map the file, and are closed afterwards, never going back to the
	// pool mapped.
	if r.conn, err = db.read.Conn(ctx); err != nil {
		return nil, err
	}
	if _, err = r.conn.ExecContext(ctx, `PRAGMA mmap_size = 1073741824`); err == nil {
		r.tx, err = r.conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	}
	if err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

// close ends the reader's transaction and, on SQLite, closes its
// connection.
func (r *logReader) close() {
	if r.tx != nil {
		r.tx.Rollback()
	}
	if r.conn != nil {
		// ErrBadConn makes database/sql close the connection rather than
		// pool it.
		r.conn.Raw(func(any) error { return driver.ErrBadConn })
		r.conn.Close()
	}
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

// checkColumns compares an entry's query columns with its leaf, cheaply.
// It runs on every entry verify reads, so it first reads the leaf where
// EncodeLeaf puts the fields (canonical JSON: "time", "kind", then "actor",
// "actor_org" and "client" when not empty, first), and confirms the match
// from there without searching or time.Parse; anything else — a mismatch,
// or a leaf not laid out that way — is decided by searchColumns.
func checkColumns(leaf []byte, us int64, kind, actor, client string) string {
	if columnsAtHead(leaf, us, kind, actor, client) {
		return ""
	}
	return searchColumns(leaf, us, kind, actor, client)
}

// columnsAtHead reports whether the leaf begins with the fields of the
// columns, as EncodeLeaf writes them. False is no verdict.
func columnsAtHead(leaf []byte, us int64, kind, actor, client string) bool {
	tv, rest, ok := headField(leaf, `{"time":"`)
	if !ok {
		return false
	}
	if rest, ok = headString(rest, `,"kind":"`, kind); !ok {
		return false
	}
	if rest, ok = omittable(rest, `,"actor":"`, keyActor, actor); !ok {
		return false
	}
	if _, r, ok := headField(rest, `,"actor_org":"`); ok {
		rest = r
	}
	if _, ok = omittable(rest, `,"client":"`, keyClient, client); !ok {
		return false
	}
	got, ok := rfc3339Micro(tv)
	return ok && got == us
}

// headField returns the value of the string field key (`,"name":"`) that
// b begins with, and what follows its closing quote.
func headField(b []byte, key string) (value, rest []byte, ok bool) {
	if len(b) < len(key) || string(b[:len(key)]) != key {
		return nil, b, false
	}
	b = b[len(key):]
	i := bytes.IndexByte(b, '"')
	if i < 0 {
		return nil, b, false
	}
	return b[:i], b[i+1:], true
}

// omittable is headString for a field EncodeLeaf leaves out when empty:
// when want is empty, the field (needle) must be absent from all that
// follows, not merely from its place.
func omittable(b []byte, key string, needle []byte, want string) (rest []byte, ok bool) {
	if want == "" {
		return b, !bytes.Contains(b, needle)
	}
	return headString(b, key, want)
}

// headString is headField for a field whose value must be want.
func headString(b []byte, key, want string) (rest []byte, ok bool) {
	v, rest, ok := headField(b, key)
	return rest, ok && string(v) == want
}

// rfc3339Micro returns the Unix microseconds of a UTC time written
// YYYY-MM-DDTHH:MM:SS[.fraction]Z (as EncodeLeaf writes times), exactly as
// time.Parse(time.RFC3339Nano, …).UnixMicro() would; ok is false for
// anything else, valid or not.
func rfc3339Micro(b []byte) (us int64, ok bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[len(b)-1] != 'Z' {
		return 0, false
	}
	num := func(s []byte) (int64, bool) {
		n := int64(0)
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int64(c-'0')
		}
		return n, true
	}
	y, ok1 := num(b[0:4])
	mo, ok2 := num(b[5:7])
	d, ok3 := num(b[8:10])
	h, ok4 := num(b[11:13])
	mi, ok5 := num(b[14:16])
	s, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 {
		return 0, false
	}
	if d > 28 && d > int64(daysIn(time.Month(mo), int(y))) {
		return 0, false
	}
	frac := b[19 : len(b)-1]
	var ns int64
	if len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return 0, false
		}
		n, ok := num(frac[1:])
		if !ok {
			return 0, false
		}
		for range 10 - len(frac) {
			n *= 10
		}
		ns = n
	}
	// Days from 1970-01-01 to y-mo-d (proleptic Gregorian; H. Hinnant's
	// days_from_civil).
	if mo <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (mo + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := era*146097 + doe - 719468
	return (days*86400+h*3600+mi*60+s)*1_000_000 + ns/1000, true
}

// daysIn is the number of days of month m in year y.
func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// searchColumns is checkColumns for any leaf: each field is found by its
// key, and the keys come in the order of accord.AuditEntry's fields (time,
// kind, actor, actor_org, client, …), so each is looked for after the one
// before it first.
func searchColumns(leaf []byte, us int64, kind, actor, client string) string {
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
