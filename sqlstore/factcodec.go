package sqlstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/accord-project/accord"
)

// The encoding of one client's stored indicator facts (indicator_facts):
//
//	version byte (factCodecVersion)
//	uvarint      number of facts
//	each fact:
//	  byte       unit: its index in factUnits
//	  byte       which fields follow: bit i for At[i] (i < 4), bit 4 for Deadline, bit 5 for Person
//	  time       At[0], when present: varint Unix seconds minus the previous fact's (0 for the first), uvarint nanoseconds
//	  times      each other time present: varint seconds after At[0]'s, uvarint nanoseconds
//	  uvarints   each of Dims, an id of indicator_fact_strings (0: "")
//	  uvarint    Person, when it is not the row's (a merged duplicate's disclosure is its survivor's)
//
// A fact's Person is, unless it says otherwise, the row's client's key (0
// for the grievances' row).
// Facts of one client are mostly a few days apart, so a fact takes about
// twenty bytes. Times are kept exactly, at any year: a stored fact is the
// fact computed from the tables.
const factCodecVersion = 2

const (
	factDeadlineBit = 1 << 4
	factPersonBit   = 1 << 5
)

// factEncoder appends facts to one client's encoding. Strings are given
// ids by intern.
type factEncoder struct {
	buf    []byte
	n      int
	prev   int64
	intern func(string) uint64
	person uint64 // the row's person
}

// add appends f.
func (e *factEncoder) add(unit int, f *accord.IndicatorFact) {
	e.n++
	var mask byte
	for i, t := range f.At {
		if !t.IsZero() {
			mask |= 1 << i
		}
	}
	if !f.Deadline.IsZero() {
		mask |= factDeadlineBit
	}
	if f.Person != e.person {
		mask |= factPersonBit
	}
	e.buf = append(e.buf, byte(unit), mask)
	var at0 int64
	if mask&1 != 0 {
		at0 = f.At[0].Unix()
		e.time(f.At[0], e.prev)
		e.prev = at0
	}
	for i := 1; i < len(f.At); i++ {
		if mask&(1<<i) != 0 {
			e.time(f.At[i], at0)
		}
	}
	if mask&factDeadlineBit != 0 {
		e.time(f.Deadline, at0)
	}
	for _, d := range f.Dims {
		var id uint64
		if d != "" {
			id = e.intern(d)
		}
		e.buf = binary.AppendUvarint(e.buf, id)
	}
	if mask&factPersonBit != 0 {
		e.buf = binary.AppendUvarint(e.buf, f.Person)
	}
}

// time appends t as seconds after base and nanoseconds.
func (e *factEncoder) time(t time.Time, base int64) {
	e.buf = binary.AppendVarint(e.buf, t.Unix()-base)
	e.buf = binary.AppendUvarint(e.buf, uint64(t.Nanosecond()))
}

// bytes returns the encoding of the facts added.
func (e *factEncoder) bytes() []byte {
	out := make([]byte, 0, len(e.buf)+1+binary.MaxVarintLen64)
	out = append(out, factCodecVersion)
	out = binary.AppendUvarint(out, uint64(e.n))
	return append(out, e.buf...)
}

var errFactCodec = errors.New("stored indicator facts are not readable")

// decodeFacts calls fn with each fact of an encoding, in the order they
// were added. strs names the string ids; person is the row's person. The
// fact passed is reused.
func decodeFacts(b []byte, strs []string, person uint64, f *accord.IndicatorFact, fn func(*accord.IndicatorFact) error) error {
	if len(b) == 0 || b[0] != factCodecVersion {
		return fmt.Errorf("%w: unknown version", errFactCodec)
	}
	b = b[1:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) { // each fact takes at least two bytes
		return fmt.Errorf("%w: bad count", errFactCodec)
	}
	b = b[k:]
	// decodeTime reads a time after base (seconds).
	decodeTime := func(base int64) (time.Time, int64, error) {
		sec, k := binary.Varint(b)
		if k <= 0 {
			return time.Time{}, 0, fmt.Errorf("%w: truncated", errFactCodec)
		}
		b = b[k:]
		ns, k := binary.Uvarint(b)
		if k <= 0 || ns >= 1e9 {
			return time.Time{}, 0, fmt.Errorf("%w: bad time", errFactCodec)
		}
		b = b[k:]
		return time.Unix(base+sec, int64(ns)).UTC(), base + sec, nil
	}
	var prev int64
	for range n {
		if len(b) < 2 {
			return fmt.Errorf("%w: truncated", errFactCodec)
		}
		unit, mask := int(b[0]), b[1]
		b = b[2:]
		if unit >= len(factUnits) || mask >= factPersonBit<<1 {
			return fmt.Errorf("%w: bad unit or times", errFactCodec)
		}
		*f = accord.IndicatorFact{Unit: factUnits[unit].unit, Person: person}
		var at0 int64
		var err error
		if mask&1 != 0 {
			if f.At[0], at0, err = decodeTime(prev); err != nil {
				return err
			}
			prev = at0
		}
		for i := 1; i < len(f.At); i++ {
			if mask&(1<<i) != 0 {
				if f.At[i], _, err = decodeTime(at0); err != nil {
					return err
				}
			}
		}
		if mask&factDeadlineBit != 0 {
			if f.Deadline, _, err = decodeTime(at0); err != nil {
				return err
			}
		}
		for i := range f.Dims {
			id, k := binary.Uvarint(b)
			if k <= 0 || id >= uint64(len(strs)) {
				return fmt.Errorf("%w: bad string", errFactCodec)
			}
			b = b[k:]
			f.Dims[i] = strs[id]
		}
		if mask&factPersonBit != 0 {
			v, k := binary.Uvarint(b)
			if k <= 0 {
				return fmt.Errorf("%w: truncated", errFactCodec)
			}
			b = b[k:]
			f.Person = v
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	if len(b) != 0 {
		return fmt.Errorf("%w: trailing bytes", errFactCodec)
	}
	return nil
}
