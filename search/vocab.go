package search

import (
	"bytes"
	"cmp"
	"container/heap"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum"
	"github.com/blevesearch/vellum/levenshtein"
)

// vocab is every term of the text fields of an index, with about how many
// notes have it, as one finite-state transducer. A typo is looked up in it
// once per query: bleve's own fuzzy query would build its automaton again
// for every field of every shard, which took longer than the search.
//
// An Update leaves fst as it is and counts the terms it lacks in delta
// (see vocabWriter), so that a new word can be found with a typo the
// moment its note is in.
type vocab struct {
	fst *vellum.FST
	// delta maps a term to the change in its count since fst was made,
	// zigzag-encoded (see zigzag); nil when there is none.
	delta *vellum.FST
	// nearby keeps what near found: building an automaton for a word of
	// ten letters took longer than the rest of its search.
	nearby sync.Map // nearKey → []string
	nearN  atomic.Int64
}

type nearKey struct {
	term     string
	distance int
}

// maxNearby bounds the entries of vocab.nearby; when it is full, it is
// emptied.
const maxNearby = 4096

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
// segment of the snapshot of every shard, each already sorted, into one
// transducer from term to the number of live notes that have it.
//
// The dictionaries are read segment by segment, each term's count from its
// postings list, rather than through bleve's FieldDict: zap's dictionary
// iterator reuses one postings list for every term, and once it has read a
// term of one document (written in zap's "1-hit" encoding, which fields
// without term vectors get), it counts every later term as one document
// (blevesearch/zapx#445, open).
func loadVocab(readers []index.IndexReader) (*vocab, error) {
	var dicts dictHeap
	for _, r := range readers {
		snap, ok := r.(*scorch.IndexSnapshot)
		if !ok {
			return nil, fmt.Errorf("search index: a snapshot of type %T", r)
		}
		for _, ss := range snap.Segments() {
			for _, f := range textFields {
				d, err := ss.Segment().Dictionary(f.name)
				if err != nil {
					return nil, fmt.Errorf("search index: %w", err)
				}
				c := &dictCursor{dict: d, except: ss.Deleted()}
				if o, ok := d.(omitCounter); ok {
					c.it = o.AutomatonIteratorOmitCount(nil, nil, nil)
				} else {
					c.it = d.AutomatonIterator(nil, nil, nil)
				}
				if err := c.next(); err != nil {
					return nil, err
				}
				if c.entry != nil {
					dicts = append(dicts, c)
				}
			}
		}
	}
	heap.Init(&dicts)
	fst, err := buildFST(func(b *vellum.Builder) error {
		var term string
		var count uint64
		flush := func() error {
			if term == "" || count == 0 {
				return nil // no live note has it
			}
			return b.Insert([]byte(term), count)
		}
		for len(dicts) > 0 {
			c := dicts[0]
			if c.entry.Term != term {
				if err := flush(); err != nil {
					return fmt.Errorf("search index: %w", err)
				}
				term, count = c.entry.Term, 0
			}
			count += c.entry.Count
			if err := c.next(); err != nil {
				return err
			}
			if c.entry == nil {
				heap.Pop(&dicts)
			} else {
				heap.Fix(&dicts, 0)
			}
		}
		if err := flush(); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &vocab{fst: fst}, nil
}

// buildFST makes a transducer of the keys and values fill inserts, in
// order, into its builder. fill's errors are returned as they are.
func buildFST(fill func(b *vellum.Builder) error) (*vellum.FST, error) {
	var buf bytes.Buffer
	b, err := vellum.New(&buf, nil)
	if err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	if err := fill(b); err != nil {
		return nil, err
	}
	if err := b.Close(); err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	fst, err := vellum.Load(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	return fst, nil
}

// omitCounter is a zap dictionary, whose iterator can leave the count of
// each term out.
type omitCounter interface {
	AutomatonIteratorOmitCount(a segment.Automaton, startKeyInclusive, endKeyExclusive []byte) segment.DictionaryIterator
}

// dictCursor walks the terms of a segment's dictionary, each with the
// number of live documents that have it.
type dictCursor struct {
	dict   segment.TermDictionary
	it     segment.DictionaryIterator
	except *roaring.Bitmap // deleted documents
	pl     segment.PostingsList
	entry  *index.DictEntry
}

func (c *dictCursor) next() error {
	e, err := c.it.Next()
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	if c.entry = e; e == nil {
		return nil
	}
	if c.pl, err = c.dict.PostingsList([]byte(e.Term), c.except, c.pl); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	e.Count = c.pl.Count()
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
		n = 0
	}
	c := int64(n)
	if v.delta != nil {
		if d, ok, err := v.delta.Get([]byte(term)); err == nil && ok {
			c += unzigzag(d)
		}
	}
	return int(max(c, 0))
}

// near returns up to maxCandidates terms within distance edits of term
// (1 or 2) that begin with its first letter, the most common first. The
// caller must not change the result.
func (v *vocab) near(term string, distance int) []string {
	k := nearKey{term, distance}
	if c, ok := v.nearby.Load(k); ok {
		return c.([]string)
	}
	c := v.lookupNear(term, distance)
	if v.nearN.Add(1) > maxNearby {
		v.nearby.Clear()
		v.nearN.Store(1)
	}
	v.nearby.Store(k, c)
	return c
}

func (v *vocab) lookupNear(term string, distance int) []string {
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
	type cand struct {
		term  string
		count int64
	}
	var cands []cand
	it, err := v.fst.Search(dfa, start, end)
	for err == nil {
		k, n := it.Current()
		cands = append(cands, cand{string(k), int64(n)})
		err = it.Next()
	}
	if v.delta != nil {
		// Add the changes: to the counts of terms found above, or as terms
		// of their own; drop terms no note has any more.
		at := make(map[string]int, len(cands))
		for i, c := range cands {
			at[c.term] = i
		}
		it, err := v.delta.Search(dfa, start, end)
		for err == nil {
			k, d := it.Current()
			if i, ok := at[string(k)]; ok {
				cands[i].count += unzigzag(d)
			} else {
				cands = append(cands, cand{string(k), unzigzag(d)})
			}
			err = it.Next()
		}
		cands = slices.DeleteFunc(cands, func(c cand) bool { return c.count <= 0 })
		slices.SortFunc(cands, func(a, b cand) int { return cmp.Compare(a.term, b.term) })
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
