package match

// tokenLevel says how two tokens agree: 3 spelled the same, 2 the same name
// romanised differently, 1 cognates, 0 not the same name.
func tokenLevel(a, b *token) int {
	switch {
	case a.fold == b.fold:
		return 3
	case a.own == b.own, silentH(a.fold, b.fold) || silentH(b.fold, a.fold):
		return 2
	case a.group != 0 && a.group == b.group:
		if a.cognate || b.cognate {
			return 1
		}
		return 2
	}
	return 0
}

// compareName returns how two names agree and how frequent the agreeing
// name is (0: rare).
func compareName(a, b *name) (Kind, float64) {
	if a.empty() || b.empty() {
		return KindMissing, 0
	}
	freq := max(a.freq(), b.freq())
	if a.fold == b.fold && a.script == b.script {
		return KindExact, freq
	}
	if len(a.tokens) == len(b.tokens) {
		level := 3
		if a.script != b.script {
			level = 2
		}
		for i := range a.tokens {
			level = min(level, tokenLevel(&a.tokens[i], &b.tokens[i]))
		}
		switch level {
		case 3, 2:
			return KindTransliteration, freq
		case 1:
			return KindSimilar, freq
		}
	}
	if a.canon == b.canon {
		return KindTransliteration, freq
	}
	if len(a.tokens) == 1 && len(b.tokens) == 1 {
		ta, tb := &a.tokens[0], &b.tokens[0]
		if ta.group != 0 && tb.group != 0 {
			return KindDifferent, 0 // two known names, not the same one: Mahmoud is not Mohammed
		}
		if (a.abjad || b.abjad) && ta.code == tb.code {
			return KindTransliteration, freq // محمد and Mohammed: Arabic script leaves out the vowels
		}
		if typoOfSpelling(ta, tb) || typoOfSpelling(tb, ta) {
			return KindSimilar, freq
		}
	}
	if len(a.tokens) > 1 && len(a.tokens) == len(b.tokens) && covers(a, b, false) && covers(b, a, false) {
		return KindSimilar, freq // the same names in another order
	}
	// One name of two (María José, María; García López, García), or an
	// initial.
	if len(a.tokens) != len(b.tokens) && (covers(a, b, true) || covers(b, a, true)) {
		return KindPartial, 0
	}
	// A Persian nisba is another name: Ahmadi is not Ahmad, Mohammadi not
	// Mohammed. So is a name's feminine: Karima is not Karim.
	// Not when the two are as long as each other as typed: Berhane and
	// Berhani differ in a final vowel, as romanisations do.
	if len(a.fold) != len(b.fold) && (nisba(a.own, b.own) || nisba(b.own, a.own) || a.own == b.own+"a" || b.own == a.own+"a") {
		return KindDifferent, 0
	}
	sim := jaroWinkler(a.own, b.own)
	if sim < 0.9 && a.fold != a.own {
		sim = max(sim, jaroWinkler(a.fold, b.fold))
	}
	switch {
	case sim >= 0.85 && len(a.own) == len(b.own) && skeleton(a.own) == skeleton(b.own):
		// Only vowels differ, one for another, as between romanisations:
		// Naseri, Nasiri; Hashimi, Hashemi.
		return KindTransliteration, freq
	case sim >= 0.9, sim >= 0.8 && a.code() == b.code(),
		min(len(a.fold), len(b.fold)) >= 4 && oneEdit(a.fold, b.fold):
		return KindSimilar, freq
	}
	return KindDifferent, 0
}

// silentH reports whether a is b with a final h after a vowel: a word-final
// h is silent in the romanisations of Arabic, Somali and Persian names
// (Dualeh, Duale; Warsameh, Warsame; Fatimah, Fatima).
func silentH(a, b string) bool {
	return len(b) >= 3 && len(a) == len(b)+1 && a[len(b)] == 'h' && a[:len(b)] == b && isVowel(b[len(b)-1])
}

// typoOfSpelling reports whether the name a, in no group, is one letter
// off (inserted, dropped, replaced, two swapped) a usual spelling of the
// group of b, at least four letters long: Amhed is a slip for Ahmed, so
// for Ahmad.
func typoOfSpelling(a, b *token) bool {
	if a.group != 0 || b.group == 0 || len(a.fold) < 4 {
		return false
	}
	for _, s := range groupSpellings[b.group-1] {
		if len(s) >= 4 && oneEdit(a.fold, s) {
			return true
		}
	}
	return false
}

// nisba reports whether a is b with the suffix -i: b ends in a consonant
// and, but for vowels, a is b+i.
func nisba(a, b string) bool {
	return len(b) > 2 && len(a) == len(b)+1 && a[len(a)-1] == 'i' && !isVowel(b[len(b)-1]) && b[len(b)-1] != 'y' &&
		skeleton(a[:len(a)-1]) == skeleton(b)
}

// skeleton is a word without its vowels, but for an initial one.
func skeleton(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isVowel(c) || c == 'y' {
			if i == 0 {
				b = append(b, 'a')
			}
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

// oneEdit reports whether a and b differ by one letter inserted, dropped or
// replaced, or two adjacent letters swapped.
func oneEdit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 || a == b {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	return a[i:] == b[i+1:]
}

// covers reports whether every token of a has its own partner in b:
// the same name, a close spelling or, when initials is set, its initial.
func covers(a, b *name, initials bool) bool {
	if len(a.tokens) > len(b.tokens) {
		return false
	}
	var usedBuf [8]bool
	used := usedBuf[:0]
	if len(b.tokens) <= len(usedBuf) {
		used = usedBuf[:len(b.tokens)]
	} else {
		used = make([]bool, len(b.tokens))
	}
	for i := range a.tokens {
		ta := &a.tokens[i]
		found := false
		for j := range b.tokens {
			tb := &b.tokens[j]
			if used[j] {
				continue
			}
			if tokenLevel(ta, tb) > 0 || ta.canon == tb.canon ||
				initials && len(ta.fold) == 1 && tb.fold[0] == ta.fold[0] ||
				len(ta.canon) > 3 && len(tb.canon) > 3 && jaroWinkler(ta.canon, tb.canon) >= 0.92 {
				used[j], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// freq is the frequency of the name: that of its rarest token, since a
// two-part name is rarer than either part.
func (n *name) freq() float64 {
	f := 1.0
	for i := range n.tokens {
		f = min(f, n.tokens[i].freq)
	}
	if f == 1 {
		return 0
	}
	return f
}

func (n *name) code() string {
	if len(n.tokens) == 1 {
		return n.tokens[0].code
	}
	s := ""
	for i := range n.tokens {
		s += n.tokens[i].code
	}
	return s
}

// compareNamePair compares the given and family names, straight, crosswise
// and as one full name split at another place, fills out[0] and out[1] with
// the best reading and reports whether the crosswise reading won.
func (m *matcher) compareNamePair(q, c *prepared, out []FieldMatch) bool {
	gk, gf := m.compareName(q.given, c.given)
	fk, ff := m.compareName(q.family, c.family)
	out[0] = FieldMatch{FieldGivenName, gk, nameWeight(false, gk, gf)}
	out[1] = FieldMatch{FieldFamilyName, fk, nameWeight(true, fk, ff)}
	if agrees(gk) && agrees(fk) {
		return false
	}
	best := out[0].Weight + out[1].Weight
	if g, f, ok := splitElsewhere(q, c); ok && g.Weight+f.Weight > best {
		out[0], out[1] = g, f
		best = g.Weight + f.Weight
	}
	if best < 2*weightPartial && reordered(q, c) {
		out[0] = FieldMatch{FieldGivenName, KindPartial, weightPartial}
		out[1] = FieldMatch{FieldFamilyName, KindPartial, weightPartial}
		best = 2 * weightPartial
	}
	if q.family.empty() != c.family.empty() && !q.given.empty() && !c.given.empty() {
		// One record has a single name, typed as the given name, and it is
		// the other's family name (an Afghan registered under the family
		// name alone, a surname typed in the first box): the single name
		// agrees crosswise, the missing one says nothing.
		one, two := q, c
		if c.family.empty() {
			one, two = c, q
		}
		xk, xf := m.compareName(one.given, two.family)
		if !agrees(xk) {
			return false
		}
		w := (nameWeight(false, xk, xf)+nameWeight(true, xk, xf))/2 + weightSwapped
		if w <= best {
			return false
		}
		out[0] = FieldMatch{FieldGivenName, xk, w - weightSwapped}
		out[1] = FieldMatch{FieldFamilyName, KindMissing, 0}
		return true
	}
	if q.given.empty() || q.family.empty() || c.given.empty() || c.family.empty() {
		return false
	}
	xg, xgf := m.compareName(q.given, c.family)
	xf, xff := m.compareName(q.family, c.given)
	if !agrees(xg) && !agrees(xf) || xg == KindDifferent || xf == KindDifferent {
		return false
	}
	// Crosswise, each comparison is between a given and a family name:
	// both get the mean of the two weights, which keeps Score symmetric.
	w1 := (nameWeight(false, xg, xgf) + nameWeight(true, xg, xgf)) / 2
	w2 := (nameWeight(false, xf, xff) + nameWeight(true, xf, xff)) / 2
	if w1+w2+weightSwapped <= best {
		return false
	}
	out[0] = FieldMatch{FieldGivenName, xg, w1}
	out[1] = FieldMatch{FieldFamilyName, xf, w2}
	return true
}

func agrees(k Kind) bool { return k == KindExact || k == KindTransliteration || k == KindSimilar }

// reordered reports whether the full names (given then family) are the same
// three or more names in another order, each with its own partner, the
// names straight, swapped or split elsewhere having not agreed: Mariana /
// Ramírez Pasgaluelo and Ramírez / Pasgaluelo Mariana (the surnames typed
// first, then the rest in the second box). Both fields are then partial.
func reordered(q, c *prepared) bool {
	nq, nc := len(q.given.tokens)+len(q.family.tokens), len(c.given.tokens)+len(c.family.tokens)
	if nq != nc || nq < 3 || nq > 8 {
		return false
	}
	full := func(p *prepared) name {
		var buf [8]token
		t := append(append(buf[:0], p.given.tokens...), p.family.tokens...)
		return name{tokens: t}
	}
	a, b := full(q), full(c)
	return covers(&a, &b, false) && covers(&b, &a, false)
}

// splitElsewhere compares the full names, given then family, when they are
// the same names split at another place between the two fields (Faadumo /
// Ismail Warsame and Faadumo Ismail / Warsame), or with the family name
// typed into the given name. Both fields are then partial, worth a little
// less than a transliteration.
func splitElsewhere(q, c *prepared) (FieldMatch, FieldMatch, bool) {
	nq, nc := len(q.given.tokens)+len(q.family.tokens), len(c.given.tokens)+len(c.family.tokens)
	if nq != nc || nq < 2 || len(q.given.tokens) == len(c.given.tokens) {
		return FieldMatch{}, FieldMatch{}, false
	}
	at := func(p *prepared, i int) *token {
		if i < len(p.given.tokens) {
			return &p.given.tokens[i]
		}
		return &p.family.tokens[i-len(p.given.tokens)]
	}
	for i := range nq {
		a, b := at(q, i), at(c, i)
		if tokenLevel(a, b) == 0 && a.canon != b.canon && !(len(a.fold) > 3 && jaroWinkler(a.fold, b.fold) >= 0.92) {
			return FieldMatch{}, FieldMatch{}, false
		}
	}
	gf := max(at(q, 0).freq, at(c, 0).freq)
	ff := max(at(q, nq-1).freq, at(c, nq-1).freq)
	return FieldMatch{FieldGivenName, KindPartial, nameWeight(false, KindTransliteration, gf) - 1},
		FieldMatch{FieldFamilyName, KindPartial, nameWeight(true, KindTransliteration, ff) - 1}, true
}
