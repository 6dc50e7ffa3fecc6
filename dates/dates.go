// Package dates reads the dates in a reader's query as readers write them:
// in words, in Russian and English («16 марта 2025», «с 17 по 21 мая 2024»,
// «весной 2025», «первый квартал 2025», «March 16, 2025»), and in digits
// as Russian, Chinese and English texts write them («16.03.2025»,
// «2025年3月16日», «2025-03»), each read as the days it names.
package dates

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coopdigest/digest/russian"
	"github.com/coopdigest/digest/source"
)

// Span is the days from From to before To.
type Span struct{ From, To time.Time }

// Year is the days of a year.
func Year(year int) Span {
	from := time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC)
	return Span{from, from.AddDate(1, 0, 0)}
}

// IsYear reports whether w is a year that notes may have.
func IsYear(w string) bool {
	n, err := strconv.Atoi(w)
	return len(w) == 4 && err == nil && source.YearInRange(n)
}

// YearsAlone returns a copy of words with the word that says a year is
// one left out: «2024 года», «в 2024 году», «2024 г.», «2024г.» and «2024年»
// ask for the year's events as «2024» does, and most of them do not write
// «год».
func YearsAlone(words []string) []string {
	out := make([]string, 0, len(words))
	for i, w := range words {
		if i > 0 && IsYear(words[i-1]) && yearWords[strings.ToLower(strings.TrimSuffix(w, "."))] {
			continue
		}
		out = append(out, YearAlone(w))
	}
	return out
}

// YearAlone is w, or the year of «2024г.» or «2024年».
func YearAlone(w string) string {
	if y := strings.TrimRight(strings.TrimSuffix(w, "."), "г年"); y != w && IsYear(y) {
		return y
	}
	return w
}

// yearWords are the words that follow a year to say it is one.
var yearWords = map[string]bool{
	"г": true, "гг": true, "год": true, "года": true, "году": true, "годом": true, "годе": true,
	"годы": true, "годов": true, "годах": true,
}

// Parse reads a word that is a date, as a reader writes one, of a year
// that notes may have: a day (2025-03-16, 16.03.2025, 16.3.2025,
// 16-03-2025, 16/03/2025, 3/16/2025 when the day is past 12, 2025/03/16,
// 2025.03.16, 2025年3月16日 or 号) or a month (2025-03, 03.2025, 2025年3月). It returns its
// first day and the day after its last. A year of two digits is none:
// «8.3.24» is as often a version.
func Parse(w string) (Span, bool) {
	for _, l := range []struct {
		layout       string
		months, days int
	}{
		{time.DateOnly, 0, 1}, {"2.1.2006", 0, 1}, {"2-1-2006", 0, 1}, {"2/1/2006", 0, 1}, {"1/2/2006", 0, 1},
		{"2006/1/2", 0, 1}, {"2006.1.2", 0, 1}, {"2006年1月2日", 0, 1}, {"2006年1月2号", 0, 1},
		{"2006-01", 1, 0}, {"1.2006", 1, 0}, {"2006年1月", 1, 0},
	} {
		if t, err := time.Parse(l.layout, w); err == nil && source.YearInRange(t.Year()) {
			return Span{t, t.AddDate(0, l.months, l.days)}, true
		}
	}
	return Span{}, false
}

// Date is a date that a reader wrote, words[i:j] of a query's words,
// and the days it names: one Span, or one for each day or month of a list
// («16 и 17 марта 2025»).
type Date struct {
	I, J int
	Days []Span
	// Years says that it is a range of years («2024–2026»), which is a
	// date only in a query of dates and regions alone: among other words
	// it is as often a programme's years.
	Years bool
}

// In returns the dates in words that end in a month and a year, as
// pages print them and readers type them: «март 2025», «в марте 2025»,
// «16 марта 2025», «17–18 марта 2025», «30 марта – 2 апреля 2025», «с 17 по
// 21 мая 2024», «с декабря 2024 по январь 2025», «16-го марта 2025-го»,
// «16 March 2025», «March 16, 2025»; lists of days or months before the
// year, for any of them: «16 и 17 марта 2025», «в марте, апреле и мае
// 2025»; seasons, quarters and halves (partOfYear). Also dates in digits
// (Parse) and ranges of two («с 30.03.2025 по 02.04.2025»), and ranges
// of years («2024–2025», Date.Years). A comma, a bracket or a full
// stop stuck to a word is no matter. A month without a year is none: which
// one the reader means is not known.
func In(words []string) []Date {
	bare := make([]string, len(words))
	for i, w := range words {
		bare[i] = strings.TrimSuffix(russian.Fold(strings.Trim(w, Stuck)), "-го")
		// «16th», «1st»: the day.
		if d := strings.TrimRight(bare[i], "stndrh"); d != bare[i] && len(bare[i])-len(d) == 2 && isDay(d) {
			bare[i] = d
		}
	}
	var out []Date
	next := 0 // the first word that no date before has
	for y := 0; y < len(words); y++ {
		// A date in digits, or a range of two: «16.03.2025», «с 30.03.2025
		// по 02.04.2025».
		if d, ok := Parse(bare[y]); ok {
			j := y + 1
			if j+1 < len(words) && rangeWords[bare[j]] {
				if last, ok := Parse(bare[j+1]); ok && d.From.Before(last.To) {
					j, d.To = j+2, last.To
				}
			}
			out, next, y = append(out, Date{y, j, []Span{d}, false}), j, j-1
			continue
		}
		if y == 0 || !IsYear(bare[y]) {
			continue
		}
		year, _ := strconv.Atoi(bare[y])
		// A range of years: «2024–2025», «с 2024 по 2025».
		if y-2 >= next && rangeWords[bare[y-1]] && IsYear(bare[y-2]) {
			first, _ := strconv.Atoi(bare[y-2])
			from, to := min(first, year), max(first, year) // «2025–2024», read either way
			out, next = append(out, Date{y - 2, y + 1, []Span{{Year(from).From, Year(to).To}}, true}), y+1
			continue
		}
		// The English order, «March 16, 2025»: the day read as if before.
		if y >= 2 && months[bare[y-1]] == 0 && months[bare[y-2]] != 0 && isDay(bare[y-1]) {
			bare[y-2], bare[y-1] = bare[y-1], bare[y-2]
		}
		if i, d, ok := partOfYear(bare, next, y-1, year); ok {
			j := y + 1
			// A winter of two years: «зима 2025–2026» from December 2025.
			if m, ok := seasons[bare[y-1]]; ok && m == 0 && j+1 < len(words) && rangeWords[bare[j]] && bare[j+1] == strconv.Itoa(year+1) {
				_, d, _ = partOfYear(bare, next, y-1, year+1)
				j += 2
			}
			i, ds := partsListed(words, bare, next, i, year, d)
			if j == y+1 {
				j, ds = everyYear(bare, j, year, ds)
			}
			out, next, y = append(out, Date{i, j, ds, false}), j, j-1
			continue
		}
		month, ok := months[bare[y-1]]
		if !ok {
			continue
		}
		date := func(m time.Month, d int) time.Time { return time.Date(year, m, d, 0, 0, 0, 0, time.UTC) }
		// days reads the word at i as days of the month m: «16», «17–18».
		days := func(i int, m time.Month) (first, last int, ok bool) {
			if i < next { // before the first word, or in a date before
				return 0, 0, false
			}
			return daysIn(bare[i], year, m)
		}
		i, d := y-1, Span{date(month, 1), date(month+1, 1)}
		if first, last, ok := days(i-1, month); ok {
			i, d = i-1, Span{date(month, first), date(month, last+1)}
		}
		// Where a range starts: «30 марта –», «с 17 по», «с декабря по»,
		// a month after the last one being of the year before.
		if i-2 >= next && rangeWords[bare[i-1]] {
			if m, ok := months[bare[i-2]]; ok {
				i, d.From = i-2, date(m, 1)
				if m > month {
					d.From = d.From.AddDate(-1, 0, 0)
				}
				if first, _, ok := days(i-1, m); ok {
					i, d.From = i-1, d.From.AddDate(0, 0, first-1)
				}
			} else if first, _, ok := days(i-2, month); ok && date(month, first).Before(d.From) {
				i, d.From = i-2, date(month, first)
			}
		}
		// A range whose first day has its own year: «31 декабря 2024 – 2
		// января 2025».
		if k := len(out) - 1; k >= 0 && len(out[k].Days) == 1 && out[k].J+1 == i && rangeWords[bare[i-1]] && out[k].Days[0].From.Before(d.To) {
			out[k].J, out[k].Days[0].To = y+1, d.To
		} else {
			i, ds := listed(words, bare, next, i, d)
			j, ds := everyYear(bare, y+1, year, ds)
			out, y = append(out, Date{i, j, ds, false}), j-1
		}
		next = y + 1
	}
	return out
}

// maxYears is how many years a date of each year may have: «весна
// 2024–2025» is two springs, «март 2015–2025» eleven Marches.
const maxYears = 12

// everyYear reads the words from j, after the date of the days ds of the
// year year, as a range of years that the date's year starts («март
// 2024–2025», «весной 2024–2025»): ds in each of those years, and the word
// after the range; «по» or «до» before the last year make it one span
// from the date to that year's end. Without a range, or for more than
// maxYears, it is j and ds.
func everyYear(bare []string, j, year int, ds []Span) (int, []Span) {
	if j+1 >= len(bare) || !rangeWords[bare[j]] || !IsYear(bare[j+1]) {
		return j, ds
	}
	last, _ := strconv.Atoi(bare[j+1])
	if last <= year || last-year >= maxYears {
		return j, ds
	}
	if bare[j] == "по" || bare[j] == "до" {
		// «с марта 2023 по 2025» is one span, to the range's last year.
		return j + 2, []Span{{ds[0].From, Year(last).To}}
	}
	every := slices.Clone(ds)
	for n := 1; n <= last-year; n++ {
		for _, d := range ds {
			every = append(every, Span{d.From.AddDate(n, 0, 0), d.To.AddDate(n, 0, 0)})
		}
	}
	return j + 2, every
}

// listed returns where the list of days or months that ends in the date
// d, at the word i, starts, and their days, d's last: «16, 17 и 18 марта
// 2025», «март и апрель 2025». A day is listed before a day only: «10 и
// март 2025» is March. A month after the one that follows it is
// of the year before, as in a range: «декабрь и январь 2025».
func listed(words, bare []string, next, i int, d Span) (int, []Span) {
	days := func(k int, y int, m time.Month) (Span, bool) {
		if k < next {
			return Span{}, false
		}
		first, last, ok := daysIn(bare[k], y, m)
		from := time.Date(y, m, first, 0, 0, 0, 0, time.UTC)
		return Span{from, from.AddDate(0, 0, last-first+1)}, ok
	}
	spans := []Span{d}
	for {
		e := itemBefore(words, bare, next, i)
		if e < 0 {
			break
		}
		after, s := spans[0].From, Span{}
		if m, ok := months[bare[e]]; ok {
			y := after.Year()
			if m > after.Month() {
				y--
			}
			s = Span{time.Date(y, m, 1, 0, 0, 0, 0, time.UTC), time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)}
			if ds, ok := days(e-1, y, m); ok {
				s, e = ds, e-1
			}
		} else if _, ok := days(i, after.Year(), after.Month()); !ok {
			break // only a day is listed before a day
		} else if s, ok = days(e, after.Year(), after.Month()); !ok {
			break
		}
		spans, i = slices.Insert(spans, 0, s), e
	}
	return i, spans
}

// itemBefore returns the last word of the item of a list before the word
// i: past «и» or «или», or at a word that a comma ends, and past «в» or
// «во» («в марте и в апреле»); -1 when there is none after next.
func itemBefore(words, bare []string, next, i int) int {
	e := i - 1
	for e >= next && (bare[e] == "в" || bare[e] == "во") {
		e--
	}
	switch {
	case e >= next && listWords[bare[e]]:
		e--
	case e >= next && strings.HasSuffix(words[e], ","):
	default:
		return -1
	}
	if e < next {
		return -1
	}
	return e
}

// daysIn reads w as days of the month m of the year y: «16», «17–18».
func daysIn(w string, y int, m time.Month) (first, last int, ok bool) {
	a, b, ranged := strings.Cut(dashes.Replace(w), "-")
	first, err1 := strconv.Atoi(a)
	last, err2 := first, error(nil)
	if ranged {
		last, err2 = strconv.Atoi(b)
		if last < first { // «18–17 марта», read either way
			first, last = last, first
			a = b
		}
	}
	ok = err1 == nil && err2 == nil && len(a) <= 2 && 1 <= first && first <= last &&
		time.Date(y, m, last, 0, 0, 0, 0, time.UTC).Day() == last
	return first, last, ok
}

// listWords join the items of a list of days or months.
var listWords = map[string]bool{"и": true, "или": true, "and": true, "or": true}

// partOfYear reads the words of bare that end at e, none before next, as
// a season, a quarter or a half of the year: «весной», «зима» (from the
// December before), «первый квартал», «1-й кв.», «III квартал», «Q1»,
// «второе полугодие», «H2». It returns its first word and its days.
func partOfYear(bare []string, next, e, year int) (int, Span, bool) {
	part := func(first time.Month, n int) Span {
		from := time.Date(year, first, 1, 0, 0, 0, 0, time.UTC)
		return Span{from, from.AddDate(0, n, 0)}
	}
	w := bare[e]
	if m, ok := seasons[w]; ok {
		return e, part(m, 3), true
	}
	if len(w) == 2 && (w[0] == 'q' || w[0] == 'h') && '1' <= w[1] && w[1] <= '4' {
		if n := int(w[1] - '0'); w[0] == 'q' {
			return e, part(time.Month(3*n-2), 3), true
		} else if n <= 2 {
			return e, part(time.Month(6*n-5), 6), true
		}
	}
	if e-1 < next {
		return 0, Span{}, false
	}
	ord := bare[e-1]
	if ord != "" && '0' <= ord[0] && ord[0] <= '9' {
		ord, _, _ = strings.Cut(ord, "-") // «1-й», «2-е»
	}
	switch n := ordinals[ord]; {
	case n > 0 && quarterWords[w]:
		return e - 1, part(time.Month(3*n-2), 3), true
	case (n == 1 || n == 2) && halfWords[w]:
		return e - 1, part(time.Month(6*n-5), 6), true
	}
	return 0, Span{}, false
}

// partsListed returns where the list of seasons, quarters or halves that
// ends in the part d of the year, at the word i, starts, and their days,
// d's last: «весной и летом 2025», «I и II квартал 2025», «первый и второй
// квартал 2025», «Q1, Q2 2025». An ordinal alone is of the kind of the part
// after it.
func partsListed(words, bare []string, next, i, year int, d Span) (int, []Span) {
	spans := []Span{d}
	for {
		e := itemBefore(words, bare, next, i)
		if e < 0 {
			break
		}
		start, s, ok := partOfYear(bare, next, e, year)
		if !ok {
			// An ordinal alone: a quarter before a quarter, a half before
			// a half, as their lengths and first months tell.
			after := spans[0]
			months := int(after.To.Month()-after.From.Month()+12) % 12
			n := ordinals[strings.SplitN(bare[e], "-", 2)[0]]
			first := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
			switch {
			case n > 0 && months == 3 && after.From.Month()%3 == 1:
				s, ok = Span{first.AddDate(0, 3*(n-1), 0), first.AddDate(0, 3*n, 0)}, true
			case (n == 1 || n == 2) && months == 6:
				s, ok = Span{first.AddDate(0, 6*(n-1), 0), first.AddDate(0, 6*n, 0)}, true
			}
			start = e
		}
		if !ok {
			break
		}
		spans, i = slices.Insert(spans, 0, s), start
	}
	return i, spans
}

// seasons are the forms of the seasons' names, folded, and their first
// months: winter's is the December of the year before.
var seasons = formsOf(map[time.Month][]string{
	0: {"зима", "зимы", "зиме", "зиму", "зимой", "зимою", "winter"},
	3: {"весна", "весны", "весне", "весну", "весной", "весною", "spring"},
	6: {"лето", "лета", "лету", "летом", "лете", "summer"},
	9: {"осень", "осени", "осенью", "autumn"},
})

// ordinals are the numbers of quarters and halves, in words and digits.
var ordinals = formsOf(map[int][]string{
	1: {"1", "i", "первый", "первого", "первом", "первое", "первая", "первой", "первую", "first"},
	2: {"2", "ii", "второй", "второго", "втором", "второе", "вторая", "вторую", "second"},
	3: {"3", "iii", "третий", "третьего", "третьем", "третья", "третьей", "третью", "third"},
	4: {"4", "iv", "четвертый", "четвертого", "четвертом", "четвертая", "четвертой", "четвертую", "fourth"},
})

var (
	quarterWords = map[string]bool{"квартал": true, "квартала": true, "квартале": true, "кв": true, "quarter": true}
	halfWords    = map[string]bool{
		"полугодие": true, "полугодия": true, "полугодии": true, "полугодию": true,
		"половина": true, "половины": true, "половине": true, "половину": true, "half": true,
	}
)

// formsOf maps each of the words to its key.
func formsOf[K comparable](words map[K][]string) map[string]K {
	m := map[string]K{}
	for k, ws := range words {
		for _, w := range ws {
			m[w] = k
		}
	}
	return m
}

// Stuck is the punctuation that a word of a query may have stuck to it and
// still be a date's or a region's: «(март, 2025)», «Цзянси.».
const Stuck = ",;:()[]?!.…"

// SplitRanges writes a word that joins a month to a day or another month
// by a dash («марта–2», «март-апрель»), a year to a year («2024–2025») or
// a date in digits to another («30.03.2025–02.04.2025») as three, the dash
// alone between (see In).
func SplitRanges(words []string) []string {
	isMonth := func(p string) bool { return months[russian.Fold(p)] != 0 }
	var out []string
	for _, w := range words {
		parts := strings.Split(dashes.Replace(w), "-")
		if len(parts) == 2 && (slices.ContainsFunc(parts, isMonth) && (isMonth(parts[0]) || isDay(parts[0])) && (isMonth(parts[1]) || isDay(parts[1])) ||
			IsYear(parts[0]) && IsYear(parts[1]) || isDate(parts[0]) && isDate(parts[1])) {
			out = append(out, parts[0], "–", parts[1])
			continue
		}
		out = append(out, w)
	}
	return out
}

func isDate(w string) bool {
	_, ok := Parse(w)
	return ok
}

// isDay reports whether w may be a day of a month: one or two digits, not
// 0, nor past 31.
func isDay(w string) bool {
	n, err := strconv.Atoi(w)
	return err == nil && len(w) <= 2 && 1 <= n && n <= 31
}

// dashes writes the dashes between two days as a hyphen: en and em dash,
// figure dash, minus.
var dashes = strings.NewReplacer("–", "-", "—", "-", "‒", "-", "−", "-")

// rangeWords are the words between the first and the last day of a range.
var rangeWords = map[string]bool{"-": true, "–": true, "—": true, "‒": true, "−": true, "по": true, "до": true}

// months are the forms of the months' names, folded (russian.Fold), in Russian
// and English, and their short forms («мар», «сент», «Sept»).
var months = func() map[string]time.Month {
	m := map[string]time.Month{}
	short := [][]string{{"янв"}, {"фев", "февр"}, {"мар"}, {"апр"}, {}, {"июн"}, {"июл"}, {"авг"}, {"сен", "сент", "sept"},
		{"окт"}, {"ноя", "нояб"}, {"дек"}}
	for i, stem := range []string{"январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр"} {
		month := time.Month(i + 1)
		endings := []string{"ь", "я", "е", "ю", "ем"}
		switch stem {
		case "март", "август":
			endings = []string{"", "а", "е", "у", "ом"}
		case "ма":
			endings = []string{"й", "я", "е", "ю", "ем"}
		}
		for _, e := range endings {
			m[stem+e] = month
		}
		english := strings.ToLower(month.String())
		m[english] = month
		for _, f := range append(short[i], english[:3]) {
			m[f] = month
		}
	}
	return m
}()

// At returns the date of dates that starts at the word i.
func At(dates []Date, i int) (Date, bool) {
	k := slices.IndexFunc(dates, func(d Date) bool { return d.I == i })
	if k < 0 {
		return Date{}, false
	}
	return dates[k], true
}

// Covers reports whether the word i is part of one of dates.
func Covers(dates []Date, i int) bool {
	return slices.ContainsFunc(dates, func(d Date) bool { return d.I <= i && i < d.J })
}
