package sqlstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/accord-project/accord"
)

// Timer kinds.
const (
	TimerReferralResponse = "referral.response" // the receiver has not accepted or declined in time
	TimerEscalationAck    = "escalation.ack"    // the contact has not acknowledged in time
	TimerEscalationAction = "escalation.action" // the owner has not resolved in time
)

// Timer is a durable timer: when due, a server process fires it exactly once.
type Timer struct {
	ID        string
	Kind      string
	SubjectID string
	DueAt     time.Time
}

// Notice tells one staff member about something: in the app, and by e-mail
// when they have an address. It names an object, never a person.
type Notice struct {
	StaffID   string
	Kind      string // "escalation.raised", "escalation.escalated", "referral.received", "referral.overdue" …
	SubjectID string
}

// Hook is an event for an organisation's webhook.
type Hook struct {
	OrganizationID string
	Kind           string
	SubjectID      string
}

// Effects are what a change sets in motion, written in the change's own
// transaction so that they happen if and only if it commits: timers to arm
// or disarm, people to tell, webhooks to call.
type Effects struct {
	Timers  []Timer
	Disarm  []string // subject ids whose pending timers are cancelled
	Notices []Notice
	Hooks   []Hook

	lateSubject func() string
}

func (fx Effects) with(t ...Timer) Effects {
	fx.Timers = append(append([]Timer(nil), fx.Timers...), t...)
	return fx
}

func (db *DB) applyEffects(ctx context.Context, tx *Tx, fx Effects) error {
	if fx.lateSubject != nil {
		id := fx.lateSubject()
		fx.Notices = append([]Notice(nil), fx.Notices...)
		for i := range fx.Notices {
			if fx.Notices[i].SubjectID == "" {
				fx.Notices[i].SubjectID = id
			}
		}
		fx.Hooks = append([]Hook(nil), fx.Hooks...)
		for i := range fx.Hooks {
			if fx.Hooks[i].SubjectID == "" {
				fx.Hooks[i].SubjectID = id
			}
		}
	}
	for _, id := range fx.Disarm {
		if _, err := tx.ExecContext(ctx, hqEffects0, us(tx.now), id); err != nil {
			return err
		}
	}
	for _, t := range fx.Timers {
		if t.ID == "" {
			t.ID = accord.NewID("tmr", nil)
		}
		if _, err := tx.ExecContext(ctx, hqEffects1, t.ID, t.Kind, t.SubjectID, us(t.DueAt)); err != nil {
			return err
		}
	}
	for _, n := range fx.Notices {
		if n.StaffID == "" {
			continue
		}
		id := accord.NewID("ntf", nil)
		if _, err := tx.ExecContext(ctx, hqEffects2,
			id, n.StaffID, n.Kind, n.SubjectID, us(tx.now)); err != nil {
			return err
		}
		if !db.email {
			continue
		}
		var email string
		if err := tx.QueryRowContext(ctx, hqEffects3, n.StaffID).Scan(&email); err != nil {
			return err
		}
		if email != "" {
			payload, _ := json.Marshal(OutboxMessage{ID: id, Kind: n.Kind, SubjectID: n.SubjectID, StaffID: n.StaffID, CreatedAt: tx.now})
			if err := insertOutbox(ctx, tx, "email", email, payload); err != nil {
				return err
			}
		}
	}
	for _, h := range fx.Hooks {
		var url string
		err := tx.QueryRowContext(ctx, hqEffects4, h.OrganizationID).Scan(&url)
		if err != nil {
			continue // no webhook configured
		}
		id := accord.NewID("evt", nil)
		payload, _ := json.Marshal(OutboxMessage{ID: id, Kind: h.Kind, SubjectID: h.SubjectID, OrganizationID: h.OrganizationID, CreatedAt: tx.now})
		if err := insertOutbox(ctx, tx, "webhook", h.OrganizationID, payload); err != nil {
			return err
		}
	}
	return nil
}

// OutboxMessage is what an e-mail or webhook says: ids and a kind, never
// personal data. The recipient follows the link and signs in to see more.
type OutboxMessage struct {
	ID             string    `json:"id"` // idempotency key
	Kind           string    `json:"type"`
	SubjectID      string    `json:"subject_id"`
	StaffID        string    `json:"staff_id,omitempty"`
	OrganizationID string    `json:"organization_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

func insertOutbox(ctx context.Context, tx *Tx, channel, target string, payload []byte) error {
	_, err := tx.ExecContext(ctx, hqEffects5,
		accord.NewID("obx", nil), channel, target, payload, us(tx.now))
	return err
}

// Notification is an in-app notification.
type Notification struct {
	ID        string     `json:"id"`
	Kind      string     `json:"type"`
	SubjectID string     `json:"subject_id"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
}

// Notifications returns a staff member's latest notifications.
func (db *DB) Notifications(ctx context.Context, staffID string, limit int) ([]Notification, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, kind, subject_id, created_at, read_at FROM notifications WHERE staff_id = $1 ORDER BY created_at DESC, id LIMIT $2`, staffID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var created int64
		var read nullUSCol
		if err := rows.Scan(&n.ID, &n.Kind, &n.SubjectID, &created, &read); err != nil {
			return nil, err
		}
		n.CreatedAt, n.ReadAt = fromUS(created), read.ptr()
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkNotificationsRead marks a staff member's notifications read.
func (db *DB) MarkNotificationsRead(ctx context.Context, staffID string) error {
	_, err := db.write.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE staff_id = $2 AND read_at IS NULL`, us(db.now()), staffID)
	return err
}

// For fills in the subject of every notice and hook that has none, once
// the subject's id is known (inside the creating transaction).
func (fx Effects) For(id func() string) Effects {
	fx.lateSubject = id
	return fx
}

var hqEffects0 = hot(`UPDATE timers SET fired_at = $1, claimed_by = 'disarmed' WHERE subject_id = $2 AND fired_at IS NULL`)

var hqEffects1 = hot(`INSERT INTO timers (id, kind, subject_id, due_at) VALUES ($1, $2, $3, $4)`)

var hqEffects2 = hot(`INSERT INTO notifications (id, staff_id, kind, subject_id, created_at) VALUES ($1, $2, $3, $4, $5)`)

var hqEffects3 = hot(`SELECT email FROM staff WHERE id = $1`)

var hqEffects4 = hot(`SELECT url FROM webhooks WHERE organization_id = $1`)

var hqEffects5 = hot(`INSERT INTO outbox (id, channel, target, payload, created_at, next_attempt) VALUES ($1, $2, $3, $4, $5, $5)`)
