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
	"testing/fstest"

	"github.com/coopdigest/digest/templates"
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
		ru          []string // in the results page, in Russian
	}{
		{"q too long", "q=" + long, []string{"q:", "too long", "501"}, []string{"q: слишком длинный запрос: 501 символ, можно не больше 500"}},
		{"q not UTF-8", "q=%FF%FE", []string{"q:", "UTF-8"}, []string{"q: не текст в UTF-8"}},
		{"page 0", "page=0", []string{"page:", `"0"`}, []string{"page: &#34;0&#34; — нужно целое число от 1"}},
		{"page negative", "page=-3", []string{"page:"}, []string{"нужно целое число от 1"}},
		{"page not a number", "page=x", []string{"page:", `"x"`}, []string{"page: &#34;x&#34; — нужно целое число от 1"}},
		{"page empty number", "page=1.5", []string{"page:"}, []string{"нужно целое число от 1"}},
		{"per_page 0", "per_page=0", []string{"per_page:", "1 to 100"}, []string{"per_page: &#34;0&#34; — нужно целое число от 1 до 100"}},
		{"per_page 101", "per_page=101", []string{"per_page:", "1 to 100"}, []string{"от 1 до 100"}},
		{"per_page text", "per_page=many", []string{"per_page:"}, []string{"от 1 до 100"}},
		{"from bad month", "from=2024-13-01", []string{"from:", "2024-13-01", "YYYY-MM-DD"}, []string{"from: &#34;2024-13-01&#34; — не дата, нужен формат ГГГГ-ММ-ДД"}},
		{"to not a date", "to=abc", []string{"to:", "abc"}, []string{"to: &#34;abc&#34; — не дата"}},
		{"to before from", "from=2024-05-01&to=2024-04-01", []string{"to:", "before"}, []string{"to: 2024-04-01 раньше начала (from) 2024-05-01"}},
		{"unknown region, closest", "region=" + url.QueryEscape("Хабаровск"), []string{"region:", `unknown region "Хабаровск"`, "Хабаровский край", "khabarovsk-krai"}, []string{"region: неизвестный регион «Хабаровск»; может быть, «Хабаровский край» (khabarovsk-krai)?"}},
		{"unknown sector", "sector=space", []string{"sector:", `unknown sector "space"`}, []string{"sector: неизвестная отрасль «space»"}},
		{"unknown kind", "kind=" + url.QueryEscape("выстафка"), []string{"kind:", "unknown kind", "Выставка"}, []string{"kind: неизвестный вид события «выстафка»; может быть, «Выставка»"}},
		{"unknown sort", "sort=foo", []string{"sort:", `"foo"`, "relevance or date"}, []string{"sort: неизвестный порядок &#34;foo&#34;"}},
		{"malformed escape", "q=%zz", []string{"query string", "%zz"}, []string{"query string: строка запроса не читается: неверный код &#34;%zz&#34;"}},
		{"from huge", "from=" + strings.Repeat("9", 100000), []string{"from:", "is not a date", "YYYY-MM-DD"}, []string{"— не дата, нужен формат ГГГГ-ММ-ДД"}},
		{"sort huge", "sort=" + strings.Repeat("x", 100000), []string{"sort:", "relevance or date"}, []string{"нужен relevance (по релевантности) или date (по дате)"}},
		{"page huge", "page=" + strings.Repeat("x", 100000), []string{"page:"}, []string{"нужно целое число от 1"}},
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

			// The page answers the same, in the site's look.
			w = get(t, h, "GET", "/search?"+tt.query)
			if w.Code != http.StatusBadRequest {
				t.Fatalf("page: status %d, want 400", w.Code)
			}
			page := w.Body.String()
			if !strings.Contains(page, `class="search-form"`) || !strings.Contains(page, `class="error"`) {
				t.Errorf("page is not in the site's look with an error:\n%s", page)
			}
			if !strings.Contains(page, strings.SplitN(tt.want[0], ":", 2)[0]) {
				t.Errorf("page does not name the parameter %q", tt.want[0])
			}
			for _, s := range tt.ru {
				if !strings.Contains(page, s) {
					t.Errorf("page lacks %s", s)
				}
			}
			// No English on the Russian page: the message is all Russian
			// but for the parameter and the value.
			msg := page[strings.Index(page, `class="error"`):]
			msg = msg[:strings.Index(msg, "</p>")]
			for _, en := range []string{"unknown", "must", "use ", "not ", "too long", "before", "malformed"} {
				if strings.Contains(msg, en) {
					t.Errorf("English %q in %s", en, msg)
				}
			}
		})
	}
}

func TestHandlerMethods(t *testing.T) {
	h := newTestHandler(t, sharedIndex(t))
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		for _, p := range []string{"/search", "/api/search"} {
			w := get(t, h, m, p)
			if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: %d, Allow %q", m, p, w.Code, w.Header().Get("Allow"))
			}
		}
	}
	for _, p := range []string{"/search?q=выставка", "/api/search?q=выставка"} {
		if w := get(t, h, "HEAD", p); w.Code != http.StatusOK {
			t.Errorf("HEAD %s: %d", p, w.Code)
		}
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
	tests := []struct {
		name, query string
		want, not   []string
	}{
		{"past the last page", "page=50&per_page=2", []string{`<span id="total">7</span>`, "Страницы 50 нет", `<a href="?page=4&amp;per_page=2">Последняя страница, 4-я</a>`}, []string{"Ничего не найдено", `class="pager"`}},
		{"past the only page", "q=" + url.QueryEscape("Гуандун") + "&page=3", []string{`<a href="?q=%D0%93%D1%83%D0%B0%D0%BD%D0%B4%D1%83%D0%BD">Последняя страница, 1-я</a>`}, []string{"Ничего не найдено"}},
		{"nothing at all", "q=zzzzqqq&page=3", []string{"Ничего не найдено"}, []string{"Последняя страница"}},
		{"the last page", "page=4&per_page=2", []string{`rel="prev"`, "Страница 4 из 4"}, []string{"Последняя страница", "Ничего не найдено"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := get(t, h, "GET", "/search?"+tt.query)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d", w.Code)
			}
			for _, s := range tt.want {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("page lacks %s", s)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(w.Body.String(), s) {
					t.Errorf("page has %s", s)
				}
			}
		})
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
	for _, k := range []string{"query", "total", "took_ms", "page", "per_page", "hits", "facets"} {
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
}

func TestHandlerPage(t *testing.T) {
	h := newTestHandler(t, sharedIndex(t))
	w := get(t, h, "GET", "/search?q="+url.QueryEscape("Гуандун")+"&per_page=2")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	page := w.Body.String()
	for _, want := range []string{
		`<meta name="robots" content="noindex">`,
		`value="Гуандун"`,                          // the query box keeps the query
		`<span id="total">3</span>`,                // total
		`href="/2023/podmoskovye-guangdong-toys/"`, // a hit
		`<mark>`, // a snippet
		`href="?per_page=2&amp;q=%D0%93%D1%83%D0%B0%D0%BD%D0%B4%D1%83%D0%BD&amp;region=moscow-oblast"`, // a facet link
		`rel="next"`, // pagination
		`sort=date`,  // the other order
		"Московская область",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// An active filter can be removed.
	w = get(t, h, "GET", "/search?q="+url.QueryEscape("Гуандун")+"&region=moscow-oblast")
	page = w.Body.String()
	if !strings.Contains(page, `class="filters"`) || !strings.Contains(page, `href="?q=%D0%93%D1%83%D0%B0%D0%BD%D0%B4%D1%83%D0%BD"`) {
		t.Errorf("no removable filter:\n%s", page)
	}
	// Text from notes and queries is escaped.
	w = get(t, h, "GET", "/search?q="+url.QueryEscape(`<script>alert(1)</script> растёт`))
	if page := w.Body.String(); strings.Contains(page, "<script>alert") || strings.Contains(page, "<b>растёт") {
		t.Errorf("unescaped text in the page")
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
				for _, target := range []string{"/api/search?q=черновик", "/search?q=Хабаровский", "/api/search?region=khabarovsk-krai&sort=date"} {
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

func reopen(t *testing.T, ix *Index) *Index {
	t.Helper()
	n, err := Open(ix.Dir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// TestHandlerSetTemplates: new templates render the results page from the
// next request on, the pages cached before included; templates without a
// results page are refused.
func TestHandlerSetTemplates(t *testing.T) {
	h := newTestHandler(t, sharedIndex(t))
	const target = "/search?q=%D0%B2%D1%8B%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B0"
	if w := get(t, h, "GET", target); w.Code != 200 || strings.Contains(w.Body.String(), "новый шаблон") {
		t.Fatalf("before: %d", w.Code)
	}
	tmpl, err := templates.Load(fstest.MapFS{"search.html": {Data: []byte(`{{define "main"}}<p>новый шаблон</p>{{end}}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.SetTemplates(tmpl); err != nil {
		t.Fatal(err)
	}
	if w := get(t, h, "GET", target); !strings.Contains(w.Body.String(), "новый шаблон") {
		t.Errorf("after SetTemplates the page is the cached one:\n%.300s", w.Body.String())
	}
	if err := h.SetTemplates(nil); err == nil {
		t.Error("nil templates taken")
	}
}
