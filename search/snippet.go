package search

import (
	"cmp"
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	bsearch "github.com/blevesearch/bleve/v2/search"
)

// A hit's snippet is cut from its stored text at the places of the matches
// (DocumentMatch.Locations): bleve's HTML highlighter cost many times as
// much, and cut inside words (docs/BENCHMARKS.md).

const (
	// snippetRunes is about how many letters a snippet shows, as many as
	// the highlighter's fragments had.
	snippetRunes = 200
	// maxWordEnd is how many letters of a word that a match is part of
	// a snippet takes in past its end, to show the word whole.
	maxWordEnd = 30
	// maxLead is how many letters of the text's start a snippet that
	// would begin just after them takes in.
	maxLead = 60
	// maxAnchors is how many of a text's matches a snippet is tried from:
	// the best window of the first ones, so that a word a note repeats a
	// thousand times costs no more than a few.
	maxAnchors = 64
)

// cut is what a snippet has where it was cut from its text.
const cut = "…"

// match is the place of a matched term in a text.
type match struct {
	start, end int // bytes of the text
	term       int // which of the text's matched terms
}

// matchesOf lists the places in text of the terms locs has, in order. A
// place that does not fall on the text's letters (none should) is left
// out; terms counts the terms.
func matchesOf(locs bsearch.TermLocationMap, text string) (ms []match, terms int) {
	for _, ls := range locs {
		for _, l := range ls {
			s, e := int(l.Start), int(l.End)
			if s >= e || e > len(text) || !utf8.RuneStart(text[s]) || e < len(text) && !utf8.RuneStart(text[e]) {
				continue
			}
			ms = append(ms, match{s, e, terms})
		}
		terms++
	}
	slices.SortFunc(ms, func(a, b match) int { return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(b.end, a.end)) })
	return ms, terms
}

// snippet is HTML: the part of text where the most different terms of
// locs, the places of its matches, are near each other, about snippetRunes
// letters with those matches in the middle, every match it shows in
// <mark>, the rest escaped, every run of white space one space. It begins
// and ends at whole words, with cut where it cut the text; it begins at the
// text's start when that is at most maxLead letters before. Without matches
// it is the text's start.
func snippet(text string, locs bsearch.TermLocationMap) string {
	return cutSnippet(text, locs, snippetWriter{})
}

// bodySnippet is the snippet of a body, a block of the note a line (see
// build's plainText): a line that ends without a stop gets a full stop, so
// that a heading or a table's cell does not run into the sentence after
// it.
func bodySnippet(body string, locs bsearch.TermLocationMap) string {
	return cutSnippet(body, locs, snippetWriter{lines: true})
}

// cutSnippet is snippet, written by w.
func cutSnippet(text string, locs bsearch.TermLocationMap, w snippetWriter) string {
	ms, terms := matchesOf(locs, text)
	var from, to int
	if len(ms) > 0 {
		first, last := window(text, ms, terms)
		lo, hi := ms[first].start, ms[first].end
		for _, m := range ms[first : last+1] {
			hi = max(hi, m.end)
		}
		// The matched part in the middle, as far as the text allows.
		slack := max(0, snippetRunes-utf8.RuneCountInString(text[lo:hi]))
		from = backRunes(text, lo, slack/2)
		to = max(hi, skipRunes(text, from, snippetRunes))
		if to == len(text) {
			from = backRunes(text, from, snippetRunes-utf8.RuneCountInString(text[from:to]))
		}
		if atMostRunes(text[:from], maxLead) {
			from = 0
		}
		// Other matches the snippet shows, before and after.
		for _, m := range ms {
			if m.start >= from && m.end <= to {
				lo, hi = min(lo, m.start), max(hi, m.end)
			}
		}
		// Whole words, never cutting a match: the words at the ends are
		// left out, or, when a match is part of one («торгово» of
		// «торгово-экономического»), taken whole if they are short.
		if inWord(text, from) {
			if i := strings.IndexFunc(text[from:lo], unicode.IsSpace); i >= 0 {
				from += i
			} else if start := backRunes(text, from, maxWordEnd); start == 0 {
				from = 0
			} else if i := strings.LastIndexFunc(text[start:from], unicode.IsSpace); i >= 0 {
				from = start + i
			}
		}
		if inWord(text, to) {
			if i := strings.LastIndexFunc(text[hi:to], unicode.IsSpace); i >= 0 {
				to = hi + i
			} else if end := skipRunes(text, to, maxWordEnd); end == len(text) {
				to = end
			} else if i := strings.IndexFunc(text[to:end], unicode.IsSpace); i >= 0 {
				to += i
			}
		}
	} else if to = skipRunes(text, 0, snippetRunes); inWord(text, to) {
		if i := strings.LastIndexFunc(text[:to], unicode.IsSpace); i >= 0 {
			to = i
		}
	}
	if from > 0 {
		w.b.WriteString(cut)
		w.lead = len(cut)
	}
	at := from
	for _, m := range ms {
		if m.start >= to {
			break
		}
		if m.start < at || m.end > to {
			continue // before the snippet, past its end, or on a match marked already
		}
		w.text(text[at:m.start])
		w.mark(text[m.start:m.end])
		at = m.end
	}
	w.text(text[at:to])
	if to < len(text) {
		// «…плакали. …», not «плакали.…»
		if r, _ := utf8.DecodeLastRuneInString(w.b.String()); unicode.IsPunct(r) {
			w.b.WriteByte(' ')
		}
		w.b.WriteString(cut)
	}
	return w.b.String()
}

// window returns the first and the last of the matches, in ms's order,
// that a window of snippetRunes letters from the start of one of the first
// maxAnchors matches holds, the window with the most different terms: the
// first such.
func window(text string, ms []match, terms int) (first, last int) {
	seen := make([]int, terms) // the anchor+1 that counted the term last
	best := 0
	for i := range ms[:min(len(ms), maxAnchors)] {
		end := skipRunes(text, ms[i].start, snippetRunes)
		n, j := 0, i
		for ; j < len(ms) && (j == i || ms[j].end <= end); j++ {
			if seen[ms[j].term] != i+1 {
				seen[ms[j].term] = i + 1
				n++
			}
		}
		if n > best {
			best, first, last = n, i, j-1
		}
	}
	return first, last
}

// skipRunes is the byte offset n letters after from in text, or its end.
// It steps from one letter's first byte to the next, decoding none: a
// snippet steps over hundreds of letters for each of its anchors
// (BenchmarkSnippet).
func skipRunes(text string, from, n int) int {
	for ; n > 0 && from < len(text); n-- {
		for from++; from < len(text) && !utf8.RuneStart(text[from]); from++ {
		}
	}
	return from
}

// backRunes is the byte offset n letters before from in text, or 0.
func backRunes(text string, from, n int) int {
	for ; n > 0 && from > 0; n-- {
		for from--; from > 0 && !utf8.RuneStart(text[from]); from-- {
		}
	}
	return from
}

// atMostRunes reports whether s has at most n letters, counting no more
// than n*utf8.UTFMax bytes of it.
func atMostRunes(s string, n int) bool {
	return len(s) <= n*utf8.UTFMax && utf8.RuneCountInString(s) <= n
}

// inWord reports whether the offset i of text is inside a word: between
// two letters that are not white space.
func inWord(text string, i int) bool {
	if i <= 0 || i >= len(text) {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(text[:i])
	after, _ := utf8.DecodeRuneInString(text[i:])
	return !unicode.IsSpace(before) && !unicode.IsSpace(after)
}

// snippetWriter writes a snippet: text escaped, every run of white space
// one space, none at the start (after lead bytes) or at the end; with
// lines, a full stop at the end of a line that ends without one.
type snippetWriter struct {
	b     strings.Builder
	lines bool
	lead  int  // the length of what the snippet begins with: its cut
	space bool // white space was written last and not yet put
	line  bool // and it ended a line
}

// text writes s, escaped.
func (w *snippetWriter) text(s string) {
	for {
		i := strings.IndexFunc(s, isSpace)
		if i < 0 {
			w.word(html.EscapeString(s))
			return
		}
		w.word(html.EscapeString(s[:i]))
		r, size := utf8.DecodeRuneInString(s[i:])
		w.space = true
		w.line = w.line || w.lines && r == '\n'
		s = s[i+size:]
	}
}

// isSpace is unicode.IsSpace, at once for the letters from U+0100 to
// U+167F, which have no white space: Cyrillic among them, which
// unicode.IsSpace looks up in its table (BenchmarkSnippet).
func isSpace(r rune) bool {
	return (r < 0x100 || r >= 0x1680) && unicode.IsSpace(r)
}

// word writes s, which has no white space and is escaped.
func (w *snippetWriter) word(s string) {
	if s != "" {
		w.gap()
		w.b.WriteString(s)
	}
}

// mark writes s marked.
func (w *snippetWriter) mark(s string) {
	w.gap()
	w.b.WriteString("<mark>")
	w.b.WriteString(html.EscapeString(s))
	w.b.WriteString("</mark>")
}

// gap puts the white space written last, unless the snippet has nothing
// yet but its lead, with a full stop before it when it ended a line
// whose last letter is a letter or a digit.
func (w *snippetWriter) gap() {
	if w.space && w.b.Len() > w.lead {
		if w.line {
			last, _ := utf8.DecodeLastRuneInString(strings.TrimSuffix(w.b.String(), "</mark>"))
			if unicode.IsLetter(last) || unicode.IsDigit(last) {
				w.b.WriteByte('.')
			}
		}
		w.b.WriteByte(' ')
	}
	w.space, w.line = false, false
}
