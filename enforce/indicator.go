package enforce

import (
	"context"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/indicator"
	"github.com/accord-project/accord/sqlstore"
)

// Indicators. Who sees what:
//
//   - the dashboard (live, unsuppressed figures: internal, not for
//     publication) is for the partnership's staff — anyone signed in at a
//     party that is not an immigration authority or a law enforcement body;
//   - a release is the quarter's figures protected for publication
//     (package indicator, small cells suppressed); anyone who sees the
//     dashboard may preview one once the quarter has ended; the
//     partnership administrator or the oversight body publishes it, once,
//     and only when every indicator it shows below target has an action
//     plan;
//   - action plans are recorded by the administrators and supervisors of
//     the partners;
//   - the published release and its action plans are public.
//
// Facts carry no personal data out of storage: times and the predeclared
// dimensions only. Nothing here is about one client, so no access decision
// is made; publishing is recorded in the audit log by storage, in the
// transaction that stores the release.

// TrendQuarters is how many quarters the dashboard shows: the chosen one
// and the three before it.
const TrendQuarters = 4

// factLookback is how far before its first period facts are read: a need
// counts in the quarter it was screened again, which can be months after
// it was first found (its first event).
const factLookback = 1 // year

// Indicators returns the suite the partnership measures itself by.
func (s *Service) Indicators() []accord.Indicator { return indicator.Default() }

// requireIndicators is the gate of the dashboard and previews.
func (c *Caller) requireIndicators() error {
	if c.Organization.Sector.Enforcement() {
		return accord.Errorf(accord.EFORBIDDEN, "the partnership's indicators are for its partners; staff of an immigration authority or a law enforcement body do not see them")
	}
	return nil
}

// MayRecordActionPlans reports whether the caller may record and update
// action plans: administrators and supervisors of a partner (not of an
// immigration authority or a law enforcement body, and not of the
// oversight body, which checks the plans rather than owning them).
func (c *Caller) MayRecordActionPlans() bool {
	return c.requirePlans() == nil
}

func (c *Caller) requirePlans() error {
	if c.Organization.Sector == accord.SectorOversight {
		return accord.Errorf(accord.EFORBIDDEN, "action plans are the partners' own commitments; the oversight body checks them but does not record them")
	}
	return c.requireGovernance(accord.RolePartnershipAdmin, accord.RoleSupervisor)
}

// MayPublishIndicators reports whether the caller may publish a release:
// the partnership administrator, or the oversight body's auditors and
// privacy officers.
func (c *Caller) MayPublishIndicators() bool { return c.requirePublish() == nil }

func (c *Caller) requirePublish() error {
	if c.oversight() || (!c.Organization.Sector.Enforcement() && c.has(accord.RolePartnershipAdmin)) {
		return nil
	}
	return accord.Errorf(accord.EFORBIDDEN, "only the partnership administrator or the oversight body's auditors and privacy officers may publish the partnership's figures")
}

// Dashboard is a quarter's indicators for the partnership's staff,
// computed live with every figure shown: it is internal, not for
// publication.
type Dashboard struct {
	Period accord.Period
	// Periods are the quarters of the trend, oldest first; Period is last.
	Periods    []accord.Period
	Indicators []DashboardIndicator
	// Ended: Period is over (a release of it can be previewed).
	Ended bool
	// Published is the release of Period, when there is one.
	Published *sqlstore.IndicatorRelease
	// Organizations names the organisations the "organization" dimension
	// holds the ids of; Areas the areas of the "geography" dimension.
	Organizations map[string]string
	Areas         map[string]string
}

// DashboardIndicator is one indicator over the trend.
type DashboardIndicator struct {
	Indicator accord.Indicator
	// Trend holds the indicator for each of Dashboard.Periods, in order.
	Trend []indicator.Result
	// Plan is the action plan for the dashboard's period, if any.
	Plan *accord.ActionPlan
}

// Current is the indicator for the dashboard's period.
func (d *DashboardIndicator) Current() *indicator.Result { return &d.Trend[len(d.Trend)-1] }

// Below reports whether the indicator misses its target in the period.
func (d *DashboardIndicator) Below() bool {
	r := d.Current()
	return r.Overall.Has && !r.Met
}

// Dashboard returns the indicators of period and the three quarters before
// it, computed from the records as they are now. EFORBIDDEN for staff of
// enforcement bodies; EINVALID (field "period") for a quarter that has not
// started.
func (s *Service) Dashboard(ctx context.Context, c *Caller, period accord.Period) (_ *Dashboard, err error) {
	defer accord.Wrap(&err, "Dashboard(%s)", period)
	if err := c.requireIndicators(); err != nil {
		return nil, err
	}
	if !s.now().After(period.Start()) {
		return nil, accord.FieldErrorf("period", "%s has not started yet", period.String())
	}
	d := &Dashboard{Period: period, Ended: !s.now().Before(period.End())}
	p := period
	for range TrendQuarters {
		d.Periods = append(d.Periods, p)
		p = p.Prev()
	}
	slices.Reverse(d.Periods)
	results, err := s.compute(ctx, s.Indicators(), d.Periods, nil)
	if err != nil {
		return nil, err
	}
	plans, err := s.plansByIndicator(ctx, period)
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(results); i += len(d.Periods) {
		trend := results[i : i+len(d.Periods)]
		d.Indicators = append(d.Indicators, DashboardIndicator{Indicator: trend[0].Indicator, Trend: trend, Plan: plans[trend[0].Indicator.ID]})
	}
	if d.Published, err = s.findRelease(ctx, period); err != nil {
		return nil, err
	}
	if d.Areas, err = s.areaNames(ctx); err != nil {
		return nil, err
	}
	if d.Organizations, err = s.organizationNames(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// FactProgress says how far reading facts has got.
type FactProgress struct {
	// Facts is how many have been read.
	Facts int64
	// Done is the share of the stored facts' rows (one per client) read,
	// from 0 to 1.
	Done float64
}

// compute counts defs over periods from the stored facts; results are in
// definition then period order. progress, when set, is called now and
// then as facts are read, and once at the end.
// prepare, when set, is given the computer before any fact (to bound
// contributions).
func (s *Service) compute(ctx context.Context, defs []accord.Indicator, periods []accord.Period, progress func(FactProgress), prepare ...func(*indicator.Computer)) ([]indicator.Result, error) {
	comp, err := indicator.NewComputer(defs, periods)
	if err != nil {
		return nil, err
	}
	for _, p := range prepare {
		if p != nil {
			p(comp)
		}
	}
	from, to := periods[0].Start(), periods[0].End()
	for _, p := range periods {
		from, to = minTime(from, p.Start()), maxTime(to, p.End())
	}
	from = from.AddDate(-factLookback, 0, 0)
	var n int64
	var rows func(done, total int64)
	if progress != nil {
		rows = func(done, total int64) {
			p := FactProgress{Facts: n, Done: 1}
			if total > 0 {
				p.Done = min(float64(done)/float64(total), 1)
			}
			progress(p)
		}
	}
	err = s.db.IndicatorFactsProgress(ctx, from, to, func(f *accord.IndicatorFact) error {
		comp.Add(f)
		n++
		return nil
	}, rows)
	if err != nil {
		return nil, err
	}
	if progress != nil {
		progress(FactProgress{Facts: n, Done: 1})
	}
	return comp.Results(), nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (s *Service) plansByIndicator(ctx context.Context, period accord.Period) (map[string]*accord.ActionPlan, error) {
	plans, err := s.db.ActionPlans(ctx, period.String())
	if err != nil {
		return nil, err
	}
	out := map[string]*accord.ActionPlan{}
	for i := range plans {
		out[plans[i].IndicatorID] = &plans[i]
	}
	return out, nil
}

func (s *Service) findRelease(ctx context.Context, period accord.Period) (*sqlstore.IndicatorRelease, error) {
	r, err := s.db.FindRelease(ctx, period.String())
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		return nil, nil
	}
	return r, err
}

// organizationNames maps organisation ids to names: organisation names
// are public, and the "organization" dimension holds ids.
func (s *Service) organizationNames(ctx context.Context) (map[string]string, error) {
	orgs, err := s.db.Organizations(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(orgs))
	for _, o := range orgs {
		out[o.ID] = o.Name
	}
	return out, nil
}

// areaNames maps area codes to names, for the "geography" dimension.
func (s *Service) areaNames(ctx context.Context) (map[string]string, error) {
	areas, err := s.db.Areas(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(areas))
	for _, a := range areas {
		out[a.Code] = a.Name
	}
	return out, nil
}

// Report is a release of a quarter's indicators with what goes with it:
// the action plans of the quarter, and whether it is published.
type Report struct {
	Release indicator.Release
	// Plans are the quarter's action plans, by indicator.
	Plans []accord.ActionPlan
	// Missing are the indicators the release shows below target that have
	// no action plan: the release cannot be published until each has one.
	Missing []indicator.Published
	// Published is the stored release; nil for a preview of one that is
	// not published.
	Published     *sqlstore.IndicatorRelease
	Organizations map[string]string
	Areas         map[string]string
}

// Plan returns the action plan for an indicator, or nil.
func (r *Report) Plan(indicatorID string) *accord.ActionPlan {
	for i := range r.Plans {
		if r.Plans[i].IndicatorID == indicatorID {
			return &r.Plans[i]
		}
	}
	return nil
}

// ReleaseOptions are what the publisher chooses for a release.
type ReleaseOptions struct {
	// Profile is "standard" (the default), "round5" or "dp".
	Profile string
	// Epsilon is the privacy budget of a "dp" release, between
	// indicator.MinEpsilon and indicator.MaxEpsilon: smaller adds more
	// noise and protects more.
	Epsilon float64
}

// profileOf returns the disclosure-control profile chosen (EINVALID naming
// "profile" for an unknown one, "epsilon" for a budget out of range or
// given to a profile without noise).
func profileOf(o ReleaseOptions) (indicator.Profile, error) {
	name := o.Profile
	if name == "" {
		name = "standard"
	}
	p, ok := indicator.Profiles[name]
	if !ok {
		return indicator.Profile{}, accord.FieldErrorf("profile", "profile must be standard, round5 or dp")
	}
	if !p.Private() {
		if o.Epsilon != 0 {
			return indicator.Profile{}, accord.FieldErrorf("epsilon", "epsilon is for the differential privacy profile (dp) only")
		}
		return p, nil
	}
	if math.IsNaN(o.Epsilon) || o.Epsilon < indicator.MinEpsilon || o.Epsilon > indicator.MaxEpsilon {
		return indicator.Profile{}, accord.FieldErrorf("epsilon", "epsilon must be a number from %[1]v to %[2]v", indicator.MinEpsilon, indicator.MaxEpsilon)
	}
	p.Epsilon = o.Epsilon
	return p, nil
}

// BuildRelease builds the protected release of an ended quarter from the
// records as they are now, under the chosen profile ("standard" when
// empty; "dp" bounds each person's contribution and adds noise, a new
// draw each time), with the quarter's action plans. It is for operators (accord
// report build), who hold the database anyway; staff use PreviewRelease.
// progress, when set, is told how far reading the facts has got.
// EINVALID names "period" when the quarter has not ended, "profile" for an
// unknown profile, "epsilon" for a budget out of range.
func (s *Service) BuildRelease(ctx context.Context, period accord.Period, opts ReleaseOptions, progress func(FactProgress)) (_ *Report, err error) {
	defer accord.Wrap(&err, "BuildRelease(%s)", period)
	prof, err := profileOf(opts)
	if err != nil {
		return nil, err
	}
	if s.now().Before(period.End()) {
		return nil, accord.FieldErrorf("period", "%s has not ended yet: a release covers a whole quarter", period.String())
	}
	var bound func(*indicator.Computer)
	if prof.Private() {
		bound = func(c *indicator.Computer) { c.BoundContributions(prof.Bound, period.String()) }
	}
	results, err := s.compute(ctx, s.Indicators(), []accord.Period{period}, progress, bound)
	if err != nil {
		return nil, err
	}
	var o indicator.Options
	if prof.Private() {
		if o.Domains, err = s.publicDomains(ctx); err != nil {
			return nil, err
		}
	}
	rel, err := indicator.BuildWith(results, prof, o)
	if err != nil {
		return nil, err
	}
	rep := &Report{Release: rel}
	if err := s.completeReport(ctx, period, rep); err != nil {
		return nil, err
	}
	if rep.Published, err = s.findRelease(ctx, period); err != nil {
		return nil, err
	}
	return rep, nil
}

// publicDomains are the public lists of values of the organisation and
// geography dimensions, for a private release: every organisation and
// every area, whether or not it has units (which groups appear must not
// depend on who is counted).
func (s *Service) publicDomains(ctx context.Context) (map[string][]string, error) {
	orgs, err := s.organizationNames(ctx)
	if err != nil {
		return nil, err
	}
	areas, err := s.areaNames(ctx)
	if err != nil {
		return nil, err
	}
	return map[string][]string{"organization": slices.Sorted(maps.Keys(orgs)), "geography": slices.Sorted(maps.Keys(areas))}, nil
}

// completeReport adds the quarter's action plans, the indicators below
// target that lack one, and the organisations' and areas' names.
func (s *Service) completeReport(ctx context.Context, period accord.Period, rep *Report) error {
	plans, err := s.db.ActionPlans(ctx, period.String())
	if err != nil {
		return err
	}
	rep.Plans = plans
	for _, m := range rep.Release.Missed() {
		if rep.Plan(m.ID) == nil {
			rep.Missing = append(rep.Missing, m)
		}
	}
	if rep.Areas, err = s.areaNames(ctx); err != nil {
		return err
	}
	rep.Organizations, err = s.organizationNames(ctx)
	return err
}

// PreviewRelease is BuildRelease for the partnership's staff: the release
// as it would be published now. EFORBIDDEN for staff of enforcement bodies.
func (s *Service) PreviewRelease(ctx context.Context, c *Caller, period accord.Period, opts ReleaseOptions) (*Report, error) {
	if err := c.requireIndicators(); err != nil {
		return nil, err
	}
	return s.BuildRelease(ctx, period, opts, nil)
}

// PrivacyBudget is the partnership's differential-privacy budget: what its
// published releases have spent, and the cap (0: none).
type PrivacyBudget struct {
	Spent, Cap float64
}

// Left is what remains under the cap (meaningless without one).
func (b PrivacyBudget) Left() float64 { return max(b.Cap-b.Spent, 0) }

// PrivacyBudget returns the budget to those who may publish (EFORBIDDEN
// otherwise).
func (s *Service) PrivacyBudget(ctx context.Context, c *Caller) (PrivacyBudget, error) {
	if err := c.requirePublish(); err != nil {
		return PrivacyBudget{}, err
	}
	spent, err := s.db.PrivacySpent(ctx)
	return PrivacyBudget{Spent: spent, Cap: s.privacyCap}, err
}

// PublishRelease builds and publishes the release of an ended quarter, once.
// Only the partnership administrator or the oversight body may
// (EFORBIDDEN). It is refused with ECONFLICT, naming them, while any
// indicator the release shows below target has no action plan for the
// quarter, with ECONFLICT when the quarter is already published, and with
// ECONFLICT naming "epsilon" when a private release would take the
// partnership over its privacy budget. The release is stored exactly as
// built, and recorded in the audit log with the epsilon it spent.
//
// A private release is checked for action plans on the figures without
// noise (those partner staff see), before its noise is drawn: were the
// check made on the noisy draw, a refused draw could be retried until one
// passed, and the published draw would cost more than the epsilon
// recorded. Drawn once, it is published unless the quarter is taken or
// the budget exceeded, neither of which depends on the data.
func (s *Service) PublishRelease(ctx context.Context, c *Caller, period accord.Period, opts ReleaseOptions) (_ *Report, err error) {
	defer accord.Wrap(&err, "PublishRelease(%s)", period)
	if err := c.requirePublish(); err != nil {
		return nil, err
	}
	prof, err := profileOf(opts)
	if err != nil {
		return nil, err
	}
	if prof.Private() {
		exact, err := s.BuildRelease(ctx, period, ReleaseOptions{}, nil)
		if err != nil {
			return nil, err
		}
		if exact.Published == nil && len(exact.Missing) > 0 {
			return nil, errPlansMissing(period, exact.Missing)
		}
	}
	rep, err := s.BuildRelease(ctx, period, opts, nil)
	if err != nil {
		return nil, err
	}
	if rep.Published != nil {
		return nil, accord.Errorf(accord.ECONFLICT, "the release for %s is already published; a release cannot be changed", period.String())
	}
	if !prof.Private() && len(rep.Missing) > 0 {
		return nil, errPlansMissing(period, rep.Missing)
	}
	content, err := json.Marshal(rep.Release)
	if err != nil {
		return nil, err
	}
	stored := &sqlstore.IndicatorRelease{Period: period.String(), Profile: rep.Release.Profile.Name, Epsilon: rep.Release.Profile.Epsilon,
		BudgetCap: s.privacyCap, Content: content}
	if err := s.db.PublishRelease(ctx, c.Actor(), stored); err != nil {
		return nil, err
	}
	rep.Published = stored
	return rep, nil
}

// errPlansMissing is the refusal to publish while indicators below target
// have no action plan; the field names the first of them.
func errPlansMissing(period accord.Period, missing []indicator.Published) error {
	titles := make([]i18n.Term, len(missing))
	for i, m := range missing {
		titles[i] = i18n.Term(m.Title)
	}
	e := accord.Errorf(accord.ECONFLICT, "The release for %[1]s cannot be published yet: these indicators are below target and have no action plan: %[2]s. Record an action plan for each first.",
		period.String(), titles)
	e.Field = "action_plans"
	return e
}

// PublicReport returns the published release of a quarter with its action
// plans as they stand now; anyone may read it (no caller). ENOTFOUND when
// the quarter is not published.
func (s *Service) PublicReport(ctx context.Context, period accord.Period) (_ *Report, err error) {
	defer accord.Wrap(&err, "PublicReport(%s)", period)
	stored, err := s.findRelease(ctx, period)
	if err != nil {
		return nil, err
	}
	if stored == nil {
		return nil, accord.Errorf(accord.ENOTFOUND, "no report is published for %s", period.String())
	}
	rep := &Report{Published: stored}
	if err := json.Unmarshal(stored.Content, &rep.Release); err != nil {
		return nil, err
	}
	if err := s.completeReport(ctx, period, rep); err != nil {
		return nil, err
	}
	rep.Missing = nil // published: every missed indicator had a plan then
	return rep, nil
}

// PublishedReleases lists the published quarters, newest first, without
// their content; anyone may.
func (s *Service) PublishedReleases(ctx context.Context) ([]sqlstore.IndicatorRelease, error) {
	return s.db.Releases(ctx)
}

// ActionPlan returns one action plan to the partnership's staff.
func (s *Service) ActionPlan(ctx context.Context, c *Caller, id string) (*accord.ActionPlan, error) {
	if err := c.requireIndicators(); err != nil {
		return nil, err
	}
	return s.db.FindActionPlan(ctx, id)
}

// SaveActionPlan records a new action plan (p.ID empty) or changes one the
// caller saw at p.Version (EPRECONDITION when someone changed it since).
// Administrators and supervisors of the partners only (EFORBIDDEN). The
// indicator must be one of the suite (EINVALID naming "indicator_id").
// On success p holds the stored plan.
func (s *Service) SaveActionPlan(ctx context.Context, c *Caller, p *accord.ActionPlan) (err error) {
	defer accord.Wrap(&err, "SaveActionPlan")
	if err := c.requirePlans(); err != nil {
		return err
	}
	if p.ID == "" {
		if !slices.ContainsFunc(s.Indicators(), func(d accord.Indicator) bool { return d.ID == p.IndicatorID }) {
			return accord.FieldErrorf("indicator_id", "there is no indicator %q", p.IndicatorID)
		}
		if p.Status == "" {
			p.Status = "open"
		}
		return s.db.CreateActionPlan(ctx, c.Actor(), p)
	}
	return s.db.UpdateActionPlan(ctx, c.Actor(), p)
}

// NamedRelease is the release with the organisations' names in place of
// their ids as the groups of the "organization" dimension, and the areas'
// names in place of their codes in "geography", for readers (the CSV); the
// release itself, as published, keeps the ids and codes.
func (r *Report) NamedRelease() indicator.Release {
	out := r.Release
	out.Indicators = slices.Clone(r.Release.Indicators)
	for i := range out.Indicators {
		bds := slices.Clone(out.Indicators[i].Breakdown)
		for k := range bds {
			names := map[string]map[string]string{"organization": r.Organizations, "geography": r.Areas}[bds[k].Dimension]
			if names == nil {
				continue
			}
			gs := slices.Clone(bds[k].Groups)
			for j := range gs {
				if name, ok := names[gs[j].Name]; ok {
					gs[j].Name = name
				}
			}
			bds[k].Groups = gs
		}
		out.Indicators[i].Breakdown = bds
	}
	return out
}
