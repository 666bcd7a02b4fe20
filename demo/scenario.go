package demo

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/accord-project/accord"
)

// BaseURLVar is the shell variable the scenario steps use for the server's
// address, e.g. ACCORD_URL=http://localhost:8080.
const BaseURLVar = "ACCORD_URL"

// Scenario is a named walk-through of the demo over the JSON API.
type Scenario struct {
	// ID is a short stable slug ("advocate-reads-clinical-summary").
	ID   string `json:"id"`
	Name string `json:"name"`
	// Description says what the scenario shows and why it turns out as it does.
	Description string `json:"description"`
	// ClientID is the client the scenario is about.
	ClientID string `json:"client_id"`
	// Users are the usernames that act in it.
	Users []string `json:"users"`
	// Steps are the calls as curl commands, each ending in a comment with the
	// expected answer. Tokens are read from $TOKEN_<username> (see TokenVar),
	// the server from $ACCORD_URL.
	Steps []string `json:"steps"`
	// Calls are the same calls as data, for an end-to-end test; Steps[i] renders Calls[i].
	Calls []Call `json:"calls"`
}

// Call is one API call of a scenario and the decision it should meet.
type Call struct {
	Username string         `json:"username"`
	Method   string         `json:"method"`
	Path     string         `json:"path"` // with query string
	Purpose  accord.Purpose `json:"purpose"`
	Body     string         `json:"body,omitempty"` // JSON
	// Category and HolderID say which data the expectation is about: the
	// client's records of Category held by HolderID (for GET /clients/{id},
	// demographics held by the home organisation).
	Category accord.Category `json:"category,omitempty"`
	HolderID string          `json:"holder_id,omitempty"`
	// Want is the expected decision; empty for calls that are not reads of
	// client data (revocation, access reports).
	Want Want `json:"want"`
	// Comment says in a few words why.
	Comment string `json:"comment,omitempty"`
}

// Want is an expected decision: "permit" or "deny", and the reason code.
type Want struct {
	Effect string        `json:"effect,omitempty"`
	Reason accord.Reason `json:"reason,omitempty"`
}

func permit(r accord.Reason) Want { return Want{Effect: "permit", Reason: r} }
func deny(r accord.Reason) Want   { return Want{Effect: "deny", Reason: r} }

// Curl renders the call as a shell command.
func (c Call) Curl() string {
	var b strings.Builder
	b.WriteString("curl -sS")
	if c.Method != "GET" {
		b.WriteString(" -X " + c.Method)
	}
	fmt.Fprintf(&b, ` -H "Authorization: Bearer $%s" -H "Accord-Purpose: %s"`, TokenVar(c.Username), c.Purpose)
	if c.Body != "" {
		fmt.Fprintf(&b, ` -H "Content-Type: application/json" -d '%s'`, strings.ReplaceAll(c.Body, "'", `'\''`))
	}
	fmt.Fprintf(&b, ` "$%s%s"`, BaseURLVar, c.Path)
	var note []string
	if c.Want.Effect != "" {
		note = append(note, fmt.Sprintf("expect %s (%s)", c.Want.Effect, c.Want.Reason))
	}
	if c.Comment != "" {
		note = append(note, c.Comment)
	}
	if len(note) > 0 {
		b.WriteString("  # " + strings.Join(note, ": "))
	}
	return b.String()
}

// Call builders.

func readClient(user string, p *person, holder string, purpose accord.Purpose, want Want, comment string) Call {
	return Call{Username: user, Method: "GET", Path: "/api/v1/clients/" + p.c.ID, Purpose: purpose,
		Category: accord.CatDemographics, HolderID: holder, Want: want, Comment: comment}
}

func readRecords(user string, p *person, cat accord.Category, holder string, purpose accord.Purpose, want Want, comment string) Call {
	return Call{Username: user, Method: "GET", Path: "/api/v1/clients/" + p.c.ID + "/records?category=" + string(cat),
		Purpose: purpose, Category: cat, HolderID: holder, Want: want, Comment: comment}
}

func explain(user string, p *person, cat accord.Category, holder string, purpose accord.Purpose, want Want, comment string) Call {
	body, _ := json.Marshal(map[string]string{
		"client_id": p.c.ID, "holder_id": holder, "category": string(cat), "purpose": string(purpose),
	})
	return Call{Username: user, Method: "POST", Path: "/api/v1/decisions/explain", Purpose: purpose, Body: string(body),
		Category: cat, HolderID: holder, Want: want, Comment: comment}
}

func accessReport(user string, p *person, purpose accord.Purpose, comment string) Call {
	return Call{Username: user, Method: "GET", Path: "/api/v1/clients/" + p.c.ID + "/access-report", Purpose: purpose, Comment: comment}
}

func reviewQueue(user, comment string) Call {
	return Call{Username: user, Method: "GET", Path: "/api/v1/legal-bases/review-queue", Purpose: accord.PurposeOversight, Comment: comment}
}

func revoke(user, consentID, reason string) Call {
	body, _ := json.Marshal(map[string]string{"reason": reason})
	return Call{Username: user, Method: "POST", Path: "/api/v1/consents/" + consentID + "/revoke",
		Purpose: accord.PurposePatientRequest, Body: string(body), Comment: "the client asked at the front desk"}
}

func (g *gen) scenarios() {
	f := &g.feat
	clinicID, legalID, ngoID, socialID := g.orgID(clinic), g.orgID(legalAid), g.orgID(ngo), g.orgID(social)
	cs := accord.CatClinicalSummary
	add := func(id, name, desc string, p *person, calls ...Call) {
		s := Scenario{ID: id, Name: name, Description: desc, ClientID: p.c.ID}
		for _, c := range calls {
			if !slices.Contains(s.Users, c.Username) {
				s.Users = append(s.Users, c.Username)
			}
			s.Steps = append(s.Steps, c.Curl())
		}
		s.Calls = calls
		g.p.Scenarios = append(g.p.Scenarios, s)
	}

	add("clinician-reads-clinical-summary",
		"Clinic clinician reads a patient's clinical summary",
		"Dr Okafor is on the client's care team at the clinic, which holds the record: rule 3 permits within the organisation.",
		f.x,
		readClient("j.okafor", f.x, clinicID, accord.PurposeTreatment, permit(accord.ReasonSameOrgRole), "a clinician of the clinic"),
		readRecords("j.okafor", f.x, cs, clinicID, accord.PurposeTreatment, permit(accord.ReasonSameOrgCareTeam), "own patient"),
	)
	add("advocate-reads-clinical-summary",
		"Legal aid advocate reads the same clinical summary for LEGALAID",
		"The medical-legal partnership (version 2, active) covers LEGALAID, clinical_summary and legal advocates, and the client's consent permits Northside Legal Aid to see her clinical summary for LEGALAID: rule 4 permits across organisations.",
		f.x,
		readClient("f.rahimi", f.x, clinicID, accord.PurposeLegalAid, permit(accord.ReasonAgreementConsent), "MLP agreement and consent"),
		readRecords("f.rahimi", f.x, cs, clinicID, accord.PurposeLegalAid, permit(accord.ReasonAgreementConsent), "MLP agreement and consent"),
		explain("f.rahimi", f.x, cs, clinicID, accord.PurposeLegalAid, permit(accord.ReasonAgreementConsent), "names the agreement version and the consent provision"),
	)
	add("police-firewalled",
		"Police try the same read and are refused",
		"Clinical data never reaches law enforcement without a court order naming the client, the category and the recipient (rule 2). Even the client's demographics are refused: no agreement includes the police.",
		f.x,
		readRecords("t.reid", f.x, cs, clinicID, accord.PurposeLegal, deny(accord.ReasonFirewall), "health data is behind the firewall"),
		readClient("t.reid", f.x, clinicID, accord.PurposeLegal, deny(accord.ReasonNoAgreement), "no agreement includes the police"),
		explain("t.reid", f.x, cs, clinicID, accord.PurposeLegal, deny(accord.ReasonFirewall), ""),
	)
	add("privileged-note-stays-with-legal-team",
		"A privileged legal note stays with the legal team",
		"The client's advocate reads her own privileged note; the clinic's clinician cannot, whatever agreement or consent exists.",
		f.x,
		readRecords("f.rahimi", f.x, accord.CatLegalPrivilegedNote, legalID, accord.PurposeLegalAid, permit(accord.ReasonSameOrgCareTeam), "her own file"),
		readRecords("j.okafor", f.x, accord.CatLegalPrivilegedNote, legalID, accord.PurposeCoordination, deny(accord.ReasonPrivileged), "privileged notes never leave the legal team"),
	)
	add("access-report",
		"The client asks who has seen her data",
		"Run after the scenarios above: the access report lists every decision about the client, permits and denies, including the police's refused attempt. The clinic's privacy officer runs it at the client's request; the ombudsperson's auditor for oversight.",
		f.x,
		accessReport("p.nowak", f.x, accord.PurposePatientRequest, "lists the reads above, refused ones too"),
		accessReport("c.achebe", f.x, accord.PurposeOversight, "oversight view of the same report"),
	)
	add("court-order-permits",
		"Immigration caseworker reads the immigration status named in a court order",
		"A High Court order, in force for about 90 more days, names this client, category immigration_status and the National Immigration Agency: the firewall opens for exactly that, for HLEGAL, and the disclosure is queued for oversight review. Nothing else opens: the order names no clinical data and no other purpose.",
		f.courtOrder,
		readRecords("m.hughes", f.courtOrder, accord.CatImmigrationStatus, legalID, accord.PurposeLegal, permit(accord.ReasonCourtOrder), "court order in force; review obligation"),
		readRecords("m.hughes", f.courtOrder, cs, clinicID, accord.PurposeLegal, deny(accord.ReasonFirewall), "the order covers immigration_status only"),
		readRecords("m.hughes", f.courtOrder, accord.CatImmigrationStatus, legalID, accord.PurposeCoordination, deny(accord.ReasonFirewall), "the order serves HLEGAL only"),
	)
	add("no-court-order-refused",
		"Immigration caseworker tries another client's immigration status",
		"Welcome House holds this client's immigration status, and no court order names him: refused by the firewall. (His consent also denies all enforcement bodies, but the firewall decides first.)",
		f.noOrder,
		readRecords("m.hughes", f.noOrder, accord.CatImmigrationStatus, ngoID, accord.PurposeLegal, deny(accord.ReasonFirewall), "no court order"),
		explain("m.hughes", f.noOrder, accord.CatImmigrationStatus, ngoID, accord.PurposeLegal, deny(accord.ReasonFirewall), ""),
	)
	add("consent-denies-clinical",
		"Consent lets legal aid in, but not to clinical data",
		"The client consented to legal aid seeing her demographics, contact, social needs and screening for LEGALAID, and added a deny provision for clinical data to legal aid. The agreement would allow the summary; her deny wins.",
		f.denyClinical,
		readClient("f.rahimi", f.denyClinical, clinicID, accord.PurposeLegalAid, permit(accord.ReasonAgreementConsent), ""),
		readRecords("f.rahimi", f.denyClinical, accord.CatScreening, clinicID, accord.PurposeLegalAid, permit(accord.ReasonAgreementConsent), "screening is permitted"),
		readRecords("f.rahimi", f.denyClinical, cs, clinicID, accord.PurposeLegalAid, deny(accord.ReasonConsentDenies), "her deny provision"),
	)
	add("sensitivity-not-consented",
		"An HIV-labelled summary needs the label in the consent",
		"The client consented to legal aid seeing his clinical summary, but the summary carries the HIV label and his consent names no sensitivity labels: refused.",
		f.hivUnconsented,
		readClient("d.osei", f.hivUnconsented, clinicID, accord.PurposeLegalAid, permit(accord.ReasonAgreementConsent), ""),
		readRecords("d.osei", f.hivUnconsented, cs, clinicID, accord.PurposeLegalAid, deny(accord.ReasonSensitivity), "HIV not named in consent"),
	)
	add("sensitivity-consented",
		"A PSY-labelled summary shared because the consent names PSY",
		"For medical evidence in his asylum appeal, the client explicitly agreed that legal aid may see mental-health information (PSY): permitted.",
		f.psyConsented,
		readRecords("f.rahimi", f.psyConsented, cs, clinicID, accord.PurposeLegalAid, permit(accord.ReasonAgreementConsent), "PSY named in consent"),
	)
	add("expired-consent",
		"A consent that has lapsed no longer permits",
		"The client's one-year consent to legal aid ended forty days ago and was not renewed.",
		f.expiredConsent,
		readRecords("h.morgan", f.expiredConsent, cs, clinicID, accord.PurposeLegalAid, deny(accord.ReasonNoConsent), "consent ended"),
		explain("h.morgan", f.expiredConsent, cs, clinicID, accord.PurposeLegalAid, deny(accord.ReasonNoConsent), ""),
	)
	add("expired-court-order",
		"A lapsed production order no longer opens the firewall",
		"The Crown Court's production order to the police for this client's clinical summary expired thirty days ago (and was reviewed as justified): the same read is now refused.",
		f.expiredOrder,
		readRecords("t.reid", f.expiredOrder, cs, clinicID, accord.PurposeLegal, deny(accord.ReasonFirewall), "order expired"),
	)
	add("statutory-duty",
		"A safeguarding referral under a statutory duty",
		"The child's mother consented to sharing with the clinic and Welcome House only, and the clinic's agreement with social services has expired; a recorded statutory duty (Children Act 1989, s. 47) still lets children's services see what the referral names, and the access is queued for review.",
		f.safeguarding,
		readClient("c.walsh", f.safeguarding, clinicID, accord.PurposeSocialCare, permit(accord.ReasonStatutoryDuty), "statutory duty"),
		readRecords("c.walsh", f.safeguarding, accord.CatScreening, clinicID, accord.PurposeSocialCare, permit(accord.ReasonStatutoryDuty), "statutory duty"),
		readRecords("c.walsh", f.safeguarding, cs, clinicID, accord.PurposeSocialCare, deny(accord.ReasonNoAgreement), "the duty does not name clinical data"),
	)
	add("break-glass-over",
		"Break-glass is time-boxed and reviewed",
		"Nine days ago Dr García broke the glass on this patient's record in an emergency; the four-hour window is long over and the access waits for oversight review. She is not on his care team, so today she is refused.",
		f.breakGlass,
		readRecords("m.garcia", f.breakGlass, cs, clinicID, accord.PurposeTreatment, deny(accord.ReasonNotOnCareTeam), "not her patient"),
		readRecords("m.garcia", f.breakGlass, cs, clinicID, accord.PurposeEmergencyTreatment, deny(accord.ReasonBreakGlassRequired), "the emergency access expired"),
		accessReport("c.achebe", f.breakGlass, accord.PurposeOversight, "shows the emergency access awaiting review"),
		reviewQueue("c.achebe", "the emergency access waits in the oversight review queue, overdue"),
	)
	add("agreement-status",
		"Expired, suspended and draft agreements refuse even with consent",
		"The client consented to social care, care coordination and legal aid. Social services' own record is theirs; the clinic's data needs the expired health and social care agreement, Welcome House's the suspended referral protocol, and legal aid's read the unsigned draft: all refused. The clinic-Welcome House agreement is active, so Welcome House reads the clinic's screening.",
		f.agreementGaps,
		readClient("c.walsh", f.agreementGaps, socialID, accord.PurposeSocialCare, permit(accord.ReasonSameOrgRole), "a social worker of the department"),
		readRecords("c.walsh", f.agreementGaps, accord.CatScreening, clinicID, accord.PurposeSocialCare, deny(accord.ReasonNoAgreement), "clinic's record: agreement expired"),
		readRecords("c.walsh", f.agreementGaps, accord.CatSocialNeeds, ngoID, accord.PurposeSocialCare, deny(accord.ReasonNoAgreement), "Welcome House's record: agreement suspended"),
		readRecords("omar.navigator", f.agreementGaps, accord.CatScreening, clinicID, accord.PurposeCoordination, permit(accord.ReasonAgreementConsent), "clinic-Welcome House agreement active"),
		readRecords("d.osei", f.agreementGaps, accord.CatSocialNeeds, ngoID, accord.PurposeLegalAid, deny(accord.ReasonNoAgreement), "Welcome House's record: agreement still a draft"),
	)
	add("consent-revoked",
		"Revoking consent takes effect on the next decision",
		"Legal aid reads the client's clinical summary under the partnership and his consent; he withdraws consent at the clinic; the same read is refused at once. Run this last: it changes the data.",
		f.revoke,
		readRecords("d.osei", f.revoke, cs, clinicID, accord.PurposeLegalAid, permit(accord.ReasonAgreementConsent), "before"),
		revoke("amina.navigator", f.revokeConsent, "Client asked us to stop sharing with legal aid."),
		readRecords("d.osei", f.revoke, cs, clinicID, accord.PurposeLegalAid, deny(accord.ReasonNoConsent), "after the revocation"),
		explain("d.osei", f.revoke, cs, clinicID, accord.PurposeLegalAid, deny(accord.ReasonNoConsent), ""),
	)
}
