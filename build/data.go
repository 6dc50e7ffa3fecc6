package build

import (
	"bytes"
	"hash/maphash"

	"github.com/coopdigest/digest/dataset"
)

// dataDir is where the site's open data is published (docs/DATA.md).
const dataDir = "data/"

// data makes the site's open data: /data/events.json and /data/events.csv,
// every published note with every field, and /data/taxonomy.json, every
// taxonomy entry with its count. The JSON files name the site and its
// licence. Their keys are every note, as any change shows in them.
func (b *builder) data() []output {
	m := b.model
	meta := func(title string) dataset.Meta {
		site := m.src.Settings
		md := dataset.Meta{Title: title, Site: site.BaseURL, License: dataset.License(site.License)}
		if n := latestOf(m.notes); n != nil {
			md.Updated = dataset.Day(n.Published)
		}
		return md
	}
	title := m.src.Settings.Title
	return []output{
		{path: dataDir + "events.json",
			key: func(h *maphash.Hash) { b.keyData(h, m.notes) },
			render: func(buf *bytes.Buffer) error {
				return dataset.WriteJSON(buf, meta(title), b.events(m.notes))
			}},
		b.csvFile("/"+dataDir+"events.csv", m.notes),
		{path: dataDir + "taxonomy.json",
			key: func(h *maphash.Hash) {
				for _, tax := range []string{"regions", "sectors", "kinds"} {
					for _, t := range m.terms[tax] {
						maphash.WriteComparable(h, len(t.notes))
					}
				}
				if n := latestOf(m.notes); n != nil { // meta's updated day
					maphash.WriteComparable(h, n.Published)
				}
			},
			render: func(buf *bytes.Buffer) error {
				return dataset.WriteTaxonomy(buf, meta(title), b.taxonomy())
			}},
	}
}

// csvFile is the output at path (from /) of notes as CSV, one row a note,
// in their order: /data/events.csv of the site, and the events.csv of every
// list beside its page. Pages of lists of other kinds make theirs with it.
func (b *builder) csvFile(path string, notes []*note) output {
	return output{path: path[1:],
		key: func(h *maphash.Hash) {
			h.WriteString("csv")
			b.keyData(h, notes)
		},
		render: func(buf *bytes.Buffer) error { return dataset.WriteCSV(buf, b.events(notes)) }}
}

// events are the open-data records of notes.
func (b *builder) events(notes []*note) []dataset.Event {
	out := make([]dataset.Event, len(notes))
	for i, n := range notes {
		out[i] = b.event(n)
	}
	return out
}

// event is the open-data record of a note: every field of its front
// matter, its taxonomy entries with their names and pages, its address.
func (b *builder) event(n *note) dataset.Event {
	m := b.model
	site := m.src.Settings
	term := func(t *term) dataset.Term {
		return dataset.Term{Slug: t.Slug, Country: t.Country, Name: dataset.Names(t.Name), URL: site.URL(t.url)}
	}
	e := dataset.Event{
		URL:       site.URL(n.url),
		Title:     n.Title,
		Date:      dataset.Day(n.Date),
		End:       dataset.Day(n.End),
		Published: dataset.Day(n.Published),
		Places:    n.Places,
		Summary:   n.Summary,
	}
	if k := m.kinds[n.Kind]; k != nil {
		e.Kind = term(k)
	}
	for _, s := range n.Regions {
		e.Regions = append(e.Regions, term(m.regions[s]))
	}
	for _, s := range n.Sectors {
		e.Sectors = append(e.Sectors, term(m.sectors[s]))
	}
	for _, p := range n.People {
		e.People = append(e.People, dataset.Person{Name: p.Name, Role: p.Role})
	}
	for _, o := range n.Organizations {
		e.Organizations = append(e.Organizations, dataset.Organization{Name: o})
	}
	for _, s := range n.Sources {
		e.Sources = append(e.Sources, dataset.Source(s))
	}
	return e
}

// taxonomy is every taxonomy entry of the site with its published events.
func (b *builder) taxonomy() dataset.Taxonomy {
	m := b.model
	site := m.src.Settings
	tax := dataset.Taxonomy{}
	for _, name := range []string{"regions", "sectors", "kinds"} {
		entries := make([]dataset.Entry, 0, len(m.terms[name]))
		for _, t := range m.terms[name] {
			entries = append(entries, dataset.Entry{Slug: t.Slug, Country: t.Country, Group: t.Group,
				Name: dataset.Names(t.Name), Aliases: t.Aliases, URL: site.URL(t.url), Events: len(t.notes)})
		}
		tax[name] = entries
	}
	return tax
}

// keyData adds to a fingerprint what the calendars and the data files show
// of notes: all but their text, which would make a note's every list's
// files be rendered again when only its text changed.
func (b *builder) keyData(h *maphash.Hash, notes []*note) {
	for _, n := range notes {
		maphash.WriteComparable(h, b.dataKey(n))
	}
	h.WriteByte(0)
}

// dataKey is a fingerprint of a note's URL and front matter but its
// picture: all that its open data and its calendar events show. The keys of
// all notes are made at once, the first time one is asked for, as each
// note is in several lists.
func (b *builder) dataKey(n *note) uint64 {
	b.fronts.once.Do(func() {
		notes := b.model.notes
		b.fronts.keys = make([]uint64, len(notes))
		var h maphash.Hash
		h.SetSeed(keySeed)
		str := func(s string) {
			h.WriteString(s)
			h.WriteByte(0)
		}
		for i, n := range notes {
			h.Reset()
			for _, s := range []string{n.url, n.Title, n.Kind, n.Summary} {
				str(s)
			}
			maphash.WriteComparable(&h, n.Date)
			maphash.WriteComparable(&h, n.End)
			maphash.WriteComparable(&h, n.Published)
			for _, list := range [][]string{n.Regions, n.Sectors, n.Organizations, n.Places} {
				for _, s := range list {
					str(s)
				}
				h.WriteByte(1)
			}
			for _, p := range n.People {
				str(p.Name)
				str(p.Role)
			}
			h.WriteByte(1)
			for _, s := range n.Sources {
				str(s.URL)
				str(s.Publisher)
			}
			b.fronts.keys[i] = h.Sum64()
		}
	})
	return b.fronts.keys[n.idx]
}
