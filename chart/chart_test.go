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

func TestDenseLabels(t *testing.T) {
	var b Bars
	b.ID = "d"
	for i := range 17 {
		b.Bars = append(b.Bars, Bar{Label: string(rune('a' + i)), Value: i})
	}
	html := string(b.HTML())
	if got := strings.Count(html, `class="chart-label minor"`); got != 8 {
		t.Errorf("%d minor labels among 17 bars, want 8", got)
	}
	b.Bars = b.Bars[:denseBars]
	if strings.Contains(string(b.HTML()), "minor") {
		t.Error("few bars have minor labels")
	}
}
