package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/coopdigest/digest/source"
)

// testSite loads testdata/site once.
var testSite = sync.OnceValues(func() (*source.Site, error) {
	return source.Load(os.DirFS("testdata/site"))
})

func loadSite(t testing.TB) *source.Site {
	t.Helper()
	src, err := testSite()
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// testDocs makes the documents of the test site; drafts only when asked.
func testDocs(t testing.TB, drafts bool) []Document {
	src := loadSite(t)
	var docs []Document
	for _, n := range src.Published(drafts) {
		docs = append(docs, FromNote(n, string(n.Body), &src.Taxonomies))
	}
	return docs
}

// buildIndex builds docs into a temporary folder and opens it.
func buildIndex(t testing.TB, docs []Document, shards int) *Index {
	t.Helper()
	dir := filepath.Join(t.TempDir(), DirName)
	if err := build(context.Background(), dir, docs, loadSite(t), shards); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

var (
	testIndexOnce sync.Once
	testIndex     *Index
	testIndexErr  error
)

// sharedIndex is the test site's index, built once for every test that
// only reads it. Two shards, so that searching them as one is tested too.
func sharedIndex(t testing.TB) *Index {
	t.Helper()
	testIndexOnce.Do(func() {
		dir, err := os.MkdirTemp("", "digest-search-test")
		if err != nil {
			testIndexErr = err
			return
		}
		// The folder is left for the OS to clean: tests in this package share it.
		if err := build(context.Background(), filepath.Join(dir, DirName), testDocs(t, false), loadSite(t), 2); err != nil {
			testIndexErr = err
			return
		}
		testIndex, testIndexErr = Open(filepath.Join(dir, DirName))
	})
	if testIndexErr != nil {
		t.Fatal(testIndexErr)
	}
	return testIndex
}

func urls(r *Result) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.URL)
	}
	return out
}

func snippets(r *Result) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.Snippet)
	}
	return out
}

func search(t *testing.T, ix *Index, q Query) *Result {
	t.Helper()
	if q.PerPage == 0 {
		q.PerPage = 100
	}
	r, err := ix.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("search %+v: %v", q, err)
	}
	return r
}

const (
	expo     = "/2025/khabarovsk-harbin-expo/"
	bridge   = "/2024/amur-bridge/"
	toys     = "/2023/podmoskovye-guangdong-toys/"
	deleg    = "/2022/guangdong-delegation/"
	torgpred = "/2021/guangdong-torgpred/"
	typo     = "/2024/khabarovsk-typo/"
	newYear  = "/2024/expo-new-year/"
	draft    = "/2025/draft-secret/"
)

func TestRelevance(t *testing.T) {
	ix := sharedIndex(t)
	tests := []struct {
		name string
		q    string
		want []string // in any order, unless ordered
		// ordered: want is the exact order of hits.
		ordered bool
	}{
		{"inflection выставка finds выставке", "выставка", []string{expo, newYear}, false},
		{"inflection мостов finds моста", "мостов", []string{bridge}, false},
		{"ё in query", "ёлочные", []string{toys}, false},
		{"е for ё", "елочные", []string{toys}, false},
		{"ё decomposed", "е\u0308лочные", []string{toys}, false},
		{"phrase decomposed", "\"е\u0308лочные игрушки\"", []string{toys}, false},
		{"Guangdong", "Guangdong", []string{toys, deleg, torgpred}, false},
		{"广东", "广东", []string{toys, deleg, torgpred}, false},
		{"Гуандун", "Гуандун", []string{toys, deleg, torgpred}, false},
		{"alias провинция Гуандун", "провинция Гуандун", []string{toys, deleg, torgpred}, false},
		{"alias Guangdong Province", "guangdong province", []string{toys, deleg, torgpred}, false},
		{"alias 广东省", "广东省", []string{toys, deleg, torgpred}, false},
		{"alias Подмосковье", "Подмосковье", []string{toys, deleg}, false},
		{"a noun no note has finds its adjective", "пассажиры", []string{typo}, false},
		{"a listed name finds its adjective too", "Китай", []string{typo, deleg, newYear}, false},
		{"person", "Демешин", []string{expo}, false},
		{"person with role", "Ли Мин заместитель", []string{deleg}, false},
		{"person inflected", "Демешина", []string{expo}, false},
		{"a Chinese name in pinyin", "Li Ming", []string{deleg}, false},
		// «Ли» is a Russian stop word: alone, the surname; beside another
		// word, the particle.
		{"a listed surname that is a stop word", "Ли", []string{deleg}, false},
		{"a listed surname that is a stop word, in small letters", "ли", []string{deleg}, false},
		{"a listed surname that is a stop word, and an exclusion", "Ли -Гуандун", nil, false},
		{"a stop word beside a word is the particle", "выставка ли", []string{expo, newYear}, false},
		{"a Chinese place in pinyin", "Suifenhe", []string{bridge}, false},
		{"a Russian name in Latin letters", "Dmitry Demeshin", []string{expo}, false},
		{"a Russian name in another Latin spelling", "Dmitriy Demeshin", []string{expo}, false},
		{"a Russian name in Latin letters with a typo", "Vasilii Orlov", []string{bridge}, false},
		{"a Russian place in Latin letters, listed or written", "Blagoveshchensk", []string{bridge, newYear}, false},
		{"a region's name", "Амурская область", []string{bridge, newYear}, false},
		{"a region's name abbreviated", "Амурская обл.", []string{bridge, newYear}, false},
		{"a region's name abbreviated, declined, without its full stop", "Амурской обл", []string{bridge, newYear}, false},
		{"NOT in Russian", "Амурская обл. НЕ Благовещенск", nil, false},
		{"an initial for the first name a note lists", "Д. Демешин", []string{expo}, false},
		{"an initial after the surname", "Демешин Д.", []string{expo}, false},
		{"an initial of another first name", "Ю. Демешин", nil, false},
		{"initials as written", "Д.Ю. Орлов", []string{bridge}, false},
		// The note writes «канатнoй» with a Latin o; the reader may type a
		// Latin c.
		{"a note's Latin letter in a Cyrillic word", "канатная", []string{bridge}, false},
		{"a reader's Latin letter in a Cyrillic word", "Благовещенcк", []string{bridge, newYear}, false},
		// The note writes a zero-width space inside «павильон».
		{"a character of no width in a word", "павильон", []string{expo}, false},
		{"initials spaced, written without spaces", "Д. Ю. Орлов", []string{bridge}, false},
		{"initials without spaces, written spaced", "Г.Н. Котов", []string{bridge}, false},
		{"initials, one not in the note", "Д.Л. Орлов", nil, false},
		{"organization", "палата", []string{expo}, false},
		{"place", "Хэйхэ", []string{bridge}, false},
		{"place's English name from the registry", "Harbin", []string{expo}, false},
		{"place's Chinese name from the registry", "哈尔滨", []string{expo}, false},
		{"place's name, any case", "HEIHE", []string{bridge}, false},
		{"typo in a place's English name", "Harbn", []string{expo}, false},
		{"typo in a region's English name", "Guangdon", []string{toys, deleg, torgpred}, false},
		{"every word must match", "выставка Демешин", []string{expo}, false},
		{"every word must match, none", "выставка Подмосковье", nil, false},
		{"phrase", `"торговый дом"`, []string{torgpred}, false},
		{"words without phrase", `торговый дом`, []string{torgpred, toys}, false},
		{"phrase with stop word", `"выставке в Харбине"`, []string{expo}, false},
		{"unclosed phrase", `"торговый дом`, []string{torgpred}, false},
		{"exclusion", "Гуандун -ёлочные", []string{deleg, torgpred}, false},
		{"excluded phrase", `Гуандун -"торговый дом"`, []string{toys, deleg}, false},
		{"either of two words", "Демешин OR Хэйхэ", []string{expo, bridge}, false},
		{"either, in Russian", "Демешин ИЛИ Хэйхэ", []string{expo, bridge}, false},
		{"either, and a word", "ярмарка Демешин OR Хэйхэ", []string{expo}, false},
		{"either of a phrase and a word", `"торговый дом" OR Хэйхэ`, []string{torgpred, bridge}, false},
		{"either of a name in another script", "Harbin OR Suifenhe", []string{expo, bridge}, false},
		{"either of a typo", "Хабровский OR Хэйхэ", []string{typo, expo, bridge}, false},
		{"either of a stop word", "и OR Хэйхэ", []string{bridge}, false},
		{"either, and one of them again", "Демешин OR Хэйхэ Хэйхэ", []string{bridge}, false},
		{"or in lower case is a word", "Демешин or Хэйхэ", nil, false},
		{"OR at the end is a word", "Демешин OR", []string{expo}, false},
		{"OR before an exclusion is a word", "Гуандун OR -ёлочные", []string{deleg, torgpred}, false},
		{"only an exclusion", "-Гуандун", []string{expo, typo, bridge, newYear}, true},
		{"typo finds", "Хабаровскй", []string{expo, typo}, false},
		{"exact typo first, then the right word", "Хабровский", []string{typo, expo}, true},
		{"short words are not fuzzy", "мёт", nil, false},
		{"kind name", "ярмарка", []string{expo, newYear}, false},
		{"sector name in English", "logistics", []string{bridge, typo}, false},
		{"Latin in any case", "GUANGDONG", []string{toys, deleg, torgpred}, false},
		{"a place's English name in full-width letters", "ＨＡＲＢＩＮ", []string{expo}, false},
		{"«г.» before a place's name", "г. Харбин", []string{expo}, false},
		{"«Г.» before a place's name, as a phone writes it", "Г. Харбин", []string{expo}, false},
		{"«г.» written against a place's name", "г.Харбин", []string{expo}, false},
		{"«г.» written against a place's name, in quotes", `"г.Харбин"`, []string{expo}, false},
		{"a day in full-width digits and points", "０１．０１．２０２４", []string{newYear}, false},
		{"draft absent", "черновик", nil, false},
		{"draft absent by title", "секретном проекте", nil, false},
		{"punctuation only", "!!! ??? --", []string{expo, typo, bridge, newYear, toys, deleg, torgpred}, true},
		{"stop words only", "и в на", []string{expo, typo, bridge, newYear, toys, deleg, torgpred}, true},
		// A year finds the events of that year, none of which writes it,
		// and then the notes that write it.
		{"year", "2024", []string{bridge, typo, newYear}, false},
		{"year in full-width digits", "２０２４", []string{bridge, typo, newYear}, false},
		{"year and «года»", "2024 года", []string{bridge, typo, newYear}, false},
		{"year and «г.»", "в 2024 г.", []string{bridge, typo, newYear}, false},
		{"year and «г.» written together", "2024г.", []string{bridge, typo, newYear}, false},
		{"year and 年 written together", "2024年", []string{bridge, typo, newYear}, false},
		{"«года» alone is a word", "года", []string{bridge, typo}, false},
		{"year's events, then notes that write it", "2022", []string{deleg, bridge}, true},
		{"year with a word", "выставка 2024", []string{newYear}, false},
		{"excluded year", "ярмарка -2024", []string{expo}, false},
		{"excluded year with «г.»", "ярмарка -2024г.", []string{expo}, false},
		{"excluded year with 年", "ярмарка -2024年", []string{expo}, false},
		{"quoted year as written", `"2022"`, []string{bridge}, false},
		{"a number is no year", "202", nil, false},
		{"a decimal number as written", "1,5 млн", []string{bridge}, false},
		{"a decimal number with a point", "1.5 млн", []string{bridge}, false},
		{"a decimal number, another", "1.6", nil, false},
		// A date finds the events of that day or month, the days of a
		// longer event included.
		{"day", "01.01.2024", []string{newYear}, false},
		{"day, ISO", "2024-01-01", []string{newYear}, false},
		{"day in full-width digits", "０１.０１.２０２４", []string{newYear}, false},
		{"day within an event", "12.6.2025", []string{expo}, false},
		{"day after an event", "2025-06-15", nil, false},
		{"month", "06.2025", []string{expo}, false},
		{"month, ISO", "2024-03", []string{bridge}, false},
		{"day with a word", "выставка 2025-06-14", []string{expo}, false},
		{"excluded month", "выставка -2024-01", []string{expo}, false},
		{"no such day: text", "31.02.2024", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := search(t, ix, Query{Q: tt.q})
			got := urls(r)
			if !tt.ordered {
				got = slices.Sorted(slices.Values(got))
				tt.want = slices.Sorted(slices.Values(tt.want))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("q=%q: got %q, want %q", tt.q, got, tt.want)
			}
			if r.Total != len(tt.want) {
				t.Errorf("q=%q: total %d, want %d", tt.q, r.Total, len(tt.want))
			}
		})
	}
}

// TestLayout checks that words that find nothing are searched as typed
// in the other keyboard layout, and only then.
func TestLayout(t *testing.T) {
	ix := sharedIndex(t)
	for _, tt := range []struct {
		q, layout string
		want      []string
	}{
		{"dscnfdrf", "выставка", []string{expo, newYear}},
		{"Uefyley", "Гуандун", []string{toys, deleg, torgpred}},
		{"Пгфтпвщтп", "Guangdong", []string{toys, deleg, torgpred}},
		{"[f,fhjdcrbq 2025", "хабаровский 2025", []string{expo}},
		{"dscnfdrf -[fh,by", "выставка -харбин", []string{newYear}},
		// The words the notes have stay as they are.
		{"[f,fhjdcrbq выставке", "хабаровский выставке", []string{expo}},
		{"выставка", "", []string{expo, newYear}},
		{"зюзюзюзя", "", nil}, // «p.p.p.pz» finds nothing either
		// Exclusions alone are not tried otherwise: they exclude nothing.
		{"-dscnfdrf", "", []string{expo, newYear, bridge, typo, toys, deleg, torgpred}},
	} {
		r := search(t, ix, Query{Q: tt.q})
		if got := slices.Sorted(slices.Values(urls(r))); r.Layout != tt.layout || !slices.Equal(got, slices.Sorted(slices.Values(tt.want))) {
			t.Errorf("q=%q: layout %q, hits %q; want %q, %q", tt.q, r.Layout, got, tt.layout, tt.want)
		}
		if r.Query.Q != tt.q {
			t.Errorf("q=%q: Query.Q = %q", tt.q, r.Query.Q)
		}
	}
}

// TestPlanBounds checks that a query's repeats count once, that no query
// has more than maxClauses clauses of each kind, however long, and that
// its phrases have no more than maxPhraseTerms terms in all.
func TestPlanBounds(t *testing.T) {
	ix := sharedIndex(t)
	many := func(prefix string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%sслово%c ", prefix, 'а'+rune(i))
		}
		return b.String()
	}
	quoted := func(s string) string { return `"` + strings.TrimSpace(s) + `"` }
	tests := []struct {
		q             string
		must, mustNot int
		phraseTerms   int // in the phrases' queries of the title, all clauses
	}{
		{"выставка выставки Выставке", 1, 0, 0},
		{`выставка "выставки" "торговый дом" "Торговый  дом" торговый`, 3, 0, 2},
		{`Гуандун -"торговый дом" -"торговый дом" -"Торговый дом"`, 1, 1, 2},
		{"-ёлочные -елочные", 0, 1, 0},
		{many("", 30), maxClauses, 0, maxPhraseTerms}, // its words two by two
		{"Гуандун " + many("-", 30), 1, maxClauses, 0},
		// A phrase of a word fifty times, a word of fifty parts: the
		// first terms only.
		{quoted(strings.Repeat("край ", 50)), 1, 0, maxPhraseTerms},
		{strings.Repeat("край-", 50) + "край", 1, 0, maxPhraseTerms},
		{"Гуандун -" + quoted(many("", 30)), 1, 1, maxPhraseTerms},
		// Phrases past the budget have what is left of it, or none.
		{quoted(many("", maxPhraseTerms/2)) + " " + quoted(many("т", maxPhraseTerms/2)) + " " + quoted(many("", 3)), 2, 0, maxPhraseTerms},
		{quoted(many("", maxPhraseTerms-3)) + " " + quoted(many("т", 5)), 2, 0, maxPhraseTerms},
		{quoted(many("", maxPhraseTerms-1)) + " " + quoted(many("т", 5)), 1, 0, maxPhraseTerms - 1},
		{"торгово-экономический " + quoted(many("", maxPhraseTerms)), 3, 0, maxPhraseTerms},
	}
	for _, tt := range tests {
		p := ix.plan(ParseText(tt.q), typoRare)
		if len(p.must) != tt.must || len(p.mustNot) != tt.mustNot {
			t.Errorf("q=%q: %d clauses to match and %d to exclude, want %d and %d", tt.q, len(p.must), len(p.mustNot), tt.must, tt.mustNot)
		}
		if len(p.marks) != len(p.must) {
			t.Errorf("q=%q: %d clauses to highlight, %d to match", tt.q, len(p.marks), len(p.must))
		}
		if n := titlePhraseTerms(ix, slices.Concat(p.must, p.mustNot, p.should)...); n != tt.phraseTerms {
			t.Errorf("q=%q: phrases of %d terms in all, want %d", tt.q, n, tt.phraseTerms)
		}
	}
}

// TestPlanBoundsEither: groups of alternatives, however many and however
// long, have at most maxClauses alternatives in all, besides the clauses
// they are.
func TestPlanBoundsEither(t *testing.T) {
	ix := sharedIndex(t)
	words := func(n int, join string) string {
		w := make([]string, n)
		for i := range w {
			w[i] = fmt.Sprintf("слово%c", 'а'+rune(i))
		}
		return strings.Join(w, join)
	}
	tests := []struct {
		q          string
		must       int
		maxMarks   int // the alternatives' clauses and the others'
		wantGroups int
	}{
		{words(2, " OR "), 1, 2, 1},
		{words(40, " OR "), 1, maxClauses, 1},
		{words(40, " OR ") + " " + words(30, " "), maxClauses, maxClauses, 1},
		{strings.Repeat("выставка OR форум ", 30), maxClauses, maxClauses, 30},
	}
	for _, tt := range tests {
		text := ParseText(tt.q)
		if len(text.Alternatives) != tt.wantGroups {
			t.Errorf("q=%.40q…: %d groups, want %d", tt.q, len(text.Alternatives), tt.wantGroups)
		}
		p := ix.plan(text, typoRare)
		if len(p.must) > tt.must || len(p.marks) > tt.maxMarks || p.alternatives > maxClauses {
			t.Errorf("q=%.40q…: %d clauses, %d to highlight, %d alternatives; want at most %d, %d and %d",
				tt.q, len(p.must), len(p.marks), p.alternatives, tt.must, tt.maxMarks, maxClauses)
		}
	}
}

// titlePhraseTerms counts the terms of the phrase queries of the title
// field among qs and the queries they are made of.
func titlePhraseTerms(ix *Index, qs ...query.Query) int {
	n := 0
	for _, q := range qs {
		switch q := q.(type) {
		case *query.MatchPhraseQuery:
			if q.FieldVal == fieldTitle {
				n += len(ix.analyze(q.MatchPhrase))
			}
		case *query.DisjunctionQuery:
			n += titlePhraseTerms(ix, q.Disjuncts...)
		case *query.ConjunctionQuery:
			n += titlePhraseTerms(ix, q.Conjuncts...)
		}
	}
	return n
}

// TestOtherNames checks that a name of a region, a place, a person or an
// organization in another script, or an alias, finds the notes whose text
// has the registry's Russian name, in any form, as the Russian name
// does, with it marked; that sectors' names stand for themselves; and
// that a Russian name in Latin letters, or a Chinese one in pinyin, finds
// the notes that write it in Russian, with no entry.
func TestOtherNames(t *testing.T) {
	docs := []Document{
		{ID: "/2024/harbin/", Body: "Открылась выставка в Харбине."},
		{ID: "/2024/heilongjiang/", Body: "Форум прошёл в Хэйлунцзяне."},
		{ID: "/2024/heihe/", Body: "Выставка в Хэйхэ."},
		{ID: "/2024/mo/", Body: "Губернатор Московской области встретил гостей."},
		{ID: "/2024/podmoskovye/", Body: "Подмосковье и Гуандун."},
		{ID: "/2024/moscow/", Body: "Выставка в Москве."},
		{ID: "/2024/trade/", Body: "Торговля выросла."},
		{ID: "/2024/demeshin/", Body: "Губернатор Дмитрий Демешин открыл форум."},
		{ID: "/2024/demeshina/", Body: "Встреча с Дмитрием Демешиным."},
		{ID: "/2024/zhang/", Body: "Гостей из Гуанчжоу принял Чжан Цзинсун."},
		{ID: "/2024/xian/", Body: "Делегация побывала в Сиане."},
		{ID: "/2024/liu/", Body: "Переговоры вела Лю Юнжу, а 5 мая их продолжили."},
		{ID: "/2024/moon/", Body: "Фильм о Луне."},
		{ID: "/2024/mudanjiang/", Body: "Встреча прошла в Муданьцзяне."},
		{ID: "/2024/liu2/", Body: "Лю Юнжу побывала в Муданьцзяне."},
		{ID: "/2024/cheese/", Body: "Подмосковный сыр и переговоры."},
		{ID: "/2024/belt/", Body: "По инициативе Председателя КНР Си Цзинпина."},
	}
	ix := buildIndex(t, sameNotes(docs), 1)
	for _, tt := range []struct {
		q, mark string // mark: what a hit's snippet marks
		want    []string
	}{
		{"Harbin", "<mark>Харбине</mark>", []string{"/2024/harbin/"}},
		{"哈尔滨", "<mark>Харбине</mark>", []string{"/2024/harbin/"}},
		{`"Harbin"`, "<mark>Харбине</mark>", []string{"/2024/harbin/"}},
		{"Heilongjiang", "<mark>Хэйлунцзяне</mark>", []string{"/2024/heilongjiang/"}},
		{"黑龙江", "<mark>Хэйлунцзяне</mark>", []string{"/2024/heilongjiang/"}},
		{"Heilongjiang Province", "<mark>Хэйлунцзяне</mark>", []string{"/2024/heilongjiang/"}},
		{"Heihe", "<mark>Хэйхэ</mark>", []string{"/2024/heihe/"}},
		{"Moscow Oblast", "<mark>Московской</mark> <mark>области</mark>", []string{"/2024/mo/"}},
		// A name a registry has is no typo («Подмосковный»).
		{"Подмосковье", "", []string{"/2024/mo/", "/2024/podmoskovye/"}},
		// In another form too, where the registry has the one written.
		{"Подмосковья", "", []string{"/2024/mo/", "/2024/podmoskovye/"}},
		{"Мособласть", "<mark>Московской</mark> <mark>области</mark>", []string{"/2024/mo/"}},
		{"выставка -Harbin", "", []string{"/2024/heihe/", "/2024/moscow/"}},
		{`выставка -"哈尔滨"`, "", []string{"/2024/heihe/", "/2024/moscow/"}},
		// The Russian name finds its own notes, no more.
		{"Харбин", "<mark>Харбине</mark>", []string{"/2024/harbin/"}},
		// A name with a word that is no part of it: both must match.
		{"Harbin форум", "", nil},
		// English words that stand for nothing are left out; a word no
		// note has, when the others find nothing with it (TestMissing).
		{"the fair in Harbin", "<mark>Харбине</mark>", []string{"/2024/harbin/"}},
		{"in the Harbin", "<mark>Харбине</mark>", []string{"/2024/harbin/"}},
		// A sector's name in English is no name of a place.
		{"Trade", "", nil},
		// Latin spellings of Russian names, a typo among them.
		{"Demeshin", "<mark>Демешин</mark>", []string{"/2024/demeshin/", "/2024/demeshina/"}},
		{"Dmitry Demeshin", "<mark>Дмитрий</mark> <mark>Демешин</mark>", []string{"/2024/demeshin/", "/2024/demeshina/"}},
		{"Demeshyn", "<mark>Демешин</mark>", []string{"/2024/demeshin/", "/2024/demeshina/"}},
		{"Khabarovsk", "", nil},
		// Chinese names in pinyin: their Palladius spellings, in their
		// forms, each way of parting them into syllables.
		{"Zhang Jingsong", "<mark>Чжан</mark> <mark>Цзинсун</mark>", []string{"/2024/zhang/"}},
		// As Russian texts often write it, without the soft sign of
		// Palladius's «Цзиньпин».
		{"Xi Jinping", "<mark>Си</mark> <mark>Цзинпина</mark>", []string{"/2024/belt/"}},
		{"Guangzhou", "<mark>Гуанчжоу</mark>", []string{"/2024/zhang/"}},
		{"Xian", "<mark>Сиане</mark>", []string{"/2024/xian/"}},
		// A spelling the stemmer cuts otherwise than its other forms.
		{"Mudanjiang", "<mark>Муданьцзяне</mark>", []string{"/2024/liu2/", "/2024/mudanjiang/"}},
		// A syllable alone, as part of a name only: «ма» is the stem of
		// «мая», «лун» of «луна».
		{"Liu Yongru", "<mark>Лю</mark> <mark>Юнжу</mark>", []string{"/2024/liu/", "/2024/liu2/"}},
		{`"Liu Yongru"`, "<mark>Лю</mark> <mark>Юнжу</mark>", []string{"/2024/liu/", "/2024/liu2/"}},
		{"переговоры -\"Liu Yongru\"", "", []string{"/2024/cheese/"}},
		// A name, then a word of pinyin that is no part of it.
		{"Liu Yongru Mudanjiang", "<mark>Муданьцзяне</mark>", []string{"/2024/liu2/"}},
		{"Ma", "", nil},
		{"Long", "", nil},
	} {
		r := search(t, ix, Query{Q: tt.q})
		if got := slices.Sorted(slices.Values(urls(r))); !slices.Equal(got, tt.want) {
			t.Errorf("q=%q: got %q, want %q", tt.q, got, tt.want)
		}
		if tt.mark != "" && !slices.ContainsFunc(snippets(r), func(s string) bool { return strings.Contains(s, tt.mark) }) {
			t.Errorf("q=%q: snippets %q, want one with %s", tt.q, snippets(r), tt.mark)
		}
		if len(r.Typos) > 0 {
			t.Errorf("q=%q: taken for a typo: %+v", tt.q, r.Typos)
		}
	}
}

// TestVariants checks that a word finds the forms of it that the Snowball
// stemmer cuts apart from it, and that such a form is no typo.
func TestVariants(t *testing.T) {
	bodies := map[string]string{
		"/2024/a/": "Открылась выставка в Харбине.",
		"/2024/b/": "Итоги трёх выставок года.",
		"/2024/c/": "Делегация посетила Китай.",
		"/2024/d/": "Товарооборот России и Китая вырос.",
		"/2024/e/": "Цены на рынке снизились.",
		"/2024/f/": "Рынок растёт.",
		"/2024/g/": "Делегация посетила музей.",
		"/2024/h/": "Экспонаты музея.",
		"/2024/i/": "Девушка и две девушек.",
		"/2024/j/": "Кит и киты.",
		"/2024/k/": "Встреча прошла в музее.",
		"/2024/l/": "Выступил Сергей Абрамов.",
		"/2024/m/": "Встреча с Абрамовым.",
		"/2024/n/": "Форум в Хэйлунцзяне.",
		"/2024/o/": "Делегация Хэйлунцзяна.",
		"/2024/p/": "Новый уровень.",
		"/2024/q/": "На уровне регионов.",
		"/2024/r/": "Время встречи.",
		"/2024/s/": "До времени старта.",
		"/2024/t/": "Дело отца.",
		"/2024/u/": "Отец и сын.",
		"/2024/v/": "Визит в провинцию Хэбэй.",
		"/2024/w/": "Хлеб и хлеба.",
		"/2024/x/": "Цены выросли.",
		"/2024/y/": "Выступил Мэн Ли.",
	}
	// Three notes of each: a word that many notes have is not looked for
	// with typos (see fuzzyForms), which would find the other forms too.
	var docs []Document
	for id, body := range bodies {
		for i := range 3 {
			docs = append(docs, Document{ID: fmt.Sprintf("%s%d/", id, i), Title: "Заметка", Body: body, Kind: "expo", Regions: []string{"heilongjiang"}, Date: day("2024-05-01")})
		}
	}
	// Хэбэй and Мэн Ли are names the notes list.
	for i := range docs {
		switch {
		case strings.HasPrefix(docs[i].ID, "/2024/v/"):
			docs[i].Places = []string{"Хэбэй"}
		case strings.HasPrefix(docs[i].ID, "/2024/y/"):
			docs[i].People = []string{"Мэн Ли"}
		}
	}
	ix := buildIndex(t, docs, 1)
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"выставок", []string{"/2024/a/", "/2024/b/"}},
		{"выставка", []string{"/2024/a/", "/2024/b/"}},
		{"выставки", []string{"/2024/a/", "/2024/b/"}},
		{"Китай", []string{"/2024/c/", "/2024/d/", "/2024/j/"}}, // «Китая» stems as «кит» does
		{"Китая", []string{"/2024/c/", "/2024/d/", "/2024/j/"}},
		{"Китаю", []string{"/2024/c/", "/2024/d/", "/2024/j/"}},
		{"рынок", []string{"/2024/e/", "/2024/f/"}},
		{"рынке", []string{"/2024/e/", "/2024/f/"}},
		{"Китаем", []string{"/2024/c/", "/2024/d/", "/2024/j/"}},
		{"музей", []string{"/2024/g/", "/2024/h/", "/2024/k/"}},
		{"музея", []string{"/2024/g/", "/2024/h/", "/2024/k/"}},
		{"музее", []string{"/2024/g/", "/2024/h/", "/2024/k/"}},
		{"музеем", []string{"/2024/g/", "/2024/h/", "/2024/k/"}},
		{"музеями", []string{"/2024/g/", "/2024/h/", "/2024/k/"}},
		{"Абрамов", []string{"/2024/l/", "/2024/m/"}},
		{"Абрамовым", []string{"/2024/l/", "/2024/m/"}},
		{"Хэйлунцзян", []string{"/2024/n/", "/2024/o/"}},
		{"Хэйлунцзяне", []string{"/2024/n/", "/2024/o/"}},
		{"уровень", []string{"/2024/p/", "/2024/q/"}},
		{"уровня", []string{"/2024/p/", "/2024/q/"}},
		{"время", []string{"/2024/r/", "/2024/s/"}},
		{"временем", []string{"/2024/r/", "/2024/s/"}},
		{"отец", []string{"/2024/t/", "/2024/u/"}},
		{"отца", []string{"/2024/t/", "/2024/u/"}},
		{"девушка", []string{"/2024/i/"}},
		{"хлеба", []string{"/2024/w/"}},
		{"Цэны", nil},  // «цены», no name, is no spelling of it (see below)
		{"менэе", nil}, // «мэнее» stems to Мэн's «мэн»; «менее» is a stop word
		// Quoted alone or excluded, a word stands for its forms too.
		{`"выставок"`, []string{"/2024/a/", "/2024/b/"}},
		{`«Абрамовым»`, []string{"/2024/l/", "/2024/m/"}},
		{"Делегация -музея", []string{"/2024/c/", "/2024/o/"}},
		{"Делегация —музея", []string{"/2024/c/", "/2024/o/"}}, // a dash for the minus
		{"Делегация −«музея»", []string{"/2024/c/", "/2024/o/"}},
		{"Харбин", []string{"/2024/a/"}},
	} {
		r := search(t, ix, Query{Q: tt.q})
		var want []string
		for _, id := range tt.want {
			for i := range 3 {
				want = append(want, fmt.Sprintf("%s%d/", id, i))
			}
		}
		if got := slices.Sorted(slices.Values(urls(r))); !slices.Equal(got, want) {
			t.Errorf("q=%q: got %q, want %q", tt.q, got, want)
		}
		if len(r.Typos) > 0 {
			t.Errorf("q=%q: taken for a typo: %+v", tt.q, r.Typos)
		}
	}
	// A foreign name typed with е for э, or the other way round, is found
	// as a note lists it, and said so; it is no typo of another word
	// («хлеб»).
	for q, typo := range map[string]Typo{"Хебей": {"хебей", "хэбэй"}, "Хэбей": {"хэбей", "хэбэй"}} {
		r := search(t, ix, Query{Q: q})
		if got, want := slices.Sorted(slices.Values(urls(r))), []string{"/2024/v/0/", "/2024/v/1/", "/2024/v/2/"}; !slices.Equal(got, want) {
			t.Errorf("q=%q: got %q, want %q", q, got, want)
		}
		if !slices.Equal(r.Typos, []Typo{typo}) {
			t.Errorf("q=%q: typos %v, want %v", q, r.Typos, typo)
		}
	}
	// The form typed comes before the other forms.
	for q, first := range map[string]string{"выставок": "/2024/b/", "выставка": "/2024/a/", "Абрамовым": "/2024/m/", "Китай": "/2024/c/"} {
		for i, u := range urls(search(t, ix, Query{Q: q}))[:3] {
			if !strings.HasPrefix(u, first) {
				t.Errorf("q=%q: hit %d is %s, want the notes of %s first", q, i, u, first)
			}
		}
	}
}

func TestTypoRanksBelowExact(t *testing.T) {
	ix := sharedIndex(t)
	// «Хабаровский» is exact in expo; typo holds «Хабровский», one edit away.
	r := search(t, ix, Query{Q: "Хабаровский"})
	got := urls(r)
	if len(got) != 2 || got[0] != expo || got[1] != typo {
		t.Fatalf("got %q, want [%s %s]", got, expo, typo)
	}
	if r.Hits[0].Score <= r.Hits[1].Score {
		t.Errorf("exact score %v not above fuzzy %v", r.Hits[0].Score, r.Hits[1].Score)
	}
}

// TestYearFirst checks that the events that start in a year a query names
// come before the notes of other years that write it, however much better
// those match the other words.
func TestYearFirst(t *testing.T) {
	docs := []Document{
		{ID: "/2023/plans/", Date: day("2023-11-01"), Title: "Выставка, выставка, выставка", Body: "Выставку готовят к 2024 году. Выставка будет большой."},
		{ID: "/2024/opened/", Date: day("2024-06-01"), Title: "Открытие", Body: "Открылась выставка."},
		{ID: "/2025/next/", Date: day("2025-02-01"), Title: "Итоги", Body: "Итоги выставки 2024 года."},
	}
	for i := range docs {
		docs[i].Kind = "expo"
	}
	ix := buildIndex(t, docs, 1)
	got := urls(search(t, ix, Query{Q: "выставка 2024"}))
	if len(got) != 3 || got[0] != "/2024/opened/" {
		t.Errorf("got %q, want the event of 2024 first, then the others", got)
	}
}

// TestDateFirst checks that the events of a date a query writes in words
// come first, then the other events of its year, and are found when their
// texts do not write the date; the notes that quote it are found too,
// after them.
func TestDateFirst(t *testing.T) {
	docs := []Document{
		{ID: "/2024/plans/", Date: day("2024-11-01"), Title: "Планы", Body: "Форум пройдёт 16 марта 2025 года в Харбине."},
		{ID: "/2024/quote/", Date: day("2024-03-16"), Title: "Год назад", Body: "16 марта открылся форум, а в 2025 году — выставка."},
		{ID: "/2025/forum/", Date: day("2025-03-16"), Title: "Форум открылся", Body: "В Харбине открылся форум."},
		{ID: "/2025/expo/", Date: day("2025-03-14"), End: day("2025-03-17"), Title: "Выставка", Body: "Выставка и форум в Харбине."},
		{ID: "/2025/april/", Date: day("2025-04-02"), Title: "Форум в апреле", Body: "Форум, форум и форум: март позади."},
	}
	for i := range docs {
		docs[i].Kind = "expo"
	}
	ix := buildIndex(t, docs, 1)
	const (
		plans, quote, forum = "/2024/plans/", "/2024/quote/", "/2025/forum/"
		expo, april         = "/2025/expo/", "/2025/april/"
	)
	for _, tt := range []struct {
		q     string
		tiers [][]string // each in any order, before the next
	}{
		// The expo, of 14–17 March, takes place on the 16th too.
		{"16 марта 2025", [][]string{{forum, expo}, {plans, quote}}},
		{"форум 16 марта 2025", [][]string{{forum, expo}, {plans, quote}}},
		{"15 марта 2025", [][]string{{expo}}},
		{"март 2025", [][]string{{forum, expo}, {april}, {plans, quote}}},
		{"форум в марте 2025 года", [][]string{{forum, expo}, {april}, {plans, quote}}},
		{"30 марта – 2 апреля 2025", [][]string{{april}}},
		{"March 2025", [][]string{{forum, expo}}},
		{"16 марта 2025 16 марта 2025", [][]string{{forum, expo}, {plans, quote}}},
		{"март 2025 или апрель 2025", [][]string{{forum, expo, april}, {plans, quote}}},
		// Past maxDates, dates are left out.
		{"1 марта 2025 2 марта 2025 3 марта 2025 4 марта 2025 16 марта 2025", nil},
	} {
		got := urls(search(t, ix, Query{Q: tt.q}))
		rest := got
		for _, tier := range tt.tiers {
			if len(rest) < len(tier) || !sameSet(rest[:len(tier)], tier) {
				t.Errorf("q=%s: got %q, want %q", tt.q, got, tt.tiers)
				break
			}
			rest = rest[len(tier):]
		}
		if len(rest) > 0 {
			t.Errorf("q=%s: got %q, want %q", tt.q, got, tt.tiers)
		}
	}
}

// TestSplitHan: a run of Chinese characters is split into the names the
// registries have and what stands between them.
func TestSplitHan(t *testing.T) {
	tax := &source.Taxonomies{
		Regions: &source.Taxonomy{Terms: []*source.Term{
			{Name: source.Names{Zh: "黑龙江"}, Aliases: []string{"黑龙江省", "黑"}},
			{Name: source.Names{Zh: "上海"}},
		}},
		Kinds: &source.Taxonomy{Terms: []*source.Term{{Name: source.Names{Zh: "论坛"}}, {Name: source.Names{Zh: "博览会"}}}},
	}
	h := hanNamesOf(tax)
	for _, tt := range []struct{ in, want string }{
		{"黑龙江论坛", "黑龙江 论坛"},
		{"黑龙江省代表团", "黑龙江省 代表团"},
		{"上海博览会 2025", "上海 博览会 2025"},
		{"在黑龙江举办论坛", "在 黑龙江 举办 论坛"},
		{"论坛", "论坛"},
		{"黑龙江", "黑龙江"},
		{"代表团", "代表团"},
		{"黑河", "黑河"}, // «黑», one character, is no name to split by
		{"黑龙江2025 Harbin", "黑龙江2025 Harbin"},
	} {
		if got := strings.Join(h.split(strings.Fields(tt.in)), " "); got != tt.want {
			t.Errorf("split(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestPlanDates checks which of a query's words are dates: a range of
// years only in a query of dates and regions alone; a date whose words are
// past maxClauses, by its days alone.
func TestPlanDates(t *testing.T) {
	ix := sharedIndex(t)
	many := strings.Repeat("1 и ", 15) + "16 марта 2025"
	for _, tt := range []struct {
		q     string
		dates int
	}{
		{"2024–2026", 1},
		{"Гуандун с 2024 по 2026", 1},
		{"программа сотрудничества на 2024–2026 гг", 0},
		{`"программа сотрудничества" на 2024–2026 гг`, 0},
		{"Гуандун, 2024–2026", 1},
		{"весной 2025", 1},
		{many, 16},
	} {
		p := ix.plan(ParseText(tt.q), typoRare)
		if len(p.dates) != tt.dates {
			t.Errorf("q=%q: %d dates, want %d", tt.q, len(p.dates), tt.dates)
		}
		if tt.dates > 0 && len(p.must) == 0 {
			t.Errorf("q=%q: no clause", tt.q)
		}
	}
}

// TestListedNameNoTypos checks that a rare name that a note lists finds
// that note alone, not the common words a letter away, and that a typo of
// it still finds it.
func TestListedNameNoTypos(t *testing.T) {
	doc := func(id, body string, places, people []string) Document {
		return Document{ID: id, Date: day("2024-06-01"), Kind: "expo", Title: "Встреча", Body: body, Places: places, People: people}
	}
	docs := []Document{
		doc("/2024/penza/", "Делегация прибыла в Пензу.", []string{"Пенза"}, nil),
		doc("/2024/fan/", "Выступил Фань Гуанчунь.", nil, []string{"Фань Гуанчунь"}),
		doc("/2024/pension/", "Обсудили пенсию и пенсии.", nil, nil),
		doc("/2024/guangdong/", "Делегация провинции Гуандун.", []string{"Гуандун"}, nil),
		doc("/2024/liu/", "Выступил Лю Юнжу.", nil, []string{"Лю Юнжу"}),
		doc("/2024/yu/", "Выступил Юй Юньжу.", nil, []string{"Юй Юньжу"}),
	}
	ix := buildIndex(t, docs, 1)
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"Пенза", []string{"/2024/penza/"}},
		{"Гуанчунь", []string{"/2024/fan/"}},
		{"Гуанчуеь", []string{"/2024/fan/"}}, // a typo of the name
		{"Гуандун", []string{"/2024/guangdong/"}},
		{"Юньжу", []string{"/2024/yu/"}},
		// A listed name that finds nothing beside the other words may be
		// a typo of another: «Юньжу» for «Юнжу».
		{"Лю Юньжу", []string{"/2024/liu/"}},
		// But not as a common word: the filter is what finds nothing.
		{"Пенза -Пензу", nil},
		// When nothing else finds anything: a name cut short is that
		// name; two letters off in fewer than eight, nothing.
		{"Пенз", []string{"/2024/penza/"}},
		{"Гуадуг", nil},
	} {
		if got := urls(search(t, ix, Query{Q: tt.q})); !sameSet(got, tt.want) {
			t.Errorf("q=%s: got %q, want %q", tt.q, got, tt.want)
		}
	}
	if got := search(t, ix, Query{Q: "Лю Юньжу"}).Typos; !slices.Equal(got, []Typo{{"юньжу", "юнжу"}}) {
		t.Errorf("q=Лю Юньжу: typos %v, want юньжу as юнжу", got)
	}
}

// TestShortStemNoTypos checks that a rare word whose stem is short
// («магия», маг) is looked for with a typo as typed, not as its stem: one
// letter off a stem of three is half the words of the notes (мар-, ма-,
// мат-), which outnumbered and outranked the word's own notes.
func TestShortStemNoTypos(t *testing.T) {
	doc := func(id, title, body string) Document {
		return Document{ID: id, Date: day("2024-06-01"), Kind: "expo", Title: title, Body: body}
	}
	ix := buildIndex(t, []Document{
		doc("/2024/magic/", "Выставка", "Магия Востока: выставка ремёсел."),
		doc("/2024/mariy/", "Делегация Марий Эл", "Встреча в Йошкар-Оле."),
		doc("/2024/may/", "Встреча", "В мае прошла встреча."),
		doc("/2024/mother/", "Форум", "Мать и дитя: форум о здравоохранении."),
		doc("/2024/magii/", "Семинар", "Семинар о магии цифр."),
	}, 1)
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"магия", []string{"/2024/magic/", "/2024/magii/"}},
		{"магея", []string{"/2024/magic/", "/2024/magii/"}}, // a typo, one edit off магия and маги
	} {
		if got := urls(search(t, ix, Query{Q: tt.q})); !sameSet(got, tt.want) {
			t.Errorf("q=%s: got %q, want %q", tt.q, got, tt.want)
		}
	}
}

// TestRegionTwins checks that a region whose name has another's stem
// («Цзянси», «Цзянсу») finds, and excludes, its own notes only, in every
// script and beside other words.
func TestRegionTwins(t *testing.T) {
	doc := func(id, title string, regions ...string) Document {
		return Document{ID: id, Date: day("2024-06-01"), Kind: "expo", Title: title, Body: "Форум открылся.", Regions: regions}
	}
	docs := []Document{
		doc("/2024/jiangsu/", "Форум в Цзянсу", "jiangsu"),
		doc("/2024/jiangxi/", "Форум в Цзянси", "jiangxi"),
		doc("/2024/both/", "Форум: Цзянси и Цзянсу", "jiangsu", "jiangxi"),
		doc("/2024/neither/", "Форум в Пекине, гости из Цзянси", "beijing"),
	}
	ix := buildIndex(t, docs, 1)
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"Цзянси форум", []string{"/2024/jiangxi/", "/2024/both/", "/2024/neither/"}},
		{"Jiangxi форум", []string{"/2024/jiangxi/", "/2024/both/", "/2024/neither/"}},
		{"江西", []string{"/2024/jiangxi/", "/2024/both/", "/2024/neither/"}},
		{"Цзянсу форум", []string{"/2024/jiangsu/", "/2024/both/", "/2024/neither/"}}, // «Цзянси» is «Цзянсу» in text
		{"форум -Цзянсу", []string{"/2024/jiangxi/"}},
		{"форум -Jiangxi", []string{"/2024/jiangsu/"}},
		{"форум, Цзянси.", []string{"/2024/jiangxi/", "/2024/both/", "/2024/neither/"}},
		// A query that names both asks for both, as their text does.
		{"Цзянси OR Цзянсу", []string{"/2024/jiangsu/", "/2024/jiangxi/", "/2024/both/", "/2024/neither/"}},
		{"Цзянсу Цзянси", []string{"/2024/jiangsu/", "/2024/jiangxi/", "/2024/both/", "/2024/neither/"}},
		{"Jiangsu Jiangxi", []string{"/2024/jiangsu/", "/2024/jiangxi/", "/2024/both/", "/2024/neither/"}},
		{"форум -Цзянси -Цзянсу", nil},
		{"Цзянсу -Цзянси", []string{"/2024/jiangsu/"}},
		{"Jiangsu -Jiangxi", []string{"/2024/jiangsu/"}},
	} {
		if got := urls(search(t, ix, Query{Q: tt.q})); !sameSet(got, tt.want) {
			t.Errorf("q=%s: got %q, want %q", tt.q, got, tt.want)
		}
	}
}

// TestRegionFirst checks that the notes of a region a query names, in any
// script, come before the notes of other regions that write its name,
// however much better those match: a name's stem may be another's too
// («Цзянси», «Цзянсу»). Of two regions named, the notes of both lead; of
// either (OR), none; of a query of other words too, none: it ranks by them.
func TestRegionFirst(t *testing.T) {
	doc := func(id, title, body string, regions ...string) Document {
		return Document{ID: id, Date: day("2024-06-01"), Kind: "expo", Title: title, Body: body, Regions: regions}
	}
	docs := []Document{
		doc("/2024/mentions/", "Хэйлунцзян, Хэйлунцзян", "В Пекине говорили о Хэйлунцзяне и Хэйлунцзян.", "beijing"),
		doc("/2024/tagged/", "Открытие", "Открылась выставка в Хэйлунцзяне.", "heilongjiang"),
		doc("/2024/both/", "Итоги", "Итоги выставки: Хэйлунцзян и Пекин.", "heilongjiang", "beijing"),
		doc("/2024/fair/", "Выставка в Хэйлунцзяне", "Выставка, выставка и ещё раз выставка в Хэйлунцзяне.", "beijing"),
	}
	ix := buildIndex(t, docs, 1)
	for _, tt := range []struct {
		q     string
		first []string // in any order, before the others
	}{
		{"Хэйлунцзян", []string{"/2024/tagged/", "/2024/both/"}},
		{"Heilongjiang", []string{"/2024/tagged/", "/2024/both/"}},
		{"Хэйлунцзян Пекин", []string{"/2024/both/"}},
		{"Хэйлунцзян OR выставка", []string{"/2024/fair/"}}, // by score
		{"выставка Хэйлунцзян", []string{"/2024/fair/"}},    // by score
		{"Хэйлунцзян 2024", []string{"/2024/tagged/", "/2024/both/"}},
	} {
		got := urls(search(t, ix, Query{Q: tt.q}))
		if len(got) < len(tt.first) || !sameSet(got[:len(tt.first)], tt.first) {
			t.Errorf("q=%s: got %q, want %q first", tt.q, got, tt.first)
		}
	}
}

// TestPersonFirst checks that the notes that list a Chinese person come
// first for the person's name, in Russian or in pinyin, where the name's
// syllable «Ли» is a Russian stop word, so that its other word alone finds
// the notes of every «Цзя».
func TestPersonFirst(t *testing.T) {
	note := peopleNotes(t)
	docs := []Document{
		note("others", "Цзя Хуа и Дун Цзя", "Дун Цзя и Цзя Хуа говорили с Цзя Мином о Цзя.", "Дун Цзя", "Цзя Хуа"),
		note("listed", "Встреча", "На встрече был и Цзя Ли, и многие другие гости из разных провинций.", "Цзя Ли"),
	}
	ix := buildIndex(t, docs, 1)
	const want = "/2025/listed/"
	for _, q := range []string{"Цзя Ли", "Jia Li"} {
		if got := urls(search(t, ix, Query{Q: q})); len(got) != 2 || got[0] != want {
			t.Errorf("q=%s: got %q, want %s first", q, got, want)
		}
	}
	// «Ли» alone is the name, not the particle: the note that lists a Li,
	// its snippet where the note writes him, by the name's other word.
	r := search(t, ix, Query{Q: "Ли"})
	if got := urls(r); !slices.Equal(got, []string{want}) || !strings.Contains(r.Hits[0].Snippet, "<mark>Цзя</mark> Ли") {
		t.Errorf("q=Ли: got %q, want %s alone, its snippet marking «Цзя»: %+v", got, want, r.Hits)
	}

	// A Russian given name whose stem others share («Мария» and «Марий
	// Эл», «Елена» and «ел»): the notes that list such a person first.
	docs = []Document{
		note("region", "Делегация Республики Марий Эл в Марий Эл", "Глава Республики Марий Эл встретился с гостями; не ел."),
		note("maria", "Встреча", "На встрече выступила Мария Жукова.", "Мария Жукова"),
		note("elena", "Форум", "Слово взяла Елена Смирнова.", "Елена Смирнова"),
	}
	// And a place's name, «Ростов» and «рост».
	n := *loadSite(t).Published(false)[0]
	n.Title, n.Summary, n.People, n.Places = "Встреча", "", nil, []string{"Ростов"}
	rostov := FromNote(&n, "Выставка прошла в Ростове.", nil)
	rostov.ID = "/2025/rostov/"
	docs = append(docs, rostov, note("growth", "Рост и рост", "Рост торговли, рост выставок, выставка роста."))
	// A Chinese surname that the stemmer cuts as another's («Лю» and
	// «Люй», лю): the notes that list a Liu, by the pinyin of the people
	// field.
	docs = append(docs, note("liu", "Переговоры", "Выступил Лю Мин.", "Лю Мин"),
		note("lu", "Люй и Люй", "Выступили Люй Хай и Люй Тин, а Люй Хай добавил.", "Люй Хай", "Люй Тин"))
	ix = buildIndex(t, docs, 1)
	for q, want := range map[string]string{"Мария": "/2025/maria/", "Maria": "/2025/maria/", "Елена": "/2025/elena/", "Elena": "/2025/elena/",
		"Ростов выставка": "/2025/rostov/", "Лю": "/2025/liu/", "Люй": "/2025/lu/"} {
		if got := urls(search(t, ix, Query{Q: q})); len(got) == 0 || got[0] != want {
			t.Errorf("q=%s: got %q, want %s first", q, got, want)
		}
	}
}

// TestPinyinTypo: a listed Chinese person's name in pinyin a letter off
// into another name's spelling («Zhang Jingsong», Чжан Цзинсун, for Zhang
// Jinsong, Чжан Цзиньсун) finds the person's notes as a typo, when nothing
// is found otherwise; the name as written, and a note of that other name,
// go first and say no typo.
func TestPinyinTypo(t *testing.T) {
	note := peopleNotes(t)
	docs := []Document{
		note("zhang", "Встреча", "Делегацию принял Чжан Цзиньсун.", "Чжан Цзиньсун"),
		note("other", "Встреча", "Переговоры о торговле."),
	}
	ix := buildIndex(t, docs, 1)
	for _, tt := range []struct {
		q     string
		typos []Typo
	}{
		{"Zhang Jinsong", nil},
		{"Zhang Jingsong", []Typo{{"jingsong", ""}}},
	} {
		r := search(t, ix, Query{Q: tt.q})
		if got := urls(r); !slices.Equal(got, []string{"/2025/zhang/"}) {
			t.Errorf("q=%s: got %q, want /2025/zhang/", tt.q, got)
		}
		if !slices.Equal(r.Typos, tt.typos) {
			t.Errorf("q=%s: typos %q, want %q", tt.q, r.Typos, tt.typos)
		}
	}
	// Where a note names Чжан Цзинсун, he is found as written, no typo.
	ix = buildIndex(t, append(docs, note("jingsong", "Встреча", "Выступил Чжан Цзинсун.", "Чжан Цзинсун")), 1)
	if r := search(t, ix, Query{Q: "Zhang Jingsong"}); !slices.Equal(urls(r), []string{"/2025/jingsong/"}) || len(r.Typos) > 0 {
		t.Errorf("q=Zhang Jingsong beside his note: got %q, typos %q", urls(r), r.Typos)
	}
}

// TestNameForms: a region named in a form the stemmer cuts otherwise than
// its name («Хэйлунцзян» хэйлунцзя, «Хэйлунцзяне» хэйлунцзян; «Шанхай»,
// «Шанхая») is the region, as its name and its aliases in any form are:
// its events lead. Not a form of an alias's stem («Коми» ком is not
// «кому»).
func TestNameForms(t *testing.T) {
	ix := buildIndex(t, sameNotes([]Document{{ID: "/2024/x/", Body: "Текст."}}), 1)
	for words, want := range map[string]string{
		"Хэйлунцзян": "heilongjiang", "Хэйлунцзяне": "heilongjiang", "Хэйлунцзяном": "heilongjiang",
		"Гуандуне": "guangdong", "Пекином": "beijing", "кому": "", "Хабаровский": "", "Пек": "",
		// Нинся, which the stemmer cuts to нин: a form no shorter than the name
		// but a letter, so that «Нина» stays a name.
		"Нинся": "ningxia", "Нина": "", "Нину": "",
	} {
		if got := ix.regionOf(strings.Fields(words)); got != want {
			t.Errorf("%s: region %q, want %q", words, got, want)
		}
	}
}

// peopleNotes returns a maker of the document of a note of the test site
// at /2025/slug/, with the title, body and people given, as the build
// makes it (FromNote: the people's Latin spellings too).
func peopleNotes(t *testing.T) func(slug, title, body string, people ...string) Document {
	base := *loadSite(t).Published(false)[0]
	return func(slug, title, body string, people ...string) Document {
		n := base
		n.Title, n.Summary, n.People = title, "", nil
		for _, name := range people {
			n.People = append(n.People, source.Person{Name: name})
		}
		d := FromNote(&n, body, nil)
		d.ID = "/2025/" + slug + "/"
		return d
	}
}

// sameSet reports whether a and b have the same strings, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestCompoundWords checks that a word of several tokens finds the notes
// that have its parts anywhere, and ranks first those that have them
// together, as the reader wrote them.
func TestCompoundWords(t *testing.T) {
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	doc := func(id, body string) Document {
		return Document{ID: id, Title: "Встреча", Body: body, Kind: "delegation", Regions: []string{"moscow"}, Date: day}
	}
	// apart has the parts more often, in a shorter text: without the
	// phrase it would come first.
	together := doc("/2025/together/", "Стороны обсудили торгово-экономическое сотрудничество регионов, поставки, "+
		"логистику, выставки, туризм, образование и культурные обмены на ближайшие годы.")
	apart := doc("/2025/apart/", "Торговые связи и экономические связи: торговые и экономические.")
	city := doc("/2025/city/", "Делегация прибыла в Комсомольск-на-Амуре.")
	plane := doc("/2025/plane/", "Показали 200 самолётов.")
	ix := buildIndex(t, []Document{apart, together, city, plane}, 1)
	tests := []struct {
		q    string
		want []string
	}{
		{"торгово-экономическое", []string{together.ID, apart.ID}},
		{"торгово-экономического сотрудничества", []string{together.ID}},
		// Words typed apart that every note has make no phrase (see
		// TestNear).
		{"торговые экономические", []string{apart.ID, together.ID}},
		// An English stop word between two words is left out, as «на» is.
		{"Komsomolsk-on-Amur", []string{city.ID}},
		{"Be-200", nil},
	}
	for _, tt := range tests {
		if got := urls(search(t, ix, Query{Q: tt.q})); !slices.Equal(got, tt.want) {
			t.Errorf("q=%q: got %q, want %q", tt.q, got, tt.want)
		}
	}
}

// TestNear checks that the notes that have two of the reader's words
// together come first, however much better others match the words apart;
// but not in a query whose words do not stand together.
func TestNear(t *testing.T) {
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	doc := func(id, title, body string) Document {
		return Document{ID: id, Title: title, Body: body, Kind: "delegation", Regions: []string{"moscow"}, Date: day}
	}
	docs := []Document{
		doc("/2025/velikiy/", "Встреча", "Делегация побывала в Великом Новгороде."),
		doc("/2025/nizhny/", "Форум", "Нижний Новгород, Новгород: великий форум, великий."),
		doc("/2025/title/", "Компании края и провинции Хэйлунцзян заключили соглашение", "Подписан документ."),
		doc("/2025/alike/", "Компании края и Пекина заключили соглашение",
			"Компании провинции Хэйлунцзян и края, провинции Хэйлунцзян, соглашение заключили."),
	}
	// «делегация» and «края» are in most notes: together in a title,
	// they put it before a note that has them more often apart.
	docs = append(docs,
		doc("/2025/together/", "Делегация края обсудила торговлю", "Обсуждали торговлю."),
		doc("/2025/apart/", "Переговоры края с делегацией", "Делегация провинции и делегация края: делегация, края."))
	for i := range 10 {
		body := []string{"Стороны обсудили сотрудничество края.", "Стороны обсудили сотрудничество; приехала делегация."}[i%2]
		docs = append(docs, doc(fmt.Sprintf("/2025/other-%d/", i), "Переговоры", body))
	}
	ix := buildIndex(t, docs, 1)
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"Великий Новгород", []string{"/2025/velikiy/", "/2025/nizhny/"}},
		{"Великий Новгород -зюзя", []string{"/2025/nizhny/", "/2025/velikiy/"}},
		{"делегация края", []string{"/2025/together/", "/2025/apart/"}},
		// A title pasted whole: its note first.
		{"Компании края и провинции Хэйлунцзян заключили соглашение", []string{"/2025/title/", "/2025/alike/"}},
		{"Компании края и провинции Хэйлунцзян заключили соглашение -зюзя", []string{"/2025/alike/", "/2025/title/"}},
	} {
		if got := urls(search(t, ix, Query{Q: tt.q})); !slices.Equal(got, tt.want) {
			t.Errorf("q=%q: got %q, want %q", tt.q, got, tt.want)
		}
	}
}

// TestTypos checks that a search says when the reader's words matched only
// with typos, and as what.
func TestTypos(t *testing.T) {
	ix := sharedIndex(t)
	tests := []struct {
		name, q string
		want    []Typo // nil: none
	}{
		{"exact word", "выставке", nil},
		{"a typo", "выстафке", []Typo{{"выстафке", "выставке"}}},
		{"a typo in capitals, beside an exact word", "Выстафке Хэйлунцзян", []Typo{{"выстафке", "выставке"}}},
		{"nothing found", "зюзюзюзя", nil},
		// One word misspelt in two forms: each is said, as the page replaces each.
		{"a typo in two forms", "выстафке выстафки", []Typo{{"выстафке", "выставке"}, {"выстафки", "выставке"}}},
		// A word the page marks, as it is written there: the reader's
		// ending on its stem is as often no word («Воплов» for «Воклов»).
		{"a typo in a form the notes lack", "выстафкой", []Typo{{"выстафкой", "выставке"}}},
		// The stemmer cuts провинцы-и a letter later than провинци-и: the
		// notes' form, not провинци.
		{"a typo where the stem ends", "провинцыи", []Typo{{"провинцыи", "провинции"}}},
		// A region's English name misspelt is the region: its name as meant.
		{"a typo in a region's English name", "Guangdon", []Typo{{"guangdon", "guangdong"}}},
		// When nothing is found otherwise: a word cut short, or two
		// letters off in fewer than ten.
		{"a word cut short", "Хэйлунц", []Typo{{"хэйлунц", "хэйлунцзян"}}},
		{"two letters off", "Хейлуцзян", []Typo{{"хейлуцзян", "хэйлунцзян"}}},
		{"cut short beside an exact word", "выставке Хэйлунц", []Typo{{"хэйлунц", "хэйлунцзян"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(t.Context(), Query{Q: tt.q})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Typos, tt.want) && !(len(res.Typos) == 0 && tt.want == nil) {
				t.Errorf("typos %q, want %q", res.Typos, tt.want)
			}
		})
	}
}

// TestIgnored checks that a search says which of the reader's words it
// left out, when it could search none of them.
func TestIgnored(t *testing.T) {
	ix := sharedIndex(t)
	long := strings.Repeat("а", 120)
	tests := []struct {
		name, q string
		want    []string // nil: none
	}{
		{"stop words", "и в на", []string{"и", "в", "на"}},
		{"stop words, one a listed surname", "и Ли", nil},
		{"a stop word beside a word", "выставка в Харбине", nil},
		{"a phrase of stop words", `"и в" на`, []string{"на", "и в"}},
		{"a stop word and an exclusion", "после -выставка", []string{"после"}},
		{"a repeat", "и И и", []string{"и", "И"}},
		{"punctuation", "!!! —", nil},
		{"English stop words", "the On", []string{"the", "On"}},
		{"IT is no stop word", "IT", nil},
		{"a word too long to be one", long, []string{strings.Repeat("а", 40) + "…"}},
		{"a word too long beside a word", long + " выставка", nil},
		{"an empty query", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(t.Context(), Query{Q: tt.q})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Ignored, tt.want) {
				t.Errorf("ignored %q, want %q", res.Ignored, tt.want)
			}
		})
	}
}

func TestFilters(t *testing.T) {
	ix := sharedIndex(t)
	date := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	all := []string{expo, typo, bridge, newYear, toys, deleg, torgpred} // newest first
	tests := []struct {
		name string
		q    Query
		want []string // newest first, as listed without words
	}{
		{"nothing", Query{}, all},
		{"region", Query{Regions: []string{"guangdong"}}, []string{toys, deleg, torgpred}},
		{"two regions: both", Query{Regions: []string{"guangdong", "moscow-oblast"}}, []string{toys, deleg}},
		{"sector", Query{Sectors: []string{"logistics"}}, []string{typo, bridge}},
		{"kinds: either", Query{Kinds: []string{"expo", "talks"}}, []string{expo, bridge, newYear, torgpred}},
		{"from inclusive", Query{From: date("2024-01-01")}, []string{expo, typo, bridge, newYear}},
		{"to inclusive", Query{To: date("2024-12-31")}, []string{typo, bridge, newYear, toys, deleg, torgpred}},
		{"one day", Query{From: date("2024-12-31"), To: date("2024-12-31")}, []string{typo}},
		{"a year", Query{From: date("2024-01-01"), To: date("2024-12-31")}, []string{typo, bridge, newYear}},
		{"empty range", Query{From: date("2019-01-01"), To: date("2020-12-31")}, nil},
		{"words and filter", Query{Q: "выставка", Regions: []string{"amur-oblast"}}, []string{newYear}},
		{"words sorted by date", Query{Q: "Гуандун", Sort: SortDate}, []string{toys, deleg, torgpred}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := urls(search(t, ix, tt.q)); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPaging(t *testing.T) {
	ix := sharedIndex(t)
	var got []string
	for page := 1; page <= 4; page++ {
		r := search(t, ix, Query{Page: page, PerPage: 2})
		if r.Total != 7 {
			t.Fatalf("page %d: total %d, want 7", page, r.Total)
		}
		got = append(got, urls(r)...)
	}
	want := []string{expo, typo, bridge, newYear, toys, deleg, torgpred}
	if !slices.Equal(got, want) {
		t.Errorf("pages: %q, want %q", got, want)
	}
	for _, page := range []int{5, 1000, 1 << 40} {
		r := search(t, ix, Query{Page: page, PerPage: 2})
		if len(r.Hits) != 0 || r.Total != 7 {
			t.Errorf("page %d: %d hits, total %d; want none of 7", page, len(r.Hits), r.Total)
		}
	}
}

func TestFacets(t *testing.T) {
	ix := sharedIndex(t)
	r := search(t, ix, Query{Q: "Гуандун"})
	want := Facets{
		Regions: []FacetCount{{"guangdong", 3}, {"moscow-oblast", 2}},
		Sectors: []FacetCount{{"trade", 2}, {"education", 1}},
		Kinds:   []FacetCount{{"agreement", 1}, {"delegation", 1}, {"talks", 1}},
		Years:   []FacetCount{{"2023", 1}, {"2022", 1}, {"2021", 1}},
	}
	for _, f := range []struct {
		name      string
		got, want []FacetCount
	}{
		{"regions", r.Facets.Regions, want.Regions},
		{"sectors", r.Facets.Sectors, want.Sectors},
		{"kinds", r.Facets.Kinds, want.Kinds},
		{"years", r.Facets.Years, want.Years},
	} {
		if !slices.Equal(f.got, f.want) {
			t.Errorf("%s: %v, want %v", f.name, f.got, f.want)
		}
	}
}

func TestHitFields(t *testing.T) {
	ix := sharedIndex(t)
	r := search(t, ix, Query{Q: "Демешин"})
	if len(r.Hits) != 1 {
		t.Fatalf("%d hits", len(r.Hits))
	}
	h := r.Hits[0]
	if h.URL != expo || h.Title != "Хабаровские компании показали продукцию на выставке в Харбине" ||
		h.Date.Format(time.DateOnly) != "2025-06-10" || h.End.Format(time.DateOnly) != "2025-06-14" ||
		h.Kind != "expo" || !slices.Equal(h.Regions, []string{"khabarovsk-krai", "heilongjiang"}) ||
		!slices.Equal(h.Sectors, []string{"agriculture", "trade"}) || h.Score <= 0 {
		t.Errorf("hit %+v", h)
	}
	if !strings.Contains(h.Snippet, "<mark>Демешин</mark>") {
		t.Errorf("snippet %q lacks the marked name", h.Snippet)
	}
	// One region, no end: single values come back as lists of one.
	r = search(t, ix, Query{Q: "семинар"})
	if len(r.Hits) != 1 || !slices.Equal(r.Hits[0].Regions, []string{"guangdong"}) || !r.Hits[0].End.IsZero() {
		t.Errorf("hits %+v", r.Hits)
	}
}

func TestSnippet(t *testing.T) {
	ix := sharedIndex(t)
	tests := []struct {
		q        string
		contains []string
		not      []string
	}{
		// Raw HTML in the body is text in the snippet.
		{"растёт", []string{"&lt;b&gt;<mark>растёт</mark>&lt;/b&gt; &amp;"}, []string{"<b>"}},
		{"выставка", []string{"<mark>выставке</mark>"}, nil},
		{"елочных", []string{"<mark>ёлочных</mark>"}, nil},
		{"广东", []string{"<mark>广东</mark>"}, nil},
		// A typo marks the word found.
		{"Демешен", []string{"<mark>Демешин</mark>"}, nil},
		// Matched only by a region's name: the summary, escaped.
		{"Guangdong технопарк", []string{"<mark>технопарка</mark>"}, nil},
		// Matched by another spelling of a name: the name as the note
		// writes it, in its forms.
		{"Dmitry Demeshin", []string{"<mark>Дмитрий</mark> <mark>Демешин</mark>"}, nil},
		{"Blagoveshchensk", []string{"<mark>Благовещенском</mark>"}, []string{"<mark>Хэйхэ</mark>"}},
		{"Heihe", []string{"<mark>Хэйхэ</mark>"}, []string{"<mark>Благовещенском</mark>"}},
		{"Harbin", []string{"<mark>Харбине</mark>"}, nil},
		{"Guangdong Province", []string{"<mark>Гуандуна</mark>"}, nil},
		// Not where the note does not write it: the summary as it is.
		{"Li Ming", []string{"Гости познакомились"}, []string{"<mark>"}},
	}
	for _, tt := range tests {
		r := search(t, ix, Query{Q: tt.q})
		if len(r.Hits) == 0 {
			t.Errorf("q=%q: no hits", tt.q)
			continue
		}
		for _, h := range r.Hits {
			if strings.ContainsAny(h.Snippet, "\n\t") || strings.Contains(h.Snippet, "  ") {
				t.Errorf("q=%q: snippet %q keeps the text's lines", tt.q, h.Snippet)
			}
		}
		s := r.Hits[0].Snippet
		for _, c := range tt.contains {
			if !strings.Contains(s, c) {
				t.Errorf("q=%q: snippet %q lacks %q", tt.q, s, c)
			}
		}
		for _, c := range tt.not {
			if strings.Contains(s, c) {
				t.Errorf("q=%q: snippet %q has %q", tt.q, s, c)
			}
		}
	}
	// With no words, the snippet is the summary, escaped.
	r := search(t, ix, Query{Regions: []string{"beijing"}})
	if len(r.Hits) != 1 || r.Hits[0].Snippet != "В заметке нарочно опечатка в названии края." {
		t.Errorf("hits %+v", r.Hits)
	}
}

func TestDraftsWithFlag(t *testing.T) {
	ix := buildIndex(t, testDocs(t, true), 1)
	if r := search(t, ix, Query{Q: "черновик"}); !slices.Equal(urls(r), []string{draft}) {
		t.Errorf("with drafts: %q", urls(r))
	}
}

func TestBuildCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := filepath.Join(t.TempDir(), DirName)
	if err := Build(ctx, dir, testDocs(t, false), loadSite(t)); err == nil {
		t.Fatal("no error")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cancelled build left %s: %v", dir, err)
	}
}

func TestBuildExisting(t *testing.T) {
	dir := t.TempDir()
	if err := Build(context.Background(), dir, testDocs(t, false), loadSite(t)); err == nil {
		t.Fatal("built into an existing folder")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("the existing folder was removed: %v", err)
	}
}

func TestOpenMissing(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), DirName))
	if err == nil || !strings.Contains(err.Error(), "no search index") {
		t.Errorf("err = %v", err)
	}
}

// TestOpenDamaged checks that an index whose segment's footer is damaged
// is an error that says so, where bleve panics.
func TestOpenDamaged(t *testing.T) {
	dir := filepath.Join(t.TempDir(), DirName)
	if err := build(context.Background(), dir, testDocs(t, false), loadSite(t), 1); err != nil {
		t.Fatal(err)
	}
	segments, err := filepath.Glob(filepath.Join(dir, "*", "store", "*.zap"))
	if err != nil || len(segments) != 1 {
		t.Fatalf("segments %q: %v", segments, err)
	}
	f, err := os.OpenFile(segments[0], os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := f.Stat()
	// The offsets of the segment's sections, in its footer.
	if _, err := f.WriteAt([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, info.Size()-20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ix, err := Open(dir)
	if err == nil {
		ix.Close()
		t.Fatal("opened a damaged index")
	}
	if !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), dir) {
		t.Errorf("err = %v, want it to say the index in %s may be damaged", err, dir)
	}
}

func TestEmptyIndex(t *testing.T) {
	ix := buildIndex(t, nil, 1)
	r := search(t, ix, Query{Q: "выставка"})
	if r.Total != 0 || len(r.Hits) != 0 {
		t.Errorf("%+v", r)
	}
}

// TestMapWords checks that MapWords changes the words a query must find,
// and neither its phrases, nor its exclusions, nor its spaces.
func TestMapWords(t *testing.T) {
	upper := strings.ToUpper
	for _, tt := range []struct{ q, want string }{
		{"выставка", "ВЫСТАВКА"},
		{"  выставка  мост ", "  ВЫСТАВКА  МОСТ "},
		{`-выставка выставка`, `-выставка ВЫСТАВКА`},
		{`"выставка мост" выставка`, `"выставка мост" ВЫСТАВКА`},
		{`-"выставка  мост" «мост» мост`, `-"выставка  мост" «мост» МОСТ`},
		{`a"b c"d`, `A"b c"D`},
		{`"незакрытая фраза`, `"незакрытая фраза`},
		{`— - – x`, `— - – X`},
		{`выставка NOT мост`, `ВЫСТАВКА NOT мост`},
		{`выставка OR мост -a OR b`, `ВЫСТАВКА OR МОСТ -a OR B`},
	} {
		if got := MapWords(tt.q, upper); got != tt.want {
			t.Errorf("MapWords(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

// TestParseText checks how a reader's text is taken apart: NOT before a
// word or a phrase excludes it, as a minus does; OR or ИЛИ between two that
// must match makes them alternatives, and is a word anywhere else.
func TestParseText(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want Text
	}{
		{"Харбин NOT Пекин", Text{Words: []string{"Харбин"}, ExcludedWords: []string{"Пекин"}}},
		{`NOT "Пекин Харбин" выставка`, Text{Words: []string{"выставка"}, ExcludedPhrases: []string{"Пекин Харбин"}}},
		{"NOT -Пекин", Text{ExcludedWords: []string{"Пекин"}}},
		{"Харбин NOT", Text{Words: []string{"Харбин", "NOT"}}},
		{"NOT", Text{Words: []string{"NOT"}}},
		{"not Пекин", Text{Words: []string{"not", "Пекин"}}}, // a word, in lower case
		{"-NOT Пекин", Text{Words: []string{"Пекин"}, ExcludedWords: []string{"NOT"}}},
		{"Хэйлунцзян НЕ Харбин", Text{Words: []string{"Хэйлунцзян"}, ExcludedWords: []string{"Харбин"}}},
		{"Хэйлунцзян не Харбин", Text{Words: []string{"Хэйлунцзян", "не", "Харбин"}}}, // a word, in lower case
		{"ВЫСТАВКА НЕ СОСТОИТСЯ", Text{Words: []string{"ВЫСТАВКА", "НЕ", "СОСТОИТСЯ"}}},
		{"Харбин OR Пекин", Text{Alternatives: [][]Alternative{{{Text: "Харбин"}, {Text: "Пекин"}}}}},
		{`выставка Харбин ИЛИ "Пекин" OR Шанхай`, Text{Words: []string{"выставка"},
			Alternatives: [][]Alternative{{{Text: "Харбин"}, {Text: "Пекин", Phrase: true}, {Text: "Шанхай"}}}}},
		{"a OR b c OR d", Text{Alternatives: [][]Alternative{{{Text: "a"}, {Text: "b"}}, {{Text: "c"}, {Text: "d"}}}}},
		{`"a b" OR c d`, Text{Words: []string{"d"}, Alternatives: [][]Alternative{{{Text: "a b", Phrase: true}, {Text: "c"}}}}},
		{"Харбин OR", Text{Words: []string{"Харбин", "OR"}}},
		{"OR Харбин", Text{Words: []string{"OR", "Харбин"}}},
		{"-Харбин OR Пекин", Text{Words: []string{"OR", "Пекин"}, ExcludedWords: []string{"Харбин"}}},
		{"Харбин OR -Пекин", Text{Words: []string{"Харбин"}, ExcludedWords: []string{"Пекин"}}},
		{"Харбин OR NOT Пекин", Text{Words: []string{"Харбин"}, ExcludedWords: []string{"Пекин"}}},
		{"Харбин or Пекин", Text{Words: []string{"Харбин", "or", "Пекин"}}}, // a word, in lower case
		{"a OR OR b", Text{Words: []string{"b"}, Alternatives: [][]Alternative{{{Text: "a"}, {Text: "OR"}}}}},
	} {
		if got := ParseText(tt.q); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseText(%q) = %+v, want %+v", tt.q, got, tt.want)
		}
	}
}

// sameNotes gives docs, which have IDs and bodies, one title, kind and
// day.
func sameNotes(docs []Document) []Document {
	for i := range docs {
		docs[i].Title, docs[i].Kind, docs[i].Date = "Заметка", "expo", day("2024-05-01")
	}
	return docs
}

// TestMissing checks that a search that finds nothing leaves out the
// words in Latin or Chinese letters that no note has, in any form,
// spelling or script, and says which; not the words of a name in another
// script, nor numbers, nor Russian words, nor when nothing else is left to
// search for.
func TestMissing(t *testing.T) {
	docs := []Document{
		{ID: "/2024/harbin/", Body: "Открылась выставка в Харбине, губернатор выступил."},
		{ID: "/2024/forum/", Body: "Форум прошёл в Хэйлунцзяне."},
	}
	ix := buildIndex(t, sameNotes(docs), 1)
	for _, tt := range []struct {
		q       string
		want    []string
		missing []string
	}{
		{"выставка Russia", []string{"/2024/harbin/"}, []string{"Russia"}},
		{"governor Harbin", []string{"/2024/harbin/"}, []string{"governor"}},
		{"俄罗斯 выставка", []string{"/2024/harbin/"}, []string{"俄罗斯"}},
		{"Russia выставка governor", []string{"/2024/harbin/"}, []string{"Russia", "governor"}},
		{`"выставка в Харбине" Russia`, []string{"/2024/harbin/"}, []string{"Russia"}},
		{"выставка зюзюблик", nil, nil},           // a Russian word
		{"Harbin форум", nil, nil},                // each finds notes, no note both
		{"Russia", nil, nil},                      // nothing else to search for
		{"the Russia", nil, nil},                  // a stop word is nothing to search for
		{"выставка 1837", nil, nil},               // a year no note has is what was asked
		{"губернатор -выставка Russia", nil, nil}, // what is left finds nothing
		{"aa bb cc dd ee выставка", nil, nil},     // more than maxMissing words no note has
		{"выставка (Russia), APEC!", []string{"/2024/harbin/"}, []string{"Russia", "APEC"}},
		{"αβγ выставка", []string{"/2024/harbin/"}, []string{"αβγ"}},
		{"форум governor OR Харбин", nil, nil}, // a word left out would regroup the alternatives
		{"губернатор НЕ выставка governor", nil, nil},
		{"ГУБЕРНАТОР НЕ ВЫСТАВКА governor", nil, nil}, // without «governor», НЕ would read as a word
	} {
		r := search(t, ix, Query{Q: tt.q})
		if got := urls(r); !slices.Equal(got, tt.want) || !slices.Equal(r.Missing, tt.missing) {
			t.Errorf("q=%q: got %q, missing %q; want %q, missing %q", tt.q, got, r.Missing, tt.want, tt.missing)
		}
		if r.Query.Q != tt.q {
			t.Errorf("q=%q: the result's query is %q", tt.q, r.Query.Q)
		}
	}
}
