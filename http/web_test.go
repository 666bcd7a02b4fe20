package http_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pquerna/otp/totp"

	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
)

// TestWebSignIn walks a staff member through signing in, the wrong
// password, turning on two-step sign-in, signing in with a code and a
// recovery code, and ending a session.
func TestWebSignIn(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	b := srv.Browser(t)

	t.Run("pages need a session", func(t *testing.T) {
		p := b.Get(t, "/work")
		if p.URL.Path != "/signin" || p.URL.Query().Get("next") != "/work" {
			t.Fatalf("GET /work without a session ended at %s, want /signin?next=/work", p.URL)
		}
	})
	t.Run("wrong password keeps the username and says so", func(t *testing.T) {
		p := b.Post(t, "/signin", url.Values{"username": {"amina.navigator"}, "password": {"not the password"}})
		if p.Status != http.StatusUnauthorized || !p.Contains("The username or password is not right") && !p.Contains("the username or password is not right") {
			t.Fatalf("status %d, text %q", p.Status, p.Text())
		}
		if !strings.Contains(p.Body, `value="amina.navigator"`) {
			t.Error("the username typed is not kept")
		}
		if strings.Contains(p.Body, "not the password") {
			t.Error("the password typed is shown back")
		}
	})
	t.Run("deactivated staff cannot sign in", func(t *testing.T) {
		p := srv.Browser(t).Post(t, "/signin", url.Values{"username": {"k.yilmaz"}, "password": {srv.Login("k.yilmaz").Password}})
		if p.URL.Path != "/signin" {
			t.Fatalf("a deactivated account signed in (ended at %s)", p.URL)
		}
	})

	p := b.SignIn(t, "amina.navigator")
	if p.URL.Path != "/work" || !p.Contains("My work") {
		t.Fatalf("after sign-in: %s %q", p.URL, p.Text())
	}

	// Turn on two-step sign-in.
	p = b.Post(t, "/account/two-step", nil)
	secret := regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`).FindStringSubmatch(p.Body)
	if secret == nil {
		t.Fatalf("no secret on the enrolment page: %q", p.Text())
	}
	if !strings.Contains(p.Body, `src="data:image/png;base64,`) {
		t.Error("no QR code on the enrolment page")
	}
	p = b.Post(t, "/account/two-step/confirm", url.Values{"secret": {secret[1]}, "code": {"000000"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `aria-invalid="true"`) {
		t.Fatalf("a wrong code: status %d, want 422 with the field marked invalid", p.Status)
	}
	code, _ := totp.GenerateCode(secret[1], testserver.Now)
	p = b.Post(t, "/account/two-step/confirm", url.Values{"secret": {secret[1]}, "code": {code}})
	recovery := regexp.MustCompile(`<li>([a-z2-7]{5}-[a-z2-7]{5})</li>`).FindAllStringSubmatch(p.Body, -1)
	if len(recovery) != 10 {
		t.Fatalf("%d recovery codes shown, want 10: %q", len(recovery), p.Text())
	}

	t.Run("the API refuses a password alone", func(t *testing.T) {
		r := srv.Do(t, testserver.Request{Method: "POST", Path: "/api/v1/sessions", Body: `{"username":"amina.navigator","password":"` + srv.Login("amina.navigator").Password + `"}`})
		if r.Status != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", r.Status)
		}
	})

	second := srv.Browser(t)
	p = second.Post(t, "/signin", url.Values{"username": {"amina.navigator"}, "password": {srv.Login("amina.navigator").Password}, "next": {"/account"}})
	if p.URL.Path != "/signin/code" {
		t.Fatalf("with two-step on, sign-in went to %s", p.URL)
	}
	if got := second.Get(t, "/work"); got.URL.Path != "/signin" {
		t.Fatalf("the half-signed-in browser reached %s", got.URL)
	}
	t.Run("a replayed code is refused", func(t *testing.T) {
		p := second.Post(t, "/signin/code", url.Values{"code": {code}, "next": {"/account"}})
		if p.URL.Path != "/signin/code" || p.Status != http.StatusUnauthorized {
			t.Fatalf("the code used for enrolment signed in again: %s %d", p.URL, p.Status)
		}
	})
	p = second.Post(t, "/signin/code", url.Values{"code": {recovery[0][1]}, "next": {"/account"}})
	if p.URL.Path != "/account" {
		t.Fatalf("a recovery code did not sign in: %s %q", p.URL, p.Text())
	}
	t.Run("a recovery code works once", func(t *testing.T) {
		third := srv.Browser(t)
		third.Post(t, "/signin", url.Values{"username": {"amina.navigator"}, "password": {srv.Login("amina.navigator").Password}})
		p := third.Post(t, "/signin/code", url.Values{"code": {recovery[0][1]}})
		if p.URL.Path != "/signin/code" {
			t.Fatalf("a used recovery code signed in again: %s", p.URL)
		}
	})

	// The first browser ends the second's session from the session list.
	p = b.Get(t, "/account")
	rows := regexp.MustCompile(`(?s)<tr>.*?</tr>`).FindAllString(p.Body, -1)
	ended := 0
	for _, row := range rows {
		end := regexp.MustCompile(`action="(/account/sessions/[^/"]+/end)"`).FindStringSubmatch(row)
		if end == nil || strings.Contains(row, "This browser") {
			continue
		}
		if p := b.Post(t, end[1], nil); p.URL.Path != "/account" {
			t.Fatalf("ending a session went to %s", p.URL)
		}
		ended++
	}
	if ended < 1 {
		t.Fatalf("no other session listed: %q", p.Text())
	}
	if got := second.Get(t, "/work"); got.URL.Path != "/signin" {
		t.Errorf("the ended session still reaches %s", got.URL)
	}
}

// TestWebLanguages checks the language switch and right-to-left Arabic.
func TestWebLanguages(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	b := srv.Browser(t)
	for _, tc := range []struct{ tag, dir, text string }{
		{"ar", "rtl", "تسجيل الدخول"},
		{"es", "ltr", "Iniciar sesión"},
		{"fr", "ltr", "Se connecter"},
		{"en", "ltr", "Sign in"},
	} {
		t.Run(tc.tag, func(t *testing.T) {
			p := b.Get(t, "/lang/"+tc.tag+"?next=/signin")
			if !strings.Contains(p.Body, `<html lang="`+tc.tag+`" dir="`+tc.dir+`">`) {
				t.Errorf("page is not lang=%s dir=%s: %.200s", tc.tag, tc.dir, p.Body)
			}
			if !p.Contains(tc.text) {
				t.Errorf("page does not say %q: %q", tc.text, p.Text())
			}
		})
	}
	t.Run("Accept-Language when no choice was made", func(t *testing.T) {
		fresh := srv.Browser(t)
		fresh.Lang = "ar-EG,ar;q=0.9"
		if p := fresh.Get(t, "/signin"); !strings.Contains(p.Body, `dir="rtl"`) {
			t.Error("an Arabic browser did not get the Arabic page")
		}
	})
	t.Run("next must be local", func(t *testing.T) {
		p := b.Get(t, "/lang/en?next=//evil.example/")
		if p.URL.Host != strings.TrimPrefix(srv.URL, "http://") {
			t.Errorf("redirected off-site to %s", p.URL)
		}
	})
}

// TestWebSecurity checks the headers and refusals every page has.
func TestWebSecurity(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	b := srv.Browser(t)
	p := b.SignIn(t, "amina.navigator")
	if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if strings.Contains(p.Body, "<script>") || regexp.MustCompile(`\son[a-z]+="`).MatchString(p.Body) {
		t.Error("the page has inline script")
	}
	t.Run("cross-origin form posts are refused", func(t *testing.T) {
		req, _ := http.NewRequest("POST", srv.URL+"/account/purpose", strings.NewReader("purpose=TREAT"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("status %d %s, want 403 as a page", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})
	t.Run("session cookie flags", func(t *testing.T) {
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.PostForm(srv.URL+"/signin", url.Values{"username": {"amina.navigator"}, "password": {srv.Login("amina.navigator").Password}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var found bool
		for _, c := range resp.Cookies() {
			if c.Name == "accord_session" {
				found = true
				if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
					t.Errorf("session cookie HttpOnly=%v SameSite=%v", c.HttpOnly, c.SameSite)
				}
			}
		}
		if !found {
			t.Error("no session cookie set")
		}
	})
	t.Run("unknown pages are pages", func(t *testing.T) {
		p := b.Get(t, "/no/such/page")
		if p.Status != http.StatusNotFound || !strings.Contains(p.Body, "<html") {
			t.Errorf("status %d, body %.100s", p.Status, p.Body)
		}
	})
	t.Run("sign-in attempts are rate limited", func(t *testing.T) {
		x := srv.Browser(t)
		var last *testserver.Page
		for range 12 {
			last = x.Post(t, "/signin", url.Values{"username": {"o.kovalenko"}, "password": {"wrong wrong wrong"}})
		}
		if last.Status != http.StatusTooManyRequests {
			t.Errorf("12th wrong password: status %d, want 429", last.Status)
		}
	})
}
