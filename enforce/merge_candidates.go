package enforce

import (
	"context"
	"slices"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/match"
)

// mergers are the roles that merge duplicate records.
var mergers = []accord.Role{accord.RoleNavigator, accord.RoleSupervisor, accord.RolePrivacyOfficer}

// MergeCandidates returns the records that may be the same person as the
// client, among those the caller could merge into it: registered by the
// caller's organisation, as the client must be, and visible to the caller
// for purpose (each shown record is a decision on its demographics,
// recorded). They are ranked as intake ranks a typed person, the client
// itself left out, most probable first: the likely duplicates, then the
// possible ones (match.Show). Navigators, supervisors and
// privacy officers merge, so they ask.
func (s *Service) MergeCandidates(ctx context.Context, c *Caller, clientID string, purpose accord.Purpose) (_ []Likely, err error) {
	defer accord.Wrap(&err, "MergeCandidates(%s)", clientID)
	if err := c.require(mergers...); err != nil {
		return nil, err
	}
	client, err := s.seeClient(ctx, c, clientID, purpose)
	if err != nil {
		return nil, err
	}
	if client.HomeOrganizationID != c.Staff.OrganizationID {
		return nil, accord.Errorf(accord.EFORBIDDEN, "only the organisation that registered both records can merge them")
	}
	p := match.FromClient(client)
	cands, err := s.db.MatchCandidates(ctx, p, 2000)
	if err != nil {
		return nil, err
	}
	cands = slices.DeleteFunc(cands, func(m match.Candidate) bool { return m.ID == client.ID })
	ranked := match.Show(p, cands) // the possible ones too: the navigator is looking for a duplicate
	byID, err := s.rankedClients(ctx, ranked)
	if err != nil {
		return nil, err
	}
	d, err := s.decider(ctx, c)
	if err != nil {
		return nil, err
	}
	d.action = "client.merge_candidates"
	var out []Likely
	for _, r := range ranked {
		cl, ok := byID[r.ID]
		if !ok || cl.HomeOrganizationID != c.Staff.OrganizationID {
			continue // gone since the search, or not the caller's to merge: not read
		}
		if d.decide(ctx, c.Actor(), cl.ID, cl.HomeOrganizationID, accord.CatDemographics, nil, purpose).Decision.Permitted() {
			cl.Phone, cl.Address, cl.Email = "", "", ""
			out = append(out, Likely{Client: cl, Result: r.Result})
		}
	}
	if err := d.record(ctx, func(i int) bool { return d.out[i].Decision.Permitted() }); err != nil {
		return nil, err
	}
	return out, nil
}
