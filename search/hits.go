package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// hits loads what the page's hits show from the view's snapshots. Where
// the words of p matched in a hit's text is found now, for these few
// documents: collecting it for every match of a common word would cost
// more than the search itself.
func (ix *Index) hits(ctx context.Context, v *view, page []ranked, p *plan) ([]Hit, error) {
	t := v.table
	// Words are looked for in the text (see findSpans): faster than walking
	// their postings to the page's documents, the more so the more notes
	// have them. A phrase is found by reading the text whole (see
	// phraseSnippet).
	var words []*rowSet
	phrases := p.hasPhrases()
	if !phrases {
		for i := range p.must {
			s, err := v.clauseRows(ctx, &p.must[i])
			if err != nil {
				return nil, err
			}
			words = append(words, s)
		}
	}
	hits := make([]Hit, 0, len(page))
	for _, x := range page {
		r := x.row
		h := Hit{URL: t.urls[r], Date: dayTime(t.day[r]), Score: x.score}
		if int(t.kind[r]) < len(t.kinds.names) {
			h.Kind = t.kinds.names[t.kind[r]]
		}
		d, ok := t.docs.get(r)
		if !ok {
			var err error
			if d, err = v.stored(r); err != nil {
				return nil, err
			}
			t.docs.put(r, d)
		}
		h.Title = d.title
		h.Summary = d.summary
		if d.end != "" { // most events take one day: no error to make
			h.End, _ = time.Parse(time.DateOnly, d.end)
		}
		// The stored lists keep the order the note gives. They are copied:
		// d stays in the table's cache, and the hit is the caller's.
		h.Regions, h.Sectors = slices.Clone(d.regions), slices.Clone(d.sectors)
		switch {
		case phrases:
			h.Snippet = ix.phraseSnippet(t, p, r, d)
		case words != nil:
			h.Snippet = ix.wordSnippet(t, words, r, d)
		default:
			h.Snippet = snippet(d.summary, d.body, nil, nil)
		}
		hits = append(hits, h)
	}
	return hits, nil
}

// wordSnippet returns the snippet of d, at row of t, with the terms of
// words that the row has in its text marked, from t's cache of snippets
// when a search of the same terms made it before.
func (ix *Index) wordSnippet(t *table, words []*rowSet, row int32, d *storedDoc) string {
	var terms []string
	for _, s := range words {
		for t := range s.inText {
			if s.hasInText(t, row) {
				terms = append(terms, t)
			}
		}
	}
	if len(terms) == 0 {
		return snippet(d.summary, d.body, nil, nil)
	}
	slices.Sort(terms)
	terms = slices.Compact(terms)
	key := snippetKey{row, strings.Join(terms, "\x00")}
	if s, ok := t.snippets.get(key); ok {
		return s
	}
	inSummary, inBody := ix.findWords(d, terms)
	s := snippet(d.summary, d.body, inSummary, inBody)
	t.snippets.put(key, s)
	return s
}

// findWords returns where terms occur in the summary and body of d, as far
// as its snippet needs: the summary's matches count only where the body
// has none.
func (ix *Index) findWords(d *storedDoc, terms []string) (inSummary, inBody []span) {
	folded := d.folded()
	if inBody = findSpans(ix.analyzer, d.body, folded[textBody], terms); len(inBody) == 0 {
		inSummary = findSpans(ix.analyzer, d.summary, folded[textSummary], terms)
	}
	return inSummary, inBody
}

// storedDoc is what the index stores of a document for its hit.
type storedDoc struct {
	title, summary, body, end string
	regions, sectors          []string
	// The summary and body folded, for finding words in them: made by
	// the first search of words that shows the document, since a search
	// of phrases or of filters alone does not need them.
	foldOnce    sync.Once
	foldedTexts [2]foldedText // by textSummary and textBody
}

// folded returns the summary and body folded, indexed by textSummary and
// textBody.
func (d *storedDoc) folded() *[2]foldedText {
	d.foldOnce.Do(func() {
		d.foldedTexts[textSummary] = foldText(d.summary)
		d.foldedTexts[textBody] = foldText(d.body)
	})
	return &d.foldedTexts
}

// stored reads the stored fields of row from its segment.
func (v *view) stored(row int32) (*storedDoc, error) {
	seg, num, err := v.segmentOf(row)
	if err != nil {
		return nil, err
	}
	d := &storedDoc{}
	err = seg.VisitDocument(num, func(field string, _ byte, value []byte, _ []uint64) bool {
		switch field {
		case fieldTitle:
			d.title = string(value)
		case fieldSummary:
			d.summary = string(value)
		case fieldBody:
			d.body = string(value)
		case fieldEnd:
			d.end = string(value)
		case fieldRegions:
			d.regions = append(d.regions, string(value))
		case fieldSectors:
			d.sectors = append(d.sectors, string(value))
		}
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return d, nil
}

// segmentOf returns the segment of the view's snapshots that holds row,
// and the row's number in it.
func (v *view) segmentOf(row int32) (*scorch.SegmentSnapshot, uint64, error) {
	b := v.rowBits()
	s := v.table.shard[row]
	snap, ok := v.readers[s].(*scorch.IndexSnapshot)
	if !ok {
		return nil, 0, fmt.Errorf("search: shard %d is not a scorch index", s)
	}
	num := b.docNums[row]
	segs, offs := snap.Segments(), b.offsets[s]
	// The last segment that starts at num or before: empty segments start
	// where the next one does.
	i, _ := slices.BinarySearch(offs, num+1)
	i--
	if i < 0 || i >= len(segs) || len(offs) != len(segs) {
		return nil, 0, fmt.Errorf("search: no segment holds row %d", row)
	}
	return segs[i], num - offs[i], nil
}

// phraseSnippet returns the snippet of d, at row of t, with the phrases of
// p marked where its summary and body have them and the words of p
// wherever they have them, as bleve's term vectors had them, from t's
// cache of snippets when a search of the same clauses made it before.
func (ix *Index) phraseSnippet(t *table, p *plan, row int32, d *storedDoc) string {
	var key strings.Builder
	key.WriteByte(1) // no term starts with it
	for i := range p.must {
		key.WriteString(p.must[i].key())
		key.WriteByte(0x1e)
	}
	k := snippetKey{row, key.String()}
	if s, ok := t.snippets.get(k); ok {
		return s
	}
	inSummary := cleanSpans(ix.clauseSpans(d.summary, p.must), len(d.summary))
	inBody := cleanSpans(ix.clauseSpans(d.body, p.must), len(d.body))
	s := snippet(d.summary, d.body, inSummary, inBody)
	t.snippets.put(k, s)
	return s
}

// clauseSpans returns where text has the phrases of clauses, and the terms
// of their words that the text field has.
func (ix *Index) clauseSpans(text string, clauses []clause) []span {
	// The tokens of text with a term of a clause: terms[i] has the
	// tokens toks[i] at places spans[i].
	var terms []string
	for _, c := range clauses {
		if c.pattern != nil {
			terms = append(terms, c.pattern.terms...)
		}
		for _, a := range c.alts {
			if a.field == fieldText {
				terms = append(terms, a.term)
			}
		}
	}
	slices.Sort(terms)
	terms = slices.Compact(terms)
	var toks []ptok
	var spans []span
	ix.analyzer.scan(bytesOf(text), nil, nil, func(t *analysis.Token, _ bool, _ *termRef) bool {
		if i, ok := slices.BinarySearch(terms, string(t.Term)); ok {
			toks = append(toks, ptok{pos: int32(t.Position), term: int32(i)})
			spans = append(spans, span{t.Start, t.End, terms[i]})
		}
		return true
	})
	var out []span
	for _, c := range clauses {
		for _, a := range c.alts {
			if a.field != fieldText {
				continue
			}
			for i, t := range toks {
				if terms[t.term] == a.term {
					out = append(out, spans[i])
				}
			}
		}
		if c.pattern == nil {
			continue
		}
		// The pattern's tokens, numbered as in the pattern.
		var mine []ptok
		var at []int
		for i, t := range toks {
			if k := slices.Index(c.pattern.terms, terms[t.term]); k >= 0 {
				mine = append(mine, ptok{pos: t.pos, term: int32(k + 1)})
				at = append(at, i)
			}
		}
		matchPhrase(mine, c.pattern.slots, c.pattern.offs, func(m []int) bool {
			for _, j := range m {
				out = append(out, spans[at[j]])
			}
			return true
		})
	}
	return out
}
