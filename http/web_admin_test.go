package http_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/auditlog"
	accordhttp "github.com/accord-project/accord/http"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
	"github.com/accord-project/accord/sqlstore"
)

// adminServer starts the demo partnership with the audit log's public key
// given to the web interface (as `accord serve` does), and returns the
// signer of the log's checkpoints.
func adminServer(t *testing.T) (*testserver.Server, note.Signer) {
	t.Helper()
	srv := testserver.Start(t, testdb.SQLite(t))
	skey, vkey, err := auditlog.GenerateKey("accord.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	h := accordhttp.New(accordhttp.Config{Service: srv.Service, DB: srv.DB, Catalogue: i18n.MustLoad(), Now: srv.Clock.Now, Version: "test",
		AuditVerifier: verifier})
	hs := httptest.NewServer(h.Handler())
	t.Cleanup(hs.Close)
	own := *srv
	own.URL = hs.URL
	return &own, signer
}

// adminInput returns the value of the input named name on the page.
func adminInput(p *testserver.Page, name string) string {
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `"[^>]*value="([^"]*)"`).FindStringSubmatch(p.Body)
	if m == nil {
		return ""
	}
	return m[1]
}

// adminFormAfter returns the first form token and the value of the hidden
// input named field after marker on the page.
func adminFormAfter(t *testing.T, p *testserver.Page, marker, field string) (token, value string) {
	t.Helper()
	i := strings.Index(p.Body, marker)
	if i < 0 {
		t.Fatalf("no %q on the page: %s", marker, p.Text())
	}
	rest := &testserver.Page{Body: p.Body[i:]}
	return rest.FormToken(), adminInput(rest, field)
}

func TestWebAdminPagesRender(t *testing.T) {
	srv, signer := adminServer(t)
	if _, err := srv.DB.SignCheckpoint(context.Background(), signer.Name(), signer); err != nil {
		t.Fatal(err)
	}
	admin := srv.Browser(t)
	admin.SignIn(t, "r.mensah")
	clinic := srv.Login("r.mensah").OrganizationID
	var agreement string
	for _, a := range srv.P.Agreements {
		if a.Version == 2 {
			agreement = a.ID
		}
	}
	auditor := srv.Browser(t)
	auditor.SignIn(t, "c.achebe")
	for _, tc := range []struct {
		b    *testserver.Browser
		path string
		want string
	}{
		{admin, "/admin", "Agreements that need attention"},
		{admin, "/admin/organizations", "Add an organisation"},
		{admin, "/admin/organizations/" + clinic, "Escalation contacts"},
		{admin, "/admin/staff", "Create a staff account"},
		{admin, "/admin/agreements", "Draft a new agreement"},
		{admin, "/admin/agreements/new", "Draft the agreement"},
		{admin, "/admin/agreements/" + agreement, "What changed from version 1"},
		{admin, "/admin/agreements/" + agreement + "/amend", "Draft the new version"},
		{admin, "/admin/policies", "Local policies"},
		{admin, "/audit", "Audit log"},
		{admin, "/audit/checkpoints", "Signed checkpoints"},
		{admin, "/audit/verify", "Verify the log now"},
		{auditor, "/audit", "Entries"},
		{auditor, "/admin/legal-bases", "The register"},
		{auditor, "/audit/entries/0", "Proved:"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			p := tc.b.Get(t, tc.path)
			if p.Status != http.StatusOK || !p.Contains(tc.want) {
				t.Fatalf("status %d, want 200 saying %q: %s", p.Status, tc.want, p.Text())
			}
			if n := strings.Count(p.Body, "<h1"); n != 1 {
				t.Errorf("%d h1 on the page", n)
			}
		})
	}
}

// TestWebAdminDenied checks that staff who may not run the partnership
// are told why, in words, on the pages they cannot use.
func TestWebAdminDenied(t *testing.T) {
	srv, _ := adminServer(t)
	for _, tc := range []struct {
		user, path string
		want       []string
	}{
		{"amina.navigator", "/admin", []string{"You cannot open this page", "partnership administrator", "What this page is for", "Who can use it", "navigator"}},
		{"amina.navigator", "/admin/staff", []string{"You cannot open this page", "partnership administrator"}},
		{"amina.navigator", "/audit", []string{"You cannot open this page", "privacy officer, auditor, partnership administrator"}},
		{"t.reid", "/admin/agreements", []string{"You cannot open this page", "immigration authority or a law enforcement body"}},
		{"omar.navigator", "/admin/policies", []string{"You cannot open this page", "Local policies are the partnership's own extra restrictions"}},
	} {
		t.Run(tc.user+tc.path, func(t *testing.T) {
			b := srv.Browser(t)
			b.SignIn(t, tc.user)
			p := b.Get(t, tc.path)
			if p.Status != http.StatusForbidden {
				t.Fatalf("status %d, want 403: %s", p.Status, p.Text())
			}
			for _, w := range tc.want {
				if !p.Contains(w) {
					t.Errorf("the page does not say %q: %s", w, p.Text())
				}
			}
		})
	}
	t.Run("no partnership link in a navigator's menu", func(t *testing.T) {
		b := srv.Browser(t)
		p := b.SignIn(t, "amina.navigator")
		if strings.Contains(p.Body, `href="/admin"`) || strings.Contains(p.Body, `href="/audit"`) {
			t.Error("the navigation offers pages the navigator cannot open")
		}
	})
}

// TestWebAdminStaff creates a staff account: bad input is shown again with
// the values kept and the error by its field, a double submission creates
// one account, and the new person can sign in.
func TestWebAdminStaff(t *testing.T) {
	srv, _ := adminServer(t)
	b := srv.Browser(t)
	b.SignIn(t, "r.mensah")
	org := srv.Login("r.mensah").OrganizationID
	p := b.Get(t, "/admin/staff")
	token := p.FormToken()
	if token == "" {
		t.Fatal("no form on the staff page")
	}
	form := url.Values{"form_token": {token}, "organization_id": {org}, "display_name": {"Nadia Karimi"}, "username": {"Nadia Karimi"},
		"languages": {"fa-AF, en"}, "email": {"n.karimi@clinic.example"}, "password": {"short"}}

	t.Run("bad input keeps the values and shows the error by the field", func(t *testing.T) {
		p := b.Post(t, "/admin/staff", form)
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422: %s", p.Status, p.Text())
		}
		if !strings.Contains(p.Body, `value="Nadia Karimi"`) || !strings.Contains(p.Body, `value="fa-AF, en"`) {
			t.Error("the values typed are not kept")
		}
		if !regexp.MustCompile(`id="f-username-error"`).MatchString(p.Body) || !regexp.MustCompile(`id="f-username"[^>]*aria-invalid="true"`).MatchString(p.Body) {
			t.Errorf("the username's error is not by the field: %s", p.Text())
		}
		if strings.Contains(p.Body, `value="short"`) {
			t.Error("the password typed is shown back")
		}
		if p.FormToken() != token {
			t.Error("the corrected form has another token; a double submission could then create two accounts")
		}
	})
	t.Run("a password that is too short is refused by its field", func(t *testing.T) {
		f := adminClone(form)
		f.Set("username", "n.karimi")
		f["roles"] = []string{"navigator"}
		p := b.Post(t, "/admin/staff", f)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-password-error"`) {
			t.Fatalf("status %d: %s", p.Status, p.Text())
		}
	})

	form.Set("username", "n.karimi")
	form["roles"] = []string{"navigator", "interpreter"}
	form.Set("password", "correct horse battery staple")
	p = b.Post(t, "/admin/staff", form)
	if p.Status != http.StatusOK || !p.Contains("The staff account is created") || !p.Contains("n.karimi") {
		t.Fatalf("creating: status %d at %s: %s", p.Status, p.URL, p.Text())
	}
	t.Run("a double submission creates one account", func(t *testing.T) {
		p := b.Post(t, "/admin/staff", form)
		if !p.Contains("This form was already sent") {
			t.Errorf("second submission: %s", p.Text())
		}
		list, err := srv.DB.StaffList(context.Background(), org)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, st := range list {
			if st.Username == "n.karimi" {
				n++
				if st.DisplayName != "Nadia Karimi" || len(st.Roles) != 2 || st.Email != "n.karimi@clinic.example" {
					t.Errorf("stored %+v", st)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d accounts n.karimi, want 1", n)
		}
	})
	t.Run("the new account signs in", func(t *testing.T) {
		p := srv.Browser(t).Post(t, "/signin", url.Values{"username": {"n.karimi"}, "password": {"correct horse battery staple"}})
		if p.URL.Path != "/work" {
			t.Errorf("signing in ended at %s", p.URL)
		}
	})
	t.Run("the list filters by organisation", func(t *testing.T) {
		p := b.Get(t, "/admin/staff?org="+srv.Login("f.rahimi").OrganizationID)
		if !p.Contains("Fatima Rahimi") || p.Contains("Nadia Karimi") {
			t.Errorf("filtered list: %s", p.Text())
		}
	})
}

func adminClone(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// TestWebAdminOrganization adds an organisation, sets its escalation
// contacts, and sets a webhook whose secret is never shown back.
func TestWebAdminOrganization(t *testing.T) {
	srv, _ := adminServer(t)
	b := srv.Browser(t)
	b.SignIn(t, "r.mensah")
	p := b.Get(t, "/admin/organizations")
	form := url.Values{"form_token": {p.FormToken()}, "name": {"Eastside Refugee Clinic"}, "sector": {"health"}, "country": {"gb"}}
	p = b.Post(t, "/admin/organizations", form)
	if !p.Contains("The organisation is added") || !p.Contains("Eastside Refugee Clinic") || !p.Contains("No escalation contacts") {
		t.Fatalf("after adding: %s %s", p.URL, p.Text())
	}
	if again := b.Post(t, "/admin/organizations", form); again.URL.Path != p.URL.Path {
		t.Errorf("a double submission went to %s, not to the organisation made first (%s)", again.URL.Path, p.URL.Path)
	}

	clinic := srv.Login("r.mensah").OrganizationID
	p = b.Get(t, "/admin/organizations/"+clinic)
	token, _ := adminFormAfter(t, p, `/escalation"`, "form_token")
	chain := url.Values{"form_token": {token}, "level_1": {srv.Login("s.bennett").ID}, "level_2": {srv.Login("p.nowak").ID}, "sla_urgent": {"0"}}
	bad := b.Post(t, "/admin/organizations/"+clinic+"/escalation", chain)
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, `id="f-sla_urgent-error"`) {
		t.Fatalf("0 minutes: status %d %s", bad.Status, bad.Text())
	}
	chain.Set("sla_urgent", "90")
	p = b.Post(t, "/admin/organizations/"+clinic+"/escalation", chain)
	if !p.Contains("The escalation contacts are saved") || !p.Contains("urgent: 90 minutes") {
		t.Fatalf("after saving the chain: %s", p.Text())
	}
	ids, err := srv.DB.EscalationChain(context.Background(), clinic)
	if err != nil || len(ids) != 2 || ids[0] != srv.Login("s.bennett").ID {
		t.Errorf("stored chain %v %v", ids, err)
	}

	token, _ = adminFormAfter(t, p, `/webhook"`, "form_token")
	secret := "a-long-shared-secret-for-signing"
	p = b.Post(t, "/admin/organizations/"+clinic+"/webhook", url.Values{"form_token": {token}, "url": {"https://events.clinic.example/accord"}, "secret": {secret}})
	if !p.Contains("The webhook is saved") || !p.Contains("https://events.clinic.example/accord") {
		t.Fatalf("after saving the webhook: %s", p.Text())
	}
	if strings.Contains(p.Body, secret) {
		t.Error("the webhook secret is shown back")
	}
	token, _ = adminFormAfter(t, p, `/webhook"`, "form_token")
	p = b.Post(t, "/admin/organizations/"+clinic+"/webhook", url.Values{"form_token": {token}, "url": {"http://events.clinic.example/"}, "secret": {secret}})
	if p.Status != http.StatusUnprocessableEntity || !p.Contains("a webhook must use https") || strings.Contains(p.Body, secret) {
		t.Errorf("an http webhook: status %d %s", p.Status, p.Text())
	}
}

// adminRowOf returns the table row of the agreement titled title.
func adminRowOf(t *testing.T, p *testserver.Page, title string) string {
	t.Helper()
	for _, row := range regexp.MustCompile(`(?s)<tr[ >].*?</tr>`).FindAllString(p.Body, -1) {
		if strings.Contains(row, title) {
			return row
		}
	}
	t.Fatalf("no row for %q: %s", title, p.Text())
	return ""
}

// TestWebAdminAgreements drafts an agreement, has both parties sign it,
// activates it, sees it flagged as expiring, amends it, and has a stale
// status form refused.
func TestWebAdminAgreements(t *testing.T) {
	srv, _ := adminServer(t)
	admin := srv.Browser(t)
	admin.SignIn(t, "r.mensah")
	legal := srv.Browser(t)
	legal.SignIn(t, "k.patel")
	clinic, legalAid := srv.Login("r.mensah").OrganizationID, srv.Login("k.patel").OrganizationID
	today := testserver.Now.UTC().Truncate(24 * time.Hour)
	const title = "Asylum Medical Evidence Protocol"

	p := admin.Get(t, "/admin/agreements/new")
	form := url.Values{"form_token": {p.FormToken()}, "title": {title}, "parties": {clinic, legalAid},
		"categories": {"demographics", "clinical_summary"}, "purposes": {"LEGALAID"}, "roles": {"legal_advocate"},
		"effective_from": {today.Format(time.DateOnly)}, "effective_until": {today.AddDate(0, 0, 45).Format(time.DateOnly)},
		"review_date": {today.AddDate(0, 0, 60).Format(time.DateOnly)}, "retention_days": {"365"}}
	t.Run("bad input keeps the values", func(t *testing.T) {
		p := admin.Post(t, "/admin/agreements/new", form)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-review_date-error"`) {
			t.Fatalf("review after the end: status %d: %s", p.Status, p.Text())
		}
		if !strings.Contains(p.Body, `value="`+title+`"`) || !regexp.MustCompile(`value="clinical_summary" checked`).MatchString(p.Body) {
			t.Error("the values typed are not kept")
		}
	})
	form.Set("review_date", today.AddDate(0, 0, 30).Format(time.DateOnly))
	p = admin.Post(t, "/admin/agreements/new", form)
	if !p.Contains("The agreement is drafted") {
		t.Fatalf("drafting: status %d %s", p.Status, p.Text())
	}
	base := p.URL.Path
	if again := admin.Post(t, "/admin/agreements/new", form); again.URL.Path != base {
		t.Errorf("a double submission went to %s, not %s", again.URL.Path, base)
	}
	if !p.Contains("Waiting for the signature of: Riverside Community Health Centre, Northside Legal Aid Society") {
		t.Errorf("the draft does not say who must sign: %s", p.Text())
	}

	sign := func(b *testserver.Browser) *testserver.Page {
		t.Helper()
		p := b.Get(t, base)
		token, seen := adminFormAfter(t, p, `/versions/1/sign"`, "seen")
		return b.Post(t, base+"/versions/1/sign", url.Values{"form_token": {token}, "seen": {seen}, "title": {"Director"}})
	}
	setStatus := func(b *testserver.Browser, version, status, reason string) *testserver.Page {
		t.Helper()
		p := b.Get(t, base)
		token, seen := adminFormAfter(t, p, `/versions/`+version+`/status"`, "seen")
		return b.Post(t, base+"/versions/"+version+"/status", url.Values{"form_token": {token}, "seen": {seen}, "status": {status}, "reason": {reason}})
	}
	if p := sign(admin); !p.Contains("Signed for your organisation") || !p.Contains("Waiting for the signature of: Northside Legal Aid Society") {
		t.Fatalf("after the clinic signed: %s", p.Text())
	}
	if p := setStatus(admin, "1", "active", ""); p.Status != http.StatusConflict || !p.Contains("every party has signed") {
		t.Errorf("activating before every party signed: status %d %s", p.Status, p.Text())
	}
	if p := sign(legal); !p.Contains("Signed for your organisation") {
		t.Fatalf("after legal aid signed: %s", p.Text())
	}
	if p := setStatus(admin, "1", "active", ""); !p.Contains("The agreement's status is changed") {
		t.Fatalf("activating: %s", p.Text())
	}

	t.Run("the list marks the expiring agreement", func(t *testing.T) {
		p := admin.Get(t, "/admin/agreements")
		row := adminRowOf(t, p, title)
		if !strings.Contains(row, `class="expiring"`) || !strings.Contains(row, "Expiring: ends in 4") || !strings.Contains(row, ">active<") {
			t.Errorf("the row does not say it is expiring: %s", row)
		}
		if other := adminRowOf(t, p, "Riverside and Welcome House Data-Sharing Agreement"); strings.Contains(other, "Expiring") {
			t.Errorf("an agreement with years to run is marked expiring: %s", other)
		}
		if home := admin.Get(t, "/admin"); !home.Contains(title) || !home.Contains("Expiring: ends in") {
			t.Errorf("the overview does not list it as needing attention: %s", home.Text())
		}
	})

	t.Run("a stale status form is refused", func(t *testing.T) {
		stale := admin.Get(t, base)
		token, seen := adminFormAfter(t, stale, `/versions/1/status"`, "seen")
		if p := setStatus(legal, "1", "suspended", "Data incident under investigation"); !p.Contains("The agreement's status is changed") {
			t.Fatalf("legal aid suspending: %s", p.Text())
		}
		p := admin.Post(t, base+"/versions/1/status", url.Values{"form_token": {token}, "seen": {seen}, "status": {"terminated"}, "reason": {"Ended"}})
		if p.Status != http.StatusConflict || !p.Contains("someone else changed this agreement") {
			t.Fatalf("stale form: status %d %s", p.Status, p.Text())
		}
		if !p.Contains("Data incident under investigation") || !strings.Contains(p.Body, `<span class="badge bad">suspended</span>`) {
			t.Errorf("the page does not show the current version: %s", p.Text())
		}
	})

	t.Run("amending makes a new version", func(t *testing.T) {
		p := admin.Get(t, base+"/amend")
		token, basedOn := p.FormToken(), adminInput(p, "based_on")
		if basedOn != "1" || !strings.Contains(p.Body, `value="`+title+`"`) {
			t.Fatalf("the amendment form does not start from version 1: based_on=%q", basedOn)
		}
		am := adminClone(form)
		am.Set("form_token", token)
		am.Set("based_on", basedOn)
		am["categories"] = append(am["categories"], "screening")
		p = admin.Post(t, base+"/amend", am)
		if !p.Contains("A new version is drafted") || !p.Contains("Version 2") || !p.Contains("Now also shares: screening answers.") {
			t.Fatalf("after amending: %s", p.Text())
		}
		again := admin.Get(t, base+"/amend")
		if again.Status != http.StatusConflict || !again.Contains("version 2 of this agreement is still a draft") {
			t.Errorf("a second draft is offered while version 2 is a draft: %s", again.Text())
		}
		am.Set("form_token", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")
		if p := admin.Post(t, base+"/amend", am); p.Status != http.StatusConflict || !p.Contains("someone else drafted version 2") {
			t.Errorf("an amendment based on version 1 after version 2: status %d %s", p.Status, p.Text())
		}
	})
}

// adminSignCheckpoint signs a checkpoint of the log as it is now.
func adminSignCheckpoint(t *testing.T, srv *testserver.Server, signer note.Signer) uint64 {
	t.Helper()
	if _, err := srv.DB.SignCheckpoint(context.Background(), signer.Name(), signer); err != nil {
		t.Fatal(err)
	}
	size, err := srv.DB.AuditSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return size
}

// adminScenario makes the demo scenario's API calls.
func adminScenario(t *testing.T, srv *testserver.Server, id string) string {
	t.Helper()
	for _, sc := range srv.P.Scenarios {
		if sc.ID != id {
			continue
		}
		for _, c := range sc.Calls {
			r := srv.Do(t, testserver.Request{User: c.Username, Method: c.Method, Path: c.Path, Purpose: c.Purpose, Body: c.Body})
			if r.Status >= 500 {
				t.Fatalf("%s %s: %d", c.Method, c.Path, r.Status)
			}
		}
		return sc.ClientID
	}
	t.Fatalf("no scenario %s", id)
	return ""
}

// TestWebAdminAudit searches the log as the oversight body, proves an
// entry's inclusion against the latest signed checkpoint, and verifies the
// whole log.
func TestWebAdminAudit(t *testing.T) {
	srv, signer := adminServer(t)
	client := adminScenario(t, srv, "advocate-reads-clinical-summary")
	adminScenario(t, srv, "police-firewalled")
	size := adminSignCheckpoint(t, srv, signer)
	auditor := srv.Browser(t)
	auditor.SignIn(t, "c.achebe")

	p := auditor.Get(t, "/audit?client_id="+client+"&decision=deny")
	if !p.Contains("Refused") || p.Contains("Permitted Refused") || !p.Contains("Thomas Reid") {
		t.Fatalf("the police's refused reads are not listed: %s", p.Text())
	}
	p = auditor.Get(t, "/audit?client_id="+client+"&decision=permit&kind=decision")
	if !p.Contains("Fatima Rahimi") || p.Contains("Thomas Reid") {
		t.Fatalf("the advocate's permitted reads are not listed alone: %s", p.Text())
	}
	m := regexp.MustCompile(`href="/audit/entries/(\d+)"`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatal("no entry linked")
	}
	t.Run("bad filters are shown by their field", func(t *testing.T) {
		p := auditor.Get(t, "/audit?client_id=Samira&from=yesterday")
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-client_id-error"`) {
			t.Errorf("status %d %s", p.Status, p.Text())
		}
	})

	t.Run("an entry's inclusion is proved", func(t *testing.T) {
		p := auditor.Get(t, "/audit/entries/"+m[1])
		want := "Proved: this entry is in the log at index " + m[1] + " of tree size " + strconv.FormatUint(size, 10) + ", checkpoint signed by accord.test/audit"
		if !p.Contains(want) {
			t.Fatalf("want %q: %s", want, p.Text())
		}
		if !p.Contains("legal aid") || !p.Contains("Fatima Rahimi") {
			t.Errorf("the entry is not described: %s", p.Text())
		}
	})
	t.Run("a privacy officer proves an entry without reading it", func(t *testing.T) {
		b := srv.Browser(t)
		b.SignIn(t, "p.nowak")
		p := b.Get(t, "/audit/entries/"+m[1])
		if !p.Contains("Proved:") || p.Contains("Fatima Rahimi") || !p.Contains("The oversight body alone reads entries") {
			t.Errorf("%s", p.Text())
		}
		if p := b.Get(t, "/audit"); !p.Contains("only the oversight body's auditors and privacy officers") {
			t.Errorf("the entries are not refused in words: %s", p.Text())
		}
	})
	t.Run("an entry newer than the checkpoint is not proved yet", func(t *testing.T) {
		p := auditor.Get(t, "/audit/entries/"+strconv.FormatUint(size, 10))
		if !p.Contains("Not proved yet") {
			t.Errorf("%s", p.Text())
		}
	})
	t.Run("checkpoints", func(t *testing.T) {
		adminSignCheckpoint(t, srv, signer)
		p := auditor.Get(t, "/audit/checkpoints")
		if !p.Contains("Valid") || !p.Contains("Yes, proved") {
			t.Errorf("%s", p.Text())
		}
	})
	t.Run("the whole log verifies", func(t *testing.T) {
		p := auditor.Get(t, "/audit/verify")
		p = auditor.Post(t, "/audit/verify", url.Values{"form_token": {p.FormToken()}})
		if p.URL.Path != "/audit/verify" || !p.Contains("OK: the audit log is intact.") || !p.Contains("Chidi Achebe") {
			t.Fatalf("after verifying: %s %s", p.URL, p.Text())
		}
		if !regexp.MustCompile(`All \d+ entries match the stored tree, and 2 signed checkpoints match them`).MatchString(p.Text()) {
			t.Errorf("%s", p.Text())
		}
		if frag := auditor.Get(t, "/audit/verify/status"); !frag.Contains("OK: the audit log is intact.") || strings.Contains(frag.Body, "<html") {
			t.Errorf("the status part for htmx: %.300s", frag.Body)
		}
		if home := auditor.Get(t, "/audit"); !home.Contains("Verified") {
			t.Errorf("the audit page does not show the verification: %s", home.Text())
		}
	})
	t.Run("a search pages through the log", func(t *testing.T) {
		ctx := context.Background()
		all, err := srv.DB.AuditEntries(ctx, sqlstore.AuditFilter{After: -1, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []sqlstore.AuditQuery{
			{Kind: accord.AuditDecision, Limit: 2},
			{Effect: "deny", Limit: 3},
			{ClientID: client, Effect: "permit", Limit: 1},
			{Action: "login.success", Limit: 1, MaxScan: 1},
			{From: testserver.Now.Add(-time.Hour), Until: testserver.Now.Add(time.Hour), Limit: 4},
		} {
			var want []int64
			for i := len(all) - 1; i >= 0; i-- {
				e := all[i]
				if (q.Kind == "" || e.Kind == q.Kind) && (q.Effect == "" || e.Effect == q.Effect) && (q.ClientID == "" || e.ClientID == q.ClientID) &&
					(q.Action == "" || e.Action == q.Action) && (q.From.IsZero() || !e.Time.Before(q.From)) && (q.Until.IsZero() || e.Time.Before(q.Until)) {
					want = append(want, e.Index)
				}
			}
			var got []int64
			for pages := 0; pages < 1000; pages++ { // the demo's access history is in the log too
				page, err := srv.DB.SearchAudit(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range page.Entries {
					got = append(got, e.Index)
				}
				if page.Next < 0 {
					break
				}
				q.Before = page.Next
			}
			if !slices.Equal(got, want) {
				t.Errorf("%+v: got %v, want %v", q, got, want)
			}
		}
	})
	t.Run("an altered entry is caught", func(t *testing.T) {
		driver, alter := "sqlite", `UPDATE audit_entries SET leaf = CAST(replace(CAST(leaf AS TEXT), 'LEGALAID', 'TREAT') AS BLOB) WHERE idx = $1`
		if strings.HasPrefix(srv.DSN, "postgres") {
			driver, alter = "pgx", `UPDATE audit_entries SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), 'LEGALAID', 'TREAT'), 'UTF8') WHERE idx = $1`
		}
		db, err := sql.Open(driver, srv.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		// Hide the purpose of the advocate's read: the leaf no longer
		// hashes to what the signed log holds.
		idx, _ := strconv.Atoi(m[1])
		res, err := db.Exec(alter, idx)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("%d rows altered", n)
		}
		p := auditor.Get(t, "/audit/entries/"+m[1])
		if p.Contains("Proved:") || !p.Contains("Not proved: the stored entry does not match the signed log") {
			t.Errorf("the altered entry: %s", p.Text())
		}
		p = auditor.Get(t, "/audit/verify")
		p = auditor.Post(t, "/audit/verify", url.Values{"form_token": {p.FormToken()}})
		if !p.Contains("FAILED: the audit log does not verify.") || !p.Contains("Entry "+m[1]+" does not match") {
			t.Errorf("after verifying the altered log: %s", p.Text())
		}
	})
}

// TestWebAdminAccessReport prints a client's access report: the
// advocate's read of the demo client is there, with its purpose and basis.
func TestWebAdminAccessReport(t *testing.T) {
	srv, _ := adminServer(t)
	client := adminScenario(t, srv, "advocate-reads-clinical-summary")
	adminScenario(t, srv, "police-firewalled")
	b := srv.Browser(t)
	b.SignIn(t, "p.nowak")
	p := b.Get(t, "/clients/"+client+"/access-report?lang=en")
	if p.Status != http.StatusOK {
		t.Fatalf("status %d: %s", p.Status, p.Text())
	}
	var advocate string
	for _, row := range regexp.MustCompile(`(?s)<tr>.*?</tr>`).FindAllString(p.Body, -1) {
		if strings.Contains(row, "Fatima Rahimi") && strings.Contains(row, "clinical summaries") && strings.Contains(row, "Allowed and shown") {
			advocate = (&testserver.Page{Body: row}).Text()
			break
		}
	}
	for _, w := range []string{"Northside Legal Aid Society", "legal aid", "Allowed and shown", "An agreement between the organisations, and the client's consent"} {
		if !strings.Contains(advocate, w) {
			t.Errorf("the advocate's read does not say %q: %q", w, advocate)
		}
	}
	if !p.Contains("Thomas Reid") || !p.Contains("Refused") {
		t.Error("the police's refused attempt is missing")
	}
	if !strings.Contains(p.Body, "data-print") {
		t.Error("no print button")
	}
	t.Run("in another language", func(t *testing.T) {
		p := b.Get(t, "/clients/"+client+"/access-report?lang=es")
		if !strings.Contains(p.Body, `<html lang="es"`) {
			t.Errorf("not in Spanish: %.200s", p.Body)
		}
	})
	t.Run("another organisation's navigator is refused in words", func(t *testing.T) {
		o := srv.Browser(t)
		o.SignIn(t, "omar.navigator")
		p := o.Get(t, "/clients/"+client+"/access-report")
		if p.Status != http.StatusForbidden || !p.Contains("home organisation") || p.Contains("Fatima Rahimi") {
			t.Errorf("status %d: %s", p.Status, p.Text())
		}
	})
}

// TestWebAdminPolicies saves local policies: a permit is refused by the
// field, a forbid is saved, and a stale page does not overwrite.
func TestWebAdminPolicies(t *testing.T) {
	srv, _ := adminServer(t)
	b := srv.Browser(t)
	b.SignIn(t, "p.nowak")
	p := b.Get(t, "/admin/policies")
	token, seen := p.FormToken(), adminInput(p, "seen")
	bad := `permit (principal, action, resource);`
	p = b.Post(t, "/admin/policies", url.Values{"form_token": {token}, "seen": {seen}, "policies": {bad}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-policies-error"`) || !p.Contains("local policies may only forbid") {
		t.Fatalf("a permit: status %d %s", p.Status, p.Text())
	}
	if !strings.Contains(p.Body, "permit (principal, action, resource);</textarea>") {
		t.Error("the text typed is not kept")
	}
	good := "@id(\"no-research\")\nforbid (principal, action, resource) when { context.purpose == \"HRESCH\" };"
	p = b.Post(t, "/admin/policies", url.Values{"form_token": {token}, "seen": {seen}, "policies": {good}})
	if !p.Contains("The local policies are saved") || !p.Contains("no-research") {
		t.Fatalf("saving: %s", p.Text())
	}
	p = b.Post(t, "/admin/policies", url.Values{"form_token": {"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"}, "seen": {seen}, "policies": {""}})
	if p.Status != http.StatusConflict {
		t.Errorf("a stale page: status %d %s", p.Status, p.Text())
	}
}

// TestWebAdminLegalBases records a court order and sees it in the register.
func TestWebAdminLegalBases(t *testing.T) {
	srv, _ := adminServer(t)
	b := srv.Browser(t)
	b.SignIn(t, "p.nowak")
	client := ""
	for _, c := range srv.P.Clients {
		if c.HomeOrganizationID == srv.Login("p.nowak").OrganizationID {
			client = c.ID
			break
		}
	}
	p := b.Get(t, "/admin/legal-bases")
	if !p.Contains("only the oversight body's auditors and privacy officers") {
		t.Errorf("the register is not refused in words: %s", p.Text())
	}
	police := srv.Login("t.reid").OrganizationID
	expires := testserver.Now.AddDate(0, 0, 20).Format(time.DateOnly)
	form := url.Values{"form_token": {p.FormToken()}, "kind": {"court_order"}, "client_id": {client}, "categories": {"clinical_summary"},
		"recipient_organization_id": {police}, "reference": {"T20260042"}, "reason": {"Production order for an assault prosecution."},
		"expires_at": {expires}}
	p = b.Post(t, "/admin/legal-bases", form)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-issuer-error"`) {
		t.Fatalf("a court order without its court: status %d %s", p.Status, p.Text())
	}
	form.Set("issuer", "Riverside Crown Court")
	p = b.Post(t, "/admin/legal-bases", form)
	if !p.Contains("The legal basis is recorded") {
		t.Fatalf("recording: %s", p.Text())
	}
	a := srv.Browser(t)
	a.SignIn(t, "c.achebe")
	p = a.Get(t, "/admin/legal-bases")
	row := adminRowOf(t, p, "T20260042")
	if !strings.Contains(row, "Expires in 19 days") && !strings.Contains(row, "Expires in 20 days") {
		t.Errorf("the order expiring soon is not marked: %s", row)
	}
}

// TestWebAdminAreas: the partnership administrator adds an area; a code of
// the wrong shape is refused on its field, and a taken one too; intake
// then offers the new area (its code typed in capitals is lowered).
func TestWebAdminAreas(t *testing.T) {
	srv, _ := adminServer(t)
	b := srv.Browser(t)
	b.SignIn(t, "r.mensah")
	p := b.Get(t, "/admin/areas")
	if !p.Contains("Mill Island") || !p.Contains("Riverside") {
		t.Fatalf("the demo's areas are not listed: %s", p.Text())
	}
	for _, tc := range []struct {
		name, code string
		status     int
	}{
		{"a space", "harbour bay", http.StatusUnprocessableEntity},
		{"taken", "riverside", http.StatusConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := b.Post(t, "/admin/areas", url.Values{"form_token": {b.Get(t, "/admin/areas").FormToken()}, "name": {"Harbour"}, "code": {tc.code}})
			if bad.Status != tc.status || !strings.Contains(bad.Body, `id="f-code-error"`) {
				t.Errorf("code %q: status %d, want %d with the error on the code: %s", tc.code, bad.Status, tc.status, bad.Text())
			}
		})
	}
	p = b.Post(t, "/admin/areas", url.Values{"form_token": {b.Get(t, "/admin/areas").FormToken()}, "name": {"Harbour"}, "code": {" Harbour "}})
	if !p.Contains("The area is added") || !p.Contains("Harbour") {
		t.Fatalf("after adding: %d %s", p.Status, p.Text())
	}
	nav := srv.Browser(t)
	nav.SignIn(t, "amina.navigator")
	if form := nav.Get(t, "/clients/new"); !strings.Contains(form.Body, `value="harbour"`) || !form.Contains("Where the client lives") {
		t.Errorf("intake does not offer the new area: %s", form.Text())
	}
}
