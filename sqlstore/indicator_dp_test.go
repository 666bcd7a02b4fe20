package sqlstore_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// TestPrivacyBudget: a private release's epsilon is stored, recorded in
// the publishing audit entry, and summed into the partnership's spent
// budget; a release over the cap is refused and nothing is written.
func TestPrivacyBudget(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		publish := func(period string, epsilon, budgetCap float64) error {
			return fx.db.PublishRelease(ctx, fx.actor(), &sqlstore.IndicatorRelease{Period: period, Profile: "dp", Epsilon: epsilon, BudgetCap: budgetCap, Content: []byte(`{}`)})
		}
		if err := publish("2026-Q1", 0, 0); err != nil { // a release without noise spends nothing
			t.Fatal(err)
		}
		if err := publish("2026-Q2", 1.5, 4); err != nil {
			t.Fatal(err)
		}
		if err := publish("2026-Q3", 2, 4); err != nil {
			t.Fatal(err)
		}
		spent, err := fx.db.PrivacySpent(ctx)
		if err != nil || spent != 3.5 {
			t.Errorf("PrivacySpent = %v, %v; want 3.5", spent, err)
		}
		got, err := fx.db.FindRelease(ctx, "2026-Q3")
		if err != nil || got.Epsilon != 2 {
			t.Errorf("FindRelease = %+v, %v; want epsilon 2", got, err)
		}
		entries, err := fx.db.AuditEntries(ctx, sqlstore.AuditFilter{After: -1, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var published []float64
		for _, e := range entries {
			if e.Action == "indicators.publish" {
				published = append(published, e.Epsilon)
			}
		}
		if diff := cmp.Diff([]float64{0, 1.5, 2}, published); diff != "" {
			t.Errorf("epsilon in the publishing audit entries (-want +got):\n%s", diff)
		}

		t.Run("over the cap", func(t *testing.T) {
			err := publish("2026-Q4", 1, 4)
			var e *accord.Error
			if code(err) != accord.ECONFLICT || !asError(err, &e) || e.Field != "epsilon" {
				t.Fatalf("publishing over the cap: %v, want conflict on epsilon", err)
			}
			if _, err := fx.db.FindRelease(ctx, "2026-Q4"); code(err) != accord.ENOTFOUND {
				t.Errorf("the refused release was stored: %v", err)
			}
			if err := publish("2026-Q4", 0.5, 4); err != nil {
				t.Errorf("a release that just fits: %v", err)
			}
		})
		t.Run("bad epsilon", func(t *testing.T) {
			for _, eps := range []float64{-1, math.NaN(), math.Inf(1)} {
				err := publish("2027-Q1", eps, 0)
				var e *accord.Error
				if code(err) != accord.EINVALID || !asError(err, &e) || e.Field != "epsilon" {
					t.Errorf("epsilon %v: %v, want invalid on epsilon", eps, err)
				}
			}
		})
	})
}

func asError(err error, target **accord.Error) bool { return errors.As(err, target) }

// ignorePerson leaves the pseudonymous person key out of fact comparisons;
// TestFactPersons checks it.
var ignorePerson = cmpopts.IgnoreFields(accord.IndicatorFact{}, "Person")

// TestFactPersons: the facts of one client carry the same person key, those
// of another client a different one, and nobody's key is 0.
func TestFactPersons(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		nurse := fx.actor()
		a, b := fx.client("A"), fx.client("B")
		for _, c := range []*accord.Client{a, a, b} {
			r := &accord.Referral{ClientID: c.ID, FromOrgID: fx.clinic.ID, FromStaffID: fx.nurse.ID, ToOrgID: fx.legal.ID, Purpose: accord.PurposeLegalAid,
				Categories: []accord.Category{accord.CatDemographics}, Reason: "Advice on a housing claim.", Urgency: accord.UrgencyRoutine}
			if err := fx.db.CreateReferral(ctx, nurse, r, sqlstore.Effects{}); err != nil {
				t.Fatal(err)
			}
		}
		var persons []uint64
		err := fx.db.IndicatorFacts(ctx, fx.now.Add(-time.Hour), fx.now.Add(time.Hour), func(f *accord.IndicatorFact) error {
			if f.Unit == "referral" {
				persons = append(persons, f.Person)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		count := map[uint64]int{}
		for _, p := range persons {
			count[p]++
		}
		if len(persons) != 3 || len(count) != 2 || count[0] != 0 {
			t.Errorf("person keys of A, A and B: %v, want two keys, neither 0", persons)
		}
	})
}
