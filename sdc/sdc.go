// Package sdc is statistical disclosure control for the figures a
// partnership publishes: small counts are suppressed (primary
// suppression), and enough further counts are suppressed (complementary
// suppression) that no suppressed count can be worked out from the
// published ones — not from a row, a column or a grand total, and not
// from the other tables of the same release.
//
// A release is a set of counts linked by additive relations ("this total
// is the sum of these parts"). Tables that share a margin share the cell
// (the Builder keys cells by name), so a count hidden in one table cannot
// be recovered by subtracting in another. Protect checks its own work
// exactly: a suppressed count is recoverable by subtraction when some
// combination of the relations isolates it, which is linear algebra over
// the suppressed cells; Protect suppresses more until no such combination
// exists.
//
// What this does not defend against, and why it is acceptable here: bounds
// from non-negativity (an attacker learns a hidden count lies in [0, a
// published total]) — the primary threshold is chosen so that such bounds
// are wide; and knowledge from outside the release.
package sdc

import (
	"errors"
	"fmt"
	"slices"
)

// Profile is how a release is protected.
type Profile struct {
	// Counts from 1 to Threshold are suppressed. 0 is published: it
	// says nobody, and hiding zeros would make tables unreadable.
	Threshold int64
	// RoundTo, when above 1, publishes every count that is not suppressed
	// rounded to the nearest multiple (the "round to 5" profile); exact
	// counts are never published then.
	RoundTo int64
}

// Round is how a count that is not suppressed is published under the
// profile: itself, or rounded to the nearest multiple of RoundTo — but never
// down into the suppressed range, so that a reader never sees a number
// that looks like a small count (11 is published as 15, not 10). Zero
// stays zero.
func (p Profile) Round(n int64) int64 {
	if p.RoundTo <= 1 || n == 0 {
		return n
	}
	r := (n + p.RoundTo/2) / p.RoundTo * p.RoundTo
	if floor := (p.Threshold/p.RoundTo + 1) * p.RoundTo; r < floor {
		r = floor
	}
	return r
}

// Profiles offered to a partnership.
var (
	Standard = Profile{Threshold: 10}
	Round5   = Profile{Threshold: 10, RoundTo: 5}
)

// Validate reports an unusable profile.
func (p Profile) Validate() error {
	if p.Threshold < 1 {
		return errors.New("sdc: the suppression threshold must be at least 1")
	}
	if p.RoundTo < 0 {
		return errors.New("sdc: rounding base must not be negative")
	}
	return nil
}

// A Release is counts and the additive relations between them, built with
// a Builder.
type Release struct {
	Cells     []Cell
	Relations []Relation
}

// Cell is one count.
type Cell struct {
	Key   string // unique within the release, e.g. "referrals|language=ar|outcome=completed"
	Count int64
}

// Relation says Cells[Total] == sum of Cells[Parts].
type Relation struct {
	Total int
	Parts []int
}

// Builder assembles a Release. Cells with the same key are the same cell.
type Builder struct {
	r     Release
	index map[string]int
	err   error
}

// NewBuilder returns an empty builder.
func NewBuilder() *Builder { return &Builder{index: map[string]int{}} }

// Cell adds a count (or returns the existing cell of that key; a
// different count for the same key is an error reported by Release).
func (b *Builder) Cell(key string, count int64) int {
	if i, ok := b.index[key]; ok {
		if b.r.Cells[i].Count != count && b.err == nil {
			b.err = fmt.Errorf("sdc: cell %q given two counts, %d and %d", key, b.r.Cells[i].Count, count)
		}
		return i
	}
	if count < 0 && b.err == nil {
		b.err = fmt.Errorf("sdc: cell %q has a negative count", key)
	}
	b.r.Cells = append(b.r.Cells, Cell{Key: key, Count: count})
	b.index[key] = len(b.r.Cells) - 1
	return len(b.r.Cells) - 1
}

// Sum records that total is the sum of parts.
func (b *Builder) Sum(total int, parts ...int) {
	var s int64
	for _, p := range parts {
		s += b.r.Cells[p].Count
	}
	if s != b.r.Cells[total].Count && b.err == nil {
		b.err = fmt.Errorf("sdc: %q is %d but its parts add up to %d", b.r.Cells[total].Key, b.r.Cells[total].Count, s)
	}
	b.r.Relations = append(b.r.Relations, Relation{Total: total, Parts: slices.Clone(parts)})
}

// CrossTab adds a two-way table of counts[row][col] under name, with its
// row totals, column totals and grand total. Margins are keyed by name
// prefix and label only, so two tables over the same population and the
// same column variable (say, outcome by language and outcome by gender)
// share their column totals and grand total: prefix names the population
// ("referrals"), rowVar and colVar the variables ("language", "outcome").
// It returns the cell indexes of the body, row-major.
func (b *Builder) CrossTab(prefix, rowVar string, rows []string, colVar string, cols []string, counts [][]int64) [][]int {
	grand := int64(0)
	colSum := make([]int64, len(cols))
	for r := range rows {
		for c := range cols {
			grand += counts[r][c]
			colSum[c] += counts[r][c]
		}
	}
	g := b.Cell(prefix, grand)
	colCells := make([]int, len(cols))
	for c, col := range cols {
		colCells[c] = b.Cell(prefix+"|"+colVar+"="+col, colSum[c])
	}
	body := make([][]int, len(rows))
	rowCells := make([]int, len(rows))
	for r, row := range rows {
		var rs int64
		for c := range cols {
			rs += counts[r][c]
		}
		rowCells[r] = b.Cell(prefix+"|"+rowVar+"="+row, rs)
		body[r] = make([]int, len(cols))
		for c, col := range cols {
			body[r][c] = b.Cell(prefix+"|"+rowVar+"="+row+"|"+colVar+"="+col, counts[r][c])
		}
		b.Sum(rowCells[r], body[r]...)
	}
	for c := range cols {
		col := make([]int, len(rows))
		for r := range rows {
			col[r] = body[r][c]
		}
		b.Sum(colCells[c], col...)
	}
	b.Sum(g, rowCells...)
	b.Sum(g, colCells...)
	return body
}

// Release returns what was built, or the first inconsistency.
func (b *Builder) Release() (Release, error) {
	if b.err != nil {
		return Release{}, b.err
	}
	return b.r, nil
}

// Published is one cell as it may leave the partnership.
type Published struct {
	Key        string
	Value      int64 // the count, rounded under a rounding profile; 0 when suppressed
	Suppressed bool
	Primary    bool // suppressed because it is small, not to protect another cell
}

// Protect applies the profile: primary suppression, then complementary
// suppression until no suppressed cell is recoverable from the published
// cells, then rounding. The release's counts are not changed.
func Protect(r Release, p Profile) ([]Published, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	sup := make([]bool, len(r.Cells))
	out := make([]Published, len(r.Cells))
	for i, c := range r.Cells {
		out[i].Key = c.Key
		if c.Count >= 1 && c.Count <= p.Threshold {
			sup[i], out[i].Primary = true, true
		}
	}
	complement(r, sup)
	for i, c := range r.Cells {
		switch {
		case sup[i]:
			out[i].Suppressed = true
		case p.RoundTo > 1:
			out[i].Value = p.Round(c.Count)
		default:
			out[i].Value = c.Count
		}
	}
	return out, nil
}

func (r Release) check() error {
	for _, rel := range r.Relations {
		if rel.Total < 0 || rel.Total >= len(r.Cells) {
			return errors.New("sdc: a relation names a cell that is not in the release")
		}
		var s int64
		for _, p := range rel.Parts {
			if p < 0 || p >= len(r.Cells) {
				return errors.New("sdc: a relation names a cell that is not in the release")
			}
			s += r.Cells[p].Count
		}
		if s != r.Cells[rel.Total].Count {
			return fmt.Errorf("sdc: %q does not equal the sum of its parts", r.Cells[rel.Total].Key)
		}
	}
	return nil
}

// complement suppresses further cells until no suppressed cell is
// recoverable. Two passes alternate: the cheap one (a relation with
// exactly one hidden member gives it away by subtraction; hide its
// smallest published member too) and the exact one (linear algebra finds
// hidden cells isolated by a combination of relations; hide one more
// member of a relation of each).
func complement(r Release, sup []bool) {
	members := make([][]int, len(r.Relations)) // total first, then parts
	in := make([][]int, len(r.Cells))          // relations each cell is in
	for k, rel := range r.Relations {
		members[k] = append([]int{rel.Total}, rel.Parts...)
		for _, c := range members[k] {
			in[c] = append(in[c], k)
		}
	}
	// hideOneMore suppresses the best published member of relation k and
	// returns it (-1 when every member is hidden): the smallest non-zero
	// count (the least information lost), parts before totals, then the
	// lowest index for determinism. A relation whose published members are
	// all zero hides a zero.
	hideOneMore := func(k int) int {
		best := -1
		better := func(c int) bool {
			if best < 0 {
				return true
			}
			a, b := r.Cells[c].Count, r.Cells[best].Count
			if (a == 0) != (b == 0) {
				return b == 0
			}
			if (c == r.Relations[k].Total) != (best == r.Relations[k].Total) {
				return best == r.Relations[k].Total
			}
			if a != b {
				return a < b
			}
			return c < best
		}
		for _, c := range members[k] {
			if !sup[c] && better(c) {
				best = c
			}
		}
		if best >= 0 {
			sup[best] = true
		}
		return best
	}
	for {
		// Cheap pass, to a fixed point, driven by a work queue of relations.
		queue := make([]int, 0, len(r.Relations))
		for k := range r.Relations {
			queue = append(queue, k)
		}
		queued := make([]bool, len(r.Relations))
		for i := range queued {
			queued[i] = true
		}
		for len(queue) > 0 {
			k := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			queued[k] = false
			hidden := 0
			for _, c := range members[k] {
				if sup[c] {
					hidden++
				}
			}
			if hidden != 1 {
				continue
			}
			c := hideOneMore(k)
			if c < 0 {
				continue
			}
			for _, k2 := range in[c] {
				if !queued[k2] {
					queued[k2] = true
					queue = append(queue, k2)
				}
			}
		}
		// Exact pass.
		exposed := Recoverable(r, sup)
		if len(exposed) == 0 {
			return
		}
		progress := false
		for _, c := range exposed {
			for _, k := range in[c] {
				if hideOneMore(k) >= 0 {
					progress = true
					break
				}
			}
		}
		if !progress {
			// Every relation of every exposed cell is fully hidden, which
			// cannot isolate a cell; unreachable, but never loop forever.
			return
		}
	}
}
