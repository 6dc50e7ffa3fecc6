package source

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/adrg/frontmatter"
	"github.com/coopdigest/digest/russian"
	"github.com/gosimple/slug"
	"golang.org/x/text/unicode/norm"
)

// Person is someone a note names, with the role they had, if given.
type Person struct {
	Name string `json:"name"`
	Role string `json:"role,omitempty"`
}

// Link is a source a note was written from.
type Link struct {
	URL       string `json:"url"`
	Publisher string `json:"publisher,omitempty"`
}

// Note is one event note, its references resolved to taxonomy slugs.
type Note struct {
	// File is the note's path relative to the site folder, slash-separated:
	// content/2025/khabarovsk-delegation-beijing.md.
	File string

	Title         string
	Date          time.Time // the start, in the zone it was written in
	End           time.Time // zero when the event took one day
	Kind          string    // slug
	Regions       []string  // slugs, in the order written, without repeats
	Sectors       []string  // slugs
	People        []Person
	Organizations []string
	// PeoplePos and OrgPos are where each of People and Organizations is
	// named first, for messages about them.
	PeoplePos, OrgPos []Pos
	Places            []string
	Sources           []Link
	Summary           string
	Slug              string
	Draft             bool
	// Published is when the note was published, for feeds: its published
	// field, or its date.
	Published    time.Time
	PublishedPos Pos // where Published is given: its field's value, or date's
	// publishedOnDate is whether the note has no published field, and so
	// counts as published on its date.
	publishedOnDate bool
	// mixed are words of the note that mix letters of two scripts, and
	// moreMixed how many more there are (see mixedIn).
	mixed     []mixedWord
	moreMixed int

	// Image is the note's picture as written: a path relative to the
	// note's folder, or from / a path on the site (a file of
	// content/static/). ImageAlt says what it shows; ImagePos is where
	// Image is written. ImageFile is the file it names, relative to the
	// site folder, once found among the site's files (Site.Files).
	Image, ImageAlt string
	ImagePos        Pos
	ImageFile       string

	// Body is the Markdown after the front matter, UTF-8; BodyLine is the
	// file line it starts on. A note loaded without its body
	// (LoadDirWithoutBodies) has none: ReadBody reads it again.
	Body     []byte
	BodyLine int
	// bodyStart is where the body starts in the file, after a byte-order
	// mark; bodiless says that Body was let go after parsing.
	bodyStart int
	bodiless  bool

	// URLPos is where the note's URL comes from: its slug, or without one
	// its date (the URL is /<year>/<slug>/, the slug the file name's then).
	URLPos Pos

	url string // URL(), once the note is parsed

	// Size is the length of the note's file in bytes.
	Size int

	// Version changes whenever the file's bytes or its path do: a note
	// renamed or moved may have another URL and resolve its pictures from
	// another folder. It is a hash with a seed of this process: compare
	// versions within one run only.
	Version uint64
}

// versionSeed seeds Note.Version.
var versionSeed = maphash.MakeSeed()

// noteVersion is the Version of the note in file with the bytes data.
func noteVersion(file string, data []byte) uint64 {
	var h maphash.Hash
	h.SetSeed(versionSeed)
	h.WriteString(file)
	h.WriteByte(0)
	h.Write(data)
	return h.Sum64()
}

// ErrChanged means that a note's file is no longer what it was when the
// note was parsed: ReadBody would give the body of another version of the
// note than its fields are from.
var ErrChanged = errors.New("the note changed while the site was built")

// ReadBody returns the note's Markdown: Body, or, for a note loaded without
// it, the body as the note's file in fsys (rooted at the site folder) holds
// it, read again within limit bytes (Limits.Note). The file must be as it
// was when the note was parsed, its Version the same: a build shows one
// version of a note in all it writes. When it is not, or cannot be read,
// the error is a *FileError that names it and wraps ErrChanged.
func (n *Note) ReadBody(fsys fs.FS, limit int64) ([]byte, error) {
	if !n.bodiless {
		return n.Body, nil
	}
	data, err := ReadFile(fsys, n.File, limit)
	if err != nil {
		return nil, &FileError{File: n.File, Err: fmt.Errorf("%w (%s): build again", ErrChanged, noteReadProblem(err))}
	}
	data = bytes.TrimPrefix(data, bom)
	if noteVersion(n.File, data) != n.Version || n.bodyStart > len(data) {
		return nil, &FileError{File: n.File, Err: fmt.Errorf("%w: build again", ErrChanged)}
	}
	return data[n.bodyStart:], nil
}

// dropBody lets the note's body go: ReadBody reads it again.
func (n *Note) dropBody() {
	n.Body, n.bodiless = nil, true
}

// Pos is a place in a source file; Line and Col count from 1.
type Pos struct {
	Line, Col int
}

// Year is the calendar year of the event's start, as written.
func (n *Note) Year() int { return n.Date.Year() }

// URL is the note's path on the site: /<year>/<slug>/.
func (n *Note) URL() string {
	if n.url == "" {
		return "/" + strconv.Itoa(n.Year()) + "/" + n.Slug + "/"
	}
	return n.url
}

// HasRegion reports whether the note names the region with the given slug.
func (n *Note) HasRegion(slug string) bool { return contains(n.Regions, slug) }

// HasSector reports whether the note names the sector with the given slug.
func (n *Note) HasSector(slug string) bool { return contains(n.Sectors, slug) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// MaxPartnerships is the most partnerships, pairs of a Russian and a
// Chinese region, that the regions of one note may make: each is a page
// with its feed, calendar and list, which list the note with all its
// regions, so that a note of every region made thousands of pages of
// hundreds of megabytes. A delegation of twenty regions to twenty
// provinces makes 400.
const MaxPartnerships = 400

// countries counts the Russian and the Chinese regions among slugs.
func countries(slugs []string, regions *Taxonomy) (ru, cn int) {
	for _, s := range slugs {
		if t := regions.Get(s); t != nil {
			switch t.Country {
			case "RU":
				ru++
			case "CN":
				cn++
			}
		}
	}
	return ru, cn
}

// MaxListed is the most entries a list of a note's front matter may have
// (people, organizations, places, regions, sectors, sources): far more
// than any note names.
const MaxListed = 200

// Fields lists the front-matter fields a note may have, in the contract's order.
var Fields = []string{"title", "date", "end", "published", "kind", "regions", "sectors", "people", "organizations", "places", "sources", "summary", "image", "image_alt", "slug", "draft"}

var requiredFields = []string{"title", "date", "kind", "regions"}

// raw carries the front-matter block out of frontmatter.Parse so that the
// decoding, strict and with positions, stays ours.
type raw struct {
	data   []byte
	format string
}

var formats = []*frontmatter.Format{
	frontmatter.NewFormat("---", "---", func(b []byte, v any) error {
		*v.(*raw) = raw{data: bytes.Clone(b), format: "yaml"}
		return nil
	}),
	frontmatter.NewFormat("+++", "+++", func(b []byte, v any) error {
		*v.(*raw) = raw{data: bytes.Clone(b), format: "toml"}
		return nil
	}),
}

var bom = []byte("\xef\xbb\xbf")

// ParseNote reads one note under src's limits, resolving its names
// against src's taxonomies. file is its path relative to the site folder,
// used in errors and to derive the default slug. Every problem of the note
// is reported, each with its line and column.
func ParseNote(file string, data []byte, src *Site) (*Note, error) {
	n, err := parseNote(file, data, src)
	if err != nil {
		return nil, err
	}
	return n, nil
}

// parseNote is ParseNote, except that a note with problems is returned
// with them when its URL can be told, so that ParseNotes can find notes
// with one URL among notes with other problems.
func parseNote(file string, data []byte, src *Site) (*Note, error) {
	var p problems
	if limit := src.Settings.Limits.Note; int64(len(data)) > limit {
		se := &sizeError{size: int64(len(data)), limit: limit}
		p.add(file, 0, 0, "%s", se.describe("a note", "limits.note"))
		return nil, p.err()
	}
	data = bytes.TrimPrefix(data, bom)
	fm, ok := readFrontMatter(&p, file, data, src)
	if !ok {
		return nil, p.err()
	}
	n := &Note{File: file, Body: fm.body, BodyLine: 1 + bytes.Count(data[:fm.bodyStart], []byte("\n")),
		bodyStart: fm.bodyStart, Size: len(data), Version: noteVersion(file, data)}
	slugOK := true
	for _, f := range fm.root.fields {
		if f.val.kind == listValue && len(f.val.list) > MaxListed {
			// Each person, organization or region has a page that shows
			// the note with its lists: a list without end would cost
			// its square in pages.
			p.add(file, f.val.line, f.val.col, "%s: %d entries, more than the %d a note may list", f.key, len(f.val.list), MaxListed)
			continue
		}
		if !n.readField(&p, file, f, &src.Taxonomies) {
			slugOK = false
		}
	}
	n.checkFields(&p, file, fm.root, fm.openLine)
	if !n.setSlug(&p, file, fm.root, fm.openLine) {
		slugOK = false
	}
	n.url = n.URL()
	n.mixed, n.moreMixed = mixedIn(data)
	if err := p.err(); err != nil {
		if slugOK && !n.Date.IsZero() {
			return n, err
		}
		return nil, err
	}
	return n, nil
}

// noteHead is a note's front matter read: its fields, and where it
// starts and the body starts.
type noteHead struct {
	root      *value // a mapValue
	body      []byte
	bodyStart int // the body's offset in the note
	openLine  int // the line of the opening delimiter
}

// readFrontMatter finds a note's front matter, in YAML or TOML, and reads
// it into values; it reports false, with the problems in p, when there is
// no mapping of fields to read.
func readFrontMatter(p *problems, file string, data []byte, src *Site) (noteHead, bool) {
	// The opening delimiter is the first non-blank line, as frontmatter finds it.
	openLine, opener := 0, ""
	for rest, line := data, 1; len(rest) > 0; line++ {
		first, after, _ := bytes.Cut(rest, []byte("\n"))
		if t := bytes.TrimSpace(first); len(t) > 0 {
			openLine, opener = line, string(t)
			break
		}
		rest = after
	}
	if opener != "---" && opener != "+++" {
		validUTF8(p, file, data)
		p.add(file, max(openLine, 1), 1, "no front matter: a note starts with a --- line (YAML) or a +++ line (TOML)")
		return noteHead{}, false
	}
	// frontmatter copies what it reads, the body too, which is the most of a
	// note: it gets the front matter alone, and the body is taken from data,
	// when it finds there what frontMatterBounds found.
	var fm raw
	head := data
	if _, _, end := frontMatterBounds(data); end > 0 {
		head = data[:end]
	}
	body, err := frontmatter.Parse(bytes.NewReader(head), &fm, formats...)
	switch {
	case err != nil || len(head) == len(data):
	case len(body) == 0 && fm.format != "":
		body = data[len(head):]
	default:
		fm = raw{}
		body, err = frontmatter.Parse(bytes.NewReader(data), &fm, formats...)
	}
	if err != nil {
		p.add(file, openLine, 1, "front matter: %v", err)
		return noteHead{}, false
	}
	if fm.format == "" {
		validUTF8(p, file, data)
		p.add(file, openLine, 1, "front matter is not closed: add a %s line after the last field", opener)
		return noteHead{}, false
	}
	if limit := src.Settings.Limits.FrontMatter; int64(len(fm.data)) > limit {
		se := &sizeError{size: int64(len(fm.data)), limit: limit}
		p.add(file, openLine, 1, "front matter: %s", se.describe("front matter", "limits.front_matter"))
		return noteHead{}, false
	}
	// Bytes that are not UTF-8 are reported where they are; in the body
	// they leave the front matter to be checked.
	bodyStart := len(data) - len(body)
	if !validUTF8(p, file, data) && !utf8.Valid(data[:bodyStart]) {
		return noteHead{}, false
	}
	if i := controlByte(body); i >= 0 {
		r, _ := utf8.DecodeRune(body[i:])
		line, col := lineCol(data, bodyStart+i)
		p.list = append(p.list, &FileError{File: file, Line: line, Col: col, Err: controlProblem(r, "text")})
	} else if i, n, r := controlReference(body); i >= 0 {
		line, col := lineCol(data, bodyStart+i)
		p.list = append(p.list, &FileError{File: file, Line: line, Col: col, Err: controlProblem(r, "text (written "+string(body[i:i+n])+")")})
	}

	// A name written in decomposed letters (й as и and a breve, as macOS
	// and copies from PDF give them) is the registry's name: the front
	// matter is read composed (NFC), which keeps its lines.
	if !norm.NFC.IsNormal(fm.data) {
		fm.data = norm.NFC.Bytes(fm.data)
	}
	var root *value
	if fm.format == "toml" {
		root = parseTOML(p, file, fm.data, openLine)
	} else {
		root = parseYAML(p, file, fm.data, openLine)
	}
	if root == nil {
		return noteHead{}, false
	}
	if root.kind != mapValue {
		p.add(file, openLine+1, 1, "front matter is a mapping of fields (title: …), not %s", root.kind)
		return noteHead{}, false
	}
	return noteHead{root: root, body: body, bodyStart: bodyStart, openLine: openLine}, true
}

// LongestTitle and LongestSummary are the most characters a note's title
// and summary may have. The pages, feeds and lists of each of the note's
// partnerships, people and organizations, thousands of files for a note of
// long lists, write them out: a note of a 20,000-character title made
// 235 MB. A headline and a paragraph are far within them.
const (
	LongestTitle   = 500
	LongestSummary = 2000
)

// readField sets what the front-matter field f says, and reports false
// when f is a slug that makes no URL.
func (n *Note) readField(p *problems, file string, f field, tax *Taxonomies) (slugOK bool) {
	slugOK = true
	switch f.key {
	case "title":
		n.Title = scalar(p, file, f)
		if n.Title == "" && f.val.kind != listValue && f.val.kind != mapValue { // scalar said what it is
			p.add(file, f.val.line, f.val.col, "title is empty")
		}
		if c := utf8.RuneCountInString(n.Title); c > LongestTitle {
			p.add(file, f.val.line, f.val.col, "title is %d characters long, more than %d: every page, feed and list of the note's regions, people and organizations writes it out; keep it to a headline and say the rest in summary", c, LongestTitle)
		}
	case "date":
		n.Date = parseDate(p, file, f)
		n.URLPos = Pos{f.val.line, f.val.col}
	case "end":
		n.End = parseDate(p, file, f)
	case "published":
		n.Published = parseDate(p, file, f)
		n.PublishedPos = Pos{f.val.line, f.val.col}
	case "image":
		n.Image = strings.TrimSpace(scalar(p, file, f))
		n.ImagePos = Pos{f.val.line, f.val.col}
		switch {
		case n.Image == "":
			if f.val.kind == nullValue || f.val.kind == scalarValue {
				p.add(file, f.val.line, f.val.col, "image is empty: name a picture beside the note (photo.jpg) or remove the field")
			}
		case !Local(n.Image):
			p.add(file, f.val.line, f.val.col, "image %s: name a file of the site, beside the note (photo.jpg) or in %s/ (/img/photo.jpg), not an address: pages show only the site's own pictures", q(n.Image), StaticDir)
			n.Image = ""
		case !imageExt(n.Image, ImageExts...):
			p.add(file, f.val.line, f.val.col, "image %s: not a picture; use %s", q(n.Image), strings.Join(ImageExts, ", "))
			n.Image = ""
		}
	case "image_alt":
		n.ImageAlt = strings.TrimSpace(scalar(p, file, f))
	case "kind":
		if s := scalar(p, file, f); s != "" {
			n.Kind = resolve(p, file, f.val, tax.Kinds, nil, s)
		} else if f.val.kind != listValue && f.val.kind != mapValue {
			p.add(file, f.val.line, f.val.col, "kind is empty")
		}
	case "regions":
		n.Regions = resolveList(p, file, f, tax.Regions, tax.Places)
		if f.val.kind == nullValue || (f.val.kind == listValue && len(f.val.list) == 0) || (f.val.kind == scalarValue && strings.TrimSpace(f.val.str) == "") {
			p.add(file, f.val.line, f.val.col, "regions is empty: name at least one region")
		}
		if ru, cn := countries(n.Regions, tax.Regions); ru*cn > MaxPartnerships {
			p.add(file, f.val.line, f.val.col, "regions: %d Russian and %d Chinese regions make %d partnerships, more than the %d a note may (each is a page with its feeds); name the regions that took part",
				ru, cn, ru*cn, MaxPartnerships)
		}
	case "sectors":
		n.Sectors = resolveList(p, file, f, tax.Sectors, nil)
	case "people":
		n.People, n.PeoplePos = parsePeople(p, file, f, tax.People)
	case "organizations":
		n.Organizations, n.OrgPos = parseOrganizations(p, file, f, tax.Organizations)
	case "places":
		n.Places = stringList(p, file, f)
	case "sources":
		n.Sources = parseSources(p, file, f)
	case "summary":
		n.Summary = scalar(p, file, f)
		if c := utf8.RuneCountInString(n.Summary); c > LongestSummary {
			p.add(file, f.val.line, f.val.col, "summary is %d characters long, more than %d: the lists and feeds of the note's regions, people and organizations write it out; say the rest in the text", c, LongestSummary)
		}
	case "slug":
		n.Slug = scalar(p, file, f)
		switch {
		case len(n.Slug) > LongestSlug:
			p.add(file, f.val.line, f.val.col, "slug %s: longer than %d characters; use a shorter one", q(n.Slug), LongestSlug)
			slugOK = false
		case !ValidSlug(n.Slug) && suggestSlug(n.Slug) == "":
			p.add(file, f.val.line, f.val.col, "slug %s: use lower-case Latin letters, digits and hyphens", q(n.Slug))
			slugOK = false
		case !ValidSlug(n.Slug):
			p.add(file, f.val.line, f.val.col, "slug %s: use lower-case Latin letters, digits and hyphens, e.g. %s", q(n.Slug), q(suggestSlug(n.Slug)))
			slugOK = false
		}
	case "draft":
		switch s := scalar(p, file, f); s {
		case "true":
			n.Draft = true
		case "false":
		case "":
			// Left blank, it may have meant either: a draft published
			// by a slip is the worse.
			p.add(file, f.val.line, f.val.col, "draft is empty: write true, or false to publish the note")
		default:
			p.add(file, f.val.line, f.val.col, "draft %s: must be true or false", q(s))
		}
	default:
		msg := "unknown field " + q(f.key)
		if near := nearest(f.key, Fields); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		} else {
			msg += " (known: " + strings.Join(Fields, ", ") + ")"
		}
		p.add(file, f.line, f.col, "%s", msg)
	}
	return slugOK
}

// checkFields reports what the fields say together: a required field
// missing, an end before the date, a picture without its description; and
// sets published to the date when the note gives neither.
func (n *Note) checkFields(p *problems, file string, root *value, openLine int) {
	seen := map[string]bool{}
	for _, f := range root.fields {
		seen[f.key] = true
	}
	for _, req := range requiredFields {
		if !seen[req] {
			p.add(file, openLine, 1, "missing required field %q", req)
		}
	}
	// Pages count days as written, each in its own zone: an end on an
	// earlier day is before the date even when it is a later instant, and
	// an end on the same day is not, even when it is an earlier instant.
	if !n.End.IsZero() && !n.Date.IsZero() && calendarDay(n.End).Before(calendarDay(n.Date)) {
		f := root.get("end")
		p.add(file, f.val.line, f.val.col, "end %s is before date %s", day(n.End), day(n.Date))
	}
	if f := root.get("date"); n.Published.IsZero() && root.get("published") == nil && f != nil {
		n.Published, n.PublishedPos, n.publishedOnDate = n.Date, Pos{f.val.line, f.val.col}, true
	}
	if f := root.get("image"); f != nil && n.ImageAlt == "" && n.Image != "" {
		p.add(file, f.val.line, f.val.col, "image needs image_alt: a few words that say what the picture shows, for readers who cannot see it")
	}
	if f := root.get("image_alt"); f != nil && root.get("image") == nil {
		p.add(file, f.line, f.col, "image_alt without image: it describes the picture that image names")
	}
}

// setSlug sets where the note's URL comes from: its slug field, or, when it
// gives none, its file's name, which it reports false for when that makes
// no slug.
func (n *Note) setSlug(p *problems, file string, root *value, openLine int) bool {
	if f := root.get("slug"); f != nil && n.Slug != "" {
		n.URLPos = Pos{f.val.line, f.val.col}
		return true
	}
	base := strings.TrimSuffix(path.Base(file), ".md")
	n.Slug = base
	switch {
	case len(base) > LongestSlug:
		p.add(file, openLine, 1, "file name %s is longer than %d characters: rename the file or add a shorter slug", q(base), LongestSlug)
		return false
	case !ValidSlug(base) && suggestSlug(base) == "":
		// Nothing of the name makes a slug («-», «№»): none to offer.
		p.add(file, openLine, 1, "file name %s is not a valid slug: rename the file with Latin letters, digits and hyphens, or add a slug:", q(base))
		return false
	case !ValidSlug(base):
		p.add(file, openLine, 1, "file name %s is not a valid slug: rename the file or add slug: %s", q(base), suggestSlug(base))
		return false
	}
	return true
}

// suggestSlug makes a slug from s for a hint, from its first characters
// only: a hint need not be whole, and s may be long.
func suggestSlug(s string) string {
	return slug.Make(cut(s))
}

func day(t time.Time) string { return t.Format("2006-01-02") }

// FirstYear and LastYear bound the years of a note's dates.
const (
	FirstYear = 1900
	LastYear  = 2200
)

// YearInRange reports whether a note's date may be of the year y.
func YearInRange(y int) bool { return y >= FirstYear && y <= LastYear }

// parseDate reads YYYY-MM-DD or RFC 3339. A date-only value is midnight UTC.
func parseDate(p *problems, file string, f field) time.Time {
	s := scalar(p, file, f)
	if s == "" {
		if f.val.kind == nullValue || f.val.kind == scalarValue {
			p.add(file, f.val.line, f.val.col, "%s is empty: use YYYY-MM-DD", f.key)
		}
		return time.Time{}
	}
	layout := time.DateOnly
	if len(s) > len(time.DateOnly) {
		layout = time.RFC3339
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		var pe *time.ParseError
		if errors.As(err, &pe) && strings.Contains(pe.Message, "out of range") {
			p.add(file, f.val.line, f.val.col, "%s %s: %s", f.key, q(s), strings.TrimPrefix(pe.Message, ": "))
		} else {
			p.add(file, f.val.line, f.val.col, "%s %s: use YYYY-MM-DD or RFC 3339 (2025-03-17T10:00:00+03:00)", f.key, q(s))
		}
		return time.Time{}
	}
	if !YearInRange(t.Year()) {
		p.add(file, f.val.line, f.val.col, "%s %s: year out of range (%d to %d)", f.key, q(s), FirstYear, LastYear)
		return time.Time{}
	}
	return t
}

// A note's first hintedNames unknown names get a "did you mean" hint: hints
// are for slips of the pen, and each costs a look at every name of the
// taxonomy, which a note of ten thousand unknown names must not cost.
const hintedNames = 20

// resolve turns a name into the slug of its entry, or reports it; when
// places is given, tax is the regions (see Taxonomy.unknownBeside).
func resolve(p *problems, file string, at *value, tax, places *Taxonomy, s string) string {
	if term := tax.Lookup(s); term != nil {
		return term.Slug
	}
	if p.unknown++; p.unknown <= hintedNames {
		p.add(file, at.line, at.col, "%s", tax.unknownBeside(s, places))
	} else {
		p.add(file, at.line, at.col, "unknown %s %s", tax.Singular(), q(s))
	}
	return ""
}

func resolveList(p *problems, file string, f field, tax, places *Taxonomy) []string {
	var out []string
	for _, v := range stringItems(p, file, f) {
		if slug := resolve(p, file, v, tax, places, v.str); slug != "" && !contains(out, slug) {
			out = append(out, slug)
		}
	}
	return out
}

// actorKey is who name, in people or organizations, names, as pages tell
// them apart: the entry of the registry reg that has the name, or else the
// name as compared (russian.Fold).
func actorKey(reg *Taxonomy, name string) string {
	if entry := reg.Lookup(name); entry != nil {
		return "r:" + entry.Slug
	}
	return "n:" + russian.Fold(name)
}

// parseOrganizations reads organizations: a list of names. An organization
// named twice is listed once, as written first, as regions are.
func parseOrganizations(p *problems, file string, f field, reg *Taxonomy) (out []string, at []Pos) {
	seen := map[string]bool{}
	for _, v := range stringItems(p, file, f) {
		if k := actorKey(reg, v.str); !seen[k] {
			seen[k] = true
			out, at = append(out, v.str), append(at, Pos{v.line, v.col})
		}
	}
	return out, at
}

// parsePeople reads people: names, or names with roles. A person named
// twice is listed once, as written first, with the roles of both: a role
// dropped would vanish in silence.
func parsePeople(p *problems, file string, f field, reg *Taxonomy) (out []Person, at []Pos) {
	items := f.val.items()
	seen := map[string]int{} // actorKey -> index in out
	var e *value             // the item read
	add := func(person Person) {
		k := actorKey(reg, person.Name)
		i, ok := seen[k]
		if !ok {
			seen[k] = len(out)
			out, at = append(out, person), append(at, Pos{e.line, e.col})
			return
		}
		out[i].Role = joinRoles(out[i].Role, person.Role)
	}
	for _, e = range items {
		switch e.kind {
		case scalarValue:
			if yesNo(p, file, f.key, e) {
				continue
			}
			if s := strings.TrimSpace(e.str); s != "" {
				add(Person{Name: s})
			} else if f.val.kind == listValue {
				blankItem(p, file, e, f.key)
			}
		case mapValue:
			var person Person
			for _, pf := range e.fields {
				switch pf.key {
				case "name":
					person.Name = scalar(p, file, pf)
				case "role":
					person.Role = scalar(p, file, pf)
				default:
					p.add(file, pf.line, pf.col, "unknown field %s of a person: use name and role", q(pf.key))
				}
			}
			if person.Name == "" {
				p.add(file, e.line, e.col, "a person without a name")
				continue
			}
			add(person)
		default:
			p.add(file, e.line, e.col, "a person is a name or {name: …, role: …}")
		}
	}
	return out, at
}

// roleSep joins the roles of a person a note names twice.
const roleSep = "; "

// joinRoles adds role to roles, the roles a person has at an event
// (joined by roleSep), unless it is one of them already.
func joinRoles(roles, role string) string {
	if role == "" {
		return roles
	}
	if roles == "" {
		return role
	}
	for r := range strings.SplitSeq(roles, roleSep) {
		if russian.Fold(r) == russian.Fold(role) {
			return roles
		}
	}
	return roles + roleSep + role
}

func parseSources(p *problems, file string, f field) []Link {
	items := f.val.items()
	var out []Link
	for _, e := range items {
		var l Link
		urlAt := e // where the url is written; the source's place without one
		switch e.kind {
		case scalarValue:
			l.URL = strings.TrimSpace(e.str)
		case mapValue:
			for _, sf := range e.fields {
				switch sf.key {
				case "url":
					l.URL, urlAt = scalar(p, file, sf), sf.val
				case "publisher":
					l.Publisher = scalar(p, file, sf)
				default:
					p.add(file, sf.line, sf.col, "unknown field %s of a source: use url and publisher", q(sf.key))
				}
			}
		default:
			p.add(file, e.line, e.col, "a source is {url: …, publisher: …}")
			continue
		}
		if !webAddress(l.URL) {
			p.add(file, urlAt.line, urlAt.col, "source url %s: must be an absolute http or https URL", q(l.URL))
			continue
		}
		out = append(out, l)
	}
	return out
}

// nearest suggests the word of among, lower case, that a misspelt key was
// meant to be, "" for none within two letters.
func nearest(key string, among []string) string {
	// Only a misspelt word is worth a hint, and lowering a long key costs.
	if len(key) > 64 {
		return ""
	}
	best, bestD := "", 3
	for _, w := range among {
		if d := distance(strings.ToLower(key), w); d < bestD {
			best, bestD = w, d
		}
	}
	return best
}

// ParseDateParam parses a date given on a command line or in a query.
func ParseDateParam(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, fmt.Errorf("%s is not a date: use YYYY-MM-DD", q(s))
	}
	return t, nil
}

// calendarDay is the day of t as written, at midnight UTC.
func calendarDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// controlReference returns where b holds the first numeric character
// reference (&#7; or &#x202E;) to a character that isTextControl is, which
// Markdown writes out as the character itself, how many bytes it takes and
// the character; -1 for none.
func controlReference(b []byte) (at, n int, r rune) {
	for from := 0; ; {
		i := bytes.Index(b[from:], []byte("&#"))
		if i < 0 {
			return -1, 0, 0
		}
		i += from
		from = i + 2
		digits, base := b[i+2:], 10
		if len(digits) > 0 && (digits[0] == 'x' || digits[0] == 'X') {
			digits, base = digits[1:], 16
		}
		end := bytes.IndexByte(digits[:min(len(digits), 8)], ';')
		if end < 1 {
			continue
		}
		v, err := strconv.ParseUint(string(digits[:end]), base, 32)
		if err != nil || v > utf8.MaxRune || !isTextControl(rune(v)) {
			continue
		}
		return i, len(b[i:]) - len(digits[end+1:]), rune(v)
	}
}

// controlByte returns where b holds the first character that text may
// not (see isTextControl), or -1. It looks at bytes: C0 and DEL are one
// byte, C1 two, 0xC2 and 0x80 to 0x9F, and no other character has those;
// the bidi controls are three, 0xE2 0x80 0xAA to 0xAE and 0xE2 0x81 0xA6
// to 0xA9.
func controlByte(b []byte) int {
	for i, c := range b {
		switch {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r', c == 0x7f:
			return i
		case c == 0xc2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9f:
			return i
		case c == 0xe2 && i+2 < len(b) && (b[i+1] == 0x80 && b[i+2] >= 0xaa && b[i+2] <= 0xae || b[i+1] == 0x81 && b[i+2] >= 0xa6 && b[i+2] <= 0xa9):
			return i
		}
	}
	return -1
}
