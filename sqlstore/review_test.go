package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// TestLegalBasisReviewDeadline records a break-glass access and lets its
// review deadline pass: the timer fires once, after 72 hours and not
// before, across two processes; it tells the oversight body and reminds it
// a day later; the review is recorded once and stops the reminders.
func TestLegalBasisReviewDeadline(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		gf := newGrievanceFixture(t, fx)
		c := fx.client("Ana")
		b := &accord.LegalBasis{Kind: accord.BasisEmergency, ClientID: c.ID, Categories: []accord.Category{accord.CatClinicalSummary},
			RecipientOrganizationID: fx.clinic.ID, RecipientStaffID: fx.nurse.ID, Reason: "Collapsed in the waiting room.",
			ValidFrom: fx.now, ExpiresAt: fx.now.Add(time.Hour)}
		if err := fx.db.CreateLegalBasis(ctx, fx.actor(), b); err != nil {
			t.Fatal(err)
		}
		other := fx.open() // a second server process
		claim := func(db *sqlstore.DB, worker string) []sqlstore.Timer {
			t.Helper()
			ts, err := db.ClaimDueTimers(ctx, worker, 100, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return ts
		}

		fx.now = t0.Add(accord.ReviewDeadline - time.Minute)
		if ts := claim(fx.db, "one"); len(ts) != 0 {
			t.Fatalf("before 72 hours %d timers are due", len(ts))
		}
		fx.now = t0.Add(accord.ReviewDeadline + time.Minute)
		ts := append(claim(fx.db, "one"), claim(other, "two")...)
		if len(ts) != 1 || ts[0].Kind != sqlstore.TimerLegalBasisReview || ts[0].SubjectID != b.ID {
			t.Fatalf("after 72 hours two processes claimed %+v, want the review deadline once", ts)
		}
		if n, err := other.FireTimers(ctx, ts); err != nil || n != 1 {
			t.Fatalf("firing: %d, %v", n, err)
		}
		if n, err := fx.db.FireTimers(ctx, ts); err != nil || n != 0 {
			t.Fatalf("firing again: %d, %v; a timer fires once", n, err)
		}
		if !noticed(t, fx.db, gf.audit.ID, "legal_basis.review_overdue", b.ID) {
			t.Error("the oversight body's auditor was not told (it has no escalation chain)")
		}
		if noticed(t, fx.db, gf.officer.ID, "legal_basis.review_overdue", b.ID) {
			t.Error("the clinic's privacy officer was told")
		}
		q, err := fx.db.ReviewQueue(ctx, 10)
		if err != nil || len(q) != 1 || q[0].Escalations != 1 || !q[0].ReviewOverdue(fx.now) {
			t.Fatalf("queue after the deadline: %+v, %v", q, err)
		}

		// With a chain, the reminder a day later goes to the chain.
		if err := fx.db.SetEscalationChain(ctx, fx.admin, gf.over.ID, []string{gf.audit.ID}, nil); err != nil {
			t.Fatal(err)
		}
		fx.now = fx.now.Add(accord.ReviewReminder + time.Minute)
		ts = claim(other, "two")
		if n, err := other.FireTimers(ctx, ts); err != nil || n != 1 {
			t.Fatalf("the reminder: %d, %v", n, err)
		}
		if q, _ := fx.db.ReviewQueue(ctx, 10); len(q) != 1 || q[0].Escalations != 2 {
			t.Errorf("escalations after the reminder: %+v", q)
		}

		reviewer := accord.Actor{StaffID: gf.audit.ID, OrganizationID: gf.over.ID}
		rv := accord.Review{Decision: accord.ReviewJustified, Reasoning: "A genuine emergency; the access was limited to what care needed."}
		got, err := fx.db.ReviewLegalBasis(ctx, reviewer, b.ID, rv)
		if err != nil {
			t.Fatal(err)
		}
		want := *b
		now := fx.now
		want.ReviewStatus, want.ReviewedBy, want.ReviewedAt, want.ReviewNote = accord.ReviewJustified, gf.audit.ID, &now, rv.Reasoning
		if diff := cmp.Diff(&want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("reviewed basis (-want +got):\n%s", diff)
		}
		stored, err := fx.db.FindLegalBasis(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&want, stored, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("stored basis (-want +got):\n%s", diff)
		}
		if recent, err := fx.db.RecentReviews(ctx, 5); err != nil || len(recent) != 1 || recent[0].ID != b.ID || recent[0].Escalations != 2 {
			t.Errorf("recent reviews: %+v, %v", recent, err)
		}
		if q, err := fx.db.ReviewQueue(ctx, 10); err != nil || len(q) != 0 {
			t.Errorf("the queue after the review: %+v, %v", q, err)
		}
		again := accord.Review{Decision: accord.ReviewNotJustified, Reasoning: "Second thoughts."}
		if _, err := other.ReviewLegalBasis(ctx, reviewer, b.ID, again); code(err) != accord.ECONFLICT {
			t.Errorf("a second review: %v, want conflict", err)
		}
		if stored, _ := fx.db.FindLegalBasis(ctx, b.ID); stored.ReviewStatus != accord.ReviewJustified || stored.ReviewNote != rv.Reasoning {
			t.Errorf("the second review changed the first: %+v", stored)
		}
		entries, err := fx.db.AuditEntries(ctx, sqlstore.AuditFilter{ClientID: c.ID, After: -1})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			if e.LegalBasisID == b.ID {
				actions = append(actions, e.Action)
			}
		}
		if diff := cmp.Diff([]string{"legal_basis.create.emergency", "legal_basis.review_overdue", "legal_basis.review_overdue", "legal_basis.review.justified"}, actions); diff != "" {
			t.Errorf("audit events of the basis (-want +got):\n%s", diff)
		}

		fx.now = fx.now.Add(7 * accord.ReviewReminder)
		if ts := claim(fx.db, "one"); len(ts) != 0 {
			t.Errorf("a reviewed basis still reminds: %+v", ts)
		}
		if n, err := fx.db.ArmReviewDeadlines(ctx); err != nil || n != 0 {
			t.Errorf("arming the deadlines of a database where every basis has one: %d, %v", n, err)
		}
	})
}

// TestArmReviewDeadlines imports a legal basis (as the demo does, with no
// timer) and arms its deadline once.
func TestArmReviewDeadlines(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		c := fx.client("Ana")
		b := &accord.LegalBasis{Kind: accord.BasisCourtOrder, ClientID: c.ID, Categories: []accord.Category{accord.CatClinicalSummary},
			RecipientOrganizationID: fx.police.ID, HolderOrganizationID: fx.clinic.ID, Reference: "T20260042", Issuer: "Crown Court",
			Reason: "Production order.", ValidFrom: fx.now.Add(-10 * 24 * time.Hour), ExpiresAt: fx.now.Add(30 * 24 * time.Hour),
			RecordedAt: fx.now.Add(-9 * 24 * time.Hour)}
		if err := fx.db.Import(ctx, fx.admin, "test.load", func(im *sqlstore.Importer) error { return im.LegalBasis(b) }); err != nil {
			t.Fatal(err)
		}
		for i, want := range []int{1, 0} {
			if n, err := fx.db.ArmReviewDeadlines(ctx); err != nil || n != want {
				t.Errorf("pass %d armed %d (%v), want %d", i, n, err, want)
			}
		}
		ts, err := fx.db.ClaimDueTimers(ctx, "one", 10, time.Minute)
		if err != nil || len(ts) != 1 || !ts[0].DueAt.Equal(b.RecordedAt.Add(accord.ReviewDeadline)) {
			t.Errorf("due timers %+v (%v), want the imported basis's review, due 72 hours after it was recorded", ts, err)
		}
	})
}
