package enforce

import (
	"context"

	"github.com/accord-project/accord"
)

// ClientView is what one caller may see of a client: the demographics (the
// read itself needs them), contact details when permitted, and for each
// withheld part the decision that withheld it.
type ClientView struct {
	Client   accord.Client
	Shared   []Decided
	Withheld []Decided
}

// ReadClient returns the client as the caller may see them for purpose.
// It returns ENOTFOUND for an unknown or erased client and a *Denied
// (EDENIED) when the caller may not see the client's demographics.
func (s *Service) ReadClient(ctx context.Context, c *Caller, clientID string, purpose accord.Purpose) (_ *ClientView, err error) {
	defer accord.Wrap(&err, "ReadClient(%s)", clientID)
	client, demo, contact, d, err := s.decideClient(ctx, c, clientID, purpose)
	if err != nil {
		return nil, err
	}
	if err := d.record(ctx, func(i int) bool { return d.out[i].Decision.Permitted() }); err != nil {
		return nil, err
	}
	v := &ClientView{Client: *client, Shared: []Decided{demo}}
	if contact.Decision.Permitted() {
		v.Shared = append(v.Shared, contact)
	} else {
		v.Client.Phone, v.Client.Email, v.Client.Address = "", "", ""
		v.Withheld = append(v.Withheld, contact)
	}
	return v, nil
}

// decideClient asks the decision point whether the caller may see the
// client's demographics and, when so, contact details for purpose. When
// the demographics are refused it records that decision and returns a
// *Denied; otherwise the caller records d's decisions, marking released
// only what it returns.
func (s *Service) decideClient(ctx context.Context, c *Caller, clientID string, purpose accord.Purpose) (_ *accord.Client, demo, contact Decided, d *decider, err error) {
	if err := checkPurpose(purpose); err != nil {
		return nil, demo, contact, nil, err
	}
	client, err := s.db.FindClient(ctx, clientID)
	if err != nil {
		return nil, demo, contact, nil, err
	}
	if d, err = s.decider(ctx, c); err != nil {
		return nil, demo, contact, nil, err
	}
	actor := c.Actor()
	demo = d.decide(ctx, actor, client.ID, client.HomeOrganizationID, accord.CatDemographics, nil, purpose)
	if !demo.Decision.Permitted() {
		if err := d.record(ctx, nil); err != nil {
			return nil, demo, contact, nil, err
		}
		return nil, demo, contact, nil, deniedOutsider(demo)
	}
	contact = d.decide(ctx, actor, client.ID, client.HomeOrganizationID, accord.CatContact, nil, purpose)
	return client, demo, contact, d, nil
}

// SearchResult is one client found by a search, as the caller may see them.
type SearchResult struct {
	Clients []accord.Client
	// Hidden counts matches the caller may not see.
	Hidden int
}

// SearchClients finds clients by name among those whose demographics the
// caller may see for purpose. Each candidate is a decision, and recorded.
// Contact details are never returned by a search.
func (s *Service) SearchClients(ctx context.Context, c *Caller, query string, purpose accord.Purpose, limit int) (_ *SearchResult, err error) {
	defer accord.Wrap(&err, "SearchClients")
	if err := checkPurpose(purpose); err != nil {
		return nil, err
	}
	if err := c.require(clientFacing...); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 50 {
		limit = 50
	}
	cands, err := s.db.SearchClients(ctx, query, limit)
	if err != nil {
		return nil, err
	}
	d, err := s.decider(ctx, c)
	if err != nil {
		return nil, err
	}
	res := &SearchResult{}
	actor := c.Actor()
	for _, cl := range cands {
		if d.decide(ctx, actor, cl.ID, cl.HomeOrganizationID, accord.CatDemographics, nil, purpose).Decision.Permitted() {
			cl.Phone, cl.Email, cl.Address = "", "", ""
			res.Clients = append(res.Clients, cl)
		} else if !c.Organization.Sector.Enforcement() {
			res.Hidden++ // never counted for enforcement bodies: it would let them probe names
		}
	}
	if err := d.record(ctx, func(i int) bool { return d.out[i].Decision.Permitted() }); err != nil {
		return nil, err
	}
	return res, nil
}

// CreateClient registers a client at the caller's organisation and puts the
// caller on the client's care team.
func (s *Service) CreateClient(ctx context.Context, c *Caller, cl *accord.Client) (err error) {
	defer accord.Wrap(&err, "CreateClient")
	if err := c.require(clientFacing...); err != nil {
		return err
	}
	cl.ID, cl.HomeOrganizationID = "", c.Staff.OrganizationID
	return s.db.CreateClient(ctx, c.Actor(), cl)
}

// UpdateClient changes a client's details, as change edits them, when the
// stored version is version (else EPRECONDITION). The client's record is
// held by the organisation that registered them, so only its client-facing
// staff change it, and only when they may see both the demographics and
// the contact details for purpose (EditableClient).
func (s *Service) UpdateClient(ctx context.Context, c *Caller, clientID string, version int, change func(*accord.Client) error,
	purpose accord.Purpose) (_ *accord.Client, err error) {
	defer accord.Wrap(&err, "UpdateClient(%s)", clientID)
	if _, err := s.EditableClient(ctx, c, clientID, purpose); err != nil {
		return nil, err
	}
	return s.db.UpdateClient(ctx, c.Actor(), clientID, version, change)
}

// EditableClient returns the client, whole, when the caller may change
// their details (as UpdateClient): the decisions on the demographics and
// the contact details are recorded, as released only when the caller may.
// Otherwise it returns a *Denied, or EFORBIDDEN for the staff of another
// organisation than the registering one.
func (s *Service) EditableClient(ctx context.Context, c *Caller, clientID string, purpose accord.Purpose) (_ *accord.Client, err error) {
	if err := c.require(clientFacing...); err != nil {
		return nil, err
	}
	client, _, contact, d, err := s.decideClient(ctx, c, clientID, purpose)
	if err != nil {
		return nil, err
	}
	ours := c.MayEditClient(client) // the role was required above: whether the organisation registered them
	ok := ours && contact.Decision.Permitted()
	if err := d.record(ctx, func(i int) bool { return ok && d.out[i].Decision.Permitted() }); err != nil {
		return nil, err
	}
	if !contact.Decision.Permitted() {
		return nil, deniedOutsider(contact)
	}
	if !ours {
		return nil, accord.Errorf(accord.EFORBIDDEN, "only the organisation that registered the client can change their details")
	}
	return client, nil
}

// RecordsView is a client's records the caller may see, and the decisions
// that withheld the others.
type RecordsView struct {
	Records  []accord.Record
	Shared   []Decided
	Withheld []Decided
}

// ClientRecords returns the client's records of the given categories (all
// when none) that the caller may see for purpose. Records are grouped by
// holder, category and sensitivity; each group is one decision.
func (s *Service) ClientRecords(ctx context.Context, c *Caller, clientID string, categories []accord.Category, purpose accord.Purpose) (_ *RecordsView, err error) {
	defer accord.Wrap(&err, "ClientRecords(%s)", clientID)
	if err := checkPurpose(purpose); err != nil {
		return nil, err
	}
	for _, cat := range categories {
		if !cat.Valid() {
			return nil, accord.FieldErrorf("category", "unknown category %q", string(cat))
		}
	}
	client, err := s.db.FindClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	d, err := s.decider(ctx, c)
	if err != nil {
		return nil, err
	}
	actor := c.Actor()
	// Who may not see the client at all (an outsider) must not learn from
	// the answer which organisations hold what about them: being a patient
	// of the clinic or a client of a migrant support group is itself
	// sensitive. They get only what a legal basis gives them, and a refusal
	// that is the same whether records exist or not.
	demo := d.decide(ctx, actor, client.ID, client.HomeOrganizationID, accord.CatDemographics, nil, purpose)
	outsider := !demo.Decision.Permitted()
	groups, err := s.db.RecordGroups(ctx, client.ID, categories...)
	if err != nil {
		return nil, err
	}
	var ids []string
	v := &RecordsView{}
	for _, g := range groups {
		dec := d.decide(ctx, actor, client.ID, g.HolderID, g.Category, g.Sensitivity, purpose)
		if dec.Decision.Permitted() {
			ids = append(ids, g.RecordIDs...)
			v.Shared = append(v.Shared, dec)
		} else if !outsider {
			v.Withheld = append(v.Withheld, dec)
		}
	}
	if outsider && len(ids) == 0 {
		// Refuse as for the first category asked for, held by the client's
		// home organisation, whether or not such records exist.
		refusal := demo
		if len(categories) > 0 {
			refusal = d.decide(ctx, actor, client.ID, client.HomeOrganizationID, categories[0], nil, purpose)
		}
		if err := d.record(ctx, nil); err != nil {
			return nil, err
		}
		return nil, deniedOutsider(refusal)
	}
	// Entry 0 is the demographics check: nothing of it is returned here.
	if err := d.record(ctx, func(i int) bool { return i > 0 && d.out[i].Decision.Permitted() }); err != nil {
		return nil, err
	}
	if len(ids) > 0 {
		if v.Records, err = s.db.OpenRecords(ctx, client.ID, ids); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// CreateRecord stores a record held by the caller's organisation. The caller
// must be allowed to read what they write: a navigator cannot file a
// clinical note.
func (s *Service) CreateRecord(ctx context.Context, c *Caller, r *accord.Record, purpose accord.Purpose) (err error) {
	defer accord.Wrap(&err, "CreateRecord")
	if err := checkPurpose(purpose); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if _, err := s.db.FindClient(ctx, r.ClientID); err != nil {
		return err
	}
	d, err := s.decider(ctx, c)
	if err != nil {
		return err
	}
	dec := d.decide(ctx, c.Actor(), r.ClientID, c.Staff.OrganizationID, r.Category, r.Sensitivity, purpose)
	if err := d.record(ctx, nil); err != nil {
		return err
	}
	if !dec.Decision.Permitted() {
		return denied(dec)
	}
	r.ID, r.OrganizationID, r.RecordedBy = "", c.Staff.OrganizationID, c.Staff.ID
	r.RecordedAt = s.now().UTC()
	return s.db.CreateRecord(ctx, c.Actor(), r)
}

// ExplainRequest asks "may this staff member see this, and why?".
type ExplainRequest struct {
	ClientID string
	Category accord.Category
	Purpose  accord.Purpose
	// StaffID is who would read; empty means the caller.
	StaffID string
	// HolderID is the organisation holding the data; empty means the
	// client's home organisation.
	HolderID string
}

// Explain answers an ExplainRequest without releasing any data. Asking
// about someone else needs a privacy officer, auditor or partnership
// administrator. The decision is recorded (released: false).
func (s *Service) Explain(ctx context.Context, c *Caller, q ExplainRequest) (_ *Decided, err error) {
	defer accord.Wrap(&err, "Explain")
	if err := checkPurpose(q.Purpose); err != nil {
		return nil, err
	}
	if !q.Category.Valid() {
		return nil, accord.FieldErrorf("category", "unknown category %q", string(q.Category))
	}
	client, err := s.db.FindClient(ctx, q.ClientID)
	if err != nil {
		return nil, err
	}
	actor := c.Actor()
	if q.StaffID != "" && q.StaffID != c.Staff.ID {
		if err := c.requireGovernance(accord.RolePrivacyOfficer, accord.RoleAuditor, accord.RolePartnershipAdmin); err != nil {
			return nil, err
		}
		st, err := s.db.FindStaff(ctx, q.StaffID)
		if err != nil {
			return nil, accord.FieldErrorf("staff_id", "no such staff member")
		}
		org, err := s.db.FindOrganization(ctx, st.OrganizationID)
		if err != nil {
			return nil, err
		}
		actor = accord.Actor{StaffID: st.ID, OrganizationID: st.OrganizationID, Sector: org.Sector, Roles: st.RoleSet()}
	}
	holder := q.HolderID
	if holder == "" {
		holder = client.HomeOrganizationID
	} else if _, err := s.db.FindOrganization(ctx, holder); err != nil {
		return nil, accord.FieldErrorf("holder_id", "no such organisation")
	}
	d, err := s.decider(ctx, c)
	if err != nil {
		return nil, err
	}
	d.action = "explain"
	// Someone asking about themselves who may not see the client at all
	// learns whether they may, and the rule, but not who holds what.
	outsider := false
	if actor.StaffID == c.Staff.ID {
		outsider = !d.decide(ctx, actor, client.ID, client.HomeOrganizationID, accord.CatDemographics, nil, q.Purpose).Decision.Permitted()
	}
	out := d.decide(ctx, actor, client.ID, holder, q.Category, nil, q.Purpose)
	if err := d.record(ctx, nil); err != nil {
		return nil, err
	}
	if outsider && !out.Decision.Permitted() {
		out = redacted(out)
	}
	return &out, nil
}
