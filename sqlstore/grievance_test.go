package sqlstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sealing"
	"github.com/accord-project/accord/sqlstore"
)

// grievanceFixture adds an oversight body and the people who answer
// grievances to the fixture.
type grievanceFixture struct {
	*fixture
	over                 accord.Organization
	officer, lead, audit accord.Staff
}

func newGrievanceFixture(t *testing.T, fx *fixture) *grievanceFixture {
	ctx := context.Background()
	gf := &grievanceFixture{fixture: fx, over: accord.Organization{Name: "Ombudsperson", Sector: accord.SectorOversight}}
	if err := fx.db.CreateOrganization(ctx, fx.admin, &gf.over); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*accord.Staff{&gf.officer, &gf.lead, &gf.audit} {
		*s = accord.Staff{OrganizationID: fx.clinic.ID, Active: true}
	}
	gf.officer.Username, gf.officer.DisplayName, gf.officer.Roles = "p.officer", "P. Officer", []accord.Role{accord.RolePrivacyOfficer}
	gf.lead.Username, gf.lead.DisplayName, gf.lead.Roles = "lead", "C. Lead", []accord.Role{accord.RoleClinician, accord.RoleSupervisor}
	gf.audit.Username, gf.audit.DisplayName, gf.audit.Roles, gf.audit.OrganizationID = "auditor", "A. Uditor", []accord.Role{accord.RoleAuditor}, gf.over.ID
	for _, s := range []*accord.Staff{&gf.officer, &gf.lead, &gf.audit} {
		if err := fx.db.CreateStaff(ctx, fx.admin, s, ""); err != nil {
			t.Fatal(err)
		}
	}
	return gf
}

func (gf *grievanceFixture) raise(g *accord.Grievance) []byte {
	gf.t.Helper()
	code, _ := accord.NormalizeTrackingCode(accord.NewTrackingCode())
	h := accord.TrackingCodeHash(code)
	if err := gf.db.CreateGrievance(context.Background(), accord.Actor{StaffID: "public"}, g, h); err != nil {
		gf.t.Fatal(err)
	}
	return h
}

func noticed(t *testing.T, db *sqlstore.DB, staffID, kind, subject string) bool {
	t.Helper()
	ns, err := db.Notifications(context.Background(), staffID, 100)
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(ns, func(n sqlstore.Notification) bool { return n.Kind == kind && n.SubjectID == subject })
}

// TestGrievanceRoutingAndSealing raises a discrimination grievance naming
// the clinic: it reaches the clinic's privacy officer and the oversight
// body; who complained is sealed under the oversight body's key, is in no
// column in the clear and in no audit entry.
func TestGrievanceRoutingAndSealing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		gf := newGrievanceFixture(t, fx)
		g := &accord.Grievance{Category: accord.GrievanceDiscrimination, Description: "The receptionist laughed at my accent and sent me away.",
			OrganizationID: fx.clinic.ID, ReporterName: "Samira Haddad", ReporterContact: "samira@example.org"}
		hash := gf.raise(g)
		if g.HandlerOrgID != fx.clinic.ID || !g.Oversight || g.OversightOrgID != gf.over.ID || g.Status != accord.GrievanceReceived {
			t.Fatalf("routed to %s (oversight %v), status %s", g.HandlerOrgID, g.Oversight, g.Status)
		}
		if want := accord.AddWorkingDays(fx.now, 5); !g.DueAt.Equal(want) {
			t.Errorf("due %s, want %s (5 working days)", g.DueAt, want)
		}
		for _, s := range []accord.Staff{gf.officer, gf.audit} {
			if !noticed(t, fx.db, s.ID, "grievance.received", g.ID) {
				t.Errorf("%s was not told of the grievance", s.Username)
			}
		}
		if noticed(t, fx.db, gf.lead.ID, "grievance.received", g.ID) {
			t.Error("the supervisor was told before any deadline was missed")
		}

		raw := rawDB(t, fx)
		var desc, reporter, codeHash []byte
		var all string
		if err := raw.QueryRow(`SELECT description, reporter, code_hash, category || channel || organization_id || client_ref FROM grievances WHERE id = $1`, g.ID).
			Scan(&desc, &reporter, &codeHash, &all); err != nil {
			t.Fatal(err)
		}
		for _, b := range [][]byte{desc, reporter, []byte(all)} {
			if bytes.Contains(b, []byte("Samira")) || bytes.Contains(b, []byte("samira@")) || bytes.Contains(b, []byte("receptionist")) {
				t.Fatal("grievance text or identity stored in the clear")
			}
		}
		if !bytes.Equal(codeHash, hash) {
			t.Error("the tracking code is not stored as its hash")
		}
		entries, err := fx.db.AuditEntries(ctx, sqlstore.AuditFilter{After: -1, Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		raised := 0
		for _, e := range entries {
			b, _ := json.Marshal(e)
			if bytes.Contains(b, []byte("Samira")) || bytes.Contains(b, []byte("samira")) || bytes.Contains(b, []byte("receptionist")) {
				t.Fatalf("an audit entry holds who complained or what: %s", b)
			}
			if e.Action == "grievance.raise" && e.ObjectID == g.ID {
				raised++
				if e.ClientID != "" || e.ActorID != "public" {
					t.Errorf("the raise entry names %q / %q", e.ClientID, e.ActorID)
				}
			}
		}
		if raised != 1 {
			t.Errorf("%d grievance.raise entries, want 1", raised)
		}

		found, err := fx.db.FindGrievanceByCode(ctx, hash)
		if err != nil || found.ID != g.ID || found.Description != g.Description || found.ReporterName != "" {
			t.Fatalf("FindGrievanceByCode = %+v, %v; want the grievance without who raised it", found, err)
		}
		other, _ := accord.NormalizeTrackingCode(accord.NewTrackingCode())
		if _, err := fx.db.FindGrievanceByCode(ctx, accord.TrackingCodeHash(other)); code(err) != accord.ENOTFOUND {
			t.Errorf("an unknown code: %v, want not_found", err)
		}
		if err := fx.db.OpenGrievanceReporter(ctx, found); err != nil || found.ReporterName != "Samira Haddad" || found.ReporterContact != "samira@example.org" {
			t.Fatalf("OpenGrievanceReporter = %q %q, %v", found.ReporterName, found.ReporterContact, err)
		}

		// The identity is sealed under the oversight body's key: pretend the
		// clinic were the oversight body, and it does not open.
		if _, err := raw.Exec(`UPDATE grievances SET oversight_org_id = $1 WHERE id = $2`, fx.clinic.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		if err := fx.db.OpenGrievanceReporter(ctx, &accord.Grievance{ID: g.ID}); !errors.Is(err, sealing.ErrOpen) {
			t.Errorf("the identity opened under the clinic's key: %v", err)
		}
		if _, err := raw.Exec(`UPDATE grievances SET oversight_org_id = $1 WHERE id = $2`, gf.over.ID, g.ID); err != nil {
			t.Fatal(err)
		}

		// Still readable after every data key is rotated.
		v := fx.ring.Rotate()
		if _, _, err := fx.db.RotateKeys(ctx, true); err != nil {
			t.Fatal(err)
		}
		fx.ring.Retire(v)
		fresh := fx.open()
		again, err := fresh.FindGrievance(ctx, g.ID)
		if err != nil || again.Description != g.Description {
			t.Fatalf("after rotation: %v", err)
		}
		if err := fresh.OpenGrievanceReporter(ctx, again); err != nil || again.ReporterName != "Samira Haddad" {
			t.Fatalf("reporter after rotation: %q, %v", again.ReporterName, err)
		}

		// A language access grievance goes to the clinic alone; one naming
		// no organisation to the oversight body.
		lang := &accord.Grievance{Category: accord.GrievanceLanguage, Description: "No interpreter.", OrganizationID: fx.clinic.ID, Anonymous: true}
		gf.raise(lang)
		if lang.HandlerOrgID != fx.clinic.ID || lang.Oversight || noticed(t, fx.db, gf.audit.ID, "grievance.received", lang.ID) {
			t.Errorf("language access: handler %s, oversight %v", lang.HandlerOrgID, lang.Oversight)
		}
		none := &accord.Grievance{Category: accord.GrievanceOther, Description: "Something else.", Anonymous: true}
		gf.raise(none)
		if none.HandlerOrgID != gf.over.ID || !noticed(t, fx.db, gf.audit.ID, "grievance.received", none.ID) {
			t.Errorf("no organisation named: handler %s", none.HandlerOrgID)
		}
	})
}

// TestGrievanceAppealOnce walks a grievance to an outcome, appeals it,
// and checks a second appeal, an appeal before an outcome and a stale
// version are refused, and nothing can be added once the appeal is decided.
func TestGrievanceAppealOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		gf := newGrievanceFixture(t, fx)
		g := &accord.Grievance{Category: accord.GrievanceLanguage, Description: "No interpreter.", OrganizationID: fx.clinic.ID, Anonymous: true}
		gf.raise(g)
		reporter := accord.Actor{StaffID: "public"}
		officer := accord.Actor{StaffID: gf.officer.ID, OrganizationID: fx.clinic.ID}
		over := accord.Actor{StaffID: gf.audit.ID, OrganizationID: gf.over.ID}
		if _, err := fx.db.UpdateGrievance(ctx, reporter, g.ID, 0, sqlstore.GrievanceChange{Kind: accord.GrievanceEventAppeal, Text: "too soon"}); code(err) != accord.ECONFLICT {
			t.Errorf("appeal before an outcome = %v, want conflict", err)
		}
		if _, err := fx.db.UpdateGrievance(ctx, officer, g.ID, g.Version+1, sqlstore.GrievanceChange{Kind: accord.GrievanceEventAcknowledged}); code(err) != accord.ECONFLICT {
			t.Errorf("a stale version = %v, want conflict", err)
		}
		g2, err := fx.db.UpdateGrievance(ctx, officer, g.ID, g.Version, sqlstore.GrievanceChange{Kind: accord.GrievanceEventAcknowledged})
		if err != nil || g2.Status != accord.GrievanceAcknowledged {
			t.Fatalf("acknowledge: %v", err)
		}
		for name, ch := range map[string]sqlstore.GrievanceChange{
			"no findings":            {Kind: accord.GrievanceEventOutcome, Outcome: accord.OutcomeUpheld, Remedy: "Interpreter booked"},
			"upheld without remedy":  {Kind: accord.GrievanceEventOutcome, Outcome: accord.OutcomeUpheld, Text: "We failed."},
			"unknown outcome":        {Kind: accord.GrievanceEventOutcome, Outcome: "maybe", Text: "Hmm."},
			"appeal decision early":  {Kind: accord.GrievanceEventAppealOutcome, Outcome: accord.OutcomeUpheld, Text: "x", Remedy: "y"},
			"empty message":          {Kind: accord.GrievanceEventMessage, Text: "   "},
			"oversized information":  {Kind: accord.GrievanceEventInfo, Text: string(bytes.Repeat([]byte("x"), accord.GrievanceMessageMax+1))},
			"a change with no kind":  {},
			"oversized remedy":       {Kind: accord.GrievanceEventOutcome, Outcome: accord.OutcomeUpheld, Text: "We failed.", Remedy: string(bytes.Repeat([]byte("r"), accord.GrievanceRemedyMax+1))},
			"partly without remedy":  {Kind: accord.GrievanceEventOutcome, Outcome: accord.OutcomePartlyUpheld, Text: "Partly."},
			"not upheld, no finding": {Kind: accord.GrievanceEventOutcome, Outcome: accord.OutcomeNotUpheld},
		} {
			before, _ := fx.db.FindGrievance(ctx, g.ID)
			if _, err := fx.db.UpdateGrievance(ctx, officer, g.ID, 0, ch); err == nil {
				t.Errorf("%s: accepted", name)
			}
			after, _ := fx.db.FindGrievance(ctx, g.ID)
			if after.Version != before.Version {
				t.Errorf("%s: refused, but the grievance changed", name)
			}
		}
		if _, err := fx.db.UpdateGrievance(ctx, officer, g.ID, 0, sqlstore.GrievanceChange{Kind: accord.GrievanceEventOutcome, Outcome: accord.OutcomeNotUpheld,
			Text: "An interpreter was offered by telephone."}); err != nil {
			t.Fatal(err)
		}
		if ts, _ := fx.db.ClaimDueTimers(ctx, "w", 10, 0); len(ts) != 0 {
			t.Errorf("%d timers due right after the outcome", len(ts))
		}
		g3, err := fx.db.UpdateGrievance(ctx, reporter, g.ID, 0, sqlstore.GrievanceChange{Kind: accord.GrievanceEventAppeal, Text: "No one offered one."})
		if err != nil || g3.Status != accord.GrievanceAppealed || !g3.Oversight || !g3.DueAt.Equal(accord.AddWorkingDays(fx.now, accord.GrievanceAppealDays)) {
			t.Fatalf("appeal: %+v, %v", g3, err)
		}
		if !noticed(t, fx.db, gf.audit.ID, "grievance.appealed", g.ID) {
			t.Error("the oversight body was not told of the appeal")
		}
		if _, err := fx.db.UpdateGrievance(ctx, reporter, g.ID, 0, sqlstore.GrievanceChange{Kind: accord.GrievanceEventAppeal, Text: "again"}); code(err) != accord.ECONFLICT {
			t.Errorf("a second appeal = %v, want conflict", err)
		}
		if _, err := fx.db.UpdateGrievance(ctx, officer, g.ID, 0, sqlstore.GrievanceChange{Kind: accord.GrievanceEventOutcome, Outcome: accord.OutcomeUpheld,
			Text: "x", Remedy: "y"}); code(err) != accord.ECONFLICT {
			t.Errorf("a second outcome under appeal = %v, want conflict", err)
		}
		g4, err := fx.db.UpdateGrievance(ctx, over, g.ID, 0, sqlstore.GrievanceChange{Kind: accord.GrievanceEventAppealOutcome, Outcome: accord.OutcomeUpheld,
			Text: "The clinic's records show no interpreter was booked.", Remedy: "Apology; interpreter policy reissued to reception."})
		if err != nil || g4.Status != accord.GrievanceClosed || g4.AppealOutcome != accord.OutcomeUpheld || g4.Outcome != accord.OutcomeNotUpheld {
			t.Fatalf("appeal decision: %+v, %v", g4, err)
		}
		if _, err := fx.db.UpdateGrievance(ctx, reporter, g.ID, 0, sqlstore.GrievanceChange{Kind: accord.GrievanceEventAppeal, Text: "third"}); code(err) != accord.ECONFLICT {
			t.Errorf("an appeal after the decision = %v, want conflict", err)
		}
		if _, err := fx.db.UpdateGrievance(ctx, reporter, g.ID, 0, sqlstore.GrievanceChange{Kind: accord.GrievanceEventInfo, Text: "more"}); code(err) != accord.ECONFLICT {
			t.Errorf("information after the decision = %v, want conflict", err)
		}
		evs, err := fx.db.GrievanceEvents(ctx, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range evs {
			kinds = append(kinds, e.Kind)
		}
		want := []string{"received", "acknowledged", "outcome", "appeal", "appeal_outcome"}
		if !slices.Equal(kinds, want) {
			t.Errorf("events %v, want %v", kinds, want)
		}
		if last := evs[len(evs)-1]; last.Remedy != "Apology; interpreter policy reissued to reception." || last.ActorID != gf.audit.ID {
			t.Errorf("the appeal decision event: %+v", last)
		}
	})
}

// TestGrievanceDeadlineClimbs lets a grievance's deadline pass: the timer
// fires once, the supervisor is brought in, the oversight body is told,
// and a new deadline is armed; a reopened database (a restart) fires the
// next one.
func TestGrievanceDeadlineClimbs(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		gf := newGrievanceFixture(t, fx)
		g := &accord.Grievance{Category: accord.GrievanceRetaliation, Description: "They cut my hours after I complained.", OrganizationID: fx.clinic.ID, Anonymous: true}
		gf.raise(g)
		fire := func(db *sqlstore.DB) int {
			t.Helper()
			ts, err := db.ClaimDueTimers(ctx, "w", 100, 0)
			if err != nil {
				t.Fatal(err)
			}
			n, err := db.FireTimers(ctx, ts)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		fx.now = g.DueAt.Add(-1)
		if n := fire(fx.db); n != 0 {
			t.Fatalf("%d timers fired before the deadline", n)
		}
		fx.now = g.DueAt.Add(time.Second)
		if n := fire(fx.db); n != 1 {
			t.Fatalf("%d timers fired at the deadline, want 1", n)
		}
		if n := fire(fx.db); n != 0 {
			t.Fatalf("%d timers fired again", n)
		}
		got, _ := fx.db.FindGrievance(ctx, g.ID)
		if got.Level != 1 || !got.Overdue || !got.Oversight || !got.DueAt.Equal(accord.AddWorkingDays(fx.now, accord.GrievanceReminderDays)) {
			t.Fatalf("after the deadline: level %d overdue %v oversight %v due %s", got.Level, got.Overdue, got.Oversight, got.DueAt)
		}
		for _, s := range []accord.Staff{gf.officer, gf.lead, gf.audit} {
			if !noticed(t, fx.db, s.ID, "grievance.overdue", g.ID) {
				t.Errorf("%s was not told the deadline was missed", s.Username)
			}
		}
		// A restart: the next deadline is in the database, not in memory.
		restarted := fx.open()
		fx.now = got.DueAt.Add(time.Second)
		if n := fire(restarted); n != 1 {
			t.Fatalf("after a restart %d timers fired, want 1", n)
		}
		got, _ = restarted.FindGrievance(ctx, g.ID)
		if got.Level != 2 {
			t.Errorf("level %d after the second missed deadline, want 2", got.Level)
		}
		entries, _ := fx.db.AuditEntries(ctx, sqlstore.AuditFilter{After: -1, Limit: 10000})
		overdue := 0
		for _, e := range entries {
			if e.Action == "grievance.overdue" && e.ObjectID == g.ID {
				overdue++
			}
		}
		if overdue != 2 {
			t.Errorf("%d grievance.overdue audit entries, want 2", overdue)
		}
		// An outcome stops the clock.
		if _, err := restarted.UpdateGrievance(ctx, accord.Actor{StaffID: gf.lead.ID, OrganizationID: fx.clinic.ID}, g.ID, 0, sqlstore.GrievanceChange{
			Kind: accord.GrievanceEventOutcome, Outcome: accord.OutcomeUpheld, Text: "Hours restored.", Remedy: "Back pay."}); err != nil {
			t.Fatal(err)
		}
		fx.now = fx.now.AddDate(0, 1, 0)
		if n := fire(restarted); n != 0 {
			t.Errorf("%d timers fired after the outcome", n)
		}
	})
}

// TestPortalClientGrievances links a grievance to the portal client who
// raised it, by keyed hash: the client finds it, another client does not.
func TestPortalClientGrievances(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		gf := newGrievanceFixture(t, fx)
		c, other := fx.client("Amal"), fx.client("Badr")
		g := &accord.Grievance{Category: accord.GrievancePrivacy, Description: "My letter went to my neighbour.", OrganizationID: fx.clinic.ID, ClientID: c.ID}
		gf.raise(g)
		mine, err := fx.db.Grievances(ctx, sqlstore.GrievanceFilter{ClientID: c.ID})
		if err != nil || len(mine) != 1 || mine[0].ID != g.ID {
			t.Fatalf("the client's grievances: %v, %v", mine, err)
		}
		if theirs, _ := fx.db.Grievances(ctx, sqlstore.GrievanceFilter{ClientID: other.ID}); len(theirs) != 0 {
			t.Errorf("another client sees %d grievances", len(theirs))
		}
		if ok, _ := fx.db.GrievanceOfClient(ctx, g.ID, c.ID); !ok {
			t.Error("GrievanceOfClient(own) = false")
		}
		if ok, _ := fx.db.GrievanceOfClient(ctx, g.ID, other.ID); ok {
			t.Error("GrievanceOfClient(other) = true")
		}
		raw := rawDB(t, fx)
		var ref string
		raw.QueryRow(`SELECT client_ref FROM grievances WHERE id = $1`, g.ID).Scan(&ref)
		if ref == "" || ref == c.ID {
			t.Errorf("client_ref %q: want a keyed hash", ref)
		}
	})
}
