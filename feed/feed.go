// Package feed writes subscriptions to a list of events in the three forms
// readers' programs take: Atom (RFC 4287) for feed readers, JSON Feed 1.1
// for scripts, and iCalendar (RFC 5545) for calendars.
//
// A Feed is the same data for all three. Entries come in the order the
// caller gives (the digest's feeds put the newest published first); every
// time is written in UTC, and the same Feed gives the same bytes, so that an
// unchanged site gives unchanged files. A calendar's events are all-day
// events from the entry's Start to its End (inclusive), with a UID that
// stays the same from build to build (made from the entry's URL), so that
// calendar programs replace an event rather than adding it twice, and a
// DTSTAMP from when the note was published: the digest keeps no time of
// later edits.
package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode"

	ics "github.com/arran4/golang-ical"
)

// Feed is a list of events to subscribe to.
type Feed struct {
	Title    string
	Language string // e.g. "ru"
	// URL is the feed's own absolute URL (Atom's self link and id, JSON
	// Feed's feed_url); Home the page it follows.
	URL, Home string
	Author    string
	// Updated is when the feed last changed: the newest entry's Updated,
	// or any fixed time for an empty feed.
	Updated time.Time
	Entries []Entry
}

// Entry is one event note.
type Entry struct {
	URL     string // absolute; also the entry's id
	Title   string
	Summary string
	// HTML is the note's body, rendered; Atom and JSON Feed carry it whole.
	HTML string
	// Published is when the note was published; Updated when it last
	// changed (Published when the digest knows no later time).
	Published, Updated time.Time
	// Start and End are the event's days; End is zero for one day.
	Start, End time.Time
	Places     []string
	Categories []Category
}

// Category is a taxonomy entry an event belongs to.
type Category struct {
	Term   string // the slug
	Scheme string // absolute URL of the taxonomy's index: https://…/regions/
	Label  string // the Russian name
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Links   []atomLink  `xml:"link"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title      string         `xml:"title"`
	ID         string         `xml:"id"`
	Link       atomLink       `xml:"link"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Summary    string         `xml:"summary,omitempty"`
	Content    atomText       `xml:"content"`
	Categories []atomCategory `xml:"category"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
	Label  string `xml:"label,attr"`
}

// Atom writes f as an Atom feed. On an error, w may hold part of it.
func Atom(w io.Writer, f *Feed) error {
	af := atomFeed{
		Lang:  f.Language,
		Title: f.Title,
		ID:    f.URL,
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: f.URL},
			{Rel: "alternate", Type: "text/html", Href: f.Home},
		},
		Updated: rfc3339(f.Updated),
		Author:  atomPerson{Name: f.Author},
	}
	for _, e := range f.Entries {
		ae := atomEntry{
			Title:     e.Title,
			ID:        e.URL,
			Link:      atomLink{Rel: "alternate", Type: "text/html", Href: e.URL},
			Published: rfc3339(e.Published),
			Updated:   rfc3339(e.Updated),
			Summary:   e.Summary,
			Content:   atomText{Type: "html", Body: e.HTML},
		}
		for _, c := range e.Categories {
			ae.Categories = append(ae.Categories, atomCategory(c))
		}
		af.Entries = append(af.Entries, ae)
	}
	// Encoded straight into w: a site writes a feed per region and sector,
	// and a copy of each in a buffer of its own was garbage as large.
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(af); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// JSONFeedVersion is the version of the JSON Feed specification JSON writes.
const JSONFeedVersion = "https://jsonfeed.org/version/1.1"

type jsonFeed struct {
	Version  string       `json:"version"`
	Title    string       `json:"title"`
	Home     string       `json:"home_page_url,omitempty"`
	FeedURL  string       `json:"feed_url,omitempty"`
	Language string       `json:"language,omitempty"`
	Authors  []jsonAuthor `json:"authors,omitempty"`
	Items    []jsonItem   `json:"items"`
}

type jsonAuthor struct {
	Name string `json:"name"`
}

type jsonItem struct {
	ID            string     `json:"id"`
	URL           string     `json:"url"`
	Title         string     `json:"title"`
	ContentHTML   string     `json:"content_html"`
	Summary       string     `json:"summary,omitempty"`
	DatePublished string     `json:"date_published"`
	DateModified  string     `json:"date_modified"`
	Tags          []string   `json:"tags,omitempty"`
	Event         *jsonEvent `json:"_event"`
}

// jsonEvent is the feed's extension (JSON Feed lets a publisher add objects
// under keys that start with "_"): what a script needs to place the event
// without parsing its text.
type jsonEvent struct {
	Start      string         `json:"start"`
	End        string         `json:"end,omitempty"`
	Places     []string       `json:"places,omitempty"`
	Categories []jsonCategory `json:"categories,omitempty"`
}

type jsonCategory struct {
	Scheme string `json:"scheme"`
	Term   string `json:"term"`
	Label  string `json:"label"`
}

// JSON writes f as a JSON Feed 1.1, with each event's days, places and
// categories under the item's "_event" key.
func JSON(w io.Writer, f *Feed) error {
	jf := jsonFeed{Version: JSONFeedVersion, Title: f.Title, Home: f.Home, FeedURL: f.URL, Language: f.Language, Items: []jsonItem{}}
	if f.Author != "" {
		jf.Authors = []jsonAuthor{{Name: f.Author}}
	}
	for _, e := range f.Entries {
		it := jsonItem{
			ID: e.URL, URL: e.URL, Title: e.Title, ContentHTML: e.HTML, Summary: e.Summary,
			DatePublished: rfc3339(e.Published), DateModified: rfc3339(e.Updated),
			Event: &jsonEvent{Start: day(e.Start), Places: e.Places},
		}
		if !e.End.IsZero() {
			it.Event.End = day(e.End)
		}
		for _, c := range e.Categories {
			it.Tags = append(it.Tags, c.Label)
			it.Event.Categories = append(it.Event.Categories, jsonCategory{Scheme: c.Scheme, Term: c.Term, Label: c.Label})
		}
		jf.Items = append(jf.Items, it)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // the feed is data, never inlined in a page
	return enc.Encode(jf)
}

// day is the calendar day a time was written on, in its own zone.
func day(t time.Time) string { return t.Format(time.DateOnly) }

// serialization is how calendars are written: lines of at most 75 octets,
// folded, ending in CRLF (RFC 5545 3.1).
var serialization = ics.SerializationConfiguration{MaxLength: 75, PropertyMaxLength: 75, NewLine: "\r\n"}

// Calendar writes f as an iCalendar file of all-day events.
func Calendar(w io.Writer, f *Feed) error {
	return CalendarOf(w, f, len(f.Entries), func(i int) ([]byte, error) {
		var buf bytes.Buffer
		err := Event(&buf, &f.Entries[i])
		return buf.Bytes(), err
	})
}

// CalendarOf writes a calendar of f whose n events are event(i), each
// written by Event, in place of f's Entries, which it does not read:
// Calendar(f) is CalendarOf(f, len(f.Entries), the event of f.Entries[i]).
// A program that puts an entry in several calendars may make its event
// once; CalendarOf asks for each event as it writes it, so that a program
// that writes a large calendar need not hold every event at once.
func CalendarOf(w io.Writer, f *Feed, n int, event func(i int) ([]byte, error)) error {
	cal := ics.NewCalendarFor("coopdigest")
	cal.SetProductId("-//coopdigest//digest//RU")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName(f.Title)
	cal.SetXWRCalName(f.Title)
	if f.Home != "" {
		cal.SetUrl(f.Home)
	}
	// Calendar programs that honour these check daily: a digest changes
	// about that often.
	cal.SetRefreshInterval("P1D")
	cal.SetXPublishedTTL("P1D")
	// The calendar with no events is its head and its end.
	var head bytes.Buffer
	if err := cal.SerializeTo(&head, &serialization); err != nil {
		return err
	}
	const end = "END:VCALENDAR\r\n"
	if _, err := w.Write(bytes.TrimSuffix(head.Bytes(), []byte(end))); err != nil {
		return err
	}
	for i := range n {
		ev, err := event(i)
		if err != nil {
			return err
		}
		if _, err := w.Write(ev); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, end)
	return err
}

// Event writes e as one event of a calendar (a VEVENT, CRLF line ends
// included), for CalendarOf: an all-day event from e's Start to its End.
func Event(w io.Writer, e *Entry) error {
	ev := ics.NewEvent(UID(e.URL))
	ev.SetDtStampTime(e.Published)
	ev.SetModifiedAt(e.Updated)
	ev.SetAllDayStartAt(date(e.Start))
	end := e.End
	if end.IsZero() {
		end = e.Start
	}
	// DTEND of an all-day event is the day after its last (RFC 5545 3.6.1).
	ev.SetAllDayEndAt(date(end).AddDate(0, 0, 1))
	ev.SetSummary(oneLine(e.Title))
	desc := e.Summary
	if desc != "" {
		desc += "\n\n"
	}
	ev.SetDescription(clean(desc + e.URL))
	ev.SetURL(e.URL)
	if len(e.Places) > 0 {
		ev.SetLocation(oneLine(strings.Join(e.Places, ", ")))
	}
	for _, c := range e.Categories {
		ev.AddCategory(oneLine(c.Label))
	}
	return ev.SerializeTo(w, &serialization)
}

// date is midnight of the day t was written on, so that an event keeps its
// day whatever the zone it was written in.
func date(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// UID is the stable iCalendar UID of the event at an absolute URL: its
// path's segments joined by "-", at its host
// (https://d.example/2025/x/ → 2025-x@d.example).
func UID(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return u
	}
	return strings.Join(strings.FieldsFunc(p.Path, func(r rune) bool { return r == '/' }), "-") + "@" + p.Host
}

// clean drops carriage returns, which the library would write as they are
// and which would break the line structure of the file.
func clean(s string) string { return strings.ReplaceAll(s, "\r", "") }

// oneLine makes a property that should be one line one line: its runs of
// white space one space each, none at its ends. Most values are so already
// and are returned as they are: a site's calendars hold every event several
// times, each with several such values.
func oneLine(s string) string {
	if !needsFolding(s) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// needsFolding reports whether s has white space other than single ASCII
// spaces between other characters.
func needsFolding(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return true
	}
	for i, r := range s {
		if r == ' ' {
			if s[i+1] == ' ' {
				return true
			}
			continue
		}
		if unicode.IsSpace(r) {
			return true
		}
	}
	return false
}
