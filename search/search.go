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

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/coopdigest/digest/russian"
	"github.com/hbollon/go-edlib"
)

// Result is one page of hits with the facets of every hit.
type Result struct {
	Query  Query // as searched: Page and PerPage filled in, Sort resolved
	Total  int
	Took   time.Duration
	Hits   []Hit
	Facets Facets
	// Typos are the reader's words that no note has as written, when the
	// hits were found by matching them with a typo; empty when there are
	// no hits.
	Typos []Typo
	// Ranked reports whether the text had words or phrases to rank the
	// hits by; with exclusions alone, or words that were all ignored, the
	// hits come by date in either order.
	Ranked bool
	// Ignored are the reader's words and phrases, each cut to EchoRunes
	// characters, when the index keeps nothing of any of them: stop words
	// («и», «после») and words of more than 100 letters. The search then
	// matched every note that the exclusions and filters let pass.
	Ignored []string
	// Layout is the text searched in the reader's place, when what they
	// typed found nothing and the same keys in the other keyboard layout
	// do («[f,fhjdcr» is «хабаровск»; see russian.OtherLayout); "" otherwise.
	Layout string
	// Missing are the reader's words that no note has, which the search
	// left out when it found nothing with them («governor Хабаровск»);
	// empty otherwise.
	Missing []string
	// listed says that a word was taken as a name the notes list, with no
	// typos (see Search).
	listed bool
	// excludes says that the query excludes words, dates or phrases.
	excludes bool
}

// Typo is a reader's word that matched only with a typo: the word as
// typed, folded (lower case, ё as е), and As, the word the page's hits
// have in its place, as their snippets mark it; As is empty when no
// snippet on the page shows it.
type Typo struct {
	Word string `json:"word"`
	As   string `json:"as"`
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
	// cut from the body where a word matched there, else from the summary,
	// else it is the summary as it is, else the start of the body (see
	// snippet).
	Snippet string
	Score   float64

	row int32 // in the table searched
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

// Search runs q. The query is made of bleve's query objects from analysed
// terms, never a query parser's, so only a broken index or a cancelled ctx
// make it fail. A page past the last is empty. When the words find
// nothing, the first retry that finds something is the result: with typos
// of listed names, in the other keyboard layout (Layout), with looser typos
// (typoLoose), without the words no note has (Missing).
//
// Matches are collected into the index's table, where filters, facets and
// the order by date run; a second search, of the page's hits alone, finds
// where the words are for the snippets.
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	res, err := ix.search(ctx, q, typoRare)
	if err != nil || res.Total > 0 || !res.Ranked {
		return res, err
	}
	took := res.Took
	// again searches text instead, in mode: ok when it found something or
	// failed, with the time of the tries before; or else it counts its time
	// with theirs. The reader's query is kept, for links.
	again := func(text string, mode typoMode) (other *Result, ok bool, err error) {
		typed := q
		typed.Q = text
		if other, err = ix.search(ctx, typed, mode); err != nil {
			return nil, true, err
		}
		if other.Total == 0 {
			took += other.Took
			return nil, false, nil
		}
		other.Took += took
		other.Query.Q = q.Q
		return other, true, nil
	}
	if res.listed {
		// A name the notes list, taken as written, found nothing: it may
		// be a typo of another («Лю Юньжу» for Лю Юнжу, where Юй Юньжу is
		// listed too).
		if other, ok, err := again(q.Q, typoNames); ok {
			return other, err
		}
	}
	if alt, ok := russian.OtherLayout(q.Q, ix.knows); ok {
		if other, ok, err := again(alt, typoRare); ok {
			if other != nil {
				other.Layout, other.Typos = alt, nil // the typos are of words the reader did not type
			}
			return other, err
		}
	}
	// Not for a query that excludes words, which may be why it finds
	// nothing («Пенза -Пензу»), and whose НЕ may read otherwise without a
	// word («ХАБАРОВСК НЕ ХАРБИН governor»): as a last resort, words cut
	// short or two letters off, then without the words no note has, if
	// others are left to find.
	if !res.excludes {
		if other, ok, err := again(q.Q, typoLoose); ok {
			return other, err
		}
		kept, missing, spent, err := ix.withoutUnknown(ctx, q.Q)
		if err != nil {
			return nil, err
		}
		took += spent
		if len(missing) > 0 {
			if other, ok, err := again(kept, typoRare); ok {
				if other != nil {
					other.Missing = missing
				}
				return other, err
			}
		}
	}
	res.Took = took
	return res, nil
}

// maxMissing is how many words withoutUnknown searches alone, at most: each
// is a search, and a query of more words no note has is no reader's.
const maxMissing = 4

// withoutUnknown returns the reader's text without its non-Russian words
// that must match and find nothing alone, in any form or script
// («governor», «俄罗斯»), those words without their punctuation, and the
// time their searches took. None when more than maxMissing words have
// unknown terms, when no other word is left, or when the text has
// alternatives, which a word left out would regroup.
func (ix *Index) withoutUnknown(ctx context.Context, text string) (kept string, missing []string, took time.Duration, err error) {
	t := ParseText(text)
	if len(t.Alternatives) > 0 {
		return text, nil, 0, nil
	}
	var unknown []string
	searched := len(t.Phrases) > 0
	ix.mu.RLock()
	if !ix.closed {
		MapWords(text, func(w string) string {
			n := ix.knownTerms(w)
			// A number is kept: a day or a year no note has is what was
			// asked. So is a Russian word: a draft's, or a typo too far.
			if n < 0 && !strings.ContainsFunc(w, func(r rune) bool { return unicode.IsDigit(r) || unicode.Is(unicode.Cyrillic, r) }) {
				unknown = append(unknown, w)
			}
			searched = searched || n > 0
			return w
		})
	}
	ix.mu.RUnlock()
	if len(unknown) > maxMissing {
		return text, nil, 0, nil
	}
	var dropped []string
	for _, w := range unknown {
		res, err := ix.search(ctx, Query{Q: w, Page: 1, PerPage: 1}, typoLoose)
		if err != nil {
			return text, nil, took, err
		}
		took += res.Took
		if res.Total > 0 && res.Ranked { // not a word the plan leaves out («the»)
			searched = true
		} else if res.Total == 0 && !slices.Contains(dropped, w) {
			dropped = append(dropped, w)
			missing = append(missing, printable(strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })))
		}
	}
	if !searched || len(dropped) == 0 {
		return text, nil, took, nil
	}
	return MapWords(text, func(w string) string {
		if slices.Contains(dropped, w) {
			return ""
		}
		return w
	}), missing, took, nil
}

// search is Search of the text as typed, typos looked for as mode says.
func (ix *Index) search(ctx context.Context, q Query, mode typoMode) (*Result, error) {
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
	p := ix.plan(ParseText(q.Q), mode)
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
		b := query.NewBooleanQuery(p.must, p.should, p.mustNot)
		// The events of the years, dates and regions named come first:
		// scores do not tell them from notes that write the date, or from
		// regions whose names share a stem.
		rows, top, err = t.collect(ctx, b, ix.mapping, filter, t.leading(p.years, p.dates, p.regions), keep)
	case len(p.mustNot) > 0:
		var out *roaring.Bitmap
		if out, _, err = t.collect(ctx, bleve.NewDisjunctionQuery(p.mustNot...), ix.mapping, filter, nil, 0); err == nil {
			rows = roaring.AndNot(cmp.Or(filter, t.all), out)
		}
	default:
		rows = cmp.Or(filter, t.all)
	}
	if err != nil {
		return nil, err
	}
	out := &Result{Query: q, Total: int(rows.GetCardinality()), Facets: t.facets(rows), Ranked: p.scored(), Ignored: p.ignored, listed: p.listed,
		excludes: len(p.mustNot) > 0}
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
	var docs []index.Document
	if out.Hits, docs, err = ix.hits(ctx, t, page, p); err != nil {
		return nil, err
	}
	if out.Total > 0 {
		out.Typos = ix.typos(p, out.Hits)
		// After the typos, which are told by the marks of the reader's own
		// words.
		if err := ix.markNames(ctx, t, out.Hits, docs, p); err != nil {
			return nil, err
		}
	}
	out.Took = time.Since(start)
	return out, nil
}

// hits loads the stored fields of the page's rows from the table's
// snapshot, with their snippets, which mark where the reader's words match
// in the summary and body (see locate). It returns each hit's stored
// document too.
func (ix *Index) hits(ctx context.Context, t *table, page []ranked, p *plan) ([]Hit, []index.Document, error) {
	if len(page) == 0 {
		return nil, nil, nil
	}
	at := make(map[int32]int, len(page)) // row → place on the page
	rows := make([]int32, len(page))
	for i, r := range page {
		at[r.row], rows[i] = i, r.row
	}
	hits := make([]*Hit, len(page))
	docs := make([]index.Document, len(page))
	marks := func(int) []query.Query { return p.marks }
	err := ix.locate(ctx, t, rows, marks, func(row int32, locs bsearch.FieldTermLocationMap) error {
		doc, err := t.readers[t.shard[row]].Document(t.urls[row])
		if err != nil {
			return err
		}
		h := hitOf(doc, t.urls[row], locs)
		h.Score, h.row = page[at[row]].score, row
		hits[at[row]], docs[at[row]] = h, doc
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	out := make([]Hit, 0, len(page))
	outDocs := make([]index.Document, 0, len(page))
	for i, h := range hits {
		if h != nil {
			out = append(out, *h)
			outDocs = append(outDocs, docs[i])
		}
	}
	return out, outDocs, nil
}

// locate runs, on each shard, a search of the notes of rows there alone
// for marks(shard), which need not match, and calls fn with each note's
// row and the places of the marks' matches in it, which bleve's term
// vectors give.
func (ix *Index) locate(ctx context.Context, t *table, rows []int32, marks func(shard int) []query.Query,
	fn func(row int32, locs bsearch.FieldTermLocationMap) error) error {
	opts := bsearch.SearcherOptions{Score: bleve.ScoreNone, IncludeTermVectors: true}
	for s, r := range t.readers {
		var ids []string
		for _, row := range rows {
			if t.shard[row] == s {
				ids = append(ids, t.urls[row])
			}
		}
		if len(ids) == 0 {
			continue
		}
		q := query.NewBooleanQuery([]query.Query{bleve.NewDocIDQuery(ids)}, marks(s), nil)
		err := eachMatch(ctx, r, q, ix.mapping, opts, func(dm *bsearch.DocumentMatch) error {
			row := t.rowOf[s].row(dm.IndexInternalID)
			if row == noRow {
				return nil // not in the table: no search finds it
			}
			dm.Complete(nil)
			return fn(row, dm.Locations)
		})
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
	}
	return nil
}

// hitOf makes the hit id of its stored document, with its snippet (see
// snippetOf); locs are the places of the matches of the reader's words.
func hitOf(doc index.Document, id string, locs bsearch.FieldTermLocationMap) *Hit {
	h := &Hit{URL: id}
	if doc == nil {
		return h // not in the snapshot whose search found it: cannot be
	}
	doc.VisitFields(func(f index.Field) {
		switch f.Name() {
		case fieldTitle:
			h.Title = textOf(f)
		case fieldSummary:
			h.Summary = textOf(f)
		case fieldKind:
			h.Kind = textOf(f)
		case fieldRegions:
			h.Regions = append(h.Regions, textOf(f))
		case fieldSectors:
			h.Sectors = append(h.Sectors, textOf(f))
		case fieldDate:
			h.Date = timeOf(f)
		case fieldEnd:
			h.End = timeOf(f)
		}
	})
	h.Snippet = snippetOf(doc, h.Summary, locs)
	return h
}

// snippetOf is the snippet of a hit whose stored document is doc and
// summary summary, where locs are the places of its matches: of the body
// where a word matched there, else of the summary where one did, else the
// summary whole, else the start of the body.
func snippetOf(doc index.Document, summary string, locs bsearch.FieldTermLocationMap) string {
	switch {
	case len(locs[fieldBody]) > 0 || summary == "" && len(locs[fieldSummary]) == 0:
		var body string
		doc.VisitFields(func(f index.Field) {
			if f.Name() == fieldBody {
				body = textOf(f)
			}
		})
		return bodySnippet(body, locs[fieldBody])
	case len(locs[fieldSummary]) > 0:
		return snippet(summary, locs[fieldSummary])
	}
	var w snippetWriter
	w.text(summary)
	return w.b.String()
}

// textOf is the text of a stored field.
func textOf(f index.Field) string {
	if t, ok := f.(index.TextField); ok {
		return t.Text()
	}
	return string(f.Value())
}

// timeOf is the time of a stored datetime field, in UTC; zero if it is not
// one.
func timeOf(f index.Field) time.Time {
	if d, ok := f.(index.DateTimeField); ok {
		if t, _, err := d.DateTime(); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// markRE finds the words a snippet marks.
var markRE = regexp.MustCompile(`<mark>([^<]*)</mark>`)

// typos tells, for each word of the reader's that no note has, which
// word the hits have in its place: of the words their snippets mark but
// no word of the reader's matches as written, the nearest to it (see
// shownAs).
func (ix *Index) typos(p *plan, hits []Hit) []Typo {
	if len(p.typos) == 0 {
		return nil // nothing to look for in the snippets
	}
	var marks []misspelt // what the snippets have, and its term
	for _, h := range hits {
		for _, m := range markRE.FindAllStringSubmatch(h.Snippet, -1) {
			mark := html.UnescapeString(m[1])
			if strings.ContainsFunc(mark, func(r rune) bool { return r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
				continue // «говорит:я», one token to the analyzer
			}
			if toks := ix.analyze(mark); len(toks) == 1 && !slices.Contains(p.terms, string(toks[0].Term)) {
				marks = append(marks, misspelt{word: foldWord(mark), term: string(toks[0].Term)})
			}
		}
	}
	out := make([]Typo, 0, len(p.typos))
	for _, w := range p.typos {
		out = append(out, Typo{Word: w.word, As: cmp.Or(w.as, shownAs(w, marks))})
	}
	return out
}

// maxShownEdits is how far, in letters, what a typo is shown as may be
// from the reader's word: a mark further off is some other word's
// («отделение» for «Хуэйвян»).
const maxShownEdits = 3

// shownAs returns what the reader's word w that matched with a typo is
// shown as: a word the page's snippets mark, as they write it. (The
// reader's ending on the mark's stem is as often no word: «Воплов» of
// «вопль» for «Воклов».) The nearest to w, within maxShownEdits, and of
// those the one most marks have, as a name one letter away may be marked
// too («Юньбу» of «Юньжу», beside the «Юнжу» of most hits); of a word cut
// short (typoLoose), the word most marks start with («пров»: провинции),
// when their stems are one word's, each starting with the shortest
// («хэйлунцзя», «хэйлунцзянск»); "" when none will do.
func shownAs(w misspelt, marks []misspelt) string {
	var words []string
	count, stem := map[string]int{}, map[string]string{}
	for _, m := range marks {
		if count[m.word]++; count[m.word] == 1 {
			words, stem[m.word] = append(words, m.word), m.term
		}
	}
	best, root := "", ""
	for _, word := range words {
		if !strings.HasPrefix(word, w.word) {
			continue
		}
		switch s := stem[word]; {
		case root == "" || strings.HasPrefix(root, s):
			root = s
		case !strings.HasPrefix(s, root):
			return "" // «Фёдо»: Федотов, Федосеев, Фёдор
		}
		if best == "" || count[word] > count[best] {
			best = word
		}
	}
	if best != "" {
		return best
	}
	bestD := maxShownEdits + 1
	for _, word := range words {
		// In letters, where bleve's Levenshtein counts bytes (two to a
		// Cyrillic letter), and a transposition one edit («вемсте»).
		if d := edlib.OSADamerauLevenshteinDistance(word, w.word); d < bestD || d == bestD && count[word] > count[best] {
			best, bestD = word, d
		}
	}
	return best
}
