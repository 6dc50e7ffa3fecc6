package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/coopdigest/digest/source"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// TestLimitedParsers: each of goldmark's parsers that the limits hold is
// found and wrapped, so that a goldmark release that renames one fails here
// rather than lifting its limit in silence; every parser's blocks are
// counted.
func TestLimitedParsers(t *testing.T) {
	count := map[string]int{}
	for _, p := range limitedBlockParsers() {
		bc, ok := p.Value.(blockCount)
		if !ok {
			t.Errorf("%T: blocks not counted", p.Value)
			continue
		}
		count[reflect.TypeOf(bc.BlockParser).Name()]++
	}
	if count["nestingLimit"] != 2 || count["headingCost"] != 1 {
		t.Errorf("wrapped parsers: %v; want 2 nestingLimit (lists, block quotes) and 1 headingCost (ATX)", count)
	}
}

// TestLimitProblems: a note past a limit gets one problem, at the line and
// column where it goes past, that names the limit.
func TestLimitProblems(t *testing.T) {
	footnotes := func(n int) string {
		var b strings.Builder
		b.WriteString("Текст.\n\n")
		for i := range n {
			fmt.Fprintf(&b, "[^%d]: Сноска.\n", i)
		}
		return b.String()
	}
	refs := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "Текст[^%d].\n\n", i%10)
		}
		return b.String()
	}
	tests := []struct {
		name, src string
		line, col int
		want      string
	}{
		{"lists on one line", "Текст.\n\n" + strings.Repeat("- ", 40) + "x", 3, 2*maxNesting + 1, "nested more than 16 deep (the limit)"},
		{"quotes, lines deeper and deeper", "> a\n> > b\n" + strings.Repeat("> ", maxNesting+1) + "c", 3, 2*maxNesting + 1, "nested more than 16 deep"},
		{"lists in quotes", strings.Repeat("> ", maxNesting-1) + "- - a", 1, 2*maxNesting + 1, "nested more than 16 deep"},
		{"footnotes", footnotes(maxFootnotes + 5), maxFootnotes + 3, 1, "more than 1000 footnotes (the limit)"},
		{"footnote references", refs(maxFootnoteRefs + 5), 2*maxFootnoteRefs + 1, 6, "more than 10000 references to footnotes (the limit)"},
		{"link destinations", "# Заголовок\n\n" + strings.Repeat("![a](", 2000), 3, 1, "paragraph too costly to render: its unclosed link destinations ]( would take"},
		{"in a heading", "Текст.\n\n## " + strings.Repeat("[a](<", 2000), 3, 4, "heading too costly to render: its unclosed link destinations"},
		{"in a setext heading", "Текст.\n\n" + strings.Repeat("*a_b*c_d**e_f*g**h*i_j**\n", 600) + "===", 3, 1, "too costly to render: its emphasis markers"},
		{"in a table", "| a | b |\n|---|---|\n| x | y |\n| " + strings.Repeat("![a](", 2000) + " | z |", 1, 1, "too costly to render: its unclosed link destinations"},
		{"above a table", strings.Repeat("[a](b \"\n", 2000) + "| a |\n|---|\n| x |", 1, 1, "paragraph too costly to render: its unclosed link titles"},
		{"not a table after all", "| a | b |\n|---|\n" + strings.Repeat("[a](b \"\n", 2000), 1, 1, "paragraph too costly to render: its unclosed link titles"},
		{"brackets", "[" + strings.Repeat("[", 3000) + "a" + strings.Repeat("]", 3000), 1, 1, "its square brackets [ ] (of links and footnotes)"},
		{"reference definitions", strings.Repeat("[a]:\n", 3000), 1, 1, "its square brackets"},
		{"backticks", families[6].para(300), 1, 1, "its unclosed backtick runs"},
		{"quotation marks", "Текст " + strings.Repeat(`"`, 3000), 1, 1, "its runs of quotation marks"},
		{"table of short rows", "Текст.\n\n" + strings.Repeat("| h ", 200) + "|\n" + strings.Repeat("|---", 200) + "|\n" + strings.Repeat("a\n", 100), 3, 1,
			"table too large to render: 101 rows of 200 columns make 20200 cells, more than 1 for each of its 1804 bytes (the limit); a row with fewer cells"},
		{"a delimiter row goldmark does not take", "Текст.\n|-|:|\n" + strings.Repeat("| h ", 200) + "|\n" + strings.Repeat("|---", 200) + "|\n" + strings.Repeat("a\n", 100), 3, 1,
			"table too large to render: 101 rows of 200 columns make 20200 cells"},
		{"table of many cells", "Текст.\n\n" + bigTable(2000, 60), 3, 1,
			"table too large to render: its 61 rows of 2000 columns bring the note's tables to 122000 cells, more than 50000 (the limit), each of which takes goldmark a few hundred bytes of memory; split the table"},
		{"tables of many cells", bigTable(1000, 19) + "\n" + bigTable(1000, 19) + "\n> " + bigTable(1000, 14), 45, 3,
			"its 15 rows of 1000 columns bring the note's tables to 55000 cells, more than 50000 (the limit)"},
		{"headings", strings.Repeat("# Раздел\n\n", maxHeadings) + "Текст.\n\n#\n", 2*maxHeadings + 3, 1, "more than 20000 headings (the limit)"},
		{"setext headings", strings.Repeat("Раздел\n---\n\n", maxHeadings+1), 3*maxHeadings + 2, 1, "more than 20000 headings (the limit)"},
		{"paragraphs", strings.Repeat("a\n\n", maxBlocks) + "b\n", 2*maxBlocks + 1, 1, "more than 50000 blocks: paragraphs, list items, headings (the limit)"},
		// An item is two blocks, its paragraph the second.
		{"list items", "Текст.\n\n" + strings.Repeat("- a\n", maxBlocks), maxBlocks/2 + 2, 1, "more than 50000 blocks"},
		{"the limit in the message", strings.Repeat("*a_b*", 3000), 1, 1, "more than 32 for each of its 15000 bytes (the limit); split it with blank lines"},
		// Cheap to scan, but goldmark keeps a record of each.
		{"unclosed brackets", "Текст.\n\n" + strings.Repeat("[", maxMarks+1), 3, 1, "paragraph has 10001 square brackets and emphasis markers * _ ~, more than 10000 (the limit)"},
		{"emphasis markers", strings.Repeat("*a _", maxMarks), 1, 1, "paragraph has 20000 square brackets and emphasis markers"},
		{"brackets in a heading", "## " + strings.Repeat("[", maxMarks+1), 1, 4, "heading has 10001 square brackets"},
		// 1,000 uses of an address of 20,020 bytes: the ninth passes four
		// times the note's 24,027 bytes and 65,536 more.
		{"reference uses", "[r]: https://example.org/" + strings.Repeat("a", 20000) + "\n\n" + strings.Repeat("[r] ", 1000), 3, 33,
			"links and pictures take more than 161644 bytes of addresses and titles from their reference definitions, 4 for each of the note's 24027 bytes and 65536 more (the limit)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := renderMarkdown([]byte(tt.src), nil, true)
			var me *markdownError
			if !errors.As(err, &me) {
				t.Fatalf("got %v, want a problem", err)
			}
			if me.Line != tt.line || me.Col != tt.col || !strings.Contains(me.Err.Error(), tt.want) {
				t.Errorf("got %d:%d: %v\nwant %d:%d: …%s…", me.Line, me.Col, me.Err, tt.line, tt.col, tt.want)
			}
		})
	}
}

// TestCostOfProse: what editors write costs a step or two a byte, far
// inside the limit, however dense its links, emphasis and quotes, in
// paragraphs, lists and tables.
func TestCostOfProse(t *testing.T) {
	bodies := []string{
		strings.Repeat("Делегация края провела в Пекине серию встреч перед форумом. ", 60),
		strings.Repeat("**[Пресс-служба](https://example.org/news/123 \"заголовок\")**, _[агентство](https://example.org/)_ и `код`, ", 100),
		strings.Repeat("«Ёлочки» и \"лапки\", 'одинарные', *курсив* и __жирный__, ~~зачёркнутый~~;\n", 100),
		strings.Repeat("- [Источник](https://example.org/a/b?c=d#e) — [ещё](</путь с пробелом>)\n", 300),
		strings.Repeat("Текст[^1] со сноской[^2] и ссылкой на [раздел][ref].\n", 100) + "\n[^1]: Сноска.\n[^2]: Ещё.\n[ref]: /regions/\n",
		"Таблица:\n| Регион | События | Код |\n|---|--:|---|\n" + strings.Repeat("| [Регион](/regions/x/) | **42** | `code` |\n", 2000),
		// A long table of links: each row is counted alone (maxMarks).
		"| Регион |\n|---|\n" + strings.Repeat("| [Регион](/regions/x/) и [ещё](/y/) |\n", maxMarks),
	}
	for i, body := range bodies {
		src := []byte(body)
		if _, _, err := renderMarkdown(src, nil, true); err != nil {
			t.Errorf("body %d: %v", i, err)
		}
		doc := markdown.Parser().Parse(text.NewReader(src))
		ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering || n.Type() != ast.TypeBlock || n.IsRaw() || n.Lines().Len() == 0 {
				return ast.WalkContinue, nil
			}
			size := 0
			for j := range n.Lines().Len() {
				seg := n.Lines().At(j)
				size += seg.Len()
			}
			c := inlineCost(src, n.Lines())
			if perByte := float64(c.total()) / float64(size); perByte > 4 {
				t.Errorf("body %d: a %s costs %.1f steps a byte (%+v), want a few", i, n.Kind(), perByte, c)
			}
			return ast.WalkContinue, nil
		})
	}
}

// TestReferenceDefinitions: link reference definitions, however many in a
// row, are accepted, and takeDefinitions finds the same ones as goldmark's
// transformer given the whole paragraph, in the same places, marked as after
// a blank line or not in the same way.
func TestReferenceDefinitions(t *testing.T) {
	list := func(n int, format string) string {
		var b strings.Builder
		b.WriteString("Источники: [первый][a1], [последний][a" + fmt.Sprint(n) + "] и [a2].\n\n")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, format, i, i)
		}
		return b.String()
	}
	tests := []struct{ name, src string }{
		{"20,000 in a row", list(20000, "[a%d]: https://example.org/news/%d\n")},
		{"short ones", list(10000, "[a%d]: /%d\n")},
		{"with titles", list(3000, "[a%d]: /%d \"Заголовок\"\n") + list(3000, "[b%d]: /%d 'Заголовок'\n") + list(3000, "[c%d]: /%d (Заголовок)\n")},
		{"parentheses in destinations", list(3000, "[a%d]: https://example.org/wiki/Харбин_(%d)\n")},
		{"text after them", "[a]: /a\n[b]: /b\nТекст со ссылкой на [a].\n"},
		{"a title on the next line", "[a]: /a\n[b]: /b\n  \"Заголовок\"\n[c]: /c\n(Заголовок)\nТекст.\n"},
		{"over two lines", "[a]: /a\n[b]:\n/b\n[c]: /c \"Заголовок\nв две строки\"\n[d]: /d\n"},
		{"not a definition", "[a]: /a\n[b]: /b лишнее\n[c]: /c\n"},
		{"a definition after text", "Текст.\n[a]: /a\n"},
		{"a table after them", "[a]: /a\n[b]: /b\n| x | y |\n|---|---|\n| 1 | 2 |\n"},
		{"a setext heading after them", "[a]: /a\n[b]: /b\n===\n\n[c]: /c\nЗаголовок\n---\n"},
		{"in a list", "- [a]: /a\n  [b]: /b\n- x\n\n  [c]: /c\n  [d]:\n  /d\n- y\n"},
		{"in a list, after a blank line", "- x\n\n  [a]: /a\n  [b]: /b \"Заголовок\"\n  [c]:\n  /c\n- y\n"},
		{"in a quote", "> [a]: /a\n> [b]: /b\n[c]: /c\n> Текст [c].\n"},
		{"the first of a label wins", "[a]: /1\n[A]: /2\n[a]: /3\n\n[a]\n"},
	}
	// goldmark without the limits, with the links made safe as ours are.
	plain := goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Footnote, extension.Typographer),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(safeLinks{}, 100))))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := []byte(tt.src)
			if _, _, err := renderMarkdown(src, nil, true); err != nil {
				t.Fatal(err)
			}
			var got string
			if err := parseMarkdown(src, nil, func(doc ast.Node) error { got = blockTree(doc, src); return nil }); err != nil {
				t.Fatal(err)
			}
			if want := blockTree(plain.Parser().Parse(text.NewReader(src)), src); got != want {
				t.Errorf("got\n%.3000s\nwant, as goldmark alone:\n%.3000s", got, want)
			}
		})
	}
}

// blockTree writes out the tree of doc: each node's kind, and what of it
// takeDefinitions could change.
func blockTree(doc ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			b.WriteString(")")
			return ast.WalkContinue, nil
		}
		fmt.Fprintf(&b, "\n(%s", n.Kind())
		if n.Type() == ast.TypeBlock && n.HasBlankPreviousLines() {
			b.WriteString(" after a blank line")
		}
		switch n := n.(type) {
		case *ast.List:
			fmt.Fprintf(&b, " tight %v", n.IsTight)
		case *ast.LinkReferenceDefinition:
			fmt.Fprintf(&b, " %q %q %q", n.Label, n.Destination, n.Title)
		case *ast.Link:
			fmt.Fprintf(&b, " %q %q", n.Destination, n.Title)
		case *ast.Text:
			fmt.Fprintf(&b, " %q", n.Segment.Value(src))
			if n.IsRaw() {
				b.WriteString(" raw")
			}
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// TestCheckMarkdown: checkMarkdown reports every note past a limit at
// once, at its line in the note's file, as the build does.
func TestCheckMarkdown(t *testing.T) {
	site := t.TempDir()
	if err := os.CopyFS(site, os.DirFS("testdata/basic")); err != nil {
		t.Fatal(err)
	}
	front := "---\ntitle: Заметка\ndate: 2025-02-01\nkind: delegation\nregions: [beijing]\n---\n\nТекст.\n\n"
	for name, body := range map[string]string{
		"2025/lists.md":  strings.Repeat("- ", 40) + "x\n",
		"2024/quotes.md": "Текст " + strings.Repeat(`"`, 3000) + "\n",
	} {
		if err := os.WriteFile(filepath.Join(site, "content", filepath.FromSlash(name)), []byte(front+body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src, err := Check(site)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = checkMarkdown(context.Background(), src)
	var es source.Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Fatalf("got %v, want two problems", err)
	}
	if got := es[0].Error(); !strings.HasPrefix(got, "content/2024/quotes.md:10:1: paragraph too costly to render") {
		t.Errorf("first problem: %s", got)
	}
	if got := es[1].Error(); got != "content/2025/lists.md:10:33: lists, block quotes and footnotes nested more than 16 deep (the limit)" {
		t.Errorf("second problem: %s", got)
	}
	if _, err := Build(context.Background(), Config{Site: site, Out: filepath.Join(t.TempDir(), "public")}); err == nil || err.Error() != es.Error() {
		t.Errorf("the build reports\n%v\nwant, as check:\n%v", err, es)
	}
}

// TestDelimiterColumns: the row under a table's header has as many columns
// for the limits as for goldmark, and none when goldmark takes it for no
// such row, so that the cells that the limits count are goldmark's.
func TestDelimiterColumns(t *testing.T) {
	tests := []struct {
		line string
		cols int
	}{
		{"|---|---|", 2},
		{"---|---", 2},
		{"| :--- | :-: | --: |", 3},
		{"|-|", 1},
		{"-|", 1},
		{"|-", 1},
		{"-- -", 0},
		{"   |-|-|", 2},
		{"\t|-|-|", 0}, // indented 4: code
		{"    |-|-|", 0},
		{"|-|:|", 0},
		{"|:-:|::|", 0},
		{"|-| |-|", 0},
		{"| |-|", 0},
		{"|-|-| ", 2},
		{"|-|-|-||", 0},
		{"-:-|-", 0},
		{"|- -|", 0},
		{"|-:|:-|", 2},
		{"|", 0},
		{"|-|x|", 0},
	}
	gfm := goldmark.New(goldmark.WithExtensions(extension.Table))
	for _, tt := range tests {
		if got := delimiterColumns([]byte(tt.line + "\n")); got != tt.cols {
			t.Errorf("delimiterColumns(%q) = %d, want %d", tt.line, got, tt.cols)
		}
		// goldmark makes a table of a header of as many cells as the
		// row has columns, or fewer (it fills the header up), and of no
		// other.
		for cells := 1; cells <= 4; cells++ {
			src := []byte("|" + strings.Repeat(" h |", cells) + "\n" + tt.line + "\n| x |\n")
			table := false
			_ = ast.Walk(gfm.Parser().Parse(text.NewReader(src)), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
				table = table || n.Kind() == extast.KindTable
				return ast.WalkContinue, nil
			})
			if table != (cells <= tt.cols) {
				t.Errorf("%q under a header of %d cells: goldmark makes a table: %v; want %d columns", tt.line, cells, table, tt.cols)
			}
		}
	}
}

// TestLineCounter: lineCounter places offsets as position does, whether
// they come in order, repeat or go back.
func TestLineCounter(t *testing.T) {
	src := []byte("Первая строка\n\nтретья ![a](b.png) и [c](d.pdf)\nпоследняя")
	c := &lineCounter{src: src}
	// Offsets of runes, as goldmark gives them.
	for _, pos := range []int{0, 6, 26, 26, 41, 55, len(src), 4, 17, 1000, -1} {
		wl, wc := position(src, pos)
		if l, col := c.position(pos); l != wl || col != wc {
			t.Errorf("offset %d: line %d col %d, want %d:%d", pos, l, col, wl, wc)
		}
	}
}
