// Package sdctest holds an independent adversary for disclosure-control
// tests: exact rational arithmetic that shares no code with package sdc.
package sdctest

import (
	"math/big"

	"github.com/accord-project/accord/sdc"
)

// Attack is an independent adversary: exact rational Gaussian elimination
// over every relation of the release, with the published counts known,
// returning each suppressed cell it can pin down and the value it finds.
// It shares no code with the package's own check.
func Attack(r sdc.Release, pub []sdc.Published) map[string]int64 {
	var unknown []int
	col := map[int]int{}
	for i, p := range pub {
		if p.Suppressed {
			col[i] = len(unknown)
			unknown = append(unknown, i)
		}
	}
	n := len(unknown)
	var rows [][]*big.Rat // n coefficients, then the constant
	for _, rel := range r.Relations {
		row := make([]*big.Rat, n+1)
		for j := range row {
			row[j] = new(big.Rat)
		}
		add := func(cell int, sign int64) {
			if c, ok := col[cell]; ok {
				row[c].Add(row[c], big.NewRat(sign, 1))
			} else {
				// known: move to the right-hand side
				row[n].Sub(row[n], big.NewRat(sign*r.Cells[cell].Count, 1))
			}
		}
		add(rel.Total, 1)
		for _, p := range rel.Parts {
			add(p, -1)
		}
		rows = append(rows, row)
	}
	pivotRow := 0
	var pivots []int
	for c := 0; c < n && pivotRow < len(rows); c++ {
		p := -1
		for i := pivotRow; i < len(rows); i++ {
			if rows[i][c].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		rows[pivotRow], rows[p] = rows[p], rows[pivotRow]
		inv := new(big.Rat).Inv(rows[pivotRow][c])
		for j := range rows[pivotRow] {
			rows[pivotRow][j].Mul(rows[pivotRow][j], inv)
		}
		for i := range rows {
			if i == pivotRow || rows[i][c].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Set(rows[i][c])
			for j := range rows[i] {
				rows[i][j].Sub(rows[i][j], new(big.Rat).Mul(f, rows[pivotRow][j]))
			}
		}
		pivots = append(pivots, c)
		pivotRow++
	}
	got := map[string]int64{}
	for i, c := range pivots {
		alone := true
		for j := 0; j < n; j++ {
			if j != c && rows[i][j].Sign() != 0 {
				alone = false
			}
		}
		if alone {
			v := rows[i][n]
			got[r.Cells[unknown[c]].Key] = new(big.Int).Quo(v.Num(), v.Denom()).Int64()
		}
	}
	return got
}
