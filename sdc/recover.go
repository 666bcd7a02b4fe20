package sdc

// Recoverable returns the suppressed cells (ascending) whose counts can be
// worked out exactly from the published cells and the release's
// relations: those for which some linear combination of the relations
// involves no other suppressed cell. That is the question "can anyone
// recover it by adding and subtracting published figures", answered
// exactly.
//
// Each relation, with the published counts moved to the right-hand side,
// is a linear equation over the suppressed cells. Cell x is determined
// exactly when the unit vector of x lies in the row space of those
// equations, which reduced row echelon form shows directly: x is
// determined if and only if some row of the reduced matrix is x alone.
// The arithmetic is modulo two primes, each exact; a row space over the
// rationals can look larger modulo a prime only when the prime divides a
// minor of a 0/±1 matrix, and a cell is reported when either prime says
// so, so a recoverable cell is never missed unless both primes divide.
func Recoverable(r Release, suppressed []bool) []int {
	vars := make([]int, len(r.Cells)) // cell → column, or -1
	n := 0
	for i := range r.Cells {
		vars[i] = -1
		if suppressed[i] {
			vars[i] = n
			n++
		}
	}
	if n == 0 {
		return nil
	}
	type term struct {
		col  int
		coef int64
	}
	var eqs [][]term
	for _, rel := range r.Relations {
		var row []term
		if v := vars[rel.Total]; v >= 0 {
			row = append(row, term{v, 1})
		}
		for _, p := range rel.Parts {
			if v := vars[p]; v >= 0 {
				row = append(row, term{v, -1})
			}
		}
		if len(row) > 0 {
			eqs = append(eqs, row)
		}
	}
	found := make([]bool, n)
	for _, prime := range []uint64{2147483647, 2147483629} {
		m := make([][]uint64, len(eqs))
		for i, e := range eqs {
			m[i] = make([]uint64, n)
			for _, t := range e {
				m[i][t.col] = uint64((t.coef%int64(prime) + int64(prime))) % prime
			}
		}
		for _, c := range isolated(m, n, prime) {
			found[c] = true
		}
	}
	var out []int
	for i := range r.Cells {
		if v := vars[i]; v >= 0 && found[v] {
			out = append(out, i)
		}
	}
	return out
}

// isolated reduces m (rows of n columns, entries mod prime) to reduced row
// echelon form in place and returns the columns that some row holds
// alone.
func isolated(m [][]uint64, n int, prime uint64) []int {
	row := 0
	pivots := make([]int, 0, len(m))
	for col := 0; col < n && row < len(m); col++ {
		p := -1
		for i := row; i < len(m); i++ {
			if m[i][col] != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		m[row], m[p] = m[p], m[row]
		inv := modInverse(m[row][col], prime)
		pr := m[row]
		for j := col; j < n; j++ {
			if pr[j] != 0 {
				pr[j] = pr[j] * inv % prime
			}
		}
		// The non-zero columns of the pivot row, so each elimination
		// touches only those: rows here are sparse.
		var nz []int
		for j := col; j < n; j++ {
			if pr[j] != 0 {
				nz = append(nz, j)
			}
		}
		for i := range m {
			if i == row || m[i][col] == 0 {
				continue
			}
			f := prime - m[i][col]
			ri := m[i]
			for _, j := range nz {
				ri[j] = (ri[j] + f*pr[j]) % prime
			}
		}
		pivots = append(pivots, col)
		row++
	}
	var out []int
	for i, col := range pivots {
		alone := true
		for j := col + 1; j < n; j++ {
			if m[i][j] != 0 {
				alone = false
				break
			}
		}
		if alone {
			out = append(out, col)
		}
	}
	return out
}

// modInverse is a^(p-2) mod p (p prime, a ≠ 0).
func modInverse(a, p uint64) uint64 {
	result, base, e := uint64(1), a%p, p-2
	for e > 0 {
		if e&1 == 1 {
			result = result * base % p
		}
		base = base * base % p
		e >>= 1
	}
	return result
}
