package http

import (
	"net/http"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/sqlstore"
)

// retentionJSON is what a purge would do now, as the caller may see it,
// and the last runs.
type retentionJSON struct {
	// Scope is the organisation whose part the caller sees, "" for all.
	Scope string                  `json:"scope"`
	Plan  *accord.RetentionPlan   `json:"plan"`
	Runs  []sqlstore.RetentionRun `json:"runs"`
}

// retentionPlan answers the retention dry run: ids, counts and reasons,
// no client data (recorded as an export).
func (s *Server) retentionPlan(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	rep, err := s.svc.RetentionReport(r.Context(), c)
	if err != nil {
		return err
	}
	plan := *rep.Plan
	plan.Due, plan.Held = nonNil(plan.Due), nonNil(plan.Held)
	out := retentionJSON{Scope: rep.Scope, Plan: &plan, Runs: nonNil(rep.Runs)}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// startRetentionPurge starts a purge run, which the servers' runners work,
// or answers the run still working (started false).
func (s *Server) startRetentionPurge(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	run, started, err := s.svc.StartRetentionPurge(r.Context(), c)
	if accord.ErrorCode(err) == accord.ECONFLICT {
		// Another run started at the same moment: answer that one.
		run, started, err = s.svc.StartRetentionPurge(r.Context(), c)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"run": run, "started": started})
	return nil
}
