package search

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// table holds, for every document of an index, what filters, facets and
// sorting need: its URL, day, kind, regions and sectors, as small numbers in
// flat slices. Open loads it from the keyword fields' doc values. Matching
// words is bleve's work; everything after it runs on the table, which is
// several times faster than bleve's own facets and sorting, and lists
// without words need no bleve at all.
//
// Rows are never removed or changed: Update marks the row of a replaced or
// deleted document dead by leaving it out of byDate and appends the new
// version as a new row, so that a table can share its columns with the one
// it was made from (see update). Only live rows are ever reached: searches
// find them through shardRows, lists through byDate.
type table struct {
	urls  []string
	day   []int32 // YYYYMMDD
	kind  []uint16
	shard []uint16 // the shard that holds the row's document
	// The regions of row r are regions[regOff[r]:regOff[r+1]]; likewise sectors.
	regOff, secOff []uint32
	regions        []uint16
	sectors        []uint16
	// pos holds the lists of positions of each row (see positions.go),
	// posDicts the numbers of the terms in them, by shard.
	pos      []posDoc
	posDicts []*posDict
	// byDate lists the live rows newest first (then by URL); rank[r] is the
	// place of live row r in it.
	byDate []int32
	rank   []int32
	// shardRows maps a document's number in the snapshot of a shard that
	// the table belongs to (see view) to its row, or -1.
	shardRows [][]int32

	kinds, regionNames, sectorNames dict

	// docs caches the stored fields of rows and snippets their snippets
	// for searches of words; the tables update derives from this one
	// share them.
	docs     *lru[int32, *storedDoc]
	snippets *lru[snippetKey, string]
}

// dict numbers the values of a keyword field.
type dict struct {
	ids   map[string]uint16
	names []string
}

func (d *dict) id(s string) uint16 {
	if id, ok := d.ids[s]; ok {
		return id
	}
	if d.ids == nil {
		d.ids = map[string]uint16{}
	}
	id := uint16(len(d.names))
	d.ids[s] = id
	d.names = append(d.names, s)
	return id
}

// lookup returns the number of a value, and false when no document has it.
func (d *dict) lookup(s string) (uint16, bool) {
	id, ok := d.ids[s]
	return id, ok
}

// clone returns a copy of d that can take new values without changing d.
func (d *dict) clone() dict {
	return dict{ids: maps.Clone(d.ids), names: slices.Clip(d.names)}
}

// docNum is a document's number in a snapshot of a shard: the offset of
// its segment plus its number in the segment.
func docNum(id index.IndexInternalID) uint64 {
	if len(id) != 8 {
		return ^uint64(0)
	}
	return binary.BigEndian.Uint64(id)
}

// maxValues bounds the documents of a table and the values of a keyword
// field, so that rows fit in an int32 and values in a uint16.
const maxValues = 1 << 16

// loadTable reads the table of the snapshot r[i] of every shard.
func loadTable(readers []index.IndexReader) (*table, error) {
	t := &table{regOff: []uint32{0}, secOff: []uint32{0}, docs: newDocCache(), snippets: newSnippetCache()}
	for i, r := range readers {
		if err := t.loadShard(i, r); err != nil {
			return nil, err
		}
	}
	if err := t.checkSize(); err != nil {
		return nil, err
	}
	t.byDate = make([]int32, len(t.urls))
	for i := range t.byDate {
		t.byDate[i] = int32(i)
	}
	slices.SortFunc(t.byDate, t.compareDate)
	t.rank = make([]int32, len(t.urls))
	for i, r := range t.byDate {
		t.rank[r] = int32(i)
	}
	return t, nil
}

// checkSize fails when rows or values no longer fit their types.
func (t *table) checkSize() error {
	if len(t.urls) > 1<<31-1 || len(t.kinds.names) > maxValues ||
		len(t.regionNames.names) > maxValues || len(t.sectorNames.names) > maxValues {
		return fmt.Errorf("search index: too many documents or values")
	}
	return nil
}

// compareDate orders rows newest first, then by URL.
func (t *table) compareDate(a, b int32) int {
	return cmp.Or(cmp.Compare(t.day[b], t.day[a]), cmp.Compare(t.urls[a], t.urls[b]))
}

// Len returns the number of live documents.
func (t *table) Len() int { return len(t.byDate) }

// snapshotDocs returns how many document numbers a snapshot uses, deleted
// documents included: one more than the largest.
func snapshotDocs(r index.IndexReader) (uint64, error) {
	if s, ok := r.(*scorch.IndexSnapshot); ok {
		var n uint64
		for _, ss := range s.Segments() {
			n += uint64(ss.FullSize())
		}
		return n, nil
	}
	return r.DocCount()
}

func (t *table) loadShard(shard int, r index.IndexReader) error {
	if shard >= maxValues {
		return fmt.Errorf("search index: too many shards")
	}
	all, err := r.DocIDReaderAll()
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	defer all.Close()
	dvr, err := r.DocValueReader([]string{fieldURL, fieldDay, fieldKind, fieldRegions, fieldSectors})
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	count, err := snapshotDocs(r)
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	rows := make([]int32, count)
	for i := range rows {
		rows[i] = -1
	}
	for {
		id, err := all.Next()
		if err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		if id == nil {
			break
		}
		num := docNum(id)
		if num >= uint64(len(rows)) {
			return fmt.Errorf("search index: shard %d: document number %d of %d", shard, num, count)
		}
		row := int32(len(t.urls))
		rows[num] = row
		var url string
		var day int32
		kind := uint16(0xffff)
		err = dvr.VisitDocValues(id, func(field string, term []byte) {
			switch field {
			case fieldURL:
				url = string(term)
			case fieldDay:
				day = parseDay(term)
			case fieldKind:
				kind = t.kinds.id(string(term))
			case fieldRegions:
				t.regions = append(t.regions, t.regionNames.id(string(term)))
			case fieldSectors:
				t.sectors = append(t.sectors, t.sectorNames.id(string(term)))
			}
		})
		if err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		t.urls = append(t.urls, url)
		t.day = append(t.day, day)
		t.kind = append(t.kind, kind)
		t.shard = append(t.shard, uint16(shard))
		t.regOff = append(t.regOff, uint32(len(t.regions)))
		t.secOff = append(t.secOff, uint32(len(t.sectors)))
	}
	t.shardRows = append(t.shardRows, rows)
	return nil
}

// parseDay turns YYYY-MM-DD into YYYYMMDD, or 0.
func parseDay(b []byte) int32 {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return 0
	}
	n, err := strconv.Atoi(string(b[0:4]) + string(b[5:7]) + string(b[8:10]))
	if err != nil {
		return 0
	}
	return int32(n)
}

// filter is a query's filters in the table's numbers.
type filter struct {
	none             bool // a value no document has: nothing matches
	regions, sectors []uint16
	kinds            []uint16 // any of them; empty for any kind
	from, to         int32    // YYYYMMDD, inclusive; 0 for open
}

func (t *table) filter(q Query) filter {
	var f filter
	for _, s := range q.Regions {
		id, ok := t.regionNames.lookup(s)
		f.none = f.none || !ok
		f.regions = append(f.regions, id)
	}
	for _, s := range q.Sectors {
		id, ok := t.sectorNames.lookup(s)
		f.none = f.none || !ok
		f.sectors = append(f.sectors, id)
	}
	if len(q.Kinds) > 0 {
		for _, s := range q.Kinds {
			if id, ok := t.kinds.lookup(s); ok {
				f.kinds = append(f.kinds, id)
			}
		}
		f.none = f.none || len(f.kinds) == 0
	}
	if !q.From.IsZero() {
		f.from = int32(q.From.Year()*10000 + int(q.From.Month())*100 + q.From.Day())
	}
	if !q.To.IsZero() {
		f.to = int32(q.To.Year()*10000 + int(q.To.Month())*100 + q.To.Day())
	}
	return f
}

// counts tallies the facets of the rows that match.
type counts struct {
	kinds, regions, sectors []int
	years                   map[int32]int
}

func (t *table) newCounts() *counts {
	return &counts{
		kinds:   make([]int, len(t.kinds.names)),
		regions: make([]int, len(t.regionNames.names)),
		sectors: make([]int, len(t.sectorNames.names)),
		years:   map[int32]int{},
	}
}

func (t *table) count(c *counts, r int32) {
	if k := t.kind[r]; int(k) < len(c.kinds) {
		c.kinds[k]++
	}
	for _, id := range t.regions[t.regOff[r]:t.regOff[r+1]] {
		c.regions[id]++
	}
	for _, id := range t.sectors[t.secOff[r]:t.secOff[r+1]] {
		c.sectors[id]++
	}
	c.years[t.day[r]/10000]++
}

func (c *counts) add(o *counts) {
	for i, n := range o.kinds {
		c.kinds[i] += n
	}
	for i, n := range o.regions {
		c.regions[i] += n
	}
	for i, n := range o.sectors {
		c.sectors[i] += n
	}
	for y, n := range o.years {
		c.years[y] += n
	}
}

// facets turns counts into facets: most first, then by value; years newest
// first.
func (t *table) facets(c *counts) Facets {
	list := func(counts []int, d *dict) []FacetCount {
		out := make([]FacetCount, 0, len(counts))
		for id, n := range counts {
			if n > 0 {
				out = append(out, FacetCount{Value: d.names[id], Count: n})
			}
		}
		slices.SortFunc(out, func(a, b FacetCount) int {
			if a.Count != b.Count { // names are compared only on a tie
				return cmp.Compare(b.Count, a.Count)
			}
			return strings.Compare(a.Value, b.Value)
		})
		return out
	}
	f := Facets{
		Regions: list(c.regions, &t.regionNames),
		Sectors: list(c.sectors, &t.sectorNames),
		Kinds:   list(c.kinds, &t.kinds),
	}
	for y, n := range c.years {
		f.Years = append(f.Years, FacetCount{Value: strconv.Itoa(int(y)), Count: n})
	}
	slices.SortFunc(f.Years, func(a, b FacetCount) int { return cmp.Compare(b.Value, a.Value) })
	return f
}
