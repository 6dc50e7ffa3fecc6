package russian

import (
	"strings"
	"unicode/utf8"
)

// A word's forms the Snowball stemmer (bleve's stemmer_ru_snowball) cuts
// apart: a search for one finds the others when it looks for their stems
// too.

// Forms returns the forms of a word, lower case with ё as е, whose
// Snowball stem is stem, made from what may be its nominative, as a noun
// of one of three kinds whose forms the stemmer cuts apart:
//   - nouns in -ай and -ей, some of whose endings the stemmer takes for an
//     adjective's («Китай», «Китае» кита; «Китая» кит; «музей», «музее» муз;
//     «музея», «музеем» музе);
//   - nouns and surnames that end in a consonant, whose nominative the
//     stemmer takes for another form («Абрамов» абрам, «Абрамова» абрамов;
//     «Хэйлунцзян» хэйлунцзя, «Хэйлунцзяне» хэйлунцзян);
//   - nouns in -мя («время» врем, «времени» времен).
func Forms(word, stem string) []string {
	var forms []string
	decline := func(base string, endings []string) { forms = append(forms, withEndings(base, endings)...) }
	lastOf := func(s string) rune {
		r, _ := utf8.DecodeLastRuneInString(s)
		return r
	}
	if strings.HasSuffix(stem, "а") || strings.HasSuffix(stem, "е") {
		decline(stem, yEndings) // «Китаю»: кита; «Китай»
	}
	forms = append(forms, yDeclined(word)...) // «музей»
	for _, end := range []string{"ая", "ея", "ае", "ее"} {
		if strings.HasSuffix(word, end) {
			_, size := utf8.DecodeLastRuneInString(word)
			decline(word[:len(word)-size], yEndings) // «музее»: муз; «музей»
		}
	}
	forms = append(forms, hardDeclined(word)...) // «Абрамов»: абрам; «Абрамова»
	if stem != word && isConsonant(lastOf(stem)) {
		decline(stem, hardEndings) // «Абрамовым»: абрамов; «Абрамов»
	}
	if base, ok := strings.CutSuffix(word, "мя"); ok {
		decline(base+"м", myaEndings) // «время»: врем; «времени»
	}
	for _, end := range []string{"мени", "менем", "мена"} {
		if base, ok := strings.CutSuffix(word, end); ok {
			decline(base+"м", myaEndings) // «времени»: времен; «время»
		}
	}
	return forms
}

// Declined returns the forms of a name in the nominative, lower case with ё
// as е, of the two kinds Forms knows from the nominative: a name in -ай,
// -ей or -яй («Шанхай» шанха; «Шанхая» шанх) and one that ends in a
// consonant («Хэйлунцзян» хэйлунцзя; «Хэйлунцзяне» хэйлунцзян). Not Forms
// of its stem, which is no nominative: «Коми» ком is not «кома».
func Declined(name string) []string { return append(yDeclined(name), hardDeclined(name)...) }

// yDeclined is the forms of a name in -ай, -ей or -яй (Declined).
func yDeclined(name string) []string {
	base, ok := strings.CutSuffix(name, "й")
	if r, _ := utf8.DecodeLastRuneInString(base); !ok || r != 'а' && r != 'е' && r != 'я' {
		return nil
	}
	return withEndings(base, yEndings)
}

// hardDeclined is the forms of a name that ends in a consonant (Declined).
func hardDeclined(name string) []string {
	if last, _ := utf8.DecodeLastRuneInString(name); !isConsonant(last) {
		return nil
	}
	return withEndings(name, hardEndings)
}

// withEndings is base with each of endings.
func withEndings(base string, endings []string) []string {
	forms := make([]string, len(endings))
	for i, e := range endings {
		forms[i] = base + e
	}
	return forms
}

// FleetingVowel returns a Snowball stem with the vowel that comes and goes
// before a final к, н, л, ц or р taken out, or put in («выставка»
// выставк, «выставок» выставок; «уровень» уровен, «уровня» уровн; «отец»,
// «отца» отц): the stems of the word's other forms, or of another word.
func FleetingVowel(stem string) []string {
	t := []rune(stem)
	n := len(t)
	if n < 3 || !strings.ContainsRune("кнлцр", t[n-1]) {
		return nil
	}
	switch {
	case isConsonant(t[n-2]):
		return []string{string(t[:n-1]) + "о" + string(t[n-1]), string(t[:n-1]) + "е" + string(t[n-1])}
	case (t[n-2] == 'о' || t[n-2] == 'е') && isConsonant(t[n-3]):
		return []string{string(t[:n-2]) + string(t[n-1])}
	}
	return nil
}

// Adjectives returns the Snowball stems of the adjectives that a noun
// (lower case, ё as е) of Snowball stem stem may make with -ск- or, of a
// noun in -ика, -ическ-: «побратим» побратимск, «Харбин» харбинск, «Урал»
// уральск, «Китай» (кита) китайск, «Россия» (росси) российск, «Цзилинь»
// цзилиньск, «экономика» (экономик) экономическ: the notes' «побратимских
// связей» are what a reader of «побратимы» looks for. A stem under four
// letters makes none, lest «куры» find Курск; nor does one in other
// letters than Russian.
func Adjectives(word, stem string) []string {
	t := []rune(stem)
	n := len(t)
	if n < 4 || !isRussianLetter(t[n-1]) {
		return nil
	}
	var adj []string
	switch {
	case string(t[n-2:]) == "ик":
		adj = []string{string(t[:n-1]) + "ческ"}
	case isConsonant(t[n-1]):
		adj = []string{stem + "ск", stem + "ьск"}
	default:
		adj = []string{stem + "йск", stem + "ск"}
	}
	// A name the stemmer cuts short: «хэйлунцзян» (хэйлунцзя), «цзилинь».
	if last, _ := utf8.DecodeLastRuneInString(word); word != stem && strings.HasPrefix(word, stem) &&
		(last == 'ь' || isConsonant(last)) {
		adj = append(adj, word+"ск")
	}
	return adj
}

func isRussianLetter(r rune) bool { return r >= 'а' && r <= 'я' }

// The endings of a noun's cases, singular and plural: of a noun in -й
// (музей, Китай) after the й is taken off, of one that ends in a consonant
// (with a surname's instrumental, -ым), and of one in -мя after the я.
var (
	yEndings    = []string{"й", "я", "ю", "е", "ем", "и", "ев", "ям", "ями", "ях"}
	hardEndings = []string{"", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах", "ым"}
	myaEndings  = []string{"я", "ени", "енем", "ена", "ен", "енам", "енами", "енах"}
)

func isConsonant(r rune) bool {
	return strings.ContainsRune("бвгджзклмнпрстфхцчшщ", r)
}
