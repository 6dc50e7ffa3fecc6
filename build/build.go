// Package build compiles a site's source into a static site: the pages of
// the URL table in docs/CONTENT.md, Atom feeds, a sitemap, robots.txt, a
// 404 page and the search index.
//
// A build runs in four stages, each in its file:
//
//   - Load (load.go): package source reads and validates the source and the
//     templates are parsed; nothing is written when either has a problem.
//   - Model (model.go, people.go): notes are indexed by term, year,
//     partnership, person and organization, related to each other, and
//     their Markdown rendered.
//   - Render (pages.go, feeds.go, data.go, charts.go; render.go): plan
//     declares every output, a page, a feed or a data file, by its path,
//     its render function and its key, a fingerprint of what it shows;
//     render.go renders them on every core while the index is built.
//   - Write (write.go, out.go): the output goes to a temporary folder beside
//     OUT, which is then swapped in, so that a failed build leaves the
//     previous OUT exactly as it was.
//
// A Session (session.go, watch mode) runs the same stages: after a change it
// loads the changed notes, makes the model again, plans every output and
// renders and writes only those whose keys changed, while the open index
// takes the changed notes' documents on another core. Outputs that cannot
// have changed may be kept rather than planned (output.kept: the pages of
// people and organizations, thousands on a large site, whose notes are as
// they were). A new kind of page is one declaration in plan. The same input
// gives byte-identical output, which a randomized replay of an editor's
// saves checks against full builds (replay_test.go).
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
	"context"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

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
	// (Build, as opposed to a Session): the notes' Markdown is then not
	// held from the stage that reads it to the end of the build, and on a
	// large site (see keepMarkdown) neither are their rendered bodies,
	// plain text and data, which are read and made again where a page, a
	// feed, a data file or the index needs them, so that such a build
	// holds them only for the notes being written. A note's file that
	// changes meanwhile fails the build (source.ErrChanged): what it
	// writes shows one version of each note.
	transient bool
	// keepLimit, when not 0, replaces keepMarkdown, for tests; below 0 a
	// transient build keeps nothing.
	keepLimit int64

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
		return filepath.Clean(c.Out) // «out/.» would not rename
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
	// linking are the notes rendered by this build whose bodies link
	// from /, whose links plan checks once it knows every output.
	linking []linking
	// latestNote is the note published last (latest).
	latestOnce sync.Once
	latestNote *note
	// last is the model of the session's last build when it had the same
	// templates, whose outputs plan may keep (output.kept); nil after plan.
	last *model
	// keep says that the notes keep what is made for them (keeps).
	keep bool
}

// keepMarkdown is the most Markdown, in bytes, that the notes of a
// transient build may have for the build to keep their rendered bodies,
// plain text and data once made, as a Session does, rather than make them
// again for every page, feed, list and index document that shows a note:
// that took a large part of a build's processor time, while keeping them
// takes more heap than the Markdown itself (docs/BENCHMARKS.md). Under
// this size, a build that keeps them stays within the memory budget of
// `digest build` (cmd/digest); a larger site keeps none.
const keepMarkdown = 128 << 20

// keeps reports whether the build keeps what it makes for its notes:
// a Session always, a transient build when its notes' Markdown is at most
// keepMarkdown.
func (b *builder) keeps() bool {
	if !b.cfg.transient {
		return true
	}
	limit := int64(keepMarkdown)
	if b.cfg.keepLimit != 0 {
		limit = b.cfg.keepLimit
	}
	var size int64
	for _, n := range b.model.notes {
		size += int64(n.Size)
	}
	return size <= limit
}

// write renders the site src into the empty folder dir: pages on every core,
// the search index beside them at the same time. It returns the result and
// the key of every output written, for later incremental builds (none for a
// transient build). It sets
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
	fsys, done := source.SiteFS(root)
	defer done()
	b, err := prepare(ctx, cfg, src, tmpl, fsys, nil, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	notes := b.model.notes
	log.Debug("markdown", "notes", len(notes), "seconds", time.Since(stage).Seconds(), "kept", b.keep)
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
			ixDir := filepath.Join(dir, search.DirName)
			if err := search.BuildFrom(rctx, ixDir, ids, b.document, b.model.src); err != nil {
				return err // says it is the index's
			}
			if err := copyTemplates(tmpl, ixDir); err != nil {
				return fmt.Errorf("search index: %w", err)
			}
			return nil
		})
		if err != nil {
			cancel(err)
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
	paths := make([]string, len(outs)) // a transient build's outs are gone once written
	for i, o := range outs {
		paths[i] = o.path
	}

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
	if err := recordFiles(dir, paths); err != nil {
		return nil, nil, nil, fmt.Errorf("listing the output's files: %w", err)
	}
	if cfg.transient {
		return res, b, nil, nil // outs are gone, and no later build needs their keys
	}
	return res, b, keyMap(outs), nil
}

func logger(cfg Config) *slog.Logger {
	if cfg.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return cfg.Logger
}

var keySeed = maphash.MakeSeed()

// maxEcho is how much of a path or value a message repeats: a slug of
// thousands of characters must not bury the message.
const maxEcho = 120

// descriptionRunes is how much of a note's text its page's description
// shows, at most.
const descriptionRunes = 200
