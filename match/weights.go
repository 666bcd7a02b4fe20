package match

import "math"

// The weights are log-likelihood ratios in bits: log2 m/u, where m is the
// chance of the level among records of the same person and u among records
// of different people that share a blocking key. They were set from what
// intake data looks like (how often a returning person's name is spelled
// another way, how often a birth date is only a year, how often a phone has
// changed) and then checked against the generated evaluation set
// (TestEvaluation -v reports recall by kind of error and false positives by
// kind of stranger; docs/BENCHMARKS.md has the numbers).
const (
	// priorBits is log2 of the prior odds that a candidate sharing a key is
	// the same person. With it a candidate needs about 13 bits of evidence to
	// reach probability 0.5: names that agree and a birth year, say.
	priorBits = -13.0

	// weightSwapped is added when given and family names agree only
	// crosswise: a common slip, but a match straight is likelier.
	weightSwapped = -1.5

	weightDateExact   = 11.0 // m 0.6, u 1/4000 once the ages cluster
	weightDateSimilar = 6.0  // transposed, one digit off: m 0.05, u 1/1000
	weightDateMonth   = 7.5  // agree on year and month, one has no day
	// Agree on the year, and neither knows the day (a year only, or 1
	// January): people who do not know their birthday do not know it at
	// the next door either (m about 0.6), while a namesake born that year
	// lacks the day only as often as the registrations of that language do
	// (u 1–18 %).
	weightDateYearBoth = 6.0
	// Agree on the year, and only one knows the day: less likely among
	// registrations of one person than the day on both or on neither.
	weightDateYear          = 3.5
	weightDateNearYear      = 0.5  // one has only a year, one year off
	weightDateDifferentNear = -5.0 // within two years: m 0.03, an estimate or a slip
	weightDateDifferent     = -8.0 // further apart: m 0.002

	weightDateRelative = 3.0 // at most, with another given name in one family: twins

	weightPhoneExact     = 7.0  // m 0.5, u 1/250: households share phones
	weightPhoneRelative  = 1.0  // at most, with another given name in one family
	weightPhoneSimilar   = 3.0  // one digit off
	weightPhoneDifferent = -1.0 // m 0.4: phones change often

	weightIdentExact     = 14.0
	weightIdentSimilar   = 6.0 // the same number under another system name
	weightIdentDifferent = -4.0
)

// Name weights. An exact agreement is worth log2(mExact/u), with u the
// name's frequency (nameFrequency) or, for a rare name, defaultGivenFreq or
// defaultFamilyFreq, kept within [3, 10] bits; a transliteration half a bit
// less; a similar name at most 4 bits and a partial one 2. A different given name is
// strong evidence of another person (siblings share everything else); a
// different family name less so, because family names change at marriage,
// between registrations of a patronymic, and between systems.
const (
	weightPartial     = 2.0
	mExact            = 0.9
	defaultGivenFreq  = 0.002
	defaultFamilyFreq = 0.0015
)

func nameWeight(family bool, k Kind, freq float64) float64 {
	if freq <= 0 {
		freq = defaultGivenFreq
		if family {
			freq = defaultFamilyFreq
		}
	}
	exact := min(max(math.Log2(mExact/freq), 3), 10)
	switch k {
	case KindExact:
		return exact
	case KindTransliteration:
		return exact - 0.5
	case KindSimilar:
		return min(exact-1, 4)
	case KindPartial:
		return weightPartial
	case KindDifferent:
		if family {
			return -4.5
		}
		return -6
	}
	return 0
}
