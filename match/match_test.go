package match

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/accord-project/accord"
)

// index is the storage layer's key table, in memory: key → clients.
type index struct {
	people []person
	byKey  map[string][]int32
}

func newIndex(pop []person) *index {
	ix := &index{people: pop, byKey: make(map[string][]int32, len(pop)*3)}
	for i := range pop {
		for _, k := range Keys(pop[i].Person) {
			ix.byKey[k] = append(ix.byKey[k], int32(i))
		}
	}
	return ix
}

// usable returns the keys whose bucket holds at most limit clients (all
// when limit is 0): the storage layer may skip larger ones, which cannot
// make anyone likely on their own since the probability is shared among the
// bucket.
func (ix *index) usable(keys []string, limit int) []string {
	if limit <= 0 {
		return keys
	}
	var out []string
	for _, k := range keys {
		if len(ix.byKey[k]) <= limit {
			out = append(out, k)
		}
	}
	return out
}

// candidates returns the clients sharing a key with keys, each once.
func (ix *index) candidates(keys []string) []Candidate {
	var ids []int32
	for _, k := range keys {
		ids = append(ids, ix.byKey[k]...)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make([]Candidate, len(ids))
	for i, id := range ids {
		out[i] = Candidate{ID: ix.people[id].id, Person: ix.people[id].Person}
	}
	return out
}

// query is a record typed at intake, with the client it is (want), or ""
// for someone not yet registered.
type query struct {
	Person
	want   string
	kind   string   // how it was made: "variant", or the kind of stranger
	errors []string // for a variant, the errors made
}

func makeQueries(w *world, pop []person, variants, strangers int) []query {
	var qs []query
	for range variants {
		p := pop[w.r.IntN(len(pop))]
		v, errs := w.variant(p)
		qs = append(qs, query{Person: v.Person, want: p.id, kind: "variant", errors: errs})
	}
	for range strangers {
		s, kind := w.stranger(pop)
		qs = append(qs, query{Person: s.Person, kind: kind})
	}
	return qs
}

type evaluation struct {
	variants, strangers int
	// found counts the variants whose client was shown in either band,
	// foundLikely in the likely band, foundCandidate among the candidates.
	found, foundLikely, foundCandidate int
	top1                               int // variants whose client was shown first
	// truePos and falsePos count shown candidates by band: 0 likely, 1
	// possible.
	truePos, falsePos [2]int
	candidates        int // summed over queries
	// byError counts, for each error, the variants with it, those found in
	// the likely band and those found in either.
	byError map[string][3]int
	// falseByKind counts false positives (either band) by the kind of query.
	falseByKind map[string]int
	misses      []string
}

// recall is the share of variants whose client was shown in either band.
func (e evaluation) recall() float64 { return float64(e.found) / float64(e.variants) }

// recallLikely is the share shown in the likely band.
func (e evaluation) recallLikely() float64 { return float64(e.foundLikely) / float64(e.variants) }

// precisionLikely is the share of the likely band that is the person sought.
func (e evaluation) precisionLikely() float64 {
	return float64(e.truePos[0]) / float64(e.truePos[0]+e.falsePos[0])
}

// precision is the share of all shown rows (both bands) that are the person.
func (e evaluation) precision() float64 {
	tp, fp := e.truePos[0]+e.truePos[1], e.falsePos[0]+e.falsePos[1]
	return float64(tp) / float64(tp+fp)
}

// evaluate looks every query up as intake does (show, with the likely band
// at threshold), among the clients sharing a key whose bucket holds at most
// limit clients (all when 0).
func evaluate(ix *index, qs []query, threshold float64, limit int) evaluation {
	e := evaluation{byError: map[string][3]int{}, falseByKind: map[string]int{}}
	for _, q := range qs {
		cands := ix.candidates(ix.usable(Keys(q.Person), limit))
		e.candidates += len(cands)
		shown := show(q.Person, cands, threshold)
		found, likely := false, false
		for i, r := range shown {
			band := 0
			if r.Band == BandPossible {
				band = 1
			}
			if r.ID == q.want {
				found, likely = true, band == 0
				e.truePos[band]++
				if i == 0 {
					e.top1++
				}
			} else {
				e.falsePos[band]++
				e.falseByKind[q.kind]++
			}
		}
		if q.want == "" {
			e.strangers++
			continue
		}
		e.variants++
		if found {
			e.found++
		} else if len(e.misses) < 40 {
			e.misses = append(e.misses, fmt.Sprintf("%v: %+v", q.errors, q.Person))
		}
		if likely {
			e.foundLikely++
		}
		if slices.ContainsFunc(cands, func(c Candidate) bool { return c.ID == q.want }) {
			e.foundCandidate++
		}
		for _, err := range append(q.errors, "any") {
			c := e.byError[err]
			c[0]++
			if likely {
				c[1]++
			}
			if found {
				c[2]++
			}
			e.byError[err] = c
		}
	}
	return e
}

func (e evaluation) report() string {
	var b strings.Builder
	fmt.Fprintf(&b, "variants %d, strangers %d, candidates per query %.1f\n", e.variants, e.strangers, float64(e.candidates)/float64(e.variants+e.strangers))
	fmt.Fprintf(&b, "recall %.4f (likely band %.4f, candidates %.4f, shown first %.4f)\n",
		e.recall(), e.recallLikely(), float64(e.foundCandidate)/float64(e.variants), float64(e.top1)/float64(e.variants))
	fmt.Fprintf(&b, "precision likely band %.4f (%d true, %d false positives), overall %.4f (possible band: %d true, %d false)\n",
		e.precisionLikely(), e.truePos[0], e.falsePos[0], e.precision(), e.truePos[1], e.falsePos[1])
	fmt.Fprintf(&b, "false positives by query: %v\n", e.falseByKind)
	var errs []string
	for k := range e.byError {
		errs = append(errs, k)
	}
	sort.Strings(errs)
	fmt.Fprintf(&b, "  %-22s %8s %8s %8s\n", "error", "variants", "likely", "recall")
	for _, k := range errs {
		c := e.byError[k]
		fmt.Fprintf(&b, "  %-22s %8d %8.3f %8.3f\n", k, c[0], float64(c[1])/float64(c[0]), float64(c[2])/float64(c[0]))
	}
	return b.String()
}

// TestEvaluation measures precision and recall at DefaultThreshold on
// generated data, for each of four seeds: 50,000 clients, 2,000 of them
// coming back with the errors of variantErrors, and 2,000 strangers (new
// people, unregistered relatives, namesakes). Recall counts a person shown
// in either band of Show; precision is asserted for the likely band. Run
// with -v for the breakdown and the misses.
func TestEvaluation(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprintf("seed-%d", seed), func(t *testing.T) {
			w := newWorld(seed)
			pop := w.population(50_000)
			ix := newIndex(pop)
			qs := makeQueries(w, pop, 2000, 2000)
			e := evaluate(ix, qs, DefaultThreshold, 0)
			t.Log("\n" + e.report())
			if testing.Verbose() {
				for _, m := range e.misses {
					t.Log("missed:", m)
				}
			}
			if r := e.recall(); r < 0.95 {
				t.Errorf("recall = %.4f, want >= 0.95", r)
			}
			if p := e.precisionLikely(); p < 0.90 {
				t.Errorf("likely-band precision = %.4f, want >= 0.90", p)
			}
		})
	}
}

func kinds(r Result) map[Field]Kind {
	m := map[Field]Kind{}
	for _, f := range r.Fields {
		m[f.Field] = f.Kind
	}
	return m
}

func TestScore(t *testing.T) {
	type k = map[Field]Kind
	base := Person{GivenName: "Mohammed", FamilyName: "Al-Hassan", BirthDate: "1990-03-15", Phone: "+44 7911 123456"}
	with := func(f func(p *Person)) Person {
		p := base
		f(&p)
		return p
	}
	for _, tc := range []struct {
		name   string
		a, b   Person
		want   k
		likely bool // probability >= DefaultThreshold
	}{
		{
			name: "identical", a: base, b: base, likely: true,
			want: k{"given_name": "exact", "family_name": "exact", "birth_date": "exact", "phone": "exact", "identifier": "missing"},
		},
		{
			name: "transliterated and reformatted",
			a:    base,
			b:    Person{GivenName: "MUHAMMAD", FamilyName: "Hassan", BirthDate: "1990-03-15", Phone: "07911 123456"},
			want: k{"given_name": "transliteration", "family_name": "transliteration", "birth_date": "exact", "phone": "exact", "identifier": "missing"}, likely: true,
		},
		{
			name: "swapped names, year only",
			a:    Person{GivenName: "Shabnam", FamilyName: "Rahimi", BirthDate: "1990-03-15"},
			b:    Person{GivenName: "RAHIMI", FamilyName: "Shabnam", BirthDate: "1990"},
			want: k{"given_name": "exact", "family_name": "exact", "birth_date": "partial", "phone": "missing", "identifier": "missing", "names_swapped": "similar"}, likely: true,
		},
		{
			// Common names and only a birth year: one of many namesakes.
			name: "common names swapped, year only",
			a:    base,
			b:    Person{GivenName: "Hassan", FamilyName: "Mohamed", BirthDate: "1990"},
			want: k{"given_name": "transliteration", "family_name": "transliteration", "birth_date": "partial", "phone": "missing", "identifier": "missing", "names_swapped": "similar"}, likely: false,
		},
		{
			name: "day and month transposed",
			a:    with(func(p *Person) { p.BirthDate = "1990-03-11" }),
			b:    with(func(p *Person) { p.BirthDate = "1990-11-03"; p.Phone = "" }),
			want: k{"given_name": "exact", "family_name": "exact", "birth_date": "similar", "phone": "missing", "identifier": "missing"}, likely: true,
		},
		{
			name: "sibling sharing the phone",
			a:    base,
			b:    Person{GivenName: "Omar", FamilyName: "Al-Hassan", BirthDate: "1993-07-02", Phone: "+447911123456"},
			want: k{"given_name": "different", "family_name": "exact", "birth_date": "different", "phone": "exact", "identifier": "missing"}, likely: false,
		},
		{
			name: "namesake born another year",
			a:    base,
			b:    Person{GivenName: "Mohamed", FamilyName: "Hassan", BirthDate: "1978-11-02"},
			want: k{"given_name": "transliteration", "family_name": "transliteration", "birth_date": "different", "phone": "missing", "identifier": "missing"}, likely: false,
		},
		{
			name: "same identifier",
			a:    Person{GivenName: "Yusuf", FamilyName: "Warsame", Identifiers: []accord.Identifier{{System: "unhcr", Value: "123-45C67890"}}},
			b:    Person{GivenName: "Youssef", FamilyName: "Warsame", Identifiers: []accord.Identifier{{System: "UNHCR", Value: "12345c67890"}}},
			want: k{"given_name": "transliteration", "family_name": "exact", "birth_date": "missing", "phone": "missing", "identifier": "exact"}, likely: true,
		},
		{
			name: "Ukrainian romanisations and Cyrillic",
			a:    Person{GivenName: "Oleksandr", FamilyName: "Kovalska", BirthDate: "1985-06-01"},
			b:    Person{GivenName: "Олександр", FamilyName: "Ковальська", BirthDate: "1985-06"},
			want: k{"given_name": "transliteration", "family_name": "transliteration", "birth_date": "partial", "phone": "missing", "identifier": "missing"}, likely: true,
		},
		{
			name: "Abd al-Rahman spellings",
			a:    Person{GivenName: "Abd al-Rahman", FamilyName: "Jama", BirthDate: "2001"},
			b:    Person{GivenName: "Cabdiraxmaan", FamilyName: "Jaamac", BirthDate: "2001-01-01"},
			want: k{"given_name": "transliteration", "family_name": "transliteration", "birth_date": "partial", "phone": "missing", "identifier": "missing"}, likely: true,
		},
		{
			name: "Arabic script",
			a:    Person{GivenName: "محمد", FamilyName: "الخطيب", BirthDate: "1972-04-09"},
			b:    Person{GivenName: "Mohamed", FamilyName: "El-Khatib", BirthDate: "1972-04-09"},
			want: k{"given_name": "transliteration", "family_name": "transliteration", "birth_date": "exact", "phone": "missing", "identifier": "missing"}, likely: true,
		},
		{
			name: "Ethiopic script",
			a:    Person{GivenName: "ዳዊት", FamilyName: "ተስፋይ", BirthDate: "1995-02-10"},
			b:    Person{GivenName: "Dawit", FamilyName: "Tesfaye", BirthDate: "1995-02-10"},
			want: k{"given_name": "transliteration", "family_name": "transliteration", "birth_date": "exact", "phone": "missing", "identifier": "missing"}, likely: true,
		},
		{
			name: "cognate given name",
			a:    Person{GivenName: "Olena", FamilyName: "Shevchenko", BirthDate: "1979-12-24"},
			b:    Person{GivenName: "Helen", FamilyName: "Shevchenko", BirthDate: "1979-12-24"},
			want: k{"given_name": "similar", "family_name": "exact", "birth_date": "exact", "phone": "missing", "identifier": "missing"}, likely: true,
		},
		{
			name: "second surname dropped, accents",
			a:    Person{GivenName: "José Luis", FamilyName: "García López", BirthDate: "1988-09-30"},
			b:    Person{GivenName: "JOSE LUIS", FamilyName: "Garcia", BirthDate: "1988-09-30"},
			want: k{"given_name": "exact", "family_name": "partial", "birth_date": "exact", "phone": "missing", "identifier": "missing"}, likely: true,
		},
		{
			name: "nisba is another name",
			a:    Person{GivenName: "Karim", FamilyName: "Ahmadi", BirthDate: "1990"},
			b:    Person{GivenName: "Ahmad", FamilyName: "Karimi", BirthDate: "1990"},
			want: k{"given_name": "different", "family_name": "different", "birth_date": "partial", "phone": "missing", "identifier": "missing"}, likely: false,
		},
		{
			name: "known different names",
			a:    Person{GivenName: "Mahmoud", FamilyName: "Osman", BirthDate: "1980-02-02"},
			b:    Person{GivenName: "Mohammed", FamilyName: "Osman", BirthDate: "1981-05-05"},
			want: k{"given_name": "different", "family_name": "exact", "birth_date": "different", "phone": "missing", "identifier": "missing"}, likely: false,
		},
		{
			name: "typo and phone one digit off",
			a:    Person{GivenName: "Svitlana", FamilyName: "Bondarenko", BirthDate: "1969-10-11", Phone: "+380 67 123 4567"},
			b:    Person{GivenName: "Svitlna", FamilyName: "Bondarenko", BirthDate: "1969", Phone: "067 123 4568"},
			want: k{"given_name": "similar", "family_name": "exact", "birth_date": "partial", "phone": "similar", "identifier": "missing"}, likely: true,
		},
		{
			// A single name typed as the given name that is the other
			// record's family name: names swapped, one of them missing.
			name: "one name, the other's family name",
			a:    Person{GivenName: "Sultani", BirthDate: "2018-03", Phone: "+93 145878256"},
			b:    Person{GivenName: "Nilofar", FamilyName: "Sultani", BirthDate: "2018-03-14", Phone: "0093 145 878 256"},
			want: k{"given_name": "exact", "family_name": "missing", "birth_date": "partial", "phone": "exact", "identifier": "missing", "names_swapped": "similar"}, likely: true,
		},
		{
			name: "romanisations differing in a final vowel are not a nisba",
			a:    Person{GivenName: "Berhane", FamilyName: "Kidane", BirthDate: "2015-03-06"},
			b:    Person{GivenName: "Berhani", FamilyName: "Kidane", BirthDate: "2015-03-06"},
			want: k{"given_name": "similar", "family_name": "exact", "birth_date": "exact", "phone": "missing", "identifier": "missing"}, likely: true,
		},
		{
			// A word-final h after a vowel is silent in Somali, Arabic and
			// Persian romanisations.
			name: "Somali final h",
			a:    Person{GivenName: "Ahmed", FamilyName: "Dualeh", BirthDate: "1990-03-15"},
			b:    Person{GivenName: "Ahmed", FamilyName: "Duale", BirthDate: "1990-03-15"},
			want: k{"given_name": "exact", "family_name": "transliteration", "birth_date": "exact", "phone": "missing", "identifier": "missing"}, likely: true,
		},
		{
			// Amhed is one slip from Ahmed, a usual spelling of Ahmad.
			name: "typo of another usual spelling",
			a:    Person{GivenName: "Amhed", FamilyName: "Farraboun", BirthDate: "1986-05-07"},
			b:    Person{GivenName: "Ahmad", FamilyName: "Farraboun", BirthDate: "1986-05-07"},
			want: k{"given_name": "similar", "family_name": "exact", "birth_date": "exact", "phone": "missing", "identifier": "missing"}, likely: true,
		},
		{
			name: "two slips from every spelling",
			a:    Person{GivenName: "Amhde", FamilyName: "Farraboun", BirthDate: "1986-05-07"},
			b:    Person{GivenName: "Ahmad", FamilyName: "Farraboun", BirthDate: "1986-05-07"},
			want: k{"given_name": "different", "family_name": "exact", "birth_date": "exact", "phone": "missing", "identifier": "missing"}, likely: false,
		},
		{
			name: "given names in another order",
			a:    Person{GivenName: "Amina Hodan", FamilyName: "Warsame", BirthDate: "2001-06-02"},
			b:    Person{GivenName: "Hodan Amina", FamilyName: "Warsame", BirthDate: "2001-06-02"},
			want: k{"given_name": "similar", "family_name": "exact", "birth_date": "exact", "phone": "missing", "identifier": "missing"}, likely: true,
		},
		{
			name: "surnames in another order",
			a:    Person{GivenName: "Lucía", FamilyName: "García López", BirthDate: "1975-02-19"},
			b:    Person{GivenName: "Lucia", FamilyName: "Lopez Garcia", BirthDate: "1975-02-19"},
			want: k{"given_name": "exact", "family_name": "similar", "birth_date": "exact", "phone": "missing", "identifier": "missing"}, likely: true,
		},
		{
			// The surnames typed in the first box, the given name after
			// them: all three names, in another order.
			name: "full name in another order",
			a:    Person{GivenName: "Mariana", FamilyName: "Ramírez Pasgaluelo", BirthDate: "1964-01-17", Phone: "+44 7456 612459"},
			b:    Person{GivenName: "Ramírez", FamilyName: "Pasgaluelo Mariana", BirthDate: "1964-01", Phone: "07456 612459"},
			want: k{"given_name": "partial", "family_name": "partial", "birth_date": "partial", "phone": "exact", "identifier": "missing"}, likely: true,
		},
		{
			name: "another given name with the surnames reordered",
			a:    Person{GivenName: "Mariana", FamilyName: "Ramírez Pasgaluelo", BirthDate: "1964-01-17"},
			b:    Person{GivenName: "Ramírez", FamilyName: "Pasgaluelo Lucía", BirthDate: "1964-01-17"},
			want: k{"given_name": "different", "family_name": "different", "birth_date": "exact", "phone": "missing", "identifier": "missing"}, likely: false,
		},
		{
			name: "empty",
			a:    Person{}, b: Person{},
			want: k{"given_name": "missing", "family_name": "missing", "birth_date": "missing", "phone": "missing", "identifier": "missing"}, likely: false,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Score(tc.a, tc.b)
			if diff := cmp.Diff(tc.want, kinds(r)); diff != "" {
				t.Errorf("Score kinds (-want +got):\n%s", diff)
			}
			if got := r.Probability >= DefaultThreshold; got != tc.likely {
				t.Errorf("Probability = %.3f, likely = %v, want %v (%+v)", r.Probability, got, tc.likely, r.Fields)
			}
			if back := Score(tc.b, tc.a); math.Abs(back.Probability-r.Probability) > 1e-9 {
				t.Errorf("Score not symmetric: %.6f and %.6f", r.Probability, back.Probability)
			}
		})
	}
}

func TestCanonical(t *testing.T) {
	// Spellings that must share a canonical form or group (and so a
	// phonetic code) and the form.
	for _, tc := range []struct {
		name      string
		spellings []string
		family    bool
	}{
		{"Muhammad", []string{"Mohammed", "Muhammad", "Mohamed", "Mohamad", "Mehmet", "Maxamed", "محمد"}, false},
		{"Abd al-Rahman", []string{"Abdulrahman", "Abd al-Rahman", "Abdelrahman", "Abdirahman", "Abderrahmane", "Abdul Rahman", "Cabdiraxmaan", "عبد الرحمن"}, false},
		{"Abdullah", []string{"Abdullah", "Abdallah", "Abdulla", "Abdalla"}, false},
		{"Yusuf", []string{"Yusuf", "Youssef", "Yousef", "Yusef", "Joseph", "يوسف"}, false},
		{"Oleksandr", []string{"Oleksandr", "Olexandr", "Aleksandr", "Alexander", "Олександр"}, false},
		{"Hussein", []string{"Hussein", "Husayn", "Hussain", "Husein", "Xuseen", "حسين"}, false},
		{"Asadullah", []string{"Asadullah", "Asadollah", "Asad Ullah", "Asadallah"}, false},
		{"Mariia", []string{"Mariia", "Maria", "Mariya", "María"}, false},
		{"Ivanova", []string{"Ivanova", "Ivanov", "Іванова"}, true},
		{"Kovalskyi", []string{"Kovalskyi", "Kovalska", "Kovalsky", "Kowalski"}, true},
		{"Al-Khatib", []string{"Al-Khatib", "El Khatib", "al Khatib", "الخطيب"}, true},
		{"Haidari", []string{"Haidari", "Haideri", "Heydari"}, true},
		{"Tesfay", []string{"Tesfay", "Tesfaye", "Tesfai", "ተስፋይ"}, true},
		{"Ghebremeskel", []string{"Gebremeskel", "Ghebremeskel"}, true},
		{"Duale", []string{"Duale", "Dualeh"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := parseName(tc.spellings[0], tc.family)
			for _, s := range tc.spellings[1:] {
				got := parseName(s, tc.family)
				if got.code() != want.code() {
					t.Errorf("code(%q) = %q, want %q as for %q", s, got.code(), want.code(), tc.spellings[0])
				}
			}
		})
	}
}

// TestNameGroups checks that no spelling is listed in two groups: the
// second listing would be silently ignored.
func TestNameGroups(t *testing.T) {
	seen := map[string]string{}
	for _, g := range nameGroups {
		for _, s := range g {
			c := canonicalWord(strings.TrimPrefix(s, "~"), false)
			if other, ok := seen[c]; ok && other != g[0] {
				t.Errorf("%q (canonical %q) is in group %q and in group %q", s, c, other, g[0])
			}
			seen[c] = g[0]
		}
	}
}

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want date
	}{
		{"1990-03-15", date{1990, 3, 15, 3}},
		{"1990-03", date{1990, 3, 0, 2}},
		{"1990", date{1990, 0, 0, 1}},
		{"1990-01-01", date{1990, 0, 0, 1}},
		{"1990-13-01", date{1990, 0, 0, 1}},
		{"19x0", date{}},
		{"", date{}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, parseDate(tc.in), cmp.AllowUnexported(date{})); diff != "" {
				t.Errorf("parseDate(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Person
		want []string
	}{
		{
			name: "full record",
			p: Person{GivenName: "Mohammed", FamilyName: "Al-Hassan", BirthDate: "1990-03-15", Phone: "+44 7911 123456",
				Identifiers: []accord.Identifier{{System: "UNHCR", Value: "123-45C67890"}}},
			want: []string{"d:19900315", "i:unhcr 12345C67890", "n:HSN MHMT", "p:11123456", "y:HSN 1990", "y:MHMT 1990"},
		},
		{
			name: "swapped names share the name key",
			p:    Person{GivenName: "Hassan", FamilyName: "Muhammad", BirthDate: "1990-15-03"[:4]},
			want: []string{"n:HSN MHMT", "y:HSN 1990", "y:MHMT 1990"},
		},
		{
			name: "two family names, 1 January",
			p:    Person{GivenName: "María José", FamilyName: "García López", BirthDate: "1988-01-01"},
			want: []string{"n:KRS MR", "n:LPS MR", "y:KRS 1988", "y:LPS 1988", "y:MR 1988"},
		},
		{
			name: "one name only",
			p:    Person{GivenName: "Zahra", Phone: "0093 70 123 4567"},
			want: []string{"p:01234567"},
		},
		{name: "nothing", p: Person{}, want: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Keys(tc.p)); diff != "" {
				t.Errorf("Keys (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRank(t *testing.T) {
	q := Person{GivenName: "Fatima", FamilyName: "Hassan", BirthDate: "1992-05-04", Phone: "+44 7700 900123"}
	same := Candidate{ID: "cl_a", Person: Person{GivenName: "Faadumo", FamilyName: "Xasan", BirthDate: "1992-05-04", Phone: "07700 900123"}}
	namesake := Candidate{ID: "cl_c", Person: Person{GivenName: "Fatma", FamilyName: "Hasan", BirthDate: "1992"}}
	sister := Candidate{ID: "cl_b", Person: Person{GivenName: "Amina", FamilyName: "Hassan", BirthDate: "1995-01-20", Phone: "07700 900123"}}
	for _, tc := range []struct {
		name      string
		cands     []Candidate
		threshold float64
		limit     int
		want      []string
	}{
		{"likely only", []Candidate{namesake, same, sister}, DefaultThreshold, 0, []string{"cl_a"}},
		{"all, best first", []Candidate{namesake, same, sister}, 0, 0, []string{"cl_a", "cl_c", "cl_b"}},
		{"limit", []Candidate{namesake, same, sister}, 0, 2, []string{"cl_a", "cl_c"}},
		// A namesake alone is likelier than beside the person herself.
		{"namesake alone", []Candidate{namesake}, 0.2, 0, []string{"cl_c"}},
		// One person registered twice: the two records share the
		// probability and tie, in the order of their IDs.
		{"registered twice", []Candidate{{ID: "cl_d", Person: same.Person}, same}, 0.4, 0, []string{"cl_a", "cl_d"}},
		{"none", nil, 0, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, r := range Rank(q, tc.cands, tc.threshold, tc.limit) {
				got = append(got, r.ID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Rank (-want +got):\n%s", diff)
			}
		})
	}
}

// TestShow: the likely band, then at most PossibleLimit possible ones.
func TestShow(t *testing.T) {
	zebulon := func(id, family, date string) Candidate {
		return Candidate{ID: id, Person: Person{GivenName: "Zebulon", FamilyName: family, BirthDate: date}}
	}
	weak := Person{GivenName: "Zebulon", BirthDate: "1990"}
	full := Person{GivenName: "Zebulon", FamilyName: "Quartermaine", BirthDate: "1990-04-12", Phone: "+44 7700 900123"}
	type shown struct {
		ID   string
		Band Band
	}
	for _, tc := range []struct {
		name  string
		query Person
		cands []Candidate
		want  []shown
	}{
		{
			// The given name and the year: neither namesake is likely,
			// each could be the one.
			"two possible namesakes", weak,
			[]Candidate{zebulon("cl_b", "Fairweather", "1990-07-30"), zebulon("cl_a", "Quartermaine", "1990-04-12")},
			[]shown{{"cl_a", BandPossible}, {"cl_b", BandPossible}},
		},
		{
			"at most three possible", weak,
			[]Candidate{zebulon("cl_1", "Ashford", "1990-01-30"), zebulon("cl_2", "Brompton", "1990-02-11"), zebulon("cl_3", "Calder", "1990-03-08"),
				zebulon("cl_4", "Denby", "1990-05-17"), zebulon("cl_5", "Ellwood", "1990-06-23")},
			[]shown{{"cl_1", BandPossible}, {"cl_2", BandPossible}, {"cl_3", BandPossible}},
		},
		{
			// The record with neither family name nor birthday explains
			// the query better; the other keeps enough to be looked at.
			"likely, then possible", weak,
			[]Candidate{zebulon("cl_a", "Quartermaine", "1990-04-12"), zebulon("cl_c", "", "1990")},
			[]shown{{"cl_c", BandLikely}, {"cl_a", BandPossible}},
		},
		{
			"outweighed by the person", full,
			[]Candidate{zebulon("cl_b", "Fairweather", "1990-07-30"), {ID: "cl_a", Person: full}},
			[]shown{{"cl_a", BandLikely}},
		},
		{"none", full, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []shown
			for _, r := range Show(tc.query, tc.cands) {
				got = append(got, shown{r.ID, r.Band})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Show (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRankNamesakes: where namesakes explain the query as well as each
// other, the navigator sees them all, though none is likely on its share; a
// strong match outweighed by a clearly better one is not shown, unless it is
// near certain on its own (the person registered a second time).
func TestRankNamesakes(t *testing.T) {
	q := Person{GivenName: "Zahra", FamilyName: "Ahmadi", BirthDate: "2009"}
	namesake := func(id, given, date string) Candidate {
		return Candidate{ID: id, Person: Person{GivenName: given, FamilyName: "Ahmadi", BirthDate: date}}
	}
	four := []Candidate{namesake("cl_1", "Zahra", "2009"), namesake("cl_2", "Zahra", "2009-01-01"), namesake("cl_3", "Zahra", "2009"), namesake("cl_4", "Zahra", "2009")}
	full := Person{GivenName: "Zahra", FamilyName: "Ahmadi", BirthDate: "2009-05-14", Phone: "+44 7700 900123"}
	yusuf := Person{GivenName: "Yusuf", FamilyName: "Haidari", BirthDate: "1979-11-02"}
	for _, tc := range []struct {
		name  string
		query Person
		cands []Candidate
		limit int
		want  []string
	}{
		{"tied namesakes all shown", q, four, 10, []string{"cl_1", "cl_2", "cl_3", "cl_4"}},
		{"within the limit", q, four, 2, []string{"cl_1", "cl_2"}},
		{"a sister is not a namesake", q, append(slices.Clone(four), namesake("cl_5", "Roya", "2011")), 10, []string{"cl_1", "cl_2", "cl_3", "cl_4"}},
		// Born in 2009 with the day unknown, they could be her; beside
		// the record with her birthday and phone, they are not worth a
		// glance.
		{"namesakes with the year only", full, []Candidate{four[0], four[2]}, 10, []string{"cl_1", "cl_3"}},
		{
			"outweighed by the one with the birthday and phone", full,
			[]Candidate{four[0], four[2], {ID: "cl_6", Person: Person{GivenName: "Zahra", FamilyName: "Ahmadi", BirthDate: "2009-05-14", Phone: "07700 900123"}}},
			10, []string{"cl_6"},
		},
		{
			"registered twice, the second time spelled otherwise", yusuf,
			[]Candidate{
				{ID: "cl_7", Person: Person{GivenName: "Yousef", FamilyName: "Heidari", BirthDate: "1979-02-11", Phone: "+44 7700 900777"}},
				{ID: "cl_8", Person: yusuf},
			},
			10, []string{"cl_8", "cl_7"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ranked := Rank(tc.query, tc.cands, DefaultThreshold, tc.limit)
			var got []string
			for _, r := range ranked {
				got = append(got, r.ID)
				if r.Probability >= DefaultThreshold && len(ranked) > 2 {
					t.Errorf("%s: probability %.3f, want the share of one of %d", r.ID, r.Probability, len(ranked))
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Rank (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzScore(f *testing.F) {
	f.Add("Mohammed", "Al-Hassan", "1990-03-15", "+44 7911 123456", "Muhammad", "Hassan", "1990", "07911123456")
	f.Add("Олександр", "Ковальська", "1985-06", "", "Oleksandr", "Kovalska", "1985-06-01", "")
	f.Add("ዳዊት", "ተስፋይ", "1995-02-10", "", "محمد", "الخطيب", "1972-04-09", "")
	f.Add("", "", "", "", "a", "b", "9999-99-99", "0")
	f.Add("Abd al-Rahman bin", "al", "2001-02-31", "++", "x", "xx", "0000", "12345678901234567890")
	f.Fuzz(func(t *testing.T, g1, f1, d1, p1, g2, f2, d2, p2 string) {
		a := Person{GivenName: g1, FamilyName: f1, BirthDate: d1, Phone: p1, Identifiers: []accord.Identifier{{System: "s", Value: p1}}}
		b := Person{GivenName: g2, FamilyName: f2, BirthDate: d2, Phone: p2, Identifiers: []accord.Identifier{{System: "s", Value: p2}}}
		r := Score(a, b)
		if !(r.Probability >= 0 && r.Probability <= 1) {
			t.Fatalf("Probability = %v, want within [0, 1]", r.Probability)
		}
		if back := Score(b, a); math.Abs(back.Probability-r.Probability) > 1e-9 {
			t.Fatalf("Score(a, b) = %v, Score(b, a) = %v", r.Probability, back.Probability)
		}
		if k1, k2 := Keys(a), Keys(a); !slices.Equal(k1, k2) {
			t.Fatalf("Keys not deterministic: %q, %q", k1, k2)
		}
	})
}

func FuzzKeys(f *testing.F) {
	f.Add("Mohammed", "Al-Hassan", "1990-03-15", "+44 7911 123456", "unhcr", "123-45C67890")
	f.Add("María José", "García López", "1988-01-01", "", "", "")
	f.Add("ዳዊት", "Ковальська", "1985-06", "0093 70 123 4567", " ", "-")
	f.Fuzz(func(t *testing.T, g, fam, d, phone, sys, val string) {
		p := Person{GivenName: g, FamilyName: fam, BirthDate: d, Phone: phone, Identifiers: []accord.Identifier{{System: sys, Value: val}}}
		keys := Keys(p)
		if !slices.IsSorted(keys) || len(slices.Compact(slices.Clone(keys))) != len(keys) {
			t.Fatalf("Keys = %q, want sorted and distinct", keys)
		}
		if again := Keys(p); !slices.Equal(keys, again) {
			t.Fatalf("Keys not deterministic: %q, %q", keys, again)
		}
		for _, k := range keys {
			if len(k) < 3 || k[1] != ':' || !strings.Contains("ndypi", k[:1]) {
				t.Fatalf("key %q has no type prefix", k)
			}
		}
		// A person always shares a key with themself spelled in capitals:
		// keys are computed on folded names.
		up := p
		up.GivenName, up.FamilyName = strings.ToUpper(g), strings.ToUpper(fam)
		if !slices.Equal(Keys(up), keys) && isASCII(g+fam) {
			t.Fatalf("Keys(%q %q) = %q, Keys in capitals = %q", g, fam, keys, Keys(up))
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
