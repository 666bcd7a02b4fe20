package sqlstore

import (
	"context"
	"fmt"

	"github.com/accord-project/accord"
)

// Oversight review of legal bases. A legal basis waits for review from the
// moment it is recorded; its deadline (accord.ReviewDeadline) is a durable
// timer armed in the transaction that records it, so that it survives
// restarts and fires once whichever process claims it. When it fires with
// the review still pending, the oversight body's escalation chain is told
// and the timer is armed again (accord.ReviewReminder) until someone
// reviews; recording the review disarms it.

// TimerLegalBasisReview fires when a legal basis has waited too long for
// the oversight body's review. (Migration 0007 names it too.)
const TimerLegalBasisReview = "legal_basis.review"

// reviewDeadline is the effect that arms a new legal basis's review deadline.
func reviewDeadline(b *accord.LegalBasis) Effects {
	return Effects{Timers: []Timer{{Kind: TimerLegalBasisReview, SubjectID: b.ID, DueAt: b.ReviewDueAt()}}}
}

// QueuedReview is a legal basis in the oversight body's review queue.
type QueuedReview struct {
	accord.LegalBasis
	// Escalations is how many times its overdue review was escalated to
	// the oversight body's escalation chain.
	Escalations int
}

// ReviewQueue returns the legal bases waiting for review, the longest
// waiting first (so the overdue come first), at most limit (1 to 1000).
func (db *DB) ReviewQueue(ctx context.Context, limit int) ([]QueuedReview, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return findQueuedReviews(ctx, db.read, `WHERE review_status = $1 ORDER BY recorded_at, id LIMIT $2`, accord.ReviewPending, limit)
}

// RecentReviews returns the latest reviews recorded, newest first, at most
// limit (1 to 1000).
func (db *DB) RecentReviews(ctx context.Context, limit int) ([]QueuedReview, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return findQueuedReviews(ctx, db.read, `WHERE review_status <> $1 AND reviewed_at IS NOT NULL ORDER BY reviewed_at DESC, id LIMIT $2`, accord.ReviewPending, limit)
}

// FindQueuedReview returns one legal basis with its escalations, or ENOTFOUND.
func (db *DB) FindQueuedReview(ctx context.Context, id string) (*QueuedReview, error) {
	return findQueuedReview(ctx, db.read, id)
}

func findQueuedReview(ctx context.Context, q querier, id string) (*QueuedReview, error) {
	if !accord.ValidID(accord.PrefixLegalBasis, id) {
		return nil, accord.Errorf(accord.ENOTFOUND, "legal basis not found")
	}
	rs, err := findQueuedReviews(ctx, q, `WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "legal basis not found")
	}
	return &rs[0], nil
}

func findQueuedReviews(ctx context.Context, q querier, where string, args ...any) ([]QueuedReview, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+legalBasisColumns+`, review_escalations FROM legal_bases `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []QueuedReview
	for rows.Next() {
		var r QueuedReview
		if err := scanLegalBasis(rows, &r.LegalBasis, &r.Escalations); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReviewLegalBasis records the oversight body's review of legal basis id,
// once: a second review of the same basis is ECONFLICT and changes
// nothing, also when two reviewers submit at the same moment. The review
// is an audit event ("legal_basis.review.<decision>") and disarms the
// basis's review deadline. Who may review is the enforcement layer's to
// decide. Errors: ENOTFOUND, EINVALID (the review), ECONFLICT.
func (db *DB) ReviewLegalBasis(ctx context.Context, actor accord.Actor, id string, rv accord.Review) (_ *accord.LegalBasis, err error) {
	defer accord.Wrap(&err, "ReviewLegalBasis(%s)", id)
	if err := rv.Validate(); err != nil {
		return nil, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := findQueuedReview(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	b := &r.LegalBasis
	if b.ReviewStatus != accord.ReviewPending {
		return nil, errReviewed()
	}
	now := tx.now
	res, err := tx.ExecContext(ctx, `UPDATE legal_bases SET review_status = $1, reviewed_by = $2, reviewed_at = $3, review_note = $4
		WHERE id = $5 AND review_status = $6`, rv.Decision, actor.StaffID, us(now), rv.Reasoning, b.ID, accord.ReviewPending)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, errReviewed() // reviewed by someone else meanwhile
	}
	b.ReviewStatus, b.ReviewedBy, b.ReviewedAt, b.ReviewNote = rv.Decision, actor.StaffID, &now, rv.Reasoning
	if err := db.applyEffects(ctx, tx, Effects{Disarm: []string{b.ID}}); err != nil {
		return nil, err
	}
	e := changeEntry(actor, "legal_basis.review."+string(rv.Decision), b.ID, b.ClientID)
	e.LegalBasisID = b.ID
	tx.record(e)
	if err := tx.commit(ctx); err != nil {
		return nil, err
	}
	return b, nil
}

func errReviewed() error {
	return accord.Errorf(accord.ECONFLICT, "this legal basis has already been reviewed; a review is recorded once")
}

// ArmReviewDeadlines arms the review deadline of every legal basis that
// waits for review and has none (bases imported rather than recorded, such
// as the demo's), and returns how many it armed. Running it again arms
// nothing more.
func (db *DB) ArmReviewDeadlines(ctx context.Context) (n int, err error) {
	defer accord.Wrap(&err, "ArmReviewDeadlines")
	tx, err := db.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rs, err := findQueuedReviews(ctx, tx, `WHERE review_status = $1 AND NOT EXISTS (SELECT 1 FROM timers WHERE timers.subject_id = legal_bases.id AND timers.kind = $2)
		ORDER BY recorded_at, id`, accord.ReviewPending, TimerLegalBasisReview)
	if err != nil {
		return 0, err
	}
	var fx Effects
	for i := range rs {
		fx.Timers = append(fx.Timers, reviewDeadline(&rs[i].LegalBasis).Timers...)
	}
	if err := db.applyEffects(ctx, tx, fx); err != nil {
		return 0, err
	}
	return len(rs), tx.commit(ctx)
}

// fireReview escalates a legal basis still waiting for review when its
// deadline passed: the oversight body's escalation chain is told (its
// auditors and privacy officers when it has no chain), its webhook is
// called, the escalation is an audit event, and the timer is armed again
// to remind them while no one reviews.
func (db *DB) fireReview(ctx context.Context, tx *Tx, t Timer) error {
	r, err := findQueuedReview(ctx, tx, t.SubjectID)
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		return nil // erased with its client
	}
	if err != nil {
		return err
	}
	if r.ReviewStatus != accord.ReviewPending {
		return nil
	}
	over, tell, err := oversightRecipients(ctx, tx)
	if err != nil || over == "" {
		return err // no oversight body to tell: nothing to remind
	}
	if _, err := tx.ExecContext(ctx, `UPDATE legal_bases SET review_escalations = review_escalations + 1 WHERE id = $1`, r.ID); err != nil {
		return err
	}
	fx := Effects{
		Timers: []Timer{{Kind: TimerLegalBasisReview, SubjectID: r.ID, DueAt: tx.now.Add(accord.ReviewReminder)}},
		Hooks:  []Hook{{OrganizationID: over, Kind: "legal_basis.review_overdue", SubjectID: r.ID}},
	}
	for _, s := range tell {
		fx.Notices = append(fx.Notices, Notice{StaffID: s, Kind: "legal_basis.review_overdue", SubjectID: r.ID})
	}
	if err := db.applyEffects(ctx, tx, fx); err != nil {
		return fmt.Errorf("legal basis %s: %w", r.ID, err)
	}
	e := changeEntry(system, "legal_basis.review_overdue", r.ID, r.ClientID)
	e.LegalBasisID = r.ID
	e.Count = r.Escalations + 1
	tx.record(e)
	return nil
}

// oversightRecipients is the oversight body and whom in it an overdue
// review is told of: its escalation contacts, else its first tier of
// complaint handlers (its auditors and privacy officers). over is "" when
// the partnership has no oversight body.
func oversightRecipients(ctx context.Context, tx *Tx) (over string, tell []string, err error) {
	over, err = oversightOrg(ctx, tx)
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	if tell, err = escalationChain(ctx, tx, over); err != nil || len(tell) > 0 {
		return over, tell, err
	}
	tiers, err := grievanceTiers(ctx, tx, over)
	if err != nil {
		return "", nil, err
	}
	if len(tiers) > 0 {
		tell = tiers[0]
	}
	return over, tell, nil
}
