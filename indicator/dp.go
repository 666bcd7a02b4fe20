package indicator

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/google/differential-privacy/go/v3/noise"

	"github.com/accord-project/accord"
)

// Differential privacy, the "dp" profile. What it adds to small-cell
// suppression, in order:
//
//  1. Contribution bounding (Computer.BoundContributions): each person
//     counts with at most Profile.Bound units per population and period.
//  2. Noise. Every rate indicator is measured as a set of tables — its
//     overall met/not met pair, and group × met/not met for each dimension
//     it is published by. A person's units land in at most Bound cells of
//     a table, so each table has L1 sensitivity Bound, and Laplace noise of
//     scale Bound/ε_t on every cell makes the table ε_t-differentially
//     private. The release's ε is split evenly over its tables
//     (ε_t = ε / tables): sequential composition, since every table may
//     count the same person. Noise is the library's crypto-secure Laplace.
//  3. Post-processing, which spends no budget: negative counts become 0;
//     each dimension's groups are fitted (nearest integers, none negative)
//     to the overall met and not met counts, so every table adds up and the
//     ordinary small-cell and complementary suppression (package sdc) run
//     on the noisy counts unchanged; rates are divided from noisy counts.
//  4. Intervals: every published count carries its 95 % interval from the
//     noise distribution — the library's Laplace interval for a measured
//     count (a numerator), the exact interval of the sum of two draws for a
//     denominator (met + not met). The fitting moves a group's count by a
//     share of the difference between the overall count and its groups'
//     sum, usually well inside the interval; the interval is stated as that
//     of the noise, not of the fitting.
//
// Not published under differential privacy: medians (an exact median is a
// value of one person's units; a private one would need its own mechanism
// and budget, and these are days between two events, better served by the
// rate indicators' deadlines), and breakdowns by a dimension without a
// public list of values (language): publishing which groups exist would
// say who is there. Groups of the other dimensions are their full public
// list, with zeros noised like any count.

// Bounds on the budget a publisher may choose for one release.
const (
	MinEpsilon = 0.1
	MaxEpsilon = 20.0
)

// Private reports whether the profile adds differential privacy.
func (p Profile) Private() bool { return p.Bound > 0 }

// Options are what Build needs beyond the results and the profile.
type Options struct {
	// Domains lists the public values of dimensions (organisation ids,
	// area codes) for a private release; age band, gender, interpreter
	// and disability have theirs built in. A dimension with none is not
	// published privately.
	Domains map[string][]string
}

// builtinDomains are the dimensions whose values are a closed vocabulary.
func builtinDomains() map[string][]string {
	var genders []string
	for _, g := range accord.Genders {
		genders = append(genders, string(g))
	}
	return map[string][]string{
		"age_band":    {"0-17", "18-24", "25-34", "35-49", "50-64", "65+"},
		"gender":      genders,
		"interpreter": {"needed", "not_needed"},
		"disability":  {"no", "yes"},
	}
}

// noiseScale is one noisy table's parameters.
type noiseScale struct {
	bound   int64
	epsilon float64 // per table
	alpha   float64 // 1 − confidence
}

func (s noiseScale) add(x int64) (int64, error) {
	return noise.Laplace().AddNoiseInt64(x, 1, s.bound, s.epsilon, 0)
}

// interval is the interval of a published count v: a measured one
// (sum false) or a sum of two measured ones; never below 0, since no count
// is.
func (s noiseScale) interval(v int64, sum bool) (*[2]int64, error) {
	if !sum {
		ci, err := noise.Laplace().ComputeConfidenceIntervalInt64(v, 1, s.bound, s.epsilon, 0, s.alpha)
		if err != nil {
			return nil, err
		}
		return &[2]int64{max(0, int64(math.Floor(ci.LowerBound))), int64(math.Ceil(ci.UpperBound))}, nil
	}
	h := int64(math.Ceil(sumHalfWidth(float64(s.bound)/s.epsilon, s.alpha)))
	return &[2]int64{max(0, v-h), v + h}, nil
}

// sumHalfWidth is the t with P(|X+Y| > t) = alpha for independent
// Laplace(b) draws X and Y: that tail is e^(−t/b)·(1 + t/(2b)).
func sumHalfWidth(b, alpha float64) float64 {
	lo, hi := 0.0, b
	for math.Exp(-hi/b)*(1+hi/(2*b)) > alpha {
		hi *= 2
	}
	for range 100 {
		mid := (lo + hi) / 2
		if math.Exp(-mid/b)*(1+mid/(2*b)) > alpha {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// privateResults are the results as a private release sees them: noisy,
// fitted counts, medians and dimensions without a domain left out.
type privateResults struct {
	results  []Result
	withheld []string // dimensions not published
	tables   int
	scale    noiseScale
}

// privatize noises the results of rate indicators (see the package
// comment above). Results must be bounded already.
func privatize(results []Result, p Profile, o Options) (*privateResults, error) {
	if math.IsNaN(p.Epsilon) || p.Epsilon < MinEpsilon || p.Epsilon > MaxEpsilon {
		return nil, fmt.Errorf("indicator: epsilon must be between %g and %g", MinEpsilon, MaxEpsilon)
	}
	if p.Confidence <= 0 || p.Confidence >= 1 {
		return nil, errors.New("indicator: the confidence level must be between 0 and 1")
	}
	domains := builtinDomains()
	for k, v := range o.Domains {
		domains[k] = v
	}
	pr := &privateResults{}
	// Count the tables first: the budget is split over all of them.
	for _, r := range results {
		if r.Indicator.Measure != accord.MeasureRate {
			continue
		}
		pr.tables++
		for _, bd := range r.Breakdown {
			if _, ok := domains[bd.Dimension]; ok {
				pr.tables++
			} else if !slices.Contains(pr.withheld, bd.Dimension) {
				pr.withheld = append(pr.withheld, bd.Dimension)
			}
		}
	}
	if pr.tables == 0 {
		pr.results = results
		return pr, nil
	}
	pr.scale = noiseScale{bound: p.Bound, epsilon: p.Epsilon / float64(pr.tables), alpha: 1 - p.Confidence}
	for _, r := range results {
		out := Result{Indicator: r.Indicator, Period: r.Period}
		if r.Indicator.Measure != accord.MeasureRate {
			pr.results = append(pr.results, out) // withheld: no figures
			continue
		}
		met, err := pr.scale.add(r.Overall.Num)
		if err != nil {
			return nil, err
		}
		not, err := pr.scale.add(r.Overall.Den - r.Overall.Num)
		if err != nil {
			return nil, err
		}
		met, not = max(met, 0), max(not, 0)
		out.Overall = rateFigure(met, met+not)
		for _, bd := range r.Breakdown {
			domain, ok := domains[bd.Dimension]
			if !ok {
				continue
			}
			names := append(slices.Clone(domain), accord.NotRecorded)
			slices.SortFunc(names, compareValues)
			names = slices.Compact(names)
			gm, gn := make([]int64, len(names)), make([]int64, len(names))
			for _, g := range bd.Groups {
				k := slices.Index(names, g.Name)
				if k < 0 {
					k = slices.Index(names, accord.NotRecorded) // not on the public list
				}
				gm[k] += g.Num
				gn[k] += g.Den - g.Num
			}
			for k := range names {
				if gm[k], err = pr.scale.add(gm[k]); err != nil {
					return nil, err
				}
				if gn[k], err = pr.scale.add(gn[k]); err != nil {
					return nil, err
				}
			}
			gm, gn = fit(gm, met), fit(gn, not)
			nb := Breakdown{Dimension: bd.Dimension}
			for k, name := range names {
				g := Group{Name: name, Figure: rateFigure(gm[k], gm[k]+gn[k])}
				if g.Has && out.Overall.Has {
					g.Gap = g.Value - out.Overall.Value
					g.Worse = worse(r.Indicator.Direction, g.Gap)
				}
				nb.Groups = append(nb.Groups, g)
			}
			out.Breakdown = append(out.Breakdown, nb)
		}
		out.Met = out.Overall.Has && r.Indicator.Met(out.Overall.Value)
		pr.results = append(pr.results, out)
	}
	return pr, nil
}

func rateFigure(num, den int64) Figure {
	f := Figure{Num: num, Den: den, Has: den > 0}
	if f.Has {
		f.Value = float64(num) / float64(den)
	}
	return f
}

// fit returns the non-negative integers nearest to the noisy counts x that
// add up to total (≥ 0): negatives become 0, then the difference is spread
// one at a time to the counts furthest below (or above) their noisy value.
func fit(x []int64, total int64) []int64 {
	y := make([]int64, len(x))
	var sum int64
	for i, v := range x {
		y[i] = max(v, 0)
		sum += y[i]
	}
	if len(y) == 0 {
		return y
	}
	// Far off (a huge noise draw): scale first, so the loop below takes
	// at most one step per count.
	if d := total - sum; d > int64(len(y)) || -d > int64(len(y)) {
		var s int64
		for i := range y {
			if sum > 0 {
				y[i] = int64(float64(y[i]) * float64(total) / float64(sum))
			} else {
				y[i] = total / int64(len(y))
			}
			s += y[i]
		}
		sum = s
	}
	for sum < total {
		best := 0
		for i := range y {
			if x[i]-y[i] > x[best]-y[best] {
				best = i
			}
		}
		y[best]++
		sum++
	}
	for sum > total {
		best := -1
		for i := range y {
			if y[i] > 0 && (best < 0 || x[i]-y[i] < x[best]-y[best]) {
				best = i
			}
		}
		y[best]--
		sum--
	}
	return y
}
