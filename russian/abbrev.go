package russian

import "strings"

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
// Харбине»; «Г.» may be an initial. It changes words in place, and returns
// them one shorter for each «г.» left out.
func Unabbreviated(words []string) []string {
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
