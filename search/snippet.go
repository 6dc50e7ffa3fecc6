package search

import (
	"cmp"
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

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
		best := 0
		var seen []string
		for i := range ms {
			limit := advance(text, ms[i].start, snippetRunes*2/3)
			seen = seen[:0]
			for j := i; j < len(ms) && ms[j].end <= limit; j++ {
				if !slices.Contains(seen, ms[j].term) {
					seen = append(seen, ms[j].term)
				}
			}
			if len(seen) > terms {
				best, terms = i, len(seen)
			}
		}
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

// findSpans returns where terms (sorted, without repeats) occur in text as
// the analyzer a splits it, as far as highlight needs them: once a window
// of matches has every term, later matches cannot change the snippet, and
// the rest of text is not read. Only words that may have a term are read
// (see textAnalyzer.scan).
func findSpans(a *textAnalyzer, text string, terms []string) []span {
	if len(terms) == 0 || text == "" {
		return nil
	}
	var out []span
	var found []string
	stop := len(text) + 1
	a.scan([]byte(text), newWanted(terms), func(tok *analysis.Token, _ bool) bool {
		if tok.Start >= stop {
			return false
		}
		i, ok := slices.BinarySearch(terms, string(tok.Term))
		if !ok {
			return true
		}
		out = append(out, span{tok.Start, tok.End, terms[i]})
		if !slices.Contains(found, terms[i]) {
			found = append(found, terms[i])
		}
		if len(found) == len(terms) && stop > len(text) {
			if _, end, n := window(text, out); n == len(terms) {
				stop = end
			}
		}
		return true
	})
	return out
}

// advance returns the offset n runes after i in text, or its end.
func advance(text string, i, n int) int {
	for ; n > 0 && i < len(text); n-- {
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	return i
}

// retreat returns an offset up to n runes before i in text, at the start of
// a word: after a space, or 0.
func retreat(text string, i, n int) int {
	j := i
	for ; n > 0 && j > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(text[:j])
		j -= size
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
