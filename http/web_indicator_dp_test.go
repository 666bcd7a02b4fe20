package http_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
	"github.com/accord-project/accord/sqlstore"
)

// TestWebIndicatorPublishPrivate: the publish form offers differential
// privacy with its epsilon (errors on the field), shows the budget spent,
// and the published report shows each noisy count's interval and explains
// differential privacy, in English and in Arabic.
func TestWebIndicatorPublishPrivate(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	admin := srv.Browser(t)
	admin.SignIn(t, "r.mensah")

	for _, tc := range []struct{ name, epsilon string }{
		{"missing", ""},
		{"not a number", "lots"},
		{"too large", "50"},
		{"too small", "0.001"},
	} {
		t.Run("epsilon "+tc.name, func(t *testing.T) {
			p := admin.Get(t, "/indicators/publish?period=2026-Q3&profile=dp&epsilon="+url.QueryEscape(tc.epsilon))
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-epsilon-error"`) {
				t.Errorf("status %d: %s", p.Status, p.Text())
			}
		})
	}

	// Plans for every rate indicator, so that publication is not held up
	// by whichever the noise shows below target.
	ctx := context.Background()
	l := srv.Login("s.bennett")
	org, err := srv.DB.FindOrganization(ctx, l.OrganizationID)
	if err != nil {
		t.Fatal(err)
	}
	sup := &enforce.Caller{Principal: &sqlstore.Principal{Staff: l.Staff, Organization: *org}}
	for _, def := range srv.Service.Indicators() {
		if def.Measure != accord.MeasureRate {
			continue
		}
		p := &accord.ActionPlan{IndicatorID: def.ID, Period: "2026-Q3", Owner: "Coordination team", Actions: "Weekly review.", Deadline: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)}
		if err := srv.Service.SaveActionPlan(ctx, sup, p); err != nil {
			t.Fatal(err)
		}
	}

	p := admin.Get(t, "/indicators/publish?period=2026-Q3&profile=dp&epsilon=4")
	if p.Status != http.StatusOK || !p.Contains("Privacy budget spent by the partnership's published reports: 0 (no limit is set).") ||
		!strings.Contains(p.Body, `<span class="ci">(`) || !strings.Contains(p.Body, `name="epsilon" value="4"`) {
		t.Fatalf("preview: status %d: %s", p.Status, p.Text())
	}
	pub := admin.Post(t, "/indicators/publish", url.Values{"form_token": {p.FormToken()}, "period": {"2026-Q3"}, "profile": {"dp"}, "epsilon": {"4"}})
	if pub.URL.Path != "/report/2026-Q3" {
		t.Fatalf("publishing ended at %s (%d): %s", pub.URL, pub.Status, pub.Text())
	}
	if again := admin.Get(t, "/indicators/publish?period=2026-Q4"); !again.Contains("Privacy budget spent by the partnership's published reports: 4 (no limit is set).") {
		t.Errorf("the publish page does not show the budget spent: %s", again.Text())
	}

	public := srv.Browser(t)
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"en", []string{"Differential privacy", "epsilon: this report used 4", "holds the true count with 95 % probability", "Medians are not published under differential privacy",
			"list of their groups would itself tell who was counted: Preferred language"}},
		{"ar", []string{`<html lang="ar" dir="rtl">`, "الخصوصية التفاضلية", "استخدم هذا التقرير ٤", "باحتمال ٩٥ %", " إلى "}},
	} {
		t.Run("public report in "+tc.lang, func(t *testing.T) {
			r := public.Get(t, "/lang/"+tc.lang+"?next=/report/2026-Q3")
			if r.Status != http.StatusOK {
				t.Fatalf("status %d", r.Status)
			}
			for _, want := range tc.want {
				if !strings.Contains(r.Body, want) {
					t.Errorf("the report does not say %q", want)
				}
			}
			if n := strings.Count(r.Body, `<span class="ci">(`); n < 10 {
				t.Errorf("%d counts with an interval", n)
			}
		})
	}
	t.Run("CSV", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/report/2026-Q3.csv")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		rows, err := csv.NewReader(resp.Body).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%d rows, %v", len(rows), err)
		}
		withCI, withheld := 0, 0
		for _, row := range rows[1:] {
			if (row[5] == "") != (row[12] == "") || (row[6] == "") != (row[14] == "") {
				t.Errorf("a count without its interval, or an interval without its count: %v", row)
			}
			if row[12] != "" {
				withCI++
			}
			if row[16] == "true" {
				withheld++
			}
		}
		if withCI == 0 || withheld == 0 {
			t.Errorf("%d rows with intervals, %d withheld medians", withCI, withheld)
		}
	})
}
