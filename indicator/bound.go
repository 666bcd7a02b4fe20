package indicator

import (
	"encoding/binary"
	"hash/fnv"
	"slices"

	"github.com/accord-project/accord"
)

// Contribution bounding. Differential privacy protects a person, not a
// unit: one person with forty referrals in a quarter would move the
// referral tables forty times as much as someone with one. So, for a
// private release, each person counts with at most Bound units in each
// population (a unit and its denominator event — "referrals sent" — in
// a period), and every indicator over that population sees the same
// units, which keeps tables over the same people consistent.
//
// Which units are kept is deterministic for a release: the ones with the
// smallest keyed hash of the release key, the person and the unit's own
// times and dimensions. The choice depends only on that person's units,
// as the guarantee needs, and not on the order facts arrive in. Facts
// without a person (Person 0: anonymous complaints) each count as a person
// of their own: for them the guarantee is per unit.

type keptKey struct {
	unit   string
	den    int // the denominator event's position in the unit's events
	period int
	person uint64
}

type keptFact struct {
	prio uint64
	f    accord.IndicatorFact
}

// BoundContributions makes the computer count at most bound units per
// person in each population and period, chosen by a hash keyed with key
// (the release's period, say). Call it before adding facts; bound < 1
// turns bounding off.
func (c *Computer) BoundContributions(bound int64, key string) {
	c.bound = max(bound, 0)
	h := fnv.New64a()
	h.Write([]byte(key))
	c.hashKey = h.Sum64()
	c.kept = map[keptKey][]keptFact{}
}

// addBounded is Add under a bound: per population, the fact replaces the
// person's kept unit with the largest priority when its own is smaller.
func (c *Computer) addBounded(f *accord.IndicatorFact) {
	defs := c.byUnit[f.Unit]
	var dens []int // the populations (denominator events) of the unit's definitions
	for _, i := range defs {
		if !slices.Contains(dens, c.den[i]) {
			dens = append(dens, c.den[i])
		}
	}
	for _, den := range dens {
		at := f.At[den]
		if at.IsZero() {
			continue
		}
		p := c.period(at)
		if p < 0 {
			continue
		}
		if f.Person == 0 {
			c.addPopulation(f, den, 1)
			continue
		}
		k := keptKey{unit: f.Unit, den: den, period: p, person: f.Person}
		prio := c.priority(f)
		kept := c.kept[k]
		if int64(len(kept)) < c.bound {
			c.kept[k] = append(kept, keptFact{prio: prio, f: *f})
			c.addPopulation(f, den, 1)
			continue
		}
		worst := 0
		for j := range kept {
			if kept[j].prio > kept[worst].prio {
				worst = j
			}
		}
		if prio >= kept[worst].prio {
			continue
		}
		c.addPopulation(&kept[worst].f, den, -1)
		kept[worst] = keptFact{prio: prio, f: *f}
		c.addPopulation(f, den, 1)
	}
}

// addPopulation counts f, with sign, in every definition over its unit
// whose denominator event is den.
func (c *Computer) addPopulation(f *accord.IndicatorFact, den int, sign int64) {
	ids := c.internAll(f)
	for _, i := range c.byUnit[f.Unit] {
		if c.den[i] == den {
			c.addTo(i, f, &ids, sign)
		}
	}
}

// priority is the keyed hash that orders a person's units: FNV-1a over
// the key, the person, the event times, the deadline and the dimensions.
func (c *Computer) priority(f *accord.IndicatorFact) uint64 {
	h := fnv.New64a()
	var b [8]byte
	put := func(v uint64) {
		binary.LittleEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	put(c.hashKey)
	put(f.Person)
	for _, t := range f.At {
		put(uint64(t.UnixNano()))
	}
	put(uint64(f.Deadline.UnixNano()))
	for _, d := range f.Dims {
		h.Write([]byte(d))
		h.Write([]byte{0})
	}
	return h.Sum64()
}
