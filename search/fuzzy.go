package search

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/blevesearch/vellum"
	"github.com/blevesearch/vellum/levenshtein"
)

// fuzzyFields are the text fields where a word may match with a typo:
// finding a word's candidate terms in a dictionary builds an automaton of
// the word, and the names of organizations and places are in the body too.
var fuzzyFields = []string{fieldTitle, fieldSummary, fieldBody, fieldPeople, fieldNames}

// fuzzyQuery is bleve's FuzzyQuery with its candidate terms, the terms of
// a field's dictionary within the edit distance, found once per search
// (see fuzzySeen): the hits' highlights look again for what the search
// looked for. Its searcher is bleve's fuzzy searcher's: the candidates'
// term searchers, boosted by their edit distance.
type fuzzyQuery struct {
	*query.FuzzyQuery
	seen *fuzzySeen
}

// fuzzySeen holds the candidate terms a search has found. With the
// table's typo dictionary (see typoDict) they are found once for every
// shard and field, by word, fuzziness and prefix; without it, in bleve's
// dictionary of each shard and field. Shards are searched at once.
type fuzzySeen struct {
	tab  *table    // the search's table, whose readers are its shards
	dict *typoDict // tab's typo dictionary, or nil

	mu sync.Mutex
	m  map[fuzzyKey]*fuzzyTerms
}

// fuzzyKey names a lookup: r and field are nil and empty for one in the
// typo dictionary.
type fuzzyKey struct {
	r                 index.IndexReader
	field, term       string
	fuzziness, prefix int
}

type fuzzyTerms struct {
	once  sync.Once
	terms []string
	dists []uint8
	masks []uint64 // from the typo dictionary: where each term is
	err   error
}

// Searcher returns bleve's fuzzy searcher of q, on candidates found once.
func (q *fuzzyQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, opts bsearch.SearcherOptions) (bsearch.Searcher, error) {
	ir, ok := r.(index.IndexReaderFuzzy)
	if !ok || q.seen == nil || q.Fuzziness < 1 || q.Fuzziness > searcher.MaxFuzziness {
		return q.FuzzyQuery.Searcher(ctx, r, m, opts)
	}
	field := q.FieldVal
	if field == "" {
		field = m.DefaultSearchField()
	}
	// The prefix counts bytes, cut at the next rune boundary, as bleve's
	// fuzzy searcher cuts it.
	prefix := q.Term
	for i := range q.Term {
		if i >= q.Prefix {
			prefix = q.Term[:i]
			break
		}
	}
	terms, dists, err := q.seen.candidates(r, ir, field, q.Term, q.Fuzziness, prefix)
	if err != nil {
		return nil, err
	}
	if len(terms) == 0 || len(terms) == 1 && terms[0] == q.Term {
		return searcher.NewTermSearcher(ctx, r, q.Term, field, q.BoostVal.Value(), opts)
	}
	return searcher.NewMultiTermSearcherBoosted(ctx, r, terms, field, q.BoostVal.Value(), dists, opts, true)
}

// candidates returns the terms of field on the shard of r (ir) within
// fuzziness edits of term that start with prefix, and their edit distances.
func (s *fuzzySeen) candidates(r index.IndexReader, ir index.IndexReaderFuzzy, field, term string, fuzziness int, prefix string) ([]string, []uint8, error) {
	shard, f := -1, slices.Index(fuzzyFields, field)
	if s.dict != nil {
		shard = slices.Index(s.tab.readers, r)
	}
	if shard < 0 || f < 0 {
		c := s.lookup(fuzzyKey{r, field, term, fuzziness, len(prefix)}, func(c *fuzzyTerms) {
			c.err = eachEntry(ir.FieldDictFuzzy(field, term, fuzziness, prefix))(func(e *index.DictEntry) {
				c.terms = append(c.terms, e.Term)
				c.dists = append(c.dists, e.EditDistance)
			})
		})
		return c.terms, c.dists, c.err
	}
	c := s.lookup(fuzzyKey{term: term, fuzziness: fuzziness, prefix: len(prefix)}, func(c *fuzzyTerms) {
		c.err = s.dict.candidates(c, term, fuzziness, prefix)
	})
	var terms []string
	var dists []uint8
	bit := typoBit(shard, f)
	for i, m := range c.masks {
		if m&bit != 0 {
			terms = append(terms, c.terms[i])
			dists = append(dists, c.dists[i])
		}
	}
	return terms, dists, c.err
}

// lookup returns the candidates of k, finding them with find the first time.
func (s *fuzzySeen) lookup(k fuzzyKey, find func(*fuzzyTerms)) *fuzzyTerms {
	s.mu.Lock()
	c := s.m[k]
	if c == nil {
		if s.m == nil {
			s.m = map[fuzzyKey]*fuzzyTerms{}
		}
		c = &fuzzyTerms{}
		s.m[k] = c
	}
	s.mu.Unlock()
	c.once.Do(func() { find(c) })
	return c
}

// eachEntry calls fn with every entry of the dictionary d, then closes it.
func eachEntry(d index.FieldDict, err error) func(fn func(*index.DictEntry)) error {
	return func(fn func(*index.DictEntry)) error {
		if err != nil {
			return err
		}
		for {
			e, err := d.Next()
			if err != nil || e == nil {
				return errors.Join(err, d.Close())
			}
			fn(e)
		}
	}
}

// typoDict is one snapshot's dictionary of the words a reader's word may
// be a typo of: the terms of every fuzzy field of every shard in one
// vellum FST, each with a bit for every shard and field that has it.
// bleve builds a word's Levenshtein automaton again for each shard and
// field it looks in (IndexReaderFuzzy takes none built before), ten for
// one word on two shards and most of a search's processor time
// (BenchmarkRequests, docs/BENCHMARKS.md); here a word's automaton is
// built once and run over the one dictionary, with vellum and its
// levenshtein package, which bleve's own dictionaries are made of.
type typoDict struct {
	fst  *vellum.FST
	size int // bytes
}

// typoDict returns the typo dictionary of t, or nil until it is built: the
// first call starts building it beside the searches, which look in
// bleve's dictionaries meanwhile. It is built once per table, when a
// search needs it, so that an index updated at every save (serve --watch)
// builds one only for the snapshots that are searched.
func (ix *Index) typoDict(t *table) *typoDict {
	if d := t.typos.Load(); d != nil {
		return d
	}
	t.typosOnce.Do(func() {
		go func() {
			// As a search does: Close waits for it, and the snapshots stay
			// open until it is done.
			ix.mu.RLock()
			defer ix.mu.RUnlock()
			if ix.closed || !t.acquire() {
				return
			}
			defer t.release()
			// Should it fail, searches keep to bleve's dictionaries, which
			// report what is wrong with the index.
			if d, err := newTypoDict(t.readers); err == nil {
				t.typos.Store(d)
			}
		}()
	})
	return nil
}

// maxTypoShards is how many shards a typo dictionary's masks have bits for.
var maxTypoShards = 64 / len(fuzzyFields)

// typoBit is the bit of shard s and fuzzyFields[f] in a term's mask.
func typoBit(s, f int) uint64 { return 1 << (s*len(fuzzyFields) + f) }

// levBuilders make Levenshtein automata of one and two edits, with
// transpositions, as bleve's fuzzy searcher's are; each is costly to make.
var levBuilders = sync.OnceValues(func() ([2]*levenshtein.LevenshteinAutomatonBuilder, error) {
	var b [2]*levenshtein.LevenshteinAutomatonBuilder
	var err error
	for i := range b {
		if b[i], err = levenshtein.NewLevenshteinAutomatonBuilder(uint8(i+1), true); err != nil {
			return b, err
		}
	}
	return b, nil
})

// newTypoDict merges the dictionaries of the fuzzy fields of every reader,
// in order, into a typo dictionary.
func newTypoDict(readers []index.IndexReader) (*typoDict, error) {
	if len(readers) > maxTypoShards {
		return nil, fmt.Errorf("search: %d shards, more than a typo dictionary has bits for", len(readers))
	}
	type head struct {
		d    index.FieldDict
		term string
		bit  uint64
	}
	var heads []*head
	defer func() {
		for _, h := range heads {
			if h.d != nil {
				h.d.Close()
			}
		}
	}()
	for s, r := range readers {
		for f, name := range fuzzyFields {
			d, err := r.FieldDict(name)
			if err != nil {
				return nil, err
			}
			h := &head{d: d, bit: typoBit(s, f)}
			heads = append(heads, h)
			e, err := d.Next()
			if err != nil {
				return nil, err
			}
			if e != nil {
				h.term = e.Term
			} else {
				h.d = nil
			}
		}
	}
	var buf bytes.Buffer
	b, err := vellum.New(&buf, nil)
	if err != nil {
		return nil, err
	}
	for {
		first, any := "", false
		for _, h := range heads {
			if h.d != nil && (!any || h.term < first) {
				first, any = h.term, true
			}
		}
		if !any {
			break
		}
		var mask uint64
		for _, h := range heads {
			if h.d == nil || h.term != first {
				continue
			}
			mask |= h.bit
			e, err := h.d.Next()
			if err != nil {
				return nil, err
			}
			if e == nil {
				err := h.d.Close()
				h.d = nil
				if err != nil {
					return nil, err
				}
				continue
			}
			h.term = e.Term
		}
		if err := b.Insert([]byte(first), mask); err != nil {
			return nil, err
		}
	}
	if err := b.Close(); err != nil {
		return nil, err
	}
	fst, err := vellum.Load(buf.Bytes())
	if err != nil {
		return nil, err
	}
	return &typoDict{fst: fst, size: buf.Len()}, nil
}

// candidates puts into c the terms within fuzziness edits of term that
// start with prefix, with their distances and masks.
func (d *typoDict) candidates(c *fuzzyTerms, term string, fuzziness int, prefix string) error {
	lb, err := levBuilders()
	if err != nil {
		return err
	}
	dfa, err := lb[fuzziness-1].BuildDfa(term, uint8(fuzziness))
	if err != nil {
		return err
	}
	var start, end []byte
	if prefix != "" {
		start = []byte(prefix)
		end = prefixEnd(start)
	}
	it, err := d.fst.Search(dfa, start, end)
	for err == nil {
		k, v := it.Current()
		c.terms = append(c.terms, string(k))
		c.dists = append(c.dists, it.EditDistance())
		c.masks = append(c.masks, v)
		err = it.Next()
	}
	if err != vellum.ErrIteratorDone {
		return err
	}
	return nil
}

// prefixEnd returns the first key after every key that starts with p, or
// nil when there is none.
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i]++; end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}
