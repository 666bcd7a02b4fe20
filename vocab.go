package accord

import (
	"slices"
	"strings"
)

// Sector is the kind of organisation a party is. It matters to the firewall:
// immigration authorities and law enforcement never see health, legal or
// immigration data without a court order.
type Sector string

const (
	SectorHealth               Sector = "health"
	SectorLegal                Sector = "legal"
	SectorSocial               Sector = "social"
	SectorImmigrationAuthority Sector = "immigration_authority"
	SectorLawEnforcement       Sector = "law_enforcement"
	SectorCivilSociety         Sector = "civil_society"
	SectorOversight            Sector = "oversight"
)

// Sectors lists every sector.
var Sectors = []Sector{
	SectorHealth, SectorLegal, SectorSocial, SectorImmigrationAuthority,
	SectorLawEnforcement, SectorCivilSociety, SectorOversight,
}

// Valid reports whether s is a known sector.
func (s Sector) Valid() bool { return slices.Contains(Sectors, s) }

// Enforcement reports whether the sector is behind the firewall
// (immigration authority or law enforcement).
func (s Sector) Enforcement() bool {
	return s == SectorImmigrationAuthority || s == SectorLawEnforcement
}

// Role is what a staff member does. A staff member may hold several.
type Role string

const (
	RoleNavigator        Role = "navigator"
	RoleClinician        Role = "clinician"
	RoleLegalAdvocate    Role = "legal_advocate"
	RoleSocialWorker     Role = "social_worker"
	RoleInterpreter      Role = "interpreter"
	RoleSupervisor       Role = "supervisor"
	RolePartnershipAdmin Role = "partnership_admin"
	RolePrivacyOfficer   Role = "privacy_officer"
	RoleAuditor          Role = "auditor"
	// RoleCaseworker is an officer of an immigration authority or law
	// enforcement body. It is the role a court order is served to.
	RoleCaseworker Role = "caseworker"
)

// Roles lists every role, in bit order for RoleSet.
var Roles = []Role{
	RoleNavigator, RoleClinician, RoleLegalAdvocate, RoleSocialWorker, RoleInterpreter,
	RoleSupervisor, RolePartnershipAdmin, RolePrivacyOfficer, RoleAuditor, RoleCaseworker,
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// RoleSet is a set of roles as a bitmask, cheap to test in the decision point.
type RoleSet uint32

// NewRoleSet returns the set of the given roles; unknown roles are ignored.
func NewRoleSet(roles ...Role) RoleSet {
	var s RoleSet
	for _, r := range roles {
		if i := slices.Index(Roles, r); i >= 0 {
			s |= 1 << i
		}
	}
	return s
}

// Has reports whether r is in the set.
func (s RoleSet) Has(r Role) bool {
	i := slices.Index(Roles, r)
	return i >= 0 && s&(1<<i) != 0
}

// Any reports whether the two sets share a role.
func (s RoleSet) Any(t RoleSet) bool { return s&t != 0 }

// List returns the roles in the set in Roles order.
func (s RoleSet) List() []Role {
	var out []Role
	for i, r := range Roles {
		if s&(1<<i) != 0 {
			out = append(out, r)
		}
	}
	return out
}

// Category is a data category of client data.
type Category string

const (
	CatDemographics        Category = "demographics"
	CatContact             Category = "contact"
	CatClinicalSummary     Category = "clinical_summary"
	CatClinicalNote        Category = "clinical_note"
	CatLegalMatter         Category = "legal_matter"
	CatLegalPrivilegedNote Category = "legal_privileged_note"
	CatImmigrationStatus   Category = "immigration_status"
	CatSocialNeeds         Category = "social_needs"
	CatScreening           Category = "screening"
)

// Categories lists every data category, in bit order for CategorySet.
var Categories = []Category{
	CatDemographics, CatContact, CatClinicalSummary, CatClinicalNote, CatLegalMatter,
	CatLegalPrivilegedNote, CatImmigrationStatus, CatSocialNeeds, CatScreening,
}

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

// Clinical reports whether c is clinical data.
func (c Category) Clinical() bool { return c == CatClinicalSummary || c == CatClinicalNote }

// Legal reports whether c is legal data.
func (c Category) Legal() bool { return c == CatLegalMatter || c == CatLegalPrivilegedNote }

// Firewalled reports whether c is never disclosed to an immigration authority
// or law enforcement without a court order: immigration status, clinical and
// legal data.
func (c Category) Firewalled() bool {
	return c == CatImmigrationStatus || c.Clinical() || c.Legal()
}

// Sealed reports whether records of this category are encrypted at rest in
// full. (Free-text notes of every category are sealed too.)
func (c Category) Sealed() bool {
	return c == CatImmigrationStatus || c == CatClinicalNote || c == CatLegalPrivilegedNote
}

// CategorySet is a set of categories as a bitmask.
type CategorySet uint32

// NewCategorySet returns the set of the given categories; unknown ones are ignored.
func NewCategorySet(cs ...Category) CategorySet {
	var s CategorySet
	for _, c := range cs {
		if i := slices.Index(Categories, c); i >= 0 {
			s |= 1 << i
		}
	}
	return s
}

// Has reports whether c is in the set.
func (s CategorySet) Has(c Category) bool {
	i := slices.Index(Categories, c)
	return i >= 0 && s&(1<<i) != 0
}

// Purpose is why data is used, an HL7 v3 ActReason (PurposeOfUse) code where
// one fits and a local code where none does.
type Purpose string

const (
	PurposeTreatment          Purpose = "TREAT"   // HL7: treatment
	PurposeEmergencyTreatment Purpose = "ETREAT"  // HL7: emergency treatment (break-glass)
	PurposeCoordination       Purpose = "COC"     // HL7: coordination of care
	PurposePublicHealth       Purpose = "PUBHLTH" // HL7: public health
	PurposeResearch           Purpose = "HRESCH"  // HL7: healthcare research
	PurposePatientRequest     Purpose = "PATRQT"  // HL7: patient (client) requested
	PurposeLegal              Purpose = "HLEGAL"  // HL7: legal (compliance with a court order or statute)
	PurposeLegalAid           Purpose = "LEGALAID"
	PurposeSocialCare         Purpose = "SOCIALCARE"
	PurposeOversight          Purpose = "OVERSIGHT"
)

// Purposes lists every purpose of use.
var Purposes = []Purpose{
	PurposeTreatment, PurposeEmergencyTreatment, PurposeCoordination, PurposePublicHealth,
	PurposeResearch, PurposePatientRequest, PurposeLegal, PurposeLegalAid, PurposeSocialCare,
	PurposeOversight,
}

// Valid reports whether p is a known purpose code.
func (p Purpose) Valid() bool { return slices.Contains(Purposes, p) }

// PurposeError returns the EINVALID error for a missing or unknown purpose
// in field, listing the accepted codes.
func PurposeError(field string, got Purpose) *Error {
	e := &Error{Code: EINVALID, Field: field, Format: "state the purpose of use in %s; accepted codes: %s", Args: []any{field, PurposeCodes()}}
	if got != "" {
		e.Format, e.Args = "unknown purpose of use %q in %s; accepted codes: %s", []any{string(got), field, PurposeCodes()}
	}
	for _, p := range Purposes {
		e.Accepted = append(e.Accepted, string(p))
	}
	return e
}

// PurposeCodes returns the accepted purpose codes joined by ", ", for error messages.
func PurposeCodes() string {
	s := make([]string, len(Purposes))
	for i, p := range Purposes {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

// Sensitivity is an HL7 v3 sensitivity label on a record. Records with a
// sensitivity label cross an organisation boundary only when the client's
// consent names that sensitivity explicitly.
type Sensitivity string

const (
	SensHIV Sensitivity = "HIV" // HIV/AIDS information
	SensPSY Sensitivity = "PSY" // psychiatry / mental health
	SensETH Sensitivity = "ETH" // substance use
	SensSDV Sensitivity = "SDV" // sexual and domestic violence
	SensSEX Sensitivity = "SEX" // sexuality and reproductive health
	SensSTD Sensitivity = "STD" // sexually transmitted disease
)

// Sensitivities lists every sensitivity label, in bit order for SensitivitySet.
var Sensitivities = []Sensitivity{SensHIV, SensPSY, SensETH, SensSDV, SensSEX, SensSTD}

// Valid reports whether s is a known sensitivity label.
func (s Sensitivity) Valid() bool { return slices.Contains(Sensitivities, s) }

// SensitivitySet is a set of sensitivity labels as a bitmask.
type SensitivitySet uint16

// NewSensitivitySet returns the set of the given labels; unknown ones are ignored.
func NewSensitivitySet(ss ...Sensitivity) SensitivitySet {
	var s SensitivitySet
	for _, x := range ss {
		if i := slices.Index(Sensitivities, x); i >= 0 {
			s |= 1 << i
		}
	}
	return s
}

// Covers reports whether every label in t is in s.
func (s SensitivitySet) Covers(t SensitivitySet) bool { return t&^s == 0 }

// List returns the labels in the set.
func (s SensitivitySet) List() []Sensitivity {
	var out []Sensitivity
	for i, x := range Sensitivities {
		if s&(1<<i) != 0 {
			out = append(out, x)
		}
	}
	return out
}

// Confidentiality is the HL7 v3 confidentiality code of a record.
type Confidentiality string

const (
	ConfNormal         Confidentiality = "N"
	ConfRestricted     Confidentiality = "R"
	ConfVeryRestricted Confidentiality = "V"
)

// Valid reports whether c is N, R or V.
func (c Confidentiality) Valid() bool {
	return c == ConfNormal || c == ConfRestricted || c == ConfVeryRestricted
}
