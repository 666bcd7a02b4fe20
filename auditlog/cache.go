package auditlog

import (
	"bytes"
	"container/list"
	"context"
	"fmt"
	"sync"
)

// TileCache is a TileReader that keeps recently used tiles in memory, with
// the subtree hashes computed inside them. Full tiles never change and
// partial ones only grow, so nothing cached goes stale: a partial tile is
// read again only when a proof needs more of it than is cached. With a
// warm cache, an inclusion proof in a large log costs the one level-0 tile
// it is unlikely to share with the previous proof. A TileCache is safe for
// concurrent use.
type TileCache struct {
	r   TileReader
	max int

	mu  sync.Mutex
	lru list.List // of *cachedTile, most recently used first
	m   map[TileID]*list.Element
}

type cachedTile struct {
	id   TileID
	memo tileMemo
}

// NewTileCache returns a cache of up to maxTiles tiles (each at most
// 16 KiB with its subtree hashes) in front of r.
func NewTileCache(r TileReader, maxTiles int) *TileCache {
	return &TileCache{r: r, max: max(maxTiles, 1), m: make(map[TileID]*list.Element)}
}

// ReadTiles returns the tiles: full tiles from memory when cached, the
// others read from the underlying reader in one call (partial tiles always,
// as the caller may want the latest).
func (c *TileCache) ReadTiles(ctx context.Context, ids []TileID) ([][]byte, error) {
	widths := make([]int, len(ids))
	for i := range widths {
		widths[i] = TileWidth
	}
	views, err := c.readViews(ctx, ids, widths)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(views))
	for i, v := range views {
		out[i] = v.hashes
	}
	return out, nil
}

// readViews returns the tiles, each at least as wide as asked when the
// store has them so, from memory where possible.
func (c *TileCache) readViews(ctx context.Context, ids []TileID, widths []int) ([]tileView, error) {
	views := make([]tileView, len(ids))
	var missing []TileID
	var at []int // index in ids of each missing tile
	c.mu.Lock()
	for i, id := range ids {
		if e, ok := c.m[id]; ok {
			t := e.Value.(*cachedTile)
			if h := t.memo.contents(); len(h) >= widths[i]*HashSize {
				c.lru.MoveToFront(e)
				views[i] = tileView{hashes: h, memo: &t.memo}
				continue
			}
		}
		missing = append(missing, id)
		at = append(at, i)
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return views, nil
	}
	raw, err := c.r.ReadTiles(ctx, missing)
	if err != nil {
		return nil, err
	}
	if len(raw) != len(missing) {
		return nil, fmt.Errorf("read %d tiles, want %d", len(raw), len(missing))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for j, b := range raw {
		id := missing[j]
		var t *cachedTile
		if e, ok := c.m[id]; ok && e.Value.(*cachedTile).memo.grow(b) {
			c.lru.MoveToFront(e)
			t = e.Value.(*cachedTile)
		} else {
			if ok {
				c.lru.Remove(e) // its contents changed under it: start afresh
			}
			t = &cachedTile{id: id}
			t.memo.grow(b)
			c.m[id] = c.lru.PushFront(t)
			for c.lru.Len() > c.max {
				old := c.lru.Back()
				c.lru.Remove(old)
				delete(c.m, old.Value.(*cachedTile).id)
			}
		}
		views[at[j]] = tileView{hashes: b, memo: &t.memo}
	}
	return views, nil
}

// tileMemo is a tile and the subtree hashes inside it, levels 1 to 8 above
// its hashes (128+64+…+1 = 255 nodes), each computed on first use.
type tileMemo struct {
	mu     sync.Mutex
	hashes []byte
	have   bits256
	nodes  [TileWidth - 1][HashSize]byte
}

// memoOffset[k] is where the nodes k levels above the tile's hashes start.
var memoOffset = [TileHeight + 1]int{0, 0, 128, 192, 224, 240, 248, 252, 254}

func (m *tileMemo) contents() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hashes
}

// grow sets the tile's contents to b if b extends what it holds (the
// subtree hashes computed so far stay valid) and reports whether it did.
func (m *tileMemo) grow(b []byte) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !bytes.HasPrefix(b, m.hashes) {
		return false
	}
	if len(b) > len(m.hashes) {
		m.hashes = b
	}
	return true
}

// node returns the root of the 2^k hashes of the tile starting at off,
// which must all be in the tile.
func (m *tileMemo) node(off int, k uint) [HashSize]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.nodeLocked(off, k)
}

func (m *tileMemo) nodeLocked(off int, k uint) [HashSize]byte {
	if k == 0 {
		return [HashSize]byte(m.hashes[off*HashSize:])
	}
	i := memoOffset[k] + off>>k
	if !m.have.has(i) {
		l, r := m.nodeLocked(off, k-1), m.nodeLocked(off+(1<<(k-1)), k-1)
		m.nodes[i] = hashChildren(&l, &r)
		m.have.set(i)
	}
	return m.nodes[i]
}

// bits256 is a set of small integers below 256.
type bits256 [4]uint64

func (b *bits256) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b *bits256) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
