package http

import (
	"fmt"
	"net/http"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
)

// Access anomaly alerts over the JSON API: the alerts waiting for the
// oversight body's review, detection of a chosen day, and the review. The
// pages are in web_anomaly.go. Each alert carries its plain-language
// explanation in the language the request asks for; it names no one (the
// staff member is an id).

// anomalyJSON is one alert.
type anomalyJSON struct {
	accord.Anomaly
	ReviewDueAt time.Time `json:"review_due_at"`
	Overdue     bool      `json:"overdue"`
	Explanation string    `json:"explanation"`
}

func (s *Server) anomalyJSON(p *i18n.Printer, a accord.Anomaly, names map[string]string) anomalyJSON {
	return anomalyJSON{Anomaly: a, ReviewDueAt: a.ReviewDueAt(), Overdue: a.ReviewOverdue(s.now()), Explanation: anomalyExplain(p, &a, names)}
}

func (s *Server) anomalyQueue(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	q, err := s.svc.AnomalyAlerts(r.Context(), c, 0)
	if err != nil {
		return err
	}
	p := s.printer(r)
	items := []anomalyJSON{}
	for _, a := range q.Waiting {
		items = append(items, s.anomalyJSON(p, a, q.Names))
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": items})
	return nil
}

type anomalyDetectInput struct {
	Day string `json:"day"`
}

func (s *Server) detectAnomalies(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	var in anomalyDetectInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	d, err := s.svc.DetectAnomalies(r.Context(), c, in.Day)
	if err != nil {
		return err
	}
	p := s.printer(r)
	added := []anomalyJSON{}
	for _, a := range d.Added {
		added = append(added, s.anomalyJSON(p, a, nil))
	}
	writeJSON(w, http.StatusOK, map[string]any{"day": d.Run.Day, "window_start": d.Run.WindowStart, "window_end": d.Run.WindowEnd,
		"entries": d.Run.Entries, "added": added})
	return nil
}

func (s *Server) reviewAnomaly(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	var in reviewInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	a, err := s.svc.ReviewAnomaly(r.Context(), c, r.PathValue("id"), accord.Review{Decision: in.Decision, Reasoning: in.Reasoning})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.anomalyJSON(s.printer(r), *a, nil))
	return nil
}

// anomalyHour writes an hour of the day as 22:00.
func anomalyHour(h int) string { return fmt.Sprintf("%02d:00", h) }

// anomalyExplain says in plain words what an alert measured, beside its
// threshold and the person's usual. names (may be nil) names the holding
// organisation.
func anomalyExplain(p *i18n.Printer, a *accord.Anomaly, names map[string]string) string {
	switch a.Rule {
	case accord.AnomalyOutsideCaseload:
		return p.Sprintf("Clients read with whom they have no case, care team or referral: %[1]d (threshold %[2]d).", a.Value, a.Threshold)
	case accord.AnomalyOrganizationBulk:
		holder := a.HolderID
		if n := names[a.HolderID]; n != "" {
			holder = n
		}
		return p.Sprintf("Clients of %[1]s read in the day: %[2]d (threshold %[3]d).", holder, a.Value, a.Threshold)
	case accord.AnomalyVolume:
		return p.Sprintf("Clients read in the day: %[1]d; their usual: %[2]s a day, the average of the days detected before (threshold %[3]d).", a.Value, p.Sprintf("%.1f", a.Baseline), a.Threshold)
	case accord.AnomalyAfterHours:
		if a.BaselineDays == 0 {
			return p.Sprintf("Clients read between %[1]s and %[2]s: %[3]d (threshold %[4]d).", anomalyHour(a.AfterHoursFrom), anomalyHour(a.AfterHoursTo), a.Value, a.Threshold)
		}
		return p.Sprintf("Clients read between %[1]s and %[2]s: %[3]d; their usual: %[4]s a night (threshold %[5]d).",
			anomalyHour(a.AfterHoursFrom), anomalyHour(a.AfterHoursTo), a.Value, p.Sprintf("%.1f", a.Baseline), a.Threshold)
	case accord.AnomalyDenials:
		return p.Sprintf("Requests refused in the day: %[1]d (threshold %[2]d).", a.Value, a.Threshold)
	case accord.AnomalyBreakGlass:
		return p.Sprintf("Emergency (break-glass) accesses in the period ending that day: %[1]d; period in days: %[2]d (threshold %[3]d).", a.Value, a.Period, a.Threshold)
	}
	return ""
}

// anomalyRuleText names a rule.
func anomalyRuleText(p *i18n.Printer, r accord.AnomalyRule) string {
	switch r {
	case accord.AnomalyOutsideCaseload:
		return p.Sprintf("Reads outside their caseload")
	case accord.AnomalyOrganizationBulk:
		return p.Sprintf("Bulk reads of one organisation's clients")
	case accord.AnomalyVolume:
		return p.Sprintf("Far more reads than usual")
	case accord.AnomalyAfterHours:
		return p.Sprintf("Bulk reads after hours")
	case accord.AnomalyDenials:
		return p.Sprintf("Repeated refusals")
	case accord.AnomalyBreakGlass:
		return p.Sprintf("Frequent break-glass access")
	}
	return string(r)
}
