package russian

import "strings"

// Cyrillic is the other way of Latin: the Russian spellings a word in
// Latin letters, lower case, may stand for, as English texts write Russian
// names («demeshin»: демешин, демэшин, …; «harbin»: харбин; «fyodor»:
// фёдор), so that a reader's «Demeshin» finds the notes that write
// «Демешина». A letter English texts write for several Russian ones gives
// each (e: е or э; y: ы, й or и; i: и or й; c: к or ц), groups of letters
// theirs (kh: х, shch: щ, ya: я, ts: ц or тс); most of the spellings are no
// words, which a search keeps out by looking them up. At most
// MaxCyrillic, the likeliest first; none for a word of other letters, or
// of fewer than four or more than 24.
func Cyrillic(w string) []string {
	if len(w) < 4 || len(w) > 24 || strings.ContainsFunc(w, func(r rune) bool { return r < 'a' || r > 'z' }) {
		return nil
	}
	var out []string
	var spell func(done, rest string)
	spell = func(done, rest string) {
		if len(out) == MaxCyrillic {
			return
		}
		if rest == "" {
			out = append(out, done)
			return
		}
		for _, g := range cyrillicLetters {
			if after, ok := strings.CutPrefix(rest, g.latin); ok {
				for _, c := range g.cyrillic {
					spell(done+c, after)
				}
				return // the longest group only
			}
		}
	}
	spell("", w)
	return out
}

// MaxCyrillic is the most spellings Cyrillic gives a word.
const MaxCyrillic = 32

// cyrillicLetters are the Russian letters of each group of Latin letters in
// the spellings Latin writes, and of the Latin letters English texts write
// otherwise (h, w, j, q), longer groups first; the likeliest letter first.
// Latin drops the soft sign: l may be ль («Komsomolsk», «Olga»), and ya,
// yu and ye ья, ью and ье («Tatyana», «Ilyushin»).
var cyrillicLetters = []struct {
	latin    string
	cyrillic []string
}{
	{"shch", []string{"щ"}},
	{"zh", []string{"ж"}}, {"kh", []string{"х"}}, {"ts", []string{"ц", "тс"}}, {"ch", []string{"ч"}},
	{"sh", []string{"ш"}}, {"yu", []string{"ю", "ью"}}, {"ya", []string{"я", "ья"}}, {"yo", []string{"ё"}},
	{"ye", []string{"е", "ье"}}, {"ia", []string{"ия"}}, {"iy", []string{"ий"}}, {"x", []string{"кс"}},
	{"a", []string{"а"}}, {"b", []string{"б"}}, {"c", []string{"к", "ц"}}, {"d", []string{"д"}},
	{"e", []string{"е", "э"}}, {"f", []string{"ф"}}, {"g", []string{"г"}}, {"h", []string{"х"}},
	{"i", []string{"и", "й"}}, {"j", []string{"дж", "й"}}, {"k", []string{"к"}}, {"l", []string{"л", "ль"}},
	{"m", []string{"м"}}, {"n", []string{"н"}}, {"o", []string{"о"}}, {"p", []string{"п"}},
	{"q", []string{"к"}}, {"r", []string{"р"}}, {"s", []string{"с"}}, {"t", []string{"т"}},
	{"u", []string{"у"}}, {"v", []string{"в"}}, {"w", []string{"в"}}, {"y", []string{"ы", "й", "и"}},
	{"z", []string{"з"}},
}
