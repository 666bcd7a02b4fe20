package auditlog

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/accord-project/accord"
	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"
)

// VerifyOptions says what a Verifier checks the stored entries against.
type VerifyOptions struct {
	// Origin names the log; Verifiers hold its public key (and may hold
	// witness keys).
	Origin    string
	Verifiers note.Verifiers

	// Size is the stored tree size: entries 0 … Size-1 are expected.
	Size uint64

	// Tiles reads the stored tiles. It is called from another goroutine
	// while Add runs, so it must not share the connection that streams the
	// entries; it may see a later state of the log, as tiles only grow.
	Tiles TileReader

	// Checkpoints are the stored signed checkpoints, in any order.
	Checkpoints [][]byte

	// External is an optional signed checkpoint kept outside the store (a
	// file given to accord audit verify --checkpoint). It must be valid.
	External []byte

	// Progress, if set, is called from Add now and then and from Finish
	// with the number of entries hashed so far.
	Progress func(done uint64)
}

// VerifyResult is the outcome of a verification.
type VerifyResult struct {
	OK   bool   // every entry, tile and checkpoint checked out
	Size uint64 // entries read in sequence and hashed
	Root []byte // root hash recomputed from those entries

	// FirstBad is the index of the first entry that does not match (was
	// altered, removed, inserted or moved), or -1. When it is known
	// exactly, FirstBadEnd is FirstBad+1. When the evidence only bounds it
	// (a signed checkpoint fails, and the tiles that would narrow it down
	// were rewritten too), the first bad entry lies in [FirstBad,
	// FirstBadEnd), and the entries before FirstBad are proven good. Past
	// the last signed checkpoint, the stored tiles are all there is to go
	// by; Problem says so.
	FirstBad, FirstBadEnd int64

	// Problem says in English what is wrong; empty when OK.
	Problem string

	// Checkpoints lists the checkpoints checked: the stored ones by size,
	// then the external one.
	Checkpoints []CheckpointCheck
}

// Exact reports whether FirstBad is known exactly.
func (r *VerifyResult) Exact() bool { return r.FirstBad >= 0 && r.FirstBadEnd == r.FirstBad+1 }

// CheckpointCheck is the outcome of checking one signed checkpoint.
type CheckpointCheck struct {
	Size     uint64 // as the checkpoint says; 0 when it cannot be read
	External bool   // it was VerifyOptions.External
	OK       bool   // its signature verifies and its root matches the entries
	Problem  string // why not, when not OK
}

// Verifier recomputes the log from its stored entries and checks it against
// the stored tiles and signed checkpoints, naming the first entry that does
// not match. Entries are fed in index order with Add; hashing and tree
// building run in two goroutines of their own, and stored tiles are read in
// batches, so that it keeps pace with a database cursor:
//
//	v, err := auditlog.NewVerifier(ctx, opts)
//	for rows.Next() {
//		rows.Scan(&index, &leaf)
//		if !v.Add(index, leaf) {
//			break
//		}
//	}
//	res, err := v.Finish()
//
// Finish must be called exactly once, also when reading fails, to stop the
// goroutines.
type Verifier struct {
	ctx  context.Context
	opts VerifyOptions
	ext  *Checkpoint // opened External, if any

	// Used by the goroutine calling Add.
	next       uint64 // index expected next
	seqBad     int64  // first index out of sequence, or -1
	seqProblem string
	stopped    bool
	cur        *batch
	free       chan *batch
	toHash     chan *batch
	sinceShown uint64

	// Shared.
	hashed atomic.Uint64
	failed atomic.Bool
	done   chan struct{} // closed when the tree goroutine has exited

	w *rebuild // owned by the tree goroutine until done is closed
}

// batch is a run of consecutive entries on its way through the pipeline.
type batch struct {
	data   []byte // each leaf preceded by 0x00, the RFC 6962 leaf prefix
	ends   []int  // end of each leaf in data
	hashes [][HashSize]byte
	// prehashed: hashes came from AddHash, and data and ends are empty.
	prehashed bool
}

const (
	batchLeaves  = 4096
	batchBytes   = 1 << 20
	batchesAlive = 4
	// compareTiles is how many recomputed tiles are compared with the
	// stored ones per ReadTiles call (2 MiB; 65,536 entries at level 0).
	compareTiles = 256
	showEvery    = 1 << 16
	// maxAnchors is how many failing checkpoints judge tries, in order, to
	// find one the stored tiles still agree with.
	maxAnchors = 16
)

// NewVerifier returns a verifier and starts its goroutines. It returns an
// EINVALID error if opts.External is not a valid checkpoint of the log.
func NewVerifier(ctx context.Context, opts VerifyOptions) (*Verifier, error) {
	v := &Verifier{
		ctx:    ctx,
		opts:   opts,
		seqBad: -1,
		free:   make(chan *batch, batchesAlive),
		toHash: make(chan *batch, batchesAlive),
		done:   make(chan struct{}),
	}
	if opts.External != nil {
		c, _, err := Open(opts.External, opts.Origin, opts.Verifiers)
		if err != nil {
			return nil, err
		}
		v.ext = &c
	}
	targets := []uint64{}
	for _, msg := range opts.Checkpoints {
		// Unverified sizes are fine here: they only say where to take roots.
		if c, ok := unsignedCheckpoint(msg); ok {
			targets = append(targets, c.Size)
		}
	}
	if v.ext != nil {
		targets = append(targets, v.ext.Size)
	}
	slices.Sort(targets)
	v.w = &rebuild{
		v:       v,
		t:       &tree{},
		targets: slices.Compact(targets),
		roots:   make(map[uint64][HashSize]byte),
		diffs:   make(map[TileID]*tileDiff),
		slab:    make([]byte, compareTiles*TileWidth*HashSize),
	}
	for range batchesAlive - 1 {
		v.free <- &batch{}
	}
	v.cur = &batch{}
	toTree := make(chan *batch, batchesAlive)
	go v.hash(toTree)
	go v.w.run(toTree)
	return v, nil
}

// Add feeds the entry with the given index and leaf bytes, which it copies.
// Indexes must be 0, 1, 2, … up to the stored size; the first one out of
// sequence (a gap, duplicate or reorder) or beyond the size is the first bad
// entry. Add reports whether it wants more entries: false after such a
// finding, on a tile read error, or when the context is done.
func (v *Verifier) Add(index uint64, leaf []byte) bool {
	if v.stopped || !v.inSequence(index) {
		return false
	}
	b := v.cur
	b.data = append(append(b.data, 0), leaf...)
	b.ends = append(b.ends, len(b.data))
	v.next++
	if len(b.ends) == batchLeaves || len(b.data) >= batchBytes {
		v.flush()
		v.progress()
	}
	return !v.stopped
}

// AddHash is Add for a caller that hashed the leaf itself: leafHash is
// LeafHash of the entry's leaf. A caller reading entries on several
// goroutines hashes there, in parallel, and feeds the hashes here in index
// order; the checks are those of Add. A Verifier is fed by Add or by
// AddHash, not both.
func (v *Verifier) AddHash(index uint64, leafHash *[HashSize]byte) bool {
	if v.stopped || !v.inSequence(index) {
		return false
	}
	b := v.cur
	b.hashes = append(b.hashes, *leafHash)
	b.prehashed = true
	v.next++
	if len(b.hashes) == batchLeaves {
		v.flush()
		v.progress()
	}
	return !v.stopped
}

// inSequence checks that index is the one expected next, and stops the
// verifier at the first that is not.
func (v *Verifier) inSequence(index uint64) bool {
	switch {
	case index < v.next:
		v.outOfSequence(fmt.Sprintf("entry %d is stored again where entry %d should be", index, v.next))
		return false
	case index != v.next:
		v.outOfSequence(fmt.Sprintf("entry %d is missing (the next stored entry is %d)", v.next, index))
		return false
	case index >= v.opts.Size:
		v.outOfSequence(fmt.Sprintf("entry %d is stored beyond the tree size %d", index, v.opts.Size))
		return false
	}
	return true
}

func (v *Verifier) progress() {
	if v.opts.Progress != nil && v.next-v.sinceShown >= showEvery {
		v.sinceShown = v.next
		v.opts.Progress(v.hashed.Load())
	}
}

func (v *Verifier) outOfSequence(problem string) {
	v.seqBad, v.seqProblem, v.stopped = int64(v.next), problem, true
}

// flush hands the current batch to the hashing goroutine.
func (v *Verifier) flush() {
	if v.failed.Load() {
		v.stopped = true
		return
	}
	select {
	case v.toHash <- v.cur:
	case <-v.ctx.Done():
		v.stopped = true
		return
	}
	// The batch sent now belongs to the pipeline: never touch it again,
	// even when the context ends before a free one comes back.
	select {
	case v.cur = <-v.free:
	case <-v.ctx.Done():
		v.cur = &batch{}
		v.stopped = true
	}
}

// hash computes the leaf hashes of each batch: the costliest step, so it
// has a goroutine of its own.
func (v *Verifier) hash(out chan<- *batch) {
	defer close(out)
	for b := range v.toHash {
		if b.prehashed {
			out <- b
			continue
		}
		b.hashes = b.hashes[:0]
		start := 0
		for _, end := range b.ends {
			b.hashes = append(b.hashes, sha256.Sum256(b.data[start:end]))
			start = end
		}
		out <- b
	}
}

// Finish waits for the entries fed so far to be checked, and returns the
// result. Errors are for failures to check (tile read errors other than a
// missing tile, a done context), never for what was found.
func (v *Verifier) Finish() (*VerifyResult, error) {
	if len(v.cur.ends)+len(v.cur.hashes) > 0 && !v.failed.Load() && v.ctx.Err() == nil {
		v.toHash <- v.cur
	}
	close(v.toHash)
	<-v.done
	w := v.w
	if w.err == nil {
		w.compareEdge()
	}
	if w.err != nil {
		return nil, fmt.Errorf("auditlog: verify: %w", w.err)
	}
	if err := v.ctx.Err(); err != nil {
		return nil, err
	}
	if v.opts.Progress != nil {
		v.opts.Progress(w.t.size)
	}
	res, err := v.judge()
	if err != nil {
		return nil, fmt.Errorf("auditlog: verify: %w", err)
	}
	return res, nil
}

// rebuild is the tree goroutine's state: the tree recomputed from the
// entries, its roots at the checkpoint sizes, and where its tiles differ
// from the stored ones.
type rebuild struct {
	v       *Verifier
	t       *tree
	targets []uint64 // checkpoint sizes, ascending
	roots   map[uint64][HashSize]byte
	err     error

	pending []Tile // recomputed tiles not yet compared
	slab    []byte // backing store for pending full tiles
	diffs   map[TileID]*tileDiff
}

// tileDiff marks which hashes of a stored tile differ from the recomputed
// ones (missing counts as different).
type tileDiff = bits256

func (w *rebuild) run(in <-chan *batch) {
	defer close(w.v.done)
	for b := range in {
		if w.err == nil {
			w.add(b)
		}
		b.data, b.ends, b.hashes, b.prehashed = b.data[:0], b.ends[:0], b.hashes[:0], false
		w.v.free <- b
	}
}

func (w *rebuild) add(b *batch) {
	for i := range b.hashes {
		if w.err != nil {
			break
		}
		w.t.append(&b.hashes[i], w.full)
		for len(w.targets) > 0 && w.targets[0] <= w.t.size {
			if w.targets[0] == w.t.size {
				w.roots[w.t.size] = w.t.root()
			}
			w.targets = w.targets[1:]
		}
	}
	w.v.hashed.Add(uint64(len(b.hashes)))
	if w.err != nil {
		w.v.failed.Store(true)
	}
}

// full queues a recomputed full tile for comparison.
func (w *rebuild) full(id TileID, hashes []byte) {
	if w.err != nil {
		return
	}
	n := len(w.pending)
	buf := w.slab[n*TileWidth*HashSize : (n+1)*TileWidth*HashSize]
	copy(buf, hashes)
	w.pending = append(w.pending, Tile{ID: id, Hashes: buf})
	if len(w.pending) == compareTiles {
		w.compare()
	}
}

// compareEdge compares the partial tiles at the right edge, once all
// entries are in.
func (w *rebuild) compareEdge() {
	if w.t.size == 0 {
		return
	}
	w.roots[w.t.size] = w.t.root()
	for l, e := range w.t.edge {
		if len(e) > 0 {
			id := TileID{Level: uint(l), Index: nodesAt(uint(l), w.t.size) / TileWidth}
			w.pending = append(w.pending, Tile{ID: id, Hashes: e})
		}
	}
	w.compare()
}

// compare reads the stored versions of the pending tiles in one call and
// records where they differ. A stored tile may be longer than the
// recomputed one (the log grew); only the prefix counts.
func (w *rebuild) compare() {
	if len(w.pending) == 0 || w.err != nil {
		return
	}
	ids := make([]TileID, len(w.pending))
	for i, t := range w.pending {
		ids[i] = t.ID
	}
	stored, err := w.v.opts.Tiles.ReadTiles(w.v.ctx, ids)
	if err == nil && len(stored) != len(ids) {
		err = fmt.Errorf("read %d tiles, want %d", len(stored), len(ids))
	}
	if accord.ErrorCode(err) == accord.ENOTFOUND {
		// Some tile is missing: find out which, one by one.
		stored, err = make([][]byte, len(ids)), nil
		for i, id := range ids {
			b, err1 := w.v.opts.Tiles.ReadTiles(w.v.ctx, []TileID{id})
			switch {
			case accord.ErrorCode(err1) == accord.ENOTFOUND:
			case err1 != nil:
				err = err1
			case len(b) == 1:
				stored[i] = b[0]
			}
		}
	}
	if err != nil {
		w.err = err
		w.v.failed.Store(true)
		w.pending = w.pending[:0]
		return
	}
	for i, t := range w.pending {
		s := stored[i]
		if len(s) >= len(t.Hashes) && bytes.Equal(s[:len(t.Hashes)], t.Hashes) {
			continue
		}
		d := new(tileDiff)
		for j := 0; j*HashSize < len(t.Hashes); j++ {
			lo, hi := j*HashSize, (j+1)*HashSize
			if len(s) < hi || !bytes.Equal(s[lo:hi], t.Hashes[lo:hi]) {
				d.set(j)
			}
		}
		w.diffs[t.ID] = d
	}
	w.pending = w.pending[:0]
}

// firstDiff returns the index (at level 8·l) of the first hash of tile
// (l, n) in [from, to) whose stored value differs from the recomputed one
// and whose entries reach beyond lo.
func (w *rebuild) firstDiff(l uint, n uint64, from, to int, lo uint64) (uint64, bool) {
	d := w.diffs[TileID{Level: l, Index: n}]
	if d == nil {
		return 0, false
	}
	for i := from; i < to; i++ {
		e := n*TileWidth + uint64(i)
		if d.has(i) && (e+1)<<(l*TileHeight) > lo {
			return e, true
		}
	}
	return 0, false
}

// checked is a checkpoint being checked.
type checked struct {
	CheckpointCheck
	c      Checkpoint
	opened bool // its signature verified
	failed bool // its root does not match the entries
}

// judge turns what the rebuild found into a result.
func (v *Verifier) judge() (*VerifyResult, error) {
	w := v.w
	size := w.t.size
	root := w.t.root()
	res := &VerifyResult{Size: size, Root: root[:], FirstBad: -1, FirstBadEnd: -1}
	var problems []string
	problemf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// missing is the first entry proven missing or out of place, or -1.
	missing := v.seqBad
	if missing >= 0 {
		problems = append(problems, v.seqProblem)
	} else if size < v.opts.Size {
		missing = int64(size)
		if size+1 == v.opts.Size {
			problemf("entry %d is missing", size)
		} else {
			problemf("entries %d to %d are missing", size, v.opts.Size-1)
		}
	}

	// Open the checkpoints and compare their roots with the recomputed ones.
	cps := make([]checked, 0, len(v.opts.Checkpoints)+1)
	for _, msg := range v.opts.Checkpoints {
		c, _, err := Open(msg, v.opts.Origin, v.opts.Verifiers)
		if err != nil {
			x := checked{CheckpointCheck: CheckpointCheck{Problem: accord.AsError(err).Message()}}
			if c, ok := unsignedCheckpoint(msg); ok {
				x.Size = c.Size
			}
			problemf("stored checkpoint at size %d: %s", x.Size, x.Problem)
			cps = append(cps, x)
			continue
		}
		cps = append(cps, checked{c: c, opened: true, CheckpointCheck: CheckpointCheck{Size: c.Size}})
	}
	slices.SortStableFunc(cps, func(a, b checked) int { return cmp.Compare(a.Size, b.Size) })
	if v.ext != nil {
		cps = append(cps, checked{c: *v.ext, opened: true, CheckpointCheck: CheckpointCheck{Size: v.ext.Size, External: true}})
	}
	var goodMax uint64
	for i := range cps {
		x := &cps[i]
		if !x.opened {
			continue
		}
		r, ok := w.roots[x.Size]
		if x.Size == 0 {
			r, ok = sha256.Sum256(nil), true
		}
		switch {
		case x.Size > v.opts.Size:
			x.Problem = fmt.Sprintf("signed for %d entries, but the log has %d", x.Size, v.opts.Size)
			problemf("entries from %d were removed: a checkpoint is signed for %d entries", v.opts.Size, x.Size)
			if missing < 0 || int64(v.opts.Size) < missing {
				missing = int64(v.opts.Size)
			}
		case !ok:
			x.Problem = fmt.Sprintf("not checked: the entries stop at %d", size)
		case bytes.Equal(r[:], x.c.Hash):
			x.OK = true
			goodMax = max(goodMax, x.Size)
		default:
			x.failed = true
			x.Problem = "its root does not match the entries"
		}
	}
	// A failing checkpoint below a good one cannot be blamed on the entries
	// (the good one proves them): the log key signed another history.
	var failing []*checked // above goodMax, by size
	for i := range cps {
		x := &cps[i]
		switch {
		case !x.failed:
		case x.Size <= goodMax:
			x.Problem = fmt.Sprintf("its root does not match the entries, though the checkpoint at size %d does: the log key signed another history", goodMax)
			problemf("checkpoint at size %d: %s", x.Size, x.Problem)
		default:
			failing = append(failing, x)
		}
	}
	slices.SortStableFunc(failing, func(a, b *checked) int { return cmp.Compare(a.Size, b.Size) })

	// Localise the first bad entry. Entries before goodMax are proven good.
	var lo, hi uint64 // the first bad entry is in [lo, hi), if hi > 0
	var lead string   // the sentence saying so
	if len(failing) > 0 {
		first := failing[0]
		lo, hi = goodMax, first.Size
		which := fmt.Sprintf("the signed checkpoint at size %d", first.Size)
		if first.External {
			which = fmt.Sprintf("the external checkpoint at size %d", first.Size)
		}
		// The first failing checkpoint whose root the stored tiles still
		// give says, through them, which entry changed. The first failing
		// one may not: a rewritten tile that was partial at its size.
		for _, x := range failing[:min(len(failing), maxAnchors)] {
			storedRoot, err := RootAt(v.ctx, v.opts.Tiles, x.Size)
			if err != nil && !tampered(err) {
				return nil, err
			}
			if err != nil || !bytes.Equal(storedRoot, x.c.Hash) {
				continue
			}
			a, b, ok, err := w.descend(v.ctx, x.Size, lo, hi)
			if err != nil {
				return nil, err
			}
			if ok && a < b {
				lo, hi = a, b
			}
			break
		}
		if hi == lo+1 {
			lead = fmt.Sprintf("entry %d does not match %s", lo, which)
		} else {
			lead = fmt.Sprintf("an entry from %d to %d does not match %s; the stored tiles were rewritten over it, so it cannot be named exactly", lo, hi-1, which)
		}
	} else if goodMax < size && len(w.diffs) > 0 {
		// Entries after the last good checkpoint: only the stored tiles,
		// unsigned, say what they should be.
		a, b, ok, err := w.descend(v.ctx, size, goodMax, size)
		if err != nil {
			return nil, err
		}
		if ok && a < b {
			lo, hi = a, b
			if hi == lo+1 {
				lead = fmt.Sprintf("entry %d does not match the stored tiles (no signed checkpoint covers it yet)", lo)
			} else {
				lead = fmt.Sprintf("an entry from %d to %d does not match the stored tiles, which were rewritten over it (no signed checkpoint covers it yet)", lo, hi-1)
			}
		}
	}
	if lead != "" {
		problems = append([]string{lead}, problems...)
	}
	// A missing entry is at or after the end of the entries read, so after
	// anything found in them.
	switch {
	case hi > 0:
		res.FirstBad, res.FirstBadEnd = int64(lo), int64(hi)
	case missing >= 0:
		res.FirstBad, res.FirstBadEnd = missing, missing+1
	}

	if p := w.corruptTiles(res.FirstBad); p != "" {
		problems = append(problems, p)
	}

	// As a third party would: prove the external checkpoint consistent
	// with the latest stored one using only the stored tiles.
	if v.ext != nil {
		x := &cps[len(cps)-1]
		p, err := v.thirdParty(cps[:len(cps)-1], size, root[:])
		if err != nil {
			return nil, err
		}
		if p != "" {
			problemf("external checkpoint: %s", p)
			if x.Problem == "" {
				x.OK, x.Problem = false, p
			}
		}
	}

	for _, x := range cps {
		res.Checkpoints = append(res.Checkpoints, x.CheckpointCheck)
	}
	res.Problem = strings.Join(problems, "; ")
	res.OK = res.Problem == "" && res.FirstBad < 0
	return res, nil
}

// corruptTiles names the stored tiles that differ from the recomputed ones
// before the first bad entry (anywhere if firstBad < 0): no bad entry
// explains them. It returns "" if there are none.
func (w *rebuild) corruptTiles(firstBad int64) string {
	var corrupt []TileID
	for id, d := range w.diffs {
		for i := range TileWidth {
			if d.has(i) {
				end := (id.Index*TileWidth + uint64(i) + 1) << (id.Level * TileHeight)
				if firstBad < 0 || end <= uint64(firstBad) {
					corrupt = append(corrupt, id)
				}
				break
			}
		}
	}
	if len(corrupt) == 0 {
		return ""
	}
	slices.SortFunc(corrupt, func(a, b TileID) int {
		return cmp.Or(cmp.Compare(a.Level, b.Level), cmp.Compare(a.Index, b.Index))
	})
	names := make([]string, 0, 4)
	for i, id := range corrupt {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %d more", len(corrupt)-3))
			break
		}
		names = append(names, id.String())
	}
	return "stored tiles do not match the entries: " + strings.Join(names, ", ")
}

// thirdParty proves the external checkpoint consistent with the largest
// signed stored checkpoint (or, if there is none, the recomputed tree of
// size leaves) from the stored tiles, and verifies the proof. It returns a
// problem, or "".
func (v *Verifier) thirdParty(stored []checked, size uint64, root []byte) (string, error) {
	older := *v.ext
	var newer *Checkpoint
	for i := range stored {
		if x := &stored[i]; x.opened && x.Size <= v.opts.Size && (newer == nil || x.Size >= newer.Size) {
			newer = &x.c
		}
	}
	if newer == nil {
		newer = &Checkpoint{Origin: v.opts.Origin, Size: size, Hash: root}
	}
	a, b := older, *newer
	if a.Size > b.Size {
		a, b = b, a
	}
	if b.Size > v.opts.Size {
		return "", nil // reported as removed entries
	}
	p, err := ConsistencyProof(v.ctx, v.opts.Tiles, a.Size, b.Size)
	switch {
	case tampered(err):
		return fmt.Sprintf("the stored tiles cannot prove sizes %d and %d consistent: %v", a.Size, b.Size, err), nil
	case err != nil:
		return "", err
	}
	if err := VerifyConsistency(a, b, p); err != nil {
		return fmt.Sprintf("the consistency proof from the stored tiles between sizes %d and %d does not verify", a.Size, b.Size), nil
	}
	return "", nil
}

// unsignedCheckpoint parses the text of a signed note without checking
// its signatures.
func unsignedCheckpoint(msg []byte) (Checkpoint, bool) {
	text, _, ok := bytes.Cut(msg, []byte("\n\n"))
	if !ok {
		return Checkpoint{}, false
	}
	c, err := ParseCheckpoint(append(bytes.Clone(text), '\n'))
	return c, err == nil
}

// tampered reports whether err says a stored tile is missing or too short,
// which is a finding, not a failure to verify.
func tampered(err error) bool {
	return errors.Is(err, errShortTile) || accord.ErrorCode(err) == accord.ENOTFOUND
}

// descend finds the first bad entry in [lo, hi) by walking down the stored
// tiles of the tree of anchor leaves, trusting each stored hash only as far
// as the stored hashes above it agree with it: from the compact range of
// anchor, into the first node whose stored and recomputed hashes differ,
// and down through its tiles. It returns [a, b) with b == a+1 when it
// reaches an entry, or the entries of the node whose stored tile below does
// not hash to it (rewritten with the entry). ok is false if no node differs.
func (w *rebuild) descend(ctx context.Context, anchor, lo, hi uint64) (a, b uint64, ok bool, err error) {
	var l uint
	var e uint64
	found := false
	for _, id := range compact.RangeNodes(0, anchor, nil) {
		if _, end := id.Coverage(); end <= lo {
			continue
		}
		t, off, k := locate(id)
		if e, found = w.firstDiff(t.Level, t.Index, off, off+(1<<k), lo); found {
			l = t.Level
			break
		}
	}
	if !found {
		return 0, 0, false, nil
	}
	clip := func(l uint, e uint64) (uint64, uint64, bool, error) {
		return max(lo, e<<(l*TileHeight)), min(hi, (e+1)<<(l*TileHeight)), true, nil
	}
	for l > 0 {
		// Does the stored tile below hash to the stored hash e?
		parent := TileID{Level: l, Index: e / TileWidth}
		child := TileID{Level: l - 1, Index: e}
		views, err := readViews(ctx, w.v.opts.Tiles, []TileID{parent, child}, []int{int(e%TileWidth) + 1, TileWidth})
		switch {
		case tampered(err):
			return clip(l, e)
		case err != nil:
			return 0, 0, false, err
		}
		off := int(e%TileWidth) * HashSize
		if len(views[0].hashes) < off+HashSize || len(views[1].hashes) < TileWidth*HashSize {
			return clip(l, e)
		}
		if r := subtreeHash(views[1].hashes[:TileWidth*HashSize]); !bytes.Equal(r[:], views[0].hashes[off:off+HashSize]) {
			return clip(l, e)
		}
		next, ok := w.firstDiff(l-1, e, 0, TileWidth, lo)
		if !ok {
			return clip(l, e)
		}
		l, e = l-1, next
	}
	return clip(0, e)
}
