package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/accord-project/accord/i18n"
)

// TestBrowserArabicPortal: a navigator gives an Arabic-speaking client a
// one-time code; the client signs in to the portal on her own phone with
// it and gets her page in Arabic, right to left, with the layout mirrored:
// the brand and the first menu item on the right. Her access report (who
// saw my information) is in Arabic too, and passes axe. Switching to
// English and back turns the direction over and back again.
func TestBrowserArabicPortal(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	clientID := h.scenarioClient("advocate-reads-clinical-summary") // prefers Arabic
	cat := i18n.MustLoad()
	ar := cat.Printer(cat.Match("ar"))
	arabic := func(s string) string {
		if tr := ar.Sprintf(s); tr != s {
			return tr
		}
		t.Fatalf("the Arabic catalogue has no %q", s)
		return ""
	}

	// The navigator makes a code and reads it out.
	nav := h.window()
	h.signIn(nav, "amina.navigator")
	h.open(nav, "/clients/"+clientID)
	h.click(nav, "make a sign-in code", `form[action="/clients/`+clientID+`/portal-code"] button`)
	h.see(nav, "code page", "Portal sign-in code", "Read this code to the client")
	code := h.textOf(nav, "p.portal-code")
	if len(strings.ReplaceAll(code, " ", "")) != 12 {
		t.Fatalf("the code page shows %q, not a 12-character code", code)
	}
	if h.textOf(nav, `section.portal-handout[lang=ar][dir=rtl] h2`) != arabic("Your sign-in code") {
		t.Errorf("the hand-out for the client is not in Arabic: %q", h.textOf(nav, "section.portal-handout"))
	}
	h.shot(nav, "01-code-for-the-client")

	// The client, on her phone.
	me := h.window()
	h.open(me, "/my/signin")
	h.shot(me, "02-portal-sign-in")
	h.submit(me, "sign in with the code", `form[action="/my/signin"]`, map[string]string{"#f-code": strings.ToLower(code)})
	if p := h.path(me); p != "/my" {
		t.Fatalf("after the code, at %s: %s", p, h.text(me))
	}

	// Her page is in her language, right to left.
	rtl := func(where string) {
		t.Helper()
		lang := get(h, me, "lang", chromedp.Evaluate[string](`document.documentElement.lang`))
		dir := get(h, me, "dir", chromedp.Evaluate[string](`document.documentElement.dir`))
		body := get(h, me, "direction", chromedp.Evaluate[string](`getComputedStyle(document.body).direction`))
		if lang != "ar" || dir != "rtl" || body != "rtl" {
			t.Errorf("%s: <html lang=%q dir=%q>, body direction %q; want ar, rtl, rtl", where, lang, dir, body)
		}
		if s := mirrored(h, me); s != "" {
			h.shot(me, "failed-mirror-"+where)
			t.Errorf("%s: the layout is not mirrored: %s", where, s)
		}
	}
	rtl("home")
	if got := h.textOf(me, "main h1"); got != arabic("Your page") {
		t.Errorf("the portal's home page is titled %q; want %q", got, arabic("Your page"))
	}
	h.shot(me, "03-home-in-arabic")
	h.accessible(me, "portal home in Arabic")

	// Who saw my information, in Arabic.
	h.click(me, "who saw my information", `nav.main-nav a[href="/my/access"]`)
	rtl("access report")
	if got := h.textOf(me, "main h1"); got != arabic("Who saw my information") {
		t.Errorf("the access report is titled %q; want %q", got, arabic("Who saw my information"))
	}
	report := h.text(me)
	for _, en := range []string{"Who saw my information", "Each time someone in the partnership looks at your information", "Allowed", "Refused"} {
		if strings.Contains(report, en) {
			t.Errorf("the Arabic access report has English in it: %q", en)
		}
	}
	if !h.exists(me, "ol.portal-access li") {
		t.Errorf("the access report lists nothing: %s", report)
	}
	if !strings.Contains(report, arabic("Allowed")) {
		t.Errorf("the access report shows no %q (allowed) badge: %s", arabic("Allowed"), report)
	}
	h.shot(me, "04-access-report-in-arabic")
	h.accessible(me, "portal access report in Arabic")

	// English, then back to Arabic, with the switch on the page.
	h.language(me, "en")
	if dir := get(h, me, "dir", chromedp.Evaluate[string](`getComputedStyle(document.body).direction`)); dir != "ltr" {
		t.Errorf("in English the page's direction is %q", dir)
	}
	h.see(me, "access report in English", "Who saw my information")
	if p := h.path(me); p != "/my/access" {
		t.Errorf("switching language went to %s, not back to the same page", p)
	}
	if mirrored(h, me) == "" {
		t.Error("in English the layout is still mirrored")
	}
	h.shot(me, "05-access-report-in-english")
	h.language(me, "ar")
	rtl("after switching back")
	h.shot(me, "06-back-in-arabic")
}

// mirrored checks the page's header reads right to left: the brand is to
// the right of the language switch, the main navigation starts at the
// right, and the main heading's text starts at the right edge. It
// returns what is wrong, or "".
func mirrored(h *harness, ctx context.Context) string {
	h.t.Helper()
	return get(h, ctx, "compare boxes", chromedp.Evaluate[string](`(() => {
		const box = s => { const e = document.querySelector(s); return e && e.getBoundingClientRect(); };
		const brand = box("header .brand"), langs = box("header nav.langs");
		const items = [...document.querySelectorAll("nav.main-nav li")].map(li => li.getBoundingClientRect());
		const h1el = document.querySelector("main h1"), main = box("main");
		let h1 = null;
		if (h1el) { const r = document.createRange(); r.selectNodeContents(h1el); h1 = r.getBoundingClientRect(); } // the text, not the block
		if (!brand || !langs || items.length < 2 || !h1 || !main) return "the header, navigation or heading is missing";
		const out = [];
		if (!(brand.left > langs.right)) out.push("brand at " + brand.left + " is not right of the language switch ending at " + langs.right);
		if (!(items[0].left > items[items.length-1].left)) out.push("the first menu item (" + items[0].left + ") is not right of the last (" + items[items.length-1].left + ")");
		const block = h1el.getBoundingClientRect();
		if (Math.abs(h1.right - block.right) > 2 || h1.left - block.left < 20) out.push("the heading's text runs from " + h1.left + " to " + h1.right + ", not against the right edge " + block.right);
		return out.join("; ");
	})()`))
}
