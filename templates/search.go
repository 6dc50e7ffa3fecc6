package templates

// SearchPage is the Data of search.html, the results page of `digest
// serve`: the query and filters as the reader set them, the hits, the
// facets that narrow the search, and links that change it. Every link is a
// query string relative to the page.
type SearchPage struct {
	Query   string
	Error   string // a bad request's message; the rest is then empty
	Total   int
	Took    string // seconds
	Sort    string // "relevance" or "date"
	Items   []Item
	Facets  []SearchFacet
	Active  []ActiveFilter
	Sorts   []SortLink
	Pager   Pager
	From    string // YYYY-MM-DD, or empty
	To      string
	Regions []string // hidden fields that keep the filters when the query changes
	Sectors []string
	Kinds   []string
	PerPage int // when not the site's
}

// SearchFacet is one facet: a heading and its values, each a link that
// adds it to the search.
type SearchFacet struct {
	Title  string
	Counts []Count
}

// ActiveFilter is a filter in force with a link that removes it.
type ActiveFilter struct {
	Label  string
	Remove string
}

// SortLink is a link to the results in another order.
type SortLink struct {
	Label  string
	URL    string
	Active bool
}
