package auditlog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/accord-project/accord"
	"golang.org/x/mod/sumdb/note"
)

// memStore is the in-memory storage the tests drive the package with: a map
// of tiles, the leaves, and the signed checkpoints.
type memStore struct {
	mu          sync.Mutex
	tiles       map[TileID][]byte
	leaves      [][]byte
	checkpoints [][]byte
	reads       int // ReadTiles calls
	parts       int // ReadProofPart calls (partStore)
}

var _ TileReader = (*memStore)(nil)

func newMemStore() *memStore { return &memStore{tiles: make(map[TileID][]byte)} }

func (s *memStore) ReadTiles(ctx context.Context, ids []TileID) ([][]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	out := make([][]byte, len(ids))
	for i, id := range ids {
		b, ok := s.tiles[id]
		if !ok {
			return nil, accord.Errorf(accord.ENOTFOUND, "no %v", id)
		}
		out[i] = b
	}
	return out, nil
}

// put upserts tiles, as storage does in the append transaction.
func (s *memStore) put(tiles []Tile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range tiles {
		s.tiles[t.ID] = t.Hashes
	}
}

// clone returns a deep copy, for tampering with.
func (s *memStore) clone() *memStore {
	c := newMemStore()
	for id, b := range s.tiles {
		c.tiles[id] = bytes.Clone(b)
	}
	for _, l := range s.leaves {
		c.leaves = append(c.leaves, bytes.Clone(l))
	}
	for _, m := range s.checkpoints {
		c.checkpoints = append(c.checkpoints, bytes.Clone(m))
	}
	return c
}

// appendLeaves appends leaves through a clone of a, as storage does, and
// returns the appender to keep.
func (s *memStore) appendLeaves(t testing.TB, a *Appender, leaves [][]byte) *Appender {
	t.Helper()
	next := a.Clone()
	hashes := make([][]byte, len(leaves))
	for i, l := range leaves {
		hashes[i] = LeafHash(l)
	}
	tiles, err := next.Append(hashes)
	if err != nil {
		t.Fatal(err)
	}
	s.put(tiles)
	s.leaves = append(s.leaves, leaves...)
	return next
}

const testOrigin = "accord.example/log"

// testKeys is one key pair for the whole test binary.
var testKeys = sync.OnceValues(func() (note.Signer, note.Verifiers) {
	skey, vkey, err := GenerateKey(testOrigin)
	if err != nil {
		panic(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		panic(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		panic(err)
	}
	return s, note.VerifierList(v)
})

// sign returns the signed checkpoint of a.
func sign(t testing.TB, a *Appender) []byte {
	t.Helper()
	signer, _ := testKeys()
	msg, err := Sign(a.Checkpoint(testOrigin), signer)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// buildLog returns a store of n realistic entries with a signed checkpoint
// at each of the sizes cps, in ascending order.
func buildLog(t testing.TB, n int, cps ...int) *memStore {
	t.Helper()
	s := newMemStore()
	a := &Appender{t: &tree{}}
	leaves := testLeaves(t, n)
	at := 0
	for _, c := range cps {
		a = s.appendLeaves(t, a, leaves[at:c])
		at = c
		s.checkpoints = append(s.checkpoints, sign(t, a))
	}
	s.appendLeaves(t, a, leaves[at:])
	return s
}

// testLeaves returns n distinct realistic encoded entries: a mix of
// decisions, changes and logins averaging about 300 bytes.
func testLeaves(t testing.TB, n int) [][]byte {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	out := make([][]byte, n)
	for i := range n {
		e := testEntry(r, base.Add(time.Duration(i)*37*time.Millisecond))
		b, err := EncodeLeaf(&e)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

// randReader adapts a math/rand source to accord.NewID.
type randReader struct{ r *rand.Rand }

func (r randReader) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(r.r.Uint32())
	}
	return len(b), nil
}

func testEntry(r *rand.Rand, at time.Time) accord.AuditEntry {
	id := func(prefix string) string { return accord.NewID(prefix, randReader{r}) }
	e := accord.AuditEntry{
		Time:                at,
		ActorID:             id(accord.PrefixStaff),
		ActorOrganizationID: id(accord.PrefixOrganization),
		RequestID:           fmt.Sprintf("%016x", r.Uint64()),
	}
	switch k := r.IntN(20); {
	case k < 9: // a refusal
		e.Kind, e.ClientID, e.HolderID = accord.AuditDecision, id(accord.PrefixClient), id(accord.PrefixOrganization)
		e.Category, e.Purpose, e.Effect, e.Reason = "clinical_summary", "TREAT", "deny", accord.ReasonNoConsent
	case k < 13: // a disclosure under an agreement and a consent
		p := r.IntN(3)
		e.Kind, e.ClientID, e.HolderID = accord.AuditDecision, id(accord.PrefixClient), id(accord.PrefixOrganization)
		e.Category, e.Purpose, e.Effect, e.Reason = "legal_matter", "LEGALAID", "permit", accord.ReasonAgreementConsent
		e.Released, e.AgreementID, e.AgreementVersion = true, id(accord.PrefixAgreement), 1+r.IntN(4)
		e.ConsentID, e.Provision, e.Obligations = id(accord.PrefixConsent), &p, []string{"audit"}
	case k < 17:
		e.Kind, e.Action, e.ObjectID = accord.AuditChange, "consent.revoke", id(accord.PrefixConsent)
	default:
		e.Kind, e.Action = accord.AuditLogin, "login.success"
	}
	return e
}

// naiveRoot is the RFC 6962 Merkle Tree Hash of the leaf hashes, computed
// by the definition.
func naiveRoot(hashes [][]byte) []byte { return (&naive{hashes: hashes}).root(0, len(hashes)) }

// naive computes RFC 6962 roots by the definition, remembering the perfect
// subtrees it has hashed so that roots at many sizes of one log are cheap.
type naive struct {
	hashes [][]byte
	memo   map[[2]int][]byte
}

func (t *naive) root(lo, hi int) []byte {
	n := hi - lo
	switch {
	case n == 0:
		h := sha256.Sum256(nil)
		return h[:]
	case n == 1:
		return t.hashes[lo]
	}
	perfect := n&(n-1) == 0
	if r, ok := t.memo[[2]int{lo, hi}]; ok && perfect {
		return r
	}
	k := 1
	for k*2 < n {
		k *= 2
	}
	h := sha256.Sum256(append(append([]byte{1}, t.root(lo, lo+k)...), t.root(lo+k, hi)...))
	if perfect {
		if t.memo == nil {
			t.memo = make(map[[2]int][]byte)
		}
		t.memo[[2]int{lo, hi}] = h[:]
	}
	return h[:]
}

func leafHashes(leaves [][]byte) [][]byte {
	out := make([][]byte, len(leaves))
	for i, l := range leaves {
		out[i] = LeafHash(l)
	}
	return out
}
