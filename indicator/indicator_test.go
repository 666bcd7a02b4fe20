package indicator_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/indicator"
	"github.com/accord-project/accord/internal/cputime"
)

var update = flag.Bool("update", false, "rewrite golden files")

var q3 = accord.Period{Year: 2026, Quarter: 3}

func day(d int) time.Time { return q3.Start().AddDate(0, 0, d) }

// dims is the dimension array of a fact: age band, gender, language,
// interpreter, disability, organization.
func dims(age, gender, lang string) [len(accord.IndicatorDimensions)]string {
	return [len(accord.IndicatorDimensions)]string{age, gender, lang, "not_needed", "no", "org_a"}
}

func TestValidate(t *testing.T) {
	good := func() accord.Indicator {
		return accord.Indicator{ID: "x_rate", Title: "X", Unit: "referral", Measure: "rate", Denominator: "referral.sent",
			Numerator: "referral.completed", Target: 0.5, Direction: "higher", Dimensions: []string{"gender"}}
	}
	for _, tc := range []struct {
		name   string
		change func(d *accord.Indicator)
		field  string
	}{
		{"valid", func(d *accord.Indicator) {}, ""},
		{"unknown unit", func(d *accord.Indicator) { d.Unit = "visit" }, "unit"},
		{"unknown event", func(d *accord.Indicator) { d.Numerator = "referral.teleported" }, "numerator"},
		{"event of another unit", func(d *accord.Indicator) { d.Denominator = "escalation.raised" }, "denominator"},
		{"immigration status as a dimension", func(d *accord.Indicator) { d.Dimensions = []string{"gender", "immigration_status"} }, "dimensions"},
		{"undeclared dimension", func(d *accord.Indicator) { d.Dimensions = []string{"religion"} }, "dimensions"},
		{"dimension twice", func(d *accord.Indicator) { d.Dimensions = []string{"gender", "gender"} }, "dimensions"},
		{"rate target above 1", func(d *accord.Indicator) { d.Target = 70 }, "target"},
		{"unknown measure", func(d *accord.Indicator) { d.Measure = "mean" }, "measure"},
		{"median without to", func(d *accord.Indicator) { d.Measure = "median_days"; d.Numerator = "" }, "to"},
		{"bad direction", func(d *accord.Indicator) { d.Direction = "up" }, "direction"},
		{"bad id", func(d *accord.Indicator) { d.ID = "Referral Rate" }, "id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := good()
			tc.change(&d)
			err := d.Validate()
			var e *accord.Error
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("refused a valid definition: %v", err)
			case tc.field != "" && !errors.As(err, &e):
				t.Fatalf("err = %v, want an EINVALID naming %s", err, tc.field)
			case tc.field != "" && (e.Code != accord.EINVALID || e.Field != tc.field):
				t.Errorf("code %s field %q, want invalid %q (%v)", e.Code, e.Field, tc.field, err)
			}
		})
	}
	for _, d := range indicator.Default() {
		if err := d.Validate(); err != nil {
			t.Errorf("default indicator %s: %v", d.ID, err)
		}
	}
}

func TestComputer(t *testing.T) {
	defs := []accord.Indicator{
		{ID: "ack_in_time", Title: "Acknowledged in time", Unit: "escalation", Measure: "rate", Denominator: "escalation.raised",
			Numerator: "escalation.acknowledged", WithinDeadline: true, Target: 0.9, Direction: "higher", Dimensions: []string{"gender"}},
		{ID: "days_to_accept", Title: "Days to acceptance", Unit: "referral", Measure: "median_days", Denominator: "referral.sent",
			To: "referral.accepted", Target: 2, Direction: "lower", Dimensions: []string{"language"}},
	}
	esc := func(raised, ack, deadline time.Time, gender string) *accord.IndicatorFact {
		return &accord.IndicatorFact{Unit: "escalation", At: [4]time.Time{raised, ack}, Deadline: deadline, Dims: dims("25-34", gender, "ar")}
	}
	ref := func(sent, accepted time.Time, lang string) *accord.IndicatorFact {
		return &accord.IndicatorFact{Unit: "referral", At: [4]time.Time{sent, accepted}, Dims: dims("25-34", "woman", lang)}
	}
	facts := []*accord.IndicatorFact{
		esc(day(1), day(1).Add(time.Hour), day(1).Add(2*time.Hour), "woman"),    // in time
		esc(day(2), day(2).Add(3*time.Hour), day(2).Add(2*time.Hour), "woman"),  // late
		esc(day(3), time.Time{}, day(3).Add(2*time.Hour), "man"),                // never
		esc(day(4), day(4).Add(2*time.Hour), day(4).Add(2*time.Hour), ""),       // on the deadline: in time; gender not recorded
		esc(day(-1), day(-1).Add(time.Hour), day(-1).Add(2*time.Hour), "woman"), // Q2: not in Q3
		ref(day(0), day(1), "ar"),      // 1 day
		ref(day(0), day(3), "ar"),      // 3 days
		ref(day(5), day(10), "es"),     // 5 days
		ref(day(6), time.Time{}, "es"), // not accepted yet: not in the median
		{Unit: "grievance", At: [4]time.Time{day(1)}, Dims: dims("", "", "")}, // no indicator over it
	}
	c, err := indicator.NewComputer(defs, []accord.Period{q3})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range facts {
		c.Add(f)
	}
	got := c.Results()
	gap := func(v float64) float64 { return v }
	want := []indicator.Result{
		{Indicator: defs[0], Period: q3, Overall: indicator.Figure{Num: 2, Den: 4, Value: 0.5, Has: true}, Met: false,
			Breakdown: []indicator.Breakdown{{Dimension: "gender", Groups: []indicator.Group{
				{Name: "man", Figure: indicator.Figure{Num: 0, Den: 1, Value: 0, Has: true}, Gap: gap(-0.5), Worse: true},
				{Name: "woman", Figure: indicator.Figure{Num: 1, Den: 2, Value: 0.5, Has: true}},
				{Name: "not_recorded", Figure: indicator.Figure{Num: 1, Den: 1, Value: 1, Has: true}, Gap: 0.5},
			}}}},
		{Indicator: defs[1], Period: q3, Overall: indicator.Figure{Num: 0, Den: 3, Value: 3, Has: true}, Met: false,
			Breakdown: []indicator.Breakdown{{Dimension: "language", Groups: []indicator.Group{
				{Name: "ar", Figure: indicator.Figure{Den: 2, Value: 2, Has: true}, Gap: -1},
				{Name: "es", Figure: indicator.Figure{Den: 1, Value: 5, Has: true}, Gap: 2, Worse: true},
			}}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

func TestNewComputerRefusesBadDefinitions(t *testing.T) {
	d := indicator.Default()
	d[1].Dimensions = append(d[1].Dimensions, "immigration_status")
	_, err := indicator.NewComputer(d, []accord.Period{q3})
	var e *accord.Error
	if !errors.As(err, &e) || e.Field != "dimensions" {
		t.Fatalf("err = %v, want the dimensions field named", err)
	}
	d = indicator.Default()
	d = append(d, d[0])
	if _, err := indicator.NewComputer(d, []accord.Period{q3}); err == nil {
		t.Error("accepted an indicator defined twice")
	}
}

// syntheticFacts is a quarter of activity with small groups (a rare
// language, non-binary people) so that suppression has work to do.
func syntheticFacts(n int, seed uint64) []*accord.IndicatorFact {
	rng := rand.New(rand.NewPCG(seed, 1))
	langs := []string{"en", "en", "en", "ar", "ar", "es", "fr", "uk", "prs", "ti"}
	genders := []string{"woman", "woman", "man", "man", "non_binary", "not_stated"}
	ages := []string{"0-17", "18-24", "25-34", "35-49", "50-64", "65+"}
	orgs := []string{"org_clinic", "org_legal", "org_ngo", "org_social"}
	areas := []string{"riverside", "northside", "old-town", "not_recorded", "mill-island"}
	pick := func(xs []string) string {
		if rng.IntN(40) == 0 {
			return xs[len(xs)-1] // a rare value: small cells
		}
		return xs[rng.IntN(len(xs)-1)]
	}
	var out []*accord.IndicatorFact
	for i := range n {
		t0 := day(rng.IntN(90)).Add(time.Duration(rng.IntN(86400)) * time.Second)
		after := func(maxDays int, p float64) time.Time {
			if rng.Float64() > p {
				return time.Time{}
			}
			return t0.Add(time.Duration(rng.IntN(maxDays*24)+1) * time.Hour)
		}
		interp := "not_needed"
		if rng.IntN(4) == 0 {
			interp = "needed"
		}
		d := [len(accord.IndicatorDimensions)]string{pick(ages), pick(genders), pick(langs), interp, []string{"no", "yes"}[rng.IntN(2)], pick(orgs), pick(areas)}
		units := []string{"referral", "escalation", "intake", "interpreter", "need", "grievance", "disclosure", "break_glass", "treatment"}
		f := &accord.IndicatorFact{Unit: units[i%len(units)], Dims: d}
		switch f.Unit {
		case "referral":
			f.At = [4]time.Time{t0, after(6, 0.9), after(40, 0.7)}
		case "escalation":
			f.At = [4]time.Time{t0, after(1, 0.95)}
			f.Deadline = t0.Add(12 * time.Hour)
		case "need":
			f.At = [4]time.Time{t0.AddDate(0, -2, 0), t0, after(1, 0.5)}
			f.At[2] = f.At[1]
			if rng.IntN(2) == 0 {
				f.At[2] = time.Time{}
			}
		default:
			f.At = [4]time.Time{t0, after(30, 0.8)}
			f.Deadline = t0.AddDate(0, 0, 20)
		}
		out = append(out, f)
	}
	return out
}

func build(t testing.TB, facts []*accord.IndicatorFact, p indicator.Profile) indicator.Release {
	c, err := indicator.NewComputer(indicator.Default(), []accord.Period{q3})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range facts {
		c.Add(f)
	}
	rel, err := indicator.Build(c.Results(), p)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// TestReleaseRecoversNothing is the adversary the release must defeat: it
// knows every published figure and every relation between them (groups add
// up to the total, within every table, across tables over the same
// people), and solves exactly for the hidden counts.
func TestReleaseRecoversNothing(t *testing.T) {
	for _, name := range []string{"standard", "round5"} {
		for seed := range uint64(5) {
			t.Run(fmt.Sprint(name, "/", seed), func(t *testing.T) {
				p := indicator.Profiles[name]
				rel := build(t, syntheticFacts(3000, seed), p)
				shown, hidden := checkRelease(t, rel, p)
				if hidden == 0 || shown == 0 {
					t.Fatalf("the synthetic data should give both shown (%d) and hidden (%d) figures", shown, hidden)
				}
				if p.RoundTo == 0 {
					if got := recover(rel); len(got) > 0 {
						t.Errorf("the adversary recovered %v", got)
					}
				}
			})
		}
	}
}

// checkRelease fails the test for any count from 1 to the threshold in
// rel and any rate shown without both its counts, and returns how many
// figures are shown and hidden.
func checkRelease(t *testing.T, rel indicator.Release, p indicator.Profile) (shown, hidden int) {
	t.Helper()
	for _, ind := range rel.Indicators {
		for _, c := range cells(ind) {
			for _, v := range []*int64{c.Num, c.Den} {
				if v != nil && *v >= 1 && *v <= p.Threshold {
					t.Errorf("%s: a count of %d is published", ind.ID, *v)
				}
			}
			if c.Value != nil && ind.Measure == accord.MeasureRate && (c.Num == nil || c.Den == nil) {
				t.Errorf("%s: a rate is shown without both its counts", ind.ID)
			}
			if c.Suppressed {
				hidden++
			} else {
				shown++
			}
		}
	}
	return shown, hidden
}

func cells(p indicator.Published) []indicator.Cell {
	out := []indicator.Cell{p.Overall}
	for _, d := range p.Breakdown {
		for _, g := range d.Groups {
			out = append(out, g.Cell)
		}
	}
	return out
}

// recover solves the published release's linear relations over the
// rationals and returns the hidden counts it pins down.
func recover(rel indicator.Release) map[string]int64 {
	col := map[string]int{}
	var names []string
	var eqs []map[string]int64 // unknown → coefficient, "" → constant
	val := func(key string, v *int64, eq map[string]int64, sign int64) {
		if v != nil {
			eq[""] -= sign * *v
			return
		}
		if _, ok := col[key]; !ok {
			col[key] = len(names)
			names = append(names, key)
		}
		eq[key] += sign
	}
	for _, p := range rel.Indicators {
		if p.Measure != accord.MeasureRate {
			continue
		}
		popKey := p.Unit + "|den"
		for _, d := range p.Breakdown {
			den := map[string]int64{}
			num := map[string]int64{}
			val(popKey, p.Overall.Den, den, 1)
			val(p.ID+"|num", p.Overall.Num, num, 1)
			for _, g := range d.Groups {
				val(popKey+"|"+d.Dimension+"="+g.Name, g.Den, den, -1)
				val(p.ID+"|"+d.Dimension+"="+g.Name+"|num", g.Num, num, -1)
			}
			eqs = append(eqs, den, num)
		}
	}
	n := len(names)
	var rows [][]*big.Rat
	for _, e := range eqs {
		row := make([]*big.Rat, n+1)
		for j := range row {
			row[j] = new(big.Rat)
		}
		for k, v := range e {
			if k == "" {
				row[n].SetInt64(v)
			} else {
				row[col[k]].SetInt64(v)
			}
		}
		rows = append(rows, row)
	}
	r := 0
	var pivots []int
	for c := 0; c < n && r < len(rows); c++ {
		p := -1
		for i := r; i < len(rows); i++ {
			if rows[i][c].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		rows[r], rows[p] = rows[p], rows[r]
		inv := new(big.Rat).Inv(rows[r][c])
		for j := range rows[r] {
			rows[r][j].Mul(rows[r][j], inv)
		}
		for i := range rows {
			if i != r && rows[i][c].Sign() != 0 {
				f := new(big.Rat).Set(rows[i][c])
				for j := range rows[i] {
					rows[i][j].Sub(rows[i][j], new(big.Rat).Mul(f, rows[r][j]))
				}
			}
		}
		pivots = append(pivots, c)
		r++
	}
	got := map[string]int64{}
	for i, c := range pivots {
		alone := true
		for j := range n {
			if j != c && rows[i][j].Sign() != 0 {
				alone = false
			}
		}
		if alone {
			got[names[c]] = rows[i][n].Num().Int64()
		}
	}
	return got
}

func TestReleaseCSV(t *testing.T) {
	rel := build(t, syntheticFacts(900, 7), indicator.Profiles["standard"])
	var buf bytes.Buffer
	if err := rel.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "release.csv")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("CSV (-want +got):\n%s", diff)
	}
}

func TestBuildRefusesMixedPeriods(t *testing.T) {
	c, _ := indicator.NewComputer(indicator.Default()[:1], []accord.Period{q3, q3.Prev()})
	if _, err := indicator.Build(c.Results(), indicator.Profiles["standard"]); err == nil {
		t.Error("built one release from two periods")
	}
}

// BenchmarkComputer counts the full default suite with every breakdown
// over facts streamed in, as storage would.
func BenchmarkComputer(b *testing.B) {
	facts := syntheticFacts(1_000_000, 1)
	b.ResetTimer()
	cpu := cputime.Process()
	for b.Loop() {
		c, err := indicator.NewComputer(indicator.Default(), []accord.Period{q3})
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range facts {
			c.Add(f)
		}
		if _, err := indicator.Build(c.Results(), indicator.Profiles["standard"]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cputime.Process()-cpu)/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(len(facts))*float64(b.N)/b.Elapsed().Seconds(), "facts/s")
}
