package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/accord-project/accord"
)

// Retention: what each organisation holds about each client, read as
// counts, times and hold codes (accord.ClientFacts), judged by
// accord.PlanRetention, and purged one client per transaction by a
// persisted run (retention_runs, retention_items).

// retentionQuery is one of the queries that gather facts: over every
// client (all) or over one ($1, prepared once: a purge runs it per client).
// Those reading now take it as $1 and the client as $2, the others the
// client as $1.
type retentionQuery struct {
	all, one string
	now      bool
}

func factsQuery(q string) retentionQuery {
	return retentionQuery{all: strings.ReplaceAll(q, "{client}", ""), one: hot(strings.ReplaceAll(q, "{client}", " AND x.client_id = $1"))}
}

func factsQueryAt(q string) retentionQuery {
	return retentionQuery{all: strings.ReplaceAll(q, "{client}", ""), one: hot(strings.ReplaceAll(q, "{client}", " AND x.client_id = $2")), now: true}
}

var (
	// The home organisation's holding: the client row itself.
	qRetentionClients = retentionQuery{
		all: `SELECT id, home_organization_id, updated_at FROM clients WHERE erased_at IS NULL AND merged_into = ''`,
		one: hot(`SELECT id, home_organization_id, updated_at FROM clients WHERE erased_at IS NULL AND merged_into = '' AND id = $1`),
	}
	// Each returns client, organisation, kind, count, last activity and
	// how many are open.
	qRetentionFacts = []retentionQuery{
		factsQuery(`SELECT x.client_id, x.organization_id, CASE WHEN x.case_id = '' THEN 'records' ELSE 'notes' END, count(*), max(x.recorded_at), 0
			FROM records x WHERE 1 = 1{client} GROUP BY x.client_id, x.organization_id, CASE WHEN x.case_id = '' THEN 'records' ELSE 'notes' END`),
		factsQuery(`SELECT x.client_id, x.organization_id, 'screenings', count(*), max(x.recorded_at), 0
			FROM screenings x WHERE 1 = 1{client} GROUP BY x.client_id, x.organization_id`),
		// Cases: each participant's, then the lead's when not a participant.
		factsQuery(`SELECT x.client_id, p.organization_id, 'cases', count(*), max(COALESCE(x.closed_at, x.opened_at)),
			sum(CASE WHEN x.status = 'open' THEN 1 ELSE 0 END)
			FROM cases x JOIN case_participants p ON p.case_id = x.id WHERE 1 = 1{client} GROUP BY x.client_id, p.organization_id`),
		factsQuery(`SELECT x.client_id, x.lead_organization_id, 'cases', count(*), max(COALESCE(x.closed_at, x.opened_at)),
			sum(CASE WHEN x.status = 'open' THEN 1 ELSE 0 END)
			FROM cases x WHERE NOT EXISTS (SELECT 1 FROM case_participants p WHERE p.case_id = x.id AND p.organization_id = x.lead_organization_id){client}
			GROUP BY x.client_id, x.lead_organization_id`),
		// Referrals: the sender's side, then the receiver's.
		factsQuery(`SELECT x.client_id, x.from_org_id, 'referrals', count(*), max(x.updated_at),
			sum(CASE WHEN x.status IN ('sent', 'received', 'accepted', 'in_progress') THEN 1 ELSE 0 END)
			FROM referrals x WHERE 1 = 1{client} GROUP BY x.client_id, x.from_org_id`),
		factsQuery(`SELECT x.client_id, x.to_org_id, 'referrals', count(*), max(x.updated_at),
			sum(CASE WHEN x.status IN ('sent', 'received', 'accepted', 'in_progress') THEN 1 ELSE 0 END)
			FROM referrals x WHERE 1 = 1{client} GROUP BY x.client_id, x.to_org_id`),
		factsQuery(`SELECT x.client_id, x.organization_id, 'escalations', count(*), max(COALESCE(x.resolved_at, x.acknowledged_at, x.raised_at)),
			sum(CASE WHEN x.status IN ('open', 'acknowledged') THEN 1 ELSE 0 END)
			FROM escalations x WHERE 1 = 1{client} GROUP BY x.client_id, x.organization_id`),
		factsQuery(`SELECT x.client_id, x.organization_id, 'consents', count(*), max(COALESCE(x.revoked_at, x.created_at)), 0
			FROM consents x WHERE 1 = 1{client} GROUP BY x.client_id, x.organization_id`),
		factsQuery(`SELECT x.client_id, x.organization_id, 'keys', count(*), 0, 0 FROM client_keys x WHERE 1 = 1{client} GROUP BY x.client_id, x.organization_id`),
	}
	// Legal holds on the whole client.
	qRetentionHolds = []retentionQuery{
		factsQueryAt(`SELECT DISTINCT x.client_id, 'legal_basis' FROM legal_bases x
			WHERE (x.valid_from <= $1 AND x.expires_at > $1 OR x.review_status = 'pending'){client}`),
		factsQuery(`SELECT DISTINCT x.client_id, 'open_grievance' FROM cases x JOIN grievances g ON g.case_id = x.id
			WHERE g.status IN ('received', 'acknowledged', 'appealed') {client}`),
		factsQuery(`SELECT DISTINCT x.client_id, 'open_breach' FROM breach_clients x JOIN breaches b ON b.id = x.breach_id
			WHERE b.status <> 'closed' {client}`),
	}
)

// retentionFacts reads the facts of every live client, or of clientID
// alone, through q.
func retentionFacts(ctx context.Context, q querier, clientID string, now time.Time) ([]accord.ClientFacts, error) {
	pick := func(rq retentionQuery) (string, []any) {
		var args []any
		if rq.now {
			args = append(args, us(now))
		}
		if clientID == "" {
			return rq.all, args
		}
		return rq.one, append(args, clientID)
	}
	var order []string
	clients := map[string]*accord.ClientFacts{}
	holdings := map[string]map[string]*accord.HoldingFacts{} // client → organisation →
	holding := func(c *accord.ClientFacts, org string) *accord.HoldingFacts {
		byOrg := holdings[c.ClientID]
		if byOrg == nil {
			byOrg = map[string]*accord.HoldingFacts{}
			holdings[c.ClientID] = byOrg
		}
		if h := byOrg[org]; h != nil {
			return h
		}
		h := &accord.HoldingFacts{OrganizationID: org, Counts: map[accord.RetentionKind]int{}}
		byOrg[org] = h
		return h
	}
	query := qRetentionClients.all
	args := []any{}
	if clientID != "" {
		query, args = qRetentionClients.one, []any{clientID}
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c accord.ClientFacts
		var updated int64
		if err := rows.Scan(&c.ClientID, &c.HomeOrganizationID, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		clients[c.ClientID] = &c
		order = append(order, c.ClientID)
		holding(&c, c.HomeOrganizationID).LastActivity = fromUS(updated)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, rq := range qRetentionFacts {
		query, args := pick(rq)
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var client, org, kind string
			var n, open int
			var last int64
			if err := rows.Scan(&client, &org, &kind, &n, &last, &open); err != nil {
				rows.Close()
				return nil, err
			}
			c := clients[client]
			if c == nil || org == "" {
				continue // erased or merged: nothing of theirs is left to keep
			}
			h := holding(c, org)
			if t := fromUS(last); last > 0 && t.After(h.LastActivity) {
				h.LastActivity = t
			}
			switch kind {
			case "keys":
				h.Purgeable = true
				continue
			case "records", "screenings":
				h.Purgeable = true
			case "cases":
				if open > 0 {
					h.Holds = append(h.Holds, accord.HoldOpenCase)
				}
				if org != c.HomeOrganizationID {
					h.Holds = append(h.Holds, accord.HoldCaseRecord)
				}
			case "referrals":
				if open > 0 {
					h.Holds = append(h.Holds, accord.HoldOpenReferral)
				}
			case "escalations":
				if open > 0 {
					h.Holds = append(h.Holds, accord.HoldOpenEscalation)
				}
			}
			h.Counts[accord.RetentionKind(kind)] += n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for _, rq := range qRetentionHolds {
		query, args := pick(rq)
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var client, hold string
			if err := rows.Scan(&client, &hold); err != nil {
				rows.Close()
				return nil, err
			}
			if c := clients[client]; c != nil {
				c.Holds = append(c.Holds, accord.RetentionHold(hold))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]accord.ClientFacts, 0, len(order))
	for _, id := range order {
		c := clients[id]
		for _, h := range holdings[id] {
			c.Holdings = append(c.Holdings, *h)
		}
		slices.SortFunc(c.Holdings, func(a, b accord.HoldingFacts) int { return strings.Compare(a.OrganizationID, b.OrganizationID) })
		out = append(out, *c)
	}
	return out, nil
}

// allAgreementVersions returns every version of every agreement.
func allAgreementVersions(ctx context.Context, q querier) ([]accord.Agreement, error) {
	return findAgreements(ctx, q, `ORDER BY id, version`)
}

// RetentionPlan is what a purge would do now, from one consistent read.
func (db *DB) RetentionPlan(ctx context.Context) (_ *accord.RetentionPlan, err error) {
	defer accord.Wrap(&err, "RetentionPlan")
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: db.snapshotIsolation()})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return db.retentionPlan(ctx, tx, "", db.now().UTC())
}

func (db *DB) retentionPlan(ctx context.Context, q querier, clientID string, now time.Time) (*accord.RetentionPlan, error) {
	facts, err := retentionFacts(ctx, q, clientID, now)
	if err != nil {
		return nil, err
	}
	as, err := allAgreementVersions(ctx, q)
	if err != nil {
		return nil, err
	}
	return accord.PlanRetention(facts, as, now), nil
}

// RetentionRun is one purge run and how far it got.
type RetentionRun struct {
	ID         string     `json:"id"`
	StartedBy  string     `json:"started_by"`
	StartedAt  time.Time  `json:"started_at"`
	Status     string     `json:"status"` // running, finished
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	Planned    int        `json:"planned"`
	Done       int        `json:"done"`
	Skipped    int        `json:"skipped"`
}

// Retention run statuses and item states.
const (
	RetentionRunning  = "running"
	RetentionFinished = "finished"
	itemPending       = "pending"
	itemDone          = "done"
	itemSkipped       = "skipped"
)

const retentionRunColumns = `r.id, r.started_by, r.started_at, r.status, r.finished_at, r.planned,
	(SELECT count(*) FROM retention_items i WHERE i.run_id = r.id AND i.state = 'done'),
	(SELECT count(*) FROM retention_items i WHERE i.run_id = r.id AND i.state = 'skipped')`

func scanRetentionRuns(rows *sql.Rows, err error) ([]RetentionRun, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RetentionRun
	for rows.Next() {
		var r RetentionRun
		var started int64
		var finished nullUSCol
		if err := rows.Scan(&r.ID, &r.StartedBy, &started, &r.Status, &finished, &r.Planned, &r.Done, &r.Skipped); err != nil {
			return nil, err
		}
		r.StartedAt, r.FinishedAt = fromUS(started), finished.ptr()
		out = append(out, r)
	}
	return out, rows.Err()
}

// RetentionRuns returns the latest runs, newest first.
func (db *DB) RetentionRuns(ctx context.Context, limit int) ([]RetentionRun, error) {
	return scanRetentionRuns(db.read.QueryContext(ctx, `SELECT `+retentionRunColumns+` FROM retention_runs r ORDER BY r.started_at DESC, r.id LIMIT $1`, limit))
}

// FindRetentionRun returns one run, or ENOTFOUND.
func (db *DB) FindRetentionRun(ctx context.Context, id string) (*RetentionRun, error) {
	rs, err := scanRetentionRuns(db.read.QueryContext(ctx, `SELECT `+retentionRunColumns+` FROM retention_runs r WHERE r.id = $1`, id))
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "retention run not found")
	}
	return &rs[0], nil
}

// StartRetentionRun plans a purge and persists the run with every due
// item, in one transaction with its audit entry. When a run is still
// working it starts none and returns that one, with started false.
func (db *DB) StartRetentionRun(ctx context.Context, actor accord.Actor) (_ *RetentionRun, started bool, err error) {
	defer accord.Wrap(&err, "StartRetentionRun")
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback()
	var running string
	err = tx.QueryRowContext(ctx, `SELECT id FROM retention_runs WHERE status = 'running'`).Scan(&running)
	if err == nil {
		tx.Rollback()
		r, err := db.FindRetentionRun(ctx, running)
		return r, false, err
	}
	if err != sql.ErrNoRows {
		return nil, false, err
	}
	plan, err := db.retentionPlan(ctx, tx, "", tx.now)
	if err != nil {
		return nil, false, err
	}
	run := &RetentionRun{ID: accord.NewID(accord.PrefixRetentionRun, nil), StartedBy: actorID(actor), StartedAt: tx.now,
		Status: RetentionRunning, Planned: len(plan.Due)}
	if _, err := tx.ExecContext(ctx, `INSERT INTO retention_runs (id, started_by, started_at, status, planned) VALUES ($1, $2, $3, $4, $5)`,
		run.ID, run.StartedBy, us(run.StartedAt), run.Status, run.Planned); err != nil {
		if isUniqueViolation(err) {
			return nil, false, accord.Errorf(accord.ECONFLICT, "another purge run started at the same time")
		}
		return nil, false, err
	}
	const insert = `INSERT INTO retention_items (run_id, seq, client_id, organization_id, action, agreement_id, agreement_version,
		retention_days, due_since, counts, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending')`
	var st *sql.Stmt
	if len(plan.Due) > 0 {
		if st, err = tx.PrepareContext(ctx, insert); err != nil {
			return nil, false, err
		}
		defer st.Close()
	}
	for i, it := range plan.Due {
		if _, err := st.ExecContext(ctx, run.ID, i+1, it.ClientID, it.OrganizationID, it.Action, it.AgreementID, it.AgreementVersion,
			it.RetentionDays, us(it.DueSince), jsonValue(it.Counts)); err != nil {
			return nil, false, err
		}
	}
	e := changeEntry(actor, "retention.run.start", run.ID, "")
	e.Count = run.Planned
	tx.record(e)
	return run, true, tx.commit(ctx)
}

func actorID(a accord.Actor) string {
	if a.StaffID == "" {
		return "system"
	}
	return a.StaffID
}

// ClaimRetentionRun claims the running run for worker for lease, when no
// other worker holds it: a run whose worker died (its lease ran out) is
// taken over, so an interrupted run resumes. It returns nil when there is
// no run to work or another worker holds it.
func (db *DB) ClaimRetentionRun(ctx context.Context, worker string, lease time.Duration) (*RetentionRun, error) {
	now := db.now()
	var id string
	err := db.write.QueryRowContext(ctx, `UPDATE retention_runs SET claimed_by = $1, claimed_until = $2
		WHERE status = 'running' AND (claimed_until < $3 OR claimed_by = $1) RETURNING id`, worker, us(now.Add(lease)), us(now)).Scan(&id)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return db.FindRetentionRun(ctx, id)
}

// RetentionRunHolder says who holds the running run's claim and until
// when ("" when no run is running).
func (db *DB) RetentionRunHolder(ctx context.Context) (runID, worker string, until time.Time, err error) {
	var u int64
	err = db.read.QueryRowContext(ctx, `SELECT id, claimed_by, claimed_until FROM retention_runs WHERE status = 'running'`).Scan(&runID, &worker, &u)
	if err == sql.ErrNoRows {
		return "", "", time.Time{}, nil
	}
	return runID, worker, fromUS(u), err
}

// PendingRetentionClients returns up to limit clients with items still
// pending in the run, in plan order.
func (db *DB) PendingRetentionClients(ctx context.Context, runID string, limit int) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT client_id FROM retention_items WHERE run_id = $1 AND state = 'pending'
		GROUP BY client_id ORDER BY min(seq) LIMIT $2`, runID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

var (
	qRetentionPending = hot(`SELECT seq, organization_id, action, agreement_id, agreement_version FROM retention_items
		WHERE run_id = $1 AND client_id = $2 AND state = 'pending' ORDER BY seq`)
	qRetentionClaim = hot(`UPDATE retention_runs SET claimed_until = $1 WHERE id = $2 AND status = 'running' AND claimed_by = $3`)
	qRetentionMark  = hot(`UPDATE retention_items SET state = $1, outcome = $2, done_at = $3 WHERE run_id = $4 AND seq = $5 AND state = 'pending'`)
	qRetentionPurge = []string{
		hot(`DELETE FROM client_keys WHERE client_id = $1 AND organization_id = $2`),
		hot(`DELETE FROM records WHERE client_id = $1 AND organization_id = $2`),
		hot(`DELETE FROM screenings WHERE client_id = $1 AND organization_id = $2`),
	}
	qRetentionCareTeam = hot(`DELETE FROM care_team WHERE client_id = $1 AND staff_id IN (SELECT id FROM staff WHERE organization_id = $2)`)
)

// RetentionOutcome is what purging one client's items did.
type RetentionOutcome struct {
	Done    int
	Skipped int
}

// PurgeRetentionClient purges the client's pending items of the run in one
// transaction: each item is judged again now (new activity or a new hold
// since the plan skips it, with the reason), purged, marked done and
// recorded in the audit log together — so an item is purged at most once
// and a client never half. worker must hold the run's claim, which is
// extended by lease.
func (db *DB) PurgeRetentionClient(ctx context.Context, actor accord.Actor, runID, worker, clientID string, lease time.Duration) (out RetentionOutcome, err error) {
	defer accord.Wrap(&err, "PurgeRetentionClient")
	tx, err := db.begin(ctx)
	if err != nil {
		return out, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, qRetentionClaim, us(tx.now.Add(lease)), runID, worker)
	if err != nil {
		return out, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return out, accord.Errorf(accord.ECONFLICT, "this purge run is no longer claimed by this worker")
	}
	type pending struct {
		seq     int
		org     string
		action  accord.RetentionAction
		agr     string
		version int
	}
	rows, err := tx.QueryContext(ctx, qRetentionPending, runID, clientID)
	if err != nil {
		return out, err
	}
	var items []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.seq, &p.org, &p.action, &p.agr, &p.version); err != nil {
			rows.Close()
			return out, err
		}
		items = append(items, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, err
	}
	if len(items) == 0 {
		return out, nil // done by an earlier attempt
	}
	plan, err := db.retentionPlan(ctx, tx, clientID, tx.now)
	if err != nil {
		return out, err
	}
	mark := func(seq int, state, outcome string) error {
		_, err := tx.ExecContext(ctx, qRetentionMark, state, outcome, us(tx.now), runID, seq)
		return err
	}
	for _, p := range items {
		i := slices.IndexFunc(plan.Due, func(it accord.RetentionItem) bool { return it.OrganizationID == p.org && it.Action == p.action })
		if i < 0 {
			if err := mark(p.seq, itemSkipped, retentionSkipReason(plan, p.org)); err != nil {
				return out, err
			}
			out.Skipped++
			continue
		}
		it := plan.Due[i]
		switch it.Action {
		case accord.RetentionEraseClient:
			e := changeEntry(actor, "client.erase."+string(accord.ErasureRetentionEnded), clientID, clientID)
			e.HolderID, e.AgreementID, e.AgreementVersion = it.OrganizationID, it.AgreementID, it.AgreementVersion
			e.RequestID = runID
			if err := eraseClient(ctx, tx, e); err != nil {
				return out, err
			}
		case accord.RetentionPurgeHolding:
			deleted := 0
			for _, q := range qRetentionPurge {
				res, err := tx.ExecContext(ctx, q, clientID, it.OrganizationID)
				if err != nil {
					return out, err
				}
				n, _ := res.RowsAffected()
				deleted += int(n)
			}
			res, err := tx.ExecContext(ctx, qRetentionCareTeam, clientID, it.OrganizationID)
			if err != nil {
				return out, err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				if err := tx.policyChanged(ctx, "care_team", clientID); err != nil {
					return out, err
				}
			}
			e := changeEntry(actor, "retention.purge_holding", runID, clientID)
			e.Kind = accord.AuditErasure
			e.HolderID, e.AgreementID, e.AgreementVersion, e.Count = it.OrganizationID, it.AgreementID, it.AgreementVersion, deleted
			e.RequestID = runID
			tx.record(e)
		default:
			return out, fmt.Errorf("unknown retention action %q", it.Action)
		}
		if err := mark(p.seq, itemDone, ""); err != nil {
			return out, err
		}
		out.Done++
	}
	return out, tx.commit(ctx)
}

// retentionSkipReason says why an item planned for org is no longer due.
func retentionSkipReason(plan *accord.RetentionPlan, org string) string {
	for _, it := range plan.Held {
		if it.OrganizationID == org && len(it.Holds) > 0 {
			return string(it.Holds[0])
		}
	}
	for _, it := range plan.Due {
		if it.Action == accord.RetentionEraseClient {
			return "changed" // the whole client is now due: the next run erases it
		}
	}
	return "not_due"
}

// FinishRetentionRun marks the run finished once no item is pending, with
// its audit entry, and returns it; with items pending it changes nothing.
func (db *DB) FinishRetentionRun(ctx context.Context, actor accord.Actor, runID string) (_ *RetentionRun, err error) {
	defer accord.Wrap(&err, "FinishRetentionRun")
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var pendingN, done int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM retention_items WHERE run_id = $1 AND state = 'pending'`, runID).Scan(&pendingN); err != nil {
		return nil, err
	}
	if pendingN > 0 {
		tx.Rollback()
		return db.FindRetentionRun(ctx, runID)
	}
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM retention_items WHERE run_id = $1 AND state = 'done'`, runID).Scan(&done); err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE retention_runs SET status = 'finished', finished_at = $1, claimed_by = '', claimed_until = 0
		WHERE id = $2 AND status = 'running'`, us(tx.now), runID)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		e := changeEntry(actor, "retention.run.finish", runID, "")
		e.Count = done
		tx.record(e)
	}
	if err := tx.commit(ctx); err != nil {
		return nil, err
	}
	return db.FindRetentionRun(ctx, runID)
}

// LastRetentionRunStart returns when the latest run started, or false.
func (db *DB) LastRetentionRunStart(ctx context.Context) (time.Time, bool, error) {
	var t nullUSCol
	if err := db.read.QueryRowContext(ctx, `SELECT max(started_at) FROM retention_runs`).Scan(&t); err != nil {
		return time.Time{}, false, err
	}
	if !t.valid {
		return time.Time{}, false, nil
	}
	return fromUS(t.v), true, nil
}

// RetentionRunItem is one item of a run, as the page lists it.
type RetentionRunItem struct {
	Seq            int                    `json:"seq"`
	ClientID       string                 `json:"client_id"`
	OrganizationID string                 `json:"organization_id"`
	Action         accord.RetentionAction `json:"action"`
	AgreementID    string                 `json:"agreement_id"`
	State          string                 `json:"state"`
	Outcome        string                 `json:"outcome,omitempty"`
}

// RetentionRunItems returns a run's items in plan order.
func (db *DB) RetentionRunItems(ctx context.Context, runID string, limit int) ([]RetentionRunItem, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT seq, client_id, organization_id, action, agreement_id, state, outcome FROM retention_items
		WHERE run_id = $1 ORDER BY seq LIMIT $2`, runID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RetentionRunItem
	for rows.Next() {
		var it RetentionRunItem
		if err := rows.Scan(&it.Seq, &it.ClientID, &it.OrganizationID, &it.Action, &it.AgreementID, &it.State, &it.Outcome); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}
