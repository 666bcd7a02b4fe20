package policy

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cedar-policy/cedar-go"
	xast "github.com/cedar-policy/cedar-go/x/exp/ast"
	"github.com/cedar-policy/cedar-go/x/exp/schema"
	"github.com/cedar-policy/cedar-go/x/exp/schema/validate"
	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
)

// The test partnership. Ids are short and readable: Decide never checks
// their syntax.
const (
	clinic   = "org_clinic"   // health: holds Ana's data
	hospital = "org_hospital" // health: breaks the glass
	legal    = "org_legal"    // legal aid
	ngo      = "org_ngo"      // migrant support
	social   = "org_social"   // social services; only dead agreements with the clinic
	social2  = "org_social2"  // social services; a live agreement, reached by a sector-wide consent
	immig    = "org_immig"    // immigration authority
	police   = "org_police"   // law enforcement
	ombud    = "org_ombud"    // oversight, barred from the clinic's data by agreement
	stranger = "org_stranger" // named in an agreement, never put

	ana = "cli_ana"
	ben = "cli_ben"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
func ptr[T any](v T) *T                         { return &v }

// staff are the actors of the tests, by staff id.
var staff = map[string]accord.Actor{
	"stf_nav":      {StaffID: "stf_nav", OrganizationID: clinic, Roles: accord.NewRoleSet(accord.RoleNavigator)},
	"stf_doc":      {StaffID: "stf_doc", OrganizationID: clinic, Roles: accord.NewRoleSet(accord.RoleClinician)},
	"stf_doc2":     {StaffID: "stf_doc2", OrganizationID: clinic, Roles: accord.NewRoleSet(accord.RoleClinician)},
	"stf_interp":   {StaffID: "stf_interp", OrganizationID: clinic, Roles: accord.NewRoleSet(accord.RoleInterpreter)},
	"stf_admin":    {StaffID: "stf_admin", OrganizationID: clinic, Roles: accord.NewRoleSet(accord.RolePartnershipAdmin, accord.RolePrivacyOfficer)},
	"stf_clinlaw":  {StaffID: "stf_clinlaw", OrganizationID: clinic, Roles: accord.NewRoleSet(accord.RoleLegalAdvocate)}, // medical-legal partnership lawyer at the clinic
	"stf_lawyer":   {StaffID: "stf_lawyer", OrganizationID: legal, Roles: accord.NewRoleSet(accord.RoleLegalAdvocate)},
	"stf_paralegl": {StaffID: "stf_paralegl", OrganizationID: legal, Roles: accord.NewRoleSet(accord.RoleNavigator)},
	"stf_ngonav":   {StaffID: "stf_ngonav", OrganizationID: ngo, Roles: accord.NewRoleSet(accord.RoleNavigator)},
	"stf_ngodoc":   {StaffID: "stf_ngodoc", OrganizationID: ngo, Roles: accord.NewRoleSet(accord.RoleClinician)},
	"stf_sw":       {StaffID: "stf_sw", OrganizationID: social, Roles: accord.NewRoleSet(accord.RoleSocialWorker)},
	"stf_sw2":      {StaffID: "stf_sw2", OrganizationID: social2, Roles: accord.NewRoleSet(accord.RoleSocialWorker)},
	"stf_er":       {StaffID: "stf_er", OrganizationID: hospital, Roles: accord.NewRoleSet(accord.RoleClinician)},
	"stf_er2":      {StaffID: "stf_er2", OrganizationID: hospital, Roles: accord.NewRoleSet(accord.RoleClinician)},
	"stf_officer":  {StaffID: "stf_officer", OrganizationID: immig, Roles: accord.NewRoleSet(accord.RoleCaseworker)},
	"stf_cop":      {StaffID: "stf_cop", OrganizationID: police, Roles: accord.NewRoleSet(accord.RoleCaseworker, accord.RoleClinician)},
	"stf_auditor":  {StaffID: "stf_auditor", OrganizationID: ombud, Roles: accord.NewRoleSet(accord.RoleAuditor)},
	"stf_nobody":   {StaffID: "stf_nobody", OrganizationID: stranger, Roles: accord.NewRoleSet(accord.RoleNavigator)},
}

func agreement(id string, version int, status accord.AgreementStatus, parties []string, purposes []accord.Purpose, cats []accord.Category, roles []accord.Role) *accord.Agreement {
	return &accord.Agreement{
		ID: id, Version: version, Status: status, Parties: parties,
		Purposes: purposes, Categories: cats, Roles: roles,
		EffectiveFrom: date(2025, 1, 1), EffectiveUntil: date(2027, 1, 1), ReviewDate: date(2026, 6, 1),
	}
}

func fixtureAgreements() []*accord.Agreement {
	expired := agreement("agr_clinic_social", 1, accord.AgreementActive, []string{clinic, social},
		[]accord.Purpose{accord.PurposeSocialCare}, []accord.Category{accord.CatSocialNeeds}, []accord.Role{accord.RoleSocialWorker})
	expired.EffectiveUntil = date(2026, 1, 1)
	barred := agreement("agr_oversight", 1, accord.AgreementActive, []string{clinic, ngo, ombud},
		[]accord.Purpose{accord.PurposeOversight}, []accord.Category{accord.CatDemographics}, []accord.Role{accord.RoleAuditor, accord.RoleNavigator})
	barred.ProhibitedRecipients = []string{ombud}
	return []*accord.Agreement{
		agreement("agr_clinic_legal", 1, accord.AgreementActive, []string{clinic, legal},
			[]accord.Purpose{accord.PurposeLegalAid, accord.PurposeCoordination},
			[]accord.Category{accord.CatDemographics, accord.CatContact, accord.CatClinicalSummary, accord.CatImmigrationStatus},
			[]accord.Role{accord.RoleLegalAdvocate}),
		agreement("agr_clinic_ngo", 1, accord.AgreementActive, []string{clinic, ngo},
			[]accord.Purpose{accord.PurposeCoordination, accord.PurposeSocialCare},
			[]accord.Category{accord.CatDemographics, accord.CatContact, accord.CatScreening, accord.CatSocialNeeds, accord.CatClinicalSummary},
			[]accord.Role{accord.RoleNavigator}),
		// A permissive agreement with the police and the immigration
		// authority, and a stranger that was never put: the firewall must
		// hold regardless.
		agreement("agr_enforcement", 1, accord.AgreementActive, []string{clinic, police, immig, stranger},
			[]accord.Purpose{accord.PurposeLegal, accord.PurposeCoordination},
			[]accord.Category{accord.CatDemographics, accord.CatContact, accord.CatImmigrationStatus, accord.CatClinicalSummary},
			[]accord.Role{accord.RoleCaseworker, accord.RoleNavigator}),
		expired,
		agreement("agr_clinic_social", 2, accord.AgreementSuspended, []string{clinic, social},
			[]accord.Purpose{accord.PurposeSocialCare}, []accord.Category{accord.CatSocialNeeds}, []accord.Role{accord.RoleSocialWorker}),
		agreement("agr_clinic_social", 3, accord.AgreementDraft, []string{clinic, social},
			[]accord.Purpose{accord.PurposeSocialCare}, []accord.Category{accord.CatSocialNeeds}, []accord.Role{accord.RoleSocialWorker}),
		agreement("agr_clinic_social2", 1, accord.AgreementActive, []string{clinic, social2},
			[]accord.Purpose{accord.PurposeSocialCare}, []accord.Category{accord.CatSocialNeeds, accord.CatDemographics}, []accord.Role{accord.RoleSocialWorker}),
		barred,
	}
}

func fixtureConsents() []*accord.Consent {
	return []*accord.Consent{{
		ID: "cns_1", ClientID: ana, Status: accord.ConsentActive, Start: date(2025, 6, 1),
		Provisions: []accord.Provision{
			{Type: accord.ProvisionPermit, Organizations: []string{legal}, Purposes: []accord.Purpose{accord.PurposeLegalAid},
				Categories: []accord.Category{accord.CatDemographics, accord.CatContact, accord.CatImmigrationStatus, accord.CatClinicalSummary}},
			{Type: accord.ProvisionPermit, Organizations: []string{ngo}, Purposes: []accord.Purpose{accord.PurposeCoordination},
				Categories: []accord.Category{accord.CatDemographics, accord.CatContact, accord.CatScreening, accord.CatClinicalSummary}},
			// Ana, under pressure, consented to the police and the
			// immigration authority: the firewall ignores it.
			{Type: accord.ProvisionPermit, Organizations: []string{police, immig}, Purposes: []accord.Purpose{accord.PurposeLegal, accord.PurposeCoordination},
				Categories: []accord.Category{accord.CatDemographics, accord.CatImmigrationStatus, accord.CatClinicalSummary}},
			{Type: accord.ProvisionPermit, Sectors: []accord.Sector{accord.SectorSocial}, Purposes: []accord.Purpose{accord.PurposeSocialCare},
				Categories: []accord.Category{accord.CatSocialNeeds}},
		},
	}, {
		ID: "cns_2", ClientID: ana, Status: accord.ConsentActive, Start: date(2025, 6, 1),
		Provisions: []accord.Provision{
			{Type: accord.ProvisionDeny, Organizations: []string{ngo}, Categories: []accord.Category{accord.CatScreening}},
			{Type: accord.ProvisionPermit, Organizations: []string{legal}, Purposes: []accord.Purpose{accord.PurposeLegalAid},
				Categories: []accord.Category{accord.CatClinicalSummary}, Sensitivity: []accord.Sensitivity{accord.SensHIV}},
			// Social needs only until the end of 2025.
			{Type: accord.ProvisionDeny, Sectors: []accord.Sector{accord.SectorSocial}, Categories: []accord.Category{accord.CatDemographics},
				Start: ptr(date(2025, 6, 1)), End: ptr(date(2026, 1, 1))},
		},
	}, {
		// Ended: never counts.
		ID: "cns_old", ClientID: ana, Status: accord.ConsentActive, Start: date(2024, 1, 1), End: ptr(date(2025, 1, 1)),
		Provisions: []accord.Provision{
			{Type: accord.ProvisionPermit, Sectors: []accord.Sector{accord.SectorSocial}, Purposes: []accord.Purpose{accord.PurposeSocialCare},
				Categories: []accord.Category{accord.CatDemographics}},
			{Type: accord.ProvisionDeny},
		},
	}}
}

func basis(id string, kind accord.LegalBasisKind, client, recipient string, cats []accord.Category, from, until time.Time) *accord.LegalBasis {
	return &accord.LegalBasis{ID: id, Kind: kind, ClientID: client, RecipientOrganizationID: recipient, Categories: cats, ValidFrom: from, ExpiresAt: until}
}

func fixtureBases() []*accord.LegalBasis {
	glass := basis("lgb_glass", accord.BasisEmergency, ana, hospital, []accord.Category{accord.CatClinicalSummary, accord.CatClinicalNote},
		now.Add(-time.Hour), now.Add(3*time.Hour))
	glass.RecipientStaffID = "stf_er"
	glassIn := basis("lgb_glass_in", accord.BasisEmergency, ana, clinic, []accord.Category{accord.CatClinicalNote},
		now.Add(-time.Hour), now.Add(time.Hour))
	glassIn.RecipientStaffID = "stf_doc2"
	glassCop := basis("lgb_glass_cop", accord.BasisEmergency, ana, police, []accord.Category{accord.CatClinicalSummary},
		now.Add(-time.Hour), now.Add(time.Hour))
	glassCop.RecipientStaffID = "stf_cop"
	stat := basis("lgb_duty", accord.BasisStatutoryDuty, ana, social, []accord.Category{accord.CatSocialNeeds}, date(2026, 1, 1), date(2027, 1, 1))
	stat.Purposes = []accord.Purpose{accord.PurposeSocialCare}
	return []*accord.LegalBasis{
		basis("lgb_court", accord.BasisCourtOrder, ana, immig, []accord.Category{accord.CatImmigrationStatus}, date(2026, 1, 1), date(2026, 6, 1)),
		basis("lgb_court_ben", accord.BasisCourtOrder, ben, immig, []accord.Category{accord.CatLegalMatter}, date(2026, 1, 1), date(2026, 6, 1)),
		bound(basis("lgb_court_bound", accord.BasisCourtOrder, ben, immig, []accord.Category{accord.CatImmigrationStatus}, date(2026, 1, 1), date(2026, 6, 1)), legal),
		basis("lgb_court_old", accord.BasisCourtOrder, ana, police, []accord.Category{accord.CatClinicalSummary}, date(2025, 1, 1), date(2026, 1, 1)),
		basis("lgb_court_ngo", accord.BasisCourtOrder, ana, ngo, []accord.Category{accord.CatContact}, date(2026, 1, 1), date(2026, 6, 1)),
		basis("lgb_court_police_demo", accord.BasisCourtOrder, ana, police, []accord.Category{accord.CatContact}, date(2026, 1, 1), date(2026, 6, 1)),
		stat, glass, glassIn, glassCop,
	}
}

// bound binds a legal basis to the one holder it was served on.
func bound(b *accord.LegalBasis, holder string) *accord.LegalBasis {
	b.HolderOrganizationID = holder
	return b
}

// putter is what Snapshot and Loader have in common.
type putter interface {
	PutOrganization(id string, sector accord.Sector)
	PutAgreement(a *accord.Agreement)
	PutConsent(c *accord.Consent)
	PutLegalBasis(b *accord.LegalBasis)
	SetCareTeam(clientID string, staffIDs []string)
}

var (
	_ putter = (*Snapshot)(nil)
	_ putter = (*Loader)(nil)
)

// load puts the test partnership, agreements in the given order.
func load(p putter, agreements []*accord.Agreement) {
	for id, sector := range map[string]accord.Sector{
		clinic: accord.SectorHealth, hospital: accord.SectorHealth, legal: accord.SectorLegal, ngo: accord.SectorCivilSociety,
		social: accord.SectorSocial, social2: accord.SectorSocial, immig: accord.SectorImmigrationAuthority,
		police: accord.SectorLawEnforcement, ombud: accord.SectorOversight,
	} {
		p.PutOrganization(id, sector)
	}
	for _, a := range agreements {
		p.PutAgreement(a)
	}
	for _, c := range fixtureConsents() {
		p.PutConsent(c)
	}
	for _, b := range fixtureBases() {
		p.PutLegalBasis(b)
	}
	p.SetCareTeam(ana, []string{"stf_doc", "stf_clinlaw", "stf_lawyer"})
	p.SetCareTeam(ben, []string{"stf_doc2"})
	p.SetCareTeam("cli_case", []string{"stf_officer"})
}

// fixture returns the test partnership, loaded one Put at a time.
func fixture(t testing.TB) *Snapshot {
	t.Helper()
	s := NewSnapshot()
	load(s, fixtureAgreements())
	return s
}

// req returns a request by the named staff member, about Ana, at now.
func req(staffID, holder string, cat accord.Category, purpose accord.Purpose, opts ...func(*accord.Request)) *accord.Request {
	a, ok := staff[staffID]
	if !ok {
		panic("no staff " + staffID)
	}
	r := &accord.Request{Actor: a, ClientID: ana, HolderID: holder, Category: cat, Purpose: purpose, Time: now}
	for _, o := range opts {
		o(r)
	}
	return r
}

func at(t time.Time) func(*accord.Request) { return func(r *accord.Request) { r.Time = t } }
func about(client string) func(*accord.Request) {
	return func(r *accord.Request) { r.ClientID = client }
}
func labelled(s ...accord.Sensitivity) func(*accord.Request) {
	return func(r *accord.Request) { r.Sensitivity = accord.NewSensitivitySet(s...) }
}

func denied(reason accord.Reason) accord.Decision {
	return accord.Decision{Effect: accord.Deny, Reason: reason, Obligations: accord.ObligeAudit, Provision: -1}
}

func permitted(reason accord.Reason, o accord.Obligations) accord.Decision {
	return accord.Decision{Effect: accord.Permit, Reason: reason, Obligations: o, Provision: -1}
}

func with(d accord.Decision, f func(*accord.Decision)) accord.Decision { f(&d); return d }

func consentDecision(agreementID string, version int, consentID string, provision int) accord.Decision {
	return accord.Decision{
		Effect: accord.Permit, Reason: accord.ReasonAgreementConsent, Obligations: accord.ObligeAudit,
		AgreementID: agreementID, AgreementVersion: version, ConsentID: consentID, Provision: provision,
	}
}

type decideTest struct {
	name string
	req  *accord.Request
	want accord.Decision
}

func decideTests() []decideTest {
	const (
		review = accord.ObligeAudit | accord.ObligeReview
		notify = accord.ObligeAudit | accord.ObligeReview | accord.ObligeNotify
	)
	courtOrder := func(id string, o accord.Obligations) accord.Decision {
		return with(permitted(accord.ReasonCourtOrder, o), func(d *accord.Decision) { d.LegalBasisID = id })
	}
	breakGlass := func(id string) accord.Decision {
		return with(permitted(accord.ReasonBreakGlass, notify), func(d *accord.Decision) { d.LegalBasisID = id })
	}
	consentDenies := func(id string, p int) accord.Decision {
		return with(denied(accord.ReasonConsentDenies), func(d *accord.Decision) { d.ConsentID, d.Provision = id, p })
	}
	return []decideTest{
		// Rule 1.
		{"default deny/unknown category", req("stf_nav", clinic, "dna_sequence", accord.PurposeTreatment), denied(accord.ReasonDefaultDeny)},
		{"default deny/unknown purpose", req("stf_nav", clinic, accord.CatContact, "MARKETING"), denied(accord.ReasonDefaultDeny)},
		{"default deny/unknown actor org", req("stf_nobody", clinic, accord.CatDemographics, accord.PurposeCoordination), denied(accord.ReasonDefaultDeny)},
		{"default deny/unknown holder", req("stf_nav", stranger, accord.CatDemographics, accord.PurposeCoordination), denied(accord.ReasonDefaultDeny)},
		{"default deny/no client", req("stf_nav", clinic, accord.CatDemographics, accord.PurposeTreatment, about("")), denied(accord.ReasonDefaultDeny)},
		{"default deny/claimed sector disagrees", req("stf_officer", clinic, accord.CatDemographics, accord.PurposeLegal,
			func(r *accord.Request) { r.Actor.Sector = accord.SectorHealth }), denied(accord.ReasonDefaultDeny)},
		{"default deny/unknown sensitivity bit", req("stf_nav", clinic, accord.CatDemographics, accord.PurposeTreatment,
			func(r *accord.Request) { r.Sensitivity = 1 << 15 }), denied(accord.ReasonDefaultDeny)},

		// Rule 3 of the architecture: the holder's own staff.
		{"same org/navigator reads screening", req("stf_nav", clinic, accord.CatScreening, accord.PurposeTreatment), permitted(accord.ReasonSameOrgRole, accord.ObligeAudit)},
		{"same org/matching claimed sector", req("stf_nav", clinic, accord.CatScreening, accord.PurposeTreatment,
			func(r *accord.Request) { r.Actor.Sector = accord.SectorHealth }), permitted(accord.ReasonSameOrgRole, accord.ObligeAudit)},
		{"same org/navigator not clinical", req("stf_nav", clinic, accord.CatClinicalSummary, accord.PurposeTreatment), denied(accord.ReasonRoleNotPermitted)},
		{"same org/interpreter not screening", req("stf_interp", clinic, accord.CatScreening, accord.PurposeTreatment), denied(accord.ReasonRoleNotPermitted)},
		{"same org/admin sees nothing", req("stf_admin", clinic, accord.CatDemographics, accord.PurposeTreatment), denied(accord.ReasonRoleNotPermitted)},
		{"same org/clinician not on the care team sees no summary", req("stf_doc2", clinic, accord.CatClinicalSummary, accord.PurposeTreatment), denied(accord.ReasonNotOnCareTeam)},
		{"same org/clinician sees demographics by role", req("stf_doc2", clinic, accord.CatDemographics, accord.PurposeTreatment), permitted(accord.ReasonSameOrgRole, accord.ObligeAudit)},
		{"same org/clinician note on care team", req("stf_doc", clinic, accord.CatClinicalNote, accord.PurposeTreatment), permitted(accord.ReasonSameOrgCareTeam, accord.ObligeAudit)},
		{"same org/clinician note off care team", req("stf_doc2", clinic, accord.CatClinicalNote, accord.PurposeTreatment), denied(accord.ReasonNotOnCareTeam)},
		{"same org/care team of another client", req("stf_doc", clinic, accord.CatClinicalNote, accord.PurposeTreatment, about(ben)), denied(accord.ReasonNotOnCareTeam)},
		{"same org/privileged for clinician", req("stf_doc", clinic, accord.CatLegalPrivilegedNote, accord.PurposeTreatment), denied(accord.ReasonPrivileged)},
		{"same org/privileged for legal advocate on team", req("stf_clinlaw", clinic, accord.CatLegalPrivilegedNote, accord.PurposeLegalAid), permitted(accord.ReasonSameOrgCareTeam, accord.ObligeAudit)},
		{"same org/privileged for legal advocate off team", req("stf_clinlaw", clinic, accord.CatLegalPrivilegedNote, accord.PurposeLegalAid, about(ben)), denied(accord.ReasonNotOnCareTeam)},
		{"same org/caseworker reads own records on care team", req("stf_officer", immig, accord.CatImmigrationStatus, accord.PurposeLegal, about("cli_case")),
			permitted(accord.ReasonSameOrgCareTeam, accord.ObligeAudit)},
		{"same org/caseworker off care team", req("stf_officer", immig, accord.CatImmigrationStatus, accord.PurposeLegal), denied(accord.ReasonNotOnCareTeam)},
		{"same org/caseworker no clinical data", req("stf_officer", immig, accord.CatClinicalSummary, accord.PurposeLegal, about("cli_case")), denied(accord.ReasonRoleNotPermitted)},
		{"same org/break-glass off care team", req("stf_doc2", clinic, accord.CatClinicalNote, accord.PurposeEmergencyTreatment), breakGlass("lgb_glass_in")},
		{"same org/ETREAT without basis asks for break-glass", req("stf_doc2", clinic, accord.CatClinicalNote, accord.PurposeEmergencyTreatment, about(ben+"x")), denied(accord.ReasonBreakGlassRequired)},
		{"same org/ETREAT permitted by role anyway", req("stf_nav", clinic, accord.CatContact, accord.PurposeEmergencyTreatment), permitted(accord.ReasonSameOrgRole, accord.ObligeAudit)},
		{"same org/ETREAT navigator no break-glass", req("stf_nav", clinic, accord.CatClinicalSummary, accord.PurposeEmergencyTreatment), denied(accord.ReasonRoleNotPermitted)},
		{"same org/break-glass expired", req("stf_doc2", clinic, accord.CatClinicalNote, accord.PurposeEmergencyTreatment, at(now.Add(time.Hour))), denied(accord.ReasonBreakGlassRequired)},

		// Rule 3a.
		{"across/privileged never crosses", req("stf_lawyer", clinic, accord.CatLegalPrivilegedNote, accord.PurposeLegalAid), denied(accord.ReasonPrivileged)},

		// Rule 3b: the firewall.
		{"firewall/beats agreement and consent (immigration)", req("stf_officer", clinic, accord.CatClinicalSummary, accord.PurposeLegal), denied(accord.ReasonFirewall)},
		{"firewall/beats agreement and consent (police)", req("stf_cop", clinic, accord.CatImmigrationStatus, accord.PurposeCoordination), denied(accord.ReasonFirewall)},
		{"firewall/court order opens it", req("stf_officer", clinic, accord.CatImmigrationStatus, accord.PurposeLegal), courtOrder("lgb_court", notify)},
		{"firewall/court order wrong client", req("stf_officer", legal, accord.CatLegalMatter, accord.PurposeLegal), denied(accord.ReasonFirewall)},
		{"firewall/court order right client", req("stf_officer", legal, accord.CatLegalMatter, accord.PurposeLegal, about(ben)), courtOrder("lgb_court_ben", notify)},
		{"firewall/court order binds its holder", req("stf_officer", legal, accord.CatImmigrationStatus, accord.PurposeLegal, about(ben)), courtOrder("lgb_court_bound", notify)},
		{"firewall/court order does not bind another holder", req("stf_officer", clinic, accord.CatImmigrationStatus, accord.PurposeLegal, about(ben)), denied(accord.ReasonFirewall)},
		{"firewall/court order wrong category", req("stf_officer", clinic, accord.CatClinicalSummary, accord.PurposeLegal), denied(accord.ReasonFirewall)},
		{"firewall/court order wrong recipient", req("stf_cop", clinic, accord.CatImmigrationStatus, accord.PurposeLegal), denied(accord.ReasonFirewall)},
		{"firewall/court order expired", req("stf_cop", clinic, accord.CatClinicalSummary, accord.PurposeLegal), denied(accord.ReasonFirewall)},
		{"firewall/court order not yet valid", req("stf_officer", clinic, accord.CatImmigrationStatus, accord.PurposeLegal, at(date(2025, 12, 31))), denied(accord.ReasonFirewall)},
		{"firewall/court order wrong purpose", req("stf_officer", clinic, accord.CatImmigrationStatus, accord.PurposeCoordination), denied(accord.ReasonFirewall)},
		{"firewall/break-glass cannot open it", req("stf_cop", clinic, accord.CatClinicalSummary, accord.PurposeEmergencyTreatment), denied(accord.ReasonFirewall)},
		{"firewall/demographics pass to agreement and consent", req("stf_officer", clinic, accord.CatDemographics, accord.PurposeLegal), consentDecision("agr_enforcement", 1, "cns_1", 2)},
		{"firewall/contact by court order with review", req("stf_cop", clinic, accord.CatContact, accord.PurposeLegal), courtOrder("lgb_court_police_demo", review)},

		// Rule 3c.
		{"legal basis/court order outside the firewall", req("stf_ngonav", clinic, accord.CatContact, accord.PurposeLegal), courtOrder("lgb_court_ngo", review)},
		{"legal basis/statutory duty", req("stf_sw", clinic, accord.CatSocialNeeds, accord.PurposeSocialCare),
			with(permitted(accord.ReasonStatutoryDuty, review), func(d *accord.Decision) { d.LegalBasisID = "lgb_duty" })},
		{"legal basis/statutory duty other category", req("stf_sw", clinic, accord.CatDemographics, accord.PurposeSocialCare), denied(accord.ReasonNoAgreement)},

		// Rule 3d: break-glass.
		{"break-glass/permit", req("stf_er", clinic, accord.CatClinicalNote, accord.PurposeEmergencyTreatment), breakGlass("lgb_glass")},
		{"break-glass/time box over", req("stf_er", clinic, accord.CatClinicalNote, accord.PurposeEmergencyTreatment, at(now.Add(3*time.Hour))), denied(accord.ReasonBreakGlassRequired)},
		{"break-glass/time box not begun", req("stf_er", clinic, accord.CatClinicalNote, accord.PurposeEmergencyTreatment, at(now.Add(-2*time.Hour))), denied(accord.ReasonBreakGlassRequired)},
		{"break-glass/wrong staff", req("stf_er2", clinic, accord.CatClinicalNote, accord.PurposeEmergencyTreatment), denied(accord.ReasonBreakGlassRequired)},
		{"break-glass/not clinical", req("stf_er", clinic, accord.CatContact, accord.PurposeEmergencyTreatment), denied(accord.ReasonBreakGlassRequired)},
		{"break-glass/not a clinician", req("stf_ngonav", clinic, accord.CatClinicalSummary, accord.PurposeEmergencyTreatment), denied(accord.ReasonBreakGlassRequired)},
		{"break-glass/basis is for the ER only", req("stf_er", clinic, accord.CatClinicalNote, accord.PurposeTreatment), denied(accord.ReasonNoAgreement)},

		// Rule 3e: agreement and consent.
		{"consent/permit", req("stf_lawyer", clinic, accord.CatImmigrationStatus, accord.PurposeLegalAid), consentDecision("agr_clinic_legal", 1, "cns_1", 0)},
		{"consent/deny in another consent beats permit", req("stf_ngonav", clinic, accord.CatScreening, accord.PurposeCoordination), consentDenies("cns_2", 0)},
		{"consent/permit other provision", req("stf_ngonav", clinic, accord.CatClinicalSummary, accord.PurposeCoordination), consentDecision("agr_clinic_ngo", 1, "cns_1", 1)},
		{"consent/no consent for purpose", req("stf_ngonav", clinic, accord.CatSocialNeeds, accord.PurposeSocialCare), denied(accord.ReasonNoConsent)},
		{"consent/no consent for client", req("stf_lawyer", clinic, accord.CatContact, accord.PurposeLegalAid, about(ben)), denied(accord.ReasonNoConsent)},
		{"consent/sector-wide permit", req("stf_sw2", clinic, accord.CatSocialNeeds, accord.PurposeSocialCare), consentDecision("agr_clinic_social2", 1, "cns_1", 3)},
		{"consent/ended consent ignored", req("stf_sw2", clinic, accord.CatDemographics, accord.PurposeSocialCare), denied(accord.ReasonNoConsent)},
		{"consent/deny provision period", req("stf_sw2", clinic, accord.CatDemographics, accord.PurposeSocialCare, at(date(2025, 12, 1))), consentDenies("cns_2", 2)},
		{"consent/sensitivity needs explicit consent", req("stf_ngonav", clinic, accord.CatClinicalSummary, accord.PurposeCoordination, labelled(accord.SensHIV)),
			with(denied(accord.ReasonSensitivity), func(d *accord.Decision) { d.ConsentID, d.Provision = "cns_1", 1 })},
		{"consent/sensitivity explicitly consented", req("stf_lawyer", clinic, accord.CatClinicalSummary, accord.PurposeLegalAid, labelled(accord.SensHIV)),
			consentDecision("agr_clinic_legal", 1, "cns_2", 1)},
		{"consent/one label of two", req("stf_lawyer", clinic, accord.CatClinicalSummary, accord.PurposeLegalAid, labelled(accord.SensHIV, accord.SensPSY)),
			with(denied(accord.ReasonSensitivity), func(d *accord.Decision) { d.ConsentID, d.Provision = "cns_1", 0 })},
		{"agreement/none between the orgs", req("stf_lawyer", hospital, accord.CatDemographics, accord.PurposeLegalAid), denied(accord.ReasonNoAgreement)},
		{"agreement/role not covered", req("stf_paralegl", clinic, accord.CatDemographics, accord.PurposeLegalAid), denied(accord.ReasonNoAgreement)},
		{"agreement/purpose not covered", req("stf_lawyer", clinic, accord.CatDemographics, accord.PurposeResearch), denied(accord.ReasonNoAgreement)},
		{"agreement/category not covered", req("stf_lawyer", clinic, accord.CatScreening, accord.PurposeLegalAid), denied(accord.ReasonNoAgreement)},
		{"agreement/expired, suspended and draft versions", req("stf_sw", clinic, accord.CatSocialNeeds, accord.PurposeSocialCare, about(ben)), denied(accord.ReasonNoAgreement)},
		{"agreement/not yet effective", req("stf_lawyer", clinic, accord.CatDemographics, accord.PurposeLegalAid, at(date(2024, 12, 31))), denied(accord.ReasonNoAgreement)},
		{"agreement/runs in both directions", req("stf_nav", ngo, accord.CatDemographics, accord.PurposeCoordination), denied(accord.ReasonNoConsent)},
		{"agreement/prohibited recipient", req("stf_auditor", clinic, accord.CatDemographics, accord.PurposeOversight),
			with(denied(accord.ReasonProhibitedRecipient), func(d *accord.Decision) { d.AgreementID, d.AgreementVersion = "agr_oversight", 1 })},
		{"agreement/prohibition binds only the named party", req("stf_ngonav", clinic, accord.CatDemographics, accord.PurposeOversight), denied(accord.ReasonNoConsent)},
	}
}

func TestDecide(t *testing.T) {
	s := fixture(t)
	for _, tt := range decideTests() {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Decide(tt.req)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decide mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecideEveryReason makes sure the table above exercises every reason
// there is, so a new one cannot go untested.
func TestDecideEveryReason(t *testing.T) {
	seen := map[accord.Reason]bool{accord.ReasonLocalPolicy: true} // TestLocalPolicies
	for _, tt := range decideTests() {
		seen[tt.want.Reason] = true
	}
	for _, r := range []accord.Reason{
		accord.ReasonSameOrgRole, accord.ReasonSameOrgCareTeam, accord.ReasonAgreementConsent, accord.ReasonCourtOrder,
		accord.ReasonStatutoryDuty, accord.ReasonBreakGlass, accord.ReasonDefaultDeny, accord.ReasonFirewall,
		accord.ReasonRoleNotPermitted, accord.ReasonNotOnCareTeam, accord.ReasonPrivileged, accord.ReasonNoAgreement,
		accord.ReasonProhibitedRecipient, accord.ReasonNoConsent, accord.ReasonConsentDenies, accord.ReasonSensitivity,
		accord.ReasonLocalPolicy, accord.ReasonBreakGlassRequired,
	} {
		if !seen[r] {
			t.Errorf("no test decides %s", r)
		}
	}
}

// TestBulk checks that loading through Bulk gives the same decisions as
// loading one Put at a time.
func TestBulk(t *testing.T) {
	s := NewSnapshot()
	// Agreements in reverse, to show that the order of loading does not matter.
	agreements := fixtureAgreements()
	slices.Reverse(agreements)
	s.Bulk(func(l *Loader) { load(l, agreements) })
	for _, tt := range decideTests() {
		if diff := cmp.Diff(tt.want, s.Decide(tt.req)); diff != "" {
			t.Errorf("%s: Decide after Bulk mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestChanges(t *testing.T) {
	lawyer := req("stf_lawyer", clinic, accord.CatImmigrationStatus, accord.PurposeLegalAid)
	tests := []struct {
		name   string
		change func(s *Snapshot)
		req    *accord.Request
		want   accord.Decision
	}{
		{
			name: "revoked consent denies on the next decision",
			change: func(s *Snapshot) {
				c := fixtureConsents()[0]
				c.Status, c.RevokedAt = accord.ConsentRevoked, ptr(now)
				s.PutConsent(c)
			},
			req:  lawyer,
			want: denied(accord.ReasonNoConsent),
		},
		{
			name: "consent replaced by id",
			change: func(s *Snapshot) {
				c := fixtureConsents()[0]
				c.Provisions = c.Provisions[1:]
				s.PutConsent(c)
			},
			req:  req("stf_ngonav", clinic, accord.CatClinicalSummary, accord.PurposeCoordination),
			want: consentDecision("agr_clinic_ngo", 1, "cns_1", 0),
		},
		{
			name: "new deny provision in another consent wins",
			change: func(s *Snapshot) {
				s.PutConsent(&accord.Consent{ID: "cns_3", ClientID: ana, Status: accord.ConsentActive, Start: date(2026, 2, 1),
					Provisions: []accord.Provision{{Type: accord.ProvisionDeny, Sectors: []accord.Sector{accord.SectorLegal}}}})
			},
			req:  lawyer,
			want: with(denied(accord.ReasonConsentDenies), func(d *accord.Decision) { d.ConsentID, d.Provision = "cns_3", 0 }),
		},
		{
			name:   "agreement removed",
			change: func(s *Snapshot) { s.RemoveAgreement("agr_clinic_legal") },
			req:    lawyer,
			want:   denied(accord.ReasonNoAgreement),
		},
		{
			name: "agreement version suspended in place",
			change: func(s *Snapshot) {
				a := fixtureAgreements()[0]
				a.Status = accord.AgreementSuspended
				s.PutAgreement(a)
			},
			req:  lawyer,
			want: denied(accord.ReasonNoAgreement),
		},
		{
			name: "newer version is named",
			change: func(s *Snapshot) {
				a := fixtureAgreements()[0]
				a.Version = 2
				s.PutAgreement(a)
			},
			req:  lawyer,
			want: consentDecision("agr_clinic_legal", 2, "cns_1", 0),
		},
		{
			name: "expired agreement renewed",
			change: func(s *Snapshot) {
				a := fixtureAgreements()[3]
				a.Version, a.EffectiveUntil = 4, date(2027, 1, 1)
				s.PutAgreement(a)
			},
			req:  req("stf_sw", clinic, accord.CatSocialNeeds, accord.PurposeSocialCare, about(ben)),
			want: denied(accord.ReasonNoConsent),
		},
		{
			name:   "client erased",
			change: func(s *Snapshot) { s.RemoveClient(ana) },
			req:    req("stf_doc", clinic, accord.CatClinicalNote, accord.PurposeTreatment),
			want:   denied(accord.ReasonNotOnCareTeam),
		},
		{
			name:   "erased client's consents gone",
			change: func(s *Snapshot) { s.RemoveClient(ana) },
			req:    lawyer,
			want:   denied(accord.ReasonNoConsent),
		},
		{
			name:   "erased client's court order gone",
			change: func(s *Snapshot) { s.RemoveClient(ana) },
			req:    req("stf_officer", clinic, accord.CatImmigrationStatus, accord.PurposeLegal),
			want:   denied(accord.ReasonFirewall),
		},
		{
			name:   "care team emptied",
			change: func(s *Snapshot) { s.SetCareTeam(ana, nil) },
			req:    req("stf_doc", clinic, accord.CatClinicalNote, accord.PurposeTreatment),
			want:   denied(accord.ReasonNotOnCareTeam),
		},
		{
			name: "court order extended",
			change: func(s *Snapshot) {
				b := fixtureBases()[0]
				b.ExpiresAt = date(2027, 1, 1)
				s.PutLegalBasis(b)
			},
			req: req("stf_officer", clinic, accord.CatImmigrationStatus, accord.PurposeLegal, at(date(2026, 8, 1))),
			want: with(permitted(accord.ReasonCourtOrder, accord.ObligeAudit|accord.ObligeReview|accord.ObligeNotify),
				func(d *accord.Decision) { d.LegalBasisID = "lgb_court" }),
		},
		{
			name:   "organisation turns enforcement",
			change: func(s *Snapshot) { s.PutOrganization(legal, accord.SectorLawEnforcement) },
			req:    lawyer,
			want:   denied(accord.ReasonFirewall),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fixture(t)
			tt.change(s)
			if diff := cmp.Diff(tt.want, s.Decide(tt.req)); diff != "" {
				t.Errorf("Decide mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLocalPolicies(t *testing.T) {
	const policies = `
@id("no-hiv-across")
forbid (principal, action, resource)
when { context.crosses_boundary && resource.sensitivity.contains("HIV") };

@id("no-break-glass-for-notes")
forbid (principal, action, resource)
when { context.reason == "break_glass" && resource.category == "clinical_note" };

// No @id: named by position.
forbid (principal, action, resource)
when { principal.roles.contains("interpreter") && context.purpose == "TREAT" };
`
	local := func(id string) accord.Decision {
		return with(denied(accord.ReasonLocalPolicy), func(d *accord.Decision) { d.PolicyID = id })
	}
	tests := []struct {
		name     string
		policies string
		req      *accord.Request
		want     accord.Decision
	}{
		{"narrows a consent permit", policies,
			req("stf_lawyer", clinic, accord.CatClinicalSummary, accord.PurposeLegalAid, labelled(accord.SensHIV)), local("no-hiv-across")},
		{"same permit without the label", policies,
			req("stf_lawyer", clinic, accord.CatClinicalSummary, accord.PurposeLegalAid), consentDecision("agr_clinic_legal", 1, "cns_1", 0)},
		{"HIV within the holder", policies,
			req("stf_doc", clinic, accord.CatClinicalSummary, accord.PurposeTreatment, labelled(accord.SensHIV)), permitted(accord.ReasonSameOrgCareTeam, accord.ObligeAudit)},
		{"narrows break-glass", policies,
			req("stf_er", clinic, accord.CatClinicalNote, accord.PurposeEmergencyTreatment), local("no-break-glass-for-notes")},
		{"default policy id", policies,
			req("stf_interp", clinic, accord.CatContact, accord.PurposeTreatment), local("policy2")},
		{"cannot turn a deny into a permit", `forbid (principal, action, resource) when { false };`,
			req("stf_officer", clinic, accord.CatClinicalSummary, accord.PurposeLegal), denied(accord.ReasonFirewall)},
		{"a deny stays the same deny", policies,
			req("stf_lawyer", clinic, accord.CatClinicalSummary, accord.PurposeLegalAid, labelled(accord.SensPSY)),
			with(denied(accord.ReasonSensitivity), func(d *accord.Decision) { d.ConsentID, d.Provision = "cns_1", 0 })},
		{"error forbids", `@id("typo") forbid (principal, action, resource) when { principal.nickname == "x" };`,
			req("stf_nav", clinic, accord.CatContact, accord.PurposeTreatment), local("typo")},
		{"error in unless forbids", `@id("typo") forbid (principal, action, resource) unless { resource.holder.sector == "health" };`,
			req("stf_nav", clinic, accord.CatContact, accord.PurposeTreatment), local("typo")},
		{"first written wins", `
@id("b") forbid (principal, action, resource) when { resource.category == "contact" };
@id("a") forbid (principal, action, resource) when { principal.missing };`,
			req("stf_nav", clinic, accord.CatContact, accord.PurposeTreatment), local("b")},
		{"scope narrows", `@id("only-staff-x") forbid (principal == Staff::"stf_nav", action == Action::"read", resource);`,
			req("stf_nav", clinic, accord.CatContact, accord.PurposeTreatment), local("only-staff-x")},
		{"scope misses", `@id("only-staff-x") forbid (principal == Staff::"stf_x", action, resource);`,
			req("stf_nav", clinic, accord.CatContact, accord.PurposeTreatment), permitted(accord.ReasonSameOrgRole, accord.ObligeAudit)},
		{"sector attribute", `@id("no-police") forbid (principal, action, resource) when { principal.sector == "law_enforcement" && principal.organization != resource.holder };`,
			req("stf_cop", clinic, accord.CatContact, accord.PurposeLegal), local("no-police")},
		{"removed again", ``,
			req("stf_lawyer", clinic, accord.CatClinicalSummary, accord.PurposeLegalAid, labelled(accord.SensHIV)), consentDecision("agr_clinic_legal", 1, "cns_2", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fixture(t)
			if err := s.SetLocalPolicies(policies); err != nil {
				t.Fatal(err)
			}
			if err := s.SetLocalPolicies(tt.policies); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, s.Decide(tt.req)); diff != "" {
				t.Errorf("Decide mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSetLocalPoliciesRefuses(t *testing.T) {
	tests := []struct {
		name, text, wantMessage string
	}{
		{"permit", `@id("open-up") permit (principal, action, resource);`,
			"local policy open-up is a permit; local policies may only forbid"},
		{"permit among forbids", `forbid (principal, action, resource) when { false }; permit (principal, action, resource);`,
			"local policy policy1 is a permit; local policies may only forbid"},
		{"duplicate id", `@id("x") forbid (principal, action, resource); @id("x") forbid (principal, action, resource);`,
			"two local policies are named x"},
		{"unparsable", `forbid (principal, action, resource) when { principal.roles.contains( };`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fixture(t)
			const keep = `@id("keep") forbid (principal, action, resource) when { resource.category == "contact" };`
			if err := s.SetLocalPolicies(keep); err != nil {
				t.Fatal(err)
			}
			if err := s.CheckLocalPolicies(tt.text); accord.ErrorCode(err) != accord.EINVALID {
				t.Errorf("CheckLocalPolicies = %v, want EINVALID", err)
			}
			err := s.SetLocalPolicies(tt.text)
			var e *accord.Error
			if !errors.As(err, &e) || e.Code != accord.EINVALID || e.Field != "policies" {
				t.Fatalf("SetLocalPolicies = %v, want an EINVALID *accord.Error on policies", err)
			}
			if tt.wantMessage != "" && e.Message() != tt.wantMessage {
				t.Errorf("message = %q, want %q", e.Message(), tt.wantMessage)
			}
			// The refused text changes nothing.
			got := s.Decide(req("stf_nav", clinic, accord.CatContact, accord.PurposeTreatment))
			if got.PolicyID != "keep" {
				t.Errorf("after a refused SetLocalPolicies, decision = %+v, want the old policy to hold", got)
			}
		})
	}
}

// TestSchema checks that Schema parses and that what Decide hands Cedar
// conforms to it, so that policies written against the schema see what the
// schema promises.
func TestSchema(t *testing.T) {
	var sch schema.Schema
	if err := sch.UnmarshalCedar([]byte(Schema)); err != nil {
		t.Fatalf("Schema does not parse: %v", err)
	}
	res, err := sch.Resolve()
	if err != nil {
		t.Fatalf("Schema does not resolve: %v", err)
	}
	v := validate.New(res)
	s := fixture(t)
	p := s.part.Load()
	for _, tt := range decideTests() {
		ents, cr := cedarRequest(tt.req, p, tt.want.Reason)
		for _, e := range []cedar.Entity{ents.principal, ents.resource} {
			if err := v.Entity(e); err != nil {
				t.Errorf("%s: entity %s: %v", tt.name, e.UID, err)
			}
		}
		if err := v.Request(cr); err != nil {
			t.Errorf("%s: request: %v", tt.name, err)
		}
	}
	// The example in the documentation of Schema typechecks.
	list, err := cedar.NewPolicyListFromBytes("example", []byte(`forbid (principal, action, resource)
when { context.crosses_boundary && resource.sensitivity.contains("HIV") };`))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Policy("example", (*xast.Policy)(list[0].AST())); err != nil {
		t.Errorf("example policy does not typecheck: %v", err)
	}
}

// TestDecideAllocs guards the hot path: without local policies, Decide
// allocates nothing, whatever the rule that decides.
func TestDecideAllocs(t *testing.T) {
	s := fixture(t)
	for _, tt := range decideTests() {
		if n := testing.AllocsPerRun(100, func() { s.Decide(tt.req) }); n != 0 {
			t.Errorf("%s: Decide allocates %v times, want 0", tt.name, n)
		}
	}
}

func TestVocabularyBits(t *testing.T) {
	for _, c := range accord.Categories {
		if got, want := categoryBit(c), accord.NewCategorySet(c); got != want {
			t.Errorf("categoryBit(%s) = %b, want %b", c, got, want)
		}
	}
	for i, p := range accord.Purposes {
		if got := purposeBit(p); got != 1<<i {
			t.Errorf("purposeBit(%s) = %b, want %b", p, got, 1<<i)
		}
	}
	for i, s := range accord.Sectors {
		if got := sectorBit(s); got != 1<<i {
			t.Errorf("sectorBit(%s) = %b, want %b", s, got, 1<<i)
		}
	}
	for _, r := range accord.Roles {
		if got, want := roleGrants[accord.NewRoleSet(r)], accord.NewCategorySet(RoleCategories[r]...); got != want {
			t.Errorf("roleGrants[%s] = %b, want %b", r, got, want)
		}
	}
}

func TestStamp(t *testing.T) {
	times := []time.Time{
		{}, date(1600, 1, 1), date(1678, 1, 1), date(1970, 1, 1), now, now.Add(1), date(2262, 1, 1), date(2300, 1, 1),
	}
	for i, a := range times {
		for _, b := range times[i+1:] {
			if !a.Before(b) {
				t.Fatalf("test times out of order: %v, %v", a, b)
			}
			// Exact in range; never inverted outside it.
			if sa, sb := stamp(a), stamp(b); sa > sb || sa == sb && a.Year() >= 1678 && b.Year() < 2262 {
				t.Errorf("stamp(%v) = %d, stamp(%v) = %d", a, sa, b, sb)
			}
		}
	}
}

// TestConcurrent runs decisions against every kind of change; run it with
// -race.
func TestConcurrent(t *testing.T) {
	s := fixture(t)
	tests := decideTests()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 4 {
		wg.Go(func() {
			for i := g; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				d := s.Decide(tests[i%len(tests)].req)
				if !d.Obligations.Has(accord.ObligeAudit) {
					t.Errorf("decision without audit: %+v", d)
					return
				}
			}
		})
	}
	for i := range 200 {
		c := fixtureConsents()[i%3]
		if i%2 == 0 {
			c.Status = accord.ConsentRevoked
		}
		s.PutConsent(c)
		s.PutAgreement(fixtureAgreements()[i%len(fixtureAgreements())])
		s.PutLegalBasis(fixtureBases()[i%len(fixtureBases())])
		s.SetCareTeam(ana, []string{"stf_doc", fmt.Sprint("stf_", i)})
		s.PutOrganization(ngo, accord.SectorCivilSociety)
		if i%50 == 0 {
			s.RemoveClient(ben)
			s.RemoveAgreement("agr_clinic_ngo")
			if err := s.SetLocalPolicies(`forbid (principal, action, resource) when { context.purpose == "HRESCH" };`); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(stop)
	wg.Wait()
}
