package match

import (
	"strings"

	"github.com/accord-project/accord"
)

// phoneDigits returns the digits of a phone number, or "" when there are too
// few (under 7) to compare.
func phoneDigits(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	if len(b) < 7 {
		return ""
	}
	return string(b)
}

// phoneTail is the part of a phone number compared: its last 9 digits, which
// leave out the country code and trunk prefix (+44 7911 123456, 07911 123456
// and 0044 7911 123456 agree) in the national plans of the countries at hand.
func phoneTail(d string, n int) string {
	if len(d) > n {
		return d[len(d)-n:]
	}
	return d
}

func comparePhone(a, b string) FieldMatch {
	f := FieldMatch{Field: FieldPhone, Kind: KindMissing}
	if a == "" || b == "" {
		return f
	}
	n := min(9, len(a), len(b))
	ta, tb := phoneTail(a, n), phoneTail(b, n)
	switch {
	case ta == tb:
		f.Kind, f.Weight = KindExact, weightPhoneExact
	case oneCharOff(ta, tb):
		f.Kind, f.Weight = KindSimilar, weightPhoneSimilar
	default:
		f.Kind, f.Weight = KindDifferent, weightPhoneDifferent
	}
	return f
}

// oneCharOff reports whether two strings of the same length differ in one
// place, or by two adjacent characters transposed.
func oneCharOff(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	first, diff := -1, 0
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			diff++
			if first < 0 {
				first = i
			}
		}
	}
	i := first
	return diff == 1 || diff == 2 && i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i]
}

type ident struct{ system, value string }

// parseIdent normalises an identifier: the system folded, the value in upper
// case without spaces, dots, hyphens or slashes (123-45C 678 is 12345C678).
func parseIdent(id accord.Identifier) (ident, bool) {
	sys := strings.Join(strings.Fields(strings.ToLower(id.System)), " ")
	var b strings.Builder
	for _, r := range id.Value {
		switch {
		case r == ' ' || r == '-' || r == '.' || r == '/' || r == '\t':
		case 'a' <= r && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			b.WriteRune(r)
		}
	}
	v := b.String()
	return ident{sys, v}, sys != "" && v != ""
}

func compareIdents(a, b []ident) FieldMatch {
	f := FieldMatch{Field: FieldIdentifier, Kind: KindMissing}
	sameSystem, sameValue := false, false
	for _, x := range a {
		for _, y := range b {
			switch {
			case x == y:
				f.Kind, f.Weight = KindExact, weightIdentExact
				return f
			case x.system == y.system:
				sameSystem = true
			case x.value == y.value && len(x.value) >= 6:
				sameValue = true
			}
		}
	}
	switch {
	case sameValue:
		// The same number filed under another system name ("UNHCR",
		// "unhcr case") is most likely the same document.
		f.Kind, f.Weight = KindSimilar, weightIdentSimilar
	case sameSystem:
		f.Kind, f.Weight = KindDifferent, weightIdentDifferent
	}
	return f
}
