package http

import (
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// decisionJSON is a decision as the API shows it.
type decisionJSON struct {
	Effect           string        `json:"effect"`
	Reason           accord.Reason `json:"reason"`
	Explanation      string        `json:"explanation"`
	Obligations      []string      `json:"obligations"`
	AgreementID      string        `json:"agreement_id,omitempty"`
	AgreementVersion int           `json:"agreement_version,omitempty"`
	ConsentID        string        `json:"consent_id,omitempty"`
	Provision        *int          `json:"consent_provision,omitempty"`
	LegalBasisID     string        `json:"legal_basis_id,omitempty"`
	PolicyID         string        `json:"policy_id,omitempty"`
	Request          requestJSON   `json:"request"`
}

type requestJSON struct {
	StaffID        string          `json:"staff_id"`
	OrganizationID string          `json:"organization_id"`
	ClientID       string          `json:"client_id"`
	HolderID       string          `json:"holder_id"`
	Category       accord.Category `json:"category"`
	Purpose        accord.Purpose  `json:"purpose"`
	Time           time.Time       `json:"time"`
}

func (s *Server) decisionJSON(p *i18n.Printer, d *enforce.Decided) decisionJSON {
	out := decisionJSON{
		Effect:           d.Decision.Effect.String(),
		Reason:           d.Decision.Reason,
		Explanation:      p.Render(d.Explanation),
		Obligations:      d.Decision.Obligations.List(),
		AgreementID:      d.Decision.AgreementID,
		AgreementVersion: d.Decision.AgreementVersion,
		ConsentID:        d.Decision.ConsentID,
		LegalBasisID:     d.Decision.LegalBasisID,
		PolicyID:         d.Decision.PolicyID,
		Request: requestJSON{
			StaffID: d.Request.Actor.StaffID, OrganizationID: d.Request.Actor.OrganizationID, ClientID: d.Request.ClientID,
			HolderID: d.Request.HolderID, Category: d.Request.Category, Purpose: d.Request.Purpose, Time: d.Request.Time,
		},
	}
	if d.Decision.ConsentID != "" && d.Decision.Provision >= 0 {
		v := d.Decision.Provision
		out.Provision = &v
	}
	if out.Obligations == nil {
		out.Obligations = []string{}
	}
	return out
}

// disclosureJSON says what was shared or withheld, and why.
type disclosureJSON struct {
	Category     accord.Category `json:"category"`
	HolderID     string          `json:"holder_id"`
	Reason       accord.Reason   `json:"reason"`
	Explanation  string          `json:"explanation"`
	AgreementID  string          `json:"agreement_id,omitempty"`
	ConsentID    string          `json:"consent_id,omitempty"`
	LegalBasisID string          `json:"legal_basis_id,omitempty"`
	Obligations  []string        `json:"obligations,omitempty"`
}

func (s *Server) disclosures(p *i18n.Printer, ds []enforce.Decided) []disclosureJSON {
	out := []disclosureJSON{}
	for i := range ds {
		d := &ds[i].Decision
		out = append(out, disclosureJSON{Category: ds[i].Request.Category, HolderID: ds[i].Request.HolderID,
			Reason: d.Reason, Explanation: p.Render(ds[i].Explanation), AgreementID: d.AgreementID, ConsentID: d.ConsentID,
			LegalBasisID: d.LegalBasisID, Obligations: d.Obligations.List()})
	}
	return out
}

type clientViewJSON struct {
	Client   accord.Client    `json:"client"`
	Shared   []disclosureJSON `json:"shared"`
	Withheld []disclosureJSON `json:"withheld"`
}

type recordsJSON struct {
	Records  []accord.Record  `json:"records"`
	Shared   []disclosureJSON `json:"shared"`
	Withheld []disclosureJSON `json:"withheld"`
}

type accessLineJSON struct {
	Index            int64           `json:"index"`
	Time             time.Time       `json:"time"`
	Kind             string          `json:"kind"`
	Action           string          `json:"action,omitempty"`
	StaffID          string          `json:"staff_id"`
	StaffName        string          `json:"staff_name"`
	OrganizationID   string          `json:"organization_id,omitempty"`
	OrganizationName string          `json:"organization_name,omitempty"`
	HolderID         string          `json:"holder_id,omitempty"`
	HolderName       string          `json:"holder_name,omitempty"`
	Category         accord.Category `json:"category,omitempty"`
	Purpose          accord.Purpose  `json:"purpose,omitempty"`
	Effect           string          `json:"effect,omitempty"`
	Released         bool            `json:"released"`
	Reason           accord.Reason   `json:"reason,omitempty"`
	Explanation      string          `json:"explanation,omitempty"`
	LegalBasisID     string          `json:"legal_basis_id,omitempty"`
	CategoryText     string          `json:"category_text,omitempty"`
	PurposeText      string          `json:"purpose_text,omitempty"`
	OutcomeText      string          `json:"outcome_text,omitempty"`
	BasisText        string          `json:"basis_text,omitempty"`
	EventText        string          `json:"event_text,omitempty"`
}

type accessReportJSON struct {
	ClientID                string           `json:"client_id"`
	Language                string           `json:"language"`
	GeneratedAt             time.Time        `json:"generated_at"`
	GeneratedBy             string           `json:"generated_by"`
	GeneratedByOrganization string           `json:"generated_by_organization"`
	Codes                   string           `json:"codes"`
	Permitted               int              `json:"permitted"`
	Refused                 int              `json:"refused"`
	SeenBy                  []string         `json:"seen_by"`
	Truncated               bool             `json:"truncated"`
	Entries                 []accessLineJSON `json:"entries"`
}

type auditEntryJSON struct {
	Index int64 `json:"index"`
	accord.AuditEntry
}
