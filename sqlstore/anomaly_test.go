package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// anomalyFixture is the partnership of the anomaly tests: the nurse has
// her own patients (she registered them: she is on their care team); the
// clinic's receptionist and a legal aid paralegal have none.
type anomalyFixture struct {
	*grievanceFixture
	patients  []*accord.Client
	reception accord.Staff
	paralegal accord.Staff
	thr       accord.AnomalyThresholds
}

func newAnomalyFixture(t *testing.T, fx *fixture) *anomalyFixture {
	af := &anomalyFixture{grievanceFixture: newGrievanceFixture(t, fx)}
	for i := range 12 {
		af.patients = append(af.patients, fx.client(fmt.Sprintf("Patient%c", 'A'+i)))
	}
	af.reception = accord.Staff{OrganizationID: fx.clinic.ID, Username: "reception", DisplayName: "R. Eception", Roles: []accord.Role{accord.RoleNavigator}, Active: true}
	af.paralegal = accord.Staff{OrganizationID: fx.legal.ID, Username: "paralegal", DisplayName: "P. Aralegal", Roles: []accord.Role{accord.RoleLegalAdvocate}, Active: true}
	for _, s := range []*accord.Staff{&af.reception, &af.paralegal} {
		if err := fx.db.CreateStaff(context.Background(), fx.admin, s, ""); err != nil {
			t.Fatal(err)
		}
	}
	af.thr = accord.DefaultAnomalyThresholds()
	af.thr.OutsideCaseload, af.thr.OrganizationBulk, af.thr.AfterHours, af.thr.Denials, af.thr.VolumeMinimum = 5, 8, 4, 3, 6
	af.thr.BaselineDays, af.thr.TimeZone, af.thr.AfterHoursFrom, af.thr.AfterHoursTo = 7, "Europe/Madrid", 20, 7
	return af
}

// read is an access decision by staff member s on client c at.
func read(s accord.Staff, c *accord.Client, holder string, at time.Time, permit bool) accord.AuditEntry {
	e := accord.AuditEntry{Time: at, Kind: accord.AuditDecision, ActorID: s.ID, ActorOrganizationID: s.OrganizationID, ClientID: c.ID,
		HolderID: holder, Category: accord.CatDemographics, Purpose: accord.PurposeTreatment, Effect: "permit", Reason: accord.ReasonSameOrgRole, Released: true}
	if !permit {
		e.Effect, e.Reason, e.Released = "deny", accord.ReasonNoAgreement, false
	}
	return e
}

func (af *anomalyFixture) append(t *testing.T, es ...accord.AuditEntry) {
	t.Helper()
	if err := af.db.AppendAudit(context.Background(), es...); err != nil {
		t.Fatal(err)
	}
}

func (af *anomalyFixture) detect(t *testing.T, day string) []accord.Anomaly {
	t.Helper()
	from, to, err := accord.AnomalyDay("day", day, af.thr.Location())
	if err != nil {
		t.Fatal(err)
	}
	_, added, err := af.db.DetectAnomalies(context.Background(), accord.Actor{StaffID: af.audit.ID, OrganizationID: af.over.ID}, day, from, to, af.thr)
	if err != nil {
		t.Fatal(err)
	}
	return added
}

type alertRow struct {
	Rule            accord.AnomalyRule
	Staff, Holder   string
	Value, Treshold int
	Baseline        float64
}

func alertRows(as []accord.Anomaly) []alertRow {
	var out []alertRow
	for _, a := range as {
		out = append(out, alertRow{a.Rule, a.StaffID, a.HolderID, a.Value, a.Threshold, a.Baseline})
	}
	return out
}

// TestAnomalyDetection detects a day in Madrid in which the receptionist
// read every patient of the clinic at night, the paralegal was refused
// again and again, and the nurse read her own patients: the receptionist
// and the paralegal have alerts, each with its value and threshold, the
// nurse (fewer than the bulk threshold, all her own patients) none; detecting the day again adds nothing.
func TestAnomalyDetection(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		af := newAnomalyFixture(t, fx)
		madrid := af.thr.Location()
		day := time.Date(2026, 11, 23, 0, 0, 0, 0, madrid)
		var es []accord.AuditEntry
		for i, c := range af.patients[:6] {
			es = append(es, read(fx.nurse, c, fx.clinic.ID, day.Add(10*time.Hour+time.Duration(i)*time.Minute), true))
		}
		for i, c := range af.patients[:10] {
			es = append(es, read(af.reception, c, fx.clinic.ID, day.Add(22*time.Hour+time.Duration(i)*time.Minute), true))
		}
		for i, c := range af.patients[:4] {
			es = append(es, read(af.paralegal, c, fx.clinic.ID, day.Add(23*time.Hour+time.Duration(i)*time.Minute), false))
		}
		// Outside the day (Madrid time): not counted.
		es = append(es, read(af.reception, af.patients[11], fx.clinic.ID, day.Add(24*time.Hour+time.Minute), true))
		fx.now = day.Add(-time.Hour)
		af.append(t, es...)
		fx.now = day.Add(25 * time.Hour)

		got := af.detect(t, "2026-11-23")
		want := []alertRow{
			{accord.AnomalyDenials, af.paralegal.ID, "", 4, 3, 0},
			{accord.AnomalyOutsideCaseload, af.reception.ID, "", 10, 5, 0},
			{accord.AnomalyOrganizationBulk, af.reception.ID, fx.clinic.ID, 10, 8, 0},
			{accord.AnomalyAfterHours, af.reception.ID, "", 10, 4, 0},
		}
		if af.paralegal.ID > af.reception.ID {
			want = append(want[1:], want[0])
		}
		if diff := cmp.Diff(want, alertRows(got)); diff != "" {
			t.Errorf("alerts (-want +got):\n%s", diff)
		}
		for _, a := range got {
			if a.Day != "2026-11-23" || !a.WindowStart.Equal(day) || a.ReviewStatus != accord.ReviewPending || !accord.ValidID(accord.PrefixAnomaly, a.ID) {
				t.Errorf("alert %+v: wrong day, window, status or id", a)
			}
		}
		if again := af.detect(t, "2026-11-23"); len(again) != 0 {
			t.Errorf("detecting the day again added %v", alertRows(again))
		}
		q, err := fx.db.AnomalyQueue(ctx, 100)
		if err != nil || len(q) != len(want) {
			t.Errorf("queue holds %d alerts (%v), want %d", len(q), err, len(want))
		}
		runs, err := fx.db.AnomalyRuns(ctx, 10)
		if err != nil || len(runs) != 1 || runs[0].Entries != len(es)-1 || runs[0].Alerts != 0 || runs[0].FinishedAt == nil {
			t.Errorf("runs = %+v, %v; want one, of %d entries, no alert added the second time", runs, err, len(es)-1)
		}
		// Every alert and run is in the audit log, naming ids only.
		entries, err := fx.db.AuditEntries(ctx, sqlstore.AuditFilter{After: -1, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, e := range entries {
			counts[e.Action]++
		}
		if counts["anomaly.raise"] != len(want) || counts["anomaly.detect"] != 2 {
			t.Errorf("audit log: %d anomaly.raise, %d anomaly.detect; want %d and 2", counts["anomaly.raise"], counts["anomaly.detect"], len(want))
		}
	})
}

// TestAnomalyBaseline: a week of the receptionist reading two patients a
// day makes her usual; a day of ten is five times it, past the volume
// factor of three.
func TestAnomalyBaseline(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		af := newAnomalyFixture(t, fx)
		af.thr.OutsideCaseload, af.thr.OrganizationBulk, af.thr.AfterHours = 1000, 1000, 1000
		madrid := af.thr.Location()
		first := time.Date(2026, 11, 23, 0, 0, 0, 0, madrid)
		for d := range 8 {
			day := first.AddDate(0, 0, d)
			n := 2
			if d == 7 {
				n = 10
			}
			var es []accord.AuditEntry
			for i, c := range af.patients[:n] {
				es = append(es, read(af.reception, c, fx.clinic.ID, day.Add(11*time.Hour+time.Duration(i)*time.Minute), true))
			}
			fx.now = day.Add(time.Hour)
			af.append(t, es...)
			fx.now = day.Add(25 * time.Hour)
			got := af.detect(t, day.Format(time.DateOnly))
			var want []alertRow
			if d == 7 {
				want = []alertRow{{accord.AnomalyVolume, af.reception.ID, "", 10, 6, 2}}
			}
			if diff := cmp.Diff(want, alertRows(got)); diff != "" {
				t.Errorf("day %d (-want +got):\n%s", d, diff)
			}
		}
	})
}

// TestAnomalyReview reviews an alert once, lets another wait past 72 hours
// (it tells the oversight body), and refuses bad thresholds with the field
// named, leaving them as they were.
func TestAnomalyReview(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		af := newAnomalyFixture(t, fx)
		day := time.Date(2026, 11, 23, 0, 0, 0, 0, af.thr.Location())
		var es []accord.AuditEntry
		for i, c := range af.patients[:4] {
			es = append(es, read(af.paralegal, c, fx.clinic.ID, day.Add(12*time.Hour+time.Duration(i)*time.Minute), false))
			es = append(es, read(af.reception, c, fx.clinic.ID, day.Add(12*time.Hour+time.Duration(i)*time.Minute), false))
		}
		fx.now = day
		af.append(t, es...)
		fx.now = day.Add(25 * time.Hour)
		alerts := af.detect(t, "2026-11-23")
		if len(alerts) != 2 {
			t.Fatalf("%d alerts, want 2", len(alerts))
		}
		reviewer := accord.Actor{StaffID: af.audit.ID, OrganizationID: af.over.ID}
		if _, err := fx.db.ReviewAnomaly(ctx, reviewer, alerts[0].ID, accord.Review{Decision: "maybe", Reasoning: "x"}); code(err) != accord.EINVALID {
			t.Errorf("a review deciding maybe = %v, want invalid", err)
		}
		rv := accord.Review{Decision: accord.ReviewJustified, Reasoning: "The paralegal was preparing a hearing; the refusals were expected."}
		if _, err := fx.db.ReviewAnomaly(ctx, reviewer, alerts[0].ID, rv); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.db.ReviewAnomaly(ctx, reviewer, alerts[0].ID, rv); code(err) != accord.ECONFLICT {
			t.Errorf("a second review = %v, want conflict", err)
		}
		fx.now = alerts[0].DetectedAt.Add(accord.ReviewDeadline + time.Minute)
		ts, err := fx.db.ClaimDueTimers(ctx, "w", 100, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 1 || ts[0].Kind != sqlstore.TimerAnomalyReview || ts[0].SubjectID != alerts[1].ID {
			t.Fatalf("after 72 hours %+v are due, want the unreviewed alert's deadline only", ts)
		}
		if n, err := fx.db.FireTimers(ctx, ts); err != nil || n != 1 {
			t.Fatalf("firing: %d, %v", n, err)
		}
		if !noticed(t, fx.db, af.audit.ID, "anomaly.review_overdue", alerts[1].ID) {
			t.Error("the oversight body's auditor was not told")
		}
		a, err := fx.db.FindAnomaly(ctx, alerts[1].ID)
		if err != nil || a.Escalations != 1 {
			t.Errorf("escalations = %v, %v; want 1", a, err)
		}

		for name, tc := range map[string]struct {
			change func(*accord.AnomalyThresholds)
			field  string
		}{
			"zero denials":        {func(t *accord.AnomalyThresholds) { t.Denials = 0 }, "denials"},
			"hour 24":             {func(t *accord.AnomalyThresholds) { t.AfterHoursFrom = 24 }, "after_hours_from"},
			"no working hours":    {func(t *accord.AnomalyThresholds) { t.AfterHoursFrom, t.AfterHoursTo = 8, 8 }, "after_hours_to"},
			"unknown time zone":   {func(t *accord.AnomalyThresholds) { t.TimeZone = "Mars/Olympus" }, "time_zone"},
			"short baseline":      {func(t *accord.AnomalyThresholds) { t.BaselineDays = 3 }, "baseline_days"},
			"factor of one":       {func(t *accord.AnomalyThresholds) { t.VolumeFactor = 1 }, "volume_factor"},
			"local is not a zone": {func(t *accord.AnomalyThresholds) { t.TimeZone = "Local" }, "time_zone"},
		} {
			t.Run(name, func(t *testing.T) {
				thr := accord.DefaultAnomalyThresholds()
				tc.change(&thr)
				err := fx.db.SetAnomalyThresholds(ctx, reviewer, thr, sqlstore.DefaultThresholdsVersion)
				var e *accord.Error
				if !errors.As(err, &e) || e.Code != accord.EINVALID || e.Field != tc.field {
					t.Errorf("SetAnomalyThresholds = %v, want invalid %s", err, tc.field)
				}
			})
		}
		if _, v, err := fx.db.AnomalyThresholds(ctx); err != nil || v != sqlstore.DefaultThresholdsVersion {
			t.Errorf("after refusals the thresholds are version %d (%v), want the defaults", v, err)
		}
		if err := fx.db.SetAnomalyThresholds(ctx, reviewer, af.thr, sqlstore.DefaultThresholdsVersion); err != nil {
			t.Fatal(err)
		}
		if err := fx.db.SetAnomalyThresholds(ctx, reviewer, af.thr, sqlstore.DefaultThresholdsVersion); code(err) != accord.ECONFLICT {
			t.Errorf("a change from a stale version = %v, want conflict", err)
		}
		got, v, err := fx.db.AnomalyThresholds(ctx)
		if err != nil || v != sqlstore.DefaultThresholdsVersion+1 {
			t.Fatalf("version %d, %v", v, err)
		}
		if diff := cmp.Diff(af.thr, got); diff != "" {
			t.Errorf("stored thresholds (-want +got):\n%s", diff)
		}

		// A database from before migration 19, when the defaults were
		// version 0 and the first change made version 1: the stored
		// thresholds move up one, so they do not read as the defaults.
		raw := rawDB(t, fx)
		for _, q := range []string{`UPDATE anomaly_settings SET version = 1`, `DELETE FROM schema_migrations WHERE version = 19`} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		if _, v, err := fx.open().AnomalyThresholds(ctx); err != nil || v != sqlstore.DefaultThresholdsVersion+1 {
			t.Errorf("after migrating, version %d (%v), want %d", v, err, sqlstore.DefaultThresholdsVersion+1)
		}
	})
}

// TestAnomalyClaim: one worker claims an ended day; another does not while
// the claim holds; a day detected in full is not claimed again, one
// detected while it was still going on is.
func TestAnomalyClaim(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		af := newAnomalyFixture(t, fx)
		from := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
		to := from.AddDate(0, 0, 1)
		fx.now = to.Add(10 * time.Minute)
		claim := func(worker string) bool {
			ok, err := fx.db.ClaimAnomalyDay(ctx, worker, "2026-11-23", from, to, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !claim("one") || claim("two") {
			t.Fatal("want the first worker to claim the day, the second not")
		}
		fx.now = fx.now.Add(2 * time.Minute)
		if !claim("two") {
			t.Fatal("a claim whose lease ended was not taken over")
		}
		if _, _, err := fx.db.DetectAnomalies(ctx, accord.Actor{StaffID: "system"}, "2026-11-23", from, to, af.thr); err != nil {
			t.Fatal(err)
		}
		if claim("three") {
			t.Error("a day detected in full was claimed again")
		}
		// Detected on demand while it was going on: the daily run does it again.
		from, to = to, to.AddDate(0, 0, 1)
		fx.now = from.Add(time.Hour)
		if _, _, err := fx.db.DetectAnomalies(ctx, accord.Actor{StaffID: "system"}, "2026-11-24", from, to, af.thr); err != nil {
			t.Fatal(err)
		}
		fx.now = to.Add(10 * time.Minute)
		if ok, err := fx.db.ClaimAnomalyDay(ctx, "one", "2026-11-24", from, to, time.Minute); err != nil || !ok {
			t.Errorf("a day detected before it ended was not claimed (%v)", err)
		}
	})
}

// TestAnomalyThresholdsConcurrentChanges: two changes made from the same
// version at once — of the defaults first, then of stored versions — one
// is stored and the other refused, on both engines (a check by reading
// first let both through on PostgreSQL, the second overwriting the first).
func TestAnomalyThresholdsConcurrentChanges(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		af := newAnomalyFixture(t, fx)
		reviewer := accord.Actor{StaffID: af.audit.ID, OrganizationID: af.over.ID}
		for round := range 10 {
			_, v, err := fx.db.AnomalyThresholds(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if v != sqlstore.DefaultThresholdsVersion+round {
				t.Fatalf("round %d: version %d, want %d", round, v, sqlstore.DefaultThresholdsVersion+round)
			}
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i := range errs {
				thr := accord.DefaultAnomalyThresholds()
				thr.Denials = 100*round + 20 + i
				wg.Go(func() { errs[i] = fx.db.SetAnomalyThresholds(ctx, reviewer, thr, v) })
			}
			wg.Wait()
			stored, after, err := fx.db.AnomalyThresholds(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ok := 0
			for i, err := range errs {
				switch code(err) {
				case "":
					ok++
					if stored.Denials != 100*round+20+i {
						t.Errorf("round %d: change %d succeeded, but the other's thresholds are stored (denials %d)", round, i, stored.Denials)
					}
				case accord.ECONFLICT:
				default:
					t.Fatalf("round %d: change %d: %v", round, i, err)
				}
			}
			if ok != 1 || after != v+1 {
				t.Fatalf("round %d, from version %d: %d of 2 changes stored, version now %d; want 1 stored, version %d", round, v, ok, after, v+1)
			}
		}
	})
}
