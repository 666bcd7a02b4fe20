package policy

// clientTable is the index of one shard: client → rules, as an
// open-addressing hash table (linear probing, backward-shift deletion)
// whose slots hold a client's first few provisions in place.
//
// Why not a Go map: with a million consents every decision's lookup misses
// the cache, and in a virtual machine each miss into a heap of this size
// costs 250–400 ns (page walk included). A map[clientKey]clientRules costs
// two such misses — the map's slot, then the provisions array it points
// to — and a Go map keeps values over 128 bytes out of line. Here the usual
// client (up to inlineProvisions provisions) costs one: the slot, read as a
// few adjacent cache lines. Legal bases are not kept here but in a small
// map of their own (shard.bases), which stays in cache, so that decisions
// made before consent is looked at (firewall, legal bases, break-glass, no
// agreement) cost no miss at all.

import "slices"

// inlineProvisions is how many provisions a slot holds in place. A client
// with more keeps them all in extra.spill.
const inlineProvisions = 4

// spilled in clientSlot.n says that the provisions are in extra.spill.
const spilled = 0xff

// clientSlot is one cache line of header and inlineProvisions lines of
// provisions.
type clientSlot struct {
	hash   uint64 // 0 marks an empty slot; real hashes are never 0 (see slotHash)
	key    clientKey
	n      uint8 // provisions held inline, or spilled
	extra  *clientExtra
	_      [8]byte
	inline [inlineProvisions]provisionRule
}

// clientExtra is what most decisions never need: the care team (only the
// holder's own staff ask), and provisions that do not fit in the slot.
type clientExtra struct {
	team  []string
	spill []provisionRule
}

// provisions returns the client's provisions, in order; none for a nil slot.
func (s *clientSlot) provisions() []provisionRule {
	switch {
	case s == nil:
		return nil
	case s.n == spilled:
		return s.extra.spill
	}
	return s.inline[:s.n]
}

// team returns the client's care team; none for a nil slot.
func (s *clientSlot) team() []string {
	if s == nil || s.extra == nil {
		return nil
	}
	return s.extra.team
}

// set replaces the slot's provisions and care team with cr's, copying
// provisions inline when they fit. (cr.bases belong in shard.bases.)
func (s *clientSlot) set(cr clientRules) {
	s.inline = [inlineProvisions]provisionRule{}
	extra := clientExtra{team: cr.team}
	if len(cr.provisions) > inlineProvisions {
		extra.spill, s.n = slices.Clip(cr.provisions), spilled
	} else {
		s.n = uint8(copy(s.inline[:], cr.provisions))
	}
	s.extra = nil
	if len(extra.team) > 0 || extra.spill != nil {
		s.extra = &extra
	}
}

func slotHash(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

type clientTable struct {
	slots []clientSlot // len is 0 or a power of two
	used  int
}

// find returns the client's slot, or nil.
func (t *clientTable) find(h uint64, k *clientKey) *clientSlot {
	if len(t.slots) == 0 {
		return nil
	}
	h = slotHash(h)
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.hash == 0 {
			return nil
		}
		if s.hash == h && s.key == *k {
			return s
		}
	}
}

// put stores cr's provisions and care team as the client's, or removes the
// client when there are none.
func (t *clientTable) put(h uint64, k clientKey, cr clientRules) {
	h = slotHash(h)
	if len(cr.provisions) == 0 && len(cr.team) == 0 {
		t.remove(h, &k)
		return
	}
	if (t.used+1)*4 > len(t.slots)*3 {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.hash == 0 {
			s.hash, s.key = h, k
			s.set(cr)
			t.used++
			return
		}
		if s.hash == h && s.key == k {
			s.set(cr)
			return
		}
	}
}

func (t *clientTable) remove(h uint64, k *clientKey) {
	if len(t.slots) == 0 {
		return
	}
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for ; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.hash == 0 {
			return
		}
		if s.hash == h && s.key == *k {
			break
		}
	}
	// Backward-shift deletion: move later entries of the run into the hole
	// when their home is at or before it, so that no tombstones are needed.
	for j := (i + 1) & mask; t.slots[j].hash != 0; j = (j + 1) & mask {
		home := t.slots[j].hash & mask
		if (j-home)&mask >= (j-i)&mask {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = clientSlot{}
	t.used--
}

func (t *clientTable) grow() {
	old := t.slots
	t.slots = make([]clientSlot, max(16, 2*len(old)))
	mask := uint64(len(t.slots) - 1)
	for j := range old {
		s := &old[j]
		if s.hash == 0 {
			continue
		}
		i := s.hash & mask
		for t.slots[i].hash != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = *s
	}
}
