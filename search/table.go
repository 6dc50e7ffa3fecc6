package search

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/numeric"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/coopdigest/digest/dates"
)

// table is the doc values of a snapshot of the index in memory: a row per
// note, newest first, and the rows of each region, sector and kind as a
// bitmap. Filters, facets and the order by date run on it, and matches are
// collected into it from bleve's searchers (collect). bleve's own facets
// and sort, which decode every hit's doc values, took most of a search's
// time (docs/BENCHMARKS.md); here a filter is an intersection of bitmaps,
// a date range a range of rows, a facet a count over rows.
//
// A table holds open the snapshot of each shard it was read from, whose
// internal IDs its rows map; Update makes a new table, and the old one
// closes its snapshots when its last search is done.
type table struct {
	// refs counts the index's reference and one per search using the
	// table; at zero the snapshots are closed.
	refs    atomic.Int64
	readers []index.IndexReader
	rowOf   []rowIndex // by shard: a match's internal ID → row
	shard   []int      // by row
	urls    []string   // by row
	days    []int32    // by row: days since 1970-01-01, newest first
	ends    []int32    // by row: the last day of an event of several, or 0
	longest int32      // the most days an event lasts after its first
	all     *roaring.Bitmap
	rowsOf  map[facetTerm]*roaring.Bitmap // the rows of each region, sector and kind
	// terms lists the regions, sectors and kinds by number, and every row
	// the numbers of its own from rowTerms[rowStart[row]] to before
	// rowTerms[rowStart[row+1]]: facets count the rows of a search there.
	terms    []facetTerm
	rowStart []uint32
	rowTerms []uint16

	// typoDict returns the snapshots' typo dictionary, built on first use:
	// an index updated at every save (serve --watch) seldom needs one.
	typoDict func() (*typoDict, error)
}

// facetTerm is a value of a facet.
type facetTerm struct {
	facet int // facetRegions, facetSectors or facetKinds
	slug  string
}

const (
	facetRegions = iota
	facetSectors
	facetKinds
)

// loadTable reads the table of the current snapshot of every shard.
func loadTable(ctx context.Context, shards []bleve.Index, m mapping.IndexMapping) (t *table, err error) {
	t = &table{rowsOf: map[facetTerm]*roaring.Bitmap{}}
	t.refs.Store(1)
	t.typoDict = sync.OnceValues(func() (*typoDict, error) { return newTypoDict(t.readers) })
	defer func() {
		if err != nil {
			closeAll(t.readers)
		}
	}()
	type doc struct {
		shard      int
		number     uint64 // the internal ID's
		url        string
		day, end   int32
		kind       string
		regs, secs []string
	}
	var docs []*doc
	for s, sh := range shards {
		adv, err := sh.Advanced()
		if err != nil {
			return nil, fmt.Errorf("search index: %w", err)
		}
		r, err := adv.Reader()
		if err != nil {
			return nil, fmt.Errorf("search index: %w", err)
		}
		t.readers = append(t.readers, r)
		// Doc values only: the stored fields (ExternalID) would bring every
		// note's text into memory.
		dvr, err := r.DocValueReader([]string{fieldURL, fieldDate, fieldEnd, fieldKind, fieldRegions, fieldSectors})
		if err != nil {
			return nil, fmt.Errorf("search index: %w", err)
		}
		err = eachMatch(ctx, r, bleve.NewMatchAllQuery(), m, bsearch.SearcherOptions{Score: bleve.ScoreNone}, func(dm *bsearch.DocumentMatch) error {
			if len(dm.IndexInternalID) != 8 {
				return fmt.Errorf("a document's internal ID of %d bytes, not a number", len(dm.IndexInternalID))
			}
			d := &doc{shard: s, number: dm.IndexInternalID.Value()}
			docs = append(docs, d)
			return dvr.VisitDocValues(dm.IndexInternalID, func(field string, term []byte) {
				switch field {
				case fieldURL:
					d.url = string(term)
				case fieldKind:
					d.kind = string(term)
				case fieldRegions:
					d.regs = append(d.regs, string(term))
				case fieldSectors:
					d.secs = append(d.secs, string(term))
				case fieldDate:
					d.day = cmp.Or(dayOf(term), d.day)
				case fieldEnd:
					d.end = cmp.Or(dayOf(term), d.end)
				}
			})
		})
		if err != nil {
			return nil, fmt.Errorf("search index: %w", err)
		}
	}
	// Newest first, then by URL: the order of a listing.
	slices.SortFunc(docs, func(a, b *doc) int { return cmp.Or(cmp.Compare(b.day, a.day), strings.Compare(a.url, b.url)) })
	t.rowOf = make([]rowIndex, len(shards))
	for _, d := range docs {
		t.rowOf[d.shard] = t.rowOf[d.shard].with(d.number)
	}
	t.shard = make([]int, len(docs))
	t.urls = make([]string, len(docs))
	t.days = make([]int32, len(docs))
	t.ends = make([]int32, len(docs))
	t.rowStart = make([]uint32, 0, len(docs)+1)
	numbers := map[facetTerm]uint16{}
	add := func(facet int, key string, row uint32) {
		ft := facetTerm{facet, key}
		n, ok := numbers[ft]
		if !ok {
			n = uint16(len(t.terms))
			numbers[ft] = n
			t.terms = append(t.terms, ft)
			t.rowsOf[ft] = roaring.New()
		}
		t.rowsOf[ft].Add(row)
		t.rowTerms = append(t.rowTerms, n)
	}
	for i, d := range docs {
		row := uint32(i)
		t.rowOf[d.shard][d.number] = int32(i)
		t.shard[i], t.urls[i], t.days[i], t.ends[i] = d.shard, d.url, d.day, d.end
		t.longest = max(t.longest, d.end-d.day)
		t.rowStart = append(t.rowStart, uint32(len(t.rowTerms)))
		add(facetKinds, d.kind, row)
		for _, s := range d.regs {
			add(facetRegions, s, row)
		}
		for _, s := range d.secs {
			add(facetSectors, s, row)
		}
	}
	t.rowStart = append(t.rowStart, uint32(len(t.rowTerms)))
	if len(t.terms) > 1<<16 {
		return nil, fmt.Errorf("search index: %d regions, sectors and kinds, more than a table counts", len(t.terms))
	}
	t.all = roaring.New()
	t.all.AddRange(0, uint64(len(docs)))
	for _, b := range t.rowsOf {
		b.RunOptimize()
	}
	return t, nil
}

// dayOf is the day, since 1970-01-01, of a date field's doc value: one of
// the precisions a date is indexed at, the full one (shift 0); 0 for the
// others.
func dayOf(term []byte) int32 {
	p := numeric.PrefixCoded(term)
	if shift, err := p.Shift(); err == nil && shift == 0 {
		if ns, err := p.Int64(); err == nil {
			return int32(time.Unix(0, ns).Unix() / 86400)
		}
	}
	return 0
}

// rowIndex gives the row of a snapshot's document by its internal ID's
// number, which counts from 0: a slice, where a map hashed the ID of every
// match of a broad word (docs/BENCHMARKS.md).
type rowIndex []int32

// noRow is the row of a document that is not in the table.
const noRow = -1

// with returns ri long enough to hold the document numbered n, the rows
// it adds noRow.
func (ri rowIndex) with(n uint64) rowIndex {
	for uint64(len(ri)) <= n {
		ri = append(ri, noRow)
	}
	return ri
}

// row is the row of the document id, or noRow.
func (ri rowIndex) row(id index.IndexInternalID) int32 {
	if len(id) != 8 {
		return noRow
	}
	if n := id.Value(); n < uint64(len(ri)) {
		return ri[n]
	}
	return noRow
}

// acquire takes a reference unless the table is closed.
func (t *table) acquire() bool {
	for {
		n := t.refs.Load()
		if n <= 0 {
			return false
		}
		if t.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release drops a reference; the last one closes the snapshots.
func (t *table) release() error {
	if t.refs.Add(-1) != 0 {
		return nil
	}
	return closeAll(t.readers)
}

// eachMatch runs q on a snapshot and calls fn with each match, in the
// order of internal IDs. fn must not keep the match.
func eachMatch(ctx context.Context, r index.IndexReader, q query.Query, m mapping.IndexMapping, opts bsearch.SearcherOptions, fn func(*bsearch.DocumentMatch) error) error {
	s, err := q.Searcher(ctx, r, m, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	sctx := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0), IndexReader: r}
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		dm, err := s.Next(sctx)
		if err != nil {
			return err
		}
		if dm == nil {
			return nil
		}
		if err := fn(dm); err != nil {
			return err
		}
		sctx.DocumentMatchPool.Put(dm)
	}
}

// filter returns the rows that q's filters let pass, or nil for all of
// them: every region and every sector given, one of the kinds, a day from
// From to To.
func (t *table) filter(q Query) *roaring.Bitmap {
	sets := slices.Concat(t.setsOf(facetRegions, q.Regions), t.setsOf(facetSectors, q.Sectors))
	if len(q.Kinds) > 0 {
		sets = append(sets, roaring.FastOr(t.setsOf(facetKinds, q.Kinds)...))
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		lo, hi := t.rowsBetween(q.From, q.To)
		r := roaring.New()
		r.AddRange(uint64(lo), uint64(hi))
		sets = append(sets, r)
	}
	switch len(sets) {
	case 0:
		return nil
	case 1:
		return sets[0]
	}
	return roaring.FastAnd(sets...)
}

// setsOf returns the rows of each of the slugs of facet.
func (t *table) setsOf(facet int, slugs []string) []*roaring.Bitmap {
	var sets []*roaring.Bitmap
	for _, s := range slugs {
		sets = append(sets, cmp.Or(t.rowsOf[facetTerm{facet, s}], roaring.New()))
	}
	return sets
}

// leading returns the sets of rows that come first, a row in more of them
// before one in fewer (collect): the events of each region of slugs, of
// years or days, and of days. So an event of the regions on a day named
// comes first, then the regions' events of the year and the day's others.
func (t *table) leading(years []int, days []dates.Span, slugs []string) []*roaring.Bitmap {
	leads := t.setsOf(facetRegions, slugs)
	spans := slices.Clone(days)
	for _, y := range years {
		spans = append(spans, dates.Year(y))
	}
	if len(spans) > 0 {
		leads = append(leads, t.during(spans))
	}
	if len(days) > 0 {
		leads = append(leads, t.during(days))
	}
	return leads
}

// during returns the rows of the events that take place in one of spans:
// that start then, or start before and end then or later, as the query
// during matches them.
func (t *table) during(spans []dates.Span) *roaring.Bitmap {
	rows := roaring.New()
	for _, s := range spans {
		lo, hi := t.rowsBetween(s.From, s.To.AddDate(0, 0, -1))
		rows.AddRange(uint64(lo), uint64(hi))
		// The events that start before, at most t.longest days: rows
		// from hi on.
		first := dayNumber(s.From)
		for row := hi; row < len(t.days) && t.days[row] >= first-t.longest; row++ {
			if t.ends[row] >= first {
				rows.Add(uint32(row))
			}
		}
	}
	return rows
}

// rowsBetween returns the rows [lo, hi) of the days from from to to,
// inclusive; a zero time is no bound.
func (t *table) rowsBetween(from, to time.Time) (lo, hi int) {
	// The first row of the day d or of one before it: days are newest first.
	upTo := func(d int32) int {
		i, _ := slices.BinarySearchFunc(t.days, d, func(x, d int32) int { return cmp.Compare(d, x) })
		return i
	}
	hi = len(t.days)
	if !to.IsZero() {
		lo = upTo(dayNumber(to))
	}
	if !from.IsZero() {
		hi = upTo(dayNumber(from) - 1)
	}
	return lo, max(lo, hi)
}

func dayNumber(t time.Time) int32 { return int32(midnight(t).Unix() / 86400) }

// facets counts the rows of res by region, sector, kind and year.
func (t *table) facets(res *roaring.Bitmap) Facets {
	counts := make([]int, len(t.terms))
	it := res.ManyIterator()
	buf := make([]uint32, 256)
	for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
		for _, row := range buf[:n] {
			for _, id := range t.rowTerms[t.rowStart[row]:t.rowStart[row+1]] {
				counts[id]++
			}
		}
	}
	var f Facets
	lists := [...]*[]FacetCount{facetRegions: &f.Regions, facetSectors: &f.Sectors, facetKinds: &f.Kinds}
	for id, n := range counts {
		if n > 0 {
			ft := t.terms[id]
			*lists[ft.facet] = append(*lists[ft.facet], FacetCount{Value: ft.slug, Count: n})
		}
	}
	for _, l := range lists {
		slices.SortFunc(*l, func(a, b FacetCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value))
		})
	}
	// Rows are newest first: a year is a range of them.
	counted := uint64(0) // the rows of res before the year's
	for lo := 0; lo < len(t.days); {
		y := time.Unix(int64(t.days[lo])*86400, 0).UTC().Year()
		_, hi := t.rowsBetween(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{})
		n := res.Rank(uint32(hi-1)) - counted
		if n > 0 {
			f.Years = append(f.Years, FacetCount{Value: strconv.Itoa(y), Count: int(n)})
		}
		counted += n
		lo = hi
	}
	return f
}

// ranked is a matching row with its score.
type ranked struct {
	row   int32
	score float64
	// lead is how many sets of rows that come first hold the row: the
	// events of a year, a date or a region the reader named come before
	// the others, whatever their scores (see leading).
	lead int
}

// byRank orders the rows that lead first, then by score, then as rows
// are: newest first.
func byRank(a, b ranked) int {
	return cmp.Or(cmp.Compare(b.lead, a.lead), cmp.Compare(b.score, a.score), cmp.Compare(a.row, b.row))
}

// worstFirst is a heap of ranked rows with the worst on top, to keep the
// best n.
type worstFirst []ranked

func (h worstFirst) Len() int           { return len(h) }
func (h worstFirst) Less(i, j int) bool { return byRank(h[j], h[i]) < 0 }
func (h worstFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *worstFirst) Push(x any)        { *h = append(*h, x.(ranked)) }
func (h *worstFirst) Pop() any {
	x := (*h)[h.Len()-1]
	*h = (*h)[:h.Len()-1]
	return x
}

// keep adds x to the best n.
func (h *worstFirst) keep(x ranked, n int) {
	switch {
	case n == 0:
	case h.Len() < n:
		heap.Push(h, x)
	case byRank(x, (*h)[0]) < 0:
		(*h)[0] = x
		heap.Fix(h, 0)
	}
}

// collect runs q on every shard at once and returns the rows of its
// matches that filter lets pass (nil: all), and, when keep is above 0, the
// best keep of them, those in more of the sets of leads first, then by
// score.
func (t *table) collect(ctx context.Context, q query.Query, m mapping.IndexMapping, filter *roaring.Bitmap, leads []*roaring.Bitmap, keep int) (*roaring.Bitmap, []ranked, error) {
	type part struct {
		rows *roaring.Bitmap
		top  worstFirst
		err  error
	}
	parts := make([]part, len(t.readers))
	var wg sync.WaitGroup
	for s, r := range t.readers {
		wg.Go(func() {
			p := &parts[s]
			p.rows = roaring.New()
			rows := t.rowOf[s]
			opts := bsearch.SearcherOptions{}
			if keep == 0 {
				opts.Score = bleve.ScoreNone
			}
			p.err = eachMatch(ctx, r, q, m, opts, func(dm *bsearch.DocumentMatch) error {
				row := rows.row(dm.IndexInternalID)
				if row == noRow || filter != nil && !filter.Contains(uint32(row)) {
					return nil
				}
				p.rows.Add(uint32(row))
				lead := 0
				for _, set := range leads {
					if set.Contains(uint32(row)) {
						lead++
					}
				}
				p.top.keep(ranked{row, dm.Score, lead}, keep)
				return nil
			})
		})
	}
	wg.Wait()
	rows := make([]*roaring.Bitmap, 0, len(parts))
	var top []ranked
	for _, p := range parts {
		if p.err != nil {
			return nil, nil, fmt.Errorf("search: %w", p.err)
		}
		rows = append(rows, p.rows)
		top = append(top, p.top...)
	}
	slices.SortFunc(top, byRank)
	return roaring.FastOr(rows...), top[:min(len(top), keep)], nil
}
