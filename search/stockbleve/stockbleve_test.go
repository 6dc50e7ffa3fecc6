// Package stockbleve_test searches a digest's index with bleve alone, as
// anyone may with their own tools: it imports bleve and its standard
// components (github.com/blevesearch/bleve/v2/config, as bleve's
// command-line tool does) and nothing of the digest's. The index is built
// by the digest command in a process of its own.
package stockbleve_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	_ "github.com/blevesearch/bleve/v2/config"
)

// TestStockBleve opens every shard that OUT/.search/index.json lists,
// read-only, as one, and runs a phrase with a highlight, a terms facet and
// a date range: the index is a complete bleve index, its analyzer defined
// in its mapping from bleve's standard components.
func TestStockBleve(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the digest command: not with -short")
	}
	out := filepath.Join(t.TempDir(), "public")
	cmd := exec.Command("go", "run", "../../cmd/digest", "build", "-s", "../testdata/site", "-o", out)
	if data, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("digest build: %v\n%s", err, data)
	}
	dir := filepath.Join(out, ".search")
	data, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct{ Shards []string }
	if err := json.Unmarshal(data, &manifest); err != nil {
		t.Fatal(err)
	}
	alias := bleve.NewIndexAlias()
	for _, s := range manifest.Shards {
		idx, err := bleve.OpenUsing(filepath.Join(dir, s), map[string]any{"read_only": true})
		if err != nil {
			t.Fatal(err)
		}
		defer idx.Close()
		alias.Add(idx)
	}
	search := func(req *bleve.SearchRequest) *bleve.SearchResult {
		t.Helper()
		res, err := alias.Search(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	ids := func(res *bleve.SearchResult) []string {
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		return out
	}

	t.Run("phrase and highlight", func(t *testing.T) {
		// The field's own analyzer stems the phrase as the notes were:
		// «торговые дома» is «торговый дом».
		q := bleve.NewMatchPhraseQuery("торговые дома")
		q.SetField("body")
		req := bleve.NewSearchRequest(q)
		req.Highlight = bleve.NewHighlightWithStyle("html")
		req.Highlight.AddField("body")
		res := search(req)
		if got := ids(res); !slices.Equal(got, []string{"/2021/guangdong-torgpred/"}) {
			t.Fatalf("hits %q", got)
		}
		if f := res.Hits[0].Fragments["body"]; len(f) != 1 || !strings.Contains(f[0], "<mark>Торговый</mark> <mark>дом</mark>") {
			t.Errorf("highlight %q", f)
		}
	})
	t.Run("facet", func(t *testing.T) {
		req := bleve.NewSearchRequest(bleve.NewMatchAllQuery())
		req.AddFacet("regions", bleve.NewFacetRequest("regions", 50))
		regions := map[string]int{}
		for _, tf := range search(req).Facets["regions"].Terms.Terms() {
			regions[tf.Term] = tf.Count
		}
		if regions["guangdong"] != 3 || regions["heilongjiang"] != 3 || regions["moscow-oblast"] != 2 {
			t.Errorf("regions %v", regions)
		}
	})
	t.Run("date range", func(t *testing.T) {
		q := bleve.NewDateRangeQuery(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
		q.SetField("date")
		req := bleve.NewSearchRequest(q)
		req.SortBy([]string{"-date"})
		want := []string{"/2024/khabarovsk-typo/", "/2024/amur-bridge/", "/2024/expo-new-year/"}
		if got := ids(search(req)); !slices.Equal(got, want) {
			t.Errorf("hits %q, want %q", got, want)
		}
	})
	t.Run("query string", func(t *testing.T) {
		// What `bleve query SHARD 'title:"…"'` runs.
		res := search(bleve.NewSearchRequest(bleve.NewQueryStringQuery(`title:"выставке в Харбине"`)))
		if got := ids(res); !slices.Equal(got, []string{"/2025/khabarovsk-harbin-expo/"}) {
			t.Errorf("hits %q", got)
		}
	})
}
