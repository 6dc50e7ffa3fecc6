// Package source reads a site's source as the content contract
// (docs/CONTENT.md) describes it: content/site.yaml, the taxonomy files
// content/taxonomy/{regions,sectors,kinds}.yaml and every note, a *.md file
// anywhere below content/.
//
// Load reads and validates everything at once and reports every problem it
// finds, each as a FileError (path:line:col: message) with the path relative
// to the site folder, sorted by path. Notes name taxonomy entries by slug,
// any name or alias, in any letter case and with ё and е alike; a loaded
// note holds slugs only. LoadDirWithoutBodies loads the same, but lets each
// note's Markdown, most of a site's source, go once the note is parsed:
// Note.ReadBody reads it again, and refuses a file that has changed since.
//
// No file can cost more than its size allows: LoadDir reads only regular
// files inside the site folder and looks before it opens; a note is read
// only up to its limit (Limits, set in site.yaml); bytes that are not UTF-8,
// keys given twice and YAML aliases that would repeat more than the file
// writes out are problems, as the contract says.
package source

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Dir is the folder of a site that holds its source.
const Dir = "content"

// Taxonomies are the three taxonomies of a site, and its optional
// registries of people, organizations and places.
type Taxonomies struct {
	Regions *Taxonomy
	Sectors *Taxonomy
	Kinds   *Taxonomy
	// People and Organizations are the registries of people.yaml and
	// organizations.yaml: the same shape, optional (empty when the file is
	// missing). An entry merges the spellings editors use (its names and
	// aliases) into one person or organization and gives its names in the
	// three languages; names a note gives that no entry has stand as
	// written.
	People        *Taxonomy
	Organizations *Taxonomy
	// Places is the registry of places.yaml, of the same shape and as
	// optional: it gives a city's names in the three languages, for search
	// to find a note by any of them. Pages show places as the notes write
	// them.
	Places *Taxonomy
}

// All returns the taxonomies in the order pages list them.
func (t *Taxonomies) All() []*Taxonomy { return []*Taxonomy{t.Regions, t.Sectors, t.Kinds} }

// Site is a site's source as read from its content/ folder.
type Site struct {
	Settings Settings
	Taxonomies
	// Notes are every note, drafts included, newest first (by date, then URL).
	Notes []*Note
	// Rejected are, when the site has problems, the notes that have some,
	// as far as they could be read: never published, but their Markdown
	// can be checked too, so that one run reports every problem.
	Rejected []*Note
	// Files are the other files of content/: content/static/ and the files
	// beside the notes, which the notes' images name.
	Files Files
}

// Published returns the notes a build publishes: all of them with drafts,
// otherwise those that are not drafts. The order is kept.
func (s *Site) Published(drafts bool) []*Note {
	if drafts {
		return s.Notes
	}
	out := make([]*Note, 0, len(s.Notes))
	for _, n := range s.Notes {
		if !n.Draft {
			out = append(out, n)
		}
	}
	return out
}

// LoadDir is Load for the site in the folder site. Only regular files inside
// it are read: a symbolic link is followed only when it leads to a place
// inside the folder, and a named pipe, a device or a socket is a problem,
// found before it is opened. With the problems of notes or files it also
// returns the site with the notes that have none, which a checker may look
// at further (digest check); nil when the site could not be read at all.
func LoadDir(site string) (*Site, error) {
	return loadDir(site, true)
}

// LoadDirWithoutBodies is LoadDir for a reader that needs each note's body
// now and then, not every one at once: the notes do not hold their
// Markdown (Body is nil), which is most of a site's source, once they are
// parsed. Note.ReadBody reads a body again, and tells when its file has
// changed since.
func LoadDirWithoutBodies(site string) (*Site, error) {
	return loadDir(site, false)
}

// loadDir is LoadDir; the notes hold their bodies when bodies is true.
func loadDir(site string, bodies bool) (*Site, error) {
	root, err := os.OpenRoot(site)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	fsys, done := SiteFS(root)
	defer done()
	return load(fsys, bodies)
}

// LoadSettingsDir is LoadSettings for the site in the folder site, read as
// LoadDir reads it.
func LoadSettingsDir(site string) (*Site, error) {
	root, err := os.OpenRoot(site)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return LoadSettings(root.FS())
}

// LoadSettings reads site.yaml and the taxonomy files of the site in fsys,
// which is rooted at the site folder.
func LoadSettings(fsys fs.FS) (*Site, error) {
	var p problems
	src := &Site{Settings: DefaultSettings()}
	// content/ or its taxonomy/ a link out of the site: one problem, not
	// one for each file.
	outside := func(dir string) bool {
		if _, err := fs.Stat(fsys, dir); err != nil && escapes(err) {
			p.add(dir, 0, 0, "a symbolic link that leads outside the site folder, which is not followed: only files inside it are read; put the folder itself in place of the link")
			return true
		}
		return false
	}
	if outside(Dir) {
		return src, p.err()
	}
	taxOutside := outside(path.Join(Dir, "taxonomy"))
	file := path.Join(Dir, "site.yaml")
	if data, err := ReadFile(fsys, file, SiteFileLimit); err != nil {
		p.add(file, 0, 0, "%s", siteFileProblem(err, "site.yaml"))
	} else if site, err := ParseSettings(file, data); err != nil {
		p.addErr(err)
	} else {
		src.Settings = site
	}
	for _, t := range src.taxonomyFiles() {
		file := path.Join(Dir, "taxonomy", t.kind+".yaml")
		if taxOutside {
			*t.dst = &Taxonomy{Kind: t.kind, index: map[string]*Term{}}
			continue
		}
		data, err := ReadFile(fsys, file, SiteFileLimit)
		if err != nil && t.optional && errors.Is(err, fs.ErrNotExist) {
			*t.dst = &Taxonomy{Kind: t.kind, index: map[string]*Term{}}
			continue
		}
		if err != nil {
			p.add(file, 0, 0, "%s", siteFileProblem(err, "a taxonomy file"))
			*t.dst = &Taxonomy{Kind: t.kind, index: map[string]*Term{}}
			continue
		}
		tax, err := parseTaxonomy(file, t.kind, data)
		if err != nil {
			p.addErr(err)
			tax = &Taxonomy{Kind: t.kind, index: map[string]*Term{}}
		}
		*t.dst = tax
	}
	return src, p.err()
}

// taxonomyFile is a taxonomy of a site and the file it is read from,
// content/taxonomy/KIND.yaml; a registry's file is optional.
type taxonomyFile struct {
	kind     string
	dst      **Taxonomy
	optional bool
}

// taxonomyFiles are the site's taxonomies and registries, each with its file.
func (s *Site) taxonomyFiles() []taxonomyFile {
	return []taxonomyFile{{"regions", &s.Regions, false}, {"sectors", &s.Sectors, false}, {"kinds", &s.Kinds, false},
		{"people", &s.People, true}, {"organizations", &s.Organizations, true}, {"places", &s.Places, true}}
}

// WriteSettings writes the settings and taxonomies of site into the folder
// dir as a site folder holds them, for LoadSettings to read back with every
// name and alias: a built site's search serves with them, without the
// site's source. The files are JSON, which is YAML, and compact, as a
// taxonomy file may be as large as SiteFileLimit. An empty registry is
// left out, as one past SiteFileLimit, which LoadSettings would refuse.
func WriteSettings(dir string, site *Site) error {
	type settings struct {
		Title     string `json:"title"`
		BaseURL   string `json:"base_url"`
		Language  string `json:"language"`
		PerPage   int    `json:"per_page"`
		SearchURL string `json:"search_url"`
		// SearchOrigins: a replica serving the site's search alone allows them.
		SearchOrigins []string `json:"search_origins,omitempty"`
	}
	st := site.Settings
	files := map[string]any{
		"site.yaml": settings{st.Title, st.BaseURL, st.Language, st.PerPage, st.SearchURL, st.SearchOrigins},
	}
	registries := map[string]bool{}
	for _, t := range site.taxonomyFiles() {
		terms := []*Term{}
		if tax := *t.dst; tax != nil && tax.Terms != nil {
			terms = tax.Terms
		}
		name := "taxonomy/" + t.kind + ".yaml"
		files[name], registries[name] = terms, t.optional
	}
	for name, v := range files {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if registries[name] && (string(data) == "[]" || len(data) >= SiteFileLimit) {
			continue
		}
		p := filepath.Join(dir, Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// siteFileProblem describes why site.yaml or a taxonomy file, what, could not
// be read.
func siteFileProblem(err error, what string) string {
	var se *sizeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "missing: every site needs it (see docs/CONTENT.md)"
	case errors.As(err, &se):
		return se.describe(what, "")
	}
	return err.Error()
}

// Load reads the whole source of the site in fsys, which is rooted at the
// site folder. On any problem it returns every problem found, as Errors.
// Load reads files as fsys opens them: LoadDir is the one to use for a
// folder on disk.
func Load(fsys fs.FS) (*Site, error) {
	return load(fsys, true)
}

// load is Load; the notes hold their bodies when bodies is true.
func load(fsys fs.FS, bodies bool) (*Site, error) {
	src, err := LoadSettings(fsys)
	if err != nil {
		// Notes cannot be resolved against a broken taxonomy; report what is known.
		return nil, err
	}
	// The notes are parsed while the folders are walked; the other files
	// are listed, for the notes' images to be found among them once the
	// walk is done.
	var walkErr error
	files := Files{}
	notes, err := parseNotes(fsys, func(yield func(string, bool)) {
		walkErr = walkContent(fsys, Dir, yield, func(name string, d fs.DirEntry) {
			files[name] = otherFile(fsys, name, d, src.Settings.Limits.File)
		})
		src.Files = files
	}, src, nil, bodies)
	var fe *FileError
	if errors.As(walkErr, &fe) && fe.File == Dir {
		return nil, walkErr // no content/ folder to read
	}
	var p problems
	for _, err := range []error{walkErr, err} {
		if err != nil {
			p.addErr(err)
		}
	}
	staticProblems(&p, files)
	checkSiteFiles(&p, &src.Settings, files)
	if err := p.err(); err != nil {
		// The notes without problems, for a checker to look further.
		bad := map[string]bool{}
		for _, fe := range p.list {
			bad[fe.File] = true
		}
		for _, n := range notes {
			if !bad[n.File] {
				src.Notes = append(src.Notes, n)
			} else {
				src.Rejected = append(src.Rejected, n)
			}
		}
		return src, err
	}
	src.Notes = notes
	return src, nil
}

// NoteFiles lists every *.md file below content/, sorted.
func NoteFiles(fsys fs.FS) ([]string, error) { return NoteFilesUnder(fsys, Dir) }

// NoteFilesUnder lists every *.md file below dir, a folder below content/,
// sorted. Folders whose names start with a dot are left out, and so are
// editors' files (EditorFile).
// What it lists need not be a regular file: ParseNotes tells. A folder that
// cannot be read and a name that is not UTF-8 (which fs.FS cannot open) are
// problems; the files found elsewhere are listed with them.
func NoteFilesUnder(fsys fs.FS, dir string) ([]string, error) {
	var files []string
	err := walkContent(fsys, dir, func(name string, _ bool) { files = append(files, name) }, func(string, fs.DirEntry) {})
	slices.Sort(files)
	return files, err
}

// EditorFile reports whether name, a file's name, is that of an editor's
// temporary or backup file, which is neither a note nor published: Vim's
// write test (4913) and backups (x~), Emacs's auto-save files (#x#), or any
// hidden file (Vim's swap files .x.swp, Emacs's locks .#x, .DS_Store).
func EditorFile(name string) bool {
	return name == "4913" || strings.HasSuffix(name, "~") || strings.HasPrefix(name, ".") ||
		len(name) > 2 && strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#")
}

// walkContent calls note with every file NoteFilesUnder lists, in the
// order of the walk, and tells whether the listing of its folder showed it
// to be a regular file; it calls other with every other file that Files
// lists, with its entry. It returns the problems NoteFilesUnder does.
func walkContent(fsys fs.FS, dir string, note func(name string, regular bool), other func(name string, d fs.DirEntry)) error {
	var p problems
	err := fs.WalkDir(fsys, dir, func(name string, d fs.DirEntry, err error) error {
		switch {
		case err != nil && name == dir:
			return &FileError{File: name, Err: errors.New(readProblem(err))}
		case err != nil:
			p.add(name, 0, 0, "%s", readProblem(err))
			return nil // WalkDir skips a folder it cannot read
		case strings.HasPrefix(d.Name(), ".") && name != dir:
			if d.IsDir() {
				return fs.SkipDir
			}
		case !utf8.ValidString(d.Name()) && (d.IsDir() || IsNote(name)):
			p.add(name, 0, 0, "the name is not UTF-8: rename it")
			if d.IsDir() {
				return fs.SkipDir
			}
		case d.IsDir(), EditorFile(d.Name()):
		case IsNote(name):
			note(name, d.Type().IsRegular())
		case listOther(name):
			other(name, d)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return p.err()
}

// ParseNotes reads and parses the given note files on every core, each
// under src's limits and against its taxonomies. It returns the notes
// newest first, and every problem of every note, notes that would have one
// URL included: those are reported even among notes with other problems,
// when their URLs can be told (with problems, the notes are those that
// could be read, some with problems of their own). others are notes
// already read, none of them from files (an incremental build's unchanged
// notes): a note of files that would have the URL of one of them is
// reported too, with it. The notes' images are looked for among src.Files.
func ParseNotes(fsys fs.FS, files []string, src *Site, others []*Note) ([]*Note, error) {
	return parseNotes(fsys, func(yield func(string, bool)) {
		for _, f := range files {
			yield(f, false)
		}
	}, src, others, true)
}

// parseNotes is ParseNotes for the files that each calls yield with, while
// the notes are read; a file whose folder's listing showed it to be a
// regular file is opened without a look of its own. The notes hold their
// bodies when bodies is true.
func parseNotes(fsys fs.FS, each func(yield func(name string, regular bool)), src *Site, others []*Note, bodies bool) ([]*Note, error) {
	type file struct {
		name    string
		regular bool
	}
	workers := runtime.GOMAXPROCS(0)
	notes := make([][]*Note, workers)
	errs := make([][]error, workers)
	var wg sync.WaitGroup
	next := make(chan file, 64)
	for w := range workers {
		wg.Go(func() {
			for f := range next {
				data, err := readRegular(fsys, f.name, src.Settings.Limits.Note, f.regular)
				if err != nil {
					errs[w] = append(errs[w], &FileError{File: f.name, Err: errors.New(noteReadProblem(err))})
					continue
				}
				// A note with problems is there when its URL could be told.
				n, err := parseNote(f.name, data, src)
				if n != nil {
					if !bodies {
						n.dropBody()
					}
					notes[w] = append(notes[w], n)
				}
				if err != nil {
					errs[w] = append(errs[w], err)
				}
			}
		})
	}
	each(func(name string, regular bool) { next <- file{name, regular} })
	close(next)
	wg.Wait()
	var p problems
	for _, err := range slices.Concat(errs...) {
		p.addErr(err)
	}
	all := slices.Concat(notes...)
	checkImages(&p, all, src.Files)
	if err := CheckURLs(append(slices.Clone(all), sharingURLs(others, all)...)); err != nil {
		p.addErr(err)
	}
	SortNotes(all)
	return all, p.err()
}

// sharingURLs returns the notes of others that have the URL of a note of
// notes.
func sharingURLs(others, notes []*Note) []*Note {
	if len(others) == 0 || len(notes) == 0 {
		return nil
	}
	urls := make(map[string]bool, len(notes))
	for _, n := range notes {
		urls[n.URL()] = true
	}
	var out []*Note
	for _, n := range others {
		if urls[n.URL()] {
			out = append(out, n)
		}
	}
	return out
}

// noteReadProblem describes why a note could not be read.
func noteReadProblem(err error) string {
	var se *sizeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "the file is gone"
	case errors.As(err, &se):
		return se.describe("a note", "limits.note")
	}
	return readProblem(err)
}

func readProblem(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// SortNotes orders notes newest first, by the day they start as written;
// notes of one day by URL, so that every build lists them alike.
func SortNotes(notes []*Note) { slices.SortFunc(notes, CompareNotes) }

// CompareNotes is the order of SortNotes.
func CompareNotes(a, b *Note) int {
	// Compare URLs only for a tie: cmp.Or would make them every time.
	if c := CompareDays(b.Date, a.Date); c != 0 {
		return c
	}
	return strings.Compare(a.URL(), b.URL())
}

// CompareDays compares the days of a and b, each in the zone it is written
// in, as readers see them: 2025-03-17T01:30+08:00 is a later day than
// 2025-03-16T23:30+03:00, an earlier moment.
func CompareDays(a, b time.Time) int { return cmp.Compare(dayNumber(a), dayNumber(b)) }

// dayNumber is the day of t in its zone, counted from 1970-01-01.
func dayNumber(t time.Time) int64 {
	_, offset := t.Zone()
	s := t.Unix() + int64(offset)
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

// CheckURLs reports notes that would be written to the same URL, each at
// what its URL comes from: the slug, or without one the date.
func CheckURLs(notes []*Note) error {
	byURL := map[string][]*Note{}
	for _, n := range notes {
		byURL[n.URL()] = append(byURL[n.URL()], n)
	}
	var p problems
	for u, same := range byURL {
		if len(same) < 2 {
			continue
		}
		slices.SortFunc(same, func(a, b *Note) int { return strings.Compare(a.File, b.File) })
		for i, n := range same {
			p.add(n.File, n.URLPos.Line, n.URLPos.Col, "two notes have the URL %s (also %s)", u, others(same, i))
		}
	}
	return p.err()
}

// others names the notes of same but the i-th: a few, and how many more.
func others(same []*Note, i int) string {
	const named = 3
	var names []string
	for j, n := range same {
		if j != i && len(names) < named {
			names = append(names, quoteName(n.File))
		}
	}
	if more := len(same) - 1 - len(names); more > 0 {
		return fmt.Sprintf("%s and %d more", strings.Join(names, ", "), more)
	}
	return strings.Join(names, ", ")
}

// String describes the source briefly, for logs.
func (s *Site) String() string {
	return fmt.Sprintf("%d notes, %d regions, %d sectors, %d kinds", len(s.Notes), len(s.Regions.Terms), len(s.Sectors.Terms), len(s.Kinds.Terms))
}
