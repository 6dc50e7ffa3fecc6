package search

import (
	"cmp"
	"encoding/binary"
	"html"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/blevesearch/bleve/v2/analysis"
)

// snippetRunes is about how long a snippet is.
const snippetRunes = 220

// snippet makes the HTML snippet of a hit from its summary and body and
// the matched words in each: the passage of the body with the most
// different matched words, else the summary with its matches, else the
// summary as it is, else the start of the body. The text is escaped; only
// the <mark> elements around matches are markup.
func snippet(summary, body string, inSummary, inBody []span) string {
	if len(inBody) > 0 {
		if s, ok := highlight(body, inBody); ok {
			return s
		}
	}
	if len(inSummary) > 0 {
		if s, ok := highlight(summary, inSummary); ok {
			return s
		}
	}
	if summary != "" {
		return html.EscapeString(summary)
	}
	s, _ := highlight(body, nil)
	return s
}

// span is a matched word in a text: byte offsets and the term it matched.
type span struct {
	start, end int
	term       string
}

// cleanSpans sorts the matches of a text of length n, leaving out any
// that do not fit it (they cannot, but the text is the reader's page) and
// any inside others (a phrase and its words).
func cleanSpans(out []span, n int) []span {
	out = slices.DeleteFunc(out, func(s span) bool { return s.end > n || s.start >= s.end })
	slices.SortFunc(out, func(a, b span) int { return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(b.end, a.end)) })
	keep := out[:0]
	last := -1
	for _, s := range out {
		if s.start >= last {
			keep = append(keep, s)
			last = s.end
		}
	}
	return keep
}

// highlight cuts a passage of about snippetRunes from text around the
// window of matches with the most different terms, and marks the matches.
// With no matches it returns the start of text, and ok is false.
func highlight(text string, ms []span) (s string, ok bool) {
	if text == "" {
		return "", false
	}
	start, end, _ := window(text, ms)
	var b strings.Builder
	b.Grow(end - start + len(ms)*len("<mark></mark>") + 32)
	if start > 0 {
		b.WriteString("…")
	}
	at := start
	for _, m := range ms {
		if m.start < at || m.end > end {
			continue
		}
		b.WriteString(html.EscapeString(text[at:m.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[m.start:m.end]))
		b.WriteString("</mark>")
		at = m.end
		ok = true
	}
	b.WriteString(html.EscapeString(strings.TrimRightFunc(text[at:end], unicode.IsSpace)))
	if end < len(text) {
		b.WriteString("…")
	}
	return strings.TrimSpace(b.String()), ok
}

// window returns where highlight cuts text: about snippetRunes from start
// to end, around the first window of matches (ms, in order) with the most
// different terms, of which it returns the number.
func window(text string, ms []span) (start, end, terms int) {
	if len(ms) > 0 {
		var best int
		best, terms = bestWindow(text, ms)
		// Some context before the first match, from the start of a word.
		start = retreat(text, ms[best].start, snippetRunes/6)
	}
	end = advance(text, start, snippetRunes)
	if end < len(text) {
		// End on a word boundary where there is one near.
		if i := strings.LastIndexFunc(text[start:end], unicode.IsSpace); i > (end-start)/2 {
			end = start + i
		}
	}
	return start, end, terms
}

// windowRunes is how far from its first match a window of matches reaches.
const windowRunes = snippetRunes * 2 / 3

// bestWindow returns the first i such that the matches from ms[i] that end
// within windowRunes of its start have the most different terms, and their
// number. ms are in order and do not overlap, so that the window's end
// only moves forward: one pass over text finds it, however many matches a
// long text has. It stops at the first window with every term.
func bestWindow(text string, ms []span) (best, terms int) {
	var names []string
	ids := make([]int, len(ms))
	for k, m := range ms {
		id := slices.Index(names, m.term)
		if id < 0 {
			id = len(names)
			names = append(names, m.term)
		}
		ids[k] = id
	}
	counts := make([]int, len(names))
	distinct := 0
	limit, runes := 0, 0 // the window's end, and its runes from ms[i].start
	j := 0               // ms[i:j] are in the window
	for i := range ms {
		if i > 0 {
			if i-1 < j {
				if counts[ids[i-1]]--; counts[ids[i-1]] == 0 {
					distinct--
				}
			}
			if limit >= ms[i].start {
				runes -= utf8.RuneCountInString(text[ms[i-1].start:ms[i].start])
			} else {
				limit, runes = ms[i].start, 0
			}
		} else {
			limit = ms[0].start
		}
		j = max(j, i)
		// At the end of text, runes stops counting: limit never moves again.
		limit, runes = advance(text, limit, windowRunes-runes), windowRunes
		for ; j < len(ms) && ms[j].end <= limit; j++ {
			if counts[ids[j]]++; counts[ids[j]] == 1 {
				distinct++
			}
		}
		if distinct > terms {
			best, terms = i, distinct
			if terms == len(names) {
				break
			}
		}
	}
	return best, terms
}

// findSpans returns where terms (sorted, without repeats) occur in text as
// the analyzer a splits it, as far as highlight needs them: once a window
// of matches has every term, later matches cannot change the snippet, and
// the rest of text is not read.
//
// folded is text folded (see foldText). A stem begins the folded word it
// comes from, so that a term can match only where the folded text has it
// at the start of a word (or in a run of ideographs): the text is searched
// for those bytes, which is fast, and the analyzer reads only the words
// found there. When folded is not exact, the analyzer reads the text from
// the start, skipping the words that cannot have a term (see
// textAnalyzer.scan).
func findSpans(a *textAnalyzer, text string, folded foldedText, terms []string) []span {
	if len(terms) == 0 || text == "" {
		return nil
	}
	f := spanFinder{text: text, terms: terms, stop: len(text) + 1}
	if !folded.exact || len(folded.text) != len(text) {
		f.want = newWanted(terms)
		a.scan(bytesOf(text), f.want, nil, func(tok *analysis.Token, _ bool, _ *termRef) bool {
			return f.add(tok.Start, tok.End, tok.Term)
		})
		return f.out
	}
	// next[k] is where terms[k] may be next, or -1. Terms that are nowhere
	// are left out, so that the window can be complete without them.
	var next []int
	f.terms = nil
	for _, t := range terms {
		if k := candidate(folded.text, t, 0); k >= 0 {
			f.terms = append(f.terms, t)
			next = append(next, k)
		}
	}
	want := newWanted(f.terms)
	for {
		at := -1
		for _, k := range next {
			if k >= 0 && (at < 0 || k < at) {
				at = k
			}
		}
		if at < 0 || at >= f.stop {
			return f.out
		}
		end := wordEnd(text, at)
		more := true
		a.scan(bytesOf(text[at:end]), want, nil, func(tok *analysis.Token, _ bool, _ *termRef) bool {
			more = f.add(at+tok.Start, at+tok.End, tok.Term)
			return more
		})
		if !more {
			return f.out
		}
		for i, k := range next {
			if k >= 0 && k < end {
				next[i] = candidate(folded.text, f.terms[i], end)
			}
		}
	}
}

// bytesOf lends the bytes of s to the analyzer, which only reads them.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// stringOf is b as a string, without a copy: b must never change.
func stringOf(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// spanFinder collects the matches of findSpans until a window of them has
// every term.
type spanFinder struct {
	text  string
	terms []string // sorted
	out   []span
	found []string
	stop  int // no match from here on can change the snippet
	// want, when scan reads the whole text with it, is told stop.
	want *wanted
}

// add takes a token of text and reports whether to go on.
func (f *spanFinder) add(start, end int, term []byte) bool {
	if start >= f.stop {
		return false
	}
	i, ok := slices.BinarySearch(f.terms, string(term))
	if !ok {
		return true
	}
	f.out = append(f.out, span{start, end, f.terms[i]})
	if !slices.Contains(f.found, f.terms[i]) {
		f.found = append(f.found, f.terms[i])
	}
	if len(f.found) == len(f.terms) && f.stop > len(f.text) {
		if _, end, n := window(f.text, f.out); n == len(f.terms) {
			f.stop = end
			if f.want != nil {
				f.want.stop = end
			}
		}
	}
	return true
}

// candidate returns the first offset from off in the folded text where
// the analyzer may find term t: where the text has it at the start of a
// word, or the start of a run of ideographs that has it; -1 if nowhere.
func candidate(folded, t string, off int) int {
	if t == "" {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(t)
	ideograph := isIdeograph(r)
	for off < len(folded) {
		k := strings.Index(folded[off:], t)
		if k < 0 {
			return -1
		}
		k += off
		prev, _ := utf8.DecodeLastRuneInString(folded[:k])
		switch {
		case ideograph:
			// Bigrams are made from the start of the run.
			for k > 0 && isIdeograph(prev) {
				k -= utf8.RuneLen(prev)
				prev, _ = utf8.DecodeLastRuneInString(folded[:k])
			}
		case k > 0 && isWordRune(prev) && !isIdeograph(prev):
			off = k + 1 // inside a word: look further
			continue
		}
		return k
	}
	return -1
}

// wordEnd returns the end of the word or run of ideographs that starts at
// i in text, as the analyzer reads it in a text without soft hyphens or
// combining marks.
func wordEnd(text string, i int) int {
	r, size := utf8.DecodeRuneInString(text[i:])
	ideograph := isIdeograph(r)
	for i += size; i < len(text); i += size {
		r, size = utf8.DecodeRuneInString(text[i:])
		if isIdeograph(r) != ideograph || !ideograph && !isWordRune(r) {
			break
		}
	}
	return i
}

// foldedText is a text folded as the analyzer folds the letters of words
// (see fold). It is exact when every offset in it is the same as in the
// text, and nothing the analyzer leaves out of a word (soft hyphens,
// combining marks) is in it: true of Russian, English and Chinese.
type foldedText struct {
	text  string
	exact bool
}

func foldText(s string) foldedText {
	b := make([]byte, 0, len(s))
	exact := true
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
			i++
			continue
		}
		if i+1 < len(s) {
			if f0, f1, ok := foldCyrillic(c, s[i+1]); ok {
				b = append(b, f0, f1)
				i += 2
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if skippedInWord(r) || r == utf8.RuneError && size == 1 {
			exact = false
		}
		f := fold(r)
		if utf8.RuneLen(f) != size {
			exact = false
		}
		b = utf8.AppendRune(b, f)
		i += size
	}
	return foldedText{string(b), exact}
}

// advance returns the offset n runes after i in text, or its end. It
// counts the bytes that start a rune rather than decoding them, eight at a
// time while n is at least eight.
func advance(text string, i, n int) int {
	for n >= 8 && i+8 <= len(text) {
		w := binary.LittleEndian.Uint64([]byte(text[i : i+8]))
		// A byte 10xxxxxx continues a rune: bit 7 set and bit 6 clear.
		cont := w & ^(w << 1) & 0x8080808080808080
		n -= 8 - bits.OnesCount64(cont)
		i += 8
	}
	for ; i < len(text); i++ {
		if text[i]&0xC0 != 0x80 {
			if n == 0 {
				return i
			}
			n--
		}
	}
	return len(text)
}

// retreat returns an offset up to n runes before i in text, at the start of
// a word: after a space, or 0.
func retreat(text string, i, n int) int {
	j := i
	for j > 0 && n > 0 {
		if j--; text[j]&0xC0 != 0x80 {
			n--
		}
	}
	if j == 0 {
		return 0
	}
	if k := strings.IndexFunc(text[j:i], unicode.IsSpace); k >= 0 {
		_, size := utf8.DecodeRuneInString(text[j+k:])
		return j + k + size
	}
	return i
}
