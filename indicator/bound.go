package indicator

import (
	"hash/fnv"
	"slices"
	"time"

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

// keptKey is one person in one population (unit and denominator event)
// and period. It holds no pointer, nor do the kept units: a private
// release over millions of facts keeps one entry per person and
// population, and the garbage collector never scans them.
type keptKey struct {
	pop    int32 // population index × periods + period
	person uint64
}

// keptUnit is a kept unit, compact: what it takes to count it again (or
// take it back out).
type keptUnit struct {
	prio     uint64
	at       [4]int64 // Unix nanoseconds; zero[i] says At[i] is zero
	deadline int64
	ids      [len(accord.IndicatorDimensions)]int32
	zero     [5]bool // At[0..3], Deadline
}

// population is a unit's denominator event.
type population struct {
	den int   // its position in the unit's events
	id  int32 // numbered across the computer's definitions
}

// BoundContributions makes the computer count at most bound units per
// person in each population and period, chosen by a hash keyed with key
// (the release's period, say). Call it before adding facts; bound < 1
// turns bounding off.
func (c *Computer) BoundContributions(bound int64, key string) {
	c.bound = min(max(bound, 0), 255)
	h := fnv.New64a()
	h.Write([]byte(key))
	c.hashKey = h.Sum64()
	c.kept = map[keptKey]int32{}
	c.first, c.more, c.used, c.overflow = arena[keptUnit]{}, arena[int32]{}, arena[uint8]{}, arena[keptUnit]{}
	c.pops = map[string][]population{}
	n := int32(0)
	for i, d := range c.defs {
		pops := c.pops[d.Unit]
		if !slices.ContainsFunc(pops, func(p population) bool { return p.den == c.den[i] }) {
			c.pops[d.Unit] = append(pops, population{den: c.den[i], id: n})
			n++
		}
	}
}

// slot returns a person's j-th kept unit: the first is stored with the
// entry (most people have one unit per population), the others in
// c.overflow, bound−1 slots per person who needs them.
func (c *Computer) slot(e int32, j int) *keptUnit {
	if j == 0 {
		return c.first.at(e)
	}
	more := c.more.at(e)
	if *more < 0 {
		*more = c.overflow.len()
		for range c.bound - 1 {
			c.overflow.add(keptUnit{})
		}
	}
	return c.overflow.at(*more + int32(j) - 1)
}

// arena is an append-only list in chunks: growing it never copies what
// it holds (a private release keeps millions of entries).
type arena[T any] struct {
	chunks [][]T
	n      int32
}

const arenaChunk = 1 << 14

func (a *arena[T]) len() int32 { return a.n }

func (a *arena[T]) add(v T) int32 {
	if int(a.n)%arenaChunk == 0 {
		a.chunks = append(a.chunks, make([]T, 0, arenaChunk))
	}
	last := &a.chunks[len(a.chunks)-1]
	*last = append(*last, v)
	a.n++
	return a.n - 1
}

func (a *arena[T]) at(i int32) *T { return &a.chunks[i/arenaChunk][i%arenaChunk] }

// addBounded is Add under a bound: per population, the fact replaces the
// person's kept unit with the largest priority when its own is smaller.
func (c *Computer) addBounded(f *accord.IndicatorFact) {
	var u keptUnit
	compacted := false
	for _, pop := range c.pops[f.Unit] {
		at := f.At[pop.den]
		if at.IsZero() {
			continue
		}
		p := c.period(at)
		if p < 0 {
			continue
		}
		if !compacted {
			u, compacted = c.compact(f), true
		}
		if f.Person == 0 {
			c.addPopulation(f, &u.ids, pop.den, 1)
			continue
		}
		k := keptKey{pop: pop.id*int32(len(c.periods)) + int32(p), person: f.Person}
		e, ok := c.kept[k]
		if !ok {
			e = c.first.add(keptUnit{})
			c.more.add(-1)
			c.used.add(0)
			c.kept[k] = e
		}
		if used := c.used.at(e); int64(*used) < c.bound {
			*c.slot(e, int(*used)) = u
			*used++
			c.addPopulation(f, &u.ids, pop.den, 1)
			continue
		}
		worst := c.slot(e, 0)
		for j := 1; j < int(c.bound); j++ {
			if s := c.slot(e, j); s.prio > worst.prio {
				worst = s
			}
		}
		if u.prio >= worst.prio {
			continue
		}
		old := c.expand(worst, f.Unit)
		c.addPopulation(&old, &worst.ids, pop.den, -1)
		*worst = u
		c.addPopulation(f, &u.ids, pop.den, 1)
	}
}

// compact is f as kept, with its priority.
func (c *Computer) compact(f *accord.IndicatorFact) keptUnit {
	u := keptUnit{prio: c.priority(f), ids: c.internAll(f)}
	for i, t := range f.At {
		u.zero[i] = t.IsZero()
		if !u.zero[i] {
			u.at[i] = t.UnixNano()
		}
	}
	u.zero[4] = f.Deadline.IsZero()
	if !u.zero[4] {
		u.deadline = f.Deadline.UnixNano()
	}
	return u
}

// expand is a kept unit of unit as a fact again (without its person and
// dimensions: counting it uses ids).
func (c *Computer) expand(u *keptUnit, unit string) accord.IndicatorFact {
	f := accord.IndicatorFact{Unit: unit}
	for i := range f.At {
		if !u.zero[i] {
			f.At[i] = time.Unix(0, u.at[i]).UTC()
		}
	}
	if !u.zero[4] {
		f.Deadline = time.Unix(0, u.deadline).UTC()
	}
	return f
}

// addPopulation counts f, with sign, in every definition over its unit
// whose denominator event is den.
func (c *Computer) addPopulation(f *accord.IndicatorFact, ids *[len(accord.IndicatorDimensions)]int32, den int, sign int64) {
	for _, i := range c.byUnit[f.Unit] {
		if c.den[i] == den {
			c.addTo(i, f, ids, sign)
		}
	}
}

// priority is the keyed hash that orders a person's units: FNV-1a over
// the key, the person, the event times, the deadline and the dimensions,
// written out so that it allocates nothing.
func (c *Computer) priority(f *accord.IndicatorFact) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	word := func(v uint64) {
		for range 8 {
			h ^= v & 0xff
			h *= prime
			v >>= 8
		}
	}
	word(c.hashKey)
	word(f.Person)
	for _, t := range f.At {
		word(uint64(t.UnixNano()))
	}
	word(uint64(f.Deadline.UnixNano()))
	for _, d := range f.Dims {
		for i := 0; i < len(d); i++ {
			h ^= uint64(d[i])
			h *= prime
		}
		h *= prime // a separator
	}
	return h
}
