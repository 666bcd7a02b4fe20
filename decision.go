package accord

import "time"

// Actor is who asks for client data: one staff member of one organisation.
type Actor struct {
	StaffID        string
	OrganizationID string
	Sector         Sector
	Roles          RoleSet
}

// Request is the one question every read or disclosure of client data asks
// the decision point: may ACTOR read CATEGORY of CLIENT, held by HOLDER, for
// PURPOSE, at TIME?
type Request struct {
	Actor    Actor
	ClientID string
	// HolderID is the organisation holding the data. When it is not the
	// actor's organisation, the data would cross an organisation boundary.
	HolderID    string
	Category    Category
	Sensitivity SensitivitySet
	Purpose     Purpose
	Time        time.Time
}

// CrossesBoundary reports whether the data would leave the holder's organisation.
func (r *Request) CrossesBoundary() bool { return r.Actor.OrganizationID != r.HolderID }

// Effect is permit or deny.
type Effect uint8

const (
	Deny Effect = iota
	Permit
)

func (e Effect) String() string {
	if e == Permit {
		return "permit"
	}
	return "deny"
}

// Reason is the stable code of the rule or provision that decided. Each has
// a plain-language explanation in the message catalogue.
type Reason string

const (
	// Permits.
	ReasonSameOrgRole      Reason = "same_org_role"         // rule 3: the holder's own staff, by role
	ReasonSameOrgCareTeam  Reason = "same_org_care_team"    // rule 3: the holder's own staff on the client's care team
	ReasonAgreementConsent Reason = "agreement_and_consent" // rule 4
	ReasonCourtOrder       Reason = "court_order"           // rule 2 (and 4): a court order naming client, category, recipient
	ReasonStatutoryDuty    Reason = "statutory_duty"        // a recorded statutory duty to disclose
	ReasonBreakGlass       Reason = "break_glass"           // rule 5

	// Denies.
	ReasonDefaultDeny         Reason = "default_deny"              // rule 1
	ReasonFirewall            Reason = "firewall"                  // rule 2
	ReasonRoleNotPermitted    Reason = "role_not_permitted"        // rule 3
	ReasonNotOnCareTeam       Reason = "not_on_care_team"          // rule 3
	ReasonPrivileged          Reason = "privileged"                // rule 3: privileged legal notes stay with the legal team
	ReasonNoAgreement         Reason = "no_agreement"              // rule 4
	ReasonProhibitedRecipient Reason = "prohibited_recipient"      // rule 4
	ReasonNoConsent           Reason = "no_consent"                // rule 4
	ReasonConsentDenies       Reason = "consent_denies"            // rule 4
	ReasonSensitivity         Reason = "sensitivity_not_consented" // rule 4
	ReasonLocalPolicy         Reason = "local_policy"              // rule 6
	ReasonBreakGlassRequired  Reason = "break_glass_required"      // rule 5: ETREAT without a recorded emergency
)

// Obligations are what the enforcement point must do with a decision, as a bitmask.
type Obligations uint8

const (
	// ObligeAudit: record the decision in the audit log before releasing data. Always set.
	ObligeAudit Obligations = 1 << iota
	// ObligeReview: queue the access for oversight review.
	ObligeReview
	// ObligeNotify: tell the client's organisation's privacy officer.
	ObligeNotify
)

// Has reports whether o includes x.
func (o Obligations) Has(x Obligations) bool { return o&x == x }

// List returns the obligations as words, for the API.
func (o Obligations) List() []string {
	var out []string
	for _, x := range []struct {
		bit  Obligations
		name string
	}{{ObligeAudit, "audit"}, {ObligeReview, "review"}, {ObligeNotify, "notify"}} {
		if o.Has(x.bit) {
			out = append(out, x.name)
		}
	}
	return out
}

// Decision is the decision point's answer, with what decided it.
type Decision struct {
	Effect      Effect
	Reason      Reason
	Obligations Obligations

	// References to the data that decided, when any.
	AgreementID      string
	AgreementVersion int
	ConsentID        string
	Provision        int // index into the consent's provisions, -1 when none
	LegalBasisID     string
	PolicyID         string // the local Cedar policy that forbade
}

// Permitted reports whether the effect is permit.
func (d Decision) Permitted() bool { return d.Effect == Permit }
