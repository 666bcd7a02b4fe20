package policy

import (
	"github.com/accord-project/accord"
)

// RoleCategories is the matrix of rule 3: the categories of its own
// organisation's client data that a staff member may read, by role. A staff
// member with several roles may read the union. Roles not listed
// (partnership_admin, privacy_officer, auditor) read no client data at all.
//
// Categories in CareTeamCategories additionally need the staff member on the
// client's care team, and legal_privileged_note is only ever for
// legal_advocate. The caseworker row is for immigration and police officers
// and, like every row, applies to their own organisation's records only.
//
// The decision point reads this table once, when the program starts; it is
// exported so that documentation can print it, not so that it can be changed.
var RoleCategories = map[accord.Role][]accord.Category{
	accord.RoleNavigator: {
		accord.CatDemographics, accord.CatContact, accord.CatScreening, accord.CatSocialNeeds,
	},
	accord.RoleClinician: {
		accord.CatDemographics, accord.CatContact, accord.CatScreening, accord.CatSocialNeeds,
		accord.CatClinicalSummary, accord.CatClinicalNote,
	},
	accord.RoleLegalAdvocate: {
		accord.CatDemographics, accord.CatContact, accord.CatScreening, accord.CatSocialNeeds,
		accord.CatLegalMatter, accord.CatLegalPrivilegedNote, accord.CatImmigrationStatus,
	},
	accord.RoleSocialWorker: {
		accord.CatDemographics, accord.CatContact, accord.CatScreening, accord.CatSocialNeeds,
	},
	accord.RoleInterpreter: {
		accord.CatDemographics, accord.CatContact,
	},
	accord.RoleSupervisor: {
		accord.CatDemographics, accord.CatContact, accord.CatScreening, accord.CatSocialNeeds,
	},
	accord.RoleCaseworker: {
		accord.CatDemographics, accord.CatContact, accord.CatImmigrationStatus,
	},
}

// CareTeamCategories are the categories that, within the holding
// organisation, only staff on the client's care team may read (rule 3).
var CareTeamCategories = []accord.Category{
	accord.CatClinicalSummary, accord.CatClinicalNote, accord.CatLegalMatter, accord.CatLegalPrivilegedNote, accord.CatImmigrationStatus,
}

// Bit masks derived once from the vocabulary, so that the hot path tests
// sets with one AND instead of comparing strings.
var (
	// roleGrants[rs] is the union of RoleCategories over the roles in rs.
	roleGrants    [1 << 10]accord.CategorySet
	careTeamCats  = accord.NewCategorySet(CareTeamCategories...)
	clinicalCats  = accord.NewCategorySet(accord.CatClinicalSummary, accord.CatClinicalNote)
	firewallCats  = accord.NewCategorySet(accord.CatImmigrationStatus, accord.CatClinicalSummary, accord.CatClinicalNote, accord.CatLegalMatter, accord.CatLegalPrivilegedNote)
	privilegedCat = accord.NewCategorySet(accord.CatLegalPrivilegedNote)

	roleMask          = accord.RoleSet(1<<len(accord.Roles) - 1)
	roleClinician     = accord.NewRoleSet(accord.RoleClinician)
	roleLegalAdvocate = accord.NewRoleSet(accord.RoleLegalAdvocate)

	allSensitivities = accord.SensitivitySet(1<<len(accord.Sensitivities) - 1)
	purposeETREAT    = purposeBit(accord.PurposeEmergencyTreatment)
)

func init() {
	if len(accord.Roles) > 10 {
		// roleGrants is indexed by RoleSet; grow it with the vocabulary.
		panic("policy: more roles than roleGrants can index")
	}
	for rs := range roleGrants {
		var cats accord.CategorySet
		for i, r := range accord.Roles {
			if rs&(1<<i) != 0 {
				cats |= accord.NewCategorySet(RoleCategories[r]...)
			}
		}
		roleGrants[rs] = cats
	}
}

// purposeSet is a set of purposes as a bitmask, in accord.Purposes order.
type purposeSet uint16

// purposeBit returns the bit of p, 0 for an unknown purpose. A switch
// rather than slices.Index keeps this to a few comparisons.
func purposeBit(p accord.Purpose) purposeSet {
	switch p {
	case accord.PurposeTreatment:
		return 1 << 0
	case accord.PurposeEmergencyTreatment:
		return 1 << 1
	case accord.PurposeCoordination:
		return 1 << 2
	case accord.PurposePublicHealth:
		return 1 << 3
	case accord.PurposeResearch:
		return 1 << 4
	case accord.PurposePatientRequest:
		return 1 << 5
	case accord.PurposeLegal:
		return 1 << 6
	case accord.PurposeLegalAid:
		return 1 << 7
	case accord.PurposeSocialCare:
		return 1 << 8
	case accord.PurposeOversight:
		return 1 << 9
	}
	return 0
}

func purposeSetOf(ps []accord.Purpose) purposeSet {
	var s purposeSet
	for _, p := range ps {
		s |= purposeBit(p)
	}
	return s
}

// categoryBit returns the accord.CategorySet bit of c, 0 for an unknown category.
func categoryBit(c accord.Category) accord.CategorySet {
	switch c {
	case accord.CatDemographics:
		return 1 << 0
	case accord.CatContact:
		return 1 << 1
	case accord.CatClinicalSummary:
		return 1 << 2
	case accord.CatClinicalNote:
		return 1 << 3
	case accord.CatLegalMatter:
		return 1 << 4
	case accord.CatLegalPrivilegedNote:
		return 1 << 5
	case accord.CatImmigrationStatus:
		return 1 << 6
	case accord.CatSocialNeeds:
		return 1 << 7
	case accord.CatScreening:
		return 1 << 8
	}
	return 0
}

// sectorSet is a set of sectors as a bitmask, in accord.Sectors order.
type sectorSet uint8

// sectorBit returns the bit of s, 0 for an unknown sector.
func sectorBit(s accord.Sector) sectorSet {
	switch s {
	case accord.SectorHealth:
		return 1 << 0
	case accord.SectorLegal:
		return 1 << 1
	case accord.SectorSocial:
		return 1 << 2
	case accord.SectorImmigrationAuthority:
		return 1 << 3
	case accord.SectorLawEnforcement:
		return 1 << 4
	case accord.SectorCivilSociety:
		return 1 << 5
	case accord.SectorOversight:
		return 1 << 6
	}
	return 0
}
