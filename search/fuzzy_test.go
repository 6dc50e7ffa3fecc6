package search

import (
	"context"
	"testing"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// TestFuzzyQuery checks that a fuzzyQuery finds what bleve's FuzzyQuery
// finds, with the same scores and term locations, and that the queries of
// one search find each snapshot's and field's candidates once.
func TestFuzzyQuery(t *testing.T) {
	ix := sharedIndex(t)
	tab := ix.acquire()
	defer tab.release()
	type match struct {
		id    string
		score float64
		locs  int
	}
	run := func(q query.Query) []match {
		var out []match
		for _, r := range tab.readers {
			err := eachMatch(context.Background(), r, q, ix.mapping, bsearch.SearcherOptions{IncludeTermVectors: true}, func(dm *bsearch.DocumentMatch) error {
				n := 0
				for _, terms := range dm.Locations {
					for _, locs := range terms {
						n += len(locs)
					}
				}
				out = append(out, match{string(dm.IndexInternalID), dm.Score, n})
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name, field, term string
		fuzziness, prefix int
	}{
		{"one edit", fieldBody, "хабровск", 1, 1},
		{"two edits", fieldBody, "благавищенск", 2, 1},
		{"name", fieldPeople, "демешен", 1, 1},
		{"no prefix", fieldNames, "абаровск", 1, 0},
		{"no candidate", fieldBody, "щщщщщщщ", 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fq := func() *query.FuzzyQuery {
				q := bleve.NewFuzzyQuery(tc.term)
				q.SetField(tc.field)
				q.SetFuzziness(tc.fuzziness)
				q.SetPrefix(tc.prefix)
				q.SetBoost(0.2)
				return q
			}
			want := run(fq())
			var seen fuzzySeen
			for range 2 {
				got := run(&fuzzyQuery{FuzzyQuery: fq(), seen: &seen})
				if len(got) != len(want) {
					t.Fatalf("got %d matches %v, want %d %v", len(got), got, len(want), want)
				}
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("match %d: got %+v, want %+v", i, got[i], want[i])
					}
				}
				if len(seen.m) != len(tab.readers) {
					t.Errorf("candidates looked up %d times, want once per shard (%d)", len(seen.m), len(tab.readers))
				}
			}
			if tc.name != "no candidate" && len(want) == 0 {
				t.Error("the case finds nothing: it tests nothing")
			}
		})
	}
}
