package match

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// million is the benchmark's data, built once: 1,000,000 generated clients
// indexed under their keys as the storage layer would (key → client ids),
// and 2,000 returning people and 2,000 strangers to look up, drawn with the
// seed benchSeed returns.
var million = sync.OnceValue(func() *benchData {
	w := newWorld(benchSeed())
	pop := w.population(1_000_000)
	d := &benchData{ix: newIndex(pop)}
	d.queries = makeQueries(w, pop, 2000, 2000)
	return d
})

// benchSeed is the generator's seed for the benchmarks: ACCORD_MATCH_SEED,
// or 7.
func benchSeed() uint64 {
	if s := os.Getenv("ACCORD_MATCH_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			panic(fmt.Sprintf("ACCORD_MATCH_SEED=%q: %v", s, err))
		}
		return n
	}
	return 7
}

type benchData struct {
	ix      *index
	queries []query
}

// BenchmarkCandidates measures the pure part of a duplicate search at
// intake over 1,000,000 clients: compute the query's keys, gather the
// clients sharing one (from an in-memory map standing for the key table),
// and Rank them. It reports the latency percentiles of one search and the
// average number of keys, bucket entries and distinct candidates.
//
//	go test -run '^$' -bench Candidates -benchtime 20000x ./match/
func BenchmarkCandidates(b *testing.B) {
	for _, limit := range []int{0, 1000} {
		name := "all-keys"
		if limit > 0 {
			name = fmt.Sprintf("keys-under-%d", limit)
		}
		b.Run(name, func(b *testing.B) { benchmarkCandidates(b, limit) })
	}
}

// benchmarkCandidates searches as the storage layer would, skipping the
// keys whose bucket holds more than limit clients (none when limit is 0).
func benchmarkCandidates(b *testing.B, limit int) {
	d := million()
	b.ResetTimer()
	samples := make([]time.Duration, 0, b.N)
	keys, entries, cands := 0, 0, 0
	for i := range b.N {
		q := d.queries[i%len(d.queries)]
		t0 := time.Now()
		ks := d.ix.usable(Keys(q.Person), limit)
		for _, k := range ks {
			entries += len(d.ix.byKey[k])
		}
		c := d.ix.candidates(ks)
		Show(q.Person, c)
		samples = append(samples, time.Since(t0))
		keys += len(ks)
		cands += len(c)
	}
	b.StopTimer()
	slices.Sort(samples)
	ms := func(p float64) float64 {
		return float64(samples[min(int(p*float64(len(samples))), len(samples)-1)].Microseconds()) / 1000
	}
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(ms(1), "max-ms")
	b.ReportMetric(float64(keys)/float64(b.N), "keys/query")
	b.ReportMetric(float64(entries)/float64(b.N), "entries/query")
	b.ReportMetric(float64(cands)/float64(b.N), "candidates/query")
}

// BenchmarkScore measures one comparison, the unit of Rank's work.
func BenchmarkScore(b *testing.B) {
	q := Person{GivenName: "Abd al-Rahman", FamilyName: "Al-Hassan", BirthDate: "1990-03-15", Phone: "+44 7911 123456"}
	c := Person{GivenName: "Abdirahman", FamilyName: "Xasan", BirthDate: "1990", Phone: "07911 123456"}
	for b.Loop() {
		Score(q, c)
	}
}

// BenchmarkMillion reports precision and recall over the 1,000,000
// clients of the benchmark, and the sizes of the key buckets. It takes a
// minute and half a gigabyte, so it is a benchmark (go test runs it only
// when asked): go test -run '^$' -bench Million -benchtime 1x -v ./match/
// The generator's seed is ACCORD_MATCH_SEED (7 when unset):
// ACCORD_MATCH_SEED=8 go test -run '^$' -bench Million -benchtime 1x -v ./match/
func BenchmarkMillion(t *testing.B) {
	d := million()
	t.Logf("seed %d", benchSeed())
	for _, limit := range []int{0, 1000} {
		for _, th := range []float64{0.3, 0.4, DefaultThreshold, 0.5, 0.7} {
			e := evaluate(d.ix, d.queries, th, limit)
			t.Logf("keys with buckets under %d (0: all), threshold %.2f:\n%s", limit, th, e.report())
		}
	}
	t.Log("\n" + bucketReport(d.ix))
}

// bucketReport gives, for each type of key, the number of keys and the
// distribution of their buckets' sizes, with the largest buckets.
func bucketReport(ix *index) string {
	sizes := map[string][]int{}
	largest := map[string][]string{}
	for k, ids := range ix.byKey {
		typ := k[:1]
		sizes[typ] = append(sizes[typ], len(ids))
		largest[typ] = append(largest[typ], fmt.Sprintf("%s (%d)", k, len(ids)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-4s %9s %7s %5s %5s %6s %6s  largest\n", "type", "keys", "mean", "p50", "p99", "p99.9", "max")
	types := []string{"n", "y", "d", "p", "i"}
	for _, typ := range types {
		s := sizes[typ]
		if len(s) == 0 {
			continue
		}
		sort.Ints(s)
		sum := 0
		for _, n := range s {
			sum += n
		}
		l := largest[typ]
		sort.Slice(l, func(i, j int) bool {
			return bucketSize(l[i]) > bucketSize(l[j]) || bucketSize(l[i]) == bucketSize(l[j]) && l[i] < l[j]
		})
		fmt.Fprintf(&b, "%-4s %9d %7.1f %5d %5d %6d %6d  %s\n", typ, len(s), float64(sum)/float64(len(s)),
			s[len(s)/2], s[len(s)*99/100], s[len(s)*999/1000], s[len(s)-1], strings.Join(l[:min(3, len(l))], ", "))
	}
	return b.String()
}

func bucketSize(s string) int {
	var n int
	fmt.Sscanf(s[strings.LastIndex(s, "(")+1:], "%d", &n)
	return n
}
