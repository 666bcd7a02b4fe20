package e2e_test

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// languages are the interface's languages; every page is checked in each.
var languages = []string{"en", "es", "fr", "ar"}

// idRE matches a pseudonymous id in a path (cli_…, cas_…): pages that
// differ only by id are one page for the accessibility check.
var idRE = regexp.MustCompile(`/[a-z]{3}_[a-z0-9]+`)

// skipPath are links the crawler does not follow: they sign out, switch
// language, or are not pages.
func skipPath(p string) bool {
	for _, prefix := range []string{"/lang/", "/static/", "/api/", "/healthz", "/readyz"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return strings.HasSuffix(p, "/signout") || strings.HasSuffix(p, ".json")
}

// pageKey is the pattern of a page's path: ids replaced, query dropped.
func pageKey(p string) string {
	return idRE.ReplaceAllString(strings.SplitN(p, "?", 2)[0], "/{id}")
}

// crawl visits the pages reachable by links from start, one per pattern of
// path with ids replaced (up to limit), and adds those it reached to
// reached, by pattern. A link that redirects counts as the page it lands
// on; a page that sends the user to sign in is not for them.
func (h *harness) crawl(ctx context.Context, start string, limit int, reached map[string]string) {
	h.t.Helper()
	queue := []string{start}
	opened := map[string]bool{}
	for len(queue) > 0 && len(opened) < limit {
		p := queue[0]
		queue = queue[1:]
		if opened[pageKey(p)] {
			continue
		}
		opened[pageKey(p)] = true
		h.open(ctx, p)
		at := h.path(ctx)
		if strings.HasPrefix(at, "/signin") && !strings.HasPrefix(p, "/signin") ||
			strings.HasPrefix(at, "/my/signin") && !strings.HasPrefix(p, "/my/signin") {
			continue // not for this user
		}
		opened[pageKey(at)] = true
		if _, ok := reached[pageKey(at)]; !ok {
			reached[pageKey(at)] = at
		}
		links := get(h, ctx, "links", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("a[href]")).map(a => a.getAttribute("href"))`))
		for _, l := range links {
			u, err := url.Parse(l)
			if err != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/") || skipPath(u.Path) {
				continue
			}
			next := u.Path
			if u.RawQuery != "" {
				next += "?" + u.RawQuery
			}
			queue = append(queue, next)
		}
	}
}

// axeUser is one of the people the accessibility test crawls as.
type axeUser struct {
	name   string
	user   string // a staff username, "client:" and a client id, or "" for a visitor
	starts []string
	w      context.Context
	// reached are the pages the user's crawl reached, by pattern; check
	// are those the user checks.
	reached map[string]string
	check   []string
}

// TestBrowserAccessibility crawls the interface as staff of several roles,
// as a client signed in to the portal, and as a visitor (the public pages,
// the complaint pages among them), and runs axe-core on every page in every
// language: there must be no WCAG 2.2 A or AA violation anywhere. A signed
// audit checkpoint exists first, so the audit pages show one; a complaint
// is sent and followed in each language, so the pages after those forms
// are checked too.
func TestBrowserAccessibility(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if _, err := h.srv.DB.SignCheckpoint(context.Background(), h.srv.Signer.Name(), h.srv.Signer); err != nil {
		t.Fatalf("signing an audit checkpoint: %v", err)
	}
	users := []*axeUser{
		{name: "visitor", starts: []string{"/", "/grievances/new", "/grievances/track", "/my/signin"}},
		{name: "amina.navigator", user: "amina.navigator", starts: []string{"/work"}},
		{name: "f.rahimi", user: "f.rahimi", starts: []string{"/work"}},
		{name: "r.mensah", user: "r.mensah", starts: []string{"/work"}},
		{name: "p.nowak", user: "p.nowak", starts: []string{"/work"}},
		{name: "c.achebe", user: "c.achebe", starts: []string{"/work", "/oversight/reviews"}},
		{name: "client", user: "client:" + h.scenarioClient("advocate-reads-clinical-summary"), starts: []string{"/my"}},
	}
	// One window per user for the whole test: a user signs in once, and a
	// client's portal session is not ended by a second sign-in.
	for _, u := range users {
		u.w, u.reached = h.windowFor(10*time.Minute), map[string]string{}
	}
	// Users work in parallel, as many at once as go test -parallel allows.
	t.Run("crawl", func(t *testing.T) {
		for _, u := range users {
			t.Run(u.name, func(t *testing.T) {
				t.Parallel()
				h := &harness{t: t, srv: h.srv, dir: h.dir}
				if id, ok := strings.CutPrefix(u.user, "client:"); ok {
					h.portalSignIn(u.w, id)
				} else if u.user != "" {
					h.signIn(u.w, u.user)
				}
				for _, start := range u.starts {
					h.crawl(u.w, start, 60, u.reached)
				}
			})
		}
	})
	if t.Failed() {
		return
	}
	// Each page is checked once, by the user who reached it with the least
	// to check so far.
	var keys []string
	for _, u := range users {
		for k := range u.reached {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		var by *axeUser
		for _, u := range users {
			if _, ok := u.reached[k]; ok && (by == nil || len(u.check) < len(by.check)) {
				by = u
			}
		}
		by.check = append(by.check, by.reached[k])
	}
	t.Logf("%d pages, in %d languages", len(keys), len(languages))
	for _, want := range []string{"/grievances/new", "/grievances/track", "/my/signin", "/my", "/my/access", "/my/consents", "/audit/checkpoints", "/admin",
		"/admin/areas", "/oversight/reviews", "/oversight/compliance", "/oversight/anomalies", "/retention", "/indicators"} {
		if !slices.Contains(keys, want) {
			t.Errorf("the crawl did not reach %s", want)
		}
	}
	t.Run("check", func(t *testing.T) {
		for _, u := range users {
			t.Run(u.name, func(t *testing.T) {
				t.Parallel()
				h := &harness{t: t, srv: h.srv, dir: h.dir}
				t.Logf("%d pages: %s", len(u.check), strings.Join(u.check, " "))
				for _, lang := range languages {
					for _, p := range u.check {
						h.open(u.w, "/lang/"+lang+"?next="+url.QueryEscape(p))
						h.checkPage(u.w, lang, p)
						if lang == "ar" || slices.Contains([]string{"/work", "/signin", "/", "/my"}, p) {
							h.shot(u.w, lang+"-"+p)
						}
					}
					if u.user == "" {
						h.complaint(u.w, lang)
					}
				}
			})
		}
	})
}

// complaint sends a complaint from the public form in lang and follows it
// with its tracking code, checking the pages after each form.
func (h *harness) complaint(w context.Context, lang string) {
	t := h.t
	t.Helper()
	h.open(w, "/lang/"+lang+"?next=/grievances/new")
	h.check(w, "complaint", `input[name=category]`, `input[name=identity][value=anonymous]`)
	h.fill(w, "complaint", map[string]string{"#f-description": "No interpreter was offered at my appointment."})
	h.click(w, "send a complaint", `form[action="/grievances/new"] button[type=submit]`)
	code := h.textOf(w, "#tracking-code")
	if code == "" {
		t.Fatalf("no tracking code after sending a complaint in %s: %s", lang, h.text(w))
	}
	h.checkPage(w, lang, "/grievances/new (sent)")
	h.shot(w, lang+"-complaint-sent")
	h.open(w, "/grievances/track")
	h.submit(w, "follow the complaint", `form[action="/grievances/track"]`, map[string]string{"#f-code": code})
	if !strings.Contains(h.text(w), "No interpreter was offered") {
		t.Fatalf("following the complaint in %s did not show it: %s", lang, h.text(w))
	}
	h.checkPage(w, lang, "/grievances/track (found)")
	h.shot(w, lang+"-complaint-followed")
}

// checkPage checks the page open in w: its direction, axe-core, and its
// weight.
func (h *harness) checkPage(w context.Context, lang, label string) {
	t := h.t
	t.Helper()
	if dir := get(h, w, "dir", chromedp.Evaluate[string](`document.documentElement.dir`)); dir != map[bool]string{true: "rtl", false: "ltr"}[lang == "ar"] {
		t.Errorf("%s in %s: dir=%q", label, lang, dir)
	}
	h.accessibleIn(t, w, lang+" "+label)
	// A slow link: the page and everything it loads, compressed, as a
	// browser with an empty cache would fetch it.
	weight := get(h, w, "weight", chromedp.Evaluate[float64](`performance.getEntries().reduce((n, e) => n + (e.encodedBodySize || 0), 0)`))
	if weight > 100*1024 {
		t.Errorf("%s in %s weighs %.0f KB compressed; the limit is 100 KB", label, lang, weight/1024)
	}
}
