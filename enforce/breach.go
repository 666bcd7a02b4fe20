package enforce

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// Breach incidents. Who may record and handle one:
//
//   - the oversight body's auditors and privacy officers, any incident;
//   - an organisation's privacy officers, incidents of their own
//     organisation (its staff, their credentials, its data keys) — never
//     staff of an immigration authority or a law enforcement body, who take
//     no part in the partnership's governance.
//
// Nobody handles an incident about their own account: whoever holds a
// stolen session must not be able to close the incident about it.
//
// The impact (who was affected, with what) is worked out from the audit
// log, which the oversight body reads anyway and in which an
// organisation's own staff's accesses are that organisation's own
// business: it is ids and codes, never client data, and reading it needs no
// decision. Every step, and every read of an incident, is in the audit
// log.

func (c *Caller) breachOfficer() error {
	if c.oversight() {
		return nil
	}
	if err := c.requireGovernance(accord.RolePrivacyOfficer); err != nil {
		return accord.Errorf(accord.EFORBIDDEN, "only privacy officers (of the organisation concerned) and the oversight body's auditors and privacy officers handle breach incidents")
	}
	return nil
}

// mayHandle reports whether the caller sees breach incidents of orgID.
func (c *Caller) mayHandle(orgID string) bool {
	return c.oversight() || c.breachOfficer() == nil && c.Staff.OrganizationID == orgID
}

// HandlesBreaches reports whether the caller handles breach incidents at
// all, for the navigation.
func (c *Caller) HandlesBreaches() bool { return c.breachOfficer() == nil }

// breachSubject resolves what was compromised: the staff member (and so
// the organisation), the credential with its owner, or the organisation
// and its key. It returns the credential, when one was compromised.
func (s *Service) breachSubject(ctx context.Context, c *Caller, b *accord.Breach) (*sqlstore.Credential, error) {
	var cred *sqlstore.Credential
	switch b.Subject {
	case accord.BreachCredential:
		var err error
		if cred, err = s.db.FindCredential(ctx, b.CredentialID); accord.ErrorCode(err) == accord.ENOTFOUND {
			return nil, accord.FieldErrorf("credential_id", "there is no API token or session with this id")
		} else if err != nil {
			return nil, err
		}
		b.StaffID = cred.StaffID
		fallthrough
	case accord.BreachStaff:
		st, err := s.db.FindStaff(ctx, b.StaffID)
		if accord.ErrorCode(err) == accord.ENOTFOUND {
			return nil, accord.FieldErrorf("staff_id", "there is no staff member with this id")
		} else if err != nil {
			return nil, err
		}
		b.OrganizationID, b.KeyVersion = st.OrganizationID, 0
		if b.Subject == accord.BreachStaff {
			b.CredentialID = ""
		}
	case accord.BreachKey:
		if _, err := s.db.FindOrganization(ctx, b.OrganizationID); accord.ErrorCode(err) == accord.ENOTFOUND {
			return nil, accord.FieldErrorf("organization_id", "there is no organisation with this id")
		} else if err != nil {
			return nil, err
		}
		ok, err := s.db.OrgKeyExists(ctx, b.OrganizationID, b.KeyVersion)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, accord.FieldErrorf("key_version", "the organisation has no data key of version %d", b.KeyVersion)
		}
		b.StaffID, b.CredentialID = "", ""
	}
	if !c.mayHandle(b.OrganizationID) {
		return nil, accord.Errorf(accord.EFORBIDDEN, "a privacy officer records breach incidents of their own organisation only: its staff, their API tokens and sessions, its data keys; the oversight body records any")
	}
	if b.StaffID != "" && b.StaffID == c.Staff.ID {
		return nil, errOwnBreach()
	}
	return cred, nil
}

func errOwnBreach() error {
	return accord.Errorf(accord.EFORBIDDEN, "this incident is about your own account; another privacy officer or the oversight body must handle it")
}

// impact works out who an incident affected: every disclosure to the
// compromised staff member in the window (for a credential, the part of
// the window in which it worked), or everything the data key seals.
func (s *Service) impact(ctx context.Context, b *accord.Breach, cred *sqlstore.Credential) (accord.BreachImpact, error) {
	var ib accord.ImpactBuilder
	from, to := b.WindowStart, b.WindowEnd
	switch b.Subject {
	case accord.BreachKey:
		if err := s.db.AddKeyDisclosures(ctx, &ib, b.OrganizationID, b.KeyVersion); err != nil {
			return accord.BreachImpact{}, err
		}
	default:
		if cred != nil {
			// Audit entries do not say which credential was used: every
			// disclosure to its owner while it worked may have been its.
			if cred.CreatedAt.After(from) {
				from = cred.CreatedAt
			}
			if u := cred.Until(); u.Before(to) {
				to = u
			}
			if to.Before(from) {
				return accord.BreachImpact{}, accord.FieldErrorf("window_start", "the API token or session did not work at any time in this window: it worked from %[1]s until %[2]s",
					cred.CreatedAt.UTC().Format(time.RFC3339), cred.Until().UTC().Format(time.RFC3339))
			}
		}
		if _, err := s.db.AddDisclosures(ctx, &ib, b.StaffID, from, to); err != nil {
			return accord.BreachImpact{}, err
		}
	}
	return ib.Impact(s.now(), from, to), nil
}

// RecordBreach records an incident: b says what happened, when it was
// discovered, what was compromised and the window. Accord fills in the
// organisation, works out the impact from the audit log, and starts the
// 72-hour clock. Errors: EINVALID for bad input (nothing is stored),
// EFORBIDDEN for callers who may not.
func (s *Service) RecordBreach(ctx context.Context, c *Caller, b *accord.Breach) (err error) {
	defer accord.Wrap(&err, "RecordBreach")
	if err := c.breachOfficer(); err != nil {
		return err
	}
	b.Description = strings.TrimSpace(b.Description)
	if err := b.Validate(s.now()); err != nil {
		return err
	}
	cred, err := s.breachSubject(ctx, c, b)
	if err != nil {
		return err
	}
	if b.Impact, err = s.impact(ctx, b, cred); err != nil {
		return err
	}
	return s.db.CreateBreach(ctx, c.Actor(), b)
}

// breachFor returns incident id if the caller may see it, else ENOTFOUND
// (it does not say whether it exists).
func (s *Service) breachFor(ctx context.Context, c *Caller, id string) (*accord.Breach, error) {
	if err := c.breachOfficer(); err != nil {
		return nil, err
	}
	b, err := s.db.FindBreach(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.mayHandle(b.OrganizationID) {
		return nil, accord.Errorf(accord.ENOTFOUND, "breach incident not found")
	}
	return b, nil
}

// Breaches lists the incidents the caller handles (open ones unless all):
// every one for the oversight body, their organisation's for a privacy
// officer.
func (s *Service) Breaches(ctx context.Context, c *Caller, all bool) ([]accord.Breach, error) {
	if err := c.breachOfficer(); err != nil {
		return nil, err
	}
	f := sqlstore.BreachFilter{Open: !all}
	if !c.oversight() {
		f.OrganizationID = c.Staff.OrganizationID
	}
	bs, err := s.db.Breaches(ctx, f)
	if err != nil {
		return nil, err
	}
	e := changeEntryFor(c.Actor(), "breach.list", "")
	e.Kind, e.Count, e.RequestID = accord.AuditExport, len(bs), c.RequestID
	return bs, s.db.AppendAudit(ctx, e)
}

// BreachDetail is an incident as those who handle it see it.
type BreachDetail struct {
	accord.Breach
	Events []accord.BreachEvent
	// Names maps the staff and organisation ids of the incident, its
	// events and its impact to names.
	Names map[string]string
	// Clients holds what the notices need of each affected client.
	Clients map[string]sqlstore.BreachClient
	// CanAct: the caller may change it (it is open and not about them).
	CanAct bool
}

// Breach returns one incident for a caller who handles it; the read is
// recorded (an export: it lists clients).
func (s *Service) Breach(ctx context.Context, c *Caller, id string) (*BreachDetail, error) {
	b, err := s.breachFor(ctx, c, id)
	if err != nil {
		return nil, err
	}
	d, err := s.breachDetail(ctx, c, b)
	if err != nil {
		return nil, err
	}
	e := changeEntryFor(c.Actor(), "breach.view", id)
	e.Kind, e.Count, e.RequestID = accord.AuditExport, len(b.Impact.Clients), c.RequestID
	return d, s.db.AppendAudit(ctx, e)
}

func (s *Service) breachDetail(ctx context.Context, c *Caller, b *accord.Breach) (*BreachDetail, error) {
	evs, err := s.db.BreachEvents(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(b.Impact.Clients))
	for i, a := range b.Impact.Clients {
		ids[i] = a.ClientID
	}
	clients, err := s.db.BreachClients(ctx, ids)
	if err != nil {
		return nil, err
	}
	d := &BreachDetail{Breach: *b, Events: evs, Names: map[string]string{}, Clients: clients,
		CanAct: b.Status == accord.BreachOpen && b.StaffID != c.Staff.ID}
	n := newNames(s.db, &s.orgs)
	staff := []string{b.StaffID, b.RecordedBy}
	for _, e := range evs {
		staff = append(staff, e.ActorID)
	}
	for _, id := range staff {
		if _, ok := d.Names[id]; !ok && strings.HasPrefix(id, accord.PrefixStaff+"_") {
			if st, err := s.db.FindStaff(ctx, id); err == nil {
				d.Names[id] = st.DisplayName
			}
		}
	}
	orgs := []string{b.OrganizationID}
	for _, a := range b.Impact.Clients {
		orgs = append(orgs, a.Holders...)
	}
	for _, cl := range clients {
		orgs = append(orgs, cl.HomeOrganization)
	}
	slices.Sort(orgs)
	for _, o := range slices.Compact(orgs) {
		if o != "" {
			d.Names[o] = n.org(ctx, o)
		}
	}
	return d, nil
}

// change checks the caller may change incident id and records the step.
func (s *Service) changeBreach(ctx context.Context, c *Caller, id string, version int, ch sqlstore.BreachChange) (*accord.Breach, error) {
	b, err := s.breachFor(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if b.StaffID == c.Staff.ID {
		return nil, errOwnBreach()
	}
	return s.db.UpdateBreach(ctx, c.Actor(), id, version, ch)
}

// RecomputeBreach works the incident's impact out again from the audit
// log (entries may have arrived since, or the compromise went on), and
// stores it.
func (s *Service) RecomputeBreach(ctx context.Context, c *Caller, id string, version int) (*accord.Breach, error) {
	b, err := s.breachFor(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if b.StaffID == c.Staff.ID {
		return nil, errOwnBreach()
	}
	if b.Status == accord.BreachClosed {
		return nil, accord.Errorf(accord.ECONFLICT, "this breach incident is closed; it can no longer be changed")
	}
	var cred *sqlstore.Credential
	if b.Subject == accord.BreachCredential {
		if cred, err = s.db.FindCredential(ctx, b.CredentialID); err != nil {
			return nil, err
		}
	}
	imp, err := s.impact(ctx, b, cred)
	if err != nil {
		return nil, err
	}
	return s.db.UpdateBreach(ctx, c.Actor(), id, version, sqlstore.BreachChange{Kind: accord.BreachEventImpact, Impact: &imp})
}

// NotifyAuthority records that the supervisory authority was told, when,
// and its reference; the clock stops.
func (s *Service) NotifyAuthority(ctx context.Context, c *Caller, id string, version int, at time.Time, reference string) (*accord.Breach, error) {
	return s.changeBreach(ctx, c, id, version, sqlstore.BreachChange{Kind: accord.BreachEventNotified, At: at, Text: strings.TrimSpace(reference)})
}

// AddBreachRemedy records what is being done about the incident.
func (s *Service) AddBreachRemedy(ctx context.Context, c *Caller, id string, version int, text string) (*accord.Breach, error) {
	return s.changeBreach(ctx, c, id, version, sqlstore.BreachChange{Kind: accord.BreachEventRemedy, Text: strings.TrimSpace(text)})
}

// CloseBreach closes the incident with a summary; it is read-only from
// then on, and its clock (if still running) stops.
func (s *Service) CloseBreach(ctx context.Context, c *Caller, id string, version int, summary string) (*accord.Breach, error) {
	return s.changeBreach(ctx, c, id, version, sqlstore.BreachChange{Kind: accord.BreachEventClosed, Text: strings.TrimSpace(summary)})
}

// BreachChoices is what the form to record an incident offers the caller:
// the staff, credentials and organisations they may record incidents of.
type BreachChoices struct {
	Organizations []accord.Organization
	Staff         []accord.Staff
	Credentials   []sqlstore.Credential // tokens, and sessions of the last 30 days
}

// BreachFormChoices returns what the caller may record incidents of: their
// own organisation's staff (not themselves), credentials and keys, or, for
// the oversight body, everyone's.
func (s *Service) BreachFormChoices(ctx context.Context, c *Caller) (*BreachChoices, error) {
	if err := c.breachOfficer(); err != nil {
		return nil, err
	}
	org := c.Staff.OrganizationID
	if c.oversight() {
		org = ""
	}
	orgs, err := s.db.Organizations(ctx)
	if err != nil {
		return nil, err
	}
	staff, err := s.db.StaffList(ctx, org)
	if err != nil {
		return nil, err
	}
	creds, err := s.db.Credentials(ctx, org, s.now().AddDate(0, 0, -30))
	if err != nil {
		return nil, err
	}
	out := &BreachChoices{}
	for _, o := range orgs {
		if org == "" || o.ID == org {
			out.Organizations = append(out.Organizations, o)
		}
	}
	for _, st := range staff {
		if st.ID != c.Staff.ID {
			out.Staff = append(out.Staff, st)
		}
	}
	for _, cr := range creds {
		if cr.StaffID != c.Staff.ID {
			out.Credentials = append(out.Credentials, cr)
		}
	}
	return out, nil
}
