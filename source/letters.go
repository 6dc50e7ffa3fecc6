package source

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/coopdigest/digest/russian"
)

// ScriptWarnings lists the words of the notes that mix Latin and Cyrillic
// letters that look alike, where they are: the site is fine with them,
// which search and names read in one script, but a reader who copies such
// a word, or hears it from a screen reader, is not. At most
// maxMixedWarnings for a note, the last one counting the others.
func ScriptWarnings(src *Site) []string {
	var out []string
	for _, n := range src.Notes {
		for i, w := range n.mixed {
			msg := w.warning(n.File)
			if i == len(n.mixed)-1 && n.moreMixed > 0 {
				msg += fmt.Sprintf(" (and %d more such words in this note)", n.moreMixed)
			}
			out = append(out, msg)
		}
	}
	return out
}

// mixedWord is a word of a note that mixes letters of two scripts that
// look alike, for a warning (ScriptWarnings).
type mixedWord struct {
	Pos
	word, as string // as written, and in one script
}

// maxMixedWarnings is how many such words of one note are warned of; the
// last warning counts the others.
const maxMixedWarnings = 5

// mixedIn lists the words of a note's file data that mix scripts, with
// their places; at most maxMixedWarnings, and how many more there are.
func mixedIn(data []byte) (words []mixedWord, more int) {
	russian.MixedWords(data, func(i, j int, w string) {
		if len(words) == maxMixedWarnings {
			more++
			return
		}
		line, col := lineCol(data, i)
		words = append(words, mixedWord{Pos{line, col}, string(data[i:j]), w})
	})
	return words, more
}

// warning describes w in the note file.
func (w mixedWord) warning(file string) string {
	// The letters that are not of the word's script, as written.
	var odd []string
	script := "Cyrillic"
	as := []rune(w.as)
	for k, r := range []rune(w.word) {
		if k < len(as) && as[k] != r && !slices.Contains(odd, string(r)) {
			odd = append(odd, string(r))
			if r < utf8.RuneSelf {
				script = "Latin"
			}
		}
	}
	other := map[string]string{"Latin": "Cyrillic", "Cyrillic": "Latin"}[script]
	letters := "letter"
	if len(odd) > 1 {
		letters = "letters"
	}
	return fmt.Sprintf("%s:%d:%d: %q has the %s %s %s among %s ones, which look alike: search reads it as %q, "+
		"but a copy of it, or a screen reader, does not; write it in one script",
		file, w.Line, w.Col, w.word, script, letters, strings.Join(odd, ", "), other, w.as)
}
