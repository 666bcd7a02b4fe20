package auditlog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/accord-project/accord"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// InclusionProof returns the RFC 6962 inclusion proof of leaf index in the
// tree of size leaves, computed from the stored tiles (one ReadTiles call).
// size may be any size up to the stored size. It returns an EINVALID error
// if index ≥ size; errors from tr come back wrapped, and a size beyond the
// stored tree shows as a missing or too short tile, so callers check size
// against the log first.
func InclusionProof(ctx context.Context, tr TileReader, index, size uint64) (_ [][]byte, err error) {
	if index >= size {
		return nil, accord.Errorf(accord.EINVALID, "entry %d is not in a log of %d entries", index, size)
	}
	defer accord.Wrap(&err, "auditlog.InclusionProof(%d, %d)", index, size)
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, err
	}
	known, err := readPart(ctx, tr, index, size)
	if err != nil {
		return nil, err
	}
	hashes, err := readNodes(ctx, tr, nodes.IDs, known)
	if err != nil {
		return nil, err
	}
	return nodes.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
}

// ConsistencyProof returns the RFC 6962 consistency proof between the trees
// of m and n leaves, computed from the stored tiles (one ReadTiles call). It
// is empty when m is 0 or m == n. It returns an EINVALID error if m > n;
// other errors are as for InclusionProof.
func ConsistencyProof(ctx context.Context, tr TileReader, m, n uint64) (_ [][]byte, err error) {
	if m > n {
		return nil, accord.Errorf(accord.EINVALID, "a log of %d entries cannot follow one of %d", n, m)
	}
	defer accord.Wrap(&err, "auditlog.ConsistencyProof(%d, %d)", m, n)
	nodes, err := proof.Consistency(m, n)
	if err != nil {
		return nil, err
	}
	return rehash(ctx, tr, nodes)
}

// rehash reads the nodes of a proof and folds its ephemeral node, if any.
func rehash(ctx context.Context, tr TileReader, nodes proof.Nodes) ([][]byte, error) {
	hashes, err := readNodes(ctx, tr, nodes.IDs, nil)
	if err != nil {
		return nil, err
	}
	return nodes.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
}

// RootAt returns the root hash of the tree of size leaves, for any size up
// to the stored size, computed from the stored tiles (one ReadTiles call).
// The root of the empty tree is SHA-256 of the empty string. Errors are as
// for InclusionProof.
func RootAt(ctx context.Context, tr TileReader, size uint64) (_ []byte, err error) {
	if size == 0 {
		r := sha256.Sum256(nil)
		return r[:], nil
	}
	defer accord.Wrap(&err, "auditlog.RootAt(%d)", size)
	hashes, err := readNodes(ctx, tr, compact.RangeNodes(0, size, nil), nil)
	if err != nil {
		return nil, err
	}
	// The compact range lists perfect subtrees left to right, largest
	// first; the root folds them from the right.
	r := [HashSize]byte(hashes[len(hashes)-1])
	for i := len(hashes) - 2; i >= 0; i-- {
		r = hashChildren((*[HashSize]byte)(hashes[i]), &r)
	}
	return r[:], nil
}

// locate returns where node id lives: the tile holding its level-8L
// descendants, the offset of the first in that tile, and k such that the
// node is the root of 2^k of them.
func locate(id compact.NodeID) (tile TileID, off int, k uint) {
	l, k := id.Level/TileHeight, id.Level%TileHeight
	first := id.Index << k
	return TileID{Level: l, Index: first / TileWidth}, int(first % TileWidth), k
}

// readNodes returns the hashes of the nodes ids, all of them complete nodes
// of the stored tree, reading each tile they live in once, in one call;
// the hashes of nodes in known are taken from there.
func readNodes(ctx context.Context, tr TileReader, ids []compact.NodeID, known map[compact.NodeID][]byte) ([][]byte, error) {
	var tiles []TileID
	need := make(map[TileID]int, 4) // tile → width needed
	for _, id := range ids {
		if _, ok := known[id]; ok {
			continue
		}
		t, off, k := locate(id)
		w := off + (1 << k)
		if have, ok := need[t]; !ok {
			tiles = append(tiles, t)
			need[t] = w
		} else if w > have {
			need[t] = w
		}
	}
	widths := make([]int, len(tiles))
	for i, t := range tiles {
		widths[i] = need[t]
	}
	views, err := readViews(ctx, tr, tiles, widths)
	if err != nil {
		return nil, err
	}
	byID := make(map[TileID]*tileView, len(tiles))
	for i, t := range tiles {
		if got := len(views[i].hashes); got < need[t]*HashSize || got%HashSize != 0 {
			return nil, fmt.Errorf("%w: %v has %d bytes, want at least %d", errShortTile, t, got, need[t]*HashSize)
		}
		byID[t] = &views[i]
	}
	out := make([][]byte, len(ids))
	buf := make([]byte, len(ids)*HashSize)
	for i, id := range ids {
		out[i] = buf[i*HashSize : (i+1)*HashSize : (i+1)*HashSize]
		if h, ok := known[id]; ok {
			copy(out[i], h)
			continue
		}
		t, off, k := locate(id)
		h := byID[t].node(off, k)
		copy(out[i], h[:])
	}
	return out, nil
}

// tileView is a stored tile, with the subtree hashes inside it memoised
// when it comes from a TileCache.
type tileView struct {
	hashes []byte
	memo   *tileMemo // nil unless cached
}

// node returns the root of the 2^k hashes of the tile starting at off.
func (v *tileView) node(off int, k uint) [HashSize]byte {
	if k == 0 {
		return [HashSize]byte(v.hashes[off*HashSize:])
	}
	if v.memo != nil {
		return v.memo.node(off, k)
	}
	return subtreeHash(v.hashes[off*HashSize : (off+(1<<k))*HashSize])
}

// readViews reads tiles through tr, using the memoised subtree hashes of
// a TileCache when tr is one; widths say how many hashes of each are
// needed.
func readViews(ctx context.Context, tr TileReader, ids []TileID, widths []int) ([]tileView, error) {
	if c, ok := tr.(*TileCache); ok {
		return c.readViews(ctx, ids, widths)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	raw, err := tr.ReadTiles(ctx, ids)
	if err != nil {
		return nil, err
	}
	if len(raw) != len(ids) {
		return nil, fmt.Errorf("read %d tiles, want %d", len(raw), len(ids))
	}
	views := make([]tileView, len(raw))
	for i, b := range raw {
		views[i].hashes = b
	}
	return views, nil
}

// VerifyInclusion checks that leaf (the encoded entry, see EncodeLeaf) is
// entry index of the log whose checkpoint is c, given an inclusion proof. It
// is what the holder of an entry runs. It returns an EINVALID error if the
// proof does not verify.
func VerifyInclusion(c Checkpoint, index uint64, leaf []byte, p [][]byte) error {
	if index >= c.Size {
		return accord.Errorf(accord.EINVALID, "entry %d is not in a log of %d entries", index, c.Size)
	}
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, index, c.Size, LeafHash(leaf), p, c.Hash); err != nil {
		return accord.Errorf(accord.EINVALID, "the inclusion proof of entry %d in the log of %d entries does not verify", index, c.Size)
	}
	return nil
}

// VerifyConsistency checks that the log of checkpoint newer extends the log
// of checkpoint older, given the consistency proof between them. It is what
// a witness or any holder of an earlier checkpoint runs; it does not check
// signatures (Open does). It returns an EINVALID error if the checkpoints
// are of different logs, newer is smaller, or the proof does not verify.
func VerifyConsistency(older, newer Checkpoint, p [][]byte) error {
	if older.Origin != newer.Origin {
		return accord.Errorf(accord.EINVALID, "checkpoints of different logs (%s, %s)", older.Origin, newer.Origin)
	}
	if older.Size > newer.Size {
		return accord.Errorf(accord.EINVALID, "a log of %d entries cannot follow one of %d", newer.Size, older.Size)
	}
	if len(older.Hash) != HashSize || len(newer.Hash) != HashSize {
		return accord.Errorf(accord.EINVALID, "checkpoint root hash is not 32 bytes")
	}
	// proof.VerifyConsistency accepts anything from size 0; the empty tree
	// has one root, so check it.
	if empty := sha256.Sum256(nil); older.Size == 0 && !bytes.Equal(older.Hash, empty[:]) {
		return accord.Errorf(accord.EINVALID, "checkpoint of the empty log has the wrong root")
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, older.Size, newer.Size, p, older.Hash, newer.Hash); err != nil {
		return accord.Errorf(accord.EINVALID, "the log of %d entries is not consistent with the log of %d entries", newer.Size, older.Size)
	}
	return nil
}
