package build

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"html/template"
	"io/fs"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yuin/goldmark/ast"
	"golang.org/x/sync/errgroup"

	"github.com/coopdigest/digest/source"
	"github.com/coopdigest/digest/templates"
)

// note is a published note with what rendering adds to it.
type note struct {
	*source.Note
	url  string
	item templates.Item
	// html is the rendered body and text the body as plain text, for the
	// index; a build that keeps nothing (builder.keep) holds neither.
	html template.HTML
	text string
	// refs are the files of content/ that the body shows or links, by path; image
	// is the note's picture as its page shows it, and og whether link
	// previews can show it too. warnings are what the body does that
	// digest serve does not show (pictures from other sites).
	refs     []string
	image    *templates.Image
	og       bool
	warnings []string
	// rooted are the body's links from /, which plan looks up among the
	// outputs (deadLinks).
	rooted []rootLink
	// links are the files of the notes the body links, and of the files it
	// links that are not there; linkURLs the notes' addresses as it was
	// rendered with (model.linkURLs): a note's page changes with them.
	links    []string
	linkURLs string
	// related are the notes that share most regions and sectors with it.
	related []*note
	// termsKey is a fingerprint of the note's kind, regions and sectors,
	// which counts of terms depend on.
	termsKey uint64
	// itemKey is a fingerprint of the note's list item, which is all that
	// lists show of it: a change to the body alone leaves lists alone.
	itemKey uint64
	// idx is the note's place in model.notes; termPos its place in the
	// lists of its regions and sectors.
	idx     int
	termPos []termPos
	// prev is the same note in the model of the last build, if it is
	// there unchanged, until prepare has taken what it can from it; same
	// says that it was, relinked that its actors' pages are not as they
	// were then (linkActors).
	prev     *note
	same     bool
	relinked bool
	// data is what calendars and data files show of the note, made once;
	// dataKey a fingerprint of it (data.go).
	data    atomic.Pointer[noteData]
	dataKey uint64
	// actorURLs are the pages of the note's people and organizations, as
	// its data was made with them (see linkActors).
	actorURLs string
	// people and orgs are the actors of its People and Organizations, one
	// for each, nil for a name with nothing to match (model.actors); cast
	// their numbers in the model's castLists, kept while the note is.
	people, orgs []*actor
	cast         [2][]int32
}

type termPos struct {
	t   *term
	pos int
}

// term is a taxonomy entry with the notes that name it, newest first.
type term struct {
	*source.Term
	tax   string // "regions", "sectors" or "kinds"
	url   string // /regions/<slug>/
	notes []*note
}

func (t *term) ref() templates.TermRef {
	return templates.TermRef{Slug: t.Slug, Name: t.Name, URL: t.url}
}

// model is everything the pages of a site show, derived from its source.
type model struct {
	src     *source.Site
	notes   []*note // newest first
	byURL   map[string]*note
	byFile  map[string]*note
	regions map[string]*term
	sectors map[string]*term
	kinds   map[string]*term
	// terms lists the entries in taxonomy-file order, per taxonomy.
	terms map[string][]*term
	years []int // newest first
	// byYear holds each year's notes, newest first.
	byYear map[int][]*note
	// pairs are the partnerships: a Russian and a Chinese region named by
	// one note, with their notes; sorted by the Russian then Chinese slug.
	pairs []*pair
	// cast resolves the names notes give people and organizations
	// (people.go), carried from model to model.
	cast [2]*castList
	// byID are the actors by their numbers in cast, nil where unnamed.
	byID [2][]*actor
}

// linkURLs is the addresses of the published notes of files, as a body
// that links them is rendered with them.
func (m *model) linkURLs(files []string) string {
	var b strings.Builder
	for _, f := range files {
		b.WriteString(m.pageOf(f))
		b.WriteByte(0)
	}
	return b.String()
}

// pageOf is the address of the published note of the file, "" for none.
func (m *model) pageOf(file string) string {
	if n := m.byFile[file]; n != nil {
		return n.url
	}
	return ""
}

// pair is one partnership: a Russian and a Chinese region named together.
type pair struct {
	ru, cn *term
	notes  []*note
}

func (p *pair) url() string { return "/regions/" + p.ru.Slug + "/" + p.cn.Slug + "/" }

// newModel indexes the published notes by term, year and partnership.
// notes must be sorted newest first.
func newModel(src *source.Site, published []*source.Note, prev *model) *model {
	m := &model{
		src:     src,
		byURL:   make(map[string]*note, len(published)),
		byFile:  make(map[string]*note, len(published)),
		regions: map[string]*term{},
		sectors: map[string]*term{},
		kinds:   map[string]*term{},
		terms:   map[string][]*term{},
		byYear:  map[int][]*note{},
	}
	carried := prev != nil && prev.cast[0].carried(src.People) && prev.cast[1].carried(src.Organizations)
	if carried {
		m.cast = prev.cast
	} else {
		m.cast = [2]*castList{newCastList("people", src.People), newCastList("organizations", src.Organizations)}
	}
	for _, tax := range src.All() {
		dst := m.termMap(tax.Kind)
		for _, t := range tax.Terms {
			tt := &term{Term: t, tax: tax.Kind, url: "/" + tax.Kind + "/" + t.Slug + "/"}
			dst[t.Slug] = tt
			m.terms[tax.Kind] = append(m.terms[tax.Kind], tt)
		}
	}
	var before map[*source.Note]*note
	if prev != nil {
		before = make(map[*source.Note]*note, len(prev.notes))
		for _, n := range prev.notes {
			before[n.Note] = n
		}
	}
	pairs := map[[2]string]*pair{}
	all := make([]note, len(published)) // one allocation, not thousands, at every save
	for i, cn := range published {
		n := &all[i]
		n.Note, n.idx = cn, len(m.notes)
		if p := before[cn]; p != nil {
			n.same = true
			n.url, n.prev, n.termsKey, n.item, n.dataKey, n.actorURLs = p.url, p, p.termsKey, p.item, p.dataKey, p.actorURLs
			if carried {
				n.cast = p.cast
			}
		} else {
			n.url = cn.URL()
			n.termsKey, n.dataKey = termsKey(cn), dataKey(n)
		}
		m.notes = append(m.notes, n)
		m.byURL[n.url] = n
		m.byFile[n.File] = n
		if t := m.kinds[n.Kind]; t != nil {
			t.notes = append(t.notes, n)
		}
		var ru, zh []*term
		for _, s := range n.Regions {
			t := m.regions[s]
			n.termPos = append(n.termPos, termPos{t, len(t.notes)})
			t.notes = append(t.notes, n)
			if t.Country == "RU" {
				ru = append(ru, t)
			} else {
				zh = append(zh, t)
			}
		}
		for _, r := range ru {
			for _, c := range zh {
				k := [2]string{r.Slug, c.Slug}
				p := pairs[k]
				if p == nil {
					p = &pair{ru: r, cn: c}
					pairs[k] = p
				}
				p.notes = append(p.notes, n)
			}
		}
		for _, s := range n.Sectors {
			t := m.sectors[s]
			n.termPos = append(n.termPos, termPos{t, len(t.notes)})
			t.notes = append(t.notes, n)
		}
		y := n.Year()
		if m.byYear[y] == nil {
			m.years = append(m.years, y)
		}
		m.byYear[y] = append(m.byYear[y], n)
	}
	slices.SortFunc(m.years, func(a, b int) int { return b - a })
	for _, p := range pairs {
		m.pairs = append(m.pairs, p)
	}
	slices.SortFunc(m.pairs, func(a, b *pair) int {
		return cmp.Or(cmp.Compare(a.ru.Slug, b.ru.Slug), cmp.Compare(a.cn.Slug, b.cn.Slug))
	})
	for _, n := range m.notes {
		if n.prev == nil { // the taxonomy is the same between two models
			n.item = m.item(n)
		}
	}
	return m
}

func (m *model) termMap(kind string) map[string]*term {
	switch kind {
	case "regions":
		return m.regions
	case "sectors":
		return m.sectors
	default:
		return m.kinds
	}
}

// item is how lists show a note.
func (m *model) item(n *note) templates.Item {
	it := templates.Item{URL: n.url, Title: n.Title, Date: n.Date, End: n.End, Summary: n.Summary}
	if k := m.kinds[n.Kind]; k != nil {
		ref := k.ref()
		it.Kind = &ref
	}
	for _, s := range n.Regions {
		it.Regions = append(it.Regions, m.regions[s].ref())
	}
	return it
}

func items(notes []*note) []templates.Item {
	out := make([]templates.Item, len(notes))
	for i, n := range notes {
		out[i] = n.item
	}
	return out
}

// countTerms counts how often each entry of a taxonomy is named by notes,
// leaving out skip; the most frequent first, then by Russian name. link
// gives an entry's page; search, when not nil, the search that finds the
// notes counted with it.
func countTerms(notes []*note, pick func(*note) []string, terms map[string]*term, skip string, link, search func(*term) string) []templates.Count {
	counts := map[string]int{}
	for _, n := range notes {
		for _, s := range pick(n) {
			if s != skip {
				counts[s]++
			}
		}
	}
	out := make([]templates.Count, 0, len(counts))
	for s, c := range counts {
		t := terms[s]
		tc := templates.Count{Name: t.Name.Ru, URL: link(t), Count: c}
		if search != nil {
			tc.Search = search(t)
		}
		out = append(out, tc)
	}
	slices.SortFunc(out, func(a, b templates.Count) int {
		return cmp.Or(b.Count-a.Count, cmp.Compare(a.Name, b.Name))
	})
	return out
}

// searchParam is the search parameter that filters by a taxonomy.
var searchParam = map[string]string{"regions": "region", "sectors": "sector", "kinds": "kind"}

// searchFor returns the function that gives, for an entry of a list of
// counts, the search for the notes of all of terms and of that entry:
// the notes a count counts, as search filters every region and sector
// given and a kind.
func (m *model) searchFor(terms ...*term) func(*term) string {
	return func(o *term) string {
		v := url.Values{}
		for _, t := range append(terms, o) {
			v.Add(searchParam[t.tax], t.Slug)
		}
		return m.src.Settings.SearchURL + "?" + v.Encode()
	}
}

func regionsOf(n *note) []string { return n.Regions }
func sectorsOf(n *note) []string { return n.Sectors }
func kindOf(n *note) []string    { return []string{n.Kind} }

func termURL(t *term) string { return t.url }

// relate finds, for every note, up to limit notes that share its regions
// and sectors: a shared region counts twice a shared sector; ties go to the
// note nearest in time. To stay fast on large sites it scores only the
// notes near each one in time within each of its terms' lists.
func (m *model) relate(limit int) {
	const window = 24
	type cand struct {
		n     *note
		score int
		gap   time.Duration
	}
	// seen[i] == stamp marks note i as a candidate of the current note.
	seen := make([]int, len(m.notes))
	var cands []cand
	for stamp, n := range m.notes {
		stamp++
		seen[n.idx] = stamp
		cands = cands[:0]
		for _, tp := range n.termPos {
			lo, hi := max(0, tp.pos-window), min(len(tp.t.notes), tp.pos+window+1)
			for _, o := range tp.t.notes[lo:hi] {
				if seen[o.idx] == stamp {
					continue
				}
				seen[o.idx] = stamp
				score := 0
				for _, s := range o.Regions {
					if n.HasRegion(s) {
						score += 2
					}
				}
				for _, s := range o.Sectors {
					if n.HasSector(s) {
						score++
					}
				}
				gap := n.Date.Sub(o.Date)
				if gap < 0 {
					gap = -gap
				}
				cands = append(cands, cand{o, score, gap})
			}
		}
		slices.SortFunc(cands, func(a, b cand) int {
			return cmp.Or(b.score-a.score, cmp.Compare(a.gap, b.gap), a.n.idx-b.n.idx)
		})
		n.related = make([]*note, 0, min(limit, len(cands)))
		for _, c := range cands[:min(limit, len(cands))] {
			n.related = append(n.related, c.n)
		}
	}
}

// relateFrom copies the related notes of prev when they cannot differ: the
// same notes, by URL and in the same order, with the same dates, regions and
// sectors. It reports whether it did.
func (m *model) relateFrom(prev *model) bool {
	if len(prev.notes) != len(m.notes) {
		return false
	}
	for i, n := range m.notes {
		o := prev.notes[i]
		if o.url != n.url || !o.Date.Equal(n.Date) || !slices.Equal(o.Regions, n.Regions) || !slices.Equal(o.Sectors, n.Sectors) {
			return false
		}
	}
	for i, n := range m.notes {
		n.related = make([]*note, len(prev.notes[i].related))
		for j, r := range prev.notes[i].related {
			n.related[j] = m.notes[r.idx]
		}
	}
	return true
}

// termsKey is a fingerprint of a note's kind, regions and sectors.
func termsKey(n *source.Note) uint64 {
	var h maphash.Hash
	h.SetSeed(keySeed)
	h.WriteString(n.Kind)
	for _, s := range n.Regions {
		h.WriteByte(0)
		h.WriteString(s)
	}
	h.WriteByte(1)
	for _, s := range n.Sectors {
		h.WriteByte(0)
		h.WriteString(s)
	}
	return h.Sum64()
}

// yearURL is the path of a year's page.
func yearURL(y int) string { return "/" + strconv.Itoa(y) + "/" }

// prepare makes the model of src's published notes with their Markdown,
// pictures and list items; site is the site folder, rooted. A note that
// prev, the model of the last build, has as it is (the same source.Note)
// keeps its Markdown and pictures, and its list item too when the
// templates are prevTmpl; the others are rendered.
func prepare(ctx context.Context, cfg Config, src *source.Site, tmpl *templates.Set, site fs.FS, prev *model, prevTmpl *templates.Set) (*builder, error) {
	if tmpl != prevTmpl {
		// The one page no build renders, tried with new templates.
		if err := tmpl.TrySearchPage(src); err != nil {
			return nil, err
		}
	}
	b := &builder{cfg: cfg, model: newModel(src, src.Published(cfg.Drafts), prev), tmpl: tmpl, site: site, today: cfg.today()}
	b.warnings = tmpl.Unused()
	b.keep = b.keeps()
	if tmpl == prevTmpl {
		b.last = prev
	}
	log := logger(cfg)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	// A note's Markdown problem does not stop the others: every problem of
	// every note is reported at once, as source does.
	var mu sync.Mutex
	var problems source.Errors
	for _, n := range b.model.notes {
		if p := n.prev; p != nil {
			n.prev = nil // no chain of models from one build to the next
			n.data.Store(p.data.Load())
			// A body that links a note whose address changed is rendered
			// again.
			if b.model.linkURLs(p.links) == p.linkURLs {
				n.html, n.text, n.refs, n.warnings, n.image, n.og, n.rooted = p.html, p.text, p.refs, p.warnings, p.image, p.og, p.rooted
				n.links, n.linkURLs = p.links, p.linkURLs
				if tmpl == prevTmpl {
					n.item.HTML, n.itemKey = p.item.HTML, p.itemKey
					continue
				}
			}
		}
		g.Go(func() error {
			if gctx.Err() != nil {
				return gctx.Err()
			}
			return protect(log, n.File, func() error {
				if n.html == "" {
					body, err := n.ReadBody(site, src.Settings.Limits.Note)
					if err != nil {
						// The file changed since it was read: the page
						// would show two versions of the note.
						var fe *source.FileError
						if !errors.As(err, &fe) {
							return err
						}
						mu.Lock()
						problems = append(problems, fe)
						mu.Unlock()
						return nil
					}
					im := &images{note: n.File, files: src.Files, pages: b.model.pageOf}
					html, text, err := renderMarkdown(body, im, true)
					var image *templates.Image
					var og bool
					var imgErr error
					if n.ImageFile != "" {
						image, og, imgErr = noteImage(site, n.Note, src.Files, src.Settings.Limits.File)
					}
					if found := markdownProblems(n.Note, err, im); len(found) > 0 || imgErr != nil {
						mu.Lock()
						problems = append(problems, found...)
						var fe *source.FileError
						if errors.As(imgErr, &fe) {
							problems = append(problems, fe)
						}
						mu.Unlock()
						return nil
					}
					n.html, n.text, n.refs, n.image, n.og, n.rooted = template.HTML(html), text, im.refs, image, og, im.rooted
					n.links, n.linkURLs = im.links, b.model.linkURLs(im.links)
					if !b.keep {
						// Pages, feeds and the index render the body
						// again, and the note's page its description.
						n.html, n.text = "", ""
					}
					n.warnings = nil
					for _, w := range im.warnings {
						n.warnings = append(n.warnings, noteError(n.Note, w).Error())
					}
					if w := repeated(n.Note, text); w != nil {
						n.warnings = append(n.warnings, w.Error())
					}
					if len(n.warnings) > 0 || len(im.rooted) > 0 {
						mu.Lock()
						b.warnings = append(b.warnings, n.warnings...)
						if len(im.rooted) > 0 {
							b.linking = append(b.linking, linking{n.Note, im.rooted})
						}
						mu.Unlock()
					}
				}
				var buf bytes.Buffer
				if err := tmpl.ExecutePartial(&buf, "noteitem", n.item); err != nil {
					return &source.FileError{File: n.File, Err: fmt.Errorf("templates: noteitem: %w", err)}
				}
				n.item.HTML = template.HTML(buf.String())
				n.itemKey = maphash.String(keySeed, string(n.item.HTML))
				return nil
			})
		})
	}
	// A draft left out is not rendered, but a whole build reads its
	// Markdown as digest check reads it: a picture it names that is not
	// there, or a limit it goes past, fails the build as it fails the
	// check. (An incremental one, which has prev, does not read the
	// drafts again at every save.)
	for _, n := range src.Notes {
		if !n.Draft || b.cfg.Drafts || prev != nil {
			continue
		}
		g.Go(func() error {
			body, err := n.ReadBody(site, src.Settings.Limits.Note)
			var found []*source.FileError
			var fe *source.FileError
			switch {
			case errors.As(err, &fe):
				found = append(found, fe)
			case err != nil:
				return err
			default:
				im := &images{note: n.File, files: src.Files, pages: b.model.pageOf}
				err := parseMarkdown(body, im, func(ast.Node) error { return nil })
				found = markdownProblems(n, err, im)
			}
			mu.Lock()
			problems = append(problems, found...)
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, sorted(problems)
	}
	slices.SortFunc(b.warnings, byPlace)
	return b, nil
}

// relate finds the related notes of every note, taking them from prev when
// they cannot have changed.
func (b *builder) relate(prev *model) {
	if prev == nil || !b.model.relateFrom(prev) {
		b.model.relate(5)
	}
}
