package accord

import (
	"slices"
	"time"
)

// EscalationKind is what kind of urgent need started the clock.
type EscalationKind string

const (
	EscalationEviction   EscalationKind = "imminent_eviction"
	EscalationMedication EscalationKind = "medication_shortage"
	EscalationDetention  EscalationKind = "detention_risk"
	EscalationSafety     EscalationKind = "safety_risk"
	EscalationFlagged    EscalationKind = "flagged" // raised by staff for any other reason
)

// EscalationKinds lists them.
var EscalationKinds = []EscalationKind{EscalationEviction, EscalationMedication, EscalationDetention, EscalationSafety, EscalationFlagged}

// EscalationStatus is where an escalation is.
type EscalationStatus string

const (
	EscalationOpen         EscalationStatus = "open"         // waiting for a contact to acknowledge it
	EscalationAcknowledged EscalationStatus = "acknowledged" // owned, with an action deadline
	EscalationResolved     EscalationStatus = "resolved"
	EscalationCancelled    EscalationStatus = "cancelled"
)

// Escalation is an urgent need with an owner, a clock and a chain of people
// to escalate to. Unacknowledged when its clock runs out, it climbs to the
// next contact in the responsible organisation's chain; acknowledged, it
// has an owner and an action deadline.
type Escalation struct {
	ID             string           `json:"id"`
	ClientID       string           `json:"client_id"`
	CaseID         string           `json:"case_id,omitempty"`
	Kind           EscalationKind   `json:"kind"`
	Urgency        Urgency          `json:"urgency"`
	Summary        string           `json:"summary"`         // sealed
	OrganizationID string           `json:"organization_id"` // responsible organisation
	RaisedBy       string           `json:"raised_by"`
	RaisedAt       time.Time        `json:"raised_at"`
	Level          int              `json:"level"`       // index into the organisation's chain
	ContactID      string           `json:"contact_id"`  // who must acknowledge now
	DueAt          time.Time        `json:"due_at"`      // acknowledge by (open) or act by (acknowledged)
	SLASeconds     int              `json:"sla_seconds"` // time each contact has to acknowledge
	Status         EscalationStatus `json:"status"`
	OwnerID        string           `json:"owner_id,omitempty"`
	AcknowledgedAt *time.Time       `json:"acknowledged_at,omitempty"`
	ResolvedAt     *time.Time       `json:"resolved_at,omitempty"`
	Resolution     string           `json:"resolution,omitempty"` // sealed
	// Exhausted is set when the clock ran out at the last level of the chain.
	Exhausted bool `json:"exhausted"`
	Version   int  `json:"version"`
}

// Validate checks a new escalation.
func (e *Escalation) Validate() error {
	if !ValidID(PrefixClient, e.ClientID) {
		return FieldErrorf("client_id", "client_id is not a client id")
	}
	if !slices.Contains(EscalationKinds, e.Kind) {
		return FieldErrorf("kind", "kind must be one of imminent_eviction, medication_shortage, detention_risk, safety_risk, flagged")
	}
	if !e.Urgency.Valid() || e.Urgency.Rank() < UrgencyUrgent.Rank() {
		return FieldErrorf("urgency", "urgency must be urgent or immediate for an escalation")
	}
	if !ValidID(PrefixOrganization, e.OrganizationID) {
		return FieldErrorf("organization_id", "organization_id is not an organisation id")
	}
	return checkText("summary", e.Summary, 2000, true)
}

// Live reports whether the escalation's clock is running.
func (e *Escalation) Live() bool {
	return e.Status == EscalationOpen || e.Status == EscalationAcknowledged
}

// ActionTime is how long an owner has to act once they acknowledge.
func (u Urgency) ActionTime() time.Duration {
	if u == UrgencyImmediate {
		return 4 * time.Hour
	}
	return 24 * time.Hour
}

// Service is a service in the partnership's directory, after Open Referral
// HSDS: what it offers, where, to whom, in which languages.
type Service struct {
	ID             string   `json:"id"`
	OrganizationID string   `json:"organization_id"`
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	Eligibility    string   `json:"eligibility_description"`
	Languages      []string `json:"languages"`
	Address        string   `json:"address"`
	Email          string   `json:"email,omitempty"`
	Phone          string   `json:"phone,omitempty"`
	Categories     []string `json:"categories"` // HSDS-style taxonomy terms: "housing", "legal", "health" …
	Status         string   `json:"status"`     // active, inactive
}

// Validate checks a directory entry.
func (s *Service) Validate() error {
	if !ValidID(PrefixOrganization, s.OrganizationID) {
		return FieldErrorf("organization_id", "organization_id is not an organisation id")
	}
	if err := checkText("name", s.Name, 200, true); err != nil {
		return err
	}
	if err := checkText("description", s.Description, 4000, false); err != nil {
		return err
	}
	if err := checkText("eligibility_description", s.Eligibility, 2000, false); err != nil {
		return err
	}
	for _, l := range s.Languages {
		if err := checkLanguage("languages", l); err != nil {
			return err
		}
	}
	if len(s.Languages) > 50 || len(s.Categories) > 50 {
		return FieldErrorf("languages", "a service lists at most 50 languages and 50 categories")
	}
	for _, c := range s.Categories {
		if err := checkText("categories", c, 100, true); err != nil {
			return err
		}
	}
	if err := checkText("email", s.Email, 254, false); err != nil {
		return err
	}
	if err := checkText("phone", s.Phone, 40, false); err != nil {
		return err
	}
	if s.Status != "active" && s.Status != "inactive" {
		return FieldErrorf("status", "status must be active or inactive")
	}
	return checkText("address", s.Address, 500, false)
}
