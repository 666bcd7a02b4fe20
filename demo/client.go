package demo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/accord-project/accord"
)

// person is a client being built, with what the generator needs to know
// about them beyond the accord.Client.
type person struct {
	c        accord.Client
	lang     string
	age      int // youngest possible age today, as Client.AgeAt gives it
	ageKnown bool
	home     orgKey
	served   [numOrgs]bool // organisations serving the client (and holding records)
	// The staff (usernames) who serve the client at each organisation.
	clinician, advocate, ngoWorker, socialWorker string
	// clinicalSens holds the sensitivity labels of the client's clinical records.
	clinicalSens accord.SensitivitySet
	// interpreter is the interpreter (username) who helped collect consent, if any.
	interpreter string
}

// spec pins parts of a person; zero fields are chosen at random.
type spec struct {
	lang           string
	gender         accord.Gender
	minAge, maxAge int // both zero: random
	home           orgKey
	homeSet        bool
	served         []orgKey // besides home; nil: random
	interpreter    *bool
	createdDaysAgo int
	clinician      string
	advocate       string
	ngoWorker      string
	socialWorker   string
}

var ageBands = []weighted[[2]int]{
	{[2]int{0, 17}, 13}, {[2]int{18, 29}, 24}, {[2]int{30, 49}, 35}, {[2]int{50, 64}, 17}, {[2]int{65, 92}, 11},
}

var genderMix = []weighted[accord.Gender]{
	{accord.GenderWoman, 46}, {accord.GenderMan, 43}, {accord.GenderNonBinary, 3},
	{accord.GenderSelfDescribed, 2}, {accord.GenderNotStated, 6},
}

var selfDescribed = []string{"genderfluid", "trans woman", "trans man", "agender", "genderqueer", "man (trans)"}

var homeMix = []weighted[orgKey]{{clinic, 45}, {ngo, 30}, {legalAid, 15}, {social, 10}}

var streets = []string{
	"Mill Lane", "Canal Street", "Station Road", "Victoria Terrace", "Albert Road", "Church Street", "Ferry Road",
	"Granary Court", "Weaver Close", "Tannery Row", "Orchard Way", "Hope Street", "Market Street", "Bridge End",
	"Foundry Walk", "Riverside Parade", "Union Street", "Salt Lane",
}

var towns = []string{"Riverside", "Riverside", "Riverside", "Northside", "Eastbrook", "Millford"}

// postcodeLetters are the letters valid in the inward part of a UK postcode.
const postcodeLetters = "ABDEFGHJLNPQRSTUWXYZ"

var emailDomains = []string{"example.org", "example.com", "example.net"}

var identifierSystems = [numOrgs]struct{ system, format string }{
	clinic:   {"https://riverside-chc.example.org/mrn", "RCHC-%06d"},
	legalAid: {"https://northside-legal.example.org/file", "NLAS-%06d"},
	ngo:      {"https://welcome-house.example.org/member", "WH-%05d"},
	social:   {"https://county-social.example.org/case", "CSS%07d"},
}

// newPerson makes a client per s, without records or consent.
func (g *gen) newPerson(s spec) *person {
	r := g.r
	p := &person{lang: s.lang}
	if p.lang == "" {
		p.lang = pickWeighted(r, languageMix)
	}

	age := 0
	if s.maxAge > 0 {
		age = s.minAge + r.IntN(s.maxAge-s.minAge+1)
	} else {
		band := pickWeighted(r, ageBands)
		age = band[0] + r.IntN(band[1]-band[0]+1)
	}
	gender := s.gender
	if gender == "" {
		gender = pickWeighted(r, genderMix)
		if age < 12 && gender != accord.GenderWoman && gender != accord.GenderMan {
			gender = accord.GenderNotStated
		}
	}

	p.home = pickWeighted(r, homeMix)
	if s.homeSet {
		p.home = s.home
	}
	p.served[p.home] = true
	if s.served != nil {
		for _, k := range s.served {
			p.served[k] = true
		}
	} else {
		p.served[clinic] = p.served[clinic] || chance(r, 0.5)
		p.served[legalAid] = p.served[legalAid] || chance(r, 0.35)
		p.served[ngo] = p.served[ngo] || chance(r, 0.3)
		p.served[social] = p.served[social] || chance(r, 0.12)
	}

	days := s.createdDaysAgo
	if days == 0 {
		days = 20 + r.IntN(1080)
	}
	c := &p.c
	c.ID = g.id(accord.PrefixClient)
	c.HomeOrganizationID = g.orgID(p.home)
	c.CreatedAt = g.workTime(days)
	c.UpdatedAt = c.CreatedAt
	c.Version = 1
	if chance(r, 0.3) {
		c.UpdatedAt = g.between(c.CreatedAt)
		c.Version = 2 + r.IntN(3)
	}

	c.BirthDate = g.birthDate(age, p.lang)
	c.Gender = gender
	if gender == accord.GenderSelfDescribed {
		c.GenderText = pick(r, selfDescribed)
	}
	c.GivenName, c.FamilyName = g.name(p.lang, gender)

	c.PreferredLanguage = p.lang
	c.Languages = []string{p.lang}
	if others := otherLanguages[p.lang]; chance(r, 0.4) {
		c.Languages = append(c.Languages, pick(r, others))
	}
	if s.interpreter != nil {
		c.InterpreterNeeded = *s.interpreter
	} else {
		c.InterpreterNeeded = chance(r, interpreterNeed[p.lang])
	}
	if p.lang != langEnglish && !c.InterpreterNeeded {
		c.Languages = append(c.Languages, langEnglish)
	}

	disability := 0.13
	if age >= 65 {
		disability = 0.35
	}
	if chance(r, disability) {
		c.Disabilities = []accord.Disability{pick(r, accord.Disabilities)}
		if d := pick(r, accord.Disabilities); chance(r, 0.25) && d != c.Disabilities[0] {
			c.Disabilities = append(c.Disabilities, d)
		}
	}

	id := identifierSystems[p.home]
	c.Identifiers = []accord.Identifier{{System: id.system, Value: fmt.Sprintf(id.format, 10000+len(g.p.Clients)*7+r.IntN(7))}}

	g.contact(p, age)

	p.age, p.ageKnown = c.AgeAt(g.now)
	g.assignStaff(p, s)
	return p
}

// birthDate returns a birth date for someone age years old today. Some are
// partial: many documents give only a year (often 1 January, which we do not
// invent) or a month.
func (g *gen) birthDate(age int, lang string) string {
	b := g.today.AddDate(-age, 0, -g.r.IntN(365))
	yearOnly := 0.07
	if lang == langDari || lang == langPashto || age >= 65 {
		yearOnly = 0.25
	}
	switch x := g.r.Float64(); {
	case x < yearOnly:
		return b.Format("2006")
	case x < yearOnly+0.06:
		return b.Format("2006-01")
	default:
		return b.Format("2006-01-02")
	}
}

func (g *gen) name(lang string, gender accord.Gender) (given, family string) {
	pool := names[lang]
	switch {
	case gender == accord.GenderWoman:
		given = pick(g.r, pool.women)
	case gender == accord.GenderMan:
		given = pick(g.r, pool.men)
	case chance(g.r, 0.5):
		given = pick(g.r, pool.women)
	default:
		given = pick(g.r, pool.men)
	}
	if chance(g.r, pool.noFamily) {
		return given, ""
	}
	family = pick(g.r, pool.family)
	if pool.secondFamily && chance(g.r, 0.7) {
		if second := pick(g.r, pool.family); second != family {
			family += " " + second
		}
	}
	return given, family
}

func (g *gen) contact(p *person, age int) {
	r, c := g.r, &p.c
	if chance(r, 0.88) {
		c.Phone = fmt.Sprintf("+44 7700 900%03d", r.IntN(1000))
	}
	if age >= 14 && chance(r, 0.55) {
		local := foldASCII(c.GivenName)
		if c.FamilyName != "" {
			local += "." + foldASCII(c.FamilyName)
		}
		if chance(r, 0.4) {
			local += fmt.Sprint(r.IntN(100))
		}
		c.Email = local + "@" + pick(r, emailDomains)
	}
	switch x := r.Float64(); {
	case x < 0.1 && p.home == ngo:
		c.Address = "c/o Welcome House, 12 Market Street, Riverside RV1 2AB"
	case x < 0.8:
		addr := fmt.Sprintf("%d %s", 1+r.IntN(180), pick(r, streets))
		if chance(r, 0.4) {
			addr = fmt.Sprintf("Flat %d, %s", 1+r.IntN(40), addr)
		}
		c.Address = fmt.Sprintf("%s, %s RV%d %d%c%c", addr, pick(r, towns), 1+r.IntN(9), r.IntN(10),
			postcodeLetters[r.IntN(len(postcodeLetters))], postcodeLetters[r.IntN(len(postcodeLetters))])
	}
}

// foldASCII lower-cases s and keeps only ASCII letters, folding accents.
func foldASCII(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z':
			b.WriteRune(c)
		case asciiFold[c] != "":
			b.WriteString(asciiFold[c])
		}
	}
	return b.String()
}

// assignStaff picks who serves the client at each organisation, matching
// languages where the staff can.
func (g *gen) assignStaff(p *person, s spec) {
	r := g.r
	p.clinician = s.clinician
	if p.clinician == "" {
		switch {
		case p.lang == langSpanish && chance(r, 0.7):
			p.clinician = "m.garcia"
		case p.lang == langFrench && chance(r, 0.7):
			p.clinician = "j.okafor"
		default:
			p.clinician = pickWeighted(r, []weighted[string]{{"j.okafor", 45}, {"m.garcia", 35}, {"s.bennett", 20}})
		}
	}
	p.advocate = s.advocate
	if p.advocate == "" {
		switch {
		case (p.lang == langDari || p.lang == langPashto) && chance(r, 0.8):
			p.advocate = "f.rahimi"
		case p.lang == langFrench && chance(r, 0.7):
			p.advocate = "d.osei"
		default:
			p.advocate = pickWeighted(r, []weighted[string]{{"f.rahimi", 40}, {"d.osei", 40}, {"h.morgan", 20}})
		}
	}
	p.ngoWorker = s.ngoWorker
	if p.ngoWorker == "" {
		switch p.lang {
		case langArabic, langDari, langPashto:
			p.ngoWorker = "omar.navigator"
		case langSomali:
			p.ngoWorker = "h.warsame"
		case langTigrinya:
			p.ngoWorker = "s.tesfay"
		case langUkrainian:
			p.ngoWorker = "o.kovalenko"
		default:
			p.ngoWorker = pick(r, []string{"omar.navigator", "h.warsame", "o.kovalenko"})
		}
	}
	p.socialWorker = s.socialWorker
	if p.socialWorker == "" {
		p.socialWorker = pickWeighted(r, []weighted[string]{{"c.walsh", 45}, {"a.begum", 40}, {"r.thompson", 15}})
	}
}

// intake returns who registers clients and collects consent at the client's
// home organisation.
func (p *person) intake() string {
	switch p.home {
	case clinic:
		return "amina.navigator"
	case legalAid:
		return "l.chen"
	case ngo:
		return p.ngoWorker
	default:
		return p.socialWorker
	}
}

// finish stores the client and their care team: the staff serving them at
// each organisation that holds their data, in organisation order.
func (g *gen) finish(p *person) {
	var team []string
	add := func(username string) {
		if id := g.sid(username); !slices.Contains(team, id) {
			team = append(team, id)
		}
	}
	if p.served[clinic] {
		add(p.clinician)
		if p.home == clinic {
			add("amina.navigator")
		}
	}
	if p.served[legalAid] {
		add(p.advocate)
		if p.home == legalAid {
			add("l.chen")
		}
	}
	if p.served[ngo] {
		add(p.ngoWorker)
	}
	if p.served[social] {
		add(p.socialWorker)
	}
	if p.interpreter != "" && p.served[g.member(p.interpreter).org] {
		add(p.interpreter)
	}
	g.p.Clients = append(g.p.Clients, p.c)
	g.p.CareTeams[p.c.ID] = team
}

// record stores one record of p held by org, written by username.
func (g *gen) record(p *person, org orgKey, cat accord.Category, t tmpl, username string) *accord.Record {
	if t.conf == "" {
		t.conf = accord.ConfNormal
	}
	rec := accord.Record{
		ID:              g.id(accord.PrefixRecord),
		ClientID:        p.c.ID,
		OrganizationID:  g.orgID(org),
		Category:        cat,
		Confidentiality: t.conf,
		Sensitivity:     slices.Clone(t.sens),
		Content:         g.fill(t.text, p),
		RecordedBy:      g.sid(username),
		RecordedAt:      g.between(p.c.CreatedAt),
	}
	if chance(g.r, 0.2) {
		rec.Note = pick(g.r, recordNotes)
	}
	if cat.Clinical() {
		p.clinicalSens |= accord.NewSensitivitySet(t.sens...)
	}
	g.p.Records = append(g.p.Records, rec)
	return &g.p.Records[len(g.p.Records)-1]
}

// fill expands the placeholders of a record template.
func (g *gen) fill(text string, p *person) string {
	if !strings.Contains(text, "{") {
		return text
	}
	future := g.today.AddDate(0, 0, 10+g.r.IntN(120))
	past := g.today.AddDate(0, 0, -30-g.r.IntN(300))
	if past.Before(p.c.CreatedAt) {
		past = p.c.CreatedAt
	}
	return strings.NewReplacer(
		"{lang}", languageName[p.lang],
		"{date}", future.Format("2 January 2006"),
		"{past}", past.Format("January 2006"),
		"{expiry}", g.today.AddDate(1+g.r.IntN(3), g.r.IntN(12), 0).Format("January 2006"),
		"{year}", fmt.Sprint(p.c.CreatedAt.Year()-g.r.IntN(3)),
	).Replace(text)
}

// randomClient makes one client with records, care team and consent.
func (g *gen) randomClient() {
	r := g.r
	kind := pickWeighted(r, []weighted[consentKind]{{noConsent, 9}, {activeConsent, 78}, {expiredConsent, 6}, {revokedConsent, 7}})
	s := spec{}
	if kind == expiredConsent {
		s.createdDaysAgo = 420 + r.IntN(600) // old enough for a one-year consent to have lapsed
	}
	p := g.newPerson(s)
	g.randomRecords(p)
	g.randomConsent(p, kind)
	g.finish(p)
}

func (g *gen) randomRecords(p *person) {
	r := g.r
	if p.served[clinic] {
		g.record(p, clinic, accord.CatClinicalSummary, g.clinicalSummary(p), p.clinician)
		for range r.IntN(3) {
			g.record(p, clinic, accord.CatClinicalNote, choose(r, clinicalNotes, p), p.clinician)
		}
		if chance(r, 0.3) {
			g.record(p, clinic, accord.CatScreening, choose(r, screenings, p), "amina.navigator")
		}
	}
	hasStatus := false
	if p.served[legalAid] {
		g.record(p, legalAid, accord.CatLegalMatter, choose(r, legalMatters, p), p.advocate)
		if chance(r, 0.4) {
			g.record(p, legalAid, accord.CatLegalPrivilegedNote, choose(r, privilegedNotes, p), p.advocate)
		}
		if p.lang != langEnglish && chance(r, 0.45) || chance(r, 0.05) {
			g.record(p, legalAid, accord.CatImmigrationStatus, choose(r, immigrationStatuses, p), p.advocate)
			hasStatus = true
		}
	}
	if p.served[ngo] {
		g.record(p, ngo, accord.CatSocialNeeds, choose(r, socialNeeds, p), p.ngoWorker)
		if chance(r, 0.5) {
			g.record(p, ngo, accord.CatScreening, choose(r, screenings, p), p.ngoWorker)
		}
		if !hasStatus && p.lang != langEnglish && chance(r, 0.35) {
			g.record(p, ngo, accord.CatImmigrationStatus, choose(r, immigrationStatuses, p), p.ngoWorker)
		}
	}
	if p.served[social] {
		g.record(p, social, accord.CatSocialNeeds, choose(r, socialNeeds, p), p.socialWorker)
		if chance(r, 0.4) {
			g.record(p, social, accord.CatScreening, choose(r, screenings, p), p.socialWorker)
		}
	}
	if chance(r, 0.25) {
		g.record(p, p.home, accord.CatDemographics, choose(r, demographicNotes, p), p.intake())
	}
	if chance(r, 0.25) {
		g.record(p, p.home, accord.CatContact, choose(r, contactNotes, p), p.intake())
	}
}

func (g *gen) clinicalSummary(p *person) tmpl {
	r := g.r
	minor := p.ageKnown && p.age < 18
	switch {
	case minor && p.lang != langEnglish && chance(r, 0.1):
		return choose(r, childSensitiveSummaries, p)
	case minor:
		return choose(r, childSummaries, p)
	case chance(r, 0.2):
		return choose(r, sensitiveSummaries, p)
	case p.age >= 65 && chance(r, 0.7):
		return choose(r, olderSummaries, p)
	case p.c.Gender == accord.GenderWoman && p.age < 45 && chance(r, 0.15):
		return choose(r, pregnancySummaries, p)
	default:
		return choose(r, adultSummaries, p)
	}
}

// Consents.

type consentKind int

const (
	noConsent consentKind = iota
	activeConsent
	expiredConsent
	revokedConsent
)

// Provision builders. Each names recipient, purposes and categories
// explicitly, as Consent.Validate requires of permits.

var (
	mlpCategories    = []accord.Category{accord.CatDemographics, accord.CatContact, accord.CatClinicalSummary, accord.CatSocialNeeds, accord.CatScreening}
	careCategories   = []accord.Category{accord.CatDemographics, accord.CatContact, accord.CatSocialNeeds, accord.CatScreening}
	legalAidNoClinic = []accord.Category{accord.CatDemographics, accord.CatContact, accord.CatSocialNeeds, accord.CatScreening}
)

func (g *gen) permitLegalAid(cats []accord.Category, sens ...accord.Sensitivity) accord.Provision {
	return accord.Provision{
		Type: accord.ProvisionPermit, Organizations: []string{g.orgID(legalAid)},
		Purposes: []accord.Purpose{accord.PurposeLegalAid}, Categories: slices.Clone(cats), Sensitivity: sens,
	}
}

func (g *gen) permitClinicNGO() accord.Provision {
	return accord.Provision{
		Type: accord.ProvisionPermit, Organizations: []string{g.orgID(clinic), g.orgID(ngo)},
		Purposes: []accord.Purpose{accord.PurposeCoordination}, Categories: slices.Clone(careCategories),
	}
}

// permitClinicFromLegalAid lets legal aid's own data reach the clinic for care coordination.
func (g *gen) permitClinicFromLegalAid() accord.Provision {
	return accord.Provision{
		Type: accord.ProvisionPermit, Organizations: []string{g.orgID(clinic)},
		Purposes:   []accord.Purpose{accord.PurposeCoordination},
		Categories: []accord.Category{accord.CatDemographics, accord.CatContact, accord.CatSocialNeeds},
	}
}

func permitSocialCare() accord.Provision {
	return accord.Provision{
		Type: accord.ProvisionPermit, Sectors: []accord.Sector{accord.SectorSocial},
		Purposes: []accord.Purpose{accord.PurposeSocialCare}, Categories: slices.Clone(careCategories),
	}
}

func (g *gen) denyClinicalToLegalAid() accord.Provision {
	return accord.Provision{
		Type: accord.ProvisionDeny, Organizations: []string{g.orgID(legalAid)},
		Categories: []accord.Category{accord.CatClinicalSummary, accord.CatClinicalNote},
	}
}

func denyResearch() accord.Provision {
	return accord.Provision{Type: accord.ProvisionDeny, Purposes: []accord.Purpose{accord.PurposeResearch}}
}

func denyEnforcement() accord.Provision {
	return accord.Provision{Type: accord.ProvisionDeny, Sectors: []accord.Sector{accord.SectorImmigrationAuthority, accord.SectorLawEnforcement}}
}

// randomProvisions chooses what a client agreed to, by who serves them.
func (g *gen) randomProvisions(p *person) []accord.Provision {
	r := g.r
	var out []accord.Provision
	denyClinical := false
	if p.served[clinic] && p.served[legalAid] || p.home == legalAid || p.home == clinic && chance(r, 0.3) {
		cats := legalAidNoClinic
		var sens []accord.Sensitivity
		if chance(r, 0.85) {
			cats = mlpCategories
			if p.clinicalSens != 0 && chance(r, 0.5) {
				sens = p.clinicalSens.List()
			}
		} else {
			denyClinical = chance(r, 0.5)
		}
		prov := g.permitLegalAid(cats, sens...)
		if chance(r, 0.15) {
			// Consent tied to the life of a legal case.
			prov.End = ptr(p.c.CreatedAt.AddDate(2, 0, 0))
		}
		out = append(out, prov)
		if p.served[legalAid] && p.served[clinic] && chance(r, 0.6) {
			out = append(out, g.permitClinicFromLegalAid())
		}
	}
	if p.served[ngo] || p.home == ngo || p.served[clinic] && chance(r, 0.5) {
		out = append(out, g.permitClinicNGO())
	}
	if (p.served[social] || p.home == social) && chance(r, 0.8) {
		out = append(out, permitSocialCare())
	}
	if len(out) == 0 {
		out = append(out, g.permitClinicNGO())
	}
	if denyClinical {
		out = append(out, g.denyClinicalToLegalAid())
	}
	if chance(r, 0.25) {
		out = append(out, denyResearch())
	}
	if chance(r, 0.12) {
		out = append(out, denyEnforcement())
	}
	return out
}

var revocationReasons = []string{
	"Client asked for sharing with legal aid to stop now that the housing case has closed.",
	"Client withdrew consent at the drop-in and wants to decide again after speaking to family.",
	"Client is moving out of the area and asked that nothing more be shared.",
	"Client unhappy that a letter went to an old address; withdrew consent while the complaint is looked at.",
	"Client said they no longer want Welcome House to see clinic information.",
}

func (g *gen) randomConsent(p *person, kind consentKind) {
	if kind == noConsent {
		return
	}
	r := g.r
	start := g.consentStart(p)
	c := g.consent(p, start, g.randomProvisions(p))
	switch kind {
	case activeConsent:
		if end := start.AddDate(2, 0, 0); chance(r, 0.25) && end.After(g.now) {
			c.End = ptr(end)
		}
	case expiredConsent:
		c.End = ptr(start.AddDate(1, 0, 0))
	case revokedConsent:
		at := g.between(start.Add(24 * time.Hour))
		c.Status = accord.ConsentRevoked
		c.RevokedAt = ptr(at)
		c.RevokedBy = g.sid(p.intake())
		c.RevocationReason = pick(r, revocationReasons)
		if p.ageKnown && p.age < 18 {
			c.RevocationReason = "Guardian withdrew consent on the child's behalf."
		}
	}
	g.p.Consents = append(g.p.Consents, *c)
	if kind == revokedConsent && chance(r, 0.35) {
		// Some came back later and agreed to less: care coordination only.
		restart := c.RevokedAt.AddDate(0, 0, 3+r.IntN(20))
		if restart.Before(g.now) {
			g.p.Consents = append(g.p.Consents, *g.consent(p, restart, []accord.Provision{g.permitClinicNGO(), denyResearch()}))
		}
	}
}

// consentStart is a working-hours time in the two weeks after the client
// registered (often the same visit), never in the future.
func (g *gen) consentStart(p *person) time.Time {
	created := p.c.CreatedAt
	day := time.Date(created.Year(), created.Month(), created.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.r.IntN(14))
	t := day.Add(9*time.Hour + time.Duration(g.r.IntN(8*60))*time.Minute)
	if t.Before(created) || !t.Before(g.now) {
		t = created.Add(time.Duration(5+g.r.IntN(40)) * time.Minute)
	}
	if !t.Before(g.now) {
		t = created
	}
	return t
}

// consent returns an active consent of p collected at their home
// organisation: in their language, through an interpreter when they need
// one and the collector does not speak it, from a guardian for a minor.
func (g *gen) consent(p *person, start time.Time, provs []accord.Provision) *accord.Consent {
	r := g.r
	collector := p.intake()
	m := g.member(collector)
	c := &accord.Consent{
		ID:             g.id(accord.PrefixConsent),
		ClientID:       p.c.ID,
		Status:         accord.ConsentActive,
		Start:          start,
		Provisions:     provs,
		CollectedBy:    g.sid(collector),
		OrganizationID: g.orgID(m.org),
		Language:       p.lang,
		CreatedAt:      start,
	}
	speaks := slices.Contains(m.langs, p.lang)
	switch {
	case p.c.InterpreterNeeded && !speaks:
		if in := interpreterFor(m.org, p.lang); in != "" {
			c.Method = accord.MethodVerbalInterpreter
			c.InterpreterID = g.sid(in)
			p.interpreter = in
		} else {
			c.Method = accord.MethodVerbal
		}
	case speaks && chance(r, 0.25):
		c.Method = accord.MethodVerbal
	case p.lang == langEnglish && chance(r, 0.5) || chance(r, 0.2):
		c.Method = accord.MethodElectronicSignature
	default:
		c.Method = accord.MethodWritten
	}
	c.Guardian = g.guardian(p, c.Start)
	return c
}

// guardian returns who consented for the client when the consent started:
// a minor then needs one, even if an adult now.
func (g *gen) guardian(p *person, start time.Time) *accord.Guardian {
	r := g.r
	age, ageKnown := p.c.AgeAt(start)
	family := p.c.FamilyName
	if family == "" {
		family = pick(r, names[p.lang].family)
	}
	pool := names[p.lang]
	switch {
	case ageKnown && age < 18:
		switch x := r.Float64(); {
		case p.home == social && x < 0.5:
			sw := g.member(p.socialWorker)
			return &accord.Guardian{Name: sw.name, Relationship: "Local authority (care order), through the allocated social worker"}
		case x < 0.6:
			return &accord.Guardian{Name: pick(r, pool.women) + " " + family, Relationship: "mother"}
		case x < 0.92:
			return &accord.Guardian{Name: pick(r, pool.men) + " " + family, Relationship: "father"}
		default:
			return &accord.Guardian{Name: pick(r, pool.women) + " " + family, Relationship: "aunt (kinship carer)"}
		}
	case p.ageKnown && p.age >= 65 && slices.Contains(p.c.Disabilities, accord.DisabilityCognition) && chance(r, 0.6):
		if chance(r, 0.5) {
			return &accord.Guardian{Name: pick(r, pool.women) + " " + family, Relationship: "daughter (lasting power of attorney for health and welfare)"}
		}
		return &accord.Guardian{Name: pick(r, pool.men) + " " + family, Relationship: "son (lasting power of attorney for health and welfare)"}
	}
	return nil
}
