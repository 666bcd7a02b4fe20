package http_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/internal/testserver"
)

// oversightCalls are the conformance calls of the oversight review of legal
// bases, after the others: a clinician breaks the glass, the access waits
// in the queue behind the demo's overdue ones, and the ombudsperson's
// auditor reviews it, once. Variables saved here start with $review.
func oversightCalls(srv *testserver.Server) []apiCall {
	const (
		etreat                                 = accord.PurposeEmergencyTreatment
		invalid, notFound, conflict, forbidden = accord.EINVALID, accord.ENOTFOUND, accord.ECONFLICT, accord.EFORBIDDEN
		justified                              = `{"decision": "justified", "reasoning": "Unconscious on arrival; only the allergy history was opened."}`
		queue, noBasis                         = "/api/v1/legal-bases/review-queue", "/api/v1/legal-bases/lgb_aaaaaaaaaaaaaaaaaaaaaaaaaa/review"
		review                                 = "/api/v1/legal-bases/$reviewBasis/review"
		opQueue, opReview                      = "GET /api/v1/legal-bases/review-queue", "POST /api/v1/legal-bases/{id}/review"
		opSample, sample                       = "GET /api/v1/oversight/compliance-sample", "/api/v1/oversight/compliance-sample"
	)
	return []apiCall{
		{op: "POST /api/v1/clients/{id}/break-glass", note: "for the review queue", path: "/api/v1/clients/$x/break-glass", user: "j.okafor", purpose: etreat,
			body: `{"reason": "Collapsed in the waiting room; allergy history needed.", "minutes": 20}`, want: 201, save: map[string]string{"reviewBasis": "id"}},

		{op: opQueue, path: queue, user: "c.achebe", want: 200, check: func(t *testing.T, a *answer) {
			var ids []string
			var overdue []bool
			for _, it := range list(a.field("queue")) {
				ids = append(ids, obj(obj(it)["legal_basis"])["id"].(string))
				overdue = append(overdue, obj(it)["overdue"] == true)
			}
			i := slices.Index(ids, a.vars["reviewBasis"])
			switch {
			case i < 0:
				t.Errorf("the new break-glass access is not in the queue: %v", ids)
			case overdue[i]:
				t.Errorf("the new break-glass access is overdue already")
			case len(overdue) == 0 || !overdue[0]:
				t.Errorf("the demo's overdue reviews are not first: %v", overdue)
			case slices.Index(overdue, false) >= 0 && slices.Contains(overdue[slices.Index(overdue, false):], true):
				t.Errorf("an overdue review comes after one not yet due: %v", overdue)
			}
		}},
		{op: opQueue, note: "a member's privacy officer", path: queue, user: "p.nowak", want: 403, code: forbidden},
		{op: opQueue, note: "immigration authority", path: queue, user: "n.price", want: 403, code: forbidden},

		{op: opReview, note: "no reasoning", path: review, user: "c.achebe", body: `{"decision": "justified", "reasoning": ""}`,
			want: 400, code: invalid, docRejects: true, check: wantField("reasoning")},
		{op: opReview, note: "blank reasoning", path: review, user: "c.achebe", body: `{"decision": "justified", "reasoning": "   "}`,
			want: 400, code: invalid, check: wantField("reasoning")},
		{op: opReview, note: "unknown decision", path: review, user: "c.achebe", body: `{"decision": "fine", "reasoning": "Looks fine."}`,
			want: 400, code: invalid, docRejects: true, check: wantAccepted("decision", []accord.ReviewStatus{accord.ReviewJustified, accord.ReviewNotJustified, accord.ReviewReferred})},
		{op: opReview, note: "the clinician who broke the glass", path: review, user: "j.okafor", body: justified, want: 403, code: forbidden},
		{op: opReview, note: "the clinic's privacy officer", path: review, user: "p.nowak", body: justified, want: 403, code: forbidden},
		{op: opReview, note: "immigration authority", path: review, user: "n.price", body: justified, want: 403, code: forbidden},
		{op: opReview, path: noBasis, user: "c.achebe", body: justified, want: 404, code: notFound},
		{op: opReview, path: review, user: "c.achebe", body: justified, want: 200, check: func(t *testing.T, a *answer) {
			if a.field("review_status") != "justified" || a.field("reviewed_by") != a.vars["id:c.achebe"] || a.field("review_note") == "" {
				t.Errorf("the review is not on the legal basis:\n%s", a.Body)
			}
		}},
		{op: opReview, note: "reviewed already", path: review, user: "i.larsen", body: `{"decision": "not_justified", "reasoning": "On reflection, no."}`,
			want: 409, code: conflict},

		// The consent-compliance audit: the conformance calls before made
		// disclosures (agreement and consent, court order, break-glass).
		{op: opSample, path: sample + "?n=50&seed=7", user: "c.achebe", want: 200, check: func(t *testing.T, a *answer) {
			ds := list(a.field("disclosures"))
			if len(ds) == 0 || fmt.Sprint(a.field("untied")) != "0" || fmt.Sprint(a.field("tied")) != fmt.Sprint(len(ds)) {
				t.Errorf("want a sample of disclosures, every one tied:\n%.2000s", a.Body)
			}
			for _, d := range ds {
				if obj(d)["tied"] != true {
					t.Errorf("not tied: %v", d)
				}
			}
		}},
		{op: opSample, note: "the same seed and size again", path: sample + "?n=3&seed=11&from=2020-01-01&size=40", user: "i.larsen", want: 200,
			check: func(t *testing.T, a *answer) {
				if fmt.Sprint(a.field("size")) != "40" || fmt.Sprint(a.field("seed")) != "11" {
					t.Errorf("the size and seed are not those asked for:\n%.500s", a.Body)
				}
			}},
		{op: opSample, note: "no seed", path: sample + "?n=5", user: "c.achebe", want: 400, code: invalid, docRejects: true, check: wantField("seed")},
		{op: opSample, note: "no sample", path: sample + "?n=0&seed=1", user: "c.achebe", want: 400, code: invalid, docRejects: true, check: wantField("n")},
		{op: opSample, note: "a date that is not one", path: sample + "?seed=1&from=yesterday", user: "c.achebe", want: 400, code: invalid, check: wantField("from")},
		{op: opSample, note: "a period ending before it starts", path: sample + "?seed=1&from=2026-11-20&to=2026-11-01", user: "c.achebe", want: 400, code: invalid,
			check: wantField("to")},
		{op: opSample, note: "a log larger than it is", path: sample + "?seed=1&size=999999999", user: "c.achebe", want: 400, code: invalid, check: wantField("size")},
		{op: opSample, note: "a member's privacy officer", path: sample + "?seed=1", user: "p.nowak", want: 403, code: forbidden},
		{op: opSample, note: "immigration authority", path: sample + "?seed=1", user: "n.price", want: 403, code: forbidden},
	}
}
