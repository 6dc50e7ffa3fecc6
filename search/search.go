package search

import (
	"cmp"
	"context"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	htmlhl "github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Result is one page of hits with the facets of every hit.
type Result struct {
	Query Query // as searched: Page and PerPage filled in, Sort resolved
	Total int
	Took  time.Duration
	Hits  []Hit
	// Facets count the hits by region, sector, kind and year.
	Facets Facets
}

// Hit is one note found.
type Hit struct {
	URL     string
	Title   string
	Date    time.Time // the day
	End     time.Time // zero for a one-day event
	Kind    string    // slug
	Regions []string  // slugs, in the note's order
	Sectors []string  // slugs, in the note's order
	Summary string
	// Snippet is HTML: the matched words in <mark>, the rest escaped. It is
	// bleve's highlight of the body where a word matched there, else of the
	// summary, else the summary as it is, else the start of the body.
	Snippet string
	Score   float64
}

// Facets count the hits of a search: regions, sectors and kinds most
// first (by slug on a tie), years newest first.
type Facets struct {
	Regions, Sectors, Kinds, Years []FacetCount
}

// FacetCount is one value of a facet: a slug, or a year, with its count.
type FacetCount struct {
	Value string
	Count int
}

// facetSize asks bleve for every value of a facet: a taxonomy has far
// fewer.
const facetSize = 1000

// Search runs q. Whatever the reader typed, the query is made of bleve's
// query objects from analysed terms, never handed to a query parser, so
// that only a broken index or a cancelled ctx make it fail. A page past the
// last is empty.
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	start := time.Now()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return nil, ErrClosed
	}
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 || q.PerPage > MaxPerPage {
		q.PerPage = DefaultPerPage
	}
	p := ix.plan(ParseText(q.Q))
	if q.Sort == SortDefault {
		q.Sort = SortDate
		if p.scored() {
			q.Sort = SortRelevance
		}
	}
	byScore := p.scored() && q.Sort == SortRelevance

	req := bleve.NewSearchRequest(ix.query(p, q))
	// Pages past any possible hit are empty: bleve need keep no more than
	// every note, and (page-1)*per_page must not overflow.
	docs := int(ix.docs.Load())
	req.From = q.PerPage * min(q.Page-1, docs/q.PerPage+1)
	req.Size = q.PerPage
	if byScore {
		req.SortBy([]string{"-_score", "-" + fieldDate, "_id"})
	} else {
		req.SortBy([]string{"-" + fieldDate, "_id"})
		req.Score = bleve.ScoreNone
	}
	req.Fields = []string{fieldTitle, fieldSummary, fieldDate, fieldEnd, fieldKind, fieldRegions, fieldSectors}
	req.Highlight = bleve.NewHighlightWithStyle(htmlhl.Name)
	req.Highlight.AddField(fieldBody)
	req.Highlight.AddField(fieldSummary)
	req.AddFacet(fieldRegions, bleve.NewFacetRequest(fieldRegions, facetSize))
	req.AddFacet(fieldSectors, bleve.NewFacetRequest(fieldSectors, facetSize))
	req.AddFacet(fieldKind, bleve.NewFacetRequest(fieldKind, facetSize))
	if years := ix.years.Load(); years[0] > 0 {
		f := bleve.NewFacetRequest(fieldDate, years[1]-years[0]+1)
		for y := years[0]; y <= years[1]; y++ {
			f.AddDateTimeRange(strconv.Itoa(y), time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC))
		}
		req.AddFacet("years", f)
	}
	res, err := ix.alias.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	out := &Result{Query: q, Total: int(res.Total), Facets: facetsOf(res.Facets)}
	for _, dm := range res.Hits {
		out.Hits = append(out.Hits, hitOf(dm))
	}
	out.Took = time.Since(start)
	return out, nil
}

// query combines the plan of the reader's text with the filters of q. With
// words, filters are bleve's unscored filter of a boolean query, so that
// they leave the ranking as it is; without, the filters are the query.
func (ix *Index) query(p *plan, q Query) query.Query {
	var filters []query.Query
	term := func(field, value string) query.Query {
		tq := bleve.NewTermQuery(value)
		tq.SetField(field)
		return tq
	}
	for _, s := range q.Regions {
		filters = append(filters, term(fieldRegions, s))
	}
	for _, s := range q.Sectors {
		filters = append(filters, term(fieldSectors, s))
	}
	if len(q.Kinds) > 0 {
		var kinds []query.Query
		for _, s := range q.Kinds {
			kinds = append(kinds, term(fieldKind, s))
		}
		filters = append(filters, bleve.NewDisjunctionQuery(kinds...))
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		inclusive := true
		dq := bleve.NewDateRangeInclusiveQuery(q.From, q.To, &inclusive, &inclusive)
		dq.SetField(fieldDate)
		filters = append(filters, dq)
	}
	if len(p.must)+len(p.mustNot) == 0 {
		if len(filters) == 0 {
			return bleve.NewMatchAllQuery()
		}
		return bleve.NewConjunctionQuery(filters...)
	}
	b := bleve.NewBooleanQuery()
	if len(p.must) > 0 {
		b.AddMust(p.must...)
	}
	if len(p.mustNot) > 0 {
		b.AddMustNot(p.mustNot...)
	}
	if len(filters) > 0 {
		b.AddFilter(bleve.NewConjunctionQuery(filters...))
	}
	return b
}

// hitOf reads a hit from what bleve returned of it.
func hitOf(dm *bsearch.DocumentMatch) Hit {
	h := Hit{
		URL:     dm.ID,
		Title:   fieldString(dm.Fields[fieldTitle]),
		Summary: fieldString(dm.Fields[fieldSummary]),
		Date:    fieldTime(dm.Fields[fieldDate]),
		End:     fieldTime(dm.Fields[fieldEnd]),
		Kind:    fieldString(dm.Fields[fieldKind]),
		Regions: fieldStrings(dm.Fields[fieldRegions]),
		Sectors: fieldStrings(dm.Fields[fieldSectors]),
		Score:   dm.Score,
	}
	// bleve highlights the start of a field without matches, too: its
	// locations tell whether a word matched there.
	defer func() { h.Snippet = squeeze(h.Snippet) }()
	switch {
	case len(dm.Locations[fieldBody]) > 0 && len(dm.Fragments[fieldBody]) > 0:
		h.Snippet = dm.Fragments[fieldBody][0]
	case len(dm.Locations[fieldSummary]) > 0 && len(dm.Fragments[fieldSummary]) > 0:
		h.Snippet = dm.Fragments[fieldSummary][0]
	case h.Summary != "":
		h.Snippet = html.EscapeString(h.Summary)
	case len(dm.Fragments[fieldBody]) > 0:
		h.Snippet = dm.Fragments[fieldBody][0]
	}
	return h
}

// squeeze makes every run of white space in a snippet one space: the text
// of a note's body keeps the lines of its Markdown.
func squeeze(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 && !strings.HasSuffix(b.String(), "…") {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// fieldString is a stored field of one value; bleve returns it as such.
func fieldString(v any) string {
	s, _ := v.(string)
	return s
}

// fieldStrings is a stored field of a list: bleve returns a list of one as
// its value.
func fieldStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// fieldTime is a stored datetime field, which bleve returns in RFC 3339.
func fieldTime(v any) time.Time {
	s, _ := v.(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// facetsOf reads the facets of a search.
func facetsOf(fr bsearch.FacetResults) Facets {
	terms := func(name string) []FacetCount {
		f := fr[name]
		if f == nil || f.Terms == nil {
			return nil
		}
		var out []FacetCount
		for _, t := range f.Terms.Terms() {
			if t.Count > 0 {
				out = append(out, FacetCount{Value: t.Term, Count: t.Count})
			}
		}
		slices.SortFunc(out, func(a, b FacetCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
		})
		return out
	}
	f := Facets{Regions: terms(fieldRegions), Sectors: terms(fieldSectors), Kinds: terms(fieldKind)}
	if y := fr["years"]; y != nil {
		for _, r := range y.DateRanges {
			if r.Count > 0 {
				f.Years = append(f.Years, FacetCount{Value: r.Name, Count: r.Count})
			}
		}
		// Years sort newest first; bleve orders ranges by count.
		slices.SortFunc(f.Years, func(a, b FacetCount) int { return strings.Compare(b.Value, a.Value) })
	}
	return f
}
