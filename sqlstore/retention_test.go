package sqlstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/sqlstore"
)

// retentionWorld is, at t0: an agreement between the clinic and legal aid
// with a 365-day period, and clients last seen 800 days ago —
//
//	gone1, gone2: the clinic's clients with a legal aid record: erased;
//	split: legal aid's client; the clinic's old record: purged alone;
//	busy: the clinic's client whom legal aid saw 10 days ago: kept
//	(the clinic's part waits for legal aid's).
type retentionWorld struct {
	gone1, gone2, split, busy *accord.Client
	legalStaff                accord.Staff
	agreement                 *accord.Agreement
}

func (fx *fixture) retentionWorld() *retentionWorld {
	t, ctx := fx.t, context.Background()
	w := &retentionWorld{agreement: fx.agreement()}
	w.agreement.EffectiveFrom, w.agreement.ReviewDate = t0.AddDate(-3, 0, 0), t0.AddDate(0, 6, 0)
	if err := fx.db.CreateAgreement(ctx, fx.admin, w.agreement); err != nil {
		t.Fatal(err)
	}
	for _, org := range []string{fx.clinic.ID, fx.legal.ID} {
		if _, err := fx.db.SignAgreement(ctx, fx.admin, w.agreement.ID, 1, accord.Signatory{OrganizationID: org, Name: "Director"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fx.db.SetAgreementStatus(ctx, fx.admin, w.agreement.ID, 1, accord.AgreementActive, ""); err != nil {
		t.Fatal(err)
	}
	w.legalStaff = accord.Staff{OrganizationID: fx.legal.ID, Username: "advocate", DisplayName: "A. Dvocate",
		Roles: []accord.Role{accord.RoleLegalAdvocate}, Active: true}
	if err := fx.db.CreateStaff(ctx, fx.admin, &w.legalStaff, ""); err != nil {
		t.Fatal(err)
	}
	legalActor := accord.Actor{StaffID: w.legalStaff.ID, OrganizationID: fx.legal.ID, Sector: accord.SectorLegal, Roles: w.legalStaff.RoleSet()}
	record := func(c *accord.Client, org string, actor accord.Actor) {
		t.Helper()
		r := &accord.Record{ClientID: c.ID, OrganizationID: org, Category: accord.CatClinicalSummary, Content: "Seen; well.", RecordedBy: actor.StaffID}
		if err := fx.db.CreateRecord(ctx, actor, r); err != nil {
			t.Fatal(err)
		}
	}
	fx.now = t0.AddDate(0, 0, -800)
	w.gone1, w.gone2, w.busy = fx.client("Ana"), fx.client("Bea"), fx.client("Cai")
	for _, c := range []*accord.Client{w.gone1, w.gone2, w.busy} {
		record(c, fx.clinic.ID, fx.actor())
		record(c, fx.legal.ID, legalActor)
	}
	w.split = &accord.Client{GivenName: "Dan", Gender: accord.GenderNotStated, PreferredLanguage: "en"}
	if err := fx.db.CreateClient(ctx, legalActor, w.split); err != nil {
		t.Fatal(err)
	}
	record(w.split, fx.clinic.ID, fx.actor())
	fx.now = t0.AddDate(0, 0, -10)
	record(w.split, fx.legal.ID, legalActor)
	record(w.busy, fx.legal.ID, legalActor)
	fx.now = t0
	return w
}

func TestRetentionPlan(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		w := fx.retentionWorld()
		plan, err := fx.db.RetentionPlan(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		type item struct {
			Client, Org string
			Action      accord.RetentionAction
			Days        int
			Counts      map[accord.RetentionKind]int
			Holds       []accord.RetentionHold
		}
		summary := func(its []accord.RetentionItem) []item {
			var out []item
			for _, it := range its {
				if it.AgreementID != w.agreement.ID {
					t.Errorf("item %s/%s governed by %q, want the agreement", it.ClientID, it.OrganizationID, it.AgreementID)
				}
				out = append(out, item{it.ClientID, it.OrganizationID, it.Action, it.RetentionDays, it.Counts, it.Holds})
			}
			return out
		}
		byClient := func(a, b item) int {
			if a.Client < b.Client {
				return -1
			}
			return 1
		}
		sorted := func(s []item) []item {
			out := append([]item(nil), s...)
			for i := range out {
				for j := i + 1; j < len(out); j++ {
					if byClient(out[j], out[i]) < 0 {
						out[i], out[j] = out[j], out[i]
					}
				}
			}
			return out
		}
		both := map[accord.RetentionKind]int{accord.RetentionRecords: 2}
		wantDue := []item{
			{w.gone1.ID, fx.clinic.ID, accord.RetentionEraseClient, 365, both, nil},
			{w.gone2.ID, fx.clinic.ID, accord.RetentionEraseClient, 365, both, nil},
			{w.split.ID, fx.clinic.ID, accord.RetentionPurgeHolding, 365, map[accord.RetentionKind]int{accord.RetentionRecords: 1}, nil},
		}
		wantHeld := []item{
			{w.busy.ID, fx.clinic.ID, accord.RetentionEraseClient, 365, map[accord.RetentionKind]int{accord.RetentionRecords: 1},
				[]accord.RetentionHold{accord.HoldOtherHolding}},
		}
		if diff := cmp.Diff(sorted(wantDue), sorted(summary(plan.Due))); diff != "" {
			t.Errorf("due (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantHeld, summary(plan.Held)); diff != "" {
			t.Errorf("held (-want +got):\n%s", diff)
		}
		for _, it := range plan.Due {
			if want := it.LastActivity.AddDate(0, 0, 365); !it.DueSince.Equal(want) || it.LastActivity.After(t0.AddDate(0, 0, -799)) {
				t.Errorf("%s: last activity %s, due since %s; want 800 days ago and a year later", it.ClientID, it.LastActivity, it.DueSince)
			}
		}
	})
}

// TestRetentionPurgeResumes interrupts a run after its first client, as a
// crash would, and checks that another worker takes it over once the
// first one's lease ends, that every item is purged exactly once with one
// audit entry each, and that what is left is whole.
func TestRetentionPurgeResumes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(cancel context.CancelFunc) error
	}{
		{"injected failure", func(context.CancelFunc) error { return errors.New("injected crash") }},
		{"cancelled", func(cancel context.CancelFunc) error { cancel(); return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, fx *fixture) {
				w := fx.retentionWorld()
				ctx := context.Background()
				before, _ := fx.db.AuditSize(ctx)
				run, started, err := fx.db.StartRetentionRun(ctx, accord.Actor{StaffID: "system"})
				if err != nil || !started || run.Planned != 3 {
					t.Fatalf("StartRetentionRun = %+v, %v, %v; want a new run of 3 items", run, started, err)
				}
				if again, started, err := fx.db.StartRetentionRun(ctx, accord.Actor{StaffID: "system"}); err != nil || started || again.ID != run.ID {
					t.Fatalf("a second start = %+v, %v, %v; want the running run back", again, started, err)
				}

				first := enforce.NewRetentionWorker(fx.db)
				wctx, cancel := context.WithCancel(ctx)
				defer cancel()
				first.AfterClient = func(n int) error { return tc.fault(cancel) }
				if _, err := first.Work(wctx); err == nil {
					t.Fatal("the interrupted run reported no error")
				}
				got, _ := fx.db.FindRetentionRun(ctx, run.ID)
				if got.Status != sqlstore.RetentionRunning || got.Done != 1 {
					t.Fatalf("after the crash: %+v; want running with 1 item done", got)
				}

				second := enforce.NewRetentionWorker(fx.db)
				if r, err := second.Work(ctx); r != nil || err != nil {
					t.Fatalf("another worker during the lease = %v, %v; want nothing claimed", r, err)
				}
				fx.now = t0.Add(2 * time.Minute) // the first worker's lease has run out
				done, err := second.Work(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if done.Status != sqlstore.RetentionFinished || done.Done != 3 || done.Skipped != 0 {
					t.Errorf("resumed run = %+v; want finished, 3 done", done)
				}
				// The first worker coming back finds nothing to do.
				if out, err := fx.db.PurgeRetentionClient(ctx, first.Actor, run.ID, first.ID(), w.gone1.ID, time.Minute); err == nil && out.Done > 0 {
					t.Errorf("purging gone1 again did %+v", out)
				}

				entries, err := fx.db.AuditEntries(ctx, sqlstore.AuditFilter{After: int64(before) - 1, Limit: 1000})
				if err != nil {
					t.Fatal(err)
				}
				count := map[string]int{}
				for _, e := range entries {
					if e.Kind == accord.AuditErasure || e.Action == "retention.run.start" || e.Action == "retention.run.finish" {
						count[e.Action+" "+e.ClientID+" "+e.HolderID]++
					}
				}
				want := map[string]int{
					"retention.run.start  ": 1,
					"client.erase.retention_ended " + w.gone1.ID + " " + fx.clinic.ID: 1,
					"client.erase.retention_ended " + w.gone2.ID + " " + fx.clinic.ID: 1,
					"retention.purge_holding " + w.split.ID + " " + fx.clinic.ID:      1,
					"retention.run.finish  ": 1,
				}
				if diff := cmp.Diff(want, count); diff != "" {
					t.Errorf("audit entries (-want +got):\n%s", diff)
				}

				for _, c := range []*accord.Client{w.gone1, w.gone2} {
					if _, err := fx.db.FindClient(ctx, c.ID); code(err) != accord.ENOTFOUND {
						t.Errorf("erased client: FindClient = %v", err)
					}
				}
				if _, err := fx.db.FindClient(ctx, w.busy.ID); err != nil {
					t.Errorf("kept client: %v", err)
				}
				// The clinic's record and key are gone; legal aid's record still opens.
				raw := rawDB(t, fx)
				var ids []string
				rows, err := raw.Query(`SELECT id, organization_id FROM records WHERE client_id = $1`, w.split.ID)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var id, org string
					rows.Scan(&id, &org)
					if org != fx.legal.ID {
						t.Errorf("the split client's record held by %s survived the purge", org)
					}
					ids = append(ids, id)
				}
				rows.Close()
				if recs, err := fx.db.OpenRecords(ctx, w.split.ID, ids); err != nil || len(recs) != 1 || recs[0].Content == "" {
					t.Errorf("legal aid's record after the purge: %+v, %v; want it readable", recs, err)
				}
				var keys int
				raw.QueryRow(`SELECT count(*) FROM client_keys WHERE client_id = $1 AND organization_id = $2`, w.split.ID, fx.clinic.ID).Scan(&keys)
				if keys != 0 {
					t.Errorf("the clinic's key for the split client survived the purge")
				}
				plan, err := fx.db.RetentionPlan(ctx)
				if err != nil || len(plan.Due) != 0 {
					t.Errorf("plan after the purge: %+v, %v; want nothing due", plan, err)
				}
			})
		})
	}
}

// TestRetentionSkipsWhatBecameActive plans a run, records new activity
// for a planned client, and checks the purge skips it, saying why.
func TestRetentionSkipsWhatBecameActive(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		w := fx.retentionWorld()
		ctx := context.Background()
		run, _, err := fx.db.StartRetentionRun(ctx, accord.Actor{StaffID: "system"})
		if err != nil {
			t.Fatal(err)
		}
		if err := fx.db.CreateRecord(ctx, fx.actor(), &accord.Record{ClientID: w.gone1.ID, OrganizationID: fx.clinic.ID,
			Category: accord.CatClinicalSummary, Content: "Back again.", RecordedBy: fx.nurse.ID}); err != nil {
			t.Fatal(err)
		}
		done, err := enforce.NewRetentionWorker(fx.db).Work(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if done.Done != 2 || done.Skipped != 1 {
			t.Errorf("run = %+v; want 2 done, 1 skipped", done)
		}
		items, err := fx.db.RetentionRunItems(ctx, run.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.ClientID == w.gone1.ID && (it.State != "skipped" || it.Outcome != "not_due") {
				t.Errorf("gone1's item: %+v; want skipped, not_due", it)
			}
		}
		if _, err := fx.db.FindClient(ctx, w.gone1.ID); err != nil {
			t.Errorf("the client seen again was erased: %v", err)
		}
	})
}
