// Package templates holds the default templates of a digest site, embedded in
// the binary, and loads them together with a site's own templates/, which
// override the defaults file by file.
//
// Every page template defines "main" and is executed inside base.html's
// layout; base.html also defines the blocks "head" and "scripts" a page may
// fill, and "searchbox", the header's search form, which a page that has its
// own (the search page) defines empty. Files whose names start with "_" are
// partials shared by every page: "noteitem" and "notelist" for lists of
// events, "pager" for a list's pages, "pagenum" for its heading, "counts".
// The other files (.css, .js and pictures: the stylesheet style.css, the
// script scroll.js, which makes a region that scrolls sideways a Tab stop
// while it does, the icon favicon.svg and og.png, the picture of links to
// the site) are static:
// a build writes each under its own name and under a name with a
// fingerprint of its bytes (style.3f2a9c1b0e.css), which a server may let
// browsers keep for good, and pages link them by the second: the template
// function asset turns a file's name into its path ({{asset "style.css"}}
// is /style.3f2a9c1b0e.css). A site's own static file gets its own
// fingerprint.
//
// search.go holds the data of search.html, the results page that package
// searchpage serves, and makes it of a search's result (NewSearchPage).
package templates

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"html/template"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coopdigest/digest/russian"
	"github.com/coopdigest/digest/source"
)

//go:embed *.html *.css *.js *.svg *.png
var defaults embed.FS

// staticExts are the extensions of the static files of a templates folder.
var staticExts = []string{".css", ".js", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico", ".woff2", ".woff"}

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
	// Calendar is the path of the same list as iCalendar, and CSV of its
	// events as CSV (docs/DATA.md); "" for none. The layout links them in
	// the head; the partial "subscribe" shows them with Feed.
	Calendar, CSV string
	OGType        string // OpenGraph type; "website" when empty
	// Image is the picture of links to the page (og:image), with an
	// absolute URL; nil for the site's (site.yaml's image, or og.png).
	Image *Image
	// Chart is the page's chart, drawn by package chart (inline SVG and its
	// table); "" for none.
	Chart  template.HTML
	JSONLD any  // schema.org data, rendered as JSON in the head
	Live   bool // watch mode: the layout adds the live-reload script
	Data   any
}

// Canonical is the page's absolute URL.
func (p *Page) Canonical() string { return p.Site.URL(p.Path) }

// Image is a picture: a note's on its page, or a page's for links to it.
type Image struct {
	URL string
	Alt string
	// Width and Height are its size in pixels; 0 when unknown.
	Width, Height int
}

// Set is a parsed set of templates, one per page template, each with the
// layout and partials.
type Set struct {
	pages    map[string]*template.Template
	versions map[string]uint64  // of each page template with what it includes
	partials *template.Template // the shared files' set: every page's holds them too
	static   map[string][]byte
	assets   map[string]string // the path of each static file by its name
	own      map[string][]byte // the files read from the override, by name
}

// Own returns the files the set was loaded with from the override (a
// site's templates/ folder), by name, as they were read: a copy of them
// loads the same set.
func (s *Set) Own() map[string][]byte { return s.own }

// Unused returns a warning for each page template of the site's own that no
// page is made with, its name being none of the defaults' pages
// («Note.html», «notes.html»): a build would pass over it in silence.
func (s *Set) Unused() []string {
	var out []string
	for name := range s.own {
		if _, err := fs.Stat(defaults, name); err == nil || !strings.HasSuffix(name, ".html") || name == "base.html" || strings.HasPrefix(name, "_") {
			continue
		}
		msg := "templates/" + name + ": no page is made with it"
		if lower := strings.ToLower(name); lower != name && s.pages[lower] != nil {
			msg += "; did you mean " + lower + "?"
		} else {
			msg += "; the pages' templates are " + strings.Join(slices.Sorted(maps.Keys(s.defaultPages())), ", ")
		}
		out = append(out, msg)
	}
	slices.Sort(out)
	return out
}

// defaultPages are the names of the defaults' page templates.
func (s *Set) defaultPages() map[string]bool {
	pages := map[string]bool{}
	for name := range s.pages {
		if _, err := fs.Stat(defaults, name); err == nil {
			pages[name] = true
		}
	}
	return pages
}

// seed makes the versions of one process comparable; they are never stored.
var seed = maphash.MakeSeed()

// Version is a fingerprint of the page template name together with the
// layout and partials it is executed with and the static files they link:
// it changes when any of them does.
func (s *Set) Version(name string) uint64 { return s.versions[name] }

// Asset returns the path by which pages link the static file name: /name
// with a fingerprint of the file's bytes before its extension; "" when the
// set has no static file of that name.
func (s *Set) Asset(name string) string { return s.assets[name] }

// asset is the template function of Asset: a name that is not a static
// file fails the page.
func (s *Set) asset(name string) (string, error) {
	if p, ok := s.assets[name]; ok {
		return p, nil
	}
	return "", fmt.Errorf("asset %q: no such static file in templates/", name)
}

// Fingerprinted returns name with the Fingerprint of data before its
// extension: style.css → style.3f2a9c1b0e.css.
func Fingerprinted(name string, data []byte) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + Fingerprint(data) + ext
}

// Fingerprint is the fingerprint of data that Fingerprinted puts in a
// name: FingerprintOf its SHA-256.
func Fingerprint(data []byte) string { return FingerprintOf(sha256.Sum256(data)) }

// FingerprintOf is the fingerprint of the data whose SHA-256 is sum: its
// first ten hexadecimal digits, and more up to the first letter when those
// ten are all decimal digits, so that a server that takes a name for
// fingerprinted only when a letter is among them does not take a date
// (photo.20250301.jpg) for one.
func FingerprintOf(sum [sha256.Size]byte) string {
	h := hex.EncodeToString(sum[:])
	n := 10
	if i := strings.IndexAny(h, "abcdef"); i >= n {
		n = i + 1
	}
	return h[:n]
}

// fingerprintIn matches a name that may carry a content fingerprint: eight
// or more hex digits after a "." or "-" and before the extension
// (style.3f2a9c1b0e.css), which it captures. A date matches too
// (report.20240115.pdf): see HasFingerprint.
var fingerprintIn = regexp.MustCompile(`[.-]([0-9a-f]{8,})\.[A-Za-z0-9]+$`)

// MayHaveFingerprint reports whether the base of name has the form of a
// fingerprinted name, so that its content is worth hashing to tell
// (HasFingerprint).
func MayHaveFingerprint(name string) bool { return fingerprintIn.MatchString(path.Base(name)) }

// HasFingerprint reports whether the base of name carries, before its
// extension, the fingerprint (FingerprintOf) of the content whose SHA-256
// is sum, as Fingerprinted makes it: only then does the name change
// whenever the content does, so that the file may be cached as immutable.
func HasFingerprint(name string, sum [sha256.Size]byte) bool {
	m := fingerprintIn.FindStringSubmatch(path.Base(name))
	return m != nil && m[1] == FingerprintOf(sum)
}

// Load parses the default templates with the files of override (a site's
// templates/ folder; nil for none) replacing defaults of the same name. Every
// template is parsed before Load returns, so a broken template stops a build
// before any page is written.
//
// The shared files (base.html and those whose names start with "_") are
// parsed before each page's own, the defaults' first and then the site's,
// each in name order: a block the site defines in a shared file of its own
// replaces the defaults' of the same name. A page may define blocks of its
// own; the partials that lists show (ExecutePartial) are the shared files'
// alone.
func Load(override fs.FS) (*Set, error) {
	own := map[string][]byte{}
	if override != nil {
		if err := readAll(override, own); err != nil {
			return nil, err
		}
	}
	return load(own)
}

// WithDefault returns the set loaded as s was, but with the defaults' file
// name in place of the override's own: a site's layout with the default
// results page, for a site's search.html that fails.
func (s *Set) WithDefault(name string) (*Set, error) {
	own := maps.Clone(s.own)
	delete(own, name)
	return load(own)
}

// load is Load of the override's files own, by name.
func load(own map[string][]byte) (*Set, error) {
	files := map[string][]byte{}
	if err := readAll(defaults, files); err != nil {
		return nil, err
	}
	maps.Copy(files, own)
	set := &Set{pages: map[string]*template.Template{}, versions: map[string]uint64{}, static: map[string][]byte{}, assets: map[string]string{}, own: own}
	var shared, pages, static []string
	for name := range files {
		switch {
		case !strings.HasSuffix(name, ".html"):
			set.static[name] = files[name]
			set.assets[name] = "/" + Fingerprinted(name, files[name])
			static = append(static, name)
		case name == "base.html" || strings.HasPrefix(name, "_"):
			shared = append(shared, name)
		default:
			pages = append(pages, name)
		}
	}
	// The defaults' first, then the site's: each in name order.
	isOwn := func(name string) int {
		if _, ok := own[name]; ok {
			return 1
		}
		return 0
	}
	slices.SortFunc(shared, func(a, b string) int {
		return cmp.Or(cmp.Compare(isOwn(a), isOwn(b)), strings.Compare(a, b))
	})
	slices.Sort(pages)
	slices.Sort(static)
	funcs := template.FuncMap{"asset": set.asset}
	var errs []error
	// parse parses the shared files and the page name, if any, into a new
	// set.
	parse := func(name string) (*template.Template, error) {
		t := template.New("base.html").Funcs(Funcs).Funcs(funcs)
		list := slices.Clone(shared)
		if name != "" {
			list = append(list, name)
		}
		for _, f := range list {
			var err error
			if f == "base.html" {
				_, err = t.Parse(string(files[f]))
			} else {
				_, err = t.New(f).Parse(string(files[f]))
			}
			if err != nil {
				return nil, err
			}
		}
		return t, nil
	}
	for _, name := range pages {
		// Each page gets its own set, so that pages may define the same blocks.
		t, err := parse(name)
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
		// A page links the static files by fingerprint: when one changes,
		// so does the page.
		for _, f := range static {
			h.WriteString(set.assets[f])
		}
		set.versions[name] = h.Sum64()
	}
	if len(errs) == 0 {
		// The shared files parse: they did with every page.
		set.partials, _ = parse("")
	}
	return set, errors.Join(errs...)
}

// templateError puts a template's parse error in path:line: form.
func templateError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "template: ")
	// html/template reports "name:line: message"; name is the file name.
	return errors.New("templates/" + msg)
}

// maxFile is the largest template or stylesheet read: far more than one
// needs, so that a file that is not one (a log, a dump) is refused rather
// than held in memory and published.
const maxFile = 4 << 20

// readAll reads the templates and static files of fsys into into: regular
// files of at most maxFile bytes (see source.ReadFile).

func readAll(fsys fs.FS, into map[string][]byte) error {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if ext := path.Ext(e.Name()); ext != ".html" && !slices.Contains(staticExts, ext) {
			continue
		}
		data, err := source.ReadFile(fsys, e.Name(), maxFile)
		if errors.Is(err, source.ErrOutside) {
			// templates/ is read as a folder of its own.
			err = errors.New("a symbolic link that leads outside templates/: only files inside it are read")
		}
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
// (style.css and any other non-template file), by name. A build writes each
// under its name and under its Asset path.
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
// "noteitem", with data into w, writing no more than PageLimit of the
// default settings: what a list shows of a note is far less.
func (s *Set) ExecutePartial(w io.Writer, name string, data any) error {
	if s.partials == nil {
		return fmt.Errorf("templates: no page templates")
	}
	return s.partials.ExecuteTemplate(&limitedWriter{w: w, limit: PageLimit(source.Settings{})}, name, data)
}

// Execute executes the page template name with the layout into w, writing
// no more than PageLimit(p.Site).
func (s *Set) Execute(w io.Writer, name string, p *Page) error {
	t := s.pages[name]
	if t == nil {
		return fmt.Errorf("templates: no page template %q", name)
	}
	if err := t.Execute(&limitedWriter{w: w, limit: PageLimit(p.Site)}, p); err != nil {
		return executeError(name, err)
	}
	return nil
}

// PageLimit is the most that a page of site may have: 16 times what a
// note may (limits.note), since a note's page shows its body whole, and 64
// MB at least. Pages are far smaller; the limit stops a template that
// writes without end (one that calls itself twice, a level deeper each
// time, doubles what it writes at each level) before the page it holds
// in memory takes all there is.
func PageLimit(site source.Settings) int64 {
	return 16 * max(site.Limits.Note, source.DefaultNoteLimit)
}

// limitedWriter writes to w until the writes come to more than limit
// bytes: then it fails, and so does the template that writes.
type limitedWriter struct {
	w        io.Writer
	n, limit int64
}

func (lw *limitedWriter) Write(p []byte) (int, error) {
	if lw.n += int64(len(p)); lw.n > lw.limit {
		return 0, fmt.Errorf("writes more than %s, the most a page may have (16 times limits.note of site.yaml, 64 MB at least): a template writes without end, as one does that calls itself more than once", source.FormatSize(lw.limit))
	}
	return lw.w.Write(p)
}

// executeError puts the error of executing the page template name in
// path:line:col: form at the file that failed, which may be the layout or
// a shared file («template: base.html:61:2: executing …» becomes
// «templates/base.html:61:2: executing … (rendering index.html)»).
func executeError(name string, err error) error {
	msg, ok := strings.CutPrefix(err.Error(), "template: ")
	if !ok {
		return fmt.Errorf("templates/%s: %w", name, err)
	}
	return fmt.Errorf("templates/%s (rendering %s)", msg, name)
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

// Plural picks the Russian plural form for n (russian.Plural).
var Plural = russian.Plural

// Events is a count of events in Russian: «1 событие», «2 события», «5
// событий».
func Events(n int) string {
	return fmt.Sprintf("%d %s", n, Plural(n, "событие", "события", "событий"))
}

// Funcs are the functions every template may call.
var Funcs = template.FuncMap{
	"ruDate":      RuDate,
	"ruDateRange": RuDateRange,
	"isoDate":     func(t time.Time) string { return t.Format(time.DateOnly) },
	"plural":      Plural,
	"events":      Events,
	"jsonld": func(v any) (template.JS, error) {
		// encoding/json escapes <, > and &, so the data cannot close the
		// script element; as template.JS it is written as it is.
		b, err := json.Marshal(v)
		return template.JS(b), err
	},
	"add":       func(a, b int) int { return a + b },
	"byMonth":   ByMonth,
	"hasPrefix": strings.HasPrefix,
	"host":      Host,
	// contains reports whether HTML holds a string: a note's body a
	// table, a chart a region that scrolls.
	"contains": func(h template.HTML, s string) bool { return strings.Contains(string(h), s) },
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
	Role    string        // a person's page only: their role at the event
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
	// Search, when set, is the search that finds exactly the Count notes
	// (a region's sector: the notes of both), which the count links.
	Search string
}

// Pager says where a paginated list is, and links its pages.
type Pager struct {
	Number, Total int
	Prev, Next    string
	// Base is the address of the list's first page. Page n is at Base +
	// "page/n/" (a built list: /regions/amur-oblast/page/3/) or, when Base
	// holds a query, at Base + "&page=n" (search results). Without a Base
	// the pager links only the previous and the next page.
	Base string
}

// URL is the address of page n of the list; empty without a Base.
func (p Pager) URL(n int) string {
	switch {
	case p.Base == "":
		return ""
	case n == 1:
		return p.Base
	case strings.Contains(p.Base, "?"):
		return p.Base + "&page=" + strconv.Itoa(n)
	}
	return p.Base + "page/" + strconv.Itoa(n) + "/"
}

// PageLink is one entry of a pager's row of page numbers: a page, or a gap
// that stands for the pages left out.
type PageLink struct {
	Number  int
	URL     string
	Current bool
	Gap     bool
	// Far marks a page two away from the current one whose outer neighbour
	// is a gap: a narrow screen may leave it out and the gap still says
	// that pages are missing there.
	Far bool
}

// pagerReach is how many pages on each side of the current one a pager
// links by number, besides the first and the last.
const pagerReach = 2

// Links is the row of page numbers: the first and the last page, the
// current one and two on each side, and a gap for each run left out:
// 1 … 4 5 [6] 7 8 … 40. A gap never hides a single page: that page is
// shown instead. Links is empty for a list of one page or without a Base.
func (p Pager) Links() []PageLink {
	if p.Total < 2 || p.Base == "" {
		return nil
	}
	lo, hi := max(1, p.Number-pagerReach), min(p.Total, p.Number+pagerReach)
	// A gap of one page would take as much room as the page.
	if lo == 3 {
		lo = 2
	}
	if hi == p.Total-2 {
		hi = p.Total - 1
	}
	var links []PageLink
	page := func(n int) {
		links = append(links, PageLink{Number: n, URL: p.URL(n), Current: n == p.Number})
	}
	if lo > 1 {
		page(1)
		if lo > 2 {
			links = append(links, PageLink{Gap: true})
		}
	}
	for n := lo; n <= hi; n++ {
		page(n)
	}
	if hi < p.Total {
		if hi < p.Total-1 {
			links = append(links, PageLink{Gap: true})
		}
		page(p.Total)
	}
	for i := range links {
		l := &links[i]
		if l.Gap || l.Number-p.Number != pagerReach && p.Number-l.Number != pagerReach {
			continue
		}
		outer := i + 1
		if l.Number < p.Number {
			outer = i - 1
		}
		l.Far = outer >= 0 && outer < len(links) && links[outer].Gap
	}
	return links
}

// MonthGroup is the items of one month of a list that is in date order.
type MonthGroup struct {
	Name  string // Март
	ID    string // m-2025-03, an anchor for the month's heading
	Items []Item
}

var monthsNom = [...]string{"Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август", "Сентябрь", "Октябрь", "Ноябрь", "Декабрь"}

// ByMonth groups items by the month they start in, keeping their order: a
// list in date order gets one group a month. The year is left out of the
// name, since lists grouped by month are a year's.
func ByMonth(items []Item) []MonthGroup {
	var groups []MonthGroup
	for _, it := range items {
		y, m, _ := it.Date.Date()
		id := fmt.Sprintf("m-%d-%02d", y, m)
		if n := len(groups); n > 0 && groups[n-1].ID == id {
			groups[n-1].Items = append(groups[n-1].Items, it)
			continue
		}
		groups = append(groups, MonthGroup{Name: monthsNom[m-1], ID: id, Items: []Item{it}})
	}
	return groups
}

// Host is the host name of an absolute URL without "www.", as a list of
// sources shows it beside the publisher; empty when there is none.
func Host(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}
