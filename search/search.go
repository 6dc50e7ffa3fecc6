package search

import (
	"cmp"
	"context"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	htmlhl "github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	index "github.com/blevesearch/bleve_index_api"
)

// Result is one page of hits with the facets of every hit.
type Result struct {
	Query Query // as searched: Page and PerPage filled in, Sort resolved
	Total int
	Took  time.Duration
	Hits  []Hit
	// Facets count the hits by region, sector, kind and year.
	Facets Facets
	// Typos are the reader's words that no note has as written, when the
	// hits were found by matching them with a typo; empty when there are
	// no hits.
	Typos []Typo
}

// Typo is a reader's word that matched only with a typo: the word as
// typed, folded (lower case, ё as е), and As, the word the page's hits
// have in its place, as their snippets mark it; As is empty when no
// snippet on the page shows it.
type Typo struct {
	Word, As string
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

// Search runs q. Whatever the reader typed, the query is made of bleve's
// query objects from analysed terms, never handed to a query parser, so
// that only a broken index or a cancelled ctx make it fail. A page past the
// last is empty.
//
// The matches of the reader's words are collected from bleve's searchers
// into the index's table (see table), where filters, facets and the order
// by date are worked out; a second bleve search loads the stored fields of
// the page's hits and highlights them.
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	start := time.Now()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	t := ix.acquire()
	if t == nil {
		return nil, ErrClosed
	}
	defer t.release()
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 || q.PerPage > MaxPerPage {
		q.PerPage = DefaultPerPage
	}
	p := ix.plan(ParseText(q.Q))
	p.fuzzy.tab = t
	if q.Sort == SortDefault {
		q.Sort = SortDate
		if p.scored() {
			q.Sort = SortRelevance
		}
	}
	byScore := p.scored() && q.Sort == SortRelevance
	// Pages past any possible hit are empty: nothing to keep but counts,
	// and (page-1)*per_page must not overflow.
	n := len(t.urls)
	from := q.PerPage * min(q.Page-1, n/q.PerPage+1)
	keep := 0
	if byScore {
		keep = min(from+q.PerPage, n)
	}

	filter := t.filter(q)
	var rows *roaring.Bitmap
	var top []ranked
	var err error
	switch {
	case p.scored():
		b := bleve.NewBooleanQuery()
		b.AddMust(p.must...)
		if len(p.mustNot) > 0 {
			b.AddMustNot(p.mustNot...)
		}
		rows, top, err = t.collect(ctx, b, ix.mapping, filter, keep)
	case len(p.mustNot) > 0:
		var out *roaring.Bitmap
		if out, _, err = t.collect(ctx, bleve.NewDisjunctionQuery(p.mustNot...), ix.mapping, filter, 0); err == nil {
			rows = roaring.AndNot(cmp.Or(filter, t.all), out)
		}
	case filter != nil:
		rows = filter
	default:
		rows = t.all
	}
	if err != nil {
		return nil, err
	}
	out := &Result{Query: q, Total: int(rows.GetCardinality()), Facets: t.facets(rows)}
	var page []ranked
	if byScore {
		page = top[min(from, len(top)):]
	} else if from < out.Total {
		first, _ := rows.Select(uint32(from))
		it := rows.Iterator()
		it.AdvanceIfNeeded(first)
		for len(page) < q.PerPage && it.HasNext() {
			page = append(page, ranked{row: int32(it.Next())})
		}
	}
	if out.Hits, err = ix.hits(ctx, t, page, p); err != nil {
		return nil, err
	}
	if out.Total > 0 {
		out.Typos = ix.typos(p, out.Hits)
	}
	out.Took = time.Since(start)
	return out, nil
}

// hitFields are the stored fields a hit shows. A hit whose body matches
// near its start loads the body too, for fromStart.
var hitFields = []string{fieldTitle, fieldSummary, fieldDate, fieldEnd, fieldKind, fieldRegions, fieldSectors}

// nearStart reports whether a word matched near enough the start of the
// text for its snippet to begin within maxLead letters of it, as the
// locations of its matches say: the fragmenter moves a snippet back from
// its first match by at most half its length, a hundred letters, and a
// Russian letter takes two bytes.
func nearStart(locations bsearch.TermLocationMap) bool {
	for _, locs := range locations {
		for _, l := range locs {
			if l.Start < 8*maxLead {
				return true
			}
		}
	}
	return false
}

// hits loads the stored fields of the page's rows from the table's
// snapshot, with their snippets: bleve's highlighter marks the places where
// the reader's words match in them, which a search of those notes alone
// for the words finds again.
func (ix *Index) hits(ctx context.Context, t *table, page []ranked, p *plan) ([]Hit, error) {
	if len(page) == 0 {
		return nil, nil
	}
	hl, err := bleve.Config.Cache.HighlighterNamed(htmlhl.Name)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	// load loads the stored fields of a hit and highlights one field: the
	// summary where a word matched there and none did in the body; else
	// the body, where a word matched or at its start, which the hit shows
	// when the note has no summary (see hitOf). One load: a note's stored
	// fields are decompressed whole, its body too.
	load := func(dm *bsearch.DocumentMatch, r index.IndexReader) error {
		req := bleve.NewSearchRequest(nil)
		req.Fields = hitFields
		if nearStart(dm.Locations[fieldBody]) {
			req.Fields = append(req.Fields[:len(req.Fields):len(req.Fields)], fieldBody)
		}
		req.Highlight = bleve.NewHighlight()
		if len(dm.Locations[fieldSummary]) > 0 && len(dm.Locations[fieldBody]) == 0 {
			req.Highlight.AddField(fieldSummary)
		} else {
			req.Highlight.AddField(fieldBody)
		}
		err, _ := bleve.LoadAndHighlightFields(dm, req, "", r, hl)
		return err
	}
	at := make(map[int32]int, len(page)) // row → place on the page
	for i, r := range page {
		at[r.row] = i
	}
	hits := make([]*Hit, len(page))
	for s, r := range t.readers {
		var ids []string
		for _, x := range page {
			if t.shard[x.row] == s {
				ids = append(ids, t.urls[x.row])
			}
		}
		if len(ids) == 0 {
			continue
		}
		// The notes of the page, and the reader's words in their summary
		// and body, which may or may not have them, for their places.
		q := bleve.NewBooleanQuery()
		q.AddMust(bleve.NewDocIDQuery(ids))
		if len(p.marks) > 0 {
			q.AddShould(p.marks...)
		}
		err := eachMatch(ctx, r, q, ix.mapping, bsearch.SearcherOptions{Score: bleve.ScoreNone, IncludeTermVectors: true},
			func(dm *bsearch.DocumentMatch) error {
				row := t.rowOf[s].row(dm.IndexInternalID)
				if row == noRow {
					return nil // not in the table: no search finds it
				}
				dm.ID = t.urls[row]
				dm.Complete(nil)
				if err := load(dm, r); err != nil {
					return err
				}
				h := hitOf(dm)
				h.Score = page[at[row]].score
				hits[at[row]] = &h
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
	}
	out := make([]Hit, 0, len(page))
	for _, h := range hits {
		if h != nil {
			out = append(out, *h)
		}
	}
	return out, nil
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
	body := fieldString(dm.Fields[fieldBody])
	switch {
	case len(dm.Locations[fieldBody]) > 0 && len(dm.Fragments[fieldBody]) > 0:
		h.Snippet = fromStart(squeeze(wholeWords(dm.Fragments[fieldBody][0])), body)
	case len(dm.Locations[fieldSummary]) > 0 && len(dm.Fragments[fieldSummary]) > 0:
		h.Snippet = squeeze(wholeWords(dm.Fragments[fieldSummary][0]))
	case h.Summary != "":
		h.Snippet = squeeze(html.EscapeString(h.Summary))
	case len(dm.Fragments[fieldBody]) > 0:
		h.Snippet = fromStart(squeeze(wholeWords(dm.Fragments[fieldBody][0])), body)
	}
	return h
}

// maxLead is how many letters of the text's start a snippet that begins
// just after it takes in, instead of its cut.
const maxLead = 60

// fromStart gives a snippet cut from near the start of text the start
// too: bleve's fragmenter centres the matches, and so cut «25 октября 2022
// года в <mark>Хабаровске</mark>» to «…года в <mark>Хабаровске</mark>».
// The snippet is squeezed, and so is the text it is looked for in.
func fromStart(snippet, text string) string {
	rest, ok := strings.CutPrefix(snippet, cut)
	if !ok || text == "" {
		return snippet
	}
	plain := html.UnescapeString(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(rest))
	// What the snippet shows is looked for by its start, as far as a
	// cut in the middle of its end cannot reach.
	key := plain[:min(len(plain), 80)]
	for !utf8.ValidString(key) {
		key = key[:len(key)-1]
	}
	key = strings.TrimSuffix(key, cut)
	head := squeeze(text[:min(len(text), 4*maxLead+len(plain))])
	i := strings.Index(head, key)
	if key == "" || i < 0 || utf8.RuneCountInString(head[:i]) > maxLead {
		return snippet
	}
	return html.EscapeString(head[:i]) + rest
}

// cut is what bleve's highlighter puts where it cut a snippet from its text.
const cut = "…"

// wholeWords drops the part of a word a snippet begins or ends with where
// the highlighter cut it from its text, which counts letters, not words:
// «…24 года», of «2024 года», becomes «… года». A marked word stays whole
// as it is.
func wholeWords(s string) string {
	if rest, ok := strings.CutPrefix(s, cut); ok {
		if i := strings.IndexFunc(rest, unicode.IsSpace); i > 0 && !strings.Contains(rest[:i], "<") {
			s = cut + rest[i:]
		}
	}
	if rest, ok := strings.CutSuffix(s, cut); ok {
		if i := strings.LastIndexFunc(rest, unicode.IsSpace); i >= 0 && !strings.Contains(rest[i:], ">") {
			_, size := utf8.DecodeRuneInString(rest[i:])
			s = rest[:i+size] + cut
		}
	}
	return s
}

// squeeze makes every run of white space in a snippet one space: the text
// of a note's body keeps the lines of its Markdown. The highlighter's cut
// at the start is followed by no space.
func squeeze(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if rest, ok := strings.CutPrefix(s, cut+" "); ok {
		s = cut + rest
	}
	return s
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

// markRE finds the words bleve's highlighter marked in a snippet.
var markRE = regexp.MustCompile(`<mark>([^<]*)</mark>`)

// typos tells, for each word of the reader's that no note has, which
// word the hits have in its place: of the words their snippets mark but
// no word of the reader's matches as written, the nearest to it, in the
// reader's form where it can be told (see inForm).
func (ix *Index) typos(p *plan, hits []Hit) []Typo {
	if len(p.typos) == 0 {
		return nil // nothing to look for in the snippets
	}
	var marks []misspelt // what the snippets have, and its term
	for _, h := range hits {
		for _, m := range markRE.FindAllStringSubmatch(h.Snippet, -1) {
			mark := html.UnescapeString(m[1])
			if toks := ix.analyze(mark); len(toks) == 1 && !slices.Contains(p.terms, string(toks[0].Term)) {
				marks = append(marks, misspelt{word: foldWord(mark), term: string(toks[0].Term)})
			}
		}
	}
	out := make([]Typo, 0, len(p.typos))
	for _, w := range p.typos {
		best, bestD := "", 0
		for _, m := range marks {
			form := inForm(m, w)
			if d := bsearch.LevenshteinDistance(form, w.word); best == "" || d < bestD {
				best, bestD = form, d
			}
		}
		out = append(out, Typo{Word: w.word, As: best})
	}
	return out
}

// inForm is the word m in the form of the word w, when the typo is in the
// stem: m's stem with w's ending, where the stemmer cut w where it cut m
// («выставку» in the form of «выстафка» is «выставка»). Otherwise, as where
// a stem is a letter longer (делегаци-и, делегацы-я), m as it is.
func inForm(m, w misspelt) string {
	if !strings.HasPrefix(m.word, m.term) || !strings.HasPrefix(w.word, w.term) ||
		utf8.RuneCountInString(m.term) != utf8.RuneCountInString(w.term) {
		return m.word
	}
	return m.term + w.word[len(w.term):]
}
