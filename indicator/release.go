package indicator

import (
	"cmp"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/sdc"
)

// Profile names a disclosure-control profile for a release.
type Profile struct {
	Name      string `json:"name"`      // "standard", "round5" or "dp"
	Threshold int64  `json:"threshold"` // counts 1..Threshold are suppressed
	RoundTo   int64  `json:"round_to,omitempty"`
	// Differential privacy (the "dp" profile, see dp.go): the budget the
	// publisher chose for the release, the most units one person counts
	// with per population, and the level of the published intervals.
	Epsilon    float64 `json:"epsilon,omitempty"`
	Bound      int64   `json:"bound,omitempty"`
	Confidence float64 `json:"confidence,omitempty"`
}

// Profiles a partnership may publish under. The "dp" profile needs the
// release's epsilon set by the publisher.
var Profiles = map[string]Profile{
	"standard": {Name: "standard", Threshold: sdc.Standard.Threshold},
	"round5":   {Name: "round5", Threshold: sdc.Round5.Threshold, RoundTo: sdc.Round5.RoundTo},
	"dp":       {Name: "dp", Threshold: sdc.Standard.Threshold, Bound: 2, Confidence: 0.95},
}

// Release is what leaves the partnership for one period: every figure
// either shown or marked suppressed. Nothing in it is a count from 1 to the
// threshold, and no suppressed count can be worked out from the rest.
type Release struct {
	Period     string      `json:"period"`
	Profile    Profile     `json:"profile"`
	Indicators []Published `json:"indicators"`
	// A private release: the number of noisy tables its epsilon was split
	// over, and the dimensions it does not publish.
	NoisyTables        int      `json:"noisy_tables,omitempty"`
	WithheldDimensions []string `json:"withheld_dimensions,omitempty"`
}

// Published is one indicator in a release.
type Published struct {
	ID             string  `json:"id"`
	Title          string  `json:"title"`
	Unit           string  `json:"unit"`
	Measure        string  `json:"measure"`
	Target         float64 `json:"target"`
	Direction      string  `json:"direction"`
	WithinDeadline bool    `json:"within_deadline,omitempty"`
	// Withheld: a median in a private release, not published at all.
	Withheld  bool        `json:"withheld,omitempty"`
	Overall   Cell        `json:"overall"`
	Met       *bool       `json:"met"` // nil when the overall figure is suppressed
	Breakdown []Dimension `json:"breakdown"`
}

// Dimension is an indicator broken down by one dimension.
type Dimension struct {
	Dimension string        `json:"dimension"`
	Groups    []GroupFigure `json:"groups"`
}

// GroupFigure is one group's figure and its gap to the overall one.
type GroupFigure struct {
	Name string `json:"group"`
	Cell
	Gap   *float64 `json:"gap"`             // value − overall value, when both are shown
	Worse bool     `json:"worse,omitempty"` // the gap is in the bad direction
}

// Cell is a published figure: counts for a rate (nil when suppressed), the
// value (a rate or median days) only when everything it is made from is
// shown.
type Cell struct {
	Num        *int64   `json:"numerator"`
	Den        *int64   `json:"denominator"`
	Value      *float64 `json:"value"`
	Suppressed bool     `json:"suppressed"`
	// In a private release, the confidence interval (Profile.Confidence)
	// of each published count: [low, high].
	NumCI *[2]int64 `json:"numerator_ci,omitempty"`
	DenCI *[2]int64 `json:"denominator_ci,omitempty"`
}

// ErrExposes is returned when a release would let a suppressed count be
// recovered; it cannot happen unless sdc is broken, and then nothing is
// published.
var ErrExposes = errors.New("indicator: the release would expose a small count")

// Build protects the results of one period under profile p. Every rate
// indicator contributes a table per dimension (group × met/not met, with
// margins); tables over the same population (unit and denominator event)
// share their population cells, so a count hidden in one cannot be worked
// out from another. Medians are shown only for groups above the threshold.
// A private profile (dp.go) noises the counts first — the results must
// then come from a Computer bounded with the profile's Bound — and
// publishes each count with its interval.
func Build(results []Result, p Profile) (Release, error) {
	return BuildWith(results, p, Options{})
}

// BuildWith is Build with options (the public lists of dimension values a
// private release needs).
func BuildWith(results []Result, p Profile, o Options) (Release, error) {
	sp := sdc.Profile{Threshold: p.Threshold, RoundTo: p.RoundTo}
	if err := sp.Validate(); err != nil {
		return Release{}, err
	}
	var priv *privateResults
	if p.Private() {
		var err error
		if priv, err = privatize(results, p, o); err != nil {
			return Release{}, err
		}
		results = priv.results
	}
	var period string
	b := sdc.NewBuilder()
	type refs struct{ den, num int }
	overall := make([]refs, len(results))
	groups := make([][][]refs, len(results))
	for i, r := range results {
		if period == "" {
			period = r.Period.String()
		} else if period != r.Period.String() {
			return Release{}, errors.New("indicator: a release covers one period")
		}
		if r.Indicator.Measure != accord.MeasureRate {
			continue
		}
		id := r.Indicator.ID
		pop := r.Indicator.Unit + "|" + r.Indicator.Denominator
		if priv != nil {
			// Each indicator's counts are noised on their own, so two
			// over the same people no longer share equal cells.
			pop = id + "|" + pop
		}
		grand := b.Cell(pop, r.Overall.Den)
		met := b.Cell(id+"|met", r.Overall.Num)
		not := b.Cell(id+"|not_met", r.Overall.Den-r.Overall.Num)
		b.Sum(grand, met, not)
		overall[i] = refs{grand, met}
		groups[i] = make([][]refs, len(r.Breakdown))
		for k, bd := range r.Breakdown {
			var rows, mets, nots []int
			for _, g := range bd.Groups {
				key := "|" + bd.Dimension + "=" + g.Name
				row := b.Cell(pop+key, g.Den)
				gm := b.Cell(id+key+"|met", g.Num)
				gn := b.Cell(id+key+"|not_met", g.Den-g.Num)
				b.Sum(row, gm, gn)
				rows, mets, nots = append(rows, row), append(mets, gm), append(nots, gn)
				groups[i][k] = append(groups[i][k], refs{row, gm})
			}
			if len(rows) > 0 {
				b.Sum(grand, rows...)
				b.Sum(met, mets...)
				b.Sum(not, nots...)
			}
		}
	}
	rel, err := b.Release()
	if err != nil {
		return Release{}, err
	}
	pub, err := sdc.Protect(rel, sp)
	if err != nil {
		return Release{}, err
	}
	hidden := make([]bool, len(pub))
	for i, c := range pub {
		hidden[i] = c.Suppressed
	}
	if len(sdc.Recoverable(rel, hidden)) > 0 {
		return Release{}, ErrExposes
	}
	count := func(i int) *int64 {
		if pub[i].Suppressed {
			return nil
		}
		v := pub[i].Value
		return &v
	}
	out := Release{Period: period, Profile: p}
	if priv != nil {
		out.NoisyTables, out.WithheldDimensions = priv.tables, priv.withheld
	}
	var cellErr error
	for i, r := range results {
		d := r.Indicator
		pi := Published{ID: d.ID, Title: d.Title, Unit: d.Unit, Measure: d.Measure, Target: d.Target, Direction: d.Direction, WithinDeadline: d.WithinDeadline}
		if priv != nil && d.Measure != accord.MeasureRate {
			pi.Withheld = true
			out.Indicators = append(out.Indicators, pi)
			continue
		}
		cell := func(ref refs, f Figure) Cell {
			if d.Measure == accord.MeasureRate {
				c := Cell{Num: count(ref.num), Den: count(ref.den)}
				if c.Num != nil && c.Den != nil && *c.Den > 0 {
					v := float64(*c.Num) / float64(*c.Den)
					c.Value = &v
				}
				c.Suppressed = c.Value == nil && f.Den > 0
				if priv != nil {
					var err1, err2 error
					if c.Num != nil {
						c.NumCI, err1 = priv.scale.interval(*c.Num, false)
					}
					if c.Den != nil {
						c.DenCI, err2 = priv.scale.interval(*c.Den, true)
					}
					cellErr = cmp.Or(cellErr, err1, err2)
				}
				return c
			}
			// A median: shown for more units than the threshold; its
			// count is not published.
			if f.Has && f.Den > p.Threshold {
				v := f.Value
				return Cell{Value: &v}
			}
			return Cell{Suppressed: f.Den > 0}
		}
		pi.Overall = cell(overall[i], r.Overall)
		if pi.Overall.Value != nil {
			met := d.Met(*pi.Overall.Value)
			pi.Met = &met
		}
		for k, bd := range r.Breakdown {
			dim := Dimension{Dimension: bd.Dimension}
			for j, g := range bd.Groups {
				var ref refs
				if d.Measure == accord.MeasureRate {
					ref = groups[i][k][j]
				}
				gf := GroupFigure{Name: g.Name, Cell: cell(ref, g.Figure)}
				if gf.Value != nil && pi.Overall.Value != nil {
					gap := *gf.Value - *pi.Overall.Value
					gf.Gap, gf.Worse = &gap, worse(d.Direction, gap)
				}
				dim.Groups = append(dim.Groups, gf)
			}
			pi.Breakdown = append(pi.Breakdown, dim)
		}
		out.Indicators = append(out.Indicators, pi)
	}
	if cellErr != nil {
		return Release{}, cellErr
	}
	return out, nil
}

// Missed lists the indicators shown below their target.
func (r *Release) Missed() []Published {
	var out []Published
	for _, p := range r.Indicators {
		if p.Met != nil && !*p.Met {
			out = append(out, p)
		}
	}
	return out
}

// CSVHeader is the first row of WriteCSV; CSVPrivateHeader that of a
// private release, which adds each count's interval and whether a figure
// was withheld (the columns of a standard release do not change).
var (
	CSVHeader        = []string{"period", "indicator", "measure", "dimension", "group", "numerator", "denominator", "value", "suppressed", "target", "direction", "gap"}
	CSVPrivateHeader = append(slices.Clip(CSVHeader), "numerator_ci_low", "numerator_ci_high", "denominator_ci_low", "denominator_ci_high", "withheld")
)

// WriteCSV writes the release one figure per row; suppressed figures have
// empty numbers and suppressed=true, never a placeholder that could be
// mistaken for a count. A private release adds each count's interval; a
// withheld median is one row with withheld=true.
func (r *Release) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	private := r.Profile.Private()
	header := CSVHeader
	if private {
		header = CSVPrivateHeader
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	num := func(v *int64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatInt(*v, 10)
	}
	flt := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 4, 64)
	}
	ci := func(v *[2]int64) (lo, hi string) {
		if v == nil {
			return "", ""
		}
		return strconv.FormatInt(v[0], 10), strconv.FormatInt(v[1], 10)
	}
	row := func(p Published, dim, group string, c Cell, gap *float64) error {
		rec := []string{r.Period, p.ID, p.Measure, dim, group, num(c.Num), num(c.Den), flt(c.Value),
			strconv.FormatBool(c.Suppressed), strconv.FormatFloat(p.Target, 'f', -1, 64), p.Direction, flt(gap)}
		if private {
			nlo, nhi := ci(c.NumCI)
			dlo, dhi := ci(c.DenCI)
			rec = append(rec, nlo, nhi, dlo, dhi, strconv.FormatBool(p.Withheld))
		}
		return cw.Write(rec)
	}
	for _, p := range r.Indicators {
		if err := row(p, "", "", p.Overall, nil); err != nil {
			return err
		}
		for _, d := range p.Breakdown {
			for _, g := range d.Groups {
				if err := row(p, d.Dimension, g.Name, g.Cell, g.Gap); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
