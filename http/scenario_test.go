package http_test

import (
	"net/http"
	"testing"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/internal/testdb"
	"github.com/accord-project/accord/internal/testserver"
)

// TestDemoScenarios runs every scenario of the demo partnership, call by
// call, against a real server and database, and checks each answer is the
// decision the scenario promises — the same walk-throughs a newcomer pastes
// from `accord demo`.
func TestDemoScenarios(t *testing.T) {
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			srv := testserver.Start(t, e.DSN(t))
			for _, sc := range srv.P.Scenarios {
				t.Run(sc.ID, func(t *testing.T) {
					for i, c := range sc.Calls {
						resp := srv.Do(t, testserver.Request{User: c.Username, Method: c.Method, Path: c.Path, Purpose: c.Purpose, Body: c.Body})
						got := outcome(t, resp, c.Path, c.Category, c.HolderID)
						want := c.Want.Effect + "/" + string(c.Want.Reason)
						if c.Want.Effect == "" {
							want = "ok"
						}
						if got != want {
							t.Errorf("call %d (%s %s as %s for %s): got %s, want %s\n%s", i, c.Method, c.Path, c.Username, c.Purpose, got, want, resp.Body)
						}
					}
				})
			}
		})
	}
}

type disclosure struct {
	Category string `json:"category"`
	HolderID string `json:"holder_id"`
	Reason   string `json:"reason"`
}

// outcome reads the decision an API response carries about one category
// held by one organisation: "permit/<reason>" or "deny/<reason>" where the
// response says, else "ok" for a 2xx.
func outcome(t *testing.T, resp *testserver.Response, path string, cat accord.Category, holder string) string {
	t.Helper()
	var body struct {
		Error *struct {
			Code     string `json:"code"`
			Decision *struct {
				Effect string `json:"effect"`
				Reason string `json:"reason"`
			} `json:"decision"`
		} `json:"error"`
		Effect   string       `json:"effect"`
		Reason   string       `json:"reason"`
		Withheld []disclosure `json:"withheld"`
		Shared   []disclosure `json:"shared"`
	}
	resp.JSON(t, &body)
	switch {
	case body.Error != nil && body.Error.Decision != nil:
		return body.Error.Decision.Effect + "/" + body.Error.Decision.Reason
	case body.Error != nil:
		return "error " + body.Error.Code
	case body.Effect != "":
		return body.Effect + "/" + body.Reason
	case cat != "":
		for _, w := range body.Withheld {
			if w.Category == string(cat) && w.HolderID == holder {
				return "deny/" + w.Reason
			}
		}
		for _, s := range body.Shared {
			if s.Category == string(cat) && s.HolderID == holder {
				return "permit/" + s.Reason
			}
		}
		return "nothing about " + string(cat)
	case resp.Status/100 == 2:
		return "ok"
	}
	return http.StatusText(resp.Status)
}

// TestCourtOrderBindsItsHolder: a court order served on legal aid opens
// legal aid's data to the police, never the clinic's — an organisation
// cannot open another's records to enforcement.
func TestCourtOrderBindsItsHolder(t *testing.T) {
	srv := testserver.Start(t, testdb.SQLite(t))
	var x string
	for _, sc := range srv.P.Scenarios {
		if sc.ID == "advocate-reads-clinical-summary" {
			x = sc.ClientID
		}
	}
	police := srv.Login("t.reid").OrganizationID
	body := `{"kind":"court_order","client_id":"` + x + `","categories":["clinical_summary","legal_matter"],"recipient_organization_id":"` + police +
		`","reference":"T20260001","issuer":"Riverside Crown Court","reason":"production order","expires_at":"2027-01-01T00:00:00Z"}`
	resp := srv.Do(t, testserver.Request{User: "k.patel", Method: "POST", Path: "/api/v1/legal-bases", Body: body})
	if resp.Status != 201 {
		t.Fatalf("recording the order: %d %s", resp.Status, resp.Body)
	}
	var b struct {
		Holder string `json:"holder_organization_id"`
	}
	resp.JSON(t, &b)
	if b.Holder != srv.Login("k.patel").OrganizationID {
		t.Errorf("the order binds %q, want legal aid", b.Holder)
	}
	resp = srv.Do(t, testserver.Request{User: "t.reid", Method: "GET", Path: "/api/v1/clients/" + x + "/records?category=clinical_summary", Purpose: "HLEGAL"})
	if got := outcome(t, resp, "/records", "clinical_summary", ""); got != "deny/firewall" {
		t.Errorf("police read of the clinic's clinical summary under legal aid's order: %s\n%s", got, resp.Body)
	}
}
