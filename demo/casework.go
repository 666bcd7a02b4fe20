package demo

import "github.com/accord-project/accord"

// orgDomains are the (reserved, example) mail domains of the organisations.
var orgDomains = map[orgKey]string{
	clinic: "riverside-health.example.org", legalAid: "northside-legal.example.org", ngo: "welcome-house.example.org",
	social: "county-social.example.org", immigration: "immigration.example.gov", police: "city-police.example.gov",
	ombuds: "ombudsperson.example.org",
}

// chains are who acknowledges an urgent escalation at each service
// organisation, in order. Enforcement bodies and the ombudsperson receive
// none.
var chains = []struct {
	org   orgKey
	users []string
}{
	{clinic, []string{"amina.navigator", "s.bennett"}},
	{legalAid, []string{"l.chen", "f.rahimi", "h.morgan"}},
	{ngo, []string{"omar.navigator", "o.kovalenko"}},
	{social, []string{"c.walsh", "r.thompson"}},
}

// casework adds what joint cases, referrals and escalations need: the
// escalation chains and the service directory. It draws no randomness, so
// everything generated before it is unchanged.
func (g *gen) casework() {
	for _, c := range chains {
		ch := Chain{OrganizationID: g.orgID(c.org)}
		for _, u := range c.users {
			ch.StaffIDs = append(ch.StaffIDs, g.sid(u))
		}
		g.p.Chains = append(g.p.Chains, ch)
	}
	svc := func(org orgKey, name, desc, elig string, cats []string, langs ...string) {
		g.p.Services = append(g.p.Services, accord.Service{
			ID: accord.NewID(accord.PrefixService, g.ids), OrganizationID: g.orgID(org), Name: name, Description: desc, Eligibility: elig,
			Languages: langs, Address: g.p.Organizations[org].Name + ", Riverside", Email: "services@" + orgDomains[org], Categories: cats, Status: "active",
		})
	}
	svc(clinic, "Primary care without registration barriers", "GP appointments and nurse care for anyone, whatever their documents.",
		"Anyone living in the area. No proof of address or immigration status needed.", []string{"health", "primary_care"}, "en", "ar", "es", "fr")
	svc(clinic, "Medication access clinic", "Same-week help when medication is running out or unaffordable.",
		"Clinic patients and people referred by partners.", []string{"health", "medication"}, "en", "es")
	svc(legalAid, "Housing and eviction defence", "Advice and court representation for tenants facing eviction or disrepair.",
		"Low income households; priority when a court date is within 14 days.", []string{"legal", "housing", "eviction"}, "en", "fa-AF", "ps", "fr")
	svc(legalAid, "Immigration and asylum advice", "Regulated advice on asylum, status and detention.",
		"Anyone in the area; detention cases the same day.", []string{"legal", "immigration"}, "en", "fa-AF", "ps")
	svc(ngo, "Emergency food and essentials", "Food parcels, baby supplies and hardship grants.",
		"Anyone in need; no documents required.", []string{"food", "income"}, "ar", "en", "so", "ti", "uk")
	svc(ngo, "Interpreting and accompaniment", "Interpreters for appointments, and volunteers who go with people to them.",
		"Clients of partner organisations.", []string{"language", "accompaniment"}, "ar", "fa-AF", "ps", "so", "ti", "uk", "fr")
	svc(social, "Adult social care assessment", "Assessment of care and support needs, including disability adaptations.",
		"Adults living in the county.", []string{"social_care", "disability"}, "en")
}
