package search

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	index "github.com/blevesearch/bleve_index_api"
)

// Searching in rows. A plan runs here rather than in bleve's searchers,
// which score, merge and hand over every match one document at a time: a
// word in most notes took tens of milliseconds. Here a word is read once
// per view into the rows of its documents with their scores (wordRows), a
// phrase is found once (phraseRows), both are kept in a cache,
// and a query is set operations on sorted rows; filters, totals and facets
// of many rows are bitsets (see rowBits).
//
// Scores are bleve's TF-IDF, exactly as its term, disjunction and
// conjunction searchers compute them on the shard a document is in: a term
// scores sqrt(freq) × norm × idf² × boost × queryNorm, a word the sum of its
// alternatives that match times the share of them that do, a query the
// sum of its words. idf counts the documents of the shard, and so does the
// query norm, 1/sqrt(Σ (boost × idf)²) over every term of the query, so
// that a query with phrases ranks as bleve would rank it.

// rowSet is what a word or a plan matches: rows in ascending order and,
// for words, their scores before the query norm.
type rowSet struct {
	rows   []int32
	scores []float32
	// weight is, for each shard, the sum of the squared weights
	// (boost × idf)² of a word's alternatives, from which the query norm is
	// computed.
	weight []float64
	// inText holds, for each term of a word, the rows that have it in the
	// text field, in ascending order: snippets look for a word only in the
	// notes that have it.
	inText map[string][]int32

	// cached tells that the set is in a view's cache, where its wholeSet
	// is worth working out.
	cached    atomic.Bool
	wholeOnce sync.Once
	wholeSet  *wholeSet
}

// wholeSet is what a search of a cached clause or plan without filters
// finds, which is the same every time: the facets and the orders of its
// rows.
type wholeSet struct {
	counts *counts
	// byScore and byDate list the indexes of the rows in the set, best
	// first and newest first.
	byScore, byDate []int32
}

// whole returns the wholeSet of s, a cached clause or plan searched without
// filters in the view v, whose query norms are norm. It is worked out at
// the first such search.
func (s *rowSet) whole(v *view, norm []float64) *wholeSet {
	s.wholeOnce.Do(func() {
		w := &wholeSet{counts: countRows(v, s.rows)}
		for _, byScore := range []bool{true, false} {
			all := s.ranked(v, norm, byScore)
			top := newTopN(0, byScore, v.table.rank)
			order := make([]int32, len(all))
			for i := range order {
				order[i] = int32(i)
			}
			slices.SortFunc(order, func(a, b int32) int { return top.compare(all[a], all[b]) })
			if byScore {
				w.byScore = order
			} else {
				w.byDate = order
			}
		}
		s.wholeSet = w
	})
	return s.wholeSet
}

// ranked returns the rows of s, with their scores when byScore; a list by
// date is not scored.
func (s *rowSet) ranked(v *view, norm []float64, byScore bool) []ranked {
	t := v.table
	out := make([]ranked, len(s.rows))
	for i, r := range s.rows {
		out[i].row = r
		if byScore {
			out[i].score = float64(s.scores[i]) * norm[t.shard[r]]
		}
	}
	return out
}

// first returns the first n rows of s in order, which lists indexes of
// its rows.
func (s *rowSet) first(v *view, norm []float64, order []int32, n int, byScore bool) []ranked {
	t := v.table
	out := make([]ranked, min(n, len(order)))
	for i := range out {
		j := order[i]
		out[i].row = s.rows[j]
		if byScore {
			out[i].score = float64(s.scores[j]) * norm[t.shard[s.rows[j]]]
		}
	}
	return out
}

// size is about the bytes the set takes, its wholeSet included.
func (s *rowSet) size() int {
	n := len(s.rows)*16 + 64
	for t, rows := range s.inText {
		n += len(t) + len(rows)*4 + 32
	}
	return n
}

// hasInText reports whether row has term in the text field.
func (s *rowSet) hasInText(term string, row int32) bool {
	_, ok := slices.BinarySearch(s.inText[term], row)
	return ok
}

// wordCacheBytes bounds the memory of a view's cache of rows: some fifty
// words in most of 100,000 notes, or thousands of rarer ones.
const wordCacheBytes = 64 << 20

// newWordCache returns a view's cache of the rows of the clauses searched
// last, words and phrases, by clause key, and of plans of several
// clauses, by plan key.
func newWordCache() *lru[string, *rowSet] {
	return newLRU(wordCacheBytes, func(key string, s *rowSet) int { return len(key) + s.size() })
}

// cache puts s in the view's cache of rows under key, unless the cache has
// rows for it already.
func (v *view) cache(key string, s *rowSet) {
	if v.words.add(key, s) {
		s.cached.Store(true)
	}
}

// clauseRows returns the rows that c matches, from the cache when it can.
func (v *view) clauseRows(ctx context.Context, c *clause) (*rowSet, error) {
	key := c.key()
	if s, ok := v.words.get(key); ok {
		return s, nil
	}
	var s *rowSet
	var err error
	if c.phrase != "" {
		s, err = v.phraseRows(ctx, c)
	} else {
		s, err = v.wordRows(ctx, c)
	}
	if err != nil {
		return nil, err
	}
	v.cache(key, s)
	return s, nil
}

// phraseRows returns the rows where the phrase c is, scored as bleve
// scores a disjunction of its phrase searchers in every text field: the
// phrase in a field scores what the conjunction of its tokens' terms
// there does, since bleve's phrase searcher checks the positions of the
// conjunction's matches and keeps its score. The notes with every term come
// from the postings (wordRows); only their positions are read.
func (v *view) phraseRows(ctx context.Context, c *clause) (*rowSet, error) {
	t := v.table
	pat := c.pattern
	ids := make([][]uint32, len(v.readers))
	for i := range ids {
		ids[i] = pat.ids(t.posDicts[i])
	}
	s := &rowSet{weight: make([]float64, len(v.readers))}
	var fields []scoredRows
	var sc phraseScratch
	for fi, f := range textFields {
		var all *rowSet
		// A term the phrase repeats counts once per token, read once.
		read := make(map[string]*rowSet, len(pat.terms))
		for k := range pat.slots {
			ts, ok := read[pat.term(k)]
			if !ok {
				var err error
				if ts, err = v.wordRows(ctx, &clause{alts: []alt{{f.name, pat.term(k), f.boost}}}); err != nil {
					return nil, err
				}
				read[pat.term(k)] = ts
			}
			for j, w := range ts.weight {
				s.weight[j] += w
			}
			if all == nil {
				all = ts
			} else {
				all = intersect(all, ts)
			}
		}
		var in scoredRows
		for i, r := range all.rows {
			if i%1024 == 0 && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			shardIDs := ids[t.shard[r]]
			if shardIDs == nil {
				continue
			}
			list := t.pos[r].text
			if fi == 0 {
				list = t.pos[r].title
			}
			if pat.in(list, shardIDs, &sc) {
				in.rows = append(in.rows, r)
				in.score = append(in.score, all.scores[i])
			}
		}
		fields = append(fields, in)
	}
	s.rows, s.scores = disjunction(fields, len(fields))
	return s, nil
}

// scoredRows are rows in ascending order with a score each.
type scoredRows struct {
	rows  []int32
	score []float32
}

// disjunction returns the rows of any of lists, each scored as bleve scores
// a disjunction of n clauses: the sum of the scores of those that match
// times their share of n.
func disjunction(lists []scoredRows, n int) ([]int32, []float32) {
	// Merged from the shortest, so that the long lists are walked once.
	slices.SortFunc(lists, func(a, b scoredRows) int { return cmp.Compare(len(a.rows), len(b.rows)) })
	var rows []int32
	var sums []float64
	var hits []uint8
	for _, l := range lists {
		m := len(rows) + len(l.rows)
		nr, ns, nh := make([]int32, 0, m), make([]float64, 0, m), make([]uint8, 0, m)
		i, j := 0, 0
		for i < len(rows) || j < len(l.rows) {
			switch {
			case j == len(l.rows) || i < len(rows) && rows[i] < l.rows[j]:
				nr, ns, nh = append(nr, rows[i]), append(ns, sums[i]), append(nh, hits[i])
				i++
			case i == len(rows) || l.rows[j] < rows[i]:
				nr, ns, nh = append(nr, l.rows[j]), append(ns, float64(l.score[j])), append(nh, 1)
				j++
			default:
				nr, ns, nh = append(nr, rows[i]), append(ns, sums[i]+float64(l.score[j])), append(nh, hits[i]+1)
				i++
				j++
			}
		}
		rows, sums, hits = nr, ns, nh
	}
	scores := make([]float32, len(rows))
	for i := range rows {
		scores[i] = float32(sums[i] * float64(hits[i]) / float64(n))
	}
	return rows, scores
}

// wordRows returns the rows that have any alternative of c, scored as
// bleve scores the disjunction of their term queries.
func (v *view) wordRows(ctx context.Context, c *clause) (*rowSet, error) {
	lists := make([]scoredRows, 0, len(c.alts))
	t := v.table
	docs := v.rowBits().shardDocs
	weight := make([]float64, len(docs))
	inText := map[string][]int32{}
	for _, a := range c.alts {
		rows, tfn, freqs, err := v.postings(ctx, a.field, a.term)
		if err != nil {
			return nil, err
		}
		if a.field == fieldText {
			inText[a.term] = rows
		}
		// boost × idf² for each shard, put into tfn.
		w := make([]float64, len(docs))
		for i, n := range docs {
			idf := 1 + math.Log(float64(n)/float64(freqs[i]+1))
			weight[i] += (a.boost * idf) * (a.boost * idf)
			w[i] = a.boost * idf * idf
		}
		for j, r := range rows {
			tfn[j] = float32(float64(tfn[j]) * w[t.shard[r]])
		}
		if len(rows) > 0 {
			lists = append(lists, scoredRows{rows, tfn})
		}
	}
	s := &rowSet{weight: weight, inText: inText}
	s.rows, s.scores = disjunction(lists, len(c.alts))
	return s, nil
}

// postings returns the rows of the documents with term in field, in
// ascending order, sqrt(freq) × norm of each (the part of a term's score
// that depends on the document), and the number of them in each shard.
func (v *view) postings(ctx context.Context, field, term string) ([]int32, []float32, []int, error) {
	var rows []int32
	var tfn []float32
	freqs := make([]int, len(v.readers))
	var tfd index.TermFieldDoc
	for i, r := range v.readers {
		tfr, err := r.TermFieldReader(ctx, []byte(term), field, true, true, false)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("search: %w", err)
		}
		shardRows := v.table.shardRows[i]
		for n := 0; ; n++ {
			if n%4096 == 0 && ctx.Err() != nil {
				tfr.Close()
				return nil, nil, nil, ctx.Err()
			}
			d, err := tfr.Next(&tfd)
			if err != nil {
				tfr.Close()
				return nil, nil, nil, fmt.Errorf("search: %w", err)
			}
			if d == nil {
				break
			}
			num := docNum(d.ID)
			if num >= uint64(len(shardRows)) || shardRows[num] < 0 {
				continue
			}
			freqs[i]++
			rows = append(rows, shardRows[num])
			// As bleve's scorer: tf is the square root of the frequency.
			tfn = append(tfn, float32(math.Sqrt(float64(d.Freq))*d.Norm))
		}
		tfr.Close()
	}
	if !slices.IsSorted(rows) {
		// Rows of one shard come in order, and shards one after the other,
		// until updates add rows at the end.
		idx := make([]int, len(rows))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(rows[a], rows[b]) })
		sr, st := make([]int32, len(rows)), make([]float32, len(rows))
		for i, j := range idx {
			sr[i], st[i] = rows[j], tfn[j]
		}
		rows, tfn = sr, st
	}
	return rows, tfn, freqs, nil
}

// evalRows returns the rows p matches, and for each shard the query norm
// that their scores are to be multiplied by. With nothing that must match
// it matches every live row but those excluded, unscored. The rows of a
// plan of several clauses are kept in the view's cache too, so that the
// same words with other filters, another page or order are not worked out
// again: what a reader does who refines a search.
func (v *view) evalRows(ctx context.Context, p *plan) (*rowSet, []float64, error) {
	key := p.key()
	if key != "" {
		if s, ok := v.words.get(key); ok {
			return s, queryNorm(s.weight), nil
		}
	}
	sets := make([]*rowSet, len(p.must))
	weight := make([]float64, len(v.readers))
	for i := range p.must {
		s, err := v.clauseRows(ctx, &p.must[i])
		if err != nil {
			return nil, nil, err
		}
		sets[i] = s
		for j, w := range s.weight {
			weight[j] += w
		}
	}
	var res *rowSet
	if len(sets) == 0 {
		res = &rowSet{rows: v.rowBits().liveRows}
	} else {
		slices.SortFunc(sets, func(a, b *rowSet) int { return cmp.Compare(len(a.rows), len(b.rows)) })
		res = sets[0]
		for _, s := range sets[1:] {
			res = intersect(res, s)
		}
	}
	for i := range p.mustNot {
		if len(res.rows) == 0 {
			break
		}
		s, err := v.clauseRows(ctx, &p.mustNot[i])
		if err != nil {
			return nil, nil, err
		}
		res = subtract(res, s)
	}
	if key != "" {
		// A set of its own: res may be a clause's, which others read.
		res = &rowSet{rows: res.rows, scores: res.scores, weight: weight}
		v.cache(key, res)
	}
	return res, queryNorm(weight), nil
}

// queryNorm returns the query norm of each shard, 1/sqrt of the sum of
// the squared weights of a query's terms there.
func queryNorm(weight []float64) []float64 {
	norm := make([]float64, len(weight))
	for j, w := range weight {
		norm[j] = 1
		if w > 0 {
			norm[j] = 1 / math.Sqrt(w)
		}
	}
	return norm
}

// intersect returns the rows of both, with their scores added. When one
// is much the shorter, its rows are looked up in the other.
func intersect(a, b *rowSet) *rowSet {
	if len(a.rows) > len(b.rows) {
		a, b = b, a
	}
	out := &rowSet{rows: make([]int32, 0, len(a.rows)), scores: make([]float32, 0, len(a.rows))}
	add := func(i, j int) {
		out.rows = append(out.rows, a.rows[i])
		out.scores = append(out.scores, a.scores[i]+b.scores[j])
	}
	if len(a.rows)*16 < len(b.rows) {
		j := 0
		for i, r := range a.rows {
			k, found := slices.BinarySearch(b.rows[j:], r)
			j += k
			if found {
				add(i, j)
			}
		}
		return out
	}
	for i, j := 0, 0; i < len(a.rows) && j < len(b.rows); {
		switch {
		case a.rows[i] < b.rows[j]:
			i++
		case a.rows[i] > b.rows[j]:
			j++
		default:
			add(i, j)
			i++
			j++
		}
	}
	return out
}

// subtract returns the rows of a that are not in b, with their scores.
func subtract(a, b *rowSet) *rowSet {
	if len(b.rows) == 0 {
		return &rowSet{rows: a.rows, scores: a.scores} // shared: rows are never changed
	}
	out := &rowSet{rows: make([]int32, 0, len(a.rows))}
	if a.scores != nil {
		out.scores = make([]float32, 0, len(a.rows))
	}
	j := 0
	for i, r := range a.rows {
		for j < len(b.rows) && b.rows[j] < r {
			j++
		}
		if j < len(b.rows) && b.rows[j] == r {
			continue
		}
		out.rows = append(out.rows, r)
		if a.scores != nil {
			out.scores = append(out.scores, a.scores[i])
		}
	}
	return out
}

// manyRows is the share of a table's rows from which facets are counted
// with bitsets rather than row by row.
const manyRows = 64

// rowSearch runs p with the filter f: it returns
// the facets and number of the rows that match and the best keep of them,
// in order, by score (byScore) or date.
func rowSearch(ctx context.Context, v *view, p *plan, f *filter, byScore bool, keep int) (*counts, []ranked, int, error) {
	t := v.table
	fl := v.filtered(f)
	pass := fl.pass // nil: every live row passes
	if p.empty() {
		return fl.facets(v), firstByDate(t, pass, keep), fl.total, nil
	}
	m, norm, err := v.evalRows(ctx, p)
	if err != nil {
		return nil, nil, 0, err
	}
	if pass != nil {
		kept := &rowSet{rows: make([]int32, 0, min(len(m.rows), fl.total))}
		if m.scores != nil {
			kept.scores = make([]float32, 0, cap(kept.rows))
		}
		for i, r := range m.rows {
			if pass.has(r) {
				kept.rows = append(kept.rows, r)
				if m.scores != nil {
					kept.scores = append(kept.scores, m.scores[i])
				}
			}
		}
		m = kept
	}
	total := len(m.rows)
	if pass == nil && m.cached.Load() && p.scored() {
		// All that a plan in the cache finds: the same at every search.
		w := m.whole(v, norm)
		if byScore {
			return w.counts, m.first(v, norm, w.byScore, keep, true), total, nil
		}
		return w.counts, m.first(v, norm, w.byDate, keep, false), total, nil
	}
	c := countRows(v, m.rows)
	top := newTopN(keep, byScore, t.rank)
	for i, r := range m.rows {
		x := ranked{row: r}
		if byScore {
			x.score = float64(m.scores[i]) * norm[t.shard[r]]
		}
		top.push(x)
	}
	return c, top.sorted(), total, nil
}

// countRows tallies the facets of rows: row by row when they are few,
// with bitsets when they are many.
func countRows(v *view, rows []int32) *counts {
	t := v.table
	if len(rows)*manyRows < len(t.urls) {
		c := t.newCounts()
		for _, r := range rows {
			t.count(c, r)
		}
		return c
	}
	in := newBitset(len(t.urls))
	for _, r := range rows {
		in.set(r)
	}
	return v.rowBits().count(t, in)
}

// firstByDate returns the newest keep rows of set, or of all live rows
// when set is nil.
func firstByDate(t *table, set bitset, keep int) []ranked {
	out := make([]ranked, 0, keep)
	for _, r := range t.byDate {
		if len(out) == keep {
			break
		}
		if set == nil || set.has(r) {
			out = append(out, ranked{row: r})
		}
	}
	return out
}
