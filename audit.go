package accord

import "time"

// AuditKind is what an audit entry records.
type AuditKind string

const (
	AuditDecision AuditKind = "decision" // an access decision, permit or deny
	AuditChange   AuditKind = "change"   // a change to partnership data (consent revoked, agreement activated …)
	AuditLogin    AuditKind = "login"    // a sign-in, successful or not
	AuditExport   AuditKind = "export"   // an access report or other export
	AuditErasure  AuditKind = "erasure"  // a client erased (keys destroyed)
)

// AuditEntry is one leaf of the audit log. It holds ids, codes and times
// only — never a name, a note or any other plaintext personal data — so the
// log can be kept, published to a witness and verified forever, while
// erasing a client leaves nothing in it that points at the person.
//
// The encoded leaf (see auditlog.EncodeLeaf) is what is hashed; fields are
// only ever added, with omitempty, so that old leaves keep their bytes.
type AuditEntry struct {
	// Index is the entry's position in the log; it is not part of the leaf.
	Index int64 `json:"-"`

	Time                time.Time `json:"time"`
	Kind                AuditKind `json:"kind"`
	ActorID             string    `json:"actor,omitempty"`     // staff id, or "system"
	ActorOrganizationID string    `json:"actor_org,omitempty"` // the actor's organisation
	ClientID            string    `json:"client,omitempty"`    // the client concerned, if any

	// Decisions.
	HolderID         string   `json:"holder,omitempty"` // organisation holding the data
	Category         Category `json:"category,omitempty"`
	Purpose          Purpose  `json:"purpose,omitempty"`
	Effect           string   `json:"effect,omitempty"` // "permit" or "deny"
	Reason           Reason   `json:"reason,omitempty"`
	Released         bool     `json:"released,omitempty"` // data was returned to the actor
	AgreementID      string   `json:"agreement,omitempty"`
	AgreementVersion int      `json:"agreement_version,omitempty"`
	ConsentID        string   `json:"consent,omitempty"`
	Provision        *int     `json:"provision,omitempty"`
	LegalBasisID     string   `json:"legal_basis,omitempty"`
	PolicyID         string   `json:"policy,omitempty"`
	Obligations      []string `json:"obligations,omitempty"`

	// Changes, logins and exports.
	Action   string `json:"action,omitempty"` // "consent.revoke", "login.failure", "access_report" …
	ObjectID string `json:"object,omitempty"` // id of the object changed
	Count    int    `json:"count,omitempty"`  // how many items an export held
	// Epsilon is the differential-privacy budget a published release
	// spent ("indicators.publish" under the "dp" profile).
	Epsilon float64 `json:"epsilon,omitempty"`

	RequestID string `json:"request,omitempty"` // correlates the entries of one API request
}

// DecisionEntry returns the audit entry for a decision.
func DecisionEntry(r *Request, d Decision, released bool) AuditEntry {
	e := AuditEntry{
		Time:                r.Time.UTC(),
		Kind:                AuditDecision,
		ActorID:             r.Actor.StaffID,
		ActorOrganizationID: r.Actor.OrganizationID,
		ClientID:            r.ClientID,
		HolderID:            r.HolderID,
		Category:            r.Category,
		Purpose:             r.Purpose,
		Effect:              d.Effect.String(),
		Reason:              d.Reason,
		Released:            released,
		AgreementID:         d.AgreementID,
		AgreementVersion:    d.AgreementVersion,
		ConsentID:           d.ConsentID,
		LegalBasisID:        d.LegalBasisID,
		PolicyID:            d.PolicyID,
		Obligations:         d.Obligations.List(),
	}
	if d.ConsentID != "" && d.Provision >= 0 {
		p := d.Provision
		e.Provision = &p
	}
	return e
}
