package templates

import (
	"net/url"
	"strconv"
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
	// Typos, when not nil, says that words of the query matched only with
	// typos, and as what.
	Typos *Typos
	Items []Item
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
