// Package build compiles a site's source into a static site: the pages of
// the URL table in docs/CONTENT.md, Atom feeds, a sitemap, robots.txt, a
// 404 page and the search index.
//
// A build runs in four stages: Load (package source reads and validates
// the source; nothing is written when it finds a problem), Model (notes are
// indexed by term, year and partnership and related to each other), Render
// (every page and the index are made in parallel on every core) and Write
// (the output goes to a temporary folder beside OUT, which is then swapped
// in, so that a failed build leaves the previous OUT exactly as it was).
// The same input gives byte-identical output.
package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/source"
	"github.com/coopdigest/digest/templates"
)

// Config says what to build and where.
type Config struct {
	// Site is the folder holding content/ and, optionally, templates/.
	Site string
	// Out is where the site is written; SITE/public when empty.
	Out string
	// Drafts publishes notes marked draft: true.
	Drafts bool
	// Progress, when set, receives a progress line now and then, for a
	// terminal: each ends with a carriage return.
	Progress io.Writer
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
	// Live asks pages to load the live-reload script of watch mode.
	Live bool

	// noIndex leaves the search index out, for benchmarks that measure
	// what indexing adds to a build.
	noIndex bool
}

// OutDir is the output folder the config names.
func (c Config) OutDir() string {
	if c.Out != "" {
		return c.Out
	}
	return filepath.Join(c.Site, "public")
}

// Result tells what a build did.
type Result struct {
	Notes    int      // notes published
	Pages    int      // HTML pages of the site
	Files    int      // files of the site, pages included
	Rendered int      // files rendered and written by this build
	Removed  int      // files removed by this build
	Full     bool     // whether this was a full build
	Changed  []string // incremental builds: the note files read again

	Duration time.Duration
	Source   *source.Site
}

// Summary is the one line a build ends with.
func (r *Result) Summary(out string) string {
	return fmt.Sprintf("built %d notes, %d pages, %d files in %.2f s → %s", r.Notes, r.Pages, r.Files, r.Duration.Seconds(), out)
}

// Check reads and validates a site's source without writing anything.
func Check(site string) (*source.Site, error) {
	return source.Load(os.DirFS(site))
}

// LoadTemplates parses the default templates with the site's own
// templates/ folder, if it has one, overriding them file by file.
func LoadTemplates(site string) (*templates.Set, error) {
	dir := filepath.Join(site, "templates")
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return templates.Load(os.DirFS(dir))
	}
	return templates.Load(nil)
}

// Build compiles the site cfg names into cfg's output folder: a full build,
// the first of a Session that is not kept.
func Build(ctx context.Context, cfg Config) (*Result, error) {
	return NewSession(cfg).Build(ctx, nil)
}

// builder renders one site.
type builder struct {
	cfg   Config
	model *model
	tmpl  *templates.Set
}

// write renders the site src into the empty folder dir: pages on every core,
// the search index beside them at the same time. It returns the result and
// the key of every output written, for later incremental builds.
func write(ctx context.Context, cfg Config, src *source.Site, tmpl *templates.Set, dir string) (*Result, *builder, map[string]uint64, error) {
	log := logger(cfg)
	stage := time.Now()
	b, err := prepare(ctx, cfg, src, tmpl, nil, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	notes := b.model.notes
	log.Debug("markdown", "notes", len(notes), "seconds", time.Since(stage).Seconds())
	stage = time.Now()

	// The index is built beside the pages, in its own goroutine, as soon as
	// the notes' text is known: bleve's indexing is the slowest stage.
	idx, ictx := errgroup.WithContext(ctx)
	idx.Go(func() error {
		if cfg.noIndex {
			return nil
		}
		if err := search.Build(ictx, filepath.Join(dir, search.DirName), b.documents(), b.model.src); err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		log.Debug("search index", "docs", len(notes), "seconds", time.Since(stage).Seconds())
		return nil
	})

	b.relate(nil)
	outs := b.plan()
	res := &Result{Notes: len(notes), Files: len(outs), Rendered: len(outs), Source: src}
	res.Pages = countPages(outs)

	var written atomic.Int64
	stopProgress := b.progress(&written, len(outs))
	err = renderAll(ictx, dir, outs, &written)
	stopProgress()
	log.Debug("pages", "files", len(outs), "seconds", time.Since(stage).Seconds())
	// An index failure cancels rendering; report the cause, not the cancellation.
	if ierr := idx.Wait(); ierr != nil {
		err = ierr
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return res, b, keys(outs), nil
}

func logger(cfg Config) *slog.Logger {
	if cfg.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return cfg.Logger
}

func countPages(outs []output) int {
	n := 0
	for _, o := range outs {
		if strings.HasSuffix(o.path, ".html") && o.path != "404.html" {
			n++
		}
	}
	return n
}

// documents are the search documents of the published notes.
func (b *builder) documents() []search.Document {
	docs := make([]search.Document, len(b.model.notes))
	for i, n := range b.model.notes {
		docs[i] = search.FromNote(n.Note, n.text, &b.model.src.Taxonomies)
	}
	return docs
}

// keys computes the fingerprint of every output, on every core.
func keys(outs []output) map[string]uint64 {
	sums := make([]uint64, len(outs))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			var h maphash.Hash
			h.SetSeed(keySeed)
			for i := w; i < len(outs); i += workers {
				h.Reset()
				outs[i].key(&h)
				sums[i] = h.Sum64()
			}
		})
	}
	wg.Wait()
	m := make(map[string]uint64, len(outs))
	for i, o := range outs {
		m[o.path] = sums[i]
	}
	return m
}

var keySeed = maphash.MakeSeed()

// prepare makes the model of src's published notes with their Markdown and
// list items. A note that prev, the model of the last build, has as it is
// (the same source.Note) keeps its Markdown, and its list item too when
// the templates are prevTmpl; the others are rendered.
func prepare(ctx context.Context, cfg Config, src *source.Site, tmpl *templates.Set, prev *model, prevTmpl *templates.Set) (*builder, error) {
	b := &builder{cfg: cfg, model: newModel(src, src.Published(cfg.Drafts), prev), tmpl: tmpl}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, n := range b.model.notes {
		if p := n.prev; p != nil {
			n.prev = nil // no chain of models from one build to the next
			n.html, n.text = p.html, p.text
			if tmpl == prevTmpl {
				n.item.HTML, n.itemKey = p.item.HTML, p.itemKey
				continue
			}
		}
		g.Go(func() error {
			if gctx.Err() != nil {
				return gctx.Err()
			}
			if n.html == "" {
				html, text, err := renderMarkdown(n.Body)
				if err != nil {
					return &source.FileError{File: n.File, Line: n.BodyLine, Err: fmt.Errorf("markdown: %w", err)}
				}
				n.html, n.text = template.HTML(html), text
			}
			var buf bytes.Buffer
			if err := tmpl.ExecutePartial(&buf, "noteitem", n.item); err != nil {
				return fmt.Errorf("templates: noteitem: %w", err)
			}
			n.item.HTML = template.HTML(buf.String())
			n.itemKey = maphash.String(keySeed, string(n.item.HTML))
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return b, nil
}

// relate finds the related notes of every note, taking them from prev when
// they cannot have changed.
func (b *builder) relate(prev *model) {
	if prev == nil || !b.model.relateFrom(prev) {
		b.model.relate(5)
	}
}

// renderAll renders outs into dir on every core.
func renderAll(ctx context.Context, dir string, outs []output, written *atomic.Int64) error {
	// Make every folder first, so workers only write files.
	if err := makeDirs(ctx, dir, outs); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	workers := runtime.GOMAXPROCS(0)
	next := make(chan output)
	for range workers {
		g.Go(func() error {
			var buf bytes.Buffer
			for o := range next {
				buf.Reset()
				if err := o.render(&buf); err != nil {
					return fmt.Errorf("%s: %w", o.path, err)
				}
				if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(o.path)), buf.Bytes(), 0o644); err != nil {
					return err
				}
				written.Add(1)
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(next)
		for _, o := range outs {
			select {
			case next <- o:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	return g.Wait()
}

// makeDirs makes the folders of outs below dir, which is empty: one mkdir
// each, parents before children, the folders of one depth on every core.
// (os.MkdirAll would look at each folder first, one more system call per
// page, and these calls are the slow part of writing a site.)
func makeDirs(ctx context.Context, dir string, outs []output) error {
	var levels [][]string
	seen := map[string]bool{}
	for _, o := range outs {
		for d := path.Dir(o.path); d != "." && d != "/" && !seen[d]; d = path.Dir(d) {
			seen[d] = true
			depth := strings.Count(d, "/")
			for len(levels) <= depth {
				levels = append(levels, nil)
			}
			levels[depth] = append(levels[depth], d)
		}
	}
	for _, level := range levels {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(runtime.GOMAXPROCS(0))
		for _, d := range level {
			g.Go(func() error {
				if err := gctx.Err(); err != nil {
					return err
				}
				if err := os.Mkdir(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
					return err
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
	}
	return nil
}

// render executes a page template with the site's settings.
func (b *builder) render(buf *bytes.Buffer, name string, p *templates.Page) error {
	p.Site = b.model.src.Settings
	p.Live = b.cfg.Live
	if v, ok := p.Data.(noteView); ok {
		// The body is rendered Markdown of our own, safe to include as HTML.
		v.Body = v.note.html
		p.Data = v.notePage
	}
	return b.tmpl.Execute(buf, name, p)
}

// progress prints "rendering N/M files" to cfg.Progress every 200 ms until
// the returned function is called.
func (b *builder) progress(written *atomic.Int64, total int) func() {
	if b.cfg.Progress == nil {
		return func() {}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				fmt.Fprint(b.cfg.Progress, "\r\033[K")
				return
			case <-t.C:
				fmt.Fprintf(b.cfg.Progress, "\r\033[Krendering %d/%d files", written.Load(), total)
			}
		}
	})
	return func() { close(stop); wg.Wait() }
}

// tempDir makes an empty folder beside out, on the same file system, so
// that it can be renamed into place.
func tempDir(out string) (string, error) {
	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	return os.MkdirTemp(parent, "."+filepath.Base(out)+".tmp-")
}

// swap puts the finished folder tmp in place of out: where the system can,
// in one atomic exchange; otherwise by moving the old folder aside first.
// The old output is then removed.
func swap(tmp, out string) error {
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	st, err := os.Lstat(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return os.Rename(tmp, out)
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("%s exists and is not a folder", out)
	}
	if err := exchange(tmp, out); err == nil {
		return os.RemoveAll(tmp) // tmp now holds the old output
	}
	old := tmp + ".old"
	if err := os.Rename(out, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		// Put the old output back: the build failed, OUT stays as it was.
		_ = os.Rename(old, out)
		return err
	}
	return os.RemoveAll(old)
}
