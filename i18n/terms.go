package i18n

import "github.com/accord-project/accord"

// Labels of the vocabulary, in English; each is a catalogue key.
var (
	categoryTerms = map[accord.Category]Term{
		accord.CatDemographics:        "demographic details",
		accord.CatContact:             "contact details",
		accord.CatClinicalSummary:     "clinical summaries",
		accord.CatClinicalNote:        "clinical notes",
		accord.CatLegalMatter:         "legal matters",
		accord.CatLegalPrivilegedNote: "privileged legal notes",
		accord.CatImmigrationStatus:   "immigration status details",
		accord.CatSocialNeeds:         "social needs",
		accord.CatScreening:           "screening answers",
	}
	purposeTerms = map[accord.Purpose]Term{
		accord.PurposeTreatment:          "treatment",
		accord.PurposeEmergencyTreatment: "emergency treatment",
		accord.PurposeCoordination:       "coordination of care",
		accord.PurposePublicHealth:       "public health",
		accord.PurposeResearch:           "research",
		accord.PurposePatientRequest:     "the client's own request",
		accord.PurposeLegal:              "compliance with a legal order",
		accord.PurposeLegalAid:           "legal aid",
		accord.PurposeSocialCare:         "social care",
		accord.PurposeOversight:          "oversight",
	}
	roleTerms = map[accord.Role]Term{
		accord.RoleNavigator:        "navigator",
		accord.RoleClinician:        "clinician",
		accord.RoleLegalAdvocate:    "legal advocate",
		accord.RoleSocialWorker:     "social worker",
		accord.RoleInterpreter:      "interpreter",
		accord.RoleSupervisor:       "supervisor",
		accord.RolePartnershipAdmin: "partnership administrator",
		accord.RolePrivacyOfficer:   "privacy officer",
		accord.RoleAuditor:          "auditor",
		accord.RoleCaseworker:       "caseworker",
	}
	sectorTerms = map[accord.Sector]Term{
		accord.SectorHealth:               "health",
		accord.SectorLegal:                "legal services",
		accord.SectorSocial:               "social services",
		accord.SectorImmigrationAuthority: "immigration authority",
		accord.SectorLawEnforcement:       "law enforcement",
		accord.SectorCivilSociety:         "civil society",
		accord.SectorOversight:            "oversight",
	}
)

// urgencyTerms label how urgent a referral or escalation is.
var urgencyTerms = map[accord.Urgency]Term{
	accord.UrgencyRoutine:   "routine",
	accord.UrgencySoon:      "soon",
	accord.UrgencyUrgent:    "urgent",
	accord.UrgencyImmediate: "immediate",
}

// statusTerms label the states of agreements, cases, goals, tasks,
// consents, escalations, reviews and referrals (the codes overlap: "open"
// is one label wherever it appears).
var statusTerms = map[string]Term{
	"draft": "draft", "active": "active", "suspended": "suspended", "expired": "expired", "terminated": "terminated",
	"superseded": "superseded", "open": "open", "closed": "closed", "achieved": "achieved", "dropped": "dropped",
	"in_progress": "in progress", "done": "done", "cancelled": "cancelled", "revoked": "revoked",
	"acknowledged": "acknowledged", "resolved": "resolved", "pending": "waiting for review", "justified": "justified",
	"not_justified": "not justified", "referred": "referred on", "sent": "sent", "received": "received",
	"accepted": "accepted", "declined": "declined", "completed": "completed",
}

// Urgency returns the label of an urgency.
func Urgency(u accord.Urgency) Term { return termOr(urgencyTerms, u) }

// Status returns the label of a status code.
func Status(s string) Term { return termOr(statusTerms, s) }

// Category returns the label of a data category.
func Category(c accord.Category) Term { return termOr(categoryTerms, c) }

// Purpose returns the label of a purpose of use.
func Purpose(p accord.Purpose) Term { return termOr(purposeTerms, p) }

// Role returns the label of a role.
func Role(r accord.Role) Term { return termOr(roleTerms, r) }

// Roles returns the labels of several roles.
func Roles(rs []accord.Role) []Term {
	out := make([]Term, len(rs))
	for i, r := range rs {
		out[i] = Role(r)
	}
	return out
}

// Sector returns the label of a sector.
func Sector(s accord.Sector) Term { return termOr(sectorTerms, s) }

func termOr[K ~string](m map[K]Term, k K) Term {
	if t, ok := m[k]; ok {
		return t
	}
	return Term(k)
}

// Terms returns every vocabulary label, for the catalogue completeness test.
func Terms() []Term {
	var out []Term
	for _, m := range []map[accord.Category]Term{categoryTerms} {
		for _, t := range m {
			out = append(out, t)
		}
	}
	for _, t := range purposeTerms {
		out = append(out, t)
	}
	for _, t := range roleTerms {
		out = append(out, t)
	}
	for _, t := range sectorTerms {
		out = append(out, t)
	}
	for _, t := range urgencyTerms {
		out = append(out, t)
	}
	for _, t := range statusTerms {
		out = append(out, t)
	}
	return out
}
