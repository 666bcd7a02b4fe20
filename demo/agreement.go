package demo

import (
	"fmt"
	"time"

	"github.com/accord-project/accord"
)

// signers are the people who sign agreements for each organisation. They
// are executives, not Accord users.
var signers = [numOrgs]struct{ name, title string }{
	clinic:   {"Dr Grace Mwangi", "Chief Executive"},
	legalAid: {"Thomas Adebayo", "Director"},
	ngo:      {"Mariam Yusuf", "Director"},
	social:   {"Alan Fletcher", "Director of Adult and Children's Services"},
}

func (g *gen) sign(k orgKey, at time.Time) accord.Signatory {
	return accord.Signatory{OrganizationID: g.orgID(k), Name: signers[k].name, Title: signers[k].title, SignedAt: at}
}

// agreements makes the partnership's agreements. None involves the
// immigration agency or the police: nothing may flow to them but by court order.
func (g *gen) agreements() {
	admin := g.sid("r.mensah")
	enforcement := []string{g.orgID(immigration), g.orgID(police)}
	at := func(t time.Time) time.Time { return t.Add(10 * time.Hour) }

	// 1. The medical-legal partnership, version 1 superseded by version 2,
	// which added screening results. v2's review is due within weeks, so the
	// agreement shows as needing attention.
	from1 := g.today.AddDate(-3, -2, 0)
	from2 := g.today.AddDate(0, -11, 0)
	mlp := accord.Agreement{
		ID:       g.id(accord.PrefixAgreement),
		Version:  1,
		Title:    "Medical-Legal Partnership Memorandum of Understanding",
		Parties:  []string{g.orgID(clinic), g.orgID(legalAid)},
		Purposes: []accord.Purpose{accord.PurposeLegalAid, accord.PurposeCoordination},
		Categories: []accord.Category{accord.CatDemographics, accord.CatContact, accord.CatClinicalSummary,
			accord.CatSocialNeeds},
		Roles:                []accord.Role{accord.RoleLegalAdvocate, accord.RoleClinician, accord.RoleNavigator},
		RetentionDays:        2555,
		EffectiveFrom:        from1,
		EffectiveUntil:       from1.AddDate(3, 0, 0),
		ReviewDate:           from1.AddDate(1, 0, 0),
		ProhibitedRecipients: enforcement,
		Signatories:          []accord.Signatory{g.sign(clinic, at(from1.AddDate(0, 0, -12))), g.sign(legalAid, at(from1.AddDate(0, 0, -9)))},
		Status:               accord.AgreementSuperseded,
		StatusReason:         "Replaced by version 2, which adds screening results.",
		CreatedBy:            admin,
		CreatedAt:            at(from1.AddDate(0, 0, -40)),
		UpdatedAt:            at(from2),
	}
	v2 := mlp
	v2.Version = 2
	v2.Categories = []accord.Category{accord.CatDemographics, accord.CatContact, accord.CatClinicalSummary,
		accord.CatSocialNeeds, accord.CatScreening}
	v2.EffectiveFrom = from2
	v2.EffectiveUntil = from2.AddDate(3, 0, 0)
	v2.ReviewDate = g.today.AddDate(0, 0, 40)
	v2.Signatories = []accord.Signatory{g.sign(clinic, at(from2.AddDate(0, 0, -8))), g.sign(legalAid, at(from2.AddDate(0, 0, -6)))}
	v2.Status = accord.AgreementActive
	v2.StatusReason = ""
	v2.CreatedAt = at(from2.AddDate(0, 0, -30))
	v2.UpdatedAt = at(from2)

	// 2. Care coordination between the clinic and Welcome House.
	fromDSA := g.today.AddDate(-1, -4, 0)
	dsa := accord.Agreement{
		ID:                   g.id(accord.PrefixAgreement),
		Version:              1,
		Title:                "Riverside and Welcome House Data-Sharing Agreement for Care Coordination",
		Parties:              []string{g.orgID(clinic), g.orgID(ngo)},
		Purposes:             []accord.Purpose{accord.PurposeCoordination, accord.PurposeSocialCare},
		Categories:           []accord.Category{accord.CatDemographics, accord.CatContact, accord.CatSocialNeeds, accord.CatScreening},
		Roles:                []accord.Role{accord.RoleNavigator, accord.RoleSocialWorker, accord.RoleInterpreter},
		RetentionDays:        1095,
		EffectiveFrom:        fromDSA,
		EffectiveUntil:       fromDSA.AddDate(3, 0, 0),
		ReviewDate:           g.today.AddDate(0, 5, 0),
		ProhibitedRecipients: enforcement,
		Signatories:          []accord.Signatory{g.sign(clinic, at(fromDSA.AddDate(0, 0, -5))), g.sign(ngo, at(fromDSA.AddDate(0, 0, -3)))},
		Status:               accord.AgreementActive,
		CreatedBy:            admin,
		CreatedAt:            at(fromDSA.AddDate(0, 0, -25)),
		UpdatedAt:            at(fromDSA),
	}

	// 3. Health and social care sharing that reached its sunset date.
	fromOld := time.Date(g.today.Year()-3, time.April, 1, 0, 0, 0, 0, time.UTC)
	untilOld := time.Date(g.today.Year()-1, time.April, 1, 0, 0, 0, 0, time.UTC)
	expired := accord.Agreement{
		ID:       g.id(accord.PrefixAgreement),
		Version:  1,
		Title:    fmt.Sprintf("Community Health and Social Care Information Sharing Agreement %d–%d", fromOld.Year(), untilOld.Year()),
		Parties:  []string{g.orgID(clinic), g.orgID(social)},
		Purposes: []accord.Purpose{accord.PurposeSocialCare, accord.PurposeCoordination},
		Categories: []accord.Category{accord.CatDemographics, accord.CatContact, accord.CatClinicalSummary,
			accord.CatSocialNeeds, accord.CatScreening},
		Roles:                []accord.Role{accord.RoleSocialWorker, accord.RoleClinician, accord.RoleNavigator},
		RetentionDays:        2190,
		EffectiveFrom:        fromOld,
		EffectiveUntil:       untilOld,
		ReviewDate:           untilOld.AddDate(0, -3, 0),
		ProhibitedRecipients: enforcement,
		Signatories:          []accord.Signatory{g.sign(clinic, at(fromOld.AddDate(0, 0, -14))), g.sign(social, at(fromOld.AddDate(0, 0, -10)))},
		Status:               accord.AgreementExpired,
		StatusReason:         "Reached its sunset date; a successor agreement is being negotiated.",
		CreatedBy:            admin,
		CreatedAt:            at(fromOld.AddDate(0, 0, -45)),
		UpdatedAt:            at(untilOld),
	}

	// 4. Referrals between Welcome House and social services, suspended
	// after a data incident.
	fromRef := g.today.AddDate(-1, -8, 0)
	suspendedOn := g.today.AddDate(0, 0, -23)
	suspended := accord.Agreement{
		ID:                   g.id(accord.PrefixAgreement),
		Version:              1,
		Title:                "Welcome House and County Social Services Referral Protocol",
		Parties:              []string{g.orgID(ngo), g.orgID(social)},
		Purposes:             []accord.Purpose{accord.PurposeSocialCare, accord.PurposeCoordination},
		Categories:           []accord.Category{accord.CatDemographics, accord.CatContact, accord.CatSocialNeeds, accord.CatScreening},
		Roles:                []accord.Role{accord.RoleSocialWorker, accord.RoleNavigator},
		RetentionDays:        1825,
		EffectiveFrom:        fromRef,
		EffectiveUntil:       fromRef.AddDate(3, 0, 0),
		ReviewDate:           fromRef.AddDate(2, 0, 0),
		ProhibitedRecipients: enforcement,
		Signatories:          []accord.Signatory{g.sign(ngo, at(fromRef.AddDate(0, 0, -7))), g.sign(social, at(fromRef.AddDate(0, 0, -4)))},
		Status:               accord.AgreementSuspended,
		StatusReason: fmt.Sprintf("Suspended on %s by County Social Services' data protection officer after a referral holding another family's details was e-mailed to Welcome House in error (incident CSS-DPI-%d-017). To be lifted once the referral process is fixed.",
			suspendedOn.Format("2 January 2006"), suspendedOn.Year()),
		CreatedBy: admin,
		CreatedAt: at(fromRef.AddDate(0, 0, -20)),
		UpdatedAt: at(suspendedOn),
	}

	// 5. Outreach referrals between legal aid and Welcome House: a draft
	// that Welcome House has signed and legal aid has not.
	fromDraft := g.today.AddDate(0, 1, 0)
	draft := accord.Agreement{
		ID:                   g.id(accord.PrefixAgreement),
		Version:              1,
		Title:                "Outreach Legal Advice Referral Agreement (draft)",
		Parties:              []string{g.orgID(legalAid), g.orgID(ngo)},
		Purposes:             []accord.Purpose{accord.PurposeLegalAid},
		Categories:           []accord.Category{accord.CatDemographics, accord.CatContact, accord.CatSocialNeeds, accord.CatImmigrationStatus},
		Roles:                []accord.Role{accord.RoleLegalAdvocate, accord.RoleNavigator},
		RetentionDays:        2190,
		EffectiveFrom:        fromDraft,
		EffectiveUntil:       fromDraft.AddDate(2, 0, 0),
		ReviewDate:           fromDraft.AddDate(1, 0, 0),
		ProhibitedRecipients: enforcement,
		Signatories:          []accord.Signatory{g.sign(ngo, at(g.today.AddDate(0, 0, -6)))},
		Status:               accord.AgreementDraft,
		StatusReason:         "Awaiting signature by Northside Legal Aid Society.",
		CreatedBy:            admin,
		CreatedAt:            at(g.today.AddDate(0, 0, -35)),
		UpdatedAt:            at(g.today.AddDate(0, 0, -6)),
	}

	g.p.Agreements = append(g.p.Agreements, mlp, v2, dsa, expired, suspended, draft)
}

// legalBases records the non-consent bases, all tied to featured clients.
func (g *gen) legalBases() {
	f := &g.feat

	// A court order in force: the only way through the firewall.
	from := g.workTime(12)
	g.p.LegalBases = append(g.p.LegalBases, accord.LegalBasis{
		ID:                      g.id(accord.PrefixLegalBasis),
		Kind:                    accord.BasisCourtOrder,
		ClientID:                f.courtOrder.c.ID,
		Categories:              []accord.Category{accord.CatImmigrationStatus},
		RecipientOrganizationID: g.orgID(immigration),
		HolderOrganizationID:    g.orgID(legalAid),
		Reference:               fmt.Sprintf("FD%02dP%05d", g.today.Year()%100, 10000+g.r.IntN(90000)),
		Issuer:                  "High Court, Family Division",
		Reason: "Order in proceedings concerning the client's children directing disclosure of the client's " +
			"immigration status record, and nothing else, to the National Immigration Agency.",
		ValidFrom:    from,
		ExpiresAt:    g.today.AddDate(0, 0, 90),
		RecordedBy:   g.sid("k.patel"),
		RecordedAt:   from.Add(26 * time.Hour),
		ReviewStatus: accord.ReviewPending,
	})

	// A production order that has lapsed, reviewed and found justified.
	from = g.workTime(150)
	reviewed := g.workTime(20)
	g.p.LegalBases = append(g.p.LegalBases, accord.LegalBasis{
		ID:                      g.id(accord.PrefixLegalBasis),
		Kind:                    accord.BasisCourtOrder,
		ClientID:                f.expiredOrder.c.ID,
		Categories:              []accord.Category{accord.CatClinicalSummary},
		RecipientOrganizationID: g.orgID(police),
		HolderOrganizationID:    g.orgID(clinic),
		Reference:               fmt.Sprintf("T%d%04d", from.Year(), 1000+g.r.IntN(9000)),
		Issuer:                  "Riverside Crown Court",
		Reason: "Production order: the clinical summary documenting the client's injuries, for the prosecution " +
			"of an assault in which the client is the complainant.",
		ValidFrom:    from,
		ExpiresAt:    g.today.AddDate(0, 0, -30),
		RecordedBy:   g.sid("p.nowak"),
		RecordedAt:   from.Add(3 * time.Hour),
		ReviewStatus: accord.ReviewJustified,
		ReviewedBy:   g.sid("c.achebe"),
		ReviewedAt:   ptr(reviewed),
		ReviewNote:   "Order seen. Disclosure was limited to the summary the order names; the client was told.",
	})

	// A safeguarding referral under a statutory duty.
	from = g.workTime(18)
	g.p.LegalBases = append(g.p.LegalBases, accord.LegalBasis{
		ID:                      g.id(accord.PrefixLegalBasis),
		Kind:                    accord.BasisStatutoryDuty,
		ClientID:                f.safeguarding.c.ID,
		Categories:              []accord.Category{accord.CatDemographics, accord.CatContact, accord.CatScreening},
		RecipientOrganizationID: g.orgID(social),
		HolderOrganizationID:    g.orgID(clinic),
		Purposes:                []accord.Purpose{accord.PurposeSocialCare},
		Reference:               "Children Act 1989, s. 47",
		Issuer:                  "County Social Services (children's services)",
		Reason: "Safeguarding referral: concerns for the child's welfare raised at an immunisation visit; " +
			"children's services to assess.",
		ValidFrom:    from,
		ExpiresAt:    from.AddDate(0, 0, 90),
		RecordedBy:   g.sid("s.bennett"),
		RecordedAt:   from.Add(40 * time.Minute),
		ReviewStatus: accord.ReviewPending,
	})

	// A break-glass access, long over, awaiting review.
	from = f.breakGlassAt
	g.p.LegalBases = append(g.p.LegalBases, accord.LegalBasis{
		ID:                      g.id(accord.PrefixLegalBasis),
		Kind:                    accord.BasisEmergency,
		ClientID:                f.breakGlass.c.ID,
		Categories:              []accord.Category{accord.CatClinicalSummary, accord.CatClinicalNote},
		RecipientOrganizationID: g.orgID(clinic),
		RecipientStaffID:        g.sid("m.garcia"),
		Reason: "Client collapsed in the waiting room (suspected hypoglycaemia). His own GP was on leave and " +
			"I needed his medication and allergy list.",
		ValidFrom:    from,
		ExpiresAt:    from.Add(accord.BreakGlassMaxDuration),
		RecordedBy:   g.sid("m.garcia"),
		RecordedAt:   from,
		ReviewStatus: accord.ReviewPending,
	})
}
