package match

import "fmt"

// date is a birth date known to some precision.
type date struct {
	y, m, d int
	// prec is 0 when the date is missing, 1 for the year, 2 for the month,
	// 3 for the day.
	prec int
}

// parseDate reads YYYY, YYYY-MM or YYYY-MM-DD. A date of 1 January counts as
// a year only: it is what many registration systems write when the day is
// unknown, so it says nothing about the day. Anything unreadable is missing.
func parseDate(s string) date {
	var d date
	if len(s) < 4 {
		return d
	}
	y, ok := digits(s[:4])
	if !ok || y < 1000 {
		return d
	}
	d.y, d.prec = y, 1
	if len(s) >= 7 && s[4] == '-' {
		if m, ok := digits(s[5:7]); ok && 1 <= m && m <= 12 {
			d.m, d.prec = m, 2
			if len(s) == 10 && s[7] == '-' {
				if day, ok := digits(s[8:10]); ok && 1 <= day && day <= 31 {
					d.d, d.prec = day, 3
				}
			}
		}
	}
	if d.prec == 3 && d.m == 1 && d.d == 1 {
		d.m, d.d, d.prec = 0, 0, 1
	}
	return d
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// dayKey is the date with day and month in order of size, so that a date with
// the two transposed has the same key; "" unless the day is known.
func (d date) dayKey() string {
	if d.prec < 3 {
		return ""
	}
	return fmt.Sprintf("%04d%02d%02d", d.y, min(d.m, d.d), max(d.m, d.d))
}

// oneDigitOff reports whether two numbers written with two digits (or four
// for years) differ in exactly one digit, or are the same two digits
// transposed: 1987 and 1978, 13 and 31, 05 and 06.
func oneDigitOff(a, b, width int) bool {
	if a == b {
		return false
	}
	var da, db [4]int
	for i := width - 1; i >= 0; i-- {
		da[i], db[i], a, b = a%10, b%10, a/10, b/10
	}
	if a != b { // more digits than width
		return false
	}
	diff, first := 0, -1
	for i := range width {
		if da[i] != db[i] {
			diff++
			if first < 0 {
				first = i
			}
		}
	}
	if diff == 1 {
		return true
	}
	i := first
	return diff == 2 && i+1 < width && da[i] == db[i+1] && da[i+1] == db[i] && da[i] != da[i+1]
}

func compareDate(a, b date) FieldMatch {
	f := FieldMatch{Field: FieldBirthDate, Kind: KindMissing}
	if a.prec == 0 || b.prec == 0 {
		return f
	}
	switch prec := min(a.prec, b.prec); {
	case prec == 3 && a == b:
		f.Kind, f.Weight = KindExact, weightDateExact
	case prec == 3 && a.y == b.y && a.m == b.d && a.d == b.m:
		f.Kind, f.Weight = KindSimilar, weightDateSimilar // day and month transposed
	case prec == 3 && (a.y == b.y && a.m == b.m && oneDigitOff(a.d, b.d, 2) ||
		a.y == b.y && a.d == b.d && oneDigitOff(a.m, b.m, 2) ||
		a.m == b.m && a.d == b.d && oneDigitOff(a.y, b.y, 4)):
		f.Kind, f.Weight = KindSimilar, weightDateSimilar
	case prec == 2 && a.y == b.y && a.m == b.m:
		f.Kind, f.Weight = KindPartial, weightDateMonth
	case prec == 1 && a.y == b.y:
		f.Kind, f.Weight = KindPartial, weightDateYear
		if a.prec == 1 && b.prec == 1 {
			f.Weight = weightDateYearBoth
		}
	case prec == 1 && (a.y-b.y == 1 || b.y-a.y == 1):
		// A year given as an estimate ("about 30") is often one off.
		f.Kind, f.Weight = KindSimilar, weightDateNearYear
	case a.y-b.y <= 2 && b.y-a.y <= 2:
		f.Kind, f.Weight = KindDifferent, weightDateDifferentNear
	default:
		f.Kind, f.Weight = KindDifferent, weightDateDifferent
	}
	return f
}
