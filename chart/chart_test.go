package chart

import (
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func years() Bars {
	return Bars{
		ID: "by-year", Title: "События по годам", LabelHeader: "Год", ValueHeader: "Событий",
		Bars: []Bar{
			{Label: "2021", Value: 1, URL: "/2021/"},
			{Label: "2022", Value: 0, URL: "/2022/"},
			{Label: "2023", Value: 12, URL: "/2023/"},
			{Label: "2024", Value: 40, URL: "/2024/"},
			{Label: "2025", Value: 2, Name: "2025 год"},
		},
	}
}

func matrix() Matrix {
	return Matrix{
		ID: "pairs", Title: "Партнёрства", Desc: "Число событий для самых активных регионов.",
		Corner: "Регион России",
		Rows:   []Axis{{Name: "Хабаровский край", URL: "/regions/khabarovsk-krai/"}, {Name: "Ханты-Мансийский автономный округ — Югра", URL: "/regions/khmao/"}},
		Cols:   []Axis{{Name: "Пекин", URL: "/regions/beijing/"}, {Name: "Хэйлунцзян", URL: "/regions/heilongjiang/"}},
		Cells: [][]Cell{
			{{Value: 3, URL: "/regions/khabarovsk-krai/beijing/"}, {Value: 0}},
			{{Value: 15, URL: "/regions/khmao/beijing/"}, {Value: 1, URL: "/regions/khmao/heilongjiang/"}},
		},
	}
}

// TestGolden compares whole charts with testdata/*.html; -update rewrites
// them.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		html string
	}{
		{"bars.html", string(years().HTML())},
		{"matrix.html", string(matrix().HTML())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join("testdata", tc.name)
			if *update {
				if err := os.WriteFile(file, []byte(tc.html+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if tc.html+"\n" != string(want) {
				t.Errorf("differs from %s (go test ./chart -update to accept):\n%s", file, tc.html)
			}
		})
	}
}

// TestWellFormed checks that charts are well-formed markup whatever the
// names hold, and that nothing a name holds becomes markup.
func TestWellFormed(t *testing.T) {
	hostile := `<script>alert("x")</script> & 'q'`
	b := years()
	b.Title = hostile
	b.Bars[0].Label = hostile
	b.Bars[1].URL = `/search?q=a&region=b"><script>`
	m := matrix()
	m.Rows[0].Name = hostile
	m.Cols[1].Name = hostile
	for name, html := range map[string]string{"bars": string(b.HTML()), "matrix": string(m.HTML())} {
		t.Run(name, func(t *testing.T) {
			if strings.Contains(html, "<script") {
				t.Errorf("a name became markup:\n%s", html)
			}
			d := xml.NewDecoder(strings.NewReader(html))
			for {
				_, err := d.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("not well-formed: %v\n%s", err, html)
				}
			}
		})
	}
}

// TestAccessible checks what screen readers rely on: a bar chart is an
// image named by its title and described; a matrix is a group of links, each
// named by what it counts; both have their numbers in a table.
func TestAccessible(t *testing.T) {
	bars := string(years().HTML())
	for _, want := range []string{
		`role="img" aria-labelledby="by-year-title by-year-desc"`,
		`<title id="by-year-title">События по годам</title>`,
		`<desc id="by-year-desc">2021 – 2025 год: всего 55 событий, больше всего – 2024 (40).</desc>`,
		`<th scope="row"><a href="/2024/">2024</a></th><td>40</td>`,
		`<th scope="row">2025 год</th><td>2</td>`,
		`<th scope="row">2022</th><td>0</td>`, // nothing to link to
	} {
		if !strings.Contains(bars, want) {
			t.Errorf("bar chart lacks %s", want)
		}
	}
	if strings.Contains(bars, "<a href=\"/2021/\">2021</a></text>") || strings.Count(bars, "<a ") != 3 {
		t.Errorf("a bar chart's links belong to its table only:\n%s", bars)
	}
	m := string(matrix().HTML())
	for _, want := range []string{
		`role="group" aria-labelledby="pairs-title" aria-describedby="pairs-desc"`,
		`<a href="/regions/khmao/beijing/"><title>Ханты-Мансийский автономный округ — Югра — Пекин: 15 событий</title>`,
		`<rect class="chart-cell q5"`,
		`<rect class="chart-cell q0"`,
		`<td><a href="/regions/khabarovsk-krai/beijing/">3</a></td><td>0</td>`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("matrix lacks %s", want)
		}
	}
	if strings.Contains(m, `<a href="/regions/khabarovsk-krai/heilongjiang/"`) {
		t.Error("an empty cell is a link")
	}
}

func TestShade(t *testing.T) {
	for _, tc := range []struct{ v, top, want int }{
		{0, 10, 0}, {1, 10, 1}, {2, 10, 1}, {3, 10, 2}, {10, 10, 5}, {9, 10, 5}, {1, 1, 5}, {5, 0, 0}, {-1, 10, 0},
	} {
		if got := Shade(tc.v, tc.top); got != tc.want {
			t.Errorf("Shade(%d, %d) = %d, want %d", tc.v, tc.top, got, tc.want)
		}
	}
}

func TestNumber(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1234: "1234", 12345: "12\u202f345", 1234567: "1\u202f234\u202f567", -12345: "-12\u202f345"} {
		if got := Number(n); got != want {
			t.Errorf("Number(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestEvents(t *testing.T) {
	for n, want := range map[int]string{0: "событий", 1: "событие", 2: "события", 5: "событий", 11: "событий", 21: "событие", 104: "события", 112: "событий"} {
		if got := Events(n); got != want {
			t.Errorf("Events(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestNarrow checks what keeps charts readable on a phone, where a unit of
// the SVG is a pixel and the column is phoneColumn pixels wide (a 375-pixel
// screen's, or a 390-pixel one's beside a scroll bar): a year of
// months fits it; longer bar charts and matrices scroll in a region of
// their own, each bar labelled; a matrix's rows keep their names apart from
// the cells that scroll, on at most two lines, within their graphic.
func TestNarrow(t *testing.T) {
	const phoneColumn = 343
	var b Bars
	b.ID = "m"
	for i := range 12 {
		b.Bars = append(b.Bars, Bar{Label: "сен", Value: i})
	}
	html := string(b.HTML())
	if w := sidePad*2 + barStep*len(b.Bars); w > phoneColumn {
		t.Errorf("a year of months is %d units wide, over %d", w, phoneColumn)
	}
	if got := strings.Count(html, `<text class="chart-label"`); got != 12 {
		t.Errorf("%d of 12 bars labelled", got)
	}
	if !strings.Contains(html, `<figcaption class="chart-title" id="m-caption">`) || !strings.Contains(html, `<div class="chart-scroll" role="region" aria-labelledby="m-caption"><svg`) {
		t.Errorf("a bar chart is not in a named region:\n%s", html)
	}

	m := matrix()
	m.Rows = append(m.Rows, Axis{Name: "Республика Северная Осетия — Алания"}, Axis{Name: "Москва"})
	html = string(m.HTML())
	rows, _, ok := strings.Cut(html, `<div class="chart-scroll">`)
	if !ok || !strings.Contains(rows, `<svg class="chart-rows" aria-hidden="true"`) {
		t.Fatalf("the rows' names are not apart from the cells:\n%s", html)
	}
	for _, want := range []string{
		`<tspan x="124" y="110">Ханты-Мансийский</tspan><tspan x="124" y="123">автономный округ…</tspan>`,
		`>Республика Северная</tspan><tspan`, `>Осетия — Алания</tspan>`,
		`<title>Москва</title><tspan x="124" y="184">Москва</tspan>`,
	} {
		if !strings.Contains(rows, want) {
			t.Errorf("the rows' names lack %s:\n%s", want, rows)
		}
	}
}

func TestWrap(t *testing.T) {
	for s, want := range map[string]string{
		"":                 "",
		"Москва":           "Москва",
		"Хабаровский край": "Хабаровский край",
		"Калининградская область":                                            "Калининградская|область",
		"Республика Северная Осетия — Алания":                                "Республика Северная|Осетия — Алания",
		"Ханты-Мансийский автономный округ — Югра":                           "Ханты-Мансийский|автономный округ…",
		"Одно очень-очень-длинное-слово-без-пробелов и ещё слова после него": "Одно|очень-очень-длинное…",
	} {
		if got := strings.Join(wrap(s, 20), "|"); got != want {
			t.Errorf("wrap(%q) = %q, want %q", s, got, want)
		}
	}
}
