package enforce

import (
	"context"
	"slices"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// What the casework pages of the web interface need beyond the JSON API's
// use cases: one call for a case workspace (one decision about the client,
// not one per panel), the staff a case can name, a preview of a referral's
// handoff before it is sent, assigning a referral within the receiving
// organisation, and escalations seen from the side that raised them.

// CaseStaffDirectory returns the staff a caller may name in casework (a
// participant's lead, a task owner, a conference attendee) and whose names
// the casework pages show: every member of the caller's own organisation,
// and the active client-facing staff of the partnership's service
// organisations. Staff of immigration authorities and law enforcement
// bodies see only their own organisation, and no one sees theirs.
func (s *Service) CaseStaffDirectory(ctx context.Context, c *Caller) ([]accord.Staff, error) {
	if err := c.require(clientFacing...); err != nil {
		return nil, err
	}
	orgs, err := s.db.Organizations(ctx)
	if err != nil {
		return nil, err
	}
	partner := map[string]bool{}
	for _, o := range orgs {
		partner[o.ID] = !o.Sector.Enforcement() && o.Sector != accord.SectorOversight
	}
	all, err := s.db.StaffList(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []accord.Staff
	for _, st := range all {
		switch {
		case st.OrganizationID == c.Staff.OrganizationID:
		case c.Organization.Sector.Enforcement() || !partner[st.OrganizationID] || !st.Active:
			continue
		case !slices.ContainsFunc(st.Roles, func(r accord.Role) bool { return slices.Contains(clientFacing, r) }):
			continue
		}
		out = append(out, st)
	}
	return out, nil
}

// CaseWorkspaceView is everything a case's workspace shows, as the caller
// may see it: the case, the client's demographics (no contact details: the
// client's profile decides those), tasks, notes the caller may read with
// the reason for each group withheld, conferences and the timeline.
type CaseWorkspaceView struct {
	Case        *accord.Case
	Client      accord.Client
	Tasks       []accord.Task
	Notes       *RecordsView
	Conferences []accord.Conference
	Events      []accord.CaseEvent // oldest first
}

// CaseWorkspace returns a case's workspace for a caller whose organisation
// works the case and who may see the client for purpose. The client is one
// decision; each group of notes is one more.
func (s *Service) CaseWorkspace(ctx context.Context, c *Caller, caseID string, purpose accord.Purpose) (*CaseWorkspaceView, error) {
	if err := checkPurpose(purpose); err != nil {
		return nil, err
	}
	cs, err := s.db.FindCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if !cs.Participates(c.Staff.OrganizationID) {
		return nil, accord.Errorf(accord.ENOTFOUND, "case not found")
	}
	client, err := s.seeClient(ctx, c, cs.ClientID, purpose)
	if err != nil {
		return nil, err
	}
	v := &CaseWorkspaceView{Case: cs, Client: *client, Notes: &RecordsView{}}
	v.Client.Phone, v.Client.Email, v.Client.Address = "", "", ""
	if v.Tasks, err = s.db.CaseTasks(ctx, cs.ID); err != nil {
		return nil, err
	}
	if v.Conferences, err = s.db.CaseConferences(ctx, cs.ID); err != nil {
		return nil, err
	}
	if v.Events, err = s.db.CaseEvents(ctx, cs.ID, 0, 5000); err != nil {
		return nil, err
	}
	groups, err := s.db.CaseRecordGroups(ctx, cs.ID)
	if err != nil {
		return nil, err
	}
	if len(groups) == 0 {
		return v, nil
	}
	d, err := s.decider(ctx, c)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, g := range groups {
		dec := d.decide(ctx, c.Actor(), cs.ClientID, g.HolderID, g.Category, g.Sensitivity, purpose)
		if dec.Decision.Permitted() {
			ids = append(ids, g.RecordIDs...)
			v.Notes.Shared = append(v.Notes.Shared, dec)
		} else {
			v.Notes.Withheld = append(v.Notes.Withheld, dec)
		}
	}
	if err := d.record(ctx, func(i int) bool { return d.out[i].Decision.Permitted() }); err != nil {
		return nil, err
	}
	if len(ids) > 0 {
		if v.Notes.Records, err = s.db.OpenRecords(ctx, cs.ClientID, ids); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// ReferralPreviewRequest asks what a referral would hand off.
type ReferralPreviewRequest struct {
	ClientID   string
	ToOrgID    string
	Purpose    accord.Purpose
	Categories []accord.Category
}

// PreviewItem is what the receiver would be allowed to see of one category
// asked for: one decision per group of records (by holder and sensitivity
// labels), or, when nothing of the kind is recorded yet, the decision for
// such a record held by the client's home organisation.
type PreviewItem struct {
	Category accord.Category
	Shared   []Decided
	Withheld []Decided
	// Empty reports that nothing of this category is recorded yet.
	Empty bool
}

// HandoffPreview is a referral's handoff decided in advance, for the
// receiving organisation's intake contact (Reader), who is usually the
// first to open it. Nothing is released: the decisions are recorded as
// questions ("explain").
type HandoffPreview struct {
	Reader accord.Staff
	// Nothing reports that the receiver could not see the client at all, so
	// nothing would be handed off.
	Nothing bool
	Items   []PreviewItem
}

// PreviewReferral decides, without releasing anything, what the receiving
// organisation would be allowed to see of the client for the referral's
// purpose, category by category, so that the sender asks for the minimum
// necessary and knows what will not reach the receiver, and why. The caller
// must be allowed to see the client for that purpose.
func (s *Service) PreviewReferral(ctx context.Context, c *Caller, q ReferralPreviewRequest) (_ *HandoffPreview, err error) {
	defer accord.Wrap(&err, "PreviewReferral")
	if err := c.require(clientFacing...); err != nil {
		return nil, err
	}
	if !q.Purpose.Valid() {
		return nil, accord.PurposeError("purpose", q.Purpose)
	}
	for _, cat := range q.Categories {
		if !cat.Valid() {
			return nil, accord.FieldErrorf("categories", "unknown category %q", string(cat))
		}
	}
	client, err := s.seeClient(ctx, c, q.ClientID, q.Purpose)
	if err != nil {
		return nil, err
	}
	org, err := s.db.FindOrganization(ctx, q.ToOrgID)
	if err != nil {
		return nil, accord.FieldErrorf("to_organization_id", "no such organisation")
	}
	reader, err := s.intakeReader(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	d, err := s.decider(ctx, c)
	if err != nil {
		return nil, err
	}
	d.action = "explain"
	actor := accord.Actor{StaffID: reader.ID, OrganizationID: org.ID, Sector: org.Sector, Roles: reader.RoleSet()}
	out := &HandoffPreview{Reader: *reader}
	demo := d.decide(ctx, actor, client.ID, client.HomeOrganizationID, accord.CatDemographics, nil, q.Purpose)
	out.Nothing = !demo.Decision.Permitted()
	cats := []accord.Category{accord.CatDemographics}
	for _, cat := range q.Categories {
		if !slices.Contains(cats, cat) {
			cats = append(cats, cat)
		}
	}
	for _, cat := range cats {
		item := PreviewItem{Category: cat}
		var groups []sqlstore.RecordGroup
		if cat != accord.CatDemographics && cat != accord.CatContact {
			if groups, err = s.db.RecordGroups(ctx, client.ID, cat); err != nil {
				return nil, err
			}
		}
		if len(groups) == 0 {
			item.Empty = cat != accord.CatDemographics && cat != accord.CatContact
			groups = []sqlstore.RecordGroup{{HolderID: client.HomeOrganizationID, Category: cat}}
		}
		for _, g := range groups {
			dec := demo
			if cat != accord.CatDemographics {
				dec = d.decide(ctx, actor, client.ID, g.HolderID, g.Category, g.Sensitivity, q.Purpose)
			}
			if dec.Decision.Permitted() && !out.Nothing {
				item.Shared = append(item.Shared, dec)
			} else {
				item.Withheld = append(item.Withheld, dec)
			}
		}
		out.Items = append(out.Items, item)
	}
	if err := d.record(ctx, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// intakeReader is who stands for an organisation when a disclosure to it is
// decided in advance: its first escalation contact (the intake point that a
// referral notifies), else its first active client-facing staff member.
func (s *Service) intakeReader(ctx context.Context, orgID string) (*accord.Staff, error) {
	chain, err := s.db.EscalationChain(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if len(chain) > 0 {
		if st, err := s.db.FindStaff(ctx, chain[0]); err == nil && st.Active {
			return st, nil
		}
	}
	staff, err := s.db.StaffList(ctx, orgID)
	if err != nil {
		return nil, err
	}
	for i := range staff {
		if staff[i].Active && slices.ContainsFunc(staff[i].Roles, func(r accord.Role) bool { return slices.Contains(clientFacing, r) }) {
			return &staff[i], nil
		}
	}
	return nil, accord.FieldErrorf("to_organization_id", "that organisation has no staff who could take a referral")
}

// AssignReferral gives a referral the receiving organisation has taken on
// to one of its staff members (at version). The assignee joins the client's
// care team and is told; what they may see is decided when they open it.
func (s *Service) AssignReferral(ctx context.Context, c *Caller, id string, version int, staffID string) (_ *accord.Referral, err error) {
	defer accord.Wrap(&err, "AssignReferral(%s)", id)
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
	if sd != "receiver" {
		return nil, accord.Errorf(accord.EFORBIDDEN, "only the receiving organisation can assign a referral")
	}
	if r.Status != accord.ReferralAccepted && r.Status != accord.ReferralInProgress {
		return nil, accord.Errorf(accord.ECONFLICT, "accept the referral before assigning it")
	}
	st, err := s.db.FindStaff(ctx, staffID)
	if err != nil || st.OrganizationID != c.Staff.OrganizationID || !st.Active ||
		!slices.ContainsFunc(st.Roles, func(r accord.Role) bool { return slices.Contains(clientFacing, r) }) {
		return nil, accord.FieldErrorf("assign_to", "name an active colleague who works with clients")
	}
	fx := sqlstore.Effects{Notices: []sqlstore.Notice{{StaffID: st.ID, Kind: "referral.assigned", SubjectID: r.ID}}}
	out, err := s.db.AssignReferral(ctx, c.Actor(), r.ID, version, st.ID, fx)
	if err != nil {
		return nil, err
	}
	if err := s.db.AddCareTeam(ctx, c.Actor(), r.ClientID, st.ID); err != nil {
		return nil, err
	}
	return out, s.feed.Sync(ctx)
}

// EscalationsRaisedByOrg lists the live escalations raised by staff of the
// caller's organisation, whichever organisation must act on them.
func (s *Service) EscalationsRaisedByOrg(ctx context.Context, c *Caller) ([]accord.Escalation, error) {
	if err := c.require(clientFacing...); err != nil {
		return nil, err
	}
	return s.db.EscalationsRaisedByOrg(ctx, c.Staff.OrganizationID)
}

// EscalationView is one escalation as its page shows it: the escalation,
// the responsible organisation's chain of contacts, and what the caller
// may do.
type EscalationView struct {
	Escalation     *accord.Escalation
	Chain          []string
	CanAcknowledge bool
	CanResolve     bool
	CanCancel      bool
}

// OpenEscalation returns an escalation to staff of the responsible
// organisation, to whoever raised it, and to colleagues of the raiser who
// may see the client for purpose (read only, unless they supervise).
func (s *Service) OpenEscalation(ctx context.Context, c *Caller, id string, purpose accord.Purpose) (*EscalationView, error) {
	e, err := s.escalationFor(ctx, c, id)
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		found, ferr := s.db.FindEscalation(ctx, id)
		if ferr != nil {
			return nil, err
		}
		raiser, ferr := s.db.FindStaff(ctx, found.RaisedBy)
		if ferr != nil || raiser.OrganizationID != c.Staff.OrganizationID {
			return nil, err
		}
		if _, err := s.seeClient(ctx, c, found.ClientID, purpose); err != nil {
			return nil, err
		}
		e, err = found, nil
	}
	if err != nil {
		return nil, err
	}
	chain, err := s.db.EscalationChain(ctx, e.OrganizationID)
	if err != nil {
		return nil, err
	}
	own := e.OrganizationID == c.Staff.OrganizationID
	return &EscalationView{Escalation: e, Chain: chain,
		CanAcknowledge: own && e.Status == accord.EscalationOpen,
		CanResolve:     own && e.Live(),
		CanCancel:      e.Live() && (e.RaisedBy == c.Staff.ID || own && c.has(accord.RoleSupervisor)),
	}, nil
}
