package match

import "unicode/utf8"

// jaroWinkler returns the Jaro–Winkler similarity of a and b, 0..1, with the
// usual prefix scale 0.1 over at most 4 letters. It is symmetric: the pair is
// put in order before comparing, because Jaro's greedy matching is not.
func jaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	if a > b {
		a, b = b, a
	}
	if a == "" {
		return 0
	}
	ascii := true
	for _, s := range [2]string{a, b} {
		for i := 0; i < len(s); i++ {
			if s[i] >= utf8.RuneSelf {
				ascii = false
			}
		}
	}
	if ascii {
		return jw([]byte(a), []byte(b))
	}
	return jw([]rune(a), []rune(b))
}

func jw[T byte | rune](a, b []T) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	window := max(len(b)/2-1, 0)
	var flagsBuf [2][48]bool
	var fa, fb []bool
	if len(b) <= 48 {
		fa, fb = flagsBuf[0][:len(a)], flagsBuf[1][:len(b)]
	} else {
		fa, fb = make([]bool, len(a)), make([]bool, len(b))
	}
	m := 0
	for i := range a {
		lo, hi := max(0, i-window), min(len(b), i+window+1)
		for j := lo; j < hi; j++ {
			if !fb[j] && a[i] == b[j] {
				fa[i], fb[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, j := 0, 0
	for i := range a {
		if !fa[i] {
			continue
		}
		for !fb[j] {
			j++
		}
		if a[i] != b[j] {
			t++
		}
		j++
	}
	mf := float64(m)
	jaro := (mf/float64(len(a)) + mf/float64(len(b)) + (mf-float64(t)/2)/mf) / 3
	prefix := 0
	for prefix < min(4, len(a)) && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}
