package russian

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// after are the short forms of the words that come after a region's name,
// and before those that come before it, as readers type them: «Амурская
// обл.», «Приморский кр.», «Хабаровский р-н»; «респ. Бурятия», «пров.
// Хэйлунцзян».
var (
	after  = map[string]string{"обл": "область", "кр": "край", "р-н": "район"}
	before = map[string]string{"респ": "республика", "пров": "провинция"}
)

// Unabbreviated returns words with each short form of a word of a region's
// name, with or without its full stop and in any case, written in full
// where it stands after another word (after) or before one (before):
// «Кр. Армии» is no «край». A «г.» (город) in small letters, with or
// without its full stop, before another word is left out: «г. Харбин» says
// no more than «Харбин», and notes write «в Харбине» as often as «в г.
// Харбине»; «Г.» may be an initial. A short form written against the word
// it stands before, «г.Харбин», «пров.Хэйлунцзян», is first parted from it.
// It may change words in place: use the slice it returns.
func Unabbreviated(words []string) []string {
	words = unglued(words)
	out := words[:0]
	for i, w := range words {
		if len(w) > len("респ.") {
			out = append(out, w) // no short form, without lower-casing a copy of every word
			continue
		}
		key := strings.ToLower(strings.TrimSuffix(w, "."))
		if full, ok := after[key]; ok && i > 0 {
			w = full
		} else if full, ok := before[key]; ok && i < len(words)-1 {
			w = full
		} else if strings.TrimSuffix(w, ".") == "г" && i < len(words)-1 {
			continue
		}
		out = append(out, w)
	}
	return out
}

// unglued returns words with each short form that stands before a word
// (before, and «г.» or «Г.») parted from the word it is written against:
// «г.Харбин» is «г.» and «Харбин».
func unglued(words []string) []string {
	for i := 0; i < len(words); i++ {
		w := words[i]
		dot := strings.IndexByte(w, '.')
		if dot <= 0 || dot > len("респ") || dot == len(w)-1 {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w[dot+1:])
		if _, ok := before[strings.ToLower(w[:dot])]; (ok || strings.EqualFold(w[:dot], "г")) && unicode.IsLetter(r) {
			words = slices.Insert(words, i+1, w[dot+1:])
			words[i] = w[:dot+1]
			i++
		}
	}
	return words
}
