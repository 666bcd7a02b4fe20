package demo

import (
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// LoadRetention stores, through im, three clients whose data is past
// retention at now, so that the retention dry run shows something real
// without touching any client the other scenarios use:
//
//   - one the clinic referred to social services more than six years ago
//     and nobody has seen since: the expired Community Health and Social
//     Care agreement (2190 days) no longer covers them, so the client is
//     erased (retention_ended);
//   - one Welcome House still works with, whom the clinic last saw three
//     and a half years ago: the clinic's part is past the care
//     coordination agreement's 1095 days and is purged alone;
//   - one like the first, but under a statutory duty still in force: held.
//
// It reports false, storing nothing, for a partnership other than the
// usual one (its staff are not there).
func (p *Partnership) LoadRetention(im *sqlstore.Importer, now time.Time) (bool, error) {
	staff := map[string]accord.Staff{}
	var ngoStaff *accord.Staff
	orgs := map[accord.Sector]string{}
	for _, o := range p.Organizations {
		orgs[o.Sector] = o.ID
	}
	for _, l := range p.Staff {
		staff[l.Username] = l.Staff
		if ngoStaff == nil && l.OrganizationID == orgs[accord.SectorCivilSociety] {
			s := l.Staff
			ngoStaff = &s
		}
	}
	gp, social := staff["j.okafor"], staff["c.walsh"]
	if gp.ID == "" || social.ID == "" || ngoStaff == nil {
		return false, nil // not the usual demo partnership
	}
	clinic, socialOrg, ngo := gp.OrganizationID, social.OrganizationID, ngoStaff.OrganizationID
	now = now.UTC().Truncate(time.Second)
	daysAgo := func(d int) time.Time { return now.AddDate(0, 0, -d).Add(-3 * time.Hour) }
	client := func(home string, lang string, created time.Time, given, family string) *accord.Client {
		return &accord.Client{ID: accord.NewID(accord.PrefixClient, nil), HomeOrganizationID: home, GivenName: given, FamilyName: family,
			BirthDate: "1961", Gender: accord.GenderNotStated, PreferredLanguage: lang, CreatedAt: created}
	}
	record := func(c *accord.Client, by accord.Staff, cat accord.Category, at time.Time, text string) *accord.Record {
		return &accord.Record{ID: accord.NewID(accord.PrefixRecord, nil), ClientID: c.ID, OrganizationID: by.OrganizationID, Category: cat,
			Content: text, RecordedBy: by.ID, RecordedAt: at}
	}
	gone := client(clinic, "en", daysAgo(2420), "Harold", "Pennington")
	kept := client(ngo, "pt", daysAgo(1400), "Mariana", "Couto")
	held := client(clinic, "en", daysAgo(2410), "Edith", "Marlow")
	for _, c := range []*accord.Client{gone, kept, held} {
		if err := im.Client(c); err != nil {
			return false, err
		}
	}
	for _, r := range []*accord.Record{
		record(gone, gp, accord.CatClinicalSummary, daysAgo(2400), "Hypertension, controlled. Discharged to the community team."),
		record(gone, social, accord.CatSocialNeeds, daysAgo(2390), "Home care assessment: no needs found. Case closed."),
		record(kept, *ngoStaff, accord.CatSocialNeeds, daysAgo(20), "Food bank referral renewed; English classes on Tuesdays."),
		record(kept, gp, accord.CatClinicalSummary, daysAgo(1300), "Seen once for a chest infection; treated."),
		record(held, gp, accord.CatClinicalSummary, daysAgo(2400), "Falls risk assessment; walking frame supplied."),
		record(held, social, accord.CatSocialNeeds, daysAgo(2390), "Carer's assessment completed."),
	} {
		if err := im.Record(r); err != nil {
			return false, err
		}
	}
	if err := im.Referral(&accord.Referral{ID: accord.NewID(accord.PrefixReferral, nil), ClientID: gone.ID, FromOrgID: clinic,
		FromStaffID: gp.ID, ToOrgID: socialOrg, Purpose: accord.PurposeSocialCare, Categories: []accord.Category{accord.CatDemographics},
		Reason: "Home care assessment after discharge.", Urgency: accord.UrgencyRoutine, Status: accord.ReferralCompleted,
		SentAt: daysAgo(2410), AssignedTo: social.ID}, daysAgo(2405), daysAgo(2390)); err != nil {
		return false, err
	}
	if err := im.LegalBasis(&accord.LegalBasis{ID: accord.NewID(accord.PrefixLegalBasis, nil), Kind: accord.BasisStatutoryDuty,
		ClientID: held.ID, Categories: []accord.Category{accord.CatSocialNeeds}, RecipientOrganizationID: socialOrg,
		HolderOrganizationID: clinic, Purposes: []accord.Purpose{accord.PurposeSocialCare}, Reference: "Care Act 2014, s. 42",
		Issuer: "County Social Services (adult safeguarding)", Reason: "Safeguarding enquiry into a past placement; records to be kept until it ends.",
		ValidFrom: daysAgo(40), ExpiresAt: now.AddDate(0, 0, 140), RecordedBy: staff["p.nowak"].ID, RecordedAt: daysAgo(40),
		ReviewStatus: accord.ReviewJustified, ReviewedBy: staff["c.achebe"].ID, ReviewedAt: ptrTime(daysAgo(35)),
		ReviewNote: "Enquiry confirmed with the local authority."}); err != nil {
		return false, err
	}
	return true, nil
}

func ptrTime(t time.Time) *time.Time { return &t }
