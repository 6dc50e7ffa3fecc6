package templates

import (
	"bytes"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/source"
)

// realSite is the settings and taxonomies of the repository's sample site,
// with every region there is.
func realSite(t *testing.T) *source.Site {
	t.Helper()
	site, err := source.LoadSettingsDir("..")
	if err != nil {
		t.Fatal(err)
	}
	return site
}

// manyRegions is a result whose regions facet has every region of site's
// taxonomy, the first most frequent.
func manyRegions(site *source.Site) (*search.Result, []string) {
	res := &search.Result{Query: search.Query{Page: 1, PerPage: 20, Sort: search.SortDate}, Total: 500}
	var slugs []string
	for i, term := range site.Taxonomies.Regions.Terms {
		res.Facets.Regions = append(res.Facets.Regions, search.FacetCount{Value: term.Slug, Count: 500 - i})
		slugs = append(slugs, term.Slug)
	}
	return res, slugs
}

func TestNewSearchPageFacets(t *testing.T) {
	site := realSite(t)
	res, _ := manyRegions(site)
	country := func(slug string) string { return site.Taxonomies.Regions.Get(slug).Country }
	var ru, cn []string
	for _, c := range res.Facets.Regions {
		if country(c.Value) == "RU" {
			ru = append(ru, c.Value)
		} else {
			cn = append(cn, c.Value)
		}
	}
	// facet is a facet's title; value, a region's slug.
	tests := []toggle{
		{name: "a Russian region adds itself", facet: "Регионы России", value: ru[0],
			want: url.Values{"region": {ru[0]}}},
		{name: "a Chinese region adds itself, keeping the others", q: search.Query{Q: "выставка", Regions: []string{ru[0]}, Sectors: []string{"trade"}, Page: 3},
			facet: "Регионы Китая", value: cn[0], want: url.Values{"q": {"выставка"}, "region": {ru[0], cn[0]}, "sector": {"trade"}}},
		{name: "an active region removes itself, page reset", q: search.Query{Q: "выставка", Regions: []string{ru[0], cn[1]}, Page: 2},
			facet: "Регионы Китая", value: cn[1], active: true, want: url.Values{"q": {"выставка"}, "region": {ru[0]}}},
		{name: "an active region in the fold opens it", q: search.Query{Regions: []string{ru[20]}},
			facet: "Регионы России", value: ru[20], active: true, want: url.Values{}, restOpen: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.page(res, site)
			var titles []string
			for _, f := range v.Facets {
				titles = append(titles, f.Title)
			}
			if !slices.Equal(titles, []string{"Регионы России", "Регионы Китая"}) {
				t.Fatalf("facets %q", titles)
			}
			f := v.Facets[slices.Index(titles, tt.facet)]
			all := append(slices.Clone(f.Top), f.Rest...)
			wantLen := len(ru)
			if tt.facet == "Регионы Китая" {
				wantLen = len(cn)
			}
			if len(f.Top) != facetTop || f.Len() != wantLen {
				t.Errorf("%d on top, %d in all; want %d and %d", len(f.Top), f.Len(), facetTop, wantLen)
			}
			for i := 1; i < len(all); i++ {
				if all[i].Count > all[i-1].Count {
					t.Fatalf("values not by count: %v", all)
				}
			}
			if f.RestActive != tt.restOpen {
				t.Errorf("fold open %v, want %v", f.RestActive, tt.restOpen)
			}
			tt.check(t, all, site.Taxonomies.Regions.NameOf(tt.value))
		})
	}
}

// toggle is a case of a facet's value shown on a results page: the
// search, the facet looked at and one of its values (as each test names
// them), whether the value is in force, the search its link leads to, and,
// for a facet with a fold, whether the fold is open.
type toggle struct {
	name         string
	q            search.Query
	facet, value string
	active       bool
	want         url.Values
	restOpen     bool
}

// page is the results page of res for the case's search, on its first
// page unless the case says which.
func (tc toggle) page(res *search.Result, site *source.Site) *SearchPage {
	q := tc.q
	if q.Page == 0 {
		q.Page = 1
	}
	return NewSearchPage(res, q, site)
}

// check checks the value named name among a facet's values: whether it is
// in force, and the search its link leads to.
func (tc toggle) check(t *testing.T, all []Count, name string) {
	t.Helper()
	i := slices.IndexFunc(all, func(c Count) bool { return c.Name == name })
	if i < 0 {
		t.Fatalf("no %s in %v", name, all)
	}
	c := all[i]
	if c.Active != tc.active {
		t.Errorf("active %v, want %v", c.Active, tc.active)
	}
	got, err := url.ParseQuery(strings.TrimPrefix(c.URL, "?"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Encode() != tc.want.Encode() {
		t.Errorf("link %s, want ?%s", c.URL, tc.want.Encode())
	}
}

// TestSearchPageFold renders a facet of many values: the most frequent
// show, the rest fold behind «все N», open when one of them is in force.
func TestSearchPageFold(t *testing.T) {
	site := realSite(t)
	res, _ := manyRegions(site)
	tmpl, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	ru := 0
	var deep string // a Russian region in the fold
	for _, c := range res.Facets.Regions {
		if site.Taxonomies.Regions.Get(c.Value).Country == "RU" {
			ru++
			if ru == facetTop+3 {
				deep = c.Value
			}
		}
	}
	tests := []struct {
		name string
		q    search.Query
		want []string
	}{
		{"folded", search.Query{Page: 1}, []string{`<details class="more">`, "<summary>все " + strconv.Itoa(ru) + "</summary>"}},
		{"open on an active value", search.Query{Page: 1, Regions: []string{deep}}, []string{`<details class="more" open>`, `class="on"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			page := &Page{Site: site.Settings, Title: "Поиск", Path: "/search", Data: NewSearchPage(res, tt.q, site)}
			if err := tmpl.Execute(&b, "search.html", page); err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.want {
				if !strings.Contains(b.String(), s) {
					t.Errorf("page lacks %s", s)
				}
			}
			// The first facet shows facetTop values before its fold.
			first := b.String()[strings.Index(b.String(), `id="facet-ru"`):]
			first = first[:strings.Index(first, `<details class="more"`)]
			if n := strings.Count(first, "<li><a href="); n != facetTop {
				t.Errorf("%d values before the fold, want %d", n, facetTop)
			}
		})
	}
}

// TestNewSearchPageToggles: a value of the kinds or the years facet links
// to the search with it added or removed, the rest of the reader's search
// kept, so that the count it shows is what the link finds.
func TestNewSearchPageToggles(t *testing.T) {
	site := realSite(t)
	res := &search.Result{Query: search.Query{Page: 1, PerPage: 20, Sort: search.SortDate}, Total: 400, Facets: search.Facets{
		Kinds: []search.FacetCount{{Value: "expo", Count: 300}, {Value: "talks", Count: 100}},
		Years: []search.FacetCount{{Value: "2025", Count: 150}, {Value: "2024", Count: 148}, {Value: "2023", Count: 102}},
	}}
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// facet is a facet's ID; value, the name of one of its values.
	tests := []toggle{
		{name: "a kind adds itself", q: search.Query{Q: "выставка"}, facet: "kind", value: "Выставка",
			want: url.Values{"q": {"выставка"}, "kind": {"expo"}}},
		{name: "one of two kinds removes itself alone", q: search.Query{Kinds: []string{"expo", "talks"}, Page: 2}, facet: "kind", value: "Переговоры",
			active: true, want: url.Values{"kind": {"expo"}}},
		{name: "the other of two kinds too", q: search.Query{Kinds: []string{"expo", "talks"}}, facet: "kind", value: "Выставка",
			active: true, want: url.Values{"kind": {"talks"}}},
		{name: "a year", q: search.Query{Q: "выставка"}, facet: "year", value: "2024",
			want: url.Values{"q": {"выставка"}, "from": {"2024-01-01"}, "to": {"2024-12-31"}}},
		{name: "a year keeps a later from", q: search.Query{Q: "выставка", From: day("2024-06-01")}, facet: "year", value: "2024",
			want: url.Values{"q": {"выставка"}, "from": {"2024-06-01"}, "to": {"2024-12-31"}}},
		{name: "a later year starts with itself", q: search.Query{From: day("2024-06-01")}, facet: "year", value: "2025",
			want: url.Values{"from": {"2025-01-01"}, "to": {"2025-12-31"}}},
		{name: "a year keeps an earlier to", q: search.Query{To: day("2023-03-15")}, facet: "year", value: "2023",
			want: url.Values{"from": {"2023-01-01"}, "to": {"2023-03-15"}}},
		{name: "a year within both", q: search.Query{From: day("2023-05-01"), To: day("2025-02-01")}, facet: "year", value: "2024",
			want: url.Values{"from": {"2024-01-01"}, "to": {"2024-12-31"}}},
		{name: "the year in force removes itself", q: search.Query{From: day("2024-01-01"), To: day("2024-12-31")}, facet: "year", value: "2024",
			active: true, want: url.Values{}},
		{name: "dates within a year tick it", q: search.Query{From: day("2024-06-01"), To: day("2024-12-31")}, facet: "year", value: "2024",
			active: true, want: url.Values{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.page(res, site)
			i := slices.IndexFunc(v.Facets, func(f SearchFacet) bool { return f.ID == tt.facet })
			if i < 0 {
				t.Fatalf("no facet %s", tt.facet)
			}
			tt.check(t, append(slices.Clone(v.Facets[i].Top), v.Facets[i].Rest...), tt.value)
		})
	}
}

// TestNewSearchPageRegionChips: a chip names what a region is in words
// true of every region of its country: a Chinese one may be a province, a
// municipality, an autonomous or a special administrative region.
func TestNewSearchPageRegionChips(t *testing.T) {
	site := realSite(t)
	res := &search.Result{Query: search.Query{Page: 1, PerPage: 20}}
	tests := []struct {
		region, want string
	}{
		{"moscow-oblast", "Регион: Московская область"},
		{"guangdong", "Регион Китая: Гуандун"},
		{"beijing", "Регион Китая: Пекин"},
		{"hong-kong", "Регион Китая: Гонконг"},
		{"inner-mongolia", "Регион Китая: Внутренняя Монголия"},
	}
	for _, tt := range tests {
		v := NewSearchPage(res, search.Query{Regions: []string{tt.region}, Page: 1}, site)
		if len(v.Active) != 1 {
			t.Fatalf("%s: chips %v", tt.region, v.Active)
		}
		if got := v.Active[0].Facet + ": " + v.Active[0].Label; got != tt.want {
			t.Errorf("%s: chip %q, want %q", tt.region, got, tt.want)
		}
	}
}

// TestSearchTypos checks what the page says a query was searched as: each
// typo read once, where the reader typed it as a token of its own.
func TestSearchTypos(t *testing.T) {
	for _, tt := range []struct {
		q     string
		typos []search.Typo
		want  string
	}{
		{"Выстафке Хэйлунцзян", []search.Typo{{Word: "выстафке", As: "выставке"}}, "Выставке Хэйлунцзян"},
		// A typo inside another's reading, or inside a longer word, stays.
		{"инве инвес", []search.Typo{{Word: "инве", As: "инвестиций"}, {Word: "инвес", As: "инвестиций"}}, "инвестиций инвестиций"},
		{"пред пере", []search.Typo{{Word: "пред", As: "предприятия"}, {Word: "пре", As: "при"}}, "предприятия пере"},
		{"выстафка-ярморка", []search.Typo{{Word: "выстафка", As: "выставка"}, {Word: "ярморка", As: "ярмарка"}}, "выставка-ярмарка"},
		{"выставка", []search.Typo{{Word: "выстафка", As: "выставка"}}, ""},
	} {
		if got := searchTypos(tt.q, tt.typos).Query; got != tt.want {
			t.Errorf("searchTypos(%q, %v) = %q, want %q", tt.q, tt.typos, got, tt.want)
		}
	}
}

// FuzzSearchTypos checks that what a search's typos were read as never
// breaks the words of the reader's text, whatever they are: valid text, as
// a request's parameters are.
func FuzzSearchTypos(f *testing.F) {
	for _, s := range [][3]string{
		{"Выстафке Хэйлунцзян", "выстафке", "выставке"},
		{"Bыстафке", "выстафке", "выставке"},
		{"выста\u200bфке", "выстафке", "выставке"},
		{"ȺȺвыстафке\u212a", "выстафке", "выставке"},
		{"Сoca", "coca", "cola"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, q, word, as string) {
		if !utf8.ValidString(q) || !utf8.ValidString(word) || !utf8.ValidString(as) {
			return
		}
		v := searchTypos(q, []search.Typo{{Word: word, As: as}})
		if v.Query != "" && !utf8.ValidString(v.Query) {
			t.Fatalf("searchTypos(%q, %q, %q): %q", q, word, as, v.Query)
		}
	})
}
