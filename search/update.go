package search

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"os"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/blevesearch/vellum"
)

// An index opened by OpenWritable is what build.Session updates (build.Index).
var _ interface {
	Update(ctx context.Context, upserts []Document, deletes []string) error
} = (*Index)(nil)

// OpenWritable opens the index in dir for searching and for updates, in this
// process only: while it is open, Open in another process fails after
// lockTimeout, and so does OpenWritable if another process has the index
// open.
func OpenWritable(dir string) (*Index, error) {
	return open(dir, true)
}

// maxMergedSegment bounds, in documents, the segments bleve merges in the
// background of an index opened for updates: a segment of half as many
// live documents or more is never merged again. It keeps the shards as the
// build wrote them, one big segment each, and bounds what Update has to map
// again after a merge (see writer).
const maxMergedSegment = 1000

// writableConfig is the bleve configuration of a shard opened for updates.
func writableConfig() map[string]any {
	return map[string]any{
		"bolt_timeout": lockTimeout.String(),
		"scorchMergePlanOptions": map[string]any{
			"MaxSegmentSize": maxMergedSegment,
		},
	}
}

// writer is what an index opened for updates keeps to apply them.
//
// Each Update writes one bleve batch into each shard it changes; bleve
// writes the batch as a new segment and marks the documents it replaces
// deleted where they were. A search finds a document by its number in a
// snapshot of the shard: the offset of its segment plus its number there.
// Numbers change as segments come and as bleve merges them, so the table
// maps them anew for every view, segment by segment: a segment seen before
// keeps its mapping (a document that is replaced is deleted in it, not
// renumbered), and the documents of a new segment, this update's or one
// bleve merged, are looked up by ID.
type writer struct {
	mu sync.Mutex // one Update at a time
	// rows maps the ID of every live document to its row.
	rows map[string]int32
	// segRows maps every segment of the view's snapshots, by identity, to
	// the row of each of its document numbers, or -1.
	segRows map[any][]int32
	vocab   vocabWriter
	// broken is why updates are refused: an update failed and the index
	// could not be loaded again from disk.
	broken error
	maker  *docMaker
}

// newWriter returns the writer of an index with the mapping im.
func newWriter(a *textAnalyzer, im *mapping.IndexMappingImpl) (*writer, error) {
	m, err := newDocMaker(a, im)
	if err != nil {
		return nil, err
	}
	return &writer{maker: m}, nil
}

// reset makes the writer's state that of the view v, as loaded from disk.
func (w *writer) reset(v *view) error {
	t := v.table
	w.rows = make(map[string]int32, len(t.byDate))
	for _, r := range t.byDate {
		w.rows[t.urls[r]] = r
	}
	w.segRows = map[any][]int32{}
	for i, r := range v.readers {
		snap, ok := r.(*scorch.IndexSnapshot)
		if !ok {
			return fmt.Errorf("search index: shard %d cannot be updated (not a scorch index)", i)
		}
		off := 0
		for _, ss := range snap.Segments() {
			n := int(ss.FullSize())
			w.segRows[ss.Segment()] = t.shardRows[i][off : off+n]
			off += n
		}
	}
	w.vocab = vocabWriter{base: v.vocab.fst, delta: map[string]int64{}, docs: map[string][]string{}}
	return nil
}

// Update puts upserts in (replacing documents with the same ID) and takes
// deletes out, and makes them visible to the next Search; searches under
// way finish on the index as it was. An ID both upserted and deleted is
// deleted; deleting an ID the index does not hold does nothing. Update is
// safe while other goroutines search; updates run one at a time.
//
// A new document goes to the shard that the hash of its ID chooses, a
// changed one stays in its shard. The changes are on disk when Update
// returns, so that an index opened later, by this process or another, sees
// them. When writing them fails, the index is loaded again from disk, so
// that it searches what is there, and the error is returned.
//
// An index opened by Open cannot be updated: Update returns an error.
func (ix *Index) Update(ctx context.Context, upserts []Document, deletes []string) error {
	if ix.w == nil {
		return fmt.Errorf("search index %s: opened read-only; use OpenWritable to update it", ix.dir)
	}
	w := ix.w
	w.mu.Lock()
	defer w.mu.Unlock()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return ErrClosed
	}
	if w.broken != nil {
		return fmt.Errorf("search index %s: not updated since an earlier failure: %w", ix.dir, w.broken)
	}

	// The last upsert of an ID counts.
	put := make(map[string]*Document, len(upserts))
	for i := range upserts {
		d := &upserts[i]
		if d.ID == "" {
			return errors.New("search index: a document without an ID")
		}
		put[d.ID] = d
	}
	var gone []string
	for _, id := range slices.Compact(slices.Sorted(slices.Values(deletes))) {
		delete(put, id)
		if _, ok := w.rows[id]; ok {
			gone = append(gone, id)
		}
	}
	if len(put)+len(gone) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	cur := ix.view.Load()
	t := cur.table
	batches := make([]*bleve.Batch, len(ix.shards))
	batch := func(shard int) *bleve.Batch {
		if batches[shard] == nil {
			batches[shard] = ix.shards[shard].NewBatch()
		}
		return batches[shard]
	}
	var dead []int32
	docs := make([]*Document, 0, len(put))
	pos := make([]posDoc, 0, len(put))
	terms := make([][]string, 0, len(put))
	shards := make([]int, 0, len(put))
	// The records of positions to append to each shard's file. A term
	// is numbered in the shard's dict as the document is made: if the
	// update fails, the index is loaded again, dicts included.
	records := make([][]byte, len(ix.shards))
	for _, id := range slices.Sorted(maps.Keys(put)) {
		d := put[id]
		s := shardOf(id, len(ix.shards))
		if r, ok := w.rows[id]; ok {
			s = int(t.shard[r])
			dead = append(dead, r)
		}
		enc := newPosEncoder(ix.pos[s].dict)
		doc := w.maker.document(d, enc)
		if err := batch(s).IndexAdvanced(doc); err != nil {
			return ix.reload(fmt.Errorf("search index: %s: %w", id, err))
		}
		records[s] = enc.appendRecords(records[s], id)
		docs = append(docs, d)
		pos = append(pos, enc.doc())
		terms = append(terms, docTerms(doc))
		shards = append(shards, s)
	}
	for _, id := range gone {
		r := w.rows[id]
		dead = append(dead, r)
		batch(int(t.shard[r])).Delete(id)
	}

	// From here on the index on disk changes: whatever fails, the view must
	// end up showing what is on disk. Positions go first, so that every
	// document in a shard has them; they are cut off again when the
	// documents do not make it into the shards.
	sizes, err := ix.appendPositions(records)
	if err != nil {
		return ix.reload(errors.Join(err, ix.truncatePositions(sizes)))
	}
	if err := ix.applyBatches(batches); err != nil {
		return ix.reload(errors.Join(err, ix.truncatePositions(sizes)))
	}
	nt, rows, err := t.update(docs, pos, shards, dead)
	if err != nil {
		return ix.reload(err)
	}
	rowOf := func(id string) int32 {
		if r, ok := w.rows[id]; ok {
			return r
		}
		return -1
	}
	for i, d := range docs {
		w.rows[d.ID] = rows[i]
	}
	for _, id := range gone {
		delete(w.rows, id)
	}
	readers, segRows, err := mapSnapshots(ix.shards, w.segRows, rowOf, nt)
	if err != nil {
		return ix.reload(err)
	}
	voc, err := w.vocab.update(docs, terms, gone)
	if err != nil {
		closeAll(readers)
		return ix.reload(err)
	}
	w.segRows = segRows
	ix.setView(newView(readers, nt, voc))
	ix.updates.Add(1)
	return nil
}

// shardOf is the shard a new document with the ID goes to.
func shardOf(id string, shards int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(shards))
}

// appendPositions appends records[i] to the positions file of shard i and
// syncs it, for every shard with records, and returns the sizes the files
// had before, for truncatePositions: when one fails, the others are to be
// cut back too. A file is cut back to what it was when writing it fails.
func (ix *Index) appendPositions(records [][]byte) ([]int64, error) {
	sizes := make([]int64, len(records))
	var errs []error
	for i, b := range records {
		sp := ix.pos[i]
		sizes[i] = sp.size
		if len(b) == 0 {
			continue
		}
		f, err := os.OpenFile(posFile(ix.dir, ix.names[i]), os.O_WRONLY, 0)
		if err == nil {
			if _, err = f.WriteAt(b, sp.size); err == nil {
				err = f.Sync()
			}
			if err != nil {
				err = errors.Join(err, f.Truncate(sp.size))
			} else {
				sp.size += int64(len(b))
			}
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("search index %s: shard %d: %w", ix.dir, i, err))
		}
	}
	return sizes, errors.Join(errs...)
}

// truncatePositions cuts the positions files back to sizes, after the
// documents appendPositions wrote records of failed to go into the shards.
func (ix *Index) truncatePositions(sizes []int64) error {
	var errs []error
	for i, sp := range ix.pos {
		if sp.size == sizes[i] {
			continue
		}
		if err := os.Truncate(posFile(ix.dir, ix.names[i]), sizes[i]); err != nil {
			errs = append(errs, fmt.Errorf("search index %s: shard %d: %w", ix.dir, i, err))
			continue
		}
		sp.size = sizes[i]
	}
	return errors.Join(errs...)
}

// applyBatches writes the batches into their shards at once; nil ones are
// skipped.
func (ix *Index) applyBatches(batches []*bleve.Batch) error {
	errs := make([]error, len(batches))
	var wg sync.WaitGroup
	for i, b := range batches {
		if b == nil {
			continue
		}
		wg.Go(func() {
			if err := ix.shards[i].Batch(b); err != nil {
				errs[i] = fmt.Errorf("search index %s: shard %d: %w", ix.dir, i, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// reload loads the index again from disk after an update failed with err,
// and returns err. If loading fails as well, the index refuses updates from
// then on and goes on searching what it had.
func (ix *Index) reload(err error) error {
	v, lerr := ix.load()
	if lerr == nil {
		if lerr = ix.w.reset(v); lerr == nil {
			ix.setView(v)
			ix.updates.Add(1)
			return err
		}
		v.release()
	}
	ix.w.broken = errors.Join(err, lerr)
	return ix.w.broken
}

// mapSnapshots takes a snapshot of every shard and sets t.shardRows to map
// their document numbers to rows: by segRows for the segments seen before,
// by rowOf(ID) for the documents of new ones. It returns the snapshots and
// the mapping of their segments.
func mapSnapshots(shards []bleve.Index, segRows map[any][]int32, rowOf func(id string) int32, t *table) ([]index.IndexReader, map[any][]int32, error) {
	readers, err := snapshots(shards)
	if err != nil {
		return nil, nil, err
	}
	next := make(map[any][]int32, len(segRows)+len(shards))
	t.shardRows = make([][]int32, len(readers))
	for i, r := range readers {
		snap, ok := r.(*scorch.IndexSnapshot)
		if !ok {
			closeAll(readers)
			return nil, nil, fmt.Errorf("search index: shard %d cannot be updated (not a scorch index)", i)
		}
		var all []int32
		for _, ss := range snap.Segments() {
			seg := ss.Segment()
			rows, ok := segRows[seg]
			if !ok {
				rows = make([]int32, ss.FullSize())
				for j := range rows {
					rows[j] = -1
				}
				it := ss.DocNumbersLive().Iterator()
				for it.HasNext() {
					num := it.Next()
					id, err := ss.DocID(uint64(num))
					if err != nil {
						closeAll(readers)
						return nil, nil, fmt.Errorf("search index: %w", err)
					}
					rows[num] = rowOf(string(id))
				}
			}
			next[seg] = rows
			all = append(all, rows...)
		}
		t.shardRows[i] = all
	}
	return readers, next, nil
}

// update returns a table with the rows dead left out and docs added, each
// held by the shard of the same index in shards, and the rows of docs.
// Dictionaries and the lists byDate and rank are t's copied; the columns
// are t's, appended to: t reads no further than its own rows, and only the
// newest table of an index is ever appended to. shardRows is left for the
// caller to set.
func (t *table) update(docs []*Document, pos []posDoc, shards []int, dead []int32) (*table, []int32, error) {
	nt := *t
	nt.kinds, nt.regionNames, nt.sectorNames = t.kinds.clone(), t.regionNames.clone(), t.sectorNames.clone()
	nt.shardRows = nil
	rows := make([]int32, len(docs))
	for i, d := range docs {
		rows[i] = nt.appendDoc(d, pos[i], shards[i])
	}
	if err := nt.checkSize(); err != nil {
		return nil, nil, err
	}

	// byDate without the dead rows, merged with the new ones. rank tells
	// where the dead rows are; the new ones go where they sort.
	drop := make([]int, len(dead))
	for i, r := range dead {
		drop[i] = int(t.rank[r])
	}
	slices.Sort(drop)
	added := slices.Clone(rows)
	slices.SortFunc(added, nt.compareDate)
	at := make([]int, len(added))
	for i, r := range added {
		at[i], _ = slices.BinarySearchFunc(t.byDate, r, func(x, r int32) int { return nt.compareDate(x, r) })
	}
	nt.byDate = make([]int32, 0, len(t.byDate)-len(drop)+len(added))
	first := len(t.byDate) // the first place that changes
	if len(drop) > 0 {
		first = drop[0]
	}
	if len(at) > 0 {
		first = min(first, at[0])
	}
	for i, r := range t.byDate {
		for len(at) > 0 && at[0] == i {
			nt.byDate = append(nt.byDate, added[0])
			added, at = added[1:], at[1:]
		}
		if len(drop) > 0 && drop[0] == i {
			drop = drop[1:]
			continue
		}
		nt.byDate = append(nt.byDate, r)
	}
	nt.byDate = append(nt.byDate, added...)
	nt.rank = make([]int32, len(nt.urls))
	copy(nt.rank, t.rank)
	for i := first; i < len(nt.byDate); i++ {
		nt.rank[nt.byDate[i]] = int32(i)
	}
	return &nt, rows, nil
}

// appendDoc adds the row of d, held by shard, as loadShard would read it
// from the index: keyword values sorted and without repeats, as doc values
// are.
func (t *table) appendDoc(d *Document, pos posDoc, shard int) int32 {
	row := int32(len(t.urls))
	t.urls = append(t.urls, d.ID)
	t.pos = append(t.pos, pos)
	t.day = append(t.day, parseDay([]byte(d.Day)))
	kind := uint16(0xffff)
	if d.Kind != "" {
		kind = t.kinds.id(d.Kind)
	}
	t.kind = append(t.kind, kind)
	t.shard = append(t.shard, uint16(shard))
	for _, s := range sortedSet(d.Regions) {
		t.regions = append(t.regions, t.regionNames.id(s))
	}
	for _, s := range sortedSet(d.Sectors) {
		t.sectors = append(t.sectors, t.sectorNames.id(s))
	}
	t.regOff = append(t.regOff, uint32(len(t.regions)))
	t.secOff = append(t.secOff, uint32(len(t.sectors)))
	return row
}

// sortedSet returns the non-empty values of list, sorted, once each.
func sortedSet(list []string) []string {
	out := slices.DeleteFunc(slices.Clone(list), func(s string) bool { return s == "" })
	slices.Sort(out)
	return slices.Compact(out)
}

// vocabFoldAt is how many new terms the vocabulary of an index opened for
// updates keeps apart before it merges them into a new transducer: each
// Update builds the transducer of the new terms again.
const vocabFoldAt = 1 << 14

// vocabWriter keeps the vocabulary of an index opened for updates: the
// transducer as loaded (or last merged) and the counts of the terms it
// lacks that updates brought in. A new word must be found with a typo the
// moment its note is in; the counts of terms the transducer has stay as
// they were loaded, since they only need to be about right (see vocab):
// they say whether a word is rare and which neighbours of a typo to try
// first.
type vocabWriter struct {
	base  *vellum.FST
	delta map[string]int64
	// docs holds, for every document put in since base was made, the terms
	// counted in delta for it, once per text field that has them, so that
	// they are taken out again when it is replaced or deleted.
	docs map[string][]string
}

// update counts in the new terms of docs, terms[i] those of docs[i] (see
// docTerms), and counts out those counted before for the IDs of docs and
// gone, and returns the vocabulary with the changes.
func (vw *vocabWriter) update(docs []*Document, terms [][]string, gone []string) (*vocab, error) {
	uncount := func(id string) {
		for _, term := range vw.docs[id] {
			vw.delta[term]--
		}
		delete(vw.docs, id)
	}
	for _, id := range gone {
		uncount(id)
	}
	for i, d := range docs {
		uncount(d.ID)
		var counted []string
		for _, term := range terms[i] {
			if _, ok := vw.delta[term]; !ok {
				if _, known, err := vw.base.Get([]byte(term)); err != nil || known {
					continue
				}
			}
			vw.delta[term]++
			counted = append(counted, term)
		}
		if len(counted) > 0 {
			vw.docs[d.ID] = counted
		}
	}
	maps.DeleteFunc(vw.delta, func(_ string, n int64) bool { return n == 0 })
	if len(vw.delta) > vocabFoldAt {
		base, err := mergeCounts(vw.base, vw.delta)
		if err != nil {
			return nil, err
		}
		vw.base, vw.delta = base, map[string]int64{}
	}
	v := &vocab{fst: vw.base}
	if len(vw.delta) > 0 {
		var err error
		v.delta, err = buildFST(func(b *vellum.Builder) error {
			for _, term := range slices.Sorted(maps.Keys(vw.delta)) {
				if err := b.Insert([]byte(term), zigzag(vw.delta[term])); err != nil {
					return fmt.Errorf("search index: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return v, nil
}

// docTerms returns the terms of an analysed document's text fields as the
// index has them, each once per field that has it, as dictionary counts
// add up.
func docTerms(doc *document.Document) []string {
	var out []string
	doc.VisitFields(func(f index.Field) {
		if f, ok := f.(*analysedField); ok {
			for term := range f.freqs {
				out = append(out, term)
			}
		}
	})
	return out
}

// mergeCounts returns a transducer of the counts of base changed by delta,
// without the terms left with none.
func mergeCounts(base *vellum.FST, delta map[string]int64) (*vellum.FST, error) {
	return buildFST(func(b *vellum.Builder) error {
		terms := slices.Sorted(maps.Keys(delta))
		insert := func(term []byte, n int64) error {
			if n <= 0 {
				return nil
			}
			return b.Insert(term, uint64(n))
		}
		it, err := base.Iterator(nil, nil)
		for err == nil {
			k, n := it.Current()
			for len(terms) > 0 && terms[0] < string(k) {
				if err := insert([]byte(terms[0]), delta[terms[0]]); err != nil {
					return fmt.Errorf("search index: %w", err)
				}
				terms = terms[1:]
			}
			c := int64(n)
			if len(terms) > 0 && terms[0] == string(k) {
				c += delta[terms[0]]
				terms = terms[1:]
			}
			if err := insert(k, c); err != nil {
				return fmt.Errorf("search index: %w", err)
			}
			err = it.Next()
		}
		if !errors.Is(err, vellum.ErrIteratorDone) {
			return fmt.Errorf("search index: %w", err)
		}
		for _, term := range terms {
			if err := insert([]byte(term), delta[term]); err != nil {
				return fmt.Errorf("search index: %w", err)
			}
		}
		return nil
	})
}

// zigzag encodes a signed count as a transducer's output.
func zigzag(n int64) uint64 { return uint64(n<<1) ^ uint64(n>>63) }

func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }
