package auditlog

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/accord-project/accord"
)

// Appender adds leaves to the log's Merkle tree and says which tiles to
// store. It holds only the right edge of the tree (the compact range and the
// partial tile of each level), so appending costs about one SHA-256 per leaf
// and no reads.
//
// The storage contract: in ONE transaction the caller
//
//  1. locks the log (its size row), and if the stored size is not
//     a.Size() — another server appended — rebuilds the appender with
//     NewAppender from the tiles in that transaction;
//  2. inserts the leaves at indexes a.Size(), a.Size()+1, …;
//  3. upserts by ID every Tile that Append returned (full tiles are new,
//     the partial tiles at the right edge replace the stored ones);
//  4. stores the new size (and, if it signs one, the new checkpoint).
//
// Append mutates the appender, so the caller appends to a Clone and keeps
// the clone only if the transaction commits. An Appender is not safe for
// concurrent use.
type Appender struct {
	t *tree
}

// NewAppender returns an appender for a stored tree of size leaves. It
// reads the partial tiles at the right edge (at most one per level, in one
// ReadTiles call) and recomputes the compact range from them. Errors from tr
// are returned wrapped; a stored tile too short for size is an internal error.
func NewAppender(ctx context.Context, size uint64, tr TileReader) (_ *Appender, err error) {
	defer accord.Wrap(&err, "auditlog.NewAppender(%d)", size)
	ids, widths := edgeTiles(size)
	var tiles [][]byte
	if len(ids) > 0 {
		if tiles, err = tr.ReadTiles(ctx, ids); err != nil {
			return nil, err
		}
		if len(tiles) != len(ids) {
			return nil, fmt.Errorf("read %d tiles, want %d", len(tiles), len(ids))
		}
	}
	t, err := restoreTree(size, ids, tiles, widths)
	if err != nil {
		return nil, err
	}
	return &Appender{t: t}, nil
}

// Size returns the number of leaves in the tree.
func (a *Appender) Size() uint64 { return a.t.size }

// Root returns the RFC 6962 root hash of the tree (SHA-256 of the empty
// string for an empty tree).
func (a *Appender) Root() []byte {
	r := a.t.root()
	return r[:]
}

// Checkpoint returns the unsigned checkpoint of the tree for origin.
func (a *Appender) Checkpoint(origin string) Checkpoint {
	return Checkpoint{Origin: origin, Size: a.Size(), Hash: a.Root()}
}

// Clone returns an independent copy of a, to append to inside a
// transaction that may fail.
func (a *Appender) Clone() *Appender { return &Appender{t: a.t.clone()} }

// Append adds the leaf hashes (see LeafHash) in order, at indexes a.Size(),
// a.Size()+1, …, and returns every tile whose contents changed, each with
// its full new contents (slices the caller owns), ordered by level and
// index. It returns an EINVALID error, and changes nothing, if a hash is not
// 32 bytes long.
func (a *Appender) Append(leafHashes [][]byte) ([]Tile, error) {
	for i, h := range leafHashes {
		if len(h) != HashSize {
			return nil, accord.Errorf(accord.EINVALID, "leaf hash %d has %d bytes, want 32", i, len(h))
		}
	}
	var out []Tile
	full := func(id TileID, hashes []byte) {
		out = append(out, Tile{ID: id, Hashes: bytes.Clone(hashes)})
	}
	t := a.t
	t.dirty = 0
	for _, h := range leafHashes {
		t.append((*[HashSize]byte)(h), full)
	}
	for l := range uint(maxTileLevels) {
		if t.dirty&(1<<l) != 0 && len(t.edge[l]) > 0 {
			id := TileID{Level: l, Index: nodesAt(l, t.size) / TileWidth}
			out = append(out, Tile{ID: id, Hashes: bytes.Clone(t.edge[l])})
		}
	}
	slices.SortFunc(out, func(x, y Tile) int {
		return cmp.Or(cmp.Compare(x.ID.Level, y.ID.Level), cmp.Compare(x.ID.Index, y.ID.Index))
	})
	return out, nil
}
