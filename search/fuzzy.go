package search

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/blevesearch/vellum"
	"github.com/blevesearch/vellum/levenshtein"
)

// fuzzyFields are the text fields where a word may match with a typo. The
// places and organizations are among them for their registries' names in
// English and Chinese, which bodies seldom have.
var fuzzyFields = []string{fieldTitle, fieldSummary, fieldBody, fieldPeople, fieldOrgs, fieldPlaces, fieldNames}

// fuzzyQuery is bleve's FuzzyQuery whose candidate terms are found once
// per search (fuzzySeen), for the snippets' search too; its searcher is
// bleve's fuzzy searcher's, the candidates boosted by their edit distance.
type fuzzyQuery struct {
	*query.FuzzyQuery
	seen *fuzzySeen
	// names keeps only the candidates that some note lists as a name
	// (listFields), in any field; bleve's own searcher, where the typo
	// dictionary is not used, keeps every one.
	names bool
	// prefix takes the term as the start of its candidates instead,
	// whatever Fuzziness says (a prefix query, where the typo dictionary
	// is not used).
	prefix bool
}

// fuzzySeen holds the candidate terms a search has found: in the table's
// typo dictionary (see typoDict), once for every shard and field, by word,
// fuzziness and prefix. Shards are searched at once.
type fuzzySeen struct {
	tab *table // the search's table, whose readers are its shards

	mu sync.Mutex
	m  map[fuzzyKey]*fuzzyTerms
}

type fuzzyKey struct {
	term              string
	fuzziness, prefix int
}

type fuzzyTerms struct {
	once  sync.Once
	terms []string
	dists []uint8
	masks []uint64 // where each term is: see typoBit
	err   error
}

// Searcher returns bleve's fuzzy searcher of q, on candidates found once.
// A field that is not in the typo dictionary, or an index that has none
// (more shards than it has bits for), is left to bleve.
func (q *fuzzyQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, opts bsearch.SearcherOptions) (bsearch.Searcher, error) {
	shard, f := -1, slices.Index(fuzzyFields, q.FieldVal)
	if q.seen != nil {
		if _, err := q.seen.tab.typoDict(); err == nil {
			shard = slices.Index(q.seen.tab.readers, r)
		}
	}
	if shard < 0 || f < 0 || !q.prefix && (q.Fuzziness < 1 || q.Fuzziness > searcher.MaxFuzziness) {
		if q.prefix {
			p := bleve.NewPrefixQuery(q.Term)
			p.SetField(q.FieldVal)
			p.SetBoost(q.BoostVal.Value())
			return p.Searcher(ctx, r, m, opts)
		}
		return q.FuzzyQuery.Searcher(ctx, r, m, opts)
	}
	fuzziness, prefix := 0, q.Term // as a prefix: no edits
	if !q.prefix {
		// The prefix counts bytes, cut at the next rune boundary, as
		// bleve's fuzzy searcher cuts it.
		fuzziness = q.Fuzziness
		for i := range q.Term {
			if i >= q.Prefix {
				prefix = q.Term[:i]
				break
			}
		}
	}
	terms, dists, err := q.seen.candidates(shard, f, q.Term, fuzziness, prefix, q.names)
	if err != nil {
		return nil, err
	}
	if len(terms) == 0 || len(terms) == 1 && terms[0] == q.Term {
		return searcher.NewTermSearcher(ctx, r, q.Term, q.FieldVal, q.BoostVal.Value(), opts)
	}
	return searcher.NewMultiTermSearcherBoosted(ctx, r, terms, q.FieldVal, q.BoostVal.Value(), dists, opts, true)
}

// candidates returns the terms of fuzzyFields[f] on shard within fuzziness
// edits of term that start with prefix, and their edit distances, from the
// table's typo dictionary, which must have been built; names keeps only
// those that a list field of some shard has (namesMask).
func (s *fuzzySeen) candidates(shard, f int, term string, fuzziness int, prefix string, names bool) ([]string, []uint8, error) {
	k := fuzzyKey{term, fuzziness, len(prefix)}
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
	c.once.Do(func() {
		d, _ := s.tab.typoDict() // built: see Searcher
		c.err = d.candidates(c, term, fuzziness, prefix)
	})
	var terms []string
	var dists []uint8
	bit := typoBit(shard, f)
	for i, m := range c.masks {
		if m&bit != 0 && (!names || m&namesMask != 0) {
			terms = append(terms, c.terms[i])
			dists = append(dists, c.dists[i])
		}
	}
	return terms, dists, c.err
}

// typoDict is one snapshot's dictionary of the words a reader's word may
// be a typo of: the terms of every fuzzy field of every shard in one
// vellum FST, each with a bit for every shard and field that has it.
// bleve builds a word's Levenshtein automaton again for each shard and
// field, most of a search's time (docs/BENCHMARKS.md); here it is built
// once and run over the one dictionary.
type typoDict struct {
	fst  *vellum.FST
	size int // bytes
}

// maxTypoShards is how many shards a typo dictionary's masks have bits
// for; a build makes no more (shardCount).
var maxTypoShards = 64 / len(fuzzyFields)

// typoBit is the bit of shard s and fuzzyFields[f] in a term's mask.
func typoBit(s, f int) uint64 { return 1 << (s*len(fuzzyFields) + f) }

// namesMask has the bits of the list fields (listFields) of every shard.
var namesMask = func() uint64 {
	var m uint64
	for s := range maxTypoShards {
		for _, lf := range listFields {
			m |= typoBit(s, slices.Index(fuzzyFields, lf.name))
		}
	}
	return m
}()

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

// Warm builds the Levenshtein automata and the typo dictionary, so that a
// server's first reader of a typo does not wait for them.
func (ix *Index) Warm() {
	levBuilders()
	if t := ix.acquire(); t != nil {
		t.typoDict()
		t.release()
	}
}

// newTypoDict merges the dictionaries of the fuzzy fields of every reader
// into a typo dictionary.
func newTypoDict(readers []index.IndexReader) (*typoDict, error) {
	if len(readers) > maxTypoShards {
		return nil, fmt.Errorf("search: %d shards, more than a typo dictionary has bits for", len(readers))
	}
	var dicts []vellum.Iterator
	defer func() {
		for _, d := range dicts {
			d.Close()
		}
	}()
	for s, r := range readers {
		for f, name := range fuzzyFields {
			d, err := r.FieldDict(name)
			if err != nil {
				return nil, err
			}
			it := &dictIterator{d: d, bit: typoBit(s, f)}
			dicts = append(dicts, it)
			if err := it.Next(); err != nil && err != vellum.ErrIteratorDone {
				return nil, err
			}
		}
	}
	// A term's mask has the bits of every dictionary that has it.
	var buf bytes.Buffer
	err := vellum.Merge(&buf, nil, dicts, func(bits []uint64) uint64 {
		var mask uint64
		for _, b := range bits {
			mask |= b
		}
		return mask
	})
	if err != nil {
		return nil, err
	}
	fst, err := vellum.Load(buf.Bytes())
	if err != nil {
		return nil, err
	}
	return &typoDict{fst: fst, size: buf.Len()}, nil
}

// dictIterator is a field's dictionary as the vellum iterator that
// vellum.Merge reads, each term with the bit of its shard and field; its
// key is nil past the last term. It cannot seek or be reset.
type dictIterator struct {
	d   index.FieldDict
	key []byte
	bit uint64
}

func (it *dictIterator) Current() ([]byte, uint64) { return it.key, it.bit }

func (it *dictIterator) Next() error {
	e, err := it.d.Next()
	if err != nil {
		return err
	}
	if e == nil {
		it.key = nil
		return vellum.ErrIteratorDone
	}
	it.key = []byte(e.Term)
	return nil
}

// Close closes the dictionary once: vellum.Merge closes it, and so does
// newTypoDict, on an error too.
func (it *dictIterator) Close() error {
	d := it.d
	if d == nil {
		return nil
	}
	it.d = nil
	return d.Close()
}

func (it *dictIterator) Seek([]byte) error { return errors.ErrUnsupported }

func (it *dictIterator) Reset(*vellum.FST, []byte, []byte, vellum.Automaton) error {
	return errors.ErrUnsupported
}

// candidates puts into c the terms within fuzziness edits of term that
// start with prefix, with their distances and masks; with no edits, every
// term that starts with prefix.
func (d *typoDict) candidates(c *fuzzyTerms, term string, fuzziness int, prefix string) error {
	var start, end []byte
	if prefix != "" {
		start = []byte(prefix)
		end = prefixEnd(start)
	}
	var it *vellum.FSTIterator
	var err error
	if fuzziness == 0 {
		it, err = d.fst.Iterator(start, end)
	} else {
		var lb [2]*levenshtein.LevenshteinAutomatonBuilder
		if lb, err = levBuilders(); err != nil {
			return err
		}
		var dfa *levenshtein.DFA
		if dfa, err = lb[fuzziness-1].BuildDfa(term, uint8(fuzziness)); err != nil {
			return err
		}
		it, err = d.fst.Search(dfa, start, end)
	}
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
