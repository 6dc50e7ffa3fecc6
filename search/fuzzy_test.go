package search

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// TestFuzzyQuery checks that a fuzzyQuery finds what bleve's FuzzyQuery
// finds, with the same scores and term locations, whether it looks in
// bleve's dictionaries or in the typo dictionary, and that the queries of
// one search find the candidates once: once for each shard in bleve's,
// once in all in the typo dictionary.
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
	dict, err := newTypoDict(tab.readers)
	if err != nil {
		t.Fatal(err)
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
		{"latin", fieldNames, "guandong", 1, 1},
		{"title, a transposition", fieldTitle, "семинра", 1, 1},
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
			for _, seen := range []*fuzzySeen{{tab: tab}, {tab: tab, dict: dict}} {
				lookups := len(tab.readers)
				if seen.dict != nil {
					lookups = 1
				}
				for range 2 {
					got := run(&fuzzyQuery{FuzzyQuery: fq(), seen: seen})
					if len(got) != len(want) {
						t.Fatalf("typo dictionary %v: got %d matches %v, want %d %v", seen.dict != nil, len(got), got, len(want), want)
					}
					for i := range got {
						if got[i] != want[i] {
							t.Errorf("typo dictionary %v: match %d: got %+v, want %+v", seen.dict != nil, i, got[i], want[i])
						}
					}
					if len(seen.m) != lookups {
						t.Errorf("typo dictionary %v: candidates looked up %d times, want %d", seen.dict != nil, len(seen.m), lookups)
					}
				}
			}
			// Each shard's and field's candidates are bleve's: no fewer,
			// and no more, which would only cost time.
			prefix := string([]rune(tc.term)[:tc.prefix])
			for _, f := range fuzzyFields {
				for _, r := range tab.readers {
					ir := r.(index.IndexReaderFuzzy)
					var want []string
					err := eachEntry(ir.FieldDictFuzzy(f, tc.term, tc.fuzziness, prefix))(func(e *index.DictEntry) {
						want = append(want, fmt.Sprint(e.Term, e.EditDistance))
					})
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					terms, dists, err := (&fuzzySeen{tab: tab, dict: dict}).candidates(r, ir, f, tc.term, tc.fuzziness, prefix)
					if err != nil {
						t.Fatal(err)
					}
					for i := range terms {
						got = append(got, fmt.Sprint(terms[i], dists[i]))
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s: candidates %q, want bleve's %q", f, got, want)
					}
				}
			}
			if tc.name != "no candidate" && len(want) == 0 {
				t.Error("the case finds nothing: it tests nothing")
			}
		})
	}
}
