// Package enforce is Accord's enforcement point: every use case that reads
// or changes partnership data runs here, so that no handler can reach
// client data without a decision and a durable audit entry.
//
// For a read, the order is fixed: bring the decision point's snapshot up to
// date, decide for each piece of data, append every decision (permit and
// deny) to the audit log and wait until it is durable, and only then open
// and return the permitted data.
package enforce

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/policy"
	"github.com/accord-project/accord/sqlstore"
)

// Service runs Accord's use cases.
type Service struct {
	db       *sqlstore.DB
	policy   *policy.Snapshot
	feed     *sqlstore.PolicyFeed
	receipts *ReceiptSigner
	logger   *slog.Logger
	now      func() time.Time
	orgs     orgNames
	// privacyCap is Config.PrivacyBudget.
	privacyCap float64
}

// Config configures New.
type Config struct {
	DB       *sqlstore.DB
	Receipts *ReceiptSigner
	Logger   *slog.Logger
	Now      func() time.Time
	// PrivacyBudget, when above 0, caps the differential-privacy budget
	// (epsilon) the partnership's published releases may spend in all.
	PrivacyBudget float64
}

// New loads the decision point's snapshot from the database and returns a
// Service.
func New(ctx context.Context, cfg Config) (*Service, error) {
	s := &Service{db: cfg.DB, policy: policy.NewSnapshot(), receipts: cfg.Receipts, logger: cfg.Logger, now: cfg.Now, privacyCap: cfg.PrivacyBudget}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	feed, err := s.db.LoadPolicy(ctx, s.policy)
	if err != nil {
		return nil, err
	}
	s.feed = feed
	return s, nil
}

// Sync brings the decision point up to date with the database; the server
// also calls it on a timer so that an idle process does not fall behind.
func (s *Service) Sync(ctx context.Context) error { return s.feed.Sync(ctx) }

// Policy returns the decision point, for checks such as parsing local policies.
func (s *Service) Policy() *policy.Snapshot { return s.policy }

// Caller is who is calling: an authenticated staff member, and the request
// id that correlates the audit entries of one API call.
type Caller struct {
	*sqlstore.Principal
	RequestID string
}

func (c *Caller) has(roles ...accord.Role) bool {
	return slices.ContainsFunc(roles, func(r accord.Role) bool { return slices.Contains(c.Staff.Roles, r) })
}

func (c *Caller) require(roles ...accord.Role) error {
	if !c.has(roles...) {
		return accord.Errorf(accord.EFORBIDDEN, "your role does not allow this; it needs one of: %s", i18n.Roles(roles))
	}
	return nil
}

// requireGovernance is require for the partnership's governance
// (agreements, legal bases, local policies, staff, the audit log): staff of
// an immigration authority or law enforcement body never take part in it,
// whatever their role, or they could open the firewall to themselves.
func (c *Caller) requireGovernance(roles ...accord.Role) error {
	if c.Organization.Sector.Enforcement() {
		return accord.Errorf(accord.EFORBIDDEN, "staff of an immigration authority or a law enforcement body do not take part in the partnership's governance")
	}
	return c.require(roles...)
}

// oversight reports whether the caller is an auditor or privacy officer of
// the independent oversight body.
func (c *Caller) oversight() bool {
	return c.Organization.Sector == accord.SectorOversight && c.has(accord.RoleAuditor, accord.RolePrivacyOfficer)
}

func (c *Caller) requireOversight() error {
	if !c.oversight() {
		return accord.Errorf(accord.EFORBIDDEN, "only the oversight body's auditors and privacy officers may do this")
	}
	return nil
}

// clientFacing are the roles that work directly with clients.
var clientFacing = []accord.Role{
	accord.RoleNavigator, accord.RoleClinician, accord.RoleLegalAdvocate, accord.RoleSocialWorker,
	accord.RoleSupervisor, accord.RoleCaseworker,
}

// ClientFacing reports whether staff with s's roles work directly with
// clients: register and screen them, record their consent, open cases and
// escalations (what the use cases require of them).
func ClientFacing(s *accord.Staff) bool { return s.RoleSet().Any(clientFacingSet) }

var clientFacingSet = accord.NewRoleSet(clientFacing...)

// MayEditClient reports whether the caller's roles and organisation let
// them change cl's details: client-facing staff of the organisation that
// registered cl. UpdateClient also needs the decisions on the
// demographics and the contact details to permit.
func (c *Caller) MayEditClient(cl *accord.Client) bool {
	return ClientFacing(&c.Staff) && cl.HomeOrganizationID == c.Staff.OrganizationID
}

// MayMergeInto reports whether the caller's roles and organisation let
// them merge duplicate records into cl (as MergeClients and
// MergeCandidates require).
func (c *Caller) MayMergeInto(cl *accord.Client) bool {
	return c.has(mergers...) && cl.HomeOrganizationID == c.Staff.OrganizationID
}

func checkPurpose(p accord.Purpose) error {
	if !p.Valid() {
		return accord.PurposeError("Accord-Purpose", p)
	}
	return nil
}

// Decided is one decision with the question it answered and its
// explanation in plain language.
type Decided struct {
	Request     accord.Request
	Decision    accord.Decision
	Explanation i18n.Msg
}

// Denied is the error returned when the decision point refuses a read. It
// unwraps to an *accord.Error with code EDENIED whose message is the
// explanation.
type Denied struct {
	Decided
	err *accord.Error
}

func (d *Denied) Error() string { return d.err.Error() }
func (d *Denied) Unwrap() error { return d.err }

func denied(d Decided) *Denied {
	return &Denied{Decided: d, err: &accord.Error{Code: accord.EDENIED, Format: d.Explanation.Format, Args: d.Explanation.Args}}
}

// deniedOutsider is denied for a caller who may not see the client at all:
// the explanation and decision name no organisation holding the client's
// data, and no agreement or consent of theirs.
func deniedOutsider(d Decided) *Denied {
	return denied(redacted(d))
}

// redacted is a decision as an outsider may see it: the reason, but no
// holder, agreement, consent or legal basis.
func redacted(d Decided) Decided {
	d.Explanation = outsiderExplanation(&d.Request, d.Decision)
	d.Request.HolderID = ""
	d.Decision = accord.Decision{Effect: d.Decision.Effect, Reason: d.Decision.Reason, Obligations: d.Decision.Obligations, Provision: -1}
	return d
}

// AsDenied returns the *Denied in err's chain, or nil.
func AsDenied(err error) *Denied {
	var d *Denied
	if errors.As(err, &d) {
		return d
	}
	return nil
}

// decider decides a batch of questions for one API call and records them.
type decider struct {
	s      *Service
	caller *Caller
	now    time.Time
	names  *names
	out    []Decided
	// action is recorded on every entry ("explain" for questions that
	// release nothing).
	action string
}

// decider syncs the snapshot and returns a decider for one call.
func (s *Service) decider(ctx context.Context, c *Caller) (*decider, error) {
	if err := s.feed.Sync(ctx); err != nil {
		return nil, err
	}
	return &decider{s: s, caller: c, now: s.now().UTC(), names: newNames(s.db, &s.orgs)}, nil
}

func (d *decider) decide(ctx context.Context, actor accord.Actor, clientID, holder string, cat accord.Category, sens []accord.Sensitivity, purpose accord.Purpose) Decided {
	r := accord.Request{
		Actor:       actor,
		ClientID:    clientID,
		HolderID:    holder,
		Category:    cat,
		Sensitivity: accord.NewSensitivitySet(sens...),
		Purpose:     purpose,
		Time:        d.now,
	}
	dec := d.s.policy.Decide(&r)
	out := Decided{Request: r, Decision: dec, Explanation: explain(ctx, d.names, &r, dec)}
	d.out = append(d.out, out)
	return out
}

// record appends an audit entry for every decision made, marking those
// whose data is released, and waits until the entries are durable.
func (d *decider) record(ctx context.Context, released func(i int) bool) error {
	if len(d.out) == 0 {
		return nil
	}
	entries := make([]accord.AuditEntry, len(d.out))
	for i := range d.out {
		entries[i] = accord.DecisionEntry(&d.out[i].Request, d.out[i].Decision, released != nil && released(i))
		entries[i].RequestID = d.caller.RequestID
		entries[i].Action = d.action
		if r := &d.out[i].Request; r.Actor.StaffID != d.caller.Staff.ID {
			// A question asked about someone else: the caller asked it.
			entries[i].ObjectID = r.Actor.StaffID
			entries[i].ActorID, entries[i].ActorOrganizationID = d.caller.Staff.ID, d.caller.Staff.OrganizationID
		}
	}
	return d.s.db.AppendAudit(ctx, entries...)
}
