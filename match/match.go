// Package match finds the clients a newly typed person probably already is,
// so that intake can offer "this may be Fatima Hassan, born 1990, already
// known to the clinic" before creating a duplicate.
//
// It is pure: no storage, no I/O. The storage layer indexes every client
// under the short strings Keys returns (a table of client id and key, indexed
// by key); to search, it computes Keys for the typed person, loads the clients
// sharing at least one key, and hands them to Show, which scores each with
// Score and keeps the likely ones, best first (Rank), then a few possible
// ones.
//
// Scoring is Fellegi–Sunter record linkage: each field (given name, family
// name, birth date, phone, identifiers) is compared at one of a few levels
// (exact, transliteration, similar, partial, different, missing), each level
// adds a log-likelihood weight in bits, log2 P(level | same person) /
// P(level | different people), and the sum plus a prior is turned into a
// probability. Names are compared after folding (lower case, no accents,
// Cyrillic, Arabic and Ethiopic script transliterated), after rewriting the
// usual romanisation variants to one spelling, and with a phonetic code; see
// name.go. The weights and how they were chosen are in weights.go.
package match

import (
	"cmp"
	"math"
	"slices"

	"github.com/accord-project/accord"
)

// Person is what intake knows about someone: the fields compared.
type Person struct {
	GivenName   string
	FamilyName  string
	BirthDate   string // YYYY, YYYY-MM or YYYY-MM-DD; anything else counts as missing
	Phone       string
	Identifiers []accord.Identifier
}

// FromClient returns the fields of c that matching compares.
func FromClient(c *accord.Client) Person {
	return Person{
		GivenName:   c.GivenName,
		FamilyName:  c.FamilyName,
		BirthDate:   c.BirthDate,
		Phone:       c.Phone,
		Identifiers: c.Identifiers,
	}
}

// Field names the compared field in a FieldMatch.
type Field string

const (
	FieldGivenName  Field = "given_name"
	FieldFamilyName Field = "family_name"
	FieldBirthDate  Field = "birth_date"
	FieldPhone      Field = "phone"
	FieldIdentifier Field = "identifier"
	// FieldNamesSwapped appears when the names agree only crosswise (one
	// record has the family name as given name); its weight is the penalty.
	FieldNamesSwapped Field = "names_swapped"
)

// Kind is how well one field agrees.
type Kind string

const (
	// KindExact: the same after folding case, accents, spaces and hyphens.
	KindExact Kind = "exact"
	// KindTransliteration: the same name romanised differently (Mohammed,
	// Muhammad; Oleksandr, Aleksandr) or written in another script.
	KindTransliteration Kind = "transliteration"
	// KindSimilar: close spelling, a cognate (Yusuf, Joseph), a birth date
	// with day and month transposed or one digit off, a phone one digit off.
	KindSimilar Kind = "similar"
	// KindPartial: agreement on what both have (one name of two, the birth
	// year when one side has only the year).
	KindPartial Kind = "partial"
	// KindMissing: one side or both do not have the field; no evidence.
	KindMissing Kind = "missing"
	// KindDifferent: both have the field and it disagrees.
	KindDifferent Kind = "different"
)

// FieldMatch is the evidence one field gives.
type FieldMatch struct {
	Field Field `json:"field"`
	Kind  Kind  `json:"kind"`
	// Weight is the log-likelihood ratio in bits: positive for evidence of
	// the same person, negative against, 0 for none.
	Weight float64 `json:"weight"`
}

// Result is the outcome of comparing two persons.
type Result struct {
	// Probability that the two records are the same person, 0..1.
	Probability float64 `json:"probability"`
	// Fields holds one entry for each of given_name, family_name,
	// birth_date, phone and identifier, in that order, then names_swapped
	// when the names agree only crosswise.
	Fields []FieldMatch `json:"fields"`
}

// DefaultThreshold is the probability (of Rank) from which a candidate is
// worth showing at intake as a possible duplicate on that probability alone.
// It is below one half on purpose: a missed duplicate splits a person's
// record, a shown one costs the navigator a glance. Rank also shows the
// candidates that tie with others (see StrongMatch and MinShare). Show adds
// a band of possible duplicates below. At these settings, on the generated
// evaluation sets of 50,000 clients (TestEvaluation, four seeds), the likely
// band alone finds 0.96–0.97 of returning people with precision 0.90–0.92,
// and the two bands together 0.977–0.982; see docs/BENCHMARKS.md for those
// and the numbers at 1,000,000 clients.
const DefaultThreshold = 0.45

// StrongMatch is the probability, on its own evidence (Score's, as if it
// were the only candidate), from which Rank shows a candidate even when
// others share the probability with it: namesakes that explain the query as
// well as the person, who are all worth a glance.
const StrongMatch = 0.9

// MinShare is the least share of Rank's probability a strong match must keep
// to be shown: it is one of a few candidates that explain the query about
// as well, not one of fifty, and not far behind a clearly better one.
const MinShare = 0.02

// SureMatch is the probability, on its own evidence, from which Rank shows a
// candidate whatever the others: beside a record that matches the query
// exactly, one that would be near certain on its own (the names romanised
// otherwise and the day and month transposed) is the same person registered
// a second time, the duplicate intake exists to surface.
const SureMatch = 0.99

// Score compares a query with a candidate. It is symmetric: Score(a, b) and
// Score(b, a) give the same probability.
func Score(query, candidate Person) Result {
	var m matcher
	q, c := m.prepare(&query), m.prepare(&candidate)
	var fields [6]FieldMatch
	n, bits := m.compare(&q, &c, &fields)
	return Result{Probability: probability(priorBits + bits), Fields: fields[:n:n]}
}

// Candidate is a client found through Keys.
type Candidate struct {
	ID string
	Person
}

// Band is how a shown candidate was kept: Fellegi and Sunter's three
// decisions are match, possible match and non-match; intake has no automatic
// match (a navigator confirms), so the first two are shown in two bands.
type Band string

const (
	// BandLikely: kept by Rank at DefaultThreshold.
	BandLikely Band = "likely"
	// BandPossible: not likely, but keeping enough of the probability to be
	// worth a second look (Show).
	BandPossible Band = "possible"
)

// Ranked is a candidate with its result.
type Ranked struct {
	ID   string
	Band Band
	Result
}

// Rank scores each candidate against the query and returns the likely
// ones, most probable first (ties by ID), at most limit of them (all when
// limit <= 0): those with a probability of at least threshold, the strong
// matches (StrongMatch) that keep at least MinShare of it, and the sure ones
// (SureMatch) whatever their share. Each is in BandLikely.
//
// Rank's probabilities are not Score's: a person is registered once (or
// should be), so candidates compete. If three namesakes born the same year
// each explain the query as well as the others, each is at most a third
// likely to be the one, however strong the evidence against a stranger. The
// probability of candidate i is the posterior odds 2^(prior+w_i) over
// 1 + the sum of the posterior odds of all candidates, where w_i is the sum
// of its field weights. With one plausible candidate it is Score's.
//
// Sharing would hide the person among namesakes: over a million clients
// "Zahra Ahmadi, 2009" may be four clients, each a quarter likely, none over
// the threshold. A navigator wants to see all four (the one registered twice
// too: two records of one person share the probability), so a candidate
// whose own evidence is strong is shown as long as it keeps MinShare of the
// probability; one that a clearly better candidate outweighs is not, unless
// its own evidence is near certain (a second registration of the person).
func Rank(query Person, candidates []Candidate, threshold float64, limit int) []Ranked {
	s := scoreAll(query, candidates)
	var out []Ranked
	for i := range candidates {
		if s.likely(i, threshold) {
			out = append(out, s.ranked(candidates, i, BandLikely))
		}
	}
	return sortRanked(out, limit)
}

// ShowLimit is the most likely candidates Show returns.
const ShowLimit = 20

// PossibleLimit is the most possible candidates Show returns after the
// likely ones.
const PossibleLimit = 3

// PossibleShare is the share of Rank's probability from which a candidate
// that is not likely is a possible match; PossibleMinShare, with a
// probability on its own evidence of at least PossibleOwn, the least share
// of a possible match.
const (
	PossibleShare    = 0.1
	PossibleMinShare = 0.02
	PossibleOwn      = 0.5
)

// Show returns what intake shows for query: the likely duplicates (Rank at
// DefaultThreshold, at most ShowLimit), then at most PossibleLimit possible
// ones, each best first. A possible one is not likely but keeps at least
// PossibleShare of the probability, or PossibleMinShare with a probability
// of at least PossibleOwn on its own evidence (one of a few namesakes who
// could each be the person). Fellegi–Sunter's "possible match": missing a
// duplicate splits a person's history across two records, which is worse
// than a navigator looking at one more row.
func Show(query Person, candidates []Candidate) []Ranked {
	return show(query, candidates, DefaultThreshold)
}

// show is Show with the likely band at threshold (the evaluation tries
// others).
func show(query Person, candidates []Candidate, threshold float64) []Ranked {
	s := scoreAll(query, candidates)
	var likely, possible []Ranked
	for i := range candidates {
		switch {
		case s.likely(i, threshold):
			likely = append(likely, s.ranked(candidates, i, BandLikely))
		case s.share[i] >= PossibleShare || s.share[i] >= PossibleMinShare && s.own(i) >= PossibleOwn:
			possible = append(possible, s.ranked(candidates, i, BandPossible))
		}
	}
	return append(sortRanked(likely, ShowLimit), sortRanked(possible, PossibleLimit)...)
}

// scores are the results of comparing a query with each candidate.
type scores struct {
	fields [][6]FieldMatch
	counts []int
	bits   []float64 // prior + evidence
	share  []float64 // Rank's probability
}

func scoreAll(query Person, candidates []Candidate) scores {
	m := matcher{names: map[string]*name{}, cmps: map[[2]*name]nameCmp{}}
	q := m.prepare(&query)
	s := scores{
		fields: make([][6]FieldMatch, len(candidates)),
		counts: make([]int, len(candidates)),
		bits:   make([]float64, len(candidates)),
		share:  make([]float64, len(candidates)),
	}
	maxBits := math.Inf(-1)
	for i := range candidates {
		c := m.prepare(&candidates[i].Person)
		var w float64
		s.counts[i], w = m.compare(&q, &c, &s.fields[i])
		s.bits[i] = w + priorBits
		maxBits = max(maxBits, s.bits[i])
	}
	// P_i = 2^b_i / (1 + sum_j 2^b_j), computed with the largest power
	// factored out so that nothing overflows.
	scale := max(maxBits, 0)
	denom := math.Exp2(-scale)
	for _, b := range s.bits {
		denom += math.Exp2(b - scale)
	}
	for i, b := range s.bits {
		s.share[i] = math.Exp2(b-scale) / denom
	}
	return s
}

// own is candidate i's probability on its own evidence, Score's.
func (s *scores) own(i int) float64 { return probability(s.bits[i]) }

// likely reports whether Rank keeps candidate i at threshold.
func (s *scores) likely(i int, threshold float64) bool {
	p, own := s.share[i], s.own(i)
	return p >= threshold || own >= SureMatch || p >= MinShare && own >= StrongMatch
}

func (s *scores) ranked(candidates []Candidate, i int, band Band) Ranked {
	n := s.counts[i]
	return Ranked{ID: candidates[i].ID, Band: band, Result: Result{Probability: s.share[i], Fields: s.fields[i][:n:n]}}
}

// sortRanked sorts most probable first, ties by ID, and keeps at most
// limit (all when limit <= 0).
func sortRanked(out []Ranked, limit int) []Ranked {
	slices.SortFunc(out, func(a, b Ranked) int {
		if c := cmp.Compare(b.Probability, a.Probability); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit:limit]
	}
	return out
}

// prepared is a Person normalised once for many comparisons.
type prepared struct {
	given, family *name
	date          date
	phone         string // digits
	ids           []ident
}

// matcher compares a query with candidates. In Rank it remembers the names
// it has parsed and compared, since candidates found through one key share
// names (every Ahmed Mohamed born in 1990); Score and Keys use it without.
type matcher struct {
	names map[string]*name
	cmps  map[[2]*name]nameCmp
}

type nameCmp struct {
	kind Kind
	freq float64
}

func (m *matcher) name(s string, family bool) *name {
	if m.names == nil {
		n := parseName(s, family)
		return &n
	}
	key := s
	if family {
		key = "\x00" + s
	}
	n, ok := m.names[key]
	if !ok {
		nn := parseName(s, family)
		n = &nn
		m.names[key] = n
	}
	return n
}

func (m *matcher) compareName(a, b *name) (Kind, float64) {
	if m.cmps == nil {
		return compareName(a, b)
	}
	key := [2]*name{a, b}
	r, ok := m.cmps[key]
	if !ok {
		r.kind, r.freq = compareName(a, b)
		m.cmps[key] = r
	}
	return r.kind, r.freq
}

func (m *matcher) prepare(p *Person) prepared {
	pp := prepared{
		given:  m.name(p.GivenName, false),
		family: m.name(p.FamilyName, true),
		date:   parseDate(p.BirthDate),
		phone:  phoneDigits(p.Phone),
	}
	for _, id := range p.Identifiers {
		if x, ok := parseIdent(id); ok {
			pp.ids = append(pp.ids, x)
		}
	}
	return pp
}

// compare fills fields with the evidence of each field and returns how many
// it filled and the total weight in bits.
func (m *matcher) compare(q, c *prepared, fields *[6]FieldMatch) (int, float64) {
	n := 5
	swapped := m.compareNamePair(q, c, fields[:2])
	fields[2] = compareDate(q.date, c.date)
	fields[3] = comparePhone(q.phone, c.phone)
	fields[4] = compareIdents(q.ids, c.ids)
	if swapped {
		fields[5] = FieldMatch{FieldNamesSwapped, KindSimilar, weightSwapped}
		n = 6
	}
	if fields[0].Kind == KindDifferent && agrees(fields[1].Kind) {
		// Another given name in the same family: a sibling, a spouse, a
		// twin. Relatives share phones and, twins, birth dates, so
		// agreement on these says much less than among strangers (the
		// fields are not independent, as the weights assume).
		fields[2].Weight = min(fields[2].Weight, weightDateRelative)
		fields[3].Weight = min(fields[3].Weight, weightPhoneRelative)
	}
	return n, evidence(fields[:n])
}

// evidence is the sum of the fields' weights, in bits.
func evidence(fields []FieldMatch) float64 {
	total := 0.0
	for _, f := range fields {
		total += f.Weight
	}
	return total
}

// probability turns log-odds in bits into a probability.
func probability(bits float64) float64 {
	p := 1 / (1 + math.Exp2(-bits))
	if math.IsNaN(p) {
		return 0
	}
	return p
}
