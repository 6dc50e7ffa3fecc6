package build

import (
	"bytes"
	"fmt"
	"reflect"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The limits on a note's Markdown. goldmark's time grows with the square of
// the input in a few places, each found with a profile: containers opened
// on one line (each level scans the rest of the line), footnotes (each
// reference looks through every definition, and the definitions are sorted
// by insertion), and inline scans that run to the end of a word, line or
// paragraph from each of many starts (link destinations and titles, link
// labels and the lines looked through for them, emphasis markers looking
// for their opener, backticks looking for a closing run, the typographer
// reading a run of quotation marks). A note that goes past a limit is a
// problem that names the note, the line and the limit. Each limit is
// checked while goldmark parses, before the work it bounds, so that no note
// costs time and memory out of proportion to its size
// (BenchmarkWorstCaseNotes). Notes as editors write them are far inside
// every limit. A list of link reference definitions, which goldmark reads in
// time that grows with the square of its lines, is given to it a line at a
// time instead (takeDefinitions).
const (
	// maxNesting is how many lists, block quotes and footnotes may be
	// open one inside another.
	maxNesting = 16
	// maxFootnotes is how many footnotes a note may define, and
	// maxFootnoteRefs how many references to footnotes it may make.
	maxFootnotes    = 1000
	maxFootnoteRefs = 10000
	// maxCostPerByte bounds the inline work of a paragraph or heading, as
	// inlineCost counts it, per byte of its text: far above what notes as
	// editors write them cost, which is about one step a byte.
	maxCostPerByte = 32
	// labelCost is the most that goldmark reads of one link label: a label
	// holds at most 999 characters.
	labelCost = 1000
	// maxHeadings is how many headings a note may have. Each costs goldmark
	// and its id far more than its text: a body of empty headings («#» a
	// line) took 400 times its size in memory.
	maxHeadings = 20000
	// maxBlocks is how many blocks a note may have: paragraphs, list
	// items and lists, quotes, headings, code blocks, rules. goldmark and
	// the page make a few nodes of each, hundreds of bytes, of a block that
	// «a» and a blank line write in three: a note of 4 MB of one-letter
	// paragraphs took 1 GB, of list items 1.4 GB (docs/BENCHMARKS.md). A
	// note of a thousand paragraphs and lists of a thousand items is far
	// within it.
	maxBlocks = 50000
	// maxCellsPerByte bounds a table's cells per byte of its text. goldmark
	// fills a row that has fewer cells than the header with empty ones, so
	// that a wide header over short rows («a» a line) made cells without
	// text: a 44 KB note of 1,000 columns took 74 s and 6 GB. A table
	// written out has at most one cell a byte, each begun by its |.
	maxCellsPerByte = 1
	// maxCells is how many cells the tables of a note may have in all.
	// goldmark makes a node of each cell and one of its text, a few
	// hundred bytes, of a cell that «b|» writes in two: a note of one wide
	// table cost two hundred times its size (docs/BENCHMARKS.md). A table
	// of a thousand rows under a header of ten columns is far within it.
	maxCells = 50000
	// maxMarks is how many square brackets and runs of emphasis markers a
	// paragraph or heading may have. goldmark keeps a record of each for
	// its links and emphasis, a few hundred bytes: a note of 4 MB of «[»
	// took 1.6 GB. A paragraph with a hundred links has two hundred.
	maxMarks = 10000
	// maxReferencesPerByte and referenceSlack bound the bytes of
	// addresses and titles that the links and pictures of a note take from
	// reference definitions (referenceLimit): a few for each byte of the
	// note, as a note of links to one address written [источник] has, and
	// a hundred uses of an address of a few hundred bytes besides.
	maxReferencesPerByte = 4
	referenceSlack       = 64 << 10
)

// markdownError is a note's Markdown going past a limit. Line and Col count
// from 1 in the body.
type markdownError struct {
	Line, Col int
	Err       error
}

func (e *markdownError) Error() string { return fmt.Sprintf("line %d:%d: %v", e.Line, e.Col, e.Err) }

func (e *markdownError) Unwrap() error { return e.Err }

// limits is what the limited parts of the parser share while one body is
// parsed: the counts and the first problem. Once there is a problem, the
// limited parts do no more work, so that the parse ends soon.
type limits struct {
	src       []byte
	err       *markdownError
	footnotes int
	refs      int
	headings  int
	blocks    int
	cells     int
	// tables are the paragraphs costCheck judged by line, as tables are
	// parsed; those that the table transformer did not take are judged
	// again as paragraphs.
	tables map[*ast.Paragraph]bool
	// blank are the paragraphs after a blank line whose mark of it
	// takeDefinitions holds back from goldmark's transformer.
	blank map[*ast.Paragraph]bool
}

var limitsKey = parser.NewContextKey()

func limitsOf(pc parser.Context) *limits {
	if l, ok := pc.Get(limitsKey).(*limits); ok {
		return l
	}
	// A parse that did not come through parseMarkdown: count anyway, with
	// no body to place a problem in.
	l := &limits{}
	pc.Set(limitsKey, l)
	return l
}

// fail records the first problem, at byte offset pos of the body.
func (l *limits) fail(pos int, format string, args ...any) {
	if l.err != nil {
		return
	}
	line, col := position(l.src, pos)
	l.err = &markdownError{Line: line, Col: col, Err: fmt.Errorf(format, args...)}
}

// lineCounter turns byte offsets of one source, each mostly after the last,
// into lines and columns in runes, going on from the last: position, which
// scans from the start, for each of a note's thousands of pictures or links
// took time of the square of the note's size.
type lineCounter struct {
	src            []byte
	pos, line, col int // col: the runes of line before pos
}

func (c *lineCounter) position(pos int) (line, col int) {
	pos = min(max(pos, 0), len(c.src))
	if c.line == 0 || pos < c.pos {
		c.pos, c.line, c.col = 0, 1, 0
	}
	for c.pos < pos {
		i := bytes.IndexByte(c.src[c.pos:pos], '\n')
		if i < 0 {
			c.col += utf8.RuneCount(c.src[c.pos:pos])
			c.pos = pos
			break
		}
		c.line, c.col, c.pos = c.line+1, 0, c.pos+i+1
	}
	return c.line, 1 + c.col
}

// position turns a byte offset of src into a line and a column in runes.
func position(src []byte, pos int) (line, col int) {
	pos = min(max(pos, 0), len(src))
	line, start := 1, 0
	for i, c := range src[:pos] {
		if c == '\n' {
			line, start = line+1, i+1
		}
	}
	return line, 1 + utf8.RuneCount(src[start:pos])
}

// limitedBlockParsers are goldmark's block parsers with the container
// parsers held to maxNesting and the ATX heading parser to maxCostPerByte
// (a setext heading is a paragraph first, which costCheck holds), and all
// of them to maxBlocks.
func limitedBlockParsers() []util.PrioritizedValue {
	list, quote := reflect.TypeOf(parser.NewListParser()), reflect.TypeOf(parser.NewBlockquoteParser())
	atx, setext := reflect.TypeOf(parser.NewATXHeadingParser()), reflect.TypeOf(parser.NewSetextHeadingParser())
	ps := parser.DefaultBlockParsers()
	for i, p := range ps {
		bp := p.Value.(parser.BlockParser)
		switch reflect.TypeOf(bp) {
		case list, quote:
			ps[i].Value = nestingLimit{wrapped{bp}}
		case atx:
			ps[i].Value = headingCost{wrapped{bp}}
		case setext:
			ps[i].Value = headingCount{wrapped{bp}}
		}
		ps[i].Value = blockCount{wrapped{ps[i].Value.(parser.BlockParser)}}
	}
	return ps
}

// blockCount counts the blocks its parser opens; past maxBlocks it records
// the problem and skips the rest of the body, so that the parse ends
// there: goldmark ends a parse when no parser opens a block at the top,
// but not inside a container, where a parser that opens none leaves it
// with blocks half open.
type blockCount struct{ wrapped }

func (p blockCount) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	_, seg := reader.Position()
	n, st := p.BlockParser.Open(parent, reader, pc)
	if l := limitsOf(pc); n != nil && l.blocks < maxBlocks+1 {
		if l.blocks++; l.blocks > maxBlocks {
			l.fail(seg.Start, "more than %d blocks: paragraphs, list items, headings (the limit)", maxBlocks)
			for line, _ := reader.PeekLine(); line != nil; line, _ = reader.PeekLine() {
				reader.AdvanceLine()
			}
		}
	}
	return n, st
}

// headingCount opens a heading only while the note has fewer than
// maxHeadings; after a problem it opens none, and the lines are read as
// text.
type headingCount struct{ wrapped }

func (p headingCount) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	return openHeading(p.BlockParser, parent, reader, pc)
}

// openHeading opens the heading that bp finds at the reader and counts it;
// past maxHeadings it records the problem. After a problem it opens none.
func openHeading(bp parser.BlockParser, parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	l := limitsOf(pc)
	if l.err != nil {
		return nil, parser.NoChildren
	}
	_, seg := reader.Position()
	n, st := bp.Open(parent, reader, pc)
	if n != nil {
		if l.headings++; l.headings > maxHeadings {
			l.fail(seg.Start, "more than %d headings (the limit)", maxHeadings)
		}
	}
	return n, st
}

// wrapped is a block parser inside a limit; it passes on the options that
// goldmark gives to parsers that take them (the heading parsers take
// parser.WithAutoHeadingID's).
type wrapped struct{ parser.BlockParser }

func (w wrapped) SetOption(name parser.OptionName, value any) {
	if so, ok := w.BlockParser.(parser.SetOptioner); ok {
		so.SetOption(name, value)
	}
}

// nestingLimit opens a container only when fewer than maxNesting are open
// around it.
type nestingLimit struct{ wrapped }

func (p nestingLimit) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	return openNested(p.BlockParser, parent, reader, pc)
}

// openNested opens the container that bp finds at the reader, unless
// maxNesting are open around it already: then it records the problem, puts
// the reader back and opens nothing. After a problem it opens nothing.
func openNested(bp parser.BlockParser, parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	l := limitsOf(pc)
	if l.err != nil {
		return nil, parser.NoChildren
	}
	line, seg := reader.Position()
	n, st := bp.Open(parent, reader, pc)
	if n == nil {
		return n, st
	}
	depth := 0
	for a := parent; a != nil; a = a.Parent() {
		switch a.Kind() {
		case ast.KindList, ast.KindBlockquote, extast.KindFootnote:
			depth++
		}
	}
	if depth < maxNesting {
		return n, st
	}
	reader.SetPosition(line, seg)
	l.fail(seg.Start, "lists, block quotes and footnotes nested more than %d deep (the limit)", maxNesting)
	return nil, parser.NoChildren
}

// headingCost holds an ATX heading's text to maxCostPerByte before goldmark
// parses its inlines: it does not go through paragraph transformers. It
// counts headings as headingCount does.
type headingCost struct{ wrapped }

func (p headingCost) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	return openHeading(p.BlockParser, parent, reader, pc)
}

func (p headingCost) Close(node ast.Node, reader text.Reader, pc parser.Context) {
	p.BlockParser.Close(node, reader, pc)
	if node.Parent() != nil {
		checkCost(node, node.Lines(), false, reader.Source(), limitsOf(pc))
	}
}

// limitedFootnotes is goldmark's footnote extension, with its definitions
// held to maxFootnotes and maxNesting and its references to maxFootnoteRefs.
type limitedFootnotes struct{}

func (limitedFootnotes) Extend(m goldmark.Markdown) {
	// As extension.Footnote does, with the same priorities.
	m.Parser().AddOptions(
		parser.WithBlockParsers(util.Prioritized(footnoteLimit{wrapped{extension.NewFootnoteBlockParser()}}, 999)),
		parser.WithInlineParsers(util.Prioritized(footnoteRefLimit{extension.NewFootnoteParser()}, 101)),
		parser.WithASTTransformers(util.Prioritized(extension.NewFootnoteASTTransformer(), 999)),
	)
	// The link back from a footnote, «↩︎», is named for screen readers
	// by its title.
	m.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(
		extension.NewFootnoteHTMLRenderer(extension.WithFootnoteBacklinkTitle("Вернуться к тексту")), 500)))
}

// footnoteLimit counts footnote definitions.
type footnoteLimit struct{ wrapped }

func (p footnoteLimit) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	_, seg := reader.Position()
	n, st := openNested(p.BlockParser, parent, reader, pc)
	if n != nil {
		l := limitsOf(pc)
		if l.footnotes++; l.footnotes > maxFootnotes {
			l.fail(seg.Start, "more than %d footnotes (the limit)", maxFootnotes)
		}
	}
	return n, st
}

// footnoteRefLimit counts references to footnotes, each of which goldmark
// looks up among all definitions, and stops looking once there are too
// many.
type footnoteRefLimit struct{ parser.InlineParser }

func (p footnoteRefLimit) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, seg := block.PeekLine()
	i := 0
	if len(line) > 0 && line[0] == '!' {
		i = 1
	}
	if len(line) < i+2 || line[i] != '[' || line[i+1] != '^' {
		return nil
	}
	l := limitsOf(pc)
	if l.err != nil {
		return nil
	}
	if l.refs++; l.refs > maxFootnoteRefs {
		l.fail(seg.Start, "more than %d references to footnotes (the limit)", maxFootnoteRefs)
		return nil
	}
	return p.InlineParser.Parse(parent, block, pc)
}

// referenceLimit is the AST transformer that holds what the links and
// pictures of a note take from reference definitions to
// maxReferencesPerByte and referenceSlack. goldmark copies a definition's
// address and title into every use, and the page, the feeds and the index
// write them out each time: a 26 KB note that used one address of 20 KB
// 1,500 times made pages and feeds of 30 MB each. An inline link's address
// and title are its own text, so that only references can pass the limit.
type referenceLimit struct{}

func (referenceLimit) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src, l := reader.Source(), limitsOf(pc)
	if l.err != nil || !bytes.Contains(src, []byte("]:")) {
		return // past a limit already, or no definition
	}
	most, total := maxReferencesPerByte*len(src)+referenceSlack, 0
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			total += len(n.Destination) + len(n.Title)
		case *ast.Image:
			total += len(n.Destination) + len(n.Title)
		default:
			return ast.WalkContinue, nil
		}
		if total > most {
			l.fail(inlinePos(n), "links and pictures take more than %d bytes of addresses and titles from their reference definitions, %d for each of the note's %d bytes and %d more (the limit): a definition's address is written out at each use; link it fewer times, or write a shorter address",
				most, maxReferencesPerByte, len(src), referenceSlack)
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
}

// The priorities of costCheck among the paragraph transformers: first, so
// that goldmark's link reference definitions and tables find only
// paragraphs within the limit, and last, for the paragraphs judged as
// tables that did not become tables.
const (
	costCheckFirst = 0
	costCheckLast  = 10000
)

// costCheck holds a paragraph to maxCostPerByte before goldmark parses its
// inlines. A paragraph that may hold a table is judged line by line, since
// the table transformer makes each cell an inline block of its own; run
// again last, it judges whole what stayed a paragraph.
type costCheck struct{ after bool }

func (c costCheck) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	l := limitsOf(pc)
	lines := node.Lines()
	if c.after {
		if l.blank[node] {
			node.SetBlankPreviousLines(true)
		}
		if l.tables[node] {
			checkCost(node, lines, false, reader.Source(), l)
		}
		return
	}
	if l.err == nil {
		takeDefinitions(node, reader, pc, l)
	}
	// goldmark's table transformer takes the lines from the first
	// delimiter row on, after the first line, for a table, the line above
	// being its header.
	delim, cols := 0, 0
	for i := 1; i < lines.Len() && cols == 0; i++ {
		seg := lines.At(i)
		if cols = delimiterColumns(seg.Value(reader.Source())); cols > 0 {
			delim = i
		}
	}
	if delim > 0 {
		if l.tables == nil {
			l.tables = map[*ast.Paragraph]bool{}
		}
		l.tables[node] = true
		checkCells(lines, delim, cols, l)
	}
	checkCost(node, lines, delim > 0, reader.Source(), l)
}

// takeDefinitions gives goldmark's transformer the link reference
// definitions at the start of node that each hold a line, a line at a time,
// and leaves it the rest of node. Given the paragraph, it looks for each
// label from the last line back and moves up the lines after each
// definition: work that grows with the square of their number, where a line
// at a time costs their size, and costCheck judges only the rest. Such a
// definition reads nothing after its line unless the next line may hold its
// title, so that the definitions are those goldmark finds in the paragraph,
// in the same order.
func takeDefinitions(node *ast.Paragraph, reader text.Reader, pc parser.Context, l *limits) {
	parent, lines, src := node.Parent(), node.Lines(), reader.Source()
	p := ast.NewParagraph()
	p.SetBlankPreviousLines(node.HasBlankPreviousLines())
	n := 0
	for ; n < lines.Len(); n++ {
		if n+1 < lines.Len() {
			seg := lines.At(n + 1)
			next := util.TrimLeftSpace(seg.Value(src))
			if len(next) > 0 && (next[0] == '"' || next[0] == '\'' || next[0] == '(') {
				break
			}
		}
		p.Lines().Append(lines.At(n))
		parent.InsertBefore(parent, node, p)
		parser.LinkReferenceParagraphTransformer.Transform(p, reader, pc)
		if p.Parent() != nil { // not a definition on a line of its own
			parent.RemoveChild(parent, p)
			break
		}
		p.SetBlankPreviousLines(false)
	}
	if n > 0 && n < lines.Len() && node.HasBlankPreviousLines() {
		// The transformer marks the first definition it finds in node as
		// after a blank line, which in a list item can make the list
		// loose; the mark is node's again when costCheck runs last.
		node.SetBlankPreviousLines(false)
		if l.blank == nil {
			l.blank = map[*ast.Paragraph]bool{}
		}
		l.blank[node] = true
	}
	lines.SetSliced(n, lines.Len())
}

// checkCells records a problem when the table whose delimiter row, of cols
// columns, is the line delim of lines would have more than maxCellsPerByte
// cells a byte, or bring the note's tables to more than maxCells: its rows,
// the header's among them, have as many cells each as the delimiter row has
// columns. A paragraph that goldmark does not make a table after all (its
// header has more cells than that) is counted as one.
func checkCells(lines *text.Segments, delim, cols int, l *limits) {
	if l.err != nil {
		return
	}
	rows := lines.Len() - delim // the header and the rows under the delimiter
	size := 0
	for i := delim - 1; i < lines.Len(); i++ {
		seg := lines.At(i)
		size += seg.Len()
	}
	cells := rows * cols
	l.cells += cells
	header := lines.At(delim - 1).Start
	switch {
	case cells > maxCellsPerByte*size:
		l.fail(header, "table too large to render: %d rows of %d columns make %d cells, more than %d for each of its %d bytes (the limit); a row with fewer cells than the header is filled with empty ones: write the rows' cells out, or give the table fewer columns",
			rows, cols, cells, maxCellsPerByte, size)
	case l.cells > maxCells:
		l.fail(header, "table too large to render: its %d rows of %d columns bring the note's tables to %d cells, more than %d (the limit), each of which takes goldmark a few hundred bytes of memory; split the table among notes, or publish its data as a file (a CSV in content/static/) and link to it",
			rows, cols, l.cells, maxCells)
	}
}

// delimiterColumns returns how many columns line has as the row under a
// table's header, as goldmark's table transformer reads it (isTableDelim,
// parseDelimiter): cells of hyphens, with a colon at either end or both
// and spaces around, between pipes, the pipes at the ends optional. It
// returns 0 when line is not such a row.
func delimiterColumns(line []byte) int {
	if w, _ := util.IndentWidth(line, 0); w > 3 {
		return 0
	}
	hyphens := true
	for _, c := range line {
		if c != '-' {
			hyphens = false
		}
		if !util.IsSpace(c) && c != '-' && c != '|' && c != ':' {
			return 0
		}
	}
	if hyphens {
		return 0
	}
	cols, i, last := 0, 0, bytes.Count(line, []byte("|"))
	for cell := range bytes.SplitSeq(line, []byte("|")) {
		if i++; (i == 1 || i == last+1) && util.IsBlank(cell) {
			continue // no cell before the first pipe, or after the last
		}
		cell = bytes.TrimFunc(cell, func(r rune) bool { return r < utf8.RuneSelf && util.IsSpace(byte(r)) })
		cell = bytes.TrimPrefix(cell, []byte(":"))
		cell = bytes.TrimSuffix(cell, []byte(":"))
		if len(cell) == 0 || len(bytes.Trim(cell, "-")) > 0 {
			return 0
		}
		cols++
	}
	return cols
}

// checkCost records a problem when the inlines of node would cost more than
// maxCostPerByte, and then, as after any problem, empties node so that
// goldmark does not parse them.
func checkCost(node ast.Node, lines *text.Segments, byLine bool, src []byte, l *limits) {
	if l.err == nil {
		size := 0
		for i := range lines.Len() {
			seg := lines.At(i)
			size += seg.Len()
		}
		var c cost
		marks := 0 // of the block, or of its worst line
		if byLine {
			one := text.NewSegments()
			for i := range lines.Len() {
				one.Clear()
				one.Append(lines.At(i))
				lc := inlineCost(src, one)
				c.add(lc)
				marks = max(marks, lc.marks)
			}
		} else {
			c = inlineCost(src, lines)
			marks = c.marks
		}
		if marks > maxMarks {
			start := 0
			if lines.Len() > 0 {
				start = lines.At(0).Start
			}
			l.fail(start, "%s has %d square brackets and emphasis markers * _ ~, more than %d (the limit), each of which takes goldmark a few hundred bytes of memory; split it with blank lines, or escape those characters with \\",
				blockName(node), marks, maxMarks)
		} else if total := c.total(); total > maxCostPerByte*max(size, 1) {
			start := 0
			if lines.Len() > 0 {
				start = lines.At(0).Start
			}
			l.fail(start, "%s too costly to render: its %s would take goldmark about %d steps, more than %d for each of its %d bytes (the limit); split it with blank lines, or escape those characters with \\",
				blockName(node), c.worst(), total, maxCostPerByte, size)
		}
	}
	if l.err != nil {
		node.SetLines(text.NewSegments())
	}
}

func blockName(n ast.Node) string {
	if n.Kind() == ast.KindHeading {
		return "heading"
	}
	return "paragraph"
}

// cost is the work goldmark does on the inlines of a block, by what makes
// it: bytes read by link destination and title scans that start at many
// places and run to the end of a word, line or paragraph; bytes read for
// link labels; lines looked through to find where a label, a title or a
// code span starts (text.Reader's Value looks from the block's last line
// back); emphasis markers
// looked through by closers for an opener; bytes read for code spans
// looking for a closing run of backticks; and bytes of a run of quotation
// marks, which the typographer reads to the run's end for each of them.
type cost struct {
	dest, title, label, lines, emphasis, code, quotes int
	// marks counts the square brackets and the runs of emphasis markers,
	// which cost memory (see maxMarks).
	marks int
}

func (c *cost) add(d cost) {
	c.dest += d.dest
	c.title += d.title
	c.label += d.label
	c.lines += d.lines
	c.emphasis += d.emphasis
	c.code += d.code
	c.quotes += d.quotes
	c.marks += d.marks
}

// total weighs the kinds of work by what a step of each takes goldmark,
// measured with BenchmarkWorstCaseNotes: a label's byte or an emphasis
// marker passed over costs about three bytes of a scan.
func (c cost) total() int {
	return c.dest + c.title + 3*c.label + c.lines + 3*c.emphasis + c.code + c.quotes
}

// worst names what costs most.
func (c cost) worst() string {
	name, most := "unclosed link destinations ](", c.dest
	if c.title > most {
		name, most = "unclosed link titles", c.title
	}
	if 3*c.label+c.lines > most {
		name, most = "square brackets [ ] (of links and footnotes)", 3*c.label+c.lines
	}
	if 3*c.emphasis > most {
		name, most = "emphasis markers * _ ~", 3*c.emphasis
	}
	if c.code > most {
		name, most = "unclosed backtick runs `", c.code
	}
	if c.quotes > most {
		name = "runs of quotation marks"
	}
	return name
}

// pending are scans that started and have not ended yet, as a count and
// the sum of their starts, so that ending them all at once costs nothing.
type pending struct{ n, sum int }

func (p *pending) start(pos, n int) { p.n += n; p.sum += n * pos }

// end ends every scan at pos and returns the bytes they read.
func (p *pending) end(pos int) int {
	read := p.n*pos - p.sum
	*p = pending{}
	return read
}

// inlineCost counts, in one pass over the lines of a block, the work that
// goldmark's inline parser does on it in the cases where that work can grow
// with the square of the block's size (see cost). It follows goldmark's
// scans closely enough to be an upper bound, in time in proportion to the
// block's size.
func inlineCost(src []byte, lines *text.Segments) cost {
	s := costScan{destParen: -1}
	end := 0
	for li := range lines.Len() {
		seg := lines.At(li)
		s.after = lines.Len() - li
		s.line(src, seg.Start, seg.Stop)
		end = seg.Stop
	}
	for k := range s.titles {
		s.c.title += s.titles[k].end(end)
	}
	for _, start := range s.ticks {
		s.c.code += end - start
	}
	s.c.emphasis += s.emph.cost
	return s.c
}

// costScan is the state of inlineCost between characters and lines.
type costScan struct {
	c cost
	// after is how many lines of the block follow the one at hand: what
	// goldmark looks through, from the last line back, to find a label or
	// title that starts on it.
	after int
	// brackets are the positions of the unclosed '['.
	brackets []int
	// plain are the link destinations being read: each ends at
	// whitespace, or at the ')' that takes the depth of parentheses below
	// the depth it started at; depth is that depth now.
	plain []struct{ start, depth int }
	depth int
	// destParen is where the '(' of the last "](" is: it is counted with
	// the destination it opens.
	destParen int
	// angle are the destinations in <>, which end at '>' or the line's end.
	angle pending
	// afterDest counts the destinations that ended where a title may
	// follow; titles are the titles being read, by their closing
	// character: '"', '\'', ')'.
	afterDest int
	titles    [3]pending
	// ticks holds, for each length, the start of the unclosed run of
	// backticks of that length, from which goldmark reads on to find a
	// run of the same length.
	ticks map[int]int
	emph  emphasisScan
}

// line scans src[start:stop], one line of the block.
func (s *costScan) line(src []byte, start, stop int) {
	for i := start; i < stop; {
		// Most bytes are text to every scan: pass over them quickly.
		if !special[src[i]] {
			next := stop
			for k, c := range src[i+1 : stop] {
				if special[c] {
					next = i + 1 + k
					break
				}
			}
			s.afterDest, i = 0, next // no title follows
			continue
		}
		ch := src[i]
		if ch == ' ' && len(s.plain) == 0 {
			i++ // a space ends nothing when no destination is being read
			continue
		}
		if (ch == '"' || ch == '\'') && (i == start || src[i-1] != ch) {
			j := i
			for j < stop && src[j] == ch {
				j++
			}
			s.c.quotes += (j - i) * (j - i + 1) / 2
		}
		switch ch {
		case '*', '_', '~':
			j := i
			for j < stop && src[j] == ch {
				j++
			}
			before, after := '\n', ' ' // what goldmark takes at a line's ends
			if i > start {
				before, _ = utf8.DecodeLastRune(src[start:i])
			}
			if j < stop {
				after, _ = utf8.DecodeRune(src[j:stop])
			}
			s.emph.run(ch, j-i, before, after)
			s.c.marks++
			s.afterDest, i = 0, j
			continue
		case '`':
			j := i
			for j < stop && src[j] == '`' {
				j++
			}
			if open, ok := s.ticks[j-i]; ok {
				s.c.code += i - open
				delete(s.ticks, j-i)
			} else {
				if s.ticks == nil {
					s.ticks = map[int]int{}
				}
				s.ticks[j-i] = i
				s.c.lines += s.after
			}
			s.afterDest, i = 0, j
			continue
		case '\\':
			if i+1 < stop && isASCIIPunct(src[i+1]) {
				// An escaped character is text to every scan.
				s.afterDest, i = 0, i+2
				continue
			}
		}
		s.char(src, i, stop)
		i++
	}
	// The line's end ends the destinations; those in <> fail there.
	s.endPlain(stop)
	s.c.dest += s.angle.end(stop)
}

// special are the bytes that the scans of costScan look at.
var special = func() (t [256]bool) {
	for _, c := range []byte("*_~`\\\"'[]()<> \t\n\r") {
		t[c] = true
	}
	return t
}()

// char takes the character at src[i] for the link scans.
func (s *costScan) char(src []byte, i, stop int) {
	ch := src[i]
	space := ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'
	if s.afterDest > 0 && !space {
		n := s.afterDest
		s.afterDest = 0
		if k := titleKind(ch); k >= 0 && ch != ')' {
			// A title starts after its opening character, which does not
			// end it; goldmark reads it with the lines it spans.
			s.titles[k].start(i+1, n)
			s.c.lines += n * s.after
			return
		}
	}
	s.title(ch, i)
	switch {
	case space:
		s.endPlain(i)
	case ch == '[':
		s.brackets = append(s.brackets, i)
		s.c.marks++
	case ch == ']':
		// goldmark looks for the label through the block's lines, reads
		// it, and looks through its nodes for a link.
		s.c.lines += s.after
		if n := len(s.brackets); n > 0 {
			s.c.label += min(i-s.brackets[n-1], labelCost)
			s.brackets = s.brackets[:n-1]
		}
		if i+1 < stop && src[i+1] == '(' {
			// A destination starts after the '(' and any spaces.
			s.depth++
			s.destParen = i + 1
			j := i + 2
			for j < stop && (src[j] == ' ' || src[j] == '\t') {
				j++
			}
			if j < stop && src[j] == '<' {
				s.angle.start(j, 1)
			} else {
				s.plain = append(s.plain, struct{ start, depth int }{j, s.depth})
			}
		}
	case ch == '(':
		if i != s.destParen {
			s.depth++
		}
	case ch == ')':
		s.depth--
		for n := len(s.plain); n > 0 && s.plain[n-1].depth > s.depth; n-- {
			s.c.dest += i - s.plain[n-1].start
			s.plain = s.plain[:n-1]
		}
	case ch == '>':
		if s.angle.n > 0 {
			s.afterDest += s.angle.n
			s.c.dest += s.angle.end(i)
		}
	}
}

// title ends the titles that the character ch at i closes.
func (s *costScan) title(ch byte, i int) {
	if k := titleKind(ch); k >= 0 && ch != '(' && s.titles[k].n > 0 {
		s.c.title += s.titles[k].end(i)
	}
}

// endPlain ends the plain destinations at whitespace, where a title may
// follow.
func (s *costScan) endPlain(i int) {
	for _, p := range s.plain {
		s.c.dest += i - p.start
	}
	s.afterDest += len(s.plain)
	s.plain = s.plain[:0]
}

func titleKind(ch byte) int {
	switch ch {
	case '"':
		return 0
	case '\'':
		return 1
	case '(', ')':
		return 2
	}
	return -1
}

// emphasisScan follows goldmark's matching of emphasis and strikethrough
// markers (parser.ScanDelimiter and ProcessDelimiters) to count the markers
// that each closer looks through for its opener. It keeps the markers that
// can open by character, by whether they can also close and by their
// length modulo 3 (what CalcComsumption's rule of three looks at), so that
// the nearest opener a closer accepts is on top of one of a few stacks.
type emphasisScan struct {
	cost int
	// size is the number of markers in goldmark's list; a marker's idx
	// is its place in it.
	size   int
	stacks [3][2][3][]marker
}

type marker struct{ idx, length int }

func markerKind(ch byte) int {
	switch ch {
	case '*':
		return 0
	case '_':
		return 1
	}
	return 2
}

// run takes a run of n markers ch between the runes before and after.
func (e *emphasisScan) run(ch byte, n int, before, after rune) {
	bp, bs := util.IsPunctRune(before), util.IsSpaceRune(before)
	ap, as := util.IsPunctRune(after), util.IsSpaceRune(after)
	left := !as && (!ap || bs || bp)
	right := !bs && (!bp || as || ap)
	canOpen, canClose := left, right
	if ch == '_' {
		canOpen = left && (!right || bp)
		canClose = right && (!left || ap)
	}
	k := markerKind(ch)
	rest := n
	maybe := false // an opener was passed over by the rule of three
	for canClose && rest > 0 {
		var best *[]marker
		for cc := range 2 {
			for m := range 3 {
				st := &e.stacks[k][cc][m]
				if len(*st) == 0 {
					continue
				}
				top := (*st)[len(*st)-1]
				if (cc == 1 || canOpen) && (m+n)%3 == 0 && n%3 != 0 {
					maybe = maybe || best == nil || top.idx > (*best)[len(*best)-1].idx
					continue
				}
				if best == nil || top.idx > (*best)[len(*best)-1].idx {
					best = st
				}
			}
		}
		if best == nil {
			e.cost += e.size + 1
			break
		}
		op := &(*best)[len(*best)-1]
		e.cost += e.size - op.idx
		use := 1
		if op.length >= 2 && rest >= 2 {
			use = 2
		}
		op.length -= use
		rest -= use
		// The markers between the opener and the closer go.
		keep := op.idx + 1
		if op.length == 0 {
			keep = op.idx
		}
		e.truncate(keep)
	}
	if rest == 0 {
		return
	}
	if canOpen {
		st := &e.stacks[k][b2i(canClose)][n%3]
		*st = append(*st, marker{idx: e.size, length: rest})
		e.size++
	} else if !canClose || maybe {
		// goldmark keeps it in the list, where closers look through it;
		// it removes only a closer that found nothing.
		e.size++
	}
}

// truncate removes the markers from place size on.
func (e *emphasisScan) truncate(size int) {
	for k := range e.stacks {
		for cc := range e.stacks[k] {
			for m := range e.stacks[k][cc] {
				st := &e.stacks[k][cc][m]
				for len(*st) > 0 && (*st)[len(*st)-1].idx >= size {
					*st = (*st)[:len(*st)-1]
				}
			}
		}
	}
	e.size = size
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// isASCIIPunct reports whether a backslash before c escapes it.
func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}
