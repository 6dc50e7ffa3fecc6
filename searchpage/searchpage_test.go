package searchpage

import (
	"bytes"
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"unicode"
	"unicode/utf8"

	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/source"
	"github.com/coopdigest/digest/templates"
)

// testSite is the site of package search's tests, whose notes the
// expectations here name, loaded once.
var testSite = sync.OnceValues(func() (*source.Site, error) {
	return source.Load(os.DirFS("../search/testdata/site"))
})

// testDocs makes the documents of the test site; drafts only when asked.
func testDocs(t testing.TB, drafts bool) []search.Document {
	t.Helper()
	src, err := testSite()
	if err != nil {
		t.Fatal(err)
	}
	var docs []search.Document
	for _, n := range src.Published(drafts) {
		docs = append(docs, search.FromNote(n, string(n.Body), &src.Taxonomies))
	}
	return docs
}

// buildIndex builds docs into a temporary folder and opens it.
func buildIndex(t testing.TB, docs []search.Document) *search.Index {
	t.Helper()
	src, err := testSite()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), search.DirName)
	if err := search.Build(context.Background(), dir, docs, src); err != nil {
		t.Fatal(err)
	}
	return open(t, dir)
}

func open(t testing.TB, dir string) *search.Index {
	t.Helper()
	ix, err := search.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func reopen(t *testing.T, ix *search.Index) *search.Index { return open(t, ix.Dir()) }

var (
	testIndexOnce sync.Once
	testIndex     *search.Index
	testIndexErr  error
)

// sharedIndex is the test site's index, built once for every test that
// only reads it.
func sharedIndex(t testing.TB) *search.Index {
	t.Helper()
	testIndexOnce.Do(func() {
		src, err := testSite()
		if err != nil {
			testIndexErr = err
			return
		}
		dir, err := os.MkdirTemp("", "digest-searchpage-test")
		if err != nil {
			testIndexErr = err
			return
		}
		// The folder is left for the OS to clean: tests in this package share it.
		if err := search.Build(context.Background(), filepath.Join(dir, search.DirName), testDocs(t, false), src); err != nil {
			testIndexErr = err
			return
		}
		testIndex, testIndexErr = search.Open(filepath.Join(dir, search.DirName))
	})
	if testIndexErr != nil {
		t.Fatal(testIndexErr)
	}
	return testIndex
}

// newTestHandler returns the page of a search handler of ix, and that
// handler.
func newTestHandler(t testing.TB, ix *search.Index) (*Handler, *search.Handler) {
	t.Helper()
	sh, err := search.NewHandler(ix, search.HandlerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(sh, Config{})
	if err != nil {
		t.Fatal(err)
	}
	return h, sh
}

func get(t testing.TB, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, target, nil))
	return w
}

// TestHandlerBadRequests: a bad parameter gets the page in the site's look,
// with status 400 and a message in Russian that names it.
func TestHandlerBadRequests(t *testing.T) {
	h, _ := newTestHandler(t, sharedIndex(t))
	long := url.QueryEscape(strings.Repeat("я", search.MaxQueryLen+1))
	tests := []struct {
		name, query string
		param       string   // named on the page
		ru          []string // on the page
	}{
		{"q too long", "q=" + long, "q", []string{"Запрос (q): слишком длинный запрос: 501 символ, можно не больше 500"}},
		{"q not UTF-8", "q=%FF%FE", "q", []string{"Запрос (q): не текст в UTF-8"}},
		{"page 0", "page=0", "page", []string{"Страница (page): «0» — нужно целое число от 1"}},
		{"page negative", "page=-3", "page", []string{"нужно целое число от 1"}},
		{"page not a number", "page=x", "page", []string{"Страница (page): «x» — нужно целое число от 1"}},
		{"page empty number", "page=1.5", "page", []string{"нужно целое число от 1"}},
		{"per_page 0", "per_page=0", "per_page", []string{"На странице (per_page): «0» — нужно целое число от 1 до 100"}},
		{"per_page 101", "per_page=101", "per_page", []string{"от 1 до 100"}},
		{"per_page text", "per_page=many", "per_page", []string{"от 1 до 100"}},
		{"from bad month", "from=2024-13-01", "from", []string{"С даты (from): «2024-13-01» — не дата, нужен формат ГГГГ-ММ-ДД"}},
		{"to not a date", "to=abc", "to", []string{"По дату (to): «abc» — не дата"}},
		{"to before from", "from=2024-05-01&to=2024-04-01", "to", []string{"По дату (to): 2024-04-01 — раньше, чем «С даты» (2024-05-01)"}},
		{"unknown region, closest", "region=" + url.QueryEscape("Хабаровск"), "region", []string{"Регион (region): неизвестный регион «Хабаровск»; может быть, «Хабаровский край» (khabarovsk-krai)?"}},
		{"unknown sector", "sector=space", "sector", []string{"Отрасль (sector): неизвестная отрасль «space»"}},
		{"unknown kind", "kind=" + url.QueryEscape("выстафка"), "kind", []string{"Вид события (kind): неизвестный вид события «выстафка»; может быть, «Выставка»"}},
		{"unknown sort", "sort=foo", "sort", []string{"Порядок (sort): неизвестный порядок «foo»"}},
		{"q twice", "q=a&q=b", "q", []string{"Запрос (q): указан 2 раза, можно не больше одного"}},
		{"q five times", "q=a&q=b&q=c&q=d&q=e", "q", []string{"Запрос (q): указан 5 раз, можно не больше одного"}},
		{"malformed escape", "q=%zz", "Строка запроса", []string{"Строка запроса не читается: неверный код «%zz»"}},
		{"semicolon", "q=a;b", "Строка запроса", []string{"Строка запроса не читается: «;» не разделяет параметры: нужен «&amp;»"}},
		{"from huge", "from=" + strings.Repeat("9", 100000), "from", []string{"— не дата, нужен формат ГГГГ-ММ-ДД"}},
		{"sort huge", "sort=" + strings.Repeat("x", 100000), "sort", []string{"нужен relevance (по релевантности) или date (по дате)"}},
		{"page huge", "page=" + strings.Repeat("x", 100000), "page", []string{"нужно целое число от 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := get(t, h, "GET", "/search?"+tt.query)
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", w.Code, w.Body)
			}
			page := w.Body.String()
			if !strings.Contains(page, `class="search-form"`) || !strings.Contains(page, `class="error"`) {
				t.Errorf("page is not in the site's look with an error:\n%s", page)
			}
			if !strings.Contains(page, tt.param) {
				t.Errorf("page does not name the parameter %q", tt.param)
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
	h, _ := newTestHandler(t, sharedIndex(t))
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		w := get(t, h, m, "/search")
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s /search: %d, Allow %q", m, w.Code, w.Header().Get("Allow"))
		}
	}
	if w := get(t, h, "HEAD", "/search?q=выставка"); w.Code != http.StatusOK {
		t.Errorf("HEAD /search: %d", w.Code)
	}
}

func TestHandlerPastTheEnd(t *testing.T) {
	h, _ := newTestHandler(t, sharedIndex(t))
	tests := []struct {
		name, query string
		want, not   []string
	}{
		{"past the last page", "page=50&per_page=2", []string{`<span id="total">7</span>`, "Страницы 50 нет", `<a href="?page=4&amp;per_page=2">Последняя страница, 4-я</a>`}, []string{"Ничего не найдено", `class="pager"`}},
		{"past the only page", "q=" + url.QueryEscape("Гуандун") + "&page=3", []string{"все найденные события — на первой", `<a href="?q=%D0%93%D1%83%D0%B0%D0%BD%D0%B4%D1%83%D0%BD">Первая страница</a>`}, []string{"Ничего не найдено", "от 1 до 1"}},
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

func TestHandlerPage(t *testing.T) {
	h, _ := newTestHandler(t, sharedIndex(t))
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

// TestHandlerLive: the page of watch mode loads the live-reload script, as
// the site's pages do; a served site's does not.
func TestHandlerLive(t *testing.T) {
	sh, err := search.NewHandler(sharedIndex(t), search.HandlerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, live := range []bool{false, true} {
		h, err := New(sh, Config{Live: live})
		if err != nil {
			t.Fatal(err)
		}
		sh.Forget() // the other handler's page is cached
		page := get(t, h, "GET", "/search?q="+url.QueryEscape("Гуандун")).Body.String()
		if got := strings.Contains(page, `<script src="/_digest/live.js">`); got != live {
			t.Errorf("live %v: the page loads the script: %v", live, got)
		}
	}
}

// TestHandlerSetIndex swaps the search handler's indexes under pages from
// many goroutines: no page fails. Run with -race.
func TestHandlerSetIndex(t *testing.T) {
	withDrafts := buildIndex(t, testDocs(t, true))
	without := buildIndex(t, testDocs(t, false))
	h, sh := newTestHandler(t, without)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan string, 100)
	for range 8 {
		wg.Go(func() {
			for ctx.Err() == nil {
				if w := get(t, h, "GET", "/search?q=Хабаровский"); w.Code != http.StatusOK {
					select {
					case errs <- w.Body.String():
					default:
					}
				}
			}
		})
	}
	// Swap to fresh copies and close the old ones, as a rebuild would.
	for i := range 20 {
		var next *search.Index
		if i%2 == 0 {
			next = reopen(t, withDrafts)
		} else {
			next = reopen(t, without)
		}
		old := sh.SetIndex(next)
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

// TestHandlerSetTemplates: new templates render the results page from the
// next request on, the pages cached before included; templates without a
// results page are refused.
func TestHandlerSetTemplates(t *testing.T) {
	h, _ := newTestHandler(t, sharedIndex(t))
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

// TestHandlerSiteTemplateFails checks the page of a request that the
// site's search.html fails on, which the build's trial did not: the
// default search.html in the site's layout, or else the default templates,
// with the status the page would have had and a line that logs why; a
// bare 500 only when no set renders it.
func TestHandlerSiteTemplateFails(t *testing.T) {
	// The site's page shows the third hit; its layout fails on the query
	// «вёрстка».
	page := fstest.MapFile{Data: []byte(`{{define "main"}}<p>своя страница: {{(index .Data.Items 2).Title}}</p>{{end}}`)}
	layout := fstest.MapFile{Data: []byte(`<!doctype html><html lang="ru"><head><title>{{.Title}}</title></head><body>` +
		`<p>своя вёрстка</p>{{if eq .Query "вёрстка"}}{{index .Data.Items 9}}{{end}}{{block "main" .}}{{end}}</body></html>`)}
	both := fstest.MapFS{"search.html": &page, "base.html": &layout}
	const inLayout, defaults = "rendered with the default search.html in the site's layout", "rendered with the default templates"
	esc := url.QueryEscape
	tests := []struct {
		name   string
		files  fstest.MapFS
		alone  bool // only the site's set, with no fallback
		query  string
		status int
		want   []string // on the page
		not    []string
		log    []string // in the log; none for no line
	}{
		{"the site's page", both, false, "q=" + esc("Гуандун"), 200,
			[]string{"своя страница: ", "своя вёрстка"}, []string{`class="search-form"`}, nil},
		{"fewer hits than the site's page shows", both, false, "q=" + esc("мост"), 200,
			[]string{`class="search-form"`, "/2024/amur-bridge/", "своя вёрстка"}, []string{"своя страница"},
			[]string{"level=ERROR", inLayout, "index out of range", `url="/search?q=`}},
		{"a bad parameter", both, false, "q=" + esc("Гуандун") + "&page=0", 400,
			[]string{`class="search-form"`, "нужно целое число от 1", "своя вёрстка"}, []string{"своя страница"},
			[]string{inLayout, "the site's templates: templates/search.html"}},
		{"the site's layout fails too", both, false, "q=" + esc("вёрстка"), 200,
			[]string{`class="search-form"`, "Ничего не найдено"}, []string{"своя"},
			[]string{defaults, "the site's templates: templates/base.html", "layout: templates/base.html"}},
		{"a search.html of the site's alone", fstest.MapFS{"search.html": &page}, false, "q=" + esc("мост"), 200,
			[]string{`class="search-form"`, "/2024/amur-bridge/"}, []string{"своя"},
			[]string{defaults, "index out of range"}},
		{"no set renders the page", both, true, "q=" + esc("мост"), 500,
			[]string{"страница не собралась"}, []string{"<html"},
			[]string{`msg="search: render"`, "index out of range"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := templates.Load(tt.files)
			if err != nil {
				t.Fatal(err)
			}
			sh, err := search.NewHandler(sharedIndex(t), search.HandlerConfig{})
			if err != nil {
				t.Fatal(err)
			}
			var log bytes.Buffer
			h, err := New(sh, Config{Templates: tmpl, Logger: slog.New(slog.NewTextHandler(&log, nil))})
			if err != nil {
				t.Fatal(err)
			}
			if tt.alone {
				h.tmpl.Store(&[]renderer{{tmpl, "the site's templates"}})
			}
			w := get(t, h, "GET", "/search?"+tt.query)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			for _, s := range tt.want {
				if !strings.Contains(w.Body.String(), s) {
					t.Errorf("the page lacks %s:\n%.600s", s, w.Body.String())
				}
			}
			for _, s := range tt.not {
				if strings.Contains(w.Body.String(), s) {
					t.Errorf("the page has %s", s)
				}
			}
			if lines := strings.Count(log.String(), "\n"); tt.log == nil && lines != 0 || tt.log != nil && lines != 1 {
				t.Errorf("%d lines logged, want %d:\n%s", lines, min(len(tt.log), 1), log.String())
			}
			for _, s := range tt.log {
				if !strings.Contains(log.String(), s) {
					t.Errorf("the log lacks %s:\n%s", s, log.String())
				}
			}
		})
	}
}

// TestHandlerSearchPage reads the results page as a reader does.
func TestHandlerSearchPage(t *testing.T) {
	h, _ := newTestHandler(t, sharedIndex(t))
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
				`<h2 id="facet-ru">Регионы России</h2>`, `<h2 id="facet-cn">Регионы Китая</h2>`,
				`<a href="?q=%D0%93%D1%83%D0%B0%D0%BD%D0%B4%D1%83%D0%BD&amp;region=moscow-oblast">Московская область <span class="count">`,
				`<details class="filters-panel">`,
			},
			not: []string{`class="filters"`, `class="on"`},
		},
		{
			name:  "an active facet removes itself, and shows as a chip",
			query: "q=" + esc("Гуандун") + "&region=moscow-oblast&page=2",
			want: []string{
				`<a href="?q=%D0%93%D1%83%D0%B0%D0%BD%D0%B4%D1%83%D0%BD" class="on">Московская область<span class="visually-hidden">, выбрано</span>`,
				`<ul class="filters" aria-label="Выбранные фильтры">`,
				`<li><a href="?q=%D0%93%D1%83%D0%B0%D0%BD%D0%B4%D1%83%D0%BD"><span class="visually-hidden">Убрать фильтр </span>Регион: Московская область`,
			},
			not: []string{"Сбросить все"},
		},
		{
			name:  "two filters can be cleared at once",
			query: "region=guangdong&sector=trade",
			want:  []string{`Регион Китая: Гуандун`, `Отрасль: Торговля`, `<a class="clear" href="?">Сбросить все</a>`},
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
			// Words typed next come by relevance, as any search of words.
			name:  "a search without words comes by date, which the form does not keep",
			query: "region=beijing",
			want:  []string{`<input type="hidden" name="region" value="beijing">`},
			not:   []string{`name="sort"`},
		},
		{
			name:   "a bad request's form holds what was sent, to correct",
			query:  "q=x&from=2024-12-31&to=2024-01-01&region=beijing&region=" + esc("Хабаровский край") + "&sector=trade&kind=expo&sort=date&per_page=5",
			status: http.StatusBadRequest,
			want: []string{
				`name="q" value="x"`, `name="from" value="2024-12-31"`, `name="to" value="2024-01-01"`,
				`<input type="hidden" name="region" value="beijing">`, `<input type="hidden" name="region" value="Хабаровский край">`,
				`<input type="hidden" name="sector" value="trade">`, `<input type="hidden" name="kind" value="expo">`,
				`<input type="hidden" name="sort" value="date">`, `<input type="hidden" name="per_page" value="5">`,
			},
		},
		{
			name:   "a bad request's form holds the values after the bad one, as typed and escaped",
			query:  "q=" + esc(`"><b>`) + "&region=" + esc("Хабаровск") + "&sector=" + esc(`"><i>`) + "&from=" + esc("31.12.2024") + "&to=2025-01-01",
			status: http.StatusBadRequest,
			want: []string{
				`name="q" value="&#34;&gt;&lt;b&gt;"`, `<input type="hidden" name="sector" value="&#34;&gt;&lt;i&gt;">`,
				`name="from" value="31.12.2024"`, `name="to" value="2025-01-01"`,
			},
			// The parameter at fault is hidden: put back, it would fail again.
			not: []string{`name="region"`, `<b>`, `<i>`},
		},
		{
			name:   "a bad per_page is not put back, the rest is",
			query:  "per_page=500&region=beijing&sort=foo",
			status: http.StatusBadRequest,
			want:   []string{`<input type="hidden" name="region" value="beijing">`},
			not:    []string{`name="per_page"`, `name="sort"`},
		},
		{
			name:   "a bad date is put back, for the reader to see and correct",
			query:  "from=2024-13-01&kind=expo",
			status: http.StatusBadRequest,
			want:   []string{`name="from" value="2024-13-01"`, `<input type="hidden" name="kind" value="expo">`},
		},
		{
			name:   "a malformed query string keeps what can be read",
			query:  "q=%zz&region=beijing&from=2024-01-01",
			status: http.StatusBadRequest,
			want:   []string{`name="from" value="2024-01-01"`, `<input type="hidden" name="region" value="beijing">`, `name="q" value=""`},
		},
		{
			name:   "values too long or not text are not put back",
			query:  "q=" + strings.Repeat("x", search.MaxQueryLen+1) + "&to=%FF&sector=" + strings.Repeat("y", search.MaxQueryLen+1),
			status: http.StatusBadRequest,
			want:   []string{`name="q" value=""`, `name="to" value=""`},
			not:    []string{"xxxxxxxxxx", "yyyyyyyyyy", "\xff", `name="sector"`},
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

// TestTypos checks that the page says when the reader's words matched only
// with typos, and as what.
// typoLine is the line of the results page that says the search was of q.
func typoLine(q string) string {
	return `Показаны результаты для <a href="?q=` + strings.ReplaceAll(url.QueryEscape(q), "+", "&#43;") + `">«` + html.EscapeString(q) + `»</a>`
}

func TestTypos(t *testing.T) {
	h, _ := newTestHandler(t, sharedIndex(t))
	tests := []struct {
		name, q string
		line    string // on the page; "" for no line
	}{
		{"exact word", "выставке", ""},
		{"a typo", "выстафке", `Показаны результаты для <a href="?q=%D0%B2%D1%8B%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B5">«выставке»</a>`},
		{"a typo in capitals, beside an exact word", "Выстафке Хэйлунцзян", `Показаны результаты для <a href="?q=%D0%92%D1%8B%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B5&#43;%D0%A5%D1%8D%D0%B9%D0%BB%D1%83%D0%BD%D1%86%D0%B7%D1%8F%D0%BD">«Выставке Хэйлунцзян»</a>`},
		{"nothing found", "зюзюзюзя", ""},
		{"keys of the other layout", "dscnfdrt", `Показаны результаты для <a href="?q=%D0%B2%D1%8B%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B5">«выставке»</a>: запрос набран в другой раскладке`},
		// A Latin B, a Cyrillic В's twin, is a byte shorter; a zero-width
		// space three bytes longer than nothing: the words stay as typed.
		{"a typo in a word of two scripts", "Bыстафке", `Показаны результаты для слов, похожих на «выстафке»`},
		{"a typo around a character of no width", "выста\u200bфке", `Показаны результаты для слов, похожих на «выстафке»`},
		// Two letters whose lower case is a byte longer (Ⱥ) and one two
		// bytes shorter (the Kelvin sign), each in a word too long to be
		// indexed, around a typo: the word stays as typed.
		{"letters whose lower case is longer or shorter", strings.Repeat("Ⱥ", 102) + "-выстафке-" + strings.Repeat("\u212a", 51) + strings.Repeat("a", 50),
			`Показаны результаты для слов, похожих на «выстафке»`},
		// The word searched is put right, every time it is searched, not
		// where it is excluded or in a phrase, which are searched as typed.
		{"a typo excluded and searched", "-выстафке выстафке", typoLine("-выстафке выставке")},
		{"a typo twice", "выстафке Выстафке", typoLine("выставке Выставке")},
		{"a typo in an excluded phrase and alone", `-"выстафке дом" выстафке`, typoLine(`-"выстафке дом" выставке`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := get(t, h, "GET", "/search?q="+url.QueryEscape(tt.q)).Body.String()
			if !utf8.ValidString(page) {
				t.Errorf("the page is not valid UTF-8")
			}
			if tt.line == "" && strings.Contains(page, "Показаны результаты для") {
				t.Errorf("page says a typo was corrected")
			}
			if tt.line != "" && !strings.Contains(page, tt.line) {
				t.Errorf("page lacks %s\n%s", tt.line, page[strings.Index(page, "<p class=\"lead\""):][:600])
			}
			// Said first, where the reader looks: before the count.
			if tt.line != "" && strings.Index(page, tt.line) > strings.Index(page, `<p class="lead"`) {
				t.Errorf("the line comes after the count of events")
			}
		})
	}
}

// TestIgnored checks that the page says which words it did not search for,
// when it could search none of them.
func TestIgnored(t *testing.T) {
	h, _ := newTestHandler(t, sharedIndex(t))
	for _, tt := range []struct {
		q, line string // line: on the page; "" for none
		sorts   bool   // whether the page offers a choice of order
	}{
		{"после", "Слово «после» поиск пропускает: это служебное слово. Показаны события без учёта этого слова.", false},
		{"и в на", "Слова «и», «в», «на» поиск пропускает: это служебные слова. Показаны события без учёта этих слов.", false},
		{"the", "Слово «the» поиск пропускает: это служебное слово.", false},
		{`"и в на"`, "Слова «и в на» поиск пропускает: это служебные слова. Показаны события без учёта этих слов.", false},
		{strings.Repeat("д", 101), "Слово «" + strings.Repeat("д", 40) + "…» поиск пропускает: оно длиннее 100 букв. Показаны события без учёта этого слова.", false},
		{"и " + strings.Repeat("д", 101), "Слово «и» поиск пропускает: это служебное слово. Слово «" + strings.Repeat("д", 40) + "…» поиск пропускает: оно длиннее 100 букв. Показаны события без учёта этих слов.", false},
		// Nothing to search: every event, said so.
		{"🚀🚀", "В запросе нет ни букв, ни цифр: показаны все события.", false},
		{"!!! —", "В запросе нет ни букв, ни цифр: показаны все события.", false},
		{"выставка в", "", true},
		{"выставка в Харбине", "", false}, // one note: no order to choose
		{"-выставка", "", false},
		{"", "", false},
	} {
		page := get(t, h, "GET", "/search?q="+url.QueryEscape(tt.q)).Body.String()
		if tt.line == "" && strings.Contains(page, `class="ignored"`) {
			t.Errorf("q=%q: the page says words were not searched", tt.q)
		}
		if tt.line != "" && !strings.Contains(page, tt.line) {
			t.Errorf("q=%q: page lacks %s\n%s", tt.q, tt.line, page[strings.Index(page, "<p class=\"lead\""):][:600])
		}
		// Nothing is ranked by exclusions or ignored words: no choice of order.
		if sorts := strings.Contains(page, "по релевантности"); sorts != tt.sorts {
			t.Errorf("q=%q: order links shown: %v, want %v", tt.q, sorts, tt.sorts)
		}
	}
	page := get(t, h, "GET", "/search?q="+url.QueryEscape("🚀")+"&region=guangdong").Body.String()
	if want := "показаны все события, которые оставляют фильтры."; !strings.Contains(page, want) {
		t.Errorf("a query of no words with a filter: page lacks %s", want)
	}
}

// TestControlCharacters checks that control characters a reader's request
// holds are not put on the page, whether it is answered or refused, nor
// the marks that set the direction of text, which would turn the page's
// own text around them right to left.
func TestControlCharacters(t *testing.T) {
	h, _ := newTestHandler(t, sharedIndex(t))
	for _, target := range []string{
		"/search?q=" + url.QueryEscape("выставка\x1b[31m\b\b\x7f\u0085"),
		"/search?q=" + url.QueryEscape("выставка\x1b") + "&region=" + url.QueryEscape("Хабаровск\x1b[31m"),
		"/search?q=" + url.QueryEscape("\x1b") + "&from=" + url.QueryEscape("2024\x1b"),
		"/search?q=" + url.QueryEscape("\u202eи"),
		"/search?q=" + url.QueryEscape("выставка \u2067Харбин\u2069 \u200f"),
		"/search?q=x&region=" + url.QueryEscape("\u202eabc"),
		"/search?q=x&sector=" + url.QueryEscape("\u061c\u202aэнергетика\u202c"),
	} {
		w := get(t, h, "GET", target)
		page := w.Body.String()
		if i := strings.IndexFunc(page, func(r rune) bool {
			return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' || unicode.Is(unicode.Bidi_Control, r)
		}); i >= 0 {
			t.Errorf("%s: %d, a control character on the page: %q", target, w.Code, page[max(0, i-80):i+10])
		}
	}
}

// TestMissing checks that the page says which words no note has, when the
// search left them out.
func TestMissing(t *testing.T) {
	h, _ := newTestHandler(t, sharedIndex(t))
	for _, tt := range []struct{ q, line string }{
		{"governor Харбин", "Слова «governor» нет ни в одной заметке: показаны события без него."},
		{"governor Харбин mayor", "Слов «governor», «mayor» нет ни в одной заметке: показаны события без них."},
		{"выставка Харбин", ""},
	} {
		page := get(t, h, "GET", "/search?q="+url.QueryEscape(tt.q)).Body.String()
		if got := strings.Contains(page, "нет ни в одной заметке"); got != (tt.line != "") || !strings.Contains(page, tt.line) {
			t.Errorf("q=%q: the page says %v that words are missing, want %q", tt.q, got, tt.line)
		}
		if tt.line != "" && !strings.Contains(page, `value="`+tt.q+`"`) {
			t.Errorf("q=%q: the search box does not keep the query", tt.q)
		}
	}
}
