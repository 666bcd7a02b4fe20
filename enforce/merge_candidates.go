package enforce

import (
	"context"
	"slices"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/match"
)

// mergers are the roles that merge duplicate records.
var mergers = []accord.Role{accord.RoleNavigator, accord.RoleSupervisor, accord.RolePrivacyOfficer}

// MergeCandidates returns the client and the records that may be the same
// person, among those the caller could merge into it: registered by the
// caller's organisation, as the client must be, and visible to the caller
// for purpose. They are ranked as intake ranks a typed person, against the
// organisation's other records only, most probable first: the likely
// duplicates, then the possible ones (match.Show). The decisions on the
// client (demographics shown; contact details, whose phone is compared
// only when permitted) and on each record shown are recorded. Navigators,
// supervisors and privacy officers merge, so they ask.
func (s *Service) MergeCandidates(ctx context.Context, c *Caller, clientID string, purpose accord.Purpose) (_ *accord.Client, _ []Likely, err error) {
	defer accord.Wrap(&err, "MergeCandidates(%s)", clientID)
	if err := c.require(mergers...); err != nil {
		return nil, nil, err
	}
	client, _, contact, d, err := s.decideClient(ctx, c, clientID, purpose)
	if err != nil {
		return nil, nil, err
	}
	d.action = "client.merge_candidates"
	if !c.MayMergeInto(client) { // the role was required above: the organisation
		if err := d.record(ctx, nil); err != nil {
			return nil, nil, err
		}
		return nil, nil, accord.Errorf(accord.EFORBIDDEN, "only the organisation that registered both records can merge them")
	}
	p := match.FromClient(client)
	if !contact.Decision.Permitted() {
		p.Phone = "" // whether two records share it would tell the caller something about it
	}
	cands, err := s.db.MatchCandidatesOf(ctx, p, client.HomeOrganizationID, 2000)
	if err != nil {
		return nil, nil, err
	}
	cands = slices.DeleteFunc(cands, func(m match.Candidate) bool { return m.ID == client.ID })
	ranked := match.Show(p, cands)
	byID, err := s.rankedClients(ctx, ranked)
	if err != nil {
		return nil, nil, err
	}
	var out []Likely
	for _, r := range ranked {
		cl, ok := byID[r.ID]
		if !ok {
			continue // erased or merged since the search
		}
		if d.decide(ctx, c.Actor(), cl.ID, cl.HomeOrganizationID, accord.CatDemographics, nil, purpose).Decision.Permitted() {
			cl.Phone, cl.Address, cl.Email = "", "", ""
			out = append(out, Likely{Client: cl, Result: r.Result})
		}
	}
	if err := d.record(ctx, func(i int) bool { return d.out[i].Decision.Permitted() }); err != nil {
		return nil, nil, err
	}
	client.Email, client.Address = "", ""
	if !contact.Decision.Permitted() {
		client.Phone = ""
	}
	return client, out, nil
}
