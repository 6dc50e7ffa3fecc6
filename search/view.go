package search

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"
)

// view is an index as searches see it at one moment: a snapshot of every
// shard, held open, and the table and vocabulary of exactly those
// snapshots. A search runs on one view from start to end, so that the rows
// it finds, the table it filters them on and the fields it shows agree
// even when an Update lands meanwhile. An index opened read-only has one
// view for its life; Update makes a new one and swaps it in, and the old one
// closes its snapshots when the last search on it is done.
type view struct {
	// refs counts the index's reference and one per search using the view;
	// at zero the snapshots are closed and the view is never used again.
	refs    atomic.Int64
	readers []index.IndexReader // one snapshot per shard
	table   *table
	vocab   *vocab
	// bits, words and filters are made and filled by searches.
	bits    lazyBits
	words   *lru[string, *rowSet]
	filters *lru[string, *filtered]
}

// filterCacheBytes bounds the memory of a view's cache of filtered rows:
// a thousand filters of 100,000 notes.
const filterCacheBytes = 16 << 20

// newView returns a view of readers with the index's reference taken.
func newView(readers []index.IndexReader, t *table, v *vocab) *view {
	nv := &view{readers: readers, table: t, vocab: v, words: newWordCache(),
		filters: newLRU(filterCacheBytes, func(key string, f *filtered) int { return len(key) + len(f.pass)*8 + 256 })}
	nv.refs.Store(1)
	return nv
}

// filtered returns the rows that f lets pass, from the view's cache when
// a search with the same filter made them: like a search engine's filter
// cache, it serves the lists of a region, a sector or a kind, their next
// pages and their refinements by words, without a pass over the table.
// f must not be none: its values are then not all in the table.
func (v *view) filtered(f *filter) *filtered {
	b := v.rowBits()
	key := b.filterKey(f)
	if fl, ok := v.filters.get(key); ok {
		return fl
	}
	fl := &filtered{pass: b.filter(v.table, f)}
	if fl.pass == nil {
		fl.total = len(v.table.byDate)
	} else {
		fl.total = fl.pass.count()
	}
	v.filters.put(key, fl)
	return fl
}

// loadView takes a snapshot of every shard and loads its table and
// vocabulary from them, with the positions of each row from pos.
func loadView(shards []bleve.Index, pos []*shardPos) (*view, error) {
	readers, err := snapshots(shards)
	if err != nil {
		return nil, err
	}
	t, err := loadTable(readers)
	if err == nil {
		t.pos = make([]posDoc, len(t.urls))
		for _, sp := range pos {
			t.posDicts = append(t.posDicts, sp.dict)
		}
		for r, url := range t.urls {
			d, ok := pos[t.shard[r]].docs[url]
			if !ok {
				err = fmt.Errorf("search index: %w (no positions of %s)", ErrNoIndex, url)
				break
			}
			t.pos[r] = d
		}
	}
	if err == nil {
		var voc *vocab
		if voc, err = loadVocab(readers); err == nil {
			return newView(readers, t, voc), nil
		}
	}
	closeAll(readers)
	return nil, err
}

// snapshots returns the current snapshot of every shard.
func snapshots(shards []bleve.Index) ([]index.IndexReader, error) {
	readers := make([]index.IndexReader, 0, len(shards))
	for _, s := range shards {
		adv, err := s.Advanced()
		if err == nil {
			var r index.IndexReader
			if r, err = adv.Reader(); err == nil {
				readers = append(readers, r)
				continue
			}
		}
		closeAll(readers)
		return nil, fmt.Errorf("search index: %w", err)
	}
	return readers, nil
}

func closeAll(readers []index.IndexReader) error {
	var errs []error
	for _, r := range readers {
		errs = append(errs, r.Close())
	}
	return errors.Join(errs...)
}

// tryAcquire takes a reference unless the view is already closed.
func (v *view) tryAcquire() bool {
	for {
		n := v.refs.Load()
		if n <= 0 {
			return false
		}
		if v.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release drops a reference; the last one closes the snapshots.
func (v *view) release() error {
	if v.refs.Add(-1) != 0 {
		return nil
	}
	return closeAll(v.readers)
}

// acquire returns the index's current view with a reference taken, or nil
// when the index is closed. The caller releases it.
func (ix *Index) acquire() *view {
	for {
		v := ix.view.Load()
		if v == nil {
			return nil
		}
		if v.tryAcquire() {
			return v
		}
		// An Update swapped v out and its last search released it in the
		// meantime: the new view is in place already.
	}
}

// setView makes v the view of new searches and releases the one before.
func (ix *Index) setView(v *view) error {
	if old := ix.view.Swap(v); old != nil {
		return old.release()
	}
	return nil
}
