package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/accord-project/accord"
)

// PolicySink receives what the decision point decides from. The policy
// package's Snapshot implements it; sqlstore does not import policy.
type PolicySink interface {
	PutOrganization(id string, sector accord.Sector)
	PutAgreement(a *accord.Agreement)
	RemoveAgreement(id string)
	PutConsent(c *accord.Consent)
	PutLegalBasis(b *accord.LegalBasis)
	SetCareTeam(clientID string, staffIDs []string)
	RemoveClient(clientID string)
	SetLocalPolicies(text string) error
}

// PolicyFeed keeps a PolicySink current with the database. Every server
// process has one; Sync applies the changes other processes (or this one)
// have committed since the last call.
type PolicyFeed struct {
	db   *DB
	sink PolicySink
	mu   sync.Mutex
	seq  int64
	// began is when the last completed Sync started reading. A Sync that
	// arrives before that has nothing to do: every change committed before
	// it arrived has been applied.
	began time.Time
}

// LoadPolicy fills sink with everything the decision point reads, as of one
// consistent moment, and returns a feed positioned at that moment.
func (db *DB) LoadPolicy(ctx context.Context, sink PolicySink) (_ *PolicyFeed, err error) {
	defer accord.Wrap(&err, "LoadPolicy")
	opts := &sql.TxOptions{ReadOnly: true}
	if db.engine == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	f := &PolicyFeed{db: db, sink: sink}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM policy_changes`).Scan(&f.seq); err != nil {
		return nil, err
	}
	orgs, err := findOrganizations(ctx, tx, "")
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		sink.PutOrganization(o.ID, o.Sector)
	}
	as, err := findAgreements(ctx, tx, "")
	if err != nil {
		return nil, err
	}
	for i := range as {
		sink.PutAgreement(&as[i])
	}
	if err := eachConsent(ctx, tx, func(c *accord.Consent) { sink.PutConsent(c) }); err != nil {
		return nil, err
	}
	bs, err := findLegalBases(ctx, tx, "")
	if err != nil {
		return nil, err
	}
	for i := range bs {
		sink.PutLegalBasis(&bs[i])
	}
	teams, err := careTeams(ctx, tx, "")
	if err != nil {
		return nil, err
	}
	for client, staff := range teams {
		sink.SetCareTeam(client, staff)
	}
	text, err := localPolicies(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := sink.SetLocalPolicies(text); err != nil {
		// A bad stored policy set must not open anything up: refuse to start.
		return nil, err
	}
	return f, nil
}

// eachConsent streams every consent to fn, in batches, without holding
// them all in memory.
func eachConsent(ctx context.Context, q querier, fn func(*accord.Consent)) error {
	const batch = 10000
	after := ""
	for {
		cs, err := findConsents(ctx, q, `WHERE id > $1 ORDER BY id LIMIT $2`, after, batch)
		if err != nil {
			return err
		}
		for i := range cs {
			fn(&cs[i])
		}
		if len(cs) < batch {
			return nil
		}
		after = cs[len(cs)-1].ID
	}
}

func careTeams(ctx context.Context, q querier, clientID string) (map[string][]string, error) {
	query := `SELECT client_id, staff_id FROM care_team ORDER BY client_id, staff_id`
	var args []any
	if clientID != "" {
		query = `SELECT client_id, staff_id FROM care_team WHERE client_id = $1 ORDER BY staff_id`
		args = append(args, clientID)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var c, s string
		if err := rows.Scan(&c, &s); err != nil {
			return nil, err
		}
		out[c] = append(out[c], s)
	}
	return out, rows.Err()
}

// CareTeam returns the staff ids on a client's care team.
func (db *DB) CareTeam(ctx context.Context, clientID string) ([]string, error) {
	t, err := careTeams(ctx, db.read, clientID)
	return t[clientID], err
}

func localPolicies(ctx context.Context, q querier) (string, error) {
	var text string
	err := q.QueryRowContext(ctx, `SELECT text FROM local_policies WHERE id = 1`).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return text, err
}

// LocalPolicies returns the partnership's local Cedar forbid policies.
func (db *DB) LocalPolicies(ctx context.Context) (string, error) { return localPolicies(ctx, db.read) }

// SetLocalPolicies replaces the local Cedar policies. check validates them
// (the decision point's parser) before anything is stored.
func (db *DB) SetLocalPolicies(ctx context.Context, actor accord.Actor, text string, check func(string) error) (err error) {
	defer accord.Wrap(&err, "SetLocalPolicies")
	if err := check(text); err != nil {
		return err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO local_policies (id, text, updated_by, updated_at) VALUES (1, $1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET text = excluded.text, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		text, actor.StaffID, us(tx.now)); err != nil {
		return err
	}
	if err := tx.policyChanged(ctx, "local_policies", "1"); err != nil {
		return err
	}
	tx.record(changeEntry(actor, "local_policies.set", "local_policies", ""))
	return tx.commit(ctx)
}

// Sync applies every change committed since the last Sync (by any process)
// to the sink. Call it before deciding, so that a revocation committed
// anywhere takes effect on the next decision.
func (f *PolicyFeed) Sync(ctx context.Context) (err error) {
	defer accord.Wrap(&err, "PolicyFeed.Sync")
	arrived := time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.began.After(arrived) {
		return nil // a Sync that started after we arrived has just finished
	}
	began := time.Now()
	defer func() {
		if err == nil {
			f.began = began
		}
	}()
	for {
		rows, err := f.db.query(ctx, `SELECT seq, kind, object_id FROM policy_changes WHERE seq > $1 ORDER BY seq LIMIT 500`, f.seq)
		if err != nil {
			return err
		}
		type change struct {
			seq      int64
			kind, id string
		}
		var changes []change
		for rows.Next() {
			var c change
			if err := rows.Scan(&c.seq, &c.kind, &c.id); err != nil {
				rows.Close()
				return err
			}
			changes = append(changes, c)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, c := range changes {
			if err := f.apply(ctx, c.kind, c.id); err != nil {
				return err
			}
			f.seq = c.seq
		}
		if len(changes) < 500 {
			return nil
		}
	}
}

// Seq returns the position of the feed, for tests and metrics.
func (f *PolicyFeed) Seq() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seq
}

func (f *PolicyFeed) apply(ctx context.Context, kind, id string) error {
	q := f.db.read
	switch kind {
	case "organization":
		o, err := findOrgTx(ctx, q, id)
		if err != nil {
			return err
		}
		f.sink.PutOrganization(o.ID, o.Sector)
	case "agreement":
		as, err := findAgreements(ctx, q, `WHERE id = $1 ORDER BY version`, id)
		if err != nil {
			return err
		}
		f.sink.RemoveAgreement(id)
		for i := range as {
			f.sink.PutAgreement(&as[i])
		}
	case "consent":
		c, err := findConsent(ctx, q, id)
		if accord.ErrorCode(err) == accord.ENOTFOUND {
			return nil // erased since; RemoveClient handles it
		}
		if err != nil {
			return err
		}
		f.sink.PutConsent(c)
	case "legal_basis":
		bs, err := findLegalBases(ctx, q, `WHERE id = $1`, id)
		if err != nil {
			return err
		}
		for i := range bs {
			f.sink.PutLegalBasis(&bs[i])
		}
	case "care_team":
		t, err := careTeams(ctx, q, id)
		if err != nil {
			return err
		}
		f.sink.SetCareTeam(id, t[id])
	case "client_erased":
		f.sink.RemoveClient(id)
	case "local_policies":
		text, err := localPolicies(ctx, q)
		if err != nil {
			return err
		}
		return f.sink.SetLocalPolicies(text)
	}
	return nil
}
