package search

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// TestAppendJSON holds the hand-written answers of /api/search to what
// encoding/json writes for the same values.
func TestAppendJSON(t *testing.T) {
	end := "2024-05-17"
	strs := []string{
		"", "plain", `quote " and \ backslash`, "<mark>выставка</mark> & «ёлка»",
		"tab\tnew\nline\rcr\bbs\fff\x00nul\x1fus\x7fdel", "line\u2028sep\u2029para",
		"bad \xff utf-8 \xe2\x80 cut", "广东省 Guangdong", "\xe2\x80\xa8", "end\xe2",
	}
	floats := []float64{0, 1, -1, 0.5, 1.0 / 3, 12.345, 1e-7, 1.5e-9, 123456789, 1e21, 3e22, 2.5e-300, math.MaxFloat64}
	for i, s := range strs {
		r := &apiResult{
			Query: s, Total: i * 1000, TookMS: floats[i%len(floats)], Page: i, PerPage: 20,
			Hits: []apiHit{
				{URL: "/2024/" + s, Title: s, Date: "2024-05-16", End: &end, Kind: s,
					Regions: []string{s, "moscow"}, Sectors: []string{}, Snippet: s, Score: floats[(i+3)%len(floats)]},
				{URL: "/x/", Regions: nil, Sectors: []string{"trade"}, Score: floats[(i+7)%len(floats)]},
			},
			Facets: apiFacets{
				Regions: []apiFacet{{Slug: s, Name: s, Count: i}},
				Sectors: []apiFacet{},
				Years:   []apiFacet{{Slug: "2024", Name: "2024", Count: 7}, {Slug: "2023", Name: "2023", Count: 1}},
			},
		}
		if i == 3 {
			r.Hits = nil
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
		if got := r.appendJSON(nil); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("case %d:\n got %s\nwant %s", i, got, want.Bytes())
		}
	}
	for _, f := range floats {
		want, _ := json.Marshal(f)
		if got := appendJSONFloat(nil, f); !bytes.Equal(got, want) {
			t.Errorf("appendJSONFloat(%v) = %s, want %s", f, got, want)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\u2028", "\xff", "ё\x01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.Encode(s)
		got := append(appendJSONString(nil, s), '\n')
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want.Bytes())
		}
	})
}
