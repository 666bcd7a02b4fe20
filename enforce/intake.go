package enforce

import (
	"cmp"
	"context"
	"slices"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/match"
)

// Likely is a likely duplicate the caller may see.
type Likely struct {
	Client accord.Client
	Result match.Result
}

// Duplicates is the answer to "is this person already known?".
type Duplicates struct {
	Likely []Likely
	// Hidden counts likely duplicates the caller may not see (held by an
	// organisation whose data the client has not agreed to share with the
	// caller's). The caller learns only that there are some, not where.
	Hidden int
}

// FindDuplicates ranks the partnership's clients by the probability that
// they are the person described, before intake creates a new record. Each
// likely duplicate shown is a decision on its demographics, recorded; the
// others are only counted.
func (s *Service) FindDuplicates(ctx context.Context, c *Caller, p match.Person, purpose accord.Purpose) (_ *Duplicates, err error) {
	defer accord.Wrap(&err, "FindDuplicates")
	if err := checkPurpose(purpose); err != nil {
		return nil, err
	}
	if err := c.require(clientFacing...); err != nil {
		return nil, err
	}
	probe := accord.Client{GivenName: p.GivenName, FamilyName: p.FamilyName, BirthDate: p.BirthDate, Phone: p.Phone, Identifiers: p.Identifiers,
		Gender: accord.GenderNotStated, PreferredLanguage: "und"}
	if err := probe.Validate(s.now()); err != nil {
		return nil, err
	}
	cands, err := s.db.MatchCandidates(ctx, p, 2000)
	if err != nil {
		return nil, err
	}
	// Each candidate is scored on its own, not against the others (as
	// match.Rank does): the records intake must find are exactly the ones
	// that break "one person, one record" — two registrations of one person
	// should both show, not split the probability between them.
	byID := map[string]accord.Client{}
	var ranked []match.Ranked
	for _, cl := range cands {
		byID[cl.ID] = cl
		if r := match.Score(p, match.FromClient(&cl)); r.Probability >= match.DefaultThreshold {
			ranked = append(ranked, match.Ranked{ID: cl.ID, Result: r})
		}
	}
	slices.SortFunc(ranked, func(a, b match.Ranked) int {
		return cmp.Or(cmp.Compare(b.Probability, a.Probability), cmp.Compare(a.ID, b.ID))
	})
	if len(ranked) > 20 {
		ranked = ranked[:20]
	}
	d, err := s.decider(ctx, c)
	if err != nil {
		return nil, err
	}
	d.action = "intake.match"
	out := &Duplicates{}
	for _, r := range ranked {
		cl := byID[r.ID]
		if d.decide(ctx, c.Actor(), cl.ID, cl.HomeOrganizationID, accord.CatDemographics, nil, purpose).Decision.Permitted() {
			cl.Address, cl.Email = "", ""
			out.Likely = append(out.Likely, Likely{Client: cl, Result: r.Result})
		} else {
			out.Hidden++
		}
	}
	if err := d.record(ctx, func(i int) bool { return d.out[i].Decision.Permitted() }); err != nil {
		return nil, err
	}
	return out, nil
}

// MergeClients merges a duplicate record into the surviving one. Both must
// be registered by the caller's organisation and visible to the caller;
// navigators, supervisors and privacy officers merge. Both histories are
// kept and the merge is audited.
func (s *Service) MergeClients(ctx context.Context, c *Caller, survivor, duplicate string, purpose accord.Purpose) error {
	if err := c.require(accord.RoleNavigator, accord.RoleSupervisor, accord.RolePrivacyOfficer); err != nil {
		return err
	}
	for _, id := range []string{survivor, duplicate} {
		cl, err := s.seeClient(ctx, c, id, purpose)
		if err != nil {
			return err
		}
		if cl.HomeOrganizationID != c.Staff.OrganizationID {
			return accord.Errorf(accord.EFORBIDDEN, "only the organisation that registered both records can merge them")
		}
	}
	if err := s.db.MergeClients(ctx, c.Actor(), survivor, duplicate); err != nil {
		return err
	}
	return s.feed.Sync(ctx)
}
