package indicator

import (
	"math"
	"testing"
)

// TestNoiseIntervals checks the noise and its intervals statistically, with
// fixed trial counts and generous bounds: a 95 % interval must cover the
// true count about 95 % of the time.
func TestNoiseIntervals(t *testing.T) {
	const trials = 2000
	s := noiseScale{bound: 2, epsilon: 0.5, alpha: 0.05}
	for _, tc := range []struct {
		name string
		sum  bool // the count is the sum of two noised counts
	}{
		{"measured count", false},
		{"sum of two counts", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const truth = 120
			covered := 0
			var absErr float64
			for range trials {
				v, err := s.add(truth / 2)
				if err != nil {
					t.Fatal(err)
				}
				if tc.sum {
					w, err := s.add(truth / 2)
					if err != nil {
						t.Fatal(err)
					}
					v += w
				} else {
					v += truth / 2
				}
				ci, err := s.interval(v, tc.sum)
				if err != nil {
					t.Fatal(err)
				}
				if ci[0] > v || ci[1] < v {
					t.Fatalf("interval %v does not contain its own count %d", *ci, v)
				}
				if ci[0] <= truth && truth <= ci[1] {
					covered++
				}
				absErr += math.Abs(float64(v - truth))
			}
			t.Logf("covered %d of %d", covered, trials)
			if share := float64(covered) / trials; share < 0.90 || share > 0.99 {
				t.Errorf("the 95 %% interval covered the true count %.1f %% of the time", 100*share)
			}
			// The noise is really there: mean |error| of Laplace(4) is 4
			// (twice that, roughly, for a sum).
			if mean := absErr / trials; mean < 2 {
				t.Errorf("mean absolute error %.2f: the counts are hardly noised", mean)
			}
		})
	}
	t.Run("huge epsilon", func(t *testing.T) {
		huge := noiseScale{bound: 2, epsilon: 1e9, alpha: 0.05}
		for x := range int64(200) {
			v, err := huge.add(x)
			if err != nil {
				t.Fatal(err)
			}
			if v != x {
				t.Fatalf("noised %d as %d with epsilon 1e9", x, v)
			}
		}
	})
}

func TestFit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		x     []int64
		total int64
	}{
		{"already adds up", []int64{5, 7, 8}, 20},
		{"negatives and short", []int64{-4, 30, 2}, 40},
		{"too much", []int64{50, 60, -1}, 20},
		{"total zero", []int64{3, -2, 9}, 0},
		{"all negative", []int64{-3, -2, -9}, 17},
		{"far off", []int64{1000, 3, 2}, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := fit(tc.x, tc.total)
			var sum int64
			for i, v := range y {
				if v < 0 {
					t.Errorf("fit gave %d a negative count", i)
				}
				sum += v
			}
			if sum != tc.total {
				t.Errorf("fit(%v, %d) = %v adds up to %d", tc.x, tc.total, y, sum)
			}
		})
	}
}
