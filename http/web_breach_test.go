package http_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
)

// breachPatients returns clinic clients on the GP's care team, one for each
// of langs, in that order.
func breachPatients(t *testing.T, srv *testserver.Server, langs ...string) []accord.Client {
	t.Helper()
	gp := srv.Login("j.okafor")
	var out []accord.Client
	for _, l := range langs {
		i := slices.IndexFunc(srv.P.Clients, func(c accord.Client) bool {
			return c.PreferredLanguage == l && c.HomeOrganizationID == gp.OrganizationID && slices.Contains(srv.P.CareTeams[c.ID], gp.ID)
		})
		if i < 0 {
			t.Fatalf("no %s-speaking patient of the GP", l)
		}
		out = append(out, srv.P.Clients[i])
	}
	return out
}

// breachForm is a complete form to record that the GP's account was
// compromised over the hour before now.
func breachForm(srv *testserver.Server, token string) url.Values {
	now := srv.Clock.Now()
	return url.Values{"form_token": {token}, "description": {"The GP's session was used from an unknown computer.\r\nFound in the sign-in history."},
		"discovered_at": {now.Format("2006-01-02T15:04")}, "subject": {"staff"}, "staff_id": {srv.Login("j.okafor").ID},
		"window_start": {now.Add(-time.Hour).Format("2006-01-02T15:04")}, "window_end": {now.Format("2006-01-02T15:04")}, "key_version": {"1"}}
}

func TestWebBreachPagesRender(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	officer := srv.Browser(t)
	officer.SignIn(t, "p.nowak")
	auditor := srv.Browser(t)
	auditor.SignIn(t, "c.achebe")
	for _, tc := range []struct {
		name string
		b    *testserver.Browser
		path string
		want []string
	}{
		{"the list, for a privacy officer", officer, "/breaches", []string{"Breach incidents of your organisation", "Record a breach incident", "No open breach incidents."}},
		{"the list, for the oversight body", auditor, "/breaches?show=all", []string{"Every breach incident in the partnership", "No breach incidents."}},
		{"the form, for a privacy officer", officer, "/breaches/new", []string{"What was compromised", "Dr Joseph Okafor", "The window of the compromise (UTC)"}},
		{"the form, for the oversight body", auditor, "/breaches/new", []string{"Fatima Rahimi", "Dr Joseph Okafor"}},
		{"the audit log links to the incidents", officer, "/audit", []string{"Breach incidents"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.b.Get(t, tc.path)
			if p.Status != http.StatusOK {
				t.Fatalf("status %d: %s", p.Status, p.Text())
			}
			for _, w := range tc.want {
				if !p.Contains(w) {
					t.Errorf("the page does not say %q: %s", w, p.Text())
				}
			}
			if n := strings.Count(p.Body, "<h1"); n != 1 {
				t.Errorf("%d h1 on the page", n)
			}
		})
	}
	t.Run("a privacy officer is offered only their own organisation's staff, not themselves", func(t *testing.T) {
		p := officer.Get(t, "/breaches/new")
		if p.Contains("Fatima Rahimi") || strings.Contains(p.Body, `value="`+srv.Login("p.nowak").ID+`"`) {
			t.Error("the clinic's privacy officer is offered legal aid's staff, or himself")
		}
	})
	for _, tc := range []struct{ user, path string }{
		{"j.okafor", "/breaches"},
		{"amina.navigator", "/breaches/new"},
		{"n.price", "/breaches"},
	} {
		t.Run(tc.user+" cannot open "+tc.path, func(t *testing.T) {
			b := srv.Browser(t)
			b.SignIn(t, tc.user)
			p := b.Get(t, tc.path)
			if p.Status != http.StatusForbidden || !p.Contains("You cannot open this page") || !p.Contains("privacy officers") {
				t.Errorf("status %d, want 403 saying why: %s", p.Status, p.Text())
			}
		})
	}
}

// TestWebBreachIncident records an incident from the form (bad input
// first), reads its page and notices, lets the 72 hours pass, works it and
// closes it.
func TestWebBreachIncident(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	patients := breachPatients(t, srv, "ar", "es", "so")
	srv.Clock.Set(testserver.Now.Add(-30 * time.Minute))
	for _, c := range patients {
		r := srv.Do(t, testserver.Request{Method: "GET", Path: "/api/v1/clients/" + c.ID, User: "j.okafor", Purpose: accord.PurposeTreatment})
		if r.Status != http.StatusOK {
			t.Fatalf("the GP reading his patient: %d %s", r.Status, r.Body)
		}
	}
	srv.Clock.Set(testserver.Now)
	b := srv.Browser(t)
	b.SignIn(t, "p.nowak")
	token := b.Get(t, "/breaches/new").FormToken()

	t.Run("bad input keeps the values and shows the error by the field", func(t *testing.T) {
		f := breachForm(srv, token)
		f.Set("window_end", srv.Clock.Now().Add(-2*time.Hour).Format("2006-01-02T15:04"))
		p := b.Post(t, "/breaches/new", f)
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422: %s", p.Status, p.Text())
		}
		if !regexp.MustCompile(`id="f-window_end"[^>]*aria-invalid="true"`).MatchString(p.Body) || !p.Contains("the window ends before it starts") {
			t.Errorf("the error is not by the window's end: %s", p.Text())
		}
		if !strings.Contains(p.Body, "Found in the sign-in history.") {
			t.Error("the description typed is not kept")
		}
		if p.FormToken() != token {
			t.Error("the corrected form has another token")
		}
	})

	p := b.Post(t, "/breaches/new", breachForm(srv, token))
	if p.Status != http.StatusOK || !strings.HasPrefix(p.URL.Path, "/breaches/brc_") || !p.Contains("The incident is recorded") {
		t.Fatalf("after recording: %d %s %s", p.Status, p.URL, p.Text())
	}
	page := p.URL.Path
	if again := b.Post(t, "/breaches/new", breachForm(srv, token)); again.URL.Path != page {
		t.Errorf("a second submission went to %s, want the first incident %s", again.URL.Path, page)
	}

	t.Run("the incident's page", func(t *testing.T) {
		p := b.Get(t, page)
		for _, w := range []string{"Within 72 hours of discovery", "3 clients; ", "Dr Joseph Okafor", "Riverside Community Health Centre",
			"no translation into Somali", "Open the notices to print"} {
			if !p.Contains(w) {
				t.Errorf("the page does not say %q", w)
			}
		}
		for _, c := range patients {
			if !strings.Contains(p.Body, c.ID) {
				t.Errorf("client %s is not listed", c.ID)
			}
			if strings.Contains(p.Body, c.FamilyName) {
				t.Errorf("the page names client %s", c.ID)
			}
		}
		if !strings.Contains(p.Body, `class="breach-letter" lang="ar" dir="rtl"`) || !strings.Contains(p.Body, `class="breach-letter" lang="es" dir="ltr"`) {
			t.Error("the notices are not marked with their language and direction")
		}
	})
	t.Run("the notices to print", func(t *testing.T) {
		p := b.Get(t, page+"/notices")
		if p.Status != http.StatusOK || strings.Count(p.Body, `class="breach-letter breach-page"`) != 3 {
			t.Fatalf("status %d, %d notices: %s", p.Status, strings.Count(p.Body, `class="breach-letter breach-page"`), p.Text())
		}
		for _, w := range []string{"/grievances/new", "/my/signin", strings.TrimPrefix(page, "/breaches/")} {
			if !p.Contains(w) {
				t.Errorf("the notices do not say %q", w)
			}
		}
	})

	t.Run("past 72 hours the page says it is overdue", func(t *testing.T) {
		srv.Clock.Set(testserver.Now.Add(73 * time.Hour))
		defer srv.Clock.Set(testserver.Now)
		later := srv.Browser(t) // the first browser's session has ended by now
		later.SignIn(t, "p.nowak")
		p := later.Get(t, page)
		if !regexp.MustCompile(`<p role="alert"><strong>Overdue.</strong>`).MatchString(p.Body) || !p.Contains("overdue by 1 hour") {
			t.Errorf("no overdue warning: %s", p.Text())
		}
		if l := later.Get(t, "/breaches"); !strings.Contains(l.Body, `class="late"`) {
			t.Error("the list does not mark the incident late")
		}
	})

	step := func(do string, kv ...string) *testserver.Page {
		cur := b.Get(t, page)
		i := strings.Index(cur.Body, `name="do" value="`+do+`"`)
		if i < 0 {
			t.Fatalf("no %s form on the page", do)
		}
		form := &testserver.Page{Body: cur.Body[strings.LastIndex(cur.Body[:i], "<form"):]}
		f := url.Values{"form_token": {form.FormToken()}, "do": {do}, "version": {adminInput(form, "version")}}
		for j := 0; j+1 < len(kv); j += 2 {
			f.Set(kv[j], kv[j+1])
		}
		return b.Post(t, page, f)
	}
	t.Run("a stale form is shown again, current", func(t *testing.T) {
		p := b.Post(t, page, url.Values{"form_token": {b.Get(t, page).FormToken()}, "do": {"remedy"}, "version": {"99"}, "remedy": {"x"}})
		if p.Status != http.StatusConflict || !p.Contains("Someone else changed this incident") {
			t.Errorf("status %d: %s", p.Status, p.Text())
		}
	})
	if p := step("remedy", "remedy", "Session ended;\r\npassword reset."); !p.Contains("The remedy is recorded.") || !p.Contains("password reset.") {
		t.Fatalf("remedy: %s", p.Text())
	}
	if p := step("notify", "notified_at", testserver.Now.Format("2006-01-02T15:04"), "reference", ""); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Body, `id="f-reference-error"`) {
		t.Errorf("telling the authority without a reference: %d %s", p.Status, p.Text())
	}
	if p := step("notify", "notified_at", testserver.Now.Format("2006-01-02T15:04"), "reference", "ICO-2026-1187"); !p.Contains("The supervisory authority was told on") ||
		!p.Contains("Reference: ICO-2026-1187") {
		t.Fatalf("telling the authority: %s", p.Text())
	}
	if p := step("impact"); !p.Contains("worked out again") {
		t.Errorf("recomputing: %s", p.Text())
	}
	p = step("close", "summary", "Patients told through the clinic.")
	if !p.Contains("The incident is closed.") || !p.Contains("This incident is closed: it can no longer be changed.") {
		t.Fatalf("closing: %s", p.Text())
	}
	if strings.Contains(p.Body, `name="do"`) {
		t.Error("a closed incident still offers forms")
	}
}
