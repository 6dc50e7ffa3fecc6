package source

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/coopdigest/digest/russian"
)

// NameWarnings finds people and organizations that notes may name in two
// ways: two names that no registry entry (people.yaml, organizations.yaml)
// has, which differ by one letter («Андрей Воробьев», «Андрей Воробъев») or
// by initials («А. Ю. Воробьев», «Андрей Воробьев»), and such a name and a
// name or alias of an entry («Сергей Собянен», «Сергей Собянин»). Each
// warning names both spellings and a file of each, or the entry; a
// registry entry with both as names or aliases merges them. They are
// warnings, not problems: two people may have such names.
func NameWarnings(src *Site) []string {
	var out []string
	people := map[string]string{} // folded name -> the first place naming it
	orgs := map[string]string{}
	shown := map[string]string{} // folded -> as written first
	// where is the place a note names one, as messages give it.
	where := func(n *Note, at []Pos, i int) string {
		if i < len(at) {
			return fmt.Sprintf("%s:%d:%d", n.File, at[i].Line, at[i].Col)
		}
		return n.File
	}
	for _, n := range src.Notes {
		for i, p := range n.People {
			if src.People.Lookup(p.Name) == nil {
				noteName(people, shown, p.Name, where(n, n.PeoplePos, i))
			}
		}
		for i, o := range n.Organizations {
			if src.Organizations.Lookup(o) == nil {
				noteName(orgs, shown, o, where(n, n.OrgPos, i))
			}
		}
	}
	out = append(out, similar("people", people, registered(src.People, shown), shown)...)
	out = append(out, similar("organizations", orgs, registered(src.Organizations, shown), shown)...)
	return out
}

// registered returns the names and aliases of a registry's entries, folded,
// each with its entry's slug (slugs themselves are not names), and adds
// them to shown as the registry writes them.
func registered(reg *Taxonomy, shown map[string]string) map[string]string {
	out := map[string]string{}
	if reg == nil {
		return out
	}
	for _, e := range reg.Terms {
		for _, k := range append([]string{e.Name.Ru, e.Name.En, e.Name.Zh}, e.Aliases...) {
			if f := russian.Fold(k); f != "" {
				out[f] = e.Slug
				if _, ok := shown[f]; !ok {
					shown[f] = k
				}
			}
		}
	}
	return out
}

func noteName(names, shown map[string]string, name, file string) {
	f := russian.Fold(name)
	if f == "" {
		return
	}
	if _, ok := names[f]; !ok {
		names[f] = file
		shown[f] = name
	}
}

// similar returns the warnings about the names of one registry. The pairs
// to look at are found through two indexes, so that the work grows with
// the names and the pairs that are alike, not with the square of the
// names that share a word (an «ООО», a first name): names one letter apart
// share a name with one letter deleted (or are one), and a name with
// initials shares its last word and an initial with the first letter of a
// word of the other's.
func similar(kind string, names, entries, shown map[string]string) []string {
	oneOff := map[string][]string{}      // a name, and each with a letter deleted → names
	initials := map[[2]string][]string{} // last word, first letter of another → names
	words := make(map[string][]string, len(names)+len(entries))
	all := slices.Collect(maps.Keys(names))
	for f := range entries {
		if _, ok := names[f]; !ok {
			all = append(all, f)
		}
	}
	for _, f := range all {
		w := nameWords(f)
		words[f] = w
		if utf8.RuneCountInString(f) <= maxLetterCompared {
			for _, k := range deletions(f) {
				oneOff[k] = append(oneOff[k], f)
			}
		}
		if len(w) >= 2 {
			last := w[len(w)-1]
			for _, x := range w[:len(w)-1] {
				first, _ := utf8.DecodeRuneInString(x)
				k := [2]string{last, string(first)}
				if l := initials[k]; len(l) == 0 || l[len(l)-1] != f {
					initials[k] = append(initials[k], f)
				}
			}
		}
	}
	seen := map[[2]string]bool{}
	var out []string
	pair := func(a, b string) {
		if a == b {
			return
		}
		if b < a {
			a, b = b, a
		}
		k := [2]string{a, b}
		if seen[k] {
			return
		}
		seen[k] = true
		if !shareWord(words[a], words[b]) {
			return
		}
		_, aNoted := names[a]
		_, bNoted := names[b]
		if !aNoted && !bNoted {
			return // the registry's own names: it says whom they name
		}
		why := alike(a, b)
		switch {
		case why == "":
		case aNoted && bNoted:
			out = append(out, fmt.Sprintf("%s: %s %q and %s: %q %s; if they are one, give %s.yaml an entry with both as names or aliases",
				names[a], singular(kind), shown[a], names[b], shown[b], why, kind))
		default:
			if !aNoted {
				a, b = b, a
			}
			out = append(out, fmt.Sprintf("%s: %s %q and %s.yaml's %q (%s) %s; if they are one, add %q to the entry's aliases",
				names[a], singular(kind), shown[a], kind, shown[b], entries[b], why, shown[a]))
		}
	}
	for _, l := range oneOff {
		for i, a := range l {
			for _, b := range l[i+1:] {
				pair(a, b)
			}
		}
	}
	for f, w := range words {
		if len(w) < 2 {
			continue
		}
		for _, x := range w[:len(w)-1] {
			if utf8.RuneCountInString(x) == 1 {
				for _, g := range initials[[2]string{w[len(w)-1], x}] {
					pair(f, g)
				}
			}
		}
	}
	slices.SortFunc(out, cmp.Compare)
	return out
}

// maxLetterCompared is the longest name, in letters, compared with others
// letter by letter: each of its letters deleted makes a key as long as the
// name, so a longer one would cost the square of its length.
const maxLetterCompared = 100

// deletions returns s and s with each of its letters deleted in turn.
func deletions(s string) []string {
	out := []string{s}
	for i, r := range s {
		out = append(out, s[:i]+s[i+utf8.RuneLen(r):])
	}
	return out
}

// shareWord reports whether two names have a word of more than one letter
// in common: names with none are not taken for one (an initial shares too
// much).
func shareWord(a, b []string) bool {
	for _, w := range a {
		if utf8.RuneCountInString(w) > 1 && slices.Contains(b, w) {
			return true
		}
	}
	return false
}

func singular(kind string) string {
	if kind == "people" {
		return "the person"
	}
	return "the organization"
}

// alike tells how two folded names differ when they may be one: by one
// letter, or by initials; "" when they differ otherwise.
func alike(a, b string) string {
	if oneEdit(a, b) && !tellsApart(a, b) {
		return "differ by one letter"
	}
	wa, wb := nameWords(a), nameWords(b)
	if initialsMatch(wa, wb) || initialsMatch(wb, wa) {
		return "differ by initials"
	}
	return ""
}

// oneEdit reports whether b is a with one letter changed, added or taken
// away.
func oneEdit(a, b string) bool {
	if utf8.RuneCountInString(a) > utf8.RuneCountInString(b) {
		a, b = b, a
	}
	// a is now no longer than b: skip their common start and end.
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			break
		}
		a, b = a[na:], b[nb:]
	}
	for a != "" && b != "" {
		ra, na := utf8.DecodeLastRuneInString(a)
		rb, nb := utf8.DecodeLastRuneInString(b)
		if ra != rb {
			break
		}
		a, b = a[:len(a)-na], b[:len(b)-nb]
	}
	la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	return lb == 1 && la <= 1
}

// tellsApart reports whether the letter two names one letter apart differ
// by is one that makes another name rather than a slip of the keys: the
// first letter of a word, which a writer checks, or any letter of a word of
// three letters or fewer, as the syllables of Chinese names are written in
// Russian («Дэн Вэй» and «Фэн Вэй», «Лу Вэнь» and «Лю Вэнь» are four
// people), or any letter but a soft sign of a word in Palladius's
// syllables in both names. On a site of Chinese partners, a warning for
// each such pair would bury the few that are misspellings.
func tellsApart(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a // a holds the letter, when one was added or taken away
	}
	at := 0 // where a and b begin to differ
	for at < len(b) && a[at] == b[at] {
		at++
	}
	for at > 0 && !utf8.RuneStart(a[at]) {
		at-- // back to the start of the letter
	}
	r, _ := utf8.DecodeRuneInString(a[at:])
	if isNameSeparator(r) {
		return false // a space, or a dot: not a letter of a word
	}
	start := strings.LastIndexFunc(a[:at], isNameSeparator) + 1
	word := func(s string) string { // the word of s from start
		if i := strings.IndexFunc(s[start:], isNameSeparator); i >= 0 {
			return s[start : start+i]
		}
		return s[start:]
	}
	// A syllable of a Chinese word changed is another character, another
	// name («Цзинь Яньган», «Цзинь Яньфан»; «провинции Хубэй», «провинции
	// Хэбэй»), but for a soft sign, the commonest slip in them («Чэн Мэй»,
	// «Чэнь Мэй»).
	if r != 'ь' && russian.Syllables(word(a)) != nil && russian.Syllables(word(b)) != nil {
		return true
	}
	return at == start || utf8.RuneCountInString(word(a)) <= 3
}

// nameWords splits a folded name into words, initials with their dots
// taken off: «а. ю. воробьев» → [а ю воробьев].
func nameWords(f string) []string {
	return strings.FieldsFunc(f, isNameSeparator)
}

// isNameSeparator reports whether r separates the words of a name.
func isNameSeparator(r rune) bool { return unicode.IsSpace(r) || r == '.' || r == ',' }

// initialsMatch reports whether short, a name with initials, is long with
// its given names cut to their first letters: the same last word, and each
// word before it the first letter of a word of long, in order, or a whole
// word of long; an initial long lacks (a patronymic's) is let be, but at
// least one must be long's.
func initialsMatch(short, long []string) bool {
	if len(short) < 2 || len(long) < 2 || short[len(short)-1] != long[len(long)-1] {
		return false
	}
	matched, j := 0, 0
	for _, w := range short[:len(short)-1] {
		initial := utf8.RuneCountInString(w) == 1
		k := j
		for k < len(long)-1 && !(long[k] == w || initial && strings.HasPrefix(long[k], w)) {
			k++
		}
		switch {
		case k < len(long)-1:
			if initial && long[k] != w {
				matched++
			}
			j = k + 1
		case !initial:
			return false
		}
	}
	return matched > 0
}
