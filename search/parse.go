package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text is a reader's query taken apart. Every word and every phrase must
// match; a note that matches an excluded word or phrase is left out.
type Text struct {
	Words           []string
	Phrases         []string
	ExcludedWords   []string
	ExcludedPhrases []string
	// Alternatives are the words and phrases joined by OR or ИЛИ («Харбин
	// OR Пекин»), a group each, of which one must match. They are in none
	// of the lists above.
	Alternatives [][]Alternative
}

// Alternative is a word or a phrase of a group of Text.Alternatives.
type Alternative struct {
	Text   string
	Phrase bool
}

// ParseText takes a reader's query apart: words separated by spaces,
// "quoted phrases" (a missing closing quote ends the phrase at the end of
// the text; «», “” and „“ count as quotes), -word or -"phrase", or NOT
// or НЕ before either, to exclude, and OR or ИЛИ between two words or phrases
// that must match, for either. Nothing else is syntax: any other character
// is part of a word, and what the analyzer does not keep (punctuation,
// stop words) is dropped later. Full-width letters, digits and signs, as
// Chinese keyboards type them, are read as ASCII ones. ParseText never
// fails.
func ParseText(s string) Text {
	var t Text
	var last Alternative // the word or phrase before, which must match
	grouped := false     // and it is in the last group of alternatives
	scanText(narrow(strings.ToValidUTF8(s, " ")), func(it item) {
		a := Alternative{Text: it.text, Phrase: it.phrase}
		switch {
		case it.or && grouped:
			g := &t.Alternatives[len(t.Alternatives)-1]
			*g = append(*g, a)
		case it.or: // the word or phrase before leaves its list for a group
			if last.Phrase {
				t.Phrases = t.Phrases[:len(t.Phrases)-1]
			} else {
				t.Words = t.Words[:len(t.Words)-1]
			}
			t.Alternatives = append(t.Alternatives, []Alternative{last, a})
			grouped = true
		case it.phrase && it.exclude:
			t.ExcludedPhrases = append(t.ExcludedPhrases, it.text)
		case it.exclude:
			t.ExcludedWords = append(t.ExcludedWords, it.text)
		case it.phrase:
			t.Phrases, grouped = append(t.Phrases, it.text), false
		default:
			t.Words, grouped = append(t.Words, it.text), false
		}
		last = a
	})
	// A list whose items all went to groups is none.
	if len(t.Words) == 0 {
		t.Words = nil
	}
	if len(t.Phrases) == 0 {
		t.Phrases = nil
	}
	return t
}

// narrow writes the full-width forms of ASCII (U+FF01–U+FF5E) and the
// ideographic space as ASCII: the analyzer folds full-width letters too
// (cjk_width), but the names of the site's registries and the dates a
// reader types are looked up as written («ＨＡＲＢＩＮ», «１６．０３．２０２５»).
func narrow(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case '\uFF01' <= r && r <= '\uFF5E':
			return r - 0xFEE0
		case r == '\u3000':
			return ' '
		}
		return r
	}, s)
}

// MapWords returns s, valid UTF-8, with each word that must match, as
// ParseText takes them apart, replaced by what fn returns for it, and the
// rest as it is: the phrases, the excluded words, the spaces.
func MapWords(s string, fn func(word string) string) string {
	var b strings.Builder
	at := 0
	scanText(s, func(it item) {
		if !it.phrase && !it.exclude {
			b.WriteString(s[at:it.start])
			b.WriteString(fn(it.text))
			at = it.end
		}
	})
	b.WriteString(s[at:])
	return b.String()
}

// item is a word or a phrase of a reader's text (see scanText).
type item struct {
	// text is the word, or the phrase inside its quotes with every run of
	// white space one space.
	text                string
	phrase, exclude, or bool // or: joined by OR to the item before
	start, end          int  // the bytes of the text it takes up
}

// scanText calls fn with each word and phrase of s, which is valid UTF-8,
// as ParseText takes them apart; an empty phrase is none. An OR or ИЛИ is
// no word when it stands between two items that must match.
func scanText(s string, fn func(item)) {
	not := false      // the word before was NOT
	or := false       // the word before was OR
	included := false // the item before must match
	emit := func(it item) {
		it.or, or, included = or && !it.exclude, false, !it.exclude
		fn(it)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		start, exclude := i, not
		not = false
		if isMinus(r) && len(s) > i+size {
			if next, _ := utf8.DecodeRuneInString(s[i+size:]); !unicode.IsSpace(next) {
				exclude = true
				i += size
				r, size = utf8.DecodeRuneInString(s[i:])
			}
		}
		if isQuote(r) {
			i += size
			end := strings.IndexFunc(s[i:], isQuote)
			phrase := s[i:]
			if end < 0 {
				i = len(s)
			} else {
				phrase = s[i : i+end]
				_, qsize := utf8.DecodeRuneInString(s[i+end:])
				i += end + qsize
			}
			if phrase = strings.Join(strings.Fields(phrase), " "); phrase != "" {
				emit(item{text: phrase, phrase: true, exclude: exclude, start: start, end: i})
			}
			continue
		}
		// A word runs to the next space or quote.
		end := strings.IndexFunc(s[i:], func(r rune) bool { return unicode.IsSpace(r) || isQuote(r) })
		if end < 0 {
			end = len(s) - i
		}
		more := strings.TrimSpace(s[i+end:]) != ""
		switch w := s[i : i+end]; {
		// A text in capitals is a title pasted, whose «НЕ» is a word
		// («ВЫСТАВКА НЕ СОСТОИТСЯ»).
		case (w == "NOT" || w == "НЕ" && strings.ToUpper(s) != s) && !exclude && more:
			not = true // NOT x, as search engines write -x
		case (w == "OR" || w == "ИЛИ") && !exclude && more && included && !or:
			or = true
		default:
			emit(item{text: w, exclude: exclude, start: start, end: i + end})
		}
		i += end
	}
}

// isMinus reports whether r excludes the word it starts: a hyphen-minus,
// or the dashes and minus sign that keyboards and autocorrection put in
// its place (–, —, −).
func isMinus(r rune) bool { return strings.ContainsRune("-–—−", r) }

func isQuote(r rune) bool { return strings.ContainsRune(`"«»“”„`, r) }
