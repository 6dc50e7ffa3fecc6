package search

import (
	"time"

	"github.com/coopdigest/digest/source"
)

// Document is what the index holds of one published note. Field tags are
// the index's field names.
type Document struct {
	// ID is the note's URL, /2025/slug/: the document's ID, and a field.
	ID string `json:"url"`

	Title   string   `json:"title"`
	Summary string   `json:"summary,omitempty"`
	Body    string   `json:"body,omitempty"`   // plain text
	People  []string `json:"people,omitempty"` // "name, role"
	Orgs    []string `json:"orgs,omitempty"`
	Places  []string `json:"places,omitempty"`
	// Names are every name, in Russian, English and Chinese, and every alias
	// of the note's kind, regions and sectors, so that a reader's
	// «Guangdong», «广东» or «провинция Гуандун» finds the note.
	Names []string `json:"names,omitempty"`

	Kind    string   `json:"kind"`              // slug
	Regions []string `json:"regions"`           // slugs
	Sectors []string `json:"sectors,omitempty"` // slugs
	Day     string   `json:"day"`               // YYYY-MM-DD, the start as written
	End     string   `json:"end,omitempty"`     // YYYY-MM-DD, or empty for a one-day event
}

// FromNote makes the document of a note. text is the body as plain text
// (the build renders Markdown and strips the tags); tax supplies the names
// of the note's kind, regions and sectors.
func FromNote(n *source.Note, text string, tax *source.Taxonomies) Document {
	d := Document{
		ID:      n.URL(),
		Title:   n.Title,
		Summary: n.Summary,
		Body:    text,
		Orgs:    n.Organizations,
		Places:  n.Places,
		Kind:    n.Kind,
		Regions: n.Regions,
		Sectors: n.Sectors,
		Day:     n.Date.Format(time.DateOnly),
	}
	if !n.End.IsZero() {
		d.End = n.End.Format(time.DateOnly)
	}
	for _, p := range n.People {
		s := p.Name
		if p.Role != "" {
			s += ", " + p.Role
		}
		d.People = append(d.People, s)
	}
	if tax != nil {
		d.Names = appendNames(d.Names, tax.Kinds, n.Kind)
		for _, slug := range n.Regions {
			d.Names = appendNames(d.Names, tax.Regions, slug)
		}
		for _, slug := range n.Sectors {
			d.Names = appendNames(d.Names, tax.Sectors, slug)
		}
	}
	return d
}

// appendNames appends the names and aliases of the term with the slug.
func appendNames(names []string, tax *source.Taxonomy, slug string) []string {
	t := tax.Get(slug)
	if t == nil {
		return names
	}
	for _, s := range []string{t.Name.Ru, t.Name.En, t.Name.Zh} {
		if s != "" {
			names = append(names, s)
		}
	}
	return append(names, t.Aliases...)
}
