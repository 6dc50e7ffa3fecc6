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
// «Кр. Армии» is no «край». It changes words in place.
func Unabbreviated(words []string) []string {
	for i, w := range words {
		if len(w) > len("респ.") {
			continue // no short form, without lower-casing a copy of every word
		}
		key := strings.ToLower(strings.TrimSuffix(w, "."))
		if full, ok := after[key]; ok && i > 0 {
			words[i] = full
		} else if full, ok := before[key]; ok && i < len(words)-1 {
			words[i] = full
		}
	}
	return words
}
