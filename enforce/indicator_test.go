package enforce_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/indicator"
	"github.com/accord-project/accord/sqlstore"
)

// q3 is the demo's last full quarter (the demo's today is 22 November
// 2026).
var q3 = accord.Period{Year: 2026, Quarter: 3}

// TestIndicatorsWhoSees checks who sees the dashboard and previews, who
// records action plans and who publishes.
func TestIndicatorsWhoSees(t *testing.T) {
	d := startDemo(t)
	ctx := context.Background()
	year := 2010 // each caller's plan is for a quarter of its own
	for _, tc := range []struct {
		user                 string
		dashboard, plan, pub bool
	}{
		{"amina.navigator", true, false, false},   // clinic navigator
		{"s.bennett", true, true, false},          // clinic supervisor
		{"r.mensah", true, true, true},            // partnership administrator
		{"c.achebe", true, false, true},           // oversight auditor
		{"v.moreau", true, false, true},           // oversight auditor and supervisor: checks plans, does not own them
		{"t.reid", false, false, false},           // police
		{"e.clarke", false, false, false},         // immigration supervisor
		{"n.price", false, false, false},          // immigration privacy officer
		{"o.kovalenko", true, true, false},        // NGO supervisor
		{"layla.interpreter", true, false, false}, // interpreter
	} {
		t.Run(tc.user, func(t *testing.T) {
			year++
			c := d.caller(tc.user)
			dash, err := d.svc.Dashboard(ctx, c, q3)
			if tc.dashboard != (err == nil) {
				t.Fatalf("Dashboard: err = %v, want allowed %v", err, tc.dashboard)
			}
			if !tc.dashboard && accord.ErrorCode(err) != accord.EFORBIDDEN {
				t.Errorf("Dashboard refused with %v, want forbidden", err)
			}
			if dash != nil && (len(dash.Periods) != enforce.TrendQuarters || dash.Periods[len(dash.Periods)-1] != q3 || len(dash.Indicators) != len(indicator.Default())) {
				t.Errorf("dashboard periods %v with %d indicators", dash.Periods, len(dash.Indicators))
			}
			if _, err := d.svc.PreviewRelease(ctx, c, q3, enforce.ReleaseOptions{}); tc.dashboard != (err == nil) {
				t.Errorf("PreviewRelease: err = %v, want allowed %v", err, tc.dashboard)
			}
			if c.MayRecordActionPlans() != tc.plan {
				t.Errorf("MayRecordActionPlans = %v, want %v", !tc.plan, tc.plan)
			}
			if c.MayPublishIndicators() != tc.pub {
				t.Errorf("MayPublishIndicators = %v, want %v", !tc.pub, tc.pub)
			}
			plan := &accord.ActionPlan{IndicatorID: "referral_completion", Period: fmt.Sprintf("%d-Q1", year), Owner: "Referral coordinators", Actions: "Call every receiver weekly.",
				Deadline: d.now.AddDate(0, 1, 0)}
			err = d.svc.SaveActionPlan(ctx, c, plan)
			if tc.plan != (err == nil) {
				t.Errorf("SaveActionPlan: err = %v, want allowed %v", err, tc.plan)
			}
			if !tc.plan && accord.ErrorCode(err) != accord.EFORBIDDEN {
				t.Errorf("SaveActionPlan refused with %v, want forbidden", err)
			}
			if !tc.pub {
				_, err := d.svc.PublishRelease(ctx, c, q3, enforce.ReleaseOptions{Profile: "standard"})
				if accord.ErrorCode(err) != accord.EFORBIDDEN {
					t.Errorf("PublishRelease: err = %v, want forbidden", err)
				}
			}
		})
	}
}

// TestDashboardTrend checks the dashboard's quarters and that it is
// unsuppressed: the figures are the engine's, small counts included.
func TestDashboardTrend(t *testing.T) {
	d := startDemo(t)
	ctx := context.Background()
	dash, err := d.svc.Dashboard(ctx, d.caller("amina.navigator"), q3)
	if err != nil {
		t.Fatal(err)
	}
	want := []accord.Period{{Year: 2025, Quarter: 4}, {Year: 2026, Quarter: 1}, {Year: 2026, Quarter: 2}, q3}
	if diff := cmp.Diff(want, dash.Periods); diff != "" {
		t.Errorf("periods (-want +got):\n%s", diff)
	}
	if !dash.Ended {
		t.Error("2026-Q3 is over on 22 November 2026")
	}
	counted := 0
	for _, di := range dash.Indicators {
		if len(di.Trend) != len(want) {
			t.Fatalf("%s: %d quarters", di.Indicator.ID, len(di.Trend))
		}
		for j, r := range di.Trend {
			if r.Period != want[j] || r.Indicator.ID != di.Indicator.ID {
				t.Errorf("%s: trend %d is %s of %s", di.Indicator.ID, j, r.Period, r.Indicator.ID)
			}
			counted += int(r.Overall.Den)
		}
	}
	if counted == 0 {
		t.Error("the demo partnership's dashboard counts nothing")
	}
	t.Run("a quarter that has not started", func(t *testing.T) {
		_, err := d.svc.Dashboard(ctx, d.caller("amina.navigator"), accord.Period{Year: 2027, Quarter: 1})
		if e := accord.AsError(err); e == nil || e.Code != accord.EINVALID || e.Field != "period" {
			t.Errorf("err = %v, want invalid naming period", err)
		}
	})
	t.Run("the current quarter is shown, not over", func(t *testing.T) {
		dash, err := d.svc.Dashboard(ctx, d.caller("amina.navigator"), accord.PeriodOf(d.now))
		if err != nil || dash.Ended {
			t.Errorf("err = %v, ended %v", err, dash != nil && dash.Ended)
		}
	})
}

// TestPublishRelease: a quarter that has not ended cannot be released (the
// field named); publication is refused while an indicator below target
// has no action plan, naming it; once every one has a plan it is published,
// once, and reads back identical; the public report shows it with its
// plans.
func TestPublishRelease(t *testing.T) {
	d := startDemo(t)
	ctx := context.Background()
	admin, over := d.caller("r.mensah"), d.caller("c.achebe")

	t.Run("a quarter that has not ended", func(t *testing.T) {
		for _, err := range []error{
			func() error {
				_, err := d.svc.PublishRelease(ctx, admin, accord.PeriodOf(d.now), enforce.ReleaseOptions{Profile: "standard"})
				return err
			}(),
			func() error {
				_, err := d.svc.PreviewRelease(ctx, admin, accord.PeriodOf(d.now), enforce.ReleaseOptions{Profile: "standard"})
				return err
			}(),
		} {
			if e := accord.AsError(err); e == nil || e.Code != accord.EINVALID || e.Field != "period" || !strings.Contains(e.Message(), "2026-Q4") {
				t.Errorf("err = %v, want invalid naming period 2026-Q4", err)
			}
		}
	})
	t.Run("an unknown profile", func(t *testing.T) {
		_, err := d.svc.PreviewRelease(ctx, admin, q3, enforce.ReleaseOptions{Profile: "round7"})
		if e := accord.AsError(err); e == nil || e.Field != "profile" {
			t.Errorf("err = %v, want invalid naming profile", err)
		}
	})
	if _, err := d.svc.PublicReport(ctx, q3); accord.ErrorCode(err) != accord.ENOTFOUND {
		t.Fatalf("PublicReport before publication: err = %v, want not found", err)
	}

	unserved(t, d, q3, 30)
	prev, err := d.svc.PreviewRelease(ctx, admin, q3, enforce.ReleaseOptions{Profile: "standard"})
	if err != nil {
		t.Fatal(err)
	}
	missed := prev.Release.Missed()
	if !slices.ContainsFunc(missed, func(p indicator.Published) bool { return p.ID == "interpreter_provided" }) {
		t.Fatalf("interpreter_provided is not shown below target: %+v", missed)
	}
	if len(prev.Missing) != len(missed) || prev.Published != nil {
		t.Fatalf("preview: %d missing plans for %d missed indicators, published %v", len(prev.Missing), len(missed), prev.Published)
	}
	t.Run("refused without action plans, naming the indicators", func(t *testing.T) {
		_, err := d.svc.PublishRelease(ctx, over, q3, enforce.ReleaseOptions{Profile: "standard"})
		e := accord.AsError(err)
		if e == nil || e.Code != accord.ECONFLICT || e.Field != "action_plans" {
			t.Fatalf("err = %v, want conflict naming action_plans", err)
		}
		msg := e.Message()
		for _, m := range missed {
			if !strings.Contains(msg, m.Title) {
				t.Errorf("the refusal %q does not name %q", msg, m.Title)
			}
		}
		if _, err := d.svc.PublicReport(ctx, q3); accord.ErrorCode(err) != accord.ENOTFOUND {
			t.Errorf("a refused release was stored: %v", err)
		}
	})

	// A supervisor records a plan for each; one is updated, and a stale
	// update is refused.
	sup := d.caller("s.bennett")
	var plans []*accord.ActionPlan
	for _, m := range missed {
		p := &accord.ActionPlan{IndicatorID: m.ID, Period: q3.String(), Owner: "Partnership coordination team", Actions: "Weekly review of open items.",
			Deadline: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)}
		if err := d.svc.SaveActionPlan(ctx, sup, p); err != nil {
			t.Fatal(err)
		}
		if p.Status != "open" || p.Version != 1 {
			t.Errorf("a new plan is %s at version %d", p.Status, p.Version)
		}
		plans = append(plans, p)
	}
	t.Run("optimistic concurrency", func(t *testing.T) {
		p := *plans[0]
		p.Progress, p.Status = "Two reviews held.", "in_progress"
		if err := d.svc.SaveActionPlan(ctx, admin, &p); err != nil {
			t.Fatal(err)
		}
		stale := *plans[0]
		stale.Progress = "An older view of the plan."
		if err := d.svc.SaveActionPlan(ctx, sup, &stale); accord.ErrorCode(err) != accord.EPRECONDITION {
			t.Errorf("a stale update: err = %v, want precondition failed", err)
		}
		again := &accord.ActionPlan{IndicatorID: plans[0].IndicatorID, Period: q3.String(), Owner: "x", Actions: "y", Deadline: d.now}
		if err := d.svc.SaveActionPlan(ctx, sup, again); accord.ErrorCode(err) != accord.ECONFLICT {
			t.Errorf("a second plan for the same indicator and quarter: err = %v, want conflict", err)
		}
		bad := &accord.ActionPlan{IndicatorID: "no_such_indicator", Period: q3.String(), Owner: "x", Actions: "y", Deadline: d.now}
		if e := accord.AsError(d.svc.SaveActionPlan(ctx, sup, bad)); e == nil || e.Field != "indicator_id" {
			t.Errorf("a plan for an unknown indicator: err = %v, want the field named", e)
		}
		noOwner := &accord.ActionPlan{IndicatorID: "treatment_delay_days", Period: q3.String(), Actions: "y", Deadline: d.now}
		if e := accord.AsError(d.svc.SaveActionPlan(ctx, sup, noOwner)); e == nil || e.Field != "owner" {
			t.Errorf("a plan without an owner: err = %v, want the field named", e)
		}
	})

	size, _ := d.db.AuditSize(ctx)
	pub, err := d.svc.PublishRelease(ctx, over, q3, enforce.ReleaseOptions{Profile: "standard"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(prev.Release, pub.Release); diff != "" {
		t.Errorf("the published release is not the one previewed (-preview +published):\n%s", diff)
	}
	t.Run("audited", func(t *testing.T) {
		after, _ := d.db.AuditSize(ctx)
		if after <= size {
			t.Fatal("publishing appended nothing to the audit log")
		}
		es, err := d.db.AuditEntries(ctx, sqlstore.AuditFilter{After: int64(size) - 1, Limit: int(after - size)})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(es, func(e accord.AuditEntry) bool {
			return e.Kind == accord.AuditChange && e.ActorID == over.Staff.ID && e.ObjectID == q3.String() && strings.Contains(e.Action, "publish")
		}) {
			t.Errorf("no audit entry of the publication among %+v", es)
		}
	})
	t.Run("identical on re-read", func(t *testing.T) {
		rep, err := d.svc.PublicReport(ctx, q3)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(pub.Release, rep.Release); diff != "" {
			t.Errorf("re-read (-published +read):\n%s", diff)
		}
		want, _ := json.Marshal(pub.Release)
		if string(rep.Published.Content) != string(want) {
			t.Error("the stored content is not the release's JSON")
		}
		if len(rep.Plans) != len(plans) || rep.Plans[0].Progress == "" && rep.Plans[len(rep.Plans)-1].Progress == "" {
			t.Errorf("the public report's plans: %+v", rep.Plans)
		}
		rels, err := d.svc.PublishedReleases(ctx)
		if err != nil || len(rels) != 1 || rels[0].Period != q3.String() || rels[0].PublishedBy != over.Staff.ID {
			t.Errorf("published releases: %+v, %v", rels, err)
		}
	})
	t.Run("write once", func(t *testing.T) {
		_, err := d.svc.PublishRelease(ctx, admin, q3, enforce.ReleaseOptions{Profile: "round5"})
		if accord.ErrorCode(err) != accord.ECONFLICT {
			t.Errorf("publishing again: err = %v, want conflict", err)
		}
		rep, _ := d.svc.PublicReport(ctx, q3)
		if rep.Release.Profile.Name != "standard" {
			t.Error("the published release changed")
		}
	})
	t.Run("the dashboard says it is published", func(t *testing.T) {
		dash, err := d.svc.Dashboard(ctx, sup, q3)
		if err != nil || dash.Published == nil {
			t.Fatalf("err = %v, published %v", err, dash != nil && dash.Published != nil)
		}
		for _, di := range dash.Indicators {
			if di.Below() && di.Plan == nil {
				t.Errorf("%s is below target on the dashboard without its plan", di.Indicator.ID)
			}
		}
	})
}

// unserved registers n clients who need an interpreter and had none, in
// the middle of quarter q (the clock goes back there and returns), so that
// interpreter_provided misses its target there by more than any small
// count: shown below target, not suppressed.
func unserved(t *testing.T, d *demoService, q accord.Period, n int) {
	t.Helper()
	now := d.now
	defer func() { d.now = now }()
	d.now = q.Start().AddDate(0, 1, 10)
	nav := d.caller("amina.navigator")
	for i := range n {
		cl := &accord.Client{GivenName: fmt.Sprintf("Test %d", i), FamilyName: "Unserved", Gender: accord.GenderNotStated, PreferredLanguage: "ti",
			InterpreterNeeded: true}
		if err := d.svc.CreateClient(context.Background(), nav, cl); err != nil {
			t.Fatal(err)
		}
		d.now = d.now.Add(time.Hour)
	}
}
