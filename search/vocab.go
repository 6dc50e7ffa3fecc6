package search

import (
	"bytes"
	"cmp"
	"container/heap"
	"fmt"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/blevesearch/vellum"
	"github.com/blevesearch/vellum/levenshtein"
)

// vocab is every term of the text fields of an index, with about how many
// notes have it, as one finite-state transducer. A typo is looked up in it
// once per query: bleve's own fuzzy query would build its automaton again
// for every field of every shard, which took longer than the search.
type vocab struct {
	fst *vellum.FST
}

// maxCandidates bounds the terms a typo expands to.
const maxCandidates = 32

// builders makes Levenshtein automata; building a builder takes a while,
// so there are two for the life of the process, shared by every index.
var builders = sync.OnceValues(func() ([2]*levenshtein.LevenshteinAutomatonBuilder, error) {
	var b [2]*levenshtein.LevenshteinAutomatonBuilder
	var err error
	for d := range b {
		if b[d], err = levenshtein.NewLevenshteinAutomatonBuilder(uint8(d+1), true); err != nil {
			return b, err
		}
	}
	return b, nil
})

// loadVocab merges the term dictionaries of every text field of every
// shard, each already sorted, into one transducer from term to count.
func loadVocab(shards []bleve.Index) (*vocab, error) {
	var dicts dictHeap
	var readers []index.IndexReader
	defer func() {
		for _, d := range dicts {
			d.dict.Close()
		}
		for _, r := range readers {
			r.Close()
		}
	}()
	for _, s := range shards {
		adv, err := s.Advanced()
		if err != nil {
			return nil, fmt.Errorf("search index: %w", err)
		}
		r, err := adv.Reader()
		if err != nil {
			return nil, fmt.Errorf("search index: %w", err)
		}
		readers = append(readers, r)
		for _, f := range textFields {
			d, err := r.FieldDict(f.name)
			if err != nil {
				return nil, fmt.Errorf("search index: %w", err)
			}
			c := &dictCursor{dict: d}
			if err := c.next(); err != nil {
				d.Close()
				return nil, err
			}
			if c.entry == nil {
				d.Close()
				continue
			}
			dicts = append(dicts, c)
		}
	}
	heap.Init(&dicts)
	var buf bytes.Buffer
	b, err := vellum.New(&buf, nil)
	if err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	var term string
	var count uint64
	flush := func() error {
		if term == "" {
			return nil
		}
		return b.Insert([]byte(term), count)
	}
	for len(dicts) > 0 {
		c := dicts[0]
		if c.entry.Term != term {
			if err := flush(); err != nil {
				return nil, fmt.Errorf("search index: %w", err)
			}
			term, count = c.entry.Term, 0
		}
		count += c.entry.Count
		if err := c.next(); err != nil {
			return nil, err
		}
		if c.entry == nil {
			c.dict.Close()
			heap.Pop(&dicts)
		} else {
			heap.Fix(&dicts, 0)
		}
	}
	if err := flush(); err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	if err := b.Close(); err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	fst, err := vellum.Load(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	return &vocab{fst: fst}, nil
}

type dictCursor struct {
	dict  index.FieldDict
	entry *index.DictEntry
}

func (c *dictCursor) next() error {
	e, err := c.dict.Next()
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	c.entry = e
	return nil
}

// dictHeap orders cursors by their current term.
type dictHeap []*dictCursor

func (h dictHeap) Len() int           { return len(h) }
func (h dictHeap) Less(i, j int) bool { return h[i].entry.Term < h[j].entry.Term }
func (h dictHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *dictHeap) Push(x any)        { *h = append(*h, x.(*dictCursor)) }
func (h *dictHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// count returns about how many notes have term: the sum over text fields.
func (v *vocab) count(term string) int {
	n, ok, err := v.fst.Get([]byte(term))
	if err != nil || !ok {
		return 0
	}
	return int(n)
}

// near returns up to maxCandidates terms within distance edits of term
// (1 or 2) that begin with its first letter, the most common first.
func (v *vocab) near(term string, distance int) []string {
	bs, err := builders()
	if err != nil || distance < 1 || distance > 2 || term == "" {
		return nil
	}
	dfa, err := bs[distance-1].BuildDfa(term, uint8(distance))
	if err != nil {
		return nil
	}
	_, size := utf8.DecodeRuneInString(term)
	start := []byte(term[:size])
	end := append([]byte(term[:size-1]), term[size-1]+1)
	it, err := v.fst.Search(dfa, start, end)
	type cand struct {
		term  string
		count uint64
	}
	var cands []cand
	for err == nil {
		k, n := it.Current()
		cands = append(cands, cand{string(k), n})
		err = it.Next()
	}
	if len(cands) > maxCandidates {
		// Keep the commonest: the word the reader meant is likely among them.
		slices.SortFunc(cands, func(a, b cand) int { return cmp.Compare(b.count, a.count) })
		cands = cands[:maxCandidates]
	}
	out := make([]string, len(cands))
	for i, c := range cands {
		out[i] = c.term
	}
	return out
}
