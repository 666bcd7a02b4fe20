package e2e_test

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

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

// crawl visits every page reachable by links from start (one per pattern
// of path with ids replaced), up to limit, and returns their paths.
func (h *harness) crawl(ctx context.Context, start string, limit int, seen map[string]bool) []string {
	h.t.Helper()
	queue := []string{start}
	var out []string
	for len(queue) > 0 && len(out) < limit {
		p := queue[0]
		queue = queue[1:]
		key := idRE.ReplaceAllString(strings.SplitN(p, "?", 2)[0], "/{id}")
		if seen[key] {
			continue
		}
		seen[key] = true
		h.open(ctx, p)
		if at := h.path(ctx); strings.HasPrefix(at, "/signin") && !strings.HasPrefix(p, "/signin") {
			continue // not for this user
		}
		out = append(out, p)
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
	return out
}

// TestBrowserAccessibility crawls the interface as staff of several roles
// and as a visitor, and runs axe-core on every page in every language:
// there must be no WCAG 2.2 A or AA violation anywhere.
func TestBrowserAccessibility(t *testing.T) {
	h := newHarness(t)
	seen := map[string]bool{}
	type visit struct{ user, path string }
	var pages []visit
	visitor := h.window()
	for _, p := range h.crawl(visitor, "/", 20, seen) {
		pages = append(pages, visit{"", p})
	}
	for _, user := range []string{"amina.navigator", "f.rahimi", "r.mensah", "p.nowak"} {
		w := h.window()
		h.signIn(w, user)
		for _, p := range h.crawl(w, "/work", 60, seen) {
			pages = append(pages, visit{user, p})
		}
	}
	if len(pages) < 5 {
		t.Fatalf("the crawl found only %d pages", len(pages))
	}
	windows := map[string]context.Context{}
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			for _, v := range pages {
				w, ok := windows[v.user]
				if !ok {
					w = h.window()
					if v.user != "" {
						h.signIn(w, v.user)
					}
					windows[v.user] = w
				}
				h.open(w, "/lang/"+lang+"?next="+url.QueryEscape(v.path))
				if dir := get(h, w, "dir", chromedp.Evaluate[string](`document.documentElement.dir`)); dir != map[bool]string{true: "rtl", false: "ltr"}[lang == "ar"] {
					t.Errorf("%s in %s: dir=%q", v.path, lang, dir)
				}
				h.accessibleIn(t, w, lang+" "+v.path)
				// A slow link: the page and everything it loads, compressed,
				// as a browser with an empty cache would fetch it.
				weight := get(h, w, "weight", chromedp.Evaluate[float64](`performance.getEntries().reduce((n, e) => n + (e.encodedBodySize || 0), 0)`))
				if weight > 100*1024 {
					t.Errorf("%s in %s weighs %.0f KB compressed; the limit is 100 KB", v.path, lang, weight/1024)
				}
				if lang == "ar" || slices.Contains([]string{"/work", "/signin", "/"}, v.path) {
					h.shot(w, lang+"-"+v.path)
				}
			}
		})
	}
}
