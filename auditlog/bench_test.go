package auditlog

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkAppend measures the append path per leaf, in batches (group
// commits) of 256 and 1024: "leaves" is LeafHash of a realistic ~330-byte
// entry, Clone (as the caller does per transaction) and Append; "hashes"
// is Clone and Append alone.
func BenchmarkAppend(b *testing.B) {
	leaves := testLeaves(b, 1<<14)
	hashed := leafHashes(leaves)
	for _, withLeafHash := range []bool{true, false} {
		for _, batch := range []int{256, 1024} {
			kind := "hashes"
			if withLeafHash {
				kind = "leaves"
			}
			b.Run(kind+"/"+name("batch", batch), func(b *testing.B) {
				a := &Appender{t: &tree{}}
				hashes := make([][]byte, batch)
				next := 0
				for b.Loop() {
					for i := range hashes {
						if withLeafHash {
							hashes[i] = LeafHash(leaves[next%len(leaves)])
						} else {
							hashes[i] = hashed[next%len(hashed)]
						}
						next++
					}
					c := a.Clone()
					if _, err := c.Append(hashes); err != nil {
						b.Fatal(err)
					}
					a = c
				}
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "leaves/s")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/leaf")
			})
		}
	}
}

func name(prefix string, n int) string { return prefix + "=" + strconv.Itoa(n) }

const benchSize = 10_000_000

// tenMillion is a tree of 10,000,000 leaves, its tiles in memory (≈330 MB).
// The leaves are synthetic: proofs only see their hashes.
var tenMillion = sync.OnceValue(func() *memStore {
	s := newMemStore()
	a := &Appender{t: &tree{}}
	hashes := make([][]byte, 1<<16)
	for size := 0; size < benchSize; size += len(hashes) {
		n := min(len(hashes), benchSize-size)
		for i := range n {
			var x [8]byte
			binary.BigEndian.PutUint64(x[:], uint64(size+i))
			h := sha256.Sum256(x[:])
			hashes[i] = h[:]
		}
		tiles, err := a.Append(hashes[:n])
		if err != nil {
			panic(err)
		}
		s.put(tiles)
	}
	return s
})

// BenchmarkInclusionProof measures an inclusion proof of a random entry in
// a log of 10,000,000, reading tiles from memory directly ("store") and
// through a warm TileCache of 4,096 tiles ("cache": the upper and partial
// tiles stay cached, the entry's level-0 tile is usually a miss).
func BenchmarkInclusionProof(b *testing.B) {
	s := tenMillion()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		tr   TileReader
	}{{"store", s}, {"cache", NewTileCache(s, 4096)}} {
		b.Run(tc.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 1))
			warmUp(b, tc.tr)
			for b.Loop() {
				if _, err := InclusionProof(ctx, tc.tr, r.Uint64N(benchSize), benchSize); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkConsistencyProof measures a consistency proof from a random
// earlier size to 10,000,000, as BenchmarkInclusionProof.
func BenchmarkConsistencyProof(b *testing.B) {
	s := tenMillion()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		tr   TileReader
	}{{"store", s}, {"cache", NewTileCache(s, 4096)}} {
		b.Run(tc.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(2, 2))
			warmUp(b, tc.tr)
			for b.Loop() {
				if _, err := ConsistencyProof(ctx, tc.tr, 1+r.Uint64N(benchSize-1), benchSize); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// warmUp makes 20,000 proofs through tr, so that a cache is in its steady
// state before timing, and collects the garbage of building the tree.
func warmUp(b *testing.B, tr TileReader) {
	r := rand.New(rand.NewPCG(3, 3))
	for range 20_000 {
		if _, err := InclusionProof(context.Background(), tr, r.Uint64N(benchSize), benchSize); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
}

// BenchmarkVerify measures a full verification of 1,000,000 realistic
// entries (~300 bytes each) with a checkpoint every 100,000, tiles read
// from memory.
func BenchmarkVerify(b *testing.B) {
	const n = 1_000_000
	cps := []int{}
	for c := 100_000; c <= n; c += 100_000 {
		cps = append(cps, c)
	}
	s := buildLog(b, n, cps...)
	_, verifiers := testKeys()
	var bytes int
	for _, l := range s.leaves {
		bytes += len(l)
	}
	b.SetBytes(int64(bytes))
	ctx := context.Background()
	for b.Loop() {
		v, err := NewVerifier(ctx, VerifyOptions{
			Origin: testOrigin, Verifiers: verifiers, Size: n, Tiles: s, Checkpoints: s.checkpoints,
		})
		if err != nil {
			b.Fatal(err)
		}
		for i, l := range s.leaves {
			if !v.Add(uint64(i), l) {
				break
			}
		}
		res, err := v.Finish()
		if err != nil {
			b.Fatal(err)
		}
		if !res.OK {
			b.Fatalf("verify: %s", res.Problem)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkWitness measures a witness's step on a log of 10,000,000
// entries: open the signed checkpoint, verify the consistency proof from a
// random earlier checkpoint, and cosign ("check+cosign"); and the same
// with the log's side, the proof computed from the tiles through a warm
// TileCache, included ("proof+check+cosign").
func BenchmarkWitness(b *testing.B) {
	s := tenMillion()
	ctx := context.Background()
	signer, verifiers := testKeys()
	logKey, err := verifiers.Verifier(signer.Name(), signer.KeyHash())
	if err != nil {
		b.Fatal(err)
	}
	root, err := RootAt(ctx, s, benchSize)
	if err != nil {
		b.Fatal(err)
	}
	msg, err := Sign(Checkpoint{Origin: testOrigin, Size: benchSize, Hash: root}, signer)
	if err != nil {
		b.Fatal(err)
	}
	key, _ := testWitnessKey(b)
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	// Earlier checkpoints the witness may hold, with their proofs.
	type older struct {
		c     Checkpoint
		proof [][]byte
	}
	r := rand.New(rand.NewPCG(4, 4))
	olds := make([]older, 256)
	for i := range olds {
		m := 1 + r.Uint64N(benchSize-1)
		h, err := RootAt(ctx, s, m)
		if err != nil {
			b.Fatal(err)
		}
		p, err := ConsistencyProof(ctx, s, m, benchSize)
		if err != nil {
			b.Fatal(err)
		}
		olds[i] = older{Checkpoint{Origin: testOrigin, Size: m, Hash: h}, p}
	}
	b.Run("check+cosign", func(b *testing.B) {
		i := 0
		for b.Loop() {
			o := &olds[i%len(olds)]
			i++
			if _, _, err := Witness(key, logKey, &o.c, msg, o.proof, at); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("proof+check+cosign", func(b *testing.B) {
		cache := NewTileCache(s, 4096)
		warmUp(b, cache)
		i := 0
		for b.Loop() {
			o := &olds[i%len(olds)]
			i++
			p, err := ConsistencyProof(ctx, cache, o.c.Size, benchSize)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := Witness(key, logKey, &o.c, msg, p, at); err != nil {
				b.Fatal(err)
			}
		}
	})
}
