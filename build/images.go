package build

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // DecodeConfig reads the size of GIF, JPEG and PNG pictures
	_ "image/jpeg"
	_ "image/png"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/coopdigest/digest/source"
	"github.com/coopdigest/digest/templates"
)

// images finds the pictures of one note's body among the site's files, as
// Markdown is parsed: a relative one (![](photo.jpg)) beside the note, one
// from / (![](/img/logo.png)) in content/static/, as source.Files.Resolve
// does. Each found picture's destination becomes its path on the site,
// which holds in the note's page and in feeds alike; each missing one is a
// problem at its place, and a picture from another site a warning: the
// server's Content-Security-Policy lets pages show only their site's own.
//
// A relative link is read the same way, as an editor's Markdown tool and
// GitHub read it, from the note's file: to a file beside the note
// ([отчёт](report.pdf)), which is then published, or to another note's
// file ([форум](../2024/forum.md)), whose page it then leads to. One that
// names neither is a warning, as the page would resolve it against the
// note's address and lead nowhere; a link from / is left as written.
type images struct {
	note  string
	files source.Files
	// pages gives the address of the published note of a file, "" for
	// none: where a link to the file leads.
	pages func(file string) string

	refs     []string         // the files the body shows or links, by Path, sorted, once each
	links    []string         // the notes' files it links, in order, and the files it links that are not there
	problems []*markdownError // pictures that name no file to publish
	warnings []*markdownError // pictures from other sites, raw HTML (omittedHTML), links to nothing
	rooted   []rootLink       // links from / (/regions/beijing/), which only the site's outputs can tell dead (deadLinks)
}

// rootLink is a link of a note's body that leads from /, at its line and
// column, counted from the body's first line as markdownError counts. A
// relative link to no file of content/ is one too, from the note's page:
// dest is then the page's address followed by the link as written.
type rootLink struct {
	line, col int
	dest      string
	written   string // the relative link as the note writes it; "" for one from /
}

// linking is a note and the links of its body that lead from /.
type linking struct {
	note  *source.Note
	links []rootLink
}

var imagesKey = parser.NewContextKey()

// localImages is the AST transformer that does what images says, when the
// parse has an *images in its context; it runs after safeLinks, so that only
// safe destinations are looked at.
type localImages struct{}

func (localImages) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	im, ok := pc.Get(imagesKey).(*images)
	if !ok || im == nil {
		return
	}
	src := reader.Source()
	if !bytes.Contains(src, []byte("![")) && !bytes.Contains(src, []byte("](")) && !bytes.Contains(src, []byte("]:")) {
		return // no picture and no link: most notes need no walk
	}
	at := &lineCounter{src: src}
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if link, ok := n.(*ast.Link); ok && entering {
			im.link(link, at)
			return ast.WalkContinue, nil
		}
		img, ok := n.(*ast.Image)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		// The destination as goldmark writes it (util.URLEscape): a file
		// «a_b.png» may be written «a\_b.png» or «a&#95;b.png».
		dest := string(util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(img.Destination))))
		line, col := at.position(inlinePos(img))
		switch {
		case source.Local(dest):
			f, err := im.files.Resolve(im.note, dest)
			if err != nil {
				im.problems = append(im.problems, &markdownError{Line: line, Col: col, Err: fmt.Errorf("image %w", err)})
				return ast.WalkContinue, nil
			}
			img.Destination = []byte(sitePath(f.URL()))
			if i, found := slices.BinarySearch(im.refs, f.Path); !found {
				im.refs = slices.Insert(im.refs, i, f.Path)
			}
		case remote(dest):
			im.warnings = append(im.warnings, &markdownError{Line: line, Col: col, Err: fmt.Errorf(
				"image %s is on another site: digest serve lets pages show only the site's own pictures (its Content-Security-Policy), so readers see its description instead; save it beside the note and name the file: ![…](photo.jpg)", clip(dest, 60))})
		}
		return ast.WalkContinue, nil
	})
}

// link makes a relative link to a file beside the note, or to another
// note's file, lead to its address on the site (images).
func (im *images) link(link *ast.Link, at *lineCounter) {
	dest := string(util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(link.Destination))))
	if !source.Local(dest) {
		return
	}
	if strings.HasPrefix(dest, "/") {
		line, col := at.position(inlinePos(link))
		im.rooted = append(im.rooted, rootLink{line: line, col: col, dest: dest})
		return
	}
	p, err := source.RefPath(im.note, dest)
	if err != nil {
		// A folder (../2024/expo/), or a path out of content/: the page
		// resolves it against its own address, and so does deadLinks.
		if page := im.page(); page != "" {
			line, col := at.position(inlinePos(link))
			im.rooted = append(im.rooted, rootLink{line: line, col: col, dest: page + dest, written: dest})
		}
		return
	}
	suffix := ""
	if i := strings.IndexAny(dest, "?#"); i >= 0 {
		suffix = dest[i:]
	}
	to, err := im.target(p, dest)
	if err != nil {
		line, col := at.position(inlinePos(link))
		im.warnings = append(im.warnings, &markdownError{Line: line, Col: col, Err: fmt.Errorf(
			"link %w: readers would find nothing there (a link names a file or a note's file from the note's folder, or a page of the site from /, such as /2024/expo/)", err)})
		return
	}
	link.Destination = []byte(to + suffix)
	if source.IsNote(p) {
		return
	}
	if i, found := slices.BinarySearch(im.refs, p); !found {
		im.refs = slices.Insert(im.refs, i, p)
	}
}

// page is the address of the note's own page, "" when it has none.
func (im *images) page() string {
	if im.pages == nil {
		return ""
	}
	return im.pages(im.note)
}

// target is the address on the site of the file p that the relative link
// dest names: a published note's page, or a file beside the note.
func (im *images) target(p, dest string) (string, error) {
	if !source.IsNote(p) {
		f, err := im.files.Resolve(im.note, dest)
		if err != nil {
			im.links = append(im.links, p) // a file added later, the body is rendered again
			return "", err
		}
		return sitePath(f.URL()), nil
	}
	im.links = append(im.links, p)
	if im.pages != nil {
		if to := im.pages(p); to != "" {
			return to, nil
		}
	}
	return "", fmt.Errorf("%q: no published note %s", dest, p)
}

// deadLinks are the warnings of the links from / of the notes' bodies that
// lead to no file the build writes (outs) and to no search that digest
// serve answers (searchPaths): a page's address with a typo, or of a page
// that is gone. Warnings, not problems: a site may share its domain with
// pages of its own.
func deadLinks(outs []output, settings source.Settings, notes []linking) []string {
	if len(notes) == 0 {
		return nil
	}
	made := make(map[string]bool, len(outs))
	for _, o := range outs {
		made[o.path] = true
	}
	search := searchPaths(settings)
	var warnings []string
	for _, nl := range notes {
		for _, l := range nl.links {
			p := linkPath(l.dest)
			if search[p] || leadsTo(p, made) {
				continue
			}
			err := fmt.Errorf("link %s leads to no page or file of the site: readers would find nothing there (a link from / names a page by its address, such as /2024/expo/ or /regions/beijing/, or a file of content/static/ by its path)",
				clip(l.dest, 60))
			if l.written != "" {
				err = fmt.Errorf("link %s leads from the note's page to %s, no page or file of the site: readers would find nothing there (a relative link names a file or a note's file from the note's folder, such as ../2024/expo.md; a page is named from /, such as /2024/expo/)",
					clip(l.written, 60), clip(p, 60))
			}
			warnings = append(warnings, noteError(nl.note, &markdownError{Line: l.line, Col: l.col, Err: err}).Error())
		}
	}
	return warnings
}

// goneLinks are the warnings of the notes that this build did not render
// (b.linking has those it did) whose links from / led to one of the
// outputs it removes (gone), which plan could not tell.
func (b *builder) goneLinks(outs []output, gone []string) []string {
	if len(gone) == 0 {
		return nil
	}
	was := make(map[string]bool, len(gone))
	for _, p := range gone {
		was[p] = true
	}
	rendered := make(map[*source.Note]bool, len(b.linking))
	for _, l := range b.linking {
		rendered[l.note] = true
	}
	var hit []linking
	for _, n := range b.model.notes {
		if len(n.rooted) == 0 || rendered[n.Note] {
			continue
		}
		for _, l := range n.rooted {
			if leadsTo(linkPath(l.dest), was) {
				hit = append(hit, linking{n.Note, n.rooted})
				break
			}
		}
	}
	return deadLinks(outs, b.model.src.Settings, hit)
}

// linkPath is the path on the site of dest, a link from /: without its
// query and fragment, %-escapes decoded, cleaned, a folder's ending in /.
func linkPath(dest string) string {
	p := dest
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	folder := strings.HasSuffix(p, "/")
	if p = path.Clean(p); folder && p != "/" {
		p += "/"
	}
	return p
}

// leadsTo reports whether p, a linkPath, names a file of made, by its path
// in OUT: a folder (/2024/expo/) its index.html, a path without the
// slash (/2024) a file or a folder, as digest serve and static hosts serve
// them.
func leadsTo(p string, made map[string]bool) bool {
	f := strings.TrimPrefix(p, "/")
	switch {
	case p == "/":
		return true // the home page
	case strings.HasSuffix(p, "/"):
		return made[f+"index.html"]
	}
	return made[f] || made[f+"/index.html"]
}

// searchPaths are the paths of the search that digest serve answers,
// whatever search_url says, and search_url's when it is on the site.
func searchPaths(s source.Settings) map[string]bool {
	sp := source.SearchPath
	paths := map[string]bool{sp: true, sp + "/": true, "/api/search": true, sp + ".atom": true}
	if u := ownSearch(s); u != nil {
		paths[linkPath(u.Path)] = true
	}
	return paths
}

// ownSearch is the search page's address when the site serves it, on
// base_url's host or from /; nil when search_url is on another host.
func ownSearch(s source.Settings) *url.URL {
	u, err := url.Parse(s.SearchURL)
	if base, berr := url.Parse(s.BaseURL); err == nil && (u.Host == "" || berr == nil && strings.EqualFold(u.Host, base.Host)) {
		return u
	}
	return nil
}

// inlinePos is the offset of a picture or link in the source: where
// goldmark recorded its "![" or "[", or else where its block starts.
func inlinePos(n ast.Node) int {
	if p := n.Pos(); p >= 0 {
		return p
	}
	for n := n.Parent(); n != nil; n = n.Parent() {
		if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
			return n.Lines().At(0).Start
		}
	}
	return 0
}

// remote reports whether a destination is on another site: http, https or
// scheme-relative.
func remote(dest string) bool {
	d := strings.ToLower(dest)
	return strings.HasPrefix(d, "http://") || strings.HasPrefix(d, "https://") || strings.HasPrefix(d, "//")
}

// sitePath escapes a file's path on the site for a URL: /фото 1.jpg is
// /%D1%84%D0%BE%D1%82%D0%BE%201.jpg, and # and ? in a name stay part of it.
func sitePath(p string) string { return (&url.URL{Path: p}).EscapedPath() }

// noteImage is what a note page shows of the note's picture, and whether
// link previews can show it (og:image): PNG, JPEG and GIF, whose size it
// reads from the file's first bytes; WebP, AVIF and SVG are shown on the
// page only, and links to it show the site's picture. A file that says it
// is a PNG, JPEG or GIF and is none of them is a problem at the field.
func noteImage(site fs.FS, n *source.Note, files source.Files, limit int64) (*templates.Image, bool, error) {
	f := files[n.ImageFile]
	if f == nil {
		return nil, false, nil
	}
	img := &templates.Image{URL: sitePath(f.URL()), Alt: n.ImageAlt}
	ext := strings.ToLower(f.Path[strings.LastIndexByte(f.Path, '.')+1:])
	switch ext {
	case "png", "jpg", "jpeg", "gif":
	default:
		return img, false, nil
	}
	r, err := source.OpenFile(site, f.Path, limit)
	if err != nil {
		return nil, false, &source.FileError{File: n.File, Line: n.ImagePos.Line, Col: n.ImagePos.Col, Err: fmt.Errorf("image %s: %w", f.Path, err)}
	}
	defer r.Close()
	cfg, _, err := image.DecodeConfig(r)
	if err != nil {
		return nil, false, &source.FileError{File: n.File, Line: n.ImagePos.Line, Col: n.ImagePos.Col,
			Err: fmt.Errorf("image %s: not a picture that a browser shows as .%s (%v)", f.Path, ext, err)}
	}
	img.Width, img.Height = cfg.Width, cfg.Height
	return img, true, nil
}
