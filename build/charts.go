package build

import (
	"cmp"
	"hash/maphash"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/coopdigest/digest/chart"
	"github.com/coopdigest/digest/templates"
)

// The charts of list pages (package chart draws them): events per year on
// the home page and on the first page of every region, sector, kind and
// partnership, events per month on a year's first page, and on /regions/
// the busiest Russian regions against the busiest Chinese provinces. A
// chart is made from counts that the page's key covers (keyBars), so that a
// session draws it again exactly when they change.

// matrixSide is how many regions of each country the matrix shows.
const matrixSide = 10

// monthsShort and monthsFull name the months under a year's bars and in its
// table.
var (
	monthsShort = [12]string{"янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"}
	monthsFull  = [12]string{"январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"}
)

// yearBars counts notes by year, from the first year to the last with
// none left out; link gives each year's row of the table its link ("" for
// none).
func yearBars(notes []*note, link func(year int) string) []chart.Bar {
	if len(notes) == 0 {
		return nil
	}
	counts := map[int]int{}
	first, last := notes[0].Year(), notes[0].Year()
	for _, n := range notes {
		y := n.Year()
		counts[y]++
		first, last = min(first, y), max(last, y)
	}
	bars := make([]chart.Bar, 0, last-first+1)
	for y := first; y <= last; y++ {
		bars = append(bars, chart.Bar{Label: strconv.Itoa(y), Value: counts[y]})
	}
	return linkBars(bars, link)
}

// linkBars returns bars of years, each linked to link(year); with no link,
// bars as they are.
func linkBars(bars []chart.Bar, link func(year int) string) []chart.Bar {
	if link == nil {
		return bars
	}
	bars = slices.Clone(bars)
	for i := range bars {
		y, _ := strconv.Atoi(bars[i].Label)
		bars[i].URL = link(y)
	}
	return bars
}

// monthBars counts the notes of year by month.
func monthBars(notes []*note, year int) []chart.Bar {
	var counts [12]int
	for _, n := range notes {
		counts[n.Date.Month()-1]++
	}
	bars := make([]chart.Bar, 12)
	for i := range bars {
		bars[i] = chart.Bar{Label: monthsShort[i], Name: monthsFull[i] + " " + strconv.Itoa(year), Value: counts[i]}
	}
	return bars
}

// keyBars adds what a chart of bars shows to a page's key.
func keyBars(h *maphash.Hash, bars []chart.Bar) {
	for _, b := range bars {
		h.WriteString(b.Label)
		h.WriteString(b.URL)
		maphash.WriteComparable(h, b.Value)
	}
	h.WriteByte(0)
}

// barsChart is the chart of bars with the page's heading as its subject;
// none for one bar, which says no more than the list's count.
func barsChart(id, title, label string, bars []chart.Bar) template.HTML {
	if len(bars) < 2 {
		return ""
	}
	return chart.Bars{ID: id, Title: title, LabelHeader: label, ValueHeader: "Событий", Bars: bars}.HTML()
}

// yearChart is the chart of bars, notes by year, of a list page.
func yearChart(bars []chart.Bar) template.HTML {
	return barsChart("chart-years", "События по годам", "Год", bars)
}

// yearBarsOf counts notes by year, each year's row of the table linked to
// its events (see yearLink).
func (b *builder) yearBarsOf(notes []*note, filters url.Values) []chart.Bar {
	return yearBars(notes, b.yearLink(filters))
}

// yearLink links a year to its events: its year page, or with filters the
// search for the list's events that year.
func (b *builder) yearLink(filters url.Values) func(int) string {
	if len(filters) == 0 {
		return yearURL
	}
	search := b.model.src.Settings.SearchURL
	return func(y int) string {
		v := url.Values{}
		for k, vs := range filters {
			v[k] = vs
		}
		from := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		v.Set("from", from.Format(time.DateOnly))
		v.Set("to", from.AddDate(1, 0, -1).Format(time.DateOnly))
		v.Set("sort", "date")
		return search + "?" + v.Encode()
	}
}

// termFilters are the search filters of a list of notes of all of terms.
func termFilters(terms ...*term) url.Values {
	v := url.Values{}
	for _, t := range terms {
		v.Add(searchParam[t.tax], t.Slug)
	}
	return v
}

// regionsMatrix is the matrix of /regions/: the Russian regions and the
// Chinese provinces in the most partnerships' events, rows against
// columns, each cell the events of the pair, linked to its page.
func (b *builder) regionsMatrix() template.HTML {
	m := b.model
	byPair := map[[2]string]*pair{}
	totals := map[*term]int{}
	for _, p := range m.pairs {
		byPair[[2]string{p.ru.Slug, p.cn.Slug}] = p
		totals[p.ru] += len(p.notes)
		totals[p.cn] += len(p.notes)
	}
	busiest := func(country string) []*term {
		var ts []*term
		for t := range totals {
			if t.Country == country {
				ts = append(ts, t)
			}
		}
		slices.SortFunc(ts, func(a, c *term) int {
			return cmp.Or(cmp.Compare(totals[c], totals[a]), cmp.Compare(a.Slug, c.Slug))
		})
		return ts[:min(matrixSide, len(ts))]
	}
	rows, cols := busiest("RU"), busiest("CN")
	if len(rows) == 0 || len(cols) == 0 {
		return ""
	}
	mx := chart.Matrix{
		ID:    "chart-partners",
		Title: "Партнёрства регионов России и провинций Китая",
		Desc: "Число совместных событий " + strconv.Itoa(len(rows)) + templates.Plural(len(rows), " региона", " регионов", " регионов") +
			" России и " + strconv.Itoa(len(cols)) + templates.Plural(len(cols), " провинции", " провинций", " провинций") +
			" Китая с наибольшим числом событий; ячейка ведёт на страницу партнёрства.",
		Corner: "Регион России \\ Китая",
	}
	for _, t := range rows {
		mx.Rows = append(mx.Rows, chart.Axis{Name: t.Name.Ru, URL: t.url})
	}
	for _, t := range cols {
		mx.Cols = append(mx.Cols, chart.Axis{Name: t.Name.Ru, URL: t.url})
	}
	for _, r := range rows {
		var row []chart.Cell
		for _, c := range cols {
			if p := byPair[[2]string{r.Slug, c.Slug}]; p != nil {
				row = append(row, chart.Cell{Value: len(p.notes), URL: p.url()})
			} else {
				row = append(row, chart.Cell{})
			}
		}
		mx.Cells = append(mx.Cells, row)
	}
	return mx.HTML()
}
