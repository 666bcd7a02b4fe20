package enforce

import (
	"context"
	"slices"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// RaiseEscalation raises an urgent need for a client the caller may see.
// The responsible organisation (the caller's own unless named) must be
// allowed to see the client: its first escalation contact is asked of the
// decision point, as for any disclosure. The clock's length comes from the
// agreement between the two organisations, else the organisation's own
// setting, else the default for the urgency.
func (s *Service) RaiseEscalation(ctx context.Context, c *Caller, e *accord.Escalation, purpose accord.Purpose) (err error) {
	defer accord.Wrap(&err, "RaiseEscalation")
	if err := c.require(clientFacing...); err != nil {
		return err
	}
	if _, err := s.seeClient(ctx, c, e.ClientID, purpose); err != nil {
		return err
	}
	if e.OrganizationID == "" {
		e.OrganizationID = c.Staff.OrganizationID
	}
	if err := e.Validate(); err != nil {
		return err
	}
	if e.CaseID != "" {
		if _, err := s.caseFor(ctx, c, e.CaseID, purpose); err != nil {
			return accord.FieldErrorf("case_id", "no such case")
		}
	}
	if e.OrganizationID != c.Staff.OrganizationID {
		chain, err := s.db.EscalationChain(ctx, e.OrganizationID)
		if err != nil {
			return err
		}
		if len(chain) == 0 {
			return accord.FieldErrorf("organization_id", "that organisation has no escalation contacts; it cannot receive escalations")
		}
		if err := s.mayJoin(ctx, c, e.ClientID, ParticipantRequest{OrganizationID: e.OrganizationID, StaffID: chain[0], Responsibility: "escalation"}, purpose); err != nil {
			return err
		}
	}
	sla, err := s.db.EscalationSLA(ctx, c.Staff.OrganizationID, e.OrganizationID, e.Urgency, s.now())
	if err != nil {
		return err
	}
	return s.db.CreateEscalation(ctx, c.Actor(), e, sla)
}

// escalationFor returns an escalation the caller may act on or see: staff
// of the responsible organisation, and whoever raised it.
func (s *Service) escalationFor(ctx context.Context, c *Caller, id string) (*accord.Escalation, error) {
	if err := c.require(clientFacing...); err != nil {
		return nil, err
	}
	e, err := s.db.FindEscalation(ctx, id)
	if err != nil {
		return nil, err
	}
	if e.OrganizationID != c.Staff.OrganizationID && e.RaisedBy != c.Staff.ID {
		return nil, accord.Errorf(accord.ENOTFOUND, "escalation not found")
	}
	return e, nil
}

// Escalation returns one escalation.
func (s *Service) Escalation(ctx context.Context, c *Caller, id string) (*accord.Escalation, error) {
	return s.escalationFor(ctx, c, id)
}

// Escalations lists the caller's organisation's live escalations.
func (s *Service) Escalations(ctx context.Context, c *Caller) ([]accord.Escalation, error) {
	if err := c.require(clientFacing...); err != nil {
		return nil, err
	}
	return s.db.Escalations(ctx, sqlstore.EscalationFilter{OrganizationID: c.Staff.OrganizationID, Live: true})
}

// AcknowledgeEscalation makes the caller the owner of an escalation of
// their organisation, stopping its climb and starting the action clock.
func (s *Service) AcknowledgeEscalation(ctx context.Context, c *Caller, id string, version int) (*accord.Escalation, error) {
	e, err := s.escalationFor(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if e.OrganizationID != c.Staff.OrganizationID {
		return nil, accord.Errorf(accord.EFORBIDDEN, "only the responsible organisation can acknowledge an escalation")
	}
	return s.db.UpdateEscalation(ctx, c.Actor(), id, version, sqlstore.EscalationChange{Acknowledge: true})
}

// ResolveEscalation closes an escalation with what was done; the raiser may
// cancel one raised in error.
func (s *Service) ResolveEscalation(ctx context.Context, c *Caller, id string, version int, resolution string, cancel bool) (*accord.Escalation, error) {
	e, err := s.escalationFor(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if !cancel && e.OrganizationID != c.Staff.OrganizationID {
		return nil, accord.Errorf(accord.EFORBIDDEN, "only the responsible organisation can resolve an escalation")
	}
	if cancel && e.RaisedBy != c.Staff.ID && !c.has(accord.RoleSupervisor) {
		return nil, accord.Errorf(accord.EFORBIDDEN, "only whoever raised an escalation, or a supervisor, can cancel it")
	}
	return s.db.UpdateEscalation(ctx, c.Actor(), id, version, sqlstore.EscalationChange{Resolve: !cancel, Cancel: cancel, Resolution: resolution})
}

// EscalationChain returns an organisation's escalation contacts.
func (s *Service) EscalationChain(ctx context.Context, c *Caller, orgID string) ([]string, map[accord.Urgency]int, error) {
	if _, err := s.db.FindOrganization(ctx, orgID); err != nil {
		return nil, nil, err
	}
	chain, err := s.db.EscalationChain(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	sla, err := s.db.OrganizationSLA(ctx, orgID)
	return chain, sla, err
}

// SetEscalationChain sets the caller's organisation's escalation contacts:
// supervisors and partnership administrators.
func (s *Service) SetEscalationChain(ctx context.Context, c *Caller, orgID string, staffIDs []string, sla map[accord.Urgency]int) error {
	if err := c.require(accord.RoleSupervisor, accord.RolePartnershipAdmin); err != nil {
		return err
	}
	if orgID != c.Staff.OrganizationID && !c.has(accord.RolePartnershipAdmin) {
		return accord.Errorf(accord.EFORBIDDEN, "a supervisor sets the escalation contacts of their own organisation")
	}
	if c.Organization.Sector.Enforcement() && orgID != c.Staff.OrganizationID {
		return accord.Errorf(accord.EFORBIDDEN, "staff of an immigration authority or a law enforcement body do not take part in the partnership's governance")
	}
	return s.db.SetEscalationChain(ctx, c.Actor(), orgID, staffIDs, sla)
}

// Work is what one staff member has to do, most pressing first.
type Work struct {
	Tasks              []accord.Task
	EscalationsWaiting []accord.Escalation // waiting for the caller to acknowledge
	EscalationsOwned   []accord.Escalation // acknowledged by the caller, to resolve
	ReferralsIncoming  []accord.Referral   // to the caller's organisation, not yet answered or assigned to the caller
	ReferralsOutgoing  []accord.Referral   // sent by the caller, not finished
	Overdue            int
	Notifications      []sqlstore.Notification
}

// MyWork returns the caller's tasks due, escalations waiting, referrals in
// and out, with overdue items first in each list.
func (s *Service) MyWork(ctx context.Context, c *Caller) (*Work, error) {
	now := s.now()
	w := &Work{}
	var err error
	if w.Tasks, err = s.db.StaffTasks(ctx, c.Staff.ID); err != nil {
		return nil, err
	}
	if w.EscalationsWaiting, err = s.db.Escalations(ctx, sqlstore.EscalationFilter{ContactID: c.Staff.ID, Live: true}); err != nil {
		return nil, err
	}
	w.EscalationsWaiting = slices.DeleteFunc(w.EscalationsWaiting, func(e accord.Escalation) bool { return e.Status != accord.EscalationOpen })
	if w.EscalationsOwned, err = s.db.Escalations(ctx, sqlstore.EscalationFilter{OwnerID: c.Staff.ID, Live: true}); err != nil {
		return nil, err
	}
	in, err := s.db.Referrals(ctx, sqlstore.ReferralFilter{ToOrgID: c.Staff.OrganizationID, Open: true})
	if err != nil {
		return nil, err
	}
	for _, r := range in {
		if r.Open() || r.AssignedTo == c.Staff.ID {
			r.Reason = ""
			w.ReferralsIncoming = append(w.ReferralsIncoming, r)
		}
	}
	out, err := s.db.Referrals(ctx, sqlstore.ReferralFilter{FromOrgID: c.Staff.OrganizationID, Open: true})
	if err != nil {
		return nil, err
	}
	for _, r := range out {
		if r.FromStaffID == c.Staff.ID {
			w.ReferralsOutgoing = append(w.ReferralsOutgoing, r)
		}
	}
	for _, t := range w.Tasks {
		if t.DueAt.Before(now) {
			w.Overdue++
		}
	}
	for _, e := range append(w.EscalationsWaiting, w.EscalationsOwned...) {
		if e.DueAt.Before(now) {
			w.Overdue++
		}
	}
	for _, r := range append(w.ReferralsIncoming, w.ReferralsOutgoing...) {
		if r.Open() && r.RespondBy.Before(now) {
			w.Overdue++
		}
	}
	if w.Notifications, err = s.db.Notifications(ctx, c.Staff.ID, 50); err != nil {
		return nil, err
	}
	return w, nil
}
