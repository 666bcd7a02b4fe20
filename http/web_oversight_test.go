package http_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/internal/testserver"
)

// oversightBasis returns the demo's legal basis of kind, in force or not.
func oversightBasis(t *testing.T, srv *testserver.Server, kind accord.LegalBasisKind, pending bool) accord.LegalBasis {
	t.Helper()
	for _, b := range srv.P.LegalBases {
		if b.Kind == kind && (b.ReviewStatus == accord.ReviewPending) == pending {
			return b
		}
	}
	t.Fatalf("the demo has no %s legal basis (pending %v)", kind, pending)
	return accord.LegalBasis{}
}

func TestWebOversightPagesRender(t *testing.T) {
	srv, _ := adminServer(t)
	glass := oversightBasis(t, srv, accord.BasisEmergency, true)
	auditor := srv.Browser(t)
	auditor.SignIn(t, "c.achebe")
	officer := srv.Browser(t)
	officer.SignIn(t, "k.patel")
	for _, tc := range []struct {
		b    *testserver.Browser
		path string
		want []string
	}{
		{auditor, "/oversight/reviews", []string{"Oversight review queue", "Overdue: 3.", "Emergency (break-glass)", "Court order", "Duty in law", "by Dr María García Ruiz", "Recently reviewed", "Order seen."}},
		{auditor, "/oversight/reviews/" + glass.ID, []string{"Oversight review: Emergency (break-glass)", "Overdue.", "Who broke the glass Dr María García Ruiz", "Nothing has been disclosed under it.", "Record the review"}},
		{auditor, "/oversight/disclosures", []string{"Disclosures to immigration and law enforcement", "National Immigration Agency", "City Police Service", "Expired", "High Court, Family Division"}},
		{officer, "/oversight/disclosures", []string{"served on Northside Legal Aid Society", "High Court, Family Division"}},
		{auditor, "/audit", []string{"Review queue"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			p := tc.b.Get(t, tc.path)
			if p.Status != http.StatusOK {
				t.Fatalf("status %d: %s", p.Status, p.Text())
			}
			for _, w := range tc.want {
				if !p.Contains(w) {
					t.Errorf("the page does not say %q: %s", w, p.Text())
				}
			}
			if n := strings.Count(p.Body, "<h1"); n != 1 {
				t.Errorf("%d h1 on the page", n)
			}
		})
	}
	t.Run("the overdue come first", func(t *testing.T) {
		srv.Do(t, testserver.Request{User: "j.okafor", Method: "POST", Path: "/api/v1/clients/" + srv.P.Scenarios[0].ClientID + "/break-glass",
			Purpose: accord.PurposeEmergencyTreatment, Body: `{"reason": "Collapsed at reception."}`})
		p := auditor.Get(t, "/oversight/reviews")
		rows := regexp.MustCompile(`(?s)<table class="review-queue">.*?<tbody>(.*?)</tbody>`).FindStringSubmatch(p.Body)
		if rows == nil {
			t.Fatalf("no queue: %s", p.Text())
		}
		var order []string
		for _, tr := range regexp.MustCompile(`<tr[^>]*>`).FindAllString(rows[1], -1) {
			order = append(order, tr)
		}
		want := []string{`<tr class="late">`, `<tr class="late">`, `<tr class="late">`, `<tr>`}
		if strings.Join(order, "") != strings.Join(want, "") {
			t.Errorf("rows %v, want the three overdue, then the new access", order)
		}
		if !p.Contains("Not yet due") || !p.Contains("waiting 0 hours") {
			t.Errorf("the new access is not shown as waiting, not yet due: %s", p.Text())
		}
	})
	t.Run("a privacy officer sees only the disclosures of their organisation", func(t *testing.T) {
		p := officer.Get(t, "/oversight/disclosures")
		if p.Contains("City Police Service") || p.Contains("Riverside Crown Court") {
			t.Errorf("legal aid's officer sees the clinic's production order: %s", p.Text())
		}
		if strings.Contains(p.Body, `href="/oversight/reviews/`) || strings.Contains(p.Body, `href="/audit/entries/`) {
			t.Error("a privacy officer is offered the oversight body's pages")
		}
	})
}

// TestWebOversightDenied: only the oversight body reviews; the register is
// refused to staff of immigration and law enforcement, in words.
func TestWebOversightDenied(t *testing.T) {
	srv, _ := adminServer(t)
	glass := oversightBasis(t, srv, accord.BasisEmergency, true)
	for _, tc := range []struct {
		user, path string
		want       []string
	}{
		{"m.garcia", "/oversight/reviews", []string{"You cannot open this page", "The oversight body reviews every emergency (break-glass) access"}},
		{"p.nowak", "/oversight/reviews/" + glass.ID, []string{"You cannot open this page", "only the oversight body's auditors and privacy officers"}},
		{"n.price", "/oversight/reviews", []string{"You cannot open this page", "immigration authority or a law enforcement body"}},
		{"t.reid", "/oversight/disclosures", []string{"You cannot open this page", "immigration authority or a law enforcement body"}},
		{"amina.navigator", "/oversight/disclosures", []string{"You cannot open this page", "each organisation's privacy officer reads its own"}},
	} {
		t.Run(tc.user+tc.path, func(t *testing.T) {
			b := srv.Browser(t)
			b.SignIn(t, tc.user)
			p := b.Get(t, tc.path)
			if p.Status != http.StatusForbidden {
				t.Fatalf("status %d, want 403: %s", p.Status, p.Text())
			}
			for _, w := range tc.want {
				if !p.Contains(w) {
					t.Errorf("the page does not say %q: %s", w, p.Text())
				}
			}
		})
	}
	t.Run("a refused review changes nothing", func(t *testing.T) {
		b := srv.Browser(t)
		b.SignIn(t, "m.garcia")
		b.Get(t, "/work")
		p := b.Post(t, "/oversight/reviews/"+glass.ID, url.Values{"form_token": {"m-garcia-token"}, "decision": {"justified"}, "reasoning": {"It was fine."}})
		if p.Status != http.StatusForbidden {
			t.Errorf("status %d, want 403: %s", p.Status, p.Text())
		}
		if got, _ := srv.DB.FindLegalBasis(t.Context(), glass.ID); got.ReviewStatus != accord.ReviewPending {
			t.Errorf("the access the clinician made is now %s", got.ReviewStatus)
		}
	})
}

// TestWebOversightReview reviews the demo's break-glass access: bad input
// is shown again by its field with what was typed kept; the review is
// recorded once, shown on the entry and in the queue's recent reviews, and
// a second submission of the form records nothing more.
func TestWebOversightReview(t *testing.T) {
	srv, _ := adminServer(t)
	glass := oversightBasis(t, srv, accord.BasisEmergency, true)
	b := srv.Browser(t)
	b.SignIn(t, "c.achebe")
	path := "/oversight/reviews/" + glass.ID
	p := b.Get(t, path)
	token := p.FormToken()
	if token == "" {
		t.Fatalf("no review form: %s", p.Text())
	}
	reasoning := "Hypoglycaemic collapse confirmed in the notes; the access ended within the hour."

	t.Run("no reasoning", func(t *testing.T) {
		p := b.Post(t, path, url.Values{"form_token": {token}, "decision": {"justified"}, "reasoning": {"   "}})
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422: %s", p.Status, p.Text())
		}
		if !regexp.MustCompile(`id="f-reasoning-error"`).MatchString(p.Body) || !regexp.MustCompile(`id="f-reasoning"[^>]*aria-invalid="true"`).MatchString(p.Body) {
			t.Errorf("the reasoning's error is not by the field: %s", p.Text())
		}
		if !regexp.MustCompile(`value="justified" checked`).MatchString(p.Body) {
			t.Error("the decision chosen is not kept")
		}
		if p.FormToken() != token {
			t.Error("the corrected form has another token")
		}
	})
	t.Run("no decision", func(t *testing.T) {
		p := b.Post(t, path, url.Values{"form_token": {token}, "reasoning": {reasoning}})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-decision-error"`) {
			t.Fatalf("status %d: %s", p.Status, p.Text())
		}
		if !strings.Contains(p.Body, reasoning) {
			t.Error("the reasoning typed is not kept")
		}
		if !strings.Contains(p.Body, `aria-describedby=" f-decision-error"`) && !strings.Contains(p.Body, `aria-describedby="f-decision-error"`) {
			t.Error("the decision's error is not tied to its fieldset")
		}
	})

	form := url.Values{"form_token": {token}, "decision": {"justified"}, "reasoning": {reasoning}}
	p = b.Post(t, path, form)
	if p.Status != http.StatusOK || !p.Contains("The review is recorded") || !p.Contains(reasoning) || p.FormToken() != "" {
		t.Fatalf("reviewing: status %d at %s: %s", p.Status, p.URL, p.Text())
	}
	if !p.Contains("Decision justified") || !p.Contains("by Chidi Achebe") {
		t.Errorf("the entry does not show the review: %s", p.Text())
	}
	t.Run("a double submission records one review", func(t *testing.T) {
		p := b.Post(t, path, form)
		if !p.Contains("This form was already sent") {
			t.Errorf("second submission: %s", p.Text())
		}
		got, err := srv.DB.FindLegalBasis(t.Context(), glass.ID)
		if err != nil || got.ReviewStatus != accord.ReviewJustified || got.ReviewNote != reasoning {
			t.Errorf("stored %+v, %v", got, err)
		}
	})
	t.Run("another reviewer cannot review it again", func(t *testing.T) {
		o := srv.Browser(t)
		o.SignIn(t, "i.larsen")
		p := o.Get(t, path)
		if p.FormToken() != "" || !p.Contains(reasoning) || !p.Contains("A review is recorded once") {
			t.Errorf("the reviewed entry: %s", p.Text())
		}
	})
	t.Run("the queue shows it reviewed", func(t *testing.T) {
		p := b.Get(t, "/oversight/reviews")
		if !p.Contains("Overdue: 2.") || !p.Contains(reasoning) {
			t.Errorf("the queue after the review: %s", p.Text())
		}
	})
}

// TestWebOversightDisclosure: after the immigration agency reads what the
// High Court order names, the register and the review show the disclosure:
// what, when, to whom.
func TestWebOversightDisclosure(t *testing.T) {
	srv, _ := adminServer(t)
	adminScenario(t, srv, "court-order-permits")
	order := oversightBasis(t, srv, accord.BasisCourtOrder, true)
	b := srv.Browser(t)
	b.SignIn(t, "c.achebe")
	p := b.Get(t, "/oversight/reviews/"+order.ID)
	if !p.Contains("Disclosures: 1. Audit log entries: 1.") || !p.Contains("Mark Hughes") || !p.Contains("immigration status details") {
		t.Errorf("the review does not show the disclosure: %s", p.Text())
	}
	if !regexp.MustCompile(`href="/audit/entries/\d+"`).MatchString(p.Body) {
		t.Error("the disclosure does not link to its audit entries")
	}
	o := srv.Browser(t)
	o.SignIn(t, "k.patel")
	p = o.Get(t, "/oversight/disclosures")
	if !p.Contains("Disclosures: 1, of immigration status details") || !p.Contains("Mark Hughes") {
		t.Errorf("legal aid's register does not show the disclosure: %s", p.Text())
	}

	t.Run("a court order expiring within 30 days is highlighted, an expired one shown expired", func(t *testing.T) {
		body := `{"kind": "court_order", "client_id": "` + srv.P.Scenarios[0].ClientID + `", "categories": ["clinical_summary"],
			"recipient_organization_id": "` + srv.Login("t.reid").OrganizationID + `", "reference": "T20260077", "issuer": "Riverside Crown Court",
			"reason": "Production order.", "expires_at": "` + testserver.Now.AddDate(0, 0, 20).Format(time.RFC3339) + `"}`
		if r := srv.Do(t, testserver.Request{User: "p.nowak", Method: "POST", Path: "/api/v1/legal-bases", Body: body}); r.Status != http.StatusCreated {
			t.Fatalf("recording the order: %d %s", r.Status, r.Body)
		}
		c := srv.Browser(t)
		c.SignIn(t, "p.nowak")
		p := c.Get(t, "/oversight/disclosures")
		if !p.Contains("Court orders expiring within 30 days: 1.") {
			t.Errorf("the expiring order is not announced: %s", p.Text())
		}
		section := regexp.MustCompile(`(?s)<section class="register-entry expiring"[^>]*>.*?</section>`).FindString(p.Body)
		if !strings.Contains(section, "T20260077") || !strings.Contains(section, "Expires in 20 days") {
			t.Errorf("the expiring order is not highlighted: %q", section)
		}
		expired := regexp.MustCompile(`(?s)<section class="register-entry expired"[^>]*>.*?</section>`).FindString(p.Body)
		if !strings.Contains(expired, "Riverside Crown Court") || !strings.Contains(expired, ">Expired<") {
			t.Errorf("the lapsed production order is not shown expired: %q", expired)
		}
		if strings.Index(p.Body, "T20260077") > strings.Index(p.Body, expired) {
			t.Error("the order in force is not listed before the expired one")
		}
	})
}
