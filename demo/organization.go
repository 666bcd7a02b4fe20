package demo

import (
	"slices"
	"time"

	"github.com/accord-project/accord"
)

// orgKey names one of the seven demo organisations.
type orgKey int

const (
	clinic orgKey = iota
	legalAid
	ngo
	social
	immigration
	police
	ombuds
	numOrgs
)

var orgTable = [numOrgs]struct {
	name   string
	sector accord.Sector
	// yearsAgo is when the organisation joined the partnership.
	yearsAgo int
}{
	clinic:      {"Riverside Community Health Centre", accord.SectorHealth, 4},
	legalAid:    {"Northside Legal Aid Society", accord.SectorLegal, 4},
	ngo:         {"Welcome House Migrant Support", accord.SectorCivilSociety, 4},
	social:      {"County Social Services", accord.SectorSocial, 4},
	immigration: {"National Immigration Agency", accord.SectorImmigrationAuthority, 3},
	police:      {"City Police Service", accord.SectorLawEnforcement, 3},
	ombuds:      {"Independent Ombudsperson for Health and Legal Services", accord.SectorOversight, 3},
}

func (g *gen) organizations() {
	for k := range numOrgs {
		o := orgTable[k]
		id := g.id(accord.PrefixOrganization)
		g.orgIDs[k] = id
		g.p.Organizations = append(g.p.Organizations, accord.Organization{
			ID:        id,
			Name:      o.name,
			Sector:    o.sector,
			Country:   "GB",
			CreatedAt: g.today.AddDate(-o.yearsAgo, 0, -g.r.IntN(60)).Add(10 * time.Hour),
		})
	}
}

// staffMember is one row of the staff table.
type staffMember struct {
	org      orgKey
	username string
	name     string
	roles    []accord.Role
	langs    []string
	active   bool
	note     string
}

// staffTable is every demo login. Scenarios refer to people by username,
// so a change here is a change to the scenarios too.
var staffTable = []staffMember{
	// Riverside Community Health Centre.
	{clinic, "amina.navigator", "Amina Haddad", roles(accord.RoleNavigator), langs("en", "ar"), true,
		"Clinic patient navigator: registers clients, collects consents; sees demographics, contact and screening."},
	{clinic, "j.okafor", "Dr Joseph Okafor", roles(accord.RoleClinician), langs("en", "fr", "ig"), true,
		"Clinic GP on many care teams: reads clinical summaries and notes for TREAT."},
	{clinic, "m.garcia", "Dr María García Ruiz", roles(accord.RoleClinician), langs("es", "en"), true,
		"Clinic GP; made the break-glass (emergency) access now awaiting oversight review."},
	{clinic, "s.bennett", "Dr Sarah Bennett", roles(accord.RoleClinician, accord.RoleSupervisor), langs("en"), true,
		"Clinical lead and safeguarding lead: supervises clinicians; recorded the safeguarding (statutory duty) referral."},
	{clinic, "p.nowak", "Piotr Nowak", roles(accord.RolePrivacyOfficer), langs("en", "pl"), true,
		"Clinic privacy officer: access reports for clinic clients; recorded the expired production order."},
	{clinic, "l.fernandez", "Lucía Fernández", roles(accord.RoleInterpreter), langs("es", "pt", "en"), true,
		"Clinic Spanish and Portuguese interpreter; named on consents given through her."},
	{clinic, "r.mensah", "Rebecca Mensah", roles(accord.RolePartnershipAdmin), langs("en", "ak"), true,
		"Partnership administrator: manages organisations, staff and agreements (drafted every agreement)."},

	// Northside Legal Aid Society.
	{legalAid, "f.rahimi", "Fatima Rahimi", roles(accord.RoleLegalAdvocate), langs("en", "fa-AF", "ps"), true,
		"Legal aid advocate (asylum and housing): reads clinic data under the medical-legal partnership for LEGALAID."},
	{legalAid, "d.osei", "Daniel Osei", roles(accord.RoleLegalAdvocate), langs("en", "fr"), true,
		"Legal aid advocate (benefits and housing): the read that stops working after a consent is revoked."},
	{legalAid, "h.morgan", "Helen Morgan", roles(accord.RoleLegalAdvocate, accord.RoleSupervisor), langs("en"), true,
		"Supervising solicitor: supervises the advocates and carries a small caseload."},
	{legalAid, "l.chen", "Lucy Chen", roles(accord.RoleNavigator), langs("en", "zh"), true,
		"Legal aid intake worker: registers legal aid's own clients and collects their consents."},
	{legalAid, "k.patel", "Kiran Patel", roles(accord.RolePrivacyOfficer), langs("en", "gu"), true,
		"Legal aid privacy officer: recorded the High Court order served on legal aid."},

	// Welcome House Migrant Support.
	{ngo, "omar.navigator", "Omar Al-Sayed", roles(accord.RoleNavigator), langs("ar", "en"), true,
		"Welcome House navigator (Arabic): casework on housing, food and benefits; reads clinic screening for COC."},
	{ngo, "layla.interpreter", "Layla Mansour", roles(accord.RoleInterpreter), langs("ar", "fr", "en"), true,
		"Arabic and French community interpreter; named on consents given through her."},
	{ngo, "farid.interpreter", "Farid Noori", roles(accord.RoleInterpreter), langs("fa-AF", "ps", "en"), true,
		"Dari and Pashto community interpreter; named on consents given through him."},
	{ngo, "h.warsame", "Hodan Warsame", roles(accord.RoleNavigator, accord.RoleInterpreter), langs("so", "ar", "en"), true,
		"Welcome House navigator and Somali interpreter."},
	{ngo, "s.tesfay", "Selam Tesfay", roles(accord.RoleNavigator, accord.RoleInterpreter), langs("ti", "am", "en"), true,
		"Welcome House navigator and Tigrinya/Amharic interpreter."},
	{ngo, "o.kovalenko", "Olena Kovalenko", roles(accord.RoleNavigator, accord.RoleInterpreter, accord.RoleSupervisor), langs("uk", "ru", "en"), true,
		"Welcome House casework manager and Ukrainian interpreter."},
	{ngo, "k.yilmaz", "Kemal Yılmaz", roles(accord.RoleNavigator), langs("tr", "en"), false,
		"Former Welcome House navigator, deactivated: signing in must fail."},

	// County Social Services.
	{social, "c.walsh", "Ciarán Walsh", roles(accord.RoleSocialWorker), langs("en", "ga"), true,
		"Social worker: shows that an expired or suspended agreement refuses even where the client consented, and that a statutory duty permits."},
	{social, "a.begum", "Aisha Begum", roles(accord.RoleSocialWorker), langs("en", "bn"), true,
		"Social worker (adults and families)."},
	{social, "r.thompson", "Ruth Thompson", roles(accord.RoleSocialWorker, accord.RoleSupervisor), langs("en"), true,
		"Team manager, social work."},

	// National Immigration Agency.
	{immigration, "m.hughes", "Mark Hughes", roles(accord.RoleCaseworker), langs("en"), true,
		"Immigration caseworker: reads the one client named in the High Court order (HLEGAL); refused for everyone else."},
	{immigration, "e.clarke", "Emma Clarke", roles(accord.RoleCaseworker, accord.RoleSupervisor), langs("en", "fr"), true,
		"Immigration senior caseworker."},
	{immigration, "n.price", "Naomi Price", roles(accord.RolePrivacyOfficer), langs("en"), true,
		"Immigration agency data protection officer."},

	// City Police Service.
	{police, "t.reid", "Thomas Reid", roles(accord.RoleCaseworker), langs("en"), true,
		"Police officer: every read of health, legal or immigration data is refused by the firewall."},
	{police, "a.shah", "Anjali Shah", roles(accord.RoleCaseworker), langs("en", "pa"), true,
		"Police detective constable."},
	{police, "g.fraser", "Graham Fraser", roles(accord.RoleCaseworker, accord.RoleSupervisor), langs("en"), true,
		"Police inspector."},

	// Independent Ombudsperson for Health and Legal Services.
	{ombuds, "c.achebe", "Chidi Achebe", roles(accord.RoleAuditor), langs("en", "ig"), true,
		"Ombudsperson auditor: reviews legal-basis disclosures and access reports (OVERSIGHT)."},
	{ombuds, "i.larsen", "Ingrid Larsen", roles(accord.RolePrivacyOfficer), langs("en", "nb"), true,
		"Ombudsperson privacy officer."},
	{ombuds, "v.moreau", "Valérie Moreau", roles(accord.RoleAuditor, accord.RoleSupervisor), langs("fr", "en"), true,
		"Deputy ombudsperson."},
}

func roles(r ...accord.Role) []accord.Role { return r }
func langs(l ...string) []string           { return l }

func (g *gen) staff() {
	for i, s := range staffTable {
		org := g.p.Organizations[s.org]
		g.staffIdx[s.username] = i
		g.p.Staff = append(g.p.Staff, Login{
			Staff: accord.Staff{
				ID:             g.id(accord.PrefixStaff),
				OrganizationID: org.ID,
				Username:       s.username,
				DisplayName:    s.name,
				Roles:          slices.Clone(s.roles),
				Languages:      slices.Clone(s.langs),
				Email:          s.username + "@" + orgDomains[s.org],
				Active:         s.active,
				CreatedAt:      org.CreatedAt.AddDate(0, 0, 1+g.r.IntN(400)),
			},
			Password: g.password(),
			Token:    g.token(),
			Note:     s.note,
		})
	}
}

// sid returns the staff id of username; it panics on a username not in the
// table, which is a bug in this package.
func (g *gen) sid(username string) string {
	i, ok := g.staffIdx[username]
	if !ok {
		panic("demo: no staff member " + username)
	}
	return g.p.Staff[i].ID
}

func (g *gen) member(username string) *staffMember { return &staffTable[g.staffIdx[username]] }

func (g *gen) orgID(k orgKey) string { return g.orgIDs[k] }

// staffOf returns, in table order, the usernames of active staff of org
// holding role.
func staffOf(org orgKey, role accord.Role) []string {
	var out []string
	for _, s := range staffTable {
		if s.org == org && s.active && slices.Contains(s.roles, role) {
			out = append(out, s.username)
		}
	}
	return out
}

// interpreterFor returns an active interpreter speaking lang, preferring one
// of org, and "" when nobody does.
func interpreterFor(org orgKey, lang string) string {
	other := ""
	for _, s := range staffTable {
		if !s.active || !slices.Contains(s.roles, accord.RoleInterpreter) || !slices.Contains(s.langs, lang) {
			continue
		}
		if s.org == org {
			return s.username
		}
		if other == "" {
			other = s.username
		}
	}
	return other
}
