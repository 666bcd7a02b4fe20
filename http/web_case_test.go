package http_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
)

// wcScenarioClient returns the client of a demo scenario.
func wcScenarioClient(t *testing.T, srv *testserver.Server, id string) string {
	t.Helper()
	for _, s := range srv.P.Scenarios {
		if s.ID == id {
			return s.ClientID
		}
	}
	t.Fatalf("no demo scenario %s", id)
	return ""
}

var wcFormRE = regexp.MustCompile(`(?s)<form[^>]*>.*?</form>`)

// wcForm returns the values of the hidden inputs (the token, the version)
// of the first form on the page that contains marker.
func wcForm(t *testing.T, p *testserver.Page, marker string) url.Values {
	t.Helper()
	for _, f := range wcFormRE.FindAllString(p.Body, -1) {
		if !strings.Contains(f, marker) {
			continue
		}
		v := url.Values{}
		for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(f, -1) {
			v.Set(m[1], m[2])
		}
		if v.Get("form_token") == "" {
			t.Fatalf("the form with %q has no token", marker)
		}
		return v
	}
	t.Fatalf("no form with %q on %s: %.300s", marker, p.URL, p.Text())
	return nil
}

func wcWith(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Add(kv[i], kv[i+1])
	}
	return out
}

// wcInvalid reports whether the page marks the named field invalid, with
// its error beside it.
func wcInvalid(p *testserver.Page, field string) bool {
	return regexp.MustCompile(`id="f-`+regexp.QuoteMeta(field)+`"[^>]*aria-invalid="true"`).MatchString(p.Body) &&
		strings.Contains(p.Body, `id="f-`+field+`-error"`)
}

// TestWebCaseWorkspace: a navigator opens a joint case for a demo client
// with legal aid, adds a task (a double submit creates one), and a stale
// task form is refused with a message.
func TestWebCaseWorkspace(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	client := wcScenarioClient(t, srv, "consent-denies-clinical")
	nav := srv.Browser(t)
	nav.SignIn(t, "amina.navigator")
	rahimi, amina := srv.Login("f.rahimi").ID, srv.Login("amina.navigator").ID

	p := nav.Get(t, "/clients/"+client+"/cases/new")
	if p.Status != http.StatusOK || !p.Contains("Open a joint case") {
		t.Fatalf("new case page: %d %q", p.Status, p.Text())
	}
	form := wcForm(t, p, `name="title"`)

	t.Run("bad input keeps the values and shows errors by the fields", func(t *testing.T) {
		p := nav.Post(t, "/clients/"+client+"/cases/new", wcWith(form, "title", "", "p1_staff", rahimi, "p1_resp", "housing court representation"))
		if p.Status != http.StatusUnprocessableEntity || !wcInvalid(p, "title") {
			t.Fatalf("status %d; want 422 with the title marked: %q", p.Status, p.Text())
		}
		if !strings.Contains(p.Body, `value="housing court representation"`) || !regexp.MustCompile(`<option value="`+rahimi+`" selected>`).MatchString(p.Body) {
			t.Error("the partner chosen and what they take on are not kept")
		}
		p = nav.Post(t, "/clients/"+client+"/cases/new", wcWith(form, "title", "Eviction defence", "p1_staff", rahimi))
		if p.Status != http.StatusUnprocessableEntity || !wcInvalid(p, "p1_resp") {
			t.Fatalf("a partner without a responsibility: status %d: %q", p.Status, p.Text())
		}
	})
	t.Run("a partner the client's consent does not cover is refused with the reason", func(t *testing.T) {
		p := nav.Post(t, "/clients/"+client+"/cases/new", wcWith(form, "title", "Eviction defence", "p1_staff", rahimi, "p1_resp", "housing court", "purpose", "HRESCH"))
		if p.Status != http.StatusForbidden || !p.Contains("Northside Legal Aid Society cannot join this case. Not shared:") || !strings.Contains(p.Body, `id="f-participants-error"`) {
			t.Fatalf("status %d: %q", p.Status, p.Text())
		}
	})

	p = nav.Post(t, "/clients/"+client+"/cases/new", wcWith(form, "title", "Eviction defence", "p1_staff", rahimi, "p1_resp", "housing court representation"))
	if !strings.HasPrefix(p.URL.Path, "/cases/cas_") || !p.Contains("The case is open") || !p.Contains("Eviction defence") || !p.Contains("Northside Legal Aid Society") {
		t.Fatalf("after opening: %s %d %q", p.URL, p.Status, p.Text())
	}
	caseURL := p.URL.Path
	caseID := strings.TrimPrefix(caseURL, "/cases/")
	if !strings.Contains(p.Body, `id="tasks"`) {
		t.Error("the workspace has no #tasks section (the work page links to it)")
	}

	t.Run("a double submit creates one task", func(t *testing.T) {
		task := wcWith(wcForm(t, p, `value="task"`), "task_title", "Call the landlord's agent", "task_owner", amina, "task_due", "2026-11-25")
		first := nav.Post(t, caseURL, task)
		second := nav.Post(t, caseURL, task)
		if !first.Contains("The task is added") || second.URL.Path != caseURL || second.Status != http.StatusOK {
			t.Errorf("first: %q; second: %q", first.Text(), second.Text())
		}
		var out struct {
			Tasks []struct{ Title string } `json:"tasks"`
		}
		srv.Do(t, testserver.Request{User: "amina.navigator", Method: "GET", Path: "/api/v1/cases/" + caseID + "/tasks", Purpose: "COC"}).JSON(t, &out)
		if len(out.Tasks) != 1 || out.Tasks[0].Title != "Call the landlord's agent" {
			t.Fatalf("tasks after a double submit: %+v", out.Tasks)
		}
	})
	t.Run("bad task input shows the error by its field", func(t *testing.T) {
		p := nav.Get(t, caseURL)
		bad := nav.Post(t, caseURL, wcWith(wcForm(t, p, `value="task"`), "task_title", "Book an interpreter", "task_owner", amina, "task_due", "2020-01-01"))
		if bad.Status != http.StatusUnprocessableEntity || !wcInvalid(bad, "task_due") || !strings.Contains(bad.Body, `value="Book an interpreter"`) {
			t.Errorf("a task due in the past: status %d: %q", bad.Status, bad.Text())
		}
	})
	t.Run("a stale task form is refused and says so", func(t *testing.T) {
		a, b := nav.Get(t, caseURL), nav.Get(t, caseURL)
		fa, fb := wcForm(t, a, `value="task-status"`), wcForm(t, b, `value="task-status"`)
		if fa.Get("version") != "1" || fb.Get("version") != "1" {
			t.Fatalf("task form versions %s, %s", fa.Get("version"), fb.Get("version"))
		}
		if p := nav.Post(t, caseURL, wcWith(fa, "status", "in_progress")); !p.Contains("The task is updated") || !p.Contains("in progress") {
			t.Fatalf("first change: %d %q", p.Status, p.Text())
		}
		p := nav.Post(t, caseURL, wcWith(fb, "status", "done"))
		if p.Status != http.StatusConflict || !p.Contains("Someone else changed this task") {
			t.Fatalf("stale change: status %d: %q", p.Status, p.Text())
		}
		var out struct {
			Tasks []struct{ Status string } `json:"tasks"`
		}
		srv.Do(t, testserver.Request{User: "amina.navigator", Method: "GET", Path: "/api/v1/cases/" + caseID + "/tasks", Purpose: "COC"}).JSON(t, &out)
		if out.Tasks[0].Status != "in_progress" {
			t.Errorf("the stale form overwrote the task: %s", out.Tasks[0].Status)
		}
	})
	t.Run("goals, notes, meetings and outcomes", func(t *testing.T) {
		p := nav.Get(t, caseURL)
		p = nav.Post(t, caseURL, wcWith(wcForm(t, p, `value="goal"`), "goal_text", "Stay in the flat with the children"))
		if !p.Contains("The goal is added") || !p.Contains("Stay in the flat with the children") {
			t.Fatalf("goal: %q", p.Text())
		}
		p = nav.Post(t, caseURL, wcWith(wcForm(t, p, `value="note"`), "note_category", "social_needs", "note_content", "Possession hearing on Friday."))
		if !p.Contains("The note is added") || !p.Contains("Possession hearing on Friday.") {
			t.Fatalf("note: %q", p.Text())
		}
		p = nav.Post(t, caseURL, wcWith(wcForm(t, p, `value="conference"`), "conf_kind", "conference", "conf_date", "2026-11-22", "conf_attendees", amina,
			"conf_decisions", ""))
		if p.Status != http.StatusUnprocessableEntity || !wcInvalid(p, "conf_decisions") {
			t.Fatalf("a meeting without decisions: %d %q", p.Status, p.Text())
		}
		p = nav.Post(t, caseURL, wcWith(wcForm(t, p, `value="conference"`), "conf_kind", "conference", "conf_date", "2026-11-22", "conf_attendees", amina,
			"conf_decisions", "Legal aid to seek an adjournment."))
		if !p.Contains("The meeting is recorded") || !p.Contains("Legal aid to seek an adjournment.") {
			t.Fatalf("meeting: %q", p.Text())
		}
		p = nav.Post(t, caseURL, wcWith(wcForm(t, p, `value="outcome"`), "outcome", "legal:eviction_delayed"))
		if !p.Contains("The outcome is recorded") || !p.Contains("Legal: eviction delayed") {
			t.Fatalf("outcome: %q", p.Text())
		}
		if !p.Contains("Goal added") || !p.Contains("Note added: social needs") || !p.Contains("Case opened") {
			t.Errorf("the timeline misses events: %q", p.Text())
		}
	})
	t.Run("older timeline events load as a fragment for htmx, else as the page", func(t *testing.T) {
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar}
		req, _ := http.NewRequest("POST", srv.URL+"/signin", strings.NewReader(url.Values{"username": {"amina.navigator"},
			"password": {srv.Login("amina.navigator").Password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if resp, err := hc.Do(req); err != nil {
			t.Fatal(err)
		} else {
			resp.Body.Close()
		}
		req, _ = http.NewRequest("GET", srv.URL+caseURL+"/timeline?after=1000000000", nil)
		req.Header.Set("HX-Request", "true")
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || strings.Contains(string(body), "<html") || !strings.Contains(string(body), "Case opened") {
			t.Errorf("fragment: %d %s", resp.StatusCode, body)
		}
		if p := nav.Get(t, caseURL+"/timeline?after=1000000000"); p.URL.Path != caseURL || !p.Contains("Back to the newest events") {
			t.Errorf("without htmx: %s %q", p.URL, p.Text())
		}
	})
	t.Run("the legal aid partner sees the case", func(t *testing.T) {
		adv := srv.Browser(t)
		adv.SignIn(t, "f.rahimi")
		p := adv.Get(t, caseURL)
		if p.Status != http.StatusOK || !p.Contains("Eviction defence") || !p.Contains("Call the landlord's agent") {
			t.Fatalf("advocate: %d %q", p.Status, p.Text())
		}
	})
	t.Run("a task past its due date is marked overdue in words", func(t *testing.T) {
		if p := nav.Get(t, caseURL); !p.Contains("due 25 November 2026 (in 4 days)") || p.Contains("Overdue") {
			t.Errorf("a task due in three days: %q", p.Text())
		}
		// The clock only moves forward (sign-in limits count in its time).
		srv.Clock.Set(testserver.Now.Add(3*24*time.Hour + 15*time.Hour))
		later := srv.Browser(t)
		later.SignIn(t, "amina.navigator")
		if p := later.Get(t, caseURL); !p.Contains("Overdue") || !p.Contains("overdue by 1 hour (was due 25 November 2026)") || !p.Contains("tasks overdue") {
			t.Errorf("an overdue task: %q", p.Text())
		}
	})
	t.Run("closing needs a confirmation", func(t *testing.T) {
		nav := srv.Browser(t)
		nav.SignIn(t, "amina.navigator")
		p := nav.Get(t, caseURL)
		bad := nav.Post(t, caseURL, wcWith(wcForm(t, p, `value="close"`), "close_reason", "Hearing adjourned; legal aid carries on alone."))
		if bad.Status != http.StatusUnprocessableEntity || !wcInvalid(bad, "close_confirm") || !strings.Contains(bad.Body, "Hearing adjourned; legal aid carries on alone.") {
			t.Fatalf("close without confirming: %d %q", bad.Status, bad.Text())
		}
		p = nav.Post(t, caseURL, wcWith(wcForm(t, bad, `value="close"`), "close_reason", "Hearing adjourned; legal aid carries on alone.", "close_confirm", "yes"))
		if !p.Contains("The case is closed") || strings.Contains(p.Body, `value="task"`) {
			t.Fatalf("closed case: %q", p.Text())
		}
	})
}

// TestWebCaseReferral: the clinic refers a client to legal aid; the
// preview marks what will not be shared; a legal aid advocate in a second
// browser opens and accepts it, and the sender's page shows it accepted.
func TestWebCaseReferral(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	client := wcScenarioClient(t, srv, "consent-denies-clinical")
	legal := srv.Login("f.rahimi").OrganizationID
	nav := srv.Browser(t)
	nav.SignIn(t, "amina.navigator")

	p := nav.Get(t, "/referrals/new?client="+client)
	if p.Status != http.StatusOK || !p.Contains("Send a referral") {
		t.Fatalf("new referral page: %d %q", p.Status, p.Text())
	}
	form := wcWith(wcForm(t, p, `name="client"`), "to_organization_id", legal, "categories", "demographics", "categories", "contact",
		"categories", "screening", "categories", "clinical_summary", "urgency", "urgent")

	t.Run("the preview marks a category that will not be shared", func(t *testing.T) {
		p := nav.Post(t, "/referrals/new", wcWith(form, "action", "preview"))
		text := p.Text()
		if p.Status != http.StatusOK || !strings.Contains(text, "clinical summaries: Will not be shared") || !strings.Contains(text, "the client's consent refuses this") {
			t.Fatalf("preview: %d %q", p.Status, text)
		}
		if !strings.Contains(text, "screening answers: Will be shared") {
			t.Errorf("the preview does not say screening answers will be shared: %q", text)
		}
		frag := nav.Post(t, "/referrals/preview", form)
		if strings.Contains(frag.Body, "<html") || !frag.Contains("Will not be shared") {
			t.Errorf("the htmx preview: %q", frag.Body)
		}
	})
	t.Run("bad input keeps the values and shows errors by the fields", func(t *testing.T) {
		p := nav.Post(t, "/referrals/new", wcWith(form, "action", "send", "reason", ""))
		if p.Status != http.StatusUnprocessableEntity || !wcInvalid(p, "reason") {
			t.Fatalf("status %d: %q", p.Status, p.Text())
		}
		if !regexp.MustCompile(`value="clinical_summary" checked`).MatchString(p.Body) || !regexp.MustCompile(`value="urgent" checked`).MatchString(p.Body) {
			t.Error("the categories and urgency chosen are not kept")
		}
	})

	p = nav.Post(t, "/referrals/new", wcWith(form, "action", "send", "reason", "Imminent eviction; needs representation at the hearing."))
	if !strings.HasPrefix(p.URL.Path, "/referrals/ref_") || !p.Contains("The referral is sent") || !p.Contains("sent") {
		t.Fatalf("after sending: %s %d %q", p.URL, p.Status, p.Text())
	}
	refURL := p.URL.Path

	adv := srv.Browser(t)
	adv.SignIn(t, "f.rahimi")
	if l := adv.Get(t, "/referrals"); !strings.Contains(l.Body, refURL) || !l.Contains("Riverside Community Health Centre") {
		t.Errorf("legal aid's referral list: %q", l.Text())
	}
	rp := adv.Get(t, refURL)
	var name string
	for _, c := range srv.P.Clients {
		if c.ID == client {
			name = c.GivenName
		}
	}
	if rp.Status != http.StatusOK || !rp.Contains("received") || !rp.Contains(name) || !rp.Contains("Not shared with you") || !rp.Contains("the client's consent refuses this") {
		t.Fatalf("the receiver's handoff: %d %q", rp.Status, rp.Text())
	}
	t.Run("a stale referral form is refused", func(t *testing.T) {
		stale := wcForm(t, rp, `value="accepted"`)
		stale.Set("version", "1")
		p := adv.Post(t, refURL, stale)
		if p.Status != http.StatusConflict || !p.Contains("Someone else changed this referral") {
			t.Fatalf("stale accept: %d %q", p.Status, p.Text())
		}
	})
	rp = adv.Get(t, refURL)
	p = adv.Post(t, refURL, wcForm(t, rp, `value="accepted"`))
	if !p.Contains("The referral is updated") || !p.Contains("accepted") {
		t.Fatalf("accepting: %d %q", p.Status, p.Text())
	}
	t.Run("the sender's page shows it accepted", func(t *testing.T) {
		p := nav.Get(t, refURL)
		if !regexp.MustCompile(`<span class="badge ok">accepted</span>`).MatchString(p.Body) {
			t.Errorf("sender's page: %q", p.Text())
		}
	})
	t.Run("assigning to a colleague", func(t *testing.T) {
		p := adv.Get(t, refURL)
		p = adv.Post(t, refURL, wcWith(wcForm(t, p, `value="assign"`), "assign_to", srv.Login("d.osei").ID))
		if !p.Contains("The referral is assigned") || !p.Contains("with Daniel Osei") {
			t.Fatalf("assign: %d %q", p.Status, p.Text())
		}
	})
}

// TestWebCaseEscalation: an escalation is raised for legal aid, the contact
// it was routed to acknowledges it, then resolves it.
func TestWebCaseEscalation(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	client := wcScenarioClient(t, srv, "consent-denies-clinical")
	legal := srv.Login("f.rahimi").OrganizationID
	nav := srv.Browser(t)
	nav.SignIn(t, "amina.navigator")

	p := nav.Get(t, "/escalations/new?client="+client)
	form := wcWith(wcForm(t, p, `name="client"`), "organization_id", legal, "kind", "imminent_eviction", "urgency", "urgent")
	t.Run("bad input keeps the values and shows errors by the fields", func(t *testing.T) {
		p := nav.Post(t, "/escalations/new", wcWith(form, "summary", ""))
		if p.Status != http.StatusUnprocessableEntity || !wcInvalid(p, "summary") || !regexp.MustCompile(`value="imminent_eviction" checked`).MatchString(p.Body) {
			t.Fatalf("status %d: %q", p.Status, p.Text())
		}
	})
	p = nav.Post(t, "/escalations/new", wcWith(form, "summary", "Bailiffs booked for Thursday morning."))
	if !strings.HasPrefix(p.URL.Path, "/escalations/esc_") || !p.Contains("The escalation is raised") || !p.Contains("Lucy Chen") || !p.Contains("acknowledge by") {
		t.Fatalf("after raising: %s %d %q", p.URL, p.Status, p.Text())
	}
	escURL := p.URL.Path

	chen := srv.Browser(t)
	chen.SignIn(t, "l.chen")
	l := chen.Get(t, "/escalations")
	if !strings.Contains(l.Body, escURL) || !l.Contains("Waiting for you to acknowledge") {
		t.Fatalf("l.chen's escalations: %q", l.Text())
	}
	ep, stale := chen.Get(t, escURL), chen.Get(t, escURL)
	if !ep.Contains("You must acknowledge this now") {
		t.Errorf("the contact is not told to acknowledge: %q", ep.Text())
	}
	p = chen.Post(t, escURL, wcForm(t, ep, `value="acknowledge"`))
	if !p.Contains("You acknowledged the escalation") || !p.Contains("act by") {
		t.Fatalf("acknowledge: %d %q", p.Status, p.Text())
	}
	t.Run("a stale acknowledgement is refused", func(t *testing.T) {
		p := chen.Post(t, escURL, wcForm(t, stale, `value="acknowledge"`))
		if p.Status != http.StatusConflict || !p.Contains("Someone else changed this escalation") {
			t.Fatalf("stale acknowledge: %d %q", p.Status, p.Text())
		}
	})
	ep = chen.Get(t, escURL)
	bad := chen.Post(t, escURL, wcWith(wcForm(t, ep, `value="resolve"`), "resolution", ""))
	if bad.Status != http.StatusUnprocessableEntity || !wcInvalid(bad, "resolution") {
		t.Fatalf("resolve without text: %d %q", bad.Status, bad.Text())
	}
	p = chen.Post(t, escURL, wcWith(wcForm(t, bad, `value="resolve"`), "resolution", "Emergency application lodged; eviction suspended."))
	if !p.Contains("The escalation is closed") || !p.Contains("resolved") {
		t.Fatalf("resolve: %d %q", p.Status, p.Text())
	}
	if p := nav.Get(t, escURL); !p.Contains("resolved") || !p.Contains("Emergency application lodged") {
		t.Errorf("the raiser's page: %q", p.Text())
	}
}

// TestWebCaseDirectory: the directory searches by a POST form and offers
// "refer" only for a client.
func TestWebCaseDirectory(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	nav := srv.Browser(t)
	nav.SignIn(t, "amina.navigator")
	client := wcScenarioClient(t, srv, "consent-denies-clinical")
	for _, tc := range []struct {
		name, path string
		form       url.Values
		want       string
		refer      bool
	}{
		{"all", "/directory", nil, "Housing and eviction defence", false},
		{"search", "/directory", url.Values{"q": {"eviction"}}, "Housing and eviction defence", false},
		{"language", "/directory", url.Values{"language": {"so"}}, "Emergency food and essentials", false},
		{"for a client", "/directory?client=" + client, nil, "Refer the client here", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p *testserver.Page
			if tc.form != nil {
				p = nav.Post(t, tc.path, tc.form)
			} else {
				p = nav.Get(t, tc.path)
			}
			if p.Status != http.StatusOK || !p.Contains(tc.want) {
				t.Fatalf("%d %q", p.Status, p.Text())
			}
			if got := strings.Contains(p.Body, "/referrals/new?client="); got != tc.refer {
				t.Errorf("refer links shown: %v, want %v", got, tc.refer)
			}
		})
	}
	for _, path := range []string{"/referrals", "/referrals?show=all", "/escalations"} {
		if p := nav.Get(t, path); p.Status != http.StatusOK {
			t.Errorf("%s: %d", path, p.Status)
		}
	}
}
