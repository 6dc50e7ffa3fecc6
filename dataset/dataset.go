// Package dataset writes the digest's open data: every published event with
// every field, as JSON (nested, with the ru/en/zh names of every taxonomy
// entry it names) and as CSV (one row an event, lists joined with «; »),
// and the taxonomy as JSON.
//
// The CSV's columns are defined once, in Columns, with their type, meaning
// and an example; docs/DATA.md, the codebook, is checked against them by a
// test, so that the two cannot drift apart. CSV is UTF-8 without a byte-order
// mark (pandas would otherwise read it into the first column's name), with a
// header row and CRLF line ends (RFC 4180), quoted where a value needs it:
// LibreOffice and pandas open it as it is.
package dataset

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
)

// Names are an entry's names in the digest's three languages.
type Names struct {
	Ru string `json:"ru"`
	En string `json:"en,omitempty"`
	Zh string `json:"zh,omitempty"`
}

// Term is a taxonomy entry as an event names it.
type Term struct {
	Slug    string `json:"slug"`
	Country string `json:"country,omitempty"` // regions: RU or CN
	Name    Names  `json:"name"`
	URL     string `json:"url"`
}

// Person is someone an event names, with the role they had at it.
type Person struct {
	Name string `json:"name"`
	Role string `json:"role,omitempty"`
	// Slug and URL name the person's page, when the site has one.
	Slug string `json:"slug,omitempty"`
	URL  string `json:"url,omitempty"`
}

// Organization is an organization an event names.
type Organization struct {
	Name string `json:"name"`
	Slug string `json:"slug,omitempty"`
	URL  string `json:"url,omitempty"`
}

// Source is what a note was written from.
type Source struct {
	URL       string `json:"url"`
	Publisher string `json:"publisher,omitempty"`
}

// Event is one published note.
type Event struct {
	URL           string         `json:"url"` // absolute
	Title         string         `json:"title"`
	Date          string         `json:"date"` // YYYY-MM-DD, the day the event starts
	End           string         `json:"end,omitempty"`
	Published     string         `json:"published"` // YYYY-MM-DD
	Kind          Term           `json:"kind"`
	Regions       []Term         `json:"regions"`
	Sectors       []Term         `json:"sectors"`
	People        []Person       `json:"people"`
	Organizations []Organization `json:"organizations"`
	Places        []string       `json:"places"`
	Sources       []Source       `json:"sources"`
	Summary       string         `json:"summary,omitempty"`
}

// Day formats a time as the YYYY-MM-DD day it was written on; "" for zero.
func Day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// Meta describes a data file: where it comes from and under what licence.
type Meta struct {
	Title   string  `json:"title"`
	Site    string  `json:"site"` // the site's base URL
	License License `json:"license"`
	// Updated is the newest publication day of the events in the file, so
	// that the same site gives the same file.
	Updated string `json:"updated,omitempty"`
}

// License names the licence the data is published under.
type License struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

// Separator joins the values of a list in one CSV cell; ownSeparator is a
// value's own, as the cell has it (cell).
const (
	Separator    = "; "
	ownSeparator = ";\u00a0"
)

// Column is one column of the CSV.
type Column struct {
	Name    string
	Type    string // as the codebook gives it: text, date, url, list of …
	Meaning string
	Example string
	value   func(e *Event) string
}

// Columns are the CSV's columns, in order.
var Columns = []Column{
	{"url", "url", "address of the event's page", "https://digest.example.org/2025/khabarovsk-delegation-beijing/", func(e *Event) string { return e.URL }},
	{"title", "text", "title of the note", "Хабаровская делегация обсудила в Пекине подготовку к форуму", func(e *Event) string { return e.Title }},
	{"date", "date", "day the event started (YYYY-MM-DD)", "2025-03-17", func(e *Event) string { return e.Date }},
	{"end", "date", "last day of an event of several days; empty for one day", "2025-03-18", func(e *Event) string { return e.End }},
	{"published", "date", "day the note was published", "2025-03-20", func(e *Event) string { return e.Published }},
	{"kind", "slug", "kind of event", "delegation", func(e *Event) string { return e.Kind.Slug }},
	{"kind_ru", "text", "kind of event, in Russian", "Делегация", func(e *Event) string { return e.Kind.Name.Ru }},
	{"kind_en", "text", "kind of event, in English", "Delegation", func(e *Event) string { return e.Kind.Name.En }},
	{"kind_zh", "text", "kind of event, in Chinese", "代表团", func(e *Event) string { return e.Kind.Name.Zh }},
	{"regions", "list of slugs", "every region the event names, Russian and Chinese", "khabarovsk-krai; beijing", terms(func(t Term) string { return t.Slug }, "")},
	{"regions_ru", "list of text", "those regions in Russian", "Хабаровский край; Пекин", terms(func(t Term) string { return t.Name.Ru }, "")},
	{"regions_en", "list of text", "those regions in English", "Khabarovsk Krai; Beijing", terms(func(t Term) string { return t.Name.En }, "")},
	{"regions_zh", "list of text", "those regions in Chinese", "哈巴罗夫斯克边疆区; 北京", terms(func(t Term) string { return t.Name.Zh }, "")},
	{"russian_regions", "list of slugs", "the Russian regions among them", "khabarovsk-krai", terms(func(t Term) string { return t.Slug }, "RU")},
	{"chinese_regions", "list of slugs", "the Chinese regions among them", "beijing", terms(func(t Term) string { return t.Slug }, "CN")},
	{"sectors", "list of slugs", "sectors of the economy the event concerns", "investment; automotive", func(e *Event) string { return join(e.Sectors, func(t Term) string { return t.Slug }) }},
	{"sectors_ru", "list of text", "those sectors in Russian", "Инвестиции; Автомобилестроение", func(e *Event) string { return join(e.Sectors, func(t Term) string { return t.Name.Ru }) }},
	{"sectors_en", "list of text", "those sectors in English", "Investment; Automotive industry", func(e *Event) string { return join(e.Sectors, func(t Term) string { return t.Name.En }) }},
	{"sectors_zh", "list of text", "those sectors in Chinese", "投资; 汽车工业", func(e *Event) string { return join(e.Sectors, func(t Term) string { return t.Name.Zh }) }},
	{"people", "list of text", "people who took part, as the note names them", "Сергей Абрамов; Андрей Поваляев", func(e *Event) string { return join(e.People, func(p Person) string { return p.Name }) }},
	{"people_roles", "list of text", "their roles at the event, in the same order; empty where none is given", "глава делегации Хабаровского края; ", func(e *Event) string { return join(e.People, func(p Person) string { return p.Role }) }},
	{"organizations", "list of text", "organizations the note names", "Российско-Китайская гильдия коммерции", func(e *Event) string { return join(e.Organizations, func(o Organization) string { return o.Name }) }},
	{"places", "list of text", "cities where it happened", "Пекин", func(e *Event) string { return cell(e.Places) }},
	{"sources", "list of urls", "where the note's facts come from", "https://example.org/news/123", func(e *Event) string { return join(e.Sources, func(s Source) string { return s.URL }) }},
	{"summary", "text", "one-paragraph summary, when the note has one", "Делегация края провела в Пекине серию встреч.", func(e *Event) string { return e.Summary }},
}

func terms(f func(Term) string, country string) func(e *Event) string {
	return func(e *Event) string {
		var parts []string
		for _, t := range e.Regions {
			if country == "" || t.Country == country {
				parts = append(parts, f(t))
			}
		}
		return cell(parts)
	}
}

func join[T any](list []T, f func(T) string) string {
	parts := make([]string, len(list))
	for i, x := range list {
		parts[i] = f(x)
	}
	return cell(parts)
}

// cell is the CSV cell of a list's values, joined by Separator. A value's
// own Separator is written with a no-break space (U+00A0) instead of the
// space, which looks the same, so that splitting the cell at Separator
// gives the values back and people_roles stays parallel to people.
func cell(values []string) string {
	own := false // values is the caller's until a value is changed
	for i, v := range values {
		if strings.Contains(v, Separator) {
			if !own {
				values, own = slices.Clone(values), true
			}
			values[i] = strings.ReplaceAll(v, Separator, ownSeparator)
		}
	}
	return strings.Join(values, Separator)
}

// WriteCSV writes events as CSV with a header row.
func WriteCSV(w io.Writer, events []Event) error {
	return WriteCSVRows(w, len(events), func(i int) ([]byte, error) { return CSVRow(&events[i]) })
}

// header is the CSV's header row.
var header = func() []byte {
	names := make([]string, len(Columns))
	for i, c := range Columns {
		names[i] = c.Name
	}
	row, err := csvRow(names)
	if err != nil {
		panic(err) // the names are constants
	}
	return row
}()

// CSVRow is e as a row of the CSV, its line end included, for
// WriteCSVRows: a program that writes an event in several files makes its
// row once.
func CSVRow(e *Event) ([]byte, error) {
	row := make([]string, len(Columns))
	for j, c := range Columns {
		row[j] = inert(c.value(e))
	}
	return csvRow(row)
}

// inert keeps a spreadsheet from taking a cell for a formula: a value that
// begins with =, +, -, @, a tab or a carriage return («=HYPERLINK(…)» as a
// note's title) gets an apostrophe before it, as OWASP advises for CSV
// files that people open.
func inert(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func csvRow(row []string) ([]byte, error) {
	w := csvWriters.Get().(*csvWriter)
	w.buf.Reset()
	if err := w.cw.Write(row); err != nil {
		return nil, err // w may hold part of the row: not put back
	}
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return nil, err
	}
	out := bytes.Clone(w.buf.Bytes())
	csvWriters.Put(w)
	return out, nil
}

// csvWriter is a CSV writer into its own buffer, for csvRow.
type csvWriter struct {
	buf bytes.Buffer
	cw  *csv.Writer
}

// csvWriters keep csvRow's writers from row to row: each has a buffer of 4
// KB, more than most rows, and a large site's files make millions of rows.
var csvWriters = sync.Pool{New: func() any {
	w := &csvWriter{}
	w.cw = csv.NewWriter(&w.buf)
	w.cw.UseCRLF = true
	return w
}}

// WriteCSVRows writes the header row and n rows, row(i) the i-th, each
// made by CSVRow: WriteCSV(events) is WriteCSVRows(len(events), the row of
// events[i]). It asks for each row as it writes it, so that a program that
// writes a large file need not hold every row at once.
func WriteCSVRows(w io.Writer, n int, row func(i int) ([]byte, error)) error {
	bw := bufio.NewWriter(w)
	bw.Write(header)
	for i := range n {
		r, err := row(i)
		if err != nil {
			return err
		}
		bw.Write(r)
	}
	return bw.Flush()
}

// WriteJSON writes events as JSON, with meta at the top and each event
// on a line of its own: a file of every event of a site is large, and an
// indented one took many times as long to write, was a third larger and
// no easier to read than one event a line, which also diffs line by line.
func WriteJSON(w io.Writer, meta Meta, events []Event) error {
	return WriteJSONLines(w, meta, len(events), func(i int) ([]byte, error) { return EventJSON(&events[i]) })
}

// EventJSON is e as a line of the JSON file of events, without its line
// end, for WriteJSONLines: a program that writes an event in several files
// makes its line once.
func EventJSON(e *Event) ([]byte, error) {
	c := *e
	// Lists are [] rather than null, so that every event has the same shape.
	c.Regions, c.Sectors, c.People = nonNil(c.Regions), nonNil(c.Sectors), nonNil(c.People)
	c.Organizations, c.Places, c.Sources = nonNil(c.Organizations), nonNil(c.Places), nonNil(c.Sources)
	return compact(&c)
}

// compact encodes v as JSON on one line.
func compact(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // data files, never inlined in a page
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// WriteJSONLines writes the JSON file of n events whose lines, each made
// by EventJSON, are line(i): WriteJSON(meta, events) is WriteJSONLines(meta,
// len(events), the line of events[i]). It asks for each line as it writes
// it, as WriteCSVRows does.
func WriteJSONLines(w io.Writer, meta Meta, n int, line func(i int) ([]byte, error)) error {
	head, err := compact(meta)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	bw.Write(head[:len(head)-1]) // without its closing brace
	fmt.Fprintf(bw, ",\"count\":%d,\"events\":[", n)
	for i := range n {
		l, err := line(i)
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		bw.Write(l)
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Entry is a taxonomy entry in taxonomy.json.
type Entry struct {
	Slug    string   `json:"slug"`
	Country string   `json:"country,omitempty"`
	Group   string   `json:"group,omitempty"`
	Name    Names    `json:"name"`
	Aliases []string `json:"aliases,omitempty"`
	URL     string   `json:"url"`
	Events  int      `json:"events"` // published events that name it
}

// Taxonomy is every taxonomy of the site, by name: regions, sectors and
// kinds (people and organizations are in each event).
type Taxonomy map[string][]Entry

// WriteTaxonomy writes the taxonomy as JSON, with meta at the top.
func WriteTaxonomy(w io.Writer, meta Meta, tax Taxonomy) error {
	return encode(w, struct {
		Meta
		Taxonomies Taxonomy `json:"taxonomies"`
	}{meta, tax})
}

func encode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false) // data files, never inlined in a page
	return enc.Encode(v)
}

// CodebookTable is the Markdown table of Columns that docs/DATA.md holds
// between its "<!-- columns -->" markers.
func CodebookTable() string {
	var b strings.Builder
	b.WriteString("| column | type | meaning | example |\n| --- | --- | --- | --- |\n")
	for _, c := range Columns {
		b.WriteString("| `" + c.Name + "` | " + c.Type + " | " + c.Meaning + " | " + strings.ReplaceAll(c.Example, "|", `\|`) + " |\n")
	}
	return b.String()
}
