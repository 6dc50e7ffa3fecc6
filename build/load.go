package build

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/yuin/goldmark/ast"
	"golang.org/x/sync/errgroup"

	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/source"
	"github.com/coopdigest/digest/templates"
)

// Load: the site's source and templates, read and validated; nothing is
// written when they have a problem. Package source does the reading.

// Check reads and validates a site's source without writing anything.
func Check(site string) (*source.Site, error) {
	return source.LoadDir(site)
}

// LoadTemplates parses the default templates with the site's own
// templates/ folder, if it has one, overriding them file by file.
func LoadTemplates(site string) (*templates.Set, error) {
	dir := filepath.Join(site, "templates")
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return templates.Load(nil)
	}
	// Read through a root, as notes are: a symbolic link is followed only
	// inside templates/, and a file is looked at before it is opened.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	defer root.Close()
	return templates.Load(root.FS())
}

// copyTemplates writes the site's own templates that tmpl was loaded with
// (templates.Set.Own) into the index folder indexDir, as search.SiteDir
// lays it out, in place of those written before: a server of OUT alone
// renders the search page with them, as the build rendered the pages, and
// links the same fingerprinted stylesheet.
func copyTemplates(tmpl *templates.Set, indexDir string) error {
	dst := filepath.Join(search.SiteDir(indexDir), "templates")
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	if len(tmpl.Own()) == 0 {
		return nil
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for name, data := range tmpl.Own() {
		if err := os.WriteFile(filepath.Join(dst, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// checkFiles reports, as source.Errors, the files of the site src that a
// build with the templates tmpl would refuse to publish: where it writes a
// file of its own, or where another file goes: it plans the site's outputs
// as a build does (the pictures of the notes' bodies are checkMarkdown's),
// and returns the warnings of the links of linked that lead to none of
// them (deadLinks). First it tries the search page, as a build does
// (templates.Set.TrySearchPage); last, when the site has templates of its
// own, it renders the first page of each template, so that one that parses
// but fails on a page fails here too, as an error that is no source.Errors.
func checkFiles(site string, src *source.Site, tmpl *templates.Set, linked []linking) (warnings []string, err error) {
	if err := tmpl.TrySearchPage(src); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(site)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	cfg := Config{Site: site}
	b := &builder{cfg: cfg, model: newModel(src, src.Published(false), nil), tmpl: tmpl, site: root.FS(), today: cfg.today(), linking: linked}
	b.relate(nil)
	outs, err := b.plan()
	if err != nil || len(tmpl.Own()) == 0 {
		return b.warnings, err
	}
	tried := map[string]bool{}
	var buf bytes.Buffer
	for _, o := range outs {
		if o.tmpl == "" || tried[o.tmpl] {
			continue
		}
		tried[o.tmpl] = true
		buf.Reset()
		if err := protect(logger(cfg), o.path, func() error { return o.render(&buf) }); err != nil {
			return b.warnings, o.fail("rendering", err)
		}
	}
	return b.warnings, nil
}

// CheckAll adds to problems, the source's (Check), what else a build of the
// site src would refuse, as digest check reports it and as a build that
// stops at the source's problems does, so that one run reports every
// problem: the notes' Markdown (checkMarkdown), the templates, and the
// files it would not publish where they go (checkFiles). It returns the
// Markdown's warnings and those of links to no page of the site, sorted,
// and every problem sorted, as source.Errors, with a template's error
// joined to them; nil for none.
func CheckAll(ctx context.Context, site string, src *source.Site, problems source.Errors) (warnings []string, err error) {
	warnings, linked, err := checkMarkdown(ctx, src)
	var more source.Errors
	switch {
	case errors.As(err, &more):
		problems = slices.Concat(problems, more)
	case err != nil:
		return nil, err
	}
	tmpl, tmplErr := LoadTemplates(site)
	if tmplErr == nil {
		dead, err := checkFiles(site, src, tmpl, linked)
		warnings = withWarnings(warnings, dead)
		switch {
		case errors.As(err, &more):
			problems = slices.Concat(problems, more)
		case err != nil:
			tmplErr = err
		}
	}
	switch {
	case len(problems) == 0:
		return warnings, tmplErr
	case tmplErr == nil:
		return warnings, sorted(problems)
	}
	return warnings, errors.Join(sorted(problems), tmplErr)
}

// sorted sorts problems by file, line and column, as source does.
func sorted(problems source.Errors) source.Errors {
	slices.SortFunc(problems, func(a, b *source.FileError) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	return problems
}

// byPlace orders lines of warnings as sorted orders problems: by file, then
// line and column as numbers («x.md:9:1» before «x.md:15:1»), for those
// that begin with a place; then as text.
func byPlace(a, b string) int {
	pa, pb := placeOf.FindStringSubmatch(a), placeOf.FindStringSubmatch(b)
	if pa == nil || pb == nil || pa[1] != pb[1] {
		return strings.Compare(a, b)
	}
	num := func(s string) int { n, _ := strconv.Atoi(s); return n }
	return cmp.Or(cmp.Compare(num(pa[2]), num(pb[2])), cmp.Compare(num(pa[3]), num(pb[3])), strings.Compare(a, b))
}

// withWarnings returns warnings with more among them, sorted by place;
// warnings as they are when there is no more.
func withWarnings(warnings, more []string) []string {
	if len(more) == 0 {
		return warnings
	}
	warnings = append(warnings, more...)
	slices.SortFunc(warnings, byPlace)
	return warnings
}

// placeOf is the place a warning begins with: file:line:col.
var placeOf = regexp.MustCompile(`^(.+?):(\d{1,9}):(\d{1,9}): `)

// checkMarkdown parses the body of every note of src, drafts included, as a
// build would, and reports every note that goes past a limit on Markdown
// (see limits.go) or shows a picture that is not among the site's files,
// all at once, as source.Errors. Nothing is rendered. warnings are what a
// build would warn of: pictures from other sites, which digest serve does
// not show; one line each, sorted. linked are the published notes whose
// bodies link from /, for checkFiles to look up (deadLinks).
func checkMarkdown(ctx context.Context, src *source.Site) (warnings []string, linked []linking, err error) {
	var mu sync.Mutex
	var problems source.Errors
	pages := map[string]string{} // the notes a build publishes, as links to their files lead
	for _, n := range src.Published(false) {
		pages[n.File] = n.URL()
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, n := range slices.Concat(src.Notes, src.Rejected) {
		if n.Body == nil {
			continue // loaded without it
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			im := &images{note: n.File, files: src.Files, pages: func(file string) string { return pages[file] }}
			var rep error
			err := parseMarkdown(n.Body, im, func(doc ast.Node) error {
				rep = repeated(n, plainText(doc, n.Body))
				return nil
			})
			mu.Lock()
			defer mu.Unlock()
			if len(im.rooted) > 0 && pages[n.File] != "" {
				linked = append(linked, linking{n, im.rooted})
			}
			problems = append(problems, markdownProblems(n, err, im)...)
			for _, w := range im.warnings {
				warnings = append(warnings, noteError(n, w).Error())
			}
			if rep != nil {
				warnings = append(warnings, rep.Error())
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	if len(problems) > 0 {
		return nil, nil, sorted(problems)
	}
	slices.SortFunc(warnings, byPlace)
	return warnings, linked, nil
}

// markdownProblems are the problems of the Markdown of the note n, as
// parseMarkdown left them: err, and the pictures im did not find.
func markdownProblems(n *source.Note, err error, im *images) []*source.FileError {
	var found []*source.FileError
	if err != nil {
		found = append(found, noteError(n, err))
	}
	for _, p := range im.problems {
		found = append(found, noteError(n, p))
	}
	return found
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

// repeated is the warning for a note whose text repeats a word more than
// the index keeps (search.Document's Cut), or nil.
func repeated(n *source.Note, text string) error {
	word := search.Cut(n, text)
	if word == "" {
		return nil
	}
	return &source.FileError{File: n.File, Err: fmt.Errorf("«%s» comes more than %d times in the note: search finds its words up to there only",
		clip(word, maxEcho), search.MaxRepeats)}
}

// load reads and validates the site's source; the notes hold their bodies
// unless the build is transient, which reads each body again where it
// needs it (source.Note.ReadBody). It returns when ctx is done even though
// source.Load does not look at ctx: the reading goes on in the background,
// and its result is dropped.
func load(ctx context.Context, cfg Config) (*source.Site, error) {
	type result struct {
		src *source.Site
		err error
	}
	done := make(chan result, 1)
	go func() {
		var src *source.Site
		var err error
		if cfg.transient {
			src, err = source.LoadDirWithoutBodies(cfg.Site)
		} else {
			src, err = Check(cfg.Site)
		}
		var problems source.Errors
		if errors.As(err, &problems) && src != nil {
			// Every problem at once: the notes' Markdown too, which a
			// build loaded without the bodies reads again for it.
			if cfg.transient {
				if full, _ := Check(cfg.Site); full != nil {
					src = full
				}
			}
			_, err = CheckAll(ctx, cfg.Site, src, problems)
		}
		done <- result{src, err}
	}()
	select {
	case r := <-done:
		return r.src, r.err
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}
