package enforce

import (
	"context"
	"slices"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/credential"
)

// Organizations lists the partnership's organisations; any staff member may.
func (s *Service) Organizations(ctx context.Context, c *Caller) ([]accord.Organization, error) {
	return s.db.Organizations(ctx)
}

// Organization returns one organisation.
func (s *Service) Organization(ctx context.Context, c *Caller, id string) (*accord.Organization, error) {
	return s.db.FindOrganization(ctx, id)
}

// CreateOrganization adds a party to the partnership; partnership
// administrators only.
func (s *Service) CreateOrganization(ctx context.Context, c *Caller, o *accord.Organization) error {
	if err := c.requireGovernance(accord.RolePartnershipAdmin); err != nil {
		return err
	}
	o.ID, o.CreatedAt = "", time.Time{}
	if err := s.db.CreateOrganization(ctx, c.Actor(), o); err != nil {
		return err
	}
	return s.feed.Sync(ctx)
}

// StaffList lists staff of one organisation (or all). Staff see their own
// organisation; administrators, privacy officers and auditors see all.
func (s *Service) StaffList(ctx context.Context, c *Caller, orgID string) ([]accord.Staff, error) {
	if orgID != c.Staff.OrganizationID {
		if err := c.requireGovernance(accord.RolePartnershipAdmin, accord.RolePrivacyOfficer, accord.RoleAuditor); err != nil {
			return nil, err
		}
	}
	return s.db.StaffList(ctx, orgID)
}

// Staff returns one staff member, under the same rule as StaffList.
func (s *Service) Staff(ctx context.Context, c *Caller, id string) (*accord.Staff, error) {
	st, err := s.db.FindStaff(ctx, id)
	if err != nil {
		return nil, err
	}
	if st.OrganizationID != c.Staff.OrganizationID && (c.Organization.Sector.Enforcement() || !c.has(accord.RolePartnershipAdmin, accord.RolePrivacyOfficer, accord.RoleAuditor)) {
		return nil, accord.Errorf(accord.ENOTFOUND, "staff member not found")
	}
	return st, nil
}

// CreateStaff adds a staff member; partnership administrators only. A
// password, when given, must be at least credential.MinPasswordLength long.
func (s *Service) CreateStaff(ctx context.Context, c *Caller, st *accord.Staff, password string) error {
	if err := c.requireGovernance(accord.RolePartnershipAdmin); err != nil {
		return err
	}
	hash := ""
	if password != "" {
		if len(password) < credential.MinPasswordLength || len(password) > 1024 {
			return accord.FieldErrorf("password", "a password must be %d to 1024 characters", credential.MinPasswordLength)
		}
		hash = credential.HashPassword(password)
	}
	st.ID, st.CreatedAt, st.Active = "", time.Time{}, true
	return s.db.CreateStaff(ctx, c.Actor(), st, hash)
}

// Agreements lists the latest version of every agreement.
func (s *Service) Agreements(ctx context.Context, c *Caller) ([]accord.Agreement, error) {
	return s.db.Agreements(ctx)
}

// Agreement returns every version of one agreement, oldest first.
func (s *Service) Agreement(ctx context.Context, c *Caller, id string) ([]accord.Agreement, error) {
	return s.db.FindAgreement(ctx, id)
}

var agreementEditors = []accord.Role{accord.RolePartnershipAdmin, accord.RolePrivacyOfficer}

// CreateAgreement drafts a new agreement. A partnership administrator
// drafts for any parties; the parties' signatories make it binding.
func (s *Service) CreateAgreement(ctx context.Context, c *Caller, a *accord.Agreement) error {
	if err := c.requireGovernance(accord.RolePartnershipAdmin); err != nil {
		return err
	}
	a.ID, a.Version, a.Status, a.StatusReason, a.Signatories = "", 0, accord.AgreementDraft, "", nil
	a.CreatedBy, a.CreatedAt = c.Staff.ID, time.Time{}
	return s.db.CreateAgreement(ctx, c.Actor(), a)
}

// AmendAgreement drafts a new version of an agreement.
func (s *Service) AmendAgreement(ctx context.Context, c *Caller, a *accord.Agreement) error {
	if err := c.requireGovernance(accord.RolePartnershipAdmin); err != nil {
		return err
	}
	a.CreatedBy = c.Staff.ID
	a.StatusReason = ""
	return s.db.AmendAgreement(ctx, c.Actor(), a)
}

// SignAgreement signs a draft version for the caller's organisation.
func (s *Service) SignAgreement(ctx context.Context, c *Caller, id string, version int, title string) (*accord.Agreement, error) {
	if err := c.requireGovernance(append(slices.Clone(agreementEditors), accord.RoleSupervisor)...); err != nil {
		return nil, err
	}
	return s.db.SignAgreement(ctx, c.Actor(), id, version, accord.Signatory{
		OrganizationID: c.Staff.OrganizationID, Name: c.Staff.DisplayName, Title: title,
	})
}

// SetAgreementStatus activates, suspends or terminates a version. Only a
// party's administrator or privacy officer (or a partnership administrator)
// may.
func (s *Service) SetAgreementStatus(ctx context.Context, c *Caller, id string, version int, to accord.AgreementStatus, reason string) (*accord.Agreement, error) {
	if err := c.requireGovernance(agreementEditors...); err != nil {
		return nil, err
	}
	vs, err := s.db.FindAgreement(ctx, id)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(vs, func(a accord.Agreement) bool { return a.Version == version })
	if i < 0 {
		return nil, accord.Errorf(accord.ENOTFOUND, "agreement version not found")
	}
	if !slices.Contains(vs[i].Parties, c.Staff.OrganizationID) && !c.has(accord.RolePartnershipAdmin) {
		return nil, accord.Errorf(accord.EFORBIDDEN, "only a party to the agreement can change its status")
	}
	if len(reason) > 2000 {
		return nil, accord.FieldErrorf("reason", "reason is longer than %d characters", 2000)
	}
	a, err := s.db.SetAgreementStatus(ctx, c.Actor(), id, version, to, reason)
	if err != nil {
		return nil, err
	}
	return a, s.feed.Sync(ctx)
}

// LocalPolicies returns the partnership's local Cedar restrictions.
func (s *Service) LocalPolicies(ctx context.Context, c *Caller) (string, error) {
	return s.db.LocalPolicies(ctx)
}

// SetLocalPolicies replaces the local Cedar restrictions; they may only
// forbid (a permit policy is refused).
func (s *Service) SetLocalPolicies(ctx context.Context, c *Caller, text string) error {
	if err := c.requireGovernance(accord.RolePartnershipAdmin, accord.RolePrivacyOfficer); err != nil {
		return err
	}
	if len(text) > 256<<10 {
		return accord.FieldErrorf("policies", "the policy text is longer than 256 KiB")
	}
	check := func(t string) error { return s.policy.CheckLocalPolicies(t) }
	if err := s.db.SetLocalPolicies(ctx, c.Actor(), text, check); err != nil {
		return err
	}
	return s.feed.Sync(ctx)
}

// EraseClient crypto-shreds a client; a privacy officer of the client's
// home organisation only.
func (s *Service) EraseClient(ctx context.Context, c *Caller, clientID string, reason accord.ErasureReason) error {
	if err := c.requireGovernance(accord.RolePrivacyOfficer); err != nil {
		return err
	}
	if !reason.Valid() {
		e := accord.FieldErrorf("reason", "reason must be one of client_request, retention_ended, duplicate, legal_obligation")
		for _, r := range accord.ErasureReasons {
			e.Accepted = append(e.Accepted, string(r))
		}
		return e
	}
	client, err := s.db.FindClient(ctx, clientID)
	if err != nil {
		return err
	}
	if client.HomeOrganizationID != c.Staff.OrganizationID {
		return accord.Errorf(accord.EFORBIDDEN, "only the client's home organisation can erase a client's data")
	}
	if err := s.db.EraseClient(ctx, c.Actor(), clientID, reason); err != nil {
		return err
	}
	return s.feed.Sync(ctx)
}

// Areas lists the partnership's areas, for intake forms and for naming
// the geography of indicators.
func (s *Service) Areas(ctx context.Context, c *Caller) ([]accord.Area, error) {
	return s.db.Areas(ctx)
}

// CreateArea adds an area to the partnership's list; partnership
// administrators only. An area is a place counted in figures, never an
// address: the name is what people there call it.
func (s *Service) CreateArea(ctx context.Context, c *Caller, a *accord.Area) error {
	if err := c.requireGovernance(accord.RolePartnershipAdmin); err != nil {
		return err
	}
	a.CreatedAt = time.Time{}
	return s.db.CreateArea(ctx, c.Actor(), a)
}
