package enforce

import (
	"context"
	"slices"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// ParticipantRequest names an organisation to bring into a case.
type ParticipantRequest struct {
	OrganizationID string
	StaffID        string
	Responsibility string
}

// OpenCase opens a joint case for a client the caller may see, led by the
// caller's organisation. Every other participant must be allowed to see the
// client for purpose — the decision point is asked, as it would be for any
// disclosure, and a refusal says why.
func (s *Service) OpenCase(ctx context.Context, c *Caller, clientID, title string, parts []ParticipantRequest, purpose accord.Purpose) (_ *accord.Case, err error) {
	defer accord.Wrap(&err, "OpenCase")
	if err := c.require(clientFacing...); err != nil {
		return nil, err
	}
	if _, err := s.seeClient(ctx, c, clientID, purpose); err != nil {
		return nil, err
	}
	cs := &accord.Case{ClientID: clientID, Title: title, LeadOrganizationID: c.Staff.OrganizationID, OpenedBy: c.Staff.ID,
		Participants: []accord.Participant{{OrganizationID: c.Staff.OrganizationID, StaffID: c.Staff.ID, Responsibility: "lead"}}}
	if err := cs.Validate(); err != nil {
		return nil, err
	}
	for i, p := range parts {
		if p.OrganizationID == c.Staff.OrganizationID || slices.ContainsFunc(parts[:i], func(q ParticipantRequest) bool { return q.OrganizationID == p.OrganizationID }) {
			return nil, accord.FieldErrorf("participants", "an organisation is listed twice")
		}
		if err := s.mayJoin(ctx, c, clientID, p, purpose); err != nil {
			return nil, err
		}
		cs.Participants = append(cs.Participants, accord.Participant{OrganizationID: p.OrganizationID, StaffID: p.StaffID, Responsibility: p.Responsibility})
	}
	if err := s.db.CreateCase(ctx, c.Actor(), cs); err != nil {
		return nil, err
	}
	return cs, s.feed.Sync(ctx)
}

// mayJoin asks the decision point whether the participant's staff member may
// see the client's demographics for purpose: joining a case discloses it.
func (s *Service) mayJoin(ctx context.Context, c *Caller, clientID string, p ParticipantRequest, purpose accord.Purpose) error {
	if err := accord.CheckText("responsibility", p.Responsibility, 500, true); err != nil {
		return err
	}
	st, err := s.db.FindStaff(ctx, p.StaffID)
	if err != nil || st.OrganizationID != p.OrganizationID || !st.Active {
		return accord.FieldErrorf("participants", "no active staff member %s at organisation %s", p.StaffID, p.OrganizationID)
	}
	org, err := s.db.FindOrganization(ctx, st.OrganizationID)
	if err != nil {
		return err
	}
	client, err := s.db.FindClient(ctx, clientID)
	if err != nil {
		return err
	}
	d, err := s.decider(ctx, c)
	if err != nil {
		return err
	}
	d.action = "case.join"
	actor := accord.Actor{StaffID: st.ID, OrganizationID: st.OrganizationID, Sector: org.Sector, Roles: st.RoleSet()}
	dec := d.decide(ctx, actor, clientID, client.HomeOrganizationID, accord.CatDemographics, nil, purpose)
	if err := d.record(ctx, nil); err != nil {
		return err
	}
	if !dec.Decision.Permitted() {
		e := &accord.Error{Code: accord.EDENIED, Field: "participants", Format: "%s cannot join this case. %s", Args: []any{org.Name, dec.Explanation}}
		return &Denied{Decided: dec, err: e}
	}
	return nil
}

// caseFor returns a case the caller's organisation works and the caller may
// see the client of, else ENOTFOUND (a case's existence is itself
// information about the client).
func (s *Service) caseFor(ctx context.Context, c *Caller, caseID string, purpose accord.Purpose) (*accord.Case, error) {
	cs, err := s.db.FindCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if !cs.Participates(c.Staff.OrganizationID) {
		return nil, accord.Errorf(accord.ENOTFOUND, "case not found")
	}
	if _, err := s.seeClient(ctx, c, cs.ClientID, purpose); err != nil {
		return nil, err
	}
	return cs, nil
}

// Case returns a case the caller works.
func (s *Service) Case(ctx context.Context, c *Caller, caseID string, purpose accord.Purpose) (*accord.Case, error) {
	if err := checkPurpose(purpose); err != nil {
		return nil, err
	}
	return s.caseFor(ctx, c, caseID, purpose)
}

// ClientCases returns the ids of a client's cases the caller's organisation works.
func (s *Service) ClientCases(ctx context.Context, c *Caller, clientID string, purpose accord.Purpose) ([]string, error) {
	if _, err := s.seeClient(ctx, c, clientID, purpose); err != nil {
		return nil, err
	}
	return s.db.ClientCases(ctx, clientID, c.Staff.OrganizationID)
}

// CaseUpdate is a change to a case at a version (from its ETag).
type CaseUpdate struct {
	Version        int
	AddParticipant *ParticipantRequest
	AddGoal        string
	SetGoal        *accord.Goal
	AddOutcome     *accord.Outcome
	Close          bool
	CloseReason    string
	// CloseDespiteEscalations must be given to close a case whose urgent
	// escalations are still live: it says why closing is right anyway.
	CloseDespiteEscalations string
}

// UpdateCase changes a case the caller works.
func (s *Service) UpdateCase(ctx context.Context, c *Caller, caseID string, u CaseUpdate, purpose accord.Purpose) (_ *accord.Case, err error) {
	defer accord.Wrap(&err, "UpdateCase(%s)", caseID)
	if err := c.require(clientFacing...); err != nil {
		return nil, err
	}
	if err := checkPurpose(purpose); err != nil {
		return nil, err
	}
	cs, err := s.caseFor(ctx, c, caseID, purpose)
	if err != nil {
		return nil, err
	}
	var ch sqlstore.CaseChange
	switch {
	case u.AddParticipant != nil:
		p := *u.AddParticipant
		if err := s.mayJoin(ctx, c, cs.ClientID, p, purpose); err != nil {
			return nil, err
		}
		ch.AddParticipant = &accord.Participant{OrganizationID: p.OrganizationID, StaffID: p.StaffID, Responsibility: p.Responsibility}
	case u.AddGoal != "":
		if err := accord.CheckText("text", u.AddGoal, 500, true); err != nil {
			return nil, err
		}
		ch.AddGoal = &accord.Goal{Text: u.AddGoal}
	case u.SetGoal != nil:
		if !slices.Contains([]accord.GoalStatus{accord.GoalOpen, accord.GoalAchieved, accord.GoalDropped}, u.SetGoal.Status) {
			return nil, accord.FieldErrorf("status", "status must be open, achieved or dropped")
		}
		ch.SetGoal = u.SetGoal
	case u.AddOutcome != nil:
		if err := u.AddOutcome.Validate(); err != nil {
			return nil, err
		}
		ch.AddOutcome = u.AddOutcome
	case u.Close:
		if err := accord.CheckText("reason", u.CloseReason, 2000, true); err != nil {
			return nil, err
		}
		live, err := s.db.Escalations(ctx, sqlstore.EscalationFilter{CaseID: cs.ID, Live: true})
		if err != nil {
			return nil, err
		}
		if len(live) > 0 && u.CloseDespiteEscalations == "" {
			return nil, &accord.Error{Code: accord.ECONFLICT, Field: "close_despite_escalations",
				Format: "this case still has open urgent escalations (%d); resolve them, or say why the case closes anyway", Args: []any{len(live)}}
		}
		reason := u.CloseReason
		if len(live) > 0 {
			reason += "\n\n" + u.CloseDespiteEscalations
		}
		ch.Close, ch.CloseReason = true, reason
	default:
		return nil, accord.Errorf(accord.EINVALID, "nothing to change")
	}
	out, err := s.db.UpdateCase(ctx, c.Actor(), cs.ID, u.Version, ch)
	if err != nil {
		return nil, err
	}
	return out, s.feed.Sync(ctx)
}

// Timeline returns a case's events after seq.
func (s *Service) Timeline(ctx context.Context, c *Caller, caseID string, after int64, limit int, purpose accord.Purpose) ([]accord.CaseEvent, error) {
	if err := checkPurpose(purpose); err != nil {
		return nil, err
	}
	if _, err := s.caseFor(ctx, c, caseID, purpose); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 5000 {
		limit = 5000
	}
	return s.db.CaseEvents(ctx, caseID, after, limit)
}

// CreateTask adds a task to a case the caller works.
func (s *Service) CreateTask(ctx context.Context, c *Caller, t *accord.Task, purpose accord.Purpose) error {
	if err := c.require(clientFacing...); err != nil {
		return err
	}
	if err := checkPurpose(purpose); err != nil {
		return err
	}
	if _, err := s.caseFor(ctx, c, t.CaseID, purpose); err != nil {
		return err
	}
	return s.db.CreateTask(ctx, c.Actor(), t)
}

// CaseTasks lists a case's tasks.
func (s *Service) CaseTasks(ctx context.Context, c *Caller, caseID string, purpose accord.Purpose) ([]accord.Task, error) {
	if _, err := s.Case(ctx, c, caseID, purpose); err != nil {
		return nil, err
	}
	return s.db.CaseTasks(ctx, caseID)
}

// SetTaskStatus moves a task of a case the caller works.
func (s *Service) SetTaskStatus(ctx context.Context, c *Caller, taskID string, version int, to accord.TaskStatus, purpose accord.Purpose) (*accord.Task, error) {
	if err := c.require(clientFacing...); err != nil {
		return nil, err
	}
	if err := checkPurpose(purpose); err != nil {
		return nil, err
	}
	if !slices.Contains([]accord.TaskStatus{accord.TaskOpen, accord.TaskInProgress, accord.TaskDone, accord.TaskCancelled}, to) {
		return nil, accord.FieldErrorf("status", "status must be open, in_progress, done or cancelled")
	}
	t, err := s.db.FindTask(ctx, taskID)
	if err != nil {
		return nil, err
	}
	if _, err := s.caseFor(ctx, c, t.CaseID, purpose); err != nil {
		return nil, err
	}
	return s.db.SetTaskStatus(ctx, c.Actor(), taskID, version, to)
}

// AddCaseNote adds a note to a case: a record of the given category held by
// the caller's organisation. As for any record, the caller must be allowed
// to read what they write.
func (s *Service) AddCaseNote(ctx context.Context, c *Caller, caseID string, r *accord.Record, purpose accord.Purpose) error {
	cs, err := s.Case(ctx, c, caseID, purpose)
	if err != nil {
		return err
	}
	if cs.Status != accord.CaseOpen {
		return accord.Errorf(accord.ECONFLICT, "this case is closed")
	}
	r.ClientID, r.CaseID = cs.ClientID, cs.ID
	return s.CreateRecord(ctx, c, r, purpose)
}

// CaseNotes returns a case's notes the caller may read, and for each group
// withheld, why: a privileged legal note is never shown to the health
// partner, a clinical note only to whom the rules allow.
func (s *Service) CaseNotes(ctx context.Context, c *Caller, caseID string, purpose accord.Purpose) (*RecordsView, error) {
	cs, err := s.Case(ctx, c, caseID, purpose)
	if err != nil {
		return nil, err
	}
	groups, err := s.db.CaseRecordGroups(ctx, cs.ID)
	if err != nil {
		return nil, err
	}
	d, err := s.decider(ctx, c)
	if err != nil {
		return nil, err
	}
	var ids []string
	v := &RecordsView{}
	for _, g := range groups {
		dec := d.decide(ctx, c.Actor(), cs.ClientID, g.HolderID, g.Category, g.Sensitivity, purpose)
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
	if len(ids) > 0 {
		if v.Records, err = s.db.OpenRecords(ctx, cs.ClientID, ids); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// RecordConference records a case conference or debrief.
func (s *Service) RecordConference(ctx context.Context, c *Caller, cf *accord.Conference, purpose accord.Purpose) error {
	if err := c.require(clientFacing...); err != nil {
		return err
	}
	if _, err := s.Case(ctx, c, cf.CaseID, purpose); err != nil {
		return err
	}
	return s.db.CreateConference(ctx, c.Actor(), cf)
}

// Conferences lists a case's conferences and debriefs.
func (s *Service) Conferences(ctx context.Context, c *Caller, caseID string, purpose accord.Purpose) ([]accord.Conference, error) {
	if _, err := s.Case(ctx, c, caseID, purpose); err != nil {
		return nil, err
	}
	return s.db.CaseConferences(ctx, caseID)
}

// AddToCareTeam puts a colleague (of the caller's own organisation) on a
// client's care team: the client's clinician after an appointment, say.
// The caller must be able to see the client.
func (s *Service) AddToCareTeam(ctx context.Context, c *Caller, clientID, staffID string, purpose accord.Purpose) error {
	if err := c.require(clientFacing...); err != nil {
		return err
	}
	if _, err := s.seeClient(ctx, c, clientID, purpose); err != nil {
		return err
	}
	st, err := s.db.FindStaff(ctx, staffID)
	if err != nil || st.OrganizationID != c.Staff.OrganizationID || !st.Active {
		return accord.FieldErrorf("staff_id", "name an active colleague of your own organisation")
	}
	if err := s.db.AddCareTeam(ctx, c.Actor(), clientID, staffID); err != nil {
		return err
	}
	return s.feed.Sync(ctx)
}
