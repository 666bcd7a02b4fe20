package demo

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/accord-project/accord"
)

// The demo's access history: two weeks of staff reading their own clients,
// so that access anomaly detection has a baseline, and yesterday two things
// for the ombudsperson to review: a social worker read dozens of the
// social services' clients late at night, none of them hers, and a police
// officer was refused again and again trying to read the clinic's records.
// Every read is within the reader's own organisation (or refused), so the
// history changes no disclosure indicator.

// AccessDays is how many days of access history the demo has, ending
// yesterday (UTC).
const AccessDays = 14

// demoNightReads is how many clients the social worker reads at night.
const demoNightReads = 60

// demoRefusals is how many times the police officer is refused.
const demoRefusals = 14

// access generates p.Access from its own random stream, after everything
// else, so that the rest of the partnership is the same with or without it.
func (g *gen) access() {
	r := rand.New(rand.NewPCG(g.r.Uint64(), g.r.Uint64()))
	socialID, clinicID := g.orgIDs[social], g.orgIDs[clinic]
	mine := map[string][]string{} // staff -> their care team's clients
	for _, c := range g.p.Clients {
		for _, s := range g.p.CareTeams[c.ID] {
			mine[s] = append(mine[s], c.ID)
		}
	}
	var out []accord.AuditEntry
	read := func(s *Login, client, holder string, at time.Time, permit bool) {
		e := accord.AuditEntry{Time: at, Kind: accord.AuditDecision, ActorID: s.ID, ActorOrganizationID: s.OrganizationID, ClientID: client,
			HolderID: holder, Category: accord.CatDemographics, Purpose: accord.PurposeSocialCare, Effect: accord.Permit.String(),
			Reason: accord.ReasonSameOrgRole, Released: true, RequestID: "demo-history"}
		if !permit {
			e.Category, e.Purpose, e.Effect, e.Reason, e.Released = accord.CatClinicalSummary, accord.PurposeLegal, accord.Deny.String(), accord.ReasonFirewall, false
		}
		out = append(out, e)
	}
	// Every active staff member of the clinic and social services reads a
	// few of their own clients on each working day.
	for i := range g.p.Staff {
		s := &g.p.Staff[i]
		if !s.Active || (s.OrganizationID != socialID && s.OrganizationID != clinicID) || len(mine[s.ID]) == 0 {
			continue
		}
		purpose := accord.PurposeSocialCare
		if s.OrganizationID == clinicID {
			purpose = accord.PurposeTreatment
		}
		for back := AccessDays; back >= 1; back-- {
			day := g.today.AddDate(0, 0, -back)
			if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			for range 2 + r.IntN(4) {
				at := day.Add(9*time.Hour + time.Duration(r.IntN(8*3600))*time.Second)
				read(s, pick(r, mine[s.ID]), s.OrganizationID, at, true)
				out[len(out)-1].Purpose = purpose
			}
		}
	}
	yesterday := g.today.AddDate(0, 0, -1)
	if i, ok := g.staffIdx["a.begum"]; ok {
		s := &g.p.Staff[i]
		var theirs []string
		for _, c := range g.p.Clients {
			if c.HomeOrganizationID == socialID && !slices.Contains(mine[s.ID], c.ID) {
				theirs = append(theirs, c.ID)
			}
		}
		for n, c := range theirs[:min(demoNightReads, len(theirs))] {
			read(s, c, socialID, yesterday.Add(21*time.Hour+time.Duration(n)*90*time.Second), true)
		}
	}
	if i, ok := g.staffIdx["t.reid"]; ok {
		s := &g.p.Staff[i]
		for n := range demoRefusals {
			c := g.p.Clients[r.IntN(len(g.p.Clients))]
			read(s, c.ID, clinicID, yesterday.Add(14*time.Hour+time.Duration(n)*4*time.Minute), false)
		}
	}
	slices.SortStableFunc(out, func(a, b accord.AuditEntry) int { return a.Time.Compare(b.Time) })
	g.p.Access = out
}
