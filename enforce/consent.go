package enforce

import (
	"context"
	"slices"
	"time"

	"github.com/accord-project/accord"
)

// seeClient decides whether the caller may see the client's demographics
// for purpose, records the decision, and returns the client or a *Denied.
func (s *Service) seeClient(ctx context.Context, c *Caller, clientID string, purpose accord.Purpose) (*accord.Client, error) {
	if err := checkPurpose(purpose); err != nil {
		return nil, err
	}
	client, err := s.db.FindClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	d, err := s.decider(ctx, c)
	if err != nil {
		return nil, err
	}
	dec := d.decide(ctx, c.Actor(), client.ID, client.HomeOrganizationID, accord.CatDemographics, nil, purpose)
	if err := d.record(ctx, func(int) bool { return dec.Decision.Permitted() }); err != nil {
		return nil, err
	}
	if !dec.Decision.Permitted() {
		return nil, deniedOutsider(dec)
	}
	return client, nil
}

// CreateConsent records a consent the client gave to the caller. The caller
// must be able to see the client (they are talking to them).
func (s *Service) CreateConsent(ctx context.Context, c *Caller, cn *accord.Consent, purpose accord.Purpose) (err error) {
	defer accord.Wrap(&err, "CreateConsent")
	if err := c.require(append(slices.Clone(clientFacing), accord.RolePrivacyOfficer)...); err != nil {
		return err
	}
	if _, err := s.seeClient(ctx, c, cn.ClientID, purpose); err != nil {
		return err
	}
	cn.ID, cn.Status, cn.CollectedBy, cn.OrganizationID = "", accord.ConsentActive, c.Staff.ID, c.Staff.OrganizationID
	cn.RevokedAt, cn.RevokedBy, cn.RevocationReason = nil, "", ""
	cn.CreatedAt = time.Time{}
	return s.db.CreateConsent(ctx, c.Actor(), cn)
}

// RevokeConsent revokes a consent; the very next decision sees it. Staff of
// the organisation that collected it or of the client's home organisation
// may revoke it on the client's word.
func (s *Service) RevokeConsent(ctx context.Context, c *Caller, consentID, reason string) (_ *accord.Consent, err error) {
	defer accord.Wrap(&err, "RevokeConsent(%s)", consentID)
	if err := c.require(append(slices.Clone(clientFacing), accord.RolePrivacyOfficer)...); err != nil {
		return nil, err
	}
	if len(reason) > 2000 {
		return nil, accord.FieldErrorf("reason", "reason is longer than %d characters", 2000)
	}
	cn, err := s.db.FindConsent(ctx, consentID)
	if err != nil {
		return nil, err
	}
	client, err := s.db.FindClient(ctx, cn.ClientID)
	if err != nil {
		return nil, err
	}
	if c.Staff.OrganizationID != cn.OrganizationID && c.Staff.OrganizationID != client.HomeOrganizationID {
		return nil, accord.Errorf(accord.EFORBIDDEN, "only the organisation that collected this consent, or the client's home organisation, can revoke it")
	}
	cn, err = s.db.RevokeConsent(ctx, c.Actor(), consentID, reason)
	if err != nil {
		return nil, err
	}
	// Apply it here at once; other processes pick it up on their next decision.
	return cn, s.feed.Sync(ctx)
}

// ClientConsents returns a client's consents, if the caller may see the client.
func (s *Service) ClientConsents(ctx context.Context, c *Caller, clientID string, purpose accord.Purpose) (_ []accord.Consent, err error) {
	defer accord.Wrap(&err, "ClientConsents(%s)", clientID)
	if _, err := s.seeClient(ctx, c, clientID, purpose); err != nil {
		return nil, err
	}
	return s.db.ClientConsents(ctx, clientID)
}

// ConsentReceipt returns a consent's signed Kantara receipt and its payload.
func (s *Service) ConsentReceipt(ctx context.Context, c *Caller, consentID string, purpose accord.Purpose) (jws string, r Receipt, err error) {
	defer accord.Wrap(&err, "ConsentReceipt(%s)", consentID)
	cn, err := s.db.FindConsent(ctx, consentID)
	if err != nil {
		return "", r, err
	}
	if _, err := s.seeClient(ctx, c, cn.ClientID, purpose); err != nil {
		return "", r, err
	}
	n := newNames(s.db, &s.orgs)
	r = s.receipts.BuildReceipt(cn, func(id string) string { return n.org(ctx, id) })
	jws, err = s.receipts.Sign(r)
	return jws, r, err
}
