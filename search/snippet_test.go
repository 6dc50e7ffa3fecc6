package search

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	bsearch "github.com/blevesearch/bleve/v2/search"
)

// at gives the places of words in text, as bleve's locations: each word
// its own term, every time it occurs.
func at(text string, words ...string) bsearch.TermLocationMap {
	locs := bsearch.TermLocationMap{}
	for _, w := range words {
		for i := 0; ; {
			k := strings.Index(text[i:], w)
			if k < 0 {
				break
			}
			locs[w] = append(locs[w], &bsearch.Location{Start: uint64(i + k), End: uint64(i + k + len(w))})
			i += k + len(w)
		}
	}
	return locs
}

func TestSnippetWhole(t *testing.T) {
	// Texts shorter than a snippet: all of it, marked, escaped, squeezed.
	for _, tt := range []struct {
		text  string
		words []string
		want  string
	}{
		{"A & B года в Хабаровске", []string{"Хабаровске"}, "A &amp; B года в <mark>Хабаровске</mark>"},
		{"\n\nНачало  абзаца.\n\nВторой\tабзац \u00a0", []string{"Второй"}, "Начало абзаца. <mark>Второй</mark> абзац"},
		{"<b>растёт</b> &", []string{"растёт"}, "&lt;b&gt;<mark>растёт</mark>&lt;/b&gt; &amp;"},
		{`Сказал: "да" и 'нет'`, []string{"да"}, "Сказал: &#34;<mark>да</mark>&#34; и &#39;нет&#39;"},
		{"广东省和广东", []string{"广东"}, "<mark>广东</mark>省和<mark>广东</mark>"},
		{"Без совпадений.", nil, "Без совпадений."},
		{"", nil, ""},
		// The same place twice, or overlapping: marked once.
		{"бюрократия и бюро", []string{"бюро", "бюрократия"}, "<mark>бюрократия</mark> и <mark>бюро</mark>"},
	} {
		if got := snippet(tt.text, at(tt.text, tt.words...)); got != tt.want {
			t.Errorf("snippet(%q, %q) = %q, want %q", tt.text, tt.words, got, tt.want)
		}
	}
}

// pad is a word of n-1 letters and a space: n letters of text.
func pad(n int) string { return strings.Repeat("я", n-1) + " " }

func TestSnippetCut(t *testing.T) {
	dull := strings.Repeat("Текст дальше. ", 30)
	for _, tt := range []struct {
		name     string
		text     string
		words    []string
		prefix   string // the snippet begins with it
		contains string
		suffix   string
	}{
		{
			// Near the start: the start is taken in.
			name: "near the start", text: "25 октября 2022 года\nв Хабаровске прошла встреча. " + dull, words: []string{"Хабаровске"},
			prefix: "25 октября 2022 года в <mark>Хабаровске</mark> прошла встреча. Текст дальше.", suffix: "…",
		},
		{
			// Far from both ends: cut at whole words, the match inside.
			name: "in the middle", text: dull + "2024 года работало бюро в Харбине. " + dull, words: []string{"бюро"},
			prefix: "…", contains: "2024 года работало <mark>бюро</mark> в Харбине. Текст", suffix: "…",
		},
		{
			// Near the end: as much before as the snippet holds.
			name: "near the end", text: dull + "Конец и <mark> в Харбине", words: []string{"Харбине"},
			prefix: "…", suffix: "Конец и &lt;mark&gt; в <mark>Харбине</mark>",
		},
		{
			// The window with the most different words, not the first match.
			name: "most words", text: "Пекин. " + dull + dull + "Делегация из Хабаровска посетила Пекин. " + dull, words: []string{"Пекин", "Хабаровска"},
			prefix: "…", contains: "Делегация из <mark>Хабаровска</mark> посетила <mark>Пекин</mark>.", suffix: "…",
		},
		{
			// The best window starts at the second «Альфа»; the first, taken
			// in with the text's start, is marked too.
			name: "a match before the window", text: "Альфа " + pad(54) + "Альфа Бета " + pad(139) + "Гамма конец. " + dull,
			words: []string{"Альфа", "Бета", "Гамма"}, prefix: "<mark>Альфа</mark> я", contains: "<mark>Гамма</mark>", suffix: "…",
		},
		{
			// The last match is part of a word at the snippet's end: the
			// word whole.
			name: "a match in a word at the end", text: "Альфа " + strings.Repeat("слово ", 30) + "торгово-экономического сотрудничества. " + dull,
			words: []string{"Альфа", "торгово"}, suffix: "<mark>торгово</mark>-экономического…",
		},
		{
			// No match: the start, cut at a whole word.
			name: "no match", text: dull, prefix: "Текст дальше.", suffix: "дальше. …",
		},
	} {
		got := snippet(tt.text, at(tt.text, tt.words...))
		if !strings.HasPrefix(got, tt.prefix) || !strings.Contains(got, tt.contains) || !strings.HasSuffix(got, tt.suffix) {
			t.Errorf("%s: snippet %q, want %q…%q…%q", tt.name, got, tt.prefix, tt.contains, tt.suffix)
		}
		plain := strings.NewReplacer("<mark>", "", "</mark>", "", cut, "").Replace(got)
		for _, w := range tt.words {
			if shown, marked := strings.Count(plain, w), strings.Count(got, "<mark>"+w+"</mark>"); shown != marked {
				t.Errorf("%s: snippet %q shows %q %d times, marks it %d times", tt.name, got, w, shown, marked)
			}
		}
		if n := utf8.RuneCountInString(plain); n > snippetRunes+maxLead {
			t.Errorf("%s: snippet of %d letters: %q", tt.name, n, got)
		}
		// Every word shown is a word of the text, whole.
		words := strings.Fields(strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(plain))
		for _, w := range []string{words[0], words[len(words)-1]} {
			if !slices.Contains(strings.Fields(tt.text), w) {
				t.Errorf("%s: snippet %q shows %q, not a word of the text", tt.name, got, w)
			}
		}
	}
}

func TestSnippetBadPlaces(t *testing.T) {
	// Places outside the text or inside a letter are left out.
	text := "Харбин"
	locs := bsearch.TermLocationMap{"x": {
		{Start: 0, End: 100}, {Start: 1, End: 4}, {Start: 4, End: 2}, {Start: 2, End: 3}, {Start: 4, End: 6},
	}}
	if got := snippet(text, locs); got != "Ха<mark>р</mark>бин" {
		t.Errorf("snippet = %q", got)
	}
}

// FuzzSnippet: whatever the text and the places, a snippet is valid UTF-8
// and its only tags are whole marks.
func FuzzSnippet(f *testing.F) {
	f.Add("25 октября 2022 года\nв <b>Хабаровске</b> прошла встреча.", uint16(27), uint16(47), uint16(0), uint16(2))
	f.Add("广东省和广东", uint16(0), uint16(6), uint16(12), uint16(18))
	f.Fuzz(func(t *testing.T, text string, s1, e1, s2, e2 uint16) {
		locs := bsearch.TermLocationMap{
			"a": {{Start: uint64(s1), End: uint64(e1)}},
			"b": {{Start: uint64(s2), End: uint64(e2)}, {Start: uint64(s1), End: uint64(e2)}},
		}
		got := snippet(text, locs)
		if utf8.ValidString(text) && !utf8.ValidString(got) {
			t.Fatalf("snippet(%q) = %q: not UTF-8", text, got)
		}
		rest := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(got)
		if strings.ContainsAny(rest, "<>") {
			t.Fatalf("snippet(%q) = %q: a tag of the text", text, got)
		}
		if strings.Count(got, "<mark>") != strings.Count(got, "</mark>") {
			t.Fatalf("snippet(%q) = %q: marks unbalanced", text, got)
		}
	})
}

// BenchmarkSnippet cuts the snippet of a note's body of about 7 KB, as
// long as the bench corpus's, with a word that matches 30 times and one
// that matches near the end.
func BenchmarkSnippet(b *testing.B) {
	para := "В Харбине прошла встреча делегации Хабаровского края с партнёрами из провинции Хэйлунцзян: " +
		"стороны обсудили поставки сои, логистику через пограничные переходы и выставку в июне. "
	text := strings.Repeat(para, 30) + "Итоги подвёл губернатор."
	locs := at(text, "Харбине", "губернатор")
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		snippet(text, locs)
	}
}

// TestBodySnippet checks that the blocks of a body, a line each, are
// parted by a full stop where one does not end with a stop of its own.
func TestBodySnippet(t *testing.T) {
	for _, tt := range []struct{ text, word, want string }{
		{"Позиция Ляонина\nХао Пэн, в свою очередь, поддержал проект.", "Хао",
			"Позиция Ляонина. <mark>Хао</mark> Пэн, в свою очередь, поддержал проект."},
		{"Итоги\n16\nКто участвовал\nВместе с регионами:\nАльфа и Бета!\nГамма", "Бета",
			"Итоги. 16. Кто участвовал. Вместе с регионами: Альфа и <mark>Бета</mark>! Гамма"},
		{"Заголовок\n\n  Текст   абзаца.", "Текст", "Заголовок. <mark>Текст</mark> абзаца."},
		{"Итоги форума в Шэньчжэне\nСоглашения стали частью", "Шэньчжэне", "Итоги форума в <mark>Шэньчжэне</mark>. Соглашения стали частью"},
	} {
		if got := bodySnippet(tt.text, at(tt.text, tt.word)); got != tt.want {
			t.Errorf("bodySnippet(%q) = %q, want %q", tt.text, got, tt.want)
		}
		// A text of another field is one line of words.
		if got := snippet(tt.text, at(tt.text, tt.word)); strings.Contains(got, ". ") != strings.Contains(strings.ReplaceAll(tt.text, "\n", " "), ". ") {
			t.Errorf("snippet(%q) = %q: a stop of its own", tt.text, got)
		}
	}
}
