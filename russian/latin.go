package russian

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Russian names are written in English texts in Latin letters by one system
// or another: «Фёдор» is Fyodor or Fedor, «Дмитрий» Dmitriy, Dmitry or
// Dmitri, «Екатерина» Yekaterina or Ekaterina. Latin writes a name in the
// spellings English texts use most, so that a search for one finds the
// notes that write the name in Russian. Written here: gosimple/slug, which
// slugs use, gives one spelling («novost-dnia»), and iuliia-go, made for
// this, is refused by the module proxy.

// latinLetters gives the Latin letters of each Russian letter, lower case,
// where both spellings agree.
var latinLetters = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'ж': "zh", 'з': "z", 'и': "i", 'к': "k",
	'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "",
	'э': "e", 'ю': "yu", 'я': "ya",
}

// withYo are given names whose е is ё, which most texts write as е
// («Федор», «Петр»): the spelling with y writes them as English texts do
// («fyodor», «pyotr»).
var withYo = map[string]string{
	"федор": "фёдор", "петр": "пётр", "семен": "семён", "артем": "артём", "алена": "алёна",
	"парфен": "парфён", "федорович": "фёдорович", "федоровна": "фёдоровна",
}

// LatinSpellings is the most spellings Latin gives a name.
const LatinSpellings = 3

// Latin returns a name written in Russian letters («Фёдор Лазарев») in
// Latin letters, lower case, in the spellings English texts use most:
//   - with y for the sound of й, as in BGN/PCGN: е and ё as ye and yo at the
//     start of a word and after a vowel or a soft sign, ё as yo after most
//     consonants, й as y («yekaterina», «fyodor», «sergey», «dmitriy»);
//   - with e and i, as in the press and older passports: е and ё as e, й as
//     i, кс as x, a word's end ий or ый as y and ия as ia («ekaterina»,
//     «fedor», «sergei», «dmitry», «maria», «alexei»);
//   - that, with a word's end ий as i («dmitri»), where a word ends so.
//
// Spellings alike are given once. It returns nil for a name with a letter
// that is not Russian (Latin, Chinese, Ukrainian's і), or with none.
// Letters read as Unmixed and Fold read them.
func Latin(name string) []string {
	var words []string
	for _, w := range strings.Fields(Unmixed(norm.NFC.String(name))) {
		w = strings.Map(func(r rune) rune {
			if Invisible(r) || unicode.Is(unicode.Mn, r) {
				return -1 // stress marks and characters of no width
			}
			return unicode.ToLower(r)
		}, w)
		words = append(words, w)
	}
	letters := false
	for _, w := range words {
		for _, r := range w {
			if !unicode.IsLetter(r) {
				continue
			}
			if _, ok := latinLetters[r]; !ok && r != 'е' && r != 'ё' && r != 'й' {
				return nil
			}
			letters = true
		}
	}
	if !letters {
		return nil
	}
	var out []string
	for _, spell := range []func(string) string{latinY, latinE, latinI} {
		forms := make([]string, len(words))
		for i, w := range words {
			forms[i] = spell(w)
		}
		if s := strings.Join(forms, " "); !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// latinY writes a word with y for the sound of й (see Latin).
func latinY(w string) string {
	if yo, ok := withYo[w]; ok {
		w = yo
	}
	var b strings.Builder
	prev := rune(0) // the previous letter, or 0 at the start of a word
	for _, r := range w {
		iotated := prev == 0 || isRussianVowel(prev) || prev == 'ь' || prev == 'ъ'
		switch {
		case r == 'е' && iotated:
			b.WriteString("ye")
		case r == 'е':
			b.WriteString("e")
		case r == 'ё' && strings.ContainsRune("жчшщ", prev):
			b.WriteString("o") // «Хрущёв»: khrushchov
		case r == 'ё':
			b.WriteString("yo")
		case r == 'й':
			b.WriteString("y")
		case (r == 'и' || r == 'о') && prev == 'ь':
			b.WriteString("y") // «Ильин»: ilyin
			b.WriteString(latinLetters[r])
		default:
			writeLatin(&b, r)
		}
		prev = letterOrZero(r)
	}
	return b.String()
}

// latinE writes a word with e and i (see Latin). A town on a river is
// written as English texts write it, the river named as it is, not as
// «на» declines it: «Ростов-на-Дону» is rostov-on-don, «Комсомольск-на-
// Амуре» komsomolsk-on-amur.
func latinE(w string) string {
	if town, river, ok := strings.Cut(w, "-на-"); ok && town != "" && river != "" {
		return latinE(town) + "-on-" + latinE(riverName(river))
	}
	var b strings.Builder
	for _, end := range []struct{ ru, latin string }{{"ий", "y"}, {"ый", "y"}, {"ия", "ia"}} {
		if stem, ok := strings.CutSuffix(w, end.ru); ok && stem != "" {
			return latinE(stem) + end.latin
		}
	}
	w = strings.ReplaceAll(w, "кс", "x")
	for _, r := range w {
		switch r {
		case 'е', 'ё':
			b.WriteString("e")
		case 'й':
			b.WriteString("i")
		default:
			writeLatin(&b, r)
		}
	}
	return b.String()
}

// riverName is the name of a river as «на» declines it in a town's name
// (Дону, Амуре, Кубани, Волге) as it is named (Дон, Амур, Кубань, Волга).
func riverName(w string) string {
	if strings.HasSuffix(w, "ге") || strings.HasSuffix(w, "ке") {
		return strings.TrimSuffix(w, "е") + "а" // Волге, Оке
	}
	if stem, ok := strings.CutSuffix(w, "и"); ok {
		return stem + "ь" // Кубани
	}
	for _, end := range []string{"е", "у"} {
		if stem, ok := strings.CutSuffix(w, end); ok {
			return stem // Амуре, Дону
		}
	}
	return w
}

// latinI is latinE with a word's end ий as i.
func latinI(w string) string {
	if stem, ok := strings.CutSuffix(w, "ий"); ok && stem != "" {
		return latinE(stem) + "i"
	}
	return latinE(w)
}

// writeLatin writes the Latin letters of r, or r itself when it is no
// Russian letter (a hyphen, a digit, x of latinE).
func writeLatin(b *strings.Builder, r rune) {
	if l, ok := latinLetters[r]; ok {
		b.WriteString(l)
	} else {
		b.WriteRune(r)
	}
}

func isRussianVowel(r rune) bool { return strings.ContainsRune("аеёиоуыэюя", r) }

// letterOrZero is r when it is a letter, else 0: a word after a hyphen
// starts anew («Мамед-Ёров»).
func letterOrZero(r rune) rune {
	if unicode.IsLetter(r) {
		return r
	}
	return 0
}
