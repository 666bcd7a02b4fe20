package auditlog

import (
	"context"
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
)

// Proof parts: inclusion proofs without hashing. A proof of an entry needs
// eight hashes from inside its level-0 tile, its sibling at each level 0 to
// 7, and all but the first are roots of subtrees of the tile that a proof
// would otherwise hash (247 hashes, most of a proof's time when the tile
// is not cached). A store may therefore keep, for each full level-0 tile,
// its proof parts: one for each run of ProofPartEntries entries, holding
// every hash a proof of one of those entries needs from the tile, so that
// a proof reads one small row (no larger than a page) and hashes nothing.
//
// A part of entries [16p, 16p+16) of its tile is 34 hashes (1,088 bytes,
// so that SQLite keeps three in a 4 KiB page): the 16 leaf hashes, the
// nodes above them inside the part (8 at level 1, 4 at level 2, 2 at level
// 3), then the part's siblings at levels 4, 5, 6 and 7. Parts are derived
// from the tile; a proof made from a wrong part does not verify, as one
// made from a wrong tile would not.

const (
	// partBits is log2 of ProofPartEntries.
	partBits = 4
	// ProofPartEntries is how many entries share a proof part.
	ProofPartEntries = 1 << partBits
	// ProofPartsPerTile is how many proof parts a full level-0 tile has.
	ProofPartsPerTile = TileWidth / ProofPartEntries
	// ProofPartSize is the size of a proof part in bytes.
	ProofPartSize = (2*ProofPartEntries - 2 + TileHeight - partBits) * HashSize
)

// partLevel[k] is where level k of a part starts, in hashes; the siblings
// above the part start at partLevel[partBits].
var partLevel = func() (at [partBits + 1]int) {
	for k := 1; k <= partBits; k++ {
		at[k] = at[k-1] + ProofPartEntries>>(k-1)
	}
	return at
}()

// ErrNoProofPart is what a ProofPartReader returns for a part it does not
// keep; proofs then read the tile. It never reaches a user.
var ErrNoProofPart = errors.New("auditlog: no proof part")

// ProofPartReader is a TileReader that keeps proof parts.
type ProofPartReader interface {
	// ReadProofPart returns part (0 to ProofPartsPerTile-1) of the full
	// level-0 tile, or an error wrapping ErrNoProofPart when it has none.
	ReadProofPart(ctx context.Context, tile uint64, part int) ([]byte, error)
}

// ProofParts returns the proof parts of a full level-0 tile (its 256 leaf
// hashes).
func ProofParts(tile []byte) ([][]byte, error) {
	if len(tile) != TileWidth*HashSize {
		return nil, fmt.Errorf("auditlog: proof parts of a tile of %d bytes, want %d", len(tile), TileWidth*HashSize)
	}
	// levels[k] holds the 256>>k nodes at level k of the tile.
	var levels [TileHeight][][HashSize]byte
	levels[0] = make([][HashSize]byte, TileWidth)
	for i := range levels[0] {
		levels[0][i] = [HashSize]byte(tile[i*HashSize:])
	}
	for k := 1; k < TileHeight; k++ {
		below := levels[k-1]
		levels[k] = make([][HashSize]byte, len(below)/2)
		for i := range levels[k] {
			levels[k][i] = hashChildren(&below[2*i], &below[2*i+1])
		}
	}
	parts := make([][]byte, ProofPartsPerTile)
	buf := make([]byte, ProofPartsPerTile*ProofPartSize)
	for p := range parts {
		part := buf[p*ProofPartSize : p*ProofPartSize : (p+1)*ProofPartSize]
		for k := range partBits {
			n := ProofPartEntries >> k
			for _, h := range levels[k][p*n : (p+1)*n] {
				part = append(part, h[:]...)
			}
		}
		for k := partBits; k < TileHeight; k++ {
			part = append(part, levels[k][(p>>(k-partBits))^1][:]...)
		}
		parts[p] = part
	}
	return parts, nil
}

// partSiblings returns the hashes of entry's siblings at levels 0 to 7, by
// node, from its proof part.
func partSiblings(part []byte, entry uint64) map[compact.NodeID][]byte {
	j := int(entry % ProofPartEntries)
	out := make(map[compact.NodeID][]byte, TileHeight)
	for k := range uint(TileHeight) {
		var at int
		if k < partBits {
			at = partLevel[k] + ((j >> k) ^ 1)
		} else {
			at = partLevel[partBits] + int(k-partBits)
		}
		out[compact.NewNodeID(k, (entry>>k)^1)] = part[at*HashSize : (at+1)*HashSize : (at+1)*HashSize]
	}
	return out
}

// readPart returns the siblings of entry inside its level-0 tile from a
// stored proof part, or nil when the tile is not full at size or tr keeps
// no part for it.
func readPart(ctx context.Context, tr TileReader, entry, size uint64) (map[compact.NodeID][]byte, error) {
	pr, ok := tr.(ProofPartReader)
	tile := entry / TileWidth
	if !ok || (tile+1)*TileWidth > size {
		return nil, nil
	}
	part, err := pr.ReadProofPart(ctx, tile, int(entry%TileWidth/ProofPartEntries))
	switch {
	case errors.Is(err, ErrNoProofPart):
		return nil, nil
	case err != nil:
		return nil, err
	case len(part) != ProofPartSize:
		return nil, nil // not one: the tile says
	}
	return partSiblings(part, entry), nil
}

// ReadProofPart reads a proof part through the underlying reader, if it
// keeps them (uncached: a part serves 32 entries, a proof reads one).
func (c *TileCache) ReadProofPart(ctx context.Context, tile uint64, part int) ([]byte, error) {
	if pr, ok := c.r.(ProofPartReader); ok {
		return pr.ReadProofPart(ctx, tile, part)
	}
	return nil, ErrNoProofPart
}
