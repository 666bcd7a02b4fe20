package accord_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/accord-project/accord"
)

// TestCheckTie checks disclosures against the agreement, consent and legal
// basis they name: a faithful one is tied, and each way of breaking the
// tie is named by its own problem code.
func TestCheckTie(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	clinic, legal, police, shelter := accord.NewID(accord.PrefixOrganization, nil), accord.NewID(accord.PrefixOrganization, nil),
		accord.NewID(accord.PrefixOrganization, nil), accord.NewID(accord.PrefixOrganization, nil)
	client, advocate := accord.NewID(accord.PrefixClient, nil), accord.NewID(accord.PrefixStaff, nil)
	zero, one := 0, 1
	agreement := func() *accord.Agreement {
		return &accord.Agreement{ID: accord.NewID(accord.PrefixAgreement, nil), Version: 2, Parties: []string{clinic, legal},
			Purposes: []accord.Purpose{accord.PurposeLegalAid}, Categories: []accord.Category{accord.CatClinicalSummary},
			EffectiveFrom: at.AddDate(0, -1, 0), EffectiveUntil: at.AddDate(1, 0, 0), Status: accord.AgreementActive, UpdatedAt: at.AddDate(0, -1, 0)}
	}
	consent := func() *accord.Consent {
		return &accord.Consent{ID: accord.NewID(accord.PrefixConsent, nil), ClientID: client, Status: accord.ConsentActive, Start: at.AddDate(0, 0, -7),
			Provisions: []accord.Provision{
				{Type: accord.ProvisionPermit, Organizations: []string{legal}, Purposes: []accord.Purpose{accord.PurposeLegalAid}, Categories: []accord.Category{accord.CatClinicalSummary}},
				{Type: accord.ProvisionDeny, Sectors: []accord.Sector{accord.SectorLawEnforcement}},
			}}
	}
	entry := func(a *accord.Agreement, c *accord.Consent) *accord.AuditEntry {
		return &accord.AuditEntry{Time: at, Kind: accord.AuditDecision, ActorID: advocate, ActorOrganizationID: legal, ClientID: client, HolderID: clinic,
			Category: accord.CatClinicalSummary, Purpose: accord.PurposeLegalAid, Effect: "permit", Reason: accord.ReasonAgreementConsent, Released: true,
			AgreementID: a.ID, AgreementVersion: a.Version, ConsentID: c.ID, Provision: &zero}
	}
	order := func() *accord.LegalBasis {
		return &accord.LegalBasis{ID: accord.NewID(accord.PrefixLegalBasis, nil), Kind: accord.BasisCourtOrder, ClientID: client,
			Categories: []accord.Category{accord.CatClinicalSummary}, RecipientOrganizationID: police, HolderOrganizationID: clinic,
			ValidFrom: at.AddDate(0, 0, -1), ExpiresAt: at.AddDate(0, 1, 0), ReviewStatus: accord.ReviewPending}
	}
	basisEntry := func(b *accord.LegalBasis) *accord.AuditEntry {
		return &accord.AuditEntry{Time: at, Kind: accord.AuditDecision, ActorID: advocate, ActorOrganizationID: police, ClientID: client, HolderID: clinic,
			Category: accord.CatClinicalSummary, Purpose: accord.PurposeLegal, Effect: "permit", Reason: accord.ReasonCourtOrder, Released: true, LegalBasisID: b.ID}
	}
	type check struct {
		e  *accord.AuditEntry
		ev *accord.TieEvidence
	}
	consented := func(change func(e *accord.AuditEntry, a *accord.Agreement, c *accord.Consent)) check {
		a, c := agreement(), consent()
		e := entry(a, c)
		if change != nil {
			change(e, a, c)
		}
		return check{e, &accord.TieEvidence{ClientIDs: []string{client}, RecipientSector: accord.SectorLegal, Agreement: a, Consent: c, Consents: []accord.Consent{*c}}}
	}
	ordered := func(sector accord.Sector, change func(e *accord.AuditEntry, b *accord.LegalBasis)) check {
		b := order()
		e := basisEntry(b)
		if change != nil {
			change(e, b)
		}
		return check{e, &accord.TieEvidence{ClientIDs: []string{client}, RecipientSector: sector, Basis: b}}
	}
	for _, tc := range []struct {
		name string
		check
		want accord.Tie
	}{
		{"tied by agreement and consent", consented(nil), accord.Tie{Basis: accord.TieAgreementConsent}},
		{"agreement superseded after the disclosure", consented(func(_ *accord.AuditEntry, a *accord.Agreement, _ *accord.Consent) {
			a.Status, a.UpdatedAt = accord.AgreementSuperseded, at.Add(time.Hour)
		}), accord.Tie{Basis: accord.TieAgreementConsent}},
		{"consent withdrawn after the disclosure", consented(func(_ *accord.AuditEntry, _ *accord.Agreement, c *accord.Consent) {
			c.Status, c.RevokedAt = accord.ConsentRevoked, new(at.Add(time.Minute))
		}), accord.Tie{Basis: accord.TieAgreementConsent}},
		{"consent of a duplicate merged into the client", func() check {
			c := consented(nil)
			c.e.ClientID = accord.NewID(accord.PrefixClient, nil)
			c.ev.ClientIDs = []string{c.e.ClientID, client}
			return c
		}(), accord.Tie{Basis: accord.TieAgreementConsent}},

		{"the consent does not cover the category", consented(func(e *accord.AuditEntry, a *accord.Agreement, _ *accord.Consent) {
			e.Category = accord.CatScreening
			a.Categories = append(a.Categories, accord.CatScreening)
		}), accord.Tie{Basis: accord.TieAgreementConsent, Problems: []accord.TieProblem{accord.ProblemProvisionCategory}}},
		{"consent withdrawn before", consented(func(_ *accord.AuditEntry, _ *accord.Agreement, c *accord.Consent) {
			c.Status, c.RevokedAt = accord.ConsentRevoked, new(at.Add(-time.Minute))
		}), accord.Tie{Basis: accord.TieAgreementConsent, Problems: []accord.TieProblem{accord.ProblemConsentNotInForce}}},
		{"agreement suspended before", consented(func(_ *accord.AuditEntry, a *accord.Agreement, _ *accord.Consent) {
			a.Status, a.UpdatedAt = accord.AgreementSuspended, at.Add(-time.Minute)
		}), accord.Tie{Basis: accord.TieAgreementConsent, Problems: []accord.TieProblem{accord.ProblemAgreementNotInForce}}},
		{"agreement never activated", consented(func(_ *accord.AuditEntry, a *accord.Agreement, _ *accord.Consent) { a.Status = accord.AgreementDraft }),
			accord.Tie{Basis: accord.TieAgreementConsent, Problems: []accord.TieProblem{accord.ProblemAgreementNotInForce}}},
		{"a recipient outside the agreement and the consent", consented(func(e *accord.AuditEntry, _ *accord.Agreement, _ *accord.Consent) {
			e.ActorOrganizationID = shelter
		}), accord.Tie{Basis: accord.TieAgreementConsent, Problems: []accord.TieProblem{accord.ProblemAgreementParties, accord.ProblemProvisionRecipient}}},
		{"a purpose neither covers", consented(func(e *accord.AuditEntry, _ *accord.Agreement, _ *accord.Consent) {
			e.Purpose = accord.PurposeSocialCare
		}),
			accord.Tie{Basis: accord.TieAgreementConsent, Problems: []accord.TieProblem{accord.ProblemAgreementPurpose, accord.ProblemProvisionPurpose}}},
		{"the provision named is the deny", consented(func(e *accord.AuditEntry, _ *accord.Agreement, _ *accord.Consent) { e.Provision = &one }),
			accord.Tie{Basis: accord.TieAgreementConsent, Problems: []accord.TieProblem{accord.ProblemProvisionNotPermit, accord.ProblemProvisionRecipient,
				accord.ProblemProvisionCategory, accord.ProblemProvisionPurpose}}},
		{"a deny provision wins", consented(func(_ *accord.AuditEntry, _ *accord.Agreement, c *accord.Consent) {
			c.Provisions[1].Sectors = []accord.Sector{accord.SectorLegal}
		}), accord.Tie{Basis: accord.TieAgreementConsent, Problems: []accord.TieProblem{accord.ProblemConsentDenies}}},
		{"another client's consent", consented(func(_ *accord.AuditEntry, _ *accord.Agreement, c *accord.Consent) {
			c.ClientID = accord.NewID(accord.PrefixClient, nil)
		}),
			accord.Tie{Basis: accord.TieAgreementConsent, Problems: []accord.TieProblem{accord.ProblemConsentClient}}},
		{"no consent named", consented(func(e *accord.AuditEntry, _ *accord.Agreement, _ *accord.Consent) { e.ConsentID, e.Provision = "", nil }),
			accord.Tie{Basis: accord.TieAgreementConsent, Problems: []accord.TieProblem{accord.ProblemNoConsent}}},
		{"a provision that does not exist", consented(func(e *accord.AuditEntry, _ *accord.Agreement, _ *accord.Consent) { e.Provision = new(7) }),
			accord.Tie{Basis: accord.TieAgreementConsent, Problems: []accord.TieProblem{accord.ProblemProvisionMissing}}},

		{"tied by a court order", ordered(accord.SectorLawEnforcement, nil), accord.Tie{Basis: accord.TieLegalBasis}},
		{"a court order expired", ordered(accord.SectorLawEnforcement, func(_ *accord.AuditEntry, b *accord.LegalBasis) { b.ExpiresAt = at }),
			accord.Tie{Basis: accord.TieLegalBasis, Problems: []accord.TieProblem{accord.ProblemBasisNotInForce}}},
		{"a duty in law to the police opens no health information", ordered(accord.SectorLawEnforcement, func(e *accord.AuditEntry, b *accord.LegalBasis) {
			e.Reason, b.Kind = accord.ReasonStatutoryDuty, accord.BasisStatutoryDuty
		}), accord.Tie{Basis: accord.TieLegalBasis, Problems: []accord.TieProblem{accord.ProblemFirewall}}},
		{"an order served on another holder", ordered(accord.SectorLawEnforcement, func(_ *accord.AuditEntry, b *accord.LegalBasis) { b.HolderOrganizationID = legal }),
			accord.Tie{Basis: accord.TieLegalBasis, Problems: []accord.TieProblem{accord.ProblemBasisHolder}}},
		{"the legal basis is missing", func() check {
			c := ordered(accord.SectorLawEnforcement, nil)
			c.ev.Basis = nil
			return c
		}(), accord.Tie{Basis: accord.TieLegalBasis, Problems: []accord.TieProblem{accord.ProblemBasisMissing}}},

		{"an erased client cannot be checked", check{entry(agreement(), consent()), &accord.TieEvidence{Erased: true}}, accord.Tie{Basis: accord.TieErased}},
		{"a same-organisation reason", consented(func(e *accord.AuditEntry, _ *accord.Agreement, _ *accord.Consent) {
			e.Reason = accord.ReasonSameOrgRole
		}),
			accord.Tie{Basis: accord.TieNone, Problems: []accord.TieProblem{accord.ProblemUnknownReason}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := accord.CheckTie(tc.e, tc.ev)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("CheckTie (-want +got):\n%s", diff)
			}
			if got.Untied() != (len(tc.want.Problems) > 0) {
				t.Errorf("Untied() = %v with problems %v", got.Untied(), got.Problems)
			}
		})
	}
}
