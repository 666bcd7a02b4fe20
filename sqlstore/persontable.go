package sqlstore

import (
	"hash/maphash"
	"strings"
)

// personTable maps client ids to their dimensions for IndicatorFacts. A
// Go map of a million string keys cost half a microsecond to a
// microsecond a look-up in the indicator benchmark: the key's bytes live
// apart from the map, so a look-up misses the cache several times. Here a
// look-up touches one cache line: an open-addressing slot holding the
// key's 64-bit hash beside the person. Keys are not kept: the ids put are
// distinct (they come from the clients' primary key), so a hash met again
// when putting is a collision; the slot keeps the first id's person and
// the later ids are kept exactly, in a map consulted for that hash. An id
// never put is reported missing unless its hash equals a stored one
// (about one chance in 2^64 / n).
type personTable struct {
	hash     func(string) uint64
	slots    []ptSlot // a power of two, at most 5/8 full
	n        int
	collided map[string]person // ids whose hash another id shares
}

type ptSlot struct {
	hash  uint64
	p     person
	state uint8 // ptEmpty, ptUsed or ptCollided
}

const (
	ptEmpty = iota
	ptUsed
	ptCollided // look the id up in collided
)

func newPersonTable() *personTable {
	seed := maphash.MakeSeed()
	return &personTable{hash: func(id string) uint64 { return maphash.String(seed, id) }, slots: make([]ptSlot, 1024), collided: map[string]person{}}
}

// put adds id's person. Each id is put once.
func (t *personTable) put(id string, p person) {
	h := t.hash(id)
	if s := t.slot(h); s.state != ptEmpty {
		// Another id with this hash: the slot keeps the first one's.
		s.state = ptCollided
		t.collided[strings.Clone(id)] = p // id may be a view into the database's memory
		return
	}
	if 8*(t.n+1) > 5*len(t.slots) {
		t.grow()
	}
	*t.slot(h) = ptSlot{hash: h, p: p, state: ptUsed}
	t.n++
}

// slot returns the slot of hash h: the one holding it, or the empty one
// where it goes.
func (t *personTable) slot(h uint64) *ptSlot {
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		if s := &t.slots[i]; s.state == ptEmpty || s.hash == h {
			return s
		}
	}
}

func (t *personTable) grow() {
	old := t.slots
	t.slots = make([]ptSlot, 2*len(old))
	for _, s := range old {
		if s.state != ptEmpty {
			*t.slot(s.hash) = s
		}
	}
}

// get returns id's person.
func (t *personTable) get(id string) (person, bool) {
	s := t.slot(t.hash(id))
	switch s.state {
	case ptUsed:
		return s.p, true
	case ptCollided:
		if p, ok := t.collided[id]; ok {
			return p, true
		}
		return s.p, true
	}
	return person{}, false
}
