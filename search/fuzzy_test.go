package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// TestFuzzyQuery checks that a fuzzyQuery finds what bleve's FuzzyQuery
// finds, with the same scores and term locations, that the queries of one
// search find the candidates once for every shard, and that the typo
// dictionary's candidates of each shard and field are those of bleve's
// dictionaries.
func TestFuzzyQuery(t *testing.T) {
	ix := sharedIndex(t)
	tab := ix.acquire()
	defer tab.release()
	type match struct {
		id    string
		score float64
		locs  int
	}
	run := func(tab *table, q query.Query) []match {
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
			want := run(tab, fq())
			seen := &fuzzySeen{tab: tab}
			for range 2 {
				got := run(tab, &fuzzyQuery{FuzzyQuery: fq(), seen: seen})
				if len(got) != len(want) {
					t.Fatalf("got %d matches %v, want %d %v", len(got), got, len(want), want)
				}
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("match %d: got %+v, want %+v", i, got[i], want[i])
					}
				}
				if len(seen.m) != 1 {
					t.Errorf("candidates looked up %d times, want once", len(seen.m))
				}
			}
			// Each shard's and field's candidates are bleve's: no fewer,
			// and no more, which would only cost time.
			prefix := string([]rune(tc.term)[:tc.prefix])
			for f, field := range fuzzyFields {
				for shard, r := range tab.readers {
					ir := r.(index.IndexReaderFuzzy)
					var want []string
					err := eachEntry(ir.FieldDictFuzzy(field, tc.term, tc.fuzziness, prefix))(func(e *index.DictEntry) {
						want = append(want, fmt.Sprint(e.Term, e.EditDistance))
					})
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					terms, dists, err := (&fuzzySeen{tab: tab}).candidates(shard, f, tc.term, tc.fuzziness, prefix, false)
					if err != nil {
						t.Fatal(err)
					}
					for i := range terms {
						got = append(got, fmt.Sprint(terms[i], dists[i]))
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s: candidates %q, want bleve's %q", field, got, want)
					}
				}
			}
			// An index with more shards than a typo dictionary has bits
			// for is left to bleve's dictionaries.
			old := maxTypoShards
			maxTypoShards = 0
			defer func() { maxTypoShards = old }()
			bare, err := loadTable(context.Background(), ix.shards, ix.mapping)
			if err != nil {
				t.Fatal(err)
			}
			defer bare.release()
			seen = &fuzzySeen{tab: bare}
			if got := run(bare, &fuzzyQuery{FuzzyQuery: fq(), seen: seen}); !slices.Equal(got, want) || len(seen.m) != 0 {
				t.Errorf("without a typo dictionary: got %v (%d lookups), want %v", got, len(seen.m), want)
			}
			if tc.name != "no candidate" && len(want) == 0 {
				t.Error("the case finds nothing: it tests nothing")
			}
		})
	}
}

// eachEntry calls fn with every entry of the dictionary d, then closes it.
func eachEntry(d index.FieldDict, err error) func(fn func(*index.DictEntry)) error {
	return func(fn func(*index.DictEntry)) error {
		if err != nil {
			return err
		}
		for {
			e, err := d.Next()
			if err != nil || e == nil {
				return errors.Join(err, d.Close())
			}
			fn(e)
		}
	}
}
