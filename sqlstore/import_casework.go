package sqlstore

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/accord-project/accord"
)

// Casework as it stands, for the demo's history or data migrated from
// another system: each object arrives with its own times, in whatever
// state it reached. Free text is sealed as by the Create methods. Objects
// still waiting for someone get their timer; finished ones get none.

var referralStatuses = []accord.ReferralStatus{accord.ReferralSent, accord.ReferralReceived, accord.ReferralAccepted, accord.ReferralDeclined,
	accord.ReferralInProgress, accord.ReferralCompleted, accord.ReferralCancelled}

// Referral imports a referral sent at r.SentAt and now at r.Status:
// accepted at acceptedAt and completed at completedAt when those are not
// zero; declined or cancelled at r.UpdatedAt. RespondBy defaults to the
// urgency's response time after sending, UpdatedAt to the latest time
// given.
func (im *Importer) Referral(r *accord.Referral, acceptedAt, completedAt time.Time) error {
	if r.ID == "" {
		r.ID = accord.NewID(accord.PrefixReferral, nil)
	}
	if r.SentAt.IsZero() {
		r.SentAt = im.tx.now
	}
	if r.RespondBy.IsZero() {
		r.RespondBy = r.SentAt.Add(r.Urgency.ResponseTime())
	}
	for _, t := range []time.Time{r.SentAt, acceptedAt, completedAt} {
		if t.After(r.UpdatedAt) {
			r.UpdatedAt = t
		}
	}
	r.Version = max(r.Version, 1)
	if err := r.Validate(r.SentAt); err != nil {
		return err
	}
	if !slices.Contains(referralStatuses, r.Status) {
		return accord.FieldErrorf("status", "unknown referral status %q", string(r.Status))
	}
	reason, err := im.sealText(r.ClientID, r.FromOrgID, "referral/"+r.ID+"/reason", r.Reason)
	if err != nil {
		return err
	}
	statusReason, err := im.sealText(r.ClientID, r.ToOrgID, "referral/"+r.ID+"/status_reason", r.StatusReason)
	if err != nil {
		return err
	}
	if _, err := im.tx.ExecContext(im.ctx, `INSERT INTO referrals (id, client_id, case_id, from_org_id, from_staff_id, to_org_id, service_id, purpose,
		categories, reason, urgency, status, status_reason, assigned_to, respond_by, sent_at, updated_at, version, accepted_at, completed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		r.ID, r.ClientID, r.CaseID, r.FromOrgID, r.FromStaffID, r.ToOrgID, r.ServiceID, r.Purpose, jsonValue(r.Categories), reason, r.Urgency,
		r.Status, statusReason, r.AssignedTo, us(r.RespondBy), us(r.SentAt), us(r.UpdatedAt), r.Version, optionalUS(acceptedAt), optionalUS(completedAt)); err != nil {
		return err
	}
	im.counts++
	if r.Open() {
		return im.db.applyEffects(im.ctx, im.tx, Effects{Timers: []Timer{{Kind: TimerReferralResponse, SubjectID: r.ID, DueAt: r.RespondBy}}})
	}
	return nil
}

// sealText is DB.sealText with the client keys of the import kept.
func (im *Importer) sealText(clientID, orgID, aad, text string) ([]byte, error) {
	if text == "" {
		return nil, nil
	}
	k := [2]string{clientID, orgID}
	key, ok := im.keys[k]
	if !ok {
		var err error
		if key, err = im.db.clientKey(im.ctx, im.tx, clientID, orgID, true); err != nil {
			return nil, err
		}
		if im.keys == nil {
			im.keys = map[[2]string][]byte{}
		}
		im.keys[k] = key
	}
	return sealSeal(key, []byte(text), aad)
}

// optionalUS stores a zero time as NULL.
func optionalUS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return us(t)
}

// Escalation imports an escalation as it stands: raised by e.RaisedBy at
// e.RaisedAt with e.SLASeconds to acknowledge, at e.Level of the
// responsible organisation's chain (ContactID), acknowledged and resolved
// when those times are set. A live one gets its timer at e.DueAt.
func (im *Importer) Escalation(e *accord.Escalation) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if e.ID == "" {
		e.ID = accord.NewID(accord.PrefixEscalation, nil)
	}
	if e.RaisedAt.IsZero() || e.SLASeconds <= 0 || e.ContactID == "" || e.RaisedBy == "" {
		return errors.New("an imported escalation needs its raising time, clock, contact and who raised it")
	}
	if e.DueAt.IsZero() {
		e.DueAt = e.RaisedAt.Add(time.Duration(e.SLASeconds) * time.Second)
	}
	e.Version = max(e.Version, 1)
	summary, err := im.sealText(e.ClientID, e.OrganizationID, "escalation/"+e.ID+"/summary", e.Summary)
	if err != nil {
		return err
	}
	resolution, err := im.sealText(e.ClientID, e.OrganizationID, "escalation/"+e.ID+"/resolution", e.Resolution)
	if err != nil {
		return err
	}
	if _, err := im.tx.ExecContext(im.ctx, `INSERT INTO escalations (id, client_id, case_id, kind, urgency, summary, organization_id, raised_by, raised_at,
		level, contact_id, due_at, sla_seconds, status, owner_id, acknowledged_at, resolved_at, resolution, exhausted, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		e.ID, e.ClientID, e.CaseID, e.Kind, e.Urgency, summary, e.OrganizationID, e.RaisedBy, us(e.RaisedAt), e.Level, e.ContactID, us(e.DueAt),
		e.SLASeconds, e.Status, e.OwnerID, nullUS(e.AcknowledgedAt), nullUS(e.ResolvedAt), resolution, e.Exhausted, e.Version); err != nil {
		return err
	}
	im.counts++
	switch e.Status {
	case accord.EscalationOpen:
		return im.db.applyEffects(im.ctx, im.tx, Effects{Timers: []Timer{{Kind: TimerEscalationAck, SubjectID: e.ID, DueAt: e.DueAt}}})
	case accord.EscalationAcknowledged:
		return im.db.applyEffects(im.ctx, im.tx, Effects{Timers: []Timer{{Kind: TimerEscalationAction, SubjectID: e.ID, DueAt: e.DueAt}}})
	}
	return nil
}

// Grievance imports a grievance received at g.ReceivedAt and now at
// g.Status, with the hash of its tracking code and what happened to it
// (events, oldest first, each with its time; a received event is added
// when missing). It is routed as a new one is; its first deadline is the
// category's unless g.DueAt says. An open one gets its timer. Its files
// (g.Attachments, prepared with accord.PrepareGrievanceAttachment) are
// stored as sent when it was received.
func (im *Importer) Grievance(g *accord.Grievance, codeHash []byte, events []accord.GrievanceEvent) error {
	if err := g.Validate(); err != nil {
		return err
	}
	if err := accord.CheckGrievanceAttachments(g.Attachments); err != nil {
		return err
	}
	if len(codeHash) != sha256.Size {
		return errors.New("a grievance needs the hash of its tracking code")
	}
	ctx, tx := im.ctx, im.tx
	over, err := oversightOrg(ctx, tx)
	if err != nil {
		return err
	}
	hasOfficers := false
	if g.OrganizationID != "" {
		tiers, err := grievanceTiers(ctx, tx, g.OrganizationID)
		if err != nil {
			return err
		}
		hasOfficers = len(tiers) > 0
	}
	g.Route(over, hasOfficers)
	if g.ID == "" {
		g.ID = accord.NewID(accord.PrefixGrievance, nil)
	}
	if g.ReceivedAt.IsZero() {
		g.ReceivedAt = tx.now
	}
	if g.DueAt.IsZero() {
		g.DueAt = accord.AddWorkingDays(g.ReceivedAt, g.Category.ResponseDays())
	}
	if g.Channel == "" {
		g.Channel = accord.ChannelPublic
	}
	g.Version = max(g.Version, 1)
	row := &grievanceRow{Grievance: *g}
	tkey, tv, err := im.db.orgKey(ctx, tx, g.HandlerOrgID, 0)
	if err != nil {
		return err
	}
	row.textKeyVersion = tv
	if row.description, err = sealSeal(tkey, []byte(g.Description), "grievance/"+g.ID+"/description"); err != nil {
		return err
	}
	rkey, rv, err := im.db.orgKey(ctx, tx, over, 0)
	if err != nil {
		return err
	}
	row.reporterKeyVersion = rv
	who, _ := json.Marshal(grievanceReporter{Name: g.ReporterName, Contact: g.ReporterContact, ClientID: g.ClientID, RaisedBy: g.RaisedBy})
	if row.reporter, err = sealSeal(rkey, who, "grievance/"+g.ID+"/reporter"); err != nil {
		return err
	}
	clientRef := ""
	if g.ClientID != "" {
		key, err := im.db.matchKey(ctx, tx)
		if err != nil {
			return err
		}
		clientRef = grievanceClientRef(key, g.ClientID)
	}
	if _, err := im.tx.ExecContext(im.ctx, `INSERT INTO grievances (id, code_hash, category, channel, organization_id, case_id, agreement_id, oversight_only,
		anonymous, handler_org_id, oversight_org_id, oversight, level, overdue, text_key_version, description, reporter_key_version, reporter, client_ref,
		status, received_at, due_at, acknowledged_at, resolved_at, outcome, appealed_at, appeal_outcome, closed_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)`,
		g.ID, codeHash, string(g.Category), g.Channel, g.OrganizationID, g.CaseID, g.AgreementID, g.OversightOnly, g.Anonymous,
		g.HandlerOrgID, g.OversightOrgID, g.Oversight, g.Level, g.Overdue, row.textKeyVersion, row.description, row.reporterKeyVersion, row.reporter,
		clientRef, string(g.Status), us(g.ReceivedAt), us(g.DueAt), nullUS(g.AcknowledgedAt), nullUS(g.ResolvedAt), string(g.Outcome),
		nullUS(g.AppealedAt), string(g.AppealOutcome), nullUS(g.ClosedAt), g.Version); err != nil {
		return err
	}
	if len(events) == 0 || events[0].Kind != accord.GrievanceEventReceived {
		events = append([]accord.GrievanceEvent{{Kind: accord.GrievanceEventReceived, ActorID: "reporter", At: g.ReceivedAt}}, events...)
	}
	for i := range events {
		if err := im.db.addGrievanceEvent(ctx, tx, row, &events[i]); err != nil {
			return err
		}
	}
	if err := im.db.addGrievanceAttachments(ctx, tx, row, "", g.ReceivedAt, g.Attachments); err != nil {
		return err
	}
	im.counts++
	if g.Status.Open() {
		return im.db.applyEffects(ctx, tx, Effects{Timers: []Timer{{Kind: TimerGrievanceDue, SubjectID: g.ID, DueAt: g.DueAt}}})
	}
	return nil
}

// Screening imports a screening recorded by s.RecordedBy at s.RecordedAt
// (the import's time when zero), sealing its response.
func (im *Importer) Screening(s *Screening) error {
	if s.ID == "" {
		s.ID = accord.NewID(accord.PrefixScreening, nil)
	}
	if s.RecordedAt.IsZero() {
		s.RecordedAt = im.tx.now
	}
	if s.Needs == nil {
		s.Needs = []ScreenedNeed{}
	}
	resp, err := im.sealText(s.ClientID, s.OrganizationID, "screening/"+s.ID, string(s.Response))
	if err != nil {
		return err
	}
	if _, err := im.tx.ExecContext(im.ctx, `INSERT INTO screenings (id, client_id, organization_id, questionnaire, response, needs, language, interpreter_used,
		recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, s.ID, s.ClientID, s.OrganizationID, s.Questionnaire, nonNilBytes(resp),
		jsonValue(s.Needs), s.Language, s.InterpreterUsed, s.RecordedBy, us(s.RecordedAt)); err != nil {
		return err
	}
	im.counts++
	return nil
}
