package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/accord-project/accord"
)

// CreateTask adds a task to an open case. The owner must be active staff of
// an organisation working the case.
func (db *DB) CreateTask(ctx context.Context, actor accord.Actor, t *accord.Task) (err error) {
	defer accord.Wrap(&err, "CreateTask")
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := t.Validate(tx.now); err != nil {
		return err
	}
	c, err := db.findCase(ctx, tx, t.CaseID)
	if err != nil {
		return err
	}
	if c.Status != accord.CaseOpen {
		return accord.Errorf(accord.ECONFLICT, "this case is closed")
	}
	var ownerOrg string
	var active bool
	if err := tx.QueryRowContext(ctx, `SELECT organization_id, active FROM staff WHERE id = $1`, t.OwnerID).Scan(&ownerOrg, &active); err != nil || !active {
		return accord.FieldErrorf("owner_id", "no active staff member %s", t.OwnerID)
	}
	if !c.Participates(ownerOrg) {
		return accord.FieldErrorf("owner_id", "the owner must work for an organisation on the case")
	}
	t.ID, t.ClientID, t.OwnerOrgID, t.Status, t.CreatedBy, t.CreatedAt, t.Version = accord.NewID(accord.PrefixTask, nil), c.ClientID, ownerOrg,
		accord.TaskOpen, actor.StaffID, tx.now, 1
	title, err := db.sealText(ctx, tx, c.ClientID, c.LeadOrganizationID, "task/"+t.ID+"/title", t.Title)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tasks (id, case_id, client_id, title, owner_id, owner_org_id, due_at, status, created_by, created_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		t.ID, t.CaseID, t.ClientID, title, t.OwnerID, t.OwnerOrgID, us(t.DueAt), t.Status, t.CreatedBy, us(t.CreatedAt), t.Version); err != nil {
		return err
	}
	if err := addCaseEvent(ctx, tx, c.ID, "task.created", actor.StaffID, t.ID, "", ""); err != nil {
		return err
	}
	tx.record(changeEntry(actor, "task.create", t.ID, c.ClientID))
	return tx.commit(ctx)
}

// SetTaskStatus moves a task at version to status to, or returns EPRECONDITION.
func (db *DB) SetTaskStatus(ctx context.Context, actor accord.Actor, id string, version int, to accord.TaskStatus) (_ *accord.Task, err error) {
	defer accord.Wrap(&err, "SetTaskStatus(%s)", id)
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	t, err := db.findTask(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if t.Version != version {
		return nil, errStale("task")
	}
	if err := t.CheckTransition(to); err != nil {
		return nil, err
	}
	t.Status = to
	if to == accord.TaskDone {
		now := tx.now
		t.CompletedAt = &now
	}
	res, err := tx.ExecContext(ctx, `UPDATE tasks SET status = $1, completed_at = $2, version = version + 1 WHERE id = $3 AND version = $4`,
		t.Status, nullUS(t.CompletedAt), id, version)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, errStale("task")
	}
	t.Version++
	if err := addCaseEvent(ctx, tx, t.CaseID, "task."+string(to), actor.StaffID, t.ID, "", ""); err != nil {
		return nil, err
	}
	tx.record(changeEntry(actor, "task."+string(to), t.ID, t.ClientID))
	return t, tx.commit(ctx)
}

// FindTask returns a task, or ENOTFOUND.
func (db *DB) FindTask(ctx context.Context, id string) (*accord.Task, error) {
	if !accord.ValidID(accord.PrefixTask, id) {
		return nil, accord.Errorf(accord.ENOTFOUND, "task not found")
	}
	return db.findTask(ctx, db.read, id)
}

func (db *DB) findTask(ctx context.Context, q querier, id string) (*accord.Task, error) {
	ts, err := db.findTasks(ctx, q, `WHERE t.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "task not found")
	}
	return &ts[0], nil
}

// CaseTasks returns a case's tasks by due date.
func (db *DB) CaseTasks(ctx context.Context, caseID string) ([]accord.Task, error) {
	return db.findTasks(ctx, db.read, `WHERE t.case_id = $1 ORDER BY t.due_at, t.id`, caseID)
}

// StaffTasks returns a staff member's open tasks by due date.
func (db *DB) StaffTasks(ctx context.Context, staffID string) ([]accord.Task, error) {
	return db.findTasks(ctx, db.read, `WHERE t.owner_id = $1 AND t.status IN ('open', 'in_progress') ORDER BY t.due_at, t.id LIMIT 500`, staffID)
}

func (db *DB) findTasks(ctx context.Context, q querier, where string, args ...any) ([]accord.Task, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.id, t.case_id, t.client_id, t.title, t.owner_id, t.owner_org_id, t.due_at, t.status, t.created_by, t.created_at,
		t.completed_at, t.version, c.lead_organization_id FROM tasks t JOIN cases c ON c.id = t.case_id `+where, args...)
	if err != nil {
		return nil, err
	}
	var out []accord.Task
	var titles [][]byte
	var leads []string
	for rows.Next() {
		var t accord.Task
		var title []byte
		var due, created int64
		var done sql.NullInt64
		var lead string
		if err := rows.Scan(&t.ID, &t.CaseID, &t.ClientID, &title, &t.OwnerID, &t.OwnerOrgID, &due, &t.Status, &t.CreatedBy, &created, &done, &t.Version, &lead); err != nil {
			rows.Close()
			return nil, err
		}
		t.DueAt, t.CreatedAt, t.CompletedAt = fromUS(due), fromUS(created), fromNullUS(done)
		out, titles, leads = append(out, t), append(titles, title), append(leads, lead)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Title, err = db.openText(ctx, q, out[i].ClientID, leads[i], "task/"+out[i].ID+"/title", titles[i]); err != nil && !isShredded(err) {
			return nil, err
		}
	}
	return out, nil
}

type conferenceBody struct {
	Decisions string `json:"decisions"`
	Actions   string `json:"actions"`
	Lessons   string `json:"lessons,omitempty"`
}

// CreateConference records a case conference or debrief.
func (db *DB) CreateConference(ctx context.Context, actor accord.Actor, cf *accord.Conference) (err error) {
	defer accord.Wrap(&err, "CreateConference")
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := cf.Validate(tx.now); err != nil {
		return err
	}
	c, err := db.findCase(ctx, tx, cf.CaseID)
	if err != nil {
		return err
	}
	for _, a := range cf.Attendees {
		if err := requireStaffTx(ctx, tx, a); err != nil {
			return accord.FieldErrorf("attendees", "no staff member %s", a)
		}
	}
	cf.ID, cf.RecordedBy, cf.RecordedAt = accord.NewID(accord.PrefixConference, nil), actor.StaffID, tx.now
	b, _ := json.Marshal(conferenceBody{cf.Decisions, cf.Actions, cf.Lessons})
	body, err := db.sealText(ctx, tx, c.ClientID, c.LeadOrganizationID, "conference/"+cf.ID, string(b))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO conferences (id, case_id, kind, held_at, attendees, body, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		cf.ID, cf.CaseID, cf.Kind, us(cf.HeldAt), jsonValue(cf.Attendees), body, cf.RecordedBy, us(cf.RecordedAt)); err != nil {
		return err
	}
	if err := addCaseEvent(ctx, tx, c.ID, cf.Kind+".recorded", actor.StaffID, cf.ID, "", ""); err != nil {
		return err
	}
	tx.record(changeEntry(actor, "case."+cf.Kind, cf.ID, c.ClientID))
	return tx.commit(ctx)
}

// CaseConferences returns a case's conferences and debriefs, newest first.
func (db *DB) CaseConferences(ctx context.Context, caseID string) ([]accord.Conference, error) {
	c, err := db.findCase(ctx, db.read, caseID)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, case_id, kind, held_at, attendees, body, recorded_by, recorded_at FROM conferences WHERE case_id = $1 ORDER BY held_at DESC, id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []accord.Conference
	for rows.Next() {
		var cf accord.Conference
		var held, recorded int64
		var body []byte
		if err := rows.Scan(&cf.ID, &cf.CaseID, &cf.Kind, &held, asJSON(&cf.Attendees), &body, &cf.RecordedBy, &recorded); err != nil {
			return nil, err
		}
		cf.HeldAt, cf.RecordedAt = fromUS(held), fromUS(recorded)
		text, err := db.openText(ctx, db.read, c.ClientID, c.LeadOrganizationID, "conference/"+cf.ID, body)
		if err != nil {
			return nil, err
		}
		var b conferenceBody
		if err := json.Unmarshal([]byte(text), &b); err != nil {
			return nil, err
		}
		cf.Decisions, cf.Actions, cf.Lessons = b.Decisions, b.Actions, b.Lessons
		out = append(out, cf)
	}
	return out, rows.Err()
}
