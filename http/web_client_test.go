package http_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
)

// webClientScenario returns the client of a demo scenario.
func webClientScenario(t *testing.T, srv *testserver.Server, id string) accord.Client {
	t.Helper()
	for _, sc := range srv.P.Scenarios {
		if sc.ID == id {
			for _, c := range srv.P.Clients {
				if c.ID == sc.ClientID {
					return c
				}
			}
		}
	}
	t.Fatalf("no demo scenario %q", id)
	return accord.Client{}
}

func webClientOrg(t *testing.T, srv *testserver.Server, name string) string {
	t.Helper()
	for _, o := range srv.P.Organizations {
		if o.Name == name {
			return o.ID
		}
	}
	t.Fatalf("no demo organisation %q", name)
	return ""
}

// birth splits a demo birth date (YYYY-MM-DD) into the intake form's fields.
func webClientBirth(v url.Values, bd string) url.Values {
	parts := strings.Split(bd, "-")
	v.Set("birth_year", parts[0])
	if len(parts) > 1 {
		v.Set("birth_month", parts[1])
	}
	if len(parts) > 2 {
		v.Set("birth_day", parts[2])
	}
	return v
}

var webClientLinkRE = regexp.MustCompile(`href="/clients/(cli_[A-Za-z0-9]+)"`)

// TestWebClientIntake registers clients: bad input is kept and explained
// by its field, a double submit registers one client, and a person already
// known is suggested before a second record is made.
func TestWebClientIntake(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	b := srv.Browser(t)
	b.SignIn(t, "amina.navigator")

	t.Run("bad input keeps the values and shows each error by its field", func(t *testing.T) {
		token := b.Get(t, "/clients/new").FormToken()
		p := b.Post(t, "/clients/new", url.Values{"form_token": {token}, "given_name": {""}, "family_name": {"Oyelaran-Brightwater"},
			"birth_year": {"19x4"}, "email": {"not an address"}, "gender": {"non_binary"}, "preferred_language": {"so"}})
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", p.Status)
		}
		for _, field := range []string{"given_name", "birth_date", "email"} {
			if !strings.Contains(p.Body, `id="f-`+field+`-error"`) {
				t.Errorf("no error beside %s", field)
			}
		}
		if !strings.Contains(p.Body, `value="Oyelaran-Brightwater"`) || !strings.Contains(p.Body, `value="19x4"`) {
			t.Error("the typed values are not kept")
		}
		if !regexp.MustCompile(`value="non_binary" checked`).MatchString(p.Body) || !regexp.MustCompile(`<option value="so" selected>`).MatchString(p.Body) {
			t.Error("the choices made are not kept")
		}
		if p.FormToken() != token {
			t.Error("the form shown again has another token: a corrected form could not be sent")
		}
	})

	t.Run("a double submit registers one client", func(t *testing.T) {
		form := webClientBirth(url.Values{"form_token": {b.Get(t, "/clients/new").FormToken()}, "given_name": {"Zebulon"}, "family_name": {"Quartermaine"},
			"gender": {"man"}, "preferred_language": {"uk"}, "interpreter_needed": {"yes"}, "phone": {"+44 7700 900123"}}, "1990-04-12")
		first := b.Post(t, "/clients/new", form)
		second := b.Post(t, "/clients/new", form)
		if !strings.HasPrefix(first.URL.Path, "/clients/cli_") || second.URL.Path != first.URL.Path {
			t.Fatalf("first submit ended at %s, second at %s; want the same new profile", first.URL.Path, second.URL.Path)
		}
		if !first.Contains("Zebulon Quartermaine") || !first.Contains("The client is registered.") {
			t.Errorf("the profile does not show the new client: %q", first.Text())
		}
		res := b.Post(t, "/clients", url.Values{"q": {"quartermaine"}})
		if n := len(webClientLinkRE.FindAllString(res.Body, -1)); n != 1 {
			t.Errorf("a search finds %d clients named Quartermaine, want 1", n)
		}
		if strings.Contains(res.URL.RawQuery, "quartermaine") {
			t.Error("the search term is in the URL")
		}
	})

	t.Run("a possible match is shown and must be confirmed too", func(t *testing.T) {
		reg := webClientBirth(url.Values{"form_token": {b.Get(t, "/clients/new").FormToken()}, "given_name": {"Peregrine"}, "family_name": {"Oyelaran"},
			"gender": {"man"}, "preferred_language": {"en"}}, "1985-09-14")
		first := b.Post(t, "/clients/new", reg)
		if !strings.HasPrefix(first.URL.Path, "/clients/cli_") {
			t.Fatalf("registering Peregrine Oyelaran ended at %s: %q", first.URL.Path, first.Text())
		}
		// The given name and the year only: he could be the one, though
		// not likely.
		form := webClientBirth(url.Values{"form_token": {b.Get(t, "/clients/new").FormToken()}, "given_name": {"Peregrine"},
			"gender": {"man"}, "preferred_language": {"en"}}, "1985")
		p := b.Post(t, "/clients/new", form)
		if p.URL.Path != "/clients/new" || !strings.Contains(p.Body, `href="`+first.URL.Path+`"`) || !strings.Contains(p.Body, `name="confirm_new"`) {
			t.Fatalf("ended at %s; want the form again with the possible duplicate and a confirmation: %q", p.URL.Path, p.Text())
		}
		if !p.Contains("Possible matches") {
			t.Errorf("the page does not list the possible matches: %q", p.Text())
		}
		if strings.Contains(p.Body, `class="client-likely"`) {
			t.Error("a possible match is listed among the likely ones")
		}
		form.Set("form_token", p.FormToken())
		form.Set("confirm_new", "yes")
		p = b.Post(t, "/clients/new", form)
		if !strings.HasPrefix(p.URL.Path, "/clients/cli_") || p.URL.Path == first.URL.Path {
			t.Fatalf("confirmed registration ended at %s", p.URL.Path)
		}
	})

	known := webClientScenario(t, srv, "clinician-reads-clinical-summary")
	person := webClientBirth(url.Values{"given_name": {known.GivenName}, "family_name": {known.FamilyName}, "gender": {"woman"}, "preferred_language": {"ar"}}, known.BirthDate)

	t.Run("the live check suggests the demo client", func(t *testing.T) {
		p := b.Post(t, "/clients/new/matches", person)
		if p.Status != http.StatusOK || !strings.Contains(p.Body, `href="/clients/`+known.ID+`"`) {
			t.Fatalf("status %d; the fragment does not link to %s: %q", p.Status, known.ID, p.Text())
		}
		if strings.Contains(p.Body, "<html") {
			t.Error("the fragment is a whole page")
		}
	})

	t.Run("without JavaScript the first submit asks to confirm", func(t *testing.T) {
		form := url.Values{}
		for k, v := range person {
			form[k] = v
		}
		form.Set("form_token", b.Get(t, "/clients/new").FormToken())
		p := b.Post(t, "/clients/new", form)
		if p.URL.Path != "/clients/new" || !strings.Contains(p.Body, `href="/clients/`+known.ID+`"`) || !strings.Contains(p.Body, `name="confirm_new"`) {
			t.Fatalf("ended at %s; want the form again with the likely duplicate and a confirmation: %q", p.URL.Path, p.Text())
		}
		if !p.Contains("Is this person already registered?") {
			t.Error("the page does not ask whether the person is already registered")
		}
		form.Set("form_token", p.FormToken())
		form.Set("confirm_new", "yes")
		p = b.Post(t, "/clients/new", form)
		if !strings.HasPrefix(p.URL.Path, "/clients/cli_") || p.URL.Path == "/clients/"+known.ID {
			t.Fatalf("confirmed registration ended at %s", p.URL.Path)
		}
	})
}

// TestWebClientProfile shows a legal advocate the profile of a client
// whose consent refuses clinical data to legal aid.
func TestWebClientProfile(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	cl := webClientScenario(t, srv, "consent-denies-clinical")
	b := srv.Browser(t)
	b.SignIn(t, "f.rahimi")
	p := b.Get(t, "/clients/"+cl.ID)
	if p.Status != http.StatusOK {
		t.Fatalf("status %d: %q", p.Status, p.Text())
	}
	for _, want := range []string{
		cl.GivenName + " " + cl.FamilyName,
		"Clinical summaries",
		"Held by Riverside Community Health Centre",
		"Not shared: the client's consent refuses this",
		"Social needs screen: positive for food insecurity", // screening is shared
	} {
		if !p.Contains(want) {
			t.Errorf("the profile does not say %q: %q", want, p.Text())
		}
	}
	if p.Contains("Type 2 diabetes") {
		t.Error("the withheld clinical summary is shown")
	}
	if title := regexp.MustCompile(`<title>([^<]*)</title>`).FindStringSubmatch(p.Body); title == nil || strings.Contains(title[1], cl.FamilyName) {
		t.Errorf("the page title holds personal data: %v", title)
	}
	for _, link := range []string{"/clients/" + cl.ID + "/cases/new", "/referrals/new?client=" + cl.ID, "/escalations/new?client=" + cl.ID,
		`action="/clients/` + cl.ID + `/portal-code"`} {
		if !strings.Contains(p.Body, link) {
			t.Errorf("no link or form to %s", link)
		}
	}
	// The access report is produced by the client's home organisation, not
	// by legal aid.
	if strings.Contains(p.Body, "/clients/"+cl.ID+"/access-report") {
		t.Error("a link to an access report the advocate may not produce")
	}

	t.Run("an outsider is refused with the reason", func(t *testing.T) {
		police := srv.Browser(t)
		police.SignIn(t, "t.reid")
		p := police.Get(t, "/clients/"+cl.ID)
		if p.Status != http.StatusForbidden || !p.Contains("Not shared") || p.Contains(cl.FamilyName) {
			t.Errorf("status %d, text %q", p.Status, p.Text())
		}
	})
}

// TestWebClientConsent captures a consent that lets legal aid see a
// clinical summary, then revokes it: the next load no longer shows it.
func TestWebClientConsent(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	cl := webClientScenario(t, srv, "expired-consent")
	legal := webClientOrg(t, srv, "Northside Legal Aid Society")
	nav := srv.Browser(t)
	nav.SignIn(t, "amina.navigator")
	adv := srv.Browser(t)
	adv.SignIn(t, "h.morgan")
	const summary = "COPD (ex-smoker)"

	if p := adv.Get(t, "/clients/"+cl.ID); p.Contains(summary) || !p.Contains("Not shared") {
		t.Fatalf("before the consent the advocate sees: %q", p.Text())
	}

	form := nav.Get(t, "/clients/"+cl.ID+"/consents/new")
	consent := url.Values{"form_token": {form.FormToken()}, "p_orgs": {legal}, "p_categories": {"demographics", "clinical_summary"},
		"method": {"written"}, "language": {"en"}, "end": {"2027-11-22"}}
	t.Run("a consent without a purpose is refused by the field", func(t *testing.T) {
		p := nav.Post(t, "/clients/"+cl.ID+"/consents", consent)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-p_purposes-error"`) {
			t.Fatalf("status %d: %q", p.Status, p.Text())
		}
		if !regexp.MustCompile(`value="` + legal + `" checked`).MatchString(p.Body) {
			t.Error("the organisation chosen is not kept")
		}
	})
	consent.Set("p_purposes", "LEGALAID")
	p := nav.Post(t, "/clients/"+cl.ID+"/consents", consent)
	if !strings.HasPrefix(p.URL.Path, "/consents/") || !p.Contains("The consent is recorded.") {
		t.Fatalf("saving the consent ended at %s: %q", p.URL.Path, p.Text())
	}
	consentPath := p.URL.Path
	for _, want := range []string{"Consent to share your information", "Northside Legal Aid Society may see demographic details, clinical summaries for legal aid.", "Receipt"} {
		if !p.Contains(want) {
			t.Errorf("the consent page does not say %q", want)
		}
	}
	if !strings.Contains(p.Body, "data-print") {
		t.Error("no print button")
	}

	if p := adv.Get(t, "/clients/"+cl.ID); !p.Contains(summary) {
		t.Fatalf("with the consent the advocate does not see the summary: %q", p.Text())
	}

	t.Run("revoking needs a confirmation", func(t *testing.T) {
		p := nav.Post(t, consentPath+"/revoke", url.Values{"form_token": {nav.Get(t, consentPath).FormToken()}, "reason": {"Client changed her mind."}})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-confirm-error"`) || !p.Contains("Client changed her mind.") {
			t.Fatalf("status %d: %q", p.Status, p.Text())
		}
	})
	page := nav.Get(t, consentPath)
	if !page.Contains("It takes effect at once") {
		t.Error("the revocation's effect is not explained")
	}
	p = nav.Post(t, consentPath+"/revoke", url.Values{"form_token": {page.FormToken()}, "reason": {"Client changed her mind."}, "confirm": {"yes"}})
	if p.URL.Path != consentPath || !p.Contains("The consent is revoked.") {
		t.Fatalf("revoking ended at %s: %q", p.URL.Path, p.Text())
	}
	if p := adv.Get(t, "/clients/"+cl.ID); p.Contains(summary) || !p.Contains("Not shared") {
		t.Errorf("after the revocation the advocate still sees: %q", p.Text())
	}
	list := nav.Get(t, "/clients/"+cl.ID+"/consents")
	if !list.Contains("revoked") || !list.Contains("Refuses") && !list.Contains("Allows") {
		t.Errorf("the consent list: %q", list.Text())
	}
}

// TestWebClientConsentLanguage prints an Arabic-speaking client's consent
// in Arabic, right to left, whatever the staff member's language.
func TestWebClientConsentLanguage(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	cl := webClientScenario(t, srv, "clinician-reads-clinical-summary")
	if cl.PreferredLanguage != "ar" {
		t.Fatalf("the demo client prefers %q", cl.PreferredLanguage)
	}
	b := srv.Browser(t)
	b.SignIn(t, "amina.navigator")
	list := b.Get(t, "/clients/"+cl.ID+"/consents")
	m := regexp.MustCompile(`href="(/consents/[^"]+)"`).FindStringSubmatch(list.Body)
	if m == nil {
		t.Fatalf("no consent listed: %q", list.Text())
	}
	p := b.Get(t, m[1])
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `<html lang="en"`) {
		t.Fatalf("status %d; the page is not in the staff member's English", p.Status)
	}
	if !regexp.MustCompile(`<section class="client-print" lang="ar" dir="rtl"`).MatchString(p.Body) {
		t.Errorf("the printable consent is not in Arabic, right to left")
	}
}

// TestWebClientBreakGlass opens emergency access: refused without a
// reason, then the clinical record is visible.
func TestWebClientBreakGlass(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	cl := webClientScenario(t, srv, "break-glass-over")
	b := srv.Browser(t)
	b.SignIn(t, "m.garcia")
	const summary = "Type 2 diabetes on insulin glargine"
	if p := b.Get(t, "/clients/"+cl.ID); p.Contains(summary) || !strings.Contains(p.Body, `href="/clients/`+cl.ID+`/break-glass"`) {
		t.Fatalf("before: the profile shows the summary, or offers no emergency access: %q", p.Text())
	}
	page := b.Get(t, "/clients/"+cl.ID+"/break-glass")
	if !page.Contains("reviews every emergency access") {
		t.Errorf("the warning is missing: %q", page.Text())
	}
	form := url.Values{"form_token": {page.FormToken()}, "categories": {"clinical_summary", "clinical_note"}, "minutes": {"60"}, "confirm": {"yes"}}
	for _, tc := range []struct{ name, reason string }{{"no reason", ""}, {"too short a reason", "hypo"}} {
		t.Run(tc.name, func(t *testing.T) {
			form.Set("reason", tc.reason)
			p := b.Post(t, "/clients/"+cl.ID+"/break-glass", form)
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-reason-error"`) || !strings.Contains(p.Body, `aria-invalid="true"`) {
				t.Fatalf("status %d: %q", p.Status, p.Text())
			}
			if p.Contains(summary) {
				t.Error("the record is shown without a reason")
			}
		})
	}
	form.Set("reason", "Found unconscious in the waiting room; need his diabetes medication list now.")
	p := b.Post(t, "/clients/"+cl.ID+"/break-glass", form)
	if p.URL.Path != "/clients/"+cl.ID+"/emergency" || !p.Contains(summary) || !p.Contains("emergency (break-glass) access") {
		t.Fatalf("after break-glass: %s %q", p.URL.Path, p.Text())
	}

	t.Run("only clinicians", func(t *testing.T) {
		nav := srv.Browser(t)
		nav.SignIn(t, "amina.navigator")
		if p := nav.Get(t, "/clients/"+cl.ID+"/break-glass"); p.Status != http.StatusForbidden {
			t.Errorf("a navigator got status %d", p.Status)
		}
	})
}

// TestWebClientScreening screens a client: a required question left out is
// asked for, an imminent eviction raises an escalation, and the screening
// is listed.
func TestWebClientScreening(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	cl := webClientScenario(t, srv, "clinician-reads-clinical-summary")
	b := srv.Browser(t)
	b.SignIn(t, "amina.navigator")
	if p := b.Get(t, "/clients/"+cl.ID+"/screenings/new"); !strings.Contains(p.Body, "/screenings/new/social-legal-needs") {
		t.Fatalf("the questionnaire is not offered: %q", p.Text())
	}
	path := "/clients/" + cl.ID + "/screenings/new/social-legal-needs"
	page := b.Get(t, path+"?qlang=en")
	if !page.Contains("Housing") || !strings.Contains(page.Body, `name="q-housing.1"`) {
		t.Fatalf("the form: %q", page.Text())
	}
	answers := url.Values{"form_token": {page.FormToken()}, "qlang": {"en"}, "language": {"ar"}, "interpreter_used": {"yes"},
		"q-income.1": {"false"}, "q-food.1": {"false"},
		"q-food.2":    {"true"}, // not asked when food.1 is no: dropped
		"q-housing.2": {"true"}, "q-housing.3": {"within_3_days"}}
	t.Run("a required question left out", func(t *testing.T) {
		p := b.Post(t, path, answers)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-q-housing.1-error"`) {
			t.Fatalf("status %d: %q", p.Status, p.Text())
		}
		if !regexp.MustCompile(`name="q-housing.3" value="within_3_days" checked`).MatchString(p.Body) {
			t.Error("the answers given are not kept")
		}
	})
	answers.Set("q-housing.1", "stable")
	p := b.Post(t, path, answers)
	if !strings.Contains(p.URL.Path, "/screenings/scr_") || !p.Contains("The screening is saved.") {
		t.Fatalf("saving ended at %s: %q", p.URL.Path, p.Text())
	}
	for _, want := range []string{"Eviction", "Escalations raised", "Imminent eviction"} {
		if !p.Contains(want) {
			t.Errorf("the result does not say %q: %q", want, p.Text())
		}
	}
	if p.Contains("Food") && strings.Contains(p.Text(), "Food soon") {
		t.Error("the answer to a question not asked was counted")
	}
	list := b.Get(t, "/clients/"+cl.ID+"/screenings")
	if !strings.Contains(list.Body, p.URL.Path) {
		t.Errorf("the screening is not listed: %q", list.Text())
	}
}
