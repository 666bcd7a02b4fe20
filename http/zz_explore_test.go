package http_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
)

func TestZZExplore(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	f, _ := os.Create("/tmp/explore/out2.txt")
	defer f.Close()
	do := func(r testserver.Request) map[string]any {
		resp := srv.Do(t, r)
		fmt.Fprintf(f, "=== %s %s as %s (%s) %s -> %d ETag=%q\n%.1500s\n\n", r.Method, r.Path, r.User, r.Purpose, r.Body, resp.Status, resp.Header.Get("ETag"), resp.Body)
		var m map[string]any
		resp.JSON(t, &m)
		return m
	}
	legal := srv.Login("f.rahimi").OrganizationID
	rahimi := srv.Login("f.rahimi").ID
	var x, xName string
	for _, sc := range srv.P.Scenarios {
		if sc.ID == "clinician-reads-clinical-summary" {
			x = sc.ClientID
		}
	}
	for _, c := range srv.P.Clients {
		if c.ID == x {
			xName = c.GivenName + `","family_name":"` + c.FamilyName + `","birth_date":"` + c.BirthDate
		}
	}
	cl := do(testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients", Purpose: "COC",
		Body: `{"given_name":"Samira","family_name":"Khalil","birth_date":"1988-03","gender":"woman","preferred_language":"ar","interpreter_needed":true,"phone":"+44 7700 900321"}`})
	client := cl["id"].(string)
	do(testserver.Request{User: "t.reid", Method: "POST", Path: "/api/v1/intake/matches", Purpose: "HLEGAL", Body: `{"given_name":"` + xName + `"}`})
	do(testserver.Request{User: "t.reid", Method: "POST", Path: "/api/v1/intake/matches", Purpose: "HLEGAL", Body: `{"given_name":"Samira","family_name":"Khalil","birth_date":"1988-03"}`})
	do(testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/intake/matches", Purpose: "COC", Body: `{"given_name":"Samira","family_name":"Khalil","birth_date":"1988-03"}`})
	// screening without needs
	do(testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients/" + client + "/screenings", Purpose: "COC",
		Body: `{"language":"ar","response":{"resourceType":"QuestionnaireResponse","questionnaire":"https://accord-project.org/fhir/Questionnaire/social-legal-needs|1.0.0","status":"completed","item":[` +
			`{"linkId":"income","item":[{"linkId":"income.1","answer":[{"valueBoolean":false}]}]},` +
			`{"linkId":"food","item":[{"linkId":"food.1","answer":[{"valueBoolean":false}]}]},` +
			`{"linkId":"housing","item":[{"linkId":"housing.1","answer":[{"valueCoding":{"code":"stable"}}]}]}]}}`})
	do(testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients/" + client + "/screenings", Purpose: "COC",
		Body: `{"language":"ar","response":{"resourceType":"QuestionnaireResponse","questionnaire":"https://accord-project.org/fhir/Questionnaire/social-legal-needs|1.0.0","status":"completed","item":[` +
			`{"linkId":"income","item":[{"linkId":"income.1","answer":[{"valueBoolean":true}]}]},` +
			`{"linkId":"food","item":[{"linkId":"food.1","answer":[{"valueBoolean":false}]}]},` +
			`{"linkId":"housing","item":[{"linkId":"housing.1","answer":[{"valueCoding":{"code":"worried"}}]},{"linkId":"housing.2","answer":[{"valueBoolean":true}]},{"linkId":"housing.3","answer":[{"valueCoding":{"code":"within_14_days"}}]}]}]}}`})
	do(testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients/" + client + "/screenings", Purpose: "COC",
		Body: `{"language":"ar","response":{"resourceType":"QuestionnaireResponse","questionnaire":"https://accord-project.org/fhir/Questionnaire/social-legal-needs|1.0.0","status":"done"}}`})
	do(testserver.Request{User: "j.okafor", Method: "POST", Path: "/api/v1/clients/" + client + "/screenings", Purpose: "TREAT",
		Body: `{"language":"ar","response":{"resourceType":"QuestionnaireResponse","questionnaire":"https://accord-project.org/fhir/Questionnaire/social-legal-needs|1.0.0","status":"in-progress"}}`})
	do(testserver.Request{User: "amina.navigator", Method: "GET", Path: "/api/v1/clients/" + client + "/screenings", Purpose: "COC"})
	do(testserver.Request{User: "omar.navigator", Method: "GET", Path: "/api/v1/clients/" + client + "/screenings", Purpose: "COC"})
	do(testserver.Request{User: "f.rahimi", Method: "GET", Path: "/api/v1/clients/" + client + "/screenings", Purpose: "LEGALAID"})
	do(testserver.Request{User: "f.rahimi", Method: "GET", Path: "/api/v1/clients/" + x + "/screenings", Purpose: "LEGALAID"})
	// case
	cs := do(testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/cases", Purpose: "LEGALAID",
		Body: `{"client_id":"` + x + `","title":"Eviction defence","participants":[{"organization_id":"` + legal + `","staff_id":"` + rahimi + `","responsibility":"housing court"}]}`})
	id, _ := cs["id"].(string)
	do(testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/cases", Purpose: "COC",
		Body: `{"client_id":"` + x + `","title":"Eviction defence","participants":[{"organization_id":"` + srv.Login("t.reid").OrganizationID + `","staff_id":"` + srv.Login("t.reid").ID + `","responsibility":"housing court"}]}`})
	do(testserver.Request{User: "amina.navigator", Method: "GET", Path: "/api/v1/cases/" + id, Purpose: "HRESCH"})
	do(testserver.Request{User: "f.rahimi", Method: "GET", Path: "/api/v1/cases/" + id, Purpose: "TREAT"})
	do(testserver.Request{User: "f.rahimi", Method: "GET", Path: "/api/v1/cases/" + id, Purpose: "LEGALAID"})
	do(testserver.Request{User: "j.okafor", Method: "GET", Path: "/api/v1/cases/" + id, Purpose: "TREAT"})
	do(testserver.Request{User: "p.nowak", Method: "GET", Path: "/api/v1/cases/" + id, Purpose: "LEGALAID"})
	tk := do(testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/cases/" + id + "/tasks", Purpose: "LEGALAID", Body: `{"title":"Call","owner_id":"` + rahimi + `","due_at":"2026-11-25T10:00:00Z"}`})
	do(testserver.Request{User: "p.nowak", Method: "POST", Path: "/api/v1/tasks/" + tk["id"].(string) + "/status", Purpose: "COC", Body: `{"status":"cancelled"}`, Header: map[string]string{"If-Match": `"1"`}})
	do(testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/referrals", Purpose: "LEGALAID",
		Body: `{"client_id":"` + x + `","to_organization_id":"` + legal + `","purpose":"CURIOSITY","categories":["demographics"],"reason":"x"}`})
	do(testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/cases/" + id + "/goals", Purpose: "LEGALAID", Body: `{"text":"` + fmt.Sprintf("%0600d", 0) + `"}`, Header: map[string]string{"If-Match": `"1"`}})
	do(testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/cases/" + id + "/notes", Purpose: "LEGALAID", Body: `{"category":"social_needs","content":"Eviction notice received."}`})
	do(testserver.Request{User: "f.rahimi", Method: "POST", Path: "/api/v1/cases/" + id + "/notes", Purpose: "LEGALAID", Body: `{"category":"legal_privileged_note","content":"Privileged."}`})
	do(testserver.Request{User: "amina.navigator", Method: "GET", Path: "/api/v1/cases/" + id + "/notes", Purpose: "LEGALAID"})
	do(testserver.Request{User: "f.rahimi", Method: "GET", Path: "/api/v1/cases/" + id + "/notes", Purpose: "LEGALAID"})
	do(testserver.Request{User: "j.okafor", Method: "POST", Path: "/api/v1/clients/" + client + "/merge", Purpose: "COC", Body: `{"duplicate_id":"` + x + `"}`})
	do(testserver.Request{User: "amina.navigator", Method: "POST", Path: "/api/v1/clients/" + client + "/merge", Purpose: "COC", Body: `{"duplicate_id":"` + x + `"}`})
	do(testserver.Request{User: "l.chen", Method: "POST", Path: "/api/v1/clients/" + client + "/merge", Purpose: "COC", Body: `{"duplicate_id":"` + x + `"}`})
	do(testserver.Request{User: "omar.navigator", Method: "POST", Path: "/api/v1/clients/" + client + "/merge", Purpose: "COC", Body: `{"duplicate_id":"` + x + `"}`})
	do(testserver.Request{User: "t.reid", Method: "POST", Path: "/api/v1/clients/" + client + "/care-team", Purpose: "HLEGAL", Body: `{"staff_id":"` + x + `"}`})
	do(testserver.Request{User: "t.reid", Method: "GET", Path: "/api/v1/clients/" + client + "/cases", Purpose: "HLEGAL"})
}
