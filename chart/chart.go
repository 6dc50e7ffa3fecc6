// Package chart draws the digest's charts as inline SVG, for pages that need
// no JavaScript: events per year or month as bars, and a matrix of counts
// (Russian regions against Chinese provinces) whose cells are shaded by count
// and link to the pages they count.
//
// Colours come from the site's stylesheet through classes (chart-bar,
// chart-cell q0…q5, …), never from inline styles, which the site's
// Content-Security-Policy forbids; so charts follow the site's colours, dark
// mode and print styles. Every chart is a <figure> whose graphic carries a
// title and a description for screen readers, followed by the same numbers
// as a table behind a <details>, with the links.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bar is one bar: a year or a month and its count.
type Bar struct {
	Label string // under the bar: "2024", "мар"
	Value int
	// Name is the bar's full name in the table and in its tooltip ("март
	// 2024"); Label when empty.
	Name string
	// URL, when set, links the bar's row of the table to what it counts,
	// when it counts any.
	URL string
}

// Bars is a bar chart.
type Bars struct {
	// ID is unique on the page; the chart's elements are named after it.
	ID    string
	Title string // shown above the chart and read as its name
	// Desc is read after the title; Describe makes one from the numbers.
	Desc string
	// LabelHeader and ValueHeader head the table's columns: «Год», «Событий».
	LabelHeader, ValueHeader string
	Bars                     []Bar
}

// Geometry of a bar chart, in the SVG's own units. The stylesheet draws a
// unit as a pixel on a phone and a little larger on a wide screen, never
// smaller: its text stays readable, and a chart wider than its column
// scrolls sideways in a region of its own. A year of months fits a phone's
// column without scrolling.
const (
	barStep   = 28 // from one bar's left edge to the next
	barWidth  = 20
	barTop    = 18 // room above the tallest bar for its value
	barHeight = 110
	labelRoom = 22 // below the axis, for the labels
	sidePad   = 2
)

// HTML renders the chart and its table.
func (c Bars) HTML() template.HTML {
	var b strings.Builder
	top := 0
	for _, bar := range c.Bars {
		top = max(top, bar.Value)
	}
	width := sidePad*2 + barStep*max(len(c.Bars), 1)
	height := barTop + barHeight + labelRoom
	titleID, descID, captionID := c.ID+"-title", c.ID+"-desc", c.ID+"-caption"
	desc := c.Desc
	if desc == "" {
		desc = Describe(c.Bars)
	}

	fmt.Fprintf(&b, `<figure class="chart chart-bars" id="%s">`, esc(c.ID))
	fmt.Fprintf(&b, `<figcaption class="chart-title" id="%s">%s</figcaption>`, esc(captionID), esc(c.Title))
	// The region is a Tab stop only while it scrolls: scroll.js makes it
	// one then. Without scripts the table below holds the same numbers.
	fmt.Fprintf(&b, `<div class="chart-scroll" role="region" aria-labelledby="%s">`, esc(captionID))
	fmt.Fprintf(&b, `<svg class="chart-svg" role="img" aria-labelledby="%s %s" viewBox="0 0 %d %d" width="%d" height="%d" focusable="false">`,
		esc(titleID), esc(descID), width, height, width, height)
	fmt.Fprintf(&b, `<title id="%s">%s</title><desc id="%s">%s</desc>`, esc(titleID), esc(c.Title), esc(descID), esc(desc))
	base := barTop + barHeight
	fmt.Fprintf(&b, `<line class="chart-axis" x1="0" y1="%d" x2="%d" y2="%d"/>`, base, width, base)
	for i, bar := range c.Bars {
		x := sidePad + i*barStep + (barStep-barWidth)/2
		h := 0
		if top > 0 {
			h = (bar.Value*barHeight + top - 1) / top // a bar of one event stays visible
		}
		name := bar.Name
		if name == "" {
			name = bar.Label
		}
		fmt.Fprintf(&b, `<g class="chart-col"><title>%s: %s</title>`, esc(name), Number(bar.Value))
		fmt.Fprintf(&b, `<rect class="chart-bar" x="%d" y="%d" width="%d" height="%d"/>`, x, base-h, barWidth, h)
		if bar.Value > 0 {
			fmt.Fprintf(&b, `<text class="chart-value" x="%d" y="%d" text-anchor="middle">%s</text>`, x+barWidth/2, base-h-5, Number(bar.Value))
		}
		fmt.Fprintf(&b, `<text class="chart-label" x="%d" y="%d" text-anchor="middle">%s</text></g>`, x+barWidth/2, base+16, esc(bar.Label))
	}
	b.WriteString(`</svg></div>`)

	fmt.Fprintf(&b, `<details class="chart-data"><summary>Таблица: %s</summary><table><thead><tr><th scope="col">%s</th><th scope="col">%s</th></tr></thead><tbody>`,
		esc(lower(c.Title)), esc(c.LabelHeader), esc(c.ValueHeader))
	for _, bar := range c.Bars {
		name := bar.Name
		if name == "" {
			name = bar.Label
		}
		b.WriteString(`<tr><th scope="row">`)
		url := bar.URL
		if bar.Value == 0 {
			url = "" // nothing to see there: a year without events has no page
		}
		link(&b, url, name, "")
		fmt.Fprintf(&b, `</th><td>%s</td></tr>`, Number(bar.Value))
	}
	b.WriteString(`</tbody></table></details></figure>`)
	return template.HTML(b.String())
}

// Describe sums up bars in a sentence for screen readers: the span, the
// total and the busiest bar.
func Describe(bars []Bar) string {
	if len(bars) == 0 {
		return "Нет данных."
	}
	total, best := 0, 0
	for i, bar := range bars {
		total += bar.Value
		if bar.Value > bars[best].Value {
			best = i
		}
	}
	name := func(b Bar) string {
		if b.Name != "" {
			return b.Name
		}
		return b.Label
	}
	s := fmt.Sprintf("%s – %s: всего %s %s", name(bars[0]), name(bars[len(bars)-1]), Number(total), Events(total))
	if total > 0 {
		s += fmt.Sprintf(", больше всего – %s (%s)", name(bars[best]), Number(bars[best].Value))
	}
	return s + "."
}

// Axis is a row or a column of a matrix.
type Axis struct {
	Name string
	URL  string
}

// Cell is one count of a matrix.
type Cell struct {
	Value int
	// URL links the cell, when it counts anything, to the page of what it
	// counts (a partnership).
	URL string
}

// Matrix is a table of counts drawn as shaded cells: rows against columns.
type Matrix struct {
	ID          string
	Title, Desc string
	// Corner heads the table's first column: «Регион России \ провинция Китая».
	Corner string
	Rows   []Axis
	Cols   []Axis
	Cells  [][]Cell // [row][col]
}

// Geometry of a matrix, in the SVG's units, which the stylesheet draws as
// pixels. The names of the rows are drawn apart from the cells, on the
// left: on a narrow screen the cells scroll sideways beside them, and every
// row keeps its name in sight.
const (
	cellW = 40
	cellH = 28
	// cellHWrapped is a row's height when a row's name takes two lines.
	cellHWrapped = 34
	// rowChars is the most characters of a line of a row's name; a longer
	// name is broken at spaces into two lines, and a yet longer one cut
	// with an ellipsis, whole in its tooltip and the table.
	rowChars = 20
	// labelChars cuts the columns' names, turned 45°.
	labelChars = 24
	// charW is a letter's width at the labels' size, a little over the
	// average, so that the room estimated for a name holds it.
	charW  = 6.4
	lineH  = 13 // from one line of a row's name to the next
	shades = 5  // q1…q5; q0 is an empty cell
)

// HTML renders the matrix and its table. Unlike a bar chart the graphic is
// not role="img": its cells are links, and an image's children are hidden
// from screen readers; it is a group named by the title, each link named by
// what it counts. The rows' names are a graphic of their own, hidden from
// screen readers, which read each row's name in the names of its cells.
func (m Matrix) HTML() template.HTML {
	var b strings.Builder
	top := 0
	for _, row := range m.Cells {
		for _, c := range row {
			top = max(top, c.Value)
		}
	}
	rowLines := make([][]string, len(m.Rows))
	rowW, rowH := 0, cellH
	for i, row := range m.Rows {
		rowLines[i] = wrap(row.Name, rowChars)
		for _, l := range rowLines[i] {
			rowW = max(rowW, textWidth(l))
		}
		if len(rowLines[i]) > 1 {
			rowH = cellHWrapped
		}
	}
	rowW += 10 // room between a row's name and its cells
	// The columns' names, turned 45°, rise to the right of their columns'
	// middles: the graphic is as high as the longest needs, and as wide as
	// the cells or the name that reaches furthest right.
	width, colH := cellW*len(m.Cols)+4, 0
	for j, col := range m.Cols {
		w := textWidth(cut(col.Name, labelChars)) * 707 / 1000
		colH = max(colH, w)
		width = max(width, j*cellW+cellW/2+w+8)
	}
	colH += 16
	height := colH + rowH*len(m.Rows) + 4
	titleID, descID := m.ID+"-title", m.ID+"-desc"

	fmt.Fprintf(&b, `<figure class="chart chart-matrix" id="%s">`, esc(m.ID))
	fmt.Fprintf(&b, `<figcaption class="chart-title">%s</figcaption>`, esc(m.Title))
	b.WriteString(`<div class="chart-matrix-body">`)
	fmt.Fprintf(&b, `<svg class="chart-rows" aria-hidden="true" viewBox="0 0 %d %d" width="%d" height="%d" focusable="false">`, rowW, height, rowW, height)
	for i, row := range m.Rows {
		lines := rowLines[i]
		// The lines' baselines, centred on the row.
		y := colH + i*rowH + rowH/2 + 4 - (len(lines)-1)*lineH/2
		fmt.Fprintf(&b, `<text class="chart-label chart-row-label" x="%d" y="%d" text-anchor="end"><title>%s</title>`, rowW-8, y, esc(row.Name))
		for k, l := range lines {
			fmt.Fprintf(&b, `<tspan x="%d" y="%d">%s</tspan>`, rowW-8, y+k*lineH, esc(l))
		}
		b.WriteString(`</text>`)
	}
	b.WriteString(`</svg>`)
	fmt.Fprintf(&b, `<div class="chart-scroll"><svg class="chart-svg" role="group" aria-labelledby="%s" aria-describedby="%s" viewBox="0 0 %d %d" width="%d" height="%d">`,
		esc(titleID), esc(descID), width, height, width, height)
	fmt.Fprintf(&b, `<title id="%s">%s</title><desc id="%s">%s</desc>`, esc(titleID), esc(m.Title), esc(descID), esc(m.Desc))
	for j, col := range m.Cols {
		x := j*cellW + cellW/2
		fmt.Fprintf(&b, `<text class="chart-label chart-col-label" transform="translate(%d %d) rotate(-45)">%s<title>%s</title></text>`,
			x, colH-6, esc(cut(col.Name, labelChars)), esc(col.Name))
	}
	for i, row := range m.Rows {
		y := colH + i*rowH
		for j, col := range m.Cols {
			c := m.cell(i, j)
			x := j * cellW
			shade := Shade(c.Value, top)
			label := fmt.Sprintf("%s — %s: %s %s", row.Name, col.Name, Number(c.Value), Events(c.Value))
			if c.URL != "" && c.Value > 0 {
				// The link is named by its <title>: an aria-label would
				// hide its visible number from its name (WCAG 2.5.3).
				fmt.Fprintf(&b, `<a href="%s">`, esc(c.URL))
			} else {
				b.WriteString(`<g>`)
			}
			fmt.Fprintf(&b, `<title>%s</title><rect class="chart-cell q%d" x="%d" y="%d" width="%d" height="%d"/>`,
				esc(label), shade, x+1, y+1, cellW-2, rowH-2)
			if c.Value > 0 {
				fmt.Fprintf(&b, `<text class="chart-cell-value q%d" x="%d" y="%d" text-anchor="middle">%s</text>`,
					shade, x+cellW/2, y+rowH/2+4, Number(c.Value))
			}
			if c.URL != "" && c.Value > 0 {
				b.WriteString(`</a>`)
			} else {
				b.WriteString(`</g>`)
			}
		}
	}
	b.WriteString(`</svg></div></div>`)

	fmt.Fprintf(&b, `<details class="chart-data"><summary>Таблица: %s</summary><div class="table-scroll"><table><thead><tr><th scope="col">%s</th>`,
		esc(lower(m.Title)), esc(m.Corner))
	for _, col := range m.Cols {
		b.WriteString(`<th scope="col">`)
		link(&b, col.URL, col.Name, "")
		b.WriteString(`</th>`)
	}
	b.WriteString(`</tr></thead><tbody>`)
	for i, row := range m.Rows {
		b.WriteString(`<tr><th scope="row">`)
		link(&b, row.URL, row.Name, "")
		b.WriteString(`</th>`)
		for j := range m.Cols {
			c := m.cell(i, j)
			b.WriteString(`<td>`)
			if c.Value > 0 {
				link(&b, c.URL, Number(c.Value), "")
			} else {
				b.WriteString(`0`)
			}
			b.WriteString(`</td>`)
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</tbody></table></div></details></figure>`)
	return template.HTML(b.String())
}

func (m Matrix) cell(i, j int) Cell {
	if i < len(m.Cells) && j < len(m.Cells[i]) {
		return m.Cells[i][j]
	}
	return Cell{}
}

// Shade is the class number of a count against the largest: 0 for none,
// 1 to 5 in equal steps up to the largest.
func Shade(v, top int) int {
	if v <= 0 || top <= 0 {
		return 0
	}
	return min(shades, (v*shades+top-1)/top)
}

// Number writes n with its thousands apart by a narrow no-break space, as
// Russian typography has it: 12 345.
func Number(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if len(s) <= 4 { // 1234 stays whole, by the same rule
		if neg {
			return "-" + s
		}
		return s
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, d := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(d)
	}
	return b.String()
}

// Events is the Russian word for n events: событие, события, событий.
func Events(n int) string {
	n100, n10 := n%100, n%10
	switch {
	case n100 >= 11 && n100 <= 14:
		return "событий"
	case n10 == 1:
		return "событие"
	case n10 >= 2 && n10 <= 4:
		return "события"
	}
	return "событий"
}

func link(b *strings.Builder, url, text, class string) {
	if url == "" {
		b.WriteString(esc(text))
		return
	}
	b.WriteString(`<a href="`)
	b.WriteString(esc(url))
	if class != "" {
		b.WriteString(`" class="`)
		b.WriteString(esc(class))
	}
	b.WriteString(`">`)
	b.WriteString(esc(text))
	b.WriteString(`</a>`)
}

// esc escapes text for an element's content or a quoted attribute.
func esc(s string) string { return html.EscapeString(s) }

// cut shortens a name to n characters with an ellipsis, which follows no
// space or dash.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " -–—,") + "…"
}

// wrap breaks a name at spaces into at most two lines of at most n
// characters each: a word longer than a line, or what the second line
// cannot hold, is cut with an ellipsis.
func wrap(s string, n int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) <= n || len(lines) == 1:
			line += " " + w
		default:
			lines = append(lines, cut(line, n))
			line = w
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, cut(line, n))
	}
	return lines
}

// textWidth estimates the width of a label's text in the SVG's units.
func textWidth(s string) int {
	return int(math.Ceil(float64(utf8.RuneCountInString(s)) * charW))
}

// lower lower-cases the first letter of a title, for "Таблица: события по
// годам".
func lower(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return strings.ToLower(string(r)) + s[size:]
}
