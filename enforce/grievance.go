package enforce

import (
	"context"
	"slices"
	"strings"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// Grievances. Anyone may complain: from the public page (no account), the
// client portal, or through any staff member. Who may see and answer one:
//
//   - the oversight body's auditors and privacy officers see every
//     grievance and who raised it, and may answer any (they are the
//     independent check); only they decide appeals;
//   - at the answering organisation, the staff of its first tier
//     (accord.GrievanceTiers: privacy officers, else supervisors, else
//     administrators), and one tier more each time a deadline is missed.
//     They never see who complained: name, contact, the portal client and
//     the staff member who raised it are sealed under the oversight body's
//     key and opened for oversight callers only;
//   - the person, with the tracking code or as the signed-in portal client.
//
// Every step is in the audit log as the grievance's id and the acting staff
// member ("public", "client" or "reporter" for the person): never who
// complained, never the text.

// GrievanceOrganizations returns what a complaint form offers: the
// organisations a grievance may name (every party but the oversight body)
// and the oversight body. Organisation names are not personal data.
func (s *Service) GrievanceOrganizations(ctx context.Context) ([]accord.Organization, *accord.Organization, error) {
	orgs, err := s.db.Organizations(ctx)
	if err != nil {
		return nil, nil, err
	}
	overID, err := s.db.OversightOrganization(ctx)
	if err != nil {
		return nil, nil, err
	}
	var named []accord.Organization
	var over *accord.Organization
	for i := range orgs {
		if orgs[i].ID == overID {
			over = &orgs[i]
		} else {
			named = append(named, orgs[i])
		}
	}
	return named, over, nil
}

// raise stores a grievance with a fresh tracking code and returns the
// code, formatted for people. The code is shown once; only its hash is
// kept.
func (s *Service) raise(ctx context.Context, actor accord.Actor, g *accord.Grievance) (string, error) {
	g.ID, g.Status, g.Level, g.Oversight, g.HandlerOrgID, g.OversightOrgID = "", "", 0, false, "", ""
	if g.Anonymous {
		g.ReporterName, g.ReporterContact = "", ""
	}
	g.ReporterName, g.ReporterContact = strings.TrimSpace(g.ReporterName), strings.TrimSpace(g.ReporterContact)
	code := accord.NewTrackingCode()
	canonical, _ := accord.NormalizeTrackingCode(code)
	if err := s.db.CreateGrievance(ctx, actor, g, accord.TrackingCodeHash(canonical)); err != nil {
		return "", err
	}
	return code, nil
}

// RaisePublicGrievance records a grievance from the public page. It may
// name an organisation, not a case or an agreement (the person would not
// know their numbers, and a wrong one would reach the wrong people).
func (s *Service) RaisePublicGrievance(ctx context.Context, g *accord.Grievance) (code string, err error) {
	defer accord.Wrap(&err, "RaisePublicGrievance")
	g.Channel, g.ClientID, g.RaisedBy, g.CaseID, g.AgreementID = accord.ChannelPublic, "", "", "", ""
	return s.raise(ctx, accord.Actor{StaffID: "public"}, g)
}

// RaisePortalGrievance records a grievance of a signed-in portal client,
// linked to them so that they can follow it in the portal. clientID comes
// from the portal session. The link is identity: only the oversight body
// sees it.
func (s *Service) RaisePortalGrievance(ctx context.Context, clientID string, g *accord.Grievance) (code string, err error) {
	defer accord.Wrap(&err, "RaisePortalGrievance")
	g.Channel, g.ClientID, g.RaisedBy, g.Anonymous, g.CaseID, g.AgreementID = accord.ChannelPortal, clientID, "", false, "", ""
	return s.raise(ctx, accord.Actor{StaffID: "client"}, g)
}

// RaiseGrievanceFor records a grievance a staff member raises on a
// person's behalf (any staff member may: a person may tell whoever they
// trust). It may name a case or an agreement. The staff member is recorded
// as who raised it — sealed with the person's identity, and as the actor of
// the audit entry — so staff who want to complain themselves in confidence
// use the public page.
func (s *Service) RaiseGrievanceFor(ctx context.Context, c *Caller, g *accord.Grievance) (code string, err error) {
	defer accord.Wrap(&err, "RaiseGrievanceFor")
	g.Channel, g.ClientID, g.RaisedBy = accord.ChannelStaff, "", c.Staff.ID
	return s.raise(ctx, c.Actor(), g)
}

// GrievanceReport is a grievance as the person who raised it sees it: no
// staff names (only organisations), and not their own identity either — a
// tracking code written on paper can be found by someone else.
type GrievanceReport struct {
	accord.Grievance
	Events []accord.GrievanceEvent
	// CanAppeal: there is an outcome and the person has not appealed yet.
	CanAppeal bool
	// CanAdd: the person may still add information.
	CanAdd bool
	// Attachments are the files the person attached: names and sizes,
	// not the bytes.
	Attachments []accord.GrievanceAttachment
}

// errNoGrievance is the one answer to a tracking code that finds nothing,
// malformed or unknown alike: it says nothing about which codes exist.
func errNoGrievance() error {
	return accord.FieldErrorf("code", "We could not find a complaint with this code. Check each letter and number and try again. A code has 20 letters and numbers.")
}

// GrievanceReporter names the person following a grievance: by tracking
// code, or as the signed-in portal client (ClientID from the session) with
// the grievance's id.
type GrievanceReporter struct {
	Code        string
	ClientID    string
	GrievanceID string
}

func (r GrievanceReporter) actor() accord.Actor {
	if r.ClientID != "" {
		return accord.Actor{StaffID: "client"}
	}
	return accord.Actor{StaffID: "public"}
}

// reporterGrievance finds the grievance the person may follow, or
// errNoGrievance.
func (s *Service) reporterGrievance(ctx context.Context, r GrievanceReporter) (*accord.Grievance, error) {
	if r.ClientID != "" {
		ok, err := s.db.GrievanceOfClient(ctx, r.GrievanceID, r.ClientID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, accord.Errorf(accord.ENOTFOUND, "complaint not found")
		}
		return s.db.FindGrievance(ctx, r.GrievanceID)
	}
	canonical, ok := accord.NormalizeTrackingCode(r.Code)
	if !ok {
		// Look up something all the same, so a malformed code takes as long
		// as an unknown one.
		canonical = strings.Repeat("0", accord.TrackingCodeLen)
	}
	g, err := s.db.FindGrievanceByCode(ctx, accord.TrackingCodeHash(canonical))
	if !ok || accord.ErrorCode(err) == accord.ENOTFOUND {
		return nil, errNoGrievance()
	}
	return g, err
}

// FollowGrievance returns the person's view of their grievance, and
// records that it was looked at.
func (s *Service) FollowGrievance(ctx context.Context, r GrievanceReporter) (*GrievanceReport, error) {
	g, err := s.reporterGrievance(ctx, r)
	if err != nil {
		return nil, err
	}
	rep, err := s.report(ctx, g)
	if err != nil {
		return nil, err
	}
	e := changeEntryFor(r.actor(), "grievance.follow", g.ID)
	e.Kind = accord.AuditExport
	return rep, s.db.AppendAudit(ctx, e)
}

func changeEntryFor(a accord.Actor, action, object string) accord.AuditEntry {
	return accord.AuditEntry{Kind: accord.AuditChange, ActorID: a.StaffID, ActorOrganizationID: a.OrganizationID, Action: action, ObjectID: object}
}

func (s *Service) report(ctx context.Context, g *accord.Grievance) (*GrievanceReport, error) {
	evs, err := s.db.GrievanceEvents(ctx, g.ID)
	if err != nil {
		return nil, err
	}
	for i := range evs {
		if evs[i].ActorID != "reporter" && evs[i].ActorID != "system" {
			evs[i].ActorID = "staff"
		}
	}
	atts, err := s.db.GrievanceAttachments(ctx, g.ID)
	if err != nil {
		return nil, err
	}
	g.ReporterName, g.ReporterContact, g.ClientID, g.RaisedBy, g.Channel = "", "", "", "", ""
	return &GrievanceReport{Grievance: *g, Events: evs, Attachments: atts,
		CanAppeal: g.Status == accord.GrievanceResolved && g.AppealedAt == nil,
		CanAdd:    g.Status != accord.GrievanceClosed}, nil
}

// AddGrievanceInfo adds what the person wants to add, with files
// (accord.PrepareGrievanceAttachment) when they attached some; whoever must
// answer is told.
func (s *Service) AddGrievanceInfo(ctx context.Context, r GrievanceReporter, text string, files []accord.GrievanceAttachment) (*GrievanceReport, error) {
	g, err := s.reporterGrievance(ctx, r)
	if err != nil {
		return nil, err
	}
	g2, err := s.db.UpdateGrievance(ctx, r.actor(), g.ID, 0, sqlstore.GrievanceChange{Kind: accord.GrievanceEventInfo, Text: text, Attachments: files})
	if err != nil {
		return nil, err
	}
	g2.Description = g.Description
	return s.report(ctx, g2)
}

// AppealGrievance appeals an outcome to the oversight body: once.
func (s *Service) AppealGrievance(ctx context.Context, r GrievanceReporter, reason string) (*GrievanceReport, error) {
	g, err := s.reporterGrievance(ctx, r)
	if err != nil {
		return nil, err
	}
	g2, err := s.db.UpdateGrievance(ctx, r.actor(), g.ID, 0, sqlstore.GrievanceChange{Kind: accord.GrievanceEventAppeal, Text: reason})
	if err != nil {
		return nil, err
	}
	g2.Description = g.Description
	return s.report(ctx, g2)
}

// ClientGrievances lists the grievances a portal client raised there.
func (s *Service) ClientGrievances(ctx context.Context, clientID string) ([]accord.Grievance, error) {
	return s.db.Grievances(ctx, sqlstore.GrievanceFilter{ClientID: clientID})
}

// GrievanceAccess is what a staff member may do with one grievance.
type GrievanceAccess struct {
	Oversight bool // an oversight officer: sees who complained, decides appeals
	Answer    bool // may acknowledge, message and record the outcome
}

// grievanceAccess decides what c may do with g: ENOTFOUND for staff who may
// not see it at all (it does not say whether it exists).
func (s *Service) grievanceAccess(ctx context.Context, c *Caller, g *accord.Grievance) (GrievanceAccess, error) {
	if c.oversight() {
		return GrievanceAccess{Oversight: true, Answer: true}, nil
	}
	if c.Staff.OrganizationID == g.HandlerOrgID {
		tiers, err := s.db.GrievanceTiers(ctx, g.HandlerOrgID)
		if err != nil {
			return GrievanceAccess{}, err
		}
		if slices.Contains(accord.GrievanceHandlers(tiers, g.Level), c.Staff.ID) {
			return GrievanceAccess{Answer: g.Status != accord.GrievanceAppealed && g.Status != accord.GrievanceClosed}, nil
		}
	}
	return GrievanceAccess{}, accord.Errorf(accord.ENOTFOUND, "complaint not found")
}

// HandlesGrievances reports whether the caller answers grievances at all
// (in a tier of their organisation, or as an oversight officer), to show or
// hide the queue, and whether they are the oversight body.
func (s *Service) HandlesGrievances(ctx context.Context, c *Caller) (handles, oversight bool, err error) {
	if c.oversight() {
		return true, true, nil
	}
	tiers, err := s.db.GrievanceTiers(ctx, c.Staff.OrganizationID)
	if err != nil {
		return false, false, err
	}
	for _, t := range tiers {
		if slices.Contains(t, c.Staff.ID) {
			return true, false, nil
		}
	}
	return false, false, nil
}

// GrievanceQueue lists the grievances the caller may answer (open ones
// unless all), overdue first, then soonest due. The oversight body sees
// every grievance.
func (s *Service) GrievanceQueue(ctx context.Context, c *Caller, all bool) ([]accord.Grievance, error) {
	f := sqlstore.GrievanceFilter{Open: !all}
	if !c.oversight() {
		f.HandlerOrgID = c.Staff.OrganizationID
	}
	gs, err := s.db.Grievances(ctx, f)
	if err != nil {
		return nil, err
	}
	if !c.oversight() {
		tiers, err := s.db.GrievanceTiers(ctx, c.Staff.OrganizationID)
		if err != nil {
			return nil, err
		}
		gs = slices.DeleteFunc(gs, func(g accord.Grievance) bool {
			return !slices.Contains(accord.GrievanceHandlers(tiers, g.Level), c.Staff.ID)
		})
	}
	now := s.now()
	slices.SortStableFunc(gs, func(a, b accord.Grievance) int {
		ao, bo := a.Status.Open() && (a.Overdue || now.After(a.DueAt)), b.Status.Open() && (b.Overdue || now.After(b.DueAt))
		switch {
		case ao && !bo:
			return -1
		case bo && !ao:
			return 1
		}
		return a.DueAt.Compare(b.DueAt)
	})
	return gs, nil
}

// GrievanceDetail is a grievance as a staff member who may answer it sees
// it. Who complained is filled in for the oversight body only.
type GrievanceDetail struct {
	accord.Grievance
	Events []accord.GrievanceEvent
	Access GrievanceAccess
	// Attachments are the files the person attached (without their bytes;
	// GrievanceAttachment downloads one).
	Attachments []accord.GrievanceAttachment
	// Names maps the staff and organisation ids of the events to names.
	Names map[string]string
}

// Grievance returns one grievance for a staff member who may see it; the
// read is recorded (an export: who complained is personal data).
func (s *Service) Grievance(ctx context.Context, c *Caller, id string) (*GrievanceDetail, error) {
	g, err := s.db.FindGrievance(ctx, id)
	if err != nil {
		return nil, err
	}
	acc, err := s.grievanceAccess(ctx, c, g)
	if err != nil {
		return nil, err
	}
	if acc.Oversight {
		if err := s.db.OpenGrievanceReporter(ctx, g); err != nil {
			return nil, err
		}
	}
	evs, err := s.db.GrievanceEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	atts, err := s.db.GrievanceAttachments(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &GrievanceDetail{Grievance: *g, Events: evs, Access: acc, Attachments: atts, Names: map[string]string{}}
	n := newNames(s.db, &s.orgs)
	for _, e := range evs {
		if strings.HasPrefix(e.ActorID, accord.PrefixStaff+"_") {
			if _, ok := d.Names[e.ActorID]; !ok {
				if st, err := s.db.FindStaff(ctx, e.ActorID); err == nil {
					d.Names[e.ActorID] = st.DisplayName
				}
			}
		}
	}
	for _, o := range []string{g.OrganizationID, g.HandlerOrgID, g.OversightOrgID} {
		if o != "" {
			d.Names[o] = n.org(ctx, o)
		}
	}
	if g.RaisedBy != "" {
		if st, err := s.db.FindStaff(ctx, g.RaisedBy); err == nil {
			d.Names[g.RaisedBy] = st.DisplayName
		}
	}
	e := changeEntryFor(c.Actor(), "grievance.view", id)
	e.Kind, e.RequestID = accord.AuditExport, c.RequestID
	return d, s.db.AppendAudit(ctx, e)
}

// GrievanceAttachment returns one file attached to grievance id, with its
// bytes, for a staff member who may read the grievance (its answering
// officers and the oversight body). Each download is recorded as an
// export of the attachment, by id.
func (s *Service) GrievanceAttachment(ctx context.Context, c *Caller, id, attachmentID string) (*accord.GrievanceAttachment, error) {
	g, err := s.db.FindGrievance(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.grievanceAccess(ctx, c, g); err != nil {
		return nil, err
	}
	a, err := s.db.GrievanceAttachment(ctx, id, attachmentID)
	if err != nil {
		return nil, err
	}
	e := changeEntryFor(c.Actor(), "grievance.attachment.download", a.ID)
	e.Kind, e.RequestID = accord.AuditExport, c.RequestID
	if err := s.db.AppendAudit(ctx, e); err != nil {
		return nil, err
	}
	return a, nil
}

// answer checks c may answer grievance id and records the step.
func (s *Service) answer(ctx context.Context, c *Caller, id string, version int, ch sqlstore.GrievanceChange) (*accord.Grievance, error) {
	g, err := s.db.FindGrievance(ctx, id)
	if err != nil {
		return nil, err
	}
	acc, err := s.grievanceAccess(ctx, c, g)
	if err != nil {
		return nil, err
	}
	if !acc.Answer {
		return nil, accord.Errorf(accord.EFORBIDDEN, "this complaint is with the oversight body now; only it can answer")
	}
	if ch.Kind == accord.GrievanceEventAppealOutcome && !acc.Oversight {
		return nil, accord.Errorf(accord.EFORBIDDEN, "only the oversight body's auditors and privacy officers may do this")
	}
	return s.db.UpdateGrievance(ctx, c.Actor(), id, version, ch)
}

// AcknowledgeGrievance tells the person their grievance is being looked
// into. The deadline still runs until there is an outcome.
func (s *Service) AcknowledgeGrievance(ctx context.Context, c *Caller, id string, version int) (*accord.Grievance, error) {
	return s.answer(ctx, c, id, version, sqlstore.GrievanceChange{Kind: accord.GrievanceEventAcknowledged})
}

// MessageGrievance sends the person a message, which they read when they
// follow the grievance.
func (s *Service) MessageGrievance(ctx context.Context, c *Caller, id, text string) (*accord.Grievance, error) {
	return s.answer(ctx, c, id, 0, sqlstore.GrievanceChange{Kind: accord.GrievanceEventMessage, Text: text})
}

// RecordGrievanceOutcome records what was found and the remedy: the
// outcome of an open grievance, or — by the oversight body — the decision
// on an appeal, which is final.
func (s *Service) RecordGrievanceOutcome(ctx context.Context, c *Caller, id string, version int, outcome accord.GrievanceOutcome, findings, remedy string) (*accord.Grievance, error) {
	g, err := s.db.FindGrievance(ctx, id)
	if err != nil {
		return nil, err
	}
	kind := accord.GrievanceEventOutcome
	if g.Status == accord.GrievanceAppealed {
		kind = accord.GrievanceEventAppealOutcome
	}
	return s.answer(ctx, c, id, version, sqlstore.GrievanceChange{Kind: kind, Outcome: outcome, Text: findings, Remedy: remedy})
}
