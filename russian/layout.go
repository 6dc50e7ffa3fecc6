package russian

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// toRussian and toEnglish give the letter of a key in the Russian keyboard
// layout (ЙЦУКЕН) for its letter in the English one (QWERTY), and the
// other way round, lower and upper case; but «Э», whose key is the English
// layout's double quote, which begins a phrase.
var toRussian, toEnglish = func() (ru, en map[rune]rune) {
	const ruKeys = "ёйцукенгшщзхъфывапролджэячсмитьбюЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЯЧСМИТЬБЮ"
	const enKeys = "`qwertyuiop[]asdfghjkl;'zxcvbnm,.~QWERTYUIOP{}ASDFGHJKL:ZXCVBNM<>"
	ru, en = map[rune]rune{}, map[rune]rune{}
	e := []rune(enKeys)
	for i, r := range []rune(ruKeys) {
		ru[e[i]], en[r] = r, e[i]
	}
	return ru, en
}()

// OtherLayout is a text as the same keys type it in the other keyboard
// layout, and whether that is another text: each word of Latin letters in
// Russian, each of Cyrillic letters in English, and the keys of
// punctuation that are letters in the other layout with them («[f,fhjdcr»
// is «хабаровск», «Пгфтпвщтп» «Guangdong»). A word of both scripts, or of
// neither, stays as it is, and so does a word that keep reports is right
// as typed: a reader who saw what the first keys typed and switched the
// layout typed the rest right («[f,fhjdcr выставка»). So does a word that
// would be none: a letter alone («V», «X ЭКСПО»), or Russian whose keys
// type English punctuation («ёжик» is «`;br»).
func OtherLayout(text string, keep func(word string) bool) (string, bool) {
	words := strings.Fields(text)
	changed := false
	for i, w := range words {
		latin := strings.ContainsFunc(w, func(r rune) bool { return r < utf8.RuneSelf && unicode.IsLetter(r) })
		cyrillic := strings.ContainsFunc(w, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) })
		to := toRussian
		switch {
		case latin == cyrillic || keep(w):
			continue
		case cyrillic:
			to = toEnglish
		}
		o := strings.Map(func(r rune) rune {
			if o, ok := to[r]; ok {
				return o
			}
			return r
		}, w)
		if utf8.RuneCountInString(w) < 2 || cyrillic && strings.ContainsFunc(o, notInWord) {
			continue
		}
		words[i] = o
		changed = changed || o != w
	}
	return strings.Join(words, " "), changed
}

// notInWord reports whether r is none of the letters, digits, hyphens and
// apostrophes of an English word or name: «Э», whose key has none, stays.
func notInWord(r rune) bool {
	return r >= utf8.RuneSelf || !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '\''
}
