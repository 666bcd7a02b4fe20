package sqlstore

import (
	"context"
	"time"

	"github.com/accord-project/accord"
)

// EscalationChain returns an organisation's escalation contacts, level 0 first.
func (db *DB) EscalationChain(ctx context.Context, orgID string) ([]string, error) {
	return escalationChain(ctx, db.read, orgID)
}

func escalationChain(ctx context.Context, q querier, orgID string) ([]string, error) {
	rows, err := q.QueryContext(ctx, hqEscalation0, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// OrganizationSLA returns an organisation's own escalation times, in minutes.
func (db *DB) OrganizationSLA(ctx context.Context, orgID string) (map[accord.Urgency]int, error) {
	var m map[accord.Urgency]int
	err := db.read.QueryRowContext(ctx, `SELECT escalation_sla FROM organizations WHERE id = $1`, orgID).Scan(asJSON(&m))
	if m == nil {
		m = map[accord.Urgency]int{}
	}
	return m, err
}

// SetEscalationChain replaces an organisation's ordered escalation contacts
// and, when sla is not nil, its own escalation times.
func (db *DB) SetEscalationChain(ctx context.Context, actor accord.Actor, orgID string, staffIDs []string, sla map[accord.Urgency]int) (err error) {
	defer accord.Wrap(&err, "SetEscalationChain(%s)", orgID)
	if len(staffIDs) == 0 || len(staffIDs) > 10 {
		return accord.FieldErrorf("contacts", "an escalation chain has 1 to 10 contacts")
	}
	if hasDup(staffIDs) {
		return accord.FieldErrorf("contacts", "a contact is listed twice")
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range staffIDs {
		if err := requireStaffOf(ctx, tx, s, orgID); err != nil {
			return accord.FieldErrorf("contacts", "%s is not active staff of the organisation", s)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM escalation_contacts WHERE organization_id = $1`, orgID); err != nil {
		return err
	}
	for i, s := range staffIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO escalation_contacts (organization_id, level, staff_id) VALUES ($1, $2, $3)`, orgID, i, s); err != nil {
			return err
		}
	}
	if sla != nil {
		if err := accord.ValidateSLA("sla_minutes", sla); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE organizations SET escalation_sla = $1 WHERE id = $2`, jsonValue(sla), orgID); err != nil {
			return err
		}
	}
	tx.record(changeEntry(actor, "escalation_chain.set", orgID, ""))
	return tx.commit(ctx)
}

func hasDup(s []string) bool {
	seen := map[string]bool{}
	for _, x := range s {
		if seen[x] {
			return true
		}
		seen[x] = true
	}
	return false
}

// EscalationSLA returns how long each contact has to acknowledge an
// escalation of urgency u raised by fromOrg for org: the governing
// agreement between the two if it sets one, else the organisation's own,
// else the default for the urgency.
func (db *DB) EscalationSLA(ctx context.Context, fromOrg, org string, u accord.Urgency, now time.Time) (time.Duration, error) {
	var orgSLA string
	if err := db.read.QueryRowContext(ctx, `SELECT escalation_sla FROM organizations WHERE id = $1`, org).Scan(&orgSLA); err != nil {
		return 0, accord.FieldErrorf("organization_id", "no such organisation")
	}
	if fromOrg != org {
		as, err := findAgreements(ctx, db.read, `WHERE status = 'active' AND effective_from <= $1 AND effective_until > $1`, us(now))
		if err != nil {
			return 0, err
		}
		for i := range as {
			if a := &as[i]; containsAll(a.Parties, fromOrg, org) && a.EscalationSLA[u] > 0 {
				return time.Duration(a.EscalationSLA[u]) * time.Minute, nil
			}
		}
	}
	var m map[accord.Urgency]int
	if asJSON(&m).Scan(orgSLA) == nil && m[u] > 0 {
		return time.Duration(m[u]) * time.Minute, nil
	}
	return u.ResponseTime(), nil
}

func containsAll(s []string, xs ...string) bool {
	for _, x := range xs {
		found := false
		for _, y := range s {
			found = found || x == y
		}
		if !found {
			return false
		}
	}
	return true
}

// CreateEscalation raises an escalation: it goes to level 0 of the
// responsible organisation's chain with its clock armed, and the contact is
// told. An organisation without a chain cannot receive escalations.
func (db *DB) CreateEscalation(ctx context.Context, actor accord.Actor, e *accord.Escalation, sla time.Duration) (err error) {
	defer accord.Wrap(&err, "CreateEscalation")
	if err := e.Validate(); err != nil {
		return err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findClientTx(ctx, tx, e.ClientID); err != nil {
		return err
	}
	chain, err := escalationChain(ctx, tx, e.OrganizationID)
	if err != nil {
		return err
	}
	if len(chain) == 0 {
		return accord.FieldErrorf("organization_id", "that organisation has no escalation contacts; it cannot receive escalations")
	}
	e.ID, e.RaisedBy, e.RaisedAt, e.Level, e.ContactID = accord.NewID(accord.PrefixEscalation, nil), actor.StaffID, tx.now, 0, chain[0]
	e.SLASeconds, e.DueAt, e.Status, e.Version = int(sla.Seconds()), tx.now.Add(sla), accord.EscalationOpen, 1
	summary, err := db.sealText(ctx, tx, e.ClientID, e.OrganizationID, "escalation/"+e.ID+"/summary", e.Summary)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO escalations (id, client_id, case_id, kind, urgency, summary, organization_id, raised_by, raised_at, level,
		contact_id, due_at, sla_seconds, status, owner_id, exhausted, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, '', FALSE, $15)`,
		e.ID, e.ClientID, e.CaseID, e.Kind, e.Urgency, summary, e.OrganizationID, e.RaisedBy, us(e.RaisedAt), e.Level, e.ContactID, us(e.DueAt),
		e.SLASeconds, e.Status, e.Version); err != nil {
		return err
	}
	if e.CaseID != "" {
		if err := addCaseEvent(ctx, tx, e.CaseID, "escalation.raised", actor.StaffID, e.ID, "", string(e.Kind)); err != nil {
			return err
		}
	}
	fx := Effects{
		Timers:  []Timer{{Kind: TimerEscalationAck, SubjectID: e.ID, DueAt: e.DueAt}},
		Notices: []Notice{{StaffID: e.ContactID, Kind: "escalation.raised", SubjectID: e.ID}},
		Hooks:   []Hook{{OrganizationID: e.OrganizationID, Kind: "escalation.raised", SubjectID: e.ID}},
	}
	if err := db.applyEffects(ctx, tx, fx); err != nil {
		return err
	}
	tx.record(changeEntry(actor, "escalation.raise", e.ID, e.ClientID))
	return tx.commit(ctx)
}

// EscalationChange is an acknowledgement or a resolution.
type EscalationChange struct {
	Acknowledge bool
	Resolve     bool
	Cancel      bool
	Resolution  string
}

// UpdateEscalation acknowledges (the caller becomes the owner, with an
// action deadline), resolves or cancels an escalation at version.
func (db *DB) UpdateEscalation(ctx context.Context, actor accord.Actor, id string, version int, ch EscalationChange) (_ *accord.Escalation, err error) {
	defer accord.Wrap(&err, "UpdateEscalation(%s)", id)
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	e, err := db.findEscalation(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if version != 0 && e.Version != version {
		return nil, errStale("escalation")
	}
	now := tx.now
	var fx Effects
	action := ""
	switch {
	case ch.Acknowledge:
		if e.Status != accord.EscalationOpen {
			return nil, accord.Errorf(accord.ECONFLICT, "this escalation is %s, not waiting for acknowledgement", string(e.Status))
		}
		e.Status, e.OwnerID, e.AcknowledgedAt, e.DueAt = accord.EscalationAcknowledged, actor.StaffID, &now, now.Add(e.Urgency.ActionTime())
		fx = Effects{Disarm: []string{e.ID}, Timers: []Timer{{Kind: TimerEscalationAction, SubjectID: e.ID, DueAt: e.DueAt}},
			Notices: []Notice{{StaffID: e.RaisedBy, Kind: "escalation.acknowledged", SubjectID: e.ID}}}
		action = "escalation.acknowledge"
	case ch.Resolve, ch.Cancel:
		if !e.Live() {
			return nil, accord.Errorf(accord.ECONFLICT, "this escalation is already %s", string(e.Status))
		}
		if err := accord.CheckText("resolution", ch.Resolution, 2000, true); err != nil {
			return nil, err
		}
		e.Status, e.ResolvedAt, e.Resolution = accord.EscalationResolved, &now, ch.Resolution
		action = "escalation.resolve"
		if ch.Cancel {
			e.Status, action = accord.EscalationCancelled, "escalation.cancel"
		}
		fx = Effects{Disarm: []string{e.ID}, Notices: []Notice{{StaffID: e.RaisedBy, Kind: string(action), SubjectID: e.ID}}}
	default:
		return nil, accord.Errorf(accord.EINVALID, "nothing to change")
	}
	if err := db.saveEscalation(ctx, tx, e); err != nil {
		return nil, err
	}
	if e.CaseID != "" {
		if err := addCaseEvent(ctx, tx, e.CaseID, action, actor.StaffID, e.ID, "", ""); err != nil {
			return nil, err
		}
	}
	if err := db.applyEffects(ctx, tx, fx); err != nil {
		return nil, err
	}
	tx.record(changeEntry(actor, action, e.ID, e.ClientID))
	return e, tx.commit(ctx)
}

func (db *DB) saveEscalation(ctx context.Context, tx *Tx, e *accord.Escalation) error {
	resolution, err := db.sealText(ctx, tx, e.ClientID, e.OrganizationID, "escalation/"+e.ID+"/resolution", e.Resolution)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, hqSaveEscalation,
		e.Level, e.ContactID, us(e.DueAt), e.Status, e.OwnerID, nullUS(e.AcknowledgedAt), nullUS(e.ResolvedAt), resolution, e.Exhausted, e.ID, e.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errStale("escalation")
	}
	e.Version++
	return nil
}

// FindEscalation returns an escalation, or ENOTFOUND.
func (db *DB) FindEscalation(ctx context.Context, id string) (*accord.Escalation, error) {
	if !accord.ValidID(accord.PrefixEscalation, id) {
		return nil, accord.Errorf(accord.ENOTFOUND, "escalation not found")
	}
	return db.findEscalation(ctx, db.read, id)
}

func (db *DB) findEscalation(ctx context.Context, q querier, id string) (*accord.Escalation, error) {
	es, err := db.findEscalations(ctx, q, escalationByID, id)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "escalation not found")
	}
	return &es[0], nil
}

// EscalationFilter selects escalations.
type EscalationFilter struct {
	OrganizationID, ContactID, OwnerID, ClientID, CaseID string
	Live                                                 bool
}

// Escalations returns escalations matching f, soonest due first.
func (db *DB) Escalations(ctx context.Context, f EscalationFilter) ([]accord.Escalation, error) {
	where, args := "WHERE 1 = 1", []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where += " AND " + cond + placeholder(len(args))
	}
	if f.OrganizationID != "" {
		add("organization_id = ", f.OrganizationID)
	}
	if f.ContactID != "" {
		add("contact_id = ", f.ContactID)
	}
	if f.OwnerID != "" {
		add("owner_id = ", f.OwnerID)
	}
	if f.ClientID != "" {
		add("client_id = ", f.ClientID)
	}
	if f.CaseID != "" {
		add("case_id = ", f.CaseID)
	}
	if f.Live {
		where += " AND status IN ('open', 'acknowledged')"
	}
	return db.findEscalations(ctx, db.read, where+" ORDER BY due_at, id LIMIT 500", args...)
}

func (db *DB) findEscalations(ctx context.Context, q querier, where string, args ...any) ([]accord.Escalation, error) {
	rows, err := q.QueryContext(ctx, escalationSelect+where, args...)
	if err != nil {
		return nil, err
	}
	var out []accord.Escalation
	var summaries, resolutions [][]byte
	for rows.Next() {
		var e accord.Escalation
		var summary, resolution []byte
		var raised, due int64
		var acked, resolved nullUSCol
		if err := rows.Scan(&e.ID, &e.ClientID, &e.CaseID, &e.Kind, &e.Urgency, &summary, &e.OrganizationID, &e.RaisedBy, &raised, &e.Level, &e.ContactID,
			&due, &e.SLASeconds, &e.Status, &e.OwnerID, &acked, &resolved, &resolution, &e.Exhausted, &e.Version); err != nil {
			rows.Close()
			return nil, err
		}
		e.RaisedAt, e.DueAt, e.AcknowledgedAt, e.ResolvedAt = fromUS(raised), fromUS(due), acked.ptr(), resolved.ptr()
		out, summaries, resolutions = append(out, e), append(summaries, summary), append(resolutions, resolution)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for i := range out {
		e := &out[i]
		if e.Summary, err = db.openText(ctx, q, e.ClientID, e.OrganizationID, "escalation/"+e.ID+"/summary", summaries[i]); err != nil && !isShredded(err) {
			return nil, err
		}
		if e.Resolution, err = db.openText(ctx, q, e.ClientID, e.OrganizationID, "escalation/"+e.ID+"/resolution", resolutions[i]); err != nil && !isShredded(err) {
			return nil, err
		}
	}
	return out, nil
}

var hqEscalation0 = hot(`SELECT staff_id FROM escalation_contacts WHERE organization_id = $1 ORDER BY level`)

const escalationSelect = `SELECT id, client_id, case_id, kind, urgency, summary, organization_id, raised_by, raised_at, level, contact_id, due_at,
		sla_seconds, status, owner_id, acknowledged_at, resolved_at, resolution, exhausted, version FROM escalations `

const escalationByID = `WHERE id = $1`

var _ = hot(escalationSelect + escalationByID)

var hqSaveEscalation = hot(`UPDATE escalations SET level = $1, contact_id = $2, due_at = $3, status = $4, owner_id = $5, acknowledged_at = $6,
		resolved_at = $7, resolution = $8, exhausted = $9, version = version + 1 WHERE id = $10 AND version = $11`)
