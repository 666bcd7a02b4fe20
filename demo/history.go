package demo

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/screening"
	"github.com/accord-project/accord/sqlstore"
)

// History is the partnership's recent casework, from the start of the
// quarter three before the current one until now: referrals between the
// service organisations and what became of them, escalations and their
// acknowledgements, complaints and their answers, screenings and
// re-screenings. It is what the indicators count. Everything in it is
// finished — accepted and completed, declined, resolved — so that none of
// it waits in anyone's work queue; the newest of it is some weeks old.
//
// Outcomes differ by group the way they do in practice: referrals of
// people who need an interpreter, and of Tigrinya, Somali and Pashto
// speakers, are declined and dropped more often and accepted later; older
// and disabled clients' referrals complete a little less often. In the
// last full quarter the interpreting service fell short (its contract
// lapsed for six weeks): only half the clients who needed an interpreter
// got one, against nine in ten before and after — the one default
// indicator the demo misses. Half, so that both the served and the unserved
// count pass the small-cell threshold and the miss can be published.
type History struct {
	Referrals   []HistoricalReferral  `json:"referrals"`
	Escalations []accord.Escalation   `json:"escalations"`
	Grievances  []HistoricalGrievance `json:"grievances"`
	Screenings  []sqlstore.Screening  `json:"screenings"`
}

// HistoricalReferral is a referral with the times it was accepted and
// completed (zero when it was not).
type HistoricalReferral struct {
	accord.Referral
	AcceptedAt  time.Time `json:"accepted_at"`
	CompletedAt time.Time `json:"completed_at"`
}

// HistoricalGrievance is a complaint with the hash of its tracking code
// (the code itself was never kept) and what happened to it.
type HistoricalGrievance struct {
	accord.Grievance
	CodeHash []byte                  `json:"code_hash"`
	Events   []accord.GrievanceEvent `json:"events"`
}

// Volumes of the history, per day.
const (
	referralsPerDay   = 8.0
	escalationsPerDay = 1.2
	grievancesPerDay  = 0.4
	// knownScreened is the share of clients registered before the history
	// who are screened during it.
	knownScreened = 0.5
)

// Rates the history is built to, in the last full quarter ("dip") and
// otherwise.
const (
	interpreterProvided    = 0.96
	interpreterProvidedDip = 0.50
	escalationsInTime      = 0.95
	grievancesInTime       = 0.9
)

// historyGen is the state of generating the history. It has its own random
// stream, drawn from the partnership's after everything else, so adding
// to the history changes nothing generated before it.
type historyGen struct {
	*gen
	r         *rand.Rand
	ids       rngReader
	from, end time.Time // the history's first instant; the last a unit may start
	dip       accord.Period
	h         *History
	clients   []*accord.Client // by creation time
	ageAt     func(c *accord.Client) int
	services  map[string][]string // organisation → its services
	q         *screening.Questionnaire
	// error diffusion: a rate met to within one unit whatever the seed.
	late, missed map[string]float64
}

// history generates g.p.History.
func (g *gen) history() {
	r := rand.New(rand.NewPCG(g.r.Uint64(), g.r.Uint64()))
	cur := accord.PeriodOf(g.now)
	h := &historyGen{gen: g, r: r, ids: rngReader{r}, h: &g.p.History, dip: cur.Prev(), late: map[string]float64{}, missed: map[string]float64{},
		services: map[string][]string{}}
	h.from = cur.Prev().Prev().Prev().Start()
	h.end = g.today.AddDate(0, 0, -30)
	q, err := screening.Find("https://accord-project.org/fhir/Questionnaire/social-legal-needs")
	if err != nil {
		panic("demo: " + err.Error()) // built in: a bug here
	}
	h.q = q
	// The scenarios' clients keep the histories the scenarios tell.
	f := &g.feat
	featured := map[string]bool{}
	for _, p := range []*person{f.x, f.revoke, f.denyClinical, f.courtOrder, f.noOrder, f.hivUnconsented, f.psyConsented, f.expiredConsent,
		f.expiredOrder, f.safeguarding, f.breakGlass, f.agreementGaps} {
		featured[p.c.ID] = true
	}
	for i := range g.p.Clients {
		c := &g.p.Clients[i]
		if !featured[c.ID] {
			h.clients = append(h.clients, c)
		} else if c.InterpreterNeeded {
			c.InterpreterUsed = true // their consents were taken through an interpreter
		}
	}
	slices.SortStableFunc(h.clients, func(a, b *accord.Client) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for _, s := range g.p.Services {
		h.services[s.OrganizationID] = append(h.services[s.OrganizationID], s.ID)
	}
	h.screenings()
	h.referrals()
	h.escalations()
	h.grievances()
}

func (h *historyGen) id(prefix string) string { return accord.NewID(prefix, h.ids) }

// every reports whether this unit of kind is one of the rate's share,
// spreading the share evenly (error diffusion) instead of drawing it.
func (h *historyGen) every(acc map[string]float64, kind string, rate float64) bool {
	acc[kind] += rate
	if acc[kind] >= 1 {
		acc[kind]--
		return true
	}
	return false
}

// lognormal returns a duration whose median is median, spread by sigma.
func (h *historyGen) lognormal(median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(sigma*h.r.NormFloat64()))
}

// workingTime returns a time in working hours (Monday to Friday, 09:00 to
// 17:00 UTC) at or after t.
func workingTime(t time.Time, r *rand.Rand) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			at := d.Add(9*time.Hour + time.Duration(r.IntN(8*3600))*time.Second)
			if !at.Before(t) {
				return at
			}
		}
		d = d.AddDate(0, 0, 1)
	}
}

// days returns the days of the history, and for each how many units a
// daily rate gives (Poisson, fewer at weekends).
func (h *historyGen) days(perDay float64, each func(day time.Time, n int)) {
	for d := h.from; d.Before(h.end); d = d.AddDate(0, 0, 1) {
		rate := perDay * 7 / 5.4
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			rate *= 0.2
		}
		each(d, poisson(h.r, rate))
	}
}

func poisson(r *rand.Rand, mean float64) int {
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p < l {
			return k
		}
		k++
	}
}

// at returns a time on day: in working hours on weekdays, else during the
// day.
func (h *historyGen) at(day time.Time) time.Time {
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return day.Add(10*time.Hour + time.Duration(h.r.IntN(6*3600))*time.Second)
	}
	return day.Add(9*time.Hour + time.Duration(h.r.IntN(8*3600))*time.Second)
}

// clientBefore returns a random client registered before t, or nil.
func (h *historyGen) clientBefore(t time.Time) *accord.Client {
	n, _ := slices.BinarySearchFunc(h.clients, t, func(c *accord.Client, t time.Time) int { return c.CreatedAt.Compare(t) })
	if n == 0 {
		return nil
	}
	return h.clients[h.r.IntN(n)]
}

// orgOf returns the organisation key of an organisation id.
func (h *historyGen) orgOf(id string) orgKey {
	for k, o := range h.orgIDs {
		if o == id {
			return orgKey(k)
		}
	}
	panic("demo: no organisation " + id)
}

// hard reports how much harder services are to reach for a client: needing
// an interpreter, speaking a language few staff or interpreters speak,
// older age, a disability. 0 is none; each counts.
func (h *historyGen) hard(c *accord.Client) float64 {
	x := 0.0
	if c.InterpreterNeeded {
		x += 1
	}
	switch c.PreferredLanguage {
	case langTigrinya, langSomali:
		x += 0.6
	case langPashto:
		x += 0.4
	}
	if age, ok := c.AgeAt(h.now); ok && age >= 65 {
		x += 0.4
	}
	if len(c.Disabilities) > 0 {
		x += 0.3
	}
	return x
}

// Referrals.

// referralTo are where referrals go from each service organisation, by weight.
var referralTo = [numOrgs][]weighted[orgKey]{
	clinic:   {{legalAid, 40}, {ngo, 35}, {social, 25}},
	legalAid: {{clinic, 35}, {ngo, 45}, {social, 20}},
	ngo:      {{clinic, 40}, {legalAid, 45}, {social, 15}},
	social:   {{clinic, 35}, {legalAid, 30}, {ngo, 35}},
}

var referralPurpose = [numOrgs]accord.Purpose{clinic: accord.PurposeTreatment, legalAid: accord.PurposeLegalAid, ngo: accord.PurposeCoordination, social: accord.PurposeSocialCare}

var referralReasons = [numOrgs][]string{
	clinic: {"Registration with a GP and a health check.", "Running out of regular medication; no prescription since arriving.",
		"Persistent cough for three weeks; has not seen a doctor.", "Antenatal care: about 20 weeks pregnant, not yet booked."},
	legalAid: {"Notice to quit received; advice on the eviction needed.", "Benefit claim refused; wants to appeal.",
		"Questions about an asylum appeal deadline.", "Landlord refuses repairs; damp affecting the children's health."},
	ngo: {"Food parcels and a hardship grant while benefits start.", "Needs an interpreter and someone to go with them to appointments.",
		"Isolated; would like to join the women's group.", "Help with school uniforms and a bus pass."},
	social: {"Adult social care assessment: struggling with stairs and washing.", "Carer's assessment for the client's mother.",
		"Family support: three children, temporary accommodation.", "Adaptations at home after a stroke."},
}

var declineReasons = []string{
	"Outside our area; we have passed on the details of the service that covers it.",
	"No capacity this month; please refer again in four weeks or to the duty scheme.",
	"Not something we can help with: the matter is criminal, not civil.",
	"We could not reach the client after three attempts.",
}

var cancelReasons = []string{
	"The client moved out of the area.",
	"The client no longer wants the referral.",
	"Sent to the wrong service; a new referral follows.",
}

var staffFor = [numOrgs][]string{
	clinic:   {"amina.navigator", "j.okafor", "m.garcia", "s.bennett"},
	legalAid: {"l.chen", "f.rahimi", "d.osei", "h.morgan"},
	ngo:      {"omar.navigator", "h.warsame", "s.tesfay", "o.kovalenko"},
	social:   {"c.walsh", "a.begum", "r.thompson"},
}

func (h *historyGen) referrals() {
	// First legal contact: most clients registered in the history who are
	// not legal aid's own are referred there soon after intake.
	for _, c := range h.clients {
		if c.CreatedAt.Before(h.from) || !c.CreatedAt.Before(h.end) || c.HomeOrganizationID == h.orgID(legalAid) || !chance(h.r, 0.7) {
			continue
		}
		sent := workingTime(c.CreatedAt.Add(time.Duration(6+h.r.IntN(7*24))*time.Hour), h.r)
		if sent.Before(h.end) {
			h.referral(c, h.orgOf(c.HomeOrganizationID), legalAid, sent)
		}
	}
	h.days(referralsPerDay, func(day time.Time, n int) {
		for range n {
			sent := h.at(day)
			c := h.clientBefore(sent.Add(-24 * time.Hour))
			if c == nil {
				continue
			}
			from := h.orgOf(c.HomeOrganizationID)
			if chance(h.r, 0.3) { // from another organisation serving the client
				from = pickWeighted(h.r, []weighted[orgKey]{{clinic, 40}, {legalAid, 20}, {ngo, 30}, {social, 10}})
			}
			h.referral(c, from, pickWeighted(h.r, referralTo[from]), sent)
		}
	})
	slices.SortFunc(h.h.Referrals, func(a, b HistoricalReferral) int {
		return cmp.Or(a.SentAt.Compare(b.SentAt), cmp.Compare(a.ID, b.ID))
	})
}

func (h *historyGen) referral(c *accord.Client, from, to orgKey, sent time.Time) {
	r := HistoricalReferral{Referral: accord.Referral{
		ID: h.id(accord.PrefixReferral), ClientID: c.ID, FromOrgID: h.orgID(from), FromStaffID: h.sid(pick(h.r, staffFor[from])), ToOrgID: h.orgID(to),
		Purpose: referralPurpose[to], Categories: []accord.Category{accord.CatDemographics, accord.CatContact}, Reason: pick(h.r, referralReasons[to]),
		Urgency: pickWeighted(h.r, []weighted[accord.Urgency]{{accord.UrgencyRoutine, 70}, {accord.UrgencySoon, 22}, {accord.UrgencyUrgent, 8}}),
		SentAt:  sent, AssignedTo: h.sid(pick(h.r, staffFor[to])),
	}}
	if svc := h.services[r.ToOrgID]; len(svc) > 0 {
		r.ServiceID = pick(h.r, svc)
	}
	r.RespondBy = sent.Add(r.Urgency.ResponseTime())
	hard := h.hard(c)
	median := map[accord.Urgency]time.Duration{accord.UrgencyRoutine: 26 * time.Hour, accord.UrgencySoon: 10 * time.Hour, accord.UrgencyUrgent: 2 * time.Hour}[r.Urgency]
	respond := sent.Add(h.lognormal(time.Duration(float64(median)*(1+0.5*hard)), 0.7))
	switch x := h.r.Float64(); {
	case x < 0.06+0.06*hard: // declined
		r.Status, r.StatusReason, r.UpdatedAt = accord.ReferralDeclined, pick(h.r, declineReasons), respond
	case x < 0.08+0.10*hard: // cancelled by the sender before an answer
		r.Status, r.StatusReason, r.UpdatedAt = accord.ReferralCancelled, pick(h.r, cancelReasons), respond
	default:
		r.AcceptedAt = respond
		done := respond.Add(h.lognormal(7*24*time.Hour, 0.6))
		if !chance(h.r, 0.95-0.12*hard) { // dropped out: the sender cancels
			r.Status, r.StatusReason, r.UpdatedAt = accord.ReferralCancelled, pick(h.r, cancelReasons), done
		} else {
			r.Status, r.CompletedAt, r.UpdatedAt = accord.ReferralCompleted, done, done
		}
	}
	if !r.UpdatedAt.Before(h.now) { // not finished yet: too new for the history
		return
	}
	r.Version = 3
	if r.Status == accord.ReferralDeclined {
		r.Version = 2
	}
	h.h.Referrals = append(h.h.Referrals, r)
}

// Escalations.

var escalationOwner = map[accord.EscalationKind][]orgKey{
	accord.EscalationEviction: {legalAid}, accord.EscalationDetention: {legalAid}, accord.EscalationMedication: {clinic},
	accord.EscalationSafety: {social, ngo}, accord.EscalationFlagged: {clinic, ngo, social},
}

var escalationSummaries = map[accord.EscalationKind]string{
	accord.EscalationEviction:   "Bailiffs booked for this week; family of four with nowhere to go.",
	accord.EscalationDetention:  "Told to report on Monday and fears detention; no adviser yet.",
	accord.EscalationMedication: "Insulin runs out in two days; no GP registration.",
	accord.EscalationSafety:     "Says a former partner found the new address and threatened her.",
	accord.EscalationFlagged:    "Missed three appointments; phone off; worried about the children.",
}

func (h *historyGen) escalations() {
	chains := map[string][]string{}
	for _, c := range h.p.Chains {
		chains[c.OrganizationID] = c.StaffIDs
	}
	h.days(escalationsPerDay, func(day time.Time, n int) {
		for range n {
			raised := h.at(day)
			c := h.clientBefore(raised.Add(-24 * time.Hour))
			if c == nil {
				continue
			}
			kind := pickWeighted(h.r, []weighted[accord.EscalationKind]{{accord.EscalationEviction, 30}, {accord.EscalationMedication, 25},
				{accord.EscalationSafety, 20}, {accord.EscalationDetention, 10}, {accord.EscalationFlagged, 15}})
			org := pick(h.r, escalationOwner[kind])
			chain := chains[h.orgID(org)]
			urgency := accord.UrgencyUrgent
			if chance(h.r, 0.25) {
				urgency = accord.UrgencyImmediate
			}
			sla := urgency.ResponseTime()
			raiser := pick(h.r, staffFor[pick(h.r, []orgKey{clinic, legalAid, ngo, social})])
			e := accord.Escalation{ID: h.id(accord.PrefixEscalation), ClientID: c.ID, Kind: kind, Urgency: urgency, Summary: escalationSummaries[kind],
				OrganizationID: h.orgID(org), RaisedBy: h.sid(raiser), RaisedAt: raised, ContactID: chain[0], SLASeconds: int(sla.Seconds()),
				Status: accord.EscalationResolved, Version: 4}
			var ack time.Time
			if h.every(h.late, "escalation", 1-escalationsInTime) {
				ack = raised.Add(time.Duration(float64(sla) * (1.1 + 1.5*h.r.Float64())))
				e.Level, e.ContactID = 1, chain[min(1, len(chain)-1)] // it climbed before anyone answered
				e.Version++
			} else {
				ack = raised.Add(time.Duration(float64(sla) * (0.05 + 0.85*h.r.Float64())))
			}
			resolved := ack.Add(time.Duration(2+h.r.IntN(96)) * time.Hour)
			e.OwnerID, e.AcknowledgedAt, e.ResolvedAt = e.ContactID, &ack, &resolved
			e.DueAt = ack.Add(urgency.ActionTime())
			e.Resolution = "Done: see the case notes."
			h.h.Escalations = append(h.h.Escalations, e)
		}
	})
	slices.SortFunc(h.h.Escalations, func(a, b accord.Escalation) int {
		return cmp.Or(a.RaisedAt.Compare(b.RaisedAt), cmp.Compare(a.ID, b.ID))
	})
}

// Complaints.

var grievanceTexts = map[accord.GrievanceCategory]string{
	accord.GrievanceDiscrimination: "The receptionist spoke to me rudely and served the people after me first. I think it was because of my headscarf.",
	accord.GrievanceStatusDenial:   "I was told I could not register without a passport and proof of address.",
	accord.GrievancePrivacy:        "A letter about my appointment was sent to my old address, where my ex-partner lives.",
	accord.GrievanceCoercion:       "I was told I had to sign the form or I would not get help.",
	accord.GrievanceLanguage:       "There was no interpreter at my appointment although I asked for one when I booked.",
	accord.GrievanceRetaliation:    "Since I complained, my appointments keep being cancelled.",
	accord.GrievanceOther:          "I waited four hours and was sent home without being seen.",
}

var grievanceFindings = []struct {
	outcome      accord.GrievanceOutcome
	text, remedy string
}{
	{accord.OutcomeUpheld, "We looked at what happened and the complaint is right.", "We apologise. Staff have been retrained and we changed the procedure."},
	{accord.OutcomePartlyUpheld, "Part of what happened fell short of our standards.", "We apologise for the part we got wrong and have explained the rest."},
	{accord.OutcomeNotUpheld, "We found no fault after speaking to the staff involved and checking the records.", ""},
}

func (h *historyGen) grievances() {
	officers := map[orgKey]string{clinic: "p.nowak", legalAid: "k.patel", ngo: "o.kovalenko", social: "r.thompson", ombuds: "i.larsen"}
	h.days(grievancesPerDay, func(day time.Time, n int) {
		for range n {
			received := h.at(day)
			cat := pickWeighted(h.r, []weighted[accord.GrievanceCategory]{{accord.GrievanceOther, 30}, {accord.GrievanceLanguage, 22},
				{accord.GrievancePrivacy, 12}, {accord.GrievanceStatusDenial, 12}, {accord.GrievanceDiscrimination, 12}, {accord.GrievanceCoercion, 6},
				{accord.GrievanceRetaliation, 6}})
			about := pickWeighted(h.r, []weighted[orgKey]{{clinic, 40}, {legalAid, 15}, {ngo, 15}, {social, 20}, {ombuds, 10}})
			g := HistoricalGrievance{Grievance: accord.Grievance{ID: h.id(accord.PrefixGrievance), Category: cat, Description: grievanceTexts[cat],
				Channel: accord.ChannelPublic, ReceivedAt: received, Status: accord.GrievanceResolved, Version: 3}}
			if about != ombuds { // else no organisation named: the oversight body answers
				g.OrganizationID = h.orgID(about)
			}
			switch x := h.r.Float64(); {
			case x < 0.45:
				g.Anonymous = true
			case x < 0.75:
				c := pick(h.r, h.p.Clients)
				g.ReporterName, g.ReporterContact = c.GivenName, fmt.Sprintf("+44 7700 900%03d", h.r.IntN(1000))
			default:
				c := pick(h.r, h.p.Clients)
				g.Channel, g.ReporterName, g.RaisedBy = accord.ChannelStaff, c.GivenName, h.sid(pick(h.r, staffFor[clinic]))
			}
			handler := about
			if about != ombuds && cat.NeedsOversight() && chance(h.r, 0.2) {
				// Afraid of what the organisation might do: for the oversight body only.
				g.OversightOnly, handler = true, ombuds
			}
			officer := officers[handler]
			due := accord.AddWorkingDays(received, cat.ResponseDays())
			var resolved time.Time
			if h.every(h.late, "grievance", 1-grievancesInTime) {
				resolved = workingTime(due.Add(time.Duration(1+h.r.IntN(5*24))*time.Hour), h.r)
			} else {
				resolved = received.Add(time.Duration(float64(due.Sub(received)) * (0.2 + 0.75*h.r.Float64())))
			}
			acked := received.Add(time.Duration(float64(resolved.Sub(received)) * (0.1 + 0.3*h.r.Float64())))
			f := grievanceFindings[pickWeighted(h.r, []weighted[int]{{0, 35}, {1, 25}, {2, 40}})]
			g.AcknowledgedAt, g.ResolvedAt, g.Outcome, g.DueAt = &acked, &resolved, f.outcome, due
			actor, org := h.sid(officer), h.orgID(handler)
			g.Events = []accord.GrievanceEvent{
				{At: received, Kind: accord.GrievanceEventReceived, ActorID: "reporter"},
				{At: acked, Kind: accord.GrievanceEventAcknowledged, ActorID: actor, OrganizationID: org},
				{At: resolved, Kind: accord.GrievanceEventOutcome, ActorID: actor, OrganizationID: org, Outcome: f.outcome, Text: f.text, Remedy: f.remedy},
			}
			g.CodeHash = make([]byte, 32)
			h.ids.Read(g.CodeHash)
			h.h.Grievances = append(h.h.Grievances, g)
		}
	})
	slices.SortFunc(h.h.Grievances, func(a, b HistoricalGrievance) int {
		return cmp.Or(a.ReceivedAt.Compare(b.ReceivedAt), cmp.Compare(a.ID, b.ID))
	})
	// Complaints about a letter sent to the wrong address come with a photo
	// of the envelope (drawn, not random: the history's stream is unchanged).
	envelope := envelopePhoto()
	for i := range h.h.Grievances {
		if g := &h.h.Grievances[i]; g.Category == accord.GrievancePrivacy {
			g.Attachments = []accord.GrievanceAttachment{envelope}
		}
	}
}

// envelopePhoto is a small drawn picture of an envelope, prepared as a
// person's attachment would be.
func envelopePhoto() accord.GrievanceAttachment {
	const w, hgt = 240, 160
	img := image.NewRGBA(image.Rect(0, 0, w, hgt))
	paper, ink := color.RGBA{245, 240, 225, 255}, color.RGBA{60, 60, 90, 255}
	for y := range hgt {
		for x := range w {
			c := paper
			// The border and the flap's two diagonals.
			if x < 3 || y < 3 || x >= w-3 || y >= hgt-3 || abs(y-x*hgt/(2*w)) < 2 || abs(y-(w-x)*hgt/(2*w)) < 2 {
				c = ink
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	a, err := accord.PrepareGrievanceAttachment("envelope.png", buf.Bytes())
	if err != nil {
		panic(err)
	}
	return *a
}

func abs(x int) int { return max(x, -x) }

// Screenings.

// needAnswers are answers to the social and legal needs questionnaire that
// find each need (routine or soon: nothing that must be escalated).
var needAnswers = []struct {
	need           screening.NeedCode
	share          float64 // of screenings that find it
	group, linkID  string
	yes, no        screening.Answer
	resolvedChance float64 // by the next screening
}{
	{screening.NeedIncomeBenefits, 0.45, "income", "income.1", screening.Bool(true), screening.Bool(false), 0.72},
	{screening.NeedFood, 0.3, "food", "food.1", screening.Bool(true), screening.Bool(false), 0.87},
	{screening.NeedHousing, 0.3, "housing", "housing.1", screening.Code("worried"), screening.Code("stable"), 0.62},
	{screening.NeedEducation, 0.2, "education", "education.4", screening.Bool(true), screening.Bool(false), 0.77},
	{screening.NeedImmigrationLegalStatus, 0.35, "legal", "legal.1", screening.Bool(true), screening.Bool(false), 0.52},
	{screening.NeedOther, 0.1, "legal", "legal.4", screening.Bool(true), screening.Bool(false), 0.82},
	{screening.NeedLiteracy, 0.25, "literacy", "literacy.1", screening.Code("often"), screening.Code("never"), 0.57},
	{screening.NeedPersonalSafety, 0.05, "safety", "safety.3", screening.Bool(true), screening.Bool(false), 0.77},
	{screening.NeedMedicationAccess, 0.12, "medication", "medication.1", screening.Bool(true), screening.Bool(false), 0.92},
}

var screeners = [numOrgs][]string{
	clinic:   {"amina.navigator"},
	legalAid: {"l.chen"},
	ngo:      {"omar.navigator", "h.warsame", "s.tesfay", "o.kovalenko"},
	social:   {"c.walsh", "a.begum"},
}

// screenings screens every client registered during the history soon
// after intake, and clients already known now and then; a client screened
// is often screened again some weeks later. Whether a client who needs an
// interpreter gets one is decided once per client, by the quarter they
// were registered in, and holds at intake (Client.InterpreterUsed) as at
// every screening.
func (h *historyGen) screenings() {
	last := h.today.AddDate(0, 0, -1)
	for _, c := range h.clients {
		var first time.Time
		switch {
		case !c.CreatedAt.Before(h.from):
			first = workingTime(c.CreatedAt.Add(time.Duration(h.r.IntN(5*24))*time.Hour), h.r)
		case chance(h.r, knownScreened):
			first = h.at(h.from.AddDate(0, 0, h.r.IntN(int(last.Sub(h.from).Hours()/24))))
		default:
			continue
		}
		interpreter := false
		if c.InterpreterNeeded {
			rate, kind := interpreterProvided, "interpreter"
			if accord.PeriodOf(c.CreatedAt) == h.dip {
				rate, kind = interpreterProvidedDip, "interpreter dip"
			}
			interpreter = !h.every(h.missed, kind, 1-rate)
			if !c.CreatedAt.Before(h.from) {
				c.InterpreterUsed = interpreter // at intake, as at the screenings
			}
		}
		has := make([]bool, len(needAnswers))
		for i, a := range needAnswers {
			has[i] = chance(h.r, a.share*(1+0.3*h.hard(c)))
		}
		for at := first; at.Before(last); {
			h.screening(c, at, has, interpreter)
			if !chance(h.r, 0.65) {
				break
			}
			at = workingTime(at.Add(time.Duration(28+h.r.IntN(70))*24*time.Hour), h.r)
			for i, a := range needAnswers { // what changed by then
				if has[i] {
					has[i] = !chance(h.r, a.resolvedChance*(1-0.15*min(h.hard(c), 1.5)))
				} else {
					has[i] = chance(h.r, a.share*0.3)
				}
			}
		}
	}
	slices.SortFunc(h.h.Screenings, func(a, b sqlstore.Screening) int {
		return cmp.Or(a.RecordedAt.Compare(b.RecordedAt), cmp.Compare(a.ID, b.ID))
	})
}

func (h *historyGen) screening(c *accord.Client, at time.Time, has []bool, interpreter bool) {
	home := h.orgOf(c.HomeOrganizationID)
	resp := &screening.Response{ResourceType: "QuestionnaireResponse", Questionnaire: h.q.Canonical(), Status: screening.StatusCompleted,
		Authored: at.Format(time.RFC3339)}
	groups := map[string]int{}
	add := func(group, linkID string, a screening.Answer) {
		i, ok := groups[group]
		if !ok {
			i = len(resp.Item)
			groups[group] = i
			resp.Item = append(resp.Item, screening.ResponseItem{LinkID: group})
		}
		resp.Item[i].Item = append(resp.Item[i].Item, screening.ResponseItem{LinkID: linkID, Answer: []screening.Answer{a}})
	}
	for i, a := range needAnswers {
		if a.need == screening.NeedPersonalSafety {
			add("safety", "safety.1", screening.Bool(true))
		}
		if has[i] {
			add(a.group, a.linkID, a.yes)
		} else {
			add(a.group, a.linkID, a.no)
		}
	}
	s := sqlstore.Screening{ID: h.id(accord.PrefixScreening), ClientID: c.ID, OrganizationID: c.HomeOrganizationID, Questionnaire: h.q.Canonical(),
		Language: c.PreferredLanguage, InterpreterUsed: interpreter, RecordedBy: h.sid(pick(h.r, screeners[home])), RecordedAt: at,
		Needs: []sqlstore.ScreenedNeed{}}
	for _, n := range h.q.Evaluate(resp) {
		s.Needs = append(s.Needs, sqlstore.ScreenedNeed{Code: string(n.Code), Urgency: string(n.Urgency)})
	}
	s.Response, _ = json.Marshal(resp)
	h.h.Screenings = append(h.h.Screenings, s)
}
