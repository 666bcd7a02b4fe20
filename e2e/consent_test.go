package e2e_test

import (
	"slices"
	"strings"
	"testing"
)

// TestBrowserConsentRevocation: a legal aid advocate reads a clinic
// patient's clinical summary on his profile because his consent allows it.
// He tells the clinic he wants legal aid to keep helping him, but no
// longer to see his medical information: the navigator records a narrower
// consent and revokes the old one in the browser. On the advocate's next
// page load the clinical summary is withheld, with the reason in plain
// words, and the rest of the profile is still there.
func TestBrowserConsentRevocation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	clientID := h.scenarioClient("consent-revoked")
	var consentID string
	for _, s := range h.srv.P.Scenarios {
		for _, c := range s.Calls {
			if s.ID == "consent-revoked" && strings.HasSuffix(c.Path, "/revoke") {
				consentID = idIn(c.Path, "/api/v1/consents/")
			}
		}
	}
	if consentID == "" {
		t.Fatal("the consent-revoked scenario revokes no consent")
	}
	const summary = "Chronic lower back pain"
	profile := "/clients/" + clientID

	// Before: the advocate sees the clinic's clinical summary.
	adv := h.window()
	h.signIn(adv, "d.osei")
	h.open(adv, profile)
	if s := h.textOf(adv, "#cat-clinical_summary"); !strings.Contains(s, summary) {
		t.Fatalf("before the revocation the advocate does not see the clinical summary: %q", s)
	}
	h.shot(adv, "01-advocate-sees-summary")

	// The navigator records what the client still agrees to...
	nav := h.window()
	asked := h.acceptDialogs(nav)
	h.signIn(nav, "amina.navigator")
	h.open(nav, profile+"/consents")
	if !h.exists(nav, "article.client-consent-active") {
		t.Fatalf("the client has no consent in force: %s", h.text(nav))
	}
	h.shot(nav, "02-consents-before")
	h.click(nav, "record a consent", `a[href="`+profile+`/consents/new"]`)
	h.check(nav, "narrower consent",
		`input[name=p_orgs][value="`+h.orgID("Northside Legal Aid Society")+`"]`,
		`input[name=p_categories][value=demographics]`, `input[name=p_categories][value=contact]`,
		`input[name=p_purposes][value=LEGALAID]`, `input[name=method][value=verbal]`)
	h.choose(nav, "language", "#f-language", "es")
	h.click(nav, "record the consent", `form.client-consent-form button[type=submit]`)
	h.see(nav, "new consent", "The consent is recorded.")

	// ...and revokes the consent that let legal aid see his clinical summary.
	h.open(nav, "/consents/"+consentID)
	h.see(nav, "old consent", "Revoke this consent", "clinical summaries")
	h.fill(nav, "reason", map[string]string{"#f-reason": "He no longer wants legal aid to see his medical information."})
	h.check(nav, "explained", "#f-confirm")
	h.shot(nav, "03-revoke-form")
	h.click(nav, "revoke", `form[action="/consents/`+consentID+`/revoke"] button[type=submit]`)
	h.see(nav, "revoked", "The consent is revoked. It takes effect at once.")
	if badge := h.textOf(nav, "main .badge"); badge != "revoked" {
		t.Errorf("the revoked consent's badge says %q", badge)
	}
	if q := asked(); !slices.Contains(q, "Revoke this consent now? It takes effect at once.") {
		t.Errorf("the navigator was not asked to confirm the revocation; asked: %q", q)
	}
	h.shot(nav, "04-revoked")

	// After: the next page load withholds the clinical summary and says why.
	h.open(adv, profile)
	section := h.textOf(adv, "#cat-clinical_summary")
	if strings.Contains(section, summary) {
		t.Errorf("after the revocation the advocate still sees the clinical summary: %q", section)
	}
	for _, want := range []string{"Held by Riverside Community Health Centre", "Not shared: the client's consent does not cover clinical summaries going to Northside Legal Aid Society for legal aid."} {
		if !strings.Contains(section, want) {
			t.Errorf("the withheld clinical summary does not say %q: %q", want, section)
		}
	}
	if !h.exists(adv, "#cat-clinical_summary .withheld") {
		t.Error("the clinical summary is not marked as withheld")
	}
	// The rest of what he agreed to is still there.
	h.see(adv, "profile after", h.clientName(clientID), "Appeal against refusal of sickness benefit")
	if !h.exists(adv, `section[aria-labelledby=h-contact] dl`) {
		t.Error("after the revocation the advocate no longer sees the contact details the new consent allows")
	}
	h.shot(adv, "05-advocate-sees-withheld")
	h.accessible(adv, "profile with a withheld part")
}
