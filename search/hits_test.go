package search

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	index "github.com/blevesearch/bleve_index_api"
)

// termSpans returns where terms matched in the summary and body of each
// of rows, from the term vectors of the text field, for tests to hold
// findSpans to: for each shard and term, one walk through its postings to
// the page's documents.
func (v *view) termSpans(ctx context.Context, rows []int32, terms []string) (map[int32]*[2][]span, error) {
	out := map[int32]*[2][]span{}
	if len(terms) == 0 {
		return out, nil
	}
	t, b := v.table, v.rowBits()
	byShard := map[uint16][]int32{}
	for _, r := range rows {
		byShard[t.shard[r]] = append(byShard[t.shard[r]], r)
	}
	for s, rs := range byShard {
		slices.SortFunc(rs, func(x, y int32) int { return cmp.Compare(b.docNums[x], b.docNums[y]) })
		for _, term := range terms {
			tfr, err := v.readers[s].TermFieldReader(ctx, []byte(term), fieldText, true, false, true)
			if err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
			var tfd index.TermFieldDoc
			var at uint64 // the number of the posting tfd holds
			have := false
			for _, r := range rs {
				num := b.docNums[r]
				if !have || at < num {
					d, err := tfr.Advance(docID(num), &tfd)
					if err != nil {
						tfr.Close()
						return nil, fmt.Errorf("search: %w", err)
					}
					if d == nil {
						break
					}
					at, have = docNum(d.ID), true
				}
				if at != num {
					continue
				}
				for _, loc := range tfd.Vectors {
					if len(loc.ArrayPositions) != 1 || loc.ArrayPositions[0] > textBody {
						continue
					}
					m := out[r]
					if m == nil {
						m = &[2][]span{}
						out[r] = m
					}
					i := loc.ArrayPositions[0]
					m[i] = append(m[i], span{int(loc.Start), int(loc.End), term})
				}
			}
			tfr.Close()
		}
	}
	return out, nil
}

// docID is the internal ID of document number num.
func docID(num uint64) index.IndexInternalID {
	return binary.BigEndian.AppendUint64(nil, num)
}

// textTerms returns the terms of the words that must match in the text
// field, which snippets mark, sorted.
func (p *plan) textTerms() []string {
	var terms []string
	for _, c := range p.must {
		for _, a := range c.alts {
			if a.field == fieldText {
				terms = append(terms, a.term)
			}
		}
	}
	slices.Sort(terms)
	return slices.Compact(terms)
}
