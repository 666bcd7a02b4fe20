package enforce

import (
	"context"
	"time"

	"github.com/accord-project/accord"
)

// RecordLegalBasis records a court order or statutory duty served on the
// caller's organisation: it discloses that organisation's data only. The
// oversight body may record one for any holder, which it must name.
// Privacy officers record them, never those of an immigration authority or
// law enforcement body (the recipients); each is queued for review.
// Emergency access is BreakGlass, not this.
func (s *Service) RecordLegalBasis(ctx context.Context, c *Caller, b *accord.LegalBasis) (err error) {
	defer accord.Wrap(&err, "RecordLegalBasis")
	if err := c.requireGovernance(accord.RolePrivacyOfficer); err != nil {
		return err
	}
	if b.Kind == accord.BasisEmergency {
		return accord.FieldErrorf("kind", "emergency access is recorded through break-glass, by the clinician who needs it")
	}
	if b.RecipientOrganizationID == c.Staff.OrganizationID {
		return accord.FieldErrorf("recipient_organization_id", "a legal basis is recorded by the organisation that discloses, not by the recipient")
	}
	switch {
	case c.oversight():
		if b.HolderOrganizationID == "" {
			return accord.FieldErrorf("holder_organization_id", "name the organisation whose data the order discloses")
		}
	case b.HolderOrganizationID == "":
		b.HolderOrganizationID = c.Staff.OrganizationID
	case b.HolderOrganizationID != c.Staff.OrganizationID:
		return accord.FieldErrorf("holder_organization_id", "an organisation records the orders served on it; the oversight body records them for others")
	}
	if _, err := s.db.FindOrganization(ctx, b.HolderOrganizationID); err != nil {
		return accord.FieldErrorf("holder_organization_id", "no such organisation")
	}
	b.ID, b.RecordedBy, b.RecordedAt, b.ReviewStatus, b.ReviewedAt, b.ReviewedBy, b.ReviewNote = "", c.Staff.ID, time.Time{}, accord.ReviewPending, nil, "", ""
	if err := s.db.CreateLegalBasis(ctx, c.Actor(), b); err != nil {
		return err
	}
	return s.feed.Sync(ctx)
}

// BreakGlassRequest is an emergency access a clinician asks for.
type BreakGlassRequest struct {
	ClientID   string
	Categories []accord.Category
	Reason     string
	// Duration of the access; at most accord.BreakGlassMaxDuration, default one hour.
	Duration time.Duration
}

// BreakGlass records an emergency access for the calling clinician: for the
// next Duration they may read the client's clinical categories for ETREAT.
// It is recorded, and queued for oversight review.
func (s *Service) BreakGlass(ctx context.Context, c *Caller, q BreakGlassRequest) (_ *accord.LegalBasis, err error) {
	defer accord.Wrap(&err, "BreakGlass(%s)", q.ClientID)
	if err := c.require(accord.RoleClinician); err != nil {
		return nil, err
	}
	if q.Duration == 0 {
		q.Duration = time.Hour
	}
	if q.Duration < 0 || q.Duration > accord.BreakGlassMaxDuration {
		return nil, accord.FieldErrorf("minutes", "an emergency access lasts between 1 minute and %d hours", int(accord.BreakGlassMaxDuration.Hours()))
	}
	if len(q.Categories) == 0 {
		q.Categories = []accord.Category{accord.CatClinicalSummary, accord.CatClinicalNote}
	}
	now := s.now().UTC()
	b := &accord.LegalBasis{
		Kind:                    accord.BasisEmergency,
		ClientID:                q.ClientID,
		Categories:              q.Categories,
		RecipientOrganizationID: c.Staff.OrganizationID,
		RecipientStaffID:        c.Staff.ID,
		Reason:                  q.Reason,
		ValidFrom:               now,
		ExpiresAt:               now.Add(q.Duration),
		RecordedBy:              c.Staff.ID,
		ReviewStatus:            accord.ReviewPending,
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.db.FindClient(ctx, q.ClientID); err != nil {
		return nil, err
	}
	if err := s.db.CreateLegalBasis(ctx, c.Actor(), b); err != nil {
		return nil, err
	}
	s.logger.Warn("break-glass access recorded", "staff", c.Staff.ID, "client", b.ClientID, "legal_basis", b.ID, "expires", b.ExpiresAt)
	return b, s.feed.Sync(ctx)
}

// LegalBases lists legal bases: a client's (when clientID is given, if the
// caller may see the client) or, for the oversight body, all. The oversight
// body's reads are recorded as exports.
func (s *Service) LegalBases(ctx context.Context, c *Caller, clientID string, purpose accord.Purpose) (_ []accord.LegalBasis, err error) {
	defer accord.Wrap(&err, "LegalBases")
	if clientID == "" || c.oversight() {
		if err := c.requireOversight(); err != nil {
			return nil, err
		}
		bs, err := s.db.LegalBases(ctx, clientID)
		if err != nil {
			return nil, err
		}
		e := accord.AuditEntry{Kind: accord.AuditExport, ActorID: c.Staff.ID, ActorOrganizationID: c.Staff.OrganizationID,
			ClientID: clientID, Action: "legal_bases.list", Count: len(bs)}
		return bs, s.db.AppendAudit(ctx, e)
	}
	if _, err := s.seeClient(ctx, c, clientID, purpose); err != nil {
		return nil, err
	}
	all, err := s.db.LegalBases(ctx, clientID)
	if err != nil {
		return nil, err
	}
	// A partner sees the bases its own organisation disclosed under or
	// received under, not that another was served an order.
	var mine []accord.LegalBasis
	for _, b := range all {
		if b.HolderOrganizationID == c.Staff.OrganizationID || b.RecipientOrganizationID == c.Staff.OrganizationID {
			mine = append(mine, b)
		}
	}
	return mine, nil
}
