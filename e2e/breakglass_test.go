package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserBreakGlass: a clinic doctor who is not on a patient's care
// team finds the clinical summary withheld and is offered emergency
// access. Sent without a reason, the form is refused with the error tied
// to the reason field, and nothing opens. With a reason it opens, the page
// warns that the access is recorded and reviewed, and the clinic's privacy
// officer finds it in the client's access report as an emergency access.
func TestBrowserBreakGlass(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	clientID := h.scenarioClient("break-glass-over") // not Dr García's patient
	profile := "/clients/" + clientID

	doc := h.window()
	asked := h.acceptDialogs(doc)
	h.signIn(doc, "m.garcia")
	h.open(doc, profile)
	withheld := h.textOf(doc, "#cat-clinical_summary .withheld")
	if withheld == "" || !strings.Contains(withheld, "In an emergency, open it with emergency access") {
		t.Fatalf("the clinical summary is not withheld with an offer of emergency access: %q", h.textOf(doc, "#cat-clinical_summary"))
	}
	h.shot(doc, "01-summary-withheld")
	h.click(doc, "emergency access", `#cat-clinical_summary .withheld a[href="`+profile+`/break-glass"]`)
	h.see(doc, "break-glass form", "Use this only in an emergency")
	h.shot(doc, "02-emergency-access-form")
	h.accessible(doc, "emergency access form")

	// No reason: refused, with the error beside the field.
	h.check(doc, "it is an emergency", "#f-confirm")
	h.click(doc, "open without a reason", `form[action="`+profile+`/break-glass"] button[type=submit]`)
	if p := h.path(doc); p != profile+"/break-glass" {
		t.Fatalf("without a reason the form went on to %s", p)
	}
	const why = "Say what the emergency is and why you need this information now."
	h.see(doc, "refused", "There is a problem", why)
	if got := h.textOf(doc, "#f-reason-error"); !strings.Contains(got, why) {
		t.Errorf("the reason's error says %q", got)
	}
	field := get(h, doc, "the reason field", chromedp.Attributes(chromedp.CSS("#f-reason")))
	if field["aria-invalid"] != "true" || !strings.Contains(" "+field["aria-describedby"]+" ", " f-reason-error ") {
		t.Errorf("the reason field is not marked invalid and tied to its error: aria-invalid=%q aria-describedby=%q", field["aria-invalid"], field["aria-describedby"])
	}
	if link := get(h, doc, "summary link", chromedp.Evaluate[string](`document.querySelector(".error-summary a").getAttribute("href")`)); link != "#f-reason" {
		t.Errorf("the error summary links to %q, not the reason field", link)
	}
	if focus := get(h, doc, "focus", chromedp.Evaluate[string](`document.activeElement.className`)); !strings.Contains(focus, "error-summary") {
		t.Errorf("the focus is on %q, not the error summary", focus)
	}
	if q := asked(); len(q) == 0 || !strings.Contains(q[0], "Open emergency access now?") {
		t.Errorf("the doctor was not asked to confirm: %q", q)
	}
	h.shot(doc, "03-no-reason-refused")
	h.accessible(doc, "emergency access form with an error")

	// Nothing opened.
	h.open(doc, profile+"/emergency")
	if h.exists(doc, "ol.client-records") || strings.Contains(h.text(doc), "You are reading this client's clinical information under emergency access") {
		t.Fatalf("emergency access opened without a reason: %s", h.text(doc))
	}
	h.shot(doc, "04-nothing-opened")

	// With a reason it opens, with a clear warning.
	h.open(doc, profile+"/break-glass")
	h.fill(doc, "reason", map[string]string{"#f-reason": "Collapsed in the waiting room, not responsive; need his medicines and conditions now."})
	h.check(doc, "it is an emergency", "#f-confirm")
	h.click(doc, "open with a reason", `form[action="`+profile+`/break-glass"] button[type=submit]`)
	if p := h.path(doc); !strings.HasPrefix(p, profile+"/emergency") {
		t.Fatalf("with a reason, at %s: %s", p, h.text(doc))
	}
	h.see(doc, "opened", "Emergency access is open. It is recorded and will be reviewed.",
		"You are reading this client's clinical information under emergency access.", "Everything you open is recorded and will be reviewed by oversight.")
	if !h.exists(doc, "ol.client-records li") {
		t.Errorf("emergency access shows no clinical information: %s", h.text(doc))
	}
	h.shot(doc, "05-emergency-access-open")
	h.accessible(doc, "emergency access open")

	// The privacy officer sees it in the access report, as an emergency.
	po := h.window()
	h.signIn(po, "p.nowak")
	h.open(po, profile+"/access-report")
	h.see(po, "access report", "Access report")
	rows := get(h, po, "emergency rows", chromedp.Evaluate[[]string](`[...document.querySelectorAll("table.report tbody tr")]
		.map(tr => tr.innerText.replace(/\s+/g, " "))
		.filter(s => s.includes("María García Ruiz") && s.includes("An emergency (break-glass) access, reviewed afterwards"))`))
	today := false
	for _, r := range rows {
		today = today || strings.Contains(r, "22 November 2026") && strings.Contains(r, "Allowed and shown") && strings.Contains(r, "emergency treatment")
	}
	if !today {
		t.Errorf("the access report does not list today's emergency access by Dr García; her emergency rows: %q", rows)
	}
	h.shot(po, "06-access-report")
}
