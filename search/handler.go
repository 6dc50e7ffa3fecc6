package search

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/coopdigest/digest/source"
)

// HandlerConfig is what a Handler serves with.
type HandlerConfig struct {
	// Logger gets a line for every request that fails on the server's side;
	// nil for none.
	Logger *slog.Logger
	// CacheBytes bounds the cache of responses by the size of the answers
	// it holds, with their keys: 0 for DefaultCacheBytes, below 0 for no
	// cache. Responses larger than maxCachedBody are not kept.
	CacheBytes int
	// Turns is how many searches run at once (see Handler.turn): 0 for as
	// many as runtime.GOMAXPROCS.
	Turns int
}

// DefaultCacheBytes is the default size of the handler's response cache,
// in bytes, not answers: a results page weighs ten times a JSON answer.
const DefaultCacheBytes = 32 << 20

// cacheEntryCost is what an entry of the cache costs beside its key and
// body: the list element, the map's slot and the Response.
const cacheEntryCost = 256

// maxCachedBody is the largest response the cache keeps.
const maxCachedBody = 64 << 10

// Handler serves GET /api/search, a search's Result as JSON, and other
// views of a search (Answer: searchpage's results page) through the same
// cache of answers and turns. SetIndex replaces the index while it serves.
type Handler struct {
	index atomic.Pointer[Index]
	// gen counts SetIndex and Forget calls; it is part of every cache key,
	// so that a search under way on the old index caches nothing found again.
	gen          atomic.Uint64
	hits, misses atomic.Uint64                // the cache's answers
	cache        *lru.Cache[string, Response] // nil for none
	// cacheBytes is what the cache's entries cost (see cost), kept under
	// cacheBudget by remember.
	cacheBytes  atomic.Int64
	cacheBudget int64
	turns       chan struct{} // a token for each search under way; see turn
	log         *slog.Logger
}

// NewHandler returns a handler searching ix.
func NewHandler(ix *Index, cfg HandlerConfig) (*Handler, error) {
	if ix == nil {
		return nil, errors.New("search handler: no index")
	}
	turns := cfg.Turns
	if turns <= 0 {
		turns = runtime.GOMAXPROCS(0)
	}
	h := &Handler{log: cfg.Logger, turns: make(chan struct{}, turns)}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if n := cfg.CacheBytes; n >= 0 {
		if n == 0 {
			n = DefaultCacheBytes
		}
		h.cacheBudget = int64(n)
		// golang-lru bounds the number of entries; remember bounds their
		// bytes, which the eviction callback counts down.
		c, err := lru.NewWithEvict(max(1, n/cacheEntryCost), func(key string, resp Response) {
			h.cacheBytes.Add(-cost(key, resp))
		})
		if err != nil {
			return nil, fmt.Errorf("search handler: %w", err)
		}
		h.cache = c
	}
	h.index.Store(ix)
	go ix.Warm()
	return h, nil
}

// Index returns the index the handler searches.
func (h *Handler) Index() *Index { return h.index.Load() }

// SetIndex makes the handler search ix from now on and returns the index it
// searched before, which the caller should Close: Close waits for searches
// under way, and those that start after it retry on ix.
func (h *Handler) SetIndex(ix *Index) (old *Index) {
	old = h.index.Swap(ix)
	if ix != old {
		go ix.Warm()
	}
	h.Forget()
	return old
}

// Forget empties the cache of answers, and keeps none of the searches
// under way, as when what a View makes its answers of has changed.
func (h *Handler) Forget() {
	h.gen.Add(1)
	if h.cache != nil {
		h.cache.Purge()
	}
}

// HandlerStats are a Handler's counts since it was made, for metrics.
type HandlerStats struct {
	// CacheHits and CacheMisses count the searches answered from the
	// cache of responses and those that were not; both are 0 without one.
	CacheHits, CacheMisses uint64
	// CacheEntries is how many responses the cache holds, and CacheBytes
	// what they cost, keys included.
	CacheEntries int
	CacheBytes   int64
	// Swaps counts SetIndex calls, and Forget's.
	Swaps uint64
}

// Stats returns the handler's counts.
func (h *Handler) Stats() HandlerStats {
	st := HandlerStats{CacheHits: h.hits.Load(), CacheMisses: h.misses.Load(), Swaps: h.gen.Load()}
	if h.cache != nil {
		st.CacheEntries = h.cache.Len()
		st.CacheBytes = h.cacheBytes.Load()
	}
	return st
}

// Status describes the index the handler searches, for a health check (see
// Index.Status), and fails when it cannot answer.
func (h *Handler) Status(ctx context.Context) (string, error) {
	s, _, err := current(h, h.index.Load(), func(ix *Index) (string, error) { return ix.Status(ctx) })
	return s, err
}

// ServeHTTP serves /api/search; a method other than GET and HEAD gets 405.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.write(w, errorResponse(http.StatusMethodNotAllowed, "method "+r.Method+" not allowed: use GET"))
		return
	}
	h.Answer(w, r, "api", h.apiView)
}

// Parse reads a search request's parameters, with the names of ix's site
// and its page size when none is given; a malformed query string is a
// *ParamError that says what is wrong with it.
func Parse(r *http.Request, ix *Index) (Query, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		en, ru := queryProblem(err)
		return Query{}, &ParamError{queryString, "malformed: " + en, "не читается: " + ru}
	}
	site := ix.Site()
	q, err := ParseRequest(v, &site.Taxonomies)
	if err != nil {
		return q, err
	}
	if q.PerPage == 0 {
		q.PerPage = SitePerPage(site)
	}
	return q, nil
}

// SitePerPage is the page size of a search of site that asks for none:
// the site's, within what a request may ask.
func SitePerPage(site *source.Site) int { return min(max(site.Settings.PerPage, 1), MaxPerPage) }

// current calls fn with ix, or, when SetIndex closed ix under it, with the
// index that replaced it, and returns that index too.
func current[T any](h *Handler, ix *Index, fn func(*Index) (T, error)) (T, *Index, error) {
	for {
		v, err := fn(ix)
		if next := h.index.Load(); errors.Is(err, ErrClosed) && next != ix {
			ix = next
			continue
		}
		return v, ix, err
	}
}

// turn waits for a turn for the processors and returns the function that
// gives it back, once however often it is called; an error means ctx ended
// first. No more searches run at once than there are processors, the
// others waiting in order: let loose, under load the slowest answers took
// several times the median. The answer is sent after the turn, so a slow
// reader holds up no one else.
func (h *Handler) turn(ctx context.Context) (func(), error) {
	select {
	case h.turns <- struct{}{}:
		return sync.OnceFunc(func() { <-h.turns }), nil
	case <-ctx.Done():
		return func() {}, ctx.Err()
	}
}

// Response is an answer as a Handler writes it, and as its cache keeps
// it.
type Response struct {
	Status int
	Type   string // its Content-Type
	Body   []byte
}

// cached answers from the cache and reports whether it did; otherwise it
// returns the key to keep the answer under.
func (h *Handler) cached(w http.ResponseWriter, endpoint string, ix *Index, q Query) (key string, done bool) {
	if h.cache == nil {
		return "", false
	}
	// The index's count of updates is part of the key, so that an answer
	// from before an Update is never served after it; such answers are
	// left for the cache to push out.
	key = strconv.FormatUint(h.gen.Load(), 10) + "." + strconv.FormatUint(ix.Updates(), 10) +
		" " + endpoint + "?" + q.Values().Encode()
	resp, ok := h.cache.Get(key)
	if !ok {
		h.misses.Add(1)
		return key, false
	}
	h.hits.Add(1)
	h.write(w, resp)
	return key, true
}

// remember keeps resp in the cache under key, unless key is "" or resp is
// too large to be worth it, and pushes the least recently used answers out
// until the cache is within its budget again.
func (h *Handler) remember(key string, resp Response) {
	if key == "" || resp.Status != http.StatusOK || len(resp.Body) > maxCachedBody {
		return
	}
	// The body is copied: the buffer it was written into has room to
	// spare, up to as much again, which the cache would keep too.
	resp.Body = bytes.Clone(resp.Body)
	if _, found, _ := h.cache.PeekOrAdd(key, resp); found {
		return // a search at the same time kept the same answer
	}
	h.cacheBytes.Add(cost(key, resp))
	for h.cacheBytes.Load() > h.cacheBudget {
		if _, _, ok := h.cache.RemoveOldest(); !ok {
			break
		}
	}
}

func cost(key string, resp Response) int64 {
	return int64(len(key) + len(resp.Type) + len(resp.Body) + cacheEntryCost)
}

func (h *Handler) write(w http.ResponseWriter, resp Response) {
	w.Header().Set("Content-Type", resp.Type)
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
}

// queryProblem describes a malformed query string without repeating it,
// in English and in Russian.
func queryProblem(err error) (en, ru string) {
	if ee, ok := errors.AsType[url.EscapeError](err); ok {
		return fmt.Sprintf("bad escape %q", printable(string(ee))), fmt.Sprintf("неверный код «%s»", printable(string(ee)))
	}
	// net/url has no error values for these; its messages tell them apart.
	switch {
	case strings.Contains(err.Error(), "semicolon"):
		return "';' does not separate parameters: use '&', and %3B for a ';' in a value",
			"«;» не разделяет параметры: нужен «&», а «;» в значении — %3B"
	case strings.Contains(err.Error(), "exceeded limit"):
		return "too many parameters", "слишком много параметров"
	}
	return "cannot be decoded", "не декодируется"
}

// apiResult is the JSON of /api/search: a Result, with the names of the
// facets' values.
type apiResult struct {
	Query   string    `json:"query"`
	Total   int       `json:"total"`
	TookMS  float64   `json:"took_ms"`
	Page    int       `json:"page"`
	PerPage int       `json:"per_page"`
	Hits    []apiHit  `json:"hits"`
	Facets  apiFacets `json:"facets"`
	Typos   []Typo    `json:"typos"`
	Ignored []string  `json:"ignored"`
	Layout  string    `json:"layout"`
	Missing []string  `json:"missing"`
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

// EncodeJSON writes res as /api/search answers it, with names from tax,
// indented for people to read.
func EncodeJSON(w io.Writer, res *Result, tax *source.Taxonomies) error {
	return encodeJSON(w, apiResultOf(res, tax), "  ")
}

// encodeJSON writes v as JSON, with HTML in strings as it is: snippets
// are HTML, and the answer is never read as HTML.
func encodeJSON(w io.Writer, v any, indent string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", indent)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// apiResultOf is res as JSON has it; its lists are [], never null.
func apiResultOf(res *Result, tax *source.Taxonomies) apiResult {
	out := apiResult{
		Query:   res.Query.Q,
		Total:   res.Total,
		TookMS:  float64(res.Took.Microseconds()) / 1000,
		Page:    res.Query.Page,
		PerPage: res.Query.PerPage,
		Hits:    make([]apiHit, 0, len(res.Hits)),
		Typos:   append([]Typo{}, res.Typos...),
		Ignored: append([]string{}, res.Ignored...),
		Layout:  res.Layout,
		Missing: append([]string{}, res.Missing...),
	}
	for _, h := range res.Hits {
		ah := apiHit{
			URL:     h.URL,
			Title:   h.Title,
			Date:    h.Date.Format(time.DateOnly),
			Kind:    h.Kind,
			Regions: append([]string{}, h.Regions...),
			Sectors: append([]string{}, h.Sectors...),
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
			out = append(out, apiFacet{Slug: c.Value, Name: t.NameOf(c.Value), Count: c.Count})
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

const jsonType = "application/json; charset=utf-8"

// Outcome is a search as a View answers it: what the request asked for
// and what came of it.
type Outcome struct {
	// Query is the search as the request gave it, with the site's page
	// size when it gives none; when Err is a *ParamError, as far as it
	// was read.
	Query Query
	// Site is the site of the index searched.
	Site *source.Site
	// Result is what the search found; nil when Err is not.
	Result *Result
	// Err is why there is no Result: a *ParamError, which the reader is to
	// be told, or a failure of the server's, which is logged.
	Err error
}

// A View makes the answer to a search: the JSON of /api/search, or the
// results page that package searchpage serves. It returns false when it
// has answered the request itself, as after an error of its own: nothing
// is then written for it or cached.
type View func(o *Outcome) (Response, bool)

// Answer answers r with view's answer to the search r asks for: from the
// cache, by name and search, when it holds one made on the index as it is
// now; otherwise by searching and making the answer in turn (turn), cached
// when its status is 200. Bad parameters get view's answer at once; a
// client that has gone gets none.
func (h *Handler) Answer(w http.ResponseWriter, r *http.Request, name string, view View) {
	ix := h.index.Load()
	q, err := Parse(r, ix)
	var key string
	var res *Result
	release := func() {} // gives the turn back; see turn
	defer func() { release() }()
	if err == nil {
		var done bool
		if key, done = h.cached(w, name, ix, q); done {
			return
		}
		if release, err = h.turn(r.Context()); err != nil {
			return // the client has gone
		}
		res, ix, err = current(h, ix, func(ix *Index) (*Result, error) { return ix.Search(r.Context(), q) })
	}
	if err != nil && !h.failed(r, err) {
		return
	}
	resp, ok := view(&Outcome{Query: q, Site: ix.Site(), Result: res, Err: err})
	if !ok {
		return
	}
	release()
	h.write(w, resp)
	h.remember(key, resp)
}

// failed reports whether a search that failed with err is to be answered:
// not when its client has gone. A failure that is not the reader's is
// logged.
func (h *Handler) failed(r *http.Request, err error) bool {
	if _, ok := errors.AsType[*ParamError](err); ok {
		return true
	}
	if r.Context().Err() != nil {
		return false
	}
	h.log.Error("search failed", "url", printable(r.URL.String()), "err", err)
	return true
}

// apiView is the View of /api/search: the Result as JSON, or the problem
// as {"error": …}.
func (h *Handler) apiView(o *Outcome) (Response, bool) {
	if o.Err != nil {
		if pe, ok := errors.AsType[*ParamError](o.Err); ok {
			return errorResponse(http.StatusBadRequest, pe.Error()), true
		}
		return errorResponse(http.StatusInternalServerError, "the search failed; try again later"), true
	}
	var buf bytes.Buffer
	if err := encodeJSON(&buf, apiResultOf(o.Result, &o.Site.Taxonomies), ""); err != nil {
		h.log.Error("search: encode", "err", err)
		return errorResponse(http.StatusInternalServerError, "the search failed; try again later"), true
	}
	return Response{Status: http.StatusOK, Type: jsonType, Body: buf.Bytes()}, true
}

// errorResponse is the JSON {"error": msg}.
func errorResponse(status int, msg string) Response {
	var buf bytes.Buffer
	encodeJSON(&buf, struct {
		Error string `json:"error"`
	}{msg}, "")
	return Response{Status: status, Type: jsonType, Body: buf.Bytes()}
}
