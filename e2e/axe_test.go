package e2e_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
)

// languages are the interface's languages; every page is checked in each.
var languages = []string{"en", "es", "fr", "ar"}

// idRE matches a path segment that is a pseudonymous id (cli_…, cas_…) or
// a number (an audit entry's index): pages that differ only by them are
// one page for the accessibility check.
var idRE = regexp.MustCompile(`^([a-z]{3}_[a-z0-9]+|[0-9]+)$`)

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

// pageKey is the pattern of a page's path: ids (and numbers, such as an
// audit entry's index) replaced, query dropped. The check opens one page
// of each pattern: pages of one pattern are one template.
func pageKey(p string) string {
	segs := strings.Split(strings.SplitN(p, "?", 2)[0], "/")
	for i, s := range segs {
		if idRE.MatchString(s) {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

// crawl visits the pages reachable by links from start, one per pattern of
// path with ids replaced (up to limit), and returns those it reached, by
// pattern. A link that redirects counts as the page it lands on; a page
// that sends the user to sign in is not for them.
//
// The crawl only needs where each link leads, so it asks the server as the
// window w's user (with the window's cookies) without drawing the pages:
// the pages' links are all in the HTML the server sends. The check then
// opens every page it found in the browser.
func (h *harness) crawl(w context.Context, start string, limit int) map[string]string {
	h.t.Helper()
	client := h.cookiesOf(w)
	reached := map[string]string{}
	queue := []string{start}
	opened := map[string]bool{}
	for len(queue) > 0 && len(opened) < limit {
		p := queue[0]
		queue = queue[1:]
		if opened[pageKey(p)] {
			continue
		}
		opened[pageKey(p)] = true
		at, links := h.fetch(client, p)
		if strings.HasPrefix(at, "/signin") && !strings.HasPrefix(p, "/signin") ||
			strings.HasPrefix(at, "/my/signin") && !strings.HasPrefix(p, "/my/signin") {
			continue // not for this user
		}
		opened[pageKey(at)] = true
		if _, ok := reached[pageKey(at)]; !ok {
			reached[pageKey(at)] = at
		}
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
	return reached
}

// cookiesOf returns an HTTP client with the cookies of the window w.
func (h *harness) cookiesOf(w context.Context) *http.Client {
	h.t.Helper()
	res, err := chromedp.CallBrowser(w, storage.GetCookies, storage.GetCookiesParams{BrowserContextID: chromedp.FromContext(w).BrowserContextID})
	if err != nil {
		h.t.Fatalf("the window's cookies: %v", err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		h.t.Fatal(err)
	}
	var cs []*http.Cookie
	for _, c := range res.Cookies {
		cs = append(cs, &http.Cookie{Name: c.Name, Value: c.Value, Path: c.Path})
	}
	u, _ := url.Parse(h.srv.URL + "/")
	jar.SetCookies(u, cs)
	return &http.Client{Jar: jar}
}

// hrefRE finds the links of a page: the href of each a element.
var hrefRE = regexp.MustCompile(`(?is)<a\s[^>]*?\bhref="([^"]*)"`)

// fetch gets the page at path p, following redirects, and returns the path
// it landed on and the page's links, as the browser would show them.
func (h *harness) fetch(client *http.Client, p string) (at string, links []string) {
	h.t.Helper()
	req, err := http.NewRequest("GET", h.srv.URL+p, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Language", "en-US,en")
	resp, err := client.Do(req)
	if err != nil {
		h.t.Fatalf("crawl %s: %v", p, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("crawl %s: %v", p, err)
	}
	at = resp.Request.URL.Path
	if q := resp.Request.URL.RawQuery; q != "" {
		at += "?" + q
	}
	for _, m := range hrefRE.FindAllStringSubmatch(string(body), -1) {
		links = append(links, html.UnescapeString(m[1]))
	}
	return at, links
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
	h0 := h
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
	// client's portal session is not ended by a second sign-in. The
	// window's tabs share its cookies.
	//
	// Users work at once.
	inParallel(t, "crawl", users, func(_ int, u *axeUser) string { return u.name }, func(t *testing.T, u *axeUser) {
		h := &harness{t: t, srv: h.srv, dir: h.dir}
		u.w = h.windowUntil(h0.t, 10*time.Minute)
		if id, ok := strings.CutPrefix(u.user, "client:"); ok {
			h.portalSignIn(u.w, id)
		} else if u.user != "" {
			h.signIn(u.w, u.user)
		}
		u.reached = map[string]string{}
		for _, start := range u.starts {
			for k, p := range h.crawl(u.w, start, 60) {
				if _, ok := u.reached[k]; !ok {
					u.reached[k] = p
				}
			}
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
	// Each user's pages are shared out among tabs of the user's window, as
	// many as make the users' shares about even, taking the next page as
	// they finish one. The tabs go through the languages together, so a
	// page opens in the language its tab asked for.
	perTab := (len(keys) + len(users) - 1) / len(users)
	inParallel(t, "check", users, func(_ int, u *axeUser) string { return u.name }, func(t *testing.T, u *axeUser) {
		h := &harness{t: t, srv: h.srv, dir: h.dir}
		t.Logf("%d pages: %s", len(u.check), strings.Join(u.check, " "))
		h.preloadAxe(u.w)
		tabs := []context.Context{u.w}
		for len(tabs)*perTab < len(u.check) {
			tabs = append(tabs, h.tab(u.w))
		}
		for _, lang := range languages {
			jobs := make(chan func(h *harness, w context.Context), len(u.check)+1)
			for _, p := range u.check {
				jobs <- func(h *harness, w context.Context) {
					target := p
					if strings.HasSuffix(p, "/access-report") {
						// The client's report is in the client's language
						// unless another is asked for: ask for each.
						target += "?lang=" + lang
					}
					h.open(w, "/lang/"+lang+"?next="+url.QueryEscape(target))
					if at := h.path(w); at != target {
						h.t.Errorf("%s in %s: the language switch led to %s", target, lang, at)
					}
					h.checkPage(w, lang, p)
					if lang == "ar" || slices.Contains([]string{"/work", "/signin", "/", "/my"}, p) {
						h.shot(w, lang+"-"+p)
					}
				}
			}
			if u.user == "" {
				jobs <- func(h *harness, w context.Context) { h.complaint(w, lang) }
			}
			close(jobs)
			inParallel(t, lang, tabs, func(i int, _ context.Context) string { return strconv.Itoa(i + 1) }, func(t *testing.T, w context.Context) {
				h := &harness{t: t, srv: h.srv, dir: h.dir}
				for job := range jobs {
					job(h, w)
				}
			})
		}
	})
}

// inParallel runs f on each of items, all at once, each in a subtest
// (named by name) of a subtest of t named group. Unlike t.Parallel, the
// subtests do not wait for a place among the -parallel tests: they are
// one test's work shared out.
func inParallel[T any](t *testing.T, group string, items []T, name func(int, T) string, f func(*testing.T, T)) {
	t.Helper()
	t.Run(group, func(t *testing.T) {
		var wg sync.WaitGroup
		for i, it := range items {
			wg.Go(func() { t.Run(name(i, it), func(t *testing.T) { f(t, it) }) })
		}
		wg.Wait()
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
