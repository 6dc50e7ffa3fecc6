package build

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"io"
	"time"

	"github.com/coopdigest/digest/dataset"
	"github.com/coopdigest/digest/feed"
	"github.com/coopdigest/digest/source"
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
		md.Updated = latestDay(m.notes)
		return md
	}
	title := m.src.Settings.Title
	return []output{
		{path: dataDir + "events.json",
			key: func(h *maphash.Hash) { keyData(h, m.notes) },
			stream: func(w io.Writer) error {
				line := b.dataOf(m.notes, linePart)
				if err := grow(w, len(m.notes), line); err != nil {
					return err
				}
				return dataset.WriteJSONLines(w, meta(title), len(m.notes), line)
			}},
		b.csvFile("/"+dataDir+"events.csv", m.notes),
		{path: dataDir + "taxonomy.json",
			key: func(h *maphash.Hash) {
				for _, tax := range []string{"regions", "sectors", "kinds"} {
					for _, t := range m.terms[tax] {
						maphash.WriteComparable(h, len(t.notes))
					}
				}
				h.WriteString(latestDay(m.notes)) // meta's updated day
			},
			render: func(buf *bytes.Buffer) error {
				return dataset.WriteTaxonomy(buf, meta(title), b.taxonomy())
			}},
	}
}

// latestDay is the latest day, as written, that a note of notes was
// published on (YYYY-MM-DD); "" for none. Not the day of the latest moment
// (latestOf): 17 March at 01:30 +08:00 is before 16 March at 23:30 +03:00.
func latestDay(notes []*note) string {
	var last time.Time
	for _, n := range notes {
		if last.IsZero() || source.CompareDays(n.Published, last) > 0 {
			last = n.Published
		}
	}
	return dataset.Day(last)
}

// csvFile is the output at path (from /) of notes as CSV, one row a note,
// in their order: /data/events.csv of the site, and the events.csv of every
// list beside its page. Pages of lists of other kinds make theirs with it.
func (b *builder) csvFile(path string, notes []*note) output {
	return output{path: path[1:],
		key: func(h *maphash.Hash) {
			h.WriteString("csv")
			keyData(h, notes)
		},
		stream: func(w io.Writer) error {
			row := b.dataOf(notes, rowPart)
			if err := grow(w, len(notes), row); err != nil {
				return err
			}
			return dataset.WriteCSVRows(w, len(notes), row)
		}}
}

// noteData is what the calendars and data files show of a note, by
// dataPart: its calendar event, its CSV row and its line of events.json.
type noteData [3][]byte

// dataPart is one part of a note's data (noteData).
type dataPart int

const (
	eventPart dataPart = iota
	rowPart
	linePart
)

// noteData returns a part of the data of n. A note is in several lists,
// each with its calendar and CSV, and in the site's. A Session makes the
// note's data the first time a file needs a part and keeps it with the
// note, for this build's other files and, while the note stays unchanged,
// for later builds: encoding it anew for every file took most of a
// session's time to rebuild a saved note on a large site. A transient
// build of a large site (keepMarkdown) makes the part asked for at every
// call: every note's data, held from its first file to the end of the
// build, was the largest part of a large build's heap.
func (b *builder) noteData(n *note, part dataPart) ([]byte, error) {
	if d := n.data.Load(); d != nil {
		return d[part], nil
	}
	if !b.keep {
		return b.makeData(n, part)
	}
	var d noteData
	for p := range d {
		var err error
		if d[p], err = b.makeData(n, dataPart(p)); err != nil {
			return nil, err
		}
	}
	// Two files may make it at once: they made the same, keep the first.
	n.data.CompareAndSwap(nil, &d)
	return n.data.Load()[part], nil
}

// makeData encodes a part of the data of n.
func (b *builder) makeData(n *note, part dataPart) ([]byte, error) {
	if part == eventPart {
		e, err := b.entry(n, false)
		if err != nil {
			return nil, err
		}
		var ev bytes.Buffer
		if err := feed.Event(&ev, &e); err != nil {
			return nil, err
		}
		return ev.Bytes(), nil
	}
	rec := b.event(n)
	if part == rowPart {
		return dataset.CSVRow(&rec)
	}
	return dataset.EventJSON(&rec)
}

// dataOf returns the function that gives a part of the data of the i-th
// note of notes, for the writers of calendars and data files.
func (b *builder) dataOf(notes []*note, part dataPart) func(i int) ([]byte, error) {
	return func(i int) ([]byte, error) { return b.noteData(notes[i], part) }
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
	for i, p := range n.People {
		dp := dataset.Person{Name: p.Name, Role: p.Role}
		if a := n.people[i]; a != nil {
			dp.Slug, dp.URL = a.slug, site.URL(a.url)
		}
		e.People = append(e.People, dp)
	}
	for i, o := range n.Organizations {
		do := dataset.Organization{Name: o}
		if a := n.orgs[i]; a != nil {
			do.Slug, do.URL = a.slug, site.URL(a.url)
		}
		e.Organizations = append(e.Organizations, do)
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
func keyData(h *maphash.Hash, notes []*note) {
	// Written a block at a time: the site's files have every note, and
	// these keys are made at every save in watch mode.
	var block [64 * 8]byte
	for len(notes) > 0 {
		k := min(len(notes), len(block)/8)
		for i, n := range notes[:k] {
			binary.LittleEndian.PutUint64(block[i*8:], n.dataKey)
		}
		h.Write(block[:k*8])
		notes = notes[k:]
	}
	h.WriteByte(0)
}

// dataKey is a fingerprint of a note's URL and front matter but its
// picture: all that its open data and its calendar event show.
func dataKey(n *note) uint64 {
	var h maphash.Hash
	h.SetSeed(keySeed)
	str := func(s string) {
		h.WriteString(s)
		h.WriteByte(0)
	}
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
	return h.Sum64()
}

// grow makes room at once in w, when it is a buffer, for a file of n
// parts, part(i) the i-th, and a little more: a Session renders the files
// of a save into buffers before it writes them (renderOutputs), and the
// site's files of every note are megabytes, which a buffer grown as it is
// written copies several times over. A Session's notes hold their data,
// so that asking for every part once more costs little; a full build
// streams such files (output.stream), and w is not a buffer.
func grow(w io.Writer, n int, part func(i int) ([]byte, error)) error {
	buf, ok := w.(*bytes.Buffer)
	if !ok {
		return nil
	}
	size := 4 << 10 // a file's head and end
	for i := range n {
		p, err := part(i)
		if err != nil {
			return err
		}
		size += len(p) + 1
	}
	buf.Grow(size)
	return nil
}
