package search

import (
	"context"
	"fmt"
	"slices"
	"sync"

	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// The reference the searches in rows are tested against: bleve's own
// searchers, each match handed over one by one, as Search ran before.

// collect runs the text query on the snapshot of every shard at once and
// passes each match through the filter into the counts and the best keep
// rows, in order.
func collect(ctx context.Context, v *view, tq query.Query, f *filter, byScore bool, keep int) (*counts, []ranked, int, error) {
	t := v.table
	type part struct {
		c     *counts
		top   *topN
		total int
		err   error
	}
	parts := make([]part, len(v.readers))
	var wg sync.WaitGroup
	for i, r := range v.readers {
		wg.Go(func() {
			p := &parts[i]
			p.c = t.newCounts()
			p.top = newTopN(keep, byScore, t.rank)
			p.err = eachMatch(ctx, r, tq, byScore, func(num uint64, score float64) {
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
// snapshot r that matches q, scoring only when asked.
func eachMatch(ctx context.Context, r index.IndexReader, q query.Query, score bool, fn func(num uint64, score float64)) error {
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

// match reports whether row r passes the filter, row by row: what
// rowBits.filter does with bitsets.
func (t *table) match(f *filter, r int32) bool {
	if f.from != 0 && t.day[r] < f.from || f.to != 0 && t.day[r] > f.to {
		return false
	}
	if len(f.kinds) > 0 && !slices.Contains(f.kinds, t.kind[r]) {
		return false
	}
	if len(f.regions) > 0 {
		have := t.regions[t.regOff[r]:t.regOff[r+1]]
		for _, id := range f.regions {
			if !slices.Contains(have, id) {
				return false
			}
		}
	}
	if len(f.sectors) > 0 {
		have := t.sectors[t.secOff[r]:t.secOff[r+1]]
		for _, id := range f.sectors {
			if !slices.Contains(have, id) {
				return false
			}
		}
	}
	return true
}
