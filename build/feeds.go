package build

import (
	"bytes"
	"encoding/xml"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coopdigest/digest/feed"
)

// feedSize is how many of the newest notes a feed carries, each with its
// whole text: enough for a reader that checks daily or weekly, small enough
// that 150 feeds stay a small part of the site.
const feedSize = 20

// sitemapSize is the most URLs one sitemap file may hold (sitemaps.org).
const sitemapSize = 50000

// newest returns up to n of notes, the latest published first; notes
// published at one moment newest event first, then by URL, so that every
// build orders them alike. notes are in the model's order (newest event
// first, then by URL): when none was published at another time than its
// event's, byDate, that is the order, and the first n are the answer.
// Otherwise it keeps a list of n as it goes: notes come about in the order
// they are published, so that few are moved.
func newest(notes []*note, n int, byDate bool) []*note {
	if byDate || n <= 0 {
		return notes[:max(0, min(n, len(notes)))]
	}
	before := func(a, b *note) bool {
		if c := a.Published.Compare(b.Published); c != 0 {
			return c > 0
		}
		if c := a.Date.Compare(b.Date); c != 0 {
			return c > 0
		}
		return a.url < b.url
	}
	out := make([]*note, 0, min(n, len(notes)))
	for _, x := range notes {
		if len(out) == n && !before(x, out[n-1]) {
			continue
		}
		i := len(out)
		for i > 0 && before(x, out[i-1]) {
			i--
		}
		if len(out) < n {
			out = append(out, nil)
		}
		copy(out[i+1:], out[i:len(out)-1])
		out[i] = x
	}
	return out
}

// feeds makes the site's feed and one per region and sector: each the
// feedSize notes published last, the latest first. A feed's updated time
// is its latest note's, or the site's for a feed of none, so that unchanged
// input gives the same bytes.
func (b *builder) feeds() []output {
	m := b.model
	site := m.src.Settings
	var outs []output
	byDate := !slices.ContainsFunc(m.notes, func(n *note) bool { return !n.Published.Equal(n.Date) })
	all := newest(m.notes, feedSize, byDate)
	add := func(path, title string, notes []*note) {
		outs = append(outs, output{path: path[1:],
			key: func(h *maphash.Hash) {
				h.WriteString(title)
				keyNotes(h, notes)
				if len(notes) == 0 && len(all) > 0 {
					maphash.WriteComparable(h, all[0].Version) // the feed's updated time
				}
			},
			render: func(buf *bytes.Buffer) error {
				return b.writeFeed(buf, path, title, notes, all)
			}})
	}
	add("/feed.xml", site.Title, all)
	for _, tax := range []string{"regions", "sectors"} {
		for _, t := range m.terms[tax] {
			add(t.url+"feed.xml", t.Name.Ru+" — "+site.Title, newest(t.notes, feedSize, byDate))
		}
	}
	return outs
}

// writeFeed writes the Atom feed at path of notes; all are the site's.
func (b *builder) writeFeed(buf *bytes.Buffer, path, title string, notes, all []*note) error {
	m := b.model
	site := m.src.Settings
	f := &feed.Feed{
		Title:    title,
		Language: site.Language,
		URL:      site.URL(path),
		Home:     site.URL(path[:len(path)-len("feed.xml")]),
		Author:   site.Title,
		Updated:  time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	switch {
	case len(notes) > 0:
		f.Updated = notes[0].Published
	case len(all) > 0:
		f.Updated = all[0].Published
	}
	for _, n := range notes {
		body, err := b.body(n)
		if err != nil {
			return err
		}
		e := feed.Entry{
			URL:       site.URL(n.url),
			Title:     n.Title,
			Summary:   n.Summary,
			HTML:      string(body),
			Published: n.Published,
			Updated:   n.Published,
			Start:     n.Date,
			End:       n.End,
			Places:    n.Places,
		}
		if k := m.kinds[n.Kind]; k != nil {
			e.Categories = append(e.Categories, feed.Category{Term: k.Slug, Scheme: site.URL("/kinds/"), Label: k.Name.Ru})
		}
		for _, s := range n.Regions {
			t := m.regions[s]
			e.Categories = append(e.Categories, feed.Category{Term: t.Slug, Scheme: site.URL("/regions/"), Label: t.Name.Ru})
		}
		for _, s := range n.Sectors {
			t := m.sectors[s]
			e.Categories = append(e.Categories, feed.Category{Term: t.Slug, Scheme: site.URL("/sectors/"), Label: t.Name.Ru})
		}
		f.Entries = append(f.Entries, e)
	}
	return feed.Atom(buf, f)
}

type urlset struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type sitemapIndex struct {
	XMLName  xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []sitemapURL `xml:"sitemap"`
}

// sitemap lists every HTML page but 404.html with its absolute URL. Past
// sitemapSize URLs it writes sitemap-1.xml, sitemap-2.xml and so on and
// makes sitemap.xml their index. The URLs are made when the sitemap is
// rendered: planning only collects the pages' paths.
func (b *builder) sitemap(outs []output) []output {
	m := b.model
	site := m.src.Settings
	var pages []string // paths below OUT of the pages' index.html files
	for _, o := range outs {
		if o.path != "404.html" && strings.HasSuffix(o.path, "index.html") {
			pages = append(pages, o.path)
		}
	}
	note := func(file string) *note { return m.byURL["/"+strings.TrimSuffix(file, "index.html")] }
	urls := func(files []string) urlset {
		set := urlset{URLs: make([]sitemapURL, len(files))}
		for i, f := range files {
			set.URLs[i].Loc = site.URL("/" + strings.TrimSuffix(f, "index.html"))
			if n := note(f); n != nil {
				set.URLs[i].LastMod = n.Published.Format(time.DateOnly)
			}
		}
		return set
	}
	key := func(files []string) func(h *maphash.Hash) {
		return func(h *maphash.Hash) {
			for _, f := range files {
				h.WriteString(f)
				if n := note(f); n != nil {
					maphash.WriteComparable(h, n.Published.Unix())
				}
			}
		}
	}
	encode := func(buf *bytes.Buffer, v any) error {
		buf.WriteString(xml.Header)
		enc := xml.NewEncoder(buf)
		enc.Indent("", "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
		buf.WriteByte('\n')
		return nil
	}
	if len(pages) <= sitemapSize {
		return []output{{path: "sitemap.xml", key: key(pages), render: func(buf *bytes.Buffer) error { return encode(buf, urls(pages)) }}}
	}
	var parts []output
	var index sitemapIndex
	for i := 0; i*sitemapSize < len(pages); i++ {
		part := pages[i*sitemapSize : min((i+1)*sitemapSize, len(pages))]
		name := "sitemap-" + strconv.Itoa(i+1) + ".xml"
		index.Sitemaps = append(index.Sitemaps, sitemapURL{Loc: site.URL("/" + name)})
		parts = append(parts, output{path: name, key: key(part), render: func(buf *bytes.Buffer) error { return encode(buf, urls(part)) }})
	}
	return append(parts, output{path: "sitemap.xml",
		key: func(h *maphash.Hash) {
			for _, s := range index.Sitemaps {
				h.WriteString(s.Loc)
			}
		},
		render: func(buf *bytes.Buffer) error { return encode(buf, index) }})
}

// eventLD is the schema.org Event of a note page, as JSON-LD.
func eventLD(m *model, n *note) map[string]any {
	site := m.src.Settings
	ev := map[string]any{
		"@context":            "https://schema.org",
		"@type":               "Event",
		"name":                n.Title,
		"startDate":           n.Date.Format(time.DateOnly),
		"url":                 site.URL(n.url),
		"eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
		"eventStatus":         "https://schema.org/EventScheduled",
	}
	if !n.End.IsZero() {
		ev["endDate"] = n.End.Format(time.DateOnly)
	}
	if n.Summary != "" {
		ev["description"] = n.Summary
	}
	if n.og {
		ev["image"] = site.URL(n.image.URL)
	}
	var places []map[string]any
	for _, p := range n.Places {
		places = append(places, map[string]any{"@type": "Place", "name": p, "address": p})
	}
	if len(places) == 0 {
		for _, s := range n.Regions {
			t := m.regions[s]
			country := "RU"
			if t.Country == "CN" {
				country = "CN"
			}
			places = append(places, map[string]any{"@type": "Place", "name": t.Name.Ru,
				"address": map[string]any{"@type": "PostalAddress", "addressRegion": t.Name.Ru, "addressCountry": country}})
		}
	}
	if len(places) == 1 {
		ev["location"] = places[0]
	} else if len(places) > 1 {
		ev["location"] = places
	}
	var orgs []map[string]any
	for _, o := range n.Organizations {
		orgs = append(orgs, map[string]any{"@type": "Organization", "name": o})
	}
	if len(orgs) > 0 {
		ev["organizer"] = orgs
	}
	var people []map[string]any
	for _, p := range n.People {
		person := map[string]any{"@type": "Person", "name": p.Name}
		if p.Role != "" {
			person["jobTitle"] = p.Role
		}
		people = append(people, person)
	}
	if len(people) > 0 {
		ev["performer"] = people
	}
	return ev
}
