package main

import (
	"bytes"
	"cmp"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/coopdigest/digest/feed"
	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/source"
)

// searchFeed serves GET /search.atom: the notes a search finds, as an Atom
// feed a reader can subscribe to, newest first. It takes the parameters of
// /search (but sort, which is always by date); a bad one gets 400 and a
// line of text naming it.
type searchFeed struct{ sh *search.Handler }

func (f searchFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ix := f.sh.Index()
	q, err := search.Parse(r, ix)
	if err != nil {
		badFeedRequest(w, err)
		return
	}
	site := ix.Site()
	// A feed is the newest notes of a search: its ID (the self link) is
	// the search, whatever the order or page asked.
	q.Sort, q.Page = search.SortDate, 1
	var res *search.Result
	for {
		res, err = ix.Search(r.Context(), q)
		if next := f.sh.Index(); errors.Is(err, search.ErrClosed) && next != ix {
			ix = next // swapped meanwhile
			site = ix.Site()
			continue
		}
		break
	}
	var pe *search.ParamError
	switch {
	case errors.As(err, &pe):
		badFeedRequest(w, pe)
		return
	case r.Context().Err() != nil:
		return
	case err != nil:
		http.Error(w, "500 the search failed; try again later", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := feed.Atom(&buf, searchAtom(res, site, ix.Built())); err != nil {
		http.Error(w, "500 the search failed; try again later", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(buf.Bytes())
}

// badFeedRequest answers a feed's request whose parameters are wrong: in
// Russian, as the search page says it, then in English, as the API does.
func badFeedRequest(w http.ResponseWriter, err error) {
	msg := err.Error()
	if pe, ok := errors.AsType[*search.ParamError](err); ok {
		msg = pe.Russian() + "\n" + msg
	}
	http.Error(w, "400 bad request: "+msg, http.StatusBadRequest)
}

// searchAtom is the feed of a search's result. Its self link is the
// site's search_url with .atom, and its home the search page, so that a
// feed fetched from any replica names the same addresses. An empty feed
// was updated when the index was built.
func searchAtom(res *search.Result, site *source.Site, built time.Time) *feed.Feed {
	s := site.Settings
	base := s.SearchURL
	if strings.HasPrefix(base, "/") {
		base = s.URL(base)
	}
	params := res.Query.Values()
	params.Del("sort")
	params.Del("page")
	query := ""
	if len(params) > 0 {
		query = "?" + params.Encode()
	}
	title := s.Title + " — поиск"
	if q := cmp.Or(res.Layout, res.Query.Q); q != "" {
		title += ": " + q // as searched, when that is the other layout's
	}
	f := &feed.Feed{Title: title, Language: s.Language, URL: base + ".atom" + query, Home: base + query, Author: s.Title, Updated: built}
	tax := &site.Taxonomies
	hits := res.Hits
	if len(res.Missing) > 0 {
		// A subscription is to what was asked: the notes that have the
		// words no note has yet are to come.
		hits = nil
	}
	for i, h := range hits {
		if i == 0 {
			f.Updated = h.Date
		}
		e := feed.Entry{URL: s.URL(h.URL), Title: h.Title, Summary: h.Summary, HTML: h.Snippet,
			Published: h.Date, Updated: h.Date, Start: h.Date, End: h.End}
		if t := tax.Kinds.Get(h.Kind); t != nil {
			e.Categories = append(e.Categories, feed.Category{Term: t.Slug, Scheme: s.URL("/kinds/"), Label: t.Name.Ru})
		}
		for _, slug := range h.Regions {
			if t := tax.Regions.Get(slug); t != nil {
				e.Categories = append(e.Categories, feed.Category{Term: t.Slug, Scheme: s.URL("/regions/"), Label: t.Name.Ru})
			}
		}
		for _, slug := range h.Sectors {
			if t := tax.Sectors.Get(slug); t != nil {
				e.Categories = append(e.Categories, feed.Category{Term: t.Slug, Scheme: s.URL("/sectors/"), Label: t.Name.Ru})
			}
		}
		f.Entries = append(f.Entries, e)
	}
	return f
}
