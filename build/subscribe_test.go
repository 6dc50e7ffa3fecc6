package build

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/coopdigest/digest/dataset"
	"github.com/coopdigest/digest/feed"
	"github.com/coopdigest/digest/russian"
)

// builtList is one list of a built site with the events it must hold,
// worked out from /data/events.json apart from the build's own lists.
type builtList struct {
	base   string          // its page: "/" for the site's
	events []dataset.Event // in the order of the data file: newest event first
}

// TestListFiles builds a site and checks the files of every list: the
// site's and every region's, sector's, kind's and partnership's Atom feed
// against RFC 4287's rules, the site's JSON Feed against version 1.1's, the calendar
// parsed back (by golang-ical, and by Python's icalendar where it is
// installed) event by event, the CSV read back with encoding/csv; and that
// each list's page links them all.
func TestListFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	res := buildSite(t, "testdata/basic", out, true)
	files := readTree(t, out)

	var data struct {
		Title   string
		Site    string
		License dataset.License
		Updated string
		Count   int
		Events  []dataset.Event
	}
	if err := json.Unmarshal(files["data/events.json"], &data); err != nil {
		t.Fatalf("data/events.json: %v", err)
	}
	if data.Count != res.Notes || len(data.Events) != res.Notes {
		t.Fatalf("data/events.json: count %d, %d events; want the %d published notes", data.Count, len(data.Events), res.Notes)
	}
	if data.License != (dataset.License{Name: "CC BY 4.0", URL: "https://creativecommons.org/licenses/by/4.0/"}) || data.Site != "https://digest.example.org/" {
		t.Errorf("data/events.json: licence %+v, site %q", data.License, data.Site)
	}
	for _, e := range data.Events {
		if _, ok := files[strings.TrimPrefix(e.URL, "https://digest.example.org/")+"index.html"]; !ok {
			t.Errorf("data/events.json: %s is no page of the site", e.URL)
		}
	}

	// Every list and its events, from the data: a region's are those that
	// name it, a partnership's those that name both.
	lists := map[string]*builtList{"/": {base: "/", events: data.Events}}
	add := func(base string, e dataset.Event) {
		if lists[base] == nil {
			lists[base] = &builtList{base: base}
		}
		lists[base].events = append(lists[base].events, e)
	}
	for _, e := range data.Events {
		add("/kinds/"+e.Kind.Slug+"/", e)
		for _, r := range e.Regions {
			add("/regions/"+r.Slug+"/", e)
			for _, c := range e.Regions {
				if r.Country == "RU" && c.Country == "CN" {
					add("/regions/"+r.Slug+"/"+c.Slug+"/", e)
				}
			}
		}
		for _, s := range e.Sectors {
			add("/sectors/"+s.Slug+"/", e)
		}
	}
	// A person's or an organization's list is the events that name them as
	// their page's heading does (testdata/basic has no registry), in any
	// letter case and with ё and е alike.
	h1 := regexp.MustCompile(`<h1>([^<]*)</h1>`)
	for f, page := range files {
		parts := strings.Split(f, "/")
		if len(parts) != 3 || parts[2] != "index.html" || parts[0] != "people" && parts[0] != "organizations" {
			continue
		}
		m := h1.FindSubmatch(page)
		if m == nil {
			t.Fatalf("%s: no heading", f)
		}
		name := russian.Fold(html.UnescapeString(string(m[1])))
		for _, e := range data.Events {
			var names []string
			for _, p := range e.People {
				names = append(names, p.Name)
			}
			for _, o := range e.Organizations {
				names = append(names, o.Name)
			}
			if slices.ContainsFunc(names, func(n string) bool { return russian.Fold(n) == name }) {
				add("/"+parts[0]+"/"+parts[1]+"/", e)
			}
		}
	}
	// Entries named by no event have lists too, empty.
	for f := range files {
		if dir := path.Dir(f); path.Base(f) == atomFile && strings.Count(dir, "/") == 1 && lists["/"+dir+"/"] == nil {
			lists["/"+dir+"/"] = &builtList{base: "/" + dir + "/"}
		}
	}
	for f := range files {
		if path.Base(f) == atomFile && lists["/"+strings.TrimSuffix(f, atomFile)] == nil {
			t.Errorf("%s: a feed of no list", f)
		}
	}

	var calendars []string
	for _, l := range lists {
		t.Run(l.base, func(t *testing.T) {
			dir := l.base[1:]
			published := slices.Clone(l.events)
			slices.SortStableFunc(published, func(a, b dataset.Event) int { return strings.Compare(b.Published, a.Published) })
			newest := published[:min(feedSize, len(published))]

			ids := checkAtom(t, dir+atomFile, files[dir+atomFile])
			if want := urls(newest); !slices.Equal(ids, want) {
				t.Errorf("%s: entries %q, want %q", dir+atomFile, ids, want)
			}
			if l.base == "/" {
				ids = checkJSONFeed(t, jsonFile, files[jsonFile])
				if want := urls(newest); !slices.Equal(ids, want) {
					t.Errorf("%s: items %q, want %q", jsonFile, ids, want)
				}
			} else if _, ok := files[dir+jsonFile]; ok {
				t.Errorf("%s: a JSON Feed of a list but the site's", dir+jsonFile)
			}
			// People and organizations have no calendar: a person's events
			// are in the calendars of their regions.
			actor := strings.HasPrefix(l.base, "/people/") || strings.HasPrefix(l.base, "/organizations/")
			if actor {
				if _, ok := files[dir+calendarFile]; ok {
					t.Errorf("%s: a calendar of a person or an organization", dir+calendarFile)
				}
			} else {
				checkCalendar(t, dir+calendarFile, files[dir+calendarFile], l.events)
				calendars = append(calendars, dir+calendarFile)
			}

			csvName := dir + csvFile
			if l.base == "/" {
				csvName = "data/events.csv"
			}
			rows := checkCSV(t, csvName, files[csvName])
			if want := urls(l.events); !slices.Equal(rows, want) {
				t.Errorf("%s: rows %q, want %q", csvName, rows, want)
			}

			// The list's page links its files in its head, and shows them.
			page := string(files[dir+"index.html"])
			for _, link := range []struct{ typ, file string }{
				{"application/atom+xml", atomFile}, {"text/calendar", calendarFile}, {"text/csv", csvFile},
			} {
				if l.base == "/" {
					break // the home page's are the layout's, checked below
				}
				if actor && link.file == calendarFile {
					continue
				}
				href := l.base + link.file
				head := page[:strings.Index(page, "</head>")]
				if !strings.Contains(head, `<link rel="alternate" type="`+link.typ+`"`) || !strings.Contains(head, `href="`+href+`"`) {
					t.Errorf("%sindex.html: no <link rel=alternate type=%s href=%s> in the head", dir, link.typ, href)
				}
				body := page[strings.Index(page, "<main"):strings.Index(page, "</main>")]
				if !strings.Contains(body, `<a href="`+href+`" type="`+link.typ+`"`) {
					t.Errorf("%sindex.html: %s not shown to the reader", dir, href)
				}
			}
		})
	}

	// Every page links the site's feeds, calendar and data in its head or
	// its footer, and names the licence.
	for f, page := range files {
		if !strings.HasSuffix(f, ".html") || f == "404.html" {
			continue
		}
		for _, want := range []string{
			`<link rel="alternate" type="application/atom+xml" title="` + data.Title + `" href="/feed.xml">`,
			`<link rel="alternate" type="application/feed+json" title="` + data.Title + ` (JSON Feed)" href="/feed.json">`,
			`<link rel="alternate" type="text/calendar" title="` + data.Title + `: календарь" href="/calendar.ics">`,
			`<a href="/calendar.ics" type="text/calendar">календарь</a>`,
			`<a href="/data/events.csv" type="text/csv" download>events.csv</a>`,
			`по лицензии <a rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>`,
		} {
			if !bytes.Contains(page, []byte(want)) {
				t.Errorf("%s does not contain %s", f, want)
			}
		}
	}

	// The feeds and data files stay out of the sitemap, which lists pages.
	if bytes.Contains(files["sitemap.xml"], []byte(".ics")) || bytes.Contains(files["sitemap.xml"], []byte("/data/")) {
		t.Errorf("sitemap.xml lists feeds or data files")
	}

	t.Run("python icalendar", func(t *testing.T) { checkCalendarsPython(t, out, calendars, lists) })
}

func urls(events []dataset.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.URL
	}
	return out
}

// checkAtom holds an Atom feed to RFC 4287: a feed element in the Atom
// namespace with exactly one id, title and updated (RFC 3339), an author,
// a self link; every entry with exactly one id, title and updated, an
// alternate link and content. Ids are absolute IRIs. It returns the
// entries' ids.
func checkAtom(t *testing.T, name string, data []byte) []string {
	t.Helper()
	type link struct {
		Rel  string `xml:"rel,attr"`
		Type string `xml:"type,attr"`
		Href string `xml:"href,attr"`
	}
	type text struct {
		Type string `xml:"type,attr"`
		Body string `xml:",chardata"`
	}
	type entry struct {
		IDs       []string `xml:"id"`
		Titles    []string `xml:"title"`
		Updated   []string `xml:"updated"`
		Published []string `xml:"published"`
		Links     []link   `xml:"link"`
		Content   []text   `xml:"content"`
	}
	var doc struct {
		XMLName xml.Name
		IDs     []string `xml:"id"`
		Titles  []string `xml:"title"`
		Updated []string `xml:"updated"`
		Authors []struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Links   []link  `xml:"link"`
		Entries []entry `xml:"entry"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Errorf("%s: not XML: %v", name, err)
		return nil
	}
	if doc.XMLName.Space != "http://www.w3.org/2005/Atom" || doc.XMLName.Local != "feed" {
		t.Errorf("%s: root %v, want atom:feed", name, doc.XMLName)
	}
	one := func(what string, vals []string) {
		if len(vals) != 1 || strings.TrimSpace(vals[0]) == "" {
			t.Errorf("%s: %d %s, want exactly one, not empty", name, len(vals), what)
		}
	}
	date := func(what, v string) {
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			t.Errorf("%s: %s %q is not an RFC 3339 date", name, what, v)
		}
	}
	iri := func(what, v string) {
		if u, err := url.Parse(v); err != nil || !u.IsAbs() {
			t.Errorf("%s: %s %q is not an absolute IRI", name, what, v)
		}
	}
	one("feed ids", doc.IDs)
	one("feed titles", doc.Titles)
	one("feed updated", doc.Updated)
	for _, v := range doc.IDs {
		iri("feed id", v)
	}
	for _, v := range doc.Updated {
		date("feed updated", v)
	}
	if len(doc.Authors) == 0 || doc.Authors[0].Name == "" {
		t.Errorf("%s: no author (the entries have none of their own)", name)
	}
	self := slices.IndexFunc(doc.Links, func(l link) bool { return l.Rel == "self" })
	if self < 0 || doc.Links[self].Href != "https://digest.example.org/"+name {
		t.Errorf("%s: no self link to its own address", name)
	}
	var ids []string
	for i, e := range doc.Entries {
		what := fmt.Sprintf("entry %d", i)
		one(what+" ids", e.IDs)
		one(what+" titles", e.Titles)
		one(what+" updated", e.Updated)
		for _, v := range e.IDs {
			iri(what+" id", v)
			ids = append(ids, v)
		}
		for _, v := range append(e.Updated, e.Published...) {
			date(what+" date", v)
		}
		if !slices.ContainsFunc(e.Links, func(l link) bool { return l.Rel == "alternate" && l.Href == e.IDs[0] }) {
			t.Errorf("%s: %s has no alternate link to its page", name, what)
		}
		if len(e.Content) != 1 || e.Content[0].Type != "html" {
			t.Errorf("%s: %s: want one content of type html", name, what)
		}
	}
	return ids
}

// checkJSONFeed holds a JSON Feed to version 1.1: an object with version
// https://jsonfeed.org/version/1.1, a title and items; absolute
// home_page_url and feed_url; authors with a name; every item with a
// string id and content_html or content_text, its dates RFC 3339. It
// returns the items' ids.
func checkJSONFeed(t *testing.T, name string, data []byte) []string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Errorf("%s: not JSON: %v", name, err)
		return nil
	}
	str := func(obj map[string]any, key string, required bool) string {
		v, ok := obj[key]
		if !ok {
			if required {
				t.Errorf("%s: no %q", name, key)
			}
			return ""
		}
		s, ok := v.(string)
		if !ok || s == "" {
			t.Errorf("%s: %q is %v, want a string", name, key, v)
		}
		return s
	}
	if v := str(doc, "version", true); v != "https://jsonfeed.org/version/1.1" {
		t.Errorf("%s: version %q", name, v)
	}
	str(doc, "title", true)
	for _, key := range []string{"home_page_url", "feed_url"} {
		if u, err := url.Parse(str(doc, key, false)); err != nil || !u.IsAbs() {
			t.Errorf("%s: %s is not absolute", name, key)
		}
	}
	if v := str(doc, "feed_url", false); v != "https://digest.example.org/"+name {
		t.Errorf("%s: feed_url %q, want its own address", name, v)
	}
	if authors, ok := doc["authors"].([]any); ok {
		for _, a := range authors {
			if m, ok := a.(map[string]any); !ok || m["name"] == nil {
				t.Errorf("%s: an author without a name: %v", name, a)
			}
		}
	}
	items, ok := doc["items"].([]any)
	if !ok {
		t.Errorf("%s: items is %T, want an array", name, doc["items"])
		return nil
	}
	var ids []string
	for _, it := range items {
		item, ok := it.(map[string]any)
		if !ok {
			t.Errorf("%s: an item is %T", name, it)
			continue
		}
		ids = append(ids, str(item, "id", true))
		if item["content_html"] == nil && item["content_text"] == nil {
			t.Errorf("%s: item %v has neither content_html nor content_text", name, item["id"])
		}
		for _, key := range []string{"date_published", "date_modified"} {
			if v := str(item, key, false); v != "" {
				if _, err := time.Parse(time.RFC3339, v); err != nil {
					t.Errorf("%s: %s %q is not RFC 3339", name, key, v)
				}
			}
		}
	}
	return ids
}

// checkCalendar parses a calendar back with golang-ical and holds it to
// events: one all-day event each, with the UID, days, URL, place and stamp
// of its note.
func checkCalendar(t *testing.T, name string, data []byte, events []dataset.Event) {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("END:VCALENDAR\r\n")) || bytes.Contains(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\n")) {
		t.Errorf("%s: lines do not all end in CRLF", name)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	got := cal.Events()
	if len(got) != len(events) {
		t.Errorf("%s: %d events, want %d", name, len(got), len(events))
		return
	}
	prop := func(ev *ics.VEvent, p ics.ComponentProperty) string {
		if ip := ev.GetProperty(p); ip != nil {
			return ip.Value
		}
		return ""
	}
	compact := func(day string) string { return strings.ReplaceAll(day, "-", "") }
	for i, e := range events {
		ev := got[i]
		end := e.End
		if end == "" {
			end = e.Date
		}
		last, _ := time.Parse(time.DateOnly, end)
		want := map[ics.ComponentProperty]string{
			ics.ComponentPropertyUniqueId: feed.UID(e.URL),
			ics.ComponentPropertyDtStart:  compact(e.Date),
			ics.ComponentPropertyDtEnd:    last.AddDate(0, 0, 1).Format("20060102"),
			ics.ComponentPropertyUrl:      e.URL,
			ics.ComponentPropertyLocation: strings.Join(e.Places, ", "),
			ics.ComponentPropertySummary:  strings.Join(strings.Fields(e.Title), " "),
		}
		for p, w := range want {
			if g := prop(ev, p); g != w {
				t.Errorf("%s: event %d %s = %q, want %q", name, i, p, g, w)
			}
		}
		// The stamp is when the note was published, in UTC: the day the
		// data gives, for the test site's notes.
		if st := prop(ev, ics.ComponentPropertyDtstamp); len(st) != 16 || !strings.HasPrefix(st, compact(e.Published)+"T") || !strings.HasSuffix(st, "Z") {
			t.Errorf("%s: event %d DTSTAMP = %q, want a UTC time on %s", name, i, st, e.Published)
		}
		for _, p := range []ics.ComponentProperty{ics.ComponentPropertyDtStart, ics.ComponentPropertyDtEnd} {
			if v := ev.GetProperty(p).ICalParameters["VALUE"]; !slices.Equal(v, []string{"DATE"}) {
				t.Errorf("%s: event %d %s is not a date (VALUE=%v)", name, i, p, v)
			}
		}
	}
}

// checkCSV reads a CSV back with encoding/csv: UTF-8 without a BOM, the
// codebook's header, every row as long. It returns the rows' URLs.
func checkCSV(t *testing.T, name string, data []byte) []string {
	t.Helper()
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		t.Errorf("%s starts with a byte-order mark", name)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return nil
	}
	var header []string
	for _, c := range dataset.Columns {
		header = append(header, c.Name)
	}
	if len(recs) == 0 || !slices.Equal(recs[0], header) {
		t.Errorf("%s: header %q, want the codebook's %q", name, recs[0], header)
		return nil
	}
	var out []string
	for _, r := range recs[1:] {
		out = append(out, r[0])
	}
	return out
}

// checkCalendarsPython parses every calendar with Python's icalendar, when
// it is installed, and compares the UIDs it finds with the lists' events.
func checkCalendarsPython(t *testing.T, out string, calendars []string, lists map[string]*builtList) {
	python := ""
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import icalendar").Run() == nil {
			python = p
			break
		}
	}
	if python == "" {
		t.Skip("no python3 with icalendar")
	}
	const script = `
import json, sys, icalendar
out = {}
for name in sys.argv[2:]:
    with open(sys.argv[1] + "/" + name, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    evs = []
    for ev in cal.walk("VEVENT"):
        evs.append([str(ev["UID"]), ev.decoded("DTSTART").isoformat(), ev.decoded("DTEND").isoformat()])
    out[name] = evs
json.dump(out, sys.stdout)
`
	cmd := exec.Command(python, append([]string{"-c", script, out}, calendars...)...)
	cmd.Stderr = os.Stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("python icalendar: %v", err)
	}
	var got map[string][][3]string
	if err := json.Unmarshal(res, &got); err != nil {
		t.Fatal(err)
	}
	for _, l := range lists {
		name := l.base[1:] + calendarFile
		if !slices.Contains(calendars, name) {
			continue // a person's or an organization's list has none
		}
		var want [][3]string
		for _, e := range l.events {
			end := e.End
			if end == "" {
				end = e.Date
			}
			last, _ := time.Parse(time.DateOnly, end)
			want = append(want, [3]string{feed.UID(e.URL), e.Date, last.AddDate(0, 0, 1).Format(time.DateOnly)})
		}
		if !slices.Equal(got[name], want) {
			t.Errorf("%s as icalendar reads it: %q, want %q", name, got[name], want)
		}
	}
}

// TestLicenseShown: the licence site.yaml names is in every page's footer
// and in the data files.
func TestLicenseShown(t *testing.T) {
	site := t.TempDir()
	if err := os.CopyFS(site, os.DirFS("testdata/basic")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(site, "want"))
	yaml := filepath.Join(site, "content", "site.yaml")
	data, err := os.ReadFile(yaml)
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, "license: {name: Открытая лицензия «Дайджест», url: 'https://example.org/license?v=1&lang=ru'}\n"...)
	if err := os.WriteFile(yaml, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, site, out, false)
	files := readTree(t, out)
	footer := `по лицензии <a rel="license" href="https://example.org/license?v=1&amp;lang=ru">Открытая лицензия «Дайджест»</a>`
	for _, page := range []string{"index.html", "2025/delegation/index.html", "regions/beijing/index.html"} {
		if !bytes.Contains(files[page], []byte(footer)) {
			t.Errorf("%s: no %s", page, footer)
		}
	}
	for _, f := range []string{"data/events.json", "data/taxonomy.json"} {
		var doc struct{ License dataset.License }
		if err := json.Unmarshal(files[f], &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if want := (dataset.License{Name: "Открытая лицензия «Дайджест»", URL: "https://example.org/license?v=1&lang=ru"}); doc.License != want {
			t.Errorf("%s: licence %+v, want %+v", f, doc.License, want)
		}
	}
}
