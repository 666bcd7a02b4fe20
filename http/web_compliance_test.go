package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// TestWebComplianceAudit draws a consent-compliance sample from the page:
// the demo's disclosures are all tied; a fabricated disclosure naming a
// consent that does not cover its category is flagged, loudly, with the
// reason; the run is recorded; others are refused in words.
func TestWebComplianceAudit(t *testing.T) {
	srv, _ := adminServer(t)
	adminScenario(t, srv, "advocate-reads-clinical-summary")
	adminScenario(t, srv, "court-order-permits")
	auditor := srv.Browser(t)
	auditor.SignIn(t, "c.achebe")
	const sample = "/oversight/compliance?n=50&seed=7&from=2020-01-01"

	p := auditor.Get(t, "/oversight/compliance")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `href="/oversight/compliance" aria-current="page"`) || !strings.Contains(p.Body, `name="seed"`) {
		t.Fatalf("the form: status %d %s", p.Status, p.Text())
	}
	p = auditor.Get(t, sample)
	for _, w := range []string{"All tied", "Every sampled disclosure is tied to what permitted it.", "Northside Legal Aid Society", "A court order", "Oversight review:"} {
		if !p.Contains(w) {
			t.Errorf("the demo's sample does not say %q: %s", w, p.Text())
		}
	}
	if p.Contains("NOT TIED") {
		t.Errorf("a demo disclosure is not tied: %s", p.Text())
	}

	// Fabricate a disclosure: the advocate's read of the client's legal
	// matter, naming the consent that covers clinical summaries only.
	ctx := context.Background()
	es, err := srv.DB.AuditEntries(ctx, sqlstore.AuditFilter{After: -1, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var forged accord.AuditEntry
	for _, e := range es {
		if e.IsDisclosure() && e.Reason == accord.ReasonAgreementConsent && e.Category == accord.CatClinicalSummary {
			forged = e
		}
	}
	if forged.ConsentID == "" {
		t.Fatal("no disclosure under a consent in the demo")
	}
	forged.Category, forged.Time = accord.CatLegalMatter, forged.Time.Add(1)
	if err := srv.DB.AppendAudit(ctx, forged); err != nil {
		t.Fatal(err)
	}
	p = auditor.Get(t, sample)
	for _, w := range []string{"NOT TIED: 1 of the sampled disclosures cannot be tied", "The provision does not cover this kind of information.",
		"The agreement does not cover this kind of information."} {
		if !p.Contains(w) {
			t.Errorf("the forged disclosure: the page does not say %q: %s", w, p.Text())
		}
	}
	if !strings.Contains(p.Body, `role="alert"`) {
		t.Error("the warning is not an alert")
	}

	t.Run("each run is recorded", func(t *testing.T) {
		es, err := srv.DB.AuditEntries(ctx, sqlstore.AuditFilter{After: -1, Limit: 1000, Newest: true})
		if err != nil {
			t.Fatal(err)
		}
		e := es[0]
		if e.Action != "compliance.sample" || e.Kind != accord.AuditExport || e.Count == 0 || !strings.Contains(e.ObjectID, "seed=7") || !strings.Contains(e.ObjectID, "untied=1") {
			t.Errorf("latest entry %+v", e)
		}
	})
	t.Run("bad input names the field", func(t *testing.T) {
		p := auditor.Get(t, "/oversight/compliance?n=5000&seed=7")
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-n-error"`) {
			t.Errorf("status %d: %s", p.Status, p.Text())
		}
	})
	t.Run("a member's privacy officer is refused in words", func(t *testing.T) {
		o := srv.Browser(t)
		o.SignIn(t, "p.nowak")
		p := o.Get(t, sample)
		if p.Status != http.StatusForbidden || !p.Contains("The oversight body's auditors and privacy officers.") {
			t.Errorf("status %d: %s", p.Status, p.Text())
		}
	})
}

// TestWebAccessReportLanguageAndJSON: the staff-side access report is in
// the client's language unless another is chosen, links its JSON, which
// carries the same in words; the profile links it only for those who may
// produce it.
func TestWebAccessReportLanguageAndJSON(t *testing.T) {
	srv, _ := adminServer(t)
	client := adminScenario(t, srv, "advocate-reads-clinical-summary")
	var lang string
	for _, c := range srv.P.Clients {
		if c.ID == client {
			lang = c.PreferredLanguage
		}
	}
	b := srv.Browser(t)
	b.SignIn(t, "p.nowak")
	p := b.Get(t, "/clients/"+client+"/access-report")
	if !strings.Contains(p.Body, `<html lang="`+lang) {
		t.Errorf("not in the client's language %s: %.200s", lang, p.Body)
	}
	if !strings.Contains(p.Body, `/clients/`+client+`/access-report.json?lang=`+lang) {
		t.Error("no JSON download link")
	}
	j := b.Get(t, "/clients/"+client+"/access-report.json?lang=en")
	var rep struct {
		Language, GeneratedBy, Codes string
		Permitted                    int
		Entries                      []map[string]any
	}
	if err := json.Unmarshal([]byte(j.Body), &rep); err != nil {
		t.Fatalf("%v: %.300s", err, j.Body)
	}
	if rep.Language != "en" || rep.Codes == "" || rep.Permitted == 0 {
		t.Errorf("report %+v", rep)
	}
	found := false
	for _, e := range rep.Entries {
		if e["category_text"] == "clinical summaries" && e["basis_text"] == "An agreement between the organisations, and the client's consent" {
			found = true
		}
	}
	if !found {
		t.Errorf("no line says the advocate's read in words: %.1500s", j.Body)
	}
	for _, tc := range []struct {
		user string
		link bool
	}{{"amina.navigator", true}, {"j.okafor", false}} {
		t.Run(tc.user, func(t *testing.T) {
			u := srv.Browser(t)
			u.SignIn(t, tc.user)
			p := u.Get(t, "/clients/"+client)
			if got := strings.Contains(p.Body, `href="/clients/`+client+`/access-report"`); got != tc.link {
				t.Errorf("link shown %v, want %v", got, tc.link)
			}
		})
	}
}
