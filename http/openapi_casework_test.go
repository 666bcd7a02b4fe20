package http_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/internal/testserver"
)

// caseworkCalls are the conformance calls of intake, screening, cases,
// referrals, escalations, the directory and my work, in order, after
// conformanceCalls. They follow one client, Samira, from intake through a
// joint case with legal aid, a referral with its handoff and an eviction
// escalation, to the case's closing; each operation also meets the errors
// it documents. Variables saved here are prefixed by what they name
// ($samira, $case, $caseTag …); $…Tag variables hold ETags for If-Match.
func caseworkCalls(srv *testserver.Server) []apiCall {
	const (
		treat, coc, legalAid, hlegal                   = accord.PurposeTreatment, accord.PurposeCoordination, accord.PurposeLegalAid, accord.PurposeLegal
		invalid, notFound, conflict, forbidden, denied = accord.EINVALID, accord.ENOTFOUND, accord.ECONFLICT, accord.EFORBIDDEN, accord.EDENIED
		stale, required                                = accord.EPRECONDITION, accord.EPRECONDREQUIRED
		tooLarge                                       = accord.ETOOLARGE
	)
	samira := `{"given_name": "Samira", "family_name": "Khalil", "birth_date": "1988-03", "gender": "woman", "preferred_language": "ar",
		"interpreter_needed": true, "interpreter_used": true, "phone": "+44 7700 900321", "address": "4 Mill Lane, RV2 3BB"}`
	// Samira lets legal aid see what it needs for legal aid, and Welcome
	// House what it needs to coordinate her care.
	consent := `{"method": "verbal_interpreter", "language": "ar", "interpreter_id": "${id:layla.interpreter}", "provisions": [
		{"type": "permit", "organizations": ["$legalAid"], "purposes": ["LEGALAID"], "categories": ["demographics", "contact", "social_needs", "screening"]},
		{"type": "permit", "organizations": ["$ngo"], "purposes": ["COC"], "categories": ["demographics", "contact", "social_needs"]}]}`
	const ihellp = "https://accord-project.org/fhir/Questionnaire/social-legal-needs|1.0.0"
	screeningBody := func(status, housing string) string {
		return `{"language": "ar", "interpreter_used": true, "response": {"resourceType": "QuestionnaireResponse", "questionnaire": "` + ihellp + `",
			"status": "` + status + `", "authored": "2026-11-22T09:30:00Z", "item": [
			{"linkId": "income", "item": [{"linkId": "income.1", "answer": [{"valueBoolean": false}]}]},
			{"linkId": "food", "item": [{"linkId": "food.1", "answer": [{"valueBoolean": false}]}]},
			{"linkId": "housing", "item": [` + housing + `]}]}}`
	}
	evicted := `{"linkId": "housing.1", "answer": [{"valueCoding": {"code": "worried"}}]}, {"linkId": "housing.2", "answer": [{"valueBoolean": true}]},
		{"linkId": "housing.3", "answer": [{"valueCoding": {"code": "within_14_days"}}]}`
	housed := `{"linkId": "housing.1", "answer": [{"valueCoding": {"code": "stable", "display": "I have a steady place to live"}}]}`
	eviction := screeningBody("completed", evicted)
	openCase := `{"client_id": "$samira", "title": "Eviction defence",
		"participants": [{"organization_id": "$legalAid", "staff_id": "${id:f.rahimi}", "responsibility": "Housing court representation"}]}`
	participant := func(org, staff string) string {
		return `{"organization_id": "` + org + `", "staff_id": "` + staff + `", "responsibility": "Food parcels and benefits advice"}`
	}
	task := `{"title": "Call the landlord's solicitor", "owner_id": "${id:f.rahimi}", "due_at": "2026-11-25T10:00:00Z"}`
	note := `{"category": "social_needs", "content": "Possession hearing on 27 November; two children at home."}`
	conference := `{"kind": "conference", "held_at": "2026-11-22T09:00:00Z", "attendees": ["${id:amina.navigator}", "${id:f.rahimi}"],
		"decisions": "Legal aid represents at the hearing; the clinic writes a supporting letter.", "actions": "Letter by Tuesday."}`
	referral := `{"client_id": "$samira", "case_id": "$case", "to_organization_id": "$legalAid", "purpose": "LEGALAID",
		"categories": ["demographics", "contact", "social_needs", "clinical_note"], "reason": "Imminent eviction; needs representation at the hearing.",
		"urgency": "urgent"}`
	serviceReferral := `{"client_id": "$samira", "to_organization_id": "$legalAid", "service_id": "$housingService", "categories": ["demographics", "contact"],
		"reason": "Advice on rent arrears.", "respond_by": "2026-12-01T17:00:00Z"}`
	escalation := `{"client_id": "$samira", "case_id": "$case", "kind": "imminent_eviction", "urgency": "urgent",
		"summary": "Possession hearing in 5 days; no representation yet.", "organization_id": "$legalAid"}`
	flagged := `{"client_id": "$samira", "kind": "flagged", "urgency": "immediate", "summary": "Did not come to today's appointment."}`
	resolution := `{"resolution": "Represented at the hearing; possession order refused."}`
	service := `{"organization_id": "$legalAid", "name": "Benefits appeals", "description": "Representation at benefits tribunals.",
		"eligibility_description": "Anyone refused a benefit.", "languages": ["en", "fa-AF"], "address": "Northside Legal Aid Society, Riverside",
		"email": "benefits@northside-legal.example.org", "phone": "+44 20 7946 0000", "categories": ["legal", "income"]}`
	ifMatch := func(v string) map[string]string { return map[string]string{"If-Match": v} }
	many := strings.TrimSuffix(strings.Repeat(participant("$ngo", "${id:omar.navigator}")+",", 21), ",")

	return []apiCall{
		// Intake: Samira is registered, consents, and is found again.
		{op: "POST /api/v1/clients", note: "Samira", path: "/api/v1/clients", user: "amina.navigator", purpose: coc, body: samira, want: 201,
			save: map[string]string{"samira": "id"}},
		{op: "POST /api/v1/clients/{id}/consents", note: "Samira's", path: "/api/v1/clients/$samira/consents", user: "amina.navigator", purpose: coc,
			body: consent, want: 201},
		{op: "POST /api/v1/clients/{id}/records", note: "Samira's housing", path: "/api/v1/clients/$samira/records", user: "amina.navigator", purpose: coc,
			body: `{"category": "social_needs", "content": "Eviction notice received; possession hearing in 5 days."}`, want: 201},
		{op: "POST /api/v1/intake/matches", path: "/api/v1/intake/matches", user: "amina.navigator", purpose: coc, want: 200,
			body: `{"given_name": "Khalil", "family_name": "Samira", "phone": "07700 900321"}`,
			check: func(t *testing.T, a *answer) {
				likely := list(a.field("likely"))
				if len(likely) == 0 || obj(obj(likely[0])["client"])["id"] != a.vars["samira"] {
					t.Fatalf("the clinic's intake does not find Samira by swapped names and phone:\n%s", a.Body)
				}
				if c := obj(obj(likely[0])["client"]); c["address"] != nil || c["email"] != nil {
					t.Errorf("a likely duplicate shows an address or e-mail: %v", c)
				}
			}},
		{op: "POST /api/v1/intake/matches", note: "another organisation's", path: "/api/v1/intake/matches", user: "l.chen", purpose: coc, want: 200,
			body: `{"given_name": "Sameera", "family_name": "Khaleel", "birth_date": "1988", "identifiers": [{"system": "nhs", "value": "943 476 5919"}]}`,
			check: func(t *testing.T, a *answer) {
				if len(list(a.field("likely"))) != 0 || fmt.Sprint(a.field("hidden")) != "1" {
					t.Errorf("want Samira only counted as hidden (her consent covers legal aid for LEGALAID, not COC):\n%s", a.Body)
				}
			}},
		{op: "POST /api/v1/intake/matches", note: "no given name", path: "/api/v1/intake/matches", user: "amina.navigator", purpose: coc,
			body: `{"family_name": "Khalil"}`, want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/intake/matches", note: "not a real date", path: "/api/v1/intake/matches", user: "amina.navigator", purpose: coc,
			body: `{"given_name": "Samira", "birth_date": "1988-13-01"}`, want: 400, code: invalid, check: wantField("birth_date")},
		{op: "POST /api/v1/intake/matches", note: "privacy officer", path: "/api/v1/intake/matches", user: "p.nowak", purpose: coc,
			body: `{"given_name": "Samira"}`, want: 403, code: forbidden},

		// Changing a client's details: Samira has a new phone and also speaks French.
		{op: "PATCH /api/v1/clients/{id}", note: "no If-Match", path: "/api/v1/clients/$samira", user: "amina.navigator", purpose: coc,
			body: `{"phone": "+44 7700 900555"}`, want: 428, code: required},
		{op: "PATCH /api/v1/clients/{id}", path: "/api/v1/clients/$samira", user: "amina.navigator", purpose: coc, header: ifMatch(`"1"`),
			body: `{"phone": "+44 7700 900555", "languages": ["fr"]}`, want: 200, saveETag: "samiraTag", check: func(t *testing.T, a *answer) {
				if a.Header.Get("ETag") != `"2"` || a.field("phone") != "+44 7700 900555" || fmt.Sprint(a.field("languages")) != "[fr]" {
					t.Errorf("want version 2 with the new phone and languages:\n%s", a.Body)
				}
				if a.field("address") != "4 Mill Lane, RV2 3BB" || a.field("given_name") != "Samira" || a.field("interpreter_needed") != true {
					t.Errorf("fields not in the change were changed:\n%s", a.Body)
				}
			}},
		{op: "POST /api/v1/intake/matches", note: "by the new phone", path: "/api/v1/intake/matches", user: "amina.navigator", purpose: coc, want: 200,
			body: `{"given_name": "Samira", "phone": "07700 900555"}`,
			check: func(t *testing.T, a *answer) {
				likely := list(a.field("likely"))
				if len(likely) == 0 || obj(obj(likely[0])["client"])["id"] != a.vars["samira"] {
					t.Fatalf("intake does not find Samira by her new phone:\n%s", a.Body)
				}
			}},
		{op: "PATCH /api/v1/clients/{id}", note: "stale version", path: "/api/v1/clients/$samira", user: "amina.navigator", purpose: coc,
			header: ifMatch(`"1"`), body: `{"phone": "+44 7700 900999"}`, want: 412, code: stale},
		{op: "PATCH /api/v1/clients/{id}", note: "nothing to change", path: "/api/v1/clients/$samira", user: "amina.navigator", purpose: coc,
			header: ifMatch("$samiraTag"), body: `{}`, want: 400, code: invalid},
		{op: "PATCH /api/v1/clients/{id}", note: "unknown field", path: "/api/v1/clients/$samira", user: "amina.navigator", purpose: coc,
			header: ifMatch("$samiraTag"), body: `{"home_organization_id": "$legalAid"}`, want: 400, code: invalid, docRejects: true},
		{op: "PATCH /api/v1/clients/{id}", note: "not a real date", path: "/api/v1/clients/$samira", user: "amina.navigator", purpose: coc,
			header: ifMatch("$samiraTag"), body: `{"birth_date": "1988-13"}`, want: 400, code: invalid, check: wantField("birth_date")},
		{op: "PATCH /api/v1/clients/{id}", note: "another organisation", path: "/api/v1/clients/$samira", user: "f.rahimi", purpose: legalAid,
			header: ifMatch("$samiraTag"), body: `{"phone": "+44 7700 900999"}`, want: 403, code: forbidden},
		{op: "PATCH /api/v1/clients/{id}", note: "privacy officer", path: "/api/v1/clients/$samira", user: "p.nowak", purpose: coc,
			header: ifMatch("$samiraTag"), body: `{"phone": "+44 7700 900999"}`, want: 403, code: forbidden},
		{op: "PATCH /api/v1/clients/{id}", note: "police supervisor", path: "/api/v1/clients/$samira", user: "g.fraser", purpose: hlegal,
			header: ifMatch("$samiraTag"), body: `{"phone": "+44 7700 900999"}`, want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "PATCH /api/v1/clients/{id}", path: "/api/v1/clients/${no:cli}", user: "amina.navigator", purpose: coc,
			header: ifMatch("$samiraTag"), body: `{"phone": "+44 7700 900999"}`, want: 404, code: notFound},
		{op: "GET /api/v1/clients/{id}", note: "after the change", path: "/api/v1/clients/$samira", user: "amina.navigator", purpose: coc, want: 200,
			check: func(t *testing.T, a *answer) {
				if a.Header.Get("ETag") != `"2"` || a.field("client.phone") != "+44 7700 900555" {
					t.Errorf("the refused changes changed Samira:\n%s", a.Body)
				}
			}},

		// Merging a duplicate registration.
		{op: "POST /api/v1/clients", note: "Yusuf", path: "/api/v1/clients", user: "amina.navigator", purpose: coc, want: 201, save: map[string]string{"yusuf": "id"},
			body: `{"given_name": "Yusuf", "family_name": "Haidari", "birth_date": "1979-11-02", "preferred_language": "fa-AF"}`},
		{op: "POST /api/v1/clients", note: "Yusuf again", path: "/api/v1/clients", user: "amina.navigator", purpose: coc, want: 201, save: map[string]string{"yousef": "id"},
			body: `{"given_name": "Yousef", "family_name": "Heidari", "birth_date": "1979-02-11", "preferred_language": "fa-AF", "phone": "+44 7700 900777"}`},
		{op: "POST /api/v1/clients/{id}/merge", note: "into itself", path: "/api/v1/clients/$yusuf/merge", user: "amina.navigator", purpose: coc,
			body: `{"duplicate_id": "$yusuf"}`, want: 400, code: invalid, check: wantField("duplicate_id")},
		{op: "POST /api/v1/clients/{id}/merge", note: "not a client id", path: "/api/v1/clients/$yusuf/merge", user: "amina.navigator", purpose: coc,
			body: `{"duplicate_id": "Yousef"}`, want: 404, code: notFound, docRejects: true},
		{op: "POST /api/v1/clients/{id}/merge", note: "clinician", path: "/api/v1/clients/$yusuf/merge", user: "j.okafor", purpose: coc,
			body: `{"duplicate_id": "$yousef"}`, want: 403, code: forbidden},
		{op: "POST /api/v1/clients/{id}/merge", note: "another organisation's records", path: "/api/v1/clients/$samira/merge", user: "h.morgan", purpose: legalAid,
			body: `{"duplicate_id": "$yousef"}`, want: 403, code: forbidden},
		{op: "POST /api/v1/clients/{id}/merge", note: "police supervisor", path: "/api/v1/clients/$yusuf/merge", user: "g.fraser", purpose: hlegal,
			body: `{"duplicate_id": "$yousef"}`, want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "POST /api/v1/clients/{id}/merge", path: "/api/v1/clients/${no:cli}/merge", user: "amina.navigator", purpose: coc,
			body: `{"duplicate_id": "$yousef"}`, want: 404, code: notFound},
		{op: "POST /api/v1/clients/{id}/merge", path: "/api/v1/clients/$yusuf/merge", user: "amina.navigator", purpose: coc,
			body: `{"duplicate_id": "$yousef"}`, want: 200, check: func(t *testing.T, a *answer) {
				if a.field("client.id") != a.vars["yusuf"] {
					t.Errorf("the answer is not the survivor:\n%s", a.Body)
				}
			}},
		{op: "GET /api/v1/clients/{id}", note: "merged away", path: "/api/v1/clients/$yousef", user: "amina.navigator", purpose: coc, want: 404, code: notFound},

		// Questionnaires and screening.
		{op: "GET /api/v1/questionnaires", path: "/api/v1/questionnaires", user: "amina.navigator", want: 200, check: func(t *testing.T, a *answer) {
			if len(list(a.field("questionnaires"))) < 2 {
				t.Errorf("want the built-in questionnaires:\n%s", a.Body)
			}
		}},
		{op: "GET /api/v1/questionnaires", note: "in Arabic", path: "/api/v1/questionnaires?lang=ar", user: "amina.navigator", want: 200},
		{op: "GET /api/v1/questionnaires/{id}", path: "/api/v1/questionnaires/social-legal-needs", user: "amina.navigator", want: 200},
		{op: "GET /api/v1/questionnaires/{id}", note: "in French", path: "/api/v1/questionnaires/migrant-health-access?lang=fr", user: "layla.interpreter",
			want: 200, check: func(t *testing.T, a *answer) {
				if a.field("language") != "fr" || a.field("resource.resourceType") != "Questionnaire" || len(list(a.field("items"))) == 0 {
					t.Errorf("want the French form and the FHIR resource:\n%.300s", a.Body)
				}
			}},
		{op: "GET /api/v1/questionnaires/{id}", path: "/api/v1/questionnaires/phq-9", user: "amina.navigator", want: 404, code: notFound},
		{op: "POST /api/v1/clients/{id}/screenings", path: "/api/v1/clients/$samira/screenings", user: "amina.navigator", purpose: coc, body: eviction,
			want: 201, check: func(t *testing.T, a *answer) {
				if !strings.Contains(fmt.Sprint(a.field("needs")), "eviction") || !strings.Contains(fmt.Sprint(a.field("escalations")), "imminent_eviction") {
					t.Errorf("the screening did not find the eviction and raise an escalation:\n%s", a.Body)
				}
				if a.field("change") != nil {
					t.Errorf("a first screening has no change")
				}
			}},
		// The second screening finds no needs; its answer's screening.needs
		// is null (see Screening.needs), and it says what changed.
		{op: "POST /api/v1/clients/{id}/screenings", note: "housed, no needs", path: "/api/v1/clients/$samira/screenings", user: "amina.navigator",
			purpose: coc, body: screeningBody("completed", housed), want: 201, check: func(t *testing.T, a *answer) {
				if len(list(a.field("needs"))) != 0 || !strings.Contains(fmt.Sprint(a.field("change.resolved")), "eviction") {
					t.Errorf("want no needs, the eviction resolved:\n%s", a.Body)
				}
			}},
		{op: "POST /api/v1/clients/{id}/screenings", note: "unknown status", path: "/api/v1/clients/$samira/screenings", user: "amina.navigator",
			purpose: coc, body: screeningBody("done", housed), want: 400, code: invalid, docRejects: true,
			check: wantAccepted("status", []string{"completed", "in-progress"})},
		{op: "POST /api/v1/clients/{id}/screenings", note: "field in another case", path: "/api/v1/clients/$samira/screenings", user: "amina.navigator",
			purpose: coc, body: strings.Replace(screeningBody("completed", housed), `"linkId": "food"`, `"LinkId": "food"`, 1), want: 400, code: invalid,
			docRejects: true, check: wantField("LinkId")},
		{op: "POST /api/v1/clients/{id}/screenings", note: "not an option", path: "/api/v1/clients/$samira/screenings", user: "amina.navigator",
			purpose: coc, body: strings.Replace(screeningBody("completed", housed), `"stable"`, `"castle"`, 1), want: 400, code: invalid,
			check: wantField("item[housing.1].answer[0].valueCoding")},
		{op: "POST /api/v1/clients/{id}/screenings", note: "a required question unanswered", path: "/api/v1/clients/$samira/screenings",
			user: "amina.navigator", purpose: coc, body: screeningBody("completed", `{"linkId": "housing.4", "answer": [{"valueBoolean": false}]}`),
			want: 400, code: invalid},
		{op: "POST /api/v1/clients/{id}/screenings", note: "unknown questionnaire", path: "/api/v1/clients/$samira/screenings", user: "amina.navigator",
			purpose: coc, body: strings.Replace(screeningBody("completed", housed), ihellp, "https://example.org/Questionnaire/phq-9|2", 1),
			want: 400, code: invalid, check: wantField("questionnaire")},
		{op: "POST /api/v1/clients/{id}/screenings", note: "no language", path: "/api/v1/clients/$samira/screenings", user: "amina.navigator",
			purpose: coc, body: strings.Replace(screeningBody("completed", housed), `"language": "ar", `, "", 1), want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/clients/{id}/screenings", note: "response over 256 KiB", path: "/api/v1/clients/$samira/screenings", user: "amina.navigator",
			purpose: coc, want: 413, code: tooLarge, docRejects: true,
			body: `{"language": "en", "response": {"questionnaire": "` + ihellp + `", "status": "in-progress", "item": [{"linkId": "intro", "text": "` +
				strings.Repeat("a", 300<<10) + `"}]}}`},
		{op: "POST /api/v1/clients/{id}/screenings", note: "privacy officer", path: "/api/v1/clients/$samira/screenings", user: "p.nowak", purpose: coc,
			body: eviction, want: 403, code: forbidden},
		{op: "POST /api/v1/clients/{id}/screenings", note: "police", path: "/api/v1/clients/$samira/screenings", user: "t.reid", purpose: hlegal,
			body: eviction, want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "POST /api/v1/clients/{id}/screenings", path: "/api/v1/clients/${no:cli}/screenings", user: "amina.navigator", purpose: coc,
			body: eviction, want: 404, code: notFound},
		{op: "GET /api/v1/clients/{id}/screenings", path: "/api/v1/clients/$samira/screenings", user: "amina.navigator", purpose: coc, want: 200,
			check: func(t *testing.T, a *answer) {
				s := list(a.field("screenings"))
				if len(s) != 2 || obj(obj(s[0])["response"])["resourceType"] != "QuestionnaireResponse" {
					t.Errorf("want both screenings with their answers:\n%.500s", a.Body)
				}
			}},
		{op: "GET /api/v1/clients/{id}/screenings", note: "legal aid, under the consent", path: "/api/v1/clients/$samira/screenings", user: "f.rahimi",
			purpose: legalAid, want: 200},
		{op: "GET /api/v1/clients/{id}/screenings", note: "police", path: "/api/v1/clients/$samira/screenings", user: "t.reid", purpose: hlegal,
			want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "GET /api/v1/clients/{id}/screenings", path: "/api/v1/clients/${no:cli}/screenings", user: "amina.navigator", purpose: coc,
			want: 404, code: notFound},

		// The care team, and a clinical note the handoff must withhold.
		{op: "POST /api/v1/clients/{id}/care-team", path: "/api/v1/clients/$samira/care-team", user: "amina.navigator", purpose: treat,
			body: `{"staff_id": "${id:j.okafor}"}`, want: 204},
		{op: "POST /api/v1/clients/{id}/care-team", note: "not a colleague", path: "/api/v1/clients/$samira/care-team", user: "amina.navigator",
			purpose: treat, body: `{"staff_id": "${id:f.rahimi}"}`, want: 400, code: invalid, check: wantField("staff_id")},
		{op: "POST /api/v1/clients/{id}/care-team", note: "privacy officer", path: "/api/v1/clients/$samira/care-team", user: "p.nowak",
			purpose: treat, body: `{"staff_id": "${id:j.okafor}"}`, want: 403, code: forbidden},
		{op: "POST /api/v1/clients/{id}/care-team", note: "police", path: "/api/v1/clients/$samira/care-team", user: "g.fraser", purpose: hlegal,
			body: `{"staff_id": "${id:t.reid}"}`, want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "POST /api/v1/clients/{id}/care-team", path: "/api/v1/clients/${no:cli}/care-team", user: "amina.navigator", purpose: treat,
			body: `{"staff_id": "${id:j.okafor}"}`, want: 404, code: notFound},
		{op: "POST /api/v1/clients/{id}/records", note: "Samira's clinical note", path: "/api/v1/clients/$samira/records", user: "j.okafor", purpose: treat,
			body: `{"category": "clinical_note", "content": "Anxiety and insomnia since the eviction notice."}`, want: 201},

		// The directory, before referrals to its services.
		{op: "GET /api/v1/directory/services", path: "/api/v1/directory/services?q=eviction", user: "amina.navigator", want: 200,
			check: saveService("housingService", "Housing and eviction defence")},
		{op: "GET /api/v1/directory/services", note: "in Dari", path: "/api/v1/directory/services?language=fa-AF", user: "omar.navigator", want: 200,
			check: func(t *testing.T, a *answer) {
				for _, s := range list(a.field("contents")) {
					if !strings.Contains(fmt.Sprint(obj(s)["languages"]), "fa") {
						t.Errorf("%v is not offered in Dari", obj(s)["name"])
					}
				}
				if fmt.Sprint(a.field("total_items")) != fmt.Sprint(len(list(a.field("contents")))) {
					t.Errorf("total_items is not the number of services")
				}
			}},
		{op: "GET /api/v1/directory/services", note: "everything", path: "/api/v1/directory/services", user: "t.reid", want: 200,
			check: saveService("foodService", "Emergency food and essentials")},
		{op: "GET /api/v1/directory/services", note: "q too long", path: "/api/v1/directory/services?q=" + strings.Repeat("x", 201), user: "amina.navigator",
			want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/directory/services", path: "/api/v1/directory/services", user: "h.morgan", body: service, want: 201},
		{op: "POST /api/v1/directory/services", note: "partnership admin, for another organisation", path: "/api/v1/directory/services", user: "r.mensah",
			body: strings.Replace(service, "$legalAid", "$ngo", 1), want: 201},
		{op: "POST /api/v1/directory/services", note: "unknown organisation", path: "/api/v1/directory/services", user: "r.mensah",
			body: strings.Replace(service, "$legalAid", "${no:org}", 1), want: 400, code: invalid, check: wantField("organization_id")},
		{op: "POST /api/v1/directory/services", note: "no name", path: "/api/v1/directory/services", user: "h.morgan",
			body: `{"organization_id": "$legalAid"}`, want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/directory/services", note: "advocate", path: "/api/v1/directory/services", user: "f.rahimi", body: service, want: 403, code: forbidden},
		{op: "POST /api/v1/directory/services", note: "another organisation's", path: "/api/v1/directory/services", user: "h.morgan",
			body: strings.Replace(service, "$legalAid", "$clinic", 1), want: 403, code: forbidden},
		{op: "POST /api/v1/directory/services", note: "police supervisor", path: "/api/v1/directory/services", user: "g.fraser",
			body: strings.Replace(service, "$legalAid", "$police", 1), want: 403, code: forbidden},

		// A joint case.
		{op: "POST /api/v1/cases", path: "/api/v1/cases", user: "amina.navigator", purpose: legalAid, body: openCase, want: 201,
			save: map[string]string{"case": "id"}, saveETag: "caseTag", check: func(t *testing.T, a *answer) {
				if loc := a.Header.Get("Location"); loc != fmt.Sprint("/api/v1/cases/", a.field("id")) {
					t.Errorf("Location %q", loc)
				}
				if a.Header.Get("ETag") != `"1"` || len(list(a.field("participants"))) != 2 {
					t.Errorf("want version 1 with the lead and legal aid:\n%s", a.Body)
				}
			}},
		{op: "POST /api/v1/cases", note: "no title", path: "/api/v1/cases", user: "amina.navigator", purpose: legalAid,
			body: `{"client_id": "$samira"}`, want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/cases", note: "21 participants", path: "/api/v1/cases", user: "amina.navigator", purpose: coc,
			body: `{"client_id": "$samira", "title": "Too many", "participants": [` + many + `]}`, want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/cases", note: "the caller's own organisation", path: "/api/v1/cases", user: "amina.navigator", purpose: coc,
			body: `{"client_id": "$samira", "title": "Twice", "participants": [` + participant("$clinic", "${id:j.okafor}") + `]}`,
			want: 400, code: invalid, check: wantField("participants")},
		{op: "POST /api/v1/cases", note: "a participant the decision point refuses", path: "/api/v1/cases", user: "amina.navigator", purpose: coc,
			body: `{"client_id": "$samira", "title": "With the police", "participants": [` + participant("$police", "${id:t.reid}") + `]}`,
			want: 403, code: denied, check: wantField("participants")},
		{op: "POST /api/v1/cases", note: "privacy officer", path: "/api/v1/cases", user: "p.nowak", purpose: legalAid, body: openCase, want: 403, code: forbidden},
		{op: "POST /api/v1/cases", note: "police", path: "/api/v1/cases", user: "t.reid", purpose: hlegal,
			body: `{"client_id": "$samira", "title": "Enquiry"}`, want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "POST /api/v1/cases", note: "unknown client", path: "/api/v1/cases", user: "amina.navigator", purpose: legalAid,
			body: `{"client_id": "${no:cli}", "title": "Nobody"}`, want: 404, code: notFound},
		{op: "GET /api/v1/cases/{id}", path: "/api/v1/cases/$case", user: "amina.navigator", purpose: legalAid, want: 200},
		{op: "GET /api/v1/cases/{id}", note: "participant", path: "/api/v1/cases/$case", user: "f.rahimi", purpose: legalAid, want: 200},
		{op: "GET /api/v1/cases/{id}", note: "participant, for another purpose", path: "/api/v1/cases/$case", user: "f.rahimi", purpose: treat,
			want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "GET /api/v1/cases/{id}", note: "not a participant", path: "/api/v1/cases/$case", user: "c.walsh", purpose: coc, want: 404, code: notFound},
		{op: "GET /api/v1/cases/{id}", path: "/api/v1/cases/${no:cas}", user: "amina.navigator", purpose: legalAid, want: 404, code: notFound},
		{op: "GET /api/v1/clients/{id}/cases", path: "/api/v1/clients/$samira/cases", user: "f.rahimi", purpose: legalAid, want: 200,
			check: func(t *testing.T, a *answer) {
				if !slices.Contains(list(a.field("case_ids")), any(a.vars["case"])) {
					t.Errorf("legal aid does not see the case it works:\n%s", a.Body)
				}
			}},
		{op: "GET /api/v1/clients/{id}/cases", note: "police", path: "/api/v1/clients/$samira/cases", user: "t.reid", purpose: hlegal,
			want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "GET /api/v1/clients/{id}/cases", path: "/api/v1/clients/${no:cli}/cases", user: "amina.navigator", purpose: coc, want: 404, code: notFound},

		// Changing a case: each change names the version it changes.
		{op: "POST /api/v1/cases/{id}/goals", note: "no If-Match", path: "/api/v1/cases/$case/goals", user: "amina.navigator", purpose: legalAid,
			body: `{"text": "Stay in the flat"}`, want: 428, code: required, docRejects: true},
		{op: "POST /api/v1/cases/{id}/goals", note: "If-Match not a version", path: "/api/v1/cases/$case/goals", user: "amina.navigator", purpose: legalAid,
			body: `{"text": "Stay in the flat"}`, header: ifMatch(`"latest"`), want: 412, code: stale, docRejects: true},
		{op: "POST /api/v1/cases/{id}/goals", path: "/api/v1/cases/$case/goals", user: "amina.navigator", purpose: legalAid,
			body: `{"text": "Stay in the flat with the children"}`, header: ifMatch("$caseTag"), want: 200, saveETag: "caseTag",
			check: func(t *testing.T, a *answer) {
				goals := list(a.field("goals"))
				if len(goals) != 1 || a.Header.Get("ETag") != `"2"` {
					t.Fatalf("want one goal at version 2:\n%s", a.Body)
				}
				a.vars["goal"] = fmt.Sprint(obj(goals[0])["id"])
			}},
		{op: "POST /api/v1/cases/{id}/goals", note: "stale", path: "/api/v1/cases/$case/goals", user: "amina.navigator", purpose: legalAid,
			body: `{"text": "Keep the children's school"}`, header: ifMatch(`"1"`), want: 412, code: stale},
		{op: "POST /api/v1/cases/{id}/goals", note: "weak ETag", path: "/api/v1/cases/$case/goals", user: "f.rahimi", purpose: legalAid,
			body: `{"text": "Keep the children's school"}`, header: ifMatch(`W/"2"`), want: 200, saveETag: "caseTag"},
		{op: "POST /api/v1/cases/{id}/goals", note: "no text", path: "/api/v1/cases/$case/goals", user: "amina.navigator", purpose: legalAid,
			body: `{}`, header: ifMatch("$caseTag"), want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/cases/{id}/goals", note: "privacy officer", path: "/api/v1/cases/$case/goals", user: "p.nowak", purpose: legalAid,
			body: `{"text": "x"}`, header: ifMatch("$caseTag"), want: 403, code: forbidden},
		{op: "POST /api/v1/cases/{id}/goals", note: "participant, for another purpose", path: "/api/v1/cases/$case/goals", user: "f.rahimi", purpose: treat,
			body: `{"text": "x"}`, header: ifMatch("$caseTag"), want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "POST /api/v1/cases/{id}/goals", note: "not a participant", path: "/api/v1/cases/$case/goals", user: "c.walsh", purpose: coc,
			body: `{"text": "x"}`, header: ifMatch("$caseTag"), want: 404, code: notFound},
		{op: "POST /api/v1/cases/{id}/goals/{goal}/status", path: "/api/v1/cases/$case/goals/$goal/status", user: "f.rahimi", purpose: legalAid,
			body: `{"status": "achieved"}`, header: ifMatch("$caseTag"), want: 200, saveETag: "caseTag"},
		{op: "POST /api/v1/cases/{id}/goals/{goal}/status", note: "no such goal", path: "/api/v1/cases/$case/goals/${no:gol}/status", user: "f.rahimi",
			purpose: legalAid, body: `{"status": "dropped"}`, header: ifMatch("$caseTag"), want: 404, code: notFound},
		{op: "POST /api/v1/cases/{id}/goals/{goal}/status", note: "unknown status", path: "/api/v1/cases/$case/goals/$goal/status", user: "f.rahimi",
			purpose: legalAid, body: `{"status": "done"}`, header: ifMatch("$caseTag"), want: 400, code: invalid, docRejects: true, check: wantField("status")},
		{op: "POST /api/v1/cases/{id}/goals/{goal}/status", note: "stale", path: "/api/v1/cases/$case/goals/$goal/status", user: "f.rahimi",
			purpose: legalAid, body: `{"status": "open"}`, header: ifMatch(`"2"`), want: 412, code: stale},
		{op: "POST /api/v1/cases/{id}/goals/{goal}/status", note: "no If-Match", path: "/api/v1/cases/$case/goals/$goal/status", user: "f.rahimi",
			purpose: legalAid, body: `{"status": "open"}`, want: 428, code: required, docRejects: true},
		{op: "POST /api/v1/cases/{id}/goals/{goal}/status", note: "interpreter", path: "/api/v1/cases/$case/goals/$goal/status", user: "l.fernandez",
			purpose: legalAid, body: `{"status": "open"}`, header: ifMatch("$caseTag"), want: 403, code: forbidden},
		{op: "POST /api/v1/cases/{id}/goals/{goal}/status", note: "no such case", path: "/api/v1/cases/${no:cas}/goals/$goal/status", user: "f.rahimi",
			purpose: legalAid, body: `{"status": "open"}`, header: ifMatch("$caseTag"), want: 404, code: notFound},
		{op: "POST /api/v1/cases/{id}/participants", path: "/api/v1/cases/$case/participants", user: "amina.navigator", purpose: coc,
			body: participant("$ngo", "${id:omar.navigator}"), header: ifMatch("$caseTag"), want: 200, saveETag: "caseTag",
			check: func(t *testing.T, a *answer) {
				if len(list(a.field("participants"))) != 3 {
					t.Errorf("Welcome House did not join:\n%s", a.Body)
				}
			}},
		{op: "POST /api/v1/cases/{id}/participants", note: "works it already", path: "/api/v1/cases/$case/participants", user: "amina.navigator", purpose: coc,
			body: participant("$ngo", "${id:omar.navigator}"), header: ifMatch("$caseTag"), want: 400, code: invalid, check: wantField("organization_id")},
		{op: "POST /api/v1/cases/{id}/participants", note: "not staff of the organisation", path: "/api/v1/cases/$case/participants", user: "amina.navigator",
			purpose: coc, body: participant("$social", "${id:omar.navigator}"), header: ifMatch("$caseTag"), want: 400, code: invalid, check: wantField("participants")},
		{op: "POST /api/v1/cases/{id}/participants", note: "refused by the decision point", path: "/api/v1/cases/$case/participants", user: "amina.navigator",
			purpose: coc, body: participant("$social", "${id:c.walsh}"), header: ifMatch("$caseTag"), want: 403, code: denied,
			check: wantField("participants")},
		{op: "POST /api/v1/cases/{id}/participants", note: "no responsibility", path: "/api/v1/cases/$case/participants", user: "amina.navigator",
			purpose: coc, body: `{"organization_id": "$social", "staff_id": "${id:c.walsh}"}`, header: ifMatch("$caseTag"), want: 400, code: invalid,
			docRejects: true},
		// The participant is asked of the decision point before the version
		// is compared: a stale change names one the decision point allows.
		{op: "POST /api/v1/cases/{id}/participants", note: "stale", path: "/api/v1/cases/$case/participants", user: "amina.navigator", purpose: legalAid,
			body: participant("$legalAid", "${id:h.morgan}"), header: ifMatch(`"1"`), want: 412, code: stale},
		{op: "POST /api/v1/cases/{id}/participants", note: "no If-Match", path: "/api/v1/cases/$case/participants", user: "amina.navigator", purpose: coc,
			body: participant("$legalAid", "${id:h.morgan}"), want: 428, code: required, docRejects: true},
		{op: "POST /api/v1/cases/{id}/participants", note: "privacy officer", path: "/api/v1/cases/$case/participants", user: "p.nowak", purpose: coc,
			body: participant("$legalAid", "${id:h.morgan}"), header: ifMatch("$caseTag"), want: 403, code: forbidden},
		{op: "POST /api/v1/cases/{id}/participants", note: "not a participant", path: "/api/v1/cases/$case/participants", user: "c.walsh", purpose: coc,
			body: participant("$legalAid", "${id:h.morgan}"), header: ifMatch("$caseTag"), want: 404, code: notFound},
		{op: "POST /api/v1/cases/{id}/outcomes", path: "/api/v1/cases/$case/outcomes", user: "f.rahimi", purpose: legalAid,
			body: `{"kind": "legal", "code": "eviction_delayed"}`, header: ifMatch("$caseTag"), want: 200, saveETag: "caseTag"},
		{op: "POST /api/v1/cases/{id}/outcomes", note: "a code of the other kind", path: "/api/v1/cases/$case/outcomes", user: "f.rahimi", purpose: legalAid,
			body: `{"kind": "health", "code": "eviction_prevented"}`, header: ifMatch("$caseTag"), want: 400, code: invalid, check: wantField("code")},
		{op: "POST /api/v1/cases/{id}/outcomes", note: "unknown kind", path: "/api/v1/cases/$case/outcomes", user: "f.rahimi", purpose: legalAid,
			body: `{"kind": "social", "code": "no_change"}`, header: ifMatch("$caseTag"), want: 400, code: invalid, docRejects: true, check: wantField("kind")},
		{op: "POST /api/v1/cases/{id}/outcomes", note: "stale", path: "/api/v1/cases/$case/outcomes", user: "f.rahimi", purpose: legalAid,
			body: `{"kind": "legal", "code": "advice_only"}`, header: ifMatch(`"3"`), want: 412, code: stale},
		{op: "POST /api/v1/cases/{id}/outcomes", note: "no If-Match", path: "/api/v1/cases/$case/outcomes", user: "f.rahimi", purpose: legalAid,
			body: `{"kind": "legal", "code": "advice_only"}`, want: 428, code: required, docRejects: true},
		{op: "POST /api/v1/cases/{id}/outcomes", note: "privacy officer", path: "/api/v1/cases/$case/outcomes", user: "k.patel", purpose: legalAid,
			body: `{"kind": "legal", "code": "advice_only"}`, header: ifMatch("$caseTag"), want: 403, code: forbidden},
		{op: "POST /api/v1/cases/{id}/outcomes", note: "not a participant", path: "/api/v1/cases/$case/outcomes", user: "c.walsh", purpose: coc,
			body: `{"kind": "legal", "code": "advice_only"}`, header: ifMatch("$caseTag"), want: 404, code: notFound},

		// Tasks.
		{op: "POST /api/v1/cases/{id}/tasks", path: "/api/v1/cases/$case/tasks", user: "amina.navigator", purpose: legalAid, body: task, want: 201,
			save: map[string]string{"task": "id"}, saveETag: "taskTag"},
		{op: "POST /api/v1/cases/{id}/tasks", note: "due in the past", path: "/api/v1/cases/$case/tasks", user: "amina.navigator", purpose: legalAid,
			body: strings.Replace(task, "2026-11-25T10:00:00Z", "2026-11-01T10:00:00Z", 1), want: 400, code: invalid, check: wantField("due_at")},
		{op: "POST /api/v1/cases/{id}/tasks", note: "owner not on the case", path: "/api/v1/cases/$case/tasks", user: "amina.navigator", purpose: legalAid,
			body: strings.Replace(task, "${id:f.rahimi}", "${id:c.walsh}", 1), want: 400, code: invalid, check: wantField("owner_id")},
		{op: "POST /api/v1/cases/{id}/tasks", note: "no due date", path: "/api/v1/cases/$case/tasks", user: "amina.navigator", purpose: legalAid,
			body: `{"title": "Someday", "owner_id": "${id:f.rahimi}"}`, want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/cases/{id}/tasks", note: "privacy officer", path: "/api/v1/cases/$case/tasks", user: "p.nowak", purpose: legalAid,
			body: task, want: 403, code: forbidden},
		{op: "POST /api/v1/cases/{id}/tasks", note: "participant, for another purpose", path: "/api/v1/cases/$case/tasks", user: "f.rahimi", purpose: treat,
			body: task, want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "POST /api/v1/cases/{id}/tasks", note: "not a participant", path: "/api/v1/cases/$case/tasks", user: "c.walsh", purpose: coc,
			body: task, want: 404, code: notFound},
		{op: "GET /api/v1/cases/{id}/tasks", path: "/api/v1/cases/$case/tasks", user: "f.rahimi", purpose: legalAid, want: 200},
		{op: "GET /api/v1/cases/{id}/tasks", note: "participant, for another purpose", path: "/api/v1/cases/$case/tasks", user: "f.rahimi", purpose: treat,
			want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "GET /api/v1/cases/{id}/tasks", path: "/api/v1/cases/${no:cas}/tasks", user: "f.rahimi", purpose: legalAid, want: 404, code: notFound},
		{op: "POST /api/v1/tasks/{id}/status", path: "/api/v1/tasks/$task/status", user: "f.rahimi", purpose: legalAid,
			body: `{"status": "in_progress"}`, header: ifMatch("$taskTag"), want: 200, saveETag: "taskTag"},
		{op: "POST /api/v1/tasks/{id}/status", note: "stale", path: "/api/v1/tasks/$task/status", user: "f.rahimi", purpose: legalAid,
			body: `{"status": "done"}`, header: ifMatch(`"1"`), want: 412, code: stale},
		{op: "POST /api/v1/tasks/{id}/status", note: "no If-Match", path: "/api/v1/tasks/$task/status", user: "f.rahimi", purpose: legalAid,
			body: `{"status": "done"}`, want: 428, code: required, docRejects: true},
		{op: "POST /api/v1/tasks/{id}/status", note: "participant, for another purpose", path: "/api/v1/tasks/$task/status", user: "f.rahimi", purpose: treat,
			body: `{"status": "done"}`, header: ifMatch("$taskTag"), want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "POST /api/v1/tasks/{id}/status", note: "not a participant", path: "/api/v1/tasks/$task/status", user: "c.walsh", purpose: coc,
			body: `{"status": "done"}`, header: ifMatch("$taskTag"), want: 404, code: notFound},
		{op: "POST /api/v1/tasks/{id}/status", path: "/api/v1/tasks/${no:tsk}/status", user: "f.rahimi", purpose: legalAid,
			body: `{"status": "done"}`, header: ifMatch("$taskTag"), want: 404, code: notFound},
		{op: "POST /api/v1/tasks/{id}/status", note: "done", path: "/api/v1/tasks/$task/status", user: "f.rahimi", purpose: legalAid,
			body: `{"status": "done"}`, header: ifMatch("$taskTag"), want: 200, saveETag: "taskTag", check: func(t *testing.T, a *answer) {
				if a.field("completed_at") == nil {
					t.Errorf("a done task has no completed_at")
				}
			}},
		{op: "POST /api/v1/tasks/{id}/status", note: "done is final", path: "/api/v1/tasks/$task/status", user: "f.rahimi", purpose: legalAid,
			body: `{"status": "open"}`, header: ifMatch("$taskTag"), want: 409, code: conflict},

		// Case notes and conferences.
		{op: "POST /api/v1/cases/{id}/notes", path: "/api/v1/cases/$case/notes", user: "amina.navigator", purpose: legalAid, body: note, want: 201,
			check: func(t *testing.T, a *answer) {
				if a.field("case_id") != a.vars["case"] {
					t.Errorf("a case note without its case:\n%s", a.Body)
				}
			}},
		{op: "POST /api/v1/cases/{id}/notes", note: "privileged", path: "/api/v1/cases/$case/notes", user: "f.rahimi", purpose: legalAid, want: 201,
			body: `{"category": "legal_privileged_note", "content": "Landlord's notice is defective: wrong form."}`},
		{op: "POST /api/v1/cases/{id}/notes", note: "a navigator's clinical note", path: "/api/v1/cases/$case/notes", user: "amina.navigator", purpose: legalAid,
			body: `{"category": "clinical_note", "content": "Seems unwell."}`, want: 403, code: denied},
		{op: "POST /api/v1/cases/{id}/notes", note: "no content", path: "/api/v1/cases/$case/notes", user: "amina.navigator", purpose: legalAid,
			body: `{"category": "social_needs"}`, want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/cases/{id}/notes", note: "not a participant", path: "/api/v1/cases/$case/notes", user: "c.walsh", purpose: coc,
			body: note, want: 404, code: notFound},
		{op: "GET /api/v1/cases/{id}/notes", path: "/api/v1/cases/$case/notes", user: "amina.navigator", purpose: legalAid, want: 200,
			check: func(t *testing.T, a *answer) {
				recordsAccounted(1)(t, a)
				if w := obj(list(a.field("withheld"))[0]); w["category"] != "legal_privileged_note" || w["reason"] != string(accord.ReasonPrivileged) {
					t.Errorf("want legal aid's privileged note withheld from the clinic:\n%s", a.Body)
				}
			}},
		{op: "GET /api/v1/cases/{id}/notes", note: "legal aid", path: "/api/v1/cases/$case/notes", user: "f.rahimi", purpose: legalAid, want: 200,
			check: recordsAccounted(0)},
		{op: "GET /api/v1/cases/{id}/notes", note: "participant, for another purpose", path: "/api/v1/cases/$case/notes", user: "f.rahimi", purpose: treat,
			want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "GET /api/v1/cases/{id}/notes", path: "/api/v1/cases/${no:cas}/notes", user: "f.rahimi", purpose: legalAid, want: 404, code: notFound},
		{op: "POST /api/v1/cases/{id}/conferences", path: "/api/v1/cases/$case/conferences", user: "amina.navigator", purpose: legalAid,
			body: conference, want: 201},
		{op: "POST /api/v1/cases/{id}/conferences", note: "held in the future", path: "/api/v1/cases/$case/conferences", user: "amina.navigator",
			purpose: legalAid, body: strings.Replace(conference, "2026-11-22T09:00:00Z", "2026-12-01T09:00:00Z", 1), want: 400, code: invalid,
			check: wantField("held_at")},
		{op: "POST /api/v1/cases/{id}/conferences", note: "no attendees", path: "/api/v1/cases/$case/conferences", user: "amina.navigator",
			purpose: legalAid, body: `{"kind": "debrief", "held_at": "2026-11-22T09:00:00Z", "attendees": [], "decisions": "None."}`,
			want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/cases/{id}/conferences", note: "an attendee who is not staff", path: "/api/v1/cases/$case/conferences", user: "amina.navigator",
			purpose: legalAid, body: strings.Replace(conference, "${id:f.rahimi}", "${no:stf}", 1), want: 400, code: invalid, check: wantField("attendees")},
		{op: "POST /api/v1/cases/{id}/conferences", note: "privacy officer", path: "/api/v1/cases/$case/conferences", user: "p.nowak", purpose: legalAid,
			body: conference, want: 403, code: forbidden},
		{op: "POST /api/v1/cases/{id}/conferences", note: "not a participant", path: "/api/v1/cases/$case/conferences", user: "c.walsh", purpose: coc,
			body: conference, want: 404, code: notFound},
		{op: "GET /api/v1/cases/{id}/conferences", path: "/api/v1/cases/$case/conferences", user: "f.rahimi", purpose: legalAid, want: 200,
			check: func(t *testing.T, a *answer) {
				if len(list(a.field("conferences"))) != 1 {
					t.Errorf("want the conference:\n%s", a.Body)
				}
			}},
		{op: "GET /api/v1/cases/{id}/conferences", note: "participant, for another purpose", path: "/api/v1/cases/$case/conferences", user: "f.rahimi",
			purpose: treat, want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "GET /api/v1/cases/{id}/conferences", path: "/api/v1/cases/${no:cas}/conferences", user: "f.rahimi", purpose: legalAid, want: 404, code: notFound},

		// Referrals: the closed loop and the handoff.
		{op: "POST /api/v1/referrals", path: "/api/v1/referrals", user: "amina.navigator", purpose: legalAid, body: referral, want: 201,
			save: map[string]string{"ref": "id"}, saveETag: "refTag", check: func(t *testing.T, a *answer) {
				if loc := a.Header.Get("Location"); loc != fmt.Sprint("/api/v1/referrals/", a.field("id")) {
					t.Errorf("Location %q", loc)
				}
			}},
		{op: "POST /api/v1/referrals", note: "to a service", path: "/api/v1/referrals", user: "amina.navigator", purpose: coc, body: serviceReferral,
			want: 201, save: map[string]string{"ref2": "id"}, saveETag: "ref2Tag", check: func(t *testing.T, a *answer) {
				if a.field("purpose") != string(coc) || a.field("urgency") != "routine" {
					t.Errorf("want the header's purpose and routine urgency by default:\n%s", a.Body)
				}
			}},
		{op: "POST /api/v1/referrals", note: "to the caller's organisation", path: "/api/v1/referrals", user: "amina.navigator", purpose: legalAid,
			body: strings.Replace(referral, `"to_organization_id": "$legalAid"`, `"to_organization_id": "$clinic"`, 1), want: 400, code: invalid,
			check: wantField("to_organization_id")},
		{op: "POST /api/v1/referrals", note: "no categories", path: "/api/v1/referrals", user: "amina.navigator", purpose: legalAid,
			body: `{"client_id": "$samira", "to_organization_id": "$legalAid", "categories": [], "reason": "Advice."}`, want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/referrals", note: "a category twice", path: "/api/v1/referrals", user: "amina.navigator", purpose: legalAid,
			body: `{"client_id": "$samira", "to_organization_id": "$legalAid", "categories": ["contact", "contact"], "reason": "Advice."}`,
			want: 400, code: invalid, docRejects: true},
		{op: "POST /api/v1/referrals", note: "another organisation's service", path: "/api/v1/referrals", user: "amina.navigator", purpose: coc,
			body: strings.Replace(serviceReferral, "$housingService", "$foodService", 1), want: 400, code: invalid, check: wantField("service_id")},
		{op: "POST /api/v1/referrals", note: "respond_by past", path: "/api/v1/referrals", user: "amina.navigator", purpose: coc,
			body: strings.Replace(serviceReferral, "2026-12-01T17:00:00Z", "2026-11-01T17:00:00Z", 1), want: 400, code: invalid, check: wantField("respond_by")},
		{op: "POST /api/v1/referrals", note: "privacy officer", path: "/api/v1/referrals", user: "p.nowak", purpose: legalAid, body: referral, want: 403, code: forbidden},
		{op: "POST /api/v1/referrals", note: "police", path: "/api/v1/referrals", user: "t.reid", purpose: hlegal, want: 403, code: denied,
			body:  `{"client_id": "$samira", "to_organization_id": "$legalAid", "purpose": "HLEGAL", "categories": ["contact"], "reason": "Enquiry."}`,
			check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "POST /api/v1/referrals", note: "unknown client", path: "/api/v1/referrals", user: "amina.navigator", purpose: legalAid,
			body: strings.Replace(referral, `"client_id": "$samira"`, `"client_id": "${no:cli}"`, 1), want: 404, code: notFound},
		{op: "GET /api/v1/referrals", path: "/api/v1/referrals", user: "l.chen", want: 200, check: func(t *testing.T, a *answer) {
			refs := list(a.field("referrals"))
			if len(refs) != 2 {
				t.Errorf("want both referrals in legal aid's incoming list:\n%s", a.Body)
			}
			for _, r := range refs {
				if obj(r)["reason"] != "" {
					t.Errorf("an incoming list shows a referral's reason")
				}
			}
		}},
		{op: "GET /api/v1/referrals", note: "outgoing, all", path: "/api/v1/referrals?direction=outgoing&open=false", user: "amina.navigator", want: 200},
		{op: "GET /api/v1/referrals", note: "sideways", path: "/api/v1/referrals?direction=sideways", user: "amina.navigator", want: 400, code: invalid,
			docRejects: true, check: wantField("direction")},
		{op: "GET /api/v1/me/work", path: "/api/v1/me/work", user: "l.chen", want: 200, check: func(t *testing.T, a *answer) {
			if !strings.Contains(fmt.Sprint(a.field("referrals_incoming")), a.vars["ref"]) ||
				!strings.Contains(fmt.Sprint(a.field("notifications")), "referral.received") {
				t.Errorf("legal aid's intake worker is not told of the referral:\n%s", a.Body)
			}
		}},
		{op: "GET /api/v1/referrals/{id}", note: "sender", path: "/api/v1/referrals/$ref", user: "amina.navigator", want: 200,
			check: func(t *testing.T, a *answer) {
				if a.field("side") != "sender" || a.field("client") != nil || a.field("referral.status") != "sent" {
					t.Errorf("want the sender's view, still sent:\n%s", a.Body)
				}
			}},
		{op: "GET /api/v1/referrals/{id}", note: "receiver: the handoff", path: "/api/v1/referrals/$ref", user: "f.rahimi", want: 200, saveETag: "refTag",
			check: func(t *testing.T, a *answer) {
				shared, withheld := fmt.Sprint(a.field("shared")), fmt.Sprint(a.field("withheld"))
				if a.field("side") != "receiver" || a.field("referral.status") != "received" || a.field("client.phone") == nil {
					t.Errorf("want the receiver's view, received, with contact details:\n%s", a.Body)
				}
				if !strings.Contains(shared, "social_needs") || !strings.Contains(withheld, "clinical_note") || strings.Contains(string(a.Body), "insomnia") {
					t.Errorf("the handoff must share the housing record and withhold the clinical note:\n%s", a.Body)
				}
			}},
		{op: "GET /api/v1/referrals/{id}", note: "neither side", path: "/api/v1/referrals/$ref", user: "omar.navigator", want: 404, code: notFound},
		{op: "GET /api/v1/referrals/{id}", path: "/api/v1/referrals/${no:ref}", user: "f.rahimi", want: 404, code: notFound},
		{op: "POST /api/v1/referrals/{id}/status", note: "no If-Match", path: "/api/v1/referrals/$ref/status", user: "f.rahimi",
			body: `{"status": "accepted"}`, want: 428, code: required, docRejects: true},
		{op: "POST /api/v1/referrals/{id}/status", note: "stale", path: "/api/v1/referrals/$ref/status", user: "f.rahimi",
			body: `{"status": "accepted"}`, header: ifMatch(`"1"`), want: 412, code: stale},
		{op: "POST /api/v1/referrals/{id}/status", note: "the sender accepting", path: "/api/v1/referrals/$ref/status", user: "amina.navigator",
			body: `{"status": "accepted"}`, header: ifMatch("$refTag"), want: 403, code: forbidden},
		{op: "POST /api/v1/referrals/{id}/status", note: "privacy officer", path: "/api/v1/referrals/$ref/status", user: "k.patel",
			body: `{"status": "accepted"}`, header: ifMatch("$refTag"), want: 403, code: forbidden},
		{op: "POST /api/v1/referrals/{id}/status", note: "neither side", path: "/api/v1/referrals/$ref/status", user: "omar.navigator",
			body: `{"status": "accepted"}`, header: ifMatch("$refTag"), want: 404, code: notFound},
		{op: "POST /api/v1/referrals/{id}/status", path: "/api/v1/referrals/$ref/status", user: "f.rahimi",
			body: `{"status": "accepted"}`, header: ifMatch("$refTag"), want: 200, saveETag: "refTag", check: func(t *testing.T, a *answer) {
				if a.field("status") != "accepted" || a.field("assigned_to") != a.vars["id:f.rahimi"] {
					t.Errorf("want the referral accepted by the advocate:\n%s", a.Body)
				}
			}},
		{op: "POST /api/v1/referrals/{id}/status", note: "back to received", path: "/api/v1/referrals/$ref/status", user: "f.rahimi",
			body: `{"status": "received"}`, header: ifMatch("$refTag"), want: 409, code: conflict},
		{op: "POST /api/v1/referrals/{id}/status", note: "decline without a reason", path: "/api/v1/referrals/$ref2/status", user: "l.chen",
			body: `{"status": "declined"}`, header: ifMatch("$ref2Tag"), want: 400, code: invalid, check: wantField("reason")},
		{op: "POST /api/v1/referrals/{id}/status", note: "decline", path: "/api/v1/referrals/$ref2/status", user: "l.chen",
			body: `{"status": "declined", "reason": "The housing team is full until January; try the council's advice line."}`, header: ifMatch("$ref2Tag"),
			want: 200, saveETag: "ref2Tag"},
		{op: "POST /api/v1/referrals/{id}/status", note: "cancel once declined", path: "/api/v1/referrals/$ref2/status", user: "amina.navigator",
			body: `{"status": "cancelled", "reason": "No longer needed."}`, header: ifMatch("$ref2Tag"), want: 409, code: conflict},

		// Escalations.
		{op: "POST /api/v1/escalations", path: "/api/v1/escalations", user: "amina.navigator", purpose: legalAid, body: escalation, want: 201,
			save: map[string]string{"esc": "id"}, saveETag: "escTag", check: func(t *testing.T, a *answer) {
				if a.field("contact_id") != a.vars["id:l.chen"] || a.field("status") != "open" {
					t.Errorf("want it open, with legal aid's first contact:\n%s", a.Body)
				}
			}},
		{op: "POST /api/v1/escalations", note: "the caller's own organisation", path: "/api/v1/escalations", user: "amina.navigator", purpose: coc,
			body: flagged, want: 201, save: map[string]string{"esc2": "id"}, saveETag: "esc2Tag"},
		{op: "POST /api/v1/escalations", note: "routine", path: "/api/v1/escalations", user: "amina.navigator", purpose: coc,
			body: strings.Replace(flagged, "immediate", "routine", 1), want: 400, code: invalid, docRejects: true, check: wantField("urgency")},
		{op: "POST /api/v1/escalations", note: "an organisation without contacts", path: "/api/v1/escalations", user: "amina.navigator", purpose: coc,
			body: strings.Replace(escalation, `"$legalAid"`, `"$police"`, 1), want: 400, code: invalid, check: wantField("organization_id")},
		{op: "POST /api/v1/escalations", note: "a first contact the decision point refuses", path: "/api/v1/escalations", user: "amina.navigator",
			purpose: coc, body: strings.Replace(flagged, `"kind"`, `"organization_id": "$social", "kind"`, 1), want: 403, code: denied,
			check: wantField("participants")},
		{op: "POST /api/v1/escalations", note: "unknown case", path: "/api/v1/escalations", user: "amina.navigator", purpose: legalAid,
			body: strings.Replace(escalation, "$case", "${no:cas}", 1), want: 400, code: invalid, check: wantField("case_id")},
		{op: "POST /api/v1/escalations", note: "privacy officer", path: "/api/v1/escalations", user: "p.nowak", purpose: coc, body: flagged, want: 403, code: forbidden},
		{op: "POST /api/v1/escalations", note: "police", path: "/api/v1/escalations", user: "t.reid", purpose: hlegal, body: flagged, want: 403, code: denied,
			check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "POST /api/v1/escalations", note: "unknown client", path: "/api/v1/escalations", user: "amina.navigator", purpose: coc,
			body: strings.Replace(flagged, "$samira", "${no:cli}", 1), want: 404, code: notFound},
		{op: "GET /api/v1/escalations", path: "/api/v1/escalations", user: "l.chen", want: 200, check: func(t *testing.T, a *answer) {
			if !strings.Contains(fmt.Sprint(a.field("escalations")), a.vars["esc"]) {
				t.Errorf("legal aid's live escalations lack the eviction:\n%s", a.Body)
			}
		}},
		{op: "GET /api/v1/escalations/{id}", path: "/api/v1/escalations/$esc", user: "l.chen", want: 200},
		{op: "GET /api/v1/escalations/{id}", note: "who raised it", path: "/api/v1/escalations/$esc", user: "amina.navigator", want: 200},
		{op: "GET /api/v1/escalations/{id}", note: "neither", path: "/api/v1/escalations/$esc", user: "omar.navigator", want: 404, code: notFound},
		{op: "GET /api/v1/escalations/{id}", path: "/api/v1/escalations/${no:esc}", user: "l.chen", want: 404, code: notFound},
		{op: "POST /api/v1/escalations/{id}/acknowledge", note: "no If-Match", path: "/api/v1/escalations/$esc/acknowledge", user: "l.chen",
			want: 428, code: required, docRejects: true},
		{op: "POST /api/v1/escalations/{id}/acknowledge", note: "stale", path: "/api/v1/escalations/$esc/acknowledge", user: "l.chen",
			header: ifMatch(`"2"`), want: 412, code: stale},
		{op: "POST /api/v1/escalations/{id}/acknowledge", note: "who raised it, of another organisation", path: "/api/v1/escalations/$esc/acknowledge",
			user: "amina.navigator", header: ifMatch("$escTag"), want: 403, code: forbidden},
		{op: "POST /api/v1/escalations/{id}/acknowledge", note: "neither", path: "/api/v1/escalations/$esc/acknowledge", user: "omar.navigator",
			header: ifMatch("$escTag"), want: 404, code: notFound},
		{op: "POST /api/v1/escalations/{id}/acknowledge", path: "/api/v1/escalations/$esc/acknowledge", user: "l.chen", header: ifMatch("$escTag"),
			want: 200, saveETag: "escTag", check: func(t *testing.T, a *answer) {
				if a.field("status") != "acknowledged" || a.field("owner_id") != a.vars["id:l.chen"] {
					t.Errorf("want it acknowledged, owned by the intake worker:\n%s", a.Body)
				}
			}},
		{op: "POST /api/v1/escalations/{id}/acknowledge", note: "acknowledged already", path: "/api/v1/escalations/$esc/acknowledge", user: "f.rahimi",
			header: ifMatch("$escTag"), want: 409, code: conflict},
		{op: "GET /api/v1/me/work", note: "an owned escalation", path: "/api/v1/me/work", user: "l.chen", want: 200, check: func(t *testing.T, a *answer) {
			if !strings.Contains(fmt.Sprint(a.field("escalations_owned")), a.vars["esc"]) {
				t.Errorf("the acknowledged escalation is not in its owner's work:\n%s", a.Body)
			}
		}},

		// Closing the case while the eviction escalation is live.
		{op: "GET /api/v1/cases/{id}/timeline", path: "/api/v1/cases/$case/timeline", user: "f.rahimi", purpose: legalAid, want: 200,
			check: func(t *testing.T, a *answer) {
				events := fmt.Sprint(a.field("events"))
				for _, kind := range []string{"case.opened", "goal.added", "participant.added", "task.created", "note.added", "referral.accepted",
					"escalation.raised", "escalation.acknowledge"} {
					if !strings.Contains(events, kind) {
						t.Errorf("the timeline lacks %s", kind)
					}
				}
			}},
		{op: "GET /api/v1/cases/{id}/timeline", note: "after and limit", path: "/api/v1/cases/$case/timeline?after=2&limit=3", user: "amina.navigator",
			purpose: legalAid, want: 200, check: func(t *testing.T, a *answer) {
				events := list(a.field("events"))
				if len(events) != 3 || fmt.Sprint(obj(events[0])["seq"]) != "3" {
					t.Errorf("want events 3 to 5:\n%s", a.Body)
				}
			}},
		{op: "GET /api/v1/cases/{id}/timeline", note: "limit 0", path: "/api/v1/cases/$case/timeline?limit=0", user: "f.rahimi", purpose: legalAid,
			want: 400, code: invalid, docRejects: true, check: wantField("limit")},
		{op: "GET /api/v1/cases/{id}/timeline", note: "participant, for another purpose", path: "/api/v1/cases/$case/timeline", user: "f.rahimi",
			purpose: treat, want: 403, code: denied, check: outsiderRefusal(srv, accord.ReasonNoAgreement)},
		{op: "GET /api/v1/cases/{id}/timeline", path: "/api/v1/cases/${no:cas}/timeline", user: "f.rahimi", purpose: legalAid, want: 404, code: notFound},
		{op: "POST /api/v1/cases/{id}/close", note: "escalations live", path: "/api/v1/cases/$case/close", user: "amina.navigator", purpose: legalAid,
			body: `{"reason": "Hearing won."}`, header: ifMatch("$caseTag"), want: 409, code: conflict, check: wantField("close_despite_escalations")},
		{op: "POST /api/v1/cases/{id}/close", note: "no reason", path: "/api/v1/cases/$case/close", user: "amina.navigator", purpose: legalAid,
			body: `{}`, header: ifMatch("$caseTag"), want: 400, code: invalid, docRejects: true, check: wantField("reason")},
		// Live escalations are looked for before the version is compared.
		{op: "POST /api/v1/cases/{id}/close", note: "stale", path: "/api/v1/cases/$case/close", user: "amina.navigator", purpose: legalAid,
			body: `{"reason": "Hearing won.", "close_despite_escalations": "Legal aid keeps it."}`, header: ifMatch(`"2"`), want: 412, code: stale},
		{op: "POST /api/v1/cases/{id}/close", note: "no If-Match", path: "/api/v1/cases/$case/close", user: "amina.navigator", purpose: legalAid,
			body: `{"reason": "Hearing won."}`, want: 428, code: required, docRejects: true},
		{op: "POST /api/v1/cases/{id}/close", note: "privacy officer", path: "/api/v1/cases/$case/close", user: "p.nowak", purpose: legalAid,
			body: `{"reason": "Hearing won."}`, header: ifMatch("$caseTag"), want: 403, code: forbidden},
		{op: "POST /api/v1/cases/{id}/close", note: "not a participant", path: "/api/v1/cases/$case/close", user: "c.walsh", purpose: coc,
			body: `{"reason": "Hearing won."}`, header: ifMatch("$caseTag"), want: 404, code: notFound},
		{op: "POST /api/v1/cases/{id}/close", path: "/api/v1/cases/$case/close", user: "amina.navigator", purpose: legalAid,
			body:   `{"reason": "Hearing won.", "close_despite_escalations": "Legal aid keeps the eviction escalation until the order is served."}`,
			header: ifMatch("$caseTag"), want: 200, saveETag: "caseTag", check: func(t *testing.T, a *answer) {
				if a.field("status") != "closed" || a.field("closed_at") == nil {
					t.Errorf("want the case closed:\n%s", a.Body)
				}
			}},
		{op: "POST /api/v1/cases/{id}/close", note: "closed already", path: "/api/v1/cases/$case/close", user: "amina.navigator", purpose: legalAid,
			body: `{"reason": "Again."}`, header: ifMatch("$caseTag"), want: 409, code: conflict},
		{op: "POST /api/v1/cases/{id}/goals", note: "closed", path: "/api/v1/cases/$case/goals", user: "amina.navigator", purpose: legalAid,
			body: `{"text": "One more"}`, header: ifMatch("$caseTag"), want: 409, code: conflict},
		{op: "POST /api/v1/cases/{id}/goals/{goal}/status", note: "closed", path: "/api/v1/cases/$case/goals/$goal/status", user: "amina.navigator",
			purpose: legalAid, body: `{"status": "open"}`, header: ifMatch("$caseTag"), want: 409, code: conflict},
		{op: "POST /api/v1/cases/{id}/participants", note: "closed", path: "/api/v1/cases/$case/participants", user: "amina.navigator", purpose: legalAid,
			body: participant("$legalAid", "${id:h.morgan}"), header: ifMatch("$caseTag"), want: 409, code: conflict},
		{op: "POST /api/v1/cases/{id}/outcomes", note: "closed", path: "/api/v1/cases/$case/outcomes", user: "f.rahimi", purpose: legalAid,
			body: `{"kind": "legal", "code": "eviction_prevented"}`, header: ifMatch("$caseTag"), want: 409, code: conflict},
		{op: "POST /api/v1/cases/{id}/tasks", note: "closed", path: "/api/v1/cases/$case/tasks", user: "amina.navigator", purpose: legalAid,
			body: task, want: 409, code: conflict},
		{op: "POST /api/v1/cases/{id}/notes", note: "closed", path: "/api/v1/cases/$case/notes", user: "amina.navigator", purpose: legalAid,
			body: note, want: 409, code: conflict},

		// Resolving and cancelling escalations.
		{op: "POST /api/v1/escalations/{id}/resolve", note: "no If-Match", path: "/api/v1/escalations/$esc/resolve", user: "l.chen",
			body: resolution, want: 428, code: required, docRejects: true},
		{op: "POST /api/v1/escalations/{id}/resolve", note: "stale", path: "/api/v1/escalations/$esc/resolve", user: "l.chen",
			body: resolution, header: ifMatch(`"1"`), want: 412, code: stale},
		{op: "POST /api/v1/escalations/{id}/resolve", note: "no resolution", path: "/api/v1/escalations/$esc/resolve", user: "l.chen",
			body: `{}`, header: ifMatch("$escTag"), want: 400, code: invalid, docRejects: true, check: wantField("resolution")},
		{op: "POST /api/v1/escalations/{id}/resolve", note: "who raised it, of another organisation", path: "/api/v1/escalations/$esc/resolve",
			user: "amina.navigator", body: resolution, header: ifMatch("$escTag"), want: 403, code: forbidden},
		{op: "POST /api/v1/escalations/{id}/resolve", note: "neither", path: "/api/v1/escalations/$esc/resolve", user: "omar.navigator",
			body: resolution, header: ifMatch("$escTag"), want: 404, code: notFound},
		{op: "POST /api/v1/escalations/{id}/resolve", path: "/api/v1/escalations/$esc/resolve", user: "l.chen", body: resolution,
			header: ifMatch("$escTag"), want: 200, saveETag: "escTag", check: func(t *testing.T, a *answer) {
				if a.field("status") != "resolved" || a.field("resolved_at") == nil {
					t.Errorf("want it resolved:\n%s", a.Body)
				}
			}},
		{op: "POST /api/v1/escalations/{id}/resolve", note: "resolved already", path: "/api/v1/escalations/$esc/resolve", user: "l.chen",
			body: resolution, header: ifMatch("$escTag"), want: 409, code: conflict},
		{op: "POST /api/v1/escalations/{id}/resolve", note: "cancelled by a colleague", path: "/api/v1/escalations/$esc2/resolve", user: "j.okafor",
			body: `{"resolution": "Raised in error.", "cancel": true}`, header: ifMatch("$esc2Tag"), want: 403, code: forbidden},
		{op: "POST /api/v1/escalations/{id}/resolve", note: "cancelled by who raised it", path: "/api/v1/escalations/$esc2/resolve", user: "amina.navigator",
			body: `{"resolution": "She came in the afternoon.", "cancel": true}`, header: ifMatch("$esc2Tag"), want: 200,
			check: func(t *testing.T, a *answer) {
				if a.field("status") != "cancelled" {
					t.Errorf("want it cancelled:\n%s", a.Body)
				}
			}},

		// Escalation contacts and webhooks.
		{op: "GET /api/v1/organizations/{id}/escalation-contacts", path: "/api/v1/organizations/$legalAid/escalation-contacts", user: "amina.navigator",
			want: 200, check: func(t *testing.T, a *answer) {
				if c := list(a.field("contacts")); len(c) == 0 || c[0] != a.vars["id:l.chen"] {
					t.Errorf("want legal aid's chain, its intake worker first:\n%s", a.Body)
				}
			}},
		{op: "GET /api/v1/organizations/{id}/escalation-contacts", note: "an organisation that receives none", path: "/api/v1/organizations/$police/escalation-contacts",
			user: "t.reid", want: 200},
		{op: "GET /api/v1/organizations/{id}/escalation-contacts", note: "unknown organisation", path: "/api/v1/organizations/${no:org}/escalation-contacts",
			user: "amina.navigator", want: 404, code: notFound},
		{op: "PUT /api/v1/organizations/{id}/escalation-contacts", note: "with its own escalation times", path: "/api/v1/organizations/$legalAid/escalation-contacts",
			user: "h.morgan", body: `{"contacts": ["${id:l.chen}", "${id:f.rahimi}", "${id:h.morgan}"], "sla_minutes": {"urgent": 120}}`, want: 200,
			check: func(t *testing.T, a *answer) {
				if !strings.Contains(string(a.Body), `"urgent":120`) {
					t.Errorf("the organisation's escalation time was not kept:\n%s", a.Body)
				}
			}},
		{op: "PUT /api/v1/organizations/{id}/escalation-contacts", path: "/api/v1/organizations/$legalAid/escalation-contacts", user: "h.morgan",
			body: `{"contacts": ["${id:l.chen}", "${id:h.morgan}"]}`, want: 200},
		{op: "PUT /api/v1/organizations/{id}/escalation-contacts", note: "partnership admin, for another organisation",
			path: "/api/v1/organizations/$legalAid/escalation-contacts", user: "r.mensah",
			body: `{"contacts": ["${id:l.chen}", "${id:f.rahimi}", "${id:h.morgan}"]}`, want: 200},
		{op: "PUT /api/v1/organizations/{id}/escalation-contacts", note: "another organisation's staff", path: "/api/v1/organizations/$legalAid/escalation-contacts",
			user: "h.morgan", body: `{"contacts": ["${id:omar.navigator}"]}`, want: 400, code: invalid, check: wantField("contacts")},
		{op: "PUT /api/v1/organizations/{id}/escalation-contacts", note: "nobody", path: "/api/v1/organizations/$legalAid/escalation-contacts",
			user: "h.morgan", body: `{"contacts": []}`, want: 400, code: invalid, docRejects: true},
		{op: "PUT /api/v1/organizations/{id}/escalation-contacts", note: "advocate", path: "/api/v1/organizations/$legalAid/escalation-contacts",
			user: "f.rahimi", body: `{"contacts": ["${id:f.rahimi}"]}`, want: 403, code: forbidden},
		{op: "PUT /api/v1/organizations/{id}/escalation-contacts", note: "a supervisor, for another organisation",
			path: "/api/v1/organizations/$clinic/escalation-contacts", user: "h.morgan", body: `{"contacts": ["${id:h.morgan}"]}`, want: 403, code: forbidden},
		{op: "PUT /api/v1/organizations/{id}/escalation-contacts", note: "a police supervisor, for another organisation",
			path: "/api/v1/organizations/$clinic/escalation-contacts", user: "g.fraser", body: `{"contacts": ["${id:amina.navigator}"]}`, want: 403, code: forbidden},
		{op: "PUT /api/v1/organizations/{id}/webhook", path: "/api/v1/organizations/$legalAid/webhook", user: "h.morgan",
			body: `{"url": "https://hooks.northside-legal.example.org/accord", "secret": "a-secret-of-24-characters"}`, want: 200},
		{op: "PUT /api/v1/organizations/{id}/webhook", note: "plain http", path: "/api/v1/organizations/$legalAid/webhook", user: "h.morgan",
			body: `{"url": "http://hooks.northside-legal.example.org/accord", "secret": "a-secret-of-24-characters"}`, want: 400, code: invalid,
			check: wantField("url")},
		{op: "PUT /api/v1/organizations/{id}/webhook", note: "short secret", path: "/api/v1/organizations/$legalAid/webhook", user: "h.morgan",
			body: `{"url": "https://hooks.northside-legal.example.org/accord", "secret": "short"}`, want: 400, code: invalid, docRejects: true},
		{op: "PUT /api/v1/organizations/{id}/webhook", note: "advocate", path: "/api/v1/organizations/$legalAid/webhook", user: "f.rahimi",
			body: `{"url": "https://hooks.northside-legal.example.org/accord", "secret": "a-secret-of-24-characters"}`, want: 403, code: forbidden},
		{op: "PUT /api/v1/organizations/{id}/webhook", note: "another organisation's", path: "/api/v1/organizations/$clinic/webhook", user: "h.morgan",
			body: `{"url": "https://hooks.northside-legal.example.org/accord", "secret": "a-secret-of-24-characters"}`, want: 403, code: forbidden},

		// My work and notifications.
		{op: "GET /api/v1/me/work", note: "the navigator's", path: "/api/v1/me/work", user: "amina.navigator", want: 200, check: func(t *testing.T, a *answer) {
			notes := fmt.Sprint(a.field("notifications"))
			for _, kind := range []string{"referral.received", "referral.accepted", "referral.declined", "escalation.acknowledged", "escalation.resolve"} {
				if !strings.Contains(notes, kind) {
					t.Errorf("the navigator who sent the referral and raised the escalation was not told of %s:\n%s", kind, a.Body)
				}
			}
		}},
		{op: "POST /api/v1/me/notifications/read", path: "/api/v1/me/notifications/read", user: "amina.navigator", want: 204},
		{op: "GET /api/v1/me/work", note: "notifications read", path: "/api/v1/me/work", user: "amina.navigator", want: 200, check: func(t *testing.T, a *answer) {
			for _, n := range list(a.field("notifications")) {
				if obj(n)["read_at"] == nil {
					t.Errorf("notification %v is still unread", obj(n)["id"])
				}
			}
		}},
	}
}

// saveService saves as $name the id of the directory service called
// service, from a directory page.
func saveService(name, service string) func(t *testing.T, a *answer) {
	return func(t *testing.T, a *answer) {
		for _, s := range list(a.field("contents")) {
			if obj(s)["name"] == service {
				a.vars[name] = fmt.Sprint(obj(s)["id"])
				return
			}
		}
		t.Fatalf("no service %q in the directory:\n%s", service, a.Body)
	}
}
