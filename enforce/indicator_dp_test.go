package enforce_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/sqlstore"
)

// TestPrivateRelease: epsilon is validated on its field; a private release
// is published with its epsilon in the audit entry and the budget spent;
// with a cap, a release that would go over it is refused on the field.
func TestPrivateRelease(t *testing.T) {
	d := startDemo(t)
	ctx := context.Background()
	admin, over := d.caller("r.mensah"), d.caller("c.achebe")

	for _, tc := range []struct {
		name string
		opts enforce.ReleaseOptions
	}{
		{"dp without epsilon", enforce.ReleaseOptions{Profile: "dp"}},
		{"epsilon too small", enforce.ReleaseOptions{Profile: "dp", Epsilon: 0.01}},
		{"epsilon too large", enforce.ReleaseOptions{Profile: "dp", Epsilon: 50}},
		{"epsilon not a number", enforce.ReleaseOptions{Profile: "dp", Epsilon: math.NaN()}},
		{"epsilon without dp", enforce.ReleaseOptions{Profile: "standard", Epsilon: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.svc.PreviewRelease(ctx, admin, q3, tc.opts)
			if e := accord.AsError(err); e == nil || e.Code != accord.EINVALID || e.Field != "epsilon" {
				t.Errorf("err = %v, want invalid naming epsilon", err)
			}
		})
	}

	// Refused on the figures without noise, before any noise is drawn,
	// however often it is tried: the demo's interpreters indicator is
	// below target in the quarter and has no plan yet.
	for range 3 {
		_, err := d.svc.PublishRelease(ctx, over, q3, enforce.ReleaseOptions{Profile: "dp", Epsilon: 4})
		if e := accord.AsError(err); e == nil || e.Code != accord.ECONFLICT || e.Field != "action_plans" {
			t.Fatalf("private release without the plan: err = %v, want conflict naming action_plans", err)
		}
	}
	if spent, err := d.db.PrivacySpent(ctx); err != nil || spent != 0 {
		t.Errorf("refused publications spent %v (%v), want nothing", spent, err)
	}

	// Plans for every rate indicator: which ones the noise shows below
	// target differs from draw to draw.
	sup := d.caller("s.bennett")
	for _, def := range d.svc.Indicators() {
		if def.Measure != accord.MeasureRate {
			continue
		}
		p := &accord.ActionPlan{IndicatorID: def.ID, Period: q3.String(), Owner: "Partnership coordination team", Actions: "Weekly review.",
			Deadline: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)}
		if err := d.svc.SaveActionPlan(ctx, sup, p); err != nil {
			t.Fatal(err)
		}
	}

	size, _ := d.db.AuditSize(ctx)
	pub, err := d.svc.PublishRelease(ctx, over, q3, enforce.ReleaseOptions{Profile: "dp", Epsilon: 4})
	if err != nil {
		t.Fatal(err)
	}
	if p := pub.Release.Profile; p.Name != "dp" || p.Epsilon != 4 || pub.Published.Epsilon != 4 {
		t.Errorf("published profile %+v, stored epsilon %v", p, pub.Published.Epsilon)
	}
	t.Run("the audit entry carries epsilon", func(t *testing.T) {
		after, _ := d.db.AuditSize(ctx)
		es, err := d.db.AuditEntries(ctx, sqlstore.AuditFilter{After: int64(size) - 1, Limit: int(after - size)})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(es, func(e accord.AuditEntry) bool {
			return e.Action == "indicators.publish" && e.ObjectID == q3.String() && e.Epsilon == 4
		}) {
			t.Errorf("no publishing entry with epsilon 4 among %+v", es)
		}
	})
	t.Run("the budget spent", func(t *testing.T) {
		b, err := d.svc.PrivacyBudget(ctx, over)
		if err != nil || b.Spent != 4 || b.Cap != 0 {
			t.Errorf("PrivacyBudget = %+v, %v; want 4 spent, no cap", b, err)
		}
		if _, err := d.svc.PrivacyBudget(ctx, sup); accord.ErrorCode(err) != accord.EFORBIDDEN {
			t.Errorf("a supervisor reads the budget: %v, want forbidden", err)
		}
	})
	t.Run("the public report keeps the intervals", func(t *testing.T) {
		rep, err := d.svc.PublicReport(ctx, q3)
		if err != nil {
			t.Fatal(err)
		}
		withCI := 0
		for _, p := range rep.Release.Indicators {
			if p.Overall.NumCI != nil {
				withCI++
			}
			if p.Measure == accord.MeasureMedianDays && !p.Withheld {
				t.Errorf("%s: a median published under differential privacy", p.ID)
			}
		}
		if withCI == 0 {
			t.Error("no published count carries its interval")
		}
	})
	t.Run("over the cap", func(t *testing.T) {
		capped, err := enforce.New(ctx, enforce.Config{DB: d.db, Now: func() time.Time { return d.now }, PrivacyBudget: 5})
		if err != nil {
			t.Fatal(err)
		}
		q2 := q3.Prev()
		for _, def := range d.svc.Indicators() {
			p := &accord.ActionPlan{IndicatorID: def.ID, Period: q2.String(), Owner: "Team", Actions: "Review.", Deadline: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)}
			if err := d.svc.SaveActionPlan(ctx, sup, p); err != nil {
				t.Fatal(err)
			}
		}
		_, err = capped.PublishRelease(ctx, over, q2, enforce.ReleaseOptions{Profile: "dp", Epsilon: 2})
		if e := accord.AsError(err); e == nil || e.Code != accord.ECONFLICT || e.Field != "epsilon" {
			t.Fatalf("err = %v, want conflict naming epsilon", err)
		}
		if _, err := capped.PublishRelease(ctx, over, q2, enforce.ReleaseOptions{Profile: "dp", Epsilon: 1}); err != nil {
			t.Errorf("a release within the cap: %v", err)
		}
	})
}
