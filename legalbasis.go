package accord

import (
	"slices"
	"time"
)

// LegalBasisKind is the kind of non-consent basis for a disclosure.
type LegalBasisKind string

const (
	// BasisCourtOrder is a court order naming the client, the data categories
	// and the recipient organisation. It is the only way through the firewall.
	BasisCourtOrder LegalBasisKind = "court_order"
	// BasisEmergency is a break-glass access by one clinician, time-boxed.
	BasisEmergency LegalBasisKind = "emergency"
	// BasisStatutoryDuty is a duty in law to disclose (a safeguarding report,
	// say) to a named recipient outside the firewall.
	BasisStatutoryDuty LegalBasisKind = "statutory_duty"
)

// LegalBasisKinds lists the kinds.
var LegalBasisKinds = []LegalBasisKind{BasisCourtOrder, BasisEmergency, BasisStatutoryDuty}

// ReviewStatus is where a legal-basis disclosure is in oversight review.
type ReviewStatus string

const (
	ReviewPending      ReviewStatus = "pending"
	ReviewJustified    ReviewStatus = "justified"
	ReviewNotJustified ReviewStatus = "not_justified"
	ReviewReferred     ReviewStatus = "referred"
)

// BreakGlassMaxDuration bounds an emergency access.
const BreakGlassMaxDuration = 4 * time.Hour

// LegalBasis is a recorded basis for disclosure without consent. Every use
// of one is queued for oversight review.
type LegalBasis struct {
	ID         string         `json:"id"`
	Kind       LegalBasisKind `json:"kind"`
	ClientID   string         `json:"client_id"`
	Categories []Category     `json:"categories"`
	// RecipientOrganizationID is who may receive the data.
	RecipientOrganizationID string `json:"recipient_organization_id"`
	// HolderOrganizationID is the organisation whose data the basis
	// discloses: a court order or statutory duty binds the organisation it
	// was served on, which records it. Empty for an emergency access, which
	// follows the clinician to whoever holds the clinical data.
	HolderOrganizationID string `json:"holder_organization_id,omitempty"`
	// RecipientStaffID narrows an emergency basis to the one person who broke the glass.
	RecipientStaffID string `json:"recipient_staff_id,omitempty"`
	// Purposes the basis serves; empty means the kind's default
	// (HLEGAL for court orders and statutory duties, ETREAT for emergencies).
	Purposes []Purpose `json:"purposes,omitempty"`
	// Reference is the court's case number or the statute; Issuer the court or authority.
	Reference  string    `json:"reference,omitempty"`
	Issuer     string    `json:"issuer,omitempty"`
	Reason     string    `json:"reason"`
	ValidFrom  time.Time `json:"valid_from"`
	ExpiresAt  time.Time `json:"expires_at"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`

	ReviewStatus ReviewStatus `json:"review_status"`
	ReviewedBy   string       `json:"reviewed_by,omitempty"`
	ReviewedAt   *time.Time   `json:"reviewed_at,omitempty"`
	ReviewNote   string       `json:"review_note,omitempty"`
}

// DefaultPurposes returns the purposes the basis serves.
func (b *LegalBasis) DefaultPurposes() []Purpose {
	if len(b.Purposes) > 0 {
		return b.Purposes
	}
	if b.Kind == BasisEmergency {
		return []Purpose{PurposeEmergencyTreatment}
	}
	return []Purpose{PurposeLegal}
}

// InForce reports whether the basis is valid at t.
func (b *LegalBasis) InForce(t time.Time) bool {
	return !t.Before(b.ValidFrom) && t.Before(b.ExpiresAt)
}

// Validate checks a legal basis before it is recorded.
func (b *LegalBasis) Validate() error {
	if !slices.Contains(LegalBasisKinds, b.Kind) {
		return FieldErrorf("kind", "kind must be court_order, emergency or statutory_duty")
	}
	if !ValidID(PrefixClient, b.ClientID) {
		return FieldErrorf("client_id", "client_id is not a client id")
	}
	if !ValidID(PrefixOrganization, b.RecipientOrganizationID) {
		return FieldErrorf("recipient_organization_id", "recipient_organization_id is not an organisation id")
	}
	if b.Kind != BasisEmergency {
		if !ValidID(PrefixOrganization, b.HolderOrganizationID) {
			return FieldErrorf("holder_organization_id", "a court order or statutory duty must name the organisation whose data it discloses")
		}
		if b.HolderOrganizationID == b.RecipientOrganizationID {
			return FieldErrorf("holder_organization_id", "the organisation that discloses cannot also be the recipient")
		}
	} else if b.HolderOrganizationID != "" {
		return FieldErrorf("holder_organization_id", "an emergency access is not bound to one holder")
	}
	if len(b.Categories) == 0 {
		return FieldErrorf("categories", "a legal basis must name the data categories it covers")
	}
	for _, c := range b.Categories {
		if !c.Valid() {
			return FieldErrorf("categories", "unknown category %q", string(c))
		}
		if c == CatLegalPrivilegedNote {
			return FieldErrorf("categories", "privileged legal notes are not disclosed on a legal basis")
		}
	}
	for _, p := range b.Purposes {
		if !p.Valid() {
			return PurposeError("purposes", p)
		}
	}
	if err := checkText("reason", b.Reason, 2000, true); err != nil {
		return err
	}
	if err := checkText("reference", b.Reference, 200, b.Kind != BasisEmergency); err != nil {
		return err
	}
	if err := checkText("issuer", b.Issuer, 200, b.Kind == BasisCourtOrder); err != nil {
		return err
	}
	if b.ExpiresAt.IsZero() || !b.ExpiresAt.After(b.ValidFrom) {
		return FieldErrorf("expires_at", "a legal basis needs an expiry after its start")
	}
	if b.Kind == BasisEmergency {
		if !ValidID(PrefixStaff, b.RecipientStaffID) {
			return FieldErrorf("recipient_staff_id", "an emergency access names the staff member who breaks the glass")
		}
		if b.ExpiresAt.Sub(b.ValidFrom) > BreakGlassMaxDuration {
			return FieldErrorf("expires_at", "an emergency access lasts at most %d hours", int(BreakGlassMaxDuration.Hours()))
		}
		for _, c := range b.Categories {
			if !c.Clinical() {
				return FieldErrorf("categories", "emergency access covers clinical categories only")
			}
		}
	}
	return nil
}
