package http_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sqlstore"
)

// TestWebAnomalies: the ombudsperson's auditor detects yesterday from the
// page (the demo's social worker read the social services' clients at
// night, most not hers, a police officer was refused fourteen times), sees
// each alert explained in words with the staff member's name, reviews one
// (bad input is shown by its field, the review is recorded once), and
// changes a threshold (a bad one is refused by its field, nothing
// changes). Staff outside the oversight body cannot open the pages.
func TestWebAnomalies(t *testing.T) {
	srv, _ := adminServer(t)
	auditor := srv.Browser(t)
	auditor.SignIn(t, "c.achebe")

	p := auditor.Get(t, "/oversight/anomalies")
	if p.Status != http.StatusOK || !p.Contains("No alert is waiting for review.") {
		t.Fatalf("status %d, want an empty list: %s", p.Status, p.Text())
	}
	if !strings.Contains(p.Body, `value="2026-11-21"`) {
		t.Errorf("the day to detect is not yesterday by default")
	}
	t.Run("a bad day is refused by its field", func(t *testing.T) {
		for _, day := range []string{"yesterday", "2026-11-23"} {
			p := auditor.Post(t, "/oversight/anomalies/detect", url.Values{"form_token": {p.FormToken()}, "day": {day}})
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-day-error"`) {
				t.Errorf("day %q: status %d, want the field's error: %s", day, p.Status, p.Text())
			}
		}
	})
	p = auditor.Post(t, "/oversight/anomalies/detect", url.Values{"form_token": {p.FormToken()}, "day": {"2026-11-21"}})
	if p.Status != http.StatusOK || !p.Contains("Detection ran for that day.") {
		t.Fatalf("detecting: status %d: %s", p.Status, p.Text())
	}
	for _, want := range []string{
		`Aisha Begum`, `Thomas Reid`, `Reads outside their caseload`, `Bulk reads after hours`, `Repeated refusals`,
		`Clients read with whom they have no case, care team or referral: \d+ \(threshold 10\)\.`,
		`Clients read between 20:00 and 07:00: \d+ \(threshold 20\)\.`,
		`Requests refused in the day: 14 \(threshold 10\)\.`,
		`Waiting: 3; the longest waiting first`,
	} {
		if !regexp.MustCompile(want).MatchString(p.Text()) {
			t.Errorf("the list does not say %q: %s", want, p.Text())
		}
	}
	again := auditor.Post(t, "/oversight/anomalies/detect", url.Values{"form_token": {p.FormToken()}, "day": {"2026-11-21"}})
	if !again.Contains("Waiting: 3;") {
		t.Errorf("detecting the day again changed the list: %s", again.Text())
	}
	ids := regexp.MustCompile(`href="/oversight/anomalies/(anm_[a-z2-7]{26})"`).FindAllStringSubmatch(p.Body, -1)
	if len(ids) != 3 {
		t.Fatalf("%d alerts linked, want 3", len(ids))
	}
	id := ids[0][1]

	t.Run("review", func(t *testing.T) {
		page := auditor.Get(t, "/oversight/anomalies/"+id)
		if page.Status != http.StatusOK || !page.Contains("Record the review") || strings.Count(page.Body, "<h1") != 1 {
			t.Fatalf("status %d: %s", page.Status, page.Text())
		}
		bad := auditor.Post(t, "/oversight/anomalies/"+id, url.Values{"form_token": {page.FormToken()}, "decision": {"justified"}, "reasoning": {"  "}})
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, `id="f-reasoning-error"`) {
			t.Errorf("blank reasoning: status %d: %s", bad.Status, bad.Text())
		}
		form := url.Values{"form_token": {page.FormToken()}, "decision": {"referred"}, "reasoning": {"Sixty files at night: asked the service manager to explain."}}
		done := auditor.Post(t, "/oversight/anomalies/"+id, form)
		if done.Status != http.StatusOK || !done.Contains("The review is recorded.") || !done.Contains("Sixty files at night") {
			t.Errorf("reviewing: status %d: %s", done.Status, done.Text())
		}
		auditor.Post(t, "/oversight/anomalies/"+id, form) // the same form again
		a, err := srv.DB.FindAnomaly(t.Context(), id)
		if err != nil || a.ReviewStatus != accord.ReviewReferred {
			t.Errorf("stored review %+v, %v", a, err)
		}
		if list := auditor.Get(t, "/oversight/anomalies"); !list.Contains("Waiting: 2;") || !list.Contains("Recently reviewed") {
			t.Errorf("after the review the list shows: %s", list.Text())
		}
	})

	t.Run("thresholds", func(t *testing.T) {
		page := auditor.Get(t, "/oversight/anomalies/thresholds")
		if page.Status != http.StatusOK || !page.Contains("These are the defaults") {
			t.Fatalf("status %d: %s", page.Status, page.Text())
		}
		form := url.Values{"form_token": {page.FormToken()}, "version": {"1"}, "time_zone": {"Europe/London"}}
		for name, v := range map[string]string{"outside_caseload": "10", "organization_bulk": "50", "volume_factor": "3", "volume_minimum": "20",
			"baseline_days": "28", "after_hours_from": "20", "after_hours_to": "7", "after_hours": "25", "denials": "10", "break_glass": "3", "break_glass_days": "7"} {
			form.Set(name, v)
		}
		form.Set("after_hours_to", "25")
		bad := auditor.Post(t, "/oversight/anomalies/thresholds", form)
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, `id="f-after_hours_to-error"`) || !bad.Contains("must be a whole number from 0 to 23") {
			t.Errorf("hour 25: status %d: %s", bad.Status, bad.Text())
		}
		if _, v, _ := srv.DB.AnomalyThresholds(t.Context()); v != sqlstore.DefaultThresholdsVersion {
			t.Errorf("a refused change was stored (version %d)", v)
		}
		form.Set("after_hours_to", "7")
		ok := auditor.Post(t, "/oversight/anomalies/thresholds", form)
		if ok.Status != http.StatusOK || !ok.Contains("The thresholds are saved.") {
			t.Errorf("saving: status %d: %s", ok.Status, ok.Text())
		}
		if thr, v, _ := srv.DB.AnomalyThresholds(t.Context()); v != sqlstore.DefaultThresholdsVersion+1 || thr.AfterHours != 25 || thr.TimeZone != "Europe/London" {
			t.Errorf("stored %+v, version %d", thr, v)
		}
	})

	t.Run("only the oversight body", func(t *testing.T) {
		for _, user := range []string{"p.nowak", "t.reid", "a.begum"} {
			b := srv.Browser(t)
			b.SignIn(t, user)
			for _, path := range []string{"/oversight/anomalies", "/oversight/anomalies/" + id, "/oversight/anomalies/thresholds"} {
				if p := b.Get(t, path); p.Status != http.StatusForbidden || !p.Contains("You cannot open this page") {
					t.Errorf("%s %s: status %d: %s", user, path, p.Status, p.Text())
				}
			}
		}
	})

	t.Run("in Arabic", func(t *testing.T) {
		b := srv.Browser(t)
		b.Lang = "ar"
		b.SignIn(t, "i.larsen")
		p := b.Get(t, "/oversight/anomalies")
		if p.Status != http.StatusOK || !p.Contains("تنبيهات الوصول غير الاعتيادي") || !strings.Contains(p.Body, `dir="rtl"`) {
			t.Errorf("status %d: %s", p.Status, p.Text())
		}
	})
}
