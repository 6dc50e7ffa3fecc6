package search

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseQuery checks that no text a reader types breaks the search: it
// parses without panic and runs on a real index without error. The seeds
// run with every `go test`; `go test -fuzz FuzzParseQuery ./search` looks
// for more.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		``, ` `, `"unclosed`, `+-:`, `title:`, `body:выставка`, `*`, `?`, `/.*/`, `-`, `--`, `-"`, `""`,
		`"" ""`, `"a" -"b"`, `-"торговый дом"`, `广东`, `广东省 -广`, `«выставка в Харбине»`, `„цитата“`,
		`выставка AND мост OR NOT`, `(x)`, `[1 TO 5]`, `~2`, `выставка~`, `^3`, `\`, `\"`, "\x00", "\xff\xfe",
		`Хабровский`, `ЁЛКА`, `-ёлка`, `a-b-c`, strings.Repeat("я", 500), strings.Repeat(`"`, 99),
		strings.Repeat("-а ", 160), `%`, `&`, `<script>`, `🙂`, "\u00ad\u0301", "ＧＵＡＮＧＤＯＮＧ",
		// Words that variants declines, and dashes that exclude.
		`мя`, `ая`, `ее`, `ей`, `й`, `мени`, `Абрамовым`, `времени -музее`, `—`, `—выставка`, `– "музей"`, `−`,
		// Years and dates, some past what an index's dates can hold.
		`2024`, `-2024`, `1000`, `9999`, `0000`, `2024-01-01`, `31.12.9999`, `9999-12`, `1.1.0001`, `-12.2200`,
		// Names in other spellings, which the snippets mark as the notes write them.
		`Dmitry Demeshin`, `"Vasilii Orlov"`, `Harbin -Heihe`, `Li Ming`, `哈尔滨`, `Guangdong Province`,
	} {
		f.Add(s)
	}
	ix := sharedIndex(f)
	tax := &loadSite(f).Taxonomies
	f.Fuzz(func(t *testing.T, s string) {
		text := ParseText(s)
		for _, w := range append(append([]string{}, text.Words...), text.ExcludedWords...) {
			if w == "" || strings.ContainsFunc(w, func(r rune) bool { return r == ' ' || isQuote(r) }) {
				t.Fatalf("ParseText(%q): bad word %q", s, w)
			}
		}
		for _, p := range append(append([]string{}, text.Phrases...), text.ExcludedPhrases...) {
			if p == "" || !utf8.ValidString(p) {
				t.Fatalf("ParseText(%q): bad phrase %q", s, p)
			}
		}
		if utf8.ValidString(s) {
			// MapWords changes the words and nothing else.
			if got := MapWords(s, func(w string) string { return w }); got != s {
				t.Fatalf("MapWords(%q) as they are: %q", s, got)
			}
			marked := ParseText(MapWords(s, func(w string) string { return "x" + w }))
			if len(marked.Words) != len(text.Words) || len(marked.Alternatives) != len(text.Alternatives) || !slices.Equal(marked.Phrases, text.Phrases) || !slices.Equal(marked.ExcludedWords, text.ExcludedWords) {
				t.Fatalf("MapWords(%q): %+v, from %+v", s, marked, text)
			}
		}
		q, err := ParseRequest(url.Values{"q": {s}}, tax)
		if err != nil {
			// Only invalid UTF-8 or length are refused, and as a ParamError.
			pe, ok := err.(*ParamError)
			if !ok || pe.Param != "q" || (utf8.ValidString(s) && utf8.RuneCountInString(s) <= MaxQueryLen) {
				t.Fatalf("ParseRequest(%q): %v", s, err)
			}
			return
		}
		for _, sort := range []Sort{SortDefault, SortDate} {
			q.Sort = sort
			if _, err := ix.Search(context.Background(), q); err != nil {
				t.Fatalf("search %q: %v", s, err)
			}
		}
	})
}

// FuzzClean checks that clean keeps text valid, and that what it cleaned
// it leaves as it is: the reader's words and the stored texts it cleaned
// come to the same.
func FuzzClean(f *testing.F) {
	for _, s := range []string{
		"", "Xабаровск", "Сoca-Cola", "X２а", "ТехноPark", "е\u0308\u0301", "вы\u00adставка", "\xd0", "a\xd0",
		"\xd0\xd0", "\xd1\x80x", "２０２４年", "Ｘа",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := clean(s)
		if utf8.ValidString(s) && !utf8.ValidString(c) {
			t.Fatalf("clean(%q) = %q, not UTF-8", s, c)
		}
		if cc := clean(c); cc != c {
			t.Fatalf("clean(%q) = %q, cleaned again %q", s, c, cc)
		}
	})
}
