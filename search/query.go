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
}

// Empty reports whether the text asks for nothing: no word or phrase must
// match and none is excluded.
func (t Text) Empty() bool {
	return len(t.Words)+len(t.Phrases)+len(t.ExcludedWords)+len(t.ExcludedPhrases) == 0
}

// ParseText takes a reader's query apart: words separated by spaces,
// "quoted phrases" (a missing closing quote ends the phrase at the end of
// the text), and -word or -"phrase" to exclude. Nothing else is syntax: any
// other character is part of a word, and what the analyzer does not keep
// (punctuation, stop words) is dropped later. ParseText never fails.
// Typographic quotes «», “” and „“ count as quotes.
func ParseText(s string) Text {
	var t Text
	s = strings.ToValidUTF8(s, " ")
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		if unicode.IsSpace(r) {
			s = s[size:]
			continue
		}
		exclude := false
		if r == '-' && len(s) > size {
			if next, _ := utf8.DecodeRuneInString(s[size:]); !unicode.IsSpace(next) {
				exclude = true
				s = s[size:]
				r, size = utf8.DecodeRuneInString(s)
			}
		}
		if isQuote(r) {
			s = s[size:]
			end := strings.IndexFunc(s, isQuote)
			phrase := s
			if end < 0 {
				s = ""
			} else {
				phrase = s[:end]
				_, qsize := utf8.DecodeRuneInString(s[end:])
				s = s[end+qsize:]
			}
			phrase = strings.Join(strings.Fields(phrase), " ")
			switch {
			case phrase == "":
			case exclude:
				t.ExcludedPhrases = append(t.ExcludedPhrases, phrase)
			default:
				t.Phrases = append(t.Phrases, phrase)
			}
			continue
		}
		// A word runs to the next space or quote.
		end := strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || isQuote(r) })
		if end < 0 {
			end = len(s)
		}
		word := s[:end]
		s = s[end:]
		if exclude {
			t.ExcludedWords = append(t.ExcludedWords, word)
		} else {
			t.Words = append(t.Words, word)
		}
	}
	return t
}

func isQuote(r rune) bool {
	switch r {
	case '"', '«', '»', '“', '”', '„':
		return true
	}
	return false
}
