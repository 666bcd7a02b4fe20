package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
)

// call is a request that must answer want; it returns the decoded body.
func call(t *testing.T, srv *testserver.Server, want int, r testserver.Request) (map[string]any, *testserver.Response) {
	t.Helper()
	resp := srv.Do(t, r)
	if resp.Status != want {
		t.Fatalf("%s %s as %s: %d, want %d\n%s", r.Method, r.Path, r.User, resp.Status, want, resp.Body)
	}
	var m map[string]any
	if len(resp.Body) > 0 {
		json.Unmarshal(resp.Body, &m)
	}
	return m, resp
}

func str(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		mm, _ := v.(map[string]any)
		v = mm[p]
	}
	s, _ := v.(string)
	return s
}

// TestIntakeToReferralAndEscalation is the casework issue's "done means",
// through the API: a clinic navigator registers a new Arabic-speaking client
// through an interpreter and records their consent; a clinician adds a
// clinical note; a joint case opens with legal aid; the referral's handoff
// carries housing and contact details but not the clinical note; the legal
// advocate accepts; an eviction escalation nobody acknowledges climbs one
// level; the client's access report shows every disclosure.
func TestIntakeToReferralAndEscalation(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			srv := testserver.Start(t, e.DSN(t))
			ctx := context.Background()
			legal := srv.Login("f.rahimi").OrganizationID
			layla, rahimi, chen := srv.Login("layla.interpreter").ID, srv.Login("f.rahimi").ID, srv.Login("l.chen").ID

			// Intake.
			cl, _ := call(t, srv, 201, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients", Purpose: "COC",
				Body: `{"given_name":"Samira","family_name":"Khalil","birth_date":"1988-03","gender":"woman","preferred_language":"ar","interpreter_needed":true,"phone":"+44 7700 900321"}`})
			client := str(cl, "id")
			call(t, srv, 201, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients/" + client + "/consents", Purpose: "COC",
				Body: `{"method":"verbal_interpreter","language":"ar","interpreter_id":"` + layla + `","provisions":[{"type":"permit","organizations":["` + legal +
					`"],"purposes":["LEGALAID"],"categories":["demographics","contact","social_needs","screening"]}]}`})
			// The screener flags an imminent eviction, which starts an escalation clock at once.
			scr, _ := call(t, srv, 201, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients/" + client + "/screenings", Purpose: "COC",
				Body: `{"language":"ar","interpreter_used":true,"response":{"resourceType":"QuestionnaireResponse","questionnaire":"https://accord-project.org/fhir/Questionnaire/social-legal-needs|1.0.0","status":"completed","item":[` +
					`{"linkId":"income","item":[{"linkId":"income.1","answer":[{"valueBoolean":false}]}]},` +
					`{"linkId":"food","item":[{"linkId":"food.1","answer":[{"valueBoolean":false}]}]},` +
					`{"linkId":"housing","item":[{"linkId":"housing.1","answer":[{"valueCoding":{"code":"worried"}}]},{"linkId":"housing.2","answer":[{"valueBoolean":true}]},{"linkId":"housing.3","answer":[{"valueCoding":{"code":"within_14_days"}}]}]}]}}`})
			if !strings.Contains(fmt.Sprint(scr["needs"]), "eviction") || !strings.Contains(fmt.Sprint(scr["escalations"]), "imminent_eviction") {
				t.Errorf("the screening did not flag the eviction and raise an escalation: %v", scr)
			}
			call(t, srv, 201, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients/" + client + "/records", Purpose: "COC",
				Body: `{"category":"social_needs","content":"Eviction notice received; possession hearing in 5 days. Two children."}`})
			dup, _ := call(t, srv, 200, testserver.Request{User: "omar.navigator", Method: "POST", Path: "/api/v1/intake/matches", Purpose: "COC",
				Body: `{"given_name":"Sameera","family_name":"Khaleel","birth_date":"1988"}`})
			if dup["hidden"] != float64(1) || len(dup["likely"].([]any)) != 0 {
				t.Errorf("another organisation's intake sees %v; want one hidden likely duplicate (no consent to share with it)", dup)
			}
			dup, _ = call(t, srv, 200, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/intake/matches", Purpose: "COC",
				Body: `{"given_name":"Khalil","family_name":"Samira","phone":"07700 900321"}`})
			if l := dup["likely"].([]any); len(l) == 0 || str(l[0].(map[string]any), "client", "id") != client {
				t.Errorf("intake at the clinic does not find the client by swapped names and phone: %v", dup)
			}
			call(t, srv, 204, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients/" + client + "/care-team", Purpose: "TREAT",
				Body: `{"staff_id":"` + srv.Login("j.okafor").ID + `"}`})
			call(t, srv, 201, testserver.Request{User: "j.okafor", Method: "POST", Path: "/api/v1/clients/" + client + "/records", Purpose: "TREAT",
				Body: `{"category":"clinical_note","content":"Anxiety and insomnia since the eviction notice; sertraline started."}`})

			// A joint case with legal aid, and the referral.
			cs, resp := call(t, srv, 201, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/cases", Purpose: "LEGALAID",
				Body: `{"client_id":"` + client + `","title":"Eviction defence","participants":[{"organization_id":"` + legal + `","staff_id":"` + rahimi + `","responsibility":"housing court representation"}]}`})
			caseID := str(cs, "id")
			if resp.Header.Get("ETag") != `"1"` {
				t.Errorf("a new case has ETag %q, want \"1\"", resp.Header.Get("ETag"))
			}
			ref, _ := call(t, srv, 201, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/referrals", Purpose: "LEGALAID",
				Body: `{"client_id":"` + client + `","case_id":"` + caseID + `","to_organization_id":"` + legal + `","purpose":"LEGALAID","categories":["demographics","contact","social_needs","clinical_note"],"reason":"Imminent eviction; needs representation at the hearing.","urgency":"urgent"}`})
			refID := str(ref, "id")

			// The legal aid intake worker's work list shows it; the advocate opens it.
			work, _ := call(t, srv, 200, testserver.Request{User: "l.chen", Method: "GET", Path: "/api/v1/me/work"})
			if !strings.Contains(fmt.Sprint(work["referrals_incoming"]), refID) {
				t.Errorf("the referral is not in legal aid's incoming work: %v", work["referrals_incoming"])
			}
			view, resp := call(t, srv, 200, testserver.Request{User: "f.rahimi", Method: "GET", Path: "/api/v1/referrals/" + refID})
			if got := str(view, "referral", "status"); got != "received" {
				t.Errorf("opened referral status = %q, want received", got)
			}
			shared, withheld := fmt.Sprint(view["shared"]), fmt.Sprint(view["withheld"])
			for _, cat := range []string{"demographics", "contact", "social_needs"} {
				if !strings.Contains(shared, cat) {
					t.Errorf("the handoff does not share %s: %s", cat, shared)
				}
			}
			if !strings.Contains(withheld, "clinical_note") || strings.Contains(shared, "clinical_note") {
				t.Errorf("the handoff must withhold the clinical note, with a reason: shared %s, withheld %s", shared, withheld)
			}
			if strings.Contains(string(resp.Body), "sertraline") || !strings.Contains(string(resp.Body), "Eviction notice") {
				t.Errorf("handoff body: want the housing record and not the clinical note:\n%s", resp.Body)
			}
			if str(view, "client", "phone") == "" {
				t.Error("the handoff does not carry the client's contact details")
			}

			// Accepting needs the version read (optimistic concurrency).
			call(t, srv, 428, testserver.Request{User: "f.rahimi", Method: "POST", Path: "/api/v1/referrals/" + refID + "/status", Body: `{"status":"accepted"}`})
			call(t, srv, 412, testserver.Request{User: "f.rahimi", Method: "POST", Path: "/api/v1/referrals/" + refID + "/status", Body: `{"status":"accepted"}`,
				Header: map[string]string{"If-Match": `"1"`}})
			call(t, srv, 403, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/referrals/" + refID + "/status", Body: `{"status":"accepted"}`,
				Header: map[string]string{"If-Match": resp.Header.Get("ETag")}})
			acc, _ := call(t, srv, 200, testserver.Request{User: "f.rahimi", Method: "POST", Path: "/api/v1/referrals/" + refID + "/status", Body: `{"status":"accepted"}`,
				Header: map[string]string{"If-Match": resp.Header.Get("ETag")}})
			if str(acc, "status") != "accepted" || str(acc, "assigned_to") != rahimi {
				t.Errorf("accepted referral = %v", acc)
			}
			call(t, srv, 409, testserver.Request{User: "f.rahimi", Method: "POST", Path: "/api/v1/referrals/" + refID + "/status", Body: `{"status":"received"}`,
				Header: map[string]string{"If-Match": fmt.Sprintf(`"%v"`, acc["version"])}})
			// The sender sees the status too.
			sv, _ := call(t, srv, 200, testserver.Request{User: "amina.navigator", Method: "GET", Path: "/api/v1/referrals/" + refID})
			if str(sv, "referral", "status") != "accepted" || sv["client"] != nil {
				t.Errorf("sender's view = %v", sv)
			}

			// The eviction escalation climbs when nobody acknowledges it.
			esc, _ := call(t, srv, 201, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/escalations", Purpose: "LEGALAID",
				Body: `{"client_id":"` + client + `","case_id":"` + caseID + `","kind":"imminent_eviction","urgency":"urgent","summary":"Possession hearing in 5 days; no representation yet.","organization_id":"` + legal + `"}`})
			escID := str(esc, "id")
			if str(esc, "contact_id") != chen {
				t.Fatalf("level-0 contact = %s, want legal aid's intake worker", str(esc, "contact_id"))
			}
			runner := &enforce.Runner{DB: srv.DB}
			if n, err := runner.FireDue(ctx); err != nil || n != 0 {
				t.Fatalf("before the deadline FireDue = %d, %v", n, err)
			}
			srv.Clock.Set(testserver.Now.Add(4*time.Hour + time.Minute))
			if n, err := runner.FireDue(ctx); err != nil || n < 1 {
				t.Fatalf("after the deadline FireDue = %d, %v", n, err)
			}
			got, _ := call(t, srv, 200, testserver.Request{User: "l.chen", Method: "GET", Path: "/api/v1/escalations/" + escID})
			if got["level"] != float64(1) || str(got, "contact_id") != rahimi {
				t.Errorf("after 4 h unacknowledged: level %v contact %s, want level 1, the advocate", got["level"], str(got, "contact_id"))
			}
			if n, err := runner.FireDue(ctx); err != nil || n != 0 {
				t.Errorf("firing again fired %d (%v): a timer fires once", n, err)
			}
			work, _ = call(t, srv, 200, testserver.Request{User: "f.rahimi", Method: "GET", Path: "/api/v1/me/work"})
			if !strings.Contains(fmt.Sprint(work["escalations_waiting"]), escID) || !strings.Contains(fmt.Sprint(work["notifications"]), "escalation.escalated") {
				t.Errorf("the advocate's work does not show the escalated escalation: %v", work)
			}
			ack, _ := call(t, srv, 200, testserver.Request{User: "f.rahimi", Method: "POST", Path: "/api/v1/escalations/" + escID + "/acknowledge",
				Header: map[string]string{"If-Match": fmt.Sprintf(`"%v"`, got["version"])}})
			if str(ack, "status") != "acknowledged" || str(ack, "owner_id") != rahimi {
				t.Errorf("acknowledged escalation = %v", ack)
			}

			// The case cannot close while the escalation is live, without a reason.
			c2, resp := call(t, srv, 200, testserver.Request{User: "amina.navigator", Method: "GET", Path: "/api/v1/cases/" + caseID, Purpose: "LEGALAID"})
			if len(c2["participants"].([]any)) != 2 {
				t.Errorf("case participants = %v", c2["participants"])
			}
			call(t, srv, 409, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/cases/" + caseID + "/close", Purpose: "LEGALAID",
				Body: `{"reason":"done"}`, Header: map[string]string{"If-Match": resp.Header.Get("ETag")}})

			// The timeline holds every step; the access report every disclosure.
			tl, _ := call(t, srv, 200, testserver.Request{User: "f.rahimi", Method: "GET", Path: "/api/v1/cases/" + caseID + "/timeline", Purpose: "LEGALAID"})
			for _, kind := range []string{"case.opened", "referral.sent", "referral.received", "referral.accepted", "escalation.raised", "escalation.escalate", "escalation.acknowledge"} {
				if !strings.Contains(fmt.Sprint(tl["events"]), kind) {
					t.Errorf("timeline lacks %s", kind)
				}
			}
			rep, _ := call(t, srv, 200, testserver.Request{User: "amina.navigator", Method: "GET", Path: "/api/v1/clients/" + client + "/access-report", Purpose: "PATRQT"})
			var released int
			for _, e := range rep["entries"].([]any) {
				e := e.(map[string]any)
				if e["staff_id"] == rahimi && e["released"] == true {
					released++
				}
			}
			if released < 3 {
				t.Errorf("the access report shows %d releases to the advocate, want the handoff's 3 at least", released)
			}
		})
	}
}

// TestTimersFireOnceAcrossProcesses runs two runners (as two server
// processes would) on one database over escalations that are all due: each
// climbs exactly one level and each contact is told exactly once.
func TestTimersFireOnceAcrossProcesses(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			srv := testserver.Start(t, e.DSN(t))
			ctx := context.Background()
			legal := srv.Login("f.rahimi").OrganizationID
			client := srv.P.Scenarios[0].ClientID
			var ids []string
			for range 30 {
				esc, _ := call(t, srv, 201, testserver.Request{User: "j.okafor", Method: "POST", Path: "/api/v1/escalations", Purpose: "LEGALAID",
					Body: `{"client_id":"` + client + `","kind":"flagged","urgency":"immediate","summary":"test","organization_id":"` + legal + `"}`})
				ids = append(ids, str(esc, "id"))
			}
			srv.Clock.Set(testserver.Now.Add(31 * time.Minute))
			// Run two FireDue loops at once on the same database.
			var mu sync.Mutex
			var wg sync.WaitGroup
			total := 0
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					n, err := (&enforce.Runner{DB: srv.DB}).FireDue(ctx)
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					total += n
					mu.Unlock()
				}()
			}
			wg.Wait()
			if total != len(ids) {
				t.Errorf("two runners fired %d timers for %d due escalations", total, len(ids))
			}
			for _, id := range ids {
				got, _ := call(t, srv, 200, testserver.Request{User: "f.rahimi", Method: "GET", Path: "/api/v1/escalations/" + id})
				if got["level"] != float64(1) {
					t.Errorf("escalation %s at level %v, want 1", id, got["level"])
				}
			}
			work, _ := call(t, srv, 200, testserver.Request{User: "f.rahimi", Method: "GET", Path: "/api/v1/me/work"})
			if n := strings.Count(fmt.Sprint(work["notifications"]), "escalation.escalated"); n != len(ids) {
				t.Errorf("the level-1 contact was told %d times for %d escalations", n, len(ids))
			}
		})
	}
}

// TestMergeKeepsBothHistories merges a duplicate registration into the
// survivor: the duplicate's records (re-sealed), consent and history now
// belong to the survivor, and the duplicate is gone from every lookup.
func TestMergeKeepsBothHistories(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			srv := testserver.Start(t, e.DSN(t))
			legal := srv.Login("f.rahimi").OrganizationID
			a, _ := call(t, srv, 201, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients", Purpose: "COC",
				Body: `{"given_name":"Yusuf","family_name":"Haidari","birth_date":"1979-11-02","preferred_language":"fa-AF"}`})
			b, _ := call(t, srv, 201, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients", Purpose: "COC",
				Body: `{"given_name":"Yousef","family_name":"Heidari","birth_date":"1979-02-11","preferred_language":"fa-AF","phone":"+44 7700 900777"}`})
			survivor, dup := str(a, "id"), str(b, "id")
			call(t, srv, 201, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients/" + dup + "/records", Purpose: "COC",
				Body: `{"category":"social_needs","content":"Rent arrears letter, second warning."}`})
			call(t, srv, 201, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients/" + dup + "/consents", Purpose: "COC",
				Body: `{"method":"written","language":"fa-AF","provisions":[{"type":"permit","organizations":["` + legal + `"],"purposes":["LEGALAID"],"categories":["demographics","social_needs"]}]}`})
			dups, _ := call(t, srv, 200, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/intake/matches", Purpose: "COC",
				Body: `{"given_name":"Yusuf","family_name":"Haidari","birth_date":"1979-11-02"}`})
			if !strings.Contains(fmt.Sprint(dups["likely"]), dup) {
				t.Errorf("the transliterated, date-transposed duplicate is not among the likely matches: %v", dups)
			}
			call(t, srv, 200, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients/" + survivor + "/merge", Purpose: "COC",
				Body: `{"duplicate_id":"` + dup + `"}`})
			call(t, srv, 404, testserver.Request{User: "amina.navigator", Method: "GET", Path: "/api/v1/clients/" + dup, Purpose: "COC"})
			recs, resp := call(t, srv, 200, testserver.Request{User: "f.rahimi", Method: "GET", Path: "/api/v1/clients/" + survivor + "/records?category=social_needs", Purpose: "LEGALAID"})
			if !strings.Contains(string(resp.Body), "Rent arrears") {
				t.Errorf("after the merge legal aid, under the duplicate's consent, cannot read its record: %v", recs)
			}
			rep, _ := call(t, srv, 200, testserver.Request{User: "amina.navigator", Method: "GET", Path: "/api/v1/clients/" + survivor + "/access-report", Purpose: "PATRQT"})
			if !strings.Contains(fmt.Sprint(rep["entries"]), "consent.create") || !strings.Contains(fmt.Sprint(rep["entries"]), "client.merge") {
				t.Errorf("the survivor's access report lacks the duplicate's history or the merge")
			}
			call(t, srv, 400, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients/" + survivor + "/merge", Purpose: "COC",
				Body: `{"duplicate_id":"` + survivor + `"}`})
		})
	}
}

// TestIntakePossibleMatches: a client who could be the person described,
// though not likely, is returned in the possible band beside the likely
// one; a client the caller may not see is shown in neither band, only
// counted.
func TestIntakePossibleMatches(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			srv := testserver.Start(t, e.DSN(t))
			// Two namesakes born in 1990, one registered by each
			// organisation; the query has only the given name and the
			// year, so each is possible, neither likely.
			a, _ := call(t, srv, 201, testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients", Purpose: "COC",
				Body: `{"given_name":"Zebulon","family_name":"Quartermaine","birth_date":"1990-04-12","preferred_language":"en"}`})
			b, _ := call(t, srv, 201, testserver.Request{User: "omar.navigator", Method: "POST", Path: "/api/v1/clients", Purpose: "COC",
				Body: `{"given_name":"Zebulon","family_name":"Fairweather","birth_date":"1990-07-30","preferred_language":"en"}`})
			type answer struct {
				Likely, Possible       []string
				Hidden, HiddenPossible float64
			}
			for _, tc := range []struct {
				name, user string
				want       answer
			}{
				{"the clinic sees its own client", "amina.navigator", answer{Possible: []string{str(a, "id")}, HiddenPossible: 1}},
				{"the other organisation sees its own client", "omar.navigator", answer{Possible: []string{str(b, "id")}, HiddenPossible: 1}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					dup, _ := call(t, srv, 200, testserver.Request{User: tc.user, Method: "POST", Path: "/api/v1/intake/matches", Purpose: "COC",
						Body: `{"given_name":"Zebulon","birth_date":"1990"}`})
					ids := func(k string) []string {
						var out []string
						for _, m := range dup[k].([]any) {
							out = append(out, str(m.(map[string]any), "client", "id"))
						}
						return out
					}
					got := answer{Likely: ids("likely"), Possible: ids("possible")}
					got.Hidden, _ = dup["hidden"].(float64)
					got.HiddenPossible, _ = dup["hidden_possible"].(float64)
					if diff := cmp.Diff(tc.want, got); diff != "" {
						t.Errorf("intake matches (-want +got):\n%s\n%v", diff, dup)
					}
				})
			}
		})
	}
}
