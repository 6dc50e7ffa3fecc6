package build

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"hash/maphash"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/coopdigest/digest/russian"
	"github.com/coopdigest/digest/source"
	"github.com/coopdigest/digest/templates"
)

// People and organizations: the actors notes name. Each has a page,
// /people/<slug>/ or /organizations/<slug>/, with every event they took
// part in (a person's role at each), the regions and sectors of those
// events, and who they met most often, and an index page of them all.
//
// Names are matched as editors write them, in any letter case and with ё
// and е alike (russian.Fold); an entry of the registry (people.yaml,
// organizations.yaml) merges its names and aliases into one actor, with its
// slug and its names in three languages. An unregistered actor is named by
// its most frequent spelling and slugged by the transliteration of its
// folded name, which no change of the most frequent spelling moves; it
// never takes a registry slug, named by notes or not, and two whose slugs
// clash are told apart by a short hash of the name, the first by name
// keeping the plain slug, so that slugs stay as they were when other notes
// change.

// actor is a person or an organization that published notes name.
type actor struct {
	kind  string       // "people" or "organizations"
	key   string       // "r:" and the registry slug, or "n:" and the folded name
	entry *source.Term // its registry entry, nil when it has none
	name  source.Names
	slug  string
	url   string
	id    int32    // its number in the model's castList
	notes []*note  // the model's order: newest first
	roles []string // roles[i] is the role at notes[i]; people only
	paths []string // the outputs of its pages, feed and data file
	// spellings are the names notes give an unregistered actor, the
	// newest note's first, each with how many notes give it; in first
	// while there is one.
	spellings []spelled
	first     [1]spelled
}

type spelled struct {
	name  string
	count int
}

// actorLabels are, by kind, the index page's heading, what one is, what
// the people an actor met are called, and the Russian for the kind.
var actorLabels = map[string][4]string{
	"people":        {"Участники", "Участник", "Чаще всего вместе на событиях", "Участники событий"},
	"organizations": {"Организации", "Организация", "Чаще всего на их событиях", "Организации"},
}

// castList is what a session keeps from build to build about the
// actors of one kind, so that a save does not resolve every name of every
// note again: each name's actor as a number, the actor's key, entry and
// slug base by number, and the slugs the last build gave. A model takes
// the last model's while the registries are the same (newModel), and its
// notes their numbers (note.cast).
type castList struct {
	kind    string
	reg     *source.Taxonomy
	ids     map[string]int32 // by name as notes write it
	byKey   map[string]int32
	keys    []string       // by number
	entries []*source.Term // by number; nil for unregistered actors
	bases   []string       // by number: the slug of an unregistered actor, unless clashing
	// The last build's actors by number, their slugs and pages, and their
	// numbers in slug order: slugs depend only on which actors there are.
	present []bool
	slugs   []string
	urls    []string
	order   []int32
	// refs counts the names the last build resolved, for names to know
	// when the list, which never forgets one, should start afresh.
	refs int
}

func newCastList(kind string, reg *source.Taxonomy) *castList {
	return &castList{kind: kind, reg: reg, ids: map[string]int32{}, byKey: map[string]int32{}}
}

// carried reports whether the next model may take c: it was made for reg,
// and most names it holds are still written.
func (c *castList) carried(reg *source.Taxonomy) bool {
	return c != nil && c.reg == reg && len(c.ids) <= 2*c.refs+1024
}

// id returns the number of the actor name is of, -1 for a name with
// nothing to match.
func (c *castList) id(name string) int32 {
	if id, ok := c.ids[name]; ok {
		return id
	}
	folded := russian.Fold(name)
	key, entry, base := "n:"+folded, c.reg.Lookup(name), ""
	if entry != nil {
		key = "r:" + entry.Slug
	} else {
		// From the folded name, not the spelling shown, which may change
		// with the notes: «Воробьёв» and «ВОРОБЬЕВ» are one slug. A name
		// cut short is told apart from the others cut alike by its own
		// hash, always: were it only on a clash, a new note's name could
		// take over an old page's address.
		var cut bool
		if base, cut = source.CutTitleSlug(folded); cut {
			base += "-" + nameHash(key)
		}
	}
	id, ok := c.byKey[key]
	switch {
	case folded == "" && entry == nil:
		id = -1
	case !ok:
		id = int32(len(c.keys))
		c.byKey[key] = id
		c.keys, c.entries, c.bases = append(c.keys, key), append(c.entries, entry), append(c.bases, base)
	}
	c.ids[name] = id
	return id
}

// names returns the numbers of the actors a note names.
func (c *castList) names(n *source.Note) []int32 {
	var ids []int32
	if c.kind == "people" {
		for _, p := range n.People {
			ids = append(ids, c.id(p.Name))
		}
	} else {
		for _, o := range n.Organizations {
			ids = append(ids, c.id(o))
		}
	}
	return ids
}

// actors returns the actors of kind that the model's notes name, with their
// slugs, by slug, and gives each note its actors (note.people, note.orgs).
func (m *model) actors(kind string) []*actor {
	c, k := m.cast[0], 0
	if kind == "organizations" {
		c, k = m.cast[1], 1
	}
	// Counted first, then filled: the actors, their lists and the notes'
	// are slices of a few arrays, not thousands of small ones, at every save.
	refs := 0
	for _, n := range m.notes {
		if n.cast[k] == nil {
			n.cast[k] = c.names(n.Note)
		}
		refs += len(n.cast[k])
	}
	c.refs = refs
	count := make([]int32, len(c.keys)) // notes by actor
	present, named := 0, 0
	for _, n := range m.notes {
		ids := n.cast[k]
		for i, id := range ids {
			if id >= 0 && !slices.Contains(ids[:i], id) {
				if count[id] == 0 {
					present++
				}
				count[id]++
				named++
			}
		}
	}
	byID := make([]*actor, len(c.keys))
	actors := make([]actor, 0, present)
	notes := make([]*note, named)
	var roles []string
	if kind == "people" {
		roles = make([]string, named)
	}
	for id, cnt := range count {
		if cnt == 0 {
			continue
		}
		actors = append(actors, actor{kind: kind, id: int32(id), key: c.keys[id], entry: c.entries[id]})
		a := &actors[len(actors)-1]
		if a.entry != nil {
			a.name = a.entry.Name
		}
		a.notes, notes = notes[:0:cnt], notes[cnt:]
		if roles != nil {
			a.roles, roles = roles[:0:cnt], roles[cnt:]
		}
		byID[id] = a
	}
	of := make([]*actor, refs) // the notes' actors, one for each name
	for _, n := range m.notes {
		ids := n.cast[k]
		mine := of[:len(ids):len(ids)]
		of = of[len(ids):]
		for i, id := range ids {
			if id < 0 {
				continue
			}
			a := byID[id]
			mine[i] = a
			if slices.Contains(mine[:i], a) {
				continue
			}
			a.notes = append(a.notes, n)
			name := ""
			if kind == "people" {
				a.roles = append(a.roles, n.People[i].Role)
				name = n.People[i].Name
			} else {
				name = n.Organizations[i]
			}
			if a.entry == nil {
				switch j := slices.IndexFunc(a.spellings, func(s spelled) bool { return s.name == name }); {
				case j >= 0:
					a.spellings[j].count++
				case a.spellings == nil:
					a.spellings = append(a.first[:0], spelled{name, 1})
				default:
					a.spellings = append(a.spellings, spelled{name, 1})
				}
			}
		}
		if kind == "people" {
			n.people = mine
		} else {
			n.orgs = mine
		}
	}
	for i := range actors {
		if a := &actors[i]; a.entry == nil {
			a.name = source.Names{Ru: spelling(a.spellings)}
			a.spellings = nil
		}
	}
	c.slug(byID)
	m.byID[k] = byID
	out := make([]*actor, 0, len(actors))
	for _, id := range c.order {
		a := byID[id]
		a.slug, a.url = c.slugs[id], c.urls[id]
		out = append(out, a)
	}
	return out
}

// slug gives the actors present, by number, their slugs (c.slugs) and
// their order by slug (c.order), unless the last build had the same.
// Registered actors come first, then by key, each clash told apart by a
// hash of the key.
func (c *castList) slug(byID []*actor) {
	same := len(c.present) <= len(byID)
	for id, a := range byID {
		if (a != nil) != (id < len(c.present) && c.present[id]) {
			same = false
			break
		}
	}
	if same && c.order != nil {
		return
	}
	c.present = make([]bool, len(byID))
	c.slugs = make([]string, len(byID))
	c.urls = make([]string, len(byID))
	c.order = c.order[:0]
	for id, a := range byID {
		if a != nil {
			c.present[id] = true
			c.order = append(c.order, int32(id))
		}
	}
	unregistered := func(id int32) bool { return c.entries[id] == nil }
	slices.SortFunc(c.order, func(a, b int32) int {
		if ua, ub := unregistered(a), unregistered(b); ua != ub {
			if ua {
				return 1
			}
			return -1
		}
		return cmp.Compare(c.keys[a], c.keys[b])
	})
	// Every slug of the registry is taken, named by notes or not, so that
	// an unregistered actor's does not move when an entry is first named.
	taken := map[string]bool{}
	if c.reg != nil {
		for _, e := range c.reg.Terms {
			taken[e.Slug] = true
		}
	}
	for _, id := range c.order {
		slug := c.bases[id]
		if e := c.entries[id]; e != nil {
			slug = e.Slug
		} else if slug == "" || taken[slug] {
			// A name may be written to be another's slug with its hash
			// («Ivan Petrov 2ebc61»): a number then tells them apart.
			base := cmp.Or(slug, actorLabelSlug[c.kind]) + "-" + nameHash(c.keys[id])
			slug = base
			for n := 2; taken[slug]; n++ {
				slug = base + "-" + strconv.Itoa(n)
			}
		}
		taken[slug] = true
		c.slugs[id], c.urls[id] = slug, "/"+c.kind+"/"+slug+"/"
	}
	slices.SortFunc(c.order, func(a, b int32) int { return cmp.Compare(c.slugs[a], c.slugs[b]) })
}

// nameHash tells apart actors whose names make one slug: six hex digits
// of the hash of key, what tells actors apart.
func nameHash(key string) string {
	h := fnv.New32a()
	h.Write([]byte(key))
	return fmt.Sprintf("%08x", h.Sum32())[:6]
}

// spelling chooses the name an unregistered actor goes by: the spelling
// notes use most; of those as frequent, one in mixed case (not «ИВАН
// ПЕТРОВ»), then the newest note's, which comes first.
func spelling(spellings []spelled) string {
	mixed := func(s string) bool { return strings.ToUpper(s) != s && strings.ToLower(s) != s }
	best := spellings[0]
	for _, s := range spellings[1:] {
		if s.count > best.count || s.count == best.count && mixed(s.name) && !mixed(best.name) {
			best = s
		}
	}
	return best.name
}

// linkActors gives each note's open data the pages of its people and
// organizations: a note's data, kept from build to build while the note is
// unchanged, is made again, and its key changes, when they move (a slug
// that another note's new name now clashes with).
func (b *builder) linkActors() {
	var buf []byte
	for _, n := range b.model.notes {
		buf = buf[:0]
		for _, of := range [][]*actor{n.people, n.orgs} {
			for _, a := range of {
				if a != nil {
					buf = append(append(buf, a.url...), 0)
				}
			}
		}
		if string(buf) != n.actorURLs {
			n.actorURLs, n.relinked = string(buf), true
			n.data.Store(nil)
			n.dataKey = maphash.String(keySeed, strconv.FormatUint(dataKey(n), 16)+"\x00"+n.actorURLs)
		}
	}
}

// actorLabelSlug begins the slug of an actor whose name has no letter a
// slug can take.
var actorLabelSlug = map[string]string{"people": "person", "organizations": "organization"}

type (
	// actorPage is the page of a person or an organization.
	actorPage struct {
		Kicker  string
		Name    source.Names
		Total   int
		Items   []templates.Item // with the person's role at each
		Pager   templates.Pager
		Regions []templates.Count
		Sectors []templates.Count
		// Met are the people named most often in the same notes.
		MetLabel string
		Met      []templates.Count
	}
)

// metShown is how many people an actor's page lists as met most often.
const metShown = 10

// actorPages adds the pages of the actors of kind and their index; those
// of an actor with kept[i] keep its outputs (see keptActors).
func (b *builder) actorPages(kind string, actors, kept []*actor) []output {
	m := b.model
	labels := actorLabels[kind]
	index := b.page("/"+kind+"/", "terms.html", func(h *maphash.Hash) {
		for _, a := range actors { // by slug: the page's order follows
			h.WriteString(a.name.Ru)
			h.WriteString(a.url)
			maphash.WriteComparable(h, len(a.notes))
		}
	}, func() *templates.Page {
		counts := make([]templates.Count, len(actors))
		for i, a := range actors {
			counts[i] = templates.Count{Name: a.name.Ru, URL: a.url, Count: len(a.notes)}
		}
		slices.SortStableFunc(counts, func(x, y templates.Count) int {
			return cmp.Or(y.Count-x.Count, cmp.Compare(x.Name, y.Name))
		})
		return &templates.Page{Title: labels[0], Description: labels[3] + ": " + strconv.Itoa(len(actors)) + ".", Data: termsPage{Heading: labels[0], Terms: counts}}
	})
	outs := make([]output, 1, 1+3*len(actors)) // the index; a page, a feed and a CSV each, most
	outs[0] = index
	for i, a := range actors {
		if kept[i] != nil {
			a.paths = kept[i].paths
			for _, path := range a.paths {
				outs = append(outs, output{path: path, kept: true})
			}
			continue
		}
		// A page's key is made of what it shows is made of, and its
		// counts, chart and the people met are made only when it is
		// rendered: thousands of pages are keyed at every save, few made.
		l := list{base: a.url, title: a.name.Ru + " — " + m.src.Settings.Title, notes: a.notes, brief: true}
		files := b.listFiles(l)
		for _, o := range files {
			a.paths = append(a.paths, o.path)
		}
		outs = append(outs, files...)
		paginate(a.url, a.notes, m.src.Settings.PerPage, func(path string, its []*note, p templates.Pager) {
			from := (p.Number - 1) * m.src.Settings.PerPage
			a.paths = append(a.paths, file(path))
			outs = append(outs, b.page(path, "actor.html", func(h *maphash.Hash) {
				h.WriteString(a.name.Ru + "\x00" + a.name.En + "\x00" + a.name.Zh + "\x00" + m.src.Settings.SearchURL)
				keyItems(h, its)
				keyPager(h, p)
				for _, r := range a.roles[min(from, len(a.roles)):min(from+len(its), len(a.roles))] {
					h.WriteString(r)
					h.WriteByte(0)
				}
				maphash.WriteComparable(h, len(a.notes))
				if p.Number == 1 {
					keyItems(h, a.notes)   // their years, the chart's
					keyCounted(h, a.notes) // their regions and sectors
					for _, n := range a.notes {
						for _, o := range n.people { // whom they met
							if o != nil && o != a {
								h.WriteString(o.url)
								h.WriteString(o.name.Ru)
							}
						}
						h.WriteByte(0)
					}
				}
			}, func() *templates.Page {
				d := actorPage{Kicker: labels[1], Name: a.name, Total: len(a.notes), Pager: p, MetLabel: labels[2]}
				for i, n := range its {
					it := n.item
					if from+i < len(a.roles) && a.roles[from+i] != "" {
						it.HTML, it.Role = "", a.roles[from+i] // rendered with the role
					}
					d.Items = append(d.Items, it)
				}
				pg := &templates.Page{Title: paged(a.name.Ru, p),
					Description: labels[1] + ": " + a.name.Ru + ". " + templates.Events(len(a.notes)) + ".",
					Data:        d}
				if p.Number == 1 {
					d.Regions = countTerms(a.notes, regionsOf, m.regions, "", termURL, nil)
					d.Sectors = countTerms(a.notes, sectorsOf, m.sectors, "", termURL, nil)
					d.Met = met(a)
					pg.Data = d
					pg.Chart = yearChart(b.yearBarsOf(a.notes, url.Values{"q": {`"` + a.name.Ru + `"`}}))
				}
				return subscribe(pg, l)
			}))
		})
	}
	return outs
}

// keptActors returns, for each of people and of orgs, the same actor in
// the session's last build when what its pages, feed and data file show is
// as it was then, else nil: the same name and page, the same notes (the
// same source.Note, with the same actors' pages), and the people named with
// it named and placed alike. The outputs of such an actor are kept, not
// planned again: a save on a large site changes a few of thousands.
func (b *builder) keptActors(people, orgs []*actor) [2][]*actor {
	kept := [2][]*actor{make([]*actor, len(people)), make([]*actor, len(orgs))}
	last, m := b.last, b.model
	if last == nil || last.cast != m.cast {
		return kept
	}
	was := func(k int, a *actor) *actor {
		if int(a.id) < len(last.byID[k]) {
			if p := last.byID[k][a.id]; p != nil && p.url == a.url && p.name == a.name {
				return p
			}
		}
		return nil
	}
	// The people named as before, whom actors' pages show as met; the
	// notes that name the same actors as before, at the same pages, with
	// people named as before.
	same := make([]bool, len(m.byID[0]))
	for id, a := range m.byID[0] {
		same[id] = a != nil && was(0, a) != nil
	}
	sameNote := make([]bool, len(m.notes))
	for i, n := range m.notes {
		if n.same && !n.relinked {
			sameNote[i] = !slices.ContainsFunc(n.people, func(o *actor) bool { return o != nil && !same[o.id] })
		}
	}
	for k, actors := range [2][]*actor{people, orgs} {
		for i, a := range actors {
			p := was(k, a)
			if p != nil && len(p.paths) > 0 && slices.EqualFunc(a.notes, p.notes, func(n, pn *note) bool {
				return sameNote[n.idx] && n.Note == pn.Note
			}) {
				kept[k][i] = p
			}
		}
	}
	return kept
}

// met counts the people named in the same notes as a, the most often
// first, then by name; a itself left out.
func met(a *actor) []templates.Count {
	counts := map[*actor]int{}
	for _, n := range a.notes {
		for i, o := range n.people {
			if o != nil && o != a && !slices.Contains(n.people[:i], o) {
				counts[o]++
			}
		}
	}
	out := make([]templates.Count, 0, len(counts))
	for o, c := range counts {
		out = append(out, templates.Count{Name: o.name.Ru, URL: o.url, Count: c})
	}
	slices.SortFunc(out, func(x, y templates.Count) int {
		return cmp.Or(y.Count-x.Count, cmp.Compare(x.Name, y.Name), cmp.Compare(x.URL, y.URL))
	})
	return out[:min(metShown, len(out))]
}
