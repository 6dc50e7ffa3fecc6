package source

import (
	"strings"
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
			if w, ok := unmixWord(s[i:j]); ok {
				out = append(append(out, s[done:i]...), w...)
				done = j
			}
		}
		i = max(j, i+1) // a byte of no word's letter: the next
	}
	if out == nil {
		return s
	}
	return string(append(out, s[done:]...))
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
