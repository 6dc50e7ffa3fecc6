package build

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	leadRE   = regexp.MustCompile(`<p class="lead">(\d+) событи`)
	svgRE    = regexp.MustCompile(`(?s)<svg class="chart-svg".*?</svg>`)
	rowRE    = regexp.MustCompile(`<tr><th scope="row">.*?</th><td>(\d+)</td></tr>`)
	cellRE   = regexp.MustCompile(`<td><a href="(/regions/[^/"]+/[^/"]+/)">(\d+)</a></td>`)
	chartsRE = regexp.MustCompile(`<figure class="chart chart-(bars|matrix)"`)
)

// TestCharts: every list page's first page has its chart of events by year
// (by month for a year), readable as an image with a title and a
// description, whose table counts the page's events; the matrix of
// /regions/ links each cell to the partnership whose events it counts; the
// SVG is well-formed XML.
func TestCharts(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	buildSite(t, "testdata/basic", out, false)
	read := func(p string) string {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	wellFormed := func(t *testing.T, p, page string) {
		t.Helper()
		svg := svgRE.FindString(page)
		if svg == "" {
			t.Fatalf("%s: no chart", p)
		}
		d := xml.NewDecoder(strings.NewReader(svg))
		for {
			if _, err := d.Token(); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: the SVG is not well-formed: %v", p, err)
			}
		}
		for _, want := range []string{"<title id=", "<desc id=", "aria-labelledby="} {
			if !strings.Contains(svg, want) {
				t.Errorf("%s: the SVG lacks %s", p, want)
			}
		}
	}
	for _, p := range []string{"index.html", "2024/index.html", "regions/khabarovsk-krai/index.html", "sectors/trade/index.html",
		"kinds/delegation/index.html"} {
		t.Run(p, func(t *testing.T) {
			page := read(p)
			wellFormed(t, p, page)
			if !strings.Contains(svgRE.FindString(page), `role="img"`) {
				t.Errorf("%s: the bars are not role=img", p)
			}
			sum := 0
			for _, m := range rowRE.FindAllStringSubmatch(page, -1) {
				n, _ := strconv.Atoi(m[1])
				sum += n
			}
			want := -1
			if m := leadRE.FindStringSubmatch(page); m != nil {
				want, _ = strconv.Atoi(m[1])
			} else if p == "index.html" {
				// The home page's chart counts every published note, as
				// the open data lists them, a line each after the header.
				want = strings.Count(read("data/events.csv"), "\r\n") - 1
			}
			if sum != want || sum == 0 {
				t.Errorf("%s: the chart's table counts %d events, the page %d", p, sum, want)
			}
		})
	}
	// Pages without lists have none, and lists of one year, whose one bar
	// would say no more than their count.
	for _, p := range []string{"sectors/index.html", "404.html", "kinds/expo/index.html"} {
		if n := len(chartsRE.FindAllString(read(p), -1)); n != 0 {
			t.Errorf("%s: %d charts, want none", p, n)
		}
	}

	regions := read("regions/index.html")
	wellFormed(t, "regions/index.html", regions)
	cells := cellRE.FindAllStringSubmatch(regions, -1)
	if len(cells) == 0 {
		t.Fatal("the matrix links no partnership")
	}
	for _, c := range cells {
		m := leadRE.FindStringSubmatch(read(strings.TrimPrefix(c[1], "/") + "index.html"))
		if m == nil || m[1] != c[2] {
			t.Errorf("the matrix counts %s events of %s, its page %v", c[2], c[1], m)
		}
	}
}
