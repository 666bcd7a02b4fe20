package e2e_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/pquerna/otp/totp"

	"github.com/accord-project/accord/internal/testserver"
)

// TestBrowserSignInWithTOTP: a navigator turns on two-step sign-in, keeps
// the recovery codes, and signs in again in a second browser with a code
// from the authenticator app.
func TestBrowserSignInWithTOTP(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	w := h.window()
	h.signIn(w, "amina.navigator")
	h.shot(w, "01-my-work")
	h.accessible(w, "my work")

	h.open(w, "/account")
	h.click(w, "set up two-step sign-in", `form[action="/account/two-step"] button`)
	h.shot(w, "02-scan-the-code")
	h.accessible(w, "two-step enrolment")
	html := get(h, w, "read the enrolment page", chromedpOuterHTML())
	m := regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`).FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no secret on the enrolment page")
	}
	code, err := totp.GenerateCode(m[1], testserver.Now)
	if err != nil {
		t.Fatal(err)
	}
	h.submit(w, "confirm the code", `form[action="/account/two-step/confirm"]`, map[string]string{"#f-code": code})
	if txt := h.text(w); !strings.Contains(txt, "recovery codes") {
		t.Fatalf("no recovery codes after enrolment: %s", txt)
	}
	h.shot(w, "03-recovery-codes")

	// A second computer: password, then a fresh code.
	second := h.window()
	h.open(second, "/signin")
	h.submit(second, "password", `form[action="/signin"]`, map[string]string{
		"#f-username": "amina.navigator", "#f-password": h.srv.Login("amina.navigator").Password,
	})
	if p := h.path(second); !strings.HasPrefix(p, "/signin/code") {
		t.Fatalf("after the password, at %s; want the code step", p)
	}
	h.shot(second, "04-code-step")
	h.accessible(second, "code step")
	h.submit(second, "wrong code", `form[action="/signin/code"]`, map[string]string{"#f-code": "123456"})
	if txt := h.text(second); !strings.Contains(txt, "not right") {
		t.Errorf("a wrong code was not refused with a message: %s", txt)
	}
	h.shot(second, "05-wrong-code")
	h.accessible(second, "wrong code")
	// The server's clock is fixed; the next 30-second step is a new code.
	next, _ := totp.GenerateCode(m[1], testserver.Now.Add(30e9))
	h.submit(second, "right code", `form[action="/signin/code"]`, map[string]string{"#f-code": next})
	if p := h.path(second); p != "/work" {
		t.Fatalf("after the code, at %s: %s", p, h.text(second))
	}
	h.shot(second, "06-signed-in")
}
