package build

import (
	"bytes"
	"context"
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

	"golang.org/x/sync/errgroup"

	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/source"
	"github.com/coopdigest/digest/templates"
)

// Index is a search index that a Session keeps up to date between full
// builds: it puts in the documents of new and changed notes and takes out
// those of deleted ones, by URL.
type Index interface {
	Update(ctx context.Context, upserts []search.Document, deletes []string) error
}

// Session builds one site again and again, as watch mode does. Its first
// build, and any build after a change to site.yaml or the taxonomy, is a full
// one: everything is written into a new folder that is swapped in. Later
// builds re-read only the notes that changed, render again only the files
// whose inputs changed, write those in place (each file atomically), remove
// the files of pages that are gone and update the changed notes' documents
// in the search index. A build that fails changes nothing.
//
// A Session is not safe for concurrent use: one build at a time.
type Session struct {
	cfg Config
	// OpenIndex, when set, opens the index of a full build for updates;
	// without it every change rebuilds the whole index.
	OpenIndex func(dir string) (Index, error)

	src   *source.Site
	tmpl  *templates.Set
	model *model
	keys  map[string]uint64
	index Index
	mu    sync.Mutex
}

// NewSession starts a session for the site cfg names.
func NewSession(cfg Config) *Session {
	return &Session{cfg: cfg}
}

// Build brings OUT up to date. changed lists the files that changed since
// the last build (paths relative to SITE, slash-separated; folders too);
// nil means that anything may have changed, which makes a full build.
func (s *Session) Build(ctx context.Context, changed []string) (*Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.src == nil || changed == nil || needsFull(changed) {
		return s.full(ctx)
	}
	return s.incremental(ctx, changed)
}

// needsFull reports whether a change touches what every page depends on.
func needsFull(changed []string) bool {
	for _, p := range changed {
		switch {
		case p == source.Dir, p == source.Dir+"/site.yaml", strings.HasPrefix(p, source.Dir+"/taxonomy"):
			return true
		case p == "templates", strings.HasPrefix(p, "templates/"), strings.HasPrefix(p, source.Dir+"/"):
		default:
			return true
		}
	}
	return false
}

func (s *Session) full(ctx context.Context) (*Result, error) {
	start := time.Now()
	src, err := Check(s.cfg.Site)
	if err != nil {
		return nil, err
	}
	tmpl, err := LoadTemplates(s.cfg.Site)
	if err != nil {
		return nil, err
	}
	out := s.cfg.OutDir()
	tmp, err := tempDir(out)
	if err != nil {
		return nil, err
	}
	res, b, keys, err := write(ctx, s.cfg, src, tmpl, tmp)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := swap(tmp, out); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	s.src, s.tmpl, s.keys, s.model = src, tmpl, keys, b.model
	s.index = nil
	if s.OpenIndex != nil {
		ix, err := s.OpenIndex(filepath.Join(out, search.DirName))
		if err != nil {
			return nil, err
		}
		s.index = ix
	}
	res.Full = true
	res.Duration = time.Since(start)
	return res, nil
}

// Index returns the index the session updates, or nil.
func (s *Session) Index() Index {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.index
}

func (s *Session) incremental(ctx context.Context, changed []string) (*Result, error) {
	start := time.Now()
	fsys := os.DirFS(s.cfg.Site)

	tmpl := s.tmpl
	for _, p := range changed {
		if p == "templates" || strings.HasPrefix(p, "templates/") {
			t, err := LoadTemplates(s.cfg.Site)
			if err != nil {
				return nil, err
			}
			tmpl = t
			break
		}
	}

	// Re-read the notes below every changed path; keep the others, in
	// their order.
	var paths []string
	for _, p := range changed {
		if strings.HasPrefix(p, source.Dir+"/") {
			paths = append(paths, p)
		}
	}
	kept := make([]*source.Note, 0, len(s.src.Notes))
	var dropped []*source.Note
	for _, n := range s.src.Notes {
		if slices.ContainsFunc(paths, func(p string) bool { return n.File == p || strings.HasPrefix(n.File, p+"/") }) {
			dropped = append(dropped, n)
		} else {
			kept = append(kept, n)
		}
	}
	var reread []string
	for _, p := range paths {
		st, err := fs.Stat(fsys, p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // deleted
		case err != nil:
			return nil, &source.FileError{File: p, Err: err}
		case st.IsDir():
			files, err := source.NoteFilesUnder(fsys, p)
			if err != nil {
				return nil, err
			}
			reread = append(reread, files...)
		case strings.HasSuffix(p, ".md") && !strings.HasPrefix(path.Base(p), "."):
			reread = append(reread, p)
		}
	}
	slices.Sort(reread)
	reread = slices.Compact(reread)
	fresh, err := source.ParseNotes(fsys, reread, &s.src.Taxonomies)
	if err != nil {
		return nil, err
	}
	if err := checkNewURLs(kept, fresh); err != nil {
		return nil, err
	}
	notes := mergeNotes(kept, fresh)
	src := &source.Site{Settings: s.src.Settings, Taxonomies: s.src.Taxonomies, Notes: notes}

	b, err := prepare(ctx, s.cfg, src, tmpl, s.model, s.tmpl)
	if err != nil {
		return nil, err
	}
	b.relate(s.model)
	outs := b.plan()
	keys := keys(outs)
	var todo []output
	for _, o := range outs {
		if k, ok := s.keys[o.path]; !ok || k != keys[o.path] {
			todo = append(todo, o)
		}
	}
	var gone []string
	for p := range s.keys {
		if _, ok := keys[p]; !ok {
			gone = append(gone, p)
		}
	}

	// Render everything before writing anything, so that a failure leaves
	// OUT as it was.
	bufs := make([][]byte, len(todo))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, o := range todo {
		g.Go(func() error {
			if gctx.Err() != nil {
				return gctx.Err()
			}
			var buf bytes.Buffer
			if err := o.render(&buf); err != nil {
				return fmt.Errorf("%s: %w", o.path, err)
			}
			bufs[i] = buf.Bytes()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	upserts, deletes := s.indexChanges(b, dropped, fresh)
	rendered := time.Now()
	out := s.cfg.OutDir()
	// Each file is replaced atomically; the file system's calls are slow
	// enough that writing them on every core pays.
	var wg errgroup.Group
	wg.SetLimit(runtime.GOMAXPROCS(0))
	for i, o := range todo {
		wg.Go(func() error { return writeAtomic(filepath.Join(out, filepath.FromSlash(o.path)), bufs[i]) })
	}
	if err := wg.Wait(); err != nil {
		return nil, err
	}
	for _, p := range gone {
		removeOutput(out, p)
	}
	written := time.Now()
	if err := s.updateIndex(ctx, b, upserts, deletes); err != nil {
		return nil, err
	}
	logger(s.cfg).Debug("rebuilt", "files", len(todo), "removed", len(gone), "documents", len(upserts)+len(deletes),
		"render_ms", rendered.Sub(start).Milliseconds(), "write_ms", written.Sub(rendered).Milliseconds(), "index_ms", time.Since(written).Milliseconds())

	s.src, s.tmpl, s.model, s.keys = src, tmpl, b.model, keys
	return &Result{Notes: len(b.model.notes), Pages: countPages(outs), Files: len(outs), Rendered: len(todo), Removed: len(gone),
		Source: src, Duration: time.Since(start), Changed: reread}, nil
}

// indexChanges compares the published notes with the last build's.
func (s *Session) indexChanges(b *builder, dropped, fresh []*source.Note) (upserts []search.Document, deletes []string) {
	// Only the notes read again can have changed: the others are the same
	// source.Note as before.
	before := map[string]uint64{}
	for _, n := range dropped {
		if !n.Draft || s.cfg.Drafts {
			before[n.URL()] = n.Version
		}
	}
	for _, n := range fresh {
		if n.Draft && !s.cfg.Drafts {
			continue
		}
		if v, ok := before[n.URL()]; !ok || v != n.Version {
			upserts = append(upserts, search.FromNote(n, b.model.byURL[n.URL()].text, &b.model.src.Taxonomies))
		}
		delete(before, n.URL())
	}
	for u := range before {
		deletes = append(deletes, u)
	}
	slices.Sort(deletes)
	return upserts, deletes
}

// mergeNotes returns the notes of kept and fresh, both in the order of
// source.SortNotes (ParseNotes returns them so), in that order.
func mergeNotes(kept, fresh []*source.Note) []*source.Note {
	out := make([]*source.Note, 0, len(kept)+len(fresh))
	i := 0
	for _, n := range kept {
		for i < len(fresh) && source.CompareNotes(fresh[i], n) < 0 {
			out = append(out, fresh[i])
			i++
		}
		out = append(out, n)
	}
	return append(out, fresh[i:]...)
}

// checkNewURLs reports notes that would be written to the same URL, as
// source.CheckURLs does, knowing that no two of kept do.
func checkNewURLs(kept, fresh []*source.Note) error {
	if len(fresh) == 0 {
		return nil
	}
	urls := make(map[string]bool, len(fresh))
	for _, n := range fresh {
		urls[n.URL()] = true
	}
	involved := slices.Clone(fresh)
	for _, n := range kept {
		if urls[n.URL()] {
			involved = append(involved, n)
		}
	}
	return source.CheckURLs(involved)
}

// updateIndex puts the changes into the session's index, or, without one,
// rebuilds the index beside OUT's and swaps it in.
func (s *Session) updateIndex(ctx context.Context, b *builder, upserts []search.Document, deletes []string) error {
	if len(upserts) == 0 && len(deletes) == 0 {
		return nil
	}
	if s.index != nil {
		return s.index.Update(ctx, upserts, deletes)
	}
	dir := filepath.Join(s.cfg.OutDir(), search.DirName)
	tmp := dir + ".new"
	os.RemoveAll(tmp)
	if err := search.Build(ctx, tmp, b.documents(), b.model.src); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	if err := swap(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	return nil
}

// writeAtomic replaces the file at p with data: readers see the old file or
// the new one, never a part.
func writeAtomic(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-"+filepath.Base(p))
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// removeOutput removes a file of OUT and the folders it leaves empty.
func removeOutput(out, p string) {
	full := filepath.Join(out, filepath.FromSlash(p))
	os.Remove(full)
	for dir := filepath.Dir(full); dir != out && strings.HasPrefix(dir, out); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break // not empty
		}
	}
}
