// Package russian knows what Russian spelling does to the words editors
// write and readers type: Latin and Cyrillic letters that look alike and
// characters of no width inside words (Unmixed, Invisibles), the form in
// which names are compared (Fold), Chinese names in Palladius's letters
// and their pinyin (Pinyin), the Latin spellings of Russian names (Latin),
// the forms of a word that the Snowball stemmer cuts apart (Forms,
// FleetingVowel), and words typed in the other keyboard layout
// (OtherLayout). It knows nothing of notes or of the index: source and
// search use it.
package russian

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Unmixed writes the letters of a word of Latin and Cyrillic letters that
// look alike as letters of its other script: «Xабаровск» with a Latin X,
// «Huawеi» with a Cyrillic е. Texts copied from elsewhere, and a keyboard
// left in the other layout, leave such words, which look right and which
// no reader types: names are compared (Fold) and texts searched in this
// form. A word that has letters of both scripts that look like none of the
// other's («ТехноPark») is left as it is. Words are told by their bytes
// (ASCII letters and digits, and the letters U+0400–U+047F), as every text
// of a site goes through it.
func Unmixed(s string) string {
	var out []byte // s with the words rewritten so far, up to done
	done := 0
	MixedWords(s, func(i, j int, w string) {
		out = append(append(out, s[done:i]...), w...)
		done = j
	})
	if out == nil {
		return s
	}
	return string(append(out, s[done:]...))
}

// Invisibles are the characters of a text that show nothing, and that a
// name or a search leaves out: the soft hyphen, and those of no width that
// texts copied from the web carry inside words (the zero-width space,
// non-joiner and joiner, the word joiner and the byte order mark), where
// they make another word of it («Хаба\u2060ровск»). Invisible tells them.
const Invisibles = "\u00ad\u200b\u200c\u200d\u2060\ufeff"

// Invisible reports whether r is one of Invisibles. The letters of most
// texts, ASCII and Cyrillic, are told at once: none is.
func Invisible(r rune) bool {
	return (r == '\u00ad' || r >= '\u200b') && strings.ContainsRune(Invisibles, r)
}

// MixedWords calls fn with each word of s that Unmixed writes otherwise:
// where it starts and ends, in bytes, and the word so written. s is a
// string or a note's bytes, which it does not copy.
func MixedWords[S string | []byte](s S, fn func(start, end int, w string)) {
	for i := 0; i < len(s); {
		j, latin, cyrillic := i, false, false
	word:
		for j < len(s) {
			switch c := s[j]; {
			case 'a' <= c|0x20 && c|0x20 <= 'z':
				latin = true
				j++
			case '0' <= c && c <= '9':
				j++
			case (c == 0xd0 || c == 0xd1) && j+1 < len(s) && s[j+1]&0xc0 == 0x80:
				cyrillic = true
				j += 2
			default:
				break word
			}
		}
		if latin && cyrillic {
			if w, ok := unmixWord(string(s[i:j])); ok {
				fn(i, j, w)
			}
		}
		i = max(j, i+1) // a byte of no word's letter: the next
	}
}

// unmixWord is w, a word of ASCII letters and digits and the letters
// U+0400–U+047F, with the letters of one script written in the other
// where all of them look like the other's, and whether it could be.
// Where the letters of either script could be the other's, the fewer are
// taken for slips: «Сoca» (С Cyrillic) is «Coca».
func unmixWord(w string) (string, bool) {
	latin, cyrillic, latinOnly, cyrillicOnly := 0, 0, 0, 0
	for k := 0; k < len(w); k++ {
		switch c := w[k]; {
		case c >= utf8.RuneSelf:
			cyrillic++
			if toLatin[cyrillicIndex(c, w[k+1])] == 0 {
				cyrillicOnly++
			}
			k++
		case toCyrillic[c] != 0:
			latin++
		case 'a' <= c|0x20 && c|0x20 <= 'z':
			latin++
			latinOnly++
		}
	}
	toCyr, toLat := latinOnly == 0, cyrillicOnly == 0
	if toCyr && toLat {
		toCyr, toLat = cyrillic >= latin, cyrillic < latin
	}
	if !toCyr && !toLat {
		return w, false
	}
	out := make([]byte, 0, len(w)+len(w)/2)
	for k := 0; k < len(w); k++ {
		switch c := w[k]; {
		case toCyr && c < utf8.RuneSelf && toCyrillic[c] != 0:
			out = utf8.AppendRune(out, toCyrillic[c])
		case toLat && c >= utf8.RuneSelf:
			out = append(out, toLatin[cyrillicIndex(c, w[k+1])])
			k++
		default:
			out = append(out, c)
		}
	}
	return string(out), true
}

// toCyrillic gives, for each ASCII letter that looks like a Cyrillic one,
// that letter, and toLatin, by cyrillicIndex, the Latin letter that looks
// like a Cyrillic one; 0 for the others.
var toCyrillic, toLatin = func() (cyr [128]rune, lat [128]byte) {
	for _, pair := range strings.Fields("aа cс eе oо pр xх yу AА BВ CС EЕ HН KК MМ OО PР TТ XХ") {
		l, c := pair[0], []rune(pair[1:])[0]
		cyr[l], lat[c-0x400] = c, l
	}
	return cyr, lat
}()

// cyrillicIndex is the index, in toLatin, of the letter of U+0400–U+047F
// whose two bytes are b0 (D0 or D1) and b1.
func cyrillicIndex(b0, b1 byte) int { return int(b0&0x1f)<<6 | int(b1&0x3f) - 0x400 }

// Fold is the form in which names are compared: lower case, ё as е, runs of
// white space as one space, no surrounding space, and none after a full
// stop, so that initials are one name however they are spaced («А. Ю.
// Воробьёв», «А.Ю. Воробьёв»), and Latin and Cyrillic letters that look
// alike in the script of the rest of their word (Unmixed: «Oрлов» with a
// Latin O is «орлов»), and no Invisibles.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	last := rune(0)
	for _, r := range strings.TrimSpace(Unmixed(s)) {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case Invisible(r):
			continue
		case r == 'ё' || r == 'Ё':
			r = 'е'
		default:
			r = unicode.ToLower(r)
		}
		if space && last != '.' {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
		last = r
	}
	return b.String()
}
