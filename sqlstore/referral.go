package sqlstore

import (
	"context"

	"github.com/accord-project/accord"
)

// CreateReferral stores a sent referral and arms its response timer, and
// notifies whoever the extra effects name, in one transaction.
func (db *DB) CreateReferral(ctx context.Context, actor accord.Actor, r *accord.Referral, fx Effects) (err error) {
	defer accord.Wrap(&err, "CreateReferral")
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findClientTx(ctx, tx, r.ClientID); err != nil {
		return err
	}
	if _, err := findOrgTx(ctx, tx, r.ToOrgID); err != nil {
		return accord.FieldErrorf("to_organization_id", "no such organisation")
	}
	if r.ServiceID != "" {
		s, err := findService(ctx, tx, r.ServiceID)
		if err != nil {
			return accord.FieldErrorf("service_id", "no such service")
		}
		if s.OrganizationID != r.ToOrgID {
			return accord.FieldErrorf("service_id", "that service belongs to another organisation")
		}
	}
	if r.CaseID != "" {
		c, err := db.findCase(ctx, tx, r.CaseID)
		if err != nil || c.ClientID != r.ClientID {
			return accord.FieldErrorf("case_id", "no such case for this client")
		}
	}
	r.ID, r.Status, r.SentAt, r.UpdatedAt, r.Version = accord.NewID(accord.PrefixReferral, nil), accord.ReferralSent, tx.now, tx.now, 1
	if r.RespondBy.IsZero() {
		r.RespondBy = tx.now.Add(r.Urgency.ResponseTime())
	}
	reason, err := db.sealText(ctx, tx, r.ClientID, r.FromOrgID, "referral/"+r.ID+"/reason", r.Reason)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO referrals (id, client_id, case_id, from_org_id, from_staff_id, to_org_id, service_id, purpose, categories,
		reason, urgency, status, assigned_to, respond_by, sent_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '', $13, $14, $14, $15)`,
		r.ID, r.ClientID, r.CaseID, r.FromOrgID, r.FromStaffID, r.ToOrgID, r.ServiceID, r.Purpose, jsonValue(r.Categories), reason, r.Urgency,
		r.Status, us(r.RespondBy), us(r.SentAt), r.Version); err != nil {
		return err
	}
	if r.CaseID != "" {
		if err := addCaseEvent(ctx, tx, r.CaseID, "referral.sent", actor.StaffID, r.ID, "", ""); err != nil {
			return err
		}
	}
	if err := db.applyEffects(ctx, tx, fx.with(Timer{Kind: TimerReferralResponse, SubjectID: r.ID, DueAt: r.RespondBy})); err != nil {
		return err
	}
	tx.record(changeEntry(actor, "referral.send", r.ID, r.ClientID))
	return tx.commit(ctx)
}

// SetReferralStatus moves a referral at version to status, with the
// reason (sealed) for a decline or cancellation, and applies fx.
func (db *DB) SetReferralStatus(ctx context.Context, actor accord.Actor, id string, version int, to accord.ReferralStatus, reason, assignTo string, fx Effects) (_ *accord.Referral, err error) {
	defer accord.Wrap(&err, "SetReferralStatus(%s)", id)
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := db.findReferral(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if version != 0 && r.Version != version {
		return nil, errStale("referral")
	}
	r.Status, r.StatusReason, r.UpdatedAt = to, reason, tx.now
	if assignTo != "" {
		r.AssignedTo = assignTo
	}
	sealed, err := db.sealText(ctx, tx, r.ClientID, r.ToOrgID, "referral/"+r.ID+"/status_reason", reason)
	if err != nil {
		return nil, err
	}
	// The first acceptance and completion are kept for the indicators.
	res, err := tx.ExecContext(ctx, `UPDATE referrals SET status = $1, status_reason = $2, assigned_to = $3, updated_at = $4, version = version + 1,
		accepted_at = CASE WHEN $1 = 'accepted' AND accepted_at IS NULL THEN $4 ELSE accepted_at END,
		completed_at = CASE WHEN $1 = 'completed' AND completed_at IS NULL THEN $4 ELSE completed_at END
		WHERE id = $5 AND version = $6`, r.Status, sealed, r.AssignedTo, us(tx.now), id, r.Version)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, errStale("referral")
	}
	r.Version++
	if r.CaseID != "" {
		if err := addCaseEvent(ctx, tx, r.CaseID, "referral."+string(to), actor.StaffID, r.ID, "", ""); err != nil {
			return nil, err
		}
	}
	if err := db.applyEffects(ctx, tx, fx); err != nil {
		return nil, err
	}
	tx.record(changeEntry(actor, "referral."+string(to), r.ID, r.ClientID))
	return r, tx.commit(ctx)
}

// FindReferral returns a referral with its reasons opened, or ENOTFOUND.
func (db *DB) FindReferral(ctx context.Context, id string) (*accord.Referral, error) {
	if !accord.ValidID(accord.PrefixReferral, id) {
		return nil, accord.Errorf(accord.ENOTFOUND, "referral not found")
	}
	return db.findReferral(ctx, db.read, id)
}

func (db *DB) findReferral(ctx context.Context, q querier, id string) (*accord.Referral, error) {
	rs, err := db.findReferrals(ctx, q, `WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "referral not found")
	}
	return &rs[0], nil
}

// ReferralFilter selects referrals.
type ReferralFilter struct {
	ToOrgID, FromOrgID, ClientID string
	// Open selects referrals not yet finished.
	Open  bool
	Limit int
}

// Referrals returns referrals matching f: those still open first, most
// urgent deadline first, then the finished ones, most recently finished
// first (the limit keeps the newest of a long history).
func (db *DB) Referrals(ctx context.Context, f ReferralFilter) ([]accord.Referral, error) {
	where, args := "WHERE 1 = 1", []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where += " AND " + cond + placeholder(len(args))
	}
	if f.ToOrgID != "" {
		add("to_org_id = ", f.ToOrgID)
	}
	if f.FromOrgID != "" {
		add("from_org_id = ", f.FromOrgID)
	}
	if f.ClientID != "" {
		add("client_id = ", f.ClientID)
	}
	if f.Open {
		where += " AND status NOT IN ('completed', 'declined', 'cancelled')"
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	args = append(args, f.Limit)
	return db.findReferrals(ctx, db.read, where+` ORDER BY CASE WHEN status IN ('completed', 'declined', 'cancelled') THEN 1 ELSE 0 END,
		CASE WHEN status IN ('completed', 'declined', 'cancelled') THEN -updated_at ELSE respond_by END, id LIMIT `+placeholder(len(args)), args...)
}

func (db *DB) findReferrals(ctx context.Context, q querier, where string, args ...any) ([]accord.Referral, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, client_id, case_id, from_org_id, from_staff_id, to_org_id, service_id, purpose, categories, reason, urgency,
		status, status_reason, assigned_to, respond_by, sent_at, updated_at, version FROM referrals `+where, args...)
	if err != nil {
		return nil, err
	}
	var out []accord.Referral
	var reasons, statusReasons [][]byte
	for rows.Next() {
		var r accord.Referral
		var reason, statusReason []byte
		var respond, sent, updated int64
		if err := rows.Scan(&r.ID, &r.ClientID, &r.CaseID, &r.FromOrgID, &r.FromStaffID, &r.ToOrgID, &r.ServiceID, &r.Purpose, asJSON(&r.Categories),
			&reason, &r.Urgency, &r.Status, &statusReason, &r.AssignedTo, &respond, &sent, &updated, &r.Version); err != nil {
			rows.Close()
			return nil, err
		}
		r.RespondBy, r.SentAt, r.UpdatedAt = fromUS(respond), fromUS(sent), fromUS(updated)
		out, reasons, statusReasons = append(out, r), append(reasons, reason), append(statusReasons, statusReason)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for i := range out {
		r := &out[i]
		if r.Reason, err = db.openText(ctx, q, r.ClientID, r.FromOrgID, "referral/"+r.ID+"/reason", reasons[i]); err != nil && !isShredded(err) {
			return nil, err
		}
		if r.StatusReason, err = db.openText(ctx, q, r.ClientID, r.ToOrgID, "referral/"+r.ID+"/status_reason", statusReasons[i]); err != nil && !isShredded(err) {
			return nil, err
		}
	}
	return out, nil
}

// isShredded reports whether err means the client's keys are gone (erased).
func isShredded(err error) bool { return accord.ErrorCode(err) == accord.ENOTFOUND }
