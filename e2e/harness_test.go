// Package e2e_test drives Accord's web interface in a real browser: the
// system Chromium through chromedp, against a real server on a real
// database, with axe-core (from npm) checking every page for WCAG 2.2 AA
// violations in every language. Screenshots go to e2e/artifacts (or
// $ACCORD_ARTIFACTS).
//
// Outside CI the tests skip, naming what is missing (Chromium, or axe-core
// before `npm ci --prefix e2e`); with ACCORD_REQUIRE_SERVICES set (CI)
// they fail instead.
package e2e_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
)

var (
	browserOnce sync.Once
	browserCtx  context.Context // the running browser
	browserStop context.CancelFunc
	browserErr  string
	axeSource   string
	axeWindows  sync.Map // target ids of the windows that load axe into every page
)

func TestMain(m *testing.M) {
	// The browser tests mostly wait (for the browser and the server), so
	// four run at once rather than one per core, unless -parallel says.
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", "4")
	}
	code := m.Run()
	if browserStop != nil {
		browserStop()
	}
	os.Exit(code)
}

// chromiumPath finds the browser: $ACCORD_CHROMIUM, else Debian's chromium.
func chromiumPath() string {
	if p := os.Getenv("ACCORD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// needBrowser skips (or, in CI, fails) when Chromium or axe-core is
// missing, and otherwise starts the shared browser once.
func needBrowser(t *testing.T) {
	t.Helper()
	browserOnce.Do(func() {
		path := chromiumPath()
		if path == "" {
			browserErr = "browser tests need Chromium: install Debian's chromium package (apt-get install chromium) or set ACCORD_CHROMIUM to a Chromium binary"
			return
		}
		b, err := os.ReadFile(filepath.Join("node_modules", "axe-core", "axe.min.js"))
		if err != nil {
			browserErr = "browser tests need axe-core from npm: run `npm ci --prefix e2e` (" + err.Error() + ")"
			return
		}
		axeSource = string(b)
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.Flag("headless", true),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-sync", true),
			chromedp.NoFirstRun,
			chromedp.WindowSize(1280, 900),
		)
		alloc, stopAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, stopBrowser := chromedp.NewContext(alloc)
		browserCtx, browserStop = ctx, func() { stopBrowser(); stopAlloc() }
		if err := chromedp.Do(ctx); err != nil {
			browserErr = "starting Chromium (" + path + "): " + err.Error()
		}
	})
	if browserErr != "" {
		if os.Getenv("ACCORD_REQUIRE_SERVICES") != "" {
			t.Fatal(browserErr)
		}
		t.Skipf("skipped, a service the browser tests need is missing (CI sets ACCORD_REQUIRE_SERVICES and fails instead): %s", browserErr)
	}
}

// harness is one test's server and browser.
type harness struct {
	t   *testing.T
	srv *testserver.Server
	dir string // screenshots
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	needBrowser(t)
	root := os.Getenv("ACCORD_ARTIFACTS")
	if root == "" {
		root = "artifacts"
	}
	dir := filepath.Join(root, strings.ReplaceAll(t.Name(), "/", "_"))
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, srv: testserver.Start(t, testdb.SQLite(t)), dir: dir}
}

// window opens a new, isolated browser context (its own cookies): a
// second person at a second computer.
func (h *harness) window() context.Context {
	h.t.Helper()
	return h.windowFor(3 * time.Minute)
}

// windowFor is window, open for at most d.
func (h *harness) windowFor(d time.Duration) context.Context {
	h.t.Helper()
	return h.windowUntil(h.t, d)
}

// windowUntil is window, open for at most d and closed at the end of the
// test owner (h's test or one that outlives it).
func (h *harness) windowUntil(owner *testing.T, d time.Duration) context.Context {
	h.t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	owner.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		h.t.Fatalf("opening a browser window: %v", err)
	}
	ctx, cancel2 := context.WithTimeout(ctx, d)
	owner.Cleanup(cancel2)
	return ctx
}

// tab opens another tab of the window w, the same person at the same
// computer (the same cookies), closed at the end of h's test. The tab
// loads axe-core into every page it opens.
func (h *harness) tab(w context.Context) context.Context {
	h.t.Helper()
	ctx, cancel := chromedp.NewContext(w)
	h.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		h.t.Fatalf("opening a browser tab: %v", err)
	}
	h.preloadAxe(ctx)
	return ctx
}

// preloadAxe makes every page the tab of ctx opens from now on load
// axe-core as it loads: sending its half a megabyte for each page costs
// more than the check.
func (h *harness) preloadAxe(ctx context.Context) {
	h.t.Helper()
	c := chromedp.FromContext(ctx)
	if c == nil || c.Target == nil {
		return
	}
	if _, done := axeWindows.LoadOrStore(c.Target.TargetID, true); done {
		return
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: axeSource}); err != nil {
		h.t.Logf("preloading axe: %v", err)
	}
}

// do runs browser steps, failing the test with a screenshot on error.
func (h *harness) do(ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	h.t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		h.fail(ctx, what, err)
	}
}

// get runs one browser action that returns a value.
func get[T any](h *harness, ctx context.Context, what string, a chromedp.Action[T]) T {
	h.t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		h.fail(ctx, what, err)
	}
	return v
}

func (h *harness) fail(ctx context.Context, what string, err error) {
	h.t.Helper()
	h.shot(ctx, "failed-"+what)
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	h.t.Fatalf("%s (at %s): %v", what, loc, err)
}

var nameRE = regexp.MustCompile(`[^a-z0-9-]+`)

// shot saves a full-page screenshot.
func (h *harness) shot(ctx context.Context, name string) {
	sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, fullPage())
	if err != nil {
		h.t.Logf("screenshot %s: %v", name, err)
		return
	}
	file := filepath.Join(h.dir, nameRE.ReplaceAllString(strings.ToLower(name), "-")+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		h.t.Errorf("saving screenshot: %v", err)
	}
}

// fullPage captures the whole page as PNG, with the viewport made as tall
// as the page: Chromium's own capture beyond the viewport shifts
// right-to-left pages sideways.
func fullPage() chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		size, err := chromedp.Evaluate[[]float64](`[innerWidth, innerHeight, document.documentElement.scrollHeight]`)(ctx, t)
		if err != nil {
			return nil, err
		}
		if size[2] > size[1] {
			if _, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
				Width: int64(size[0]), Height: int64(size[2]), DeviceScaleFactor: 1}); err != nil {
				return nil, err
			}
			defer cdp.Call(ctx, t, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
		}
		// PNG encoded for speed: the same picture in a larger file, made
		// in a third less time.
		yes := true
		r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{FromSurface: &yes, OptimizeForSpeed: &yes})
		if err != nil {
			return nil, err
		}
		return r.Data, nil
	}
}

// open navigates to a path of the server and waits for the page.
func (h *harness) open(ctx context.Context, path string) {
	h.t.Helper()
	h.do(ctx, "open "+path, chromedp.Navigate(h.srv.URL+path), chromedp.WaitReady(chromedp.CSS("body")))
}

// text returns the page's visible text.
func (h *harness) text(ctx context.Context) string {
	h.t.Helper()
	s := get(h, ctx, "read the page", chromedp.Text(chromedp.CSS("body")))
	return strings.Join(strings.Fields(s), " ")
}

// path returns the current page's path.
func (h *harness) path(ctx context.Context) string {
	h.t.Helper()
	return strings.TrimPrefix(get(h, ctx, "location", chromedp.Location()), h.srv.URL)
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		HTML    string `json:"html"`
		Failure string `json:"failureSummary"`
	} `json:"nodes"`
}

// axe runs axe-core on the current page (WCAG 2.0, 2.1 and 2.2 A and AA
// rules) and reports each violation.
func (h *harness) axe(ctx context.Context, label string) []axeViolation {
	h.t.Helper()
	if !get(h, ctx, "look for axe", chromedp.Evaluate[bool](`typeof axe !== "undefined"`)) {
		// From the first check in a window on, every page the window opens
		// gets axe as it loads.
		h.preloadAxe(ctx)
		get(h, ctx, "inject axe", chromedp.Evaluate[bool](axeSource+";true"))
	}
	script := `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}, resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`
	raw := get(h, ctx, "run axe", chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		h.t.Fatalf("axe result: %v", err)
	}
	return vs
}

// accessible fails the test for every axe violation on the current page.
func (h *harness) accessible(ctx context.Context, label string) {
	h.t.Helper()
	h.accessibleIn(h.t, ctx, label)
}

// accessibleIn is accessible reporting to a subtest.
func (h *harness) accessibleIn(t *testing.T, ctx context.Context, label string) {
	t.Helper()
	for _, v := range h.axe(ctx, label) {
		var nodes []string
		for i, n := range v.Nodes {
			if i == 3 {
				nodes = append(nodes, fmt.Sprintf("… and %d more", len(v.Nodes)-3))
				break
			}
			nodes = append(nodes, fmt.Sprintf("%v %s", n.Target, truncate(n.HTML, 160)))
		}
		t.Errorf("%s: axe %s (%s): %s\n    %s", label, v.ID, v.Impact, v.Help, strings.Join(nodes, "\n    "))
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// signIn signs a demo staff member in through the form.
func (h *harness) signIn(ctx context.Context, username string) {
	h.t.Helper()
	h.open(ctx, "/signin")
	h.submit(ctx, "sign in as "+username, `form[action="/signin"]`, map[string]string{
		"#f-username": username,
		"#f-password": h.srv.Login(username).Password,
	})
	if p := h.path(ctx); strings.HasPrefix(p, "/signin") {
		h.t.Fatalf("signing in as %s: still at %s: %s", username, p, h.text(ctx))
	}
}

// language switches the interface language with the switch on the page.
func (h *harness) language(ctx context.Context, tag string) {
	h.t.Helper()
	h.do(ctx, "switch to "+tag, chromedp.Click(chromedp.CSS(`nav.langs a[hreflang="`+tag+`"]`)), chromedp.WaitReady(chromedp.CSS(`html[lang="`+tag+`"]`)))
}

// submit types into fields (CSS selector → text) and presses the form's
// submit button, waiting for the next page.
func (h *harness) submit(ctx context.Context, what, form string, fields map[string]string) {
	h.t.Helper()
	h.fill(ctx, what, fields)
	h.click(ctx, what, form+` button[type=submit]`)
}

// fill types into fields (CSS selector → text), replacing what they held.
func (h *harness) fill(ctx context.Context, what string, fields map[string]string) {
	h.t.Helper()
	for sel, v := range fields {
		// Emptied with a script, not chromedp.Clear: Clear fails on an
		// empty textarea. (DevTools scripts run even where the page's own
		// are disabled.)
		get(h, ctx, what+": empty "+sel, chromedp.Evaluate[bool](`(e => { e.value = ""; return true })(document.querySelector(`+jsString(sel)+`))`))
		h.do(ctx, what+": type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), v))
	}
}

// jsString quotes s as a JavaScript string.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// click clicks an element that leads to a new page and waits for it.
func (h *harness) click(ctx context.Context, what, sel string) {
	h.t.Helper()
	get(h, ctx, "mark the page", chromedp.Evaluate[bool](`window.__accordPage = 2; true`))
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	loaded := make(chan struct{}, 1)
	if err := chromedp.Listen(wctx, func(ev any) {
		if _, ok := ev.(*page.EventLoadEventFired); ok {
			select {
			case loaded <- struct{}{}:
			default:
			}
		}
	}); err != nil {
		h.fail(ctx, what, err)
	}
	h.do(ctx, what, chromedp.Click(chromedp.CSS(sel)))
	// Wait until a new document has loaded: look at each load event, and
	// again every quarter second in case the look came too early.
	for {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.readyState === "complete" && !window.__accordPage ? 1 : (window.__accordPage || 0)`))
		if err == nil && v == 1 {
			return
		}
		select {
		case <-loaded:
		case <-time.After(250 * time.Millisecond):
		case <-wctx.Done():
			h.fail(ctx, what+": waiting for the next page", fmt.Errorf("no new page after 30s"))
		}
	}
}

// chromedpOuterHTML returns the whole document's HTML.
func chromedpOuterHTML() chromedp.Action[string] {
	return chromedp.OuterHTML(chromedp.CSS("html"))
}

// check ticks checkboxes and radio buttons (CSS selectors) that are not
// ticked yet, by clicking them as a person would.
func (h *harness) check(ctx context.Context, what string, sels ...string) {
	h.t.Helper()
	for _, sel := range sels {
		on := get(h, ctx, what+": is "+sel+" ticked", chromedp.Evaluate[bool](`document.querySelector(`+jsString(sel)+`).checked`))
		if !on {
			h.do(ctx, what+": tick "+sel, chromedp.Click(chromedp.CSS(sel)))
		}
	}
}

// choose picks the option with value in a select.
func (h *harness) choose(ctx context.Context, what, sel, value string) {
	h.t.Helper()
	ok := get(h, ctx, what, chromedp.Evaluate[bool](`(s => { if (![...s.options].some(o => o.value === `+jsString(value)+`)) return false;
		s.value = `+jsString(value)+`; s.dispatchEvent(new Event("change", {bubbles: true})); return true })(document.querySelector(`+jsString(sel)+`))`))
	if !ok {
		h.fail(ctx, what, fmt.Errorf("%s has no option %q", sel, value))
	}
}

// value returns a form field's current value.
func (h *harness) value(ctx context.Context, sel string) string {
	h.t.Helper()
	return get(h, ctx, "value of "+sel, chromedp.Evaluate[string](`document.querySelector(`+jsString(sel)+`).value`))
}

// see fails the test unless the page shows every one of texts.
func (h *harness) see(ctx context.Context, where string, texts ...string) {
	h.t.Helper()
	page := h.text(ctx)
	for _, want := range texts {
		if !strings.Contains(page, want) {
			h.shot(ctx, "failed-"+where)
			h.t.Fatalf("%s (at %s): the page does not show %q:\n%s", where, h.path(ctx), want, page)
		}
	}
}

// textOf returns the visible text of the first element matching sel.
func (h *harness) textOf(ctx context.Context, sel string) string {
	h.t.Helper()
	s := get(h, ctx, "read "+sel, chromedp.Evaluate[string](`(e => e ? e.innerText : "")(document.querySelector(`+jsString(sel)+`))`))
	return strings.Join(strings.Fields(s), " ")
}

// exists reports whether the page has an element matching sel.
func (h *harness) exists(ctx context.Context, sel string) bool {
	h.t.Helper()
	return get(h, ctx, "look for "+sel, chromedp.Evaluate[bool](`document.querySelector(`+jsString(sel)+`) !== null`))
}

// acceptDialogs answers every confirm() of the window's pages with OK, as a
// person who means it would, and returns the questions asked so far.
func (h *harness) acceptDialogs(ctx context.Context) func() []string {
	var mu sync.Mutex
	var asked []string
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			mu.Lock()
			asked = append(asked, ev.Message)
			mu.Unlock()
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(asked) }
}

// orgID returns the id of the demo organisation named name.
func (h *harness) orgID(name string) string {
	for _, o := range h.srv.P.Organizations {
		if o.Name == name {
			return o.ID
		}
	}
	h.t.Fatalf("no demo organisation %q", name)
	return ""
}

// scenarioClient returns the client a demo scenario is about.
func (h *harness) scenarioClient(id string) string {
	for _, s := range h.srv.P.Scenarios {
		if s.ID == id {
			return s.ClientID
		}
	}
	h.t.Fatalf("no demo scenario %q", id)
	return ""
}

// idIn returns the id after prefix in a path ("/clients/" in
// "/clients/cli_…?notice=…").
func idIn(path, prefix string) string {
	rest, ok := strings.CutPrefix(path, prefix)
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// clientName returns a demo client's name as pages show it.
func (h *harness) clientName(id string) string {
	for _, c := range h.srv.P.Clients {
		if c.ID == id {
			return strings.TrimSpace(c.GivenName + " " + c.FamilyName)
		}
	}
	h.t.Fatalf("no demo client %s", id)
	return ""
}

// portalSignIn signs a client in to the portal with a fresh one-time code,
// made in the store as `accord demo` does (the portal test makes one
// through the staff page instead).
func (h *harness) portalSignIn(ctx context.Context, clientID string) {
	h.t.Helper()
	code := enforce.NewPortalCode()
	if err := h.srv.DB.CreatePortalCode(context.Background(), accord.Actor{StaffID: "system"}, clientID, enforce.PortalCodeHash(code), enforce.PortalCodeTTL); err != nil {
		h.t.Fatalf("making a portal code: %v", err)
	}
	h.open(ctx, "/my/signin")
	h.submit(ctx, "portal sign-in", `form[action="/my/signin"]`, map[string]string{"#f-code": code})
	if p := h.path(ctx); p != "/my" {
		h.t.Fatalf("signing in to the portal: at %s: %s", p, h.text(ctx))
	}
}
