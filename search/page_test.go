package search

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/coopdigest/digest/source"
	"github.com/coopdigest/digest/templates"
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
func manyRegions(site *source.Site) (*Result, []string) {
	res := &Result{Query: Query{Page: 1, PerPage: 20, Sort: SortDate}, Total: 500}
	var slugs []string
	for i, term := range site.Taxonomies.Regions.Terms {
		res.Facets.Regions = append(res.Facets.Regions, FacetCount{Value: term.Slug, Count: 500 - i})
		slugs = append(slugs, term.Slug)
	}
	return res, slugs
}

func TestPageViewFacets(t *testing.T) {
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
	tests := []struct {
		name string
		q    Query
		// facet is the title of the facet looked at; value, one of its
		// values; active, whether it is in force; want, the query its link
		// leads to.
		facet, value string
		active       bool
		want         url.Values
		restOpen     bool
	}{
		{name: "a Russian region adds itself", facet: "Регионы России", value: ru[0],
			want: url.Values{"region": {ru[0]}}},
		{name: "a Chinese region adds itself, keeping the others", q: Query{Q: "выставка", Regions: []string{ru[0]}, Sectors: []string{"trade"}, Page: 3},
			facet: "Провинции Китая", value: cn[0], want: url.Values{"q": {"выставка"}, "region": {ru[0], cn[0]}, "sector": {"trade"}}},
		{name: "an active region removes itself, page reset", q: Query{Q: "выставка", Regions: []string{ru[0], cn[1]}, Page: 2},
			facet: "Провинции Китая", value: cn[1], active: true, want: url.Values{"q": {"выставка"}, "region": {ru[0]}}},
		{name: "an active region in the fold opens it", q: Query{Regions: []string{ru[20]}},
			facet: "Регионы России", value: ru[20], active: true, want: url.Values{}, restOpen: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			if q.Page == 0 {
				q.Page = 1
			}
			v := pageView(res, q, site)
			var titles []string
			for _, f := range v.Facets {
				titles = append(titles, f.Title)
			}
			if !slices.Equal(titles, []string{"Регионы России", "Провинции Китая"}) {
				t.Fatalf("facets %q", titles)
			}
			f := v.Facets[slices.Index(titles, tt.facet)]
			all := append(slices.Clone(f.Top), f.Rest...)
			wantLen := len(ru)
			if tt.facet == "Провинции Китая" {
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
			name := termName(site.Taxonomies.Regions, tt.value)
			i := slices.IndexFunc(all, func(c templates.Count) bool { return c.Name == name })
			if i < 0 {
				t.Fatalf("no %s in %v", name, all)
			}
			c := all[i]
			if c.Active != tt.active {
				t.Errorf("active %v, want %v", c.Active, tt.active)
			}
			got, err := url.ParseQuery(strings.TrimPrefix(c.URL, "?"))
			if err != nil {
				t.Fatal(err)
			}
			if got.Encode() != tt.want.Encode() {
				t.Errorf("link %s, want ?%s", c.URL, tt.want.Encode())
			}
		})
	}
}

// TestHandlerSearchPage reads the results page as a reader does.
func TestHandlerSearchPage(t *testing.T) {
	h := newTestHandler(t, sharedIndex(t))
	esc := url.QueryEscape
	tests := []struct {
		name, query string
		status      int
		want, not   []string
	}{
		{
			name:  "facets are toggles, regions by country",
			query: "q=" + esc("Гуандун"),
			want: []string{
				`<h2 id="facet-ru">Регионы России</h2>`, `<h2 id="facet-cn">Провинции Китая</h2>`,
				`<a href="?q=%D0%93%D1%83%D0%B0%D0%BD%D0%B4%D1%83%D0%BD&amp;region=moscow-oblast" role="checkbox" aria-checked="false">Московская область`,
				`<details class="filters-panel">`,
			},
			not: []string{`class="filters"`, `aria-checked="true"`},
		},
		{
			name:  "an active facet removes itself, and shows as a chip",
			query: "q=" + esc("Гуандун") + "&region=moscow-oblast&page=2",
			want: []string{
				`<a href="?q=%D0%93%D1%83%D0%B0%D0%BD%D0%B4%D1%83%D0%BD" role="checkbox" aria-checked="true">Московская область`,
				`<ul class="filters" aria-label="Выбранные фильтры">`,
				`<li><a href="?q=%D0%93%D1%83%D0%B0%D0%BD%D0%B4%D1%83%D0%BD"><span class="visually-hidden">Убрать фильтр </span>Регион: Московская область`,
			},
			not: []string{"Сбросить все"},
		},
		{
			name:  "two filters can be cleared at once",
			query: "region=guangdong&sector=trade",
			want:  []string{`Провинция: Гуандун`, `Отрасль: Торговля`, `<a class="clear" href="?">Сбросить все</a>`},
		},
		{
			name:  "one search box, keeping the filters, with labelled dates",
			query: "q=" + esc("Гуандун") + "&region=moscow-oblast&sector=trade&kind=expo&sort=date&per_page=5&from=2020-01-01",
			want: []string{
				`<form class="search-form" role="search" method="get" action="" aria-label="Поиск событий">`,
				`<input type="hidden" name="region" value="moscow-oblast">`, `<input type="hidden" name="sector" value="trade">`,
				`<input type="hidden" name="kind" value="expo">`, `<input type="hidden" name="sort" value="date">`,
				`<input type="hidden" name="per_page" value="5">`, `name="from" value="2020-01-01"`,
				`<label for="search-from">С даты</label>`, `<label for="search-to">По дату</label>`,
			},
			not: []string{`class="search-box"`},
		},
		{
			name:  "the filters come before the results",
			query: "q=" + esc("выставка"),
			want:  []string{`class="filters-panel"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := get(t, h, "GET", "/search?"+tt.query)
			status := tt.status
			if status == 0 {
				status = http.StatusOK
			}
			if w.Code != status {
				t.Fatalf("status %d, want %d", w.Code, status)
			}
			page := w.Body.String()
			for _, s := range tt.want {
				if !strings.Contains(page, s) {
					t.Errorf("page lacks %s", s)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(page, s) {
					t.Errorf("page has %s", s)
				}
			}
			if n := strings.Count(page, `role="search"`); n != 1 {
				t.Errorf("%d search forms, want 1", n)
			}
			if p, r := strings.Index(page, `class="filters-panel"`), strings.Index(page, `id="results"`); p > r && p >= 0 {
				t.Errorf("the filters come after the results")
			}
		})
	}
}

// TestSearchPageFold renders a facet of many values: the most frequent
// show, the rest fold behind «все N», open when one of them is in force.
func TestSearchPageFold(t *testing.T) {
	site := realSite(t)
	res, _ := manyRegions(site)
	tmpl, err := templates.Load(nil)
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
		q    Query
		want []string
	}{
		{"folded", Query{Page: 1}, []string{`<details class="more">`, "<summary>все " + strconv.Itoa(ru) + "</summary>"}},
		{"open on an active value", Query{Page: 1, Regions: []string{deep}}, []string{`<details class="more" open>`, `aria-checked="true"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			page := &templates.Page{Site: site.Settings, Title: "Поиск", Path: "/search", Data: pageView(res, tt.q, site)}
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
			if n := strings.Count(first, `role="checkbox"`); n != facetTop {
				t.Errorf("%d values before the fold, want %d", n, facetTop)
			}
		})
	}
}

// TestTypos checks that a search says when the reader's words matched only
// with typos, and as what.
func TestTypos(t *testing.T) {
	ix := sharedIndex(t)
	h := newTestHandler(t, ix)
	tests := []struct {
		name, q string
		want    []Typo // nil: none
		line    string // on the page; "" for no line
	}{
		{"exact word", "выставке", nil, ""},
		{"a typo", "выстафке", []Typo{{"выстафке", "выставке"}}, `Показаны результаты для <a href="?q=%D0%B2%D1%8B%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B5">«выставке»</a>`},
		{"a typo in capitals, beside an exact word", "Выстафке Хэйлунцзян", []Typo{{"выстафке", "выставке"}}, `Показаны результаты для <a href="?q=%D0%92%D1%8B%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B5&#43;%D0%A5%D1%8D%D0%B9%D0%BB%D1%83%D0%BD%D1%86%D0%B7%D1%8F%D0%BD">«Выставке Хэйлунцзян»</a>`},
		{"nothing found", "зюзюзюзя", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(t.Context(), Query{Q: tt.q})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Typos, tt.want) && !(len(res.Typos) == 0 && tt.want == nil) {
				t.Errorf("typos %q, want %q", res.Typos, tt.want)
			}
			page := get(t, h, "GET", "/search?q="+url.QueryEscape(tt.q)).Body.String()
			if tt.line == "" && strings.Contains(page, "Показаны результаты для") {
				t.Errorf("page says a typo was corrected")
			}
			if tt.line != "" && !strings.Contains(page, tt.line) {
				t.Errorf("page lacks %s\n%s", tt.line, page[strings.Index(page, "<p class=\"lead\""):][:600])
			}
		})
	}
}
