package http

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/sqlstore"
)

// The oversight body's access anomaly alerts (/oversight/anomalies): the
// alerts waiting for review with their explanations, detection of a
// chosen day, one alert with its review form, and the thresholds.

func init() {
	registerNotices(map[string]string{
		"anomaly-reviewed":   "The review is recorded. It is final: a review cannot be changed.",
		"anomaly-detected":   "Detection ran for that day. Any new alerts are in the list; alerts found before are not repeated.",
		"anomaly-thresholds": "The thresholds are saved. They apply from the next detection.",
	})
}

// anomalyPages are the pages of this group.
func (s *Server) anomalyPages() []route {
	return []route{
		{"GET", "/oversight/anomalies", s.page(s.anomalyList)},
		{"POST", "/oversight/anomalies/detect", s.page(s.anomalyDetect)},
		{"GET", "/oversight/anomalies/thresholds", s.page(s.anomalyThresholds)},
		{"POST", "/oversight/anomalies/thresholds", s.page(s.anomalyThresholdsSubmit)},
		{"GET", "/oversight/anomalies/{id}", s.page(s.anomalyAlert)},
		{"POST", "/oversight/anomalies/{id}", s.page(s.anomalyReviewSubmit)},
	}
}

// anomalyRow is an alert as these pages show it.
type anomalyRow struct {
	accord.Anomaly
	RuleText, Explanation, Staff, Org, Reviewer string
	DecisionText, DecisionClass                 string
	DueAt                                       time.Time
	Overdue                                     bool
	Age                                         string
}

func anomalyRowOf(p *i18n.Printer, a accord.Anomaly, names map[string]string, now time.Time) anomalyRow {
	name := func(id string) string { return adminOrgName(names, id) }
	row := anomalyRow{Anomaly: a, RuleText: anomalyRuleText(p, a.Rule), Explanation: anomalyExplain(p, &a, names), Staff: name(a.StaffID),
		Org: name(a.OrganizationID), DueAt: a.ReviewDueAt(), Overdue: a.ReviewOverdue(now), Age: oversightAge(p, now.Sub(a.DetectedAt)),
		DecisionText: p.Sprintf(string(i18n.Status(string(a.ReviewStatus))))}
	switch a.ReviewStatus {
	case accord.ReviewJustified:
		row.DecisionClass = "ok"
	case accord.ReviewNotJustified:
		row.DecisionClass = "bad"
	default:
		row.DecisionClass = "warn"
	}
	if a.ReviewedBy != "" {
		row.Reviewer = name(a.ReviewedBy)
	}
	return row
}

// anomalyDenied explains the alert pages to someone who may not use them.
func (s *Server) anomalyDenied(w http.ResponseWriter, r *http.Request, c *enforce.Caller, err error) error {
	p := s.pagePrinter(r)
	return s.adminDenied(w, r, c, err,
		p.Sprintf("Access anomaly alerts point the oversight body to patterns in the audit log worth a second look: staff reading clients outside their caseload or in bulk, far more than usual or after hours, refused again and again, or breaking the glass often."),
		p.Sprintf("The oversight body's auditors and privacy officers. Nobody reviews an alert about themselves or a colleague of their own organisation."))
}

// The list.

type anomalyListData struct {
	Nav      []adminLink
	Waiting  []anomalyRow
	Reviewed []anomalyRow
	Overdue  int
	Runs     []anomalyRunRow
	Zone     string
}

type anomalyRunRow struct {
	Day      string
	Finished *time.Time
	Entries  int
	Alerts   int
}

// anomalyRecent is how many recent reviews the list shows.
const anomalyRecent = 20

func (s *Server) anomalyList(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	return s.anomalyListPage(w, r, c, nil, nil)
}

func (s *Server) anomalyListPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller, f *form, ferr error) error {
	q, err := s.svc.AnomalyAlerts(r.Context(), c, anomalyRecent)
	if accord.ErrorCode(err) == accord.EFORBIDDEN {
		return s.anomalyDenied(w, r, c, err)
	}
	if err != nil {
		return err
	}
	thr, _, err := s.svc.AnomalyThresholds(r.Context(), c)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "admin", "Access anomaly alerts", nil)
	now := s.now()
	d := &anomalyListData{Nav: adminNav(v.P, c, "/oversight/anomalies"), Zone: thr.TimeZone}
	for _, a := range q.Waiting {
		row := anomalyRowOf(v.P, a, q.Names, now)
		if row.Overdue {
			d.Overdue++
		}
		d.Waiting = append(d.Waiting, row)
	}
	for _, a := range q.Reviewed {
		d.Reviewed = append(d.Reviewed, anomalyRowOf(v.P, a, q.Names, now))
	}
	for _, run := range q.Runs {
		d.Runs = append(d.Runs, anomalyRunRow{Day: run.Day, Finished: run.FinishedAt, Entries: run.Entries, Alerts: run.Alerts})
	}
	if f == nil {
		f = newForm()
		f.Values.Set("day", now.In(thr.Location()).AddDate(0, 0, -1).Format(time.DateOnly))
	}
	v.Form, v.Data = f, d
	status := http.StatusOK
	if ferr != nil {
		status = adminFormStatus(ferr)
	}
	return s.adminRender(w, status, "oversight_anomalies", v)
}

func (s *Server) anomalyDetect(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		if _, err := s.svc.DetectAnomalies(r.Context(), c, strings.TrimSpace(f.Values.Get("day"))); err != nil {
			return "", err
		}
		return "/oversight/anomalies?notice=anomaly-detected", nil
	})
	if done {
		return nil
	}
	if accord.ErrorCode(err) == accord.EFORBIDDEN {
		return s.anomalyDenied(w, r, c, err)
	}
	if adminFailed(s.pagePrinter(r), f, err) {
		return s.anomalyListPage(w, r, c, f, err)
	}
	return err
}

// One alert and its review.

type anomalyAlertData struct {
	Nav       []adminLink
	Alert     anomalyRow
	CanReview bool
	Why       string
	Decisions []option
}

func (s *Server) anomalyAlert(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	return s.anomalyAlertPage(w, r, c, nil, nil)
}

func (s *Server) anomalyAlertPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller, f *form, ferr error) error {
	e, err := s.svc.AnomalyAlert(r.Context(), c, r.PathValue("id"))
	if accord.ErrorCode(err) == accord.EFORBIDDEN {
		return s.anomalyDenied(w, r, c, err)
	}
	if err != nil {
		return err
	}
	v := s.newView(r, c, "admin", i18n.M("Access anomaly alert").Format, nil)
	p := v.P
	d := &anomalyAlertData{Nav: adminNav(p, c, "/oversight/anomalies"), Alert: anomalyRowOf(p, e.Alert, e.Names, s.now()),
		CanReview: e.CanReview == nil && e.Alert.ReviewStatus == accord.ReviewPending}
	if e.CanReview != nil {
		d.Why = errorText(p, e.CanReview)
	}
	for _, x := range accord.ReviewDecisions {
		label := ""
		switch x {
		case accord.ReviewJustified:
			label = p.Sprintf("Justified: the access had a good reason that the work explains")
		case accord.ReviewNotJustified:
			label = p.Sprintf("Not justified: the access should not have happened")
		case accord.ReviewReferred:
			label = p.Sprintf("Referred on: it needs a fuller investigation, by the oversight body or another authority")
		}
		d.Decisions = append(d.Decisions, option{Value: string(x), Label: label})
	}
	if f == nil {
		f = newForm()
	}
	v.Form, v.Data = f, d
	status := http.StatusOK
	if ferr != nil {
		status = adminFormStatus(ferr)
	}
	return s.adminRender(w, status, "oversight_anomaly", v)
}

func (s *Server) anomalyReviewSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	id := r.PathValue("id")
	return s.reviewSubmit(w, r, c, func(rv accord.Review) error {
		_, err := s.svc.ReviewAnomaly(r.Context(), c, id, rv)
		return err
	}, "/oversight/anomalies/"+id+"?notice=anomaly-reviewed",
		func(err error) error { return s.anomalyDenied(w, r, c, err) },
		func(f *form, err error) error { return s.anomalyAlertPage(w, r, c, f, err) })
}

// The thresholds.

type anomalyThresholdsData struct {
	Nav      []adminLink
	Version  int
	Defaults bool // the oversight body has not set its own
	Fields   []anomalyField
}

type anomalyField struct {
	Name, Label, Hint string
}

// anomalyNumbers are the thresholds' number fields, in form order.
var anomalyNumbers = []string{"outside_caseload", "organization_bulk", "volume_factor", "volume_minimum", "baseline_days",
	"after_hours_from", "after_hours_to", "after_hours", "denials", "break_glass", "break_glass_days"}

func anomalyNumberPtrs(t *accord.AnomalyThresholds) map[string]*int {
	return map[string]*int{"outside_caseload": &t.OutsideCaseload, "organization_bulk": &t.OrganizationBulk, "volume_factor": &t.VolumeFactor,
		"volume_minimum": &t.VolumeMinimum, "baseline_days": &t.BaselineDays, "after_hours_from": &t.AfterHoursFrom, "after_hours_to": &t.AfterHoursTo,
		"after_hours": &t.AfterHours, "denials": &t.Denials, "break_glass": &t.BreakGlass, "break_glass_days": &t.BreakGlassDays}
}

func anomalyFields(p *i18n.Printer) []anomalyField {
	return []anomalyField{
		{"outside_caseload", p.Sprintf("Reads outside their caseload: clients in one day"), p.Sprintf("Clients read in one day with whom the staff member has no case, care team or referral.")},
		{"organization_bulk", p.Sprintf("Bulk reads: clients of one organisation in one day"), ""},
		{"volume_factor", p.Sprintf("Far more than usual: how many times their daily average"), p.Sprintf("Compared with the average of the days detected in the baseline period; at least 7 detected days are needed.")},
		{"volume_minimum", p.Sprintf("Far more than usual: at least this many clients"), ""},
		{"baseline_days", p.Sprintf("Baseline period in days"), ""},
		{"after_hours_from", p.Sprintf("After hours start at (hour, 0 to 23)"), ""},
		{"after_hours_to", p.Sprintf("After hours end at (hour, 0 to 23)"), ""},
		{"after_hours", p.Sprintf("After hours: clients in one day"), ""},
		{"denials", p.Sprintf("Repeated refusals: refused requests in one day"), ""},
		{"break_glass", p.Sprintf("Frequent break-glass: emergency accesses in the period"), ""},
		{"break_glass_days", p.Sprintf("Break-glass period in days"), ""},
		{"time_zone", p.Sprintf("The partnership's time zone"), p.Sprintf("Days and working hours are in it; a name such as Europe/Madrid or UTC.")},
	}
}

func (s *Server) anomalyThresholds(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	return s.anomalyThresholdsPage(w, r, c, nil, nil)
}

func (s *Server) anomalyThresholdsPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller, f *form, ferr error) error {
	t, version, err := s.svc.AnomalyThresholds(r.Context(), c)
	if accord.ErrorCode(err) == accord.EFORBIDDEN {
		return s.anomalyDenied(w, r, c, err)
	}
	if err != nil {
		return err
	}
	v := s.newView(r, c, "admin", "Anomaly thresholds", nil)
	if f == nil {
		f = newForm()
		for name, ptr := range anomalyNumberPtrs(&t) {
			f.Values.Set(name, strconv.Itoa(*ptr))
		}
		f.Values.Set("time_zone", t.TimeZone)
		f.Values.Set("version", strconv.Itoa(version))
	}
	v.Form, v.Data = f, &anomalyThresholdsData{Nav: adminNav(v.P, c, "/oversight/anomalies"), Version: version,
		Defaults: version == sqlstore.DefaultThresholdsVersion, Fields: anomalyFields(v.P)}
	status := http.StatusOK
	if ferr != nil {
		status = adminFormStatus(ferr)
	}
	return s.adminRender(w, status, "oversight_anomaly_thresholds", v)
}

func (s *Server) anomalyThresholdsSubmit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		var t accord.AnomalyThresholds
		for _, name := range anomalyNumbers {
			n, err := strconv.Atoi(strings.TrimSpace(f.Values.Get(name)))
			if err != nil {
				return "", accord.FieldErrorf(name, "must be a whole number")
			}
			*anomalyNumberPtrs(&t)[name] = n
		}
		t.TimeZone = strings.TrimSpace(f.Values.Get("time_zone"))
		version, err := strconv.Atoi(f.Values.Get("version"))
		if err != nil {
			return "", accord.FieldErrorf("version", "must be a whole number")
		}
		if err := s.svc.SetAnomalyThresholds(r.Context(), c, t, version); err != nil {
			return "", err
		}
		return "/oversight/anomalies?notice=anomaly-thresholds", nil
	})
	if done {
		return nil
	}
	if accord.ErrorCode(err) == accord.EFORBIDDEN {
		return s.anomalyDenied(w, r, c, err)
	}
	if adminFailed(s.pagePrinter(r), f, err) {
		return s.anomalyThresholdsPage(w, r, c, f, err)
	}
	return err
}
