package match

import (
	"slices"
	"strconv"
)

// KeysVersion changes whenever Keys would return other keys for the same
// person: the storage layer must then recompute the keys of every client.
const KeysVersion = 1

// Keys returns the blocking keys of a person, sorted and distinct. The
// storage layer stores them for every client (client id, key) and finds the
// candidates for a query as the clients sharing at least one of the query's
// keys. Each key is a type prefix and a short value:
//
//	n:CODE1 CODE2  phonetic codes of the first given name and of the first
//	               (and the last) family name, in sorted order, so that
//	               swapped names share the key; no date, so it finds a person
//	               whose birth date is missing or wrong
//	y:CODE YYYY    the phonetic code of the first given name, and of the
//	               first (and last) family name, each with the birth year: a
//	               person whose other name changed or is missing
//	d:YYYYMMDD     the full birth date, day and month in order of size so
//	               that a transposed date shares the key: a person whose
//	               names are both spelled another way (not for 1 January)
//	p:DIGITS       the last 8 digits of the phone number
//	i:SYSTEM VALUE an identifier
//
// Keys hold personal data (a phone number's digits, a birth date) and must be
// protected, and erased, like the client record itself.
func Keys(p Person) []string {
	var m matcher
	pp := m.prepare(&p)
	var keys []string
	var g string
	if !pp.given.empty() {
		g = pp.given.tokens[0].code
	}
	var fam []string
	if n := len(pp.family.tokens); n > 0 {
		fam = append(fam, pp.family.tokens[0].code)
		if n > 1 && pp.family.tokens[n-1].code != fam[0] {
			fam = append(fam, pp.family.tokens[n-1].code)
		}
	}
	if g != "" {
		for _, f := range fam {
			a, b := g, f
			if a > b {
				a, b = b, a
			}
			keys = append(keys, "n:"+a+" "+b)
		}
	}
	if pp.date.prec > 0 {
		year := " " + strconv.Itoa(pp.date.y)
		for _, c := range append(fam, g) {
			if c != "" {
				keys = append(keys, "y:"+c+year)
			}
		}
		if k := pp.date.dayKey(); k != "" {
			keys = append(keys, "d:"+k)
		}
	}
	if len(pp.phone) >= 8 {
		keys = append(keys, "p:"+phoneTail(pp.phone, 8))
	}
	for _, id := range pp.ids {
		keys = append(keys, "i:"+id.system+" "+id.value)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}
