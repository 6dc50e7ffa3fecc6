package templates

import (
	"bytes"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/coopdigest/digest/russian"
	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/source"
)

// SearchPage is the Data of search.html, the results page of `digest
// serve`: the query and filters as the reader set them, the hits, the
// facets that narrow the search, and links that change it. Every link is a
// query string relative to the page.
type SearchPage struct {
	Query string
	Error string // a bad request's message, in Russian; the rest is then empty
	Total int
	Took  string // seconds
	Sort  string // "relevance" or "date"
	// AskedSort is the order the request asked for, "" for none: the
	// form keeps it, so that words typed after a page by date (the order
	// of a search without words) come by relevance.
	AskedSort string
	// Typos, when not nil, says that words of the query matched only with
	// typos, and as what, or that the query was searched as typed in the
	// other keyboard layout (search.Result.Layout).
	Typos *Typos
	// Ignored are the words of the query when none of them was searched
	// (search.Result.Ignored), and why: the page says that it shows what
	// the other conditions find. NoWords is whether the query has no
	// letter or digit at all, which searches nothing too («🚀», «!!!»).
	Ignored *Ignored
	NoWords bool
	// Missing are the words of the query that no note has, which the
	// search left out (search.Result.Missing).
	Missing []string
	Items   []Item
	// Facets are the filters the hits can be narrowed by, in the order
	// shown: Russian regions, Chinese regions, sectors, kinds, years.
	Facets []SearchFacet
	// Active are the filters in force, each with a link that removes it;
	// ClearAll removes them all, keeping the query.
	Active   []ActiveFilter
	ClearAll string
	Sorts    []SortLink
	Pager    Pager
	// LastPage links the last page of hits when the reader asked for a
	// page past it; empty otherwise.
	LastPage string
	From     string // YYYY-MM-DD, or empty
	To       string
	Regions  []string // hidden fields that keep the filters when the query changes
	Sectors  []string
	Kinds    []string
	PerPage  int // when not the site's
}

// SearchFacet is one facet: a heading and its values, each a toggle that
// adds the value to the search or, when it is in force (Count.Active),
// removes it. Top are the values with the most hits; Rest, the others,
// which the page folds away.
type SearchFacet struct {
	ID    string // unique on the page, for the heading's id
	Title string
	Top   []Count
	Rest  []Count
	// RestActive reports whether a value in Rest is in force, so that the
	// fold starts open.
	RestActive bool
}

// Len is the number of the facet's values.
func (f SearchFacet) Len() int { return len(f.Top) + len(f.Rest) }

// ActiveFilter is a filter in force with a link that removes it.
type ActiveFilter struct {
	Facet  string // what the filter is on («Регион»), or empty when Label says it
	Label  string
	Remove string
}

// SortLink is a link to the results in another order.
type SortLink struct {
	Label  string
	URL    string
	Active bool
}

// Typos tells the reader that the hits were found by matching some of
// their words with typos. Query is the query with those words as the hits
// have them, and URL its search; when the hits do not show what a word
// matched, Query is empty and Words are the reader's words.
type Typos struct {
	Query string
	URL   string
	Words []string
	// Layout says that Query is the reader's text as typed in the other
	// keyboard layout (search.Result.Layout), not put right.
	Layout bool
}

// FeedQuery is the query string, from its "?", of the search as an Atom
// feed (search_url.atom, served by `digest serve`): its words and filters,
// without its order and page, as the feed is always newest first; "" for a
// search of everything.
func (p *SearchPage) FeedQuery() string {
	v := url.Values{}
	if p.Query != "" {
		v.Set("q", p.Query)
	}
	v["region"], v["sector"], v["kind"] = p.Regions, p.Sectors, p.Kinds
	if p.From != "" {
		v.Set("from", p.From)
	}
	if p.To != "" {
		v.Set("to", p.To)
	}
	if p.PerPage != 0 {
		v.Set("per_page", strconv.Itoa(p.PerPage))
	}
	if q := v.Encode(); q != "" {
		return "?" + q
	}
	return ""
}

// facetTop is how many values of a facet show before the rest, which the
// page folds away: the most frequent, which are what a reader narrows by.
const facetTop = 8

// Ignored are the words a search left out, by why: Stop, stop words
// («после», «the»), and Long, words of more than 100 letters, which the
// search cuts to search.EchoRunes and an ellipsis.
type Ignored struct {
	Stop, Long []string
}

// StopWords is how many stop words were left out, those of phrases
// among them («и в на»).
func (ig *Ignored) StopWords() int {
	n := 0
	for _, s := range ig.Stop {
		n += len(strings.Fields(s))
	}
	return n
}

// Count is how many words were left out.
func (ig *Ignored) Count() int { return ig.StopWords() + len(ig.Long) }

// ignoredWords sorts words, search.Result.Ignored, by why they were left
// out; nil when there are none. A phrase of stop words is one however
// long.
func ignoredWords(words []string) *Ignored {
	if len(words) == 0 {
		return nil
	}
	ig := &Ignored{}
	for _, w := range words {
		if utf8.RuneCountInString(w) > search.EchoRunes && !strings.Contains(w, " ") {
			ig.Long = append(ig.Long, w)
		} else {
			ig.Stop = append(ig.Stop, w)
		}
	}
	return ig
}

// NewSearchPage is the results page of res, the result of the search q as
// the reader gave it (its page size filled in): links keep what the reader
// set and nothing more. The facets are toggles, a link each that adds its
// value to the search or removes it, the page reset to the first; the top
// values of a facet by count show, the rest fold behind «все N», and
// Russian and Chinese regions are two facets. The filters in
// force show as chips that remove them; past the last page, the page links
// the last one.
func NewSearchPage(res *search.Result, q search.Query, site *source.Site) *SearchPage {
	tax := &site.Taxonomies
	perPage := search.SitePerPage(site)
	if q.PerPage == 0 {
		q.PerPage = res.Query.PerPage
	}
	v := &SearchPage{
		Query:     q.Q,
		Total:     res.Total,
		Took:      strconv.FormatFloat(res.Took.Seconds(), 'f', 3, 64),
		Sort:      string(res.Query.Sort),
		AskedSort: string(q.Sort),
		Regions:   q.Regions,
		Sectors:   q.Sectors,
		Kinds:     q.Kinds,
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
	link := func(edit func(*search.Query)) string {
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
		it := Item{
			URL:     hit.URL,
			Title:   hit.Title,
			Date:    hit.Date,
			End:     hit.End,
			Summary: hit.Summary,
			Snippet: template.HTML(hit.Snippet), // as search.Hit says: escaped text with <mark> only
		}
		if t := tax.Kinds.Get(hit.Kind); t != nil {
			it.Kind = &TermRef{Slug: t.Slug, Name: t.Name, URL: "/kinds/" + t.Slug + "/"}
		}
		for _, s := range hit.Regions {
			if t := tax.Regions.Get(s); t != nil {
				it.Regions = append(it.Regions, TermRef{Slug: t.Slug, Name: t.Name, URL: "/regions/" + t.Slug + "/"})
			}
		}
		v.Items = append(v.Items, it)
	}

	// facet adds a facet of the values of counts that keep (nil: all),
	// each a toggle: a link that adds the value to the search with toggle,
	// or, when it is in force, removes it with toggle.
	facet := func(id, title string, counts []search.FacetCount, t *source.Taxonomy, keep func(string) bool,
		active func(string) bool, toggle func(q *search.Query, s string, on bool)) {
		f := SearchFacet{ID: id, Title: title}
		for _, c := range counts {
			if keep != nil && !keep(c.Value) {
				continue
			}
			on := active(c.Value)
			value := Count{
				Name:   t.NameOf(c.Value),
				URL:    link(func(q *search.Query) { toggle(q, c.Value, !on) }),
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
	regions := func(q *search.Query, s string, on bool) { set(&q.Regions, s, on) }
	facet("ru", "Регионы России", res.Facets.Regions, tax.Regions, country("RU"), in(q.Regions), regions)
	// «Регионы Китая», not «Провинции»: municipalities (Beijing), autonomous
	// regions and special administrative regions (Hong Kong) are among them.
	facet("cn", "Регионы Китая", res.Facets.Regions, tax.Regions, country("CN"), in(q.Regions), regions)
	facet("sector", "Отрасли", res.Facets.Sectors, tax.Sectors, nil, in(q.Sectors), func(q *search.Query, s string, on bool) { set(&q.Sectors, s, on) })
	// A note has one kind, so a kind is offered to add only when none is
	// in force; of several in force, each removes itself alone.
	facet("kind", "Виды событий", res.Facets.Kinds, tax.Kinds, nil, in(q.Kinds), func(q *search.Query, s string, on bool) { set(&q.Kinds, s, on) })
	// A year narrows the reader's dates to it: its count is of the hits,
	// which are within them. Dates within one year tick it, and untick it.
	year := ""
	if !q.From.IsZero() && !q.To.IsZero() && q.From.Year() == q.To.Year() {
		year = strconv.Itoa(q.From.Year())
	}
	facet("year", "Годы", res.Facets.Years, nil, nil, func(s string) bool { return s == year }, func(q *search.Query, s string, on bool) {
		if !on {
			q.From, q.To = time.Time{}, time.Time{}
			return
		}
		y, _ := strconv.Atoi(s)
		first := time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC)
		last := time.Date(y, time.December, 31, 0, 0, 0, 0, time.UTC)
		if q.From.Before(first) {
			q.From = first
		}
		if q.To.IsZero() || q.To.After(last) {
			q.To = last
		}
	})

	remove := func(list []string, s string) []string {
		return slices.DeleteFunc(slices.Clone(list), func(x string) bool { return x == s })
	}
	for _, s := range q.Regions {
		label := "Регион"
		if t := tax.Regions.Get(s); t != nil && t.Country == "CN" {
			label = "Регион Китая"
		}
		v.Active = append(v.Active, ActiveFilter{Facet: label, Label: tax.Regions.NameOf(s), Remove: link(func(q *search.Query) { q.Regions = remove(q.Regions, s) })})
	}
	for _, s := range q.Sectors {
		v.Active = append(v.Active, ActiveFilter{Facet: "Отрасль", Label: tax.Sectors.NameOf(s), Remove: link(func(q *search.Query) { q.Sectors = remove(q.Sectors, s) })})
	}
	for _, s := range q.Kinds {
		v.Active = append(v.Active, ActiveFilter{Facet: "Вид", Label: tax.Kinds.NameOf(s), Remove: link(func(q *search.Query) { q.Kinds = remove(q.Kinds, s) })})
	}
	if !q.From.IsZero() {
		v.Active = append(v.Active, ActiveFilter{Label: "с " + RuDate(q.From), Remove: link(func(q *search.Query) { q.From = time.Time{} })})
	}
	if !q.To.IsZero() {
		v.Active = append(v.Active, ActiveFilter{Label: "по " + RuDate(q.To), Remove: link(func(q *search.Query) { q.To = time.Time{} })})
	}
	if len(v.Active) > 1 {
		v.ClearAll = link(func(q *search.Query) {
			q.Regions, q.Sectors, q.Kinds, q.From, q.To = nil, nil, nil, time.Time{}, time.Time{}
		})
	}

	v.Ignored, v.Missing = ignoredWords(res.Ignored), res.Missing
	v.NoWords = strings.TrimSpace(q.Q) != "" && !strings.ContainsFunc(q.Q, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
	if res.Layout != "" {
		v.Typos = &Typos{Query: res.Layout, URL: link(func(c *search.Query) { c.Q = res.Layout }), Layout: true}
	} else if len(res.Typos) > 0 {
		v.Typos = searchTypos(q.Q, res.Typos)
		if v.Typos.Query != "" {
			v.Typos.URL = link(func(c *search.Query) { c.Q = v.Typos.Query })
		}
	}

	// A text with nothing to rank by offers no choice of order, nor do
	// fewer than two hits.
	if res.Ranked && res.Total > 1 {
		v.Sorts = []SortLink{
			{Label: "по релевантности", URL: link(func(q *search.Query) { q.Sort = search.SortDefault }), Active: res.Query.Sort == search.SortRelevance},
			{Label: "по дате", URL: link(func(q *search.Query) { q.Sort = search.SortDate }), Active: res.Query.Sort == search.SortDate},
		}
	}

	pages := (res.Total + q.PerPage - 1) / q.PerPage
	v.Pager = Pager{Number: q.Page, Total: pages}
	if q.Page > pages && pages > 0 {
		// Past the last page: a way back instead of the pager's steps.
		v.LastPage = link(func(c *search.Query) { c.Page = pages })
		return v
	}
	if q.Page > 1 && q.Page <= pages+1 {
		v.Pager.Prev = link(func(c *search.Query) { c.Page = min(q.Page-1, max(pages, 1)) })
	}
	if q.Page < pages {
		v.Pager.Next = link(func(c *search.Query) { c.Page = q.Page + 1 })
	}
	return v
}

// foldKeepsPlaces reports whether russian.Fold keeps each letter of the
// word w at its byte offset. It folds letter by letter, but a letter's
// lower case may be longer or shorter (Ⱥ, the Kelvin sign's K), so that
// two of them can leave the word's length as it was and the letters
// between them moved; and it writes a Latin letter among Cyrillic ones,
// a byte shorter, as the Cyrillic one it looks like (russian.Unmixed), and
// the other way round, which a letter alone does not show.
func foldKeepsPlaces(w string) bool {
	if russian.Unmixed(w) != w {
		return false
	}
	for _, r := range w {
		if len(russian.Fold(string(r))) != utf8.RuneLen(r) {
			return false
		}
	}
	return true
}

// typoAt returns the typo whose word is the token of folded that starts at
// at, if any: a word's tokens are its runs of letters and digits.
func typoAt(folded string, at int, typos []search.Typo) (search.Typo, bool) {
	// A rune decoded past either end is utf8.RuneError, no letter.
	letter := func(r rune, _ int) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	if letter(utf8.DecodeLastRuneInString(folded[:at])) {
		return search.Typo{}, false
	}
	for _, t := range typos {
		if rest, ok := strings.CutPrefix(folded[at:], t.Word); ok && t.Word != "" && !letter(utf8.DecodeRuneInString(rest)) {
			return t, true
		}
	}
	return search.Typo{}, false
}

// searchTypos says what the reader's text q was searched as: with each word
// that matched only with a typo replaced by what it matched, wherever q has
// it as a word to find (not in a phrase, not excluded, which are searched
// as typed), or, when that is not known for every one of them, the words
// themselves.
func searchTypos(q string, typos []search.Typo) *Typos {
	v := &Typos{}
	known := true
	for _, t := range typos {
		v.Words = append(v.Words, t.Word)
		known = known && t.As != ""
	}
	if !known {
		return v
	}
	fixed := search.MapWords(q, func(w string) string {
		// The typo is a folded token of a word (folded as a Typo says,
		// which russian.Fold does to a word): replace it in place when
		// folding kept the word's bytes where they were; each token once,
		// as typed («инве» is no typo inside «инвес», nor inside what
		// another typo was read as).
		if !foldKeepsPlaces(w) {
			return w
		}
		folded := russian.Fold(w)
		var b strings.Builder
		last := 0
		for at := 0; at < len(folded); {
			t, ok := typoAt(folded, at, typos)
			if !ok {
				_, size := utf8.DecodeRuneInString(folded[at:])
				at += size
				continue
			}
			as := t.As
			if r, _ := utf8.DecodeRuneInString(w[at:]); unicode.IsUpper(r) {
				first, size := utf8.DecodeRuneInString(as)
				as = string(unicode.ToUpper(first)) + as[size:]
			}
			b.WriteString(w[last:at])
			b.WriteString(as)
			at += len(t.Word)
			last = at
		}
		return b.String() + w[last:]
	})
	if s := strings.Join(strings.Fields(fixed), " "); s != strings.Join(strings.Fields(q), " ") {
		v.Query = s
	}
	return v
}

// TrySearchPage renders search.html as the results page of digest serve
// would, with the settings and taxonomies of site, into nothing: the page
// of a search without words, a page of one hit with its facets, a typo put
// right and more pages to go to, and the page of a refused request. A
// template that fails on one of them fails the build, which renders no
// search page, rather than every reader's search.
func (s *Set) TrySearchPage(site *source.Site) error {
	first := func(t *source.Taxonomy) []string {
		if t == nil || len(t.Terms) == 0 {
			return nil
		}
		return []string{t.Terms[0].Slug}
	}
	regions, sectors, kinds := first(site.Regions), first(site.Sectors), first(site.Kinds)
	facet := func(slugs []string) []search.FacetCount {
		var out []search.FacetCount
		for _, s := range slugs {
			out = append(out, search.FacetCount{Value: s, Count: 1})
		}
		return out
	}
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	q := search.Query{Q: "выставка", Regions: regions, Page: 2, PerPage: 1, From: day, To: day.AddDate(0, 1, 0)}
	hit := search.Hit{URL: "/2025/note/", Title: "Заметка", Date: day, End: day.AddDate(0, 0, 2), Regions: regions, Sectors: sectors,
		Summary: "Кратко.", Snippet: "…<mark>выставка</mark>…", Score: 1}
	if len(kinds) > 0 {
		hit.Kind = kinds[0]
	}
	found := &search.Result{Query: q, Total: 3, Hits: []search.Hit{hit}, Typos: []search.Typo{{Word: "выстафка", As: "выставка"}},
		Facets: search.Facets{Regions: facet(regions), Sectors: facet(sectors), Kinds: facet(kinds), Years: facet([]string{"2025"})}}
	views := []*SearchPage{
		NewSearchPage(&search.Result{Query: search.Query{Page: 1, PerPage: search.SitePerPage(site)}}, search.Query{Page: 1}, site),
		NewSearchPage(found, q, site),
		{Query: "выставка", From: "2025-13-01", Regions: regions, Error: "from: «2025-13-01» — не дата, нужен формат ГГГГ-ММ-ДД"},
	}
	var buf bytes.Buffer
	for _, v := range views {
		buf.Reset()
		p := &Page{Site: site.Settings, Title: "Поиск", Path: "/search", Query: v.Query, NoIndex: true, Data: v}
		if err := s.Execute(&buf, "search.html", p); err != nil {
			return err
		}
	}
	return nil
}
