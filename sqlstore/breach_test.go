package sqlstore_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// TestBreachImpactFromAuditLog writes a log around a window and checks that
// the impact is exactly the clients whose data was disclosed to the actor
// inside it: not before, not after, not refusals, not explanations, not
// questions about someone else, not other actors, not other kinds of entry.
func TestBreachImpactFromAuditLog(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		actor, other := fx.nurse.ID, accord.NewID(accord.PrefixStaff, nil)
		from, to := t0.Add(-3*time.Hour), t0.Add(-time.Hour)
		at := func(d time.Duration) time.Time { return from.Add(d) }
		cli := func(n string) string { return "cli_" + n + "aaaaaaaaaaaaaaaaaaaaaaaaa" }
		decision := func(who, client string, cat accord.Category, effect string, when time.Time) accord.AuditEntry {
			return accord.AuditEntry{Time: when, Kind: accord.AuditDecision, ActorID: who, ActorOrganizationID: fx.clinic.ID, ClientID: client,
				HolderID: fx.clinic.ID, Category: cat, Purpose: accord.PurposeTreatment, Effect: effect, Released: effect == "permit"}
		}
		explain := decision(actor, cli("f"), accord.CatClinicalNote, "permit", at(time.Hour))
		explain.Action, explain.Released = "explain", false
		onBehalf := decision(actor, cli("g"), accord.CatDemographics, "permit", at(time.Hour))
		onBehalf.Action, onBehalf.ObjectID, onBehalf.Released = "case.join", other, false
		legal := decision(actor, cli("a"), accord.CatLegalMatter, "permit", at(30*time.Minute))
		legal.HolderID = fx.legal.ID
		entries := []accord.AuditEntry{
			decision(actor, cli("c"), accord.CatClinicalSummary, "permit", from.Add(-time.Microsecond)), // just before
			decision(actor, cli("a"), accord.CatDemographics, "permit", from),                           // at the start: in
			decision(actor, cli("a"), accord.CatClinicalSummary, "permit", at(10*time.Minute)),
			decision(actor, cli("a"), accord.CatClinicalSummary, "permit", at(20*time.Minute)),
			legal,
			decision(actor, cli("b"), accord.CatClinicalNote, "permit", to), // at the end: in
			decision(actor, cli("e"), accord.CatClinicalNote, "deny", at(time.Hour)),
			decision(actor, cli("b"), accord.CatLegalPrivilegedNote, "deny", at(time.Hour)),
			explain, onBehalf,
			decision(other, cli("h"), accord.CatClinicalSummary, "permit", at(time.Hour)),
			{Time: at(time.Hour), Kind: accord.AuditChange, ActorID: actor, ClientID: cli("i"), Action: "consent.revoke", ObjectID: "cns_x"},
			decision(actor, cli("d"), accord.CatClinicalSummary, "permit", to.Add(time.Microsecond)), // just after
		}
		if err := fx.db.AppendAudit(ctx, entries...); err != nil {
			t.Fatal(err)
		}
		var b accord.ImpactBuilder
		scanned, err := fx.db.AddDisclosures(ctx, &b, actor, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if scanned != 9 {
			t.Errorf("scanned %d decision entries, want the actor's 9 in the window", scanned)
		}
		got := b.Impact(t0, from, to)
		want := accord.BreachImpact{ComputedAt: t0, From: from, To: to, Disclosures: 5, Clients: []accord.AffectedClient{
			{ClientID: cli("a"), Categories: []accord.CategoryCount{{Category: accord.CatDemographics, Count: 1}, {Category: accord.CatClinicalSummary, Count: 2}, {Category: accord.CatLegalMatter, Count: 1}},
				Holders: sorted(fx.clinic.ID, fx.legal.ID), Disclosures: 4, First: from, Last: at(30 * time.Minute)},
			{ClientID: cli("b"), Categories: []accord.CategoryCount{{Category: accord.CatClinicalNote, Count: 1}}, Holders: []string{fx.clinic.ID}, Disclosures: 1, First: to, Last: to},
		}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("impact (-want +got):\n%s", diff)
		}
	})
}

func sorted(a, b string) []string {
	if a > b {
		return []string{b, a}
	}
	return []string{a, b}
}

// TestBreachLifecycle records an incident, checks its text is sealed, lets
// its 72 hours pass across a restart (the timer climbs once, tells the next
// tier and the oversight body), records the authority told (the clock
// stops), a remedy, and closes it: then it is read-only.
func TestBreachLifecycle(t *testing.T) {
	forEachEngine(t, func(t *testing.T, fx *fixture) {
		ctx := context.Background()
		gf := newGrievanceFixture(t, fx)
		officer := accord.Actor{StaffID: gf.officer.ID, OrganizationID: fx.clinic.ID}
		var ib accord.ImpactBuilder
		ib.AddDisclosure("cli_aaaaaaaaaaaaaaaaaaaaaaaaaa", fx.clinic.ID, accord.CatClinicalNote, t0.Add(-2*time.Hour))
		b := &accord.Breach{OrganizationID: fx.clinic.ID, Description: "The nurse's API token was pasted into a public chat.", Subject: accord.BreachStaff,
			StaffID: fx.nurse.ID, DiscoveredAt: t0.Add(-time.Hour), WindowStart: t0.Add(-5 * time.Hour), WindowEnd: t0.Add(-time.Hour),
			Impact: ib.Impact(t0, t0.Add(-5*time.Hour), t0.Add(-time.Hour))}
		if err := fx.db.CreateBreach(ctx, officer, b); err != nil {
			t.Fatal(err)
		}
		if want := t0.Add(71 * time.Hour); !b.NotifyBy.Equal(want) {
			t.Errorf("notify by %s, want %s (72 hours after discovery)", b.NotifyBy, want)
		}
		got, err := fx.db.FindBreach(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(b, got); diff != "" {
			t.Errorf("FindBreach (-created +found):\n%s", diff)
		}
		if !noticed(t, fx.db, gf.audit.ID, "breach.recorded", b.ID) || noticed(t, fx.db, gf.officer.ID, "breach.recorded", b.ID) {
			t.Error("want the oversight body told of the new incident, and not the officer who recorded it")
		}

		t.Run("the text is sealed", func(t *testing.T) {
			raw := rawDB(t, fx)
			var body []byte
			if err := raw.QueryRow(`SELECT body FROM breaches WHERE id = $1`, b.ID).Scan(&body); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(body, []byte("public chat")) {
				t.Error("the description is stored in the clear")
			}
		})

		// 72 hours pass; the server restarts in between.
		fx.db.Close()
		fx.now = b.NotifyBy.Add(time.Minute)
		fx.db = fx.open()
		fire := func() int {
			ts, err := fx.db.ClaimDueTimers(ctx, "w", 100, 0)
			if err != nil {
				t.Fatal(err)
			}
			n, err := fx.db.FireTimers(ctx, ts)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := fire(); n != 1 {
			t.Fatalf("%d timers fired at the deadline, want 1", n)
		}
		if n := fire(); n != 0 {
			t.Fatalf("%d timers fired again at once, want 0", n)
		}
		got, _ = fx.db.FindBreach(ctx, b.ID)
		if got.Level != 1 || !got.Overdue(fx.now) {
			t.Errorf("level %d, overdue %v; want 1, true", got.Level, got.Overdue(fx.now))
		}
		for _, s := range []accord.Staff{gf.officer, gf.lead, gf.audit} {
			if !noticed(t, fx.db, s.ID, "breach.overdue", b.ID) {
				t.Errorf("%s is not told the deadline passed", s.Username)
			}
		}

		t.Run("bad steps change nothing", func(t *testing.T) {
			for _, tc := range []struct {
				name    string
				version int
				ch      sqlstore.BreachChange
				code    string
			}{
				{"a stale version", 1, sqlstore.BreachChange{Kind: accord.BreachEventRemedy, Text: "x"}, accord.EPRECONDITION},
				{"told in the future", 0, sqlstore.BreachChange{Kind: accord.BreachEventNotified, At: fx.now.Add(time.Hour), Text: "ICO-1"}, accord.EINVALID},
				{"told before discovery", 0, sqlstore.BreachChange{Kind: accord.BreachEventNotified, At: b.DiscoveredAt.Add(-time.Minute), Text: "ICO-1"}, accord.EINVALID},
				{"told with no reference", 0, sqlstore.BreachChange{Kind: accord.BreachEventNotified, At: fx.now}, accord.EINVALID},
				{"an empty remedy", 0, sqlstore.BreachChange{Kind: accord.BreachEventRemedy, Text: " "}, accord.EINVALID},
				{"closed without a summary", 0, sqlstore.BreachChange{Kind: accord.BreachEventClosed}, accord.EINVALID},
			} {
				t.Run(tc.name, func(t *testing.T) {
					if _, err := fx.db.UpdateBreach(ctx, officer, b.ID, tc.version, tc.ch); code(err) != tc.code {
						t.Errorf("UpdateBreach = %v, want %s", err, tc.code)
					}
				})
			}
			if now, _ := fx.db.FindBreach(ctx, b.ID); now.Version != got.Version {
				t.Errorf("version %d after refused steps, want %d", now.Version, got.Version)
			}
		})

		told := fx.now.Add(-10 * time.Minute)
		nb, err := fx.db.UpdateBreach(ctx, officer, b.ID, got.Version, sqlstore.BreachChange{Kind: accord.BreachEventNotified, At: told, Text: "ICO-2026-0042"})
		if err != nil {
			t.Fatal(err)
		}
		if nb.AuthorityNotifiedAt == nil || !nb.AuthorityNotifiedAt.Equal(told) || nb.AuthorityReference != "ICO-2026-0042" || nb.Overdue(fx.now) {
			t.Errorf("after telling the authority: %v %q overdue %v", nb.AuthorityNotifiedAt, nb.AuthorityReference, nb.Overdue(fx.now))
		}
		fx.now = fx.now.Add(2 * accord.BreachReminder)
		if n := fire(); n != 0 {
			t.Errorf("%d timers fired after the authority was told, want 0", n)
		}
		if _, err := fx.db.UpdateBreach(ctx, officer, b.ID, nb.Version, sqlstore.BreachChange{Kind: accord.BreachEventNotified, At: told, Text: "again"}); code(err) != accord.ECONFLICT {
			t.Errorf("telling the authority twice: %v, want conflict", err)
		}
		nb, err = fx.db.UpdateBreach(ctx, officer, b.ID, nb.Version, sqlstore.BreachChange{Kind: accord.BreachEventRemedy, Text: "Token revoked; chat message deleted."})
		if err != nil {
			t.Fatal(err)
		}
		nb, err = fx.db.UpdateBreach(ctx, officer, b.ID, nb.Version, sqlstore.BreachChange{Kind: accord.BreachEventClosed, Text: "One client told; no further use."})
		if err != nil {
			t.Fatal(err)
		}
		if nb.Status != accord.BreachClosed || nb.ClosedAt == nil || nb.Summary != "One client told; no further use." {
			t.Errorf("closed: %s %v %q", nb.Status, nb.ClosedAt, nb.Summary)
		}
		if _, err := fx.db.UpdateBreach(ctx, officer, b.ID, 0, sqlstore.BreachChange{Kind: accord.BreachEventRemedy, Text: "more"}); code(err) != accord.ECONFLICT {
			t.Errorf("a remedy on a closed incident: %v, want conflict", err)
		}
		evs, err := fx.db.BreachEvents(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds, texts []string
		for _, e := range evs {
			kinds, texts = append(kinds, e.Kind), append(texts, e.Text)
		}
		if diff := cmp.Diff([]string{"recorded", "overdue", "notified", "remedy", "closed"}, kinds); diff != "" {
			t.Errorf("event kinds (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"", "", "ICO-2026-0042", "Token revoked; chat message deleted.", "One client told; no further use."}, texts); diff != "" {
			t.Errorf("event texts (-want +got):\n%s", diff)
		}
		// Every step is in the audit log, naming the incident only.
		es, err := fx.db.AuditEntries(ctx, sqlstore.AuditFilter{After: -1})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range es {
			if e.ObjectID == b.ID {
				actions = append(actions, e.Action)
			}
		}
		if diff := cmp.Diff([]string{"breach.record", "breach.overdue", "breach.notify", "breach.remedy", "breach.close"}, actions); diff != "" {
			t.Errorf("audit actions (-want +got):\n%s", diff)
		}
	})
}
