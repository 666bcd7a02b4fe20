package accord

import (
	"slices"
	"time"
)

// AgreementStatus is where an agreement version is in its life.
type AgreementStatus string

const (
	AgreementDraft      AgreementStatus = "draft"
	AgreementActive     AgreementStatus = "active"
	AgreementSuspended  AgreementStatus = "suspended"
	AgreementExpired    AgreementStatus = "expired"
	AgreementTerminated AgreementStatus = "terminated"
	// AgreementSuperseded marks a version replaced by a newer active version.
	AgreementSuperseded AgreementStatus = "superseded"
)

// agreementTransitions lists the status changes a person may make. Expired
// and superseded are set by Accord itself, never requested.
var agreementTransitions = map[AgreementStatus][]AgreementStatus{
	AgreementDraft:     {AgreementActive, AgreementTerminated},
	AgreementActive:    {AgreementSuspended, AgreementTerminated},
	AgreementSuspended: {AgreementActive, AgreementTerminated},
}

// Signatory is a person who signed an agreement for one party.
type Signatory struct {
	OrganizationID string    `json:"organization_id"`
	Name           string    `json:"name"`
	Title          string    `json:"title"`
	SignedAt       time.Time `json:"signed_at"`
}

// Agreement is one version of a memorandum of understanding or data-sharing
// agreement between organisations. A change is a new version; versions are
// never edited once active.
type Agreement struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Title   string `json:"title"`
	// Parties are the organisations between which data may flow, in any direction.
	Parties    []string   `json:"parties"`
	Purposes   []Purpose  `json:"purposes"`
	Categories []Category `json:"categories"`
	// Roles are the roles of the receiving staff the agreement covers.
	Roles         []Role `json:"roles"`
	RetentionDays int    `json:"retention_days"`
	// EffectiveFrom is inclusive, EffectiveUntil exclusive.
	EffectiveFrom  time.Time `json:"effective_from"`
	EffectiveUntil time.Time `json:"effective_until"`
	ReviewDate     time.Time `json:"review_date"`
	// ProhibitedRecipients are organisations that may never receive data
	// under this agreement, even when they are parties to it.
	ProhibitedRecipients []string `json:"prohibited_recipients,omitempty"`
	// EscalationSLA is how many minutes each escalation contact has to
	// acknowledge an urgent need raised between the parties, per urgency
	// ("urgent", "immediate"); absent means each organisation's own.
	EscalationSLA map[Urgency]int `json:"escalation_sla_minutes,omitempty"`
	Signatories   []Signatory     `json:"signatories,omitempty"`
	Status        AgreementStatus `json:"status"`
	StatusReason  string          `json:"status_reason,omitempty"`
	CreatedBy     string          `json:"created_by"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

// Validate checks the content of an agreement version.
func (a *Agreement) Validate() error {
	if err := checkText("title", a.Title, 200, true); err != nil {
		return err
	}
	if len(a.Parties) < 2 {
		return FieldErrorf("parties", "an agreement needs at least two parties")
	}
	for _, p := range a.Parties {
		if !ValidID(PrefixOrganization, p) {
			return FieldErrorf("parties", "%q is not an organisation id", p)
		}
	}
	if hasDuplicates(a.Parties) {
		return FieldErrorf("parties", "a party is listed twice")
	}
	if len(a.Purposes) == 0 {
		return FieldErrorf("purposes", "an agreement needs at least one purpose")
	}
	for _, p := range a.Purposes {
		if !p.Valid() {
			return PurposeError("purposes", p)
		}
		if p == PurposeEmergencyTreatment {
			return FieldErrorf("purposes", "emergency treatment (ETREAT) is break-glass access, not an agreement purpose")
		}
	}
	if len(a.Categories) == 0 {
		return FieldErrorf("categories", "an agreement needs at least one data category")
	}
	for _, c := range a.Categories {
		if !c.Valid() {
			return FieldErrorf("categories", "unknown category %q", string(c))
		}
		if c == CatLegalPrivilegedNote {
			return FieldErrorf("categories", "privileged legal notes never leave the legal team and cannot be shared by agreement")
		}
	}
	if len(a.Roles) == 0 {
		return FieldErrorf("roles", "an agreement needs at least one receiving role")
	}
	for _, r := range a.Roles {
		if !r.Valid() {
			return FieldErrorf("roles", "unknown role %q", string(r))
		}
	}
	if a.RetentionDays < 1 || a.RetentionDays > 36500 {
		return FieldErrorf("retention_days", "retention_days must be between 1 and 36500")
	}
	if a.EffectiveFrom.IsZero() || a.EffectiveUntil.IsZero() {
		return FieldErrorf("effective_until", "an agreement needs an effective period with a sunset date")
	}
	if !a.EffectiveUntil.After(a.EffectiveFrom) {
		return FieldErrorf("effective_until", "effective_until must be after effective_from")
	}
	if a.ReviewDate.IsZero() {
		return FieldErrorf("review_date", "an agreement needs a review date")
	}
	if a.ReviewDate.After(a.EffectiveUntil) {
		return FieldErrorf("review_date", "review_date must not be after effective_until")
	}
	for _, p := range a.ProhibitedRecipients {
		if !ValidID(PrefixOrganization, p) {
			return FieldErrorf("prohibited_recipients", "%q is not an organisation id", p)
		}
	}
	for _, s := range a.Signatories {
		if err := s.validate(a); err != nil {
			return err
		}
	}
	return ValidateSLA("escalation_sla_minutes", a.EscalationSLA)
}

// ValidateSLA checks escalation response times: urgent or immediate, from 1
// minute to 7 days.
func ValidateSLA(field string, sla map[Urgency]int) error {
	for u, m := range sla {
		if u != UrgencyUrgent && u != UrgencyImmediate {
			return FieldErrorf(field, "escalation times are set for urgent and immediate needs only")
		}
		if m < 1 || m > 7*24*60 {
			return FieldErrorf(field, "an escalation time is from 1 minute to 7 days (10080 minutes)")
		}
	}
	return nil
}

func (s *Signatory) validate(a *Agreement) error {
	if !slices.Contains(a.Parties, s.OrganizationID) {
		return FieldErrorf("signatories", "a signatory must sign for a party to the agreement")
	}
	if err := checkText("signatories.name", s.Name, 200, true); err != nil {
		return err
	}
	return checkText("signatories.title", s.Title, 200, false)
}

// CheckTransition reports whether a person may move the agreement to status
// to. Activation needs a signatory for every party.
func (a *Agreement) CheckTransition(to AgreementStatus, now time.Time) error {
	if !slices.Contains(agreementTransitions[a.Status], to) {
		return Errorf(ECONFLICT, "an agreement cannot go from %s to %s", string(a.Status), string(to))
	}
	if to == AgreementActive {
		for _, p := range a.Parties {
			if !slices.ContainsFunc(a.Signatories, func(s Signatory) bool { return s.OrganizationID == p }) {
				return Errorf(ECONFLICT, "an agreement cannot be activated until every party has signed it")
			}
		}
		if !now.Before(a.EffectiveUntil) {
			return Errorf(ECONFLICT, "an agreement past its sunset date cannot be activated")
		}
	}
	return nil
}

// EffectiveStatus is the status as of now: an active agreement past its
// sunset date is expired even before Accord has recorded it.
func (a *Agreement) EffectiveStatus(now time.Time) AgreementStatus {
	if a.Status == AgreementActive && !now.Before(a.EffectiveUntil) {
		return AgreementExpired
	}
	return a.Status
}

// InForce reports whether the agreement is active and within its effective period at t.
func (a *Agreement) InForce(t time.Time) bool {
	return a.Status == AgreementActive && !t.Before(a.EffectiveFrom) && t.Before(a.EffectiveUntil)
}

func hasDuplicates[S ~[]E, E comparable](s S) bool {
	seen := make(map[E]bool, len(s))
	for _, x := range s {
		if seen[x] {
			return true
		}
		seen[x] = true
	}
	return false
}
