package search

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// bitset is a set of rows, a bit each.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(r int32)      { b[r>>6] |= 1 << (uint32(r) & 63) }
func (b bitset) has(r int32) bool { return b[r>>6]&(1<<(uint32(r)&63)) != 0 }

// count returns the number of rows in b.
func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// and keeps in b the rows also in o.
func (b bitset) and(o bitset) {
	for i := range b {
		b[i] &= o[i]
	}
}

// or adds to b the rows of o.
func (b bitset) or(o bitset) {
	for i := range b {
		b[i] |= o[i]
	}
}

// andCount returns the number of rows in both a and b.
func andCount(a, b bitset) int {
	n := 0
	for i, w := range a {
		n += bits.OnesCount64(w & b[i])
	}
	return n
}

// rowBits are sets of the rows of a view's table: the live rows, and those
// of every value of every facet. Filters, totals and facets over many rows
// are then a few passes over words: a region filter is one AND, the count
// of a facet's value one AND and a population count, whatever the number of
// rows. A view makes them at its first search (see view.rowBits).
type rowBits struct {
	live     bitset
	liveRows []int32 // ascending
	kinds    []bitset
	regions  []bitset
	sectors  []bitset
	// rows[i] of a facet (kinds, regions, sectors) lists the rows of a
	// value with fewer rows than its bitset has words, for counting.
	kindRows, regionRows, sectorRows [][]int32
	// years[i] holds the rows of year firstYear+i.
	years     []bitset
	firstYear int32
	// minDay and maxDay bound the days of the live rows.
	minDay, maxDay int32
	// all counts every live row: the facets of a list without filters.
	all *counts
	// shardDocs counts the live rows of each shard.
	shardDocs []int
	// docNums maps a row to its number in its shard's snapshot, and
	// offsets[s] holds the first number of each segment of shard s.
	docNums []uint64
	offsets [][]uint64
}

func newRowBits(t *table, readers []index.IndexReader) *rowBits {
	n := len(t.urls)
	b := &rowBits{
		shardDocs: make([]int, len(t.shardRows)),
		live:      newBitset(n),
		kinds:     make([]bitset, len(t.kinds.names)),
		regions:   make([]bitset, len(t.regionNames.names)),
		sectors:   make([]bitset, len(t.sectorNames.names)),
	}
	add := func(sets []bitset, id uint16, r int32) {
		if int(id) < len(sets) {
			if sets[id] == nil {
				sets[id] = newBitset(n)
			}
			sets[id].set(r)
		}
	}
	if len(t.byDate) > 0 {
		b.maxDay = t.day[t.byDate[0]]
		b.minDay = t.day[t.byDate[len(t.byDate)-1]]
	}
	b.firstYear = b.minDay / 10000
	b.years = make([]bitset, b.maxDay/10000-b.firstYear+1)
	for _, r := range t.byDate {
		b.live.set(r)
		b.shardDocs[t.shard[r]]++
		add(b.kinds, t.kind[r], r)
		for _, id := range t.regions[t.regOff[r]:t.regOff[r+1]] {
			add(b.regions, id, r)
		}
		for _, id := range t.sectors[t.secOff[r]:t.secOff[r+1]] {
			add(b.sectors, id, r)
		}
		add(b.years, uint16(t.day[r]/10000-b.firstYear), r)
	}
	b.liveRows = slices.Sorted(slices.Values(t.byDate))
	few := func(sets []bitset) [][]int32 {
		rows := make([][]int32, len(sets))
		for id, s := range sets {
			if s == nil || s.count() >= len(s) {
				continue
			}
			rows[id] = []int32{}
			for _, r := range b.liveRows {
				if s.has(r) {
					rows[id] = append(rows[id], r)
				}
			}
		}
		return rows
	}
	b.kindRows, b.regionRows, b.sectorRows = few(b.kinds), few(b.regions), few(b.sectors)
	b.offsets = make([][]uint64, len(readers))
	for i, r := range readers {
		if snap, ok := r.(*scorch.IndexSnapshot); ok {
			var off uint64
			for _, ss := range snap.Segments() {
				b.offsets[i] = append(b.offsets[i], off)
				off += uint64(ss.FullSize())
			}
		}
	}
	b.docNums = make([]uint64, n)
	for _, rows := range t.shardRows {
		for num, r := range rows {
			if r >= 0 {
				b.docNums[r] = uint64(num)
			}
		}
	}
	b.all = b.count(t, b.live)
	return b
}

// count tallies the facets of the rows of r: row by row when they are few
// (see countRows), else with a pass over the words of every value's set.
func (b *rowBits) count(t *table, r bitset) *counts {
	if r.count()*manyRows < len(t.urls) {
		return countEach(t, r)
	}
	return b.countSets(t, r)
}

// countEach tallies the facets of the rows of r one by one.
func countEach(t *table, r bitset) *counts {
	c := t.newCounts()
	for i, w := range r {
		for ; w != 0; w &= w - 1 {
			t.count(c, int32(i*64+bits.TrailingZeros64(w)))
		}
	}
	return c
}

// countSets tallies the facets of the rows of r by the sets of rows of
// every value.
func (b *rowBits) countSets(t *table, r bitset) *counts {
	c := t.newCounts()
	for _, f := range []struct {
		sets   []bitset
		rows   [][]int32
		counts []int
	}{{b.kinds, b.kindRows, c.kinds}, {b.regions, b.regionRows, c.regions}, {b.sectors, b.sectorRows, c.sectors}} {
		for id, s := range f.sets {
			switch {
			case f.rows[id] != nil:
				n := 0
				for _, row := range f.rows[id] {
					if r.has(row) {
						n++
					}
				}
				f.counts[id] = n
			case s != nil:
				f.counts[id] = andCount(r, s)
			}
		}
	}
	for i, s := range b.years {
		if s == nil {
			continue
		}
		if n := andCount(r, s); n > 0 {
			c.years[b.firstYear+int32(i)] = n
		}
	}
	return c
}

// bounds returns the dates of f that leave rows out, 0 for those that
// do not.
func (b *rowBits) bounds(f *filter) (from, to int32) {
	from, to = f.from, f.to
	if from <= b.minDay {
		from = 0
	}
	if to >= b.maxDay {
		to = 0
	}
	return from, to
}

// filtered are the rows that a filter lets pass, kept in a view's cache
// (see view.filtered) with their facets, once a list without words has
// counted them.
type filtered struct {
	pass       bitset // nil: every live row
	total      int
	countsOnce sync.Once
	counts     *counts
}

// facets returns the facets of the rows of f.
func (f *filtered) facets(v *view) *counts {
	f.countsOnce.Do(func() {
		if f.pass == nil {
			f.counts = v.rowBits().all
		} else {
			f.counts = v.rowBits().count(v.table, f.pass)
		}
	})
	return f.counts
}

// filterKey identifies the rows a filter lets pass in a view: its values
// in order, and its dates where they leave rows out.
func (b *rowBits) filterKey(f *filter) string {
	from, to := b.bounds(f)
	key := make([]byte, 0, 32)
	for _, ids := range [][]uint16{f.regions, f.sectors, f.kinds} {
		ids = slices.Compact(slices.Sorted(slices.Values(ids)))
		key = binary.LittleEndian.AppendUint16(key, uint16(len(ids)))
		for _, id := range ids {
			key = binary.LittleEndian.AppendUint16(key, id)
		}
	}
	key = binary.LittleEndian.AppendUint32(key, uint32(from))
	key = binary.LittleEndian.AppendUint32(key, uint32(to))
	return string(key)
}

// filter returns the live rows that pass f, or nil when f lets every live
// row pass: it has no filter but dates, and those take in every day there
// is.
func (b *rowBits) filter(t *table, f *filter) bitset {
	from, to := b.bounds(f)
	if len(f.regions)+len(f.sectors)+len(f.kinds) == 0 && from == 0 && to == 0 {
		return nil
	}
	out := slices.Clone(b.live)
	for _, id := range f.regions {
		andSet(out, b.regions, id)
	}
	for _, id := range f.sectors {
		andSet(out, b.sectors, id)
	}
	if len(f.kinds) > 0 {
		either := newBitset(len(t.urls))
		for _, id := range f.kinds {
			if int(id) < len(b.kinds) && b.kinds[id] != nil {
				either.or(b.kinds[id])
			}
		}
		out.and(either)
	}
	if from != 0 || to != 0 {
		// byDate is newest first: the days in range are one run of it.
		lo, hi := 0, len(t.byDate)
		if to != 0 {
			lo, _ = slices.BinarySearchFunc(t.byDate, to, func(r, day int32) int { return int(day - t.day[r]) })
		}
		if from != 0 {
			hi, _ = slices.BinarySearchFunc(t.byDate, from-1, func(r, day int32) int { return int(day - t.day[r]) })
		}
		in := newBitset(len(t.urls))
		for _, r := range t.byDate[lo:max(lo, hi)] {
			in.set(r)
		}
		out.and(in)
	}
	return out
}

// andSet keeps in b the rows of sets[id], none if there is no such set.
func andSet(b bitset, sets []bitset, id uint16) {
	if int(id) >= len(sets) || sets[id] == nil {
		clear(b)
		return
	}
	b.and(sets[id])
}

// lazyBits makes a view's rowBits once, at the first search that needs
// them.
type lazyBits struct {
	once sync.Once
	bits *rowBits
}

func (v *view) rowBits() *rowBits {
	v.bits.once.Do(func() { v.bits.bits = newRowBits(v.table, v.readers) })
	return v.bits.bits
}
