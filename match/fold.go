package match

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// fold returns s lower-cased and without accents, with Cyrillic, Arabic,
// Persian and Ethiopic letters transliterated to Latin, apostrophes removed
// (O'Brien, Ol'ha) and everything else that is not a letter turned into a
// space. It is FoldName of sqlstore plus the scripts intake meets: a navigator
// may type a name the way the person's documents spell it.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	if ascii {
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case 'a' <= c && c <= 'z':
				b.WriteByte(c)
			case 'A' <= c && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			case c == '\'' || c == '`':
			default:
				b.WriteByte(' ')
			}
		}
		return b.String()
	}
	rs := []rune(norm.NFD.String(s))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r < utf8.RuneSelf:
			switch {
			case 'a' <= r && r <= 'z':
				b.WriteRune(r)
			case 'A' <= r && r <= 'Z':
				b.WriteRune(r + 'a' - 'A')
			case r == '\'' || r == '`':
			default:
				b.WriteByte(' ')
			}
		case unicode.Is(unicode.Mn, r):
		case r == 'ا' && i+2 < len(rs) && rs[i+1] == 'ل' && (i == 0 || !unicode.IsLetter(rs[i-1])) && unicode.IsLetter(rs[i+2]):
			// The Arabic article is written joined to its noun; split it
			// off so that it is dropped like al- in Latin script.
			b.WriteString("al ")
			i++
		case r == 'ع' || r == 'ی' || r == 'ي' || r == 'و':
			b.WriteString(arabicLetter(rs, i))
		case 0x1200 <= r && r <= 0x135A:
			b.WriteString(ethiopic(r))
		default:
			if t, ok := translit[r]; ok {
				b.WriteString(t)
			} else if unicode.IsLetter(r) {
				b.WriteRune(unicode.ToLower(r))
			} else {
				b.WriteByte(' ')
			}
		}
	}
	return b.String()
}

// arabicLetter transliterates the Arabic letters whose value depends on their
// place: ʿayn is the vowel of an initial syllable (عمر Omar, علي Ali) and
// silent inside a word; waw and ya are consonants at the start of a word
// and long vowels elsewhere (يوسف Yusuf, محمود Mahmud).
func arabicLetter(rs []rune, i int) string {
	initial := i == 0 || !unicode.IsLetter(rs[i-1])
	switch rs[i] {
	case 'ع':
		if initial {
			return "a"
		}
		return ""
	case 'و':
		if initial {
			return "w"
		}
		return "u"
	default: // ya, Arabic or Persian
		if initial {
			return "y"
		}
		return "i"
	}
}

// translit maps single letters to Latin: letters that do not decompose into
// a base letter and an accent, Cyrillic (Ukrainian values, since most Cyrillic
// names at intake are Ukrainian: г is h, и is y), and Arabic and Persian
// consonants, written without short vowels as Arabic script writes them, which
// the phonetic code ignores anyway.
var translit = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l",
	'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th", 'ı': "i", 'ħ': "h", 'Ħ': "h", 'ŋ': "ng",
	'’': "", '‘': "", 'ʼ': "", 'ʻ': "", 'ʿ': "", 'ʾ': "", '´': "", 'ʹ': "", 'ь': "", 'ъ': "", 'Ь': "", 'Ъ': "",

	'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "g", 'д': "d", 'е': "e", 'є': "ye", 'ж': "zh", 'з': "z",
	'и': "y", 'і': "i", 'ї': "yi", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p",
	'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
	'ю': "yu", 'я': "ya", 'ы': "y", 'э': "e", 'ё': "yo",
	'А': "a", 'Б': "b", 'В': "v", 'Г': "h", 'Ґ': "g", 'Д': "d", 'Е': "e", 'Є': "ye", 'Ж': "zh", 'З': "z",
	'И': "y", 'І': "i", 'Ї': "yi", 'Й': "y", 'К': "k", 'Л': "l", 'М': "m", 'Н': "n", 'О': "o", 'П': "p",
	'Р': "r", 'С': "s", 'Т': "t", 'У': "u", 'Ф': "f", 'Х': "kh", 'Ц': "ts", 'Ч': "ch", 'Ш': "sh", 'Щ': "shch",
	'Ю': "yu", 'Я': "ya", 'Ы': "y", 'Э': "e", 'Ё': "yo",

	'ا': "a", 'ب': "b", 'ت': "t", 'ث': "th", 'ج': "j", 'ح': "h", 'خ': "kh", 'د': "d", 'ذ': "dh", 'ر': "r",
	'ز': "z", 'س': "s", 'ش': "sh", 'ص': "s", 'ض': "d", 'ط': "t", 'ظ': "z", 'غ': "gh", 'ف': "f", 'ق': "q",
	'ك': "k", 'ل': "l", 'م': "m", 'ن': "n", 'ه': "h", 'ة': "a", 'ى': "a", 'ء': "", 'ئ': "", 'ؤ': "",
	'پ': "p", 'چ': "ch", 'ژ': "zh", 'گ': "g", 'ک': "k", 'ۀ': "a", 'ـ': "",
}

// ethiopic transliterates a letter of the Ethiopic syllabary (Tigrinya,
// Amharic): each row of eight is one consonant, the column its vowel
// (ä, u, i, a, e, none, o, wa), so that ዳዊት is "dawit" and ተስፋይ "tesfay".
func ethiopic(r rune) string {
	row, col := (r-0x1200)/8, (r-0x1200)%8
	if int(row) >= len(ethiopicConsonants) {
		return " "
	}
	c := ethiopicConsonants[row]
	v := [8]string{"e", "u", "i", "a", "e", "", "o", "wa"}[col]
	if c == "" && col == 0 {
		v = "a" // አ, ዐ: a glottal stop, romanised as a
	}
	return c + v
}

var ethiopicConsonants = []string{
	"h", "l", "h", "m", "s", "r", "s", "sh", "k", "kw", "k", "kw", "b", "v", "t", "ch",
	"h", "hw", "n", "ny", "", "k", "kw", "h", "hw", "w", "", "z", "zh", "y", "d", "d",
	"j", "g", "gw", "g", "t", "ch", "p", "ts", "ts", "f", "p",
}
