package enforce_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/sqlstore"
)

func (d *demoService) staffID(user string) string { return d.caller(user).Staff.ID }

// breachFor is a valid incident about user's account, discovered now.
func (d *demoService) breachFor(user string) *accord.Breach {
	return &accord.Breach{Description: "Signed in from an address abroad at 03:00; the staff member was asleep.", Subject: accord.BreachStaff,
		StaffID: d.staffID(user), DiscoveredAt: d.now, WindowStart: d.now.Add(-24 * time.Hour), WindowEnd: d.now}
}

// state is how many incidents exist and how long the audit log is; the
// count is read as the oversight body's auditor, which is itself recorded.
func (d *demoService) state(t *testing.T) (incidents int, size uint64) {
	t.Helper()
	bs, err := d.svc.Breaches(context.Background(), d.caller("c.achebe"), true)
	if err != nil {
		t.Fatal(err)
	}
	size, _ = d.db.AuditSize(context.Background())
	return len(bs), size
}

// nothingStored checks that no incident was added and the audit log did
// not grow since state returned incidents and size.
func (d *demoService) nothingStored(t *testing.T, incidents int, size uint64) {
	t.Helper()
	n, after := d.state(t)
	if n != incidents || after != size+1 { // +1: the list just read is itself recorded
		t.Errorf("%d incidents stored, audit log grew by %d; want nothing stored", n-incidents, after-size-1)
	}
}

func TestRecordBreachPermissions(t *testing.T) {
	refused := startDemo(t)
	for _, tc := range []struct {
		name, caller, about string
		code                string // "" allowed
	}{
		{"the oversight body's auditor, any organisation", "c.achebe", "f.rahimi", ""},
		{"the oversight body's privacy officer", "i.larsen", "j.okafor", ""},
		{"the clinic's privacy officer, the clinic's GP", "p.nowak", "j.okafor", ""},
		{"legal aid's privacy officer, its advocate", "k.patel", "f.rahimi", ""},
		{"the clinic's privacy officer, another organisation's staff", "p.nowak", "f.rahimi", accord.EFORBIDDEN},
		{"a privacy officer, about their own account", "p.nowak", "p.nowak", accord.EFORBIDDEN},
		{"the immigration agency's privacy officer, its own caseworker", "n.price", "m.hughes", accord.EFORBIDDEN},
		{"a clinician", "j.okafor", "m.garcia", accord.EFORBIDDEN},
		{"a supervisor", "s.bennett", "j.okafor", accord.EFORBIDDEN},
		{"a partnership administrator", "r.mensah", "j.okafor", accord.EFORBIDDEN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			// Refusals store nothing, so they share one demo (loading one
			// is most of these tests' time under the race detector).
			d := refused
			if tc.code == "" {
				d = startDemo(t)
			}
			incidents, size := d.state(t)
			b := d.breachFor(tc.about)
			err := d.svc.RecordBreach(ctx, d.caller(tc.caller), b)
			if got := accord.ErrorCode(err); got != tc.code {
				t.Fatalf("RecordBreach = %v, want %q", err, tc.code)
			}
			if tc.code != "" {
				d.nothingStored(t, incidents, size)
				return
			}
			if org := d.caller(tc.about).Staff.OrganizationID; b.OrganizationID != org || b.RecordedBy != d.staffID(tc.caller) {
				t.Errorf("organisation %s recorded by %s; want %s by %s", b.OrganizationID, b.RecordedBy, org, tc.caller)
			}
			// Who handles it sees it; a privacy officer elsewhere does not.
			for user, sees := range map[string]bool{"c.achebe": true, "i.larsen": true, "n.price": false, "j.okafor": false} {
				_, err := d.svc.Breach(ctx, d.caller(user), b.ID)
				if (err == nil) != sees {
					t.Errorf("%s opening it: %v, want seen %v", user, err, sees)
				}
			}
		})
	}
}

func TestRecordBreachBadInput(t *testing.T) {
	d := startDemo(t) // nothing is stored: the cases share one demo
	for _, tc := range []struct {
		name   string
		change func(d *demoService, b *accord.Breach)
		code   string
		field  string
	}{
		{"window end before start", func(d *demoService, b *accord.Breach) { b.WindowEnd = b.WindowStart.Add(-time.Minute) }, accord.EINVALID, "window_end"},
		{"window in the future", func(d *demoService, b *accord.Breach) {
			b.WindowStart, b.WindowEnd = d.now.Add(time.Hour), d.now.Add(2*time.Hour)
		}, accord.EINVALID, "window_start"},
		{"window ends in the future", func(d *demoService, b *accord.Breach) { b.WindowEnd = d.now.Add(time.Hour) }, accord.EINVALID, "window_end"},
		{"discovered in the future", func(d *demoService, b *accord.Breach) { b.DiscoveredAt = d.now.Add(24 * time.Hour) }, accord.EINVALID, "discovered_at"},
		{"unknown staff member", func(d *demoService, b *accord.Breach) { b.StaffID = accord.NewID(accord.PrefixStaff, nil) }, accord.EINVALID, "staff_id"},
		{"not a staff id", func(d *demoService, b *accord.Breach) { b.StaffID = "j.okafor" }, accord.EINVALID, "staff_id"},
		{"unknown credential", func(d *demoService, b *accord.Breach) {
			b.Subject, b.CredentialID = accord.BreachCredential, accord.NewID(accord.PrefixToken, nil)
		}, accord.EINVALID, "credential_id"},
		{"a data key that does not exist", func(d *demoService, b *accord.Breach) {
			b.Subject, b.OrganizationID, b.KeyVersion = accord.BreachKey, d.caller("j.okafor").Staff.OrganizationID, 9
		}, accord.EINVALID, "key_version"},
		{"empty description", func(d *demoService, b *accord.Breach) { b.Description = "   " }, accord.EINVALID, "description"},
		{"no subject", func(d *demoService, b *accord.Breach) { b.Subject = "" }, accord.EINVALID, "subject"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			incidents, size := d.state(t)
			b := d.breachFor("j.okafor")
			tc.change(d, b)
			err := d.svc.RecordBreach(ctx, d.caller("c.achebe"), b)
			if e := accord.AsError(err); e == nil || e.Code != tc.code || e.Field != tc.field {
				t.Fatalf("RecordBreach = %v, want %s with field %s", err, tc.code, tc.field)
			}
			d.nothingStored(t, incidents, size)
		})
	}
	t.Run("a credential that did not work in the window", func(t *testing.T) {
		ctx := context.Background()
		incidents, size := d.state(t)
		b := d.breachFor("j.okafor")
		b.Subject, b.CredentialID = accord.BreachCredential, d.tokenOf(t, "j.okafor")
		b.WindowStart, b.WindowEnd, b.DiscoveredAt = d.now.AddDate(-3, 0, 0), d.now.AddDate(-3, 0, 1), d.now.AddDate(-3, 0, 1)
		if err := d.svc.RecordBreach(ctx, d.caller("c.achebe"), b); accord.AsError(err) == nil || accord.AsError(err).Field != "window_start" {
			t.Fatalf("RecordBreach = %v, want invalid window_start", err)
		}
		d.nothingStored(t, incidents, size)
	})
}

// tokenOf returns the id of user's demo API token.
func (d *demoService) tokenOf(t *testing.T, user string) string {
	t.Helper()
	ss, err := d.db.Sessions(context.Background(), d.staffID(user))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		if s.Kind == "token" {
			return s.ID
		}
	}
	t.Fatalf("%s has no API token", user)
	return ""
}

// careTeamClients returns the clinic clients on user's care team.
func (d *demoService) careTeamClients(user string) []accord.Client {
	id, org := d.staffID(user), d.caller(user).Staff.OrganizationID
	var out []accord.Client
	for _, c := range d.p.Clients {
		if c.HomeOrganizationID == org && slices.Contains(d.p.CareTeams[c.ID], id) {
			out = append(out, c)
		}
	}
	return out
}

// TestBreachImpactIsWhatTheActorSaw has the clinic's GP read clients before,
// during and after a window, and be refused one inside it; the incident
// about his API token lists exactly the clients he was shown data of
// inside the window, with the kinds of data he was shown.
func TestBreachImpactIsWhatTheActorSaw(t *testing.T) {
	ctx := context.Background()
	d := startDemo(t)
	gp := d.caller("j.okafor")
	gp.CredentialID = d.tokenOf(t, "j.okafor")
	mine := d.careTeamClients("j.okafor")
	if len(mine) < 4 {
		t.Fatalf("the GP has %d clients on his care team; the test needs 4", len(mine))
	}
	var outsider string
	for _, c := range d.p.Clients {
		if c.HomeOrganizationID != gp.Staff.OrganizationID && len(d.p.CareTeams[c.ID]) > 0 {
			if _, err := d.svc.ReadClient(ctx, gp, c.ID, accord.PurposeTreatment); accord.ErrorCode(err) == accord.EDENIED {
				outsider = c.ID
				break
			}
		}
	}
	if outsider == "" {
		t.Fatal("no client the GP is refused")
	}
	// The demo's tokens live an hour from now: the window is inside that.
	start := d.now.Add(5 * time.Minute)
	read := func(at time.Time, id string) []accord.CategoryCount {
		d.now = at
		v, err := d.svc.ReadClient(ctx, gp, id, accord.PurposeTreatment)
		if accord.ErrorCode(err) == accord.EDENIED {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		var out []accord.CategoryCount
		for _, s := range v.Shared {
			out = append(out, accord.CategoryCount{Category: s.Request.Category, Count: 1})
		}
		rs, err := d.svc.ClientRecords(ctx, gp, id, []accord.Category{accord.CatClinicalSummary}, accord.PurposeTreatment)
		if err != nil {
			t.Fatal(err)
		}
		out[0].Count++ // the records read checks demographics first: a permit too
		for _, s := range rs.Shared {
			out = append(out, accord.CategoryCount{Category: s.Request.Category, Count: 1})
		}
		return out
	}
	read(start.Add(-time.Minute), mine[0].ID) // before
	want := map[string][]accord.CategoryCount{
		mine[1].ID: read(start.Add(time.Minute), mine[1].ID),
		mine[2].ID: read(start.Add(2*time.Minute), mine[2].ID),
	}
	if read(start.Add(3*time.Minute), outsider) != nil {
		t.Fatal("the GP was shown the outsider's data")
	}
	end := start.Add(10 * time.Minute)
	read(end.Add(time.Minute), mine[3].ID) // after

	d.now = end.Add(time.Hour)
	b := &accord.Breach{Description: "The GP's API token was in a script pushed to a public repository.", Subject: accord.BreachCredential,
		CredentialID: gp.CredentialID, DiscoveredAt: d.now, WindowStart: start, WindowEnd: end}
	if err := d.svc.RecordBreach(ctx, d.caller("p.nowak"), b); err != nil {
		t.Fatal(err)
	}
	got := map[string][]accord.CategoryCount{}
	for _, a := range b.Impact.Clients {
		got[a.ClientID] = a.Categories
		if !slices.Equal(a.Holders, []string{gp.Staff.OrganizationID}) {
			t.Errorf("%s: holders %v, want the clinic", a.ClientID, a.Holders)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("affected clients and categories (-read +impact):\n%s", diff)
	}
	if b.StaffID != gp.Staff.ID || b.OrganizationID != gp.Staff.OrganizationID {
		t.Errorf("the credential's owner %s of %s, want the GP", b.StaffID, b.OrganizationID)
	}

	// The GP reads one more client inside the window's end, late (an entry
	// written after the incident was recorded, within the window): a
	// recomputation finds it.
	t.Run("recomputed", func(t *testing.T) {
		d.now = end
		extra := read(end, mine[3].ID)
		d.now = end.Add(2 * time.Hour)
		nb, err := d.svc.RecomputeBreach(ctx, d.caller("p.nowak"), b.ID, b.Version)
		if err != nil {
			t.Fatal(err)
		}
		want[mine[3].ID] = extra
		got := map[string][]accord.CategoryCount{}
		for _, a := range nb.Impact.Clients {
			got[a.ClientID] = a.Categories
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("recomputed (-read +impact):\n%s", diff)
		}
		if _, err := d.svc.RecomputeBreach(ctx, d.caller("p.nowak"), b.ID, b.Version); accord.ErrorCode(err) != accord.EPRECONDITION {
			t.Errorf("recomputing at a stale version: %v, want precondition_failed", err)
		}
	})
}

// TestBreachClockAndNotices lets an incident's 72 hours pass (the runner
// climbs it), records the authority told, writes the notices in each
// client's language, and closes it: then nothing changes it.
func TestBreachClockAndNotices(t *testing.T) {
	ctx := context.Background()
	d := startDemo(t)
	gp := d.caller("j.okafor")
	cat := i18n.MustLoad()
	// Read one client of each language among the GP's patients.
	byLang := map[string]string{}
	for _, c := range d.careTeamClients("j.okafor") {
		if _, ok := byLang[c.PreferredLanguage]; !ok {
			if _, err := d.svc.ReadClient(ctx, gp, c.ID, accord.PurposeTreatment); err != nil {
				t.Fatal(err)
			}
			byLang[c.PreferredLanguage] = c.ID
		}
	}
	for _, l := range []string{"ar", "es"} {
		if byLang[l] == "" {
			t.Fatalf("no %s-speaking patient of the GP", l)
		}
	}
	d.now = d.now.Add(time.Minute)
	b := d.breachFor("j.okafor")
	officer := d.caller("p.nowak")
	if err := d.svc.RecordBreach(ctx, officer, b); err != nil {
		t.Fatal(err)
	}
	if len(b.Impact.Clients) != len(byLang) {
		t.Fatalf("%d clients affected, want %d", len(b.Impact.Clients), len(byLang))
	}

	t.Run("notices in each client's language", func(t *testing.T) {
		ns, _, err := d.svc.BreachNotices(ctx, officer, b.ID, cat, "https://accord.example.org")
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			c := n.ClientID
			var lang string
			for l, id := range byLang {
				if id == c {
					lang = l
				}
			}
			want := lang
			if lang != "en" && lang != "es" && lang != "fr" && lang != "ar" {
				want = "en"
			}
			if n.Language != lang || n.Lang != want || n.Fallback != (want != lang) {
				t.Errorf("%s: language %s written in %s (fallback %v); want %s in %s", c, n.Language, n.Lang, n.Fallback, lang, want)
			}
			if want == "ar" && n.Dir != "rtl" {
				t.Errorf("the Arabic notice is %s", n.Dir)
			}
			text := strings.Join(n.Paragraphs, "\n")
			words := cat.Printer(cat.Match(want)).Render(i18n.M("your name and basic details"))
			for _, s := range []string{"https://accord.example.org/grievances/new", "https://accord.example.org/my/signin", b.ID, words} {
				if !strings.Contains(text, s) {
					t.Errorf("%s (%s): the notice does not say %q:\n%s", c, want, s, text)
				}
			}
			if n.DeliverBy == "" {
				t.Errorf("%s: the clinic's privacy officer is not told who gives the notice to its own patient", c)
			}
		}
	})

	// 72 hours pass with the authority not told.
	d.now = b.NotifyBy.Add(time.Minute)
	runner := &enforce.Runner{DB: d.db}
	if n, err := runner.FireDue(ctx); err != nil || n != 1 {
		t.Fatalf("FireDue = %d, %v; want 1", n, err)
	}
	det, err := d.svc.Breach(ctx, officer, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if det.Level != 1 || !det.Overdue(d.now) {
		t.Errorf("level %d overdue %v after the deadline; want 1, true", det.Level, det.Overdue(d.now))
	}
	work, err := d.svc.MyWork(ctx, d.caller("s.bennett"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(work.Notifications, func(n sqlstore.Notification) bool { return n.Kind == "breach.overdue" && n.SubjectID == b.ID }) {
		t.Error("the clinic's supervisor is not told when the deadline passes")
	}

	if _, err := d.svc.NotifyAuthority(ctx, gp, b.ID, det.Version, d.now, "ICO-1"); accord.ErrorCode(err) != accord.EFORBIDDEN {
		t.Errorf("the GP handling the incident about himself: %v, want forbidden", err)
	}
	nb, err := d.svc.NotifyAuthority(ctx, officer, b.ID, det.Version, d.now, "ICO-2026-1187")
	if err != nil {
		t.Fatal(err)
	}
	d.now = d.now.Add(3 * accord.BreachReminder)
	if n, err := runner.FireDue(ctx); err != nil || n != 0 {
		t.Errorf("FireDue after the authority was told = %d, %v; want 0", n, err)
	}
	if nb, err = d.svc.AddBreachRemedy(ctx, officer, b.ID, nb.Version, "Password reset; two-step sign-in turned on."); err != nil {
		t.Fatal(err)
	}
	if nb, err = d.svc.CloseBreach(ctx, d.caller("c.achebe"), b.ID, nb.Version, "Clients told; no sign of further use."); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"remedy":    second(d.svc.AddBreachRemedy(ctx, officer, b.ID, nb.Version, "more")),
		"recompute": second(d.svc.RecomputeBreach(ctx, officer, b.ID, nb.Version)),
		"close":     second(d.svc.CloseBreach(ctx, officer, b.ID, nb.Version, "again")),
	} {
		if accord.ErrorCode(err) != accord.ECONFLICT {
			t.Errorf("%s on a closed incident: %v, want conflict", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }
