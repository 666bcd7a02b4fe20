package indicator_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/indicator"
	"github.com/accord-project/accord/internal/cputime"
)

// referralCompletion counts referral completion for the facts with a bound
// of 2 (0: none) and returns its overall figure.
func referralCompletion(t *testing.T, facts []*accord.IndicatorFact, bound int64) indicator.Figure {
	t.Helper()
	defs := indicator.Default()[1:2] // referral_completion
	c, err := indicator.NewComputer(defs, []accord.Period{q3})
	if err != nil {
		t.Fatal(err)
	}
	if bound > 0 {
		c.BoundContributions(bound, q3.String())
	}
	for _, f := range facts {
		c.Add(f)
	}
	return c.Results()[0].Overall
}

func TestBoundContributions(t *testing.T) {
	referral := func(person uint64, d int, completed bool) *accord.IndicatorFact {
		f := &accord.IndicatorFact{Unit: "referral", Person: person, Dims: dims("25-34", "woman", "ar")}
		f.At[0] = day(d).Add(time.Duration(person) * time.Minute)
		if completed {
			f.At[2] = f.At[0].Add(48 * time.Hour)
		}
		return f
	}
	var facts []*accord.IndicatorFact
	for d := range 40 { // one person, forty referrals, half completed
		facts = append(facts, referral(7, d, d%2 == 0))
	}
	for p := range uint64(5) { // five people with one each
		facts = append(facts, referral(100+p, 3, true))
	}
	for range 3 { // three anonymous units: each its own person
		facts = append(facts, referral(0, 5, false))
	}
	t.Run("unbounded counts every unit", func(t *testing.T) {
		if got := referralCompletion(t, facts, 0); got.Den != 48 {
			t.Errorf("denominator %d, want 48", got.Den)
		}
	})
	t.Run("a person counts at most the bound", func(t *testing.T) {
		got := referralCompletion(t, facts, 2)
		if got.Den != 2+5+3 {
			t.Errorf("denominator %d, want 10: the busy person at most twice", got.Den)
		}
		if got.Num < 5 || got.Num > 7 {
			t.Errorf("numerator %d, want 5 to 7", got.Num)
		}
	})
	t.Run("the kept units do not depend on the order facts arrive in", func(t *testing.T) {
		want := referralCompletion(t, facts, 2)
		rng := rand.New(rand.NewPCG(3, 4))
		for range 10 {
			shuffled := slices.Clone(facts)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			if diff := cmp.Diff(want, referralCompletion(t, shuffled, 2)); diff != "" {
				t.Fatalf("shuffled (-want +got):\n%s", diff)
			}
		}
	})
}

// privateFacts are syntheticFacts with a person each, some people with
// several units.
func privateFacts(n int, seed uint64) []*accord.IndicatorFact {
	facts := syntheticFacts(n, seed)
	rng := rand.New(rand.NewPCG(seed, 9))
	for _, f := range facts {
		if f.Unit != "grievance" {
			f.Person = 1 + rng.Uint64N(uint64(n)/2)
		}
	}
	return facts
}

func buildPrivate(t *testing.T, facts []*accord.IndicatorFact, epsilon float64) (indicator.Release, []indicator.Result) {
	t.Helper()
	p := indicator.Profiles["dp"]
	p.Epsilon = epsilon
	c, err := indicator.NewComputer(indicator.Default(), []accord.Period{q3})
	if err != nil {
		t.Fatal(err)
	}
	c.BoundContributions(p.Bound, q3.String())
	for _, f := range facts {
		c.Add(f)
	}
	opts := indicator.Options{Domains: map[string][]string{
		"organization": {"org_clinic", "org_legal", "org_ngo", "org_social"},
		"geography":    {"riverside", "northside", "old-town", "mill-island"},
	}}
	rel, err := indicator.BuildWith(c.Results(), p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rel, c.Results()
}

// TestPrivateReleaseRecoversNothing: a private release passes everything a
// release must (no small count, no recoverable hidden count), withholds
// medians and the language breakdown, and carries an interval for every
// count it shows.
func TestPrivateReleaseRecoversNothing(t *testing.T) {
	for seed := range uint64(3) {
		t.Run("seed"+string(rune('0'+seed)), func(t *testing.T) {
			rel, _ := buildPrivate(t, privateFacts(20000, seed), 5)
			p := rel.Profile
			if p.Name != "dp" || p.Epsilon != 5 {
				t.Fatalf("profile %+v", p)
			}
			shown, hidden := checkRelease(t, rel, p)
			if shown == 0 || hidden == 0 {
				t.Errorf("want both shown (%d) and hidden (%d) figures", shown, hidden)
			}
			if got := recover(rel); len(got) > 0 {
				t.Errorf("the adversary recovered %v", got)
			}
			if diff := cmp.Diff([]string{"language"}, rel.WithheldDimensions); diff != "" {
				t.Errorf("withheld dimensions (-want +got):\n%s", diff)
			}
			if rel.NoisyTables != 33 {
				t.Errorf("%d noisy tables, want 33 (7 rate indicators and their published dimensions)", rel.NoisyTables)
			}
			for _, ind := range rel.Indicators {
				if ind.Measure == accord.MeasureMedianDays {
					if !ind.Withheld || ind.Overall.Value != nil || len(ind.Breakdown) > 0 {
						t.Errorf("%s: a median is published under differential privacy", ind.ID)
					}
					continue
				}
				for _, c := range cells(ind) {
					for _, x := range []struct {
						v  *int64
						ci *[2]int64
					}{{c.Num, c.NumCI}, {c.Den, c.DenCI}} {
						if (x.v == nil) != (x.ci == nil) {
							t.Fatalf("%s: count %v with interval %v", ind.ID, x.v, x.ci)
						}
						if x.v != nil && (x.ci[0] > *x.v || x.ci[1] < *x.v || x.ci[0] < 0) {
							t.Errorf("%s: count %d outside its interval %v", ind.ID, *x.v, *x.ci)
						}
					}
				}
			}
		})
	}
}

// TestPrivateReleaseIntervalsCover: over repeated private releases of the
// same data, the published intervals of the overall counts cover the true
// (bounded) counts about 95 % of the time.
func TestPrivateReleaseIntervalsCover(t *testing.T) {
	facts := privateFacts(20000, 1)
	var covered, total int
	for range 40 {
		rel, results := buildPrivate(t, facts, 2)
		for i, ind := range rel.Indicators {
			if ind.Withheld {
				continue
			}
			truth := results[i].Overall
			for _, x := range []struct {
				ci   *[2]int64
				true int64
			}{{ind.Overall.NumCI, truth.Num}, {ind.Overall.DenCI, truth.Den}} {
				if x.ci == nil {
					continue
				}
				total++
				if x.ci[0] <= x.true && x.true <= x.ci[1] {
					covered++
				}
			}
		}
	}
	if total < 200 {
		t.Fatalf("only %d intervals published", total)
	}
	t.Logf("the intervals covered the true count %d times of %d", covered, total)
	if share := float64(covered) / float64(total); share < 0.88 || share > 0.995 {
		t.Errorf("the intervals covered the true count %.1f %% of the time (%d of %d)", 100*share, covered, total)
	}
}

func TestPrivateReleaseRefusesBadEpsilon(t *testing.T) {
	for _, eps := range []float64{0, 0.01, 25} {
		p := indicator.Profiles["dp"]
		p.Epsilon = eps
		c, _ := indicator.NewComputer(indicator.Default(), []accord.Period{q3})
		if _, err := indicator.Build(c.Results(), p); err == nil {
			t.Errorf("built a private release with epsilon %g", eps)
		}
	}
}

// BenchmarkComputerPrivate is BenchmarkComputer for a private release:
// contributions bounded per person, then noise, fitting and suppression.
func BenchmarkComputerPrivate(b *testing.B) {
	facts := privateFacts(1_000_000, 1)
	p := indicator.Profiles["dp"]
	p.Epsilon = 4
	opts := indicator.Options{Domains: map[string][]string{"organization": {"org_clinic", "org_legal", "org_ngo", "org_social"}, "geography": {"riverside", "northside", "old-town", "mill-island"}}}
	b.ResetTimer()
	cpu := cputime.Process()
	for b.Loop() {
		c, err := indicator.NewComputer(indicator.Default(), []accord.Period{q3})
		if err != nil {
			b.Fatal(err)
		}
		c.BoundContributions(p.Bound, q3.String())
		for _, f := range facts {
			c.Add(f)
		}
		if _, err := indicator.BuildWith(c.Results(), p, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(len(facts))*float64(b.N)/b.Elapsed().Seconds(), "facts/s")
}
