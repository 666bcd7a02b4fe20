package enforce

import (
	"context"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/match"
)

// Likely is a likely, or possible, duplicate the caller may see.
type Likely struct {
	Client accord.Client
	Result match.Result
}

// Duplicates is the answer to "is this person already known?".
type Duplicates struct {
	Likely []Likely
	// Possible are the possible duplicates (match.Show's possible band):
	// not likely, but worth a second look before registering.
	Possible []Likely
	// Hidden counts likely duplicates the caller may not see (held by an
	// organisation whose data the client has not agreed to share with the
	// caller's). The caller learns only that there are some, not where.
	Hidden int
	// HiddenPossible counts the possible duplicates the caller may not see.
	HiddenPossible int
}

// FindDuplicates ranks the partnership's clients by the probability that
// they are the person described, before intake creates a new record, and
// returns those match.Show keeps: the likely duplicates and a few possible
// ones. Each duplicate shown, in either band, is a decision on its
// demographics, recorded; the others are only counted.
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
	ranked := match.Show(p, cands)
	byID, err := s.rankedClients(ctx, ranked)
	if err != nil {
		return nil, err
	}
	d, err := s.decider(ctx, c)
	if err != nil {
		return nil, err
	}
	d.action = "intake.match"
	out := &Duplicates{}
	for _, r := range ranked {
		cl, ok := byID[r.ID]
		if !ok {
			continue // erased or merged since the search
		}
		shown, hidden := &out.Likely, &out.Hidden
		if r.Band == match.BandPossible {
			shown, hidden = &out.Possible, &out.HiddenPossible
		}
		if d.decide(ctx, c.Actor(), cl.ID, cl.HomeOrganizationID, accord.CatDemographics, nil, purpose).Decision.Permitted() {
			// Demographics only: contact details are their own decision,
			// made when the client is read.
			cl.Phone, cl.Address, cl.Email = "", "", ""
			*shown = append(*shown, Likely{Client: cl, Result: r.Result})
		} else if !c.Organization.Sector.Enforcement() {
			// An immigration or police officer is not told that someone
			// they may not see is known to the partnership: counting would
			// let them probe names.
			(*hidden)++
		}
	}
	if err := d.record(ctx, func(i int) bool { return d.out[i].Decision.Permitted() }); err != nil {
		return nil, err
	}
	return out, nil
}

// rankedClients reads the records of ranked candidates, by id; those
// erased or merged since the search are missing.
func (s *Service) rankedClients(ctx context.Context, ranked []match.Ranked) (map[string]accord.Client, error) {
	ids := make([]string, len(ranked))
	for i, r := range ranked {
		ids[i] = r.ID
	}
	shown, err := s.db.ClientsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]accord.Client, len(shown))
	for _, cl := range shown {
		byID[cl.ID] = cl
	}
	return byID, nil
}

// MergeClients merges a duplicate record into the surviving one. Both must
// be registered by the caller's organisation and visible to the caller;
// navigators, supervisors and privacy officers merge. Both histories are
// kept and the merge is audited.
func (s *Service) MergeClients(ctx context.Context, c *Caller, survivor, duplicate string, purpose accord.Purpose) error {
	if err := c.require(mergers...); err != nil {
		return err
	}
	if err := checkPurpose(purpose); err != nil {
		return err
	}
	d, err := s.decider(ctx, c)
	if err != nil {
		return err
	}
	// The decisions are recorded as releases only when the merge goes on:
	// a refused merge shows nothing of either record.
	refuse := func(err error) error {
		if rerr := d.record(ctx, nil); rerr != nil {
			return rerr
		}
		return err
	}
	for _, id := range []string{survivor, duplicate} {
		cl, err := s.db.FindClient(ctx, id)
		if err != nil {
			return refuse(err)
		}
		dec := d.decide(ctx, c.Actor(), cl.ID, cl.HomeOrganizationID, accord.CatDemographics, nil, purpose)
		if !dec.Decision.Permitted() {
			return refuse(deniedOutsider(dec))
		}
		if !c.MayMergeInto(cl) {
			return refuse(accord.Errorf(accord.EFORBIDDEN, "only the organisation that registered both records can merge them"))
		}
	}
	if err := d.record(ctx, func(i int) bool { return d.out[i].Decision.Permitted() }); err != nil {
		return err
	}
	if err := s.db.MergeClients(ctx, c.Actor(), survivor, duplicate); err != nil {
		return err
	}
	return s.feed.Sync(ctx)
}
