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

	"github.com/coopdigest/digest/source"
	"github.com/coopdigest/digest/templates"
)

// People and organizations: the actors notes name. Each has a page,
// /people/<slug>/ or /organizations/<slug>/, with every event they took
// part in (a person's role at each), the regions and sectors of those
// events, and who they met most often, and an index page of them all.
//
// Names are matched as editors write them, in any letter case and with ё
// and е alike (source.Fold); an entry of the registry (people.yaml,
// organizations.yaml) merges its names and aliases into one actor, with its
// slug and its names in three languages. An unregistered actor is named by
// its most frequent spelling and slugged by its transliteration; two
// actors whose slugs clash are told apart by a short hash of the name, the
// registered one or else the first by name keeping the plain slug, so that
// slugs stay as they were when other notes change.

// actor is a person or an organization that published notes name.
type actor struct {
	kind  string       // "people" or "organizations"
	key   string       // "r:" and the registry slug, or "n:" and the folded name
	entry *source.Term // its registry entry, nil when it has none
	name  source.Names
	slug  string
	url   string
	notes []*note  // the model's order: newest first
	roles []string // roles[i] is the role at notes[i]; people only
}

// actorLabels are, by kind, the index page's heading, what one is, what
// the people an actor met are called, and the Russian for the kind.
var actorLabels = map[string][4]string{
	"people":        {"Участники", "Участник", "Чаще всего встречался с", "Участники событий"},
	"organizations": {"Организации", "Организация", "Чаще всего на их событиях", "Организации"},
}

// actors returns the actors of kind that the model's notes name, with their
// slugs, by slug.
func (m *model) actors(kind string) []*actor {
	reg := m.src.People
	if kind == "organizations" {
		reg = m.src.Organizations
	}
	byKey := map[string]*actor{}
	spellings := map[string]map[string]int{}
	order := map[string][]string{} // each key's spellings, the newest note's first
	var all []*actor
	for _, n := range m.notes {
		seen := map[string]bool{}
		add := func(name, role string) {
			key := "n:" + source.Fold(name)
			entry := reg.Lookup(name)
			if entry != nil {
				key = "r:" + entry.Slug
			}
			if key == "n:" || seen[key] {
				return
			}
			seen[key] = true
			a := byKey[key]
			if a == nil {
				a = &actor{kind: kind, key: key, entry: entry}
				if entry != nil {
					a.name = entry.Name
				}
				byKey[key] = a
				spellings[key] = map[string]int{}
				all = append(all, a)
			}
			a.notes = append(a.notes, n)
			if kind == "people" {
				a.roles = append(a.roles, role)
			}
			if spellings[key][name] == 0 {
				order[key] = append(order[key], name)
			}
			spellings[key][name]++
		}
		if kind == "people" {
			for _, p := range n.People {
				add(p.Name, p.Role)
			}
		} else {
			for _, o := range n.Organizations {
				add(o, "")
			}
		}
	}
	for _, a := range all {
		if a.entry == nil {
			a.name = source.Names{Ru: spelling(spellings[a.key], order[a.key])}
		}
	}
	// Slugs: registered actors first, then by key, each clash told apart.
	unregistered := func(a *actor) bool { return a.entry == nil }
	slices.SortFunc(all, func(a, b *actor) int {
		if ua, ub := unregistered(a), unregistered(b); ua != ub {
			if ua {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.key, b.key)
	})
	taken := map[string]bool{}
	for _, a := range all {
		slug := ""
		if a.entry != nil {
			slug = a.entry.Slug
		} else {
			// From the folded name, not the spelling shown, which may
			// change with the notes: «Воробьёв» and «ВОРОБЬЕВ» are one slug.
			slug = source.TitleSlug(strings.TrimPrefix(a.key, "n:"))
		}
		if slug == "" || taken[slug] {
			h := fnv.New32a()
			h.Write([]byte(a.key))
			slug = cmp.Or(slug, actorLabelSlug[kind]) + "-" + fmt.Sprintf("%08x", h.Sum32())[:6]
		}
		taken[slug] = true
		a.slug, a.url = slug, "/"+kind+"/"+slug+"/"
	}
	slices.SortFunc(all, func(a, b *actor) int { return cmp.Compare(a.slug, b.slug) })
	return all
}

// spelling chooses the name an unregistered actor goes by: the spelling
// notes use most; of those as frequent, one in mixed case (not «ИВАН
// ПЕТРОВ»), then the newest note's. order lists counts' keys, the newest
// note's first.
func spelling(counts map[string]int, order []string) string {
	mixed := func(s string) bool { return strings.ToUpper(s) != s && strings.ToLower(s) != s }
	best := order[0]
	for _, s := range order[1:] {
		if c, b := counts[s], counts[best]; c > b || c == b && mixed(s) && !mixed(best) {
			best = s
		}
	}
	return best
}

// linkActors gives each note's open data the pages of its people and
// organizations: a note's data, kept from build to build while the note is
// unchanged, is made again, and its key changes, when they move (a slug
// that another note's new name now clashes with).
func (b *builder) linkActors() {
	var buf []byte
	for _, n := range b.model.notes {
		buf = buf[:0]
		for _, p := range n.People {
			if a := b.personOf(p.Name); a != nil {
				buf = append(append(buf, a.url...), 0)
			}
		}
		for _, o := range n.Organizations {
			if a := b.orgOf(o); a != nil {
				buf = append(append(buf, a.url...), 0)
			}
		}
		if string(buf) != n.actorURLs {
			n.actorURLs = string(buf)
			n.data.Store(nil)
			n.dataKey = maphash.String(keySeed, strconv.FormatUint(dataKey(n), 16)+"\x00"+n.actorURLs)
		}
	}
}

// actorLabelSlug begins the slug of an actor whose name has no letter a
// slug can take.
var actorLabelSlug = map[string]string{"people": "person", "organizations": "organization"}

// actorsByName indexes actors by every name notes give them, folded, for
// the links of a note's page.
func actorsByName(actors []*actor, reg *source.Taxonomy) func(name string) *actor {
	byKey := make(map[string]*actor, len(actors))
	for _, a := range actors {
		byKey[a.key] = a
	}
	return func(name string) *actor {
		if t := reg.Lookup(name); t != nil {
			return byKey["r:"+t.Slug]
		}
		return byKey["n:"+source.Fold(name)]
	}
}

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

// actorPages adds the pages of the actors of kind and their index.
func (b *builder) actorPages(kind string, actors []*actor, people func(string) *actor, page func(path, tmpl string, key func(*maphash.Hash), mk func() *templates.Page)) []output {
	m := b.model
	labels := actorLabels[kind]
	counts := make([]templates.Count, len(actors))
	for i, a := range actors {
		counts[i] = templates.Count{Name: a.name.Ru, URL: a.url, Count: len(a.notes)}
	}
	slices.SortStableFunc(counts, func(x, y templates.Count) int {
		return cmp.Or(y.Count-x.Count, cmp.Compare(x.Name, y.Name))
	})
	page("/"+kind+"/", "terms.html", func(h *maphash.Hash) { keyCounts(h, counts) }, func() *templates.Page {
		return &templates.Page{Title: labels[0], Description: labels[3] + ": " + strconv.Itoa(len(actors)) + ".", Data: termsPage{Heading: labels[0], Terms: counts}}
	})
	var outs []output
	for _, a := range actors {
		met := b.met(a, people)
		regions := countTerms(a.notes, regionsOf, m.regions, "", termURL, nil)
		sectors := countTerms(a.notes, sectorsOf, m.sectors, "", termURL, nil)
		bars := b.yearBarsOf(a.notes, url.Values{"q": {`"` + a.name.Ru + `"`}})
		l := list{base: a.url, title: a.name.Ru + " — " + m.src.Settings.Title, notes: a.notes, brief: true}
		outs = append(outs, b.listFiles(l)...)
		paginate(a.url, a.notes, m.src.Settings.PerPage, func(path string, its []*note, p templates.Pager) {
			from := (p.Number - 1) * m.src.Settings.PerPage
			page(path, "actor.html", func(h *maphash.Hash) {
				h.WriteString(a.name.Ru + "\x00" + a.name.En + "\x00" + a.name.Zh)
				keyItems(h, its)
				keyPager(h, p)
				for _, r := range a.roles[min(from, len(a.roles)):min(from+len(its), len(a.roles))] {
					h.WriteString(r)
					h.WriteByte(0)
				}
				maphash.WriteComparable(h, len(a.notes))
				if p.Number == 1 {
					keyCounts(h, regions)
					keyCounts(h, sectors)
					keyCounts(h, met)
					keyBars(h, bars)
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
					Description: labels[1] + ": " + a.name.Ru + ". " + templates.Plural(len(a.notes), "Событие", "События", "Событий") + ": " + strconv.Itoa(len(a.notes)) + ".",
					Data:        d}
				if p.Number == 1 {
					d.Regions, d.Sectors, d.Met = regions, sectors, met
					pg.Data = d
					pg.Chart = yearChart(bars)
				}
				return subscribe(pg, l)
			})
		})
	}
	return outs
}

// met counts the people named in the same notes as a, the most often
// first, then by name; a itself left out.
func (b *builder) met(a *actor, people func(string) *actor) []templates.Count {
	counts := map[*actor]int{}
	for _, n := range a.notes {
		seen := map[*actor]bool{}
		for _, p := range n.People {
			if o := people(p.Name); o != nil && o != a && !seen[o] {
				seen[o] = true
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
