// Package indicator computes the partnership's indicators from facts —
// one per referral, escalation, grievance, intake, disclosure … — broken
// down by the predeclared dimensions, and turns them into releases fit to
// leave the partnership: small cells suppressed (package sdc), rates shown
// only where both their counts are, immigration status never a dimension.
//
// It is pure: storage streams facts in (sqlstore.IndicatorFacts), and the
// pages and the CLI render what comes out.
package indicator

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/i18n"
)

// Default is the suite a partnership starts with. Titles are catalogue
// messages; targets are the partnership's to change.
func Default() []accord.Indicator {
	person := []string{"age_band", "gender", "language", "interpreter", "disability", "geography", "organization"}
	return []accord.Indicator{
		{ID: "days_to_first_legal_contact", Title: i18n.M("Days from intake to first legal contact").Format, Unit: "intake",
			Measure: accord.MeasureMedianDays, Denominator: "client.registered", To: "legal.first_contact", Target: 14, Direction: accord.DirectionLower, Dimensions: person},
		{ID: "referral_completion", Title: i18n.M("Referrals completed").Format, Unit: "referral",
			Measure: accord.MeasureRate, Denominator: "referral.sent", Numerator: "referral.completed", Target: 0.7, Direction: accord.DirectionHigher, Dimensions: person},
		{ID: "referral_days_to_acceptance", Title: i18n.M("Days from referral to acceptance").Format, Unit: "referral",
			Measure: accord.MeasureMedianDays, Denominator: "referral.sent", To: "referral.accepted", Target: 3, Direction: accord.DirectionLower, Dimensions: person},
		{ID: "escalations_acknowledged_in_time", Title: i18n.M("Urgent escalations acknowledged within the agreed time").Format, Unit: "escalation",
			Measure: accord.MeasureRate, Denominator: "escalation.raised", Numerator: "escalation.acknowledged", WithinDeadline: true, Target: 0.9, Direction: accord.DirectionHigher, Dimensions: person},
		{ID: "grievances_resolved_in_time", Title: i18n.M("Complaints answered by their deadline").Format, Unit: "grievance",
			Measure: accord.MeasureRate, Denominator: "grievance.received", Numerator: "grievance.resolved", WithinDeadline: true, Target: 0.8, Direction: accord.DirectionHigher, Dimensions: []string{"organization"}},
		{ID: "grievance_days_to_resolution", Title: i18n.M("Days to answer a complaint").Format, Unit: "grievance",
			Measure: accord.MeasureMedianDays, Denominator: "grievance.received", To: "grievance.resolved", Target: 30, Direction: accord.DirectionLower, Dimensions: []string{"organization"}},
		{ID: "disclosures_with_consent", Title: i18n.M("Disclosures with documented consent").Format, Unit: "disclosure",
			Measure: accord.MeasureRate, Denominator: "disclosure.made", Numerator: "disclosure.consent_documented", Target: 1, Direction: accord.DirectionHigher, Dimensions: []string{"organization"}},
		{ID: "break_glass_reviewed", Title: i18n.M("Emergency accesses reviewed").Format, Unit: "break_glass",
			Measure: accord.MeasureRate, Denominator: "break_glass.used", Numerator: "break_glass.reviewed", Target: 1, Direction: accord.DirectionHigher, Dimensions: []string{"organization"}},
		{ID: "interpreter_provided", Title: i18n.M("Interpreter provided when needed").Format, Unit: "interpreter",
			Measure: accord.MeasureRate, Denominator: "interpreter.needed", Numerator: "interpreter.provided", Target: 0.9, Direction: accord.DirectionHigher, Dimensions: []string{"age_band", "gender", "language", "disability", "geography", "organization"}},
		{ID: "treatment_delay_days", Title: i18n.M("Days from case opening to treatment").Format, Unit: "treatment",
			Measure: accord.MeasureMedianDays, Denominator: "case.opened", To: "treatment.started", Target: 14, Direction: accord.DirectionLower, Dimensions: person},
		{ID: "needs_resolved_on_rescreening", Title: i18n.M("Needs resolved by the next screening").Format, Unit: "need",
			Measure: accord.MeasureRate, Denominator: "need.rescreened", Numerator: "need.resolved", Target: 0.5, Direction: accord.DirectionHigher, Dimensions: person},
	}
}

// Figure is one number of a result. For a rate, Num of Den units met it;
// for a median, Den units had both events and Value is their median gap in
// days.
type Figure struct {
	Num, Den int64
	Value    float64
	Has      bool // Value is defined: Den > 0
}

// Group is one value of a dimension, with its gap to the overall figure.
type Group struct {
	Name string // the dimension's value, accord.NotRecorded when missing
	Figure
	Gap   float64 // Value − overall Value, when both are defined
	Worse bool    // the gap is in the direction the indicator counts as worse
}

// Breakdown is an indicator by one dimension, groups in value order.
type Breakdown struct {
	Dimension string
	Groups    []Group
}

// Result is an indicator for a period.
type Result struct {
	Indicator accord.Indicator
	Period    accord.Period
	Overall   Figure
	Met       bool // Overall meets the target (only when Overall.Has)
	Breakdown []Breakdown
}

// Computer accumulates facts into results. Add facts in any order; a fact
// counts in the period of its denominator event.
type Computer struct {
	defs    []accord.Indicator
	periods []accord.Period
	byUnit  map[string][]int // unit → indexes of defs
	// Per definition: event positions in the unit's list.
	den, num, to []int
	// dimension index (into accord.IndicatorDimensions) per definition
	dims [][]int
	// interned values per dimension index
	values [len(accord.IndicatorDimensions)]map[string]int32
	names  [len(accord.IndicatorDimensions)][]string
	// stats[def][period] overall, and per (dim position, value id)
	overall [][]stat
	groups  [][][][]*stat
	// The last value interned per dimension: facts come client by client,
	// so consecutive facts mostly share them, and a string compared with
	// itself is compared by pointer.
	last    [len(accord.IndicatorDimensions)]string
	lastID  [len(accord.IndicatorDimensions)]int32
	lastHas [len(accord.IndicatorDimensions)]bool
	// bounds[i] is where periods[i] starts and ends, in Unix seconds
	// (quarters start on a second).
	bounds [][2]int64
	// Contribution bounding (BoundContributions): at most bound units
	// per person in each population, chosen by keyed hash.
	bound    int64
	hashKey  uint64
	pops     map[string][]population // unit → its populations
	kept     map[keptKey]int32       // → entry
	first    arena[keptUnit]         // per entry: its first kept unit
	more     arena[int32]            // per entry: its other slots in overflow, or −1
	used     arena[uint8]            // per entry: units kept
	overflow arena[keptUnit]
}

type stat struct {
	num, den int64
	// hours[h] counts units whose gap was h whole hours: medians are
	// exact to the hour, and adding a unit never copies a list.
	hours []int64
}

// NewComputer validates the definitions (the first error names the
// indicator and field) and prepares to count them for the periods.
func NewComputer(defs []accord.Indicator, periods []accord.Period) (*Computer, error) {
	c := &Computer{defs: defs, periods: periods, byUnit: map[string][]int{}}
	seen := map[string]bool{}
	for i := range defs {
		d := &defs[i]
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("indicator %q: %w", d.ID, err)
		}
		if seen[d.ID] {
			return nil, accord.FieldErrorf("id", "indicator %q is defined twice", d.ID)
		}
		seen[d.ID] = true
		events := accord.IndicatorUnits[d.Unit]
		c.byUnit[d.Unit] = append(c.byUnit[d.Unit], i)
		c.den = append(c.den, slices.Index(events, d.Denominator))
		c.num = append(c.num, slices.Index(events, d.Numerator))
		c.to = append(c.to, slices.Index(events, d.To))
		var dims []int
		for _, name := range d.Dimensions {
			dims = append(dims, slices.Index(accord.IndicatorDimensions[:], name))
		}
		c.dims = append(c.dims, dims)
		ov := make([]stat, len(periods))
		gs := make([][][]*stat, len(periods))
		for p := range periods {
			gs[p] = make([][]*stat, len(dims))
		}
		c.overall = append(c.overall, ov)
		c.groups = append(c.groups, gs)
	}
	for k := range c.values {
		c.values[k] = map[string]int32{}
	}
	for _, p := range periods {
		c.bounds = append(c.bounds, [2]int64{p.Start().Unix(), p.Next().Start().Unix()})
	}
	return c, nil
}

func (c *Computer) period(t time.Time) int {
	n := t.Unix()
	for i, b := range c.bounds {
		if n >= b[0] && n < b[1] {
			return i
		}
	}
	return -1
}

func (c *Computer) intern(dim int, v string) int32 {
	if c.lastHas[dim] && v == c.last[dim] {
		return c.lastID[dim]
	}
	id := c.internMap(dim, v)
	c.last[dim], c.lastID[dim], c.lastHas[dim] = v, id, true
	return id
}

func (c *Computer) internMap(dim int, v string) int32 {
	if v == "" {
		v = accord.NotRecorded
	}
	id, ok := c.values[dim][v]
	if !ok {
		id = int32(len(c.names[dim]))
		c.values[dim][v] = id
		c.names[dim] = append(c.names[dim], v)
	}
	return id
}

// Add counts one fact in every indicator over its unit. When contributions
// are bounded (BoundContributions), a person's units beyond the bound in a
// population are left out.
func (c *Computer) Add(f *accord.IndicatorFact) {
	if c.bound > 0 {
		c.addBounded(f)
		return
	}
	var ids [len(accord.IndicatorDimensions)]int32
	interned := false
	for _, i := range c.byUnit[f.Unit] {
		if at := f.At[c.den[i]]; at.IsZero() || c.period(at) < 0 {
			continue
		}
		if !interned {
			ids, interned = c.internAll(f), true
		}
		c.addTo(i, f, &ids, 1)
	}
}

// internAll interns every dimension value of f.
func (c *Computer) internAll(f *accord.IndicatorFact) (ids [len(accord.IndicatorDimensions)]int32) {
	for k := range ids {
		ids[k] = c.intern(k, f.Dims[k])
	}
	return ids
}

// addTo counts fact f in definition i with weight sign (+1, or −1 to take
// back a unit the bound evicts).
func (c *Computer) addTo(i int, f *accord.IndicatorFact, ids *[len(accord.IndicatorDimensions)]int32, sign int64) {
	at := f.At[c.den[i]]
	if at.IsZero() {
		return
	}
	p := c.period(at)
	if p < 0 {
		return
	}
	d := &c.defs[i]
	var met bool
	var hours int
	switch d.Measure {
	case accord.MeasureRate:
		t := f.At[c.num[i]]
		met = !t.IsZero() && (!d.WithinDeadline || f.Deadline.IsZero() || !t.After(f.Deadline))
	case accord.MeasureMedianDays:
		t := f.At[c.to[i]]
		if t.IsZero() || t.Before(at) {
			return // not there yet: not in the median
		}
		hours = int(t.Sub(at) / time.Hour)
	}
	add := func(s *stat) {
		s.den += sign
		if met {
			s.num += sign
		}
		if d.Measure == accord.MeasureMedianDays {
			if hours >= len(s.hours) {
				s.hours = slices.Grow(s.hours, hours+1-len(s.hours)+len(s.hours)/2)[:hours+1]
			}
			s.hours[hours] += sign
		}
	}
	add(&c.overall[i][p])
	for k, dim := range c.dims[i] {
		id := int(ids[dim])
		gs := c.groups[i][p][k]
		if id >= len(gs) {
			gs = slices.Grow(gs, id+1-len(gs))[:id+1]
			c.groups[i][p][k] = gs
		}
		if gs[id] == nil {
			gs[id] = &stat{}
		}
		add(gs[id])
	}
}

// Results returns every indicator for every period, in definition then
// period order.
func (c *Computer) Results() []Result {
	var out []Result
	for i, d := range c.defs {
		for p, period := range c.periods {
			r := Result{Indicator: d, Period: period, Overall: c.overall[i][p].figure(d.Measure)}
			r.Met = r.Overall.Has && d.Met(r.Overall.Value)
			for k, dim := range c.dims[i] {
				b := Breakdown{Dimension: accord.IndicatorDimensions[dim]}
				for id, s := range c.groups[i][p][k] {
					if s == nil {
						continue
					}
					g := Group{Name: c.names[dim][id], Figure: s.figure(d.Measure)}
					if g.Has && r.Overall.Has {
						g.Gap = g.Value - r.Overall.Value
						g.Worse = worse(d.Direction, g.Gap)
					}
					b.Groups = append(b.Groups, g)
				}
				slices.SortFunc(b.Groups, func(a, b Group) int { return compareValues(a.Name, b.Name) })
				r.Breakdown = append(r.Breakdown, b)
			}
			out = append(out, r)
		}
	}
	return out
}

// worse reports whether a gap is in the bad direction, ignoring gaps that
// are rounding noise.
func worse(direction string, gap float64) bool {
	if math.Abs(gap) < 1e-9 {
		return false
	}
	if direction == accord.DirectionLower {
		return gap > 0
	}
	return gap < 0
}

// compareValues orders group values, not recorded last.
func compareValues(a, b string) int {
	if (a == accord.NotRecorded) != (b == accord.NotRecorded) {
		if a == accord.NotRecorded {
			return 1
		}
		return -1
	}
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

func (s *stat) figure(measure string) Figure {
	f := Figure{Num: s.num, Den: s.den, Has: s.den > 0}
	if !f.Has {
		return f
	}
	switch measure {
	case accord.MeasureRate:
		f.Value = float64(s.num) / float64(s.den)
	case accord.MeasureMedianDays:
		f.Value = medianHours(s.hours, s.den) / 24
	}
	return f
}

// medianHours is the median of n values given as counts per hour.
func medianHours(hours []int64, n int64) float64 {
	// The median is the mean of the values at ranks lo and hi (0-based).
	lo, hi := (n-1)/2, n/2
	var seen int64
	var a, b float64
	found := false
	for h, c := range hours {
		if c == 0 {
			continue
		}
		if !found && seen+c > lo {
			a, found = float64(h), true
		}
		if seen+c > hi {
			b = float64(h)
			break
		}
		seen += c
	}
	return (a + b) / 2
}
