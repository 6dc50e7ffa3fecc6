package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/coopdigest/digest/source"
)

// analyze runs the mapping's text analyzer, as the index and every query
// use it.
func analyzeTerms(t *testing.T, s string) []string {
	t.Helper()
	a := newMapping().AnalyzerNamed(analyzerName)
	if a == nil {
		t.Fatalf("the mapping has no analyzer %q", analyzerName)
	}
	var out []string
	for _, tok := range a.Analyze([]byte(s)) {
		out = append(out, string(tok.Term))
	}
	return out
}

func TestAnalyzer(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"выставке", []string{"выставк"}},
		{"Выставки", []string{"выставк"}},
		{"мостов моста", []string{"мост", "мост"}},
		{"Ёлочных елочных", []string{"елочн", "елочн"}},
		{"Хабаровского края", []string{"хабаровск", "кра"}},
		{"Guangdong Province", []string{"guangdong", "province"}},
		{"广东省", []string{"广东", "东省"}},
		{"广", []string{"广"}},
		{"в Гуандуне 广东", []string{"гуандун", "广东"}},
		{"ＡＢＣ", []string{"abc"}},
		{"до́ма", []string{"дом"}},
		{"вы\u00adставке", []string{"выставк"}},
		{"Российско-Китайскому", []string{"российск", "китайск"}},
		{"2025 года", []string{"2025", "год"}},
		{"", nil},
		{"!!! — …", nil},
		{strings.Repeat("z", maxWordRunes) + " мост", []string{strings.Repeat("z", maxWordRunes), "мост"}},
		{strings.Repeat("я", maxWordRunes+1) + " мост", []string{"мост"}},
		{strings.Repeat("z", 4<<20), nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%.40s", tt.in), func(t *testing.T) {
			if got := analyzeTerms(t, tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("analyze %q = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestAnalyzerOffsets checks that tokens point at the words as written, so
// that highlights fall on them, and that stop words keep their places.
func TestAnalyzerOffsets(t *testing.T) {
	in := "Ёлка в Харбине и 广东省"
	var got []string
	var pos []int
	for _, tok := range newMapping().AnalyzerNamed(analyzerName).Analyze([]byte(in)) {
		got = append(got, in[tok.Start:tok.End])
		pos = append(pos, tok.Position)
	}
	if want := []string{"Ёлка", "Харбине", "广东", "东省"}; !slices.Equal(got, want) {
		t.Errorf("spans %q, want %q", got, want)
	}
	if want := []int{1, 3, 5, 6}; !slices.Equal(pos, want) {
		t.Errorf("positions %v, want %v", pos, want)
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"до́ма":          "дома",
		"вы\u00adставка": "выставка",
		"ёлка":           "ёлка",
		"广东":             "广东",
		// Decomposed letters are composed: й, ё, Й; Latin é loses its accent.
		"Дахновски\u0438\u0306":       "Дахновский",
		"Воробье\u0308в":              "Воробьёв",
		"\u0418\u0306ошкар-Ола":       "Йошкар-Ола",
		"Cafe\u0301 и вы\u00adставка": "Cafe и выставка",
		"\u0435\u0308\u0301":          "ё",
		// Letters that look alike are written in the script of the rest of
		// their word (russian.Unmixed).
		"Xабаровск и Huawеi": "Хабаровск и Huawei",
		// Characters of no width go.
		"Хаба\u200bровск, Хаба\u2060ровск, \ufeffПекин, Хэй\u200cхэ\u200d": "Хабаровск, Хабаровск, Пекин, Хэйхэ",
		// Full-width digits are ASCII ones; full-width letters stay.
		"２０２４年 ＡＰＥＣ": "2024年 ＡＰＥＣ",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFromNoteCleans(t *testing.T) {
	// Every text field is cleaned as the title and body are, and the
	// note's own lists stay as written.
	n := *loadSite(t).Published(false)[0]
	n.Title = "Делегация из Xабаровска"
	n.People = []source.Person{{Name: "Василий Oрлов", Role: "мэр"}}
	n.Organizations = []string{"Технопарк", "ОЭЗ «Texнополис»"}
	n.Places = []string{"Благовещенcк"}
	d := FromNote(&n, "Текст с ма\u0301рками", nil)
	for _, c := range []struct{ got, want []string }{
		{[]string{d.Title, d.Body}, []string{"Делегация из Хабаровска", "Текст с марками"}},
		// With the names' Latin spellings, of the names as search reads them.
		{d.People, []string{"Василий Орлов, мэр", "vasiliy orlov", "vasily orlov", "vasili orlov"}},
		{d.Orgs, []string{"Технопарк", "ОЭЗ «Технополис»", "tekhnopark", "tekhnopolis"}},
		{d.Places, []string{"Благовещенск", "blagoveshchensk"}},
		{n.Organizations, []string{"Технопарк", "ОЭЗ «Texнополис»"}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestOwnNames(t *testing.T) {
	for org, want := range map[string]string{
		"Госкорпорация «Росатом»":          "Росатом",
		"ОЭЗ «Технополис Москва»":          "Технополис Москва",
		"АО «Компания «Восток»»":           "Компания «Восток»",
		"ПАО \"Газпром\"":                  "Газпром",
		"ООО «Без конца":                   "Без конца",
		"Сбербанк":                         "Сбербанк",
		"Банк Китая":                       "Банк Китая",
		"Министерство коммерции КНР":       "",
		"Торгово-промышленная палата края": "",
	} {
		got, ok := ownName(org)
		if ok != (want != "") || ok && got != want {
			t.Errorf("ownName(%q) = %q, %v, want %q", org, got, ok, want)
		}
	}
	// A search finds the organization by its own name in Latin letters.
	n := *loadSite(t).Published(false)[0]
	n.Organizations = []string{"Госкорпорация «Росатом»", "Министерство коммерции КНР"}
	ix := buildIndex(t, []Document{FromNote(&n, "Текст", nil)}, 1)
	for q, want := range map[string]int{"Rosatom": 1, "Ministerstvo": 0} {
		if r := search(t, ix, Query{Q: q}); r.Total != want {
			t.Errorf("q=%s: %d hits, want %d", q, r.Total, want)
		}
	}
}

func TestCapped(t *testing.T) {
	pair := strings.Repeat("выставки Харбин ", MaxRepeats)
	for _, tt := range []struct {
		name  string
		texts []string
		want  []string
		word  string
	}{
		{"few words", []string{"Выставка в Харбине", "广东省"}, []string{"Выставка в Харбине", "广东省"}, ""},
		{"just enough", []string{pair}, []string{pair}, ""},
		// The term, not the word: «выставка» is another form of «выставки».
		{"one too many", []string{pair + "выставка и хвост"}, []string{pair}, "выставка"},
		// Across the values of a list: the value is cut, those after it left out.
		{"a list", []string{pair[:len(pair)/2], pair, "Иван"}, []string{pair[:len(pair)/2], pair[:len(pair)/2]}, "выставки"},
		// Hanzi bigrams count as terms too.
		// 广东广东…: the bigrams 广东 and 东广 alternate, and the
		// MaxRepeats+1th 广东 starts at the letter 2*MaxRepeats.
		{"Hanzi", []string{strings.Repeat("广东", MaxRepeats+1)}, []string{strings.Repeat("广东", MaxRepeats)}, "广东"},
	} {
		got, word := capped(tt.texts)
		if !slices.Equal(got, tt.want) || word != tt.word {
			t.Errorf("%s: capped = %d texts (%d bytes), %q; want %d texts (%d bytes), %q",
				tt.name, len(got), len(strings.Join(got, "")), word, len(tt.want), len(strings.Join(tt.want, "")), tt.word)
		}
	}
}

func TestFewWords(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want int // words counted
	}{
		{"", 0},
		{"Выставка в Харбине, 2025 год.", 5},
		{"А.Ю. Иванов", 3},
		{"广东省 and 香港", 6},
		{"  \u00a0 ", 0},
		{"ёлка Ѣ-ять Cafe\u0301", 4},
		{"a\xd0 b\xd1\xd1c", 3},
		{"\xd0", 0},
	} {
		if got := 100 - fewWords(tt.s, 100); got != tt.want {
			t.Errorf("fewWords(%q) counts %d words, want %d", tt.s, got, tt.want)
		}
	}
	// It returns as soon as the budget is past: at the first word too many.
	for _, s := range []string{"东0", "а б", "ab 东"} {
		if got := fewWords(s, 0); got != -1 {
			t.Errorf("fewWords(%q, 0) = %d, want -1", s, got)
		}
	}
}

func TestRepeatedWordsIndexed(t *testing.T) {
	// A note that repeats a phrase past MaxRepeats is found by it, and by
	// the words before the cut, not by those after.
	src := loadSite(t)
	n := *src.Published(false)[0]
	text := "Начало заметки. " + strings.Repeat("выставки в Харбине ", MaxRepeats+1) + "Хвостовое слово."
	doc := FromNote(&n, text, &src.Taxonomies)
	if doc.Cut != "выставки" {
		t.Errorf("Cut = %q, want «выставки»", doc.Cut)
	}
	ix := buildIndex(t, []Document{doc}, 1)
	for q, want := range map[string]int{`"выставки в Харбине"`: 1, "Начало": 1, "хвостовое": 0} {
		if r := search(t, ix, Query{Q: q}); r.Total != want {
			t.Errorf("q=%s: %d hits, want %d", q, r.Total, want)
		}
	}
	if w := FromNote(&n, "Выставка в Харбине", nil).Cut; w != "" {
		t.Errorf("Cut of a short text = %q", w)
	}
	// Cut, which makes no document for a short note, says the same.
	for _, text := range []string{text, "Выставка в Харбине"} {
		if got, want := Cut(&n, text), FromNote(&n, text, nil).Cut; got != want {
			t.Errorf("Cut = %q, FromNote's Cut %q", got, want)
		}
	}
	// A name's Latin spellings count: «demeshin» comes three times a name.
	many := n
	many.People = slices.Repeat([]source.Person{{Name: "Дмитрий Демешин"}}, MaxRepeats/3+1)
	if got, want := Cut(&many, "Выставка"), FromNote(&many, "Выставка", nil).Cut; got != want || want != "demeshin" {
		t.Errorf("Cut = %q, FromNote's Cut %q, want «demeshin»", got, want)
	}
}

func BenchmarkClean(b *testing.B) {
	text := strings.Repeat("Делегация Хабаровского края провела переговоры в Пекине. ", 200)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		clean(text)
	}
}

func BenchmarkFewWords(b *testing.B) {
	text := strings.Repeat("Делегация Хабаровского края провела переговоры в Пекине 12 мая. ", 200)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		fewWords(text, len(text))
	}
}
