package search

import (
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coopdigest/digest/source"
	"github.com/coopdigest/digest/templates"
)

// facetTop is how many values of a facet show before the rest, which the
// page folds away: the most frequent, which are what a reader narrows by.
const facetTop = 8

// pageView builds the results page's data from a result of the query q as
// the reader gave it: links keep what the reader set and nothing more.
func pageView(res *Result, q Query, site *source.Site) *templates.SearchPage {
	tax := &site.Taxonomies
	perPage := sitePerPage(site)
	if q.PerPage == 0 {
		q.PerPage = res.Query.PerPage
	}
	v := &templates.SearchPage{
		Query:   q.Q,
		Total:   res.Total,
		Took:    strconv.FormatFloat(res.Took.Seconds(), 'f', 3, 64),
		Sort:    string(res.Query.Sort),
		Regions: q.Regions,
		Sectors: q.Sectors,
		Kinds:   q.Kinds,
	}
	if q.PerPage != perPage {
		v.PerPage = q.PerPage
	}
	if !q.From.IsZero() {
		v.From = q.From.Format(time.DateOnly)
	}
	if !q.To.IsZero() {
		v.To = q.To.Format(time.DateOnly)
	}
	// link returns the URL of the search changed by edit, on its first page.
	link := func(edit func(*Query)) string {
		c := q
		c.Regions = slices.Clone(q.Regions)
		c.Sectors = slices.Clone(q.Sectors)
		c.Kinds = slices.Clone(q.Kinds)
		c.Page = 1
		if c.PerPage == perPage {
			c.PerPage = 0
		}
		edit(&c)
		return "?" + c.Values().Encode()
	}
	for _, hit := range res.Hits {
		it := templates.Item{
			URL:     hit.URL,
			Title:   hit.Title,
			Date:    hit.Date,
			End:     hit.End,
			Summary: hit.Summary,
			Snippet: template.HTML(hit.Snippet), // escaped by bleve's highlighter or by hitOf, with <mark> only
		}
		if t := tax.Kinds.Get(hit.Kind); t != nil {
			it.Kind = &templates.TermRef{Slug: t.Slug, Name: t.Name, URL: "/kinds/" + t.Slug + "/"}
		}
		for _, s := range hit.Regions {
			if t := tax.Regions.Get(s); t != nil {
				it.Regions = append(it.Regions, templates.TermRef{Slug: t.Slug, Name: t.Name, URL: "/regions/" + t.Slug + "/"})
			}
		}
		v.Items = append(v.Items, it)
	}

	// facet adds a facet of the values of counts that keep (nil: all),
	// each a toggle: a link that adds the value to the search with toggle,
	// or, when it is in force, removes it with toggle.
	facet := func(id, title string, counts []FacetCount, t *source.Taxonomy, keep func(string) bool,
		active func(string) bool, toggle func(q *Query, s string, on bool)) {
		f := templates.SearchFacet{ID: id, Title: title}
		for _, c := range counts {
			if keep != nil && !keep(c.Value) {
				continue
			}
			on := active(c.Value)
			value := templates.Count{
				Name:   termName(t, c.Value),
				URL:    link(func(q *Query) { toggle(q, c.Value, !on) }),
				Count:  c.Count,
				Active: on,
			}
			if len(f.Top) < facetTop {
				f.Top = append(f.Top, value)
			} else {
				f.Rest = append(f.Rest, value)
				f.RestActive = f.RestActive || on
			}
		}
		if f.Len() > 0 {
			v.Facets = append(v.Facets, f)
		}
	}
	// set toggles s in a list of filters.
	set := func(list *[]string, s string, on bool) {
		*list = slices.DeleteFunc(*list, func(x string) bool { return x == s })
		if on {
			*list = append(*list, s)
		}
	}
	in := func(list []string) func(string) bool {
		return func(s string) bool { return slices.Contains(list, s) }
	}
	country := func(c string) func(string) bool {
		return func(s string) bool { t := tax.Regions.Get(s); return t != nil && t.Country == c }
	}
	regions := func(q *Query, s string, on bool) { set(&q.Regions, s, on) }
	facet("ru", "Регионы России", res.Facets.Regions, tax.Regions, country("RU"), in(q.Regions), regions)
	facet("cn", "Провинции Китая", res.Facets.Regions, tax.Regions, country("CN"), in(q.Regions), regions)
	facet("sector", "Отрасли", res.Facets.Sectors, tax.Sectors, nil, in(q.Sectors), func(q *Query, s string, on bool) { set(&q.Sectors, s, on) })
	// A note has one kind: choosing a kind replaces the others.
	facet("kind", "Виды событий", res.Facets.Kinds, tax.Kinds, nil, in(q.Kinds), func(q *Query, s string, on bool) {
		q.Kinds = nil
		if on {
			q.Kinds = []string{s}
		}
	})
	year := ""
	if !q.From.IsZero() && !q.To.IsZero() && q.From.Year() == q.To.Year() &&
		q.From.YearDay() == 1 && q.To.Month() == time.December && q.To.Day() == 31 {
		year = strconv.Itoa(q.From.Year())
	}
	facet("year", "Годы", res.Facets.Years, nil, nil, func(s string) bool { return s == year }, func(q *Query, s string, on bool) {
		q.From, q.To = time.Time{}, time.Time{}
		if on {
			y, _ := strconv.Atoi(s)
			q.From = time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC)
			q.To = time.Date(y, time.December, 31, 0, 0, 0, 0, time.UTC)
		}
	})

	remove := func(list []string, s string) []string {
		return slices.DeleteFunc(slices.Clone(list), func(x string) bool { return x == s })
	}
	for _, s := range q.Regions {
		label := "Регион"
		if t := tax.Regions.Get(s); t != nil && t.Country == "CN" {
			label = "Провинция"
		}
		v.Active = append(v.Active, templates.ActiveFilter{Facet: label, Label: termName(tax.Regions, s), Remove: link(func(q *Query) { q.Regions = remove(q.Regions, s) })})
	}
	for _, s := range q.Sectors {
		v.Active = append(v.Active, templates.ActiveFilter{Facet: "Отрасль", Label: termName(tax.Sectors, s), Remove: link(func(q *Query) { q.Sectors = remove(q.Sectors, s) })})
	}
	for _, s := range q.Kinds {
		v.Active = append(v.Active, templates.ActiveFilter{Facet: "Вид", Label: termName(tax.Kinds, s), Remove: link(func(q *Query) { q.Kinds = remove(q.Kinds, s) })})
	}
	if !q.From.IsZero() {
		v.Active = append(v.Active, templates.ActiveFilter{Label: "с " + templates.RuDate(q.From), Remove: link(func(q *Query) { q.From = time.Time{} })})
	}
	if !q.To.IsZero() {
		v.Active = append(v.Active, templates.ActiveFilter{Label: "по " + templates.RuDate(q.To), Remove: link(func(q *Query) { q.To = time.Time{} })})
	}
	if len(v.Active) > 1 {
		v.ClearAll = link(func(q *Query) { q.Regions, q.Sectors, q.Kinds, q.From, q.To = nil, nil, nil, time.Time{}, time.Time{} })
	}

	if len(res.Typos) > 0 {
		v.Typos = typosView(q.Q, res.Typos)
		if v.Typos.Query != "" {
			v.Typos.URL = link(func(c *Query) { c.Q = v.Typos.Query })
		}
	}

	if q.Q != "" {
		v.Sorts = []templates.SortLink{
			{Label: "по релевантности", URL: link(func(q *Query) { q.Sort = SortDefault }), Active: res.Query.Sort == SortRelevance},
			{Label: "по дате", URL: link(func(q *Query) { q.Sort = SortDate }), Active: res.Query.Sort == SortDate},
		}
	}

	pages := (res.Total + q.PerPage - 1) / q.PerPage
	v.Pager = templates.Pager{Number: q.Page, Total: pages}
	if q.Page > pages && pages > 0 {
		// Past the last page: a way back instead of the pager's steps.
		v.LastPage = link(func(c *Query) { c.Page = pages })
		return v
	}
	if q.Page > 1 && q.Page <= pages+1 {
		v.Pager.Prev = link(func(c *Query) { c.Page = min(q.Page-1, max(pages, 1)) })
	}
	if q.Page < pages {
		v.Pager.Next = link(func(c *Query) { c.Page = q.Page + 1 })
	}
	return v
}

// typosView says what the reader's text q was searched as: with each word
// that matched only with a typo replaced by what it matched, or, when that
// is not known for every one of them, the words themselves.
func typosView(q string, typos []Typo) *templates.Typos {
	v := &templates.Typos{}
	fields := strings.Fields(q)
	for _, t := range typos {
		v.Words = append(v.Words, t.Word)
		if t.As == "" {
			fields = nil
			continue
		}
		for i, f := range fields {
			// The typo is a folded token of a word: replace it in place
			// when folding kept the word's bytes where they were.
			folded := foldWord(f)
			if at := strings.Index(folded, t.Word); at >= 0 && len(folded) == len(f) {
				as := t.As
				if r, _ := utf8.DecodeRuneInString(f[at:]); unicode.IsUpper(r) {
					first, size := utf8.DecodeRuneInString(as)
					as = string(unicode.ToUpper(first)) + as[size:]
				}
				fields[i] = f[:at] + as + f[at+len(t.Word):]
				break
			}
		}
	}
	if fields != nil {
		if s := strings.Join(fields, " "); s != strings.Join(strings.Fields(q), " ") {
			v.Query = s
		}
	}
	return v
}
