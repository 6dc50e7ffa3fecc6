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
//
// OUT is replaced whole, so a build replaces only a folder that is missing,
// empty or written by digest: every output, and every temporary folder from
// its first moment, holds a marker file, .digest (see CheckOut). A build
// that is stopped (Ctrl-C, SIGTERM) or fails removes its temporary folder;
// the next build removes those of builds that were killed.
//
// A note's Markdown is held to limits that keep its cost in time and memory
// in proportion to its size (see limits.go); a note past one is a problem
// that names the note, the line and the limit.
package build

import (
	"bytes"
	"cmp"
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
	"runtime/debug"
	"slices"
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
	// Today is the build's day: the home page lists the events that start
	// after it apart, as upcoming. Zero means the day each build starts, in
	// the local time zone.
	Today time.Time

	// transient says that the build's model is not kept for later builds
	// (Build, as opposed to a Session): the notes' rendered bodies and
	// plain text are then not held from the Markdown stage to the end of
	// the build, but made again where a page, a feed or the index needs
	// them, so that a build holds them only for the notes being written.
	transient bool

	// noIndex leaves the search index out, for benchmarks that measure
	// what indexing adds to a build.
	noIndex bool
	// stage, when set, is called as a full build reaches each stage
	// ("loaded", "markdown", "rendering", "indexing", "written"), for
	// tests that stop or break a build there.
	stage func(name string)
}

// today is the build's day, as Today says.
func (c Config) today() time.Time {
	t := c.Today
	if t.IsZero() {
		t = time.Now()
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// reached calls the stage hook, if there is one.
func (c Config) reached(name string) {
	if c.stage != nil {
		c.stage(name)
	}
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
	// Warnings are problems that did not stop the build: OUT holds the new
	// site. One line each.
	Warnings []string

	Duration time.Duration
	Source   *source.Site
}

// Summary is the one line a build ends with.
func (r *Result) Summary(out string) string {
	return fmt.Sprintf("built %d notes, %d pages, %d files in %.2f s → %s", r.Notes, r.Pages, r.Files, r.Duration.Seconds(), out)
}

// Check reads and validates a site's source without writing anything.
func Check(site string) (*source.Site, error) {
	return source.LoadDir(site)
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
	cfg.transient = true
	return NewSession(cfg).Build(ctx, nil)
}

// builder renders one site.
type builder struct {
	cfg   Config
	model *model
	tmpl  *templates.Set
	// site is the site folder, rooted, for the files a build copies.
	site fs.FS
	// today is the build's day, midnight UTC (Config.Today).
	today time.Time
	// warnings are the problems of the notes rendered by this build that
	// do not stop it.
	warnings []string
	// personOf and orgOf find the actor a note names (people.go); set by
	// plan.
	personOf, orgOf func(name string) *actor
}

// write renders the site src into the empty folder dir: pages on every core,
// the search index beside them at the same time. It returns the result and
// the key of every output written, for later incremental builds. It sets
// *busy to a channel that is closed once nothing writes into dir any more,
// from the moment something may: when ctx is cancelled, or write fails or
// panics, it returns at once, without waiting for the index, whose final
// merge does not look at ctx.
func write(ctx context.Context, cfg Config, src *source.Site, tmpl *templates.Set, dir string, busy *<-chan struct{}) (*Result, *builder, map[string]uint64, error) {
	log := logger(cfg)
	stage := time.Now()
	root, err := os.OpenRoot(cfg.Site)
	if err != nil {
		return nil, nil, nil, err
	}
	defer root.Close()
	b, err := prepare(ctx, cfg, src, tmpl, root.FS(), nil, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	notes := b.model.notes
	log.Debug("markdown", "notes", len(notes), "seconds", time.Since(stage).Seconds())
	cfg.reached("markdown")
	stage = time.Now()

	// The index is built beside the pages, in its own goroutine, as soon as
	// the notes' text is known: bleve's indexing is the slowest stage. Its
	// failure cancels rendering, with the failure as the cause.
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	indexed := make(chan struct{})
	*busy = indexed
	go func() {
		defer close(indexed)
		if cfg.noIndex {
			return
		}
		err := protect(log, "the search index", func() error {
			ids := make([]string, len(notes))
			for i, n := range notes {
				ids[i] = n.url
			}
			return search.BuildFrom(rctx, filepath.Join(dir, search.DirName), ids, b.document, b.model.src)
		})
		if err != nil {
			cancel(fmt.Errorf("search index: %w", err))
			return
		}
		log.Debug("search index", "docs", len(notes), "seconds", time.Since(stage).Seconds())
	}()

	b.relate(nil)
	outs, err := b.plan()
	if err != nil {
		return nil, nil, nil, err
	}
	res := &Result{Notes: len(notes), Files: len(outs), Rendered: len(outs), Source: src, Warnings: b.warnings}
	res.Pages = countPages(outs)

	var written atomic.Int64
	stopProgress := b.progress(&written, len(outs))
	err = renderAll(rctx, cfg, b.site, dir, outs, &written)
	stopProgress()
	log.Debug("pages", "files", len(outs), "seconds", time.Since(stage).Seconds())
	if err == nil {
		cfg.reached("indexing")
		select {
		case <-indexed:
		case <-rctx.Done():
		}
	}
	// An index failure cancels rendering: report the cause, not the
	// cancellation.
	if cause := context.Cause(rctx); cause != nil {
		err = cause
	}
	if err != nil {
		cancel(err)
		return nil, nil, nil, err
	}
	return res, b, keys(outs), nil
}

// protect runs f, turning a panic into an error that says what was being
// done, so that a bug fails the build rather than the process and the build
// still removes its temporary folder. The stack goes to the log.
func protect(log *slog.Logger, what string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Error("panic", "while", what, "value", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("internal error while rendering %s: %v (run with -v for the stack)", what, r)
		}
	}()
	return f()
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
	for i := range b.model.notes {
		docs[i], _ = b.document(i) // held text: no error
	}
	return docs
}

// document is the search document of the published note i. A transient
// build parses the note's Markdown again for its text.
func (b *builder) document(i int) (search.Document, error) {
	n := b.model.notes[i]
	text := n.text
	if b.cfg.transient {
		doc, err := parseMarkdown(n.Body, &images{note: n.File, files: b.model.src.Files})
		if err != nil {
			return search.Document{}, noteError(n.Note, err)
		}
		text = plainText(doc, n.Body)
	}
	return search.FromNote(n.Note, text, &b.model.src.Taxonomies), nil
}

// body is the rendered Markdown of the note n: held since prepare, or, in
// a transient build, rendered again.
func (b *builder) body(n *note) (template.HTML, error) {
	if !b.cfg.transient {
		return n.html, nil
	}
	// As renderMarkdown, without the plain text, which pages do not show.
	doc, err := parseMarkdown(n.Body, &images{note: n.File, files: b.model.src.Files})
	if err != nil {
		return "", noteError(n.Note, err)
	}
	var buf bytes.Buffer
	buf.Grow(len(n.Body) + len(n.Body)/4)
	if err := markdown.Renderer().Render(&buf, n.Body, doc); err != nil {
		return "", noteError(n.Note, err)
	}
	return template.HTML(buf.String()), nil
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

// prepare makes the model of src's published notes with their Markdown,
// pictures and list items; site is the site folder, rooted. A note that
// prev, the model of the last build, has as it is (the same source.Note)
// keeps its Markdown and pictures, and its list item too when the
// templates are prevTmpl; the others are rendered.
func prepare(ctx context.Context, cfg Config, src *source.Site, tmpl *templates.Set, site fs.FS, prev *model, prevTmpl *templates.Set) (*builder, error) {
	b := &builder{cfg: cfg, model: newModel(src, src.Published(cfg.Drafts), prev), tmpl: tmpl, site: site, today: cfg.today()}
	log := logger(cfg)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	// A note's Markdown problem does not stop the others: every problem of
	// every note is reported at once, as source does.
	var mu sync.Mutex
	var problems source.Errors
	for _, n := range b.model.notes {
		if p := n.prev; p != nil {
			n.prev = nil // no chain of models from one build to the next
			n.html, n.text, n.refs, n.warnings, n.image, n.og = p.html, p.text, p.refs, p.warnings, p.image, p.og
			n.data.Store(p.data.Load())
			if tmpl == prevTmpl {
				n.item.HTML, n.itemKey = p.item.HTML, p.itemKey
				continue
			}
		}
		g.Go(func() error {
			if gctx.Err() != nil {
				return gctx.Err()
			}
			return protect(log, n.File, func() error {
				if n.html == "" {
					im := &images{note: n.File, files: src.Files}
					html, text, err := renderMarkdown(n.Body, im)
					var image *templates.Image
					var og bool
					var imgErr error
					if n.ImageFile != "" {
						image, og, imgErr = noteImage(site, n.Note, src.Files, src.Settings.Limits.File)
					}
					if err != nil || len(im.problems) > 0 || imgErr != nil {
						mu.Lock()
						if err != nil {
							problems = append(problems, noteError(n.Note, err))
						}
						for _, pr := range im.problems {
							problems = append(problems, noteError(n.Note, pr))
						}
						var fe *source.FileError
						if errors.As(imgErr, &fe) {
							problems = append(problems, fe)
						}
						mu.Unlock()
						return nil
					}
					n.html, n.text, n.refs, n.image, n.og = template.HTML(html), text, im.refs, image, og
					if cfg.transient {
						// Pages, feeds and the index render the body
						// again; a page's description needs the text's
						// start only.
						n.html, n.text = "", strings.Clone(runePrefix(text, descriptionRunes+1))
					}
					n.warnings = nil
					for _, w := range im.warnings {
						n.warnings = append(n.warnings, noteError(n.Note, w).Error())
					}
					if len(n.warnings) > 0 {
						mu.Lock()
						b.warnings = append(b.warnings, n.warnings...)
						mu.Unlock()
					}
				}
				var buf bytes.Buffer
				if err := tmpl.ExecutePartial(&buf, "noteitem", n.item); err != nil {
					return &source.FileError{File: n.File, Err: fmt.Errorf("templates: noteitem: %w", err)}
				}
				n.item.HTML = template.HTML(buf.String())
				n.itemKey = maphash.String(keySeed, string(n.item.HTML))
				return nil
			})
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, sorted(problems)
	}
	slices.Sort(b.warnings)
	return b, nil
}

// sorted sorts problems by file, line and column, as source does.
func sorted(problems source.Errors) source.Errors {
	slices.SortFunc(problems, func(a, b *source.FileError) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	return problems
}

// CheckMarkdown parses the body of every note of src, drafts included, as a
// build would, and reports every note that goes past a limit on Markdown
// (see limits.go) or shows a picture that is not among the site's files,
// all at once, as source.Errors. Nothing is rendered. warnings are what a
// build would warn of: pictures from other sites, which digest serve does
// not show; one line each, sorted.
func CheckMarkdown(ctx context.Context, src *source.Site) (warnings []string, err error) {
	var mu sync.Mutex
	var problems source.Errors
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, n := range src.Notes {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			im := &images{note: n.File, files: src.Files}
			_, err := parseMarkdown(n.Body, im)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				problems = append(problems, noteError(n, err))
			}
			for _, p := range im.problems {
				problems = append(problems, noteError(n, p))
			}
			for _, w := range im.warnings {
				warnings = append(warnings, noteError(n, w).Error())
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, sorted(problems)
	}
	slices.Sort(warnings)
	return warnings, nil
}

// noteError places a problem of a note's Markdown in the note's file: a
// *markdownError counts lines from the body's first.
func noteError(n *source.Note, err error) *source.FileError {
	var me *markdownError
	if errors.As(err, &me) && me.Line > 0 {
		return &source.FileError{File: n.File, Line: n.BodyLine + me.Line - 1, Col: me.Col, Err: me.Err}
	}
	return &source.FileError{File: n.File, Line: n.BodyLine, Err: fmt.Errorf("markdown: %w", err)}
}

// relate finds the related notes of every note, taking them from prev when
// they cannot have changed.
func (b *builder) relate(prev *model) {
	if prev == nil || !b.model.relateFrom(prev) {
		b.model.relate(5)
	}
}

// renderAll renders outs into dir on every core.
func renderAll(ctx context.Context, cfg Config, site fs.FS, dir string, outs []output, written *atomic.Int64) error {
	log := logger(cfg)
	// Make every folder first, so workers only write files.
	if err := makeDirs(ctx, dir, outs); err != nil {
		return err
	}
	cfg.reached("rendering")
	g, gctx := errgroup.WithContext(ctx)
	workers := runtime.GOMAXPROCS(0)
	next := make(chan output)
	for range workers {
		g.Go(func() error {
			var buf bytes.Buffer
			for o := range next {
				dst := filepath.Join(dir, filepath.FromSlash(o.path))
				if o.from != "" {
					if err := copyFile(site, o.from, o.limit, dst); err != nil {
						return o.fail("copying "+o.from+" to", err)
					}
					written.Add(1)
					continue
				}
				buf.Reset()
				if err := protect(log, o.path, func() error { return o.render(&buf) }); err != nil {
					return o.fail("rendering", err)
				}
				if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
					return o.fail("writing", err)
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

// fail describes a failure to make the output: it names the note the page
// comes from, if any, and the page by its path in OUT, never by the
// temporary folder the build writes into.
func (o output) fail(doing string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	err = fmt.Errorf("%s %s: %w", doing, clipMiddle(o.path, maxEcho), err)
	if o.note != "" {
		return &source.FileError{File: o.note, Err: err}
	}
	return err
}

// maxEcho is how much of a path or value a message repeats: a slug of
// thousands of characters must not bury the message.
const maxEcho = 120

// clip cuts s to at most n runes, marking the cut.
func clip(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}

// descriptionRunes is how much of a note's text its page's description
// shows, at most.
const descriptionRunes = 200

// runePrefix is the first n runes of s.
func runePrefix(s string, n int) string {
	for j := range s {
		if n == 0 {
			return s[:j]
		}
		n--
	}
	return s
}

// clipMiddle cuts s to about n runes by leaving out its middle, so that
// both ends of a path show.
func clipMiddle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head := n * 2 / 3
	return string(r[:head]) + "…" + string(r[len(r)-(n-head):])
}

// makeDirs makes the folders of outs below dir, which is empty: one mkdir
// each, parents before children, the folders of one depth on every core.
// (os.MkdirAll would look at each folder first, one more system call per
// page, and these calls are the slow part of writing a site.)
func makeDirs(ctx context.Context, dir string, outs []output) error {
	var levels [][]string
	// The first output in each folder, to name in an error.
	owner := map[string]output{}
	for _, o := range outs {
		for d := path.Dir(o.path); d != "." && d != "/"; d = path.Dir(d) {
			if _, ok := owner[d]; ok {
				break
			}
			owner[d] = o
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
					return owner[d].fail("making the folder for", err)
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
		body, err := b.body(v.note)
		if err != nil {
			return err
		}
		v.Body = body
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

// swap puts the finished folder tmp in place of out: where the system can,
// in one atomic exchange; otherwise by moving the old folder aside first,
// beside out under a name of tmp's. It returns where the old output now is,
// for the caller to remove, or "" when there was none.
func swap(tmp, out string) (old string, err error) {
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	st, err := os.Lstat(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", os.Rename(tmp, out)
	case err != nil:
		return "", err
	case !st.IsDir():
		return "", fmt.Errorf("%s exists and is not a folder", out)
	}
	if err := exchange(tmp, out); err == nil {
		return tmp, nil // tmp now holds the old output
	}
	old = tmp + ".old"
	if err := os.Rename(out, old); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, out); err != nil {
		// Put the old output back: the build failed, OUT stays as it was.
		_ = os.Rename(old, out)
		return "", err
	}
	return old, nil
}
