package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
)

// Stored indicator facts. Computing every fact from the tables reads every
// referral, escalation, screening and client — at a million clients, ten
// seconds and more (docs/BENCHMARKS.md). So each client's facts are kept,
// encoded, in one row of indicator_facts, and kept current: triggers list
// every client whose rows change (indicator_dirty), and before facts are
// read, the listed clients' facts are computed again from the tables — by
// the same code, limited to them — and replaced. The audit log, whose
// decisions are the disclosures, only grows: its new entries since the last
// refresh name the clients to recompute. A client's facts are therefore
// always those the tables give, as of the refresh (the tests compare the
// two after every kind of change).

// factRefreshHook, set only by tests, runs between a refresh's snapshot
// and its write.
var factRefreshHook func()

// factRefresh serialises refreshes in this process; across processes,
// the state row's generation stops a refresh computed from an older
// snapshot from being written over a newer one.
type factRefresh struct{ sync.Mutex }

// IndicatorFacts calls fn with every unit counted by indicators whose first
// event (At[0]) is in [from, to): referrals, escalations, grievances,
// intakes, disclosures across organisations, break-glass accesses, clients
// needing an interpreter, cases and screened needs — the facts
// IndicatorFactsFromTables computes, read from the stored facts after
// bringing them up to date. Facts come client by client, in no particular
// order. The fact passed to fn is reused: fn must copy what it keeps. An
// error from fn stops the stream and is returned.
func (db *DB) IndicatorFacts(ctx context.Context, from, to time.Time, fn func(*accord.IndicatorFact) error) (err error) {
	return db.IndicatorFactsProgress(ctx, from, to, fn, nil)
}

// IndicatorFactsProgress is IndicatorFacts that also calls progress, when
// not nil, now and then with the clients' rows read so far and their
// number.
func (db *DB) IndicatorFactsProgress(ctx context.Context, from, to time.Time, fn func(*accord.IndicatorFact) error, progress func(done, total int64)) (err error) {
	defer accord.Wrap(&err, "IndicatorFacts")
	if !from.Before(to) {
		return nil
	}
	if !db.storedFacts { // a schema from before stored facts, opened without migrating
		return db.IndicatorFactsFromTables(ctx, from, to, fn)
	}
	if _, err := db.RefreshIndicatorFacts(ctx); err != nil {
		return err
	}
	tx, err := db.snapshot(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	strs, err := factStrings(ctx, tx)
	if err != nil {
		return err
	}
	var total, done int64
	if progress != nil {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM indicator_facts`).Scan(&total); err != nil {
			return err
		}
	}
	var f accord.IndicatorFact
	keep := func(f *accord.IndicatorFact) error {
		if f.At[0].IsZero() || f.At[0].Before(from) || !f.At[0].Before(to) {
			return nil
		}
		return fn(f)
	}
	err = db.visit(ctx, tx, []string{"client_id", "facts"}, `FROM indicator_facts`, nil, func(c []driver.Value) error {
		b, _ := c[1].([]byte)
		if err := decodeFacts(b, strs, rowPerson(colStr(c[0])), &f, keep); err != nil {
			if errors.Is(err, errFactCodec) {
				return fmt.Errorf("client %s: %w", colStr(c[0]), err)
			}
			return err
		}
		if done++; progress != nil && done%4096 == 0 {
			progress(done, total)
		}
		return nil
	})
	if err == nil && progress != nil {
		progress(done, total)
	}
	return err
}

// factStrings reads the strings stored facts name, by id (0 is "").
func factStrings(ctx context.Context, q querier) ([]string, error) {
	strs := []string{""}
	rows, err := q.QueryContext(ctx, `SELECT id, value FROM indicator_fact_strings ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		if id != int64(len(strs)) {
			return nil, fmt.Errorf("indicator fact string %d is missing", len(strs))
		}
		strs = append(strs, v)
	}
	return strs, rows.Err()
}

// storedFactsVersion names how stored facts are computed and encoded:
// change it with factUnits, the dimensions, the codec or any unit's rules,
// and the next refresh computes every client's facts again.
const storedFactsVersion = 1

// fullRefreshOver is the number of listed clients above which a refresh
// computes every client's facts.
const fullRefreshOver = 200_000

// FactRefresh says what RefreshIndicatorFacts did.
type FactRefresh struct {
	Full    bool // every client's facts were computed
	Clients int  // clients whose facts were computed
	Facts   int  // facts computed
}

// RefreshIndicatorFacts brings the stored indicator facts up to date: the
// first time, every client's; then the clients listed as changed and those
// named by decisions appended to the audit log since. IndicatorFacts calls
// it; the server also calls it now and then, so that a dashboard seldom
// waits for it.
func (db *DB) RefreshIndicatorFacts(ctx context.Context) (_ FactRefresh, err error) {
	defer accord.Wrap(&err, "RefreshIndicatorFacts")
	if !db.storedFacts {
		return FactRefresh{}, nil
	}
	db.factRefresh.Lock()
	defer db.factRefresh.Unlock()
	// Another process may write a refresh between this one's snapshot and
	// its write: then this one is computed again from a newer snapshot.
	for range 3 {
		r, written, err := db.refreshFacts(ctx)
		if err != nil || written {
			return r, err
		}
	}
	return FactRefresh{}, accord.Errorf(accord.ECONFLICT, "indicator facts are being refreshed by another process; try again")
}

// factListing is what a refresh reads first, from its snapshot.
type factListing struct {
	built                       bool
	auditSize, generation, size int64
	// dirty is indicator_dirty; clients are the clients to compute: those
	// listed and those of disclosures appended to the log since.
	dirty   []listedClient
	clients map[string]bool
}

type listedClient struct {
	client string
	n      int64
}

// refreshFacts computes from one snapshot and writes unless another
// refresh was written since the snapshot (written false).
func (db *DB) refreshFacts(ctx context.Context) (r FactRefresh, written bool, err error) {
	tx, err := db.snapshot(ctx)
	if err != nil {
		return r, false, err
	}
	defer tx.Rollback()
	l, err := db.listFactChanges(ctx, tx)
	if err != nil {
		return r, false, err
	}
	// Past a fifth of a million clients, computing everyone's in one pass
	// is cheaper than looking so many up one by one.
	r.Full = !l.built || l.clients["*"] || len(l.clients) > fullRefreshOver
	if !r.Full {
		if err := db.listNewDisclosures(ctx, tx, l); err != nil {
			return r, false, err
		}
		if len(l.clients) == 0 && l.auditSize == l.size {
			return r, true, nil // nothing changed
		}
	}
	c, err := db.computeStoredFacts(ctx, tx, l, r.Full)
	if err != nil {
		return r, false, err
	}
	tx.Rollback()
	if factRefreshHook != nil {
		factRefreshHook()
	}
	r.Facts, r.Clients = c.facts, len(l.clients)
	if r.Full {
		r.Clients = len(c.encoders)
	}
	written, err = db.writeStoredFacts(ctx, l, r.Full, c)
	return r, written, err
}

// listFactChanges reads the state and the listed clients.
func (db *DB) listFactChanges(ctx context.Context, tx *sql.Tx) (*factListing, error) {
	l := &factListing{clients: map[string]bool{}}
	var version int64
	if err := tx.QueryRowContext(ctx, `SELECT built, audit_size, generation, version FROM indicator_facts_state WHERE id = 1`).Scan(&l.built, &l.auditSize, &l.generation, &version); err != nil {
		return nil, err
	}
	l.built = l.built && version == storedFactsVersion
	if err := tx.QueryRowContext(ctx, `SELECT size FROM audit_head WHERE id = 1`).Scan(&l.size); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT client_id, n FROM indicator_dirty`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d listedClient
		if err := rows.Scan(&d.client, &d.n); err != nil {
			return nil, err
		}
		l.dirty = append(l.dirty, d)
		l.clients[d.client] = true
	}
	return l, rows.Err()
}

// listNewDisclosures adds the clients of the decisions appended to the
// audit log since the last refresh that were disclosures.
func (db *DB) listNewDisclosures(ctx context.Context, tx *sql.Tx, l *factListing) error {
	return db.visit(ctx, tx, []string{"a.leaf", "a.client_id"}, `FROM audit_entries a WHERE a.idx >= $1 AND a.idx < $2 AND a.kind = $3 AND a.client_id <> ''`,
		[]any{l.auditSize, l.size, string(accord.AuditDecision)}, func(c []driver.Value) error {
			if !l.clients[colStr(c[1])] && isDisclosure(colBytes(c[0])) {
				l.clients[strings.Clone(colStr(c[1]))] = true
			}
			return nil
		})
}

// computedFacts are the facts a refresh computed, encoded per client.
type computedFacts struct {
	encoders map[string]*factEncoder
	strs     []string // the strings they name, by id
	stored   int      // strings already stored (strs[:stored+1])
	facts    int
}

// computeStoredFacts computes the listed clients' facts (every client's
// when full) from the snapshot, with IndicatorFactsFromTables's code.
func (db *DB) computeStoredFacts(ctx context.Context, tx *sql.Tx, l *factListing, full bool) (*computedFacts, error) {
	strs, err := factStrings(ctx, tx)
	if err != nil {
		return nil, err
	}
	c := &computedFacts{encoders: map[string]*factEncoder{}, strs: strs, stored: len(strs) - 1}
	ids := make(map[string]uint64, len(strs))
	for i, v := range strs {
		ids[v] = uint64(i)
	}
	intern := func(v string) uint64 {
		id, ok := ids[v]
		if !ok {
			id = uint64(len(c.strs))
			c.strs = append(c.strs, v)
			ids[v] = id
		}
		return id
	}
	unitIndex := map[string]int{}
	for i, u := range factUnits {
		unitIndex[u.unit] = i
	}
	s := &factStream{db: db, tx: tx, from: math.MinInt64, to: math.MaxInt64, auditLo: 0, auditHi: l.size}
	if !full {
		if len(l.clients) == 0 {
			return c, nil
		}
		s.clients, _ = json.Marshal(slices.Collect(maps.Keys(l.clients)))
		if !l.clients[""] { // the grievances have not changed
			s.only = map[string]bool{}
			for _, u := range factUnits {
				s.only[u.unit] = u.unit != "grievance"
			}
		}
	}
	s.fn = func(client string, f *accord.IndicatorFact) error {
		if !full && !l.clients[client] {
			return nil // a survivor read for its duplicate's dimensions
		}
		e := c.encoders[client]
		if e == nil {
			e = &factEncoder{intern: intern, person: rowPerson(client)}
			c.encoders[strings.Clone(client)] = e
		}
		e.add(unitIndex[f.Unit], f)
		c.facts++
		return nil
	}
	return c, s.run(ctx)
}

// writeStoredFacts replaces the computed clients' facts (all when full),
// unless another refresh was written since the snapshot.
func (db *DB) writeStoredFacts(ctx context.Context, l *factListing, full bool, c *computedFacts) (written bool, err error) {
	w, err := db.begin(ctx)
	if err != nil {
		return false, err
	}
	defer w.Rollback()
	var current int64
	if err := w.QueryRowContext(ctx, `UPDATE indicator_facts_state SET generation = generation + 1 WHERE id = 1 RETURNING generation`).Scan(&current); err != nil {
		return false, err
	}
	if current != l.generation+1 {
		return false, nil
	}
	for id := c.stored + 1; id < len(c.strs); id++ {
		if _, err := w.ExecContext(ctx, `INSERT INTO indicator_fact_strings (id, value) VALUES ($1, $2)`, id, c.strs[id]); err != nil {
			return false, err
		}
	}
	if full {
		if _, err := w.ExecContext(ctx, `DELETE FROM indicator_facts`); err != nil {
			return false, err
		}
	} else {
		del := make([]any, 0, len(l.clients))
		for client := range l.clients {
			del = append(del, client)
		}
		if err := execBatched(ctx, w, `DELETE FROM indicator_facts WHERE client_id IN (%s)`, "?", del); err != nil {
			return false, err
		}
	}
	// In the table's order: appending to a B-tree is cheaper than
	// inserting all over it.
	put := make([]any, 0, 2*len(c.encoders))
	for _, client := range slices.Sorted(maps.Keys(c.encoders)) {
		put = append(put, client, c.encoders[client].bytes())
	}
	if err := execBatched(ctx, w, `INSERT INTO indicator_facts (client_id, facts) VALUES %s`, "(?, ?)", put); err != nil {
		return false, err
	}
	// Off the list, unless changed again since the snapshot.
	done := make([]any, 0, 2*len(l.dirty))
	for _, d := range l.dirty {
		done = append(done, d.client, d.n)
	}
	// On PostgreSQL a row a writer holds is skipped, not waited for (two
	// lists taken in different orders could deadlock): its writer is
	// about to count one more change, or rolls back and leaves it listed.
	del := `DELETE FROM indicator_dirty WHERE (client_id, n) IN (VALUES %s)`
	if db.engine == Postgres {
		del = `DELETE FROM indicator_dirty WHERE ctid IN (SELECT ctid FROM indicator_dirty WHERE (client_id, n) IN (VALUES %s) FOR UPDATE SKIP LOCKED)`
	}
	if err := execBatched(ctx, w, del, "(?, CAST(? AS BIGINT))", done); err != nil {
		return false, err
	}
	if _, err := w.ExecContext(ctx, `UPDATE indicator_facts_state SET built = $1, audit_size = $2, version = $3 WHERE id = 1`, true, l.size, storedFactsVersion); err != nil {
		return false, err
	}
	return true, w.commit(ctx)
}

// rowPerson is the person of a row of stored facts: its client's key, none
// for the grievances'.
func rowPerson(client string) uint64 {
	if client == "" {
		return 0
	}
	return personKey(client)
}

// isDisclosure reports whether a decision's leaf released a client's data
// across organisations, as the disclosures' facts count them.
func isDisclosure(leaf []byte) bool {
	e, err := auditlog.DecodeLeaf(leaf)
	if err != nil {
		return true // counted, or reported, when the client's facts are computed
	}
	return e.Effect == accord.Permit.String() && e.Released && e.HolderID != "" && e.ActorOrganizationID != "" && e.HolderID != e.ActorOrganizationID
}

// execBatched runs stmt, whose %s takes a comma-separated list of groups —
// group with ? for its arguments, say "(?, ?)" — over args, many groups a
// statement.
func execBatched(ctx context.Context, tx *Tx, stmt, group string, args []any) error {
	const groups = 500
	per := strings.Count(group, "?")
	for len(args) > 0 {
		n := min(len(args), groups*per)
		var list strings.Builder
		arg := 0
		for i := 0; i < n; i += per {
			if i > 0 {
				list.WriteString(", ")
			}
			for _, part := range strings.SplitAfter(group, "?") {
				if p, ok := strings.CutSuffix(part, "?"); ok {
					arg++
					fmt.Fprintf(&list, "%s$%d", p, arg)
				} else {
					list.WriteString(part)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(stmt, list.String()), args[:n]...); err != nil {
			return err
		}
		args = args[n:]
	}
	return nil
}
