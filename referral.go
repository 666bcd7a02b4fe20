package accord

import (
	"slices"
	"time"
)

// ReferralStatus is where a referral is in its closed loop.
type ReferralStatus string

const (
	ReferralSent       ReferralStatus = "sent"
	ReferralReceived   ReferralStatus = "received"
	ReferralAccepted   ReferralStatus = "accepted"
	ReferralDeclined   ReferralStatus = "declined"
	ReferralInProgress ReferralStatus = "in_progress"
	ReferralCompleted  ReferralStatus = "completed"
	ReferralCancelled  ReferralStatus = "cancelled"
)

// referralTransitions lists who may move a referral where: the receiving
// side acknowledges, accepts or declines, works and completes it; the
// sending side may cancel it until it is finished.
var referralTransitions = map[ReferralStatus]map[ReferralStatus]string{
	ReferralSent:       {ReferralReceived: "receiver", ReferralAccepted: "receiver", ReferralDeclined: "receiver", ReferralCancelled: "sender"},
	ReferralReceived:   {ReferralAccepted: "receiver", ReferralDeclined: "receiver", ReferralCancelled: "sender"},
	ReferralAccepted:   {ReferralInProgress: "receiver", ReferralCompleted: "receiver", ReferralCancelled: "sender"},
	ReferralInProgress: {ReferralCompleted: "receiver", ReferralCancelled: "sender"},
}

// Referral is a closed-loop referral of a client from one organisation to
// another (or to one of its services). What the receiver may see of the
// client is decided when they open it, for the referral's purpose, category
// by category: the handoff.
type Referral struct {
	ID           string         `json:"id"`
	ClientID     string         `json:"client_id"`
	CaseID       string         `json:"case_id,omitempty"`
	FromOrgID    string         `json:"from_organization_id"`
	FromStaffID  string         `json:"from_staff_id"`
	ToOrgID      string         `json:"to_organization_id"`
	ServiceID    string         `json:"service_id,omitempty"`
	Purpose      Purpose        `json:"purpose"`
	Categories   []Category     `json:"categories"` // what the sender asks to share: the minimum necessary
	Reason       string         `json:"reason"`     // sealed
	Urgency      Urgency        `json:"urgency"`
	Status       ReferralStatus `json:"status"`
	StatusReason string         `json:"status_reason,omitempty"` // why declined or cancelled (sealed)
	AssignedTo   string         `json:"assigned_to,omitempty"`   // receiving staff member
	RespondBy    time.Time      `json:"respond_by"`              // the sender is alerted if it is not accepted or declined by then
	SentAt       time.Time      `json:"sent_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
	Version      int            `json:"version"`
}

// Validate checks a new referral.
func (r *Referral) Validate(now time.Time) error {
	if !ValidID(PrefixClient, r.ClientID) {
		return FieldErrorf("client_id", "client_id is not a client id")
	}
	if !ValidID(PrefixOrganization, r.ToOrgID) {
		return FieldErrorf("to_organization_id", "to_organization_id is not an organisation id")
	}
	if r.ToOrgID == r.FromOrgID {
		return FieldErrorf("to_organization_id", "a referral goes to another organisation")
	}
	if r.ServiceID != "" && !ValidID(PrefixService, r.ServiceID) {
		return FieldErrorf("service_id", "service_id is not a service id")
	}
	if !r.Purpose.Valid() {
		return PurposeError("purpose", r.Purpose)
	}
	if len(r.Categories) == 0 {
		return FieldErrorf("categories", "say which kinds of information the receiver needs (the minimum necessary)")
	}
	for _, c := range r.Categories {
		if !c.Valid() {
			return FieldErrorf("categories", "unknown category %q", string(c))
		}
	}
	if hasDuplicates(r.Categories) {
		return FieldErrorf("categories", "a category is listed twice")
	}
	if !r.Urgency.Valid() {
		return FieldErrorf("urgency", "urgency must be routine, soon, urgent or immediate")
	}
	if err := checkText("reason", r.Reason, 4000, true); err != nil {
		return err
	}
	if !r.RespondBy.IsZero() && !r.RespondBy.After(now) {
		return FieldErrorf("respond_by", "respond_by must be in the future")
	}
	return nil
}

// CheckTransition reports whether side ("sender" or "receiver") may move
// the referral to status to. Declining and cancelling need a reason.
func (r *Referral) CheckTransition(to ReferralStatus, side, reason string) error {
	who, ok := referralTransitions[r.Status][to]
	if !ok {
		return Errorf(ECONFLICT, "a referral cannot go from %s to %s", string(r.Status), string(to))
	}
	if who != side {
		if side == "sender" {
			return Errorf(EFORBIDDEN, "only the receiving organisation can mark a referral %s", string(to))
		}
		return Errorf(EFORBIDDEN, "only the sending organisation can cancel a referral")
	}
	if (to == ReferralDeclined || to == ReferralCancelled) && reason == "" {
		return FieldErrorf("reason", "say why the referral is %s", string(to))
	}
	return checkText("reason", reason, 2000, false)
}

// Open reports whether the referral still awaits an answer from the receiver.
func (r *Referral) Open() bool { return r.Status == ReferralSent || r.Status == ReferralReceived }

// Finished reports whether the loop is closed.
func (r *Referral) Finished() bool {
	return r.Status == ReferralCompleted || r.Status == ReferralDeclined || r.Status == ReferralCancelled
}

// Urgency is how soon something needs action.
type Urgency string

const (
	UrgencyRoutine   Urgency = "routine"
	UrgencySoon      Urgency = "soon"
	UrgencyUrgent    Urgency = "urgent"
	UrgencyImmediate Urgency = "immediate"
)

// Urgencies lists them, least urgent first.
var Urgencies = []Urgency{UrgencyRoutine, UrgencySoon, UrgencyUrgent, UrgencyImmediate}

// Valid reports whether u is known.
func (u Urgency) Valid() bool { return slices.Contains(Urgencies, u) }

// Rank orders urgencies: higher is more urgent.
func (u Urgency) Rank() int { return slices.Index(Urgencies, u) }

// ResponseTime is how long a receiver has to accept or decline a referral,
// and a contact to acknowledge an escalation, at each urgency, when no
// agreement says otherwise.
func (u Urgency) ResponseTime() time.Duration {
	switch u {
	case UrgencyImmediate:
		return 30 * time.Minute
	case UrgencyUrgent:
		return 4 * time.Hour
	case UrgencySoon:
		return 3 * 24 * time.Hour
	default:
		return 10 * 24 * time.Hour
	}
}
