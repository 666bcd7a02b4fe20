package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/accord-project/accord"
)

// ClaimDueTimers claims up to limit timers due by now for worker, for
// lease: other processes leave them alone until the lease ends, so several
// `accord serve` processes share the work without doing it twice. A timer
// whose worker died is claimed again after its lease.
func (db *DB) ClaimDueTimers(ctx context.Context, worker string, limit int, lease time.Duration) ([]Timer, error) {
	now := db.now()
	skip := ""
	if db.engine == Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := db.write.QueryContext(ctx, `UPDATE timers SET claimed_by = $1, claimed_until = $2
		WHERE id IN (SELECT id FROM timers WHERE fired_at IS NULL AND due_at <= $3 AND claimed_until < $3 ORDER BY due_at LIMIT $4`+skip+`)
		RETURNING id, kind, subject_id, due_at`, worker, us(now.Add(lease)), us(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Timer
	for rows.Next() {
		var t Timer
		var due int64
		if err := rows.Scan(&t.ID, &t.Kind, &t.SubjectID, &due); err != nil {
			return nil, err
		}
		t.DueAt = fromUS(due)
		out = append(out, t)
	}
	return out, rows.Err()
}

// NextTimer returns when the next pending timer is due, or false.
func (db *DB) NextTimer(ctx context.Context) (time.Time, bool, error) {
	var due nullUSCol
	if err := db.queryRow(ctx, `SELECT min(due_at) FROM timers WHERE fired_at IS NULL`).Scan(&due); err != nil {
		return time.Time{}, false, err
	}
	if !due.valid {
		return time.Time{}, false, nil
	}
	return fromUS(due.v), true, nil
}

// FireTimers fires claimed timers in one transaction: each is marked fired
// (only if no one fired it yet — exactly once) and its effects are written
// with it. It returns how many fired.
func (db *DB) FireTimers(ctx context.Context, timers []Timer) (fired int, err error) {
	defer accord.Wrap(&err, "FireTimers")
	tx, err := db.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	for _, t := range timers {
		res, err := tx.ExecContext(ctx, hqTimer0, us(tx.now), t.ID)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			continue // fired or disarmed meanwhile
		}
		if err := db.fire(ctx, tx, t); err != nil {
			return 0, fmt.Errorf("timer %s (%s): %w", t.ID, t.Kind, err)
		}
		fired++
	}
	return fired, tx.commit(ctx)
}

var system = accord.Actor{StaffID: "system"}

func (db *DB) fire(ctx context.Context, tx *Tx, t Timer) error {
	switch t.Kind {
	case TimerEscalationAck, TimerEscalationAction:
		return db.fireEscalation(ctx, tx, t)
	case TimerReferralResponse:
		return db.fireReferral(ctx, tx, t)
	case TimerGrievanceDue:
		return db.fireGrievance(ctx, tx, t)
	case TimerLegalBasisReview:
		return db.fireReview(ctx, tx, t)
	case TimerBreachNotify:
		return db.fireBreach(ctx, tx, t)
	case TimerAnomalyReview:
		return db.fireAnomaly(ctx, tx, t)
	}
	return nil // an unknown kind from a newer version: leave it fired
}

// fireEscalation climbs an unacknowledged escalation to the next contact
// of the chain, or, at the top, keeps telling the whole chain until someone
// acknowledges; an acknowledged one past its action deadline reminds its
// owner and the next contact up.
func (db *DB) fireEscalation(ctx context.Context, tx *Tx, t Timer) error {
	e, err := db.findEscalation(ctx, tx, t.SubjectID)
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if !e.Live() || !e.DueAt.Equal(t.DueAt) {
		return nil // acknowledged, resolved or re-armed since
	}
	chain, err := escalationChain(ctx, tx, e.OrganizationID)
	if err != nil {
		return err
	}
	sla := time.Duration(e.SLASeconds) * time.Second
	var fx Effects
	action := ""
	switch {
	case e.Status == accord.EscalationOpen && e.Level+1 < len(chain):
		e.Level++
		e.ContactID, e.DueAt = chain[e.Level], tx.now.Add(sla)
		fx.Notices = []Notice{{StaffID: e.ContactID, Kind: "escalation.escalated", SubjectID: e.ID}, {StaffID: e.RaisedBy, Kind: "escalation.escalated", SubjectID: e.ID}}
		fx.Timers = []Timer{{Kind: TimerEscalationAck, SubjectID: e.ID, DueAt: e.DueAt}}
		action = "escalation.escalate"
	case e.Status == accord.EscalationOpen:
		e.Exhausted, e.DueAt = true, tx.now.Add(sla)
		for _, s := range append(chain, e.RaisedBy) {
			fx.Notices = append(fx.Notices, Notice{StaffID: s, Kind: "escalation.unanswered", SubjectID: e.ID})
		}
		fx.Timers = []Timer{{Kind: TimerEscalationAck, SubjectID: e.ID, DueAt: e.DueAt}}
		action = "escalation.unanswered"
	default: // acknowledged, action overdue
		e.DueAt = tx.now.Add(e.Urgency.ActionTime())
		next := chain[min(e.Level+1, len(chain)-1)]
		fx.Notices = []Notice{{StaffID: e.OwnerID, Kind: "escalation.action_overdue", SubjectID: e.ID}, {StaffID: next, Kind: "escalation.action_overdue", SubjectID: e.ID}}
		fx.Timers = []Timer{{Kind: TimerEscalationAction, SubjectID: e.ID, DueAt: e.DueAt}}
		action = "escalation.action_overdue"
	}
	fx.Hooks = []Hook{{OrganizationID: e.OrganizationID, Kind: action, SubjectID: e.ID}}
	if err := db.saveEscalation(ctx, tx, e); err != nil {
		return err
	}
	if e.CaseID != "" {
		if err := addCaseEvent(ctx, tx, e.CaseID, action, "system", e.ID, "", fmt.Sprint(e.Level)); err != nil {
			return err
		}
	}
	if err := db.applyEffects(ctx, tx, fx); err != nil {
		return err
	}
	ent := changeEntry(system, action, e.ID, e.ClientID)
	ent.Count = e.Level
	tx.record(ent)
	return nil
}

// fireReferral tells the sender a referral has not been answered in time,
// and arms a reminder.
func (db *DB) fireReferral(ctx context.Context, tx *Tx, t Timer) error {
	r, err := db.findReferral(ctx, tx, t.SubjectID)
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if !r.Open() {
		return nil
	}
	fx := Effects{
		Notices: []Notice{{StaffID: r.FromStaffID, Kind: "referral.overdue", SubjectID: r.ID}},
		Hooks:   []Hook{{OrganizationID: r.FromOrgID, Kind: "referral.overdue", SubjectID: r.ID}},
		Timers:  []Timer{{Kind: TimerReferralResponse, SubjectID: r.ID, DueAt: tx.now.Add(r.Urgency.ResponseTime())}},
	}
	if r.CaseID != "" {
		if err := addCaseEvent(ctx, tx, r.CaseID, "referral.overdue", "system", r.ID, "", ""); err != nil {
			return err
		}
	}
	if err := db.applyEffects(ctx, tx, fx); err != nil {
		return err
	}
	tx.record(changeEntry(system, "referral.overdue", r.ID, r.ClientID))
	return nil
}

// OutboxItem is an e-mail or webhook call waiting to go out.
type OutboxItem struct {
	ID       string
	Channel  string
	Target   string
	Payload  []byte
	Attempts int
}

// ClaimOutbox claims up to limit outbox items due now, for lease.
func (db *DB) ClaimOutbox(ctx context.Context, limit int, lease time.Duration) ([]OutboxItem, error) {
	now := db.now()
	skip := ""
	if db.engine == Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := db.write.QueryContext(ctx, `UPDATE outbox SET next_attempt = $1 WHERE id IN
		(SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt <= $2 ORDER BY next_attempt LIMIT $3`+skip+`)
		RETURNING id, channel, target, payload, attempts`, us(now.Add(lease)), us(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxItem
	for rows.Next() {
		var o OutboxItem
		if err := rows.Scan(&o.ID, &o.Channel, &o.Target, &o.Payload, &o.Attempts); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// OutboxDone records the outcome of a delivery: sent, or failed with a
// retry at retryAt (zero: give up).
func (db *DB) OutboxDone(ctx context.Context, id string, sendErr error, retryAt time.Time) error {
	now := db.now()
	if sendErr == nil {
		_, err := db.write.ExecContext(ctx, `UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = '' WHERE id = $2`, us(now), id)
		return err
	}
	msg := sendErr.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	if retryAt.IsZero() {
		_, err := db.write.ExecContext(ctx, `UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = $2 WHERE id = $3`, us(now), "gave up: "+msg, id)
		return err
	}
	_, err := db.write.ExecContext(ctx, `UPDATE outbox SET next_attempt = $1, attempts = attempts + 1, last_error = $2 WHERE id = $3`, us(retryAt), msg, id)
	return err
}

// Webhook returns an organisation's webhook URL and sealed secret.
func (db *DB) Webhook(ctx context.Context, orgID string) (url string, secret []byte, err error) {
	var sealed []byte
	if err := db.read.QueryRowContext(ctx, `SELECT url, secret FROM webhooks WHERE organization_id = $1`, orgID).Scan(&url, &sealed); err != nil {
		return "", nil, accord.Errorf(accord.ENOTFOUND, "no webhook is configured")
	}
	key, _, err := db.orgKey(ctx, db.read, orgID, 0)
	if err != nil {
		return "", nil, err
	}
	secret, err = sealOpen(key, sealed, "webhook/"+orgID)
	return url, secret, err
}

// SetWebhook stores an organisation's webhook URL and secret (sealed under
// the organisation's data key).
func (db *DB) SetWebhook(ctx context.Context, actor accord.Actor, orgID, url string, secret []byte) (err error) {
	defer accord.Wrap(&err, "SetWebhook(%s)", orgID)
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	key, _, err := db.orgKey(ctx, tx, orgID, 0)
	if err != nil {
		return err
	}
	sealed, err := sealSeal(key, secret, "webhook/"+orgID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhooks (organization_id, url, secret) VALUES ($1, $2, $3)
		ON CONFLICT (organization_id) DO UPDATE SET url = excluded.url, secret = excluded.secret`, orgID, url, sealed); err != nil {
		return err
	}
	tx.record(changeEntry(actor, "webhook.set", orgID, ""))
	return tx.commit(ctx)
}

var hqTimer0 = hot(`UPDATE timers SET fired_at = $1 WHERE id = $2 AND fired_at IS NULL`)
