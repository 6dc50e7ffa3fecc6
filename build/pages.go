package build

import (
	"bytes"
	"cmp"
	"fmt"
	"hash/maphash"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coopdigest/digest/source"
	"github.com/coopdigest/digest/templates"
)

// output is one file of the built site: its path below OUT, a fingerprint
// of everything it shows and how to make its bytes. Outputs are independent,
// so they render on every core; an output whose key is unchanged since the
// last build need not be rendered again.
type output struct {
	path   string // slash-separated, relative to OUT: 2025/x/index.html
	note   string // the file of the note whose page this is, if it is one
	tmpl   string // the template of a page
	key    func(h *maphash.Hash)
	render func(buf *bytes.Buffer) error
	// stream, set instead of render for a file that lists every note of a
	// list (its calendar and CSV, the site's data files: hundreds of
	// megabytes on a large site), writes the file's bytes to w as it makes
	// them: a full build writes them to the file as they come rather than
	// holding the whole file.
	stream func(w io.Writer) error
	// from, when set, is a file of the site (relative to it) that the
	// output is a copy of, made without render; it may have limit bytes.
	from  string
	limit int64
	// kept says that the output is as the last build of the session wrote
	// it, which keeps its key: it has neither key nor render.
	kept bool
}

// The data of each kind of page, as its template sees it in .Data.
type (
	// listPage is the home page, its pages and the year pages.
	listPage struct {
		Heading string
		Items   []templates.Item
		Pager   templates.Pager
		Years   []templates.Count
		Total   int

		Upcoming []templates.Item // home, first page: events after the build day, soonest first
		// UpcomingMore is how many more upcoming events there are than
		// Upcoming shows: the year pages list them.
		UpcomingMore int
	}
	// notePage is one note.
	notePage struct {
		templates.Item
		Sectors       []templates.TermRef
		People        []personRef
		Organizations []templates.Count
		Places        []string
		Sources       []source.Link
		Body          template.HTML
		Image         *templates.Image // the note's picture, if it has one
		Related       []templates.Item
		Partnerships  []templates.Count
		Year          templates.Count
	}
	// personRef is a person a note names, with their role and page.
	personRef struct {
		source.Person
		URL string
	}
	// termPage is a region, sector or kind with its events and counts.
	termPage struct {
		Term     templates.TermRef
		Label    string // Регион, Отрасль, Вид события
		Country  string
		Total    int
		Items    []templates.Item
		Pager    templates.Pager
		Partners []templates.Count // regions named with it
		Sectors  []templates.Count
		Kinds    []templates.Count
	}
	// pairPage is one partnership of a Russian and a Chinese region.
	pairPage struct {
		RU, CN  templates.TermRef
		Total   int
		Items   []templates.Item
		Pager   templates.Pager
		Sectors []templates.Count
		Kinds   []templates.Count
	}
	// regionsPage is /regions/: both sides, grouped, with counts.
	regionsPage struct {
		Sides []regionSide
	}
	regionSide struct {
		Heading string
		Groups  []regionGroup
		Total   int // events that name a region of this side
	}
	regionGroup struct {
		Name    string
		Regions []templates.Count
	}
	// termsPage is /sectors/ and /kinds/.
	termsPage struct {
		Heading string
		Terms   []templates.Count
	}
)

var taxLabels = map[string][3]string{
	// page heading of the index, label of one entry, title of the index
	"regions": {"Регионы", "Регион", "Регионы"},
	"sectors": {"Отрасли", "Отрасль", "Отрасли"},
	"kinds":   {"Виды событий", "Вид события", "Виды событий"},
}

// taxDescriptions describe the index pages of sectors and kinds for search
// engines and link previews (the regions' page has its own).
var taxDescriptions = map[string]string{
	"sectors": "Отрасли сотрудничества регионов России и Китая и число событий в каждой.",
	"kinds":   "Визиты, переговоры, форумы, выставки и соглашения: виды событий и число событий каждого вида.",
}

// pager describes page number (from 1) of total for the list at base.
func pager(base string, number, total int) templates.Pager {
	p := templates.Pager{Number: number, Total: total, Base: base}
	if number > 1 {
		p.Prev = pageURL(base, number-1)
	}
	if number < total {
		p.Next = pageURL(base, number+1)
	}
	return p
}

// pageURL is the path of page number of the list at base: base itself for
// the first, base/page/N/ for the others.
func pageURL(base string, number int) string {
	if number == 1 {
		return base
	}
	return base + "page/" + strconv.Itoa(number) + "/"
}

// paginate calls page for every page of the list at base with that page's
// notes; a list with no notes still has its first page.
func paginate(base string, notes []*note, per int, page func(path string, its []*note, p templates.Pager)) {
	total := max(1, (len(notes)+per-1)/per)
	for i := 1; i <= total; i++ {
		lo, hi := (i-1)*per, min(i*per, len(notes))
		page(pageURL(base, i), notes[lo:hi], pager(base, i, total))
	}
}

// file is the output path of a page path: /regions/ → regions/index.html.
func file(path string) string {
	return path[1:] + "index.html"
}

// keyItems adds what lists show of notes to a fingerprint.
func keyItems(h *maphash.Hash, notes []*note) {
	for _, n := range notes {
		maphash.WriteComparable(h, n.itemKey)
	}
	h.WriteByte(0)
}

// keyCounts adds a list of counts to a fingerprint.
func keyCounts(h *maphash.Hash, counts []templates.Count) {
	for _, c := range counts {
		h.WriteString(c.Name)
		h.WriteString(c.URL)
		maphash.WriteComparable(h, c.Count)
	}
	h.WriteByte(0)
}

// keyCounted adds what counts of terms depend on: each note's regions,
// sectors and kind.
func keyCounted(h *maphash.Hash, notes []*note) {
	for _, n := range notes {
		maphash.WriteComparable(h, n.termsKey)
	}
}

// keyCountedList is the key of page p of the list all, which shows the
// items its and, on its first page, the counts of terms over all.
func keyCountedList(h *maphash.Hash, its []*note, p templates.Pager, all []*note) {
	keyItems(h, its)
	keyPager(h, p)
	if p.Number == 1 {
		keyCounted(h, all)
	}
	maphash.WriteComparable(h, len(all))
}

func keyPager(h *maphash.Hash, p templates.Pager) {
	maphash.WriteComparable(h, p.Number)
	maphash.WriteComparable(h, p.Total)
}

// paged is the title of page p of a list whose first page has the title
// title: «Хабаровский край, страница 2».
func paged(title string, p templates.Pager) string {
	if p.Number == 1 {
		return title
	}
	return fmt.Sprintf("%s, страница %d", title, p.Number)
}

// upcoming splits notes, newest first, into those that start after the
// day today, soonest first, and the others, newest first. A note's day is
// the one it was written with, whatever its zone.
func upcoming(notes []*note, today time.Time) (soon, past []*note) {
	after := func(n *note) bool {
		y, mo, d := n.Date.Date()
		return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC).After(today)
	}
	// Copy the list only when some are upcoming.
	k := slices.IndexFunc(notes, after)
	if k < 0 {
		return nil, notes
	}
	past = slices.Clone(notes[:k])
	for _, n := range notes[k:] {
		if after(n) {
			soon = append(soon, n)
		} else {
			past = append(past, n)
		}
	}
	slices.SortFunc(soon, func(a, b *note) int {
		return cmp.Or(source.CompareDays(a.Date, b.Date), strings.Compare(a.url, b.url))
	})
	return soon, past
}

// page is the HTML page at path made by the template tmpl from the data
// mk returns; key adds what the data depends on besides the template.
func (b *builder) page(path, tmpl string, key func(h *maphash.Hash), mk func() *templates.Page) output {
	return output{
		path: file(path),
		tmpl: tmpl,
		key: func(h *maphash.Hash) {
			maphash.WriteComparable(h, b.tmpl.Version(tmpl))
			h.WriteString(path)
			key(h)
		},
		render: func(buf *bytes.Buffer) error {
			p := mk()
			p.Path = path
			return b.render(buf, tmpl, p)
		},
	}
}

// plan lists every output of the site. It only describes the outputs: the
// data of a page is made when the page is rendered, so planning stays cheap
// enough to redo on every change in watch mode. Its problems are files of
// the site that would be published where the build writes its own.
func (b *builder) plan() ([]output, error) {
	defer func() { b.last = nil }() // no chain of models, once the actors' planning is done too
	m := b.model
	per := m.src.Settings.PerPage
	var outs []output
	page := func(path, tmpl string, key func(h *maphash.Hash), mk func() *templates.Page) {
		outs = append(outs, b.page(path, tmpl, key, mk))
	}

	// People and organizations, planned beside the rest on another core:
	// what they give the notes (note.people, note.orgs and the pages of
	// both, linkActors) is read by keys and rendering, not by planning.
	type planned struct {
		outs []output
		err  error
	}
	actors := make(chan planned, 1)
	go func() {
		var p planned
		p.err = protect(logger(b.cfg), "the pages of people and organizations", func() error {
			people, orgs := m.actors("people"), m.actors("organizations")
			b.linkActors()
			kept := b.keptActors(people, orgs)
			p.outs = append(b.actorPages("people", people, kept[0]), b.actorPages("organizations", orgs, kept[1])...)
			return nil
		})
		actors <- p
	}()

	// Home and its pages.
	var years []templates.Count
	for _, y := range m.years {
		years = append(years, templates.Count{Name: strconv.Itoa(y), URL: yearURL(y), Count: len(m.byYear[y])})
	}
	// The home page shows the upcoming events apart, on its first page;
	// its pages list the others.
	soon, past := upcoming(m.notes, b.today)
	shown := soon[:min(per, len(soon))]
	homeBars := b.yearBarsOf(m.notes, nil)
	paginate("/", past, per, func(path string, its []*note, p templates.Pager) {
		page(path, "index.html", func(h *maphash.Hash) {
			keyItems(h, its)
			keyPager(h, p)
			keyCounts(h, years)
			maphash.WriteComparable(h, len(past))
			if p.Number == 1 {
				keyItems(h, shown)
				maphash.WriteComparable(h, len(soon))
				keyBars(h, homeBars)
			}
		}, func() *templates.Page {
			title := ""
			if p.Number > 1 {
				title = fmt.Sprintf("Страница %d", p.Number)
			}
			d := listPage{Heading: "Последние события", Items: items(its), Pager: p, Years: years, Total: len(past)}
			if p.Number == 1 {
				d.Upcoming, d.UpcomingMore = items(shown), len(soon)-len(shown)
			}
			pg := &templates.Page{Title: title, Description: "Новости межрегионального сотрудничества России и Китая: визиты, переговоры, форумы и соглашения.", Data: d}
			if p.Number == 1 {
				pg.Chart = yearChart(homeBars)
			}
			return pg
		})
	})

	// Notes.
	for _, n := range m.notes {
		page(n.url, "note.html", func(h *maphash.Hash) {
			maphash.WriteComparable(h, n.Version)
			h.WriteString(n.actorURLs) // the actors' slugs, which other notes may change
			h.WriteString(n.linkURLs)  // the addresses of the notes it links, likewise
			if n.image != nil {        // its size may change with the note as it is
				maphash.WriteComparable(h, *n.image)
			}
			keyItems(h, n.related)
		}, func() *templates.Page { return b.notePage(n) })
		outs[len(outs)-1].note = n.File
	}

	// Years.
	for _, y := range m.years {
		ys := strconv.Itoa(y)
		notes := m.byYear[y]
		months := monthBars(notes, y)
		paginate(yearURL(y), notes, per, func(path string, its []*note, p templates.Pager) {
			page(path, "list.html", func(h *maphash.Hash) {
				keyItems(h, its)
				keyPager(h, p)
				keyCounts(h, years)
				maphash.WriteComparable(h, len(notes))
				if p.Number == 1 {
					keyBars(h, months)
				}
			}, func() *templates.Page {
				pg := &templates.Page{Title: paged("События "+ys+" года", p),
					Description: "Визиты, переговоры, форумы и соглашения регионов России и Китая в " + ys + " году, по месяцам.",
					Data:        listPage{Heading: "События " + ys + " года", Items: items(its), Pager: p, Years: years, Total: len(notes)}}
				if p.Number == 1 {
					pg.Chart = barsChart("chart-months", "События "+ys+" года по месяцам", "Месяц", months)
				}
				return pg
			})
		})
	}

	// Taxonomy indexes and entries.
	regionCounts := func(h *maphash.Hash) {
		for _, t := range m.terms["regions"] {
			maphash.WriteComparable(h, len(t.notes))
		}
	}
	page("/regions/", "regions.html", func(h *maphash.Hash) {
		regionCounts(h)
		keyCounted(h, m.notes) // a side's total counts notes, not mentions
	}, func() *templates.Page {
		return &templates.Page{Title: "Регионы", Description: "Регионы России и провинции Китая и число событий с их участием.", Data: b.regionsPage(), Chart: b.regionsMatrix()}
	})
	for _, tax := range []string{"sectors", "kinds"} {
		var counts []templates.Count
		for _, t := range m.terms[tax] {
			counts = append(counts, templates.Count{Name: t.Name.Ru, URL: t.url, Count: len(t.notes)})
		}
		page("/"+tax+"/", "terms.html", func(h *maphash.Hash) { keyCounts(h, counts) }, func() *templates.Page {
			return &templates.Page{Title: taxLabels[tax][2], Description: taxDescriptions[tax], Data: termsPage{Heading: taxLabels[tax][0], Terms: counts}}
		})
	}
	for _, tax := range []string{"regions", "sectors", "kinds"} {
		for _, t := range m.terms[tax] {
			b.termPages(t, page)
		}
	}
	for _, p := range m.pairs {
		title := p.ru.Name.Ru + " — " + p.cn.Name.Ru
		bars := yearBars(p.notes, nil) // linked when rendered, to the search for the pair
		paginate(p.url(), p.notes, per, func(path string, its []*note, pg templates.Pager) {
			page(path, "partnership.html", func(h *maphash.Hash) {
				keyCountedList(h, its, pg, p.notes)
				if pg.Number == 1 {
					keyBars(h, bars)
				}
			}, func() *templates.Page {
				d := pairPage{RU: p.ru.ref(), CN: p.cn.ref(), Total: len(p.notes), Items: items(its), Pager: pg}
				if pg.Number == 1 {
					// The counts belong to the partnership, not the page: show them once.
					d.Sectors = countTerms(p.notes, sectorsOf, m.sectors, "", termURL, m.searchFor(p.ru, p.cn))
					d.Kinds = countTerms(p.notes, kindOf, m.kinds, "", termURL, m.searchFor(p.ru, p.cn))
				}
				view := &templates.Page{Title: paged(title, pg),
					Description: "Сотрудничество: " + title + ". " + templates.Events(len(p.notes)) + ".",
					Data:        d}
				if pg.Number == 1 {
					view.Chart = yearChart(linkBars(bars, b.yearLink(termFilters(p.ru, p.cn))))
				}
				return subscribe(view, pairList(m.src.Settings, p))
			})
		})
	}

	// 404.html lives at the root, where servers look for it.
	outs = append(outs, output{path: "404.html",
		key: func(h *maphash.Hash) { maphash.WriteComparable(h, b.tmpl.Version("404.html")) },
		render: func(buf *bytes.Buffer) error {
			return b.render(buf, "404.html", &templates.Page{Title: "Страница не найдена", NoIndex: true, Path: "/404.html"})
		}})

	p := <-actors
	if p.err != nil {
		return nil, p.err
	}
	outs = append(outs, p.outs...)
	outs = append(outs, b.feeds()...)
	outs = append(outs, b.data()...)
	outs = append(outs, b.sitemap(outs)...)
	outs = append(outs, output{path: "robots.txt", key: func(*maphash.Hash) {}, render: func(buf *bytes.Buffer) error {
		// A rule is a path of this host: a search on another host has
		// its own robots.txt.
		buf.WriteString("User-agent: *\nAllow: /\n")
		if u := ownSearch(m.src.Settings); u != nil {
			fmt.Fprintf(buf, "Disallow: %s\n", u.EscapedPath())
		}
		fmt.Fprintf(buf, "\nSitemap: %s\n", m.src.Settings.URL("/sitemap.xml"))
		return nil
	}})
	// The templates' static files, under their names and their
	// fingerprinted ones, which pages link.
	for name, data := range b.tmpl.Static() {
		for _, p := range []string{name, b.tmpl.Asset(name)[1:]} {
			outs = append(outs, output{path: p, key: func(h *maphash.Hash) { h.Write(data) }, render: func(buf *bytes.Buffer) error {
				buf.Write(data)
				return nil
			}})
		}
	}
	copies, err := b.copies(outs)
	if err != nil {
		return nil, err
	}
	outs = append(outs, copies...)
	b.warnings = withWarnings(b.warnings, deadLinks(outs, m.src.Settings, b.linking))
	return outs, nil
}

func (b *builder) termPages(t *term, page func(path, tmpl string, key func(*maphash.Hash), mk func() *templates.Page)) {
	m := b.model
	label := taxLabels[t.tax][1]
	partnerURL := func(o *term) string {
		if t.tax == "regions" && o.Country != t.Country {
			ru, cn := t, o
			if t.Country == "CN" {
				ru, cn = o, t
			}
			return "/regions/" + ru.Slug + "/" + cn.Slug + "/"
		}
		return o.url
	}
	skip := func(tax string) string {
		if tax == t.tax {
			return t.Slug
		}
		return ""
	}
	// A region's partners are the other country's regions its notes name:
	// those of its own country are no partnership.
	partnersOf := regionsOf
	if t.tax == "regions" && t.Country != "" {
		partnersOf = func(n *note) []string {
			var out []string
			for _, s := range n.Regions {
				if o := m.regions[s]; o != nil && o.Country != t.Country {
					out = append(out, s)
				}
			}
			return out
		}
	}
	desc := fmt.Sprintf("%s: %s. %s", label, t.Name.Ru, templates.Events(len(t.notes)))
	bars := yearBars(t.notes, nil) // linked when rendered, to the search for the term
	paginate(t.url, t.notes, m.src.Settings.PerPage, func(path string, its []*note, p templates.Pager) {
		page(path, "term.html", func(h *maphash.Hash) {
			keyCountedList(h, its, p, t.notes)
			if p.Number == 1 {
				keyBars(h, bars)
			}
		}, func() *templates.Page {
			d := termPage{Term: t.ref(), Label: label, Country: t.Country, Total: len(t.notes), Items: items(its), Pager: p}
			if p.Number == 1 {
				// The counts belong to the term, not the page: show them once.
				d.Partners = countTerms(t.notes, partnersOf, m.regions, skip("regions"), partnerURL, m.searchFor(t))
				d.Sectors = countTerms(t.notes, sectorsOf, m.sectors, skip("sectors"), termURL, m.searchFor(t))
				if t.tax != "kinds" {
					d.Kinds = countTerms(t.notes, kindOf, m.kinds, "", termURL, m.searchFor(t))
				}
			}
			// A page of no events is no page for a search engine (sitemap).
			pg := &templates.Page{Title: paged(t.Name.Ru, p), Description: desc, Data: d, NoIndex: len(t.notes) == 0}
			if p.Number == 1 {
				pg.Chart = yearChart(linkBars(bars, b.yearLink(termFilters(t))))
			}
			return subscribe(pg, termList(m.src.Settings, t))
		})
	})
}

func (b *builder) notePage(n *note) *templates.Page {
	m := b.model
	d := notePage{Item: n.item, Places: n.Places, Sources: n.Sources,
		Year: templates.Count{Name: strconv.Itoa(n.Year()), URL: yearURL(n.Year())}}
	for i, p := range n.People {
		r := personRef{Person: p}
		if a := n.people[i]; a != nil {
			r.URL = a.url
		}
		d.People = append(d.People, r)
	}
	for i, o := range n.Organizations {
		c := templates.Count{Name: o}
		if a := n.orgs[i]; a != nil {
			c.URL = a.url
		}
		d.Organizations = append(d.Organizations, c)
	}
	for _, s := range n.Sectors {
		d.Sectors = append(d.Sectors, m.sectors[s].ref())
	}
	d.Related = items(n.related)
	for _, r := range n.Regions {
		for _, c := range n.Regions {
			ru, cn := m.regions[r], m.regions[c]
			if ru.Country == "RU" && cn.Country == "CN" {
				d.Partnerships = append(d.Partnerships, templates.Count{Name: ru.Name.Ru + " — " + cn.Name.Ru, URL: "/regions/" + ru.Slug + "/" + cn.Slug + "/"})
			}
		}
	}
	d.Image = n.image
	var og *templates.Image
	if n.og {
		og = &templates.Image{URL: m.src.Settings.URL(n.image.URL), Alt: n.image.Alt, Width: n.image.Width, Height: n.image.Height}
	}
	desc := n.Summary
	if desc == "" {
		desc = excerpt(n.text, descriptionRunes)
	}
	return &templates.Page{Title: n.Title, Description: desc, OGType: "article", Image: og, JSONLD: eventLD(m, n), Data: noteView{notePage: d, note: n}}
}

// noteView adds the body, rendered on demand in the worker, to a note page.
type noteView struct {
	notePage
	note *note
}

// regionsPage lists both sides' regions by group, in taxonomy order.
func (b *builder) regionsPage() regionsPage {
	m := b.model
	sides := []regionSide{{Heading: "Россия"}, {Heading: "Китай"}}
	for i, country := range []string{"RU", "CN"} {
		side := &sides[i]
		groupIdx := map[string]int{}
		events := map[*note]bool{}
		for _, t := range m.terms["regions"] {
			if t.Country != country {
				continue
			}
			for _, n := range t.notes {
				events[n] = true
			}
			g, ok := groupIdx[t.Group]
			if !ok {
				g = len(side.Groups)
				groupIdx[t.Group] = g
				side.Groups = append(side.Groups, regionGroup{Name: groupName(t.Group)})
			}
			side.Groups[g].Regions = append(side.Groups[g].Regions, templates.Count{Name: t.Name.Ru, URL: t.url, Count: len(t.notes)})
		}
		side.Total = len(events)
	}
	return regionsPage{Sides: sides}
}

// groupNames are the Russian names of the usual region groups: federal
// districts of Russia and the parts of China.
var groupNames = map[string]string{
	"central":             "Центральный федеральный округ",
	"northwestern":        "Северо-Западный федеральный округ",
	"southern":            "Южный федеральный округ",
	"north-caucasian":     "Северо-Кавказский федеральный округ",
	"volga":               "Приволжский федеральный округ",
	"ural":                "Уральский федеральный округ",
	"siberian":            "Сибирский федеральный округ",
	"far-eastern":         "Дальневосточный федеральный округ",
	"north-china":         "Северный Китай",
	"northeast-china":     "Северо-Восточный Китай",
	"east-china":          "Восточный Китай",
	"south-central-china": "Центрально-Южный Китай",
	"central-china":       "Центральный Китай",
	"south-china":         "Южный Китай",
	"southwest-china":     "Юго-Западный Китай",
	"northwest-china":     "Северо-Западный Китай",
	"hk-macao-taiwan":     "Сянган, Аомэнь и Тайвань",
	"":                    "Прочие",
}

func groupName(g string) string {
	if n, ok := groupNames[g]; ok {
		return n
	}
	return g
}

// excerpt cuts text to about n runes at a word boundary.
func excerpt(text string, n int) string {
	// Where the runes n/2 and n start: a note's whole text costs one pass
	// over its first n runes.
	half, end, i := 0, -1, 0
	for pos := range text {
		if i == n/2 {
			half = pos
		}
		if i == n {
			end = pos
			break
		}
		i++
	}
	if end < 0 {
		return text
	}
	// Back to the last space after the half, or to the half.
	if sp := strings.LastIndexByte(text[half:end+1], ' '); sp > 0 {
		return text[:half+sp] + "…"
	}
	return text[:half] + "…"
}
