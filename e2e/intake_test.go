package e2e_test

import (
	"strings"
	"testing"

	"github.com/accord-project/accord"
)

// TestBrowserIntakeToReferral follows a new client from the clinic's front
// desk to legal aid: a navigator looks for the client, registers her after
// checking the duplicate suggestions, records her consent to legal aid
// seeing what the referral needs, screens her for needs, opens a joint
// case, refers her to legal aid and raises an escalation there. In a
// second browser a legal aid advocate finds the referral in her work,
// accepts it and acknowledges the escalation; back at the clinic, the next
// page load shows both answered.
func TestBrowserIntakeToReferral(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	legalAid := h.orgID("Northside Legal Aid Society")
	rahimi := h.srv.Login("f.rahimi")

	// Someone already registered, whose name the new client shares.
	var twin accord.Client
	for _, c := range h.srv.P.Clients {
		if c.HomeOrganizationID == h.orgID("Riverside Community Health Centre") && c.FamilyName != "" && len(c.BirthDate) == 10 {
			twin = c
			break
		}
	}
	if twin.ID == "" {
		t.Fatal("the demo has no clinic client with a family name and a full birth date")
	}

	nav := h.window()
	h.signIn(nav, "amina.navigator")
	h.shot(nav, "01-my-work")

	// Find a client: someone of that name is registered, but born on
	// another day. Not the person: register her.
	h.open(nav, "/clients")
	h.submit(nav, "search for the client", `form[action="/clients"]`, map[string]string{"#f-q": twin.GivenName + " " + twin.FamilyName})
	h.see(nav, "search", "Results", twin.GivenName+" "+twin.FamilyName, "Not the person you are looking for?")
	h.shot(nav, "02-search")
	h.click(nav, "register a new client", `section[aria-labelledby=h-results] a[href="/clients/new"]`)
	if p := h.path(nav); p != "/clients/new" {
		t.Fatalf("Register a new client went to %s", p)
	}

	// The details match someone already registered: the form shows the
	// likely duplicate before it registers anyone.
	year := twin.BirthDate[:4]
	h.fill(nav, "client details", map[string]string{
		"#f-given_name": twin.GivenName, "#f-family_name": twin.FamilyName,
		"#f-birth_day": "1", "#f-birth_month": "1", "#f-birth_year": year,
		"#f-phone": "+44 7700 900123",
	})
	h.choose(nav, "preferred language", "#f-preferred_language", "ar")
	h.check(nav, "interpreter", "#f-interpreter_needed")
	h.click(nav, "register", `form[action="/clients/new"] button[type=submit]`)
	h.see(nav, "duplicate check", "Check before you register.", "Is this person already registered?", twin.GivenName+" "+twin.FamilyName)
	if p := h.path(nav); p != "/clients/new" {
		t.Fatalf("with a likely duplicate, the form went on to %s", p)
	}
	if got := h.value(nav, "#f-given_name"); got != twin.GivenName {
		t.Errorf("the form shown again lost the given name: %q", got)
	}
	h.shot(nav, "03-duplicate-suggestions")
	h.accessible(nav, "duplicate suggestions")

	// She is someone else: confirm and register.
	h.check(nav, "none of these", "#f-confirm_new")
	h.click(nav, "register after checking", `form[action="/clients/new"] button[type=submit]`)
	clientID := idIn(h.path(nav), "/clients/")
	if !strings.HasPrefix(clientID, "cli_") {
		t.Fatalf("after registering, at %s: %s", h.path(nav), h.text(nav))
	}
	h.see(nav, "new profile", "The client is registered.", twin.GivenName+" "+twin.FamilyName, "Arabic", "needs an interpreter", clientID)
	h.shot(nav, "04-registered")

	// She gives a new phone number: change her details; the form opens
	// filled in with them.
	h.click(nav, "change the details", `a[href="/clients/`+clientID+`/edit"]`)
	h.see(nav, "details form", "Change the client's details")
	if got := h.value(nav, "#f-phone"); got != "+44 7700 900123" {
		t.Errorf("the form is not filled in with her phone: %q", got)
	}
	h.fill(nav, "new phone", map[string]string{"#f-phone": "+44 7700 900456"})
	h.click(nav, "save the details", `form[action="/clients/`+clientID+`/edit"] button[type=submit]`)
	h.see(nav, "details saved", "The client's details are saved.", "+44 7700 900456", "needs an interpreter")
	h.shot(nav, "04b-details-changed")

	// Record a consent: legal aid may see her details, contact details and
	// screening, for legal aid.
	h.click(nav, "record a consent", `a[href="/clients/`+clientID+`/consents/new"]`)
	h.see(nav, "consent form", "Record a consent")
	h.check(nav, "consent choices",
		`input[name=p_orgs][value="`+legalAid+`"]`,
		`input[name=p_categories][value=demographics]`, `input[name=p_categories][value=contact]`, `input[name=p_categories][value=screening]`,
		`input[name=p_purposes][value=LEGALAID]`,
		`input[name=method][value=verbal]`)
	h.choose(nav, "language of the consent", "#f-language", "ar")
	h.click(nav, "record the consent", `form.client-consent-form button[type=submit]`)
	if p := h.path(nav); !strings.HasPrefix(p, "/consents/") {
		t.Fatalf("after recording the consent, at %s: %s", p, h.text(nav))
	}
	h.see(nav, "consent", "The consent is recorded.", "Northside Legal Aid Society may see")
	h.shot(nav, "05-consent")

	// Screen for needs.
	h.open(nav, "/clients/"+clientID)
	h.click(nav, "screen for needs", `a[href="/clients/`+clientID+`/screenings/new"]`)
	h.see(nav, "questionnaires", "Screen for needs")
	h.shot(nav, "06-choose-questionnaire")
	h.click(nav, "social and legal needs", `a[href$="/screenings/new/social-legal-needs"]`)
	h.check(nav, "answers",
		`input[name="q-income.1"][value=true]`, `input[name="q-food.1"][value=false]`,
		`input[name="q-housing.1"][value=stable]`, `input[name="q-housing.2"][value=false]`, `input[name="q-housing.7"][value=true]`)
	h.choose(nav, "language answered in", "#f-language", "ar")
	h.check(nav, "some questions skipped", "#f-incomplete")
	h.shot(nav, "07-questionnaire")
	h.click(nav, "save the screening", `form.client-questionnaire button[type=submit]`)
	h.see(nav, "screening result", "Screening result", "Needs found")
	if needs := h.textOf(nav, "ul.client-needs"); !strings.Contains(needs, "Housing") || !strings.Contains(needs, "Income and benefits") {
		t.Errorf("the screening should find the damp home and the lack of money: %q", needs)
	}
	h.shot(nav, "08-needs")

	// Open a joint case with legal aid.
	h.open(nav, "/clients/"+clientID)
	h.click(nav, "open a case", `a[href="/clients/`+clientID+`/cases/new"]`)
	h.fill(nav, "case", map[string]string{"#f-title": "Damp flat and benefits", "#f-p1_resp": "Housing disrepair claim"})
	h.choose(nav, "partner", "#f-p1_staff", rahimi.ID)
	h.click(nav, "open the case", `form[action="/clients/`+clientID+`/cases/new"] button[type=submit]`)
	caseID := idIn(h.path(nav), "/cases/")
	if caseID == "" {
		t.Fatalf("after opening the case, at %s: %s", h.path(nav), h.text(nav))
	}
	h.see(nav, "case", "The case is open.", "Damp flat and benefits", "Northside Legal Aid Society")
	h.shot(nav, "09-case")

	// Refer her to legal aid: first check what they will see.
	h.open(nav, "/clients/"+clientID)
	h.click(nav, "refer", `a[href="/referrals/new?client=`+clientID+`"]`)
	h.choose(nav, "refer to", "#f-to_organization_id", legalAid)
	h.choose(nav, "purpose", "#f-purpose", "LEGALAID")
	h.check(nav, "screening too", `input[name=categories][value=screening]`)
	h.fill(nav, "reason", map[string]string{"#f-reason": "Black mould in the bedrooms; landlord does not repair. Benefits stopped."})
	h.click(nav, "check what they will see", `button[name=action][value=preview]`)
	if preview := h.textOf(nav, "#preview"); !strings.Contains(preview, "Will be shared") || strings.Contains(preview, "Nothing will reach them") {
		t.Fatalf("the preview does not say the details will be shared: %q", preview)
	}
	h.shot(nav, "10-referral-preview")
	h.click(nav, "send the referral", `button[name=action][value=send]`)
	referralID := idIn(h.path(nav), "/referrals/")
	if referralID == "" {
		t.Fatalf("after sending the referral, at %s: %s", h.path(nav), h.text(nav))
	}
	h.see(nav, "referral sent", "The referral is sent.", "Referral to Northside Legal Aid Society", "Sent")
	h.shot(nav, "11-referral-sent")

	// Raise an escalation for legal aid to act on.
	h.open(nav, "/clients/"+clientID)
	h.click(nav, "raise an escalation", `a[href="/escalations/new?client=`+clientID+`"]`)
	h.check(nav, "kind", `input[name=kind][value=imminent_eviction]`)
	h.fill(nav, "summary", map[string]string{"#f-summary": "Landlord changed the locks today; she and her children are outside."})
	h.choose(nav, "organisation", "#f-organization_id", legalAid)
	h.click(nav, "raise", `form[action="/escalations/new"] button[type=submit]`)
	escalationID := idIn(h.path(nav), "/escalations/")
	if escalationID == "" {
		t.Fatalf("after raising the escalation, at %s: %s", h.path(nav), h.text(nav))
	}
	h.see(nav, "escalation raised", "The escalation is raised; its clock has started.", "Must acknowledge now", "Lucy Chen")
	h.shot(nav, "12-escalation-raised")

	// Legal aid, at another computer.
	adv := h.window()
	h.signIn(adv, "f.rahimi")
	if !h.exists(adv, `a[href="/referrals/`+referralID+`"]`) {
		t.Errorf("the referral is not in the advocate's work: %s", h.text(adv))
	}
	h.shot(adv, "13-advocate-work")
	h.open(adv, "/referrals")
	h.see(adv, "referral list", "Arrived for your organisation")
	h.shot(adv, "14-advocate-referrals")
	h.click(adv, "open the referral", `a[href="/referrals/`+referralID+`"]`)
	h.see(adv, "referral", "Referral from Riverside Community Health Centre", twin.GivenName+" "+twin.FamilyName, "Born 1 January "+year, "Black mould")
	h.accessible(adv, "incoming referral")
	h.click(adv, "accept", `form[action="/referrals/`+referralID+`"] input[value=accepted] ~ button`)
	h.see(adv, "accepted", "The referral is updated.", "Status accepted — with Fatima Rahimi")
	h.shot(adv, "15-accepted")

	h.open(adv, "/escalations")
	h.click(adv, "open the escalation", `a[href="/escalations/`+escalationID+`"]`)
	h.see(adv, "escalation", "Landlord changed the locks")
	h.click(adv, "acknowledge", `form[action="/escalations/`+escalationID+`"] input[value=acknowledge] ~ div button`)
	h.see(adv, "acknowledged", "You acknowledged the escalation: it is yours now.", "Fatima Rahimi")
	h.shot(adv, "16-acknowledged")

	// Back at the clinic: the next page load shows the answers.
	h.open(nav, "/referrals/"+referralID)
	if st := h.textOf(nav, "dl.facts dd"); st != "accepted — with Fatima Rahimi" {
		t.Errorf("the sender sees the referral's status as %q; want accepted, with Fatima Rahimi", st)
	}
	h.shot(nav, "17-sender-sees-accepted")
	h.open(nav, "/escalations/"+escalationID)
	h.see(nav, "escalation owner", "Status acknowledged", "Owner Fatima Rahimi")
	h.shot(nav, "18-sender-sees-acknowledged")
}
