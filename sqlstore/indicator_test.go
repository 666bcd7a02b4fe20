package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/sealing"
	"github.com/accord-project/accord/sqlstore"
)

// forEachEngineFrom is forEachEngine with the clock starting at start.
func forEachEngineFrom(t *testing.T, start time.Time, f func(t *testing.T, fx *fixture)) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			fx := &fixture{t: t, dsn: e.DSN(t), ring: sealing.GenerateKeyring(), now: start}
			fx.db = fx.open()
			fx.seed()
			f(t, fx)
		})
	}
}

func day(month time.Month, d, hour int) time.Time {
	return time.Date(2026, month, d, hour, 0, 0, 0, time.UTC)
}

// TestIndicatorFacts works a quarter through the ordinary store methods on
// a clock that only moves forward — referrals, escalations, a complaint,
// intakes, screenings, a case, a break-glass access and its review,
// decisions in the audit log — and checks the facts read back, window by
// window: from is inclusive, to exclusive, to the microsecond.
func TestIndicatorFacts(t *testing.T) {
	forEachEngineFrom(t, day(time.June, 1, 9), func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		gf := newGrievanceFixture(t, fx)
		at := func(t time.Time) { fx.now = t }
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		nurse := fx.actor()
		advocate := accord.Staff{OrganizationID: fx.legal.ID, Username: "advocate", DisplayName: "A. Dvocate", Roles: []accord.Role{accord.RoleLegalAdvocate}, Active: true}
		must(fx.db.CreateStaff(ctx, fx.admin, &advocate, ""))
		lawyer := accord.Actor{StaffID: advocate.ID, OrganizationID: fx.legal.ID, Sector: accord.SectorLegal, Roles: advocate.RoleSet()}
		must(fx.db.SetEscalationChain(ctx, fx.admin, fx.legal.ID, []string{advocate.ID}, nil))

		newClient := func(c *accord.Client) *accord.Client {
			t.Helper()
			c.GivenName, c.Phone = "Client", "+44 7700 900123"
			must(fx.db.CreateClient(ctx, nurse, c))
			return c
		}
		refer := func(c *accord.Client) *accord.Referral {
			t.Helper()
			r := &accord.Referral{ClientID: c.ID, FromOrgID: fx.clinic.ID, FromStaffID: fx.nurse.ID, ToOrgID: fx.legal.ID, Purpose: accord.PurposeLegalAid,
				Categories: []accord.Category{accord.CatDemographics}, Reason: "Advice on a housing claim.", Urgency: accord.UrgencyRoutine}
			must(fx.db.CreateReferral(ctx, nurse, r, sqlstore.Effects{}))
			return r
		}
		move := func(r *accord.Referral, to accord.ReferralStatus, reason string) {
			t.Helper()
			_, err := fx.db.SetReferralStatus(ctx, lawyer, r.ID, 0, to, reason, "", sqlstore.Effects{})
			must(err)
		}
		escalate := func(c *accord.Client, sla time.Duration) *accord.Escalation {
			t.Helper()
			e := &accord.Escalation{ClientID: c.ID, Kind: accord.EscalationEviction, Urgency: accord.UrgencyUrgent, OrganizationID: fx.legal.ID, Summary: "Bailiffs on Friday."}
			must(fx.db.CreateEscalation(ctx, nurse, e, sla))
			return e
		}
		decision := func(when time.Time, clientID, holder string, effect string, released bool, consent string) accord.AuditEntry {
			return accord.AuditEntry{Time: when, Kind: accord.AuditDecision, ActorID: fx.nurse.ID, ActorOrganizationID: fx.clinic.ID, ClientID: clientID,
				HolderID: holder, Category: accord.CatLegalMatter, Purpose: accord.PurposeCoordination, Effect: effect, Released: released, ConsentID: consent}
		}

		at(day(time.June, 20, 9))
		must(fx.db.CreateArea(ctx, nurse, &accord.Area{Code: "riverside", Name: "Riverside"}))
		a := newClient(&accord.Client{FamilyName: "A", BirthDate: "1960-05-10", Gender: accord.GenderWoman, PreferredLanguage: "fa-AF",
			Disabilities: []accord.Disability{accord.DisabilityMobility}, Area: "riverside"})
		at(day(time.June, 25, 9))
		e := newClient(&accord.Client{FamilyName: "E", BirthDate: "2001", Gender: accord.GenderMan, PreferredLanguage: "en"})
		at(time.Date(2026, time.June, 30, 23, 59, 59, 0, time.UTC))
		refer(a) // r0: the quarter before
		at(day(time.July, 1, 0))
		r1 := refer(a)
		at(day(time.July, 1, 9))
		b := fx.client("B") // non-binary, Spanish, needs an interpreter, born 1990-04
		at(day(time.July, 1, 10))
		rb := refer(b)
		at(day(time.July, 2, 9))
		move(r1, accord.ReferralAccepted, "")
		at(day(time.July, 3, 10))
		e1 := escalate(a, 4*time.Hour)
		at(day(time.July, 3, 12))
		_, err := fx.db.UpdateEscalation(ctx, lawyer, e1.ID, 0, sqlstore.EscalationChange{Acknowledge: true})
		must(err)
		at(day(time.July, 4, 9))
		s1 := &sqlstore.Screening{ClientID: b.ID, OrganizationID: fx.clinic.ID, Questionnaire: "https://example.org/q|1", Response: []byte(`{}`),
			Needs: []sqlstore.ScreenedNeed{{Code: "housing", Urgency: "soon"}, {Code: "food", Urgency: "routine"}}, Language: "es", InterpreterUsed: true}
		must(fx.db.CreateScreening(ctx, nurse, s1))
		at(day(time.July, 4, 10))
		_, err = fx.db.UpdateEscalation(ctx, lawyer, e1.ID, 0, sqlstore.EscalationChange{Resolve: true, Resolution: "Possession order suspended."})
		must(err)
		at(day(time.July, 5, 9))
		r2 := refer(a)
		at(day(time.July, 6, 9))
		move(r2, accord.ReferralDeclined, "Outside our area.")
		at(day(time.July, 7, 9))
		escalate(b, 30*time.Minute) // e2: never acknowledged
		at(day(time.July, 8, 9))
		g := &accord.Grievance{Category: accord.GrievancePrivacy, Description: "My letter went to a neighbour.", OrganizationID: fx.clinic.ID, Anonymous: true}
		gf.raise(g)
		at(day(time.July, 9, 9))
		k := &accord.Case{ClientID: b.ID, LeadOrganizationID: fx.clinic.ID, Title: "Housing and health", OpenedBy: fx.nurse.ID,
			Participants: []accord.Participant{{OrganizationID: fx.clinic.ID, StaffID: fx.nurse.ID, Responsibility: "Health"}}}
		must(fx.db.CreateCase(ctx, nurse, k))
		at(day(time.July, 10, 9))
		officer := accord.Actor{StaffID: gf.officer.ID, OrganizationID: fx.clinic.ID}
		_, err = fx.db.UpdateGrievance(ctx, officer, g.ID, 0, sqlstore.GrievanceChange{Kind: accord.GrievanceEventOutcome, Outcome: accord.OutcomeUpheld,
			Text: "The address was wrong.", Remedy: "Corrected, and an apology."})
		must(err)
		move(r1, accord.ReferralCompleted, "")
		at(day(time.July, 11, 9))
		k2, err := fx.db.UpdateCase(ctx, nurse, k.ID, k.Version, sqlstore.CaseChange{AddParticipant: &accord.Participant{OrganizationID: fx.legal.ID, StaffID: advocate.ID,
			Responsibility: "Housing claim"}})
		must(err)
		at(day(time.July, 12, 9))
		_, err = fx.db.UpdateCase(ctx, nurse, k.ID, k2.Version, sqlstore.CaseChange{AddOutcome: &accord.Outcome{Kind: "health", Code: "treatment_started"}})
		must(err)
		at(day(time.July, 12, 10))
		move(rb, accord.ReferralAccepted, "") // after the case join: the join is the first legal contact
		at(day(time.July, 15, 9))
		bg := &accord.LegalBasis{Kind: accord.BasisEmergency, ClientID: b.ID, Categories: []accord.Category{accord.CatClinicalSummary},
			RecipientOrganizationID: fx.clinic.ID, RecipientStaffID: fx.nurse.ID, Reason: "Collapsed in the waiting room.", ExpiresAt: day(time.July, 15, 10)}
		must(fx.db.CreateLegalBasis(ctx, nurse, bg))
		at(day(time.July, 16, 9))
		_, err = fx.db.ReviewLegalBasis(ctx, accord.Actor{StaffID: gf.audit.ID, OrganizationID: gf.over.ID}, bg.ID,
			accord.Review{Decision: accord.ReviewJustified, Reasoning: "A real emergency."})
		must(err)
		at(day(time.July, 20, 9))
		refer(e) // r5: its client is erased later
		at(day(time.July, 20, 10))
		must(fx.db.AppendAudit(ctx,
			decision(day(time.July, 20, 10), a.ID, fx.legal.ID, "permit", true, "cns_ftkjexqqmmtodk5fts7qlhuyzm"), // a disclosure, with consent
			decision(day(time.July, 20, 10), a.ID, fx.clinic.ID, "permit", true, ""),                              // within the clinic
			decision(day(time.July, 20, 10), a.ID, fx.legal.ID, "deny", false, ""),                                // refused
			decision(day(time.July, 20, 10), a.ID, fx.legal.ID, "permit", false, ""),                              // decided, not released
		))
		at(day(time.August, 1, 9))
		must(fx.db.CreateScreening(ctx, nurse, &sqlstore.Screening{ClientID: b.ID, OrganizationID: fx.clinic.ID, Questionnaire: "https://example.org/q|1",
			Response: []byte(`{}`), Needs: []sqlstore.ScreenedNeed{{Code: "food", Urgency: "routine"}}, Language: "es"}))
		at(day(time.September, 1, 9))
		must(fx.db.EraseClient(ctx, nurse, e.ID, accord.ErasureClientRequest))
		last := time.Date(2026, time.September, 30, 23, 59, 59, 999999000, time.UTC)
		at(last)
		refer(a) // r3: the quarter's last microsecond
		at(day(time.October, 1, 0))
		refer(a) // r4: the next quarter's first
		must(fx.db.AppendAudit(ctx, decision(day(time.October, 1, 0), b.ID, fx.legal.ID, "permit", true, "")))

		// age band, gender, language, interpreter, disability, area
		personA := [6]string{"65+", "woman", "fa", "not_needed", "yes", "riverside"}
		personB := [6]string{"35-49", "non_binary", "es", "needed", "no", accord.NotRecorded}
		nobody := [6]string{accord.NotRecorded, accord.NotRecorded, accord.NotRecorded, accord.NotRecorded, accord.NotRecorded, accord.NotRecorded}
		fact := func(unit string, p [6]string, org string, deadline time.Time, at ...time.Time) accord.IndicatorFact {
			f := accord.IndicatorFact{Unit: unit, Deadline: deadline}
			copy(f.At[:], at)
			copy(f.Dims[:5], p[:5])
			f.Dims[5] = org
			f.Dims[6] = p[5]
			return f
		}
		var zero time.Time
		facts := map[string]accord.IndicatorFact{
			"r0":  fact("referral", personA, fx.legal.ID, zero, time.Date(2026, time.June, 30, 23, 59, 59, 0, time.UTC)),
			"r1":  fact("referral", personA, fx.legal.ID, zero, day(time.July, 1, 0), day(time.July, 2, 9), day(time.July, 10, 9)),
			"rb":  fact("referral", personB, fx.legal.ID, zero, day(time.July, 1, 10), day(time.July, 12, 10)),
			"r2":  fact("referral", personA, fx.legal.ID, zero, day(time.July, 5, 9), zero, zero, day(time.July, 6, 9)),
			"r5":  fact("referral", nobody, fx.legal.ID, zero, day(time.July, 20, 9)),
			"r3":  fact("referral", personA, fx.legal.ID, zero, last),
			"r4":  fact("referral", personA, fx.legal.ID, zero, day(time.October, 1, 0)),
			"e1":  fact("escalation", personA, fx.legal.ID, day(time.July, 3, 14), day(time.July, 3, 10), day(time.July, 3, 12), day(time.July, 4, 10)),
			"e2":  fact("escalation", personB, fx.legal.ID, day(time.July, 7, 9).Add(30*time.Minute), day(time.July, 7, 9)),
			"g1":  fact("grievance", nobody, fx.clinic.ID, day(time.July, 15, 9), day(time.July, 8, 9), day(time.July, 10, 9)),
			"iA":  fact("intake", personA, fx.clinic.ID, zero, day(time.June, 20, 9), day(time.July, 2, 9)),
			"iE":  fact("intake", nobody, fx.clinic.ID, zero, day(time.June, 25, 9)),
			"iB":  fact("intake", personB, fx.clinic.ID, zero, day(time.July, 1, 9), day(time.July, 11, 9)),
			"d1":  fact("disclosure", personA, fx.legal.ID, zero, day(time.July, 20, 10), day(time.July, 20, 10)),
			"d2":  fact("disclosure", personB, fx.legal.ID, zero, day(time.October, 1, 0)),
			"bg":  fact("break_glass", personB, fx.clinic.ID, zero, day(time.July, 15, 9), day(time.July, 16, 9)),
			"nB":  fact("interpreter", personB, fx.clinic.ID, zero, day(time.July, 1, 9), day(time.July, 4, 9)),
			"k":   fact("treatment", personB, fx.clinic.ID, zero, day(time.July, 9, 9), day(time.July, 12, 9)),
			"s1h": fact("need", personB, fx.clinic.ID, zero, day(time.July, 4, 9), day(time.August, 1, 9), day(time.August, 1, 9)),
			"s1f": fact("need", personB, fx.clinic.ID, zero, day(time.July, 4, 9), day(time.August, 1, 9)),
			"s2f": fact("need", personB, fx.clinic.ID, zero, day(time.August, 1, 9)),
		}
		for _, tt := range []struct {
			name     string
			from, to time.Time
			want     []string
		}{
			{"the quarter", day(time.July, 1, 0), day(time.October, 1, 0),
				[]string{"r1", "rb", "r2", "r5", "r3", "e1", "e2", "g1", "iB", "d1", "bg", "nB", "k", "s1h", "s1f", "s2f"}},
			{"the quarter before", day(time.April, 1, 0), day(time.July, 1, 0), []string{"r0", "iA", "iE"}},
			{"the next quarter", day(time.October, 1, 0), time.Date(2027, time.January, 1, 0, 0, 0, 0, time.UTC), []string{"r4", "d2"}},
			{"from is inclusive", day(time.July, 1, 0), day(time.July, 1, 0).Add(time.Microsecond), []string{"r1"}},
			{"to is exclusive", day(time.June, 30, 0), day(time.July, 1, 0), []string{"r0"}},
			{"the last microsecond", last, last.Add(time.Microsecond), []string{"r3"}},
			{"one day", day(time.July, 20, 0), day(time.July, 21, 0), []string{"r5", "d1"}},
			{"an empty window", day(time.July, 1, 0), day(time.July, 1, 0), nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var got, want []accord.IndicatorFact
				for _, name := range tt.want {
					want = append(want, facts[name])
				}
				if err := fx.db.IndicatorFacts(ctx, tt.from, tt.to, func(f *accord.IndicatorFact) error {
					got = append(got, *f)
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(sortFacts(want), sortFacts(got), ignorePerson); diff != "" {
					t.Errorf("IndicatorFacts(%v, %v) (-want +got):\n%s", tt.from, tt.to, diff)
				}
			})
		}

		t.Run("every unit is streamed", func(t *testing.T) {
			seen := map[string]bool{}
			fx.db.IndicatorFacts(ctx, day(time.January, 1, 0), day(time.December, 31, 0), func(f *accord.IndicatorFact) error {
				seen[f.Unit] = true
				return nil
			})
			for unit := range accord.IndicatorUnits {
				if !seen[unit] {
					t.Errorf("no %s facts", unit)
				}
			}
		})
		t.Run("an error stops the stream", func(t *testing.T) {
			n := 0
			stop := accord.Errorf(accord.ECONFLICT, "stop")
			err := fx.db.IndicatorFacts(ctx, day(time.January, 1, 0), day(time.December, 31, 0), func(*accord.IndicatorFact) error {
				n++
				return stop
			})
			if n != 1 || accord.ErrorCode(err) != accord.ECONFLICT {
				t.Errorf("after an error: %d calls, %v", n, err)
			}
		})
		t.Run("the first acceptance is kept", func(t *testing.T) {
			// A referral accepted, then in progress, then completed keeps
			// the first acceptance's time.
			at(day(time.October, 2, 9))
			r := refer(b)
			move(r, accord.ReferralAccepted, "")
			at(day(time.October, 3, 9))
			move(r, accord.ReferralInProgress, "")
			at(day(time.October, 4, 9))
			move(r, accord.ReferralCompleted, "")
			var got []accord.IndicatorFact
			fx.db.IndicatorFacts(ctx, day(time.October, 2, 0), day(time.October, 3, 0), func(f *accord.IndicatorFact) error {
				got = append(got, *f)
				return nil
			})
			want := []accord.IndicatorFact{fact("referral", personB, fx.legal.ID, zero, day(time.October, 2, 9), day(time.October, 2, 9), day(time.October, 4, 9))}
			if diff := cmp.Diff(want, got, ignorePerson); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	})
}

func TestActionPlans(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		p := &accord.ActionPlan{IndicatorID: "interpreter_provided", Period: "2026-Q3", Owner: "Interpreting coordinator",
			Actions: "Recruit two Tigrinya interpreters.", Deadline: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)}
		if err := fx.db.CreateActionPlan(ctx, fx.actor(), p); err != nil {
			t.Fatal(err)
		}
		if p.Status != "open" || p.Version != 1 || p.RecordedBy != fx.nurse.ID || !p.UpdatedAt.Equal(fx.now) {
			t.Errorf("created plan: %+v", p)
		}
		got, err := fx.db.FindActionPlan(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("FindActionPlan (-want +got):\n%s", diff)
		}
		again := *p
		again.ID = ""
		if err := fx.db.CreateActionPlan(ctx, fx.actor(), &again); code(err) != accord.ECONFLICT {
			t.Errorf("a second plan for the indicator and quarter: %v, want conflict", err)
		}
		if err := fx.db.CreateActionPlan(ctx, fx.actor(), &accord.ActionPlan{IndicatorID: "x", Period: "2026-Q3"}); code(err) != accord.EINVALID {
			t.Errorf("an invalid plan: %v", err)
		}

		// Two people edit the plan they both loaded at version 1.
		first, second := *got, *got
		fx.now = fx.now.Add(time.Hour)
		first.Progress, first.Status = "One interpreter recruited.", "in_progress"
		if err := fx.db.UpdateActionPlan(ctx, fx.actor(), &first); err != nil {
			t.Fatal(err)
		}
		if first.Version != 2 || !first.UpdatedAt.Equal(fx.now) {
			t.Errorf("updated plan: %+v", first)
		}
		second.Progress = "Nothing yet."
		if err := fx.db.UpdateActionPlan(ctx, fx.actor(), &second); code(err) != accord.EPRECONDITION {
			t.Errorf("an update at a stale version: %v, want precondition failed", err)
		}
		first.Period, first.IndicatorID = "2027-Q1", "other" // cannot move the plan
		if err := fx.db.UpdateActionPlan(ctx, fx.actor(), &first); err != nil {
			t.Fatal(err)
		}
		if first.Period != "2026-Q3" || first.IndicatorID != "interpreter_provided" || first.Version != 3 {
			t.Errorf("the indicator and quarter changed: %+v", first)
		}
		missing := first
		missing.ID = "apl_" + "aaaaaaaaaaaaaaaaaaaaaaaaaa"
		if err := fx.db.UpdateActionPlan(ctx, fx.actor(), &missing); code(err) != accord.ENOTFOUND {
			t.Errorf("updating a missing plan: %v", err)
		}

		other := &accord.ActionPlan{IndicatorID: "escalations_acknowledged_in_time", Period: "2026-Q3", Owner: "Duty managers", Actions: "Rota review.",
			Deadline: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), Status: "open"}
		if err := fx.db.CreateActionPlan(ctx, fx.actor(), other); err != nil {
			t.Fatal(err)
		}
		list, err := fx.db.ActionPlans(ctx, "2026-Q3")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range list {
			ids = append(ids, p.IndicatorID)
		}
		if !slices.Equal(ids, []string{"escalations_acknowledged_in_time", "interpreter_provided"}) {
			t.Errorf("ActionPlans = %v", ids)
		}
		if list, _ := fx.db.ActionPlans(ctx, "2026-Q2"); len(list) != 0 {
			t.Errorf("plans of another quarter: %v", list)
		}
	})
}

func TestReleases(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		content := []byte(`{"period":"2026-Q3","figures":[{"indicator":"referral_completion","num":71,"den":100}]}`)
		r := &sqlstore.IndicatorRelease{Period: "2026-Q3", Profile: "standard", Content: content}
		if err := fx.db.PublishRelease(ctx, fx.actor(), r); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(content)
		if r.SHA256 != hex.EncodeToString(sum[:]) || r.PublishedBy != fx.nurse.ID || !r.PublishedAt.Equal(fx.now) {
			t.Errorf("published: %+v", r)
		}
		got, err := fx.db.FindRelease(ctx, "2026-Q3")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(r, got); diff != "" {
			t.Errorf("FindRelease (-want +got):\n%s", diff)
		}

		fx.now = fx.now.Add(time.Hour)
		twice := &sqlstore.IndicatorRelease{Period: "2026-Q3", Profile: "round5", Content: []byte(`{"changed":true}`)}
		if err := fx.db.PublishRelease(ctx, fx.actor(), twice); code(err) != accord.ECONFLICT {
			t.Errorf("publishing a quarter twice: %v, want conflict", err)
		}
		if got, _ := fx.db.FindRelease(ctx, "2026-Q3"); got == nil || string(got.Content) != string(content) || got.Profile != "standard" {
			t.Errorf("the first release changed: %+v", got)
		}
		for _, bad := range []*sqlstore.IndicatorRelease{
			{Period: "2026-Q5", Profile: "standard", Content: content},
			{Period: "2026-Q2", Profile: "", Content: content},
			{Period: "2026-Q2", Profile: "standard", Content: []byte(`{"unterminated`)},
		} {
			if err := fx.db.PublishRelease(ctx, fx.actor(), bad); code(err) != accord.EINVALID {
				t.Errorf("PublishRelease(%+v) = %v, want invalid", bad, err)
			}
		}
		if _, err := fx.db.FindRelease(ctx, "2026-Q2"); code(err) != accord.ENOTFOUND {
			t.Errorf("an unpublished quarter: %v", err)
		}
		if err := fx.db.PublishRelease(ctx, fx.actor(), &sqlstore.IndicatorRelease{Period: "2026-Q2", Profile: "standard", Content: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
		list, err := fx.db.Releases(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Period != "2026-Q3" || list[1].Period != "2026-Q2" || list[0].Content != nil {
			t.Errorf("Releases = %+v", list)
		}

		// Not even SQL can change or remove a release.
		driver := "sqlite"
		if sqlstore.IsPostgresDSN(fx.dsn) {
			driver = "pgx"
		}
		raw, err := sql.Open(driver, fx.dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		for _, q := range []string{`UPDATE indicator_releases SET content = '{}' WHERE period = '2026-Q3'`, `DELETE FROM indicator_releases`} {
			if _, err := raw.ExecContext(ctx, q); err == nil {
				t.Errorf("%s: no error", q)
			}
		}
	})
}
