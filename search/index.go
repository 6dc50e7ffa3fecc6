package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// ErrNoIndex means that a folder holds no search index.
var ErrNoIndex = errors.New("no search index")

// ErrClosed is the error of a search on a closed index.
var ErrClosed = errors.New("search index closed")

// Index is an index opened for searching. It is safe for use by many
// goroutines at once.
type Index struct {
	// mu is held for reading by every search and for writing by Close, so
	// that Close waits for the searches under way.
	mu       sync.RWMutex
	closed   bool
	dir      string
	alias    bleve.IndexAlias
	shards   []bleve.Index
	analyzer analysis.Analyzer
	table    *table
	vocab    *vocab
}

// Open opens the index in dir read-only, so that any number of processes
// may search one index. An index that is missing or was written by another
// version of this package is an error that wraps ErrNoIndex.
func Open(dir string) (*Index, error) {
	data, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoIndex)
	}
	if err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil || len(m.Shards) == 0 {
		return nil, fmt.Errorf("%s: %w (unreadable %s)", dir, ErrNoIndex, manifestName)
	}
	if m.Version != formatVersion {
		return nil, fmt.Errorf("%s: %w of this version (format %d, want %d)", dir, ErrNoIndex, m.Version, formatVersion)
	}
	a, err := newAnalyzer()
	if err != nil {
		return nil, err
	}
	ix := &Index{dir: dir, analyzer: a}
	for _, name := range m.Shards {
		if !validShardName(name) {
			ix.Close()
			return nil, fmt.Errorf("%s: %w (bad shard %q)", dir, ErrNoIndex, name)
		}
		s, err := bleve.OpenUsing(filepath.Join(dir, name), map[string]any{"read_only": true})
		if err != nil {
			ix.Close()
			return nil, fmt.Errorf("search index %s: %w", filepath.Join(dir, name), err)
		}
		ix.shards = append(ix.shards, s)
	}
	ix.alias = bleve.NewIndexAlias(ix.shards...)
	// The first typo of the process would wait for the automaton builders.
	go builders()
	if ix.table, err = loadTable(ix.shards); err != nil {
		ix.Close()
		return nil, err
	}
	if ix.vocab, err = loadVocab(ix.shards); err != nil {
		ix.Close()
		return nil, err
	}
	return ix, nil
}

func validShardName(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil && len(s) <= 4
}

// Close closes the index once the searches under way are done; later
// searches fail with ErrClosed.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return nil
	}
	ix.closed = true
	var errs []error
	for _, s := range ix.shards {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// Len returns the number of documents in the index.
func (ix *Index) Len() int { return len(ix.table.urls) }

// Dir returns the folder the index was opened from.
func (ix *Index) Dir() string { return ix.dir }

// Result is one page of hits with the facets of every hit.
type Result struct {
	Query Query // as searched: Page and PerPage filled in, Sort resolved
	Total int
	Took  time.Duration
	Hits  []Hit
	// Facets count the hits by region, sector, kind and year, most first.
	Facets Facets
}

// Hit is one note found.
type Hit struct {
	URL     string
	Title   string
	Date    time.Time // the day
	End     time.Time // zero for a one-day event
	Kind    string    // slug
	Regions []string  // slugs
	Sectors []string  // slugs
	Summary string
	// Snippet is HTML: the matched words in <mark>, the rest escaped. It is
	// from the body where a word matched there, else from the summary, else
	// the summary as it is.
	Snippet string
	Score   float64
}

// Facets count the hits of a search.
type Facets struct {
	Regions, Sectors, Kinds, Years []FacetCount
}

// FacetCount is one value of a facet: a slug, or a year, with its count.
type FacetCount struct {
	Value string
	Count int
}

// Fields a hit is shown with, besides what the table holds.
var hitFields = []string{fieldTitle, fieldSummary, fieldBody, fieldEnd, fieldRegions, fieldSectors}

// Search runs q. Whatever the reader typed, the query is built from
// analysed terms, never handed to a parser, so that only a broken index or
// a cancelled ctx make it fail. A page past the last is empty.
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
	text := ParseText(q.Q)
	tq, scored := ix.textQuery(text)
	if q.Sort == SortDefault {
		q.Sort = SortDate
		if scored {
			q.Sort = SortRelevance
		}
	}
	byScore := scored && q.Sort == SortRelevance

	t := ix.table
	f := t.filter(q)
	// Pages past any possible hit are empty: nothing to keep but counts,
	// and (page-1)*per_page must not overflow.
	from := q.PerPage * min(q.Page-1, len(t.urls)/q.PerPage+1)
	keep := min(from+q.PerPage, len(t.urls))

	var c *counts
	var page []ranked
	total := 0
	switch {
	case f.none:
		c = t.newCounts()
	case tq == nil:
		// No words: the table alone, already in date order.
		c = t.newCounts()
		for _, r := range t.byDate {
			if !t.match(&f, r) {
				continue
			}
			if total >= from && total < keep {
				page = append(page, ranked{row: r})
			}
			total++
			t.count(c, r)
		}
	default:
		var top []ranked
		var err error
		if c, top, total, err = ix.collect(ctx, tq, &f, byScore, keep); err != nil {
			return nil, err
		}
		if from < len(top) {
			page = top[from:]
		}
	}
	out := &Result{Query: q, Total: total, Facets: t.facets(c)}
	if len(page) > 0 {
		hits, err := ix.hits(ctx, page, tq)
		if err != nil {
			return nil, err
		}
		out.Hits = hits
	}
	out.Took = time.Since(start)
	return out, nil
}

// ranked is a matching row with its score.
type ranked struct {
	row   int32
	score float64
}

// collect runs the text query on every shard at once and passes each match
// through the filter into the counts and the best keep rows, in order.
func (ix *Index) collect(ctx context.Context, tq query.Query, f *filter, byScore bool, keep int) (*counts, []ranked, int, error) {
	t := ix.table
	type part struct {
		c     *counts
		top   *topN
		total int
		err   error
	}
	parts := make([]part, len(ix.shards))
	var wg sync.WaitGroup
	for i, s := range ix.shards {
		wg.Go(func() {
			p := &parts[i]
			p.c = t.newCounts()
			p.top = newTopN(keep, byScore, t.rank)
			p.err = eachMatch(ctx, s, tq, byScore, func(num uint64, score float64) {
				rows := t.shardRows[i]
				if num >= uint64(len(rows)) {
					return
				}
				r := rows[num]
				if r < 0 || !t.match(f, r) {
					return
				}
				p.total++
				t.count(p.c, r)
				p.top.push(ranked{r, score})
			})
		})
	}
	wg.Wait()
	c := t.newCounts()
	all := newTopN(keep, byScore, t.rank)
	total := 0
	for _, p := range parts {
		if p.err != nil {
			return nil, nil, 0, p.err
		}
		total += p.total
		c.add(p.c)
		for _, r := range p.top.items {
			all.push(r)
		}
	}
	return c, all.sorted(), total, nil
}

// eachMatch calls fn with the number and score of every document of the
// shard that matches q, scoring only when asked.
func eachMatch(ctx context.Context, s bleve.Index, q query.Query, score bool, fn func(num uint64, score float64)) error {
	adv, err := s.Advanced()
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	defer r.Close()
	opts := bsearch.SearcherOptions{}
	if !score {
		opts.Score = "none"
	}
	searcher, err := q.Searcher(ctx, r, mappingForSearch, opts)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	defer searcher.Close()
	sctx := &bsearch.SearchContext{
		DocumentMatchPool: bsearch.NewDocumentMatchPool(searcher.DocumentMatchPoolSize(), 0),
		IndexReader:       r,
	}
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		dm, err := searcher.Next(sctx)
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		if dm == nil {
			return nil
		}
		fn(docNum(dm.IndexInternalID), dm.Score)
		sctx.DocumentMatchPool.Put(dm)
	}
}

// mappingForSearch is the mapping queries are built against: they name
// their fields and analyzer, so it only has to know the analyzer.
var mappingForSearch = newMapping()

// topN keeps the best n rows seen: by score, then date, or by date alone.
type topN struct {
	n       int
	byScore bool
	rank    []int32
	items   []ranked // a heap with the worst kept row first
}

func newTopN(n int, byScore bool, rank []int32) *topN {
	return &topN{n: n, byScore: byScore, rank: rank}
}

// better reports whether a comes before b.
func (h *topN) better(a, b ranked) bool {
	if h.byScore && a.score != b.score {
		return a.score > b.score
	}
	return h.rank[a.row] < h.rank[b.row]
}

func (h *topN) push(x ranked) {
	if h.n == 0 {
		return
	}
	if len(h.items) < h.n {
		h.items = append(h.items, x)
		h.up(len(h.items) - 1)
		return
	}
	if !h.better(x, h.items[0]) {
		return
	}
	h.items[0] = x
	h.down(0)
}

func (h *topN) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.better(h.items[p], h.items[i]) {
			break
		}
		h.items[p], h.items[i] = h.items[i], h.items[p]
		i = p
	}
}

func (h *topN) down(i int) {
	for {
		l, worst := 2*i+1, i
		if l < len(h.items) && h.better(h.items[worst], h.items[l]) {
			worst = l
		}
		if r := l + 1; r < len(h.items) && h.better(h.items[worst], h.items[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		h.items[i], h.items[worst] = h.items[worst], h.items[i]
		i = worst
	}
}

// sorted returns the rows kept, best first.
func (h *topN) sorted() []ranked {
	out := slices.Clone(h.items)
	slices.SortFunc(out, func(a, b ranked) int {
		switch {
		case h.better(a, b):
			return -1
		case h.better(b, a):
			return 1
		}
		return 0
	})
	return out
}

// hits loads what the page's hits show. Locations of the matched words are
// asked for only now, for these few documents: collecting them for every
// match of a common word would cost more than the search itself.
func (ix *Index) hits(ctx context.Context, page []ranked, tq query.Query) ([]Hit, error) {
	t := ix.table
	ids := make([]string, len(page))
	for i, p := range page {
		ids[i] = t.urls[p.row]
	}
	var q query.Query = bleve.NewDocIDQuery(ids)
	if tq != nil {
		q = bleve.NewConjunctionQuery(q, tq)
	}
	req := bleve.NewSearchRequestOptions(q, len(ids), 0, false)
	req.Fields = hitFields
	req.IncludeLocations = tq != nil
	req.Score = "none"
	res, err := ix.alias.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	byID := make(map[string]*bsearch.DocumentMatch, len(res.Hits))
	for _, h := range res.Hits {
		byID[h.ID] = h
	}
	hits := make([]Hit, 0, len(page))
	for _, p := range page {
		r := p.row
		h := Hit{
			URL:     t.urls[r],
			Date:    dayTime(t.day[r]),
			Regions: t.names(&t.regionNames, t.regions[t.regOff[r]:t.regOff[r+1]]),
			Sectors: t.names(&t.sectorNames, t.sectors[t.secOff[r]:t.secOff[r+1]]),
			Score:   p.score,
		}
		if int(t.kind[r]) < len(t.kinds.names) {
			h.Kind = t.kinds.names[t.kind[r]]
		}
		if d := byID[h.URL]; d != nil {
			h.Title = str(d.Fields[fieldTitle])
			h.Summary = str(d.Fields[fieldSummary])
			h.End, _ = time.Parse(time.DateOnly, str(d.Fields[fieldEnd]))
			h.Regions = strs(d.Fields[fieldRegions])
			h.Sectors = strs(d.Fields[fieldSectors])
			h.Snippet = snippet(d, h.Summary, str(d.Fields[fieldBody]))
		}
		hits = append(hits, h)
	}
	return hits, nil
}

// names returns the values of ids.
func (t *table) names(d *dict, ids []uint16) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = d.names[id]
	}
	return out
}

// dayTime turns YYYYMMDD into a time at midnight UTC.
func dayTime(d int32) time.Time {
	return time.Date(int(d/10000), time.Month(d/100%100), int(d%100), 0, 0, 0, 0, time.UTC)
}

// textQuery makes the bleve query of a reader's text, or nil when the
// text asks for nothing. scored reports whether it has words or phrases to
// rank by; with exclusions alone it matches every other note.
func (ix *Index) textQuery(t Text) (q query.Query, scored bool) {
	var must []query.Query
	fuzzy := maxFuzzyTokens
	for _, w := range t.Words {
		for _, tok := range ix.analyzer.Analyze([]byte(w)) {
			must = append(must, ix.wordQuery(w, tok, &fuzzy))
		}
	}
	for _, p := range t.Phrases {
		if pq := ix.phraseQuery(p); pq != nil {
			must = append(must, pq)
		}
	}
	var mustNot []query.Query
	for _, w := range t.ExcludedWords {
		toks := ix.analyzer.Analyze([]byte(w))
		switch {
		case len(toks) == 1:
			mustNot = append(mustNot, termQuery(string(toks[0].Term)))
		case len(toks) > 1:
			// Several words written as one («Российско-Китайский»): exclude them together.
			mustNot = append(mustNot, ix.phraseQuery(w))
		}
	}
	for _, p := range t.ExcludedPhrases {
		if pq := ix.phraseQuery(p); pq != nil {
			mustNot = append(mustNot, pq)
		}
	}
	if len(must)+len(mustNot) == 0 {
		return nil, false
	}
	scored = len(must) > 0
	if !scored {
		must = append(must, bleve.NewMatchAllQuery())
	}
	b := bleve.NewBooleanQuery()
	b.AddMust(must...)
	b.AddMustNot(mustNot...)
	return b, scored
}

// maxFuzzyTokens is how many tokens of one query may match with typos.
const maxFuzzyTokens = 8

// fuzzyBoost weighs a match within an edit distance against an exact one,
// so that a typo finds a note but exact matches come first.
const fuzzyBoost = 0.2

// termQuery matches an analysed term in any text field.
func termQuery(term string) query.Query {
	return bleve.NewDisjunctionQuery(termAlternatives(nil, term)...)
}

func termAlternatives(alts []query.Query, term string) []query.Query {
	for _, f := range textFields {
		tq := bleve.NewTermQuery(term)
		tq.SetField(f.name)
		tq.SetBoost(f.boost)
		alts = append(alts, tq)
	}
	return alts
}

// wordQuery matches a token of a reader's word in any text field, exactly
// or, in a word of five letters or more, with a typo: one edit, two from
// ten letters. A typo may change what the stemmer cuts off («Демешен» stems
// to «демеш»), so both the stem and the whole word are tried within that
// distance of the stems in the index. The first letter must be right: it
// keeps «мостов» from finding «гости» and the dictionary walk short. A
// word that many notes have is taken as written: it is no typo, and its
// neighbours would only slow the search and crowd the hits. Numbers and
// Chinese are matched exactly.
//
// Only the first maxFuzzyTokens tokens of a query may be looked up so, and
// only words of up to 30 letters: a 500-character query of made-up words
// must not build a thousand automata.
func (ix *Index) wordQuery(word string, tok *analysis.Token, fuzzyLeft *int) query.Query {
	term := string(tok.Term)
	alts := termAlternatives(nil, term)
	if tok.Type != analysis.AlphaNumeric {
		return bleve.NewDisjunctionQuery(alts...)
	}
	whole := foldWord(word[tok.Start:tok.End])
	n := utf8.RuneCountInString(whole)
	fuzziness := 0
	switch {
	case n >= 10:
		fuzziness = 2
	case n >= 5:
		fuzziness = 1
	}
	if fuzziness == 0 || n > 30 || *fuzzyLeft <= 0 || ix.vocab.count(term) > max(2, len(ix.table.urls)/1000) {
		return bleve.NewDisjunctionQuery(alts...)
	}
	*fuzzyLeft--
	seen := map[string]bool{term: true}
	for _, form := range []string{term, whole} {
		for _, c := range ix.vocab.near(form, fuzziness) {
			if seen[c] {
				continue
			}
			seen[c] = true
			for _, f := range textFields {
				tq := bleve.NewTermQuery(c)
				tq.SetField(f.name)
				tq.SetBoost(f.boost * fuzzyBoost)
				alts = append(alts, tq)
			}
		}
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// phraseQuery matches the words of p in order in any text field, or
// returns nil when p has no word the analyzer keeps.
func (ix *Index) phraseQuery(p string) query.Query {
	toks := ix.analyzer.Analyze([]byte(p))
	switch len(toks) {
	case 0:
		return nil
	case 1:
		return termQuery(string(toks[0].Term))
	}
	var alts []query.Query
	for _, f := range textFields {
		pq := bleve.NewMatchPhraseQuery(p)
		pq.SetField(f.name)
		pq.Analyzer = analyzerName
		pq.SetBoost(f.boost)
		alts = append(alts, pq)
	}
	return bleve.NewDisjunctionQuery(alts...)
}

// str returns a stored field as a string.
func str(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		if len(v) > 0 {
			return str(v[0])
		}
	}
	return ""
}

// strs returns a stored field as strings: bleve gives a field of one value
// as that value, of several as a list.
func strs(v any) []string {
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
