package russian

import "strings"

// abbreviations are the short forms of the words of regions' names that
// readers type: «Амурская обл.», «респ. Бурятия», «пров. Хэйлунцзян».
var abbreviations = map[string]string{
	"обл": "область", "кр": "край", "респ": "республика", "пров": "провинция", "р-н": "район",
}

// Unabbreviated returns the word that w, with or without its full stop and
// in any case, abbreviates (abbreviations), or w when it is none.
func Unabbreviated(w string) string {
	if full, ok := abbreviations[strings.ToLower(strings.TrimSuffix(w, "."))]; ok {
		return full
	}
	return w
}
