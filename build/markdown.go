package build

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"

	"github.com/gosimple/slug"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"golang.org/x/sync/semaphore"
)

// markdown converts note bodies: CommonMark with GitHub tables, strikethrough,
// autolinks and footnotes, Russian typographic quotes, heading ids
// transliterated from Russian, and no raw HTML (goldmark omits it unless told
// otherwise, and it is never told). Links and images whose URL has a scheme
// other than http, https or mailto are reduced to their text. The parser is
// goldmark's own with the limits of limits.go around some of its parts.
var markdown = goldmark.New(
	goldmark.WithParser(parser.NewParser(
		parser.WithBlockParsers(limitedBlockParsers()...),
		parser.WithInlineParsers(parser.DefaultInlineParsers()...),
		parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
		parser.WithParagraphTransformers(
			util.Prioritized(costCheck{}, costCheckFirst),
			util.Prioritized(costCheck{after: true}, costCheckLast),
		),
	)),
	goldmark.WithExtensions(
		tables{},
		extension.Strikethrough,
		extension.Linkify,
		extension.TaskList,
		limitedFootnotes{},
		extension.NewTypographer(extension.WithTypographicSubstitutions(map[extension.TypographicPunctuation]string{
			extension.LeftDoubleQuote:  "&laquo;",
			extension.RightDoubleQuote: "&raquo;",
		})),
	),
	goldmark.WithParserOptions(
		parser.WithAutoHeadingID(),
		parser.WithASTTransformers(util.Prioritized(referenceLimit{}, 50), util.Prioritized(safeLinks{}, 100), util.Prioritized(tableLayout{}, 100), util.Prioritized(localImages{}, 200),
			util.Prioritized(omittedHTML{}, 200)),
	),
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(tableWrapper{}, 100))),
)

// renderMarkdown returns the body as HTML and, when withText, as plain text
// for the index. A body that goes past one of the limits of limits.go is not
// rendered: the error is a *markdownError that says where and which. With
// im, pictures are found as images says, and im holds what was found.
func renderMarkdown(src []byte, im *images, withText bool) (html []byte, plain string, err error) {
	err = parseMarkdown(src, im, func(doc ast.Node) (err error) {
		if html, err = renderHTML(src, doc); err == nil && withText {
			plain = plainText(doc, src)
		}
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return html, plain, nil
}

// renderHTML renders doc, parsed from src by parseMarkdown, as HTML.
func renderHTML(src []byte, doc ast.Node) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(src) + len(src)/4)
	if err := markdown.Renderer().Render(&buf, src, doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// parseMarkdown parses a body within the limits of limits.go, finding its
// pictures as im says when im is not nil, and calls use with its syntax
// tree, which use must not keep. At most treesAtOnce bytes of Markdown are
// held as trees at a time (a note larger alone): a tree takes up to a few
// hundred times its text (runs of emphasis, inline tags), and notes are
// parsed on every processor, so that a few large notes would otherwise
// take memory by the number of processors.
func parseMarkdown(src []byte, im *images, use func(doc ast.Node) error) error {
	weight := min(int64(len(src)), treesAtOnce)
	_ = trees.Acquire(context.Background(), weight) // never fails without a deadline
	defer trees.Release(weight)
	lim := &limits{src: src}
	ctx := parser.NewContext(parser.WithIDs(&headingIDs{used: map[string]bool{}, next: map[string]int{}}))
	ctx.Set(limitsKey, lim)
	if im != nil {
		ctx.Set(imagesKey, im)
	}
	doc := markdown.Parser().Parse(text.NewReader(src), parser.WithContext(ctx))
	if lim.err != nil {
		return lim.err
	}
	return use(doc)
}

// treesAtOnce is how many bytes of Markdown parseMarkdown holds as syntax
// trees at once: two notes of the default limits.note.
const treesAtOnce = 8 << 20

var trees = semaphore.NewWeighted(treesAtOnce)

// plainText collects the words of a document, one block a line.
func plainText(doc ast.Node, src []byte) string {
	var b strings.Builder
	b.Grow(len(src))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.Text:
			if entering {
				writeText(&b, n.Segment.Value(src))
				if n.SoftLineBreak() || n.HardLineBreak() {
					b.WriteByte(' ')
				}
			}
		case *ast.String:
			if entering {
				// The typographer's «, » and — are written as entities.
				b.WriteString(html.UnescapeString(string(n.Value)))
			}
		case *ast.CodeSpan:
			// Code is written as it is, entities and backslashes too.
			if entering {
				for c := n.FirstChild(); c != nil; c = c.NextSibling() {
					if t, ok := c.(*ast.Text); ok {
						b.Write(t.Segment.Value(src))
					}
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.AutoLink:
			if entering {
				b.Write(n.Label(src))
			}
			return ast.WalkSkipChildren, nil
		default:
			if !entering && n.Type() == ast.TypeBlock {
				b.WriteByte('\n')
			} else if n.Kind() == ast.KindCodeBlock || n.Kind() == ast.KindFencedCodeBlock {
				if entering {
					lines := n.Lines()
					for i := 0; i < lines.Len(); i++ {
						seg := lines.At(i)
						b.Write(seg.Value(src))
					}
				}
			}
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// writeText writes a text of the Markdown as the page shows it: entities
// (&nbsp;, &laquo;, &#8212;) as their characters, and backslash escapes
// as the character escaped. goldmark resolves both only as it writes
// HTML, so the text is written as HTML by goldmark's own writer, and that
// HTML read back as text.
func writeText(b *strings.Builder, v []byte) {
	if !bytes.ContainsAny(v, "&\\\x00") {
		b.Write(v)
		return
	}
	var out bytes.Buffer
	w := bufio.NewWriter(&out)
	gmhtml.DefaultWriter.Write(w, v)
	w.Flush()
	b.WriteString(html.UnescapeString(out.String()))
}

// headingIDs gives headings ids transliterated from their text, so that
// «Сотрудничество регионов» becomes sotrudnichestvo-regionov rather than the
// default generator's "heading"; repeats get -1, -2 and so on.
type headingIDs struct {
	used map[string]bool
	// next is, for a base id, the first suffix not yet known to be taken:
	// a note of many equal headings costs time in proportion to their number.
	next map[string]int
}

// silentSigns drops the soft and hard signs, which carry no sound of their
// own, rather than let them split a word (посольстве → posolstve, not
// posol-stve).
var silentSigns = strings.NewReplacer("ь", "", "ъ", "", "Ь", "", "Ъ", "")

func (h *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	base := slug.Make(silentSigns.Replace(string(value)))
	if base == "" {
		base = "section"
	}
	id := base
	if h.used[id] {
		i := max(h.next[base], 1)
		for h.used[base+"-"+strconv.Itoa(i)] {
			i++
		}
		id = base + "-" + strconv.Itoa(i)
		h.next[base] = i + 1
	}
	h.used[id] = true
	return []byte(id)
}

func (h *headingIDs) Put(value []byte) { h.used[string(value)] = true }

var schemeRE = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]*):`)

// safeURL reports whether a link destination may be emitted: relative URLs,
// fragments and the http, https and mailto schemes.
func safeURL(dest []byte) bool {
	// goldmark leaves entities in the destination and resolves them when it
	// writes the attribute; browsers ignore control characters and spaces
	// inside a scheme. Judge the URL as the browser will see it.
	cleaned := strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, html.UnescapeString(string(dest)))
	m := schemeRE.FindStringSubmatch(cleaned)
	if m == nil {
		return !strings.Contains(cleaned, ":") || strings.IndexAny(cleaned, "/?#") < strings.Index(cleaned, ":")
	}
	switch strings.ToLower(m[1]) {
	case "http", "https", "mailto":
		return true
	}
	return false
}

// safeLinks replaces links and images with unsafe URLs by their text.
type safeLinks struct{}

func (safeLinks) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var bad []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			if !safeURL(n.Destination) {
				bad = append(bad, n)
			}
		case *ast.Image:
			if !safeURL(n.Destination) {
				bad = append(bad, n)
			}
		case *ast.AutoLink:
			if !safeURL(n.URL(src)) {
				bad = append(bad, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range bad {
		parent := n.Parent()
		if parent == nil {
			continue
		}
		if al, ok := n.(*ast.AutoLink); ok {
			parent.ReplaceChild(parent, n, ast.NewString(al.Label(src)))
			continue
		}
		for c := n.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, n, c)
			c = next
		}
		parent.RemoveChild(parent, n)
	}
}

// omittedHTML is the AST transformer that warns, when the parse has an
// *images in its context, of the raw HTML of a note, which is not
// published: an editor who pastes a press release's HTML would otherwise
// find its text missing from the page and the search without a word. One
// warning a note, at the first tag; closing tags and comments, which are
// meant to be left out, are not counted.
type omittedHTML struct{}

func (omittedHTML) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	im, ok := pc.Get(imagesKey).(*images)
	src := reader.Source()
	if !ok || im == nil || bytes.IndexByte(src, '<') < 0 {
		return // no tag: most notes need no walk
	}
	first, n := -1, 0
	var tag []byte
	_ = ast.Walk(doc, func(node ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		var segs *text.Segments
		switch node := node.(type) {
		case *ast.HTMLBlock:
			if node.HTMLBlockType != ast.HTMLBlockType2 {
				segs = node.Lines()
			}
		case *ast.RawHTML:
			segs = node.Segments
		}
		if segs == nil || segs.Len() == 0 {
			return ast.WalkContinue, nil
		}
		seg := segs.At(0)
		if v := seg.Value(src); !bytes.HasPrefix(v, []byte("<!--")) && !bytes.HasPrefix(v, []byte("</")) {
			if n++; first < 0 {
				first, tag = seg.Start, v
			}
		}
		return ast.WalkSkipChildren, nil
	})
	if n == 0 {
		return
	}
	line, col := position(src, first)
	places := ""
	if n > 1 {
		places = fmt.Sprintf(" (%d places, this the first)", n)
	}
	im.warnings = append(im.warnings, &markdownError{Line: line, Col: col, Err: fmt.Errorf(
		"raw HTML %s is not published%s: the page and the search leave out its tags, and a block of HTML with all it holds; write it in Markdown",
		clip(strings.TrimSpace(string(tag)), 40), places)})
}

// tables is goldmark's table extension (extension.Table) but for what it
// does with «\|» in code spans of cells (tableLayout does it) and how it
// writes a cell's alignment (tableWrapper does).
type tables struct{}

func (tables) Extend(m goldmark.Markdown) {
	// As extension.Table does, with the same priorities.
	m.Parser().AddOptions(parser.WithParagraphTransformers(util.Prioritized(extension.NewTableParagraphTransformer(), 200)))
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(
		extension.NewTableHTMLRenderer(extension.WithTableCellAlignMethod(extension.TableCellAlignNone)), 500)))
}

// tableLayout names the tables of a note for their wrappers: «Таблица», or
// «Таблица 1», «Таблица 2»… when there are several. And it does what
// goldmark's table AST transformer does, in one pass: in a code span of a
// cell, «\|» is «|» (the backslash keeps the pipe from ending the cell).
// goldmark's goes through every such pipe of the note for each code span
// of each cell that has one, time that grows with the square of their
// number (a benchmark of it is in docs/BENCHMARKS.md).
type tableLayout struct{}

func (tableLayout) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var tables []ast.Node
	inCell := false
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n.Kind() {
		case east.KindTable:
			if entering {
				tables = append(tables, n)
			}
		case east.KindTableCell:
			inCell = entering
		case ast.KindCodeSpan:
			if entering && inCell {
				unescapePipes(n, src)
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for i, t := range tables {
		label := "Таблица"
		if len(tables) > 1 {
			label += " " + strconv.Itoa(i+1)
		}
		t.SetAttribute(tableLabel, label)
	}
}

// unescapePipes leaves out the backslash of each «\|» in the code span
// code, as goldmark's table AST transformer does: the text is split
// around it, into raw texts.
func unescapePipes(code ast.Node, src []byte) {
	for c := code.FirstChild(); c != nil; {
		next := c.NextSibling()
		t, ok := c.(*ast.Text)
		if !ok {
			c = next
			continue
		}
		n, seg := ast.Node(t), t.Segment
		for {
			i := bytes.Index(src[seg.Start:seg.Stop], []byte("\\|"))
			if i < 0 {
				break
			}
			pos := seg.Start + i
			n1, n2 := ast.NewRawTextSegment(seg.WithStop(pos)), ast.NewRawTextSegment(seg.WithStart(pos+1))
			code.InsertAfter(code, n, n1)
			code.InsertAfter(code, n1, n2)
			code.RemoveChild(code, n)
			n, seg = n2, n2.Segment
		}
		c = next
	}
}

// tableLabel is the attribute by which tableLayout tells tableWrapper a
// table's name; it is never written out as an attribute.
var tableLabel = []byte("\x00label")

// alignClasses are the classes of cells by their alignment, which style.css
// aligns them by: the inline styles that goldmark writes by default are
// blocked by the server's Content-Security-Policy.
var alignClasses = [...]string{
	east.AlignLeft:   ` class="align-left"`,
	east.AlignRight:  ` class="align-right"`,
	east.AlignCenter: ` class="align-center"`,
	east.AlignNone:   "",
}

// tableWrapper writes a table inside a focusable region that scrolls
// sideways on narrow screens: keyboard users can scroll it too, and the
// page itself never does. It writes a cell's alignment as a class, which
// costs no memory: as an attribute of the cell, it took goldmark's
// attributes, a slice of ten, for each.
type tableWrapper struct{}

func (tableWrapper) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(east.KindTable, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			w.WriteString("</table></div>\n")
			return ast.WalkContinue, nil
		}
		label := "Таблица"
		if v, ok := n.Attribute(tableLabel); ok {
			label = v.(string)
		}
		w.WriteString(`<div class="table-wrap" role="region" tabindex="0" aria-label="` + label + `"><table>` + "\n")
		return ast.WalkContinue, nil
	})
	reg.Register(east.KindTableCell, func(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		tag := "td"
		if n.Parent().Kind() == east.KindTableHeader {
			tag = "th"
		}
		if !entering {
			w.WriteString("</")
			w.WriteString(tag)
			w.WriteString(">\n")
			return ast.WalkContinue, nil
		}
		w.WriteByte('<')
		w.WriteString(tag)
		w.WriteString(alignClasses[n.(*east.TableCell).Alignment])
		w.WriteByte('>')
		return ast.WalkContinue, nil
	})
}
