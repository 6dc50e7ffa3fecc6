package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gosimple/slug"
	"gopkg.in/yaml.v3"
)

// MaxSlugLen is the longest slug Scaffold derives from a title, in bytes;
// a longer one is cut at the last word boundary before it.
const MaxSlugLen = 60

// NoteSpec is what is known of a note before an editor writes it: the
// values `digest new` takes on its command line.
type NoteSpec struct {
	Title string
	// Date is the day of the event; zero means today, in the local zone.
	Date time.Time
	// Kind names a kind by slug, name or alias. Empty means "other" when
	// the taxonomy has that kind; otherwise a kind is required.
	Kind string
	// Regions (at least one) and Sectors name entries by slug, name or
	// alias, as a note may.
	Regions []string
	Sectors []string
}

// SpecError is a problem with one field of a NoteSpec. Field is the
// NoteSpec field's name in lower case: "title", "date", "kind", "regions"
// or "sectors".
type SpecError struct {
	Field string
	Err   error
}

// Error gives the field and the problem: regions: unknown region "X".
func (e *SpecError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *SpecError) Unwrap() error { return e.Err }

// ErrNoRegion is the problem of a NoteSpec without regions.
var ErrNoRegion = errors.New("at least one region is required")

// Scaffolded is a new note as Scaffold writes it.
type Scaffolded struct {
	// File is where the note goes, relative to the site folder and
	// slash-separated: content/<year>/<slug>.md.
	File string
	// URL is the note's path on the site: /<year>/<slug>/.
	URL string
	// Data is the whole file: front matter ready to edit and a body
	// placeholder. It passes ParseNote as it is.
	Data []byte
}

// Scaffold makes a new note from spec, checking every name against src's
// taxonomies. The note stores slugs, is named after the slug of its title
// (see TitleSlug) and lies in the folder of its year. Every problem of spec
// is reported at once, each as a *SpecError, joined with errors.Join.
//
// Scaffold does not look at the site's notes: see NotesAt to find one that
// already has the new note's URL.
func Scaffold(src *Site, spec NoteSpec) (*Scaffolded, error) {
	var errs []error
	bad := func(field string, err error) { errs = append(errs, &SpecError{Field: field, Err: err}) }

	title := strings.Join(strings.Fields(spec.Title), " ")
	name := TitleSlug(title)
	switch {
	case title == "":
		bad("title", errors.New("a title is required"))
	case !utf8.ValidString(title):
		bad("title", fmt.Errorf("%q is not UTF-8 text", title))
	case strings.ContainsFunc(title, isControl):
		bad("title", fmt.Errorf("%q holds a control character", title))
	case strings.ContainsFunc(title, isBidiControl):
		bad("title", fmt.Errorf("%q holds a bidi control character, which would show the text after it reversed", title))
	case name == "":
		bad("title", fmt.Errorf("%q has no letters or digits to make a file name of", title))
	case utf8.RuneCountInString(title) > LongestTitle:
		bad("title", fmt.Errorf("%d characters long, more than %d: keep it to a headline and say the rest in summary", utf8.RuneCountInString(title), LongestTitle))
	}

	now := time.Now()
	date := spec.Date
	if date.IsZero() {
		date = now
	}
	if !YearInRange(date.Year()) {
		bad("date", fmt.Errorf("%s: year out of range (%d to %d)", day(date), FirstYear, LastYear))
	}

	kind := strings.TrimSpace(spec.Kind)
	switch term := src.Kinds.Lookup(kind); {
	case kind == "" && src.Kinds.Get("other") != nil:
		kind = "other"
	case kind == "":
		bad("kind", fmt.Errorf("a kind is required: one of %s", strings.Join(slugs(src.Kinds), ", ")))
	case term != nil:
		kind = term.Slug
	default:
		bad("kind", errors.New(src.Kinds.Unknown(kind)))
	}

	resolveAll := func(field string, tax, places *Taxonomy, names []string) []string {
		var out []string
		for _, s := range names {
			if strings.TrimSpace(s) == "" {
				continue
			}
			term := tax.Lookup(s)
			if term == nil {
				bad(field, errors.New(tax.unknownBeside(s, places)))
				continue
			}
			if !contains(out, term.Slug) {
				out = append(out, term.Slug)
			}
		}
		return out
	}
	before := len(errs)
	regions := resolveAll("regions", src.Regions, src.Places, spec.Regions)
	if len(regions) == 0 && len(errs) == before {
		bad("regions", ErrNoRegion)
	}
	sectors := resolveAll("sectors", src.Sectors, nil, spec.Sectors)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	n := &Scaffolded{
		File: path.Join(Dir, strconv.Itoa(date.Year()), name+".md"),
		URL:  fmt.Sprintf("/%d/%s/", date.Year(), name),
		Data: frontMatter(title, date, now, kind, regions, sectors, src),
	}
	// The note must be valid as written; a failure here is a bug of ours.
	if _, err := ParseNote(n.File, n.Data, src); err != nil {
		return nil, fmt.Errorf("the new note does not pass its own check: %w", err)
	}
	return n, nil
}

// frontMatter writes the note: the fields given, the optional ones as
// comments to fill in, and a body placeholder. A note about an event of
// another day than today is published today: it says so, so that feeds
// carry it as new.
func frontMatter(title string, date, today time.Time, kind string, regions, sectors []string, src *Site) []byte {
	var b bytes.Buffer
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("---")
	line("title: %s", yamlScalar(title))
	line("date: %s", day(date))
	line("# end: %s  # the last day of an event that took several days", day(date.AddDate(0, 0, 1)))
	if day(date) != day(today) {
		line("published: %s  # when the note appeared: feeds list notes by it", day(today))
	}
	line("kind: %s  # one of: %s", yamlScalar(kind), strings.Join(slugs(src.Kinds), ", "))
	line("regions: %s  # slugs, names or aliases from content/taxonomy/regions.yaml", yamlFlowList(regions))
	line("sectors: %s  # from content/taxonomy/sectors.yaml", yamlFlowList(sectors))
	line("# people:")
	line("#   - name: Имя Фамилия")
	line("#     role: должность")
	line("#   - Имя Фамилия")
	line("# organizations: [Название организации]")
	line("# places: [Город]")
	line("# sources:")
	line("#   - url: https://example.org/news/1")
	line("#     publisher: Пресс-служба")
	line(`summary: ""  # one or two sentences for lists and feeds`)
	line("# image: photo.jpg  # a picture beside the note, shown on its page and in links to it")
	line("# image_alt: Что на снимке  # required with image: what the picture shows")
	line("# draft: true  # keep it out of the site until it is ready")
	line("---")
	line("")
	line("Текст заметки: что произошло, кто участвовал, о чём договорились.")
	return b.Bytes()
}

// yamlScalar writes s as a YAML scalar, quoted when it must be ("Форум: …",
// "yes", "2025"), as yaml.v3 decides.
func yamlScalar(s string) string {
	out, err := yaml.Marshal(s)
	if err != nil {
		return strconv.Quote(s) // a JSON string is YAML too
	}
	return strings.TrimSuffix(string(out), "\n")
}

// yamlFlowList writes list as a YAML flow sequence: [a, b].
func yamlFlowList(list []string) string {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, s := range list {
		seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: s})
	}
	out, err := yaml.Marshal(seq)
	if err != nil {
		return "[]"
	}
	return strings.TrimSuffix(string(out), "\n")
}

func slugs(t *Taxonomy) []string {
	out := make([]string, len(t.Terms))
	for i, term := range t.Terms {
		out[i] = term.Slug
	}
	return out
}

// softSigns are dropped before transliteration: gosimple/slug writes ь and
// ъ as apostrophes, which would split words with hyphens (si-tszin-pin).
var softSigns = strings.NewReplacer("ь", "", "Ь", "", "ъ", "", "Ъ", "")

// TitleSlug returns the slug of a title: transliterated by gosimple/slug
// (language "ru"), lower-case Latin letters, digits and single hyphens, and
// no longer than MaxSlugLen, cut at a word boundary. It is "" when the title
// has no letters or digits.
func TitleSlug(title string) string {
	s, _ := CutTitleSlug(title)
	return s
}

// CutTitleSlug is TitleSlug, and whether the slug was cut to MaxSlugLen:
// titles that differ only past the cut have one slug.
func CutTitleSlug(title string) (s string, cut bool) {
	s = strings.ToLower(slug.MakeLang(softSigns.Replace(title), "ru"))
	// gosimple/slug keeps underscores, which a slug may not have.
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' }), "-")
	if len(s) > MaxSlugLen {
		if i := strings.LastIndexByte(s[:MaxSlugLen+1], '-'); i > 0 {
			s = s[:i]
		} else {
			s = s[:MaxSlugLen] // one long word
		}
		cut = true
	}
	return s, cut
}

// NotesAt returns the note files of the site in fsys whose URL is url
// (/<year>/<slug>/), sorted. It reads only what a note's URL depends on,
// the date and the slug or file name, so notes with other problems are
// found too; a note whose date cannot be read is skipped.
func NotesAt(fsys fs.FS, url string) ([]string, error) {
	parts := strings.Split(strings.Trim(url, "/"), "/")
	if len(parts) != 2 {
		return nil, fmt.Errorf("%q is not a note's URL (/<year>/<slug>/)", url)
	}
	files, err := NoteFiles(fsys)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, file := range files {
		data, err := frontMatterBytes(fsys, file)
		if err != nil {
			return nil, &FileError{File: file, Err: errors.New(noteReadProblem(err))}
		}
		// Only a note named after the slug or holding it can have the URL.
		if strings.TrimSuffix(path.Base(file), ".md") != parts[1] && !bytes.Contains(data, []byte(parts[1])) {
			continue
		}
		if u, ok := noteURL(file, data); ok && u == url {
			out = append(out, file)
		}
	}
	return out, nil
}

// headSize is how much of a note frontMatterBytes reads first: enough for
// the front matter of almost every note.
const headSize = 4 << 10

// frontMatterBytes returns the start of a note that holds its front matter:
// the first headSize bytes when they close it, else the whole file, read as
// ReadFile reads it. Only a tenth or so of a note is front matter; reading
// the rest of 10,000 notes would take most of the time.
func frontMatterBytes(fsys fs.FS, file string) ([]byte, error) {
	f, _, err := openRegular(fsys, file, MaxLimit, false)
	if err != nil {
		return nil, err
	}
	head := make([]byte, headSize)
	n, err := io.ReadFull(f, head)
	f.Close()
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return head[:n], nil // the whole file
	case err != nil:
		return nil, err
	}
	if _, _, ok := splitFrontMatter(head); ok {
		return head, nil
	}
	return ReadFile(fsys, file, MaxLimit)
}

// splitFrontMatter finds the front matter of a note as ParseNote does: the
// opening delimiter is the first line that is not blank, "---" (YAML) or
// "+++" (TOML), and the closing one the next line that is the same, both
// without surrounding space. It returns the lines between them and the
// format; ok is false when data has no whole front matter.
func splitFrontMatter(data []byte) (fm []byte, format string, ok bool) {
	data = bytes.TrimPrefix(data, bom)
	start, at, _ := frontMatterBounds(data)
	if start < 0 {
		return nil, "", false
	}
	// What comes before start is blank lines and the opening delimiter.
	if string(bytes.TrimSpace(data[:start])) == "+++" {
		return data[start:at], "toml", true
	}
	return data[start:at], "yaml", true
}

// frontMatterBounds finds the front matter of data, which has no byte-order
// mark, as splitFrontMatter does: the lines between the delimiters are
// data[start:at], and the body starts at end. start is -1 when data has no
// whole front matter.
func frontMatterBounds(data []byte) (start, at, end int) {
	var delim []byte
	for rest := data; len(rest) > 0; {
		line, after, found := bytes.Cut(rest, []byte("\n"))
		at := len(data) - len(rest)
		rest = after
		line = bytes.TrimSpace(line)
		switch {
		case delim == nil && len(line) > 0:
			if string(line) != "---" && string(line) != "+++" || !found {
				return -1, -1, -1
			}
			delim, start = line, len(data)-len(rest)
		case delim != nil && bytes.Equal(line, delim):
			return start, at, len(data) - len(rest)
		}
	}
	return -1, -1, -1
}

// noteURL reads the URL of a note from its date and slug alone.
func noteURL(file string, data []byte) (string, bool) {
	fm, format, ok := splitFrontMatter(data)
	if !ok {
		return "", false
	}
	var p problems
	var root *value
	if format == "toml" {
		root = parseTOML(&p, file, fm, 0)
	} else {
		root = parseYAML(&p, file, fm, 0)
	}
	if root == nil || root.kind != mapValue {
		return "", false
	}
	// Other problems of the note do not hide its URL.
	var up problems
	n := &Note{Slug: strings.TrimSuffix(path.Base(file), ".md")}
	if f := root.get("date"); f != nil {
		n.Date = parseDate(&up, file, *f)
	}
	if f := root.get("slug"); f != nil {
		if s := scalar(&up, file, *f); s != "" {
			n.Slug = s
		}
	}
	if n.Date.IsZero() || up.err() != nil {
		return "", false
	}
	return n.URL(), true
}
