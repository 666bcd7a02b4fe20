package http_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/internal/testserver"
	"github.com/accord-project/accord/sqlstore"
)

// retentionCalls are the conformance calls of retention: the dry run, as
// the whole partnership and as one organisation's part, and starting a
// purge run once (a second start answers the run still working: no runner
// works it in the tests).
func retentionCalls(srv *testserver.Server) []apiCall {
	const (
		forbidden        = accord.EFORBIDDEN
		opPlan, opPurge  = "GET /api/v1/retention", "POST /api/v1/retention/purge"
		planPath, purge  = "/api/v1/retention", "/api/v1/retention/purge"
		clinic, partners = "Riverside Community Health Centre", ""
	)
	clinicID := ""
	for _, o := range srv.P.Organizations {
		if o.Name == clinic {
			clinicID = o.ID
		}
	}
	plan := func(scope string) func(t *testing.T, a *answer) {
		return func(t *testing.T, a *answer) {
			if a.field("scope") != scope {
				t.Errorf("scope %v, want %q", a.field("scope"), scope)
			}
			due, held := list(a.field("plan.due")), list(a.field("plan.held"))
			if len(due) == 0 || scope == partners && len(held) == 0 {
				t.Errorf("the demo's clients past retention are not due and held:\n%s", a.Body)
			}
			for _, it := range append(due, held...) {
				if org := obj(it)["organization_id"]; scope != partners && org != scope {
					t.Errorf("%s's privacy officer sees an item of %v", clinic, org)
				}
			}
		}
	}
	// The demo's three clients past retention (accord demo seeds them).
	seed := func(t *testing.T) {
		err := srv.DB.Import(t.Context(), accord.Actor{StaffID: "system"}, "demo.retention", func(im *sqlstore.Importer) error {
			ok, err := srv.P.LoadRetention(im, testserver.Now)
			if err == nil && !ok {
				err = errors.New("the demo partnership has not the staff LoadRetention needs")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return []apiCall{
		{op: opPlan, path: planPath, user: "r.mensah", before: seed, want: 200, check: plan(partners)},
		{op: opPlan, note: "the oversight body", path: planPath, user: "c.achebe", want: 200, check: plan(partners)},
		{op: opPlan, note: "the clinic's privacy officer", path: planPath, user: "p.nowak", want: 200, check: plan(clinicID)},
		{op: opPlan, note: "a clinician", path: planPath, user: "j.okafor", want: 403, code: forbidden},
		{op: opPlan, note: "the immigration authority's privacy officer", path: planPath, user: "n.price", want: 403, code: forbidden},

		{op: opPurge, note: "the partnership administrator", path: purge, user: "r.mensah", want: 403, code: forbidden},
		{op: opPurge, note: "the immigration authority's privacy officer", path: purge, user: "n.price", want: 403, code: forbidden},
		{op: opPurge, path: purge, user: "p.nowak", want: 202, save: map[string]string{"retentionRun": "run.id"}, check: func(t *testing.T, a *answer) {
			if a.field("started") != true || a.field("run.status") != "running" || a.field("run.started_by") != a.vars["id:p.nowak"] {
				t.Errorf("a run started by the privacy officer:\n%s", a.Body)
			}
		}},
		{op: opPurge, note: "a run is working", path: purge, user: "i.larsen", want: 202, check: func(t *testing.T, a *answer) {
			if a.field("started") != false || a.field("run.id") != a.vars["retentionRun"] {
				t.Errorf("a second start, want the run already working (%s):\n%s", a.vars["retentionRun"], a.Body)
			}
		}},
		{op: opPlan, note: "with the run", path: planPath, user: "r.mensah", want: 200, check: func(t *testing.T, a *answer) {
			runs := list(a.field("runs"))
			if len(runs) == 0 || fmt.Sprint(obj(runs[0])["id"]) != a.vars["retentionRun"] {
				t.Errorf("the run is not listed first:\n%s", a.Body)
			}
		}},
	}
}
