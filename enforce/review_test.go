package enforce_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/sqlstore"
)

// breakGlass records an emergency access by m.garcia at the clinic, now.
func (d *demoService) breakGlass(t *testing.T) *accord.LegalBasis {
	t.Helper()
	b, err := d.svc.BreakGlass(context.Background(), d.caller("m.garcia"), enforce.BreakGlassRequest{
		ClientID: d.p.Scenarios[0].ClientID, Reason: "Unconscious in the waiting room; needed his allergy list."})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (d *demoService) basis(t *testing.T, id string) *accord.LegalBasis {
	t.Helper()
	b, err := d.db.FindLegalBasis(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (d *demoService) auditSize(t *testing.T) uint64 {
	t.Helper()
	n, err := d.db.AuditSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var justified = accord.Review{Decision: accord.ReviewJustified, Reasoning: "A genuine emergency; only what care needed was opened."}

// TestWhoMayReview: only the oversight body's auditors and privacy
// officers review a legal basis; staff of the organisation that made the
// access, whatever their role, may not, nor may the oversight officer who
// recorded a basis, nor staff of an immigration authority or a law
// enforcement body. A refusal changes nothing.
func TestWhoMayReview(t *testing.T) {
	ctx := context.Background()
	d := startDemo(t)
	// An oversight auditor who is also a clinician, and broke the glass.
	dual := &accord.Staff{OrganizationID: d.caller("c.achebe").Staff.OrganizationID, Username: "o.medic", DisplayName: "Olu Medic",
		Roles: []accord.Role{accord.RoleAuditor, accord.RoleClinician}, Active: true}
	if err := d.svc.CreateStaff(ctx, d.caller("r.mensah"), dual, "a long enough password for a test"); err != nil {
		t.Fatal(err)
	}
	dualCaller := func() *enforce.Caller {
		org, _ := d.db.FindOrganization(ctx, dual.OrganizationID)
		return &enforce.Caller{Principal: &sqlstore.Principal{Staff: *dual, Organization: *org}}
	}
	// A court order the oversight body's privacy officer recorded for the clinic.
	order := func(t *testing.T) *accord.LegalBasis {
		b := &accord.LegalBasis{Kind: accord.BasisCourtOrder, ClientID: d.p.Scenarios[0].ClientID, Categories: []accord.Category{accord.CatClinicalSummary},
			RecipientOrganizationID: d.caller("t.reid").Staff.OrganizationID, HolderOrganizationID: d.caller("p.nowak").Staff.OrganizationID,
			Reference: "T20260042", Issuer: "Riverside Crown Court", Reason: "Production order.", ValidFrom: d.now, ExpiresAt: d.now.Add(30 * 24 * time.Hour)}
		if err := d.svc.RecordLegalBasis(ctx, d.caller("i.larsen"), b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	glassBy := func(who func() *enforce.Caller) func(t *testing.T) *accord.LegalBasis {
		return func(t *testing.T) *accord.LegalBasis {
			b, err := d.svc.BreakGlass(ctx, who(), enforce.BreakGlassRequest{ClientID: d.p.Scenarios[0].ClientID, Reason: "Collapsed at reception."})
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	clinicGlass := glassBy(func() *enforce.Caller { return d.caller("m.garcia") })
	for _, tt := range []struct {
		name   string
		basis  func(t *testing.T) *accord.LegalBasis
		caller func() *enforce.Caller
		want   string // error code; "" allowed
	}{
		{"oversight auditor", clinicGlass, func() *enforce.Caller { return d.caller("c.achebe") }, ""},
		{"oversight privacy officer", clinicGlass, func() *enforce.Caller { return d.caller("i.larsen") }, ""},
		{"oversight auditor and supervisor", clinicGlass, func() *enforce.Caller { return d.caller("v.moreau") }, ""},
		{"the clinician who broke the glass", clinicGlass, func() *enforce.Caller { return d.caller("m.garcia") }, accord.EFORBIDDEN},
		{"the clinic's privacy officer", clinicGlass, func() *enforce.Caller { return d.caller("p.nowak") }, accord.EFORBIDDEN},
		{"the clinic's clinical lead", clinicGlass, func() *enforce.Caller { return d.caller("s.bennett") }, accord.EFORBIDDEN},
		{"the partnership administrator", clinicGlass, func() *enforce.Caller { return d.caller("r.mensah") }, accord.EFORBIDDEN},
		{"another organisation's privacy officer", clinicGlass, func() *enforce.Caller { return d.caller("k.patel") }, accord.EFORBIDDEN},
		{"immigration caseworker", clinicGlass, func() *enforce.Caller { return d.caller("m.hughes") }, accord.EFORBIDDEN},
		{"immigration privacy officer", clinicGlass, func() *enforce.Caller { return d.caller("n.price") }, accord.EFORBIDDEN},
		{"police officer", clinicGlass, func() *enforce.Caller { return d.caller("t.reid") }, accord.EFORBIDDEN},
		{"police inspector", order, func() *enforce.Caller { return d.caller("g.fraser") }, accord.EFORBIDDEN},
		{"the oversight officer who recorded the order", order, func() *enforce.Caller { return d.caller("i.larsen") }, accord.EFORBIDDEN},
		{"another oversight auditor, for the order", order, func() *enforce.Caller { return d.caller("c.achebe") }, ""},
		{"an oversight auditor who broke the glass", glassBy(dualCaller), dualCaller, accord.EFORBIDDEN},
		{"a colleague of the oversight auditor who broke the glass", glassBy(dualCaller), func() *enforce.Caller { return d.caller("c.achebe") }, accord.EFORBIDDEN},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.basis(t)
			before, size := d.basis(t, b.ID), d.auditSize(t)
			got, err := d.svc.ReviewLegalBasis(ctx, tt.caller(), b.ID, justified)
			if code := accord.ErrorCode(err); code != tt.want {
				t.Fatalf("ReviewLegalBasis: %v, want code %q", err, tt.want)
			}
			if tt.want != "" {
				if diff := cmp.Diff(before, d.basis(t, b.ID)); diff != "" {
					t.Errorf("a refused review changed the basis (-before +after):\n%s", diff)
				}
				if n := d.auditSize(t); n != size {
					t.Errorf("a refused review wrote %d audit entries", n-size)
				}
				return
			}
			if got.ReviewStatus != accord.ReviewJustified || got.ReviewedBy != tt.caller().Staff.ID || got.ReviewNote != justified.Reasoning {
				t.Errorf("reviewed basis: %+v", got)
			}
		})
	}
}

// TestReviewInput: a bad review is refused with a clear code, beside the
// field it is about, and changes nothing; a review is recorded once.
func TestReviewInput(t *testing.T) {
	ctx := context.Background()
	d := startDemo(t)
	b := d.breakGlass(t)
	reviewed := d.breakGlass(t)
	if _, err := d.svc.ReviewLegalBasis(ctx, d.caller("c.achebe"), reviewed.ID, justified); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		id        string
		review    accord.Review
		wantCode  string
		wantField string
	}{
		{"empty reasoning", b.ID, accord.Review{Decision: accord.ReviewJustified}, accord.EINVALID, "reasoning"},
		{"blank reasoning", b.ID, accord.Review{Decision: accord.ReviewNotJustified, Reasoning: " \n\t "}, accord.EINVALID, "reasoning"},
		{"reasoning too long", b.ID, accord.Review{Decision: accord.ReviewReferred, Reasoning: strings.Repeat("a", accord.ReviewReasoningMax+1)}, accord.EINVALID, "reasoning"},
		{"unknown decision", b.ID, accord.Review{Decision: "fine", Reasoning: "Looks fine."}, accord.EINVALID, "decision"},
		{"no decision", b.ID, accord.Review{Reasoning: "Looks fine."}, accord.EINVALID, "decision"},
		{"pending is not a decision", b.ID, accord.Review{Decision: accord.ReviewPending, Reasoning: "Later."}, accord.EINVALID, "decision"},
		{"unknown id", accord.PrefixLegalBasis + "_aaaaaaaaaaaaaaaaaaaaaaaaaa", justified, accord.ENOTFOUND, ""},
		{"malformed id", "not-an-id", justified, accord.ENOTFOUND, ""},
		{"double review", reviewed.ID, accord.Review{Decision: accord.ReviewNotJustified, Reasoning: "On reflection, no."}, accord.ECONFLICT, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id := tt.id
			if id != b.ID && id != reviewed.ID {
				id = b.ID // what must not change
			}
			before, size := d.basis(t, id), d.auditSize(t)
			_, err := d.svc.ReviewLegalBasis(ctx, d.caller("i.larsen"), tt.id, tt.review)
			e := accord.AsError(err)
			if e == nil || e.Code != tt.wantCode || e.Field != tt.wantField {
				t.Fatalf("ReviewLegalBasis: %v, want code %q field %q", err, tt.wantCode, tt.wantField)
			}
			if diff := cmp.Diff(before, d.basis(t, id)); diff != "" {
				t.Errorf("a refused review changed the basis (-before +after):\n%s", diff)
			}
			if n := d.auditSize(t); n != size {
				t.Errorf("a refused review wrote %d audit entries", n-size)
			}
		})
	}
	t.Run("the decision's accepted values are listed", func(t *testing.T) {
		_, err := d.svc.ReviewLegalBasis(ctx, d.caller("i.larsen"), b.ID, accord.Review{Decision: "fine", Reasoning: "x"})
		if diff := cmp.Diff([]string{"justified", "not_justified", "referred"}, accord.AsError(err).Accepted); diff != "" {
			t.Errorf("accepted (-want +got):\n%s", diff)
		}
	})
}

// TestReviewRecorded: the review is on the basis, in the audit log as an
// event, out of the queue and among the recent reviews.
func TestReviewRecorded(t *testing.T) {
	ctx := context.Background()
	d := startDemo(t)
	b := d.breakGlass(t)
	d.now = d.now.Add(2 * time.Hour)
	rv := accord.Review{Decision: accord.ReviewReferred, Reasoning: "The record opened was wider than the emergency needed; referred to the clinic's Caldicott guardian."}
	got, err := d.svc.ReviewLegalBasis(ctx, d.caller("c.achebe"), b.ID, rv)
	if err != nil {
		t.Fatal(err)
	}
	now := d.now
	want := *b
	want.ReviewStatus, want.ReviewedBy, want.ReviewedAt, want.ReviewNote = accord.ReviewReferred, d.caller("c.achebe").Staff.ID, &now, rv.Reasoning
	if diff := cmp.Diff(&want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("reviewed (-want +got):\n%s", diff)
	}
	entries, err := d.db.AuditEntries(ctx, sqlstore.AuditFilter{ClientID: b.ClientID, After: -1, Newest: true, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(entries, func(e accord.AuditEntry) bool {
		return e.Action == "legal_basis.review.referred" && e.LegalBasisID == b.ID && e.ObjectID == b.ID && e.ActorID == want.ReviewedBy && e.Kind == accord.AuditChange
	}) {
		t.Errorf("no audit event of the review among %+v", entries)
	}
	q, err := d.svc.ReviewQueue(ctx, d.caller("i.larsen"), 10)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(q.Waiting, func(it enforce.ReviewItem) bool { return it.Basis.ID == b.ID }) {
		t.Error("the reviewed basis is still waiting")
	}
	if len(q.Reviewed) == 0 || q.Reviewed[0].Basis.ID != b.ID || q.Reviewed[0].Basis.ReviewNote != rv.Reasoning {
		t.Errorf("the review is not the latest of the recent reviews: %+v", q.Reviewed)
	}
	if q.Names[want.ReviewedBy] != "Chidi Achebe" {
		t.Errorf("the reviewer is not named: %v", q.Names)
	}
}

// TestReviewQueue: the demo's break-glass access, court order and duty in
// law wait for review, overdue, the longest waiting first; a new access
// waits last, not yet due. Only the oversight body reads the queue.
func TestReviewQueue(t *testing.T) {
	ctx := context.Background()
	d := startDemo(t)
	fresh := d.breakGlass(t)
	q, err := d.svc.ReviewQueue(ctx, d.caller("c.achebe"), 0)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Kind    accord.LegalBasisKind
		Overdue bool
	}
	var got []row
	for i, it := range q.Waiting {
		got = append(got, row{it.Basis.Kind, it.Overdue})
		if i > 0 && it.Age > q.Waiting[i-1].Age {
			t.Errorf("item %d waited %s, longer than the one before it", i, it.Age)
		}
		if want := d.now.Sub(it.Basis.RecordedAt); it.Age != want || !it.DueAt.Equal(it.Basis.RecordedAt.Add(72*time.Hour)) {
			t.Errorf("item %d: age %s due %s, want %s and 72 hours after %s", i, it.Age, it.DueAt, want, it.Basis.RecordedAt)
		}
	}
	want := []row{{accord.BasisStatutoryDuty, true}, {accord.BasisCourtOrder, true}, {accord.BasisEmergency, true}, {accord.BasisEmergency, false}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("queue (-want +got):\n%s", diff)
	}
	if last := q.Waiting[len(q.Waiting)-1]; last.Basis.ID != fresh.ID {
		t.Errorf("the new access is not last: %+v", last)
	}
	if q.Reviewed != nil {
		t.Errorf("recent reviews were not asked for: %+v", q.Reviewed)
	}
	for _, user := range []string{"p.nowak", "m.garcia", "r.mensah", "n.price", "t.reid"} {
		if _, err := d.svc.ReviewQueue(ctx, d.caller(user), 0); accord.ErrorCode(err) != accord.EFORBIDDEN {
			t.Errorf("%s reading the queue: %v, want forbidden", user, err)
		}
	}
}

// TestReviewDeadlineEscalates: unreviewed for 72 hours, a break-glass
// access escalates to the oversight body — its escalation chain, or its
// auditors and privacy officers when it has none — once, and again a day
// later; the review stops it. The clock is the service's and the
// database's, moved by the test.
func TestReviewDeadlineEscalates(t *testing.T) {
	ctx := context.Background()
	d := startDemo(t)
	start := d.now
	b := d.breakGlass(t)
	runner := &enforce.Runner{DB: d.db}
	fire := func(t *testing.T, at time.Time, want int) {
		t.Helper()
		d.now = at
		if n, err := runner.FireDue(ctx); err != nil || n != want {
			t.Fatalf("at +%s FireDue = %d, %v; want %d", at.Sub(start), n, err, want)
		}
	}
	told := func(user string) int {
		ns, err := d.db.Notifications(ctx, d.caller(user).Staff.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, x := range ns {
			if x.Kind == "legal_basis.review_overdue" && x.SubjectID == b.ID {
				n++
			}
		}
		return n
	}
	type tally struct{ Achebe, Larsen, Moreau, Nowak, Garcia int }
	count := func() tally {
		return tally{told("c.achebe"), told("i.larsen"), told("v.moreau"), told("p.nowak"), told("m.garcia")}
	}

	t.Run("not before 72 hours", func(t *testing.T) {
		fire(t, start.Add(72*time.Hour-time.Minute), 0)
		if diff := cmp.Diff(tally{}, count()); diff != "" {
			t.Errorf("told before the deadline (-want +got):\n%s", diff)
		}
	})
	t.Run("at 72 hours, the oversight body's reviewers", func(t *testing.T) {
		fire(t, start.Add(72*time.Hour+time.Minute), 1)
		fire(t, start.Add(72*time.Hour+2*time.Minute), 0) // once
		if diff := cmp.Diff(tally{Achebe: 1, Larsen: 1, Moreau: 1}, count()); diff != "" {
			t.Errorf("who was told (-want +got):\n%s", diff)
		}
		q, err := d.svc.ReviewQueue(ctx, d.caller("c.achebe"), 0)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(q.Waiting, func(it enforce.ReviewItem) bool { return it.Basis.ID == b.ID })
		if i < 0 || !q.Waiting[i].Overdue || q.Waiting[i].Escalations != 1 {
			t.Errorf("in the queue: %+v", q.Waiting)
		}
		if p := enforce.LinkPath(b.ID); p != "oversight/reviews/"+b.ID {
			t.Errorf("the notification links to %q", p)
		}
	})
	t.Run("a day later, the escalation chain", func(t *testing.T) {
		over := d.caller("v.moreau").Staff.OrganizationID
		if err := d.db.SetEscalationChain(ctx, accord.Actor{StaffID: "system"}, over, []string{d.caller("v.moreau").Staff.ID}, nil); err != nil {
			t.Fatal(err)
		}
		fire(t, start.Add(96*time.Hour), 0)
		fire(t, start.Add(96*time.Hour+2*time.Minute), 1)
		if diff := cmp.Diff(tally{Achebe: 1, Larsen: 1, Moreau: 2}, count()); diff != "" {
			t.Errorf("who was told (-want +got):\n%s", diff)
		}
	})
	t.Run("the review stops it", func(t *testing.T) {
		if _, err := d.svc.ReviewLegalBasis(ctx, d.caller("c.achebe"), b.ID, justified); err != nil {
			t.Fatal(err)
		}
		fire(t, start.Add(30*24*time.Hour), 0)
		if diff := cmp.Diff(tally{Achebe: 1, Larsen: 1, Moreau: 2}, count()); diff != "" {
			t.Errorf("who was told (-want +got):\n%s", diff)
		}
	})
}

// TestDemoReviewDeadlines: the demo's legal bases are imported without
// timers; arming them (as accord demo does) escalates the overdue ones at
// once, each once.
func TestDemoReviewDeadlines(t *testing.T) {
	ctx := context.Background()
	d := startDemo(t)
	n, err := d.db.ArmReviewDeadlines(ctx)
	if err != nil || n != 3 {
		t.Fatalf("armed %d (%v), want the demo's 3 bases waiting for review", n, err)
	}
	runner := &enforce.Runner{DB: d.db}
	if n, err := runner.FireDue(ctx); err != nil || n != 3 {
		t.Errorf("FireDue = %d, %v; want the 3 overdue reviews", n, err)
	}
	if n, err := d.db.ArmReviewDeadlines(ctx); err != nil || n != 0 {
		t.Errorf("arming again armed %d (%v)", n, err)
	}
}

// TestDisclosureRegister: the immigration agency reads the client named in
// the High Court order; the register shows it under the order, with what
// went and to whom — to the oversight body for the whole partnership, to
// legal aid's privacy officer for legal aid, to the clinic's privacy
// officer not at all; never to the agency.
func TestDisclosureRegister(t *testing.T) {
	ctx := context.Background()
	d := startDemo(t)
	var court *accord.LegalBasis
	for i, b := range d.p.LegalBases {
		if b.Kind == accord.BasisCourtOrder && b.ExpiresAt.After(d.now) {
			court = &d.p.LegalBases[i]
		}
	}
	if court == nil {
		t.Fatal("the demo has no court order in force")
	}
	hughes := d.caller("m.hughes")
	view, err := d.svc.ClientRecords(ctx, hughes, court.ClientID, []accord.Category{accord.CatImmigrationStatus}, accord.PurposeLegal)
	if err != nil || len(view.Records) == 0 {
		t.Fatalf("the court-ordered read: %v", err)
	}
	d.now = d.now.Add(time.Minute)

	for _, tt := range []struct {
		user       string
		wantCode   string
		wantOrders int // court orders to enforcement bodies listed
		wantSeen   bool
	}{
		{"c.achebe", "", 2, true},
		{"i.larsen", "", 2, true},
		{"k.patel", "", 1, true},  // legal aid was served the order
		{"p.nowak", "", 1, false}, // the clinic's expired production order, nothing read under it here
		{"f.rahimi", accord.EFORBIDDEN, 0, false},
		{"r.mensah", accord.EFORBIDDEN, 0, false},
		{"n.price", accord.EFORBIDDEN, 0, false},
		{"m.hughes", accord.EFORBIDDEN, 0, false},
		{"g.fraser", accord.EFORBIDDEN, 0, false},
	} {
		t.Run(tt.user, func(t *testing.T) {
			reg, err := d.svc.DisclosureRegister(ctx, d.caller(tt.user))
			if code := accord.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("DisclosureRegister: %v, want %q", err, tt.wantCode)
			}
			if err != nil {
				return
			}
			if len(reg.Entries) != tt.wantOrders {
				t.Errorf("%d entries, want %d", len(reg.Entries), tt.wantOrders)
			}
			seen := false
			for _, e := range reg.Entries {
				if e.Basis.ID != court.ID {
					continue
				}
				if len(e.Disclosures) == 0 {
					continue
				}
				seen = true
				got := e.Disclosures[0]
				want := enforce.Disclosure{At: got.At, StaffID: hughes.Staff.ID, OrganizationID: hughes.Staff.OrganizationID, HolderID: court.HolderOrganizationID,
					Purpose: accord.PurposeLegal, Categories: []accord.Category{accord.CatImmigrationStatus}, Entries: got.Entries}
				if diff := cmp.Diff(want, got); diff != "" || len(got.Entries) == 0 {
					t.Errorf("the disclosure (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff([]accord.Category{accord.CatImmigrationStatus}, e.Categories); diff != "" {
					t.Errorf("categories disclosed (-want +got):\n%s", diff)
				}
				if reg.Names[got.StaffID] != "Mark Hughes" {
					t.Errorf("the recipient is not named: %v", reg.Names)
				}
			}
			if seen != tt.wantSeen {
				t.Errorf("the court-ordered disclosure is listed: %v, want %v", seen, tt.wantSeen)
			}
		})
	}
}
