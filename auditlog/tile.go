package auditlog

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Tile geometry, after C2SP tlog-tiles: a tile is a subtree of height 8 and
// holds up to 256 hashes of 32 bytes.
const (
	HashSize   = 32  // bytes in a SHA-256 hash
	TileHeight = 8   // tree levels spanned by one tile level
	TileWidth  = 256 // hashes in a full tile
)

// errShortTile is wrapped by errors about a stored tile too short for the
// tree size asked about: a sign of tampering, or of a size beyond the log.
var errShortTile = errors.New("stored tile is too short")

// maxTileLevels is how many tile levels a tree of up to 2^64 leaves needs.
const maxTileLevels = 64 / TileHeight

// TileID names a tile. Tile (Level, Index) holds the hashes of the tree nodes
// at level 8·Level with indices [256·Index, 256·Index+w), w ≤ 256: at level 0
// the leaf hashes, above that the roots of the full tiles one level down.
type TileID struct {
	Level uint
	Index uint64
}

func (id TileID) String() string { return fmt.Sprintf("tile %d/%d", id.Level, id.Index) }

// Path returns where the tile of the given width is served in the C2SP
// tlog-tiles HTTP API: "tile/<L>/<N>[.p/<W>]", with N in zero-padded
// groups of three digits, all but the last prefixed with "x".
func (id TileID) Path(width int) string {
	n := fmt.Sprintf("%03d", id.Index%1000)
	for i := id.Index / 1000; i > 0; i /= 1000 {
		n = fmt.Sprintf("x%03d/%s", i%1000, n)
	}
	p := fmt.Sprintf("tile/%d/%s", id.Level, n)
	if width < TileWidth {
		p += fmt.Sprintf(".p/%d", width)
	}
	return p
}

// Tile is a tile and its contents: 1 to 256 concatenated 32-byte hashes. A
// tile with fewer than 256 hashes is the partial tile at the right edge of
// its level; it is rewritten, longer, as the tree grows, and its first hashes
// never change. Full tiles never change at all.
type Tile struct {
	ID     TileID
	Hashes []byte
}

// TileReader reads stored tiles. It is implemented by storage.
type TileReader interface {
	// ReadTiles returns the stored contents of the tiles, in the order of
	// ids, in one round trip. A missing tile is an error; storage should
	// give it the code accord.ENOTFOUND, which the Verifier reports as
	// tampering rather than failing. Callers treat the returned slices as
	// read-only and may keep them.
	ReadTiles(ctx context.Context, ids []TileID) ([][]byte, error)
}

// Width returns how many hashes the tile holds in a tree of size leaves:
// 256 for a full tile, 0 if the tile does not exist yet. A stored partial
// tile may be wider than this for an older size; its first Width hashes
// are the ones for size.
func (id TileID) Width(size uint64) int {
	n := nodesAt(id.Level, size) // complete nodes at tree level 8·Level
	switch start := id.Index * TileWidth; {
	case n <= start:
		return 0
	case n-start >= TileWidth:
		return TileWidth
	default:
		return int(n - start)
	}
}

// nodesAt returns the number of complete nodes at tree level 8·level in a
// tree of size leaves.
func nodesAt(level uint, size uint64) uint64 {
	if level >= maxTileLevels {
		return 0
	}
	return size >> (level * TileHeight)
}

// hashChildren returns the RFC 6962 interior node hash SHA-256(0x01||l||r).
// It builds the input on the stack so that hashing costs no allocation: the
// appender and the verifier call it about once per leaf.
func hashChildren(l, r *[HashSize]byte) [HashSize]byte {
	var buf [1 + 2*HashSize]byte
	buf[0] = 1
	copy(buf[1:], l[:])
	copy(buf[1+HashSize:], r[:])
	return sha256.Sum256(buf[:])
}

// subtreeHash returns the root of the perfect subtree whose 2^k leaves are
// the concatenated hashes in b (len(b) == 2^k·32, k ≤ 8).
func subtreeHash(b []byte) [HashSize]byte {
	n := len(b) / HashSize
	if n == 1 {
		return [HashSize]byte(b)
	}
	var s [TileWidth / 2][HashSize]byte
	for i := 0; i < n; i += 2 {
		s[i/2] = hashChildren((*[HashSize]byte)(b[i*HashSize:]), (*[HashSize]byte)(b[(i+1)*HashSize:]))
	}
	for n /= 2; n > 1; n /= 2 {
		for i := 0; i < n; i += 2 {
			s[i/2] = hashChildren(&s[i], &s[i+1])
		}
	}
	return s[0]
}

// tree is the right edge of a Merkle tree: the compact range of [0, size)
// (one perfect subtree root per set bit of size) and, for each tile level,
// the hashes of the partial tile at the right edge. It is all the state
// needed to append, and it is shared by Appender and Verifier.
type tree struct {
	size  uint64
	peaks [64][HashSize]byte // peaks[k] is valid iff bit k of size is set
	edge  [maxTileLevels][]byte
	dirty uint8 // bit L: edge[L] changed since the last clearDirty
}

// append adds the leaf hash h. full is called, in order, for every tile
// that becomes full; its argument is only valid during the call.
func (t *tree) append(h *[HashSize]byte, full func(id TileID, hashes []byte)) {
	n := t.size
	node := *h
	t.addNode(0, n, &node, full)
	level := uint(0)
	for n>>level&1 == 1 {
		node = hashChildren(&t.peaks[level], &node)
		level++
		if level%TileHeight == 0 {
			t.addNode(level/TileHeight, n>>level, &node, full)
		}
	}
	t.peaks[level] = node
	t.size++
}

// addNode records the completed node (8·l, index) in the edge tile of level l.
func (t *tree) addNode(l uint, index uint64, node *[HashSize]byte, full func(TileID, []byte)) {
	e := append(t.edge[l], node[:]...)
	t.dirty |= 1 << l
	if len(e) == TileWidth*HashSize {
		full(TileID{Level: l, Index: index / TileWidth}, e)
		e = e[:0]
	}
	t.edge[l] = e
}

// root returns the root hash of the tree (SHA-256 of nothing when empty).
func (t *tree) root() [HashSize]byte {
	if t.size == 0 {
		return sha256.Sum256(nil)
	}
	var r [HashSize]byte
	first := true
	for k := range uint(64) {
		if t.size>>k&1 == 0 {
			continue
		}
		if first {
			r, first = t.peaks[k], false
		} else {
			r = hashChildren(&t.peaks[k], &r)
		}
	}
	return r
}

// clone returns a deep copy of t.
func (t *tree) clone() *tree {
	c := *t
	for l, e := range t.edge {
		if e != nil {
			c.edge[l] = append(make([]byte, 0, TileWidth*HashSize), e...)
		}
	}
	return &c
}

// edgeTiles returns the IDs and widths of the non-empty partial tiles at
// the right edge of a tree of size leaves, lowest level first.
func edgeTiles(size uint64) (ids []TileID, widths []int) {
	for l := uint(0); l < maxTileLevels; l++ {
		n := nodesAt(l, size)
		if n == 0 {
			break
		}
		if w := int(n % TileWidth); w > 0 {
			ids = append(ids, TileID{Level: l, Index: n / TileWidth})
			widths = append(widths, w)
		}
	}
	return ids, widths
}

// restoreTree rebuilds the right edge of a tree of size leaves from its
// partial edge tiles (see edgeTiles), which hold every node of the compact
// range: a peak at level 8L+j covers 2^j consecutive hashes of the edge
// tile of level L.
func restoreTree(size uint64, ids []TileID, tiles [][]byte, widths []int) (*tree, error) {
	t := &tree{size: size}
	for i, id := range ids {
		need := widths[i] * HashSize
		if len(tiles[i]) < need || len(tiles[i])%HashSize != 0 {
			return nil, fmt.Errorf("%w: %v has %d bytes, want at least %d", errShortTile, id, len(tiles[i]), need)
		}
		e := make([]byte, need, TileWidth*HashSize)
		copy(e, tiles[i])
		t.edge[id.Level] = e
	}
	for k := range uint(64) {
		if size>>k&1 == 0 {
			continue
		}
		l, j := k/TileHeight, k%TileHeight
		// The peak's hashes at level 8l start after those of the higher
		// peaks in the same tile: the bits of the tile width above j.
		w := int(nodesAt(l, size) % TileWidth)
		off := (w >> (j + 1)) << (j + 1)
		t.peaks[k] = subtreeHash(t.edge[l][off*HashSize : (off+(1<<j))*HashSize])
	}
	return t, nil
}
