package auditlog

import (
	"bytes"
	"context"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"

	"github.com/accord-project/accord"
	"github.com/google/go-cmp/cmp"
)

// wantTiles returns every tile of the tree of the leaf hashes, computed by
// the definition (each level-8L hash is the naive root of 256^L leaves).
func wantTiles(hashes [][]byte) map[TileID][]byte {
	out := make(map[TileID][]byte)
	span := 1
	for l := uint(0); len(hashes)/span > 0; l++ {
		for i := 0; i+span <= len(hashes); i += span {
			id := TileID{Level: l, Index: uint64(i / span / TileWidth)}
			out[id] = append(out[id], naiveRoot(hashes[i:i+span])...)
		}
		span *= TileWidth
	}
	return out
}

// fastBytes makes cmp compare byte slices with bytes.Equal: tile maps are
// megabytes, which cmp otherwise walks byte by byte.
var fastBytes = cmp.Comparer(bytes.Equal)

// snapshot copies the store's tiles.
func (s *memStore) snapshot() map[TileID][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[TileID][]byte, len(s.tiles))
	for id, b := range s.tiles {
		out[id] = bytes.Clone(b)
	}
	return out
}

func tileIDs(tiles []Tile) []TileID {
	var ids []TileID
	for _, t := range tiles {
		ids = append(ids, t.ID)
	}
	return ids
}

// TestAppendSmall grows a tree to 600 leaves in random batches and checks,
// after every batch, the root and every tile against the definition, that
// Append returned exactly the tiles that changed, and that an appender
// restored from the stored tiles carries on identically.
func TestAppendSmall(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 7))
	hashes := leafHashes(testLeaves(t, 600))
	s := newMemStore()
	a, err := NewAppender(ctx, 0, s)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(naiveRoot(nil), a.Root()); diff != "" {
		t.Errorf("empty root (-want +got):\n%s", diff)
	}
	for size := 0; size < len(hashes); {
		n := min(1+r.IntN(40), len(hashes)-size)
		if r.IntN(4) == 0 {
			n = 1
		}
		before := s.snapshot()
		restored, err := NewAppender(ctx, uint64(size), s)
		if err != nil {
			t.Fatalf("NewAppender(%d): %v", size, err)
		}
		tiles, err := a.Append(hashes[size : size+n])
		if err != nil {
			t.Fatal(err)
		}
		again, err := restored.Append(hashes[size : size+n])
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tiles, again); diff != "" {
			t.Fatalf("size %d+%d: restored appender returned other tiles (-live +restored):\n%s", size, n, diff)
		}
		s.put(tiles)
		size += n

		if got := a.Size(); got != uint64(size) {
			t.Fatalf("Size() = %d, want %d", got, size)
		}
		if diff := cmp.Diff(naiveRoot(hashes[:size]), a.Root()); diff != "" {
			t.Fatalf("size %d: root (-want +got):\n%s", size, diff)
		}
		want := wantTiles(hashes[:size])
		if diff := cmp.Diff(want, s.snapshot(), fastBytes); diff != "" {
			t.Fatalf("size %d: stored tiles (-want +got):\n%s", size, diff)
		}
		var changed []TileID
		for id, b := range want {
			if !bytes.Equal(before[id], b) {
				changed = append(changed, id)
			}
		}
		sort.Slice(changed, func(i, j int) bool {
			return changed[i].Level < changed[j].Level || changed[i].Level == changed[j].Level && changed[i].Index < changed[j].Index
		})
		if diff := cmp.Diff(changed, tileIDs(tiles)); diff != "" {
			t.Fatalf("size %d: tiles returned (-changed +returned):\n%s", size, diff)
		}
	}
}

// bigLog is a tree of 70,000 leaves (crossing the tile boundaries at 256
// and 65,536) built in random batches, shared by the tests that need one.
var bigLog = sync.OnceValues(func() (*memStore, [][]byte) {
	hashes := leafHashes(testLeaves(&testing.T{}, 70_000))
	s := newMemStore()
	a := &Appender{t: &tree{}}
	r := rand.New(rand.NewPCG(3, 4))
	for size := 0; size < len(hashes); {
		n := min(1+r.IntN(3000), len(hashes)-size)
		tiles, err := a.Append(hashes[size : size+n])
		if err != nil {
			panic(err)
		}
		s.put(tiles)
		size += n
	}
	return s, hashes
})

// TestAppendLarge grows a tree past 65,536 leaves in random batches that
// stop right at and around the tile boundaries, restoring the appender from
// storage at each stop, and checks roots and tiles against the definition.
func TestAppendLarge(t *testing.T) {
	ctx := context.Background()
	_, hashes := bigLog()
	stops := []int{255, 256, 257, 511, 512, 9000, 65_535, 65_536, 65_537, 65_792, len(hashes)}
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 12; i++ {
		stops = append(stops, 1+r.IntN(len(hashes)-1))
	}
	sort.Ints(stops)
	s := newMemStore()
	size := 0
	for _, stop := range stops {
		if stop == size {
			continue
		}
		// A new appender from storage for each stop, as after a restart.
		a, err := NewAppender(ctx, uint64(size), s)
		if err != nil {
			t.Fatalf("NewAppender(%d): %v", size, err)
		}
		for size < stop {
			n := min(1+r.IntN(2000), stop-size)
			tiles, err := a.Append(hashes[size : size+n])
			if err != nil {
				t.Fatal(err)
			}
			s.put(tiles)
			size += n
		}
		if diff := cmp.Diff(naiveRoot(hashes[:size]), a.Root()); diff != "" {
			t.Fatalf("size %d: root (-want +got):\n%s", size, diff)
		}
	}
	if diff := cmp.Diff(wantTiles(hashes), s.snapshot(), fastBytes); diff != "" {
		t.Errorf("stored tiles (-want +got):\n%s", diff)
	}
	big, _ := bigLog()
	if diff := cmp.Diff(s.snapshot(), big.snapshot(), fastBytes); diff != "" {
		t.Errorf("tiles depend on how the leaves were batched (-here +bigLog):\n%s", diff)
	}
}

func TestAppendRejectsBadHash(t *testing.T) {
	a := &Appender{t: &tree{}}
	before := a.Root()
	_, err := a.Append([][]byte{make([]byte, 32), make([]byte, 31)})
	if got := accord.ErrorCode(err); got != accord.EINVALID {
		t.Fatalf("Append(short hash) code = %q, want %q (err %v)", got, accord.EINVALID, err)
	}
	if a.Size() != 0 || !bytes.Equal(a.Root(), before) {
		t.Errorf("a failed Append changed the tree")
	}
}

func TestCloneIsIndependent(t *testing.T) {
	hashes := leafHashes(testLeaves(t, 300))
	a := &Appender{t: &tree{}}
	if _, err := a.Append(hashes[:200]); err != nil {
		t.Fatal(err)
	}
	root := a.Root()
	c := a.Clone()
	if _, err := c.Append(hashes[200:]); err != nil {
		t.Fatal(err)
	}
	if a.Size() != 200 || !bytes.Equal(a.Root(), root) {
		t.Errorf("appending to a clone changed the original")
	}
	// The original can still take the same leaves and agree with the clone.
	if _, err := a.Append(hashes[200:]); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c.Root(), a.Root()); diff != "" {
		t.Errorf("root after the same appends (-clone +original):\n%s", diff)
	}
}

func TestNewAppenderErrors(t *testing.T) {
	ctx := context.Background()
	s := newMemStore()
	a := s.appendLeaves(t, &Appender{t: &tree{}}, testLeaves(t, 300))
	tests := []struct {
		name   string
		size   uint64
		tamper func(s *memStore)
	}{
		{"missing edge tile", 300, func(s *memStore) { delete(s.tiles, TileID{0, 1}) }},
		{"short edge tile", 300, func(s *memStore) { s.tiles[TileID{0, 1}] = s.tiles[TileID{0, 1}][:10*HashSize] }},
		{"size beyond the tiles", 600, func(*memStore) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := s.clone()
			tt.tamper(c)
			if _, err := NewAppender(ctx, tt.size, c); err == nil {
				t.Errorf("NewAppender(%d) succeeded", tt.size)
			}
		})
	}
	// A longer stored tile is fine: its first hashes never change.
	got, err := NewAppender(ctx, 290, s)
	if err != nil {
		t.Fatalf("NewAppender(290) over tiles of 300: %v", err)
	}
	if diff := cmp.Diff(naiveRoot(leafHashes(s.leaves[:290])), got.Root()); diff != "" {
		t.Errorf("root at 290 (-want +got):\n%s", diff)
	}
	_ = a
}

func TestTilePath(t *testing.T) {
	tests := []struct {
		id    TileID
		width int
		want  string
	}{
		{TileID{0, 0}, 256, "tile/0/000"},
		{TileID{0, 1234067}, 256, "tile/0/x001/x234/067"},
		{TileID{0, 1234067}, 17, "tile/0/x001/x234/067.p/17"},
		{TileID{2, 1000}, 1, "tile/2/x001/000.p/1"},
		{TileID{1, 5}, 255, "tile/1/005.p/255"},
	}
	for _, tt := range tests {
		if got := tt.id.Path(tt.width); got != tt.want {
			t.Errorf("%v.Path(%d) = %q, want %q", tt.id, tt.width, got, tt.want)
		}
	}
}

// TestTileWidth follows the example of the tlog-tiles spec: a tree of
// 70,000 has 273 full level-0 tiles and a partial one of 112, a full
// level-1 tile and a partial one of 17, and a partial level-2 tile of 1.
func TestTileWidth(t *testing.T) {
	tests := []struct {
		id   TileID
		size uint64
		want int
	}{
		{TileID{0, 272}, 70_000, 256},
		{TileID{0, 273}, 70_000, 112},
		{TileID{0, 274}, 70_000, 0},
		{TileID{1, 0}, 70_000, 256},
		{TileID{1, 1}, 70_000, 17},
		{TileID{2, 0}, 70_000, 1},
		{TileID{3, 0}, 70_000, 0},
		{TileID{0, 0}, 256, 256},
		{TileID{1, 0}, 256, 1},
		{TileID{0, 1}, 256, 0},
		{TileID{7, 0}, 1 << 63, 128},
	}
	for _, tt := range tests {
		if got := tt.id.Width(tt.size); got != tt.want {
			t.Errorf("%v.Width(%d) = %d, want %d", tt.id, tt.size, got, tt.want)
		}
	}
	s, _ := bigLog()
	for id, b := range s.snapshot() {
		if got, want := id.Width(70_000), len(b)/HashSize; got != want {
			t.Errorf("%v.Width(70000) = %d, stored %d hashes", id, got, want)
		}
	}
}
