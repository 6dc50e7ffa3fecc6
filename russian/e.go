package russian

import "strings"

// maxEs is how many of a word's е and э OtherEs changes, the first ones:
// 2^maxEs-1 spellings at most.
const maxEs = 4

// OtherEs returns the spellings of a word, lower case, with some of its е
// after a consonant written э, and its э after a consonant е: Russian
// texts write foreign names with э (Хэбэй, Тайбэй, Хуавэй), and readers
// type е as often (Хебей, Тайбей, Хуавей), or the other way round. None
// for a word that has neither after a consonant.
func OtherEs(w string) []string {
	runes := []rune(w)
	var at []int // the е and э after a consonant
	for i := 1; i < len(runes) && len(at) < maxEs; i++ {
		if (runes[i] == 'е' || runes[i] == 'э') && strings.ContainsRune(consonants, runes[i-1]) {
			at = append(at, i)
		}
	}
	var out []string
	for set := 1; set < 1<<len(at); set++ {
		spelt := []rune(w)
		for k, i := range at {
			if set&(1<<k) != 0 {
				spelt[i] = 'е' + 'э' - spelt[i]
			}
		}
		out = append(out, string(spelt))
	}
	return out
}

// consonants are the Russian consonants, lower case.
const consonants = "бвгджзйклмнпрстфхцчшщ"
