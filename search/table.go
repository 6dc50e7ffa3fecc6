package search

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"
)

// table holds, for every document of an index, what filters, facets and
// sorting need: its URL, day, kind, regions and sectors, as small numbers in
// flat slices. Open loads it from the keyword fields' doc values. Matching
// words is bleve's work; everything after it runs on the table, which is
// several times faster than bleve's own facets and sorting, and lists
// without words need no bleve at all.
type table struct {
	urls []string
	day  []int32 // YYYYMMDD
	kind []uint16
	// The regions of row r are regions[regOff[r]:regOff[r+1]]; likewise sectors.
	regOff, secOff []uint32
	regions        []uint16
	sectors        []uint16
	// byDate lists the rows newest first (then by URL); rank[r] is the place
	// of row r in it.
	byDate []int32
	rank   []int32
	// shardRows maps a document's number in a shard to its row.
	shardRows [][]int32

	kinds, regionNames, sectorNames dict
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

// docNum is a document's number in a shard of one segment, which is what
// bleve's offline builder writes.
func docNum(id index.IndexInternalID) uint64 {
	if len(id) != 8 {
		return ^uint64(0)
	}
	return binary.BigEndian.Uint64(id)
}

// loadTable reads the table of every shard.
func loadTable(shards []bleve.Index) (*table, error) {
	t := &table{regOff: []uint32{0}, secOff: []uint32{0}}
	for i, s := range shards {
		if err := t.loadShard(i, s); err != nil {
			return nil, err
		}
	}
	n := len(t.urls)
	if n > 1<<31-1 || len(t.kinds.names) > 1<<16 || len(t.regionNames.names) > 1<<16 || len(t.sectorNames.names) > 1<<16 {
		return nil, fmt.Errorf("search index: too many documents or values")
	}
	t.byDate = make([]int32, n)
	for i := range t.byDate {
		t.byDate[i] = int32(i)
	}
	slices.SortFunc(t.byDate, func(a, b int32) int {
		return cmp.Or(cmp.Compare(t.day[b], t.day[a]), cmp.Compare(t.urls[a], t.urls[b]))
	})
	t.rank = make([]int32, n)
	for i, r := range t.byDate {
		t.rank[r] = int32(i)
	}
	return t, nil
}

func (t *table) loadShard(shard int, s bleve.Index) error {
	adv, err := s.Advanced()
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	defer r.Close()
	all, err := r.DocIDReaderAll()
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	defer all.Close()
	dvr, err := r.DocValueReader([]string{fieldURL, fieldDay, fieldKind, fieldRegions, fieldSectors})
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	count, err := r.DocCount()
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
			return fmt.Errorf("search index: shard %d is not one segment of %d documents", shard, count)
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

// match reports whether row r passes the filter.
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
		var out []FacetCount
		for id, n := range counts {
			if n > 0 {
				out = append(out, FacetCount{Value: d.names[id], Count: n})
			}
		}
		slices.SortFunc(out, func(a, b FacetCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
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
