package http_test

import (
	"fmt"
	"testing"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/internal/testserver"
)

// anomalyCalls are the conformance calls of access anomaly alerts: the
// ombudsperson's auditor detects yesterday in the demo's access history
// (a social worker's night of reads, a police officer refused again and
// again), lists the alerts and reviews one, once, then reads and changes
// the thresholds. Variables saved here start with $anomaly or $thresholds.
func anomalyCalls(srv *testserver.Server) []apiCall {
	const (
		invalid, notFound, conflict, forbidden = accord.EINVALID, accord.ENOTFOUND, accord.ECONFLICT, accord.EFORBIDDEN
		justified                              = `{"decision": "justified", "reasoning": "The service manager asked for the list to plan a home visit round."}`
		opList, opDetect, opReview             = "GET /api/v1/anomalies", "POST /api/v1/anomalies/detect", "POST /api/v1/anomalies/{id}/review"
		opThresholds, opChange, thresholds     = "GET /api/v1/anomalies/thresholds", "PATCH /api/v1/anomalies/thresholds", "/api/v1/anomalies/thresholds"
		stale, required                        = accord.EPRECONDITION, accord.EPRECONDREQUIRED
		listPath, detect, review               = "/api/v1/anomalies", "/api/v1/anomalies/detect", "/api/v1/anomalies/$anomaly/review"
	)
	yesterday := testserver.Now.AddDate(0, 0, -1).Format("2006-01-02")
	ifMatch := func(v string) map[string]string { return map[string]string{"If-Match": v} }
	return []apiCall{
		{op: opDetect, path: detect, user: "c.achebe", body: `{"day": "` + yesterday + `"}`, want: 200, check: func(t *testing.T, a *answer) {
			added := list(a.field("added"))
			rules := map[string]bool{}
			for _, x := range added {
				rules[obj(x)["rule"].(string)] = true
				if obj(x)["explanation"] == "" {
					t.Errorf("an alert without explanation: %v", x)
				}
			}
			if !rules["outside_caseload"] || !rules["after_hours"] || !rules["repeated_denials"] {
				t.Fatalf("detection added %v, want the demo's night of reads and refusals", rules)
			}
			a.vars["anomaly"] = obj(added[0])["id"].(string)
		}},
		{op: opDetect, note: "again: nothing new", path: detect, user: "i.larsen", body: `{"day": "` + yesterday + `"}`, want: 200, check: func(t *testing.T, a *answer) {
			if n := len(list(a.field("added"))); n != 0 {
				t.Errorf("detecting the day again added %d alerts", n)
			}
		}},
		{op: opDetect, note: "not a date", path: detect, user: "c.achebe", body: `{"day": "yesterday"}`, want: 400, code: invalid, check: wantField("day")},
		{op: opDetect, note: "tomorrow", path: detect, user: "c.achebe", body: `{"day": "2026-11-23"}`, want: 400, code: invalid, check: wantField("day")},
		{op: opDetect, note: "a member's privacy officer", path: detect, user: "p.nowak", body: `{"day": "` + yesterday + `"}`, want: 403, code: forbidden},

		{op: opList, path: listPath, user: "c.achebe", want: 200, check: func(t *testing.T, a *answer) {
			if len(list(a.field("alerts"))) < 3 {
				t.Errorf("the alerts are not listed:\n%s", a.Body)
			}
		}},
		{op: opList, note: "immigration authority", path: listPath, user: "n.price", want: 403, code: forbidden},

		{op: opReview, note: "no reasoning", path: review, user: "c.achebe", body: `{"decision": "justified", "reasoning": ""}`,
			want: 400, code: invalid, docRejects: true, check: wantField("reasoning")},
		{op: opReview, note: "blank reasoning", path: review, user: "c.achebe", body: `{"decision": "justified", "reasoning": "   "}`,
			want: 400, code: invalid, check: wantField("reasoning")},
		{op: opReview, note: "the social worker", path: review, user: "a.begum", body: justified, want: 403, code: forbidden},
		{op: opReview, path: "/api/v1/anomalies/anm_aaaaaaaaaaaaaaaaaaaaaaaaaa/review", user: "c.achebe", body: justified, want: 404, code: notFound},
		{op: opReview, path: review, user: "c.achebe", body: justified, want: 200, check: func(t *testing.T, a *answer) {
			if a.field("review_status") != "justified" || a.field("reviewed_by") != a.vars["id:c.achebe"] {
				t.Errorf("the review is not on the alert:\n%s", a.Body)
			}
		}},
		{op: opReview, note: "reviewed already", path: review, user: "i.larsen", body: justified, want: 409, code: conflict},

		// The thresholds: read, changed one field at a time against the
		// version read, refused when stale, out of range or not theirs.
		{op: opThresholds, path: thresholds, user: "c.achebe", want: 200, saveETag: "thresholds", check: func(t *testing.T, a *answer) {
			if a.Header.Get("ETag") != `"1"` || fmt.Sprint(a.field("volume_factor")) != "3" || a.field("time_zone") != "UTC" {
				t.Errorf("the default thresholds, version 1: ETag %s\n%s", a.Header.Get("ETag"), a.Body)
			}
		}},
		{op: opThresholds, note: "a member's privacy officer", path: thresholds, user: "p.nowak", want: 403, code: forbidden},
		{op: opChange, note: "no If-Match", path: thresholds, user: "c.achebe", body: `{"denials": 12}`, want: 428, code: required},
		{op: opChange, note: "zero", path: thresholds, user: "c.achebe", body: `{"denials": 0}`, header: ifMatch("$thresholds"),
			want: 400, code: invalid, docRejects: true, check: wantField("denials")},
		{op: opChange, note: "working hours of no length", path: thresholds, user: "c.achebe", body: `{"after_hours_to": 20}`, header: ifMatch("$thresholds"),
			want: 400, code: invalid, check: wantField("after_hours_to")},
		{op: opChange, note: "unknown time zone", path: thresholds, user: "c.achebe", body: `{"time_zone": "Mars/Olympus_Mons"}`, header: ifMatch("$thresholds"),
			want: 400, code: invalid, check: wantField("time_zone")},
		{op: opChange, note: "unknown field", path: thresholds, user: "c.achebe", body: `{"denial": 12}`, header: ifMatch("$thresholds"),
			want: 400, code: invalid, docRejects: true},
		{op: opChange, note: "the immigration authority", path: thresholds, user: "n.price", body: `{"denials": 12}`, header: ifMatch("$thresholds"), want: 403, code: forbidden},
		{op: opChange, path: thresholds, user: "c.achebe", body: `{"denials": 12, "time_zone": "Europe/London"}`, header: ifMatch("$thresholds"),
			want: 200, saveETag: "thresholds2", check: func(t *testing.T, a *answer) {
				if a.Header.Get("ETag") != `"2"` || fmt.Sprint(a.field("denials")) != "12" || a.field("time_zone") != "Europe/London" || fmt.Sprint(a.field("volume_factor")) != "3" {
					t.Errorf("the changed thresholds, version 2, the other fields as they were: ETag %s\n%s", a.Header.Get("ETag"), a.Body)
				}
			}},
		{op: opChange, note: "stale", path: thresholds, user: "i.larsen", body: `{"denials": 15}`, header: ifMatch("$thresholds"), want: 412, code: stale},
		{op: opChange, note: "nothing changed", path: thresholds, user: "i.larsen", body: `{"denials": 12}`, header: ifMatch("$thresholds2"), want: 200, check: func(t *testing.T, a *answer) {
			if a.Header.Get("ETag") != `"2"` {
				t.Errorf("a change of nothing made a new version: ETag %s", a.Header.Get("ETag"))
			}
		}},
		{op: opThresholds, note: "after the change", path: thresholds, user: "i.larsen", want: 200, check: func(t *testing.T, a *answer) {
			if a.Header.Get("ETag") != `"2"` || fmt.Sprint(a.field("denials")) != "12" {
				t.Errorf("the thresholds in force: ETag %s\n%s", a.Header.Get("ETag"), a.Body)
			}
		}},
	}
}
