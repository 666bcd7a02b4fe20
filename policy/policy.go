// Package policy is Accord's decision point: given a Request it returns a
// Decision, computed from an in-memory Snapshot of the partnership's
// organisations, agreements, consents, legal bases, care teams and local
// Cedar restrictions. It does no I/O; the storage layer keeps the Snapshot
// current.
//
// The rules, in order (the first that decides wins):
//
//  1. Default deny: an unknown category, purpose or organisation.
//  2. Within the holding organisation: role and care team (RoleCategories,
//     CareTeamCategories), with break-glass for clinical data.
//  3. Across organisations: privileged legal notes never cross; the
//     firewall; court orders and statutory duties; break-glass (ETREAT);
//     then an agreement AND the client's consent.
//  4. Local restrictions: Cedar forbid policies may turn any permit into a
//     deny, never the reverse (see Schema).
//
// Decide allocates nothing and takes no exclusive lock unless local Cedar
// policies are set.
package policy

import (
	"hash/maphash"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"unique"

	"github.com/accord-project/accord"
)

// numShards is how many independently locked parts the client index is cut
// into. Writers (a consent revoked, a care team changed) then block only the
// decisions about clients in one shard, and readers on different cores do not
// all bounce one RWMutex's reader count between their caches.
const numShards = 64

// Snapshot is the decision point's view of the partnership. All methods are
// safe for concurrent use; a change is seen by every Decide that starts after
// the method returns.
//
// Data about the partnership (organisations, agreements, local policies)
// changes rarely and is published copy-on-write through an atomic pointer, so
// Decide reads it without a lock. Data about clients (consents, legal bases,
// care teams) changes often and is large, so it lives in hash tables sharded
// by client id, each shard under its own RWMutex (see clientTable).
type Snapshot struct {
	part atomic.Pointer[partnership]

	// mu serialises writers of part and guards agreements.
	mu sync.Mutex
	// agreements holds every version of every agreement by id, including
	// those not in force, so that a Put or Remove knows which pairs to update.
	agreements map[string][]*agreementRule

	seed   maphash.Seed
	shards []shard
}

// partnership is the immutable, published part of a Snapshot.
type partnership struct {
	orgs  map[string]orgRef
	pairs map[uint64][]pairEntry // active agreement versions by unordered org pair; slices are never modified in place
	local *localPolicies         // nil when there are none
}

// orgRef is an organisation as the decision point knows it. Every
// organisation named by an agreement gets a number, so that pairs can be
// keyed by two small integers; only those put with PutOrganization are
// known (and so may act or hold data).
type orgRef struct {
	num    uint32
	known  bool
	sector accord.Sector
	bit    sectorSet
	handle orgHandle
}

type shard struct {
	mu    sync.RWMutex
	table clientTable
	long  map[string]*clientSlot // ids too long for a clientKey; never Accord's own
	// bases holds the legal bases by client. Few clients have one, so this
	// map is small and stays in cache.
	bases map[string][]basisRule
	_     [8]byte // keep shards on separate cache lines
}

// NewSnapshot returns an empty snapshot, in which every request is denied.
func NewSnapshot() *Snapshot {
	return newSnapshot(numShards)
}

func newSnapshot(shards int) *Snapshot {
	s := &Snapshot{
		agreements: make(map[string][]*agreementRule),
		seed:       maphash.MakeSeed(),
		shards:     make([]shard, shards),
	}
	for i := range s.shards {
		s.shards[i].long = make(map[string]*clientSlot)
		s.shards[i].bases = make(map[string][]basisRule)
	}
	s.part.Store(&partnership{orgs: map[string]orgRef{}, pairs: map[uint64][]pairEntry{}})
	return s
}

// locate returns the client's shard and the hash of the client id, which
// also places the client in the shard's table.
func (s *Snapshot) locate(clientID string) (*shard, uint64) {
	h := maphash.String(s.seed, clientID)
	return &s.shards[(h>>32)%uint64(len(s.shards))], h
}

// lookup returns the client's slot, nil when the shard knows nothing of
// the client. The caller holds sh.mu, for reading at least, while it uses
// the slot.
func (sh *shard) lookup(h uint64, clientID string) *clientSlot {
	if k, ok := keyOf(clientID); ok {
		return sh.table.find(h, &k)
	}
	return sh.long[clientID]
}

// update applies f to a copy of the client's rules and stores the result,
// under sh.mu held for writing. A client left with nothing is forgotten,
// so that erased or fully revoked clients cost no memory.
func (sh *shard) update(h uint64, clientID string, f func(cr *clientRules)) {
	cr := clientRules{bases: sh.bases[clientID]}
	if slot := sh.lookup(h, clientID); slot != nil {
		cr.provisions, cr.team = slices.Clone(slot.provisions()), slot.team()
	}
	f(&cr)
	if len(cr.bases) == 0 {
		delete(sh.bases, clientID)
	} else {
		sh.bases[clientID] = cr.bases
	}
	switch k, ok := keyOf(clientID); {
	case ok:
		sh.table.put(h, k, cr)
	case len(cr.provisions) == 0 && len(cr.team) == 0:
		delete(sh.long, clientID)
	default:
		slot := &clientSlot{hash: h}
		slot.set(cr)
		sh.long[clientID] = slot
	}
}

// update runs f on a copy of the published partnership and publishes the
// result. The maps are copied shallowly: f must replace, never modify, a
// pair's slice.
func (s *Snapshot) update(f func(p *partnership)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.part.Load()
	p := &partnership{orgs: maps.Clone(old.orgs), pairs: maps.Clone(old.pairs), local: old.local}
	f(p)
	s.part.Store(p)
}

// PutOrganization records an organisation and its sector. Until it is put,
// an organisation can neither act nor hold data.
func (s *Snapshot) PutOrganization(id string, sector accord.Sector) {
	s.update(func(p *partnership) { p.putOrganization(id, sector) })
}

func (p *partnership) putOrganization(id string, sector accord.Sector) {
	o := p.intern(id)
	o.known, o.sector, o.bit = true, sector, sectorBit(sector)
	p.orgs[id] = o
}

// intern returns the organisation's entry, numbering it if it is new.
func (p *partnership) intern(id string) orgRef {
	o, ok := p.orgs[id]
	if !ok {
		o = orgRef{num: uint32(len(p.orgs)), handle: unique.Make(id)}
		p.orgs[id] = o
	}
	return o
}

// PutAgreement records one version of an agreement, replacing the version
// with the same id and number. Only versions with status active count, and
// only within their effective period. Each call copies the index of
// agreements by pair (about a millisecond with 10,000 agreements): load
// many with Bulk.
func (s *Snapshot) PutAgreement(a *accord.Agreement) {
	s.update(func(p *partnership) { s.putAgreement(p, a) })
}

// putAgreement needs s.mu held and p unpublished.
func (s *Snapshot) putAgreement(p *partnership, a *accord.Agreement) {
	ar := compileAgreement(a)
	versions := s.agreements[a.ID]
	if i := slices.IndexFunc(versions, func(v *agreementRule) bool { return v.version == a.Version }); i >= 0 {
		p.unindex(versions[i])
		versions = slices.Delete(slices.Clone(versions), i, i+1)
	}
	s.agreements[a.ID] = append(versions, ar)
	p.index(ar)
}

// RemoveAgreement forgets every version of an agreement.
func (s *Snapshot) RemoveAgreement(id string) {
	s.update(func(p *partnership) {
		for _, ar := range s.agreements[id] {
			p.unindex(ar)
		}
		delete(s.agreements, id)
	})
}

// index adds an active agreement version to the pair of every two of its parties.
func (p *partnership) index(ar *agreementRule) {
	if !ar.active {
		return
	}
	p.eachPair(ar, func(key uint64, e pairEntry) {
		bucket := append(slices.Clone(p.pairs[key]), e)
		slices.SortFunc(bucket, comparePairEntries)
		p.pairs[key] = bucket
	})
}

func (p *partnership) unindex(ar *agreementRule) {
	if !ar.active {
		return
	}
	p.eachPair(ar, func(key uint64, _ pairEntry) {
		bucket := slices.DeleteFunc(slices.Clone(p.pairs[key]), func(e pairEntry) bool { return e.rule == ar })
		if len(bucket) == 0 {
			delete(p.pairs, key)
		} else {
			p.pairs[key] = bucket
		}
	})
}

func (p *partnership) eachPair(ar *agreementRule, f func(key uint64, e pairEntry)) {
	parties := slices.Compact(slices.Sorted(slices.Values(ar.parties)))
	for i, a := range parties {
		for _, b := range parties[i+1:] {
			oa, ob := p.intern(a), p.intern(b)
			key, aIsLo := pairKey(oa.num, ob.num)
			lo, hi := a, b
			if !aIsLo {
				lo, hi = b, a
			}
			f(key, pairEntry{
				from: ar.from, until: ar.until, id: ar.id, version: ar.version,
				categories: ar.categories, roles: ar.roles, purposes: ar.purposes,
				prohibitsLo: slices.Contains(ar.prohibited, lo),
				prohibitsHi: slices.Contains(ar.prohibited, hi),
				rule:        ar,
			})
		}
	}
}

// PutConsent records a consent, replacing the one with the same id. A
// consent that is not active (revoked) is dropped, so a revocation takes
// effect on the next decision. A consent is filed under its ClientID, which
// is assumed never to change.
func (s *Snapshot) PutConsent(c *accord.Consent) {
	sh, h := s.locate(c.ClientID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.putConsent(h, c)
}

func (sh *shard) putConsent(h uint64, c *accord.Consent) {
	sh.update(h, c.ClientID, func(cr *clientRules) { cr.putConsent(c) })
}

// PutLegalBasis records a legal basis, replacing the one with the same id.
// A basis is filed under its ClientID, which is assumed never to change.
func (s *Snapshot) PutLegalBasis(b *accord.LegalBasis) {
	sh, h := s.locate(b.ClientID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.putLegalBasis(h, b)
}

func (sh *shard) putLegalBasis(h uint64, b *accord.LegalBasis) {
	sh.update(h, b.ClientID, func(cr *clientRules) {
		if i := slices.IndexFunc(cr.bases, func(x basisRule) bool { return x.id == b.ID }); i >= 0 {
			cr.bases[i] = compileBasis(b)
		} else {
			cr.bases = append(cr.bases, compileBasis(b))
		}
	})
}

// SetCareTeam replaces the client's care team: the staff of the holding
// organisation who may read the CareTeamCategories.
func (s *Snapshot) SetCareTeam(clientID string, staffIDs []string) {
	sh, h := s.locate(clientID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.setCareTeam(h, clientID, staffIDs)
}

func (sh *shard) setCareTeam(h uint64, clientID string, staffIDs []string) {
	sh.update(h, clientID, func(cr *clientRules) { cr.team = slices.Clip(slices.Clone(staffIDs)) })
}

// RemoveClient forgets everything about a client (consents, legal bases,
// care team), as on erasure. Every later request about the client is denied
// unless the holder's own staff may read it by role alone.
func (s *Snapshot) RemoveClient(clientID string) {
	sh, h := s.locate(clientID)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.update(h, clientID, func(cr *clientRules) { *cr = clientRules{} })
}

// Loader loads a snapshot in bulk; see Snapshot.Bulk. Its methods do what the
// Snapshot methods of the same names do, without taking locks or publishing.
type Loader struct {
	s *Snapshot
	p *partnership
}

// Bulk calls load with a Loader, holding every lock of the snapshot, and
// publishes the result when load returns. It is for the initial load of
// millions of consents: it saves a lock per item and a copy of the
// partnership per agreement. Decisions wait until load returns. The Loader
// must not be used after that. If load panics, what it loaded stays loaded.
func (s *Snapshot) Bulk(load func(l *Loader)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.shards {
		s.shards[i].mu.Lock()
	}
	defer func() {
		for i := range s.shards {
			s.shards[i].mu.Unlock()
		}
	}()
	old := s.part.Load()
	l := &Loader{s: s, p: &partnership{orgs: maps.Clone(old.orgs), pairs: maps.Clone(old.pairs), local: old.local}}
	defer func() {
		s.part.Store(l.p)
		l.s, l.p = nil, nil
	}()
	load(l)
}

// PutOrganization is Snapshot.PutOrganization.
func (l *Loader) PutOrganization(id string, sector accord.Sector) { l.p.putOrganization(id, sector) }

// PutAgreement is Snapshot.PutAgreement.
func (l *Loader) PutAgreement(a *accord.Agreement) { l.s.putAgreement(l.p, a) }

// PutConsent is Snapshot.PutConsent.
func (l *Loader) PutConsent(c *accord.Consent) {
	sh, h := l.s.locate(c.ClientID)
	sh.putConsent(h, c)
}

// PutLegalBasis is Snapshot.PutLegalBasis.
func (l *Loader) PutLegalBasis(b *accord.LegalBasis) {
	sh, h := l.s.locate(b.ClientID)
	sh.putLegalBasis(h, b)
}

// SetCareTeam is Snapshot.SetCareTeam.
func (l *Loader) SetCareTeam(clientID string, staffIDs []string) {
	sh, h := l.s.locate(clientID)
	sh.setCareTeam(h, clientID, staffIDs)
}
