package search

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coopdigest/digest/source"
	"github.com/coopdigest/digest/templates"
)

// searcher is what the handler needs of an index.
type searcher interface {
	Search(ctx context.Context, q Query) (*Result, error)
}

var _ searcher = (*Index)(nil)

// HandlerConfig is what a Handler serves with.
type HandlerConfig struct {
	// Source holds the site's settings and taxonomies, as
	// source.LoadSettings reads them; the notes are not needed.
	Source *source.Site
	// Templates render the results page ("search.html"); nil for the
	// embedded defaults.
	Templates *templates.Set
	// Logger gets a line for every request that fails on the server's side;
	// nil for none.
	Logger *slog.Logger
	// CacheBytes bounds the cache of responses: 0 for DefaultCacheBytes,
	// below 0 for no cache.
	CacheBytes int
	// Turns is how many searches run at once (see Handler.turn): 0 for as
	// many as runtime.GOMAXPROCS.
	Turns int
}

// DefaultCacheBytes is the default size of the handler's response cache.
// Readers ask the same questions (a region, the latest events), and an
// index changes seldom: a cached answer costs a map lookup.
const DefaultCacheBytes = 32 << 20

// Handler serves GET /search, a results page in the site's look that works
// without JavaScript, and GET /api/search, the same as JSON. The index it
// searches can be replaced while it serves (SetIndex).
type Handler struct {
	index atomic.Pointer[Index]
	// gen counts SetIndex calls; it is part of every cache key, so that a
	// search that was under way on the old index caches nothing found again.
	gen   atomic.Uint64
	cache *cache
	// turns holds a token for each search under way; see turn.
	turns chan struct{}
	src   *source.Site
	tmpl  *templates.Set
	log   *slog.Logger
	mux   *http.ServeMux
}

// NewHandler returns a handler searching ix.
func NewHandler(ix *Index, cfg HandlerConfig) (*Handler, error) {
	if cfg.Source == nil {
		return nil, errors.New("search handler: no site source")
	}
	turns := cfg.Turns
	if turns <= 0 {
		turns = runtime.GOMAXPROCS(0)
	}
	h := &Handler{src: cfg.Source, tmpl: cfg.Templates, log: cfg.Logger, turns: make(chan struct{}, turns)}
	if h.tmpl == nil {
		t, err := templates.Load(nil)
		if err != nil {
			return nil, err
		}
		h.tmpl = t
	}
	if !h.tmpl.Has("search.html") {
		return nil, errors.New("search handler: templates have no search.html")
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	switch {
	case cfg.CacheBytes == 0:
		h.cache = newCache(DefaultCacheBytes)
	case cfg.CacheBytes > 0:
		h.cache = newCache(cfg.CacheBytes)
	}
	h.index.Store(ix)
	h.mux = http.NewServeMux()
	h.mux.HandleFunc("GET /search", h.servePage)
	h.mux.HandleFunc("GET /api/search", h.serveAPI)
	return h, nil
}

// SetIndex makes the handler search ix from now on and returns the index it
// searched before, which the caller should Close: Close waits for searches
// under way, and those that start after it retry on ix.
func (h *Handler) SetIndex(ix *Index) (old *Index) {
	old = h.index.Swap(ix)
	h.gen.Add(1)
	h.cache.clear()
	return old
}

// Index returns the index the handler searches.
func (h *Handler) Index() *Index { return h.index.Load() }

// ServeHTTP serves /search and /api/search; any other method than GET and
// HEAD gets 405.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		if r.URL.Path == "/api/search" {
			h.writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed: use GET")
			return
		}
		http.Error(w, "405 method not allowed: use GET", http.StatusMethodNotAllowed)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// parse reads the request's parameters, with the site's page size when
// none is given.
func (h *Handler) parse(r *http.Request) (Query, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return Query{}, &ParamError{"query string", "malformed: " + queryProblem(err)}
	}
	q, err := ParseRequest(v, &h.src.Taxonomies)
	if err != nil {
		return q, err
	}
	if q.PerPage == 0 {
		q.PerPage = min(max(h.src.Settings.PerPage, 1), MaxPerPage)
	}
	return q, nil
}

// search runs q on the current index. A search that meets an index closed
// under it by SetIndex runs again on the new one.
func (h *Handler) search(ctx context.Context, q Query) (*Result, error) {
	for {
		ix := h.index.Load()
		res, err := ix.Search(ctx, q)
		if errors.Is(err, ErrClosed) && h.index.Load() != ix {
			continue
		}
		return res, err
	}
}

// turn waits for a turn for the processors and returns the function that
// gives it back; an error means ctx ended first.
//
// A search and the making of its answer take turns: no more run at once
// than there are processors, and the others wait in the order they came.
// Let loose, the scheduler serves some late and some early, and under load
// the slowest answers took several times the median. The answer is sent
// after the turn, so that a slow reader holds up no one else.
func (h *Handler) turn(ctx context.Context) (func(), error) {
	select {
	case h.turns <- struct{}{}:
		return func() { <-h.turns }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// cached answers from the cache and reports whether it did; otherwise it
// returns the key to store the answer under.
func (h *Handler) cached(w http.ResponseWriter, endpoint string, q Query) (key string, done bool) {
	if h.cache == nil {
		return "", false
	}
	// The index's count of updates is part of the key, so that an answer
	// from before an Update is never served after it; such answers are
	// left for the cache to push out.
	key = strconv.FormatUint(h.gen.Load(), 10) + "." + strconv.FormatUint(h.index.Load().updates.Load(), 10) +
		" " + endpoint + "?" + q.Values().Encode()
	resp, ok := h.cache.get(key)
	if !ok {
		return key, false
	}
	h.write(w, resp)
	return key, true
}

// write sends a response.
func (h *Handler) write(w http.ResponseWriter, resp cachedResponse) {
	w.Header().Set("Content-Type", resp.ctype)
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(resp.status)
	w.Write(resp.body)
}

// queryProblem describes a malformed query string without repeating it.
func queryProblem(err error) string {
	var ee url.EscapeError
	if errors.As(err, &ee) {
		return fmt.Sprintf("bad escape %q", string(ee))
	}
	return "cannot be decoded"
}

// apiResult is the JSON of /api/search.
type apiResult struct {
	Query   string    `json:"query"`
	Total   int       `json:"total"`
	TookMS  float64   `json:"took_ms"`
	Page    int       `json:"page"`
	PerPage int       `json:"per_page"`
	Hits    []apiHit  `json:"hits"`
	Facets  apiFacets `json:"facets"`
}

type apiHit struct {
	URL     string   `json:"url"`
	Title   string   `json:"title"`
	Date    string   `json:"date"`
	End     *string  `json:"end"` // null for a one-day event
	Kind    string   `json:"kind"`
	Regions []string `json:"regions"`
	Sectors []string `json:"sectors"`
	Snippet string   `json:"snippet"`
	Score   float64  `json:"score"`
}

type apiFacets struct {
	Regions []apiFacet `json:"regions"`
	Sectors []apiFacet `json:"sectors"`
	Kinds   []apiFacet `json:"kinds"`
	Years   []apiFacet `json:"years"`
}

type apiFacet struct {
	Slug  string `json:"slug"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// EncodeJSON writes res as /api/search answers it, with names from tax.
func EncodeJSON(w io.Writer, res *Result, tax *source.Taxonomies) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(apiResultOf(res, tax))
}

func apiResultOf(res *Result, tax *source.Taxonomies) apiResult {
	out := apiResult{
		Query:   res.Query.Q,
		Total:   res.Total,
		TookMS:  float64(res.Took.Microseconds()) / 1000,
		Page:    res.Query.Page,
		PerPage: res.Query.PerPage,
		Hits:    make([]apiHit, 0, len(res.Hits)),
	}
	for _, h := range res.Hits {
		ah := apiHit{
			URL:     h.URL,
			Title:   h.Title,
			Date:    h.Date.Format(time.DateOnly),
			Kind:    h.Kind,
			Regions: nonNil(h.Regions),
			Sectors: nonNil(h.Sectors),
			Snippet: h.Snippet,
			Score:   h.Score,
		}
		if !h.End.IsZero() {
			end := h.End.Format(time.DateOnly)
			ah.End = &end
		}
		out.Hits = append(out.Hits, ah)
	}
	facet := func(counts []FacetCount, t *source.Taxonomy) []apiFacet {
		out := make([]apiFacet, 0, len(counts))
		for _, c := range counts {
			out = append(out, apiFacet{Slug: c.Value, Name: termName(t, c.Value), Count: c.Count})
		}
		return out
	}
	out.Facets = apiFacets{
		Regions: facet(res.Facets.Regions, tax.Regions),
		Sectors: facet(res.Facets.Sectors, tax.Sectors),
		Kinds:   facet(res.Facets.Kinds, tax.Kinds),
		Years:   facet(res.Facets.Years, nil),
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// termName is the Russian name of a slug, or the slug when the taxonomy
// does not know it (a year, or an index older than the taxonomy).
func termName(t *source.Taxonomy, slug string) string {
	if term := t.Get(slug); term != nil {
		return term.Name.Ru
	}
	return slug
}

func (h *Handler) serveAPI(w http.ResponseWriter, r *http.Request) {
	q, err := h.parse(r)
	if err != nil {
		h.writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	key, ok := h.cached(w, "api", q)
	if ok {
		return
	}
	done, err := h.turn(r.Context())
	if err != nil {
		return // the client has gone
	}
	res, err := h.search(r.Context(), q)
	if err != nil {
		done()
		status, msg := h.problem(r, err)
		if status != 0 {
			h.writeError(w, status, msg)
		}
		return
	}
	out := apiResultOf(res, &h.src.Taxonomies)
	buf := answers.Get().(*[]byte)
	resp := cachedResponse{status: http.StatusOK, ctype: jsonType, body: out.appendJSON((*buf)[:0])}
	done()
	h.write(w, resp)
	h.remember(key, resp)
	if cap(resp.body) <= maxPooledAnswer {
		*buf = resp.body[:0]
		answers.Put(buf)
	}
}

// answers holds the buffers answers are made in, so that each answer does
// not allocate its own: the cache keeps a copy of the exact size.
var answers = sync.Pool{New: func() any {
	b := make([]byte, 0, 32<<10)
	return &b
}}

// maxPooledAnswer is the largest buffer answers keeps: a hundred hits
// with long snippets.
const maxPooledAnswer = 256 << 10

// remember keeps resp in the cache under key, unless key is "": a copy of
// its body, the size the cache counts it as.
func (h *Handler) remember(key string, resp cachedResponse) {
	if key != "" {
		resp.body = bytes.Clone(resp.body)
		h.cache.put(key, resp)
	}
}

const jsonType = "application/json; charset=utf-8"

// writeError writes the JSON {"error": msg}.
// The message quotes what the reader wrote, unescaped as HTML, as answers
// are (see json.go).
func (h *Handler) writeError(w http.ResponseWriter, status int, msg string) {
	body := append(appendJSONString([]byte(`{"error":`), msg), "}\n"...)
	h.write(w, cachedResponse{status: status, ctype: jsonType, body: body})
}

// problem turns an error of a search into a status and a message for the
// reader, logging what is the server's fault. A status of 0 means the
// client has gone and nothing should be written.
func (h *Handler) problem(r *http.Request, err error) (int, string) {
	var pe *ParamError
	switch {
	case errors.As(err, &pe):
		return http.StatusBadRequest, pe.Error()
	case r.Context().Err() != nil:
		return 0, ""
	}
	h.log.Error("search failed", "url", r.URL.String(), "err", err)
	return http.StatusInternalServerError, "the search failed; try again later"
}

// pageView is the Data of the results page.
type pageView struct {
	Query   string
	Error   string
	Total   int
	Took    string
	Sort    Sort
	Items   []templates.Item
	Facets  []facetView
	Active  []activeFilter
	Sorts   []sortLink
	Pager   pagerView
	From    string
	To      string
	Regions []string // hidden fields that keep the filters when the query changes
	Sectors []string
	Kinds   []string
	PerPage int
}

// facetView is one facet: a heading and its values, each a link that adds
// it to the search.
type facetView struct {
	Title  string
	Counts []templates.Count
}

// activeFilter is a filter in force with a link that removes it.
type activeFilter struct {
	Label  string
	Remove string
}

type sortLink struct {
	Label  string
	URL    string
	Active bool
}

type pagerView struct {
	Number, Total int
	Prev, Next    string
}

func (h *Handler) servePage(w http.ResponseWriter, r *http.Request) {
	q, err := h.parse(r)
	var key string
	var res *Result
	var release func() // gives the turn back; see turn
	defer func() {
		if release != nil {
			release()
		}
	}()
	if err == nil {
		var done bool
		if key, done = h.cached(w, "page", q); done {
			return
		}
		if release, err = h.turn(r.Context()); err != nil {
			return // the client has gone
		}
		res, err = h.search(r.Context(), q)
	}
	page := &templates.Page{
		Site:    h.src.Settings,
		Title:   "Поиск",
		Path:    r.URL.Path,
		NoIndex: true,
	}
	status := http.StatusOK
	view := &pageView{}
	if err != nil {
		status, view.Error = h.problem(r, err)
		if status == 0 {
			return
		}
		// A q that is too long or not UTF-8 is not put back into the box.
		if pe := (*ParamError)(nil); !errors.As(err, &pe) || pe.Param != "q" {
			page.Query = q.Q
			view.Query = q.Q
		}
	} else {
		view = h.view(res, q)
		page.Query = q.Q
		if q.Q != "" {
			page.Title = "Поиск: " + q.Q
		}
	}
	page.Data = view
	var buf bytes.Buffer
	if err := h.tmpl.Execute(&buf, "search.html", page); err != nil {
		h.log.Error("search: render", "err", err)
		http.Error(w, "500 internal error", http.StatusInternalServerError)
		return
	}
	resp := cachedResponse{status: status, ctype: "text/html; charset=utf-8", body: buf.Bytes()}
	if release != nil {
		release()
		release = nil
	}
	h.write(w, resp)
	if status == http.StatusOK {
		h.remember(key, resp)
	}
}

// view builds the results page's data from a result of the query q as the
// reader gave it: links keep what the reader set and nothing more.
func (h *Handler) view(res *Result, q Query) *pageView {
	tax := &h.src.Taxonomies
	if q.PerPage == 0 {
		q.PerPage = res.Query.PerPage
	}
	v := &pageView{
		Query:   q.Q,
		Total:   res.Total,
		Took:    strconv.FormatFloat(res.Took.Seconds(), 'f', 3, 64),
		Sort:    res.Query.Sort,
		Regions: q.Regions,
		Sectors: q.Sectors,
		Kinds:   q.Kinds,
	}
	if q.PerPage != min(max(h.src.Settings.PerPage, 1), MaxPerPage) {
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
		c.Regions = append([]string(nil), q.Regions...)
		c.Sectors = append([]string(nil), q.Sectors...)
		c.Kinds = append([]string(nil), q.Kinds...)
		c.Page = 1
		if c.PerPage == min(max(h.src.Settings.PerPage, 1), MaxPerPage) {
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
			Snippet: template.HTML(hit.Snippet), // escaped by snippet, with <mark> only
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

	facet := func(title string, counts []FacetCount, t *source.Taxonomy, active []string, add func(*Query, string)) {
		if len(counts) == 0 {
			return
		}
		f := facetView{Title: title}
		for _, c := range counts {
			on := contains(active, c.Value)
			f.Counts = append(f.Counts, templates.Count{
				Name:   termName(t, c.Value),
				URL:    link(func(q *Query) { add(q, c.Value) }),
				Count:  c.Count,
				Active: on,
			})
		}
		v.Facets = append(v.Facets, f)
	}
	facet("Регионы", res.Facets.Regions, tax.Regions, q.Regions, func(q *Query, s string) {
		if !contains(q.Regions, s) {
			q.Regions = append(q.Regions, s)
		}
	})
	facet("Отрасли", res.Facets.Sectors, tax.Sectors, q.Sectors, func(q *Query, s string) {
		if !contains(q.Sectors, s) {
			q.Sectors = append(q.Sectors, s)
		}
	})
	// A note has one kind: choosing a kind replaces the others.
	facet("Виды событий", res.Facets.Kinds, tax.Kinds, q.Kinds, func(q *Query, s string) { q.Kinds = []string{s} })
	var years []string
	if !q.From.IsZero() && !q.To.IsZero() && q.From.Year() == q.To.Year() &&
		q.From.YearDay() == 1 && q.To.Month() == time.December && q.To.Day() == 31 {
		years = []string{strconv.Itoa(q.From.Year())}
	}
	facet("Годы", res.Facets.Years, nil, years, func(q *Query, s string) {
		y, _ := strconv.Atoi(s)
		q.From = time.Date(y, time.January, 1, 0, 0, 0, 0, time.UTC)
		q.To = time.Date(y, time.December, 31, 0, 0, 0, 0, time.UTC)
	})

	remove := func(list []string, s string) []string {
		var out []string
		for _, x := range list {
			if x != s {
				out = append(out, x)
			}
		}
		return out
	}
	for _, s := range q.Regions {
		v.Active = append(v.Active, activeFilter{termName(tax.Regions, s), link(func(q *Query) { q.Regions = remove(q.Regions, s) })})
	}
	for _, s := range q.Sectors {
		v.Active = append(v.Active, activeFilter{termName(tax.Sectors, s), link(func(q *Query) { q.Sectors = remove(q.Sectors, s) })})
	}
	for _, s := range q.Kinds {
		v.Active = append(v.Active, activeFilter{termName(tax.Kinds, s), link(func(q *Query) { q.Kinds = remove(q.Kinds, s) })})
	}
	if !q.From.IsZero() {
		v.Active = append(v.Active, activeFilter{"с " + templates.RuDate(q.From), link(func(q *Query) { q.From = time.Time{} })})
	}
	if !q.To.IsZero() {
		v.Active = append(v.Active, activeFilter{"по " + templates.RuDate(q.To), link(func(q *Query) { q.To = time.Time{} })})
	}

	if q.Q != "" {
		v.Sorts = []sortLink{
			{"по релевантности", link(func(q *Query) { q.Sort = SortDefault }), res.Query.Sort == SortRelevance},
			{"по дате", link(func(q *Query) { q.Sort = SortDate }), res.Query.Sort == SortDate},
		}
	}

	pages := (res.Total + q.PerPage - 1) / q.PerPage
	v.Pager = pagerView{Number: q.Page, Total: pages}
	pageLink := func(n int) string {
		return link(func(c *Query) { c.Page = n })
	}
	if q.Page > 1 && q.Page <= pages+1 {
		v.Pager.Prev = pageLink(min(q.Page-1, max(pages, 1)))
	}
	if q.Page < pages {
		v.Pager.Next = pageLink(q.Page + 1)
	}
	return v
}
