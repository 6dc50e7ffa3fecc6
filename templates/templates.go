// Package templates holds the default templates of a digest site, embedded in
// the binary, and loads them together with a site's own templates/, which
// override the defaults file by file.
//
// Every page template defines "title" and "main" and is executed inside
// base.html's layout; base.html also defines the blocks "head" and "scripts"
// a page may fill. Files whose names start with "_" are partials shared by
// every page. The stylesheet style.css is copied to the site as it is.
package templates

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"html/template"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/coopdigest/digest/source"
)

//go:embed *.html *.css
var defaults embed.FS

// Defaults returns the embedded default templates.
func Defaults() fs.FS { return defaults }

// Page is what every template receives. Data holds what the page itself
// shows; the rest serves the layout.
type Page struct {
	Site        source.Settings
	Title       string // the page's own title; the layout adds the site's
	Path        string // the page's path on the site, e.g. /regions/
	Description string
	Query       string // prefills the search box
	NoIndex     bool   // ask crawlers not to index the page (search results)
	Feed        string // path of the page's Atom feed, if it has one
	OGType      string // OpenGraph type; "website" when empty
	JSONLD      any    // schema.org data, rendered as JSON in the head
	Live        bool   // watch mode: the layout adds the live-reload script
	Data        any
}

// Canonical is the page's absolute URL.
func (p *Page) Canonical() string { return p.Site.URL(p.Path) }

// Set is a parsed set of templates, one per page template, each with the
// layout and partials.
type Set struct {
	pages    map[string]*template.Template
	versions map[string]uint64  // of each page template with what it includes
	partials *template.Template // any page's set: every one holds the partials
	static   map[string][]byte
}

// seed makes the versions of one process comparable; they are never stored.
var seed = maphash.MakeSeed()

// Version is a fingerprint of the page template name together with the
// layout and partials it is executed with: it changes when any of them does.
func (s *Set) Version(name string) uint64 { return s.versions[name] }

// Load parses the default templates with the files of override (a site's
// templates/ folder; nil for none) replacing defaults of the same name. Every
// template is parsed before Load returns, so a broken template stops a build
// before any page is written.
func Load(override fs.FS) (*Set, error) {
	files := map[string][]byte{}
	if err := readAll(defaults, files); err != nil {
		return nil, err
	}
	if override != nil {
		if err := readAll(override, files); err != nil {
			return nil, err
		}
	}
	set := &Set{pages: map[string]*template.Template{}, versions: map[string]uint64{}, static: map[string][]byte{}}
	var shared, pages []string
	for name := range files {
		switch {
		case !strings.HasSuffix(name, ".html"):
			set.static[name] = files[name]
		case name == "base.html" || strings.HasPrefix(name, "_"):
			shared = append(shared, name)
		default:
			pages = append(pages, name)
		}
	}
	slices.Sort(shared)
	slices.Sort(pages)
	var errs []error
	for _, name := range pages {
		// Each page gets its own set, so that pages may define the same blocks.
		t := template.New("base.html").Funcs(Funcs)
		var err error
		for _, f := range append(slices.Clone(shared), name) {
			if f == "base.html" {
				_, err = t.Parse(string(files[f]))
			} else {
				_, err = t.New(f).Parse(string(files[f]))
			}
			if err != nil {
				break
			}
		}
		if err != nil {
			// A broken shared file breaks every page: report it once.
			if e := templateError(err); !slices.ContainsFunc(errs, func(x error) bool { return x.Error() == e.Error() }) {
				errs = append(errs, e)
			}
			continue
		}
		set.pages[name] = t
		var h maphash.Hash
		h.SetSeed(seed)
		for _, f := range append(slices.Clone(shared), name) {
			h.WriteString(f)
			h.Write(files[f])
		}
		set.versions[name] = h.Sum64()
	}
	for _, name := range pages {
		if t := set.pages[name]; t != nil {
			set.partials = t
			break
		}
	}
	return set, errors.Join(errs...)
}

// templateError puts a template's parse error in path:line: form.
func templateError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "template: ")
	// html/template reports "name:line: message"; name is the file name.
	return errors.New("templates/" + msg)
}

func readAll(fsys fs.FS, into map[string][]byte) error {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if ext := path.Ext(e.Name()); ext != ".html" && ext != ".css" && ext != ".js" && ext != ".svg" {
			continue
		}
		data, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return fmt.Errorf("templates/%s: %w", e.Name(), err)
		}
		into[e.Name()] = data
	}
	return nil
}

// Has reports whether the set has a page template of that name.
func (s *Set) Has(name string) bool { return s.pages[name] != nil }

// Static returns the files of the set that are copied as they are
// (style.css and any other non-template file), by name.
func (s *Set) Static() map[string][]byte { return s.static }

// Render executes the page template name with the layout into w. The page
// is rendered into a buffer first, so w gets nothing when rendering fails.
func (s *Set) Render(w io.Writer, name string, p *Page) error {
	var buf bytes.Buffer
	if err := s.Execute(&buf, name, p); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// ExecutePartial executes a template shared by every page, such as
// "noteitem", with data into buf.
func (s *Set) ExecutePartial(buf *bytes.Buffer, name string, data any) error {
	if s.partials == nil {
		return fmt.Errorf("templates: no page templates")
	}
	return s.partials.ExecuteTemplate(buf, name, data)
}

// Execute executes the page template name with the layout into buf.
func (s *Set) Execute(buf *bytes.Buffer, name string, p *Page) error {
	t := s.pages[name]
	if t == nil {
		return fmt.Errorf("templates: no page template %q", name)
	}
	if err := t.Execute(buf, p); err != nil {
		return fmt.Errorf("templates/%s: %w", name, err)
	}
	return nil
}

var monthsGen = [...]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}

// RuDate formats a date the Russian way: 17 марта 2025.
func RuDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), monthsGen[t.Month()-1], t.Year())
}

// RuDateRange formats an event's dates: 17 марта 2025, 17–18 марта 2025,
// 30 апреля – 2 мая 2025 or 30 декабря 2024 – 2 января 2025.
func RuDateRange(start, end time.Time) string {
	if end.IsZero() || sameDay(start, end) {
		return RuDate(start)
	}
	switch {
	case start.Year() != end.Year():
		return RuDate(start) + " – " + RuDate(end)
	case start.Month() != end.Month():
		return fmt.Sprintf("%d %s – %s", start.Day(), monthsGen[start.Month()-1], RuDate(end))
	default:
		return fmt.Sprintf("%d–%s", start.Day(), RuDate(end))
	}
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.YearDay() == b.YearDay()
}

// Plural picks the Russian plural form for n: Plural(5, "событие",
// "события", "событий") is "событий".
func Plural(n int, one, few, many string) string {
	n100, n10 := n%100, n%10
	switch {
	case n100 >= 11 && n100 <= 14:
		return many
	case n10 == 1:
		return one
	case n10 >= 2 && n10 <= 4:
		return few
	}
	return many
}

// Funcs are the functions every template may call.
var Funcs = template.FuncMap{
	"ruDate":      RuDate,
	"ruDateRange": RuDateRange,
	"isoDate":     func(t time.Time) string { return t.Format(time.DateOnly) },
	"plural":      Plural,
	"events": func(n int) string {
		return fmt.Sprintf("%d %s", n, Plural(n, "событие", "события", "событий"))
	},
	"jsonld": func(v any) (template.JS, error) {
		// encoding/json escapes <, > and &, so the data cannot close the
		// script element; as template.JS it is written as it is.
		b, err := json.Marshal(v)
		return template.JS(b), err
	},
	"add": func(a, b int) int { return a + b },
}

// TermRef links a taxonomy entry: a region, sector or kind on a page.
type TermRef struct {
	Slug string
	Name source.Names
	URL  string
}

// Item is a note as lists and search results show it.
type Item struct {
	URL     string
	Title   string
	Date    time.Time
	End     time.Time
	Kind    *TermRef
	Regions []TermRef
	Summary string
	Snippet template.HTML // search results only: escaped text with <mark>s
	// HTML, when set, is the item already rendered by the "noteitem"
	// partial: a note shows in many lists, and rendering it once is faster.
	HTML template.HTML
}

// Count is one line of a list of counts: a term, a partner region, a year.
type Count struct {
	Name   string
	URL    string
	Count  int
	Active bool
}

// Pager says where a paginated list is.
type Pager struct {
	Number, Total int
	Prev, Next    string
}
