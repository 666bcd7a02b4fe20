package match

import (
	"strings"
)

// A name (the given names, or the family names) is parsed into tokens. Each
// token has three forms, from strict to loose:
//
//   - fold: lower case, no accents, Latin script ("youssef");
//   - canon: the usual romanisation variants rewritten to one spelling by
//     canonical, so Youssef, Yousef, Yusef are all "yusef", and Hussein,
//     Husayn, Hussain are all "husain"; or, for a name in the dictionary
//     (names.go), the canon of its group, so Muhammad and Mehmet are both
//     "mohamed";
//   - code: a phonetic code of canon (phonetic), used for blocking keys.
type token struct {
	fold  string
	canon string
	// group is 1 + the index of the token's group in nameGroups, 0 if none;
	// cognate tells the spelling is the same name in another language
	// (Joseph for Yusuf), not a romanisation.
	group   int32
	cognate bool
	own     string // canon before the group's replaced it
	code    string
	freq    float64 // nameFrequency, or 0 when rare
}

type name struct {
	tokens []token
	fold   string // the folded words joined without spaces, articles kept
	canon  string // the tokens' canons joined
	own    string // the tokens' own canons (before groups) joined
	family bool
	// abjad tells the name was written in Arabic script, without the short
	// vowels, so that only its phonetic code can agree with a romanisation.
	abjad bool
	// script is the script the name was written in, as far as it matters:
	// names in two scripts agree at best as transliterations.
	script byte // 'L' Latin, 'C' Cyrillic, 'A' Arabic, 'E' Ethiopic, 'O' other
}

func (n *name) empty() bool { return len(n.tokens) == 0 }

// articles are dropped when followed by another word: the Arabic article
// and its assimilated forms (Abd ar-Rahman), patronymic connectors
// (bin, ibn, ould) and European particles (de la Cruz, van, da Silva).
var articles = map[string]bool{
	"al": true, "el": true, "ul": true, "il": true, "ar": true, "er": true, "as": true, "es": true, "ash": true,
	"ad": true, "ed": true, "at": true, "an": true, "az": true, "ez": true,
	"bin": true, "ibn": true, "ben": true, "bint": true, "binti": true, "ould": true,
	"de": true, "del": true, "della": true, "di": true, "da": true, "do": true, "dos": true, "das": true,
	"du": true, "des": true, "la": true, "le": true, "van": true, "von": true, "der": true, "den": true, "y": true,
}

// prefixes are joined to the next word: Abdul Rahman is Abdulrahman, Abu
// Bakr is Abubakr.
var prefixes = map[string]bool{
	"abd": true, "abdul": true, "abdel": true, "abdal": true, "abdil": true, "abdoul": true, "abdou": true,
	"abdu": true, "abdur": true, "abdar": true, "abder": true, "abdus": true, "abdes": true, "abdas": true,
	"cabdul": true, "cabd": true, "abu": true, "abou": true, "abo": true,
}

// suffixes are joined to the previous word: Naqib Ullah is Naqibullah,
// Salah Eddine Salaheddine.
var suffixes = map[string]bool{
	"ullah": true, "ulla": true, "allah": true, "alla": true, "ollah": true, "olla": true,
	"din": true, "deen": true, "uddin": true, "udin": true, "eddin": true, "eddine": true, "addin": true, "aldin": true,
}

// parseName parses a given name (family false) or family name.
func parseName(s string, family bool) name {
	words := strings.Fields(fold(s))
	n := name{family: family}
	if len(words) == 0 {
		return n
	}
	n.fold = strings.Join(words, "")
	n.script = 'L'
	for _, r := range s {
		switch {
		case r < 0x250:
			continue
		case 0x0400 <= r && r <= 0x04FF:
			n.script = 'C'
		case 0x0600 <= r && r <= 0x06FF:
			n.script, n.abjad = 'A', true
		case 0x1200 <= r && r <= 0x137F:
			n.script = 'E'
		default:
			n.script = 'O'
		}
		break
	}
	joined := joinWords(words)
	n.tokens = make([]token, len(joined))
	var canon, own strings.Builder
	for i, w := range joined {
		n.tokens[i] = newToken(w, family)
		canon.WriteString(n.tokens[i].canon)
		own.WriteString(n.tokens[i].own)
	}
	n.canon, n.own = canon.String(), own.String()
	return n
}

// parseWords returns the words of s as parseName tokenises them.
func parseWords(s string) []string { return joinWords(strings.Fields(fold(s))) }

// joinWords drops articles and joins prefixes and suffixes to their word.
func joinWords(words []string) []string {
	kept := words[:0:0]
	for i, w := range words {
		if articles[w] && i+1 < len(words) {
			continue
		}
		kept = append(kept, w)
	}
	var joined []string
	for i := 0; i < len(kept); i++ {
		w := kept[i]
		for prefixes[w] && i+1 < len(kept) {
			i++
			w += kept[i]
		}
		if suffixes[w] && len(joined) > 0 {
			joined[len(joined)-1] += w
			continue
		}
		joined = append(joined, w)
	}
	return joined
}

func newToken(w string, family bool) token {
	t := token{fold: w, canon: canonical(w, family)}
	t.own = t.canon
	if g, ok := groupOf[t.canon]; ok {
		t.group, t.cognate = g.group, g.cognate
		t.canon = g.canon
		t.code = g.code
	} else {
		t.code = phonetic(t.canon)
	}
	t.freq = nameFrequency[t.canon]
	return t
}

func isVowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

func isASCIILower(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// canonical rewrites a folded word's romanisation variants to one spelling.
// The rules, in order (family names get the last one too):
//
//  1. Somali spelling: cabd- is abd-; x is h at the start of a word, before
//     a consonant and between a and a or u (Xasan, Axmed, Maxamed, Faarax),
//     ks elsewhere (Alexander).
//  2. Abd- names: the article between abd and the rest goes, in any spelling
//     (Abdul Rahman, Abdel Rahman, Abd al-Rahman, Abdirahman, Abderrahmane
//     are all abd+rahman); Allah keeps one l (Abdullah, Abdallah: abd+la).
//  3. -ullah, -allah, -ollah, -ulla are -ula (Asadullah, Asadollah).
//  4. Digraphs: shch, sch are sh; cz, tch are ch; dzh, dj, zh are j;
//     ph f; th t; dh d; gh g; kh h; ck k; q k; c is k before a, o, u or a
//     consonant and s before e, i, y; ou and oo are u; ee is i;
//     w is v, or u after a vowel and not before one.
//  5. Y and i: an initial ye or ie is e (Yelena, Ievgen); initial iu, ia, io,
//     ju, ja are yu, ya, yo (Iuliia, Julia, Yulia); ia, iia, iya after a
//     consonant are ya (Mariia, Mariya, Maria; Maryam, Mariam); iu is yu;
//     ey, ei, ay, ai before a consonant are ai (Hussein, Husayn, Hussain;
//     Leila, Layla); iy and yi before a consonant are i; at the end ii, iy,
//     ij, yi, ei, ey, ie, iye and a y after a consonant are i (Andrii,
//     Andriy, Andrei; Rezaei, Rezai), ay, aye, aj are ai (Tesfay, Tesfaye,
//     Tesfai).
//  6. Doubled letters are single (Mohammed, Hassan, Faadumo).
//  7. A final ah is a (Fatimah, Sarah); a final eh is a in a word of six
//     letters or more (Alizadeh, Fereshteh); a final e after a consonant goes
//     (Abderrahmane, Yasmine).
//  8. Family names: the feminine Slavic endings are the masculine (Ivanova,
//     Ivanov; Kovalska, Kovalskyi: -sk).
//
// A word in another script is returned as it is.
func canonical(w string, family bool) string {
	if !isASCIILower(w) || w == "" {
		return w
	}
	if strings.HasPrefix(w, "cabd") {
		w = w[1:]
	}
	if strings.IndexByte(w, 'x') >= 0 {
		w = somaliX(w)
	}
	if len(w) > 4 && strings.HasPrefix(w, "abd") {
		rest := strings.TrimLeft(w[3:], "aeiou")
		switch {
		case strings.HasPrefix(rest, "ll"):
			rest = rest[1:]
		case strings.HasPrefix(rest, "l") && len(rest) > 2:
			rest = strings.TrimLeft(rest[1:], "aeiou")
		}
		if rest == "" {
			return "abd"
		}
		return "abd" + rewrite(rest, family)
	}
	return rewrite(w, family)
}

func somaliX(w string) string {
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c != 'x' {
			b.WriteByte(c)
			continue
		}
		var prev, next byte
		if i > 0 {
			prev = w[i-1]
		}
		if i+1 < len(w) {
			next = w[i+1]
		}
		if i == 0 || !isVowel(next) || (prev == 'a' || prev == 'u') && (next == 'a' || next == 'u') {
			b.WriteByte('h')
		} else {
			b.WriteString("ks")
		}
	}
	return b.String()
}

var digraphs = strings.NewReplacer(
	"shch", "sh", "sch", "sh", "tch", "ch", "dzh", "j", "cz", "ch",
	"dj", "j", "zh", "j", "ph", "f", "th", "t", "dh", "d", "gh", "g", "kh", "h", "ck", "k", "q", "k",
	"ou", "u", "oo", "u", "ee", "i",
)

var allahSuffixes = []string{"ullah", "allah", "ollah", "ulla", "alla", "olla"}

func rewrite(w string, family bool) string {
	if len(w) > 6 {
		for _, s := range allahSuffixes {
			if strings.HasSuffix(w, s) {
				w = w[:len(w)-len(s)] + "ula"
				break
			}
		}
	}
	w = digraphs.Replace(w)
	b := []byte(w)
	b = rewriteCW(b)
	b = rewriteY(b)
	b = collapse(b)
	n := len(b)
	switch {
	case n >= 3 && b[n-2] == 'a' && b[n-1] == 'h':
		b = b[:n-1]
	case n >= 6 && b[n-2] == 'e' && b[n-1] == 'h':
		b[n-2], b = 'a', b[:n-1]
	case n > 3 && b[n-1] == 'e' && !isVowel(b[n-2]) && b[n-2] != 'y':
		b = b[:n-1]
	}
	if family {
		b = slavic(b)
	}
	return string(b)
}

// rewriteCW spells c as k or s and w as v or u.
func rewriteCW(b []byte) []byte {
	for i, c := range b {
		var next byte
		if i+1 < len(b) {
			next = b[i+1]
		}
		switch c {
		case 'c':
			switch next {
			case 'h':
			case 'e', 'i', 'y':
				b[i] = 's'
			default:
				b[i] = 'k'
			}
		case 'w':
			if i > 0 && isVowel(b[i-1]) && !isVowel(next) {
				b[i] = 'u'
			} else {
				b[i] = 'v'
			}
		}
	}
	return b
}

func rewriteY(b []byte) []byte {
	if len(b) > 3 && (b[0] == 'y' || b[0] == 'i') && b[1] == 'e' {
		b = b[1:]
	}
	if len(b) > 2 && (b[0] == 'i' || b[0] == 'j') && (b[1] == 'u' || b[1] == 'a' || b[1] == 'o' && b[0] == 'i') {
		b[0] = 'y'
	}
	out := b[:0:0]
	for i := 0; i < len(b); i++ {
		c := b[i]
		var next, next2 byte
		if i+1 < len(b) {
			next = b[i+1]
		}
		if i+2 < len(b) {
			next2 = b[i+2]
		}
		prevConsonant := i > 0 && !isVowel(b[i-1]) && b[i-1] != 'y'
		end := i+2 == len(b) // c and next are the last two letters
		switch {
		case c == 'i' && prevConsonant && (next == 'i' || next == 'y') && next2 == 'a':
			out = append(out, 'y', 'a') // iia, iya
			i += 2
		case c == 'i' && prevConsonant && (next == 'a' || next == 'u'):
			out = append(out, 'y', next) // ia, iu
			i++
		case c == 'i' && next == 'y' && next2 == 'e' && i+3 == len(b):
			out = append(out, 'i') // final iye
			i += 2
		case (c == 'i' || c == 'y' || c == 'e') && (next == 'i' || next == 'y' || next == 'j' || c != 'e' && next == 'e') && end && i > 0:
			out = append(out, 'i') // final ii, iy, ij, yi, ey, ei, ie
			i++
		case (c == 'e' || c == 'a') && (next == 'y' || next == 'i') && next2 != 0 && !isVowel(next2) && next2 != 'y':
			out = append(out, 'a', 'i') // medial ey, ei, ay, ai
			i++
		case (c == 'i' && next == 'y' || c == 'y' && next == 'i') && next2 != 0 && !isVowel(next2) && next2 != 'y':
			out = append(out, 'i')
			i++
		case c == 'a' && (next == 'y' || next == 'j') && (end || i+3 == len(b) && next2 == 'e'):
			out = append(out, 'a', 'i') // final ay, aj, aye
			i = len(b)
		case c == 'y' && i+1 == len(b) && i > 0 && !isVowel(b[i-1]):
			out = append(out, 'i')
		default:
			out = append(out, c)
		}
	}
	return out
}

func collapse(b []byte) []byte {
	out := b[:0]
	for i, c := range b {
		if i > 0 && c == b[i-1] {
			continue
		}
		out = append(out, c)
	}
	return out
}

func slavic(b []byte) []byte {
	s := string(b)
	switch {
	case len(s) > 4 && (strings.HasSuffix(s, "ova") || strings.HasSuffix(s, "eva")):
		return b[:len(b)-1]
	case len(s) > 5 && strings.HasSuffix(s, "ina"):
		return b[:len(b)-1]
	case len(s) > 4 && (strings.HasSuffix(s, "ska") || strings.HasSuffix(s, "ski") || strings.HasSuffix(s, "sky")):
		return b[:len(b)-1]
	}
	return b
}

// phonetic returns the phonetic code of a canonical word: its first letter
// (any vowel, or a y before a consonant, as A) followed by its consonants in
// classes, vowels left out and a repeated class written once, at most 8
// letters. The classes are tailored to the romanisations at hand, where
// consonants are stable and vowels are not (Mohamed, Muhammad, Mehmet are all
// MHMT): P b p; F f v w; K g k q, c before a, o, u; S s z, c before e, i, y;
// X sh ch; T d t; J j; Y y before a vowel at the start; H h; L, M, N, R; x is KS.
// A word in another script is its own code.
func phonetic(c string) string {
	if c == "" || !isASCIILower(c) {
		return c
	}
	var b [10]byte
	n := 0
	put := func(k byte) {
		if n > 0 && b[n-1] == k || n >= 8 {
			return
		}
		b[n] = k
		n++
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		var next byte
		if i+1 < len(c) {
			next = c[i+1]
		}
		switch ch {
		case 'a', 'e', 'i', 'o', 'u':
			if i == 0 {
				put('A')
			}
		case 'y':
			if i == 0 && isVowel(next) {
				put('Y')
			} else if i == 0 {
				put('A')
			}
		case 'b', 'p':
			put('P')
		case 'f', 'v', 'w':
			put('F')
		case 'g', 'k', 'q':
			put('K')
		case 'c':
			switch next {
			case 'h':
				put('X')
				i++
			case 'e', 'i', 'y':
				put('S')
			default:
				put('K')
			}
		case 's':
			if next == 'h' {
				put('X')
				i++
			} else {
				put('S')
			}
		case 'z':
			put('S')
		case 'x':
			put('K')
			put('S')
		case 'd', 't':
			put('T')
		case 'j':
			put('J')
		case 'h':
			put('H')
		case 'l', 'm', 'n', 'r':
			put(ch - 'a' + 'A')
		}
	}
	return string(b[:n])
}
