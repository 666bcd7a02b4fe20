package http_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/internal/testserver"
)

// breachCalls are the conformance calls of breach incidents, after the
// others: the clinic's privacy officer records that the clinic's GP's
// account was compromised over the last day (his reads in the calls before
// are its impact), works it, tells the authority, records a remedy and
// closes it; each operation also meets the errors it documents.
// Variables: $breach, $breachTag.
func breachCalls(srv *testserver.Server) []apiCall {
	const (
		invalid, notFound, conflict, forbidden = accord.EINVALID, accord.ENOTFOUND, accord.ECONFLICT, accord.EFORBIDDEN
		stale, required                        = accord.EPRECONDITION, accord.EPRECONDREQUIRED
	)
	incident := func(staff, start, end string) string {
		return `{"description": "The GP's laptop was stolen from his car with a signed-in session.", "discovered_at": "2026-11-22T09:30:00Z",
			"subject": "staff", "staff_id": "${id:` + staff + `}", "window_start": "` + start + `", "window_end": "` + end + `"}`
	}
	okafor := incident("j.okafor", "2026-11-21T10:00:00Z", "2026-11-22T10:00:00Z")
	ifMatch := func(v string) map[string]string { return map[string]string{"If-Match": v} }
	one := "/api/v1/breaches/$breach"
	unknown := "/api/v1/breaches/brc_" + strings.Repeat("a", 26)
	return []apiCall{
		{op: "POST /api/v1/breaches", path: "/api/v1/breaches", user: "p.nowak", body: okafor, want: 201,
			save: map[string]string{"breach": "id"}, saveETag: "breachTag",
			check: func(t *testing.T, a *answer) {
				if a.field("organization_id") != a.vars["clinic"] || a.field("notify_by") != "2026-11-25T09:30:00Z" || a.field("status") != "open" {
					t.Errorf("recorded: organisation %v, notify by %v, status %v", a.field("organization_id"), a.field("notify_by"), a.field("status"))
				}
				if a.Header.Get("Location") != "/api/v1/breaches/"+fmt.Sprint(a.field("id")) {
					t.Errorf("Location %q", a.Header.Get("Location"))
				}
				for _, c := range list(a.field("impact.clients")) {
					if len(list(obj(c)["categories"])) == 0 {
						t.Errorf("an affected client with no categories: %v", c)
					}
				}
			}},
		{op: "POST /api/v1/breaches", note: "window ends before it starts", path: "/api/v1/breaches", user: "p.nowak",
			body: incident("j.okafor", "2026-11-22T09:00:00Z", "2026-11-21T09:00:00Z"), want: 400, code: invalid, check: wantField("window_end")},
		{op: "POST /api/v1/breaches", note: "window in the future", path: "/api/v1/breaches", user: "p.nowak",
			body: incident("j.okafor", "2026-11-22T09:00:00Z", "2026-11-23T09:00:00Z"), want: 400, code: invalid, check: wantField("window_end")},
		{op: "POST /api/v1/breaches", note: "unknown staff member", path: "/api/v1/breaches", user: "p.nowak",
			body: strings.Replace(okafor, "${id:j.okafor}", "${no:stf}", 1),
			want: 400, code: invalid, check: wantField("staff_id")},
		{op: "POST /api/v1/breaches", note: "empty description", path: "/api/v1/breaches", user: "p.nowak",
			body: strings.Replace(okafor, "The GP's laptop was stolen from his car with a signed-in session.", "", 1), want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/breaches", note: "unknown subject", path: "/api/v1/breaches", user: "p.nowak",
			body: strings.Replace(okafor, `"subject": "staff"`, `"subject": "laptop"`, 1), want: 400, code: invalid, docRejects: true,
			check: wantAccepted("subject", accord.BreachSubjects)},
		{op: "POST /api/v1/breaches", note: "a clinician", path: "/api/v1/breaches", user: "m.garcia", body: okafor, want: 403, code: forbidden},
		{op: "POST /api/v1/breaches", note: "another organisation's staff", path: "/api/v1/breaches", user: "k.patel", body: okafor, want: 403, code: forbidden},

		{op: "GET /api/v1/breaches", path: "/api/v1/breaches", user: "c.achebe", want: 200,
			check: func(t *testing.T, a *answer) {
				if bs := list(a.field("breaches")); len(bs) != 1 || obj(bs[0])["id"] != a.vars["breach"] {
					t.Errorf("the oversight body lists %v, want the one incident", bs)
				}
			}},
		{op: "GET /api/v1/breaches", note: "legal aid's privacy officer", path: "/api/v1/breaches?status=open", user: "k.patel", want: 200,
			check: func(t *testing.T, a *answer) {
				if bs := list(a.field("breaches")); len(bs) != 0 {
					t.Errorf("legal aid's privacy officer sees the clinic's incident: %v", bs)
				}
			}},
		{op: "GET /api/v1/breaches", note: "unknown status", path: "/api/v1/breaches?status=late", user: "c.achebe", want: 400, code: invalid, docRejects: true},
		{op: "GET /api/v1/breaches", note: "a navigator", path: "/api/v1/breaches", user: "amina.navigator", want: 403, code: forbidden},

		{op: "GET /api/v1/breaches/{id}", path: one, user: "c.achebe", want: 200,
			check: func(t *testing.T, a *answer) {
				if ev := list(a.field("events")); len(ev) != 1 || obj(ev[0])["kind"] != "recorded" {
					t.Errorf("events %v, want the recording", ev)
				}
			}},
		{op: "GET /api/v1/breaches/{id}", note: "another organisation's privacy officer", path: one, user: "k.patel", want: 404, code: notFound},
		{op: "GET /api/v1/breaches/{id}", note: "unknown", path: unknown, user: "c.achebe", want: 404, code: notFound},
		{op: "GET /api/v1/breaches/{id}", note: "the GP", path: one, user: "j.okafor", want: 403, code: forbidden},

		{op: "GET /api/v1/breaches/{id}/notices", path: one + "/notices", user: "p.nowak", want: 200,
			check: func(t *testing.T, a *answer) {
				for _, n := range list(a.field("notices")) {
					n := obj(n)
					if text := fmt.Sprint(n["paragraphs"]); !strings.Contains(text, "/grievances/new") || !strings.Contains(text, "/my/signin") {
						t.Errorf("a notice does not say how to complain and see who saw the information: %v", n)
					}
				}
			}},
		{op: "GET /api/v1/breaches/{id}/notices", note: "another organisation's privacy officer", path: one + "/notices", user: "k.patel", want: 404, code: notFound},
		{op: "GET /api/v1/breaches/{id}/notices", note: "a clinician", path: one + "/notices", user: "m.garcia", want: 403, code: forbidden},

		{op: "POST /api/v1/breaches/{id}/impact", path: one + "/impact", user: "p.nowak", header: ifMatch("$breachTag"), want: 200, saveETag: "breachTag"},
		{op: "POST /api/v1/breaches/{id}/impact", note: "stale", path: one + "/impact", user: "p.nowak", header: ifMatch(`"1"`), want: 412, code: stale},
		{op: "POST /api/v1/breaches/{id}/impact", note: "no If-Match", path: one + "/impact", user: "p.nowak", want: 428, code: required, docRejects: true},
		{op: "POST /api/v1/breaches/{id}/impact", note: "the GP", path: one + "/impact", user: "j.okafor", header: ifMatch("$breachTag"), want: 403, code: forbidden},
		{op: "POST /api/v1/breaches/{id}/impact", note: "unknown", path: unknown + "/impact", user: "c.achebe", header: ifMatch("$breachTag"), want: 404, code: notFound},

		{op: "POST /api/v1/breaches/{id}/authority-notification", note: "in the future", path: one + "/authority-notification", user: "p.nowak",
			header: ifMatch("$breachTag"), body: `{"notified_at": "2026-11-23T10:00:00Z", "reference": "ICO-2026-1187"}`, want: 400, code: invalid,
			check: wantField("notified_at")},
		{op: "POST /api/v1/breaches/{id}/authority-notification", path: one + "/authority-notification", user: "p.nowak", header: ifMatch("$breachTag"),
			body: `{"notified_at": "2026-11-22T09:55:00Z", "reference": "ICO-2026-1187"}`, want: 200, saveETag: "breachTag",
			check: func(t *testing.T, a *answer) {
				if a.field("authority_notified_at") != "2026-11-22T09:55:00Z" || a.field("authority_reference") != "ICO-2026-1187" {
					t.Errorf("told at %v, reference %v", a.field("authority_notified_at"), a.field("authority_reference"))
				}
			}},
		{op: "POST /api/v1/breaches/{id}/authority-notification", note: "again", path: one + "/authority-notification", user: "c.achebe",
			header: ifMatch("$breachTag"), body: `{"notified_at": "2026-11-22T09:56:00Z", "reference": "ICO-2026-1188"}`, want: 409, code: conflict},
		{op: "POST /api/v1/breaches/{id}/authority-notification", note: "stale", path: one + "/authority-notification", user: "p.nowak",
			header: ifMatch(`"1"`), body: `{"notified_at": "2026-11-22T09:55:00Z", "reference": "x"}`, want: 412, code: stale},
		{op: "POST /api/v1/breaches/{id}/authority-notification", note: "no If-Match", path: one + "/authority-notification", user: "p.nowak",
			body: `{"notified_at": "2026-11-22T09:55:00Z", "reference": "x"}`, want: 428, code: required, docRejects: true},
		{op: "POST /api/v1/breaches/{id}/authority-notification", note: "the GP", path: one + "/authority-notification", user: "j.okafor",
			header: ifMatch("$breachTag"), body: `{"notified_at": "2026-11-22T09:55:00Z", "reference": "x"}`, want: 403, code: forbidden},
		{op: "POST /api/v1/breaches/{id}/authority-notification", note: "unknown", path: unknown + "/authority-notification", user: "p.nowak",
			header: ifMatch("$breachTag"), body: `{"notified_at": "2026-11-22T09:55:00Z", "reference": "x"}`, want: 404, code: notFound},

		{op: "POST /api/v1/breaches/{id}/remedies", path: one + "/remedies", user: "p.nowak", header: ifMatch("$breachTag"),
			body: `{"text": "Session ended; password reset; two-step sign-in turned on."}`, want: 200, saveETag: "breachTag"},
		{op: "POST /api/v1/breaches/{id}/remedies", note: "empty", path: one + "/remedies", user: "p.nowak", header: ifMatch("$breachTag"),
			body: `{"text": ""}`, want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/breaches/{id}/remedies", note: "stale", path: one + "/remedies", user: "p.nowak", header: ifMatch(`"2"`),
			body: `{"text": "x"}`, want: 412, code: stale},
		{op: "POST /api/v1/breaches/{id}/remedies", note: "no If-Match", path: one + "/remedies", user: "p.nowak", body: `{"text": "x"}`,
			want: 428, code: required, docRejects: true},
		{op: "POST /api/v1/breaches/{id}/remedies", note: "another organisation's privacy officer", path: one + "/remedies", user: "k.patel",
			header: ifMatch("$breachTag"), body: `{"text": "x"}`, want: 404, code: notFound},
		{op: "POST /api/v1/breaches/{id}/remedies", note: "a clinician", path: one + "/remedies", user: "m.garcia",
			header: ifMatch("$breachTag"), body: `{"text": "x"}`, want: 403, code: forbidden},

		{op: "POST /api/v1/breaches/{id}/close", note: "no summary", path: one + "/close", user: "c.achebe", header: ifMatch("$breachTag"),
			body: `{"summary": " "}`, want: 400, code: invalid, check: wantField("summary")},
		{op: "POST /api/v1/breaches/{id}/close", note: "stale", path: one + "/close", user: "c.achebe", header: ifMatch(`"1"`),
			body: `{"summary": "x"}`, want: 412, code: stale},
		{op: "POST /api/v1/breaches/{id}/close", note: "no If-Match", path: one + "/close", user: "c.achebe", body: `{"summary": "x"}`,
			want: 428, code: required, docRejects: true},
		{op: "POST /api/v1/breaches/{id}/close", note: "the GP", path: one + "/close", user: "j.okafor", header: ifMatch("$breachTag"),
			body: `{"summary": "x"}`, want: 403, code: forbidden},
		{op: "POST /api/v1/breaches/{id}/close", note: "unknown", path: unknown + "/close", user: "c.achebe", header: ifMatch("$breachTag"),
			body: `{"summary": "x"}`, want: 404, code: notFound},
		{op: "POST /api/v1/breaches/{id}/close", path: one + "/close", user: "c.achebe", header: ifMatch("$breachTag"),
			body: `{"summary": "Clients told through the clinic; no sign the session was used after the theft."}`, want: 200, saveETag: "breachTag",
			check: func(t *testing.T, a *answer) {
				if a.field("status") != "closed" || a.field("closed_at") == nil {
					t.Errorf("after closing: status %v, closed at %v", a.field("status"), a.field("closed_at"))
				}
			}},
		// A closed incident is read-only.
		{op: "POST /api/v1/breaches/{id}/close", note: "closed", path: one + "/close", user: "c.achebe", header: ifMatch("$breachTag"),
			body: `{"summary": "again"}`, want: 409, code: conflict},
		{op: "POST /api/v1/breaches/{id}/remedies", note: "closed", path: one + "/remedies", user: "p.nowak", header: ifMatch("$breachTag"),
			body: `{"text": "more"}`, want: 409, code: conflict},
		{op: "POST /api/v1/breaches/{id}/impact", note: "closed", path: one + "/impact", user: "p.nowak", header: ifMatch("$breachTag"), want: 409, code: conflict},
	}
}
