package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/accord-project/accord"
)

// errStale is returned when an update names a version that is no longer current.
func errStale(what string) error {
	switch what {
	case "case":
		return accord.Errorf(accord.EPRECONDITION, "the case was changed by someone else since you loaded it; reload it and try again")
	case "task":
		return accord.Errorf(accord.EPRECONDITION, "the task was changed by someone else since you loaded it; reload it and try again")
	case "referral":
		return accord.Errorf(accord.EPRECONDITION, "the referral was changed by someone else since you loaded it; reload it and try again")
	case "client":
		return accord.Errorf(accord.EPRECONDITION, "the client's details were changed by someone else since you loaded them; reload them and try again")
	case "action_plan":
		return accord.Errorf(accord.EPRECONDITION, "the action plan was changed by someone else since you loaded it; reload it and try again")
	default:
		return accord.Errorf(accord.EPRECONDITION, "the escalation was changed by someone else since you loaded it; reload it and try again")
	}
}

// CreateCase opens a joint case. Every participant's staff member joins the
// client's care team. The case's free text is sealed under the client's key
// with the lead organisation.
func (db *DB) CreateCase(ctx context.Context, actor accord.Actor, c *accord.Case) (err error) {
	defer accord.Wrap(&err, "CreateCase")
	if err := c.Validate(); err != nil {
		return err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findClientTx(ctx, tx, c.ClientID); err != nil {
		return err
	}
	c.ID = accord.NewID(accord.PrefixCase, nil)
	c.Status, c.OpenedAt, c.Version = accord.CaseOpen, tx.now, 1
	if c.Goals == nil {
		c.Goals = []accord.Goal{}
	}
	if c.Outcomes == nil {
		c.Outcomes = []accord.Outcome{}
	}
	title, err := db.sealText(ctx, tx, c.ClientID, c.LeadOrganizationID, "case/"+c.ID+"/title", c.Title)
	if err != nil {
		return err
	}
	goals, err := db.sealJSON(ctx, tx, c, "goals", c.Goals)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO cases (id, client_id, lead_organization_id, title, status, opened_by, opened_at, goals, outcomes, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		c.ID, c.ClientID, c.LeadOrganizationID, title, c.Status, c.OpenedBy, us(c.OpenedAt), goals, jsonValue(c.Outcomes), c.Version); err != nil {
		return err
	}
	for i := range c.Participants {
		p := &c.Participants[i]
		p.AddedAt = tx.now
		if err := db.insertParticipant(ctx, tx, c, p); err != nil {
			return err
		}
	}
	if err := addCaseEvent(ctx, tx, c.ID, "case.opened", actor.StaffID, c.ID, "", ""); err != nil {
		return err
	}
	tx.record(changeEntry(actor, "case.open", c.ID, c.ClientID))
	return tx.commit(ctx)
}

func (db *DB) insertParticipant(ctx context.Context, tx *Tx, c *accord.Case, p *accord.Participant) error {
	if err := requireStaffOf(ctx, tx, p.StaffID, p.OrganizationID); err != nil {
		return err
	}
	resp, err := db.sealText(ctx, tx, c.ClientID, c.LeadOrganizationID, "case/"+c.ID+"/participant/"+p.OrganizationID, p.Responsibility)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_participants (case_id, organization_id, staff_id, responsibility, added_at) VALUES ($1, $2, $3, $4, $5)`,
		c.ID, p.OrganizationID, p.StaffID, nonNilBytes(resp), us(p.AddedAt)); err != nil {
		if isUniqueViolation(err) {
			return accord.FieldErrorf("organization_id", "that organisation already works this case")
		}
		return err
	}
	return addCareTeam(ctx, tx, c.ClientID, p.StaffID)
}

func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// requireStaffOf checks a staff member exists, is active and works for org.
func requireStaffOf(ctx context.Context, q querier, staffID, orgID string) error {
	var org string
	var active bool
	err := q.QueryRowContext(ctx, `SELECT organization_id, active FROM staff WHERE id = $1`, staffID).Scan(&org, &active)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (!active || org != orgID) {
		return accord.FieldErrorf("staff_id", "no active staff member %s at that organisation", staffID)
	}
	return err
}

func (db *DB) sealJSON(ctx context.Context, q querier, c *accord.Case, field string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return db.sealText(ctx, q, c.ClientID, c.LeadOrganizationID, "case/"+c.ID+"/"+field, string(b))
}

func addCaseEvent(ctx context.Context, tx *Tx, caseID, kind, actorID, objectID string, cat accord.Category, detail string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_events (case_id, at, kind, actor_id, object_id, category, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		caseID, us(tx.now), kind, actorID, objectID, string(cat), detail)
	return err
}

// FindCase returns a case with its free text opened, or ENOTFOUND.
func (db *DB) FindCase(ctx context.Context, id string) (*accord.Case, error) {
	if !accord.ValidID(accord.PrefixCase, id) {
		return nil, accord.Errorf(accord.ENOTFOUND, "case not found")
	}
	return db.findCase(ctx, db.read, id)
}

func (db *DB) findCase(ctx context.Context, q querier, id string) (*accord.Case, error) {
	var c accord.Case
	var title, goals, reason []byte
	var opened int64
	var closed sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT id, client_id, lead_organization_id, title, status, opened_by, opened_at, closed_at, close_reason, goals, outcomes, version
		FROM cases WHERE id = $1`, id).Scan(&c.ID, &c.ClientID, &c.LeadOrganizationID, &title, &c.Status, &c.OpenedBy, &opened, &closed, &reason, &goals,
		asJSON(&c.Outcomes), &c.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, accord.Errorf(accord.ENOTFOUND, "case not found")
	}
	if err != nil {
		return nil, err
	}
	c.OpenedAt, c.ClosedAt = fromUS(opened), fromNullUS(closed)
	if c.Title, err = db.openText(ctx, q, c.ClientID, c.LeadOrganizationID, "case/"+c.ID+"/title", title); err != nil {
		return nil, err
	}
	if c.CloseReason, err = db.openText(ctx, q, c.ClientID, c.LeadOrganizationID, "case/"+c.ID+"/close_reason", reason); err != nil {
		return nil, err
	}
	g, err := db.openText(ctx, q, c.ClientID, c.LeadOrganizationID, "case/"+c.ID+"/goals", goals)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(g), &c.Goals); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT organization_id, staff_id, responsibility, added_at FROM case_participants WHERE case_id = $1 ORDER BY added_at, organization_id`, id)
	if err != nil {
		return nil, err
	}
	// Read every row before opening anything: PostgreSQL cannot run another
	// query on a transaction's connection while rows are open.
	var sealed [][]byte
	for rows.Next() {
		var p accord.Participant
		var resp []byte
		var added int64
		if err := rows.Scan(&p.OrganizationID, &p.StaffID, &resp, &added); err != nil {
			rows.Close()
			return nil, err
		}
		p.AddedAt = fromUS(added)
		c.Participants = append(c.Participants, p)
		sealed = append(sealed, resp)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for i := range c.Participants {
		p := &c.Participants[i]
		if p.Responsibility, err = db.openText(ctx, q, c.ClientID, c.LeadOrganizationID, "case/"+c.ID+"/participant/"+p.OrganizationID, sealed[i]); err != nil {
			return nil, err
		}
	}
	if c.Participants == nil {
		c.Participants = []accord.Participant{}
	}
	return &c, nil
}

// ClientCases returns the ids of a client's cases an organisation works, newest first.
func (db *DB) ClientCases(ctx context.Context, clientID, orgID string) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT c.id FROM cases c WHERE c.client_id = $1 AND (c.lead_organization_id = $2 OR EXISTS
		(SELECT 1 FROM case_participants p WHERE p.case_id = c.id AND p.organization_id = $2)) ORDER BY c.opened_at DESC`, clientID, orgID)
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

// CaseChange is a change to a case, applied at a known version.
type CaseChange struct {
	AddParticipant *accord.Participant
	AddGoal        *accord.Goal
	SetGoal        *accord.Goal // by ID: status
	AddOutcome     *accord.Outcome
	Close          bool
	CloseReason    string
}

// UpdateCase applies a change to the case at version, or returns
// EPRECONDITION when the case changed since.
func (db *DB) UpdateCase(ctx context.Context, actor accord.Actor, id string, version int, ch CaseChange) (_ *accord.Case, err error) {
	defer accord.Wrap(&err, "UpdateCase(%s)", id)
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := db.findCase(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if c.Version != version {
		return nil, errStale("case")
	}
	if c.Status == accord.CaseClosed {
		return nil, accord.Errorf(accord.ECONFLICT, "this case is closed")
	}
	action, event, object := "", "", ""
	switch {
	case ch.AddParticipant != nil:
		p := ch.AddParticipant
		p.AddedAt = tx.now
		if c.Participates(p.OrganizationID) {
			return nil, accord.FieldErrorf("organization_id", "that organisation already works this case")
		}
		if err := db.insertParticipant(ctx, tx, c, p); err != nil {
			return nil, err
		}
		c.Participants = append(c.Participants, *p)
		action, event, object = "case.participant.add", "participant.added", p.OrganizationID
	case ch.AddGoal != nil:
		g := ch.AddGoal
		g.ID, g.Status, g.CreatedAt = accord.NewID(accord.PrefixGoal, nil), accord.GoalOpen, tx.now
		c.Goals = append(c.Goals, *g)
		action, event, object = "case.goal.add", "goal.added", g.ID
	case ch.SetGoal != nil:
		found := false
		for i := range c.Goals {
			if c.Goals[i].ID == ch.SetGoal.ID {
				c.Goals[i].Status, found = ch.SetGoal.Status, true
			}
		}
		if !found {
			return nil, accord.Errorf(accord.ENOTFOUND, "goal not found")
		}
		action, event, object = "case.goal.update", "goal."+string(ch.SetGoal.Status), ch.SetGoal.ID
	case ch.AddOutcome != nil:
		o := ch.AddOutcome
		o.RecordedBy, o.RecordedAt = actor.StaffID, tx.now
		c.Outcomes = append(c.Outcomes, *o)
		action, event, object = "case.outcome", "outcome."+o.Kind, o.Code
	case ch.Close:
		now := tx.now
		c.Status, c.ClosedAt, c.CloseReason = accord.CaseClosed, &now, ch.CloseReason
		action, event = "case.close", "case.closed"
	default:
		return nil, accord.Errorf(accord.EINVALID, "nothing to change")
	}
	goals, err := db.sealJSON(ctx, tx, c, "goals", c.Goals)
	if err != nil {
		return nil, err
	}
	reason, err := db.sealText(ctx, tx, c.ClientID, c.LeadOrganizationID, "case/"+c.ID+"/close_reason", c.CloseReason)
	if err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE cases SET goals = $1, outcomes = $2, status = $3, closed_at = $4, close_reason = $5, version = version + 1
		WHERE id = $6 AND version = $7`, goals, jsonValue(c.Outcomes), c.Status, nullUS(c.ClosedAt), reason, c.ID, version)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, errStale("case")
	}
	c.Version++
	if err := addCaseEvent(ctx, tx, c.ID, event, actor.StaffID, object, "", ""); err != nil {
		return nil, err
	}
	tx.record(changeEntry(actor, action, c.ID, c.ClientID))
	return c, tx.commit(ctx)
}

// CaseEvents returns a case's timeline after seq, oldest first, at most limit.
func (db *DB) CaseEvents(ctx context.Context, caseID string, after int64, limit int) ([]accord.CaseEvent, error) {
	rows, err := db.query(ctx, `SELECT seq, case_id, at, kind, actor_id, object_id, category, detail FROM case_events WHERE case_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
		caseID, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]accord.CaseEvent, 0, min(limit, 1024))
	for rows.Next() {
		var e accord.CaseEvent
		var at int64
		if err := rows.Scan(&e.Seq, &e.CaseID, &at, &e.Kind, &e.ActorID, &e.ObjectID, &e.Category, &e.Detail); err != nil {
			return nil, err
		}
		e.At = fromUS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddCaseEvent appends a timeline event on its own (a case note read, say).
func (db *DB) AddCaseEvent(ctx context.Context, caseID, kind, actorID, objectID string, cat accord.Category) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := addCaseEvent(ctx, tx, caseID, kind, actorID, objectID, cat, ""); err != nil {
		return err
	}
	return tx.commit(ctx)
}
