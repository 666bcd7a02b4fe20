package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserNoJavaScript: with JavaScript turned off, a navigator signs
// in, looks for a client, registers her (through the duplicate check, which
// then happens on the server), records her consent and refers her,
// checking first what the receiver will see: the core forms work without
// any script.
func TestBrowserNoJavaScript(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	w := h.window()
	if _, err := chromedp.Call(w, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("turning JavaScript off: %v", err)
	}
	legalAid := h.orgID("Northside Legal Aid Society")
	var twin struct{ given, family, year string }
	for _, c := range h.srv.P.Clients {
		if c.HomeOrganizationID == h.orgID("Riverside Community Health Centre") && c.FamilyName != "" && len(c.BirthDate) == 10 {
			twin.given, twin.family, twin.year = c.GivenName, c.FamilyName, c.BirthDate[:4]
		}
	}
	if twin.given == "" {
		t.Fatal("the demo has no clinic client with a family name and a full birth date")
	}

	h.signIn(w, "amina.navigator")
	// The page's own scripts really are off: htmx and accord.js did not run.
	if get(h, w, "scripts", chromedp.Evaluate[bool](`typeof htmx !== "undefined"`)) {
		t.Fatal("htmx ran: JavaScript is not off")
	}
	h.shot(w, "01-signed-in")

	h.open(w, "/clients")
	h.submit(w, "search", `form[action="/clients"]`, map[string]string{"#f-q": twin.family})
	h.see(w, "search results", "Results", twin.given+" "+twin.family)
	h.shot(w, "02-search")

	// Intake. Without the live check, the server shows the likely
	// duplicates when the form is sent.
	h.click(w, "register a new client", `.client-new-link a`)
	h.fill(w, "details", map[string]string{
		"#f-given_name": twin.given, "#f-family_name": twin.family,
		"#f-birth_day": "2", "#f-birth_month": "2", "#f-birth_year": twin.year,
		"#f-email": "guest@example.org", "#f-address": "Flat 2, 7 Mill Lane\nRiverside",
	})
	h.check(w, "gender", `input[name=gender][value=woman]`, `input[name=disabilities][value=hearing]`)
	h.choose(w, "language", "#f-preferred_language", "fr")
	h.click(w, "register", `form[action="/clients/new"] button[type=submit]`)
	h.see(w, "duplicates", "Check before you register.", "Is this person already registered?")
	if got := h.value(w, "#f-address"); got != "Flat 2, 7 Mill Lane\nRiverside" {
		t.Errorf("the form shown again changed the address to %q", got)
	}
	h.shot(w, "03-duplicates")
	h.check(w, "none of these", "#f-confirm_new")
	h.click(w, "register after checking", `form[action="/clients/new"] button[type=submit]`)
	clientID := idIn(h.path(w), "/clients/")
	if !strings.HasPrefix(clientID, "cli_") {
		t.Fatalf("after registering, at %s: %s", h.path(w), h.text(w))
	}
	h.see(w, "profile", "The client is registered.", twin.given+" "+twin.family, "2 February "+twin.year, "Woman", "French", "Hearing", "guest@example.org")
	if addr := h.textOf(w, "section[aria-labelledby=h-contact] .client-pre"); addr != "Flat 2, 7 Mill Lane Riverside" {
		t.Errorf("the profile shows the address as %q", addr)
	}
	h.shot(w, "04-profile")

	// Consent.
	h.click(w, "record a consent", `a[href="/clients/`+clientID+`/consents/new"]`)
	h.check(w, "consent", `input[name=p_orgs][value="`+legalAid+`"]`,
		`input[name=p_categories][value=demographics]`, `input[name=p_categories][value=contact]`,
		`input[name=p_purposes][value=LEGALAID]`, `input[name=method][value=written]`)
	h.choose(w, "language", "#f-language", "fr")
	h.click(w, "record the consent", `form.client-consent-form button[type=submit]`)
	h.see(w, "consent", "The consent is recorded.", "Northside Legal Aid Society may see")
	h.shot(w, "05-consent")

	// Referral: the preview comes from a button instead of live updates.
	h.open(w, "/referrals/new?client="+clientID)
	h.choose(w, "to", "#f-to_organization_id", legalAid)
	h.click(w, "check what they will see", `button[name=action][value=preview]`)
	if pv := h.textOf(w, "#preview"); !strings.Contains(pv, "Demographic details: Will be shared") {
		t.Errorf("without JavaScript the preview says %q", pv)
	}
	if got := h.value(w, "#f-to_organization_id"); got != legalAid {
		t.Errorf("after the preview the form forgot the organisation: %q", got)
	}
	h.shot(w, "06-referral-preview")
	h.fill(w, "reason", map[string]string{"#f-reason": "Needs advice on a housing benefit letter."})
	h.click(w, "send", `button[name=action][value=send]`)
	h.see(w, "referral", "The referral is sent.", "Referral to Northside Legal Aid Society")
	h.shot(w, "07-referral-sent")

	// Signing out is a form too.
	h.click(w, "sign out", `form[action="/signout"] button`)
	h.see(w, "signed out", "You have signed out.")
}
