package http_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
	"github.com/accord-project/accord/sqlstore"
)

var trackingCodeRE = regexp.MustCompile(`<p class="code-big" id="tracking-code">([0-9A-Z]{4}(?:-[0-9A-Z]{4}){4})</p>`)

var grievanceLinkRE = regexp.MustCompile(`href="/grievances/(grv_[a-z2-7]{26})"`)

// raiseGrievance sends the public complaint form and returns the code
// shown.
func raiseGrievance(t *testing.T, b *testserver.Browser, form url.Values) (string, *testserver.Page) {
	t.Helper()
	p := b.Get(t, "/grievances/new")
	if p.Status != http.StatusOK {
		t.Fatalf("GET /grievances/new: %d", p.Status)
	}
	form.Set("form_token", p.FormToken())
	p = b.Post(t, "/grievances/new", form)
	m := trackingCodeRE.FindStringSubmatch(p.Body)
	if p.Status != http.StatusCreated || m == nil {
		t.Fatalf("sending a complaint: status %d, no code: %q", p.Status, p.Text())
	}
	return m[1], p
}

func track(t *testing.T, b *testserver.Browser, code string) *testserver.Page {
	t.Helper()
	p := b.Get(t, "/grievances/track")
	return b.Post(t, "/grievances/track", url.Values{"form_token": {p.FormToken()}, "code": {code}})
}

func grievanceCount(t *testing.T, srv *testserver.Server) int {
	t.Helper()
	gs, err := srv.DB.Grievances(context.Background(), sqlstore.GrievanceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(gs)
}

// TestWebGrievancePublic: an anonymous person complains without an
// account, gets a code shown once, follows the complaint with it (the code
// never in a URL), adds information; bad input and bad codes are refused
// plainly and change nothing.
func TestWebGrievancePublic(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	clinic := orgNamed(t, srv, "Riverside")
	b := srv.Browser(t)

	p := b.Get(t, "/grievances/new")
	if p.Status != http.StatusOK || !p.Contains("Make a complaint") || !p.Contains("stay anonymous") || p.Contains("Sign out") {
		t.Fatalf("the public form: %d %q", p.Status, p.Text())
	}
	valid := url.Values{"category": {"status_denial"}, "description": {"The front desk said they cannot see me without a residence permit."},
		"organization_id": {clinic.ID}, "identity": {"anonymous"}, "name": {"typed before choosing"}}

	t.Run("bad input keeps what was typed and changes nothing", func(t *testing.T) {
		before := grievanceCount(t, srv)
		for name, tc := range map[string]struct {
			edit  func(v url.Values)
			field string
		}{
			"no text":                  {func(v url.Values) { v.Set("description", "   ") }, "description"},
			"oversized text":           {func(v url.Values) { v.Set("description", strings.Repeat("a", accord.GrievanceTextMax+1)) }, "description"},
			"no category":              {func(v url.Values) { v.Del("category") }, "category"},
			"no name, not anonymous":   {func(v url.Values) { v.Set("identity", "named"); v.Del("name") }, "name"},
			"no choice about the name": {func(v url.Values) { v.Del("identity") }, "identity"},
		} {
			t.Run(name, func(t *testing.T) {
				form := url.Values{}
				for k, vs := range valid {
					form[k] = append([]string(nil), vs...)
				}
				tc.edit(form)
				form.Set("form_token", b.Get(t, "/grievances/new").FormToken())
				p := b.Post(t, "/grievances/new", form)
				if p.Status != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422: %q", p.Status, p.Text())
				}
				if !strings.Contains(p.Body, `id="f-`+tc.field+`-error"`) {
					t.Errorf("no error beside %s: %q", tc.field, p.Text())
				}
				if tc.field != "description" && !strings.Contains(p.Body, "residence permit") {
					t.Error("what was typed is lost")
				}
				if trackingCodeRE.MatchString(p.Body) {
					t.Error("a code was shown for a refused complaint")
				}
			})
		}
		if n := grievanceCount(t, srv); n != before {
			t.Errorf("%d complaints stored by refused forms", n-before)
		}
	})

	var code string
	t.Run("anonymous complaint gives a code that tracks it", func(t *testing.T) {
		form := url.Values{}
		for k, vs := range valid {
			form[k] = vs
		}
		p := b.Get(t, "/grievances/new")
		form.Set("form_token", p.FormToken())
		p = b.Post(t, "/grievances/new", form)
		m := trackingCodeRE.FindStringSubmatch(p.Body)
		if p.Status != http.StatusCreated || m == nil {
			t.Fatalf("status %d: %q", p.Status, p.Text())
		}
		code = m[1]
		if !p.Contains("Write this code down") || !p.Contains(clinic.Name) || !p.Contains("Independent Ombudsperson") {
			t.Errorf("the code page does not say where it went and to keep the code: %q", p.Text())
		}
		if strings.Contains(p.URL.String(), code) || strings.Contains(p.URL.String(), strings.ReplaceAll(code, "-", "")) {
			t.Errorf("the code is in the URL %s", p.URL)
		}
		// The same form sent again stores nothing more.
		n := grievanceCount(t, srv)
		again := b.Post(t, "/grievances/new", form)
		if trackingCodeRE.MatchString(again.Body) || !again.Contains("already sent") || grievanceCount(t, srv) != n {
			t.Errorf("a double submission: %d complaints, page %q", grievanceCount(t, srv)-n+1, again.Text())
		}

		p = track(t, b, strings.ToLower(strings.ReplaceAll(code, "-", " ")))
		if p.Status != http.StatusOK || !p.Contains("residence permit") || !p.Contains("Help refused or delayed because of papers") ||
			!p.Contains("You chose to stay anonymous") || !p.Contains(clinic.Name) {
			t.Fatalf("following the complaint: %d %q", p.Status, p.Text())
		}
		if strings.Contains(p.URL.String(), code) || p.URL.RawQuery != "" {
			t.Errorf("the code is in the URL %s", p.URL)
		}
		if p.Contains("typed before choosing") {
			t.Error("a name typed before choosing anonymity was kept")
		}
	})

	t.Run("the person adds information", func(t *testing.T) {
		p := track(t, b, code)
		form := url.Values{"form_token": {formTokenIn(p.Body, "/grievances/track/info")}, "code": {code}, "text": {"It happened again on Monday."}}
		p = b.Post(t, "/grievances/track/info", form)
		if p.Status != http.StatusOK || !p.Contains("Your information is added") || !p.Contains("It happened again on Monday.") {
			t.Fatalf("adding information: %d %q", p.Status, p.Text())
		}
		form.Set("form_token", formTokenIn(p.Body, "/grievances/track/info"))
		form.Set("text", "")
		p = b.Post(t, "/grievances/track/info", form)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-text-error"`) {
			t.Errorf("empty information: %d %q", p.Status, p.Text())
		}
		if !p.Contains("It happened again on Monday.") {
			t.Error("the complaint is not shown with the error")
		}
		if p.Contains("You can appeal") || strings.Contains(p.Body, `action="/grievances/track/appeal"`) {
			t.Error("an appeal is offered before there is an outcome")
		}
	})

	t.Run("an unknown code and a malformed code get the same answer", func(t *testing.T) {
		unknown := track(t, b, accord.NewTrackingCode())
		malformed := track(t, b, "hello")
		if unknown.Status != http.StatusUnprocessableEntity || unknown.Status != malformed.Status {
			t.Fatalf("statuses %d and %d", unknown.Status, malformed.Status)
		}
		if unknown.Text() != malformed.Text() || !unknown.Contains("We could not find a complaint with this code") {
			t.Errorf("different answers:\n%q\n%q", unknown.Text(), malformed.Text())
		}
		strip := func(s string) string { return regexp.MustCompile(`value="[^"]*"`).ReplaceAllString(s, "") }
		if strip(unknown.Body) != strip(malformed.Body) {
			t.Error("the two pages differ in more than their form token")
		}
		if strings.Contains(malformed.Body, "hello") {
			t.Error("the typed code is shown back")
		}
	})

	t.Run("look-ups are rate limited per address", func(t *testing.T) {
		var last *testserver.Page
		for range 40 {
			last = b.Post(t, "/grievances/track", url.Values{"code": {"nope"}})
			if last.Status == http.StatusTooManyRequests {
				break
			}
		}
		if last.Status != http.StatusTooManyRequests || !last.Contains("Too many tries") {
			t.Errorf("40 look-ups: last status %d", last.Status)
		}
		srv.Clock.Set(srv.Clock.Now().Add(24 * time.Hour)) // a new day, a new key
		if p := track(t, b, code); p.Status != http.StatusOK {
			t.Errorf("next day: %d", p.Status)
		}
	})
}

// formTokenIn returns the form token of the form posting to action.
func formTokenIn(body, action string) string {
	i := strings.Index(body, `action="`+action+`"`)
	if i < 0 {
		return ""
	}
	m := regexp.MustCompile(`name="form_token" value="([^"]+)"`).FindStringSubmatch(body[i:])
	if m == nil {
		return ""
	}
	return m[1]
}

// grievanceID finds the id of the only grievance in a queue page.
func grievanceIDs(p *testserver.Page) []string {
	var out []string
	for _, m := range grievanceLinkRE.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestWebGrievanceRoutingAndConfidentiality: a discrimination complaint
// naming the clinic reaches the clinic's privacy officer and the
// ombudsperson; the clinic officer does not see the person's name, the
// ombudsperson does; other clinic staff cannot open it.
func TestWebGrievanceRoutingAndConfidentiality(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	clinic := orgNamed(t, srv, "Riverside")
	code, _ := raiseGrievance(t, srv.Browser(t), url.Values{"category": {"discrimination"}, "organization_id": {clinic.ID},
		"description": {"The doctor refused to examine me because I wear a headscarf."}, "identity": {"named"},
		"name": {"Samira Haddad"}, "contact": {"07700 900123"}})
	_ = code

	officer := srv.Browser(t)
	officer.SignIn(t, "p.nowak")
	q := officer.Get(t, "/grievances")
	ids := grievanceIDs(q)
	if len(ids) != 1 || !q.Contains("Discrimination") || !q.Contains("Involved") {
		t.Fatalf("the clinic officer's queue: %v %q", ids, q.Text())
	}
	id := ids[0]
	d := officer.Get(t, "/grievances/"+id)
	if d.Status != http.StatusOK || !d.Contains("headscarf") || !d.Contains("Kept confidential") {
		t.Fatalf("the clinic officer's view: %d %q", d.Status, d.Text())
	}
	if d.Contains("Samira") || d.Contains("07700") {
		t.Fatal("the clinic officer sees who complained")
	}
	if !officer.Get(t, "/work").Contains("A complaint needs your answer") {
		t.Error("the clinic officer was not notified")
	}

	ombuds := srv.Browser(t)
	ombuds.SignIn(t, "c.achebe")
	if q := ombuds.Get(t, "/grievances"); len(grievanceIDs(q)) != 1 {
		t.Fatalf("the ombudsperson's queue: %q", q.Text())
	}
	od := ombuds.Get(t, "/grievances/"+id)
	if !od.Contains("Samira Haddad") || !od.Contains("07700 900123") || !od.Contains("public complaint page") {
		t.Fatalf("the ombudsperson does not see who complained: %q", od.Text())
	}
	if !ombuds.Get(t, "/work").Contains("A complaint needs your answer") {
		t.Error("the ombudsperson was not notified")
	}

	for _, user := range []string{"j.okafor", "s.bennett", "f.rahimi"} {
		t.Run(user+" cannot open it", func(t *testing.T) {
			b := srv.Browser(t)
			b.SignIn(t, user)
			p := b.Get(t, "/grievances/"+id)
			if p.Status != http.StatusNotFound || p.Contains("headscarf") {
				t.Errorf("status %d: %q", p.Status, p.Text())
			}
			if q := b.Get(t, "/grievances"); len(grievanceIDs(q)) != 0 || !q.Contains("Raise a complaint for someone") {
				t.Errorf("queue: %q", q.Text())
			}
		})
	}

	// No audit entry holds the name.
	entries, err := srv.DB.AuditEntries(context.Background(), sqlstore.AuditFilter{After: -1, Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	views := 0
	for _, e := range entries {
		if strings.Contains(e.ObjectID+e.ActorID+e.ClientID+e.Action, "Samira") {
			t.Fatal("an audit entry names the person")
		}
		if e.Action == "grievance.view" && e.ObjectID == id {
			views++
		}
	}
	if views < 2 {
		t.Errorf("%d grievance.view audit entries, want one per staff view", views)
	}
}

// TestWebGrievanceDeadlineAppeal: the officer misses the deadline and it
// climbs (the supervisor sees it, marked overdue in words); then the
// officer answers through the page, the person reads the answer and
// appeals once, and the ombudsperson decides.
func TestWebGrievanceDeadlineAppeal(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	clinic := orgNamed(t, srv, "Riverside")
	person := srv.Browser(t)
	code, _ := raiseGrievance(t, person, url.Values{"category": {"language_access"}, "organization_id": {clinic.ID},
		"description": {"No Tigrinya interpreter, three visits in a row."}, "identity": {"anonymous"}})

	officer := srv.Browser(t)
	officer.SignIn(t, "p.nowak")
	id := grievanceIDs(officer.Get(t, "/grievances"))[0]
	lead := srv.Browser(t)
	lead.SignIn(t, "s.bennett")
	if p := lead.Get(t, "/grievances/"+id); p.Status != http.StatusNotFound {
		t.Fatalf("the supervisor opened it before any deadline was missed: %d", p.Status)
	}

	t.Run("a missed deadline escalates", func(t *testing.T) {
		ctx := context.Background()
		g, _ := srv.DB.FindGrievance(ctx, id)
		runner := &enforce.Runner{DB: srv.DB}
		srv.Clock.Set(g.DueAt.Add(-time.Minute))
		if n, err := runner.FireDue(ctx); err != nil || n != 0 {
			t.Fatalf("before the deadline FireDue = %d, %v", n, err)
		}
		srv.Clock.Set(g.DueAt.Add(time.Minute))
		if n, err := runner.FireDue(ctx); err != nil || n != 1 {
			t.Fatalf("after the deadline FireDue = %d, %v", n, err)
		}
		// Days later: the sessions have ended; everyone signs in again.
		officer, lead = srv.Browser(t), srv.Browser(t)
		officer.SignIn(t, "p.nowak")
		lead.SignIn(t, "s.bennett")
		q := lead.Get(t, "/grievances")
		if ids := grievanceIDs(q); len(ids) != 1 || !q.Contains("Overdue") || !q.Contains("deadline missed 1 times") {
			t.Fatalf("the supervisor's queue after the deadline: %q", q.Text())
		}
		if !lead.Get(t, "/work").Contains("A complaint has passed its deadline without an outcome") {
			t.Error("the supervisor was not told")
		}
		ombuds := srv.Browser(t)
		ombuds.SignIn(t, "i.larsen")
		if !ombuds.Get(t, "/work").Contains("A complaint has passed its deadline without an outcome") {
			t.Error("the ombudsperson was not told")
		}
		if p := track(t, person, code); !p.Contains("The deadline was missed") || !p.Contains("Late") {
			t.Errorf("the person is not told it is late: %q", p.Text())
		}
	})

	t.Run("the officer answers", func(t *testing.T) {
		d := officer.Get(t, "/grievances/"+id)
		stale := formTokenIn(d.Body, "/grievances/"+id+"/acknowledge")
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(d.Body)[1]
		p := officer.Post(t, "/grievances/"+id+"/acknowledge", url.Values{"form_token": {stale}, "version": {version}})
		if !p.Contains("The person is told their complaint is being looked at") {
			t.Fatalf("acknowledge: %q", p.Text())
		}
		// A form loaded before that, at the old version, is refused.
		p = officer.Post(t, "/grievances/"+id+"/outcome", url.Values{"form_token": {formTokenIn(d.Body, "/grievances/"+id+"/outcome")}, "version": {version},
			"outcome": {"upheld"}, "findings": {"We did not book one."}, "remedy": {"Interpreter booked for every visit."}})
		if p.Status != http.StatusConflict || !p.Contains("someone else changed this complaint") || !p.Contains("Interpreter booked for every visit.") {
			t.Fatalf("a stale outcome: %d %q", p.Status, p.Text())
		}
		d = officer.Get(t, "/grievances/"+id)
		p = officer.Post(t, "/grievances/"+id+"/message", url.Values{"form_token": {formTokenIn(d.Body, "/grievances/"+id+"/message")},
			"text": {"We are sorry. We are checking the bookings."}})
		if !p.Contains("Your message is sent") {
			t.Fatalf("message: %q", p.Text())
		}
		d = officer.Get(t, "/grievances/"+id)
		version = regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(d.Body)[1]
		bad := url.Values{"form_token": {formTokenIn(d.Body, "/grievances/"+id+"/outcome")}, "version": {version}, "outcome": {"upheld"}, "findings": {"We did not book one."}}
		p = officer.Post(t, "/grievances/"+id+"/outcome", bad)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-remedy-error"`) || !p.Contains("We did not book one.") {
			t.Fatalf("an upheld outcome without a remedy: %d %q", p.Status, p.Text())
		}
		bad.Set("remedy", "Interpreter booked for every visit.")
		p = officer.Post(t, "/grievances/"+id+"/outcome", bad)
		if !p.Contains("The outcome is recorded") || p.Contains("Record the outcome") {
			t.Fatalf("outcome: %q", p.Text())
		}
	})

	t.Run("the person appeals once", func(t *testing.T) {
		p := track(t, person, code)
		if !p.Contains("We are sorry. We are checking the bookings.") || !p.Contains("Upheld") || !p.Contains("Interpreter booked for every visit.") ||
			p.Contains("Piotr") {
			t.Fatalf("the person's view of the answer: %q", p.Text())
		}
		token := formTokenIn(p.Body, "/grievances/track/appeal")
		if token == "" {
			t.Fatal("no appeal form after the outcome")
		}
		p = person.Post(t, "/grievances/track/appeal", url.Values{"form_token": {token}, "code": {code}, "reason": {"It was three visits, not one."}})
		if !p.Contains("Your appeal is sent") || p.Contains("Send my appeal") || !p.Contains("You have used your one appeal") {
			t.Fatalf("appeal: %q", p.Text())
		}
		// A second appeal (a form kept from before) is refused.
		p = person.Post(t, "/grievances/track/appeal", url.Values{"form_token": {strings.Repeat("a", 26)}, "code": {code}, "reason": {"again"}})
		if p.Status != http.StatusConflict || !p.Contains("already appealed") {
			t.Errorf("second appeal: %d %q", p.Status, p.Text())
		}
		// The clinic can no longer answer.
		if p := officer.Get(t, "/grievances/"+id); strings.Contains(p.Body, `action="/grievances/`+id+`/outcome"`) {
			t.Error("the clinic is offered to decide the appeal")
		}
	})

	t.Run("the ombudsperson decides", func(t *testing.T) {
		ombuds := srv.Browser(t)
		ombuds.SignIn(t, "v.moreau")
		d := ombuds.Get(t, "/grievances/"+id)
		if !d.Contains("Decide the appeal") || !d.Contains("Anonymous") {
			t.Fatalf("the appeal page: %q", d.Text())
		}
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(d.Body)[1]
		p := ombuds.Post(t, "/grievances/"+id+"/outcome", url.Values{"form_token": {formTokenIn(d.Body, "/grievances/"+id+"/outcome")}, "version": {version},
			"outcome": {"upheld"}, "findings": {"Three visits had no interpreter."}, "remedy": {"Written apology and an audit of bookings."}})
		if !p.Contains("The outcome is recorded") || !p.Contains("Closed: final decision") {
			t.Fatalf("deciding: %q", p.Text())
		}
		p = track(t, person, code)
		if !p.Contains("Final decision of the oversight body") || !p.Contains("an audit of bookings") || strings.Contains(p.Body, `action="/grievances/track/info"`) {
			t.Errorf("the person's view after the decision: %q", p.Text())
		}
	})
}

// TestWebGrievanceStaffAndPortal: staff write a complaint down for a
// person and get the code for them; a signed-in client complains from the
// portal and follows it there.
func TestWebGrievanceStaffAndPortal(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	nav := srv.Browser(t)
	nav.SignIn(t, "omar.navigator")
	p := nav.Get(t, "/grievances/raise")
	if p.Status != http.StatusOK || !p.Contains("You are recorded as the person who entered this complaint") {
		t.Fatalf("the staff form: %d %q", p.Status, p.Text())
	}
	form := url.Values{"form_token": {p.FormToken()}, "category": {"coercion"}, "description": {"Told to sign a consent form she could not read."},
		"identity": {"named"}, "name": {"Mariam"}, "case_id": {"cas_nonexistentnonexistent12"}}
	p = nav.Post(t, "/grievances/raise", form)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-case_id-error"`) {
		t.Fatalf("an unknown case: %d %q", p.Status, p.Text())
	}
	form.Set("form_token", p.FormToken())
	form.Del("case_id")
	p = nav.Post(t, "/grievances/raise", form)
	if p.Status != http.StatusCreated || !trackingCodeRE.MatchString(p.Body) || !p.Contains("Give this code to the person") {
		t.Fatalf("raising for someone: %d %q", p.Status, p.Text())
	}
	ombuds := srv.Browser(t)
	ombuds.SignIn(t, "c.achebe")
	ids := grievanceIDs(ombuds.Get(t, "/grievances"))
	if len(ids) != 1 {
		t.Fatalf("ombudsperson queue: %v", ids)
	}
	if d := ombuds.Get(t, "/grievances/"+ids[0]); !d.Contains("Mariam") || !d.Contains("Written down by Omar Al-Sayed") {
		t.Errorf("the ombudsperson does not see who raised it: %q", d.Text())
	}

	t.Run("portal", func(t *testing.T) {
		clientID := scenarioClient(t, srv, "advocate-reads-clinical-summary")
		staff := srv.Browser(t)
		staff.SignIn(t, "amina.navigator")
		client := portalSignIn(t, srv, strings.Join(issuePortalCode(t, srv, staff, clientID), ""))
		p := client.Get(t, "/my/grievances")
		if p.Status != http.StatusOK || !p.Contains("You have not made a complaint here") {
			t.Fatalf("the portal list: %d %q", p.Status, p.Text())
		}
		p = client.Get(t, "/my/grievances/new")
		if strings.Contains(p.Body, `name="identity"`) {
			t.Error("the portal form asks about anonymity (it is linked to the client)")
		}
		p = client.Post(t, "/my/grievances/new", url.Values{"form_token": {p.FormToken()}, "category": {"privacy_breach"},
			"description": {"My appointment letter was posted to my old address."}})
		if p.Status != http.StatusCreated || !trackingCodeRE.MatchString(p.Body) {
			t.Fatalf("portal complaint: %d %q", p.Status, p.Text())
		}
		list := client.Get(t, "/my/grievances")
		link := regexp.MustCompile(`href="(/my/grievances/grv_[a-z2-7]{26})"`).FindStringSubmatch(list.Body)
		if link == nil {
			t.Fatalf("the complaint is not listed: %q", list.Text())
		}
		v := client.Get(t, link[1])
		if !v.Contains("old address") || !v.Contains("Kept confidential") {
			t.Fatalf("the portal view: %q", v.Text())
		}
		v = client.Post(t, link[1]+"/info", url.Values{"form_token": {formTokenIn(v.Body, link[1]+"/info")}, "text": {"They have my new address on file."}})
		if !v.Contains("Your information is added") || !v.Contains("new address on file") {
			t.Errorf("adding information in the portal: %q", v.Text())
		}
		// Another client cannot open it.
		other := srv.Browser(t)
		if p := other.Get(t, link[1]); p.URL.Path != "/my/signin" {
			t.Errorf("without a session: %s", p.URL)
		}
		d := ombuds.Get(t, "/grievances/"+strings.TrimPrefix(link[1], "/my/grievances/"))
		if !d.Contains("Made in the client portal") {
			t.Errorf("the ombudsperson does not see the client link: %q", d.Text())
		}
	})
}
