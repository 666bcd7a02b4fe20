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

// anomalyThresholdsJSON is the thresholds in force and their version.
type anomalyThresholdsJSON struct {
	accord.AnomalyThresholds
	Version int `json:"version"`
}

// getAnomalyThresholds answers the thresholds in force, their version as
// the ETag (1: the defaults).
func (s *Server) getAnomalyThresholds(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	t, v, err := s.svc.AnomalyThresholds(r.Context(), c)
	if err != nil {
		return err
	}
	etag(w, v)
	writeJSON(w, http.StatusOK, anomalyThresholdsJSON{t, v})
	return nil
}

// anomalyThresholdsInput is a change of thresholds: each field given
// replaces the one in force.
type anomalyThresholdsInput struct {
	OutsideCaseload  *int    `json:"outside_caseload"`
	OrganizationBulk *int    `json:"organization_bulk"`
	VolumeFactor     *int    `json:"volume_factor"`
	VolumeMinimum    *int    `json:"volume_minimum"`
	BaselineDays     *int    `json:"baseline_days"`
	AfterHoursFrom   *int    `json:"after_hours_from"`
	AfterHoursTo     *int    `json:"after_hours_to"`
	AfterHours       *int    `json:"after_hours"`
	Denials          *int    `json:"denials"`
	BreakGlass       *int    `json:"break_glass"`
	BreakGlassDays   *int    `json:"break_glass_days"`
	TimeZone         *string `json:"time_zone"`
}

// apply returns t with the fields given in in.
func (in *anomalyThresholdsInput) apply(t accord.AnomalyThresholds) accord.AnomalyThresholds {
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	set(&t.OutsideCaseload, in.OutsideCaseload)
	set(&t.OrganizationBulk, in.OrganizationBulk)
	set(&t.VolumeFactor, in.VolumeFactor)
	set(&t.VolumeMinimum, in.VolumeMinimum)
	set(&t.BaselineDays, in.BaselineDays)
	set(&t.AfterHoursFrom, in.AfterHoursFrom)
	set(&t.AfterHoursTo, in.AfterHoursTo)
	set(&t.AfterHours, in.AfterHours)
	set(&t.Denials, in.Denials)
	set(&t.BreakGlass, in.BreakGlass)
	set(&t.BreakGlassDays, in.BreakGlassDays)
	if in.TimeZone != nil {
		t.TimeZone = *in.TimeZone
	}
	return t
}

// changeAnomalyThresholds changes the thresholds of the version named in
// If-Match: the fields given replace those in force, the others stay.
func (s *Server) changeAnomalyThresholds(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	was, have, err := s.svc.AnomalyThresholds(r.Context(), c) // who may: a 403 before anything about the request
	if err != nil {
		return err
	}
	v, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in anomalyThresholdsInput
	if err := decodeBody(r, &in); err != nil {
		return err
	}
	stale := accord.Errorf(accord.EPRECONDITION, "someone else changed the thresholds since you opened them; look at them again")
	if have != v {
		return stale
	}
	if t := in.apply(was); t != was { // else nothing to change: no new version, no audit entry
		err := s.svc.SetAnomalyThresholds(r.Context(), c, t, v)
		if accord.ErrorCode(err) == accord.ECONFLICT { // changed since read above
			return stale
		}
		if err != nil {
			return err
		}
	}
	return s.getAnomalyThresholds(w, r, c)
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
