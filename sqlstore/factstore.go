package sqlstore

import (
	"context"
	"database/sql/driver"
	"encoding/json"
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
	defer accord.Wrap(&err, "IndicatorFacts")
	if !from.Before(to) {
		return nil
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
	lo, hi := from.UnixNano(), to.UnixNano()
	var f accord.IndicatorFact
	keep := func(f *accord.IndicatorFact) error {
		if t := f.At[0].UnixNano(); t < lo || t >= hi || f.At[0].IsZero() {
			return nil
		}
		return fn(f)
	}
	return db.visit(ctx, tx, []string{"facts"}, `FROM indicator_facts`, nil, func(c []driver.Value) error {
		b, _ := c[0].([]byte)
		return decodeFacts(b, strs, &f, keep)
	})
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

// refreshFacts computes from one snapshot and writes unless another
// refresh was written since the snapshot (written false).
func (db *DB) refreshFacts(ctx context.Context) (r FactRefresh, written bool, err error) {
	tx, err := db.snapshot(ctx)
	if err != nil {
		return r, false, err
	}
	defer tx.Rollback()
	var built bool
	var auditSize, generation, size int64
	if err := tx.QueryRowContext(ctx, `SELECT built, audit_size, generation FROM indicator_facts_state WHERE id = 1`).Scan(&built, &auditSize, &generation); err != nil {
		return r, false, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT size FROM audit_head WHERE id = 1`).Scan(&size); err != nil {
		return r, false, err
	}
	type listed struct {
		client string
		n      int64
	}
	var dirty []listed
	clients := map[string]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT client_id, n FROM indicator_dirty`)
	if err != nil {
		return r, false, err
	}
	for rows.Next() {
		var d listed
		if err := rows.Scan(&d.client, &d.n); err != nil {
			rows.Close()
			return r, false, err
		}
		dirty = append(dirty, d)
		clients[d.client] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, false, err
	}
	// Past a fifth of a million clients, computing everyone's in one pass
	// is cheaper than looking so many up one by one.
	r.Full = !built || clients["*"] || len(clients) > fullRefreshOver
	if !r.Full {
		// Decisions appended since: the clients of those that were
		// disclosures.
		if err := db.visit(ctx, tx, []string{"a.leaf", "a.client_id"}, `FROM audit_entries a WHERE a.idx >= $1 AND a.idx < $2 AND a.kind = $3 AND a.client_id <> ''`,
			[]any{auditSize, size, string(accord.AuditDecision)}, func(c []driver.Value) error {
				if !clients[colStr(c[1])] && isDisclosure(colBytes(c[0])) {
					clients[strings.Clone(colStr(c[1]))] = true
				}
				return nil
			}); err != nil {
			return r, false, err
		}
		if len(clients) == 0 && auditSize == size {
			return r, true, nil
		}
	}
	s := &factStream{db: db, tx: tx, from: math.MinInt64, to: math.MaxInt64, auditLo: 0, auditHi: size}
	if !r.Full {
		list := make([]string, 0, len(clients))
		for c := range clients {
			list = append(list, c)
		}
		s.clients, _ = json.Marshal(list)
		if !clients[""] {
			s.only = map[string]bool{}
			for _, u := range factUnits {
				s.only[u.unit] = u.unit != "grievance"
			}
		}
	}
	// Facts are encoded as they come, client by client.
	strs, err := factStrings(ctx, tx)
	if err != nil {
		return r, false, err
	}
	ids := make(map[string]uint64, len(strs))
	for i, v := range strs {
		ids[v] = uint64(i)
	}
	intern := func(v string) uint64 {
		id, ok := ids[v]
		if !ok {
			id = uint64(len(strs))
			strs = append(strs, v)
			ids[v] = id
		}
		return id
	}
	unitIndex := map[string]int{}
	for i, u := range factUnits {
		unitIndex[u.unit] = i
	}
	encoders := map[string]*factEncoder{}
	s.fn = func(client string, f *accord.IndicatorFact) error {
		if !r.Full && !clients[client] {
			return nil // a survivor read for its duplicate's dimensions
		}
		e := encoders[client]
		if e == nil {
			e = &factEncoder{intern: intern}
			encoders[strings.Clone(client)] = e
		}
		e.add(unitIndex[f.Unit], f)
		r.Facts++
		return nil
	}
	if r.Full || len(clients) > 0 {
		if err := s.run(ctx); err != nil {
			return r, false, err
		}
	}
	known := len(strs)
	tx.Rollback()
	r.Clients = len(clients)
	if r.Full {
		r.Clients = len(encoders)
	}

	w, err := db.begin(ctx)
	if err != nil {
		return r, false, err
	}
	defer w.Rollback()
	var current int64
	if err := w.QueryRowContext(ctx, `UPDATE indicator_facts_state SET generation = generation + 1 WHERE id = 1 RETURNING generation`).Scan(&current); err != nil {
		return r, false, err
	}
	if current != generation+1 {
		return r, false, nil // another refresh was written since the snapshot
	}
	var have int64
	if err := w.QueryRowContext(ctx, `SELECT count(*) FROM indicator_fact_strings`).Scan(&have); err != nil {
		return r, false, err
	}
	for id := int(have) + 1; id < known; id++ {
		if _, err := w.ExecContext(ctx, `INSERT INTO indicator_fact_strings (id, value) VALUES ($1, $2)`, id, strs[id]); err != nil {
			return r, false, err
		}
	}
	if r.Full {
		if _, err := w.ExecContext(ctx, `DELETE FROM indicator_facts`); err != nil {
			return r, false, err
		}
	} else {
		del := make([]any, 0, len(clients))
		for c := range clients {
			del = append(del, c)
		}
		if err := execBatched(ctx, w, `DELETE FROM indicator_facts WHERE client_id IN (%s)`, 1, del); err != nil {
			return r, false, err
		}
	}
	// In the table's order: appending to a B-tree is cheaper than
	// inserting all over it.
	put := make([]any, 0, 2*len(encoders))
	for _, c := range slices.Sorted(maps.Keys(encoders)) {
		put = append(put, c, encoders[c].bytes())
	}
	if err := execBatched(ctx, w, `INSERT INTO indicator_facts (client_id, facts) VALUES %s`, 2, put); err != nil {
		return r, false, err
	}
	// Off the list, unless changed again since the snapshot.
	for _, d := range dirty {
		if _, err := w.ExecContext(ctx, `DELETE FROM indicator_dirty WHERE client_id = $1 AND n = $2`, d.client, d.n); err != nil {
			return r, false, err
		}
	}
	if _, err := w.ExecContext(ctx, `UPDATE indicator_facts_state SET built = $1, audit_size = $2 WHERE id = 1`, true, size); err != nil {
		return r, false, err
	}
	return r, true, w.commit(ctx)
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

// colBytes is a blob column; on SQLite a view, valid during the visit
// only.
func colBytes(v driver.Value) []byte {
	switch x := v.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	}
	return nil
}

// execBatched runs stmt — whose %s takes a list of groups of per
// placeholders: "($1)" or "($1, $2)" — over args, many groups a statement.
func execBatched(ctx context.Context, tx *Tx, stmt string, per int, args []any) error {
	const groups = 500
	for len(args) > 0 {
		n := min(len(args), groups*per)
		var list strings.Builder
		for i := 0; i < n; i += per {
			if i > 0 {
				list.WriteString(", ")
			}
			if per == 1 {
				fmt.Fprintf(&list, "$%d", i+1)
				continue
			}
			list.WriteByte('(')
			for j := range per {
				if j > 0 {
					list.WriteString(", ")
				}
				fmt.Fprintf(&list, "$%d", i+j+1)
			}
			list.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(stmt, list.String()), args[:n]...); err != nil {
			return err
		}
		args = args[n:]
	}
	return nil
}
