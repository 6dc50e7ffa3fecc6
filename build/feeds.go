package build

import (
	"bytes"
	"encoding/xml"
	"hash/maphash"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/coopdigest/digest/feed"
	"github.com/coopdigest/digest/source"
	"github.com/coopdigest/digest/templates"
)

// feedSize is how many of the newest notes a feed carries, each with its
// whole text: enough for a reader that checks daily or weekly, small enough
// that the feeds of every list, partnerships included, stay an eighth of
// the site.
const feedSize = 20

// sitemapSize is the most URLs one sitemap file may hold (sitemaps.org).
const sitemapSize = 50000

// newest returns up to n of notes, the latest published first; notes
// published on one day newest event first, then by URL, so that every
// build orders them alike. Days are as written, as lists have them
// (source.CompareDays). notes are in the model's order (newest event's
// day first, then by URL): when none was published at another time than
// its event's, byDate, that is the order, and the first n are the answer.
// Otherwise it keeps a list of n as it goes: notes come about in the order
// they are published, so that few are moved.
func newest(notes []*note, n int, byDate bool) []*note {
	if byDate || n <= 0 {
		return notes[:max(0, min(n, len(notes)))]
	}
	before := func(a, b *note) bool {
		if c := source.CompareDays(a.Published, b.Published); c != 0 {
			return c > 0
		}
		if c := source.CompareDays(a.Date, b.Date); c != 0 {
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

// The files of a list of events beside its page, for readers who follow
// the list rather than visit it: every list (the site's, and each region's,
// sector's, kind's and partnership's) has an Atom feed, a calendar and a
// CSV. The site's are at the root, but its CSV, which is /data/events.csv
// (data.go). The site's list alone has a JSON Feed too: a script that
// follows a list reads its CSV or the data files, and a JSON Feed for every
// list would cost a build as much again as the Atom feeds.
const (
	atomFile     = "feed.xml"     // Atom: the newest feedSize events, each with its text
	jsonFile     = "feed.json"    // the same as JSON Feed 1.1
	calendarFile = "calendar.ics" // iCalendar: every event of the list
	csvFile      = "events.csv"   // every event of the list as open data
)

// list is a list of events readers can follow: its page and its notes.
type list struct {
	base  string  // the path of its page: "/" for the site, /regions/<slug>/
	title string  // the title of its feeds and calendar
	notes []*note // newest first, as the model orders them
	// calendar says whether the list has a calendar: the site's and every
	// region's, sector's, kind's and partnership's have one.
	calendar bool
	// brief says that the list's feed gives each event's summary, not its
	// text: the feeds of people and organizations, thousands on a large
	// site, whose events' texts the site's and their regions' feeds carry.
	brief bool
}

// subscribe sets the links of p, the page of l, to the list's files,
// which listFiles makes.
func subscribe(p *templates.Page, l list) *templates.Page {
	p.Feed = l.base + atomFile
	if l.calendar {
		p.Calendar = l.base + calendarFile
	}
	if l.base != "/" {
		p.CSV = l.base + csvFile
	}
	return p
}

// feeds makes the files of the site's list and of every region, sector,
// kind and partnership.
func (b *builder) feeds() []output {
	m := b.model
	site := m.src.Settings
	outs := b.listFiles(list{base: "/", title: site.Title, notes: m.notes, calendar: true})
	for _, tax := range []string{"regions", "sectors", "kinds"} {
		for _, t := range m.terms[tax] {
			outs = append(outs, b.listFiles(termList(site, t))...)
		}
	}
	for _, p := range m.pairs {
		outs = append(outs, b.listFiles(pairList(site, p))...)
	}
	return outs
}

// termList is the list of a region, sector or kind. A kind's feed is
// brief: its events' texts are in the site's feed.
func termList(site source.Settings, t *term) list {
	return list{base: t.url, title: t.Name.Ru + " — " + site.Title, notes: t.notes, calendar: true, brief: t.tax == "kinds"}
}

// pairList is the list of a partnership. Its feed is brief: there are as
// many partnerships as pairs of regions that met, and their events' texts
// are in their regions' feeds.
func pairList(site source.Settings, p *pair) list {
	return list{base: p.url(), title: p.ru.Name.Ru + " и " + p.cn.Name.Ru + " — " + site.Title, notes: p.notes, calendar: true, brief: true}
}

// listFiles makes the files of l: its Atom feed of the feedSize notes
// published last, the latest first; its calendar of every note, if it has
// one; and its CSV, or for the site's list its JSON Feed. A feed's updated time is its
// latest note's, or the site's for a list of none, so that unchanged input
// gives the same bytes. Each file's key is what it shows, so that a session
// renders it again exactly when that changes. Pages of other lists (people,
// organizations) declare theirs with it, and link them with subscribe.
func (b *builder) listFiles(l list) []output {
	byDate := !slices.ContainsFunc(l.notes, func(n *note) bool { return !n.Published.Equal(n.Date) })
	top := newest(l.notes, feedSize, byDate)
	feedKey := func(format string) func(h *maphash.Hash) {
		return func(h *maphash.Hash) {
			h.WriteString(format)
			h.WriteString(l.title)
			keyFeed(h, top)
			if len(top) == 0 {
				if n := b.latest(); n != nil { // the feed's updated time
					maphash.WriteComparable(h, n.Published)
				}
			}
		}
	}
	outs := []output{
		{path: l.base[1:] + atomFile, key: feedKey("atom"), render: func(buf *bytes.Buffer) error {
			f, err := b.feed(l, atomFile, top, !l.brief)
			if err != nil {
				return err
			}
			return feed.Atom(buf, f)
		}},
	}
	if l.calendar {
		outs = append(outs, output{path: l.base[1:] + calendarFile,
			key: func(h *maphash.Hash) {
				h.WriteString(l.title)
				keyData(h, l.notes)
			},
			stream: func(w io.Writer) error {
				f, err := b.feed(l, calendarFile, nil, false)
				if err != nil {
					return err
				}
				event := b.dataOf(l.notes, eventPart)
				if err := grow(w, len(l.notes), event); err != nil {
					return err
				}
				return feed.CalendarOf(w, f, len(l.notes), event)
			}})
	}
	if l.base == "/" {
		outs = append(outs, output{path: jsonFile, key: feedKey("json"), render: func(buf *bytes.Buffer) error {
			f, err := b.feed(l, jsonFile, top, true)
			if err != nil {
				return err
			}
			return feed.JSON(buf, f)
		}})
	} else {
		outs = append(outs, b.csvFile(l.base+csvFile, l.notes))
	}
	return outs
}

// keyFeed adds to a fingerprint what feeds show of notes: everything, and
// their URLs, which a note's file name may give.
func keyFeed(h *maphash.Hash, notes []*note) {
	for _, n := range notes {
		h.WriteString(n.url)
		h.WriteString(n.linkURLs)
		maphash.WriteComparable(h, n.Version)
	}
	h.WriteByte(0)
}

// latest is the note published last, nil for none: an empty feed was
// updated when the site was.
// Found once: the keys of every empty list's feed ask for it.
func (b *builder) latest() *note {
	b.latestOnce.Do(func() { b.latestNote = latestOf(b.model.notes) })
	return b.latestNote
}

// latestOf is the note of notes published last; nil for none.
func latestOf(notes []*note) *note {
	var last *note
	for _, n := range notes {
		if last == nil || n.Published.After(last.Published) {
			last = n
		}
	}
	return last
}

// feed describes the file name of the list l, showing notes; bodies says
// whether its entries carry the notes' text.
func (b *builder) feed(l list, name string, notes []*note, bodies bool) (*feed.Feed, error) {
	site := b.model.src.Settings
	f := &feed.Feed{
		Title:    l.title,
		Language: site.Language,
		URL:      site.URL(l.base + name),
		Home:     site.URL(l.base),
		Author:   site.Title,
		Updated:  time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		Entries:  make([]feed.Entry, 0, len(notes)),
	}
	if len(notes) > 0 {
		f.Updated = notes[0].Published
	} else if n := b.latest(); n != nil {
		f.Updated = n.Published
	}
	for _, n := range notes {
		e, err := b.entry(n, bodies)
		if err != nil {
			return nil, err
		}
		f.Entries = append(f.Entries, e)
	}
	return f, nil
}

// entry is the note n as an entry of a feed or a calendar; body says
// whether it carries the note's text.
func (b *builder) entry(n *note, body bool) (feed.Entry, error) {
	m := b.model
	site := m.src.Settings
	e := feed.Entry{
		URL:       site.URL(n.url),
		Title:     n.Title,
		Summary:   n.Summary,
		Published: n.Published,
		Updated:   n.Published,
		Start:     n.Date,
		End:       n.End,
		Places:    n.Places,
	}
	if body {
		html, _, err := b.body(n, false)
		if err != nil {
			return e, err
		}
		e.HTML = absoluteLinks(string(html), e.URL, site.URL)
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
	return e, nil
}

// absoluteLinks returns the HTML of a note's body, whose page is at the
// URL page, with the links and pictures that point into the site made
// absolute: «/2025/x/» by abs, «#fn:1» and «../y/» on page. Feed readers
// show entries away from the site, where a feed gives no base to resolve
// them against, or resolve them against the feed's address.
func absoluteLinks(body, page string, abs func(path string) string) string {
	if !relativeLink.MatchString(body) {
		return body // most notes link only to other sites
	}
	base, err := url.Parse(page)
	if err != nil {
		return body // the build made page: never
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return b.String() // the end of body: goldmark's HTML has no other error
		}
		raw := z.Raw()
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			b.Write(raw)
			continue
		}
		raw = slices.Clone(raw) // Token may change it
		tok, changed := z.Token(), false
		for i, a := range tok.Attr {
			switch {
			case a.Key != "href" && a.Key != "src":
			case strings.HasPrefix(a.Val, "#"):
				tok.Attr[i].Val, changed = page+a.Val, true
			case strings.HasPrefix(a.Val, "/") && !strings.HasPrefix(a.Val, "//"):
				tok.Attr[i].Val, changed = abs(a.Val), true
			case !strings.HasPrefix(a.Val, "//") && relativeLink.MatchString(`href="`+a.Val+`"`):
				if ref, err := url.Parse(a.Val); err == nil {
					tok.Attr[i].Val, changed = base.ResolveReference(ref).String(), true
				}
			}
		}
		if changed {
			b.WriteString(tok.String())
		} else {
			b.Write(raw)
		}
	}
}

// relativeLink finds a link or picture whose address has no scheme and no
// host: a ':' comes after the first '/', '?', '#' or the end, if at all.
var relativeLink = regexp.MustCompile(`(?:href|src)="[^"/?#:]*[/?#"]`)

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

// sitemap lists every HTML page but 404.html and the pages of regions,
// sectors and kinds without events (which ask crawlers not to index them)
// with its absolute URL. Past sitemapSize URLs it writes sitemap-1.xml,
// sitemap-2.xml and so on and makes sitemap.xml their index. The URLs are
// made when the sitemap is rendered: planning only collects the pages'
// paths.
func (b *builder) sitemap(outs []output) []output {
	m := b.model
	site := m.src.Settings
	empty := map[string]bool{}
	for _, terms := range []map[string]*term{m.regions, m.sectors, m.kinds} {
		for _, t := range terms {
			if len(t.notes) == 0 {
				empty[strings.TrimPrefix(t.url, "/")+"index.html"] = true
			}
		}
	}
	var pages []string // paths below OUT of the pages' index.html files
	for _, o := range outs {
		if o.path != "404.html" && strings.HasSuffix(o.path, "index.html") && !empty[o.path] {
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
