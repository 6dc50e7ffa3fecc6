// Package searchpage serves the results page of `digest serve`, GET
// /search: a search.Handler's search, rendered with the site's
// search.html in the site's look, which works without JavaScript. The
// page's data is made by templates.NewSearchPage.
//
// The page takes the parameters of /api/search and is answered through
// the search.Handler's Answer: it shares that handler's cache of answers,
// its turns and the index it searches, swapped by SetIndex. A
// bad parameter gets the page with status 400 and a message in Russian
// that names it; a search that failed on the server's side, the page with
// 500; either with its form holding what the reader sent (see sentForm).
// A site's search.html that fails for a request's data is logged, and the
// page is rendered with the default search.html in the site's layout, or
// else with the default templates, with the status it would have had.
// SetTemplates renders the page with other templates from the next
// request on, the pages cached before included, as watch mode does after
// a change to the site's templates (the page links the stylesheet by its
// fingerprint).
package searchpage

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/templates"
)

// Config is what a Handler serves with.
type Config struct {
	// Templates render the page ("search.html"); nil for the embedded
	// defaults.
	Templates *templates.Set
	// Logger gets a line for every page that fails to render; nil for
	// none.
	Logger *slog.Logger
	// Live asks the page to load the live-reload script of watch mode, as
	// the pages of a live build do.
	Live bool
}

// Handler serves GET /search, the results page of the searches of a
// search.Handler.
type Handler struct {
	search *search.Handler
	tmpl   atomic.Pointer[[]renderer] // see renderers
	log    *slog.Logger
	live   bool
}

// renderer is a set of templates the page may be rendered with, and what
// the log calls it.
type renderer struct {
	set  *templates.Set
	what string
}

// defaultSet is the embedded defaults, loaded once.
var defaultSet = sync.OnceValues(func() (*templates.Set, error) { return templates.Load(nil) })

// errNoPage refuses templates without the results page.
var errNoPage = errors.New("searchpage: templates have no search.html")

// New returns the results page of sh's searches.
func New(sh *search.Handler, cfg Config) (*Handler, error) {
	h := &Handler{search: sh, log: cfg.Logger, live: cfg.Live}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	tmpl := cfg.Templates
	if tmpl == nil {
		t, err := defaultSet()
		if err != nil {
			return nil, err
		}
		tmpl = t
	}
	if !tmpl.Has("search.html") {
		return nil, errNoPage
	}
	h.tmpl.Store(h.renderers(tmpl))
	return h, nil
}

// SetTemplates makes the handler render the page with t from now on; the
// cached pages go.
func (h *Handler) SetTemplates(t *templates.Set) error {
	if t == nil || !t.Has("search.html") {
		return errNoPage
	}
	h.tmpl.Store(h.renderers(t))
	h.search.Forget()
	return nil
}

// renderers are the sets that render the page with t, in the order tried:
// t; the default search.html in the site's layout, when t has a
// search.html of the site's and other files; the defaults, when t has
// files of the site's. They are loaded here, not for each request.
func (h *Handler) renderers(t *templates.Set) *[]renderer {
	rs := []renderer{{t, "the site's templates"}}
	own := t.Own()
	if len(own) == 0 {
		return &rs
	}
	if _, ok := own["search.html"]; ok && len(own) > 1 {
		if l, err := t.WithDefault("search.html"); err != nil {
			h.log.Warn("search page: no fallback to the default search.html in the site's layout", "err", err)
		} else {
			rs = append(rs, renderer{l, "the default search.html in the site's layout"})
		}
	}
	if d, err := defaultSet(); err != nil {
		h.log.Warn("search page: no fallback to the default templates", "err", err)
	} else {
		rs = append(rs, renderer{d, "the default templates"})
	}
	return &rs
}

// render renders page with the first of the handler's sets that renders
// it. When the site's fails and another renders the page, one line logs
// why; when all fail, the error says why each did.
func (h *Handler) render(r *http.Request, page *templates.Page) ([]byte, error) {
	var errs []error
	var buf bytes.Buffer
	for i, rd := range *h.tmpl.Load() {
		buf.Reset()
		err := rd.set.Execute(&buf, "search.html", page)
		if err == nil {
			if i > 0 {
				h.log.Error("search page: the site's templates failed; rendered with "+rd.what, "url", r.URL.RequestURI(), "err", errors.Join(errs...))
			}
			return buf.Bytes(), nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", rd.what, err))
	}
	return nil, errors.Join(errs...)
}

// ServeHTTP serves the results page; any other method than GET and HEAD
// gets 405.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405: метод "+r.Method+" не поддерживается, только GET", http.StatusMethodNotAllowed)
		return
	}
	h.search.Answer(w, r, "page", func(o *search.Outcome) (search.Response, bool) {
		page := &templates.Page{
			Site:    o.Site.Settings,
			Title:   "Поиск",
			Path:    r.URL.Path,
			NoIndex: true,
			Live:    h.live,
		}
		status := http.StatusOK
		var view *templates.SearchPage
		if o.Err != nil {
			msg, bad := "поиск не удался; попробуйте позже", ""
			status = http.StatusInternalServerError
			if pe := (*search.ParamError)(nil); errors.As(o.Err, &pe) {
				status, msg, bad = http.StatusBadRequest, pe.Russian(), pe.Param
			}
			view = sentForm(r, bad)
			view.Error = msg
			page.Query = view.Query
		} else {
			view = templates.NewSearchPage(o.Result, o.Query, o.Site)
			page.Query = o.Query.Q
			if o.Query.Q != "" {
				page.Title = "Поиск: " + o.Query.Q
			}
		}
		page.Data = view
		body, err := h.render(r, page)
		if err != nil {
			h.log.Error("search: render", "url", r.URL.RequestURI(), "err", err)
			http.Error(w, "500: страница не собралась; попробуйте позже", http.StatusInternalServerError)
			return search.Response{}, false
		}
		return search.Response{Status: status, Type: "text/html; charset=utf-8", Body: body}, true
	})
}

// sentForm is the search form of a request that got no results, holding
// what r sent as the reader typed it (control characters as spaces), so
// that it can be corrected there: wrong dates shown, the filters kept in
// the hidden fields. Not put back: a value too long for the box or not
// UTF-8; the parameter bad, the one at fault, unless it is a date, as the
// reader could not correct it and it would fail again; sort and per_page
// unless valid, as the page holds them. Of a query string that is not well
// formed, what can be read.
func sentForm(r *http.Request, bad string) *templates.SearchPage {
	v, _ := url.ParseQuery(r.URL.RawQuery)
	sent := func(name string) []string {
		var list []string
		for _, s := range v[name] {
			if s != "" && utf8.ValidString(s) && utf8.RuneCountInString(s) <= search.MaxQueryLen {
				list = append(list, search.NoControls(s))
			}
		}
		return list
	}
	first := func(name string) string {
		if list := sent(name); len(list) > 0 {
			return list[0]
		}
		return ""
	}
	if bad != "from" && bad != "to" {
		delete(v, bad)
	}
	f := &templates.SearchPage{
		Query:   first("q"),
		From:    first("from"),
		To:      first("to"),
		Regions: sent("region"),
		Sectors: sent("sector"),
		Kinds:   sent("kind"),
		Sort:    first("sort"),
	}
	f.AskedSort = f.Sort
	if n, err := strconv.Atoi(first("per_page")); err == nil && n >= 1 && n <= search.MaxPerPage {
		f.PerPage = n
	}
	return f
}
