package enforce

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// Retention enforcement. The plan (the dry run) and purge runs are ids,
// counts and codes: reading the plan discloses no client data and needs no
// decision, only a governance role; it is an export in the audit log. A
// purge destroys data without reading it.

// retentionReader: the partnership administrator, privacy officers (their
// own organisation's part) and the oversight body.
func (c *Caller) retentionReader() error {
	if c.oversight() {
		return nil
	}
	if err := c.requireGovernance(accord.RolePartnershipAdmin, accord.RolePrivacyOfficer); err != nil {
		return accord.Errorf(accord.EFORBIDDEN, "only privacy officers, the partnership administrator and the oversight body see what retention would purge")
	}
	return nil
}

// ReadsRetention reports whether the caller sees the retention plan, for
// the navigation.
func (c *Caller) ReadsRetention() bool { return c.retentionReader() == nil }

// MayStartPurge reports whether the caller may start a purge run: privacy
// officers (of any organisation, the oversight body's too). A run purges
// only what the agreements' periods make due, partnership-wide.
func (c *Caller) MayStartPurge() bool { return c.requireGovernance(accord.RolePrivacyOfficer) == nil }

// retentionScope is the organisation whose part of the plan the caller
// sees, "" for all of it.
func (c *Caller) retentionScope() string {
	if c.oversight() || c.has(accord.RolePartnershipAdmin) {
		return ""
	}
	return c.Staff.OrganizationID
}

// RetentionGroup sums a plan's items of one organisation under one
// agreement.
type RetentionGroup struct {
	OrganizationID   string
	AgreementID      string
	AgreementVersion int
	RetentionDays    int
	// Erasures are clients erased, Purges other organisations' holdings.
	Erasures int
	Purges   int
	Held     int
	Counts   map[accord.RetentionKind]int
}

// RetentionReport is the dry run as the caller may see it.
type RetentionReport struct {
	Plan   *accord.RetentionPlan
	Groups []RetentionGroup
	// Scope is the organisation the caller sees, "" for the partnership.
	Scope string
	Runs  []sqlstore.RetentionRun
	// Names maps organisation and agreement ids to names and titles.
	Names map[string]string
}

// RetentionReport computes what a purge would do now.
func (s *Service) RetentionReport(ctx context.Context, c *Caller) (*RetentionReport, error) {
	if err := c.retentionReader(); err != nil {
		return nil, err
	}
	plan, err := s.db.RetentionPlan(ctx)
	if err != nil {
		return nil, err
	}
	r := &RetentionReport{Plan: plan, Scope: c.retentionScope(), Names: map[string]string{}}
	if r.Scope != "" {
		mine := func(it accord.RetentionItem) bool { return it.OrganizationID != r.Scope }
		plan.Due = slices.DeleteFunc(plan.Due, mine)
		plan.Held = slices.DeleteFunc(plan.Held, mine)
	}
	r.Groups = GroupRetention(plan)
	if r.Runs, err = s.db.RetentionRuns(ctx, 10); err != nil {
		return nil, err
	}
	orgs, err := s.db.Organizations(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		r.Names[o.ID] = o.Name
	}
	as, err := s.db.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		r.Names[a.ID] = a.Title
	}
	for _, run := range r.Runs {
		if _, ok := r.Names[run.StartedBy]; !ok && run.StartedBy != "system" {
			if st, err := s.db.FindStaff(ctx, run.StartedBy); err == nil {
				r.Names[run.StartedBy] = st.DisplayName
			}
		}
	}
	e := changeEntryFor(c.Actor(), "retention.plan", "")
	e.Kind, e.Count, e.RequestID = accord.AuditExport, len(plan.Due), c.RequestID
	return r, s.db.AppendAudit(ctx, e)
}

// GroupRetention sums the plan per organisation and governing agreement,
// in organisation then agreement order.
func GroupRetention(plan *accord.RetentionPlan) []RetentionGroup {
	var out []RetentionGroup
	group := func(it accord.RetentionItem) *RetentionGroup {
		for i := range out {
			g := &out[i]
			if g.OrganizationID == it.OrganizationID && g.AgreementID == it.AgreementID && g.AgreementVersion == it.AgreementVersion {
				return g
			}
		}
		out = append(out, RetentionGroup{OrganizationID: it.OrganizationID, AgreementID: it.AgreementID, AgreementVersion: it.AgreementVersion,
			RetentionDays: it.RetentionDays, Counts: map[accord.RetentionKind]int{}})
		return &out[len(out)-1]
	}
	for _, it := range plan.Due {
		g := group(it)
		if it.Action == accord.RetentionEraseClient {
			g.Erasures++
		} else {
			g.Purges++
		}
		for k, n := range it.Counts {
			g.Counts[k] += n
		}
	}
	for _, it := range plan.Held {
		group(it).Held++
	}
	slices.SortFunc(out, func(a, b RetentionGroup) int {
		if c := strings.Compare(a.OrganizationID, b.OrganizationID); c != 0 {
			return c
		}
		if c := strings.Compare(a.AgreementID, b.AgreementID); c != 0 {
			return c
		}
		return a.AgreementVersion - b.AgreementVersion
	})
	return out
}

// StartRetentionPurge starts a purge run (the runner works it), or returns
// the run still working, with started false.
func (s *Service) StartRetentionPurge(ctx context.Context, c *Caller) (*sqlstore.RetentionRun, bool, error) {
	if !c.MayStartPurge() {
		return nil, false, accord.Errorf(accord.EFORBIDDEN, "only privacy officers may start a purge")
	}
	return s.db.StartRetentionRun(ctx, c.Actor())
}

// RetentionProgress is how far a run has got.
type RetentionProgress struct {
	RunID   string
	Planned int
	Done    int
	Skipped int
}

// RetentionWorker works purge runs: claims the running run, purges its
// clients one transaction each, and finishes it. Several processes may
// run one each; the claim keeps them from working the same run at once,
// and a run whose worker died is taken over once its lease ends.
type RetentionWorker struct {
	DB *sqlstore.DB
	// Actor is who the audit log names: "system" for the runner and the
	// command line.
	Actor accord.Actor
	// Lease is how long a claim lasts without progress (default 1 minute).
	Lease time.Duration
	// Progress, when set, is called after each client.
	Progress func(RetentionProgress)
	// AfterClient, when set, is called after each client's transaction;
	// an error stops the run there (tests inject faults with it).
	AfterClient func(n int) error
	id          string
}

// NewRetentionWorker returns a worker with a fresh id.
func NewRetentionWorker(db *sqlstore.DB) *RetentionWorker {
	var b [6]byte
	rand.Read(b[:])
	return &RetentionWorker{DB: db, Actor: accord.Actor{StaffID: "system"}, id: "retention-" + hex.EncodeToString(b[:])}
}

// ID is the worker's claim id.
func (w *RetentionWorker) ID() string { return w.id }

// Work works the running run to the end, if there is one this worker can
// claim, and returns it (nil when there was none to claim).
func (w *RetentionWorker) Work(ctx context.Context) (*sqlstore.RetentionRun, error) {
	if w.Lease == 0 {
		w.Lease = time.Minute
	}
	run, err := w.DB.ClaimRetentionRun(ctx, w.id, w.Lease)
	if err != nil || run == nil {
		return nil, err
	}
	ctx = accord.WithRequest(ctx, accord.RequestInfo{ID: run.ID})
	p := RetentionProgress{RunID: run.ID, Planned: run.Planned, Done: run.Done, Skipped: run.Skipped}
	n := 0
	for {
		clients, err := w.DB.PendingRetentionClients(ctx, run.ID, 200)
		if err != nil {
			return run, err
		}
		if len(clients) == 0 {
			break
		}
		for _, id := range clients {
			if err := ctx.Err(); err != nil {
				return run, err
			}
			out, err := w.DB.PurgeRetentionClient(ctx, w.Actor, run.ID, w.id, id, w.Lease)
			if err != nil {
				return run, err
			}
			n++
			p.Done += out.Done
			p.Skipped += out.Skipped
			if w.Progress != nil {
				w.Progress(p)
			}
			if w.AfterClient != nil {
				if err := w.AfterClient(n); err != nil {
					return run, err
				}
			}
		}
	}
	return w.DB.FinishRetentionRun(ctx, w.Actor, run.ID)
}
