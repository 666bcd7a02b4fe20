package auditlog

import (
	"container/list"
	"context"
	"fmt"
	"sync"
)

// TileCache is a TileReader that keeps the most recently used full tiles in
// memory. Full tiles never change, so a cached one is never stale; partial
// tiles are always read through. Proofs computed through a TileCache also
// reuse the subtree hashes inside cached tiles, which is what makes an
// inclusion proof in a large log cost one uncached level-0 tile. A TileCache
// is safe for concurrent use.
type TileCache struct {
	r   TileReader
	max int

	mu  sync.Mutex
	lru list.List // of *cachedTile, most recently used first
	m   map[TileID]*list.Element
}

// cachedTile is a full tile and its lazily computed inner nodes.
type cachedTile struct {
	id     TileID
	hashes []byte
	memo   tileMemo
}

// NewTileCache returns a cache of up to maxTiles full tiles (each about
// 16 KiB with its memoised inner nodes) in front of r.
func NewTileCache(r TileReader, maxTiles int) *TileCache {
	return &TileCache{r: r, max: max(maxTiles, 1), m: make(map[TileID]*list.Element)}
}

// ReadTiles returns the tiles, from memory when cached, reading the others
// from the underlying reader in one call.
func (c *TileCache) ReadTiles(ctx context.Context, ids []TileID) ([][]byte, error) {
	views, err := c.readViews(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(views))
	for i, v := range views {
		out[i] = v.hashes
	}
	return out, nil
}

func (c *TileCache) readViews(ctx context.Context, ids []TileID) ([]tileView, error) {
	views := make([]tileView, len(ids))
	var missing []TileID
	var at []int // index in ids of each missing tile
	c.mu.Lock()
	for i, id := range ids {
		if e, ok := c.m[id]; ok {
			c.lru.MoveToFront(e)
			t := e.Value.(*cachedTile)
			views[i] = tileView{hashes: t.hashes, memo: &t.memo}
			continue
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
		i := at[j]
		if len(b) != TileWidth*HashSize {
			views[i] = tileView{hashes: b}
			continue
		}
		e, ok := c.m[missing[j]]
		if !ok {
			e = c.lru.PushFront(&cachedTile{id: missing[j], hashes: b})
			c.m[missing[j]] = e
			for c.lru.Len() > c.max {
				old := c.lru.Back()
				c.lru.Remove(old)
				delete(c.m, old.Value.(*cachedTile).id)
			}
		}
		t := e.Value.(*cachedTile)
		views[i] = tileView{hashes: t.hashes, memo: &t.memo}
	}
	return views, nil
}

// tileMemo holds the inner nodes of a full tile: levels 1 to 8 above its
// hashes, 128+64+…+1 = 255 of them, computed once on first use.
type tileMemo struct {
	once  sync.Once
	nodes [TileWidth - 1][HashSize]byte
}

// memoOffset[k] is where the nodes k levels above the tile's hashes start.
var memoOffset = [TileHeight + 1]int{0, 0, 128, 192, 224, 240, 248, 252, 254}

// node returns the root of the 2^k hashes of the full tile starting at off.
func (m *tileMemo) node(hashes []byte, off int, k uint) [HashSize]byte {
	m.once.Do(func() {
		for i := range TileWidth / 2 {
			m.nodes[i] = hashChildren((*[HashSize]byte)(hashes[2*i*HashSize:]), (*[HashSize]byte)(hashes[(2*i+1)*HashSize:]))
		}
		for k := 2; k <= TileHeight; k++ {
			below, here := memoOffset[k-1], memoOffset[k]
			for i := range TileWidth >> k {
				m.nodes[here+i] = hashChildren(&m.nodes[below+2*i], &m.nodes[below+2*i+1])
			}
		}
	})
	return m.nodes[memoOffset[k]+(off>>k)]
}
