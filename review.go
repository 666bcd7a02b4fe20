package accord

import (
	"slices"
	"time"
)

// Oversight review: every legal basis — an emergency (break-glass) access,
// a court order, a statutory duty — is queued for review by the oversight
// body's auditors and privacy officers, who record once whether it was
// justified. A review not recorded within ReviewDeadline escalates to the
// oversight body's escalation chain, and reminds it again every
// ReviewReminder until someone reviews.

const (
	// ReviewDeadline is how long a legal basis may wait for review before
	// the review is overdue and escalates.
	ReviewDeadline = 72 * time.Hour
	// ReviewReminder is how often an overdue review escalates again.
	ReviewReminder = 24 * time.Hour
	// ReviewReasoningMax bounds the reviewer's reasoning.
	ReviewReasoningMax = 4000
)

// ReviewDecisions lists what a review may decide, in the order a form
// offers them.
var ReviewDecisions = []ReviewStatus{ReviewJustified, ReviewNotJustified, ReviewReferred}

// Valid reports whether s is a decision a review may record (not pending).
func (s ReviewStatus) Valid() bool { return slices.Contains(ReviewDecisions, s) }

// Review is the oversight body's decision on one legal basis, with the
// reviewer's reasoning.
type Review struct {
	Decision  ReviewStatus
	Reasoning string
}

// Validate checks a review before it is recorded: a known decision, and
// reasoning that is not blank.
func (r *Review) Validate() error {
	if !r.Decision.Valid() {
		e := FieldErrorf("decision", "decision must be justified, not_justified or referred")
		for _, d := range ReviewDecisions {
			e.Accepted = append(e.Accepted, string(d))
		}
		return e
	}
	return checkText("reasoning", r.Reasoning, ReviewReasoningMax, true)
}

// ReviewDueAt returns when the oversight review of b is due.
func (b *LegalBasis) ReviewDueAt() time.Time { return b.RecordedAt.Add(ReviewDeadline) }

// ReviewOverdue reports whether b still waits for review at now, past its
// deadline.
func (b *LegalBasis) ReviewOverdue(now time.Time) bool {
	return b.ReviewStatus == ReviewPending && !now.Before(b.ReviewDueAt())
}
