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

// snippetRunes is about how long a snippet is.
const snippetRunes = 220

// snippet makes the HTML snippet of a hit: the passage of the body with the
// most different matched words, else the summary with its matches, else the
// summary as it is, else the start of the body. The text is escaped; only
// the <mark> elements around matches are markup.
func snippet(d *bsearch.DocumentMatch, summary, body string) string {
	if s, ok := highlight(body, spans(d.Locations[fieldText], textBody, len(body))); ok {
		return s
	}
	if s, ok := highlight(summary, spans(d.Locations[fieldText], textSummary, len(summary))); ok {
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

// spans lists the matches in element elem of an array field, in order,
// leaving out any that do not fit the text of length n (they cannot, but
// the text is the reader's page).
func spans(tlm bsearch.TermLocationMap, elem uint64, n int) []span {
	var out []span
	for term, locs := range tlm {
		for _, l := range locs {
			if len(l.ArrayPositions) != 1 || l.ArrayPositions[0] != elem {
				continue
			}
			if int(l.End) <= n && l.Start < l.End {
				out = append(out, span{int(l.Start), int(l.End), term})
			}
		}
	}
	slices.SortFunc(out, func(a, b span) int { return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(b.end, a.end)) })
	// Drop matches inside others (a phrase and its words).
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
	start := 0
	if len(ms) > 0 {
		best, bestTerms := 0, 0
		for i := range ms {
			limit := advance(text, ms[i].start, snippetRunes*2/3)
			terms := map[string]bool{}
			for j := i; j < len(ms) && ms[j].end <= limit; j++ {
				terms[ms[j].term] = true
			}
			if len(terms) > bestTerms {
				best, bestTerms = i, len(terms)
			}
		}
		// Some context before the first match, from the start of a word.
		start = retreat(text, ms[best].start, snippetRunes/6)
	}
	end := advance(text, start, snippetRunes)
	if end < len(text) {
		// End on a word boundary where there is one near.
		if i := strings.LastIndexFunc(text[start:end], unicode.IsSpace); i > (end-start)/2 {
			end = start + i
		}
	}
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
