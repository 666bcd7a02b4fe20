package auditlog

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/accord-project/accord"
	"github.com/google/go-cmp/cmp"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// smallLog is a tree of 1,000 leaves and the naive root at every size.
var smallLog = sync.OnceValues(func() (*memStore, [][]byte) {
	hashes := leafHashes(testLeaves(&testing.T{}, 1000))
	s := newMemStore()
	a := &Appender{t: &tree{}}
	for size := 0; size < len(hashes); size += 37 {
		tiles, err := a.Append(hashes[size:min(size+37, len(hashes))])
		if err != nil {
			panic(err)
		}
		s.put(tiles)
	}
	return s, hashes
})

// readers returns the ways proofs can read tiles: straight from the store,
// and through a cache (small enough to evict).
func readers(s *memStore) map[string]TileReader {
	return map[string]TileReader{
		"store": s, "cache": NewTileCache(s, 3),
		"store with proof parts": partStore{s}, "cache with proof parts": NewTileCache(partStore{s}, 3),
	}
}

// partStore is a store that keeps proof parts, made from its tiles.
type partStore struct{ *memStore }

func (s partStore) ReadProofPart(ctx context.Context, tile uint64, part int) ([]byte, error) {
	b, err := s.ReadTiles(ctx, []TileID{{Level: 0, Index: tile}})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.reads-- // a part is one read, not a tile read
	s.parts++
	s.mu.Unlock()
	if len(b[0]) != TileWidth*HashSize {
		return nil, fmt.Errorf("tile %d is not full: %w", tile, ErrNoProofPart)
	}
	parts, err := ProofParts(b[0])
	if err != nil {
		return nil, err
	}
	return parts[part], nil
}

// TestProofParts checks that a proof of an entry of a full tile takes the
// in-tile hashes from its proof part, and reads no level-0 tile.
func TestProofParts(t *testing.T) {
	ctx := context.Background()
	s, hashes := bigLog()
	nv := &naive{hashes: hashes}
	type read struct{ Parts, TileReads int }
	tests := []struct {
		name        string
		index, size uint64
		want        read
	}{
		{"first entry of a full tile", 256, 70_000, read{1, 1}},
		{"last entry of a full tile", 511, 70_000, read{1, 1}},
		{"in the last full tile, which ends the tree", 65_535, 65_536, read{1, 1}},
		{"in the partial tile at the edge", 69_999, 70_000, read{0, 1}},
		{"in a tile not full at the size asked", 1_000, 1_001, read{0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.mu.Lock()
			s.reads, s.parts = 0, 0
			s.mu.Unlock()
			got, err := InclusionProof(ctx, partStore{s}, tt.index, tt.size)
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyInclusion(rfc6962.DefaultHasher, tt.index, tt.size, hashes[tt.index], got, nv.root(0, int(tt.size))); err != nil {
				t.Fatalf("does not verify: %v", err)
			}
			if diff := cmp.Diff(tt.want, read{s.parts, s.reads}); diff != "" {
				t.Errorf("reads (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("a wrong part makes a proof that does not verify", func(t *testing.T) {
		got, err := InclusionProof(ctx, badParts{s}, 300, 70_000)
		if err != nil {
			t.Fatal(err)
		}
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, 300, 70_000, hashes[300], got, nv.root(0, 70_000)); err == nil {
			t.Error("a proof from a tampered part verifies")
		}
	})
	t.Run("a part of the wrong size is not used", func(t *testing.T) {
		got, err := InclusionProof(ctx, shortParts{s}, 300, 70_000)
		if err != nil {
			t.Fatal(err)
		}
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, 300, 70_000, hashes[300], got, nv.root(0, 70_000)); err != nil {
			t.Errorf("does not verify: %v", err)
		}
	})
}

type badParts struct{ *memStore }

func (s badParts) ReadProofPart(ctx context.Context, tile uint64, part int) ([]byte, error) {
	b, err := partStore(s).ReadProofPart(ctx, tile, part)
	if err != nil {
		return nil, err
	}
	b = bytes.Clone(b)
	b[ProofPartSize-1] ^= 1 // the sibling at level 7
	return b, nil
}

type shortParts struct{ *memStore }

func (s shortParts) ReadProofPart(ctx context.Context, tile uint64, part int) ([]byte, error) {
	b, err := partStore(s).ReadProofPart(ctx, tile, part)
	return b[:len(b)-1], err
}

func TestInclusionProof(t *testing.T) {
	ctx := context.Background()
	type pair struct{ index, size uint64 }
	var small []pair
	for size := uint64(1); size <= 1000; size++ {
		for _, i := range []uint64{0, size / 2, size - 1, (size * 7) / 11} {
			small = append(small, pair{i, size})
		}
	}
	var big []pair
	r := rand.New(rand.NewPCG(9, 9))
	for range 300 {
		size := 1 + r.Uint64N(70_000)
		big = append(big, pair{r.Uint64N(size), size})
	}
	big = append(big, pair{65_535, 65_536}, pair{65_536, 65_537}, pair{0, 70_000}, pair{69_999, 70_000}, pair{65_536, 70_000})
	for _, tc := range []struct {
		name  string
		log   func() (*memStore, [][]byte)
		pairs []pair
	}{
		{"1000 leaves", smallLog, small},
		{"70000 leaves", bigLog, big},
	} {
		s, hashes := tc.log()
		nv := &naive{hashes: hashes}
		for name, tr := range readers(s) {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				for _, p := range tc.pairs {
					s.reads = 0
					got, err := InclusionProof(ctx, tr, p.index, p.size)
					if err != nil {
						t.Fatalf("InclusionProof(%d, %d): %v", p.index, p.size, err)
					}
					if s.reads > 1 {
						t.Errorf("InclusionProof(%d, %d) read tiles %d times, want once", p.index, p.size, s.reads)
					}
					if err := proof.VerifyInclusion(rfc6962.DefaultHasher, p.index, p.size, hashes[p.index], got, nv.root(0, int(p.size))); err != nil {
						t.Fatalf("InclusionProof(%d, %d) does not verify: %v", p.index, p.size, err)
					}
				}
			})
		}
	}
}

func TestConsistencyProof(t *testing.T) {
	ctx := context.Background()
	type pair struct{ m, n uint64 }
	var small []pair
	for n := uint64(0); n <= 1000; n += 7 {
		for _, m := range []uint64{0, min(n, 1), n / 3, n / 2, n - min(n, 1), n} {
			small = append(small, pair{m, n})
		}
	}
	var big []pair
	r := rand.New(rand.NewPCG(10, 10))
	for range 300 {
		n := r.Uint64N(70_001)
		big = append(big, pair{r.Uint64N(n + 1), n})
	}
	big = append(big, pair{256, 65_536}, pair{65_536, 70_000}, pair{65_535, 65_537}, pair{1, 70_000})
	for _, tc := range []struct {
		name  string
		log   func() (*memStore, [][]byte)
		pairs []pair
	}{
		{"1000 leaves", smallLog, small},
		{"70000 leaves", bigLog, big},
	} {
		s, hashes := tc.log()
		nv := &naive{hashes: hashes}
		for name, tr := range readers(s) {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				for _, p := range tc.pairs {
					got, err := ConsistencyProof(ctx, tr, p.m, p.n)
					if err != nil {
						t.Fatalf("ConsistencyProof(%d, %d): %v", p.m, p.n, err)
					}
					if err := proof.VerifyConsistency(rfc6962.DefaultHasher, p.m, p.n, got, nv.root(0, int(p.m)), nv.root(0, int(p.n))); err != nil {
						t.Fatalf("ConsistencyProof(%d, %d) does not verify: %v", p.m, p.n, err)
					}
					older := Checkpoint{Origin: testOrigin, Size: p.m, Hash: nv.root(0, int(p.m))}
					newer := Checkpoint{Origin: testOrigin, Size: p.n, Hash: nv.root(0, int(p.n))}
					if err := VerifyConsistency(older, newer, got); err != nil {
						t.Fatalf("VerifyConsistency(%d, %d): %v", p.m, p.n, err)
					}
				}
			})
		}
	}
}

func TestRootAt(t *testing.T) {
	ctx := context.Background()
	s, hashes := bigLog()
	sizes := []uint64{0, 1, 2, 255, 256, 257, 1000, 65_535, 65_536, 65_537, 69_999, 70_000}
	for name, tr := range readers(s) {
		for _, size := range sizes {
			t.Run(fmt.Sprintf("%s/%d", name, size), func(t *testing.T) {
				got, err := RootAt(ctx, tr, size)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(naiveRoot(hashes[:size]), got); diff != "" {
					t.Errorf("RootAt(%d) (-want +got):\n%s", size, diff)
				}
			})
		}
	}
}

func TestProofErrors(t *testing.T) {
	ctx := context.Background()
	s, _ := smallLog()
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"inclusion index = size", func() error { _, err := InclusionProof(ctx, s, 10, 10); return err }, accord.EINVALID},
		{"inclusion index > size", func() error { _, err := InclusionProof(ctx, s, 11, 10); return err }, accord.EINVALID},
		{"consistency m > n", func() error { _, err := ConsistencyProof(ctx, s, 11, 10); return err }, accord.EINVALID},
		{"inclusion beyond the log", func() error { _, err := InclusionProof(ctx, s, 0, 5000); return err }, accord.ENOTFOUND},
		{"consistency beyond the log", func() error { _, err := ConsistencyProof(ctx, s, 3, 1001); return err }, accord.EINTERNAL},
		{"root beyond the log", func() error { _, err := RootAt(ctx, s, 1001); return err }, accord.EINTERNAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if got := accord.ErrorCode(err); got != tt.code {
				t.Errorf("code = %q, want %q (err %v)", got, tt.code, err)
			}
		})
	}
}

func TestVerifyProofs(t *testing.T) {
	s, hashes := smallLog()
	ctx := context.Background()
	cp := func(n uint64) Checkpoint {
		return Checkpoint{Origin: testOrigin, Size: n, Hash: naiveRoot(hashes[:n])}
	}
	incl, err := InclusionProof(ctx, s, 300, 700)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := ConsistencyProof(ctx, s, 300, 700)
	if err != nil {
		t.Fatal(err)
	}
	leaves := testLeaves(t, 1000)
	other := cp(700)
	other.Origin = "other.example/log"
	emptyWrong := Checkpoint{Origin: testOrigin, Size: 0, Hash: hashes[0]}
	tests := []struct {
		name string
		err  error
		ok   bool
	}{
		{"inclusion", VerifyInclusion(cp(700), 300, leaves[300], incl), true},
		{"inclusion of another leaf", VerifyInclusion(cp(700), 300, leaves[301], incl), false},
		{"inclusion at another index", VerifyInclusion(cp(700), 301, leaves[300], incl), false},
		{"inclusion in another tree", VerifyInclusion(cp(701), 300, leaves[300], incl), false},
		{"inclusion beyond the size", VerifyInclusion(cp(300), 300, leaves[300], incl), false},
		{"consistency", VerifyConsistency(cp(300), cp(700), cons), true},
		{"consistency reversed", VerifyConsistency(cp(700), cp(300), cons), false},
		{"consistency of other roots", VerifyConsistency(cp(301), cp(700), cons), false},
		{"consistency of other logs", VerifyConsistency(cp(300), other, cons), false},
		{"consistency same size", VerifyConsistency(cp(700), cp(700), nil), true},
		{"consistency same size other root", VerifyConsistency(cp(700), cp(699), nil), false},
		{"consistency from empty", VerifyConsistency(cp(0), cp(700), nil), true},
		{"consistency from a wrong empty root", VerifyConsistency(emptyWrong, cp(700), nil), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.ok && tt.err != nil {
				t.Errorf("got %v, want nil", tt.err)
			}
			if !tt.ok && accord.ErrorCode(tt.err) != accord.EINVALID {
				t.Errorf("got %v, want an EINVALID error", tt.err)
			}
		})
	}
}

// TestTileCacheConcurrent checks that proofs through one small cache, from
// many goroutines, are right (and race-free under -race).
func TestTileCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	s, hashes := bigLog()
	c := NewTileCache(s, 8)
	root := naiveRoot(hashes)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for range 200 {
				i := r.Uint64N(uint64(len(hashes)))
				p, err := InclusionProof(ctx, c, i, uint64(len(hashes)))
				if err == nil {
					err = proof.VerifyInclusion(rfc6962.DefaultHasher, i, uint64(len(hashes)), hashes[i], p, root)
				}
				if err != nil {
					t.Errorf("proof of %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := c.lru.Len(); n > 8 {
		t.Errorf("cache holds %d tiles, want at most 8", n)
	}
}
