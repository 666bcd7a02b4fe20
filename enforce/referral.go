package enforce

import (
	"context"
	"slices"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// SendReferral sends a referral of a client the caller may see to another
// organisation. The receiving organisation's first escalation contact (its
// intake point) is told, and a clock starts: if no one accepts or declines
// by respond_by, the sender is alerted.
func (s *Service) SendReferral(ctx context.Context, c *Caller, r *accord.Referral) (err error) {
	defer accord.Wrap(&err, "SendReferral")
	if err := c.require(clientFacing...); err != nil {
		return err
	}
	r.FromOrgID, r.FromStaffID = c.Staff.OrganizationID, c.Staff.ID
	if r.Urgency == "" {
		r.Urgency = accord.UrgencyRoutine
	}
	if err := r.Validate(s.now()); err != nil {
		return err
	}
	if _, err := s.seeClient(ctx, c, r.ClientID, r.Purpose); err != nil {
		return err
	}
	if r.CaseID != "" {
		if _, err := s.caseFor(ctx, c, r.CaseID, r.Purpose); err != nil {
			return accord.FieldErrorf("case_id", "no such case")
		}
	}
	chain, err := s.db.EscalationChain(ctx, r.ToOrgID)
	if err != nil {
		return err
	}
	fx := sqlstore.Effects{Hooks: []sqlstore.Hook{{OrganizationID: r.ToOrgID, Kind: "referral.received", SubjectID: ""}}}
	if len(chain) > 0 {
		fx.Notices = []sqlstore.Notice{{StaffID: chain[0], Kind: "referral.received"}}
	}
	// The id is known only once stored: the effects name it after.
	if err := s.db.CreateReferral(ctx, c.Actor(), r, fx.For(func() string { return r.ID })); err != nil {
		return err
	}
	return nil
}

// ReferralView is a referral as one side sees it. The receiver also gets the
// handoff: what the decision point lets them see of the client for the
// referral's purpose, and why anything asked for is withheld.
type ReferralView struct {
	Referral accord.Referral
	Side     string // "sender" or "receiver"
	Client   *accord.Client
	Records  []accord.Record
	Shared   []Decided
	Withheld []Decided
}

// side returns which side of a referral the caller is on, or ENOTFOUND.
func side(c *Caller, r *accord.Referral) (string, error) {
	switch c.Staff.OrganizationID {
	case r.ToOrgID:
		return "receiver", nil
	case r.FromOrgID:
		return "sender", nil
	}
	return "", accord.Errorf(accord.ENOTFOUND, "referral not found")
}

// OpenReferral returns a referral to either side. When the receiving side
// opens a sent referral it is marked received; the handoff is decided for
// the opening staff member, category by category, for the referral's
// purpose, recorded as disclosures, and released only when permitted.
func (s *Service) OpenReferral(ctx context.Context, c *Caller, id string) (_ *ReferralView, err error) {
	defer accord.Wrap(&err, "OpenReferral(%s)", id)
	r, err := s.db.FindReferral(ctx, id)
	if err != nil {
		return nil, err
	}
	sd, err := side(c, r)
	if err != nil {
		return nil, err
	}
	v := &ReferralView{Side: sd}
	if sd == "sender" {
		v.Referral = *r
		return v, nil
	}
	if r.Status == accord.ReferralSent {
		fx := sqlstore.Effects{Notices: []sqlstore.Notice{{StaffID: r.FromStaffID, Kind: "referral.received", SubjectID: r.ID}}}
		if r, err = s.db.SetReferralStatus(ctx, c.Actor(), r.ID, r.Version, accord.ReferralReceived, "", "", fx); err != nil {
			return nil, err
		}
	}
	v.Referral = *r
	if r.Finished() && r.Status != accord.ReferralCompleted {
		return v, nil // declined or cancelled: nothing more to hand off
	}
	client, err := s.db.FindClient(ctx, r.ClientID)
	if err != nil {
		return v, nil // erased since it was sent
	}
	d, err := s.decider(ctx, c)
	if err != nil {
		return nil, err
	}
	d.action = "referral.handoff"
	actor := c.Actor()
	cats := append([]accord.Category{accord.CatDemographics}, r.Categories...)
	cats = slices.Compact(cats)
	contact := false
	for _, cat := range []accord.Category{accord.CatDemographics, accord.CatContact} {
		if !slices.Contains(cats, cat) {
			continue
		}
		dec := d.decide(ctx, actor, client.ID, client.HomeOrganizationID, cat, nil, r.Purpose)
		if dec.Decision.Permitted() {
			v.Shared = append(v.Shared, dec)
			contact = contact || cat == accord.CatContact
		} else {
			v.Withheld = append(v.Withheld, dec)
		}
	}
	demoOK := len(v.Shared) > 0 && v.Shared[0].Request.Category == accord.CatDemographics
	var ids []string
	var groups []sqlstore.RecordGroup
	if demoOK {
		var rest []accord.Category
		for _, cat := range cats {
			if cat != accord.CatDemographics && cat != accord.CatContact {
				rest = append(rest, cat)
			}
		}
		if len(rest) > 0 {
			if groups, err = s.db.RecordGroups(ctx, client.ID, rest...); err != nil {
				return nil, err
			}
		}
	}
	for _, g := range groups {
		dec := d.decide(ctx, actor, client.ID, g.HolderID, g.Category, g.Sensitivity, r.Purpose)
		if dec.Decision.Permitted() {
			ids = append(ids, g.RecordIDs...)
			v.Shared = append(v.Shared, dec)
		} else {
			v.Withheld = append(v.Withheld, dec)
		}
	}
	if err := d.record(ctx, func(i int) bool { return d.out[i].Decision.Permitted() }); err != nil {
		return nil, err
	}
	if !demoOK {
		// Without the client's demographics there is nothing to hand off;
		// the receiver is told why (without learning who holds what).
		for i := range v.Withheld {
			v.Withheld[i] = redacted(v.Withheld[i])
		}
		return v, nil
	}
	cl := *client
	if !contact {
		cl.Phone, cl.Email, cl.Address = "", "", ""
	}
	v.Client = &cl
	if len(ids) > 0 {
		if v.Records, err = s.db.OpenRecords(ctx, client.ID, ids); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Referrals lists the caller's organisation's referrals: incoming or outgoing.
func (s *Service) Referrals(ctx context.Context, c *Caller, direction string, open bool) ([]accord.Referral, error) {
	f := sqlstore.ReferralFilter{Open: open}
	switch direction {
	case "incoming":
		f.ToOrgID = c.Staff.OrganizationID
	case "outgoing":
		f.FromOrgID = c.Staff.OrganizationID
	default:
		return nil, accord.FieldErrorf("direction", "direction must be incoming or outgoing")
	}
	rs, err := s.db.Referrals(ctx, f)
	if err != nil {
		return nil, err
	}
	if direction == "incoming" {
		// The receiver learns the reason when it opens the referral (the
		// handoff decides what it may see); the list holds no free text.
		for i := range rs {
			rs[i].Reason = ""
		}
	}
	return rs, nil
}

// UpdateReferral moves a referral along its loop. The receiver receives,
// accepts (taking it on, and joining the client's case if there is one),
// declines with a reason, works and completes it; the sender may cancel.
// Each step is visible to both sides.
func (s *Service) UpdateReferral(ctx context.Context, c *Caller, id string, version int, to accord.ReferralStatus, reason string) (_ *accord.Referral, err error) {
	defer accord.Wrap(&err, "UpdateReferral(%s)", id)
	if err := c.require(clientFacing...); err != nil {
		return nil, err
	}
	r, err := s.db.FindReferral(ctx, id)
	if err != nil {
		return nil, err
	}
	sd, err := side(c, r)
	if err != nil {
		return nil, err
	}
	if r.Version != version {
		return nil, accord.Errorf(accord.EPRECONDITION, "the referral was changed by someone else since you loaded it; reload it and try again")
	}
	if err := r.CheckTransition(to, sd, reason); err != nil {
		return nil, err
	}
	other := r.FromStaffID
	if sd == "sender" {
		other = r.AssignedTo
	}
	fx := sqlstore.Effects{Hooks: []sqlstore.Hook{{OrganizationID: r.FromOrgID, Kind: "referral." + string(to), SubjectID: r.ID}}}
	if other != "" {
		fx.Notices = []sqlstore.Notice{{StaffID: other, Kind: "referral." + string(to), SubjectID: r.ID}}
	}
	if to != accord.ReferralReceived {
		fx.Disarm = []string{r.ID} // answered: no more overdue alerts
	}
	assign := ""
	if to == accord.ReferralAccepted {
		assign = c.Staff.ID
	}
	out, err := s.db.SetReferralStatus(ctx, c.Actor(), r.ID, version, to, reason, assign, fx)
	if err != nil {
		return nil, err
	}
	if to == accord.ReferralAccepted {
		if err := s.db.AddCareTeam(ctx, c.Actor(), r.ClientID, c.Staff.ID); err != nil {
			return nil, err
		}
		if r.CaseID != "" {
			cs, err := s.db.FindCase(ctx, r.CaseID)
			if err == nil && cs.Status == accord.CaseOpen && !cs.Participates(c.Staff.OrganizationID) {
				p := &accord.Participant{OrganizationID: c.Staff.OrganizationID, StaffID: c.Staff.ID, Responsibility: "accepted referral " + r.ID}
				if _, err := s.db.UpdateCase(ctx, c.Actor(), cs.ID, cs.Version, sqlstore.CaseChange{AddParticipant: p}); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, s.feed.Sync(ctx)
}
