package build

import (
	"bufio"
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
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yuin/goldmark/ast"
	"golang.org/x/sync/errgroup"

	"github.com/coopdigest/digest/search"
	"github.com/coopdigest/digest/source"
	"github.com/coopdigest/digest/templates"
)

// Render: every output that plan (pages.go) declares is rendered, on every
// core, by its render function, and each output's key (a fingerprint of
// what it shows) is computed, so that a Session renders again only the
// outputs whose keys changed.

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

// document is the search document of the published note i. A build that
// keeps no note's text (keepMarkdown) parses its Markdown again for it.
func (b *builder) document(i int) (search.Document, error) {
	n := b.model.notes[i]
	text := n.text
	if !b.keep {
		body, err := b.markdown(n)
		if err != nil {
			return search.Document{}, err
		}
		err = parseMarkdown(body, &images{note: n.File, files: b.model.src.Files, pages: b.model.pageOf}, func(doc ast.Node) error {
			text = plainText(doc, body)
			return nil
		})
		if err != nil {
			return search.Document{}, noteError(n.Note, err)
		}
	}
	return search.FromNote(n.Note, text, &b.model.src.Taxonomies), nil
}

// body is the rendered Markdown of the note n and, when text is true, its
// plain text: held since prepare, or, when the build keeps none (see
// keepMarkdown), made again.
func (b *builder) body(n *note, text bool) (template.HTML, string, error) {
	if b.keep {
		return n.html, n.text, nil
	}
	body, err := b.markdown(n)
	if err != nil {
		return "", "", err
	}
	html, plain, err := renderMarkdown(body, &images{note: n.File, files: b.model.src.Files, pages: b.model.pageOf}, text)
	if err != nil {
		return "", "", noteError(n.Note, err)
	}
	return template.HTML(html), plain, nil
}

// markdown is the Markdown of the note n: held by the note, or, in a
// transient build, whose notes do not hold it, read again from the site
// folder, which must still have the note as the build read it.
func (b *builder) markdown(n *note) ([]byte, error) {
	return n.ReadBody(b.site, b.model.src.Settings.Limits.Note)
}

// keys computes the fingerprint of every output but the kept ones (which
// keep the last build's), in outs' order, on every core.
func keys(outs []output) []uint64 {
	sums := make([]uint64, len(outs))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			var h maphash.Hash
			h.SetSeed(keySeed)
			for i := w; i < len(outs); i += workers {
				if outs[i].kept {
					continue
				}
				h.Reset()
				outs[i].key(&h)
				sums[i] = h.Sum64()
			}
		})
	}
	wg.Wait()
	return sums
}

// keyMap is the fingerprint of each output of a full build by path.
func keyMap(outs []output) map[string]uint64 {
	sums := keys(outs)
	m := make(map[string]uint64, len(outs))
	for i, o := range outs {
		m[o.path] = sums[i]
	}
	return m
}

// renderAll renders outs into dir on every core. A transient build's
// outputs are let go as they are rendered: outs is empty after.
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
			bw := bufio.NewWriterSize(nil, 64<<10)
			for o := range next {
				dst := filepath.Join(dir, filepath.FromSlash(o.path))
				if o.from != "" {
					if err := copyFile(site, o.from, o.limit, dst); err != nil {
						return o.fail("copying "+o.from+" to", err)
					}
					written.Add(1)
					continue
				}
				if o.stream != nil {
					if err := protect(log, o.path, func() error { return streamFile(dst, bw, o.stream) }); err != nil {
						return o.fail("writing", err)
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
		for i, o := range outs {
			select {
			case next <- o:
			case <-gctx.Done():
				return gctx.Err()
			}
			if cfg.transient {
				// No later build asks for its key: what only its render
				// function holds may go once it is written.
				outs[i] = output{}
			}
		}
		return nil
	})
	return g.Wait()
}

// streamFile writes the file dst with stream, through bw.
func streamFile(dst string, bw *bufio.Writer, stream func(w io.Writer) error) error {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	bw.Reset(f)
	err = stream(bw)
	if err == nil {
		err = bw.Flush()
	}
	bw.Reset(nil) // no hold on the file
	return errors.Join(err, f.Close())
}

// fail describes a failure to make the output: it names the note the page
// comes from, if any, and the page by its path in OUT, never by the
// temporary folder the build writes into.
func (o output) fail(doing string, err error) error {
	var pe *fs.PathError
	var fe *source.FileError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &fe) && fe.File == o.note && fe.Line == 0:
		err = fe.Err // the note is named once, below
	}
	err = fmt.Errorf("%s %s: %w", doing, clipMiddle(o.path, maxEcho), err)
	if o.note != "" {
		return &source.FileError{File: o.note, Err: err}
	}
	return err
}

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

// render executes a page template with the site's settings.
func (b *builder) render(buf *bytes.Buffer, name string, p *templates.Page) error {
	p.Site = b.model.src.Settings
	p.Live = b.cfg.Live
	if v, ok := p.Data.(noteView); ok {
		// A build that keeps no note's text (keepMarkdown): the
		// description of a note without a summary, the start of its
		// text, is made here with its body.
		describe := !b.keep && v.note.Summary == ""
		// The body is rendered Markdown of our own, safe to include as HTML.
		body, text, err := b.body(v.note, describe)
		if err != nil {
			return err
		}
		if describe {
			p.Description = excerpt(text, descriptionRunes)
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

// splitOutputs returns the outputs for which later is false, then the others.
func splitOutputs(outs []output, later func(output) bool) (now, rest []output) {
	for _, o := range outs {
		if later(o) {
			rest = append(rest, o)
		} else {
			now = append(now, o)
		}
	}
	return now, rest
}

// renderOutputs renders outs on every core; copies (from) are left to
// writeOutputs.
func renderOutputs(ctx context.Context, cfg Config, outs []output) ([][]byte, error) {
	bufs := make([][]byte, len(outs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, o := range outs {
		if o.from != "" {
			continue // copied as it is written
		}
		g.Go(func() error {
			if gctx.Err() != nil {
				return gctx.Err()
			}
			var buf bytes.Buffer
			render := o.render
			if o.stream != nil {
				render = func(buf *bytes.Buffer) error { return o.stream(buf) }
			}
			if err := protect(logger(cfg), o.path, func() error { return render(&buf) }); err != nil {
				return o.fail("rendering", err)
			}
			bufs[i] = buf.Bytes()
			return nil
		})
	}
	return bufs, g.Wait()
}
