package search

import (
	"cmp"
	"html"
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
	if s, ok := highlight(body, inBody); ok {
		return s
	}
	if s, ok := highlight(summary, inSummary); ok {
		return s
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
// at the start of a word (or within a run of ideographs): the text is
// searched for those bytes, which is fast, and the analyzer reads from the
// first such place on, or not at all. There, only words that may have a
// term are read (see textAnalyzer.scan). When folded is not exact, the
// analyzer reads all of text.
func findSpans(a *textAnalyzer, text string, folded foldedText, terms []string) []span {
	if len(terms) == 0 || text == "" {
		return nil
	}
	from := 0
	if folded.exact && len(folded.text) == len(text) {
		if from, terms = candidates(folded.text, terms); from < 0 {
			return nil
		}
	}
	var out []span
	var found []string
	stop := len(text) + 1
	// scan only reads its input: the text's bytes are lent, not copied.
	input := unsafe.Slice(unsafe.StringData(text[from:]), len(text)-from)
	want := newWanted(terms)
	a.scan(input, want, func(tok *analysis.Token, _ bool) bool {
		start, end := tok.Start+from, tok.End+from
		if start >= stop {
			return false
		}
		i, ok := slices.BinarySearch(terms, string(tok.Term))
		if !ok {
			return true
		}
		out = append(out, span{start, end, terms[i]})
		if !slices.Contains(found, terms[i]) {
			found = append(found, terms[i])
		}
		if len(found) == len(terms) && stop > len(text) {
			if _, end, n := window(text, out); n == len(terms) {
				stop = end
				want.stop = stop - from
			}
		}
		return true
	})
	return out
}

// candidates returns the first offset in the folded text where the
// analyzer may find one of terms, at the start of a word or of a run of
// ideographs, and the terms that may be found there or after; -1 when
// none may. Leaving out the terms that cannot be found lets findSpans stop
// reading at the first window with all the others.
func candidates(folded string, terms []string) (first int, found []string) {
	first = -1
	for _, t := range terms {
		if k := candidate(folded, t); k >= 0 {
			found = append(found, t)
			if first < 0 || k < first {
				first = k
			}
		}
	}
	return first, found
}

// candidate returns the first offset in the folded text where the
// analyzer may find term t, or -1.
func candidate(folded, t string) int {
	if t == "" {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(t)
	ideograph := isIdeograph(r)
	for off := 0; off < len(folded); {
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
		switch {
		case c < utf8.RuneSelf:
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
			i++
		case c == 0xd0 && i+1 < len(s) && s[i+1] >= 0x90 && s[i+1] <= 0x9f: // А–П
			b = append(b, 0xd0, s[i+1]+0x20)
			i += 2
		case c == 0xd0 && i+1 < len(s) && s[i+1] >= 0xa0 && s[i+1] <= 0xaf: // Р–Я
			b = append(b, 0xd1, s[i+1]-0x20)
			i += 2
		case i+1 < len(s) && (c == 0xd0 && s[i+1] >= 0xb0 && s[i+1] <= 0xbf || c == 0xd1 && s[i+1] >= 0x80 && s[i+1] <= 0x8f):
			b = append(b, c, s[i+1]) // а–я
			i += 2
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == '\u00ad' || r >= 0x300 && r < 0x370 || r > 0x4ff && unicode.Is(unicode.Mn, r) || r == utf8.RuneError && size == 1 {
				exact = false
			}
			f := fold(r)
			if utf8.RuneLen(f) != size {
				exact = false
			}
			b = utf8.AppendRune(b, f)
			i += size
		}
	}
	return foldedText{string(b), exact}
}

// advance returns the offset n runes after i in text, or its end. It
// counts the bytes that start a rune rather than decoding them.
func advance(text string, i, n int) int {
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
