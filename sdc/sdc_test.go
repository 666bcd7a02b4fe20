package sdc_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord/internal/sdctest"
	"github.com/accord-project/accord/sdc"
)

// checkSafe asserts what a reader of the release would care about: every
// small count is hidden, nothing hidden can be recovered, and what is
// shown is the true count (or its rounding).
func checkSafe(t *testing.T, r sdc.Release, p sdc.Profile, pub []sdc.Published) {
	t.Helper()
	for i, c := range r.Cells {
		small := c.Count >= 1 && c.Count <= p.Threshold
		if small && !pub[i].Suppressed {
			t.Errorf("%s = %d is small but published", c.Key, c.Count)
		}
		if pub[i].Primary != small {
			t.Errorf("%s: primary = %v, want %v", c.Key, pub[i].Primary, small)
		}
		if pub[i].Suppressed {
			if pub[i].Value != 0 {
				t.Errorf("%s is suppressed but carries the value %d", c.Key, pub[i].Value)
			}
			continue
		}
		want := p.Round(c.Count)
		if p.RoundTo > 1 && want >= 1 && want <= p.Threshold {
			t.Errorf("%s published as %d: a rounded count in the suppressed range", c.Key, want)
		}
		if p.RoundTo > 1 && (want%p.RoundTo != 0 || want-c.Count > p.RoundTo || c.Count-want > p.RoundTo/2) {
			t.Errorf("%s = %d rounded to %d", c.Key, c.Count, want)
		}
		if pub[i].Value != want {
			t.Errorf("%s published as %d, want %d", c.Key, pub[i].Value, want)
		}
	}
	if got := sdctest.Attack(r, pub); len(got) != 0 {
		t.Errorf("the adversary recovered suppressed counts: %v", got)
	}
	var sup []bool
	for _, x := range pub {
		sup = append(sup, x.Suppressed)
	}
	if got := sdc.Recoverable(r, sup); len(got) != 0 {
		t.Errorf("Recoverable reports %v after Protect", got)
	}
}

func TestProtect(t *testing.T) {
	langs := []string{"ar", "en", "es", "fr", "uk", "prs"}
	genders := []string{"female", "male", "non_binary", "not_stated"}
	outcomes := []string{"completed", "not_completed"}
	for _, tc := range []struct {
		name    string
		profile sdc.Profile
		build   func(b *sdc.Builder)
	}{
		{"one small cell in a 2x2 table", sdc.Standard, func(b *sdc.Builder) {
			b.CrossTab("referrals", "language", []string{"ar", "en"}, "outcome", outcomes, [][]int64{{3, 40}, {55, 60}})
		}},
		{"no small cells: nothing hidden", sdc.Standard, func(b *sdc.Builder) {
			b.CrossTab("referrals", "language", []string{"ar", "en"}, "outcome", outcomes, [][]int64{{30, 40}, {55, 60}})
		}},
		{"zeros are published", sdc.Standard, func(b *sdc.Builder) {
			b.CrossTab("referrals", "language", []string{"ar", "en"}, "outcome", outcomes, [][]int64{{0, 40}, {55, 60}})
		}},
		{"a whole small row", sdc.Standard, func(b *sdc.Builder) {
			b.CrossTab("referrals", "language", langs[:4], "outcome", outcomes, [][]int64{{4, 2}, {50, 61}, {33, 29}, {70, 12}})
		}},
		{"small cells in one column only", sdc.Standard, func(b *sdc.Builder) {
			b.CrossTab("referrals", "gender", genders, "outcome", outcomes, [][]int64{{120, 3}, {110, 5}, {40, 2}, {35, 30}})
		}},
		{"two tables sharing the outcome margin", sdc.Standard, func(b *sdc.Builder) {
			// 300 referrals, by language and by gender: the column totals
			// and grand total are the same cells in both tables.
			b.CrossTab("referrals", "language", []string{"ar", "en", "es"}, "outcome", outcomes, [][]int64{{8, 92}, {100, 30}, {20, 50}})
			b.CrossTab("referrals", "gender", []string{"female", "male", "non_binary"}, "outcome", outcomes, [][]int64{{60, 90}, {61, 78}, {7, 4}})
		}},
		{"round to 5", sdc.Round5, func(b *sdc.Builder) {
			b.CrossTab("referrals", "language", langs[:3], "outcome", outcomes, [][]int64{{9, 41}, {57, 63}, {22, 18}})
		}},
		{"threshold of 5", sdc.Profile{Threshold: 5}, func(b *sdc.Builder) {
			b.CrossTab("referrals", "language", langs[:3], "outcome", outcomes, [][]int64{{9, 41}, {5, 63}, {22, 18}})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := sdc.NewBuilder()
			tc.build(b)
			r, err := b.Release()
			if err != nil {
				t.Fatal(err)
			}
			pub, err := sdc.Protect(r, tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			checkSafe(t, r, tc.profile, pub)
		})
	}
}

// TestProtectHidesAsLittleAsNeeded pins the exact pattern for the
// textbook case, so a change that hides more than it must is noticed.
func TestProtectHidesAsLittleAsNeeded(t *testing.T) {
	b := sdc.NewBuilder()
	b.CrossTab("r", "lang", []string{"ar", "en", "es"}, "out", []string{"done", "not"}, [][]int64{{3, 40}, {55, 60}, {70, 80}})
	r, _ := b.Release()
	pub, err := sdc.Protect(r, sdc.Standard)
	if err != nil {
		t.Fatal(err)
	}
	var hidden []string
	for _, p := range pub {
		if p.Suppressed {
			hidden = append(hidden, p.Key)
		}
	}
	// The 3 is hidden; its row then gives it away, so the 40 goes too; its
	// column gives it away, so the 55 (smallest in the column); then the
	// 60, the last one alone in its row and column. Margins stay.
	want := []string{"r|lang=ar|out=done", "r|lang=ar|out=not", "r|lang=en|out=done", "r|lang=en|out=not"}
	if diff := cmp.Diff(want, hidden); diff != "" {
		t.Errorf("hidden cells (-want +got):\n%s", diff)
	}
}

func TestRecoverableFindsABridge(t *testing.T) {
	// Two hidden rectangles joined by a hidden cell: no line holds a single
	// hidden cell, yet the joining cell is recoverable by combining lines.
	counts := [][]int64{
		{20, 20, 0, 0},
		{20, 20, 20, 0},
		{0, 0, 20, 20},
		{0, 0, 20, 20},
	}
	b := sdc.NewBuilder()
	body := b.CrossTab("t", "row", []string{"a", "b", "c", "d"}, "col", []string{"w", "x", "y", "z"}, counts)
	r, _ := b.Release()
	sup := make([]bool, len(r.Cells))
	for i, row := range counts {
		for j, v := range row {
			if v != 0 {
				sup[body[i][j]] = true
			}
		}
	}
	got := sdc.Recoverable(r, sup)
	if diff := cmp.Diff([]int{body[1][2]}, got); diff != "" {
		t.Errorf("recoverable (-want +got):\n%s", diff)
	}
	pub, err := sdc.Protect(r, sdc.Profile{Threshold: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkSafe(t, r, sdc.Profile{Threshold: 1}, pub)
}

func TestBadRelease(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(b *sdc.Builder)
	}{
		{"two counts for one cell", func(b *sdc.Builder) { b.Cell("x", 3); b.Cell("x", 4) }},
		{"a negative count", func(b *sdc.Builder) { b.Cell("x", -1) }},
		{"parts that do not add up", func(b *sdc.Builder) {
			t := b.Cell("t", 10)
			b.Sum(t, b.Cell("a", 3), b.Cell("b", 4))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := sdc.NewBuilder()
			tc.build(b)
			if _, err := b.Release(); err == nil {
				t.Error("Release accepted an inconsistent release")
			}
		})
	}
	if _, err := sdc.Protect(sdc.Release{}, sdc.Profile{}); err == nil {
		t.Error("Protect accepted a threshold of 0")
	}
	if _, err := sdc.Protect(sdc.Release{Cells: []sdc.Cell{{Key: "a", Count: 1}}, Relations: []sdc.Relation{{Total: 0, Parts: []int{5}}}}, sdc.Standard); err == nil {
		t.Error("Protect accepted a relation naming a missing cell")
	}
}

// randomRelease is a release of one to three linked cross-tabulations.
func randomRelease(rng *rand.Rand, maxDim int) sdc.Release {
	b := sdc.NewBuilder()
	cols := []string{"c0", "c1", "c2", "c3"}[:2+rng.IntN(3)]
	tables := 1 + rng.IntN(3)
	// Tables share the column margin, so they must agree on column totals:
	// draw the first, then split each column total among the others' rows.
	var colTotals []int64
	for k := range tables {
		nrows := 2 + rng.IntN(maxDim-1)
		rows := make([]string, nrows)
		for i := range rows {
			rows[i] = fmt.Sprintf("r%d", i)
		}
		counts := make([][]int64, nrows)
		for i := range counts {
			counts[i] = make([]int64, len(cols))
		}
		if k == 0 {
			colTotals = make([]int64, len(cols))
			for i := range counts {
				for j := range cols {
					v := int64(rng.IntN(40))
					if rng.IntN(3) == 0 {
						v = int64(rng.IntN(12))
					}
					counts[i][j] = v
					colTotals[j] += v
				}
			}
		} else {
			for j := range cols {
				left := colTotals[j]
				for i := range nrows - 1 {
					v := int64(rng.IntN(int(left)/2 + 1))
					counts[i][j] = v
					left -= v
				}
				counts[nrows-1][j] = left
			}
		}
		b.CrossTab("pop", fmt.Sprintf("var%d", k), rows, "out", cols, counts)
	}
	r, err := b.Release()
	if err != nil {
		panic(err)
	}
	return r
}

func TestProtectRandomReleases(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		r := randomRelease(rng, 6)
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			pub, err := sdc.Protect(r, sdc.Standard)
			if err != nil {
				t.Fatal(err)
			}
			checkSafe(t, r, sdc.Standard, pub)
		})
	}
}

func FuzzProtect(f *testing.F) {
	f.Add(uint64(1), uint64(2), uint8(10))
	f.Add(uint64(7), uint64(9), uint8(1))
	f.Fuzz(func(t *testing.T, a, b uint64, threshold uint8) {
		p := sdc.Profile{Threshold: int64(threshold%20) + 1}
		r := randomRelease(rand.New(rand.NewPCG(a, b)), 5)
		pub, err := sdc.Protect(r, p)
		if err != nil {
			t.Fatal(err)
		}
		checkSafe(t, r, p, pub)
	})
}

// BenchmarkProtect10000 protects a release of 10,000 cells: a 99×99
// cross-tabulation with its margins, a third of its counts small.
func BenchmarkProtect10000(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 99
	rows := make([]string, n)
	for i := range rows {
		rows[i] = fmt.Sprint(i)
	}
	counts := make([][]int64, n)
	for i := range counts {
		counts[i] = make([]int64, n)
		for j := range counts[i] {
			counts[i][j] = int64(11 + rng.IntN(200))
			if rng.IntN(3) == 0 {
				counts[i][j] = int64(rng.IntN(11))
			}
		}
	}
	bl := sdc.NewBuilder()
	bl.CrossTab("pop", "a", rows, "b", rows, counts)
	r, err := bl.Release()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(r.Cells)), "cells")
	for b.Loop() {
		if _, err := sdc.Protect(r, sdc.Standard); err != nil {
			b.Fatal(err)
		}
	}
}
