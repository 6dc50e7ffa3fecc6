package search

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/coopdigest/digest/source"
)

// span is the days from from to before to.
type span struct{ from, to time.Time }

// yearSpan is the days of a year.
func yearSpan(year int) span {
	from := time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC)
	return span{from, from.AddDate(1, 0, 0)}
}

// isYear reports whether w is a year that notes may have.
func isYear(w string) bool {
	n, err := strconv.Atoi(w)
	return len(w) == 4 && err == nil && source.YearInRange(n)
}

// yearsAlone returns a copy of words with the word that says a year is
// one left out: «2024 года», «в 2024 году», «2024 г.», «2024г.» and «2024年»
// ask for the year's events as «2024» does, and most of them do not write
// «год».
func yearsAlone(words []string) []string {
	out := make([]string, 0, len(words))
	for i, w := range words {
		if i > 0 && isYear(words[i-1]) && yearWords[strings.ToLower(strings.TrimSuffix(w, "."))] {
			continue
		}
		out = append(out, yearAlone(w))
	}
	return out
}

// yearAlone is w, or the year of «2024г.» or «2024年».
func yearAlone(w string) string {
	if y := strings.TrimRight(strings.TrimSuffix(w, "."), "г年"); y != w && isYear(y) {
		return y
	}
	return w
}

// yearWords are the words that follow a year to say it is one.
var yearWords = map[string]bool{
	"г": true, "гг": true, "год": true, "года": true, "году": true, "годом": true, "годе": true,
	"годы": true, "годов": true, "годах": true,
}

// orInYear is q, or, when tok names a year (yearOf), q or the events of
// that year: a reader's «2019» asks for them as much as for the notes that
// write it, and most notes name their month and day, not their year.
func orInYear(q query.Query, tok *analysis.Token) query.Query {
	year, ok := yearOf(tok)
	if !ok {
		return q
	}
	return bleve.NewDisjunctionQuery(q, during(yearSpan(year)))
}

// yearOf returns the year that tok, a word of four digits, names, if notes
// may have it (source.YearInRange).
func yearOf(tok *analysis.Token) (int, bool) {
	if tok.Type != analysis.Numeric || len(tok.Term) != 4 {
		return 0, false
	}
	year, err := strconv.Atoi(string(tok.Term))
	return year, err == nil && source.YearInRange(year)
}

// dateSpan reads a word that is a date, as a reader writes one, of a year
// that notes may have: a day (2025-03-16, 16.03.2025, 16.3.2025,
// 16-03-2025, 16/03/2025, 3/16/2025 when the day is past 12, 2025/03/16,
// 2025.03.16, 2025年3月16日 or 号) or a month (2025-03, 03.2025, 2025年3月). It returns its
// first day and the day after its last. A year of two digits is none:
// «8.3.24» is as often a version.
func dateSpan(w string) (span, bool) {
	for _, l := range []struct {
		layout       string
		months, days int
	}{
		{time.DateOnly, 0, 1}, {"2.1.2006", 0, 1}, {"2-1-2006", 0, 1}, {"2/1/2006", 0, 1}, {"1/2/2006", 0, 1},
		{"2006/1/2", 0, 1}, {"2006.1.2", 0, 1}, {"2006年1月2日", 0, 1}, {"2006年1月2号", 0, 1},
		{"2006-01", 1, 0}, {"1.2006", 1, 0}, {"2006年1月", 1, 0},
	} {
		if t, err := time.Parse(l.layout, w); err == nil && source.YearInRange(t.Year()) {
			return span{t, t.AddDate(0, l.months, l.days)}, true
		}
	}
	return span{}, false
}

// yearBoost weighs a match of the notes' dates against a word in their
// text: the events of a year come first, then the notes of other years
// that write it (on the generated corpus of 10,000 notes, a weight of 3
// mixed them).
const yearBoost = 10

// during matches the notes of the events that take place in s: that start
// then, or start before and end then or later.
func during(s span) query.Query {
	dateRange := func(field string, from, to time.Time) query.Query {
		q := bleve.NewDateRangeQuery(from, to) // a zero time is no bound
		q.SetField(field)
		q.SetBoost(yearBoost)
		return q
	}
	return bleve.NewDisjunctionQuery(
		dateRange(fieldDate, s.from, s.to),
		bleve.NewConjunctionQuery(dateRange(fieldEnd, s.from, time.Time{}), dateRange(fieldDate, time.Time{}, s.from)))
}

// wordsDate is a date that a reader wrote, words[i:j] of a query's words,
// and the days it names: one span, or one for each day or month of a list
// («16 и 17 марта 2025»).
type wordsDate struct {
	i, j int
	days []span
	// years says that it is a range of years («2024–2026»), which is a
	// date only in a query of dates and regions alone: among other words
	// it is as often a programme's years.
	years bool
}

// datesIn returns the dates in words that end in a month and a year, as
// pages print them and readers type them: «март 2025», «в марте 2025»,
// «16 марта 2025», «17–18 марта 2025», «30 марта – 2 апреля 2025», «с 17 по
// 21 мая 2024», «с декабря 2024 по январь 2025», «16-го марта 2025-го»,
// «16 March 2025», «March 16, 2025»; lists of days or months before the
// year, for any of them: «16 и 17 марта 2025», «в марте, апреле и мае
// 2025»; seasons, quarters and halves (partOfYear). Also dates in digits
// (dateSpan) and ranges of two («с 30.03.2025 по 02.04.2025»), and ranges
// of years («2024–2025», wordsDate.years). A comma, a bracket or a full
// stop stuck to a word is no matter. A month without a year is none: which
// one the reader means is not known.
func datesIn(words []string) []wordsDate {
	bare := make([]string, len(words))
	for i, w := range words {
		bare[i] = strings.TrimSuffix(foldWord(strings.Trim(w, stuck)), "-го")
		// «16th», «1st»: the day.
		if d := strings.TrimRight(bare[i], "stndrh"); d != bare[i] && len(bare[i])-len(d) == 2 && isDay(d) {
			bare[i] = d
		}
	}
	var out []wordsDate
	next := 0 // the first word that no date before has
	for y := 0; y < len(words); y++ {
		// A date in digits, or a range of two: «16.03.2025», «с 30.03.2025
		// по 02.04.2025».
		if d, ok := dateSpan(bare[y]); ok {
			j := y + 1
			if j+1 < len(words) && rangeWords[bare[j]] {
				if last, ok := dateSpan(bare[j+1]); ok && d.from.Before(last.to) {
					j, d.to = j+2, last.to
				}
			}
			out, next, y = append(out, wordsDate{y, j, []span{d}, false}), j, j-1
			continue
		}
		if y == 0 || !isYear(bare[y]) {
			continue
		}
		year, _ := strconv.Atoi(bare[y])
		// A range of years: «2024–2025», «с 2024 по 2025».
		if y-2 >= next && rangeWords[bare[y-1]] && isYear(bare[y-2]) {
			if first, _ := strconv.Atoi(bare[y-2]); first <= year {
				out, next = append(out, wordsDate{y - 2, y + 1, []span{{yearSpan(first).from, yearSpan(year).to}}, true}), y+1
				continue
			}
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
			out, next, y = append(out, wordsDate{i, j, ds, false}), j, j-1
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
		i, d := y-1, span{date(month, 1), date(month+1, 1)}
		if first, last, ok := days(i-1, month); ok {
			i, d = i-1, span{date(month, first), date(month, last+1)}
		}
		// Where a range starts: «30 марта –», «с 17 по», «с декабря по»,
		// a month after the last one being of the year before.
		if i-2 >= next && rangeWords[bare[i-1]] {
			if m, ok := months[bare[i-2]]; ok {
				i, d.from = i-2, date(m, 1)
				if m > month {
					d.from = d.from.AddDate(-1, 0, 0)
				}
				if first, _, ok := days(i-1, m); ok {
					i, d.from = i-1, d.from.AddDate(0, 0, first-1)
				}
			} else if first, _, ok := days(i-2, month); ok && date(month, first).Before(d.from) {
				i, d.from = i-2, date(month, first)
			}
		}
		// A range whose first day has its own year: «31 декабря 2024 – 2
		// января 2025».
		if k := len(out) - 1; k >= 0 && len(out[k].days) == 1 && out[k].j+1 == i && rangeWords[bare[i-1]] && out[k].days[0].from.Before(d.to) {
			out[k].j, out[k].days[0].to = y+1, d.to
		} else {
			i, ds := listed(words, bare, next, i, d)
			out = append(out, wordsDate{i, y + 1, ds, false})
		}
		next = y + 1
	}
	return out
}

// listed returns where the list of days or months that ends in the date
// d, at the word i, starts, and their days, d's last: «16, 17 и 18 марта
// 2025», «март и апрель 2025». A day is listed before a day only: «10 и
// март 2025» is March. A month after the one that follows it is
// of the year before, as in a range: «декабрь и январь 2025».
func listed(words, bare []string, next, i int, d span) (int, []span) {
	days := func(k int, y int, m time.Month) (span, bool) {
		if k < next {
			return span{}, false
		}
		first, last, ok := daysIn(bare[k], y, m)
		from := time.Date(y, m, first, 0, 0, 0, 0, time.UTC)
		return span{from, from.AddDate(0, 0, last-first+1)}, ok
	}
	spans := []span{d}
	for {
		e := itemBefore(words, bare, next, i)
		if e < 0 {
			break
		}
		after, s := spans[0].from, span{}
		if m, ok := months[bare[e]]; ok {
			y := after.Year()
			if m > after.Month() {
				y--
			}
			s = span{time.Date(y, m, 1, 0, 0, 0, 0, time.UTC), time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)}
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
func partOfYear(bare []string, next, e, year int) (int, span, bool) {
	part := func(first time.Month, n int) span {
		from := time.Date(year, first, 1, 0, 0, 0, 0, time.UTC)
		return span{from, from.AddDate(0, n, 0)}
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
		return 0, span{}, false
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
	return 0, span{}, false
}

// partsListed returns where the list of seasons, quarters or halves that
// ends in the part d of the year, at the word i, starts, and their days,
// d's last: «весной и летом 2025», «I и II квартал 2025», «первый и второй
// квартал 2025», «Q1, Q2 2025». An ordinal alone is of the kind of the part
// after it.
func partsListed(words, bare []string, next, i, year int, d span) (int, []span) {
	spans := []span{d}
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
			months := int(after.to.Month()-after.from.Month()+12) % 12
			n := ordinals[strings.SplitN(bare[e], "-", 2)[0]]
			first := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
			switch {
			case n > 0 && months == 3 && after.from.Month()%3 == 1:
				s, ok = span{first.AddDate(0, 3*(n-1), 0), first.AddDate(0, 3*n, 0)}, true
			case (n == 1 || n == 2) && months == 6:
				s, ok = span{first.AddDate(0, 6*(n-1), 0), first.AddDate(0, 6*n, 0)}, true
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

// stuck is the punctuation that a word of a query may have stuck to it and
// still be a date's or a region's: «(март, 2025)», «Цзянси.».
const stuck = ",;:()[]?!.…"

// maxDates is how many dates in words a query may have: each is a clause
// of several words, planned afresh (see planDate).
const maxDates = 4

// splitRanges writes a word that joins a month to a day or another month
// by a dash («марта–2», «март-апрель»), a year to a year («2024–2025») or
// a date in digits to another («30.03.2025–02.04.2025») as three, the dash
// alone between (see datesIn).
func splitRanges(words []string) []string {
	isMonth := func(p string) bool { return months[foldWord(p)] != 0 }
	var out []string
	for _, w := range words {
		parts := strings.Split(dashes.Replace(w), "-")
		if len(parts) == 2 && (slices.ContainsFunc(parts, isMonth) && (isMonth(parts[0]) || isDay(parts[0])) && (isMonth(parts[1]) || isDay(parts[1])) ||
			isYear(parts[0]) && isYear(parts[1]) || isDate(parts[0]) && isDate(parts[1])) {
			out = append(out, parts[0], "–", parts[1])
			continue
		}
		out = append(out, w)
	}
	return out
}

func isDate(w string) bool {
	_, ok := dateSpan(w)
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

// months are the forms of the months' names, folded (foldWord), in Russian
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

// dateAt returns the date of dates that starts at the word i.
func dateAt(dates []wordsDate, i int) (wordsDate, bool) {
	k := slices.IndexFunc(dates, func(d wordsDate) bool { return d.i == i })
	if k < 0 {
		return wordsDate{}, false
	}
	return dates[k], true
}

// inDate reports whether the word i is part of one of dates.
func inDate(dates []wordsDate, i int) bool {
	return slices.ContainsFunc(dates, func(d wordsDate) bool { return d.i <= i && i < d.j })
}
