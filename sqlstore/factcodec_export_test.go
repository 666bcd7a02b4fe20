package sqlstore

import "github.com/accord-project/accord"

// EncodeFactsForTest encodes facts as one client's stored facts, with the
// strings in their order of first use.
func EncodeFactsForTest(facts []accord.IndicatorFact) ([]byte, error) {
	b, _ := encodeForTest(facts)
	return b, nil
}

func encodeForTest(facts []accord.IndicatorFact) ([]byte, []string) {
	strs := []string{""}
	e := &factEncoder{intern: func(v string) uint64 {
		for i, s := range strs {
			if s == v {
				return uint64(i)
			}
		}
		strs = append(strs, v)
		return uint64(len(strs) - 1)
	}}
	for i := range facts {
		for u, fu := range factUnits {
			if fu.unit == facts[i].Unit {
				e.add(u, &facts[i])
			}
		}
	}
	return e.bytes(), strs
}

// RoundTripFacts encodes and decodes facts.
func RoundTripFacts(facts []accord.IndicatorFact) ([]accord.IndicatorFact, error) {
	b, strs := encodeForTest(facts)
	var out []accord.IndicatorFact
	var f accord.IndicatorFact
	err := decodeFacts(b, strs, 0, &f, func(f *accord.IndicatorFact) error {
		out = append(out, *f)
		return nil
	})
	return out, err
}

// DecodeFactsForTest decodes b with a few strings.
func DecodeFactsForTest(b []byte) error {
	var f accord.IndicatorFact
	return decodeFacts(b, []string{"", "a", "b"}, 7, &f, func(*accord.IndicatorFact) error { return nil })
}

// SetFactRefreshHook runs f between a refresh's snapshot and its write
// (nil: nothing).
func SetFactRefreshHook(f func()) { factRefreshHook = f }
