package http

import (
	"bytes"
	"cmp"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
	"github.com/accord-project/accord/i18n"
	"github.com/accord-project/accord/indicator"
)

// Indicators in the web interface: the partners' dashboard (live figures,
// internal), action plans for indicators below target, the preview and
// publication of a quarter's protected release, and the public
// transparency report (no sign-in) with its CSV.

func init() {
	registerNotices(map[string]string{
		"plan-saved":       "The action plan is saved.",
		"report-published": "The report is published. It is public now, and it cannot be changed.",
	})
}

// indicatorPages are the pages of this group.
func (s *Server) indicatorPages() []route {
	return []route{
		{"GET", "/indicators", s.page(s.indicatorDashboard)},
		{"GET", "/indicators/plans/new", s.page(s.indicatorPlanNew)},
		{"POST", "/indicators/plans/new", s.page(s.indicatorPlanCreate)},
		{"GET", "/indicators/plans/{id}", s.page(s.indicatorPlanEdit)},
		{"POST", "/indicators/plans/{id}", s.page(s.indicatorPlanUpdate)},
		{"GET", "/indicators/publish", s.page(s.indicatorPublishPage)},
		{"POST", "/indicators/publish", s.page(s.indicatorPublish)},
		{"GET", "/report", s.publicPage(s.reportList)},
		{"GET", "/report/{period}", s.publicPage(s.reportPage)},
	}
}

// suppressedSymbol stands for a suppressed figure in the public report,
// explained in its legend: never a number, never 0.
const suppressedSymbol = "✱"

// ---- Labels ----

func periodLabel(p *i18n.Printer, q accord.Period) string {
	// The year is text: a number would be grouped ("2,026").
	return p.Sprintf("Q%[1]d %[2]s", q.Quarter, strconv.Itoa(q.Year))
}

func indicatorTitle(p *i18n.Printer, d accord.Indicator) string { return p.Sprintf(d.Title) }

// indicatorWhat says in plain words what an indicator counts.
func indicatorWhat(p *i18n.Printer, d accord.Indicator) string {
	switch d.ID {
	case "days_to_first_legal_contact":
		return p.Sprintf("For people registered in the quarter who have since had a first contact with a legal adviser: the median number of days from registration to that contact.")
	case "referral_completion":
		return p.Sprintf("Of the referrals sent in the quarter, the share the receiving organisation has completed.")
	case "referral_days_to_acceptance":
		return p.Sprintf("For referrals sent in the quarter and accepted: the median number of days from sending to acceptance.")
	case "escalations_acknowledged_in_time":
		return p.Sprintf("Of the urgent escalations raised in the quarter, the share acknowledged within the time the organisations agreed.")
	case "grievances_resolved_in_time":
		return p.Sprintf("Of the complaints received in the quarter, the share answered by their deadline.")
	case "grievance_days_to_resolution":
		return p.Sprintf("For complaints received in the quarter and answered: the median number of days to the answer.")
	case "disclosures_with_consent":
		return p.Sprintf("Of the times a person's information was shared with another organisation in the quarter, the share backed by the person's documented consent. The target is every time; other sharing happens only under a court order, a legal duty or an emergency, and is reviewed.")
	case "break_glass_reviewed":
		return p.Sprintf("Of the emergency accesses to a person's information in the quarter, the share the independent oversight body has reviewed.")
	case "interpreter_provided":
		return p.Sprintf("Of the people registered in the quarter who need an interpreter, the share who had one.")
	case "treatment_delay_days":
		return p.Sprintf("For cases opened in the quarter where treatment has started: the median number of days from opening the case to the start of treatment.")
	case "needs_resolved_on_rescreening":
		return p.Sprintf("Of the needs found at a screening and looked at again at the person's next screening in the quarter, the share that were resolved.")
	}
	if d.Measure == accord.MeasureRate {
		return p.Sprintf("A share: how many of the units counted in the quarter met the indicator.")
	}
	return p.Sprintf("A median number of days, over the units counted in the quarter.")
}

func dimensionLabel(p *i18n.Printer, dim string) string {
	switch dim {
	case "age_band":
		return p.Sprintf("Age")
	case "gender":
		return p.Sprintf("Gender")
	case "language":
		return p.Sprintf("Preferred language")
	case "interpreter":
		return p.Sprintf("Interpreter need")
	case "disability":
		return p.Sprintf("Disability")
	case "geography":
		return p.Sprintf("Area")
	case "organization":
		return p.Sprintf("Organisation")
	}
	return dim
}

// dimNames names the values of the dimensions that hold ids or codes:
// organisations and areas, by dimension.
type dimNames map[string]map[string]string

// groupLabel names one value of a dimension in the reader's language;
// long is the label of tables (a language with its own name too).
func groupLabel(p *i18n.Printer, dim, v string, names dimNames, long bool) string {
	if v == accord.NotRecorded || v == "" {
		return p.Sprintf("Not recorded")
	}
	switch dim {
	case "age_band":
		switch v {
		case "0-17":
			return p.Sprintf("Under 18")
		case "18-24":
			return p.Sprintf("18 to 24")
		case "25-34":
			return p.Sprintf("25 to 34")
		case "35-49":
			return p.Sprintf("35 to 49")
		case "50-64":
			return p.Sprintf("50 to 64")
		case "65+":
			return p.Sprintf("65 and over")
		}
	case "gender":
		switch accord.Gender(v) {
		case accord.GenderWoman:
			return p.Sprintf("Women")
		case accord.GenderMan:
			return p.Sprintf("Men")
		case accord.GenderNonBinary:
			return p.Sprintf("Non-binary people")
		case accord.GenderSelfDescribed:
			return p.Sprintf("Gender in their own words")
		case accord.GenderNotStated:
			return p.Sprintf("Gender not stated")
		}
	case "language":
		if long {
			return clientLanguageName(p, v)
		}
		if t, err := language.Parse(v); err == nil {
			if name := display.Tags(p.Tag).Name(t); name != "" {
				return name
			}
		}
	case "interpreter":
		switch v {
		case "needed":
			return p.Sprintf("Needs an interpreter")
		case "not_needed":
			return p.Sprintf("No interpreter needed")
		}
	case "disability":
		switch v {
		case "yes":
			return p.Sprintf("Disability reported")
		case "no":
			return p.Sprintf("No disability reported")
		}
	case "organization":
		// Organisation names are proper names, shown as the partnership
		// recorded them (as on every other page).
		if name, ok := names["organization"][v]; ok {
			return name
		}
		return p.Sprintf("An organisation no longer in the partnership")
	case "geography":
		// Area names are proper names too.
		if name, ok := names["geography"][v]; ok {
			return name
		}
	}
	return v
}

func rateText(p *i18n.Printer, v float64) string { return p.Sprintf("%.1f%%", 100*v) }
func daysText(p *i18n.Printer, v float64) string { return p.Sprintf("%.1f days", v) }

func valueText(p *i18n.Printer, measure string, v float64) string {
	if measure == accord.MeasureRate {
		return rateText(p, v)
	}
	return daysText(p, v)
}

func targetText(p *i18n.Printer, measure, direction string, target float64) string {
	switch {
	case measure == accord.MeasureRate && direction == accord.DirectionHigher && target >= 1:
		return p.Sprintf("%.0f%%", 100*target) // every one
	case measure == accord.MeasureRate && direction == accord.DirectionHigher:
		return p.Sprintf("%.0f%% or more", 100*target)
	case measure == accord.MeasureRate:
		return p.Sprintf("%.0f%% or less", 100*target)
	case direction == accord.DirectionLower:
		return p.Sprintf("%.0f days or fewer", target)
	}
	return p.Sprintf("%.0f days or more", target)
}

// targetShort is a target in few characters, for charts: "≥ 70%",
// "≤ 14 days".
func targetShort(p *i18n.Printer, measure, direction string, target float64) string {
	v := p.Sprintf("%.0f%%", 100*target)
	if measure != accord.MeasureRate {
		v = p.Sprintf("%.0f days", target)
	}
	switch {
	case measure == accord.MeasureRate && direction == accord.DirectionHigher && target >= 1:
		return v
	case direction == accord.DirectionHigher:
		return p.Sprintf("≥ %s", v)
	}
	return p.Sprintf("≤ %s", v)
}

func gapText(p *i18n.Printer, measure string, gap float64) string {
	if measure == accord.MeasureRate {
		return p.Sprintf("%+.1f points", 100*gap)
	}
	return p.Sprintf("%+.1f days", gap)
}

// comparedText says how a group compares with the overall figure, in
// words (never by colour alone).
func comparedText(p *i18n.Printer, gap float64, worse bool) string {
	switch {
	case worse:
		return p.Sprintf("worse")
	case gap > 1e-9 || gap < -1e-9:
		return p.Sprintf("better")
	}
	return p.Sprintf("the same")
}

func countText(p *i18n.Printer, n int64) string { return p.Sprintf("%d", n) }

func countsText(p *i18n.Printer, measure string, f indicator.Figure) string {
	if measure == accord.MeasureRate {
		return p.Sprintf("%[1]d of %[2]d", f.Num, f.Den)
	}
	return p.Sprintf("%d measured", f.Den)
}

func planStatusLabel(p *i18n.Printer, st string) string { return p.Sprintf(string(i18n.Status(st))) }

// ---- The dashboard ----

type indicatorDashData struct {
	PeriodOptions, DimensionOptions []option
	Period, PeriodLabel             string
	Ended                           bool
	Published                       string // the date the period's release was published
	CanPlan, CanPublish             bool
	Indicators                      []dashIndicator
	Failed                          bool // the period could not be shown
}

type dashIndicator struct {
	ID, Title, What, Target string
	Value                   string // the period's value, "" without data
	Below, Met              bool
	Trend                   *svgChart
	TrendRows               []dashTrendRow
	DimLabel, DimNote       string
	Groups                  *svgChart
	GroupRows               []dashGroupRow
	Overall                 string
	Plan                    *planView
	PlanLink                string // where to record or change the plan; "" when the caller may not
}

type dashTrendRow struct {
	Period, Value, Counts, Status string
	Current                       bool
}

type dashGroupRow struct {
	Group, Value, Counts, Gap, Compared string
	Worse                               bool
}

// planView is an action plan as pages show it.
type planView struct {
	ID, IndicatorID, Indicator  string
	Owner, Actions, Progress    string
	Deadline, Status, UpdatedOn string
	Late                        bool // the deadline passed and it is not done
	Edit                        string
}

func (s *Server) planView(p *i18n.Printer, c *enforce.Caller, a *accord.ActionPlan, title string) *planView {
	if a == nil {
		return nil
	}
	pv := &planView{ID: a.ID, IndicatorID: a.IndicatorID, Indicator: title, Owner: a.Owner, Actions: a.Actions, Progress: a.Progress,
		Deadline: p.Date(a.Deadline), Status: planStatusLabel(p, a.Status), UpdatedOn: p.Date(a.UpdatedAt),
		Late: a.Status != "done" && s.now().After(a.Deadline)}
	if c != nil && c.MayRecordActionPlans() {
		pv.Edit = "/indicators/plans/" + a.ID
	}
	return pv
}

// periodOptions are the quarters a picker offers: the current one and the
// seven before it, newest first.
func periodOptions(p *i18n.Printer, now time.Time) []option {
	var out []option
	q := accord.PeriodOf(now)
	for range 8 {
		out = append(out, option{Value: q.String(), Label: periodLabel(p, q)})
		q = q.Prev()
	}
	return out
}

func dimensionOptions(p *i18n.Printer) []option {
	var out []option
	for _, d := range accord.IndicatorDimensions {
		out = append(out, option{Value: d, Label: dimensionLabel(p, d)})
	}
	return out
}

// lastFullQuarter is the quarter before the current one.
func lastFullQuarter(now time.Time) accord.Period { return accord.PeriodOf(now).Prev() }

// indicatorsDenied is the page for staff who may not see the indicators.
func (s *Server) indicatorsDenied(w http.ResponseWriter, r *http.Request, c *enforce.Caller, err error) error {
	p := s.pagePrinter(r)
	return s.adminDenied(w, r, c, err,
		p.Sprintf("The indicators show how well the partnership serves people: how fast, how fairly, and for whom it works less well."),
		p.Sprintf("Staff of the partner organisations see them. Partnership administrators and supervisors record action plans; the partnership administrator or the oversight body publishes the quarter's report. Staff of an immigration authority or a law enforcement body do not see them."))
}

func (s *Server) indicatorDashboard(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	v := s.newView(r, c, "indicators", "Indicators", nil)
	p := v.P
	q := r.URL.Query()
	f := &form{Values: q, Errors: map[string]string{}}
	v.Form = f
	if !slices.Contains(accord.IndicatorDimensions[:], q.Get("dimension")) {
		q.Set("dimension", "language")
	}
	dim := q.Get("dimension")
	period := lastFullQuarter(s.now())
	status := http.StatusOK
	if ps := q.Get("period"); ps != "" {
		if pp, err := accord.ParsePeriod(ps); err != nil {
			f.fail(p, err)
			status = http.StatusUnprocessableEntity
		} else {
			period = pp
		}
	} else {
		q.Set("period", period.String())
	}
	d := &indicatorDashData{Period: period.String(), CanPlan: c.MayRecordActionPlans(), CanPublish: c.MayPublishIndicators(),
		PeriodOptions: periodOptions(p, s.now()), DimensionOptions: dimensionOptions(p)}
	v.Data = d
	if status == http.StatusOK {
		dash, err := s.svc.Dashboard(r.Context(), c, period)
		switch {
		case accord.ErrorCode(err) == accord.EFORBIDDEN:
			return s.indicatorsDenied(w, r, c, err)
		case err != nil && f.fail(p, err):
			status = formStatus(err)
		case err != nil:
			return err
		default:
			s.fillDashboard(p, c, d, dash, dim, i18n.Dir(p.Tag) == "rtl")
		}
	}
	d.PeriodLabel = periodLabel(p, period)
	d.Failed = status != http.StatusOK
	return s.render(w, status, "indicator_dashboard", v)
}

func (s *Server) fillDashboard(p *i18n.Printer, c *enforce.Caller, d *indicatorDashData, dash *enforce.Dashboard, dim string, rtl bool) {
	d.Ended = dash.Ended
	if dash.Published != nil {
		d.Published = p.Date(dash.Published.PublishedAt)
	}
	noData := p.Sprintf("no data")
	for i := range dash.Indicators {
		di := &dash.Indicators[i]
		def := di.Indicator
		cur := di.Current()
		title := indicatorTitle(p, def)
		target := targetText(p, def.Measure, def.Direction, def.Target)
		short := targetShort(p, def.Measure, def.Direction, def.Target)
		row := dashIndicator{ID: def.ID, Title: title, What: indicatorWhat(p, def), Target: target, Below: di.Below(), Met: cur.Overall.Has && cur.Met,
			Plan: s.planView(p, c, di.Plan, title)}
		if cur.Overall.Has {
			row.Value = valueText(p, def.Measure, cur.Overall.Value)
		}
		if d.CanPlan {
			if di.Plan != nil {
				row.PlanLink = "/indicators/plans/" + di.Plan.ID
			} else {
				row.PlanLink = "/indicators/plans/new?indicator=" + def.ID + "&period=" + dash.Period.String()
			}
		}
		// The trend.
		var vals, descs []string
		var bars []chartValue
		top := def.Target
		for j, res := range di.Trend {
			label := periodLabel(p, res.Period)
			tr := dashTrendRow{Period: label, Current: j == len(di.Trend)-1}
			cv := chartValue{Label: label, Has: res.Overall.Has, Class: "past"}
			if tr.Current {
				cv.Class = "current"
			}
			if res.Overall.Has {
				tr.Value = valueText(p, def.Measure, res.Overall.Value)
				tr.Counts = countsText(p, def.Measure, res.Overall)
				if res.Met {
					tr.Status = p.Sprintf("meets the target")
				} else {
					tr.Status = p.Sprintf("below target")
				}
				cv.Value, cv.Text = res.Overall.Value, tr.Value
				top = max(top, res.Overall.Value)
				descs = append(descs, p.Sprintf("%[1]s: %[2]s", label, tr.Value))
			} else {
				tr.Value, tr.Status = noData, p.Sprintf("no data")
				descs = append(descs, p.Sprintf("%[1]s: %[2]s", label, noData))
			}
			vals = append(vals, tr.Value)
			bars = append(bars, cv)
			row.TrendRows = append(row.TrendRows, tr)
		}
		sc := s.scale(p, def.Measure, top)
		row.Trend = trendChart("chart-"+def.ID+"-trend", p.Sprintf("%[1]s, the last %[2]d quarters", title, len(di.Trend)),
			p.Sprintf("%[1]s. Target: %[2]s.", strings.Join(descs, p.Sprintf("; ")), target), rtl, bars, sc,
			refLine{Value: def.Target, Text: p.Sprintf("Target"), Sub: short, Class: "target"}, noData)
		row.Trend.Legend = []string{p.Sprintf("Each bar is a quarter's value, written above it; the dashed line is the target.")}
		// The groups of the chosen dimension, or of the indicator's first.
		k := slices.IndexFunc(cur.Breakdown, func(b indicator.Breakdown) bool { return b.Dimension == dim })
		if k < 0 && len(cur.Breakdown) > 0 {
			k = 0
			row.DimNote = p.Sprintf("This indicator is not broken down by %[1]s; it is shown by %[2]s.", strings.ToLower(dimensionLabel(p, dim)),
				strings.ToLower(dimensionLabel(p, cur.Breakdown[0].Dimension)))
		}
		if k >= 0 && cur.Overall.Has {
			bd := cur.Breakdown[k]
			row.DimLabel = dimensionLabel(p, bd.Dimension)
			row.Overall = valueText(p, def.Measure, cur.Overall.Value)
			var gbars []chartValue
			var gdesc []string
			gtop := max(def.Target, cur.Overall.Value)
			for _, g := range bd.Groups {
				gr := dashGroupRow{Group: groupLabel(p, bd.Dimension, g.Name, dimNames{"organization": dash.Organizations, "geography": dash.Areas}, true), Counts: countsText(p, def.Measure, g.Figure), Worse: g.Worse}
				cv := chartValue{Label: groupLabel(p, bd.Dimension, g.Name, dimNames{"organization": dash.Organizations, "geography": dash.Areas}, false), Has: g.Has}
				if g.Has {
					gr.Value = valueText(p, def.Measure, g.Value)
					gr.Gap = gapText(p, def.Measure, g.Gap)
					gr.Compared = comparedText(p, g.Gap, g.Worse)
					cv.Value, cv.Text = g.Value, gr.Value
					if g.Worse {
						cv.Text, cv.Class = p.Sprintf("%s ▼", gr.Value), "worse"
					}
					gtop = max(gtop, g.Value)
					gdesc = append(gdesc, p.Sprintf("%[1]s: %[2]s (%[3]s)", gr.Group, gr.Value, gr.Compared))
				} else {
					gr.Value = noData
				}
				gbars = append(gbars, cv)
				row.GroupRows = append(row.GroupRows, gr)
			}
			if len(gbars) > 0 {
				row.Groups = groupChart("chart-"+def.ID+"-groups", p.Sprintf("%[1]s by %[2]s, %[3]s", title, strings.ToLower(row.DimLabel), periodLabel(p, dash.Period)),
					p.Sprintf("%[1]s. Everyone: %[2]s. Target: %[3]s.", strings.Join(gdesc, p.Sprintf("; ")), row.Overall, target), rtl, gbars, s.scale(p, def.Measure, gtop),
					refLine{Value: cur.Overall.Value, Text: p.Sprintf("Everyone: %s", row.Overall), Class: "overall"},
					refLine{Value: def.Target, Text: p.Sprintf("Target: %s", short), Class: "target"}, noData)
				row.Groups.Legend = []string{p.Sprintf("Each bar is a group's value, written beside it; ▼ marks a group doing worse than everyone together. The dotted line is the value for everyone, the dashed line the target.")}
			}
		}
		d.Indicators = append(d.Indicators, row)
	}
}

func (s *Server) scale(p *i18n.Printer, measure string, top float64) chartScale {
	if measure == accord.MeasureRate {
		return rateScale(func(v float64) string { return p.Sprintf("%.0f%%", 100*v) })
	}
	return daysScale(top, func(v float64) string { return p.Sprintf("%.0f", v) })
}

// ---- Action plans ----

type planFormData struct {
	Action              string
	Indicator, Target   string
	Period, PeriodLabel string
	Value               string // the indicator's value in the period, when known
	Statuses            []option
	Editing             bool
	Stale               bool
	Back                string
}

// plansDenied is the page for staff who may not record action plans.
func (s *Server) plansDenied(w http.ResponseWriter, r *http.Request, c *enforce.Caller, err error) error {
	p := s.pagePrinter(r)
	return s.adminDenied(w, r, c, err,
		p.Sprintf("An action plan is what the partnership commits to when an indicator misses its target: who owns it, what they will do, and by when. The public report shows it and its progress."),
		p.Sprintf("Partnership administrators and supervisors of the partner organisations record and update action plans. The oversight body checks them; staff of an immigration authority or a law enforcement body do not take part."))
}

func planStatuses(p *i18n.Printer) []option {
	var out []option
	for _, st := range accord.ActionPlanStatuses {
		out = append(out, option{Value: st, Label: planStatusLabel(p, st)})
	}
	return out
}

func (s *Server) findIndicator(id string) (accord.Indicator, bool) {
	for _, d := range s.svc.Indicators() {
		if d.ID == id {
			return d, true
		}
	}
	return accord.Indicator{}, false
}

func (s *Server) planForm(p *i18n.Printer, d accord.Indicator, period accord.Period, action string) *planFormData {
	return &planFormData{Action: action, Indicator: indicatorTitle(p, d), Target: targetText(p, d.Measure, d.Direction, d.Target),
		Period: period.String(), PeriodLabel: periodLabel(p, period), Statuses: planStatuses(p),
		Back: "/indicators?period=" + period.String() + "#ind-" + d.ID}
}

func (s *Server) indicatorPlanNew(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if !c.MayRecordActionPlans() {
		return s.plansDenied(w, r, c, accord.Errorf(accord.EFORBIDDEN, "your role does not allow this; it needs one of: %s", i18n.Roles([]accord.Role{accord.RolePartnershipAdmin, accord.RoleSupervisor})))
	}
	q := r.URL.Query()
	d, ok := s.findIndicator(q.Get("indicator"))
	period, err := accord.ParsePeriod(q.Get("period"))
	if !ok || err != nil {
		return accord.Errorf(accord.ENOTFOUND, "There is no such page.")
	}
	v := s.newView(r, c, "indicators", "Record an action plan", nil)
	f := newForm()
	f.Values.Set("indicator_id", d.ID)
	f.Values.Set("period", period.String())
	f.Values.Set("status", "open")
	v.Form, v.Data = f, s.planForm(v.P, d, period, "/indicators/plans/new")
	return s.render(w, http.StatusOK, "indicator_plan", v)
}

// planFromForm reads the plan's fields from a form.
func planFromForm(f *form) (*accord.ActionPlan, error) {
	vals := f.Values
	a := &accord.ActionPlan{ID: vals.Get("id"), IndicatorID: vals.Get("indicator_id"), Period: vals.Get("period"),
		Owner: strings.TrimSpace(vals.Get("owner")), Actions: strings.TrimSpace(vals.Get("actions")), Progress: strings.TrimSpace(vals.Get("progress")),
		Status: vals.Get("status"), Version: formVersion(f)}
	if dl := strings.TrimSpace(vals.Get("deadline")); dl != "" {
		t, err := time.Parse(time.DateOnly, dl)
		if err != nil {
			return a, accord.FieldErrorf("deadline", "Enter the deadline as a date, such as 2026-12-31.")
		}
		a.Deadline = t.Add(23*time.Hour + 59*time.Minute) // the end of that day (UTC)
	}
	return a, nil
}

func (s *Server) indicatorPlanCreate(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	return s.savePlan(w, r, c, "")
}

func (s *Server) indicatorPlanUpdate(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	return s.savePlan(w, r, c, r.PathValue("id"))
}

// savePlan handles both plan forms: new (id "") and change.
func (s *Server) savePlan(w http.ResponseWriter, r *http.Request, c *enforce.Caller, id string) error {
	if !c.MayRecordActionPlans() {
		return s.plansDenied(w, r, c, accord.Errorf(accord.EFORBIDDEN, "your role does not allow this; it needs one of: %s", i18n.Roles([]accord.Role{accord.RolePartnershipAdmin, accord.RoleSupervisor})))
	}
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	title, action := "Record an action plan", "/indicators/plans/new"
	if id != "" {
		cur, err := s.svc.ActionPlan(r.Context(), c, id)
		if err != nil {
			return err
		}
		// The indicator and quarter of a plan never change.
		f.Values.Set("id", id)
		f.Values.Set("indicator_id", cur.IndicatorID)
		f.Values.Set("period", cur.Period)
		title, action = "Update the action plan", "/indicators/plans/"+id
	}
	d, ok := s.findIndicator(f.Values.Get("indicator_id"))
	period, perr := accord.ParsePeriod(f.Values.Get("period"))
	if !ok || perr != nil {
		return accord.Errorf(accord.ENOTFOUND, "There is no such page.")
	}
	v := s.newView(r, c, "indicators", title, nil)
	p := v.P
	data := s.planForm(p, d, period, action)
	data.Editing = id != ""
	v.Form, v.Data = f, data
	a, err := planFromForm(f)
	if err == nil {
		var done bool
		done, err = s.once(w, r, c, f, func() (string, error) {
			if err := s.svc.SaveActionPlan(r.Context(), c, a); err != nil {
				return "", err
			}
			return addNotice("/indicators?period="+period.String()+"#ind-"+d.ID, "plan-saved"), nil
		})
		if done {
			return nil
		}
	}
	if accord.ErrorCode(err) == accord.EPRECONDITION {
		// Someone changed the plan since the form was shown: show it as it
		// is now, and say so.
		cur, cerr := s.svc.ActionPlan(r.Context(), c, id)
		if cerr != nil {
			return cerr
		}
		fillPlanForm(f, cur)
		f.Error = p.Sprintf("Someone else changed this action plan after you opened the page. The form now shows the plan as it is; make your change again if it is still needed.")
		data.Stale = true
		if f.Token == "" {
			f.Token = formToken()
		}
		return s.render(w, http.StatusConflict, "indicator_plan", v)
	}
	if accord.ErrorCode(err) == accord.EFORBIDDEN {
		return s.plansDenied(w, r, c, err)
	}
	if !f.fail(p, err) {
		return err
	}
	if f.Token == "" {
		f.Token = f.Values.Get("form_token")
		if f.Token == "" {
			f.Token = formToken()
		}
	}
	return s.render(w, formStatus(err), "indicator_plan", v)
}

func fillPlanForm(f *form, a *accord.ActionPlan) {
	f.Values.Set("id", a.ID)
	f.Values.Set("indicator_id", a.IndicatorID)
	f.Values.Set("period", a.Period)
	f.Values.Set("owner", a.Owner)
	f.Values.Set("actions", a.Actions)
	f.Values.Set("progress", a.Progress)
	f.Values.Set("status", a.Status)
	f.Values.Set("deadline", a.Deadline.UTC().Format(time.DateOnly))
	f.Values.Set("version", strconv.Itoa(a.Version))
}

func (s *Server) indicatorPlanEdit(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	if !c.MayRecordActionPlans() {
		return s.plansDenied(w, r, c, accord.Errorf(accord.EFORBIDDEN, "your role does not allow this; it needs one of: %s", i18n.Roles([]accord.Role{accord.RolePartnershipAdmin, accord.RoleSupervisor})))
	}
	a, err := s.svc.ActionPlan(r.Context(), c, r.PathValue("id"))
	if err != nil {
		return err
	}
	d, ok := s.findIndicator(a.IndicatorID)
	period, perr := accord.ParsePeriod(a.Period)
	if !ok || perr != nil {
		return accord.Errorf(accord.ENOTFOUND, "There is no such page.")
	}
	v := s.newView(r, c, "indicators", "Update the action plan", nil)
	f := newForm()
	fillPlanForm(f, a)
	data := s.planForm(v.P, d, period, "/indicators/plans/"+a.ID)
	data.Editing = true
	v.Form, v.Data = f, data
	return s.render(w, http.StatusOK, "indicator_plan", v)
}

// ---- Preview and publication ----

type indicatorPublishData struct {
	PeriodOptions, ProfileOptions []option
	Report                        *reportData
	Missing                       []missingPlan
	CanPublish                    bool
	CanPlan                       bool
	Published                     string // link to the published report
	Period                        string
	Profile                       string
	Epsilon                       string
	Failed                        bool
	// The partnership's differential-privacy budget, for publishers.
	Budget *enforce.PrivacyBudget
}

type missingPlan struct{ Title, Link string }

func profileOptions(p *i18n.Printer) []option {
	return []option{
		{Value: "standard", Label: p.Sprintf("Standard: counts from 1 to 10 are hidden")},
		{Value: "round5", Label: p.Sprintf("Rounded: counts from 1 to 10 are hidden, the others rounded to a multiple of 5")},
		{Value: "dp", Label: p.Sprintf("Differential privacy: random noise added to every count, then counts from 1 to 10 hidden")},
	}
}

// releaseOptions reads the profile and, for the "dp" profile only, the
// epsilon of a publication form (EINVALID naming "epsilon" when it is
// missing or not a number).
func releaseOptions(f *form) (enforce.ReleaseOptions, error) {
	o := enforce.ReleaseOptions{Profile: f.Values.Get("profile")}
	if o.Profile != "dp" {
		return o, nil
	}
	text := strings.TrimSpace(strings.ReplaceAll(f.Values.Get("epsilon"), ",", "."))
	if text == "" {
		return o, accord.FieldErrorf("epsilon", "Choose the privacy budget (epsilon) for this release.")
	}
	eps, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(eps) || math.IsInf(eps, 0) {
		return o, accord.FieldErrorf("epsilon", "The privacy budget (epsilon) must be a number such as 1 or 0.5.")
	}
	o.Epsilon = eps
	return o, nil
}

func (s *Server) indicatorPublishPage(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	q := r.URL.Query()
	f := newForm()
	for _, k := range []string{"period", "profile", "epsilon"} {
		f.Values.Set(k, q.Get(k))
	}
	return s.publishView(w, r, c, f, http.StatusOK, nil)
}

// publishView shows the preview of a release with the publication form;
// failed is an error of the publication to show on it.
func (s *Server) publishView(w http.ResponseWriter, r *http.Request, c *enforce.Caller, f *form, status int, failed error) error {
	v := s.newView(r, c, "indicators", "Publish the quarter's report", nil)
	p := v.P
	if f.Values.Get("period") == "" {
		f.Values.Set("period", lastFullQuarter(s.now()).String())
	}
	if f.Values.Get("profile") == "" {
		f.Values.Set("profile", "standard")
	}
	d := &indicatorPublishData{CanPublish: c.MayPublishIndicators(), CanPlan: c.MayRecordActionPlans(), Period: f.Values.Get("period"), Profile: f.Values.Get("profile"),
		Epsilon: f.Values.Get("epsilon"), PeriodOptions: periodOptions(p, s.now())[1:], ProfileOptions: profileOptions(p)}
	v.Form, v.Data = f, d
	if failed != nil {
		f.fail(p, failed)
	}
	if d.CanPublish {
		b, err := s.svc.PrivacyBudget(r.Context(), c)
		if err != nil {
			return err
		}
		d.Budget = &b
	}
	period, err := accord.ParsePeriod(d.Period)
	var rep *enforce.Report
	if err == nil {
		var opts enforce.ReleaseOptions
		if opts, err = releaseOptions(f); err == nil {
			rep, err = s.svc.PreviewRelease(r.Context(), c, period, opts)
		}
	}
	switch {
	case accord.ErrorCode(err) == accord.EFORBIDDEN:
		return s.indicatorsDenied(w, r, c, err)
	case err != nil && f.fail(p, err):
		d.Failed = true
		return s.render(w, formStatus(err), "indicator_publish", v)
	case err != nil:
		return err
	}
	d.Report = s.reportData(p, c, rep)
	if rep.Published != nil {
		d.Published = "/report/" + rep.Published.Period
	}
	for _, m := range rep.Missing {
		mp := missingPlan{Title: p.Sprintf(m.Title)}
		if d.CanPlan {
			mp.Link = "/indicators/plans/new?indicator=" + m.ID + "&period=" + period.String()
		}
		d.Missing = append(d.Missing, mp)
	}
	if f.Token == "" {
		f.Token = formToken()
	}
	return s.render(w, status, "indicator_publish", v)
}

func (s *Server) indicatorPublish(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	period, err := accord.ParsePeriod(f.Values.Get("period"))
	var opts enforce.ReleaseOptions
	if err == nil {
		opts, err = releaseOptions(f)
	}
	if err == nil {
		var done bool
		done, err = s.once(w, r, c, f, func() (string, error) {
			if _, err := s.svc.PublishRelease(r.Context(), c, period, opts); err != nil {
				return "", err
			}
			return addNotice("/report/"+period.String(), "report-published"), nil
		})
		if done {
			return nil
		}
	}
	if accord.ErrorCode(err) == accord.EINTERNAL {
		return err
	}
	return s.publishView(w, r, c, f, formStatus(err), err)
}

// ---- The public report ----

// reportData is a release as the report shows it, every string ready.
type reportData struct {
	Period, PeriodLabel string
	Preview             bool
	PublishedOn         string
	Threshold, RoundTo  int64
	Symbol              string
	// A private release (differential privacy): its epsilon, the bound on
	// each person's units, the tables the budget was split over, the level
	// of the intervals, and the dimensions not published.
	Private      bool
	Epsilon      string
	Bound        int64
	Tables       int
	Confidence   string
	WithheldDims string
	Indicators   []reportIndicator
	Plans        []*planView
	CSV          string
	Below        int
}

type reportIndicator struct {
	ID, Title, What, Target string
	Status, StatusClass     string
	Rate                    bool
	Overall                 reportRow
	Dims                    []reportDim
	Plan                    *planView
}

type reportDim struct {
	ID, Label string
	Rows      []reportRow
}

type reportRow struct {
	Group               string
	Num, Den, Value     reportCell
	Gap, Compared       string
	Worse, HasBreakdown bool
}

// reportCell is one published figure: its text, or suppressed (shown as
// the symbol), or none (nobody to count).
type reportCell struct {
	Text       string
	Suppressed bool
	CI         string // a noisy count's confidence interval
}

func (s *Server) reportData(p *i18n.Printer, c *enforce.Caller, rep *enforce.Report) *reportData {
	rel := &rep.Release
	period, _ := accord.ParsePeriod(rel.Period)
	d := &reportData{Period: rel.Period, PeriodLabel: periodLabel(p, period), Preview: rep.Published == nil, Threshold: rel.Profile.Threshold,
		RoundTo: rel.Profile.RoundTo, Symbol: suppressedSymbol}
	if rel.Profile.Private() {
		d.Private, d.Bound, d.Tables = true, rel.Profile.Bound, rel.NoisyTables
		d.Epsilon = p.Sprintf("%v", rel.Profile.Epsilon)
		d.Confidence = p.Sprintf("%d %%", int(math.Round(rel.Profile.Confidence*100)))
		var withheld []string
		for _, dim := range rel.WithheldDimensions {
			withheld = append(withheld, dimensionLabel(p, dim))
		}
		d.WithheldDims = strings.Join(withheld, p.Sprintf(", "))
	}
	if rep.Published != nil {
		d.PublishedOn = p.Date(rep.Published.PublishedAt)
		d.CSV = "/report/" + rel.Period + ".csv"
	}
	defs := map[string]accord.Indicator{}
	for _, def := range s.svc.Indicators() {
		defs[def.ID] = def
	}
	count := func(v *int64, ci *[2]int64) reportCell {
		if v == nil {
			return reportCell{Suppressed: true}
		}
		c := reportCell{Text: countText(p, *v)}
		if ci != nil {
			c.CI = p.Sprintf("%[1]d to %[2]d", ci[0], ci[1])
		}
		return c
	}
	for _, pi := range rel.Indicators {
		def, ok := defs[pi.ID]
		if !ok {
			def = accord.Indicator{ID: pi.ID, Title: pi.Title, Measure: pi.Measure}
		}
		ri := reportIndicator{ID: pi.ID, Title: p.Sprintf(pi.Title), What: indicatorWhat(p, def), Target: targetText(p, pi.Measure, pi.Direction, pi.Target),
			Rate: pi.Measure == accord.MeasureRate}
		switch {
		case pi.Withheld:
			ri.Status, ri.StatusClass = p.Sprintf("Not published: medians are left out under differential privacy"), "warn"
		case pi.Met != nil && *pi.Met:
			ri.Status, ri.StatusClass = p.Sprintf("Meets the target"), "ok"
		case pi.Met != nil:
			ri.Status, ri.StatusClass = p.Sprintf("Below target"), "bad"
			d.Below++
		case pi.Overall.Suppressed:
			ri.Status, ri.StatusClass = p.Sprintf("Not published: too few people to protect them"), "warn"
		default:
			ri.Status, ri.StatusClass = p.Sprintf("Nothing to count this quarter"), "warn"
		}
		cell := func(cl indicator.Cell) (num, den, val reportCell) {
			if ri.Rate {
				num, den = count(cl.Num, cl.NumCI), count(cl.Den, cl.DenCI)
				if cl.Den != nil && *cl.Den == 0 {
					num = reportCell{Text: "—"}
				}
			}
			switch {
			case cl.Value != nil:
				val = reportCell{Text: valueText(p, pi.Measure, *cl.Value)}
			case cl.Suppressed:
				val = reportCell{Suppressed: true}
			default:
				val = reportCell{Text: "—"}
			}
			return
		}
		ri.Overall.Group = p.Sprintf("Everyone")
		ri.Overall.Num, ri.Overall.Den, ri.Overall.Value = cell(pi.Overall)
		for _, bd := range pi.Breakdown {
			rd := reportDim{ID: bd.Dimension, Label: dimensionLabel(p, bd.Dimension)}
			for _, g := range bd.Groups {
				row := reportRow{Group: groupLabel(p, bd.Dimension, g.Name, dimNames{"organization": rep.Organizations, "geography": rep.Areas}, true), Worse: g.Worse}
				row.Num, row.Den, row.Value = cell(g.Cell)
				if g.Gap != nil {
					row.Gap = gapText(p, pi.Measure, *g.Gap)
					row.Compared = comparedText(p, *g.Gap, g.Worse)
				}
				rd.Rows = append(rd.Rows, row)
			}
			ri.Dims = append(ri.Dims, rd)
		}
		if a := rep.Plan(pi.ID); a != nil {
			ri.Plan = s.planView(p, c, a, ri.Title)
		}
		d.Indicators = append(d.Indicators, ri)
	}
	for i := range rep.Plans {
		a := &rep.Plans[i]
		title := a.IndicatorID
		if def, ok := defs[a.IndicatorID]; ok {
			title = indicatorTitle(p, def)
		}
		d.Plans = append(d.Plans, s.planView(p, c, a, title))
	}
	return d
}

type reportListData struct {
	Releases []reportLink
}

type reportLink struct {
	Href, Label, PublishedOn string
}

func (s *Server) reportList(w http.ResponseWriter, r *http.Request) error {
	if err := s.allowReport(w, r); err != nil {
		return err
	}
	rels, err := s.svc.PublishedReleases(r.Context())
	if err != nil {
		return err
	}
	v := s.newView(r, nil, "", "Public reports", nil)
	p := v.P
	d := &reportListData{}
	for _, rel := range rels {
		q, err := accord.ParsePeriod(rel.Period)
		if err != nil {
			continue
		}
		d.Releases = append(d.Releases, reportLink{Href: "/report/" + rel.Period, Label: periodLabel(p, q), PublishedOn: p.Date(rel.PublishedAt)})
	}
	v.Data = d
	return s.render(w, http.StatusOK, "indicator_reports", v)
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) error {
	if err := s.allowReport(w, r); err != nil {
		return err
	}
	name := r.PathValue("period")
	csv := strings.HasSuffix(name, ".csv")
	period, err := accord.ParsePeriod(strings.TrimSuffix(name, ".csv"))
	if err != nil {
		return accord.Errorf(accord.ENOTFOUND, "There is no such page.")
	}
	rep, err := s.svc.PublicReport(r.Context(), period)
	if err != nil {
		return err
	}
	if csv {
		var buf bytes.Buffer
		rel := rep.NamedRelease()
		if err := rel.WriteCSV(&buf); err != nil {
			return err
		}
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="accord-report-`+period.String()+`.csv"`)
		h.Set("Cache-Control", "public, max-age=300")
		_, err := w.Write(buf.Bytes())
		return err
	}
	v := s.newView(r, nil, "", "Public report", nil)
	v.Data = s.reportData(v.P, nil, rep)
	v.Title = v.P.Sprintf("Public report, %s", periodLabel(v.P, period))
	return s.render(w, http.StatusOK, "indicator_report", v)
}

// ---- Rate limiting the public report ----

// reportGuard limits report requests per client address, keyed by an HMAC
// of the address under a key held in memory only: no address is stored.
type reportGuard struct {
	key []byte
	l   *limiter
}

var reportGuards sync.Map // *Server → *reportGuard

// A hundred pages from one address, then one a second: enough for anyone
// reading, and for a shared connection; not for scraping in a loop.
const (
	reportBurst = 100
	reportEvery = time.Second
)

func (s *Server) allowReport(w http.ResponseWriter, r *http.Request) error {
	g, ok := reportGuards.Load(s)
	if !ok {
		key := make([]byte, 32)
		rand.Read(key)
		g, _ = reportGuards.LoadOrStore(s, &reportGuard{key: key, l: newLimiter(reportBurst, reportEvery, s.now)})
	}
	guard := g.(*reportGuard)
	m := hmac.New(sha256.New, guard.key)
	m.Write([]byte(clientAddr(r)))
	if ok, wait := guard.l.allow(hex.EncodeToString(m.Sum(nil)[:16])); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		return &retryAfter{err: accord.Errorf(accord.ERATELIMITED, "Too many requests from this connection. Please wait a few seconds and try again."), after: wait}
	}
	return nil
}

// ---- The report as a standalone document ----

// ReportOptions says how to render a report standalone.
type ReportOptions struct {
	// Lang is the language tag ("en", "es", "fr", "ar").
	Lang string
	// Now is the time printed as when the document was made.
	Now time.Time
}

// standalone is the report page's templates with a layout of its own: one
// HTML file with its stylesheet inside, no links to the server.
var standalone = func() *template.Template {
	t := template.Must(pages["indicator_report"].Clone())
	return template.Must(t.ParseFS(templateFS, "templates/standalone/report.html"))
}()

// reportCSS is the stylesheet a standalone report carries: the base rules
// and the indicator pages' own.
var reportCSS = func() template.CSS {
	var b strings.Builder
	for _, name := range []string{"static/css/00-base.css", "static/css/80-indicator.css"} {
		c, _ := staticFS.ReadFile(name)
		b.Write(c)
		b.WriteByte('\n')
	}
	return template.CSS(b.String())
}()

// WriteReport renders a report as one standalone HTML document (for
// accord report build): the public report page with its stylesheet
// embedded, in the language asked for. A report that is not published says
// that it is a preview.
func WriteReport(w io.Writer, cat *i18n.Catalogue, svc *enforce.Service, rep *enforce.Report, opts ReportOptions) error {
	p := cat.Printer(cat.Match(opts.Lang))
	s := &Server{svc: svc, cat: cat, now: func() time.Time { return cmp.Or(opts.Now, time.Now()) }}
	period, _ := accord.ParsePeriod(rep.Release.Period)
	v := &view{P: p, Lang: p.Tag.String(), Dir: i18n.Dir(p.Tag), Now: s.now()}
	v.Title = p.Sprintf("Public report, %s", periodLabel(p, period))
	d := s.reportData(p, nil, rep)
	d.CSV = ""
	v.Data = map[string]any{"Report": d, "CSS": reportCSS, "Made": p.Date(s.now())}
	return standalone.ExecuteTemplate(w, "standalone", v)
}
