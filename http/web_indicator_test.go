package http_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/indicator"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
	"github.com/accord-project/accord/sqlstore"
)

// TestWebIndicatorDashboard: the partners' dashboard shows every indicator
// with an accessible chart (role="img", a title and a description, the
// target a labelled line) and the same numbers in a table, says it is
// internal, and is closed to enforcement bodies.
func TestWebIndicatorDashboard(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	b := srv.Browser(t)
	b.SignIn(t, "amina.navigator")
	p := b.Get(t, "/indicators?period=2026-Q3&dimension=gender")
	if p.Status != http.StatusOK {
		t.Fatalf("status %d: %s", p.Status, p.Text())
	}
	for _, want := range []string{"Internal: not for publication.", "Referrals completed", "Q3 2026 at a glance", "By Gender: each group against everyone", "Target: 70% or more"} {
		if !p.Contains(want) {
			t.Errorf("the dashboard does not say %q", want)
		}
	}
	svgs := regexp.MustCompile(`(?s)<svg[^>]*>.*?</svg>`).FindAllString(p.Body, -1)
	if len(svgs) < len(indicator.Default()) {
		t.Fatalf("%d charts for %d indicators", len(svgs), len(indicator.Default()))
	}
	for _, svg := range svgs {
		if !regexp.MustCompile(`^<svg[^>]*role="img"[^>]*aria-labelledby="([^"]+)-t"[^>]*aria-describedby="[^"]+-d"`).MatchString(svg) ||
			!strings.Contains(svg, "<title id=") || !strings.Contains(svg, "<desc id=") {
			t.Fatalf("a chart without role, title or description: %.300s", svg)
		}
		if !strings.Contains(svg, `class="target"`) || !regexp.MustCompile(`class="target-label"[^>]*>Target`).MatchString(svg) {
			t.Errorf("a chart without its labelled target line: %.300s", svg)
		}
	}
	if n := strings.Count(p.Body, `<table class="figures">`); n < len(indicator.Default()) {
		t.Errorf("%d tables of figures, want at least one per indicator", n)
	}
	if regexp.MustCompile(`\sstyle="|<script>|\son[a-z]+="`).MatchString(p.Body) {
		t.Error("the dashboard has inline style or script, which the CSP forbids")
	}
	if strings.Count(p.Body, "<h1") != 1 {
		t.Error("not one h1")
	}
	t.Run("the chart's numbers are in its table", func(t *testing.T) {
		i := strings.Index(p.Body, `id="ind-referral_completion"`)
		sec := p.Body[i:]
		sec = sec[:strings.Index(sec, "</section>")]
		for _, v := range regexp.MustCompile(`<text class="value"[^>]*>([^<]+)</text>`).FindAllStringSubmatch(sec, -1) {
			val := strings.TrimSuffix(v[1], " ▼")
			if !strings.Contains(sec, `<td class="num">`+val+`</td>`) {
				t.Errorf("the chart shows %s, which its tables do not", val)
			}
		}
	})
	t.Run("a bad quarter is named by its field", func(t *testing.T) {
		p := b.Get(t, "/indicators?period=2026-Q9")
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-period-error"`) {
			t.Errorf("status %d: %s", p.Status, p.Text())
		}
		p = b.Get(t, "/indicators?period=2027-Q2")
		if p.Status != http.StatusUnprocessableEntity || !p.Contains("has not started yet") {
			t.Errorf("a future quarter: status %d: %s", p.Status, p.Text())
		}
	})
	t.Run("Arabic charts are mirrored", func(t *testing.T) {
		ar := srv.Browser(t)
		ar.SignIn(t, "omar.navigator")
		p := ar.Get(t, "/lang/ar?next=/indicators")
		if !strings.Contains(p.Body, `dir="rtl"`) || !strings.Contains(p.Body, "<svg") {
			t.Fatalf("not an Arabic dashboard with charts")
		}
	})
	t.Run("enforcement bodies are refused", func(t *testing.T) {
		police := srv.Browser(t)
		home := police.SignIn(t, "t.reid")
		if strings.Contains(home.Body, `href="/indicators"`) {
			t.Error("the police officer's menu offers the indicators")
		}
		for _, path := range []string{"/indicators", "/indicators/publish"} {
			p := police.Get(t, path)
			if p.Status != http.StatusForbidden || !p.Contains("immigration authority or a law enforcement body") {
				t.Errorf("%s: status %d: %s", path, p.Status, p.Text())
			}
		}
		if !strings.Contains(b.Get(t, "/work").Body, `href="/indicators"`) {
			t.Error("the navigator's menu does not offer the indicators")
		}
	})
}

// TestWebIndicatorPublish walks a quarter to publication through the
// pages: the preview names the indicators that need an action plan, a
// supervisor records them (a stale form is refused), the administrator
// publishes once, and anyone reads the report without signing in, in
// English and Arabic, with its CSV.
func TestWebIndicatorPublish(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	admin := srv.Browser(t)
	admin.SignIn(t, "r.mensah")
	nav := srv.Browser(t)
	nav.SignIn(t, "amina.navigator")

	unservedClients(t, srv, 30)
	if p := srv.Browser(t).Get(t, "/report/2026-Q3"); p.Status != http.StatusNotFound {
		t.Fatalf("an unpublished report: status %d", p.Status)
	}
	if p := admin.Get(t, "/indicators/publish?period=2026-Q4"); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-period-error"`) {
		t.Errorf("a quarter that has not ended: status %d: %s", p.Status, p.Text())
	}
	if p := nav.Get(t, "/indicators/publish?period=2026-Q3"); p.Status != http.StatusOK || strings.Contains(p.Body, `method="post" action="/indicators/publish"`) {
		t.Errorf("a navigator's preview: status %d, or the publication form is offered", p.Status)
	}

	p := admin.Get(t, "/indicators/publish?period=2026-Q3")
	if p.Status != http.StatusOK || !p.Contains("Preview of the report for Q3 2026") {
		t.Fatalf("preview: status %d: %s", p.Status, p.Text())
	}
	links := regexp.MustCompile(`href="(/indicators/plans/new\?indicator=[a-z_]+&amp;period=2026-Q3)"`).FindAllStringSubmatch(p.Body, -1)
	if len(links) == 0 {
		t.Fatalf("the preview asks for no action plan: %s", p.Text())
	}
	{
		if !p.Contains("Action plans needed before publication") {
			t.Errorf("the preview does not say plans are needed: %s", p.Text())
		}
		// The page offers no publication form now; a publication sent all
		// the same (from an older page) is refused, naming what is missing.
		if strings.Contains(p.Body, `method="post" action="/indicators/publish"`) {
			t.Error("the publication form is offered while action plans are missing")
		}
		q := admin.Post(t, "/indicators/publish", url.Values{"form_token": {"older-page-token-0123456789"}, "period": {"2026-Q3"}, "profile": {"standard"}})
		if q.Status != http.StatusConflict || !q.Contains("have no action plan") {
			t.Errorf("publishing without plans: status %d: %s", q.Status, q.Text())
		}
		sup := srv.Browser(t)
		sup.SignIn(t, "s.bennett")
		for _, l := range links {
			form := sup.Get(t, strings.ReplaceAll(l[1], "&amp;", "&"))
			if form.Status != http.StatusOK || !form.Contains("Record an action plan") {
				t.Fatalf("plan form: status %d: %s", form.Status, form.Text())
			}
			vals := url.Values{"form_token": {form.FormToken()}, "indicator_id": {adminInput(form, "indicator_id")}, "period": {"2026-Q3"},
				"owner": {"Interpreting coordinators"}, "actions": {"Book an interpreter at registration."}, "deadline": {"31-12-2026"}, "status": {"open"}}
			bad := sup.Post(t, "/indicators/plans/new", vals)
			if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, `id="f-deadline-error"`) || !strings.Contains(bad.Body, "Book an interpreter at registration.") {
				t.Errorf("a bad deadline: status %d: %s", bad.Status, bad.Text())
			}
			vals.Set("deadline", "2026-12-31")
			saved := sup.Post(t, "/indicators/plans/new", vals)
			if saved.URL.Path != "/indicators" || !saved.Contains("The action plan is saved.") {
				t.Fatalf("saving a plan ended at %s: %s", saved.URL, saved.Text())
			}
		}
		t.Run("a stale plan form is refused", func(t *testing.T) {
			dash := sup.Get(t, "/indicators?period=2026-Q3")
			edit := regexp.MustCompile(`href="(/indicators/plans/apl_[^"]+)"`).FindStringSubmatch(dash.Body)
			if edit == nil {
				t.Fatal("no link to update a plan on the dashboard")
			}
			one, two := sup.Get(t, edit[1]), admin.Get(t, edit[1])
			change := func(b *testserver.Browser, page *testserver.Page, progress string) *testserver.Page {
				return b.Post(t, edit[1], url.Values{"form_token": {page.FormToken()}, "version": {adminInput(page, "version")}, "owner": {adminInput(page, "owner")},
					"actions": {"Book an interpreter at registration."}, "deadline": {adminInput(page, "deadline")}, "status": {"in_progress"}, "progress": {progress}})
			}
			if r := change(admin, two, "Rota extended."); r.URL.Path != "/indicators" {
				t.Fatalf("update: ended at %s: %s", r.URL, r.Text())
			}
			r := change(sup, one, "An older view.")
			if r.Status != http.StatusConflict || !r.Contains("Someone else changed this action plan") || !r.Contains("Rota extended.") {
				t.Errorf("stale: status %d: %s", r.Status, r.Text())
			}
		})
		p = admin.Get(t, "/indicators/publish?period=2026-Q3")
	}
	pub := admin.Post(t, "/indicators/publish", url.Values{"form_token": {p.FormToken()}, "period": {"2026-Q3"}, "profile": {"standard"}})
	if pub.URL.Path != "/report/2026-Q3" || !pub.Contains("The report is published.") {
		t.Fatalf("publishing ended at %s (%d): %s", pub.URL, pub.Status, pub.Text())
	}
	if again := admin.Get(t, "/indicators/publish?period=2026-Q3"); !again.Contains("The report for Q3 2026 is published.") {
		t.Errorf("the publish page does not say it is published: %s", again.Text())
	}

	public := srv.Browser(t)
	t.Run("list of published reports", func(t *testing.T) {
		p := public.Get(t, "/report")
		if p.Status != http.StatusOK || !strings.Contains(p.Body, `href="/report/2026-Q3"`) {
			t.Errorf("status %d: %s", p.Status, p.Text())
		}
	})
	r := public.Get(t, "/report/2026-Q3")
	if r.Status != http.StatusOK || r.URL.Path != "/report/2026-Q3" {
		t.Fatalf("the public report: status %d at %s", r.Status, r.URL)
	}
	t.Run("public report", func(t *testing.T) {
		for _, want := range []string{"Public report, Q3 2026", "Referrals completed: by Preferred language", "Referrals completed: by Gender",
			"Immigration status is never used", "no count from 1 to 10 is published", "Action plans", "How these figures are made"} {
			if !r.Contains(want) {
				t.Errorf("the report does not say %q", want)
			}
		}
		if !strings.Contains(r.Body, `<span class="supp" aria-hidden="true">✱</span><span class="visually-hidden">not published</span>`) {
			t.Error("no suppressed cell shown as the symbol")
		}
		// No cell of any table holds a count from 1 to 10.
		for _, m := range regexp.MustCompile(`<td[^>]*>([^<]*)</td>`).FindAllStringSubmatch(r.Body, -1) {
			if n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(m[1]), ",", "")); err == nil && n >= 1 && n <= 10 {
				t.Errorf("a cell shows the count %d", n)
			}
		}
		if regexp.MustCompile(`(cli|stf|org|apl)_[a-z0-9]{8,}`).MatchString(r.Body) {
			t.Error("the public report holds an id")
		}
		if regexp.MustCompile(`\sstyle="|<script>`).MatchString(r.Body) {
			t.Error("inline style or script")
		}
	})
	t.Run("CSV", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/report/2026-Q3.csv")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(cd, `attachment; filename="accord-report-2026-Q3.csv"`) {
			t.Errorf("Content-Type %q, Content-Disposition %q", ct, cd)
		}
		rows, err := csv.NewReader(resp.Body).ReadAll()
		if err != nil || len(rows) < 2 || strings.Join(rows[0], ",") != strings.Join(indicator.CSVHeader, ",") {
			t.Fatalf("%d rows, %v", len(rows), err)
		}
		suppressed := 0
		for _, row := range rows[1:] {
			for _, c := range row[5:7] {
				if n, err := strconv.Atoi(c); err == nil && n >= 1 && n <= 10 {
					t.Errorf("the CSV publishes a count of %d: %v", n, row)
				}
			}
			if row[8] == "true" {
				// Its value is hidden; a count shown beside it is above 10.
				suppressed++
				if row[7] != "" || row[5] != "" && row[6] != "" {
					t.Errorf("a suppressed row can be read: %v", row)
				}
			}
		}
		if suppressed == 0 {
			t.Error("nothing suppressed in the CSV")
		}
	})
	t.Run("Arabic", func(t *testing.T) {
		p := public.Get(t, "/lang/ar?next=/report/2026-Q3")
		if p.Status != http.StatusOK || !strings.Contains(p.Body, `<html lang="ar" dir="rtl">`) || !strings.Contains(p.Body, "✱") {
			t.Errorf("status %d: %.300s", p.Status, p.Body)
		}
	})
	t.Run("rate limited", func(t *testing.T) {
		for i := range 200 {
			resp, err := http.Get(srv.URL + "/report")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests {
				if resp.Header.Get("Retry-After") == "" {
					t.Error("no Retry-After")
				}
				if i < 90 {
					t.Errorf("limited after %d requests", i)
				}
				return
			}
		}
		t.Error("200 requests in a row were not limited")
	})
	t.Run("published once", func(t *testing.T) {
		p := admin.Get(t, "/indicators/publish?period=2026-Q3&profile=round5")
		if strings.Contains(p.Body, `name="profile" value="round5"`) {
			t.Error("the publish form is offered for a quarter already published")
		}
	})
}

// unservedClients registers n clients who need an interpreter and had
// none in the middle of 2026-Q3, so that interpreter_provided is shown
// below target in its release (by more than any small count).
func unservedClients(t *testing.T, srv *testserver.Server, n int) {
	t.Helper()
	ctx := context.Background()
	now := srv.Clock.Now()
	defer srv.Clock.Set(now)
	at := time.Date(2026, 8, 10, 10, 0, 0, 0, time.UTC)
	l := srv.Login("amina.navigator")
	org, err := srv.DB.FindOrganization(ctx, l.OrganizationID)
	if err != nil {
		t.Fatal(err)
	}
	nav := &enforce.Caller{Principal: &sqlstore.Principal{Staff: l.Staff, Organization: *org}}
	for i := range n {
		srv.Clock.Set(at.Add(time.Duration(i) * time.Hour))
		cl := &accord.Client{GivenName: "Test " + strconv.Itoa(i), FamilyName: "Unserved", Gender: accord.GenderNotStated, PreferredLanguage: "ti", InterpreterNeeded: true}
		if err := srv.Service.CreateClient(ctx, nav, cl); err != nil {
			t.Fatal(err)
		}
	}
}
