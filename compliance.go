package accord

import (
	"slices"
	"time"
)

// The consent-compliance audit re-checks, for a disclosure recorded in the
// audit log, that what the decision point said permitted it really did:
// the agreement version and consent provision (or the legal basis) the
// leaf names are loaded as they are stored, and checked here against the
// leaf alone, without asking the decision point again. The rules are
// those of the architecture's rule 4 and of legal bases, written over the
// domain types so that a fault in the decision point's compiled form
// would show as a disagreement rather than be repeated.

// IsDisclosure reports whether e is a disclosure: a permitted decision that
// released data held by one organisation to a member of another.
func (e *AuditEntry) IsDisclosure() bool {
	return e.Kind == AuditDecision && e.Effect == Permit.String() && e.Released &&
		e.HolderID != "" && e.ActorOrganizationID != "" && e.HolderID != e.ActorOrganizationID
}

// TieBasis is what a disclosure is tied to.
type TieBasis string

const (
	TieAgreementConsent TieBasis = "agreement_and_consent" // an agreement version and a consent provision
	TieLegalBasis       TieBasis = "legal_basis"           // a court order, a statutory duty or an emergency access
	TieNone             TieBasis = "none"                  // nothing it can be tied to
	// TieErased: the client was erased since, and their consents and legal
	// bases with them; the disclosure can no longer be checked.
	TieErased TieBasis = "erased"
)

// TieProblem is the stable code of one reason a disclosure cannot be tied
// to what its audit entry names.
type TieProblem string

const (
	ProblemUnknownReason       TieProblem = "unknown_reason"             // the leaf's reason is not one that permits a disclosure
	ProblemNoAgreement         TieProblem = "agreement_not_named"        // the leaf names no agreement version
	ProblemAgreementMissing    TieProblem = "agreement_not_found"        // the version named is not stored
	ProblemAgreementNotInForce TieProblem = "agreement_not_in_force"     // not active, or outside its effective period, at the time
	ProblemAgreementParties    TieProblem = "agreement_parties"          // holder or recipient is not a party
	ProblemAgreementProhibits  TieProblem = "agreement_prohibits"        // the recipient is a prohibited recipient
	ProblemAgreementCategory   TieProblem = "agreement_category"         // the category is not covered
	ProblemAgreementPurpose    TieProblem = "agreement_purpose"          // the purpose is not covered
	ProblemNoConsent           TieProblem = "consent_not_named"          // the leaf names no consent provision
	ProblemConsentMissing      TieProblem = "consent_not_found"          // the consent named is not stored
	ProblemConsentClient       TieProblem = "consent_other_client"       // the consent is another client's
	ProblemConsentNotInForce   TieProblem = "consent_not_in_force"       // not yet given, ended or revoked at the time
	ProblemProvisionMissing    TieProblem = "provision_not_found"        // the consent has no provision of that number
	ProblemProvisionNotPermit  TieProblem = "provision_not_permit"       // the provision is a deny
	ProblemProvisionNotInForce TieProblem = "provision_not_in_force"     // outside the provision's own period
	ProblemProvisionRecipient  TieProblem = "provision_recipient"        // the recipient is neither named nor of a named sector
	ProblemProvisionCategory   TieProblem = "provision_category"         // the category is not named
	ProblemProvisionPurpose    TieProblem = "provision_purpose"          // the purpose is not named
	ProblemConsentDenies       TieProblem = "consent_denies"             // a deny provision in force covered it
	ProblemNoBasis             TieProblem = "legal_basis_not_named"      // the leaf names no legal basis
	ProblemBasisMissing        TieProblem = "legal_basis_not_found"      // the legal basis named is not stored
	ProblemBasisKind           TieProblem = "legal_basis_kind"           // the basis is not of the kind the reason says
	ProblemBasisClient         TieProblem = "legal_basis_other_client"   // the basis is another client's
	ProblemBasisNotInForce     TieProblem = "legal_basis_not_in_force"   // outside its validity at the time
	ProblemBasisCategory       TieProblem = "legal_basis_category"       // the category is not named
	ProblemBasisPurpose        TieProblem = "legal_basis_purpose"        // the purpose is not one it serves
	ProblemBasisRecipient      TieProblem = "legal_basis_recipient"      // the recipient organisation is not the one named
	ProblemBasisHolder         TieProblem = "legal_basis_holder"         // it does not bind the organisation that disclosed
	ProblemBasisStaff          TieProblem = "legal_basis_staff"          // an emergency access used by someone else
	ProblemFirewall            TieProblem = "firewall_crossed"           // firewalled data reached an enforcement body without a court order
	ProblemPrivileged          TieProblem = "privileged_crossed"         // a privileged legal note crossed an organisation boundary
	ProblemEmergencyByConsent  TieProblem = "emergency_not_by_agreement" // emergency treatment under an agreement
)

// TieEvidence is what the audit loads, as stored now, for one disclosure.
// A missing object is nil.
type TieEvidence struct {
	// ClientIDs are the ids the disclosure's client is known by: its own
	// and, when it was merged, the survivor's (consents and legal bases
	// move to the survivor).
	ClientIDs []string
	// RecipientSector is the sector of the organisation that received.
	RecipientSector Sector
	Agreement       *Agreement
	Consent         *Consent
	// Consents are all of the client's consents, for the deny provisions.
	Consents []Consent
	Basis    *LegalBasis
	// Erased says the client has been erased since.
	Erased bool
}

// Tie is the outcome of checking one disclosure.
type Tie struct {
	Basis    TieBasis
	Problems []TieProblem
}

// Tied reports whether the disclosure was tied to what permitted it.
func (t Tie) Tied() bool { return t.Basis != TieNone && t.Basis != TieErased && len(t.Problems) == 0 }

// Untied reports whether the disclosure is flagged: it could be checked
// and was not tied to what permitted it.
func (t Tie) Untied() bool { return t.Basis != TieErased && !t.Tied() }

// CheckTie checks disclosure e against the evidence. It never consults the
// decision point.
func CheckTie(e *AuditEntry, ev *TieEvidence) Tie {
	if ev.Erased {
		return Tie{Basis: TieErased}
	}
	if e.Category == CatLegalPrivilegedNote {
		return Tie{Basis: TieNone, Problems: []TieProblem{ProblemPrivileged}}
	}
	switch e.Reason {
	case ReasonAgreementConsent:
		return Tie{Basis: TieAgreementConsent, Problems: checkAgreementConsent(e, ev)}
	case ReasonCourtOrder, ReasonStatutoryDuty, ReasonBreakGlass:
		return Tie{Basis: TieLegalBasis, Problems: checkLegalBasis(e, ev)}
	}
	return Tie{Basis: TieNone, Problems: []TieProblem{ProblemUnknownReason}}
}

func checkAgreementConsent(e *AuditEntry, ev *TieEvidence) []TieProblem {
	var out []TieProblem
	add := func(ok bool, p TieProblem) {
		if !ok {
			out = append(out, p)
		}
	}
	recipient, t := e.ActorOrganizationID, e.Time
	if e.Purpose == PurposeEmergencyTreatment {
		out = append(out, ProblemEmergencyByConsent)
	}
	if ev.RecipientSector.Enforcement() && slices.Contains(firewallCategories, e.Category) {
		out = append(out, ProblemFirewall)
	}
	switch a := ev.Agreement; {
	case e.AgreementID == "" || e.AgreementVersion == 0:
		out = append(out, ProblemNoAgreement)
	case a == nil:
		out = append(out, ProblemAgreementMissing)
	default:
		add(a.WasInForce(t), ProblemAgreementNotInForce)
		add(slices.Contains(a.Parties, e.HolderID) && slices.Contains(a.Parties, recipient), ProblemAgreementParties)
		add(!slices.Contains(a.ProhibitedRecipients, recipient), ProblemAgreementProhibits)
		add(slices.Contains(a.Categories, e.Category), ProblemAgreementCategory)
		add(slices.Contains(a.Purposes, e.Purpose), ProblemAgreementPurpose)
	}
	switch c := ev.Consent; {
	case e.ConsentID == "" || e.Provision == nil:
		out = append(out, ProblemNoConsent)
	case c == nil:
		out = append(out, ProblemConsentMissing)
	default:
		add(slices.Contains(ev.ClientIDs, c.ClientID), ProblemConsentClient)
		add(c.WasInForce(t), ProblemConsentNotInForce)
		i := *e.Provision
		if i < 0 || i >= len(c.Provisions) {
			out = append(out, ProblemProvisionMissing)
			break
		}
		p := &c.Provisions[i]
		add(p.Type == ProvisionPermit, ProblemProvisionNotPermit)
		add(p.inForce(t), ProblemProvisionNotInForce)
		add(p.namesRecipient(recipient, ev.RecipientSector), ProblemProvisionRecipient)
		add(slices.Contains(p.Categories, e.Category), ProblemProvisionCategory)
		add(slices.Contains(p.Purposes, e.Purpose), ProblemProvisionPurpose)
	}
	// Deny wins: no deny provision of any consent in force may cover it.
	for i := range ev.Consents {
		c := &ev.Consents[i]
		if !slices.Contains(ev.ClientIDs, c.ClientID) || !c.WasInForce(t) {
			continue
		}
		if slices.ContainsFunc(c.Provisions, func(p Provision) bool { return p.denies(e, ev.RecipientSector) }) {
			out = append(out, ProblemConsentDenies)
			break
		}
	}
	return out
}

func checkLegalBasis(e *AuditEntry, ev *TieEvidence) []TieProblem {
	b := ev.Basis
	switch {
	case e.LegalBasisID == "":
		return []TieProblem{ProblemNoBasis}
	case b == nil:
		return []TieProblem{ProblemBasisMissing}
	}
	var out []TieProblem
	add := func(ok bool, p TieProblem) {
		if !ok {
			out = append(out, p)
		}
	}
	want := map[Reason]LegalBasisKind{ReasonCourtOrder: BasisCourtOrder, ReasonStatutoryDuty: BasisStatutoryDuty, ReasonBreakGlass: BasisEmergency}[e.Reason]
	add(b.Kind == want, ProblemBasisKind)
	add(slices.Contains(ev.ClientIDs, b.ClientID), ProblemBasisClient)
	add(b.InForce(e.Time), ProblemBasisNotInForce)
	add(slices.Contains(b.Categories, e.Category), ProblemBasisCategory)
	add(slices.Contains(b.DefaultPurposes(), e.Purpose), ProblemBasisPurpose)
	add(b.RecipientOrganizationID == e.ActorOrganizationID, ProblemBasisRecipient)
	add(b.HolderOrganizationID == "" || b.HolderOrganizationID == e.HolderID, ProblemBasisHolder)
	if b.Kind == BasisEmergency {
		add(b.RecipientStaffID == e.ActorID, ProblemBasisStaff)
	}
	add(!ev.RecipientSector.Enforcement() || !slices.Contains(firewallCategories, e.Category) || b.Kind == BasisCourtOrder, ProblemFirewall)
	return out
}

// firewallCategories are what an immigration authority or law enforcement
// body receives from another organisation only under a court order.
var firewallCategories = []Category{CatClinicalSummary, CatClinicalNote, CatLegalMatter, CatLegalPrivilegedNote, CatImmigrationStatus}

// WasInForce reports whether the agreement version was in force at t, as
// far as its stored row can tell: it was activated (it is not a draft),
// t is within its effective period, and t is before the change that ended
// it when it was later suspended, terminated or superseded (its last
// status change). A suspension later lifted is not visible in the row.
func (a *Agreement) WasInForce(t time.Time) bool {
	if t.Before(a.EffectiveFrom) || !t.Before(a.EffectiveUntil) {
		return false
	}
	switch a.Status {
	case AgreementActive, AgreementExpired:
		return true
	case AgreementSuspended, AgreementTerminated, AgreementSuperseded:
		return t.Before(a.UpdatedAt)
	}
	return false
}

// WasInForce reports whether the consent was in force at t: within its
// period and not yet revoked, whatever its status now.
func (c *Consent) WasInForce(t time.Time) bool {
	if t.Before(c.Start) || c.End != nil && !t.Before(*c.End) {
		return false
	}
	if c.Status == ConsentRevoked {
		return c.RevokedAt != nil && t.Before(*c.RevokedAt)
	}
	return c.Status == ConsentActive
}

func (p *Provision) inForce(t time.Time) bool {
	return (p.Start == nil || !t.Before(*p.Start)) && (p.End == nil || t.Before(*p.End))
}

func (p *Provision) namesRecipient(org string, sector Sector) bool {
	return slices.Contains(p.Organizations, org) || sector != "" && slices.Contains(p.Sectors, sector)
}

// denies reports whether p is a deny provision covering the disclosure:
// an empty list of recipients, purposes or categories matches anything.
func (p *Provision) denies(e *AuditEntry, sector Sector) bool {
	return p.Type == ProvisionDeny && p.inForce(e.Time) &&
		(len(p.Organizations) == 0 && len(p.Sectors) == 0 || p.namesRecipient(e.ActorOrganizationID, sector)) &&
		(len(p.Purposes) == 0 || slices.Contains(p.Purposes, e.Purpose)) &&
		(len(p.Categories) == 0 || slices.Contains(p.Categories, e.Category))
}
