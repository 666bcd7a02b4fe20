package sqlstore

import (
	"context"

	"github.com/accord-project/accord"
)

// Storage the casework pages of the web interface need beyond the API's.

// AssignReferral gives a referral at version to a staff member of the
// receiving organisation, and applies fx. The referral's status does not
// change; its case's timeline records the assignment.
func (db *DB) AssignReferral(ctx context.Context, actor accord.Actor, id string, version int, staffID string, fx Effects) (_ *accord.Referral, err error) {
	defer accord.Wrap(&err, "AssignReferral(%s)", id)
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := db.findReferral(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if r.Version != version {
		return nil, errStale("referral")
	}
	res, err := tx.ExecContext(ctx, `UPDATE referrals SET assigned_to = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4`,
		staffID, us(tx.now), id, version)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, errStale("referral")
	}
	r.AssignedTo, r.UpdatedAt = staffID, tx.now
	r.Version++
	if r.CaseID != "" {
		if err := addCaseEvent(ctx, tx, r.CaseID, "referral.assigned", actor.StaffID, r.ID, "", ""); err != nil {
			return nil, err
		}
	}
	if err := db.applyEffects(ctx, tx, fx); err != nil {
		return nil, err
	}
	tx.record(changeEntry(actor, "referral.assign", r.ID, r.ClientID))
	return r, tx.commit(ctx)
}

// EscalationsRaisedByOrg returns the live escalations raised by staff of an
// organisation, soonest due first.
func (db *DB) EscalationsRaisedByOrg(ctx context.Context, orgID string) ([]accord.Escalation, error) {
	return db.findEscalations(ctx, db.read, `WHERE raised_by IN (SELECT id FROM staff WHERE organization_id = $1)
		AND status IN ('open', 'acknowledged') ORDER BY due_at, id LIMIT 500`, orgID)
}
