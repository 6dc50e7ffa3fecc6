package search

import (
	"bytes"
	"slices"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/ru"
	"github.com/blevesearch/bleve/v2/registry"
)

func terms(t *testing.T, s string) []string {
	t.Helper()
	a, err := newAnalyzer()
	if err != nil {
		t.Fatal(err)
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
		{"Российско-Китайскому", []string{"российск", "китайск"}},
		{"2025 года", []string{"2025", "год"}},
		{"", nil},
		{"!!! — …", nil},
	}
	for _, tt := range tests {
		if got := terms(t, tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("analyze %q = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAnalyzerOffsets(t *testing.T) {
	a, err := newAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	in := "Ёлка в Харбине и 广东省"
	toks := a.Analyze([]byte(in))
	var got []string
	var pos []int
	for _, tok := range toks {
		got = append(got, in[tok.Start:tok.End])
		pos = append(pos, tok.Position)
	}
	if want := []string{"Ёлка", "Харбине", "广东", "东省"}; !slices.Equal(got, want) {
		t.Errorf("spans %q, want %q", got, want)
	}
	// Stop words keep their place: в is 2, и is 4.
	if want := []int{1, 3, 5, 6}; !slices.Equal(pos, want) {
		t.Errorf("positions %v, want %v", pos, want)
	}
}

func TestDecode(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		b := []byte{byte(i >> 8), byte(i), 'x'}
		r, n := decode(b)
		wr, wn := utf8.DecodeRune(b)
		if r != wr || n != wn {
			t.Fatalf("decode(% x) = %U %d, want %U %d", b[:2], r, n, wr, wn)
		}
	}
}

// referenceScan is the analyzer's scan as it was before its fast paths for
// ASCII and Russian letters and before stop words were looked up with
// stems, without want: what FuzzAnalyzer holds it to.
func referenceScan(a *textAnalyzer, stop analysis.TokenMap, input []byte, emit func(t *analysis.Token)) {
	var word []byte
	var t analysis.Token
	pos := 0
	for i := 0; i < len(input); {
		r, size := decode(input[i:])
		switch {
		case isIdeograph(r):
			// A run of ideographs: bigrams of neighbours, or one unigram.
			start := i
			var offs [3]int // offsets of the last two runes and the end
			n := 0
			for i < len(input) {
				r, size := decode(input[i:])
				if !isIdeograph(r) {
					break
				}
				offs[0], offs[1] = offs[1], i
				i += size
				n++
				if n >= 2 {
					pos++
					t = analysis.Token{Term: input[offs[0]:i], Start: offs[0], End: i, Position: pos, Type: analysis.Ideographic}
					emit(&t)
				}
			}
			if n == 1 {
				pos++
				t = analysis.Token{Term: input[start:i], Start: start, End: i, Position: pos, Type: analysis.Ideographic}
				emit(&t)
			}
		case isWordRune(r):
			start := i
			word = word[:0]
			cyrillic, digits := false, true
			for i < len(input) {
				r, size := decode(input[i:])
				if r == '\u00ad' || r >= 0x300 && r < 0x370 || r > 0x4ff && unicode.Is(unicode.Mn, r) {
					i += size
					continue
				}
				if !isWordRune(r) || isIdeograph(r) {
					break
				}
				r = fold(r)
				cyrillic = cyrillic || (r >= 0x400 && r <= 0x4ff)
				digits = digits && r >= '0' && r <= '9'
				word = utf8.AppendRune(word, r)
				i += size
			}
			pos++
			// An unwanted word is left out before the look-up of stop words,
			// the costliest step when most words are unwanted.
			if len(word) == 0 || stop[string(word)] {
				continue
			}
			t = analysis.Token{Term: word, Start: start, End: i, Position: pos, Type: analysis.AlphaNumeric}
			switch {
			case digits:
				t.Type = analysis.Numeric
			case cyrillic:
				t.Term = a.stem(word).stem
			}
			t.Term = bytes.Clone(t.Term)
			emit(&t)
		default:
			i += size
		}
	}
}

// FuzzAnalyzer checks the analyzer's tokens against referenceScan's.
func FuzzAnalyzer(f *testing.F) {
	for _, s := range []string{
		"Выставка в Харбине: ЁЛКИ, ёлки и Ёжики; 2025-й год, COVID-19 и Co-operation.",
		"Mосква (латинская M), Ѐ Ђ Ї ҂ Ә, до́ма, вы\u00adставка, ＡＢＣ, 广东省 и 广.",
		"Эта и та, в на по, её всё ещё",
		"\xd0", "\xd0\x90", "a\xd1", "Я", "яz9", "ﬁ", "İstanbul",
	} {
		f.Add(s)
	}
	a, err := newAnalyzer()
	if err != nil {
		f.Fatal(err)
	}
	stop, err := registry.NewCache().TokenMapNamed(ru.StopName)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want []analysis.Token
		referenceScan(a, stop, []byte(s), func(tok *analysis.Token) { want = append(want, *tok) })
		var got []analysis.Token
		for _, tok := range a.Analyze([]byte(s)) {
			got = append(got, *tok)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d tokens, want %d:\n%v\n%v", s, len(got), len(want), got, want)
		}
		for i := range got {
			g, w := got[i], want[i]
			if !bytes.Equal(g.Term, w.Term) || g.Start != w.Start || g.End != w.End || g.Position != w.Position || g.Type != w.Type {
				t.Fatalf("%q: token %d is %v, want %v", s, i, g, w)
			}
		}
	})
}
