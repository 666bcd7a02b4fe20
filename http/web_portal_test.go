package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/accord-project/accord"
	accordhttp "github.com/accord-project/accord/http"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
)

var portalCodeRE = regexp.MustCompile(`(?s)<p class="portal-code"[^>]*>(.*?)</p>`)

// issuePortalCode has a staff member make a portal code for a client and
// returns it as shown (groups of four).
func issuePortalCode(t *testing.T, srv *testserver.Server, staff *testserver.Browser, clientID string) []string {
	t.Helper()
	p := staff.Post(t, "/clients/"+clientID+"/portal-code", url.Values{"form_token": {"portal-" + strings.Repeat("x", 10) + time.Now().Format("150405.000000000")}})
	if p.Status != http.StatusOK {
		t.Fatalf("issuing a code: status %d: %q", p.Status, p.Text())
	}
	m := portalCodeRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no code on the page: %q", p.Text())
	}
	groups := strings.Fields(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], " "))
	if len(strings.Join(groups, "")) != 12 {
		t.Fatalf("code %q is not 12 characters", groups)
	}
	return groups
}

// portalSignIn signs a client in with a code in a new browser.
func portalSignIn(t *testing.T, srv *testserver.Server, code string) *testserver.Browser {
	t.Helper()
	// The featured clients prefer other languages; these tests read the
	// portal in English, chosen with the language switch as a person would.
	return portalSignInIn(t, srv, code, "en")
}

// portalSignInIn signs a client in having chosen lang ("" keeps the
// client's own language).
func portalSignInIn(t *testing.T, srv *testserver.Server, code, lang string) *testserver.Browser {
	t.Helper()
	b := srv.Browser(t)
	if lang != "" {
		b.Get(t, "/lang/"+lang+"?next=/my/signin")
	}
	p := b.Post(t, "/my/signin", url.Values{"code": {code}})
	if p.URL.Path != "/my" {
		t.Fatalf("signing in with %q ended at %s (status %d): %q", code, p.URL, p.Status, p.Text())
	}
	return b
}

func scenarioClient(t *testing.T, srv *testserver.Server, id string) string {
	t.Helper()
	for _, s := range srv.P.Scenarios {
		if s.ID == id {
			return s.ClientID
		}
	}
	t.Fatalf("no scenario %s", id)
	return ""
}

func orgNamed(t *testing.T, srv *testserver.Server, prefix string) accord.Organization {
	t.Helper()
	for _, o := range srv.P.Organizations {
		if strings.HasPrefix(o.Name, prefix) {
			return o
		}
	}
	t.Fatalf("no organisation %s", prefix)
	return accord.Organization{}
}

// TestWebPortalSignIn: staff issue a code, the client signs in with it as
// typed (lower case, spaces), it works once, a wrong code gets the same
// answer, and attempts are rate limited.
func TestWebPortalSignIn(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	clientID := scenarioClient(t, srv, "advocate-reads-clinical-summary")
	staff := srv.Browser(t)
	staff.SignIn(t, "amina.navigator")

	t.Run("pages need a portal session", func(t *testing.T) {
		p := srv.Browser(t).Get(t, "/my/consents")
		if p.URL.Path != "/my/signin" {
			t.Fatalf("GET /my/consents without a session ended at %s", p.URL)
		}
		// A staff session is not a portal session.
		if p := staff.Get(t, "/my"); p.URL.Path != "/my/signin" {
			t.Fatalf("a staff session opened the portal (%s)", p.URL)
		}
	})

	groups := issuePortalCode(t, srv, staff, clientID)
	code := strings.Join(groups, "")
	if strings.ContainsAny(code, "01OIL") {
		t.Errorf("code %s has an ambiguous character", code)
	}
	typed := strings.ToLower(strings.Join(groups, " "))
	wrong := "abcd efgh jkmn"

	t.Run("the code page is for reading aloud and printing", func(t *testing.T) {
		again := issuePortalCode(t, srv, staff, clientID)
		p := srv.Browser(t).Post(t, "/my/signin", url.Values{"code": {strings.Join(again, "")}})
		if p.URL.Path != "/my" {
			t.Fatalf("the newest code does not work: %q", p.Text())
		}
		// The newest code replaced the one before.
		groups = issuePortalCode(t, srv, staff, clientID)
		code = strings.Join(groups, "")
		typed = strings.ToLower(strings.Join(groups, " "))
		if p := srv.Browser(t).Post(t, "/my/signin", url.Values{"code": {strings.Join(again, "")}}); p.URL.Path == "/my" {
			t.Error("a code used before still works")
		}
	})

	var b *testserver.Browser
	t.Run("lower case with spaces signs in", func(t *testing.T) {
		b = portalSignIn(t, srv, typed)
		p := b.Get(t, "/my")
		if !p.Contains("Your page") || !strings.Contains(p.Body, `action="/my/signout"`) {
			t.Fatalf("home: %q", p.Text())
		}
		p = b.Post(t, "/my/signout", nil)
		if p.URL.Path != "/my/signin" || !p.Contains("You have signed out") {
			t.Fatalf("sign out ended at %s: %q", p.URL, p.Text())
		}
		if p := b.Get(t, "/my/access"); p.URL.Path != "/my/signin" {
			t.Errorf("after signing out, /my/access ended at %s", p.URL)
		}
	})
	t.Run("the code works once", func(t *testing.T) {
		p := srv.Browser(t).Post(t, "/my/signin", url.Values{"code": {code}})
		if p.URL.Path == "/my" || p.Status != http.StatusUnauthorized {
			t.Fatalf("a used code: status %d at %s", p.Status, p.URL)
		}
		if !p.Contains("This code does not work") {
			t.Errorf("text %q", p.Text())
		}
	})
	var wrongText string
	t.Run("a wrong code gets the same answer and is not shown back", func(t *testing.T) {
		p := srv.Browser(t).Post(t, "/my/signin", url.Values{"code": {wrong}})
		if p.Status != http.StatusUnauthorized || !p.Contains("This code does not work") {
			t.Fatalf("status %d: %q", p.Status, p.Text())
		}
		if strings.Contains(p.Body, wrong) {
			t.Error("the code typed is shown back")
		}
		if !strings.Contains(p.Body, `aria-invalid="true"`) {
			t.Error("the field is not marked invalid")
		}
		wrongText = p.Text()
	})
	t.Run("attempts are rate limited per address", func(t *testing.T) {
		fresh := strings.Join(issuePortalCode(t, srv, staff, clientID), "")
		var p *testserver.Page
		for range 6 {
			p = srv.Browser(t).Post(t, "/my/signin", url.Values{"code": {wrong}})
			if p.Status == http.StatusTooManyRequests {
				break
			}
		}
		if p.Status != http.StatusTooManyRequests || !p.Contains("Too many tries") || p.Header.Get("Retry-After") == "" {
			t.Fatalf("after repeated wrong codes: status %d: %q", p.Status, p.Text())
		}
		// While limited, even the right code waits.
		if p := srv.Browser(t).Post(t, "/my/signin", url.Values{"code": {fresh}}); p.Status != http.StatusTooManyRequests {
			t.Fatalf("the right code while limited: status %d", p.Status)
		}
		// A minute later there is one more try.
		srv.Clock.Set(srv.Clock.Now().Add(61 * time.Second))
		portalSignIn(t, srv, fresh)
		if p := srv.Browser(t).Post(t, "/my/signin", url.Values{"code": {wrong}}); p.Status != http.StatusTooManyRequests {
			t.Fatalf("the next try within the minute: status %d", p.Status)
		}
	})
	_ = wrongText

	t.Run("staff outside the client's home organisation cannot issue a code", func(t *testing.T) {
		for _, user := range []string{"f.rahimi", "omar.navigator"} {
			o := srv.Browser(t)
			o.SignIn(t, user)
			p := o.Post(t, "/clients/"+clientID+"/portal-code", url.Values{"form_token": {"portal-denied-token-" + user}})
			if p.Status != http.StatusForbidden || strings.Contains(p.Body, `class="portal-code"`) {
				t.Errorf("%s: status %d, want 403 without a code", user, p.Status)
			}
		}
	})
	t.Run("sending says what is not set up", func(t *testing.T) {
		p := staff.Post(t, "/clients/"+clientID+"/portal-code", url.Values{"form_token": {"portal-send-token-000001"}})
		if !p.Contains("Sending by text message is not set up on this server") || !p.Contains("Sending by e-mail is not set up on this server") {
			t.Errorf("code page: %q", p.Text())
		}
		if !p.Contains("Print the hand-out for the client") {
			t.Error("no way to print the hand-out")
		}
		// The same form sent twice does not make a second code.
		p = staff.Post(t, "/clients/"+clientID+"/portal-code", url.Values{"form_token": {"portal-send-token-000001"}})
		if strings.Contains(p.Body, `class="portal-code"`) {
			t.Error("a double submission made another code")
		}
	})
}

// TestWebPortalAccessReport: a staff read shows in the client's report by
// organisation and purpose, without the staff member's name.
func TestWebPortalAccessReport(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	clientID := scenarioClient(t, srv, "advocate-reads-clinical-summary")
	r := srv.Do(t, testserver.Request{User: "f.rahimi", Method: "GET", Path: "/api/v1/clients/" + clientID + "/records?category=clinical_summary", Purpose: accord.PurposeLegalAid})
	if r.Status != http.StatusOK {
		t.Fatalf("staff read: %d %s", r.Status, r.Body)
	}
	staff := srv.Browser(t)
	staff.SignIn(t, "amina.navigator")
	b := portalSignIn(t, srv, strings.Join(issuePortalCode(t, srv, staff, clientID), ""))
	b.Get(t, "/lang/en?next=/my")
	p := b.Get(t, "/my/access")
	if p.Status != http.StatusOK {
		t.Fatalf("status %d", p.Status)
	}
	legal := orgNamed(t, srv, "Northside Legal Aid")
	for _, want := range []string{legal.Name + " (legal advocate)", "Saw your name and basic details, your health summary, to help with your legal case.", "Allowed",
		"Made a sign-in code for this page."} {
		if !p.Contains(want) {
			t.Errorf("the report does not say %q: %q", want, p.Text())
		}
	}
	if p.Contains("Fatima Rahimi") {
		t.Error("the report names a staff member")
	}
	if p.Contains("Made a list of who saw your information") {
		t.Error("the client's own look at the report is listed")
	}
}

// TestWebPortalRevokeConsent: the client stops a consent in the portal;
// the next staff read is refused, and the staff profile hides the data.
func TestWebPortalRevokeConsent(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	clientID := scenarioClient(t, srv, "consent-revoked")
	var consentID string
	for _, c := range srv.P.Consents {
		if c.ClientID == clientID && c.Status == accord.ConsentActive {
			consentID = c.ID
		}
	}
	read := func() (shared bool) {
		r := srv.Do(t, testserver.Request{User: "d.osei", Method: "GET", Path: "/api/v1/clients/" + clientID + "/records?category=clinical_summary", Purpose: accord.PurposeLegalAid})
		var body struct {
			Records []json.RawMessage `json:"records"`
		}
		r.JSON(t, &body)
		return len(body.Records) > 0
	}
	advocate := srv.Browser(t)
	advocate.SignIn(t, "d.osei")
	advocate.Post(t, "/account/purpose", url.Values{"purpose": {"LEGALAID"}, "next": {"/work"}})
	profile := func() *testserver.Page { return advocate.Get(t, "/clients/"+clientID) }
	const summary = "Chronic lower back pain"
	if !read() {
		t.Fatal("before: legal aid cannot read the clinical summary")
	}
	before := profile()
	hasProfile := before.Status != http.StatusNotFound // the staff profile is another page group's
	if hasProfile && (before.Status != http.StatusOK || !before.Contains(summary)) {
		t.Errorf("before: the staff profile (status %d) does not show the summary: %q", before.Status, before.Text())
	}

	staff := srv.Browser(t)
	staff.SignIn(t, "amina.navigator")
	b := portalSignIn(t, srv, strings.Join(issuePortalCode(t, srv, staff, clientID), ""))
	b.Get(t, "/lang/en?next=/my")
	p := b.Get(t, "/my/consents")
	legal := orgNamed(t, srv, "Northside Legal Aid")
	if !p.Contains(legal.Name+" can see your name and basic details") || !p.Contains("your health summary") {
		t.Fatalf("consents page: %q", p.Text())
	}
	p = b.Get(t, "/my/consents/"+consentID+"/stop")
	for _, want := range []string{"What stops at once", legal.Name + " can no longer see", "What was already shared", legal.Name + " saw your health summary"} {
		if !p.Contains(want) {
			t.Errorf("the stop page does not say %q: %q", want, p.Text())
		}
	}
	form := url.Values{"form_token": {p.FormToken()}, "consent": {consentID}}
	p = b.Post(t, "/my/consents/stop", form)
	if p.URL.Path != "/my/consents" || !p.Contains("Your consent is stopped") {
		t.Fatalf("after stopping: %s %q", p.URL, p.Text())
	}
	if p := b.Post(t, "/my/consents/stop", form); !p.Contains("already sent") {
		t.Errorf("a double submission: %q", p.Text())
	}
	if read() {
		t.Error("after: legal aid still reads the clinical summary")
	}
	if after := profile(); hasProfile && after.Contains(summary) {
		t.Error("after: the staff profile still shows the summary")
	}
	cn, err := srv.DB.FindConsent(t.Context(), consentID)
	if err != nil || cn.RevokedBy != "client:"+clientID {
		t.Errorf("revoked by %q (%v), want the client", cn.RevokedBy, err)
	}
	p = b.Get(t, "/my/access")
	if !p.Contains("Stopped a consent on this page.") {
		t.Errorf("the access report does not show the client's own change: %q", p.Text())
	}
}

// TestWebPortalGiveConsent walks the guided form: who, then what and why.
func TestWebPortalGiveConsent(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	clientID := scenarioClient(t, srv, "consent-revoked")
	staff := srv.Browser(t)
	staff.SignIn(t, "amina.navigator")
	b := portalSignIn(t, srv, strings.Join(issuePortalCode(t, srv, staff, clientID), ""))
	b.Get(t, "/lang/en?next=/my")
	legal := orgNamed(t, srv, "Northside Legal Aid")
	police := orgNamed(t, srv, "City Police")

	p := b.Get(t, "/my/consents/new")
	if !p.Contains(legal.Name) || p.Contains(police.Name) {
		t.Fatalf("step one offers: %q", p.Text())
	}
	p = b.Get(t, "/my/consents/new?to="+legal.ID)
	if !p.Contains("What can they see?") || !p.Contains("To help with your legal case") || p.Contains("immigration") {
		t.Fatalf("step two: %q", p.Text())
	}
	token := p.FormToken()
	t.Run("missing answers are shown by their questions and kept", func(t *testing.T) {
		p := b.Post(t, "/my/consents/new", url.Values{"form_token": {token}, "organization": {legal.ID}, "categories": {"clinical_summary"}, "months": {"12"}})
		if p.Status != http.StatusUnprocessableEntity || !p.Contains("Tick the box") {
			t.Fatalf("status %d: %q", p.Status, p.Text())
		}
		if !regexp.MustCompile(`value="clinical_summary" checked`).MatchString(p.Body) {
			t.Error("the ticked kind of information is not kept")
		}
		p = b.Post(t, "/my/consents/new", url.Values{"form_token": {token}, "organization": {legal.ID}, "categories": {"immigration_status"},
			"purposes": {"LEGALAID"}, "months": {"12"}, "confirm": {"yes"}})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-categories-error"`) {
			t.Fatalf("a kind of information not offered: status %d: %q", p.Status, p.Text())
		}
	})
	form := url.Values{"form_token": {token}, "organization": {legal.ID}, "categories": {"clinical_summary"},
		"purposes": {"LEGALAID"}, "months": {"6"}, "confirm": {"yes"}}
	p = b.Post(t, "/my/consents/new", form)
	if p.URL.Path != "/my/consents" || !p.Contains("Your consent is saved") {
		t.Fatalf("after giving: %s %q", p.URL, p.Text())
	}
	b.Post(t, "/my/consents/new", form) // a double click
	cs, err := srv.DB.ClientConsents(t.Context(), clientID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cs {
		if c.CollectedBy == "client:"+clientID {
			n++
			if c.Method != accord.MethodElectronicSignature || c.End == nil || c.Language != "en" {
				t.Errorf("recorded as %+v", c)
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d consents given in the portal, want 1", n)
	}
	p = b.Get(t, "/my/consents")
	if !p.Contains("You gave this on this page") {
		t.Errorf("consents page: %q", p.Text())
	}
	r := srv.Do(t, testserver.Request{User: "d.osei", Method: "GET", Path: "/api/v1/clients/" + clientID + "/records?category=clinical_summary", Purpose: accord.PurposeLegalAid})
	if !strings.Contains(string(r.Body), `"records":[{`) {
		t.Errorf("the consent given does not take effect: %s", r.Body)
	}
}

// TestWebPortalArabic: a client whose language is Arabic gets the portal
// right to left, unless they chose another language.
func TestWebPortalArabic(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	clientID := scenarioClient(t, srv, "advocate-reads-clinical-summary")
	staff := srv.Browser(t)
	staff.SignIn(t, "amina.navigator")
	p := staff.Post(t, "/clients/"+clientID+"/portal-code", url.Values{"form_token": {"portal-arabic-token-0001"}})
	if !strings.Contains(p.Body, `class="portal-handout" lang="ar" dir="rtl"`) {
		t.Error("the hand-out is not in the client's language")
	}
	code := portalCodeRE.FindStringSubmatch(p.Body)
	b := portalSignInIn(t, srv, regexp.MustCompile(`<[^>]+>|\s`).ReplaceAllString(code[1], ""), "")
	for _, path := range []string{"/my", "/my/consents", "/my/access", "/my/referrals", "/my/consents/new"} {
		p := b.Get(t, path)
		if p.Status != http.StatusOK || !strings.Contains(p.Body, `<html lang="ar" dir="rtl">`) {
			t.Errorf("%s: status %d, not Arabic right to left: %.200s", path, p.Status, p.Body)
		}
	}
	b.Get(t, "/lang/en?next=/my")
	if p := b.Get(t, "/my"); !strings.Contains(p.Body, `<html lang="en" dir="ltr">`) {
		t.Error("the language the person chose does not win")
	}
}

// TestWebPortalOtherClient: a portal session never reaches another
// client's consent, whatever id a form or URL names.
func TestWebPortalOtherClient(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	mine := scenarioClient(t, srv, "advocate-reads-clinical-summary")
	theirs := scenarioClient(t, srv, "consent-revoked")
	var theirConsent string
	for _, c := range srv.P.Consents {
		if c.ClientID == theirs && c.Status == accord.ConsentActive {
			theirConsent = c.ID
		}
	}
	staff := srv.Browser(t)
	staff.SignIn(t, "amina.navigator")
	b := portalSignIn(t, srv, strings.Join(issuePortalCode(t, srv, staff, mine), ""))
	b.Get(t, "/lang/en?next=/my")
	if p := b.Get(t, "/my/consents/"+theirConsent+"/stop"); p.Status != http.StatusNotFound {
		t.Errorf("another client's consent page: status %d", p.Status)
	}
	p := b.Get(t, "/my/consents")
	p = b.Post(t, "/my/consents/stop", url.Values{"form_token": {"portal-other-client-token-1"}, "consent": {theirConsent}})
	if p.Status != http.StatusNotFound {
		t.Errorf("stopping another client's consent: status %d: %q", p.Status, p.Text())
	}
	cn, err := srv.DB.FindConsent(t.Context(), theirConsent)
	if err != nil || cn.Status != accord.ConsentActive {
		t.Fatalf("the other client's consent is %s (%v)", cn.Status, err)
	}
	if p := b.Get(t, "/my/consents"); strings.Contains(p.Body, theirConsent) {
		t.Error("another client's consent is listed")
	}
}

// portalOutbox records what a portal sender was asked to send.
type portalOutbox struct {
	channel, address, code string
	lang                   language.Tag
}

func (o *portalOutbox) Send(_ context.Context, _, channel, address, code string, lang language.Tag) error {
	o.channel, o.address, o.code, o.lang = channel, address, code, lang
	return nil
}

func (o *portalOutbox) Available(channel string) bool { return channel == "email" }

// TestWebPortalSendCode: staff send the code to the client's e-mail
// address on record; text messages are not set up; the code sent works.
func TestWebPortalSendCode(t *testing.T) {
	out := &portalOutbox{}
	defer accordhttp.SetTestPortalSender(out)()
	srv := testserver.Start(t, testdb.SQLite(t))
	clientID := scenarioClient(t, srv, "advocate-reads-clinical-summary")
	cl, err := srv.DB.FindClient(t.Context(), clientID)
	if err != nil || cl.Email == "" {
		t.Fatalf("client %s has no e-mail address (%v)", clientID, err)
	}
	staff := srv.Browser(t)
	staff.SignIn(t, "amina.navigator")
	p := staff.Post(t, "/clients/"+clientID+"/portal-code", url.Values{"form_token": {"portal-send-code-token-1"}})
	if !p.Contains("E-mail to "+cl.Email) || !p.Contains("Sending by text message is not set up on this server") {
		t.Fatalf("code page: %q", p.Text())
	}
	code := regexp.MustCompile(`name="code" value="([A-Z0-9]+)"`).FindStringSubmatch(p.Body)
	if code == nil {
		t.Fatal("no code in the send form")
	}
	t.Run("a channel must be chosen", func(t *testing.T) {
		p := staff.Post(t, "/clients/"+clientID+"/portal-code/send", url.Values{"form_token": {p.FormToken()}, "code": {code[1]}})
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `id="f-channel-error"`) || !strings.Contains(p.Body, `class="portal-code"`) {
			t.Fatalf("status %d: %q", p.Status, p.Text())
		}
	})
	t.Run("only the client's current code can be sent", func(t *testing.T) {
		p := staff.Post(t, "/clients/"+clientID+"/portal-code/send", url.Values{"form_token": {"portal-send-code-token-2"}, "code": {"ABCDEFGHJKMN"}, "channel": {"email"}})
		if p.Status != http.StatusConflict || out.code != "" {
			t.Fatalf("status %d, sent %q", p.Status, out.code)
		}
	})
	p = staff.Post(t, "/clients/"+clientID+"/portal-code/send", url.Values{"form_token": {p.FormToken()}, "code": {code[1]}, "channel": {"email"}})
	if !p.Contains("The sign-in code was sent to the client") {
		t.Errorf("after sending: %s %q", p.URL, p.Text())
	}
	if out.channel != "email" || out.address != cl.Email || out.code != code[1] || out.lang != language.Arabic {
		t.Fatalf("sent %+v", out)
	}
	portalSignIn(t, srv, out.code)
}
