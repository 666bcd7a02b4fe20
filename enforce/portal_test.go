package enforce_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

func TestPortalCode(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c := enforce.NewPortalCode()
		if len(c) != 12 || strings.ContainsAny(c, "01OIL") || strings.ToUpper(c) != c {
			t.Fatalf("code %q: want 12 unambiguous upper-case characters", c)
		}
		if seen[c] {
			t.Fatalf("code %q made twice", c)
		}
		seen[c] = true
	}
	c := "ABCD2345WXYZ"
	for _, typed := range []string{"abcd 2345 wxyz", "ABCD-2345-WXYZ", " abcd.2345.wxyz ", "ABCD٢٣٤٥WXYZ", "ＡＢＣＤ２３４５ｗｘｙｚ"} {
		if got := enforce.NormalizePortalCode(typed); got != c {
			t.Errorf("NormalizePortalCode(%q) = %q, want %q", typed, got, c)
		}
		if string(enforce.PortalCodeHash(typed)) != string(enforce.PortalCodeHash(c)) {
			t.Errorf("%q hashes differently from %q", typed, c)
		}
	}
	if got := enforce.FormatPortalCode("abcd2345wxyz"); strings.Join(got, " ") != "ABCD 2345 WXYZ" {
		t.Errorf("FormatPortalCode = %q", got)
	}
}

type fakeMailer struct{ to, subject, body string }

func (m *fakeMailer) Send(_ context.Context, to, subject, body, _ string) error {
	m.to, m.subject, m.body = to, subject, body
	return nil
}

// TestPortalMessages: the message holds the code and the portal's address
// only; SMS is not available without a provider.
func TestPortalMessages(t *testing.T) {
	m := &fakeMailer{}
	pm := &enforce.PortalMessages{Mailer: m, Catalogue: i18n.MustLoad(), SignInURL: "https://accord.example.org/my/signin"}
	if !pm.Available(enforce.ChannelEmail) || pm.Available(enforce.ChannelSMS) {
		t.Fatal("channels: e-mail should be set up, SMS not")
	}
	if err := pm.Send(t.Context(), "cli_x", enforce.ChannelEmail, "client@example.org", "abcd2345wxyz", language.Arabic); err != nil {
		t.Fatal(err)
	}
	if m.to != "client@example.org" || !strings.Contains(m.body, "ABCD 2345 WXYZ") || !strings.Contains(m.body, "https://accord.example.org/my/signin") {
		t.Errorf("sent %q to %q", m.body, m.to)
	}
	if strings.Contains(m.body, "cli_x") {
		t.Error("the message names the client")
	}
	if err := pm.Send(t.Context(), "cli_x", enforce.ChannelSMS, "+441234", "abcd2345wxyz", language.English); err == nil {
		t.Error("an SMS was sent without a provider")
	}
}
