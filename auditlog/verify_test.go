package auditlog

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/accord-project/accord"
	"github.com/google/go-cmp/cmp"
)

// verify streams the store's leaves through a Verifier.
func verify(t *testing.T, s *memStore, size uint64, external []byte) *VerifyResult {
	t.Helper()
	return verifyIndexed(t, s, size, external, nil)
}

// verifyIndexed is verify with the index stored for each leaf (nil: 0, 1, …).
func verifyIndexed(t *testing.T, s *memStore, size uint64, external []byte, index []uint64) *VerifyResult {
	t.Helper()
	_, verifiers := testKeys()
	var progress []uint64
	v, err := NewVerifier(context.Background(), VerifyOptions{
		Origin:      testOrigin,
		Verifiers:   verifiers,
		Size:        size,
		Tiles:       s,
		Checkpoints: s.checkpoints,
		External:    external,
		Progress:    func(n uint64) { progress = append(progress, n) },
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range s.leaves {
		x := uint64(i)
		if index != nil {
			x = index[i]
		}
		if !v.Add(x, l) {
			break
		}
	}
	res, err := v.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if len(progress) == 0 || progress[len(progress)-1] != res.Size || !slices.IsSorted(progress) {
		t.Errorf("progress reported %v, want ascending and ending at %d", progress, res.Size)
	}
	return res
}

// summary is what the tamper tests compare.
type summary struct {
	OK          bool
	FirstBad    int64
	FirstBadEnd int64
	Checkpoints string // "size:ok" or "size:problem" for each, "+" marking the external one
}

func summarise(r *VerifyResult) summary {
	var cps []string
	for _, c := range r.Checkpoints {
		s := fmt.Sprint(c.Size)
		if c.External {
			s = "+" + s
		}
		if c.OK {
			s += ":ok"
		} else {
			s += ":bad"
		}
		cps = append(cps, s)
	}
	return summary{OK: r.OK, FirstBad: r.FirstBad, FirstBadEnd: r.FirstBadEnd, Checkpoints: strings.Join(cps, " ")}
}

// retile recomputes every tile from the leaves, as an attacker who rewrote
// entries and wanted the tiles to agree with them would.
func retile(t *testing.T, s *memStore) {
	t.Helper()
	s.tiles = make(map[TileID][]byte)
	leaves := s.leaves
	s.leaves = nil
	s.appendLeaves(t, &Appender{t: &tree{}}, leaves)
}

// setLeafHash overwrites entry i's hash in the level-0 tile.
func setLeafHash(s *memStore, i int) {
	id := TileID{Level: 0, Index: uint64(i / TileWidth)}
	b := bytes.Clone(s.tiles[id])
	copy(b[(i%TileWidth)*HashSize:], LeafHash(s.leaves[i]))
	s.tiles[id] = b
}

// edit backdates an entry by a year.
func edit(l []byte) []byte {
	return bytes.Replace(l, []byte(`"time":"2026-`), []byte(`"time":"2025-`), 1)
}

func TestVerify(t *testing.T) {
	// 3,000 entries, signed at 100, 700, 1500, 2600 but not at the end.
	base := buildLog(t, 3000, 100, 700, 1500, 2600)
	all := "100:ok 700:ok 1500:ok 2600:ok"
	tests := []struct {
		name   string
		tamper func(s *memStore) (size uint64)
		want   summary
		words  string // in Problem
	}{
		{
			name:   "untouched",
			tamper: func(s *memStore) uint64 { return 3000 },
			want:   summary{OK: true, FirstBad: -1, FirstBadEnd: -1, Checkpoints: all},
		},
		{
			name: "(a) entry edited",
			tamper: func(s *memStore) uint64 {
				s.leaves[1234] = edit(s.leaves[1234])
				return 3000
			},
			want:  summary{FirstBad: 1234, FirstBadEnd: 1235, Checkpoints: "100:ok 700:ok 1500:bad 2600:bad"},
			words: "entry 1234 does not match the signed checkpoint at size 1500",
		},
		{
			name: "(a) first of two edits",
			tamper: func(s *memStore) uint64 {
				s.leaves[2000] = edit(s.leaves[2000])
				s.leaves[1999] = edit(s.leaves[1999])
				return 3000
			},
			want: summary{FirstBad: 1999, FirstBadEnd: 2000, Checkpoints: "100:ok 700:ok 1500:ok 2600:bad"},
		},
		{
			name: "(a) entry edited after the last checkpoint",
			tamper: func(s *memStore) uint64 {
				s.leaves[2800] = edit(s.leaves[2800])
				return 3000
			},
			want:  summary{FirstBad: 2800, FirstBadEnd: 2801, Checkpoints: all},
			words: "no signed checkpoint covers it",
		},
		{
			name: "(b) entry and its level-0 hash edited",
			tamper: func(s *memStore) uint64 {
				s.leaves[1234] = edit(s.leaves[1234])
				setLeafHash(s, 1234)
				return 3000
			},
			// The level-1 hash of tile 0/4 (entries 1024–1279) no longer
			// matches; the checkpoint at 1500 bounds it too.
			want:  summary{FirstBad: 1024, FirstBadEnd: 1280, Checkpoints: "100:ok 700:ok 1500:bad 2600:bad"},
			words: "from 1024 to 1279",
		},
		{
			name: "(b) entry edited and an earlier hash of its tile garbled",
			tamper: func(s *memStore) uint64 {
				s.leaves[1240] = edit(s.leaves[1240])
				b := bytes.Clone(s.tiles[TileID{0, 4}])
				b[(1234%TileWidth)*HashSize] ^= 1
				s.tiles[TileID{0, 4}] = b
				return 3000
			},
			// The level-0 tile no longer hashes to its level-1 hash, so
			// its first difference (at 1234) proves nothing.
			want: summary{FirstBad: 1024, FirstBadEnd: 1280, Checkpoints: "100:ok 700:ok 1500:bad 2600:bad"},
		},
		{
			name: "(b) edited within a partial tile of a checkpoint",
			tamper: func(s *memStore) uint64 {
				s.leaves[650] = edit(s.leaves[650])
				setLeafHash(s, 650)
				return 3000
			},
			// The stored tiles no longer hash to the root at 700, where
			// the tile was partial; they do to the root at 1500, whose
			// level-1 hash of entries 512–767 then bounds it from below.
			want: summary{FirstBad: 512, FirstBadEnd: 700, Checkpoints: "100:ok 700:bad 1500:bad 2600:bad"},
		},
		{
			name: "(c) entry edited and all tiles recomputed",
			tamper: func(s *memStore) uint64 {
				s.leaves[1234] = edit(s.leaves[1234])
				retile(t, s)
				return 3000
			},
			want:  summary{FirstBad: 700, FirstBadEnd: 1500, Checkpoints: "100:ok 700:ok 1500:bad 2600:bad"},
			words: "from 700 to 1499",
		},
		{
			name: "(c) edited after the last checkpoint, tiles recomputed",
			tamper: func(s *memStore) uint64 {
				s.leaves[2800] = edit(s.leaves[2800])
				retile(t, s)
				return 3000
			},
			// Nothing signed covers entry 2800, and the tiles agree.
			want: summary{OK: true, FirstBad: -1, FirstBadEnd: -1, Checkpoints: all},
		},
		{
			name: "entry removed, later ones renumbered",
			tamper: func(s *memStore) uint64 {
				s.leaves = slices.Delete(s.leaves, 1234, 1235)
				return 3000
			},
			want: summary{FirstBad: 1234, FirstBadEnd: 1235, Checkpoints: "100:ok 700:ok 1500:bad 2600:bad"},
		},
		{
			name: "entry inserted, later ones renumbered",
			tamper: func(s *memStore) uint64 {
				s.leaves = slices.Insert(s.leaves, 1234, edit(s.leaves[1234]))
				return 3000
			},
			want: summary{FirstBad: 1234, FirstBadEnd: 1235, Checkpoints: "100:ok 700:ok 1500:bad 2600:bad"},
		},
		{
			name: "entries swapped",
			tamper: func(s *memStore) uint64 {
				s.leaves[1234], s.leaves[1240] = s.leaves[1240], s.leaves[1234]
				return 3000
			},
			want: summary{FirstBad: 1234, FirstBadEnd: 1235, Checkpoints: "100:ok 700:ok 1500:bad 2600:bad"},
		},
		{
			name: "entries swapped, tiles recomputed",
			tamper: func(s *memStore) uint64 {
				s.leaves[1234], s.leaves[1240] = s.leaves[1240], s.leaves[1234]
				retile(t, s)
				return 3000
			},
			want: summary{FirstBad: 700, FirstBadEnd: 1500, Checkpoints: "100:ok 700:ok 1500:bad 2600:bad"},
		},
		{
			name: "last entries removed and tiles recomputed",
			tamper: func(s *memStore) uint64 {
				s.leaves = s.leaves[:2500]
				retile(t, s)
				return 2500
			},
			want:  summary{FirstBad: 2500, FirstBadEnd: 2501, Checkpoints: "100:ok 700:ok 1500:ok 2600:bad"},
			words: "entries from 2500 were removed",
		},
		{
			name: "stored tile corrupted, entries intact",
			tamper: func(s *memStore) uint64 {
				b := bytes.Clone(s.tiles[TileID{0, 3}])
				b[100] ^= 1
				s.tiles[TileID{0, 3}] = b
				return 3000
			},
			want:  summary{FirstBad: -1, FirstBadEnd: -1, Checkpoints: all},
			words: "stored tiles do not match the entries: tile 0/3",
		},
		{
			name: "stored tile deleted",
			tamper: func(s *memStore) uint64 {
				delete(s.tiles, TileID{0, 5})
				return 3000
			},
			want:  summary{FirstBad: -1, FirstBadEnd: -1, Checkpoints: all},
			words: "tile 0/5",
		},
		{
			name: "checkpoint forged",
			tamper: func(s *memStore) uint64 {
				s.checkpoints[1] = bytes.Replace(s.checkpoints[1], []byte("\n700\n"), []byte("\n701\n"), 1)
				return 3000
			},
			want:  summary{FirstBad: -1, FirstBadEnd: -1, Checkpoints: "100:ok 701:bad 1500:ok 2600:ok"},
			words: "stored checkpoint at size 701: checkpoint has an invalid signature",
		},
		{
			name: "checkpoint of another history",
			tamper: func(s *memStore) uint64 {
				signer, _ := testKeys()
				msg, err := Sign(Checkpoint{Origin: testOrigin, Size: 1000, Hash: LeafHash(nil)}, signer)
				if err != nil {
					t.Fatal(err)
				}
				s.checkpoints = append(s.checkpoints, msg)
				return 3000
			},
			want:  summary{FirstBad: -1, FirstBadEnd: -1, Checkpoints: "100:ok 700:ok 1000:bad 1500:ok 2600:ok"},
			words: "signed another history",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base.clone()
			size := tt.tamper(s)
			res := verify(t, s, size, nil)
			if diff := cmp.Diff(tt.want, summarise(res)); diff != "" {
				t.Errorf("result (-want +got):\n%s\nproblem: %s", diff, res.Problem)
			}
			if !strings.Contains(res.Problem, tt.words) {
				t.Errorf("problem %q does not say %q", res.Problem, tt.words)
			}
			if res.OK != (res.Problem == "") {
				t.Errorf("OK = %v with problem %q", res.OK, res.Problem)
			}
		})
	}
}

func TestVerifyExternal(t *testing.T) {
	base := buildLog(t, 3000, 100, 700, 1500, 2600)
	// Checkpoints a user kept: at 1500 and at 3000 (never stored), and one
	// of a longer log that was later cut back to 3000.
	at := func(n int) []byte {
		s := newMemStore()
		a := s.appendLeaves(t, &Appender{t: &tree{}}, base.leaves[:n])
		return sign(t, a)
	}
	at1500, at3000 := at(1500), at(3000)
	longer := base.clone()
	a, err := NewAppender(context.Background(), 3000, longer)
	if err != nil {
		t.Fatal(err)
	}
	at3100 := sign(t, longer.appendLeaves(t, a, testLeaves(t, 100)))

	tests := []struct {
		name     string
		external []byte
		tamper   func(s *memStore)
		want     summary
		words    string
	}{
		{
			name:     "earlier checkpoint",
			external: at1500,
			want:     summary{OK: true, FirstBad: -1, FirstBadEnd: -1, Checkpoints: "100:ok 700:ok 1500:ok 2600:ok +1500:ok"},
		},
		{
			name:     "checkpoint newer than the stored ones",
			external: at3000,
			want:     summary{OK: true, FirstBad: -1, FirstBadEnd: -1, Checkpoints: "100:ok 700:ok 1500:ok 2600:ok +3000:ok"},
		},
		{
			name:     "it covers an edit the stored checkpoints do not",
			external: at3000,
			tamper: func(s *memStore) {
				s.leaves[2800] = edit(s.leaves[2800])
				retile(t, s)
			},
			want:  summary{FirstBad: 2600, FirstBadEnd: 3000, Checkpoints: "100:ok 700:ok 1500:ok 2600:ok +3000:bad"},
			words: "the external checkpoint at size 3000",
		},
		{
			name:     "entries removed after it",
			external: at3100,
			want:     summary{FirstBad: 3000, FirstBadEnd: 3001, Checkpoints: "100:ok 700:ok 1500:ok 2600:ok +3100:bad"},
			words:    "entries from 3000 were removed",
		},
		{
			name:     "tiles cannot prove it consistent",
			external: at1500,
			tamper: func(s *memStore) {
				// The level-1 hash of entries 1024–1279 is in the proof
				// from 1500 to 2600.
				b := bytes.Clone(s.tiles[TileID{1, 0}])
				b[4*HashSize] ^= 1
				s.tiles[TileID{1, 0}] = b
			},
			want:  summary{FirstBad: -1, FirstBadEnd: -1, Checkpoints: "100:ok 700:ok 1500:ok 2600:ok +1500:bad"},
			words: "the consistency proof from the stored tiles between sizes 1500 and 2600 does not verify",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base.clone()
			if tt.tamper != nil {
				tt.tamper(s)
			}
			res := verify(t, s, 3000, tt.external)
			if diff := cmp.Diff(tt.want, summarise(res)); diff != "" {
				t.Errorf("result (-want +got):\n%s\nproblem: %s", diff, res.Problem)
			}
			if !strings.Contains(res.Problem, tt.words) {
				t.Errorf("problem %q does not say %q", res.Problem, tt.words)
			}
		})
	}

	t.Run("forged", func(t *testing.T) {
		_, verifiers := testKeys()
		forged := bytes.Replace(at1500, []byte("\n1500\n"), []byte("\n1400\n"), 1)
		_, err := NewVerifier(context.Background(), VerifyOptions{Origin: testOrigin, Verifiers: verifiers, Size: 3000, Tiles: base, External: forged})
		if accord.ErrorCode(err) != accord.EINVALID {
			t.Errorf("NewVerifier(forged external) = %v, want an EINVALID error", err)
		}
	})
}

func TestVerifySequence(t *testing.T) {
	base := buildLog(t, 1000, 500)
	seq := func(edit func(ix []uint64) []uint64) []uint64 {
		ix := make([]uint64, 1000)
		for i := range ix {
			ix[i] = uint64(i)
		}
		return edit(ix)
	}
	tests := []struct {
		name  string
		index []uint64
		want  summary
		words string
	}{
		{
			name:  "gap",
			index: seq(func(ix []uint64) []uint64 { return slices.Delete(ix, 600, 601) }),
			want:  summary{FirstBad: 600, FirstBadEnd: 601, Checkpoints: "500:ok"},
			words: "entry 600 is missing (the next stored entry is 601)",
		},
		{
			name:  "duplicate",
			index: seq(func(ix []uint64) []uint64 { return slices.Insert(ix, 601, 600) }),
			want:  summary{FirstBad: 601, FirstBadEnd: 602, Checkpoints: "500:ok"},
			words: "entry 600 is stored again where entry 601 should be",
		},
		{
			name:  "reordered",
			index: seq(func(ix []uint64) []uint64 { ix[300], ix[301] = 301, 300; return ix }),
			want:  summary{FirstBad: 300, FirstBadEnd: 301, Checkpoints: "500:bad"},
			words: "entry 300 is missing",
		},
		{
			name:  "first entry missing",
			index: seq(func(ix []uint64) []uint64 { return ix[1:] }),
			want:  summary{FirstBad: 0, FirstBadEnd: 1, Checkpoints: "500:bad"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base.clone()
			s.leaves = s.leaves[:len(tt.index)]
			res := verifyIndexed(t, s, 1000, nil, tt.index)
			if diff := cmp.Diff(tt.want, summarise(res)); diff != "" {
				t.Errorf("result (-want +got):\n%s\nproblem: %s", diff, res.Problem)
			}
			if !strings.Contains(res.Problem, tt.words) {
				t.Errorf("problem %q does not say %q", res.Problem, tt.words)
			}
		})
	}
}

// TestVerifyLarge runs enough entries through the verifier to cross its
// batches (4,096 entries) and tile comparisons (65,536 entries), and the
// tile boundary at 65,536.
func TestVerifyLarge(t *testing.T) {
	base := buildLog(t, 70_000, 30_000, 65_536, 69_000)
	tests := []struct {
		name   string
		tamper func(s *memStore)
		want   summary
	}{
		{"untouched", func(*memStore) {}, summary{OK: true, FirstBad: -1, FirstBadEnd: -1, Checkpoints: "30000:ok 65536:ok 69000:ok"}},
		{"(a) edit", func(s *memStore) { s.leaves[66_000] = edit(s.leaves[66_000]) },
			summary{FirstBad: 66_000, FirstBadEnd: 66_001, Checkpoints: "30000:ok 65536:ok 69000:bad"}},
		{"(a) edit at the tile boundary", func(s *memStore) { s.leaves[65_535] = edit(s.leaves[65_535]) },
			summary{FirstBad: 65_535, FirstBadEnd: 65_536, Checkpoints: "30000:ok 65536:bad 69000:bad"}},
		{"(b) edit", func(s *memStore) { s.leaves[40_000] = edit(s.leaves[40_000]); setLeafHash(s, 40_000) },
			summary{FirstBad: 39_936, FirstBadEnd: 40_192, Checkpoints: "30000:ok 65536:bad 69000:bad"}},
		{"(c) edit", func(s *memStore) { s.leaves[40_000] = edit(s.leaves[40_000]); retile(t, s) },
			summary{FirstBad: 30_000, FirstBadEnd: 65_536, Checkpoints: "30000:ok 65536:bad 69000:bad"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base.clone()
			tt.tamper(s)
			res := verify(t, s, 70_000, nil)
			if diff := cmp.Diff(tt.want, summarise(res)); diff != "" {
				t.Errorf("result (-want +got):\n%s\nproblem: %s", diff, res.Problem)
			}
		})
	}
}

func TestVerifyEmpty(t *testing.T) {
	s := newMemStore()
	a := &Appender{t: &tree{}}
	s.checkpoints = [][]byte{sign(t, a)}
	res := verify(t, s, 0, nil)
	want := summary{OK: true, FirstBad: -1, FirstBadEnd: -1, Checkpoints: "0:ok"}
	if diff := cmp.Diff(want, summarise(res)); diff != "" {
		t.Errorf("result (-want +got):\n%s\nproblem: %s", diff, res.Problem)
	}
	if diff := cmp.Diff(naiveRoot(nil), res.Root); diff != "" {
		t.Errorf("root (-want +got):\n%s", diff)
	}
}

// failingReader fails every read after the first n.
type failingReader struct {
	TileReader
	n int
}

func (f *failingReader) ReadTiles(ctx context.Context, ids []TileID) ([][]byte, error) {
	if f.n--; f.n < 0 {
		return nil, fmt.Errorf("disk on fire")
	}
	return f.TileReader.ReadTiles(ctx, ids)
}

func TestVerifyFails(t *testing.T) {
	// Tiles are first compared after 65,536 entries; a few batches later
	// Add must notice the read error.
	s := buildLog(t, 140_000, 69_000)
	_, verifiers := testKeys()
	t.Run("tile read error", func(t *testing.T) {
		v, err := NewVerifier(context.Background(), VerifyOptions{
			Origin: testOrigin, Verifiers: verifiers, Size: 140_000, Tiles: &failingReader{TileReader: s}, Checkpoints: s.checkpoints,
		})
		if err != nil {
			t.Fatal(err)
		}
		added := 0
		for i, l := range s.leaves {
			if !v.Add(uint64(i), l) {
				break
			}
			added++
		}
		if _, err := v.Finish(); err == nil || !strings.Contains(err.Error(), "disk on fire") {
			t.Errorf("Finish() error = %v, want the read error", err)
		}
		if added == len(s.leaves) {
			t.Errorf("Add kept asking for entries after the read error")
		}
	})
	t.Run("context cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		v, err := NewVerifier(ctx, VerifyOptions{
			Origin: testOrigin, Verifiers: verifiers, Size: 140_000, Tiles: s, Checkpoints: s.checkpoints,
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range s.leaves {
			if i == 10_000 {
				cancel()
			}
			if !v.Add(uint64(i), l) {
				break
			}
		}
		if _, err := v.Finish(); err == nil {
			t.Errorf("Finish() after cancel succeeded")
		}
	})
}
