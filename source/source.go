// Package source reads a site's source as the content contract
// (docs/CONTENT.md) describes it: content/site.yaml, the taxonomy files
// content/taxonomy/{regions,sectors,kinds}.yaml and every note, a *.md file
// anywhere below content/.
//
// Load reads and validates everything at once and reports every problem it
// finds, each as a FileError (path:line:col: message) with the path relative
// to the site folder, sorted by path. Notes name taxonomy entries by slug,
// any name or alias, in any letter case and with ё and е alike; a loaded
// note holds slugs only.
package source

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Dir is the folder of a site that holds its source.
const Dir = "content"

// Taxonomies are the three taxonomies of a site.
type Taxonomies struct {
	Regions *Taxonomy
	Sectors *Taxonomy
	Kinds   *Taxonomy
}

// All returns the taxonomies in the order pages list them.
func (t *Taxonomies) All() []*Taxonomy { return []*Taxonomy{t.Regions, t.Sectors, t.Kinds} }

// Site is a site's source as read from its content/ folder.
type Site struct {
	Settings Settings
	Taxonomies
	// Notes are every note, drafts included, newest first (by date, then URL).
	Notes []*Note
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

// LoadSettings reads site.yaml and the taxonomy files of the site in fsys,
// which is rooted at the site folder.
func LoadSettings(fsys fs.FS) (*Site, error) {
	var p problems
	src := &Site{Settings: DefaultSettings()}
	file := path.Join(Dir, "site.yaml")
	if data, err := fs.ReadFile(fsys, file); err != nil {
		p.add(file, 0, 0, "%s", readProblem(err))
	} else if site, err := ParseSettings(file, data); err != nil {
		p.addErr(err)
	} else {
		src.Settings = site
	}
	for _, t := range []struct {
		kind string
		dst  **Taxonomy
	}{{"regions", &src.Regions}, {"sectors", &src.Sectors}, {"kinds", &src.Kinds}} {
		file := path.Join(Dir, "taxonomy", t.kind+".yaml")
		data, err := fs.ReadFile(fsys, file)
		if err != nil {
			p.add(file, 0, 0, "%s", readProblem(err))
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

func readProblem(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "missing: every site needs it (see docs/CONTENT.md)"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Load reads the whole source of the site in fsys, which is rooted at the
// site folder. On any problem it returns every problem found, as Errors.
func Load(fsys fs.FS) (*Site, error) {
	src, err := LoadSettings(fsys)
	if err != nil {
		// Notes cannot be resolved against a broken taxonomy; report what is known.
		return nil, err
	}
	files, err := NoteFiles(fsys)
	if err != nil {
		return nil, err
	}
	notes, err := ParseNotes(fsys, files, &src.Taxonomies)
	if err != nil {
		return nil, err
	}
	src.Notes = notes
	if err := CheckURLs(notes); err != nil {
		return nil, err
	}
	return src, nil
}

// NoteFiles lists every *.md file below content/, sorted.
func NoteFiles(fsys fs.FS) ([]string, error) { return NoteFilesUnder(fsys, Dir) }

// NoteFilesUnder lists every *.md file below dir, a folder below content/,
// sorted. Files and folders whose names start with a dot are left out.
func NoteFilesUnder(fsys fs.FS, dir string) ([]string, error) {
	var files []string
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return &FileError{File: p, Err: errors.New(readProblem(err))}
		}
		if d.IsDir() && p != dir && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".md") && !strings.HasPrefix(d.Name(), ".") {
			files = append(files, p)
		}
		return nil
	})
	slices.Sort(files)
	return files, err
}

// ParseNotes reads and parses the given note files on every core. It returns
// the notes newest first, or every problem of every note.
func ParseNotes(fsys fs.FS, files []string, tax *Taxonomies) ([]*Note, error) {
	notes := make([]*Note, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				data, err := fs.ReadFile(fsys, files[i])
				if err != nil {
					errs[i] = &FileError{File: files[i], Err: errors.New(readProblem(err))}
					continue
				}
				notes[i], errs[i] = ParseNote(files[i], data, tax)
			}
		})
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	var p problems
	for _, err := range errs {
		if err != nil {
			p.addErr(err)
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	SortNotes(notes)
	return notes, nil
}

// SortNotes orders notes newest first; notes of one moment by URL, so that
// every build lists them alike.
func SortNotes(notes []*Note) { slices.SortFunc(notes, CompareNotes) }

// CompareNotes is the order of SortNotes.
func CompareNotes(a, b *Note) int {
	// Compare URLs only for a tie: cmp.Or would make them every time.
	if c := b.Date.Compare(a.Date); c != 0 {
		return c
	}
	return strings.Compare(a.URL(), b.URL())
}

// CheckURLs reports notes that would be written to the same URL.
func CheckURLs(notes []*Note) error {
	byURL := map[string][]string{}
	for _, n := range notes {
		byURL[n.URL()] = append(byURL[n.URL()], n.File)
	}
	var p problems
	for u, files := range byURL {
		if len(files) < 2 {
			continue
		}
		slices.Sort(files)
		for i, f := range files {
			others := slices.Delete(slices.Clone(files), i, i+1)
			p.add(f, 0, 0, "two notes have the URL %s (also %s)", u, strings.Join(others, ", "))
		}
	}
	return p.err()
}

// String describes the source briefly, for logs.
func (s *Site) String() string {
	return fmt.Sprintf("%d notes, %d regions, %d sectors, %d kinds", len(s.Notes), len(s.Regions.Terms), len(s.Sectors.Terms), len(s.Kinds.Terms))
}
