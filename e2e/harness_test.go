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
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
)

var (
	browserOnce sync.Once
	browserCtx  context.Context // the running browser
	browserStop context.CancelFunc
	browserErr  string
	axeSource   string
)

func TestMain(m *testing.M) {
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
		t.Skip(browserErr)
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
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	h.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		h.t.Fatalf("opening a browser window: %v", err)
	}
	ctx, cancel2 := context.WithTimeout(ctx, 3*time.Minute)
	h.t.Cleanup(cancel2)
	return ctx
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
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		h.t.Logf("screenshot %s: %v", name, err)
		return
	}
	file := filepath.Join(h.dir, nameRE.ReplaceAllString(strings.ToLower(name), "-")+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		h.t.Errorf("saving screenshot: %v", err)
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
	var steps []chromedp.Action[chromedp.Void]
	for sel, v := range fields {
		steps = append(steps, chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), v))
	}
	h.do(ctx, what, steps...)
	h.click(ctx, what, form+` button[type=submit]`)
}

// click clicks an element that leads to a new page and waits for it.
func (h *harness) click(ctx context.Context, what, sel string) {
	h.t.Helper()
	get(h, ctx, "mark the page", chromedp.Evaluate[bool](`window.__accordPage = 2; true`))
	h.do(ctx, what, chromedp.Click(chromedp.CSS(sel)))
	// Wait until a new document has loaded.
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.readyState === "complete" && !window.__accordPage ? 1 : (window.__accordPage || 0)`))
		if err == nil && v == 1 {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			h.fail(ctx, what+": waiting for the next page", fmt.Errorf("no new page after 30s"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// chromedpOuterHTML returns the whole document's HTML.
func chromedpOuterHTML() chromedp.Action[string] {
	return chromedp.OuterHTML(chromedp.CSS("html"))
}
