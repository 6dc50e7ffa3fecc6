package search

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func newTestHandler(t testing.TB, ix *Index) *Handler {
	t.Helper()
	h, err := NewHandler(ix, HandlerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func get(t testing.TB, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, target, nil))
	return w
}

func TestHandlerBadRequests(t *testing.T) {
	h := newTestHandler(t, sharedIndex(t))
	long := url.QueryEscape(strings.Repeat("я", MaxQueryLen+1))
	tests := []struct {
		name, query string
		want        []string // in the error message
	}{
		{"q too long", "q=" + long, []string{"q:", "too long", "501"}},
		{"q not UTF-8", "q=%FF%FE", []string{"q:", "UTF-8"}},
		{"page 0", "page=0", []string{"page:", `"0"`}},
		{"page negative", "page=-3", []string{"page:"}},
		{"page not a number", "page=x", []string{"page:", `"x"`}},
		{"page empty number", "page=1.5", []string{"page:"}},
		{"per_page 0", "per_page=0", []string{"per_page:", "1 to 100"}},
		{"per_page 101", "per_page=101", []string{"per_page:", "1 to 100"}},
		{"per_page text", "per_page=many", []string{"per_page:"}},
		{"from bad month", "from=2024-13-01", []string{"from:", "2024-13-01", "YYYY-MM-DD"}},
		{"to not a date", "to=abc", []string{"to:", "abc"}},
		{"to before from", "from=2024-05-01&to=2024-04-01", []string{"to:", "before"}},
		{"to the zero time's day", "from=2024-05-01&to=0001-01-01", []string{"to:", "0001-01-01", "too early", "1000"}},
		{"from the zero time's day", "from=0001-01-01", []string{"from:", "too early"}},
		{"the two days after the zero time, reversed", "from=0001-01-02&to=0001-01-01", []string{"from:", "too early"}},
		{"from the year 999", "from=0999-12-31", []string{"from:", "too early"}},
		{"unknown region, closest", "region=" + url.QueryEscape("Хабаровск"), []string{"region:", `unknown region "Хабаровск"`, "Хабаровский край", "khabarovsk-krai"}},
		{"unknown sector", "sector=space", []string{"sector:", `unknown sector "space"`}},
		{"unknown kind", "kind=" + url.QueryEscape("выстафка"), []string{"kind:", "unknown kind", "Выставка"}},
		{"unknown sort", "sort=foo", []string{"sort:", `"foo"`, "relevance or date"}},
		{"malformed escape", "q=%zz", []string{"query string", "%zz"}},
		{"semicolon", "q=a;b", []string{"query string", "';' does not separate parameters", "'&'"}},
		{"too many parameters", strings.Repeat("a=1&", 20000), []string{"query string", "too many parameters"}},
		{"from huge", "from=" + strings.Repeat("9", 100000), []string{"from:", "is not a date", "YYYY-MM-DD"}},
		{"sort huge", "sort=" + strings.Repeat("x", 100000), []string{"sort:", "relevance or date"}},
		{"page huge", "page=" + strings.Repeat("x", 100000), []string{"page:"}},
		{"sort twice", "sort=date&sort=bogus", []string{"sort:", "given 2 times", "at most once"}},
		{"page twice", "page=2&page=x", []string{"page:", "given 2 times"}},
		{"q twice", "q=&q=" + url.QueryEscape("Харбин"), []string{"q:", "given 2 times"}},
		{"from three times", "from=2024-01-01&from=2024-01-01&from=2024-01-01", []string{"from:", "given 3 times"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := get(t, h, "GET", "/api/search?"+tt.query)
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", w.Code, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			var body struct{ Error string }
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", w.Body, err)
			}
			for _, s := range tt.want {
				if !strings.Contains(body.Error, s) {
					t.Errorf("error %q lacks %q", body.Error, s)
				}
			}
			// A value is quoted in part, however long.
			if len(body.Error) > 300 {
				t.Errorf("error of %d bytes: %.100q…", len(body.Error), body.Error)
			}
		})
	}
}

func TestHandlerMethods(t *testing.T) {
	h := newTestHandler(t, sharedIndex(t))
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		w := get(t, h, m, "/api/search")
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s /api/search: %d, Allow %q", m, w.Code, w.Header().Get("Allow"))
		}
	}
	if w := get(t, h, "HEAD", "/api/search?q=выставка"); w.Code != http.StatusOK {
		t.Errorf("HEAD /api/search: %d", w.Code)
	}
}

func TestHandlerPastTheEnd(t *testing.T) {
	h := newTestHandler(t, sharedIndex(t))
	w := get(t, h, "GET", "/api/search?page=999999999999&per_page=100")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var res struct {
		Total int
		Hits  []any
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.Total != 7 || len(res.Hits) != 0 || !strings.Contains(w.Body.String(), `"hits":[]`) {
		t.Errorf("body %s", w.Body)
	}
}

// TestHandlerFirstDay checks that the first day a search may start on is a
// bound like any other.
func TestHandlerFirstDay(t *testing.T) {
	h := newTestHandler(t, sharedIndex(t))
	for target, want := range map[string]int{"to=1000-01-01": 0, "from=1000-01-01": 7, "": 7} {
		var res struct{ Total int }
		if err := json.Unmarshal(get(t, h, "GET", "/api/search?"+target).Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		if res.Total != want {
			t.Errorf("%s: %d notes, want %d", target, res.Total, want)
		}
	}
}

func TestHandlerJSON(t *testing.T) {
	h := newTestHandler(t, sharedIndex(t))
	w := get(t, h, "GET", "/api/search?q="+url.QueryEscape("выставка")+"&region=Хэйлунцзян&per_page=1&sort=date")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var res map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"query", "total", "took_ms", "page", "per_page", "hits", "facets", "typos", "ignored", "layout"} {
		if _, ok := res[k]; !ok {
			t.Errorf("no %q in %s", k, w.Body)
		}
	}
	if res["query"] != "выставка" || res["total"] != 2.0 || res["page"] != 1.0 || res["per_page"] != 1.0 {
		t.Errorf("result %v", res)
	}
	hits := res["hits"].([]any)
	if len(hits) != 1 {
		t.Fatalf("hits %v", hits)
	}
	hit := hits[0].(map[string]any)
	for _, k := range []string{"url", "title", "date", "end", "kind", "regions", "sectors", "snippet", "score"} {
		if _, ok := hit[k]; !ok {
			t.Errorf("hit lacks %q: %v", k, hit)
		}
	}
	if hit["url"] != expo || hit["date"] != "2025-06-10" || hit["end"] != "2025-06-14" || hit["kind"] != "expo" {
		t.Errorf("hit %v", hit)
	}
	if s := hit["snippet"].(string); !strings.Contains(s, "<mark>выставке</mark>") {
		t.Errorf("snippet %q", s)
	}
	facets := res["facets"].(map[string]any)
	for _, k := range []string{"regions", "sectors", "kinds", "years"} {
		list, ok := facets[k].([]any)
		if !ok || len(list) == 0 {
			t.Errorf("facet %s: %v", k, facets[k])
			continue
		}
		f := list[0].(map[string]any)
		if f["slug"] == nil || f["name"] == nil || f["count"] == nil {
			t.Errorf("facet %s entry %v", k, f)
		}
	}
	regions := facets["regions"].([]any)
	if first := regions[0].(map[string]any); first["slug"] != "heilongjiang" || first["name"] != "Хэйлунцзян" || first["count"] != 2.0 {
		t.Errorf("regions facet %v", regions)
	}
	// A one-day event has "end": null.
	w = get(t, h, "GET", "/api/search?q=Хэйхэ")
	if !strings.Contains(w.Body.String(), `"end":null`) {
		t.Errorf("one-day event: %s", w.Body)
	}
	// Words that matched only with a typo are said so, as the page says.
	for q, want := range map[string]string{
		"выстафке": `"typos":[{"word":"выстафке","as":"выставке"}]`,
		"выставке": `"typos":[]`,
		// Words it cannot search are said so.
		"и в":      `"ignored":["и","в"]`,
		"выставка": `"ignored":[]`,
		// Keys of the other layout are said so, and the reader's query kept.
		"dscnfdrt":  `"query":"dscnfdrt","total":2,`,
		"dscnfdrt ": `"layout":"выставке"`,
		"выставки":  `"layout":""`,
	} {
		if w := get(t, h, "GET", "/api/search?q="+url.QueryEscape(q)); !strings.Contains(w.Body.String(), want) {
			t.Errorf("q=%s: no %s in %s", q, want, w.Body)
		}
	}
}

// TestHandlerSetIndex swaps indexes under searches from many goroutines:
// no search fails, each sees one index or the other. Run with -race.
func TestHandlerSetIndex(t *testing.T) {
	withDrafts := buildIndex(t, testDocs(t, true), 2)
	without := buildIndex(t, testDocs(t, false), 1)
	h := newTestHandler(t, without)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan string, 100)
	for range 8 {
		wg.Go(func() {
			for ctx.Err() == nil {
				for _, target := range []string{"/api/search?q=черновик", "/api/search?region=khabarovsk-krai&sort=date"} {
					w := get(t, h, "GET", target)
					if w.Code != http.StatusOK {
						select {
						case errs <- target + ": " + w.Body.String():
						default:
						}
					}
				}
			}
		})
	}
	// Swap to fresh copies and close the old ones, as a rebuild would.
	for i := range 20 {
		var next *Index
		if i%2 == 0 {
			next = reopen(t, withDrafts)
		} else {
			next = reopen(t, without)
		}
		old := h.SetIndex(next)
		if err := old.Close(); err != nil {
			t.Error(err)
		}
	}
	cancel()
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestHandlerCache checks that a cached answer does not outlive its index.
func TestHandlerCache(t *testing.T) {
	h := newTestHandler(t, buildIndex(t, testDocs(t, false), 1))
	count := func() string {
		w := get(t, h, "GET", "/api/search?q="+url.QueryEscape("черновик"))
		var res struct{ Total int }
		json.Unmarshal(w.Body.Bytes(), &res)
		return strconv.Itoa(res.Total)
	}
	if a, b := count(), count(); a != "0" || b != "0" {
		t.Fatalf("before: %s, %s", a, b)
	}
	h.SetIndex(buildIndex(t, testDocs(t, true), 1))
	if got := count(); got != "1" {
		t.Errorf("after SetIndex: %s notes, want 1", got)
	}
}

// TestHandlerCacheBudget fills the cache with distinct answers: what it
// holds stays within its budget in bytes, however many answers it was
// given, the answers it pushes out are counted out, and what it still
// holds is served from it.
func TestHandlerCacheBudget(t *testing.T) {
	const budget = 16 << 10
	h, err := NewHandler(buildIndex(t, testDocs(t, false), 1), HandlerConfig{CacheBytes: budget})
	if err != nil {
		t.Fatal(err)
	}
	answer := func(i int) string {
		return get(t, h, "GET", "/api/search?per_page="+strconv.Itoa(1+i%50)+"&page="+strconv.Itoa(1+i/50)).Body.String()
	}
	for i := range 400 {
		answer(i)
		if st := h.Stats(); st.CacheBytes > budget || st.CacheBytes < 0 {
			t.Fatalf("after %d answers the cache holds %d bytes (budget %d)", i+1, st.CacheBytes, budget)
		}
	}
	st := h.Stats()
	if st.CacheEntries == 0 || st.CacheEntries >= 400 {
		t.Fatalf("the cache holds %d answers of 400", st.CacheEntries)
	}
	var want int64
	for _, key := range h.cache.Keys() {
		resp, _ := h.cache.Peek(key)
		want += cost(key, resp)
	}
	if st.CacheBytes != want {
		t.Errorf("the cache counts %d bytes, its entries cost %d", st.CacheBytes, want)
	}
	// The latest answer is still there; the first was pushed out.
	hits := st.CacheHits
	answer(399)
	if h.Stats().CacheHits != hits+1 {
		t.Error("the latest answer was not served from the cache")
	}
	answer(0)
	if h.Stats().CacheHits != hits+1 {
		t.Error("the first answer is still in the cache")
	}
	h.Forget()
	if st := h.Stats(); st.CacheBytes != 0 || st.CacheEntries != 0 {
		t.Errorf("after Forget: %d answers, %d bytes", st.CacheEntries, st.CacheBytes)
	}
}

func reopen(t *testing.T, ix *Index) *Index {
	t.Helper()
	n, err := Open(ix.Dir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}
