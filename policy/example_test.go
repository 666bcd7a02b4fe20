package policy_test

import (
	"fmt"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/policy"
)

func Example() {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := policy.NewSnapshot()
	s.PutOrganization("org_clinic", accord.SectorHealth)
	s.PutOrganization("org_legal", accord.SectorLegal)
	s.PutOrganization("org_police", accord.SectorLawEnforcement)
	s.PutAgreement(&accord.Agreement{
		ID: "agr_1", Version: 1, Status: accord.AgreementActive,
		Parties:       []string{"org_clinic", "org_legal", "org_police"},
		Purposes:      []accord.Purpose{accord.PurposeLegalAid, accord.PurposeLegal},
		Categories:    []accord.Category{accord.CatImmigrationStatus},
		Roles:         []accord.Role{accord.RoleLegalAdvocate, accord.RoleCaseworker},
		EffectiveFrom: now.AddDate(-1, 0, 0), EffectiveUntil: now.AddDate(1, 0, 0),
	})
	s.PutConsent(&accord.Consent{
		ID: "cns_1", ClientID: "cli_1", Status: accord.ConsentActive, Start: now.AddDate(0, -1, 0),
		Provisions: []accord.Provision{{
			Type:          accord.ProvisionPermit,
			Organizations: []string{"org_legal", "org_police"},
			Purposes:      []accord.Purpose{accord.PurposeLegalAid, accord.PurposeLegal},
			Categories:    []accord.Category{accord.CatImmigrationStatus},
		}},
	})

	ask := func(org string, role accord.Role, purpose accord.Purpose) {
		d := s.Decide(&accord.Request{
			Actor:    accord.Actor{StaffID: "stf_1", OrganizationID: org, Roles: accord.NewRoleSet(role)},
			ClientID: "cli_1", HolderID: "org_clinic",
			Category: accord.CatImmigrationStatus, Purpose: purpose, Time: now,
		})
		fmt.Println(org, d.Effect, d.Reason, d.Obligations.List())
	}
	ask("org_legal", accord.RoleLegalAdvocate, accord.PurposeLegalAid)
	// The same agreement and consent name the police: the firewall holds.
	ask("org_police", accord.RoleCaseworker, accord.PurposeLegal)
	// Output:
	// org_legal permit agreement_and_consent [audit]
	// org_police deny firewall [audit]
}
