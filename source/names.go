package source

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NameWarnings finds people and organizations that notes may name in two
// ways: two names that no registry entry (people.yaml, organizations.yaml)
// has, which differ by one letter («Андрей Воробьев», «Андрей Воробъев») or
// by initials («А. Ю. Воробьев», «Андрей Воробьев»). Each warning names both
// spellings and a file of each; a registry entry with both as names or
// aliases merges them. They are warnings, not problems: two people may
// have such names.
//
// Names are compared in blocks that share a word, so that the work grows
// with the number of names, not its square.
func NameWarnings(src *Site) []string {
	var out []string
	people := map[string]string{} // folded name -> the first file naming it
	orgs := map[string]string{}
	shown := map[string]string{} // folded -> as written first
	for _, n := range src.Notes {
		for _, p := range n.People {
			if src.People.Lookup(p.Name) == nil {
				noteName(people, shown, p.Name, n.File)
			}
		}
		for _, o := range n.Organizations {
			if src.Organizations.Lookup(o) == nil {
				noteName(orgs, shown, o, n.File)
			}
		}
	}
	out = append(out, similar("people", people, shown)...)
	out = append(out, similar("organizations", orgs, shown)...)
	return out
}

func noteName(names, shown map[string]string, name, file string) {
	f := Fold(name)
	if f == "" {
		return
	}
	if _, ok := names[f]; !ok {
		names[f] = file
		shown[f] = name
	}
}

// similar returns the warnings about the names of one registry.
func similar(kind string, names, shown map[string]string) []string {
	blocks := map[string][]string{}
	for f := range names {
		words := nameWords(f)
		for _, w := range words {
			if utf8.RuneCountInString(w) > 1 { // an initial shares too much
				blocks[w] = append(blocks[w], f)
			}
		}
	}
	seen := map[[2]string]bool{}
	var out []string
	for _, block := range blocks {
		slices.Sort(block)
		for i, a := range block {
			for _, b := range block[i+1:] {
				k := [2]string{a, b}
				if seen[k] {
					continue
				}
				seen[k] = true
				if why := alike(a, b); why != "" {
					out = append(out, fmt.Sprintf("%s: %s %q and %s: %q %s; if they are one, give %s.yaml an entry with both as names or aliases",
						names[a], singular(kind), shown[a], names[b], shown[b], why, kind))
				}
			}
		}
	}
	slices.SortFunc(out, cmp.Compare)
	return out
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
	if distance(a, b) == 1 {
		return "differ by one letter"
	}
	wa, wb := nameWords(a), nameWords(b)
	if initialsMatch(wa, wb) || initialsMatch(wb, wa) {
		return "differ by initials"
	}
	return ""
}

// nameWords splits a folded name into words, initials with their dots
// taken off: «а. ю. воробьев» → [а ю воробьев].
func nameWords(f string) []string {
	return strings.FieldsFunc(f, func(r rune) bool { return unicode.IsSpace(r) || r == '.' || r == ',' })
}

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
