package search

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// viaBoth runs q as Search would, both in rows and by bleve's searchers,
// and returns the counts, the best rows in order and the totals of each.
func viaBoth(t *testing.T, ix *Index, q Query) (rows, bleve struct {
	c     *counts
	top   []ranked
	total int
}) {
	t.Helper()
	v := ix.acquire()
	defer v.release()
	p := ix.plan(v, ParseText(q.Q))
	byScore := p.scored() && q.Sort != SortDate
	f := v.table.filter(q)
	keep := v.table.Len()
	if f.none {
		t.Fatalf("%+v: a filter matches nothing", q)
	}
	var err error
	if rows.c, rows.top, rows.total, err = rowSearch(context.Background(), v, p, &f, byScore, keep); err != nil {
		t.Fatal(err)
	}
	// Again, from the view's cache of rows, and without the filter when it
	// has none, from the cached set's facets and orders.
	again, top, total, err := rowSearch(context.Background(), v, p, &f, byScore, keep)
	if err != nil {
		t.Fatal(err)
	}
	if total != rows.total || fmt.Sprint(top) != fmt.Sprint(rows.top) || fmt.Sprint(v.table.facets(again)) != fmt.Sprint(v.table.facets(rows.c)) {
		t.Errorf("%+v: searched again, %d rows, first %d", q, total, rows.total)
	}
	if p.empty() {
		// Bleve has nothing to do: compare with the table alone.
		bleve.c = v.table.newCounts()
		for _, r := range v.table.byDate {
			if v.table.match(&f, r) {
				bleve.top = append(bleve.top, ranked{row: r})
				bleve.total++
				v.table.count(bleve.c, r)
			}
		}
		return rows, bleve
	}
	if bleve.c, bleve.top, bleve.total, err = collect(context.Background(), v, p.query(), &f, byScore, keep); err != nil {
		t.Fatal(err)
	}
	return rows, bleve
}

// checkRowsMatchBleve runs random queries both ways on ix.
func checkRowsMatchBleve(t *testing.T, ix *Index, r *rand.Rand, n int) {
	t.Helper()
	words := strings.Fields("выставка мост порт зерно соя лес уголь газ нефть туризм форум делегация проект торговля выстовка туризьм делегацея")
	regions := []string{"guangdong", "heilongjiang", "jilin", "primorsky-krai"}
	found := 0
	defer func() {
		if found < n/4 {
			t.Errorf("only %d of %d queries found anything", found, n)
		}
	}()
	for i := range n {
		var q Query
		var text []string
		for range r.IntN(4) {
			w := words[r.IntN(len(words))]
			if r.IntN(4) == 0 {
				w = `"` + w + " " + words[r.IntN(len(words))] + `"`
			}
			if r.IntN(5) == 0 {
				w = "-" + w
			}
			text = append(text, w)
		}
		q.Q = strings.Join(text, " ")
		if r.IntN(3) == 0 {
			q.Regions = []string{regions[r.IntN(len(regions))]}
		}
		if r.IntN(4) == 0 {
			q.Kinds = []string{"expo", "talks"}[:1+r.IntN(2)]
		}
		if r.IntN(3) == 0 {
			q.From = time.Date(2017+r.IntN(6), 1, 1, 0, 0, 0, 0, time.UTC)
			q.To = q.From.AddDate(r.IntN(8), 0, 0)
		}
		if r.IntN(3) == 0 {
			q.Sort = SortDate
		}
		name := fmt.Sprintf("%d: %+v", i, q)
		got, want := viaBoth(t, ix, q)
		if got.total != want.total {
			t.Errorf("%s: total %d, bleve %d", name, got.total, want.total)
			continue
		}
		if fmt.Sprint(ix.view.Load().table.facets(got.c)) != fmt.Sprint(ix.view.Load().table.facets(want.c)) {
			t.Errorf("%s: facets differ", name)
		}
		if got.total > 0 {
			found++
		}
		if len(got.top) != len(want.top) {
			t.Errorf("%s: %d rows, bleve %d", name, len(got.top), len(want.top))
			continue
		}
		// The same rows with the same scores, in the same order but for
		// rows whose scores differ only by rounding.
		score := map[int32]float64{}
		for _, x := range want.top {
			score[x.row] = x.score
		}
		for j, x := range got.top {
			w, ok := score[x.row]
			if !ok || math.Abs(x.score-w) > 1e-6*math.Max(1, w) {
				t.Errorf("%s: row %d scores %v, bleve %v (found %v)", name, x.row, x.score, w, ok)
				break
			}
			if x.row != want.top[j].row && math.Abs(x.score-want.top[j].score) > 1e-6 {
				t.Errorf("%s: place %d: row %d, bleve %d", name, j, x.row, want.top[j].row)
				break
			}
		}
	}
}

func TestRowsMatchBleve(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	docs := randomDocs(r, 400, 0)
	ix, _ := writableIndex(t, docs, 2)
	checkRowsMatchBleve(t, ix, r, 300)

	// After updates: rows added at the end, from several segments.
	next := len(docs)
	for range 30 {
		d := randomDocs(r, 1, next)[0]
		next++
		changed := randomDocs(r, 1, 0)[0]
		changed.ID = docs[r.IntN(len(docs))].ID
		update(t, ix, []Document{d, changed}, docs[r.IntN(len(docs))].ID)
	}
	checkRowsMatchBleve(t, ix, r, 300)
}

func TestRowsMatchBleveTestSite(t *testing.T) {
	ix := sharedIndex(t)
	for _, q := range []string{"выставка", "Гуандун", "Хабровский", "Хабаровский", "Демешен", "Гуандун -ёлочные", "-Гуандун",
		"广东", "guangdong province", "ярмарка logistics", "и в на", "Ли Мин заместитель", "Подмосковье", "2022",
		`"торговый дом"`, `Гуандун -"торговый дом"`, `"выставке в Харбине" Демешин`, `"торговый дом" -Гуандун`, "广东省 -广"} {
		for _, sort := range []Sort{SortDefault, SortDate} {
			q := Query{Q: q, Sort: sort}
			got, want := viaBoth(t, ix, q)
			var g, w []string
			for _, x := range got.top {
				g = append(g, fmt.Sprintf("%d %.6f", x.row, x.score))
			}
			for _, x := range want.top {
				w = append(w, fmt.Sprintf("%d %.6f", x.row, x.score))
			}
			if !slices.Equal(g, w) || got.total != want.total {
				t.Errorf("%+v: %q (%d), bleve %q (%d)", q, g, got.total, w, want.total)
			}
		}
	}
}

// TestFindSpansMatchesTermVectors checks that snippets made by reading the
// text for the words (findSpans) are those made from bleve's term vectors.
func TestFindSpansMatchesTermVectors(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	docs := randomDocs(r, 150, 0)
	// Besides the words searched for: the same in capitals and with ё,
	// inside other words (экспорта, Выставкин, 2024-й), broken by a soft
	// hyphen or a combining accent, and runs of ideographs.
	words := strings.Fields("выставки выставке мосту порта зерна сои леса угля газа нефти туризма форуме делегации проекты торговли Guangdong 2024 广东省 " +
		"ВЫСТАВКА Выставкой МОСТ экспорта импорт Выставкин 2024-й GUANGDONG guangdong2 广东 东省广东 省 广 нефтЁ вы\u00adставка по\u0301рт ёлка")
	// Half of the notes are read from the first candidate on, and half,
	// with words the analyzer reads differently, from the start.
	exactWords := slices.DeleteFunc(slices.Clone(words), func(w string) bool { return !foldText(w).exact })
	for i := range docs {
		var b strings.Builder
		words := words
		if i%2 == 0 {
			words = exactWords
		}
		for range 50 + r.IntN(600) {
			b.WriteString(words[r.IntN(len(words))])
			b.WriteString([]string{" ", ", ", ". ", " — "}[r.IntN(4)])
		}
		docs[i].Body = b.String()
		docs[i].Summary = words[r.IntN(len(words))] + " и " + words[r.IntN(len(words))]
	}
	for _, c := range []struct {
		name    string
		ix      *Index
		queries []string
	}{
		{"random", buildIndex(t, docs, 2), []string{"выставка", "мост порт", "газ нефть туризм", "Guangdong 2024", "广东", "форум -газ",
			"выставка мост порт зерно соя лес уголь", "делегацея", "торговля проект", "广", "省", "нефтЁ", "импорт", "ёлка", "елка"}},
		{"site", sharedIndex(t), []string{"выставка", "Демешен", "Хабаровский", "Гуандун", "广东", "растёт", "Guangdong технопарк", "мостов"}},
	} {
		v := c.ix.acquire()
		marked := 0
		for _, q := range c.queries {
			p := c.ix.plan(v, ParseText(q))
			terms := p.textTerms()
			rows := v.rowBits().liveRows
			vec, err := v.termSpans(context.Background(), rows, terms)
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range rows {
				d, err := v.stored(row)
				if err != nil {
					t.Fatal(err)
				}
				var want string
				if m := vec[row]; m != nil {
					want = snippet(d.summary, d.body, cleanSpans(m[textSummary], len(d.summary)), cleanSpans(m[textBody], len(d.body)))
				} else {
					want = snippet(d.summary, d.body, nil, nil)
				}
				var words []*rowSet
				for i := range p.must {
					s, err := v.clauseRows(context.Background(), &p.must[i])
					if err != nil {
						t.Fatal(err)
					}
					words = append(words, s)
				}
				// The second time, the snippet comes from the table's cache.
				for range 2 {
					if got := c.ix.wordSnippet(v.table, words, row, d); got != want {
						t.Errorf("%s: q=%q, %s:\n got %q\nwant %q", c.name, q, v.table.urls[row], got, want)
					}
				}
				if strings.Contains(want, "<mark>") {
					marked++
				}
			}
		}
		v.release()
		if marked < 8 {
			t.Errorf("%s: only %d snippets with marks", c.name, marked)
		}
		t.Logf("%s: %d snippets with marks", c.name, marked)
	}
}

// TestCountEachMatchesSets holds the two ways of counting a set of rows'
// facets to each other, on sets from a few rows to all of them, before
// and after updates (dead rows, rows past the end of the first table).
func TestCountEachMatchesSets(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	docs := randomDocs(r, 400, 0)
	ix, _ := writableIndex(t, docs, 2)
	check := func() {
		t.Helper()
		v := ix.acquire()
		defer v.release()
		b, live := v.rowBits(), v.rowBits().liveRows
		for _, share := range []float64{0, 0.005, 0.02, 0.1, 0.5, 1} {
			set := newBitset(len(v.table.urls))
			for _, row := range live {
				if r.Float64() < share {
					set.set(row)
				}
			}
			each, sets := countEach(v.table, set), b.countSets(v.table, set)
			if got, want := fmt.Sprint(v.table.facets(each)), fmt.Sprint(v.table.facets(sets)); got != want {
				t.Errorf("%d of %d rows: one by one %s, by sets %s", set.count(), len(live), got, want)
			}
		}
	}
	check()
	next := len(docs)
	for range 20 {
		d := randomDocs(r, 1, next)[0]
		next++
		update(t, ix, []Document{d}, docs[r.IntN(len(docs))].ID)
	}
	check()
}

// TestFilterKey: filters that let the same rows pass share a key in the
// view's cache, others never do.
func TestFilterKey(t *testing.T) {
	b := &rowBits{minDay: 20180101, maxDay: 20251231}
	key := func(f filter) string { return b.filterKey(&f) }
	same := [][2]filter{
		{{regions: []uint16{1, 2}}, {regions: []uint16{2, 1, 2}}},
		{{kinds: []uint16{3, 0}}, {kinds: []uint16{0, 3}}},
		{{}, {from: 19000101, to: 20991231}},
		{{from: 20180101}, {from: 20170101}},
		{{to: 20200101}, {from: 20100101, to: 20200101}},
	}
	for _, c := range same {
		if key(c[0]) != key(c[1]) {
			t.Errorf("%+v and %+v: keys differ", c[0], c[1])
		}
	}
	differ := []filter{
		{},
		{regions: []uint16{1}},
		{sectors: []uint16{1}},
		{kinds: []uint16{1}},
		{regions: []uint16{1, 2}},
		{regions: []uint16{1}, sectors: []uint16{2}},
		{regions: []uint16{2}, sectors: []uint16{1}},
		{from: 20200101},
		{to: 20200101},
		{from: 20200101, to: 20200101},
		{regions: []uint16{256}},
	}
	seen := map[string]filter{}
	for _, f := range differ {
		if g, ok := seen[key(f)]; ok {
			t.Errorf("%+v and %+v share a key", f, g)
		}
		seen[key(f)] = f
	}
}
