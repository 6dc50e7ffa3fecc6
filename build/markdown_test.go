package build

import (
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdownCases are bodies and what their HTML must and must not hold;
// FuzzRenderMarkdown starts from them too.
var markdownCases = []struct {
	name, src string
	want      []string // in the HTML
	not       []string // never in the HTML
	text      string   // the plain text, when given
}{
	{"typographic quotes", `Форум "Один пояс" прошёл.`, []string{"&laquo;Один пояс&raquo;"}, nil, "Форум «Один пояс» прошёл."},
	{"entities as characters", "Компания&nbsp;&laquo;Зюзюкафон&raquo; &mdash; &#1061;&#x430; &amp; &unknown; & AT&T", nil, nil, "Компания\u00a0«Зюзюкафон» — Ха & &unknown; & AT&T"},
	{"backslash escapes", `\*звёздочка\* и \_черта\_ \\ C:\путь`, nil, nil, `*звёздочка* и _черта_ \ C:\путь`},
	{"code as written", "Код `&amp; \\*` и `<b>`.", []string{"<code>&amp;amp; \\*</code>"}, nil, "Код &amp; \\* и <b>."},
	{"raw HTML dropped", "Текст <script>alert(1)</script> и <img src=x onerror=alert(1)>.\n\n<div onclick=\"x()\">блок</div>", nil, []string{"<script", "<img", "onerror", "<div", "onclick"}, ""},
	{"javascript link", "[нажми](javascript:alert(1))", []string{"нажми"}, []string{"<a", "javascript"}, "нажми"},
	{"entity-encoded scheme", "[нажми](jav&#x61;script:alert(1))", []string{"нажми"}, []string{"<a", "script:"}, ""},
	{"upper-case scheme", "[нажми](JAVASCRIPT:alert(1))", []string{"нажми"}, []string{"<a"}, ""},
	{"data image", "![картинка](data:text/html;base64,PHNjcmlwdD4=)", nil, []string{"<img", "data:"}, ""},
	{"data link", "[x](data:text/html,<script>alert(1)</script>)", nil, []string{"<a", "data:"}, ""},
	{"safe links", "[сайт](https://example.org/a?b=1) [раздел](/regions/) [почта](mailto:a@example.org) [якорь](#x)", []string{`href="https://example.org/a?b=1"`, `href="/regions/"`, `href="mailto:a@example.org"`, `href="#x"`}, nil, ""},
	{"heading ids", "## Сотрудничество регионов\n\n## Харбин\n\n## Харбин", []string{`id="sotrudnichestvo-regionov"`, `id="kharbin"`, `id="kharbin-1"`}, nil, ""},
	{"table", "| a | b |\n|---|---|\n| 1 | 2 |", []string{`<div class="table-wrap" role="region" tabindex="0" aria-label="Таблица"><table>`, "<td>1</td>", "</table></div>"}, nil, ""},
	{"aligned table", "| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n\n| x |\n|---|\n| y |",
		[]string{`<th class="align-left">a</th>`, `<td class="align-center">2</td>`, `<td class="align-right">3</td>`, `aria-label="Таблица 1"`, `aria-label="Таблица 2"`},
		[]string{"style=", "align=", "label>"}, ""},
	{"footnote", "Текст[^1].\n\n[^1]: Сноска.", []string{`class="footnotes"`, "Сноска."}, nil, ""},
	{"autolink", "См. https://example.org/page", []string{`<a href="https://example.org/page">`}, nil, ""},
	{"heading ids after a taken suffix", "## Харбин\n\n## Харбин 1\n\n## Харбин\n\n## Харбин\n\n## Харбин 3", []string{`id="kharbin"`, `id="kharbin-1"`, `id="kharbin-2"`, `id="kharbin-3"`, `id="kharbin-3-1"`}, nil, ""},
	{"nesting within the limit", strings.Repeat("> ", maxNesting-1) + "- a", []string{"<li>a</li>"}, nil, ""},
	{"dense links and emphasis", strings.Repeat("**[Пресс-служба](https://example.org/news/123 \"заголовок\")**, _[агентство](https://example.org/)_ и `код`, ", 200), []string{"<strong><a href", "<em><a href", "<code>код</code>"}, nil, ""},
}

func TestMarkdown(t *testing.T) {
	for _, tt := range markdownCases {
		t.Run(tt.name, func(t *testing.T) {
			html, text, err := renderMarkdown([]byte(tt.src), nil, true)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(html), w) {
					t.Errorf("HTML lacks %q:\n%s", w, html)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(strings.ToLower(string(html)), strings.ToLower(n)) {
					t.Errorf("HTML has %q:\n%s", n, html)
				}
			}
			if tt.text != "" && text != tt.text {
				t.Errorf("text = %q, want %q", text, tt.text)
			}
		})
	}
}

// TestTablePipes: «\\|» in code spans of cells comes out as goldmark's table
// extension makes it, which tableLayout does in its stead.
func TestTablePipes(t *testing.T) {
	bodies := []string{
		"| a | b |\n|---|---|\n| `x \\| y` | `\\|` |\n| `\\|\\|` `a\\|b` | c \\| `d\\|e\\|f` |\n",
		"| `h\\|` |\n|:-:|\n| x \\| `y` |\n| `a\\\\|b` |\n| [`l\\|k`](/x) **`\\|`** |\n| ``a\\|`b`` |\n",
		"Текст `a\\|b`.\n\n- | `a\\|b` |\n  |---|\n  | `c\\|d` |\n\n> | x |\n> |---|\n> | `e\\|f` |\n",
		"| `a` | b |\n|---|---|\n| `\\|` | ` \\| ` |\n| `x\\|`y` | `\\|\\||` |\n",
	}
	gfm := goldmark.New(goldmark.WithExtensions(extension.GFM, extension.Footnote, extension.Typographer),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(safeLinks{}, 100))))
	for i, body := range bodies {
		src := []byte(body)
		var got string
		if err := parseMarkdown(src, nil, func(doc ast.Node) error { got = blockTree(doc, src); return nil }); err != nil {
			t.Fatal(err)
		}
		if want := blockTree(gfm.Parser().Parse(text.NewReader(src)), src); got != want {
			t.Errorf("body %d: got\n%s\nwant, as goldmark's table extension:\n%s", i, got, want)
		}
	}
}
