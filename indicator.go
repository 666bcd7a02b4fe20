package accord

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PrefixActionPlan prefixes action plan ids.
const PrefixActionPlan = "apl"

// An Indicator is a figure the partnership measures itself by, defined as
// data: which units it counts (referrals, escalations, grievances …), the
// event that puts a unit in the period's population (the denominator), and
// either the event that counts it as met (a rate) or the two events whose
// gap in days it summarises (a median).
type Indicator struct {
	ID    string `json:"id"`    // snake_case, stable: it names the indicator in releases and CSV
	Title string `json:"title"` // English; translated through the message catalogue
	// Unit is what is counted: one of IndicatorUnits.
	Unit string `json:"unit"`
	// Measure is "rate" (numerator over denominator) or "median_days".
	Measure string `json:"measure"`
	// Denominator is the unit's event that places it in a period: a
	// referral sent in the quarter is in that quarter's population.
	Denominator string `json:"denominator"`
	// Numerator is, for a rate, the event that must also have happened.
	Numerator string `json:"numerator,omitempty"`
	// WithinDeadline counts the numerator only when it happened by the
	// unit's own deadline (an escalation's SLA, a grievance's due date).
	WithinDeadline bool `json:"within_deadline,omitempty"`
	// To is, for median_days, the event the days are counted to (from
	// the denominator's event).
	To string `json:"to,omitempty"`
	// Target and Direction: a rate in [0, 1] or a number of days;
	// "higher" or "lower" is better.
	Target    float64 `json:"target"`
	Direction string  `json:"direction"`
	// Dimensions it is broken down by: a subset of IndicatorDimensions.
	Dimensions []string `json:"dimensions"`
}

// Measures and directions.
const (
	MeasureRate       = "rate"
	MeasureMedianDays = "median_days"
	DirectionHigher   = "higher"
	DirectionLower    = "lower"
)

// IndicatorUnits maps each countable unit to the events recorded for it,
// in the order a unit goes through them.
var IndicatorUnits = map[string][]string{
	"referral":    {"referral.sent", "referral.accepted", "referral.completed", "referral.declined"},
	"escalation":  {"escalation.raised", "escalation.acknowledged", "escalation.resolved"},
	"grievance":   {"grievance.received", "grievance.resolved"},
	"intake":      {"client.registered", "legal.first_contact"},
	"disclosure":  {"disclosure.made", "disclosure.consent_documented"},
	"break_glass": {"break_glass.used", "break_glass.reviewed"},
	"interpreter": {"interpreter.needed", "interpreter.provided"},
	"treatment":   {"case.opened", "treatment.started"},
	"need":        {"need.identified", "need.rescreened", "need.resolved"},
}

// IndicatorDimensions are the predeclared breakdowns. Immigration status
// is deliberately absent: it is never a dimension of anything the
// partnership publishes (ForbiddenDimensions).
// Geography is the client's area (Area), recorded at intake from the
// partnership's predeclared list — never an address.
var IndicatorDimensions = [...]string{"age_band", "gender", "language", "interpreter", "disability", "organization", "geography"}

// ForbiddenDimensions can never be asked for, with the reason shown.
var ForbiddenDimensions = map[string]string{
	"immigration_status": "immigration status is never a dimension of published figures: it could expose people to enforcement",
	"nationality":        "nationality is never a dimension of published figures: it stands in for immigration status",
}

var indicatorIDRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,62}$`)

// Validate checks a definition, naming the field at fault (EINVALID).
func (d *Indicator) Validate() error {
	if !indicatorIDRE.MatchString(d.ID) {
		return FieldErrorf("id", "id must be 2 to 63 lower-case letters, digits or underscores, starting with a letter")
	}
	if strings.TrimSpace(d.Title) == "" {
		return FieldErrorf("title", "title is required")
	}
	events, ok := IndicatorUnits[d.Unit]
	if !ok {
		return FieldErrorf("unit", "unit %q is not one Accord records; use one of %s", d.Unit, strings.Join(sortedKeys(IndicatorUnits), ", "))
	}
	known := func(field, ev string) error {
		if !slices.Contains(events, ev) {
			return FieldErrorf(field, "%s: event %q is not recorded for %s; use one of %s", field, ev, d.Unit, strings.Join(events, ", "))
		}
		return nil
	}
	if err := known("denominator", d.Denominator); err != nil {
		return err
	}
	switch d.Measure {
	case MeasureRate:
		if err := known("numerator", d.Numerator); err != nil {
			return err
		}
		if d.Numerator == d.Denominator {
			return FieldErrorf("numerator", "the numerator must be a different event from the denominator")
		}
		if d.To != "" {
			return FieldErrorf("to", "to is for median_days only")
		}
		if d.Target < 0 || d.Target > 1 {
			return FieldErrorf("target", "a rate's target is between 0 and 1")
		}
	case MeasureMedianDays:
		if err := known("to", d.To); err != nil {
			return err
		}
		if d.To == d.Denominator {
			return FieldErrorf("to", "to must be a different event from the denominator")
		}
		if d.Numerator != "" || d.WithinDeadline {
			return FieldErrorf("numerator", "numerator and within_deadline are for rates only")
		}
		if d.Target < 0 {
			return FieldErrorf("target", "a number of days cannot be negative")
		}
	default:
		return FieldErrorf("measure", "measure must be rate or median_days")
	}
	if d.Direction != DirectionHigher && d.Direction != DirectionLower {
		return FieldErrorf("direction", "direction must be higher or lower")
	}
	seen := map[string]bool{}
	for _, dim := range d.Dimensions {
		if why, bad := ForbiddenDimensions[dim]; bad {
			return FieldErrorf("dimensions", "%s", why)
		}
		if !slices.Contains(IndicatorDimensions[:], dim) {
			return FieldErrorf("dimensions", "dimension %q is not predeclared; use %s", dim, strings.Join(IndicatorDimensions[:], ", "))
		}
		if seen[dim] {
			return FieldErrorf("dimensions", "dimension %q is listed twice", dim)
		}
		seen[dim] = true
	}
	return nil
}

// Met reports whether value meets the target.
func (d *Indicator) Met(value float64) bool {
	if d.Direction == DirectionLower {
		return value <= d.Target
	}
	return value >= d.Target
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Period is a calendar quarter, "2026-Q3": the unit of a release.
type Period struct {
	Year    int
	Quarter int // 1–4
}

// ParsePeriod reads "YYYY-Qn" (EINVALID otherwise).
func ParsePeriod(s string) (Period, error) {
	y, q, ok := strings.Cut(s, "-Q")
	year, err1 := strconv.Atoi(y)
	quarter, err2 := strconv.Atoi(q)
	if !ok || err1 != nil || err2 != nil || len(y) != 4 || quarter < 1 || quarter > 4 || year < 2000 || year > 2999 {
		return Period{}, FieldErrorf("period", "%q is not a quarter such as 2026-Q3", s)
	}
	return Period{Year: year, Quarter: quarter}, nil
}

// PeriodOf is the quarter holding t (UTC).
func PeriodOf(t time.Time) Period {
	t = t.UTC()
	return Period{Year: t.Year(), Quarter: (int(t.Month())-1)/3 + 1}
}

func (p Period) String() string { return fmt.Sprintf("%d-Q%d", p.Year, p.Quarter) }

// Start is the first instant of the quarter (UTC).
func (p Period) Start() time.Time {
	return time.Date(p.Year, time.Month(3*(p.Quarter-1)+1), 1, 0, 0, 0, 0, time.UTC)
}

// End is the first instant after the quarter.
func (p Period) End() time.Time { return p.Start().AddDate(0, 3, 0) }

// Prev is the quarter before.
func (p Period) Prev() Period {
	if p.Quarter == 1 {
		return Period{Year: p.Year - 1, Quarter: 4}
	}
	return Period{Year: p.Year, Quarter: p.Quarter - 1}
}

// An ActionPlan is what the partnership commits to when an indicator
// misses its target for a period: an owner, actions, a deadline, and
// progress as it happens. A release cannot be published while an
// indicator it shows below target has none.
type ActionPlan struct {
	ID          string    `json:"id"`
	IndicatorID string    `json:"indicator_id"`
	Period      string    `json:"period"` // "2026-Q3"
	Owner       string    `json:"owner"`  // a role or team, not a person's private details
	Actions     string    `json:"actions"`
	Deadline    time.Time `json:"deadline"`
	Progress    string    `json:"progress"`
	Status      string    `json:"status"` // "open", "in_progress", "done"
	RecordedBy  string    `json:"recorded_by"`
	UpdatedAt   time.Time `json:"updated_at"`
	Version     int       `json:"version"`
}

// ActionPlanStatuses are the states of a plan.
var ActionPlanStatuses = []string{"open", "in_progress", "done"}

// Validate checks a plan (EINVALID naming the field).
func (a *ActionPlan) Validate() error {
	if !indicatorIDRE.MatchString(a.IndicatorID) {
		return FieldErrorf("indicator_id", "indicator_id is not an indicator id")
	}
	if _, err := ParsePeriod(a.Period); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"owner", a.Owner}, {"actions", a.Actions}} {
		if strings.TrimSpace(f.v) == "" {
			return FieldErrorf(f.name, "%s is required", f.name)
		}
		if len(f.v) > 4000 {
			return FieldErrorf(f.name, "%s is longer than 4000 characters", f.name)
		}
	}
	if len(a.Progress) > 4000 {
		return FieldErrorf("progress", "progress is longer than 4000 characters")
	}
	if a.Deadline.IsZero() {
		return FieldErrorf("deadline", "deadline is required")
	}
	if !slices.Contains(ActionPlanStatuses, a.Status) {
		return FieldErrorf("status", "status must be open, in_progress or done")
	}
	return nil
}

// An IndicatorFact is one unit counted by indicators — one referral, one
// escalation, one grievance, one intake, one disclosure … — with the times
// of its events and the dimensions of the person it concerns. Storage
// produces them from its tables; the indicator engine only counts.
type IndicatorFact struct {
	Unit string // a key of IndicatorUnits
	// At holds the unit's events in IndicatorUnits order: At[i] is when
	// IndicatorUnits[Unit][i] happened, zero when it has not.
	At [4]time.Time
	// Deadline is the unit's own deadline for its second event (an
	// escalation's acknowledgement SLA, a grievance's response date);
	// zero when it has none.
	Deadline time.Time
	// Dims holds the unit's value for each of IndicatorDimensions, in
	// order ("" is counted as not recorded).
	Dims [len(IndicatorDimensions)]string
	// Person is a pseudonymous key of the person the unit is about (a
	// hash of the client id), so that differential privacy can bound how
	// many units one person contributes; 0 when there is none (an
	// anonymous complaint). It never leaves the process.
	Person uint64
}

// Values of dimensions.
const NotRecorded = "not_recorded"

// AgeBand is the age band at time at of someone born on birthDate
// ("YYYY", "YYYY-MM" or "YYYY-MM-DD"; a partial date takes its middle), or
// NotRecorded.
func AgeBand(birthDate string, at time.Time) string {
	y, m, d, ok := BirthParts(birthDate)
	if !ok {
		return NotRecorded
	}
	return AgeBandOf(y, m, d, at)
}

// BirthParts reads a birth date as AgeBand does: a partial date takes its
// middle (1 July for a year, the 15th for a month). ok is false when the
// date is missing or not one.
func BirthParts(birthDate string) (y, m, d int, ok bool) {
	switch len(birthDate) {
	case 4:
		y, m, d = atoi(birthDate), 7, 1
	case 7:
		y, m, d = atoi(birthDate[:4]), atoi(birthDate[5:7]), 15
	case 10:
		y, m, d = atoi(birthDate[:4]), atoi(birthDate[5:7]), atoi(birthDate[8:10])
	default:
		return 0, 0, 0, false
	}
	if y <= 0 || m < 1 || m > 12 || d < 1 {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

// AgeBandOf is AgeBand of a birth date given as BirthParts returns it.
func AgeBandOf(y, m, d int, at time.Time) string {
	age := at.Year() - y
	if at.Month() < time.Month(m) || (at.Month() == time.Month(m) && at.Day() < d) {
		age--
	}
	switch {
	case age < 0:
		return NotRecorded
	case age < 18:
		return "0-17"
	case age < 25:
		return "18-24"
	case age < 35:
		return "25-34"
	case age < 50:
		return "35-49"
	case age < 65:
		return "50-64"
	default:
		return "65+"
	}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// Next is the quarter after.
func (p Period) Next() Period {
	if p.Quarter == 4 {
		return Period{Year: p.Year + 1, Quarter: 1}
	}
	return Period{Year: p.Year, Quarter: p.Quarter + 1}
}
